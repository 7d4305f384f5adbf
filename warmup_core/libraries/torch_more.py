"""More PyTorch schedulers: ``CyclicLR``, ``SWALR`` and a ``ChainedScheduler`` inside ``SequentialLR``.

Source: ``torch/optim/lr_scheduler.py`` and ``torch/optim/swa_utils.py`` of torch 2.13.0 (the version
pinned in requirements.txt; the tests run these against it live). These join the ``"torch"`` library
key; conventions as for every torch scheduler (docs/conventions.md, "torch"): ``lr(t)`` is the lr after
``t`` calls of ``scheduler.step()``, construction applies ``f(0)``.

* ``CyclicLR`` overwrites the optimizer's lr with its own ``base_lr`` (the low end of the cycle); here
  that is the ``base_lr`` argument of ``compat.build``. It starts at ``base_lr`` and reaches ``max_lr``
  after ``step_size_up`` steps. Only the learning rate is modelled: ``cycle_momentum`` and the momentum
  bounds change the optimizer's momentum, which a schedule of learning rates does not hold.
* ``SWALR`` anneals from the optimizer's lr (``base_lr``) to ``swa_lr`` over ``anneal_epochs`` calls of
  ``step()`` (cos or linear) and then holds ``swa_lr``; with ``anneal_epochs=0`` it is ``swa_lr`` from
  step 0. torch computes it recursively (it inverts the previous step); this is the closed form.
* ``SequentialLR`` whose first scheduler is a ``ChainedScheduler``: ``SequentialLR`` undoes the
  construction step of every scheduler and redoes the first one's (``_initial_step``), but the
  "initial" flag is set on the ``ChainedScheduler``, not on the schedulers inside it. The inner
  schedulers whose first step reads that flag therefore take an ordinary step at construction:
  ``ExponentialLR`` is one step ahead (``gamma ** (t + 1)``), ``PolynomialLR(total_iters=T)`` runs as
  ``T + 1`` iters one step ahead, ``CosineAnnealingLR`` is its cosine divided by its value at step 1
  (``eta_min=0`` only). ``LinearLR``, ``ConstantLR``, ``StepLR`` and ``MultiStepLR`` read
  ``last_epoch`` instead and are unaffected. A ``ChainedScheduler`` after the first position is refused:
  at its milestone torch 2.13 calls its closed form, which it does not have (``NotImplementedError``).
"""

from __future__ import annotations

import math

from ..schedule import Decay, Join, Product, Warmup, WarmupDecay
from .base import FRAMEWORKS, REQUIRED, flag, framework, integer, number, positive

FRAMEWORK = FRAMEWORKS.get("torch") or framework("torch", "PyTorch", "torch/optim/lr_scheduler.py")


@FRAMEWORK.schedule("CyclicLR", examples=[
    dict(base_lr=0.001, max_lr=0.1, step_size_up=200),
    dict(base_lr=0.001, max_lr=0.1, step_size_up=100, step_size_down=50, mode="triangular2"),
    dict(base_lr=0.001, max_lr=0.1, step_size_up=100, mode="exp_range", gamma=0.999),
    dict(base_lr=0.01, max_lr=0.1, step_size_up=1, step_size_down=0),
])
def cyclic_lr(base_lr, max_lr=REQUIRED, step_size_up=2000, step_size_down=None, mode="triangular", gamma=1.0,
              scale_fn=None, scale_mode="cycle", cycle_momentum=True, base_momentum=0.8, max_momentum=0.9):
    """CyclicLR: base_lr → max_lr over step_size_up and back over step_size_down (triangular2, exp_range)."""
    if scale_fn is not None:
        raise ValueError("CyclicLR scale_fn: a Python function cannot be modelled; use mode="
                         "'triangular', 'triangular2' or 'exp_range'")
    if mode not in ("triangular", "triangular2", "exp_range"):
        raise ValueError("mode is invalid and scale_fn is None")
    if scale_mode not in ("cycle", "iterations"):
        raise ValueError(f"parameter 'scale_mode' must be 'cycle' or 'iterations', got {scale_mode!r}")
    flag(cycle_momentum, "cycle_momentum")
    number(base_momentum, "base_momentum", 0.0)
    number(max_momentum, "max_momentum", 0.0)
    low, high = positive(base_lr, "base_lr"), positive(max_lr, "max_lr")
    up = positive(step_size_up, "step_size_up")
    down = up if step_size_down is None else number(step_size_down, "step_size_down", 0.0)
    g = number(gamma, "gamma", 0.0, 1.0)
    if mode == "exp_range" and g == 0:
        raise ValueError("parameter 'gamma' must be > 0 for mode 'exp_range', got 0")
    if low > high:
        raise ValueError(f"parameter 'base_lr' ({low!r}) must not exceed 'max_lr' ({high!r}): "
                         "warmup_core models the cycle between a floor and its peak")
    return WarmupDecay(high, decay=Decay("cyclic", up=up, down=down, floor=low / high, mode=mode,
                                      gamma=g if mode == "exp_range" else 1.0))


@FRAMEWORK.schedule("SWALR", examples=[
    dict(base_lr=0.1, swa_lr=0.01, anneal_epochs=10),
    dict(base_lr=0.1, swa_lr=0.05, anneal_epochs=0),
    dict(base_lr=0.01, swa_lr=0.05, anneal_epochs=5, anneal_strategy="linear"),
])
def swalr(base_lr, swa_lr=REQUIRED, anneal_epochs=10, anneal_strategy="cos"):
    """SWALR: anneal the optimizer's lr to swa_lr over anneal_epochs steps (cos or linear), then hold swa_lr."""
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
    if isinstance(anneal_epochs, bool) or not isinstance(anneal_epochs, int) or anneal_epochs < 0:
        raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
    lr0, swa = positive(base_lr, "base_lr"), number(swa_lr, "swa_lr", 0.0)
    if anneal_epochs == 0 or swa == lr0:  # torch: step = max(1, step) -> swa_lr from step 0
        return WarmupDecay(swa) if swa > 0 else WarmupDecay(lr0, decay=Decay("piecewise", milestones=(), values=(0.0,)))
    A = anneal_epochs
    if swa < lr0:
        shape = Decay("cosine", steps=A, floor=swa / lr0) if anneal_strategy == "cos" else \
            Decay("linear", steps=A, floor=swa / lr0)
        return WarmupDecay(lr0, decay=shape)
    method = "cosine" if anneal_strategy == "cos" else "linear"
    return WarmupDecay(swa, Warmup(method, steps=A, factor=lr0 / swa), Decay("constant"))


# --- SequentialLR with a ChainedScheduler first -------------------------------------------------

_UNAFFECTED = ("LinearLR", "ConstantLR", "StepLR", "MultiStepLR")


def _first_chain_part(base_lr, name, params, segment):
    """One scheduler inside a ChainedScheduler that SequentialLR runs first (see the module docstring)."""
    from .. import compat

    if name not in _UNAFFECTED + ("ExponentialLR", "PolynomialLR", "CosineAnnealingLR"):
        raise ValueError(f"{name} inside a ChainedScheduler in SequentialLR is not modelled (supported: "
                         f"{sorted(_UNAFFECTED + ('ExponentialLR', 'PolynomialLR', 'CosineAnnealingLR'))})")
    plain = compat.build("torch", name, base_lr, **params)  # checks the parameters as torch does
    if name in _UNAFFECTED:
        return plain
    if name == "ExponentialLR":
        return plain.replace(offset=1)
    if name == "PolynomialLR":
        T = integer(params.get("total_iters", 5), "total_iters", 1)
        return WarmupDecay(base_lr, decay=Decay("polynomial", steps=T + 1, power=params.get("power", 1.0)), offset=1)
    if name == "CosineAnnealingLR":
        T = integer(params["T_max"], "T_max", 2)
        if params.get("eta_min", 0.0) != 0:
            raise ValueError("CosineAnnealingLR with eta_min != 0 inside a ChainedScheduler that SequentialLR runs "
                             "first is not a product of factors in torch; warmup_core models eta_min=0 there")
        if segment is None or segment > T + 1:
            raise ValueError(f"CosineAnnealingLR(T_max={T}) inside the first ChainedScheduler must hand over to the "
                             f"next scheduler by step T_max + 1 = {T + 1}: later torch adds instead of multiplying")
    c1 = 0.5 * (1.0 + math.cos(math.pi / T))
    return WarmupDecay(base_lr / c1, decay=Decay("cosine", steps=T, clamp=False))


def _pair(item):
    if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
            and isinstance(item[1], dict)):
        raise ValueError(f"parameter 'schedulers': each scheduler must be a (name, params) pair, got {item!r}")
    return item


def has_chained(schedulers) -> bool:
    """Whether a SequentialLR ``schedulers`` list holds a ``("ChainedScheduler", {...})`` pair."""
    return isinstance(schedulers, (list, tuple)) and any(
        isinstance(i, (list, tuple)) and len(i) == 2 and i[0] == "ChainedScheduler" for i in schedulers)


def sequential_with_chain(base_lr, schedulers, milestones):
    """``SequentialLR(schedulers, milestones)`` where ``schedulers[0]`` may be
    ``("ChainedScheduler", {"schedulers": [...]})``; the other parts are plain torch schedulers."""
    from .. import compat

    if isinstance(schedulers, (str, bytes)) or not isinstance(schedulers, (list, tuple)) or not schedulers:
        raise ValueError("parameter 'schedulers' must be a non-empty list of (name, params) pairs")
    ms = [integer(m, "milestones") for m in milestones]
    if len(ms) != len(schedulers) - 1:
        raise ValueError(f"Sequential Schedulers expects number of schedulers provided to be one more than the "
                         f"number of milestone points, but got number of schedulers {len(schedulers)} and the number "
                         f"of milestones to be equal to {len(ms)}")
    parts = []
    for i, item in enumerate(schedulers):
        name, params = _pair(item)
        if name == "ChainedScheduler":
            if i:
                raise ValueError("a ChainedScheduler after the first scheduler of SequentialLR: torch 2.13 raises "
                                 "NotImplementedError at its milestone (ChainedScheduler has no closed form)")
            inner = params.get("schedulers")
            if set(params) != {"schedulers"} or not isinstance(inner, (list, tuple)) or not inner:
                raise ValueError("ChainedScheduler takes one parameter, 'schedulers': a non-empty list of "
                                 "(name, params) pairs")
            segment = ms[0] if ms else None
            parts.append(Product([_first_chain_part(base_lr, *_pair(p), segment) for p in inner], base_lr))
        elif name in ("SequentialLR", "OneCycleLR", "CyclicLR", "SWALR"):
            raise ValueError(f"{name} cannot be nested in SequentialLR here")
        else:
            parts.append(compat.build("torch", name, base_lr, **params))
    return Join(parts, ms)
