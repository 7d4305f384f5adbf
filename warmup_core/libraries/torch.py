"""PyTorch ``torch.optim.lr_scheduler`` (stepped once per optimizer update with ``scheduler.step()``).

Conventions (docs/conventions.md, "torch"):

* the lr of update ``t`` is the lr after ``t`` calls of ``scheduler.step()``; every factor is relative to
  the optimizer's lr (``base_lr``), except ``OneCycleLR`` (absolute: ``max_lr``);
* ``LinearLR`` / ``ConstantLR`` are warmups whose step 0 is ``start_factor`` / ``factor`` × lr;
* ``SequentialLR`` **prepends** (each scheduler restarts its clock at its milestone); ``ChainedScheduler``
  **multiplies** (every clock from 0);
* ``CosineAnnealingLR`` is not clamped: after ``T_max`` it rises again; ``OneCycleLR`` raises after
  ``total_steps`` (we hold the value of step ``total_steps``).

Export writes one native scheduler (or a ``SequentialLR`` of a ``LinearLR``/``ConstantLR`` warmup and one
decay) where torch has one: a cyclic decay is ``CyclicLR``, a clamped cosine or linear anneal to a floor (or a
cosine ramp to a constant) is ``SWALR``. :func:`standalone` writes a ``LambdaLR`` that carries warmup_core's
own functions and so expresses every schedule.

The schedulers beyond warmup + decay (torch 2.13.0, the version pinned in requirements.txt; the tests run them live):

* ``CyclicLR`` overwrites the optimizer's lr with its own ``base_lr`` (the low end of the cycle); here
  that is the ``base_lr`` argument of ``compat.build``. It starts at ``base_lr`` and reaches ``max_lr``
  after ``step_size_up`` steps. Only the learning rate is modelled: ``cycle_momentum`` and the momentum
  bounds change the optimizer's momentum, which a schedule of learning rates does not hold.
* ``SWALR`` (``torch/optim/swa_utils.py``) anneals from the optimizer's lr (``base_lr``) to ``swa_lr`` over
  ``anneal_epochs`` calls of ``step()`` (cos or linear) and then holds ``swa_lr``; with ``anneal_epochs=0`` it
  is ``swa_lr`` from step 0. torch computes it recursively (it inverts the previous step); this is the closed form.
* ``SequentialLR`` whose first scheduler is a ``ChainedScheduler``: ``SequentialLR`` undoes the
  construction step of every scheduler and redoes the first one's (``_initial_step``), but the
  "initial" flag is set on the ``ChainedScheduler``, not on the schedulers inside it. The inner
  schedulers whose first step reads that flag therefore take an ordinary step at construction:
  ``ExponentialLR`` is one step ahead (``gamma ** (t + 1)``), ``PolynomialLR(total_iters=T)`` runs as
  ``T + 1`` iters one step ahead, ``CosineAnnealingLR`` is its cosine divided by its value at step 1
  (``eta_min=0`` only). ``LinearLR``, ``ConstantLR``, ``StepLR`` and ``MultiStepLR`` read
  ``last_epoch`` instead and are unaffected. A ``ChainedScheduler`` after the first position is refused:
  at its milestone torch 2.13 calls its closed form, which it does not have (``NotImplementedError``).

>>> FRAMEWORK.build("MultiStepLR", base_lr=0.1, milestones=[2, 4], gamma=0.5)([0, 2, 4]).tolist()
[0.1, 0.05, 0.025]
"""

from __future__ import annotations

import inspect
import textwrap
import types

from .. import decays, warmups
from ..schedule import Decay, Join, LRSchedule, Product, Warmup, WarmupDecay
from .base import (
    HEADER,
    REQUIRED,
    Call,
    Refusal,
    args,
    common_refusal,
    flag,
    framework,
    int_list,
    integer,
    number,
    positive,
    ratio,
    refuse_if,
)

FRAMEWORK = framework("torch", "PyTorch", "torch/optim/lr_scheduler.py")


@FRAMEWORK.schedule("LinearLR", examples=[
    dict(base_lr=0.1, start_factor=0.1, total_iters=20),
    dict(base_lr=0.1, start_factor=1.0, end_factor=0.5, total_iters=20),
])
def linear_lr(base_lr, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
    """LinearLR: factor from start_factor to end_factor over total_iters, then held."""
    if not isinstance(start_factor, (int, float)) or not 0 < start_factor <= 1:
        raise ValueError("Starting multiplicative factor expected to be greater than 0 and less or equal to 1 "
                         f"(parameter 'start_factor'), got {start_factor!r}")
    if not isinstance(end_factor, (int, float)) or not 0 <= end_factor <= 1:
        raise ValueError(f"Ending multiplicative factor expected to be between 0 and 1 (parameter 'end_factor'), "
                         f"got {end_factor!r}")
    T = integer(total_iters, "total_iters")
    if T == 0 or start_factor == end_factor:  # the chainable form never moves off start_factor
        return WarmupDecay(base_lr * start_factor)
    if start_factor < end_factor:  # a warmup towards end_factor
        return WarmupDecay(base_lr * end_factor, Warmup("linear", steps=T, factor=start_factor / end_factor),
                        Decay("constant"))
    return WarmupDecay(base_lr * start_factor, decay=Decay("linear", steps=T, floor=end_factor / start_factor))


@FRAMEWORK.schedule("ConstantLR", examples=[dict(base_lr=0.1, factor=0.25, total_iters=20)])
def constant_lr(base_lr, factor=1.0 / 3, total_iters=5):
    """ConstantLR: factor for total_iters steps, then the full lr (maskrcnn-style constant warmup)."""
    if not isinstance(factor, (int, float)) or not 0 <= factor <= 1:
        raise ValueError(f"Constant multiplicative factor expected to be between 0 and 1 (parameter 'factor'), "
                         f"got {factor!r}")
    T = integer(total_iters, "total_iters")
    if factor == 0:
        raise ValueError("ConstantLR with factor=0 divides by zero when total_iters is reached (parameter 'factor')")
    if T == 0:  # the chainable form applies the factor at step 0 and never removes it
        return WarmupDecay(base_lr * factor)
    return WarmupDecay(base_lr, Warmup("constant", steps=T, factor=factor), Decay("constant"))


@FRAMEWORK.schedule("StepLR", examples=[dict(base_lr=0.1, step_size=30, gamma=0.5)])
def step_lr(base_lr, step_size=REQUIRED, gamma=0.1):
    """StepLR: gamma ** (t // step_size)."""
    return WarmupDecay(base_lr, decay=Decay("step", step_size=integer(step_size, "step_size", 1), gamma=_gamma(gamma)))


@FRAMEWORK.schedule("MultiStepLR", examples=[dict(base_lr=0.1, milestones=[100, 200])])
def multistep_lr(base_lr, milestones=REQUIRED, gamma=0.1):
    """MultiStepLR: gamma at each milestone (sorted; a repeated milestone counts twice)."""
    m = sorted(int_list(milestones, "milestones"))
    return WarmupDecay(base_lr, decay=Decay("multistep", milestones=m, gamma=_gamma(gamma)))


def _gamma(gamma):
    number(gamma, "gamma", 0.0, 1.0)
    if gamma == 0:
        raise ValueError("parameter 'gamma' = 0 makes the lr 0 from the first decay on; warmup_core needs gamma > 0")
    return float(gamma)


@FRAMEWORK.schedule("ExponentialLR", examples=[dict(base_lr=0.1, gamma=0.99)])
def exponential_lr(base_lr, gamma=REQUIRED):
    """ExponentialLR: gamma ** t."""
    return WarmupDecay(base_lr, decay=Decay("exponential", gamma=_gamma(gamma)))


@FRAMEWORK.schedule("CosineAnnealingLR", examples=[dict(base_lr=0.1, T_max=200, eta_min=0.001)])
def cosine_annealing_lr(base_lr, T_max=REQUIRED, eta_min=0.0):
    """CosineAnnealingLR: half-cosine to eta_min over T_max; rises again after (not clamped)."""
    T = integer(T_max, "T_max", 1)
    return WarmupDecay(base_lr, decay=Decay("cosine", steps=T, floor=ratio(eta_min, base_lr, "eta_min", "lr"),
                                         clamp=False))


@FRAMEWORK.schedule("CosineAnnealingWarmRestarts", examples=[dict(base_lr=0.1, T_0=50, T_mult=2, eta_min=0.001)])
def cosine_annealing_warm_restarts(base_lr, T_0=REQUIRED, T_mult=1, eta_min=0.0):
    """CosineAnnealingWarmRestarts: cycles of T_0 * T_mult**i steps."""
    T0, Tm = integer(T_0, "T_0", 1), integer(T_mult, "T_mult", 1)
    return WarmupDecay(base_lr, decay=Decay("cosine_restarts", period=T0, period_mult=Tm,
                                         floor=ratio(eta_min, base_lr, "eta_min", "lr")))


@FRAMEWORK.schedule("PolynomialLR", examples=[dict(base_lr=0.1, total_iters=200, power=2.0)])
def polynomial_lr(base_lr, total_iters=5, power=1.0):
    """PolynomialLR: (1 - min(t, T)/T) ** power, to 0 at T."""
    T = integer(total_iters, "total_iters")
    if T == 0:  # the chainable form leaves the lr untouched
        return WarmupDecay(base_lr)
    return WarmupDecay(base_lr, decay=Decay("polynomial", steps=T, power=positive(power, "power")))


@FRAMEWORK.schedule("OneCycleLR", absolute=True, examples=[
    dict(max_lr=0.1, total_steps=300),
    dict(max_lr=0.1, total_steps=300, anneal_strategy="linear", three_phase=True),
])
def one_cycle_lr(base_lr, max_lr=REQUIRED, total_steps=None, epochs=None, steps_per_epoch=None,
                 pct_start=0.3, anneal_strategy="cos", div_factor=25.0, final_div_factor=1e4,
                 three_phase=False):
    """OneCycleLR: max_lr/div → max_lr at pct·T−1 → max_lr/(div·final_div) at T−1 (torch raises after)."""
    if total_steps is None:
        if epochs is None or steps_per_epoch is None:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        total_steps = integer(epochs, "epochs", 1) * integer(steps_per_epoch, "steps_per_epoch", 1)
    T = integer(total_steps, "total_steps", 1)
    if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
        raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start!r}")
    if anneal_strategy not in ("cos", "linear"):
        raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy!r}")
    decay = Decay("onecycle", total_steps=T, pct_start=pct_start, div_factor=number(div_factor, "div_factor", 1.0),
                  final_div_factor=number(final_div_factor, "final_div_factor", 1.0), anneal=anneal_strategy,
                  three_phase=flag(three_phase, "three_phase"), style="torch")
    return WarmupDecay(positive(max_lr, "max_lr"), decay=decay, total_steps=T)


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
    if decays.cyclic_is_degenerate(up, down):
        raise ValueError(f"parameters 'step_size_up' ({up!r}) and 'step_size_down' ({down!r}) make a cycle too short "
                         "for float64 (torch's clock overflows)")
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


NESTED = ("SequentialLR", "ChainedScheduler", "OneCycleLR")


def _parts(base_lr, schedulers) -> list[LRSchedule]:
    if isinstance(schedulers, (str, bytes)) or not isinstance(schedulers, (list, tuple)) or not schedulers:
        raise ValueError("parameter 'schedulers' must be a non-empty list of (name, params) pairs")
    parts = []
    for item in schedulers:
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[1], dict)):
            raise ValueError(f"each of 'schedulers' must be a (name, params) pair, got {item!r}")
        if item[0] in NESTED:
            raise ValueError(f"{item[0]} cannot be nested in 'schedulers'")
        parts.append(FRAMEWORK.build(item[0], base_lr, **item[1]))
    return parts


@FRAMEWORK.schedule("SequentialLR", examples=[
    dict(base_lr=0.1, schedulers=[("LinearLR", dict(start_factor=0.1, total_iters=20)), ("CosineAnnealingLR",
         dict(T_max=280))], milestones=[20]),
])
def sequential_lr(base_lr, schedulers=REQUIRED, milestones=REQUIRED):
    """SequentialLR: scheduler i takes over at milestone i with its clock restarted (prepend)."""
    if has_chained(schedulers):  # the module docstring says how torch runs a ChainedScheduler first
        return sequential_with_chain(base_lr, schedulers, milestones)
    parts = _parts(base_lr, schedulers)
    m = int_list(milestones, "milestones")
    if len(m) != len(parts) - 1:
        raise ValueError(f"Sequential Schedulers expects number of schedulers provided to be one more than the "
                         f"number of milestone points, but got number of schedulers {len(parts)} and the number "
                         f"of milestones to be equal to {len(m)}")
    return Join(parts, m)


@FRAMEWORK.schedule("ChainedScheduler", examples=[
    dict(base_lr=0.1, schedulers=[("ConstantLR", dict(factor=0.1, total_iters=25)), ("MultiStepLR",
         dict(milestones=[100]))]),
])
def chained_scheduler(base_lr, schedulers=REQUIRED):
    """ChainedScheduler: the product of all factors, every clock from 0 (multiply)."""
    return Product(_parts(base_lr, schedulers), base_lr)


# --- SequentialLR with a ChainedScheduler first -------------------------------------------------

_UNAFFECTED = ("LinearLR", "ConstantLR", "StepLR", "MultiStepLR")


def _first_chain_part(base_lr, name, params, segment):
    """One scheduler inside a ChainedScheduler that SequentialLR runs first (see the module docstring)."""
    if name not in _UNAFFECTED + ("ExponentialLR", "PolynomialLR", "CosineAnnealingLR"):
        raise ValueError(f"{name} inside a ChainedScheduler in SequentialLR is not modelled (supported: "
                         f"{sorted(_UNAFFECTED + ('ExponentialLR', 'PolynomialLR', 'CosineAnnealingLR'))})")
    plain = FRAMEWORK.build(name, base_lr, **params)  # checks the parameters as torch does
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
    c1 = decays.half_cosine(1.0 / T)  # the cosine's value at step 1
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
            parts.append(FRAMEWORK.build(name, base_lr, **params))
    return Join(parts, ms)


# --- export: native schedulers ----------------------------------------------------------------------

def _decay_call(s: WarmupDecay) -> tuple[str, dict] | None:
    """The one torch scheduler that runs ``s``'s decay on its own clock, or None."""
    d, p = s.decay, s.decay_params
    if d.name == "constant":
        return "ConstantLR", {"factor": 1.0, "total_iters": 0}
    if d.name == "step":
        return "StepLR", {"step_size": p["step_size"], "gamma": p["gamma"]}
    if d.name == "multistep" and p["boundary"] == "at":
        return "MultiStepLR", {"milestones": list(p["milestones"]), "gamma": p["gamma"]}
    if d.name == "exponential" and (p["period"], p["delay"], p["staircase"], p["limit"]) == (1.0, 0, False, None):
        return "ExponentialLR", {"gamma": p["gamma"]}
    if d.name == "cosine" and (p["exponent"], p["cycles"], p["clamp"]) == (1.0, 0.5, False):
        return "CosineAnnealingLR", {"T_max": p["steps"], "eta_min": p["floor"] * s.base_lr}
    if (d.name == "cosine_restarts" and float(p["period"]).is_integer() and float(p["period_mult"]).is_integer()
            and (p["cycle_decay"], p["cycle_limit"], p["k_decay"], p["profile"]) == (1.0, None, 1.0, "cosine")):
        return "CosineAnnealingWarmRestarts", {"T_0": int(p["period"]), "T_mult": int(p["period_mult"]),
                                               "eta_min": p["floor"] * s.base_lr}
    if d.name in ("polynomial", "linear") and p["floor"] == 0 and p.get("delay", 0) == 0 and not p.get("cycle"):
        return "PolynomialLR", {"total_iters": p["steps"], "power": p.get("power", 1.0)}
    return None


def _cyclic_call(s: WarmupDecay) -> Call:
    """``CyclicLR``: its ``base_lr`` (the low end, which it writes into the optimizer) is ``floor × peak``.
    ``cycle_momentum=False`` because warmup_core models the lr only (and so plain SGD, without momentum, runs it)."""
    p, lr = s.decay_params, s.base_lr
    refuse_if((s.warmup.steps, "CyclicLR starts its own cycle at base_lr: a warmup before it has no torch form "
                               "here"),
              (p["floor"] == 0, "CyclicLR's base_lr is the lr at the bottom of the cycle and must be > 0 here"))
    up, down = (int(n) if float(n).is_integer() else n for n in (p["up"], p["down"]))
    params = {"max_lr": lr, "step_size_up": up, "step_size_down": down, "mode": p["mode"]}
    if p["mode"] == "exp_range":
        params["gamma"] = p["gamma"]
    return Call("CyclicLR", params | {"cycle_momentum": False}, p["floor"] * lr)


def _swalr_call(s: WarmupDecay) -> Call | None:
    """``SWALR`` where it is the one scheduler: a clamped cosine or linear anneal from the optimizer's lr down to
    ``swa_lr``, or a cosine ramp up to it (torch's ``swa_lr`` may lie above the lr). None otherwise."""
    w, d, p, lr = s.warmup, s.decay, s.decay_params, s.base_lr
    if not w.steps:
        cosine = d.name == "cosine" and (p["exponent"], p["cycles"], p["clamp"]) == (1.0, 0.5, True)
        linear = d.name == "linear" or (d.name == "polynomial" and (p["power"], p["delay"], p["cycle"]) ==
                                        (1.0, 0, False))
        if (cosine or linear) and float(p["steps"]).is_integer():
            return Call("SWALR", {"swa_lr": p["floor"] * lr, "anneal_epochs": int(p["steps"]),
                                  "anneal_strategy": "cos" if cosine else "linear"}, lr)
    elif w.method == "cosine" and w.factor > 0 and d.name == "constant":  # a linear one is LinearLR's
        return Call("SWALR", {"swa_lr": lr, "anneal_epochs": w.steps, "anneal_strategy": "cos"}, w.factor * lr)
    return None


@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    common_refusal(s)
    w, d, p, lr = s.warmup, s.decay, s.decay_params, s.base_lr
    if d.name == "onecycle" and p["style"] == "torch" and not w.steps:
        return Call("OneCycleLR", {"max_lr": lr, "total_steps": p["total_steps"], "pct_start": p["pct_start"],
                                   "anneal_strategy": p["anneal"], "div_factor": p["div_factor"],
                                   "final_div_factor": p["final_div_factor"], "three_phase": p["three_phase"]})
    if d.name == "cyclic":
        return _cyclic_call(s)
    decay = _decay_call(s)
    swa = _swalr_call(s) if decay is None or w.method == "cosine" else None
    if swa is not None:
        return swa
    refuse_if((decay is None, f"it has no scheduler for a {d.entry.title.lower()} decay with these settings"),
              (w.method not in ("none", "linear", "constant"), "its warmups (LinearLR, ConstantLR) are linear or "
                                                               "constant"),
              (w.steps and w.factor == 0, "LinearLR and ConstantLR cannot start at 0 (start_factor > 0)"),
              (w.steps and s.convention == "override", "a warmup that overrides the decay's clock has no torch form"))
    if not w.steps:
        return Call(decay[0], decay[1], lr)
    warm = (("LinearLR", {"start_factor": w.factor, "end_factor": 1.0, "total_iters": w.steps})
            if w.method == "linear" else ("ConstantLR", {"factor": w.factor, "total_iters": w.steps}))
    if s.convention == "prepend":
        return Call("SequentialLR", {"schedulers": [warm, decay], "milestones": [w.steps]}, lr)
    return Call("ChainedScheduler", {"schedulers": [warm, decay]}, lr)


def _scheduler_code(name: str, params: dict) -> str:
    if name in ("SequentialLR", "ChainedScheduler"):
        inner = ", ".join(_scheduler_code(n, p) for n, p in params["schedulers"])
        rest = "".join(f", {k}={v!r}" for k, v in params.items() if k != "schedulers")
        return f"lr_scheduler.{name}(optimizer, [{inner}]{rest})"
    return f"lr_scheduler.{name}(optimizer, {args(**params)})"


@FRAMEWORK.renderer
def render(call: Call, s: WarmupDecay) -> str:
    lr = call.params["max_lr"] if call.base_lr is None else call.base_lr
    if call.name == "SWALR":  # torch's stochastic weight averaging pattern, stepped once per update
        return (HEADER + "import torch\nfrom torch.optim.swa_utils import SWALR, AveragedModel\n\n"
                "model = torch.nn.Linear(10, 1)  # your model\n"
                f"optimizer = torch.optim.SGD(model.parameters(), lr={lr!r})\n"
                "swa_model = AveragedModel(model)  # the running average of the weights\n"
                f"scheduler = SWALR(optimizer, {args(**call.params)})\n"
                "# in the loop: optimizer.step(); scheduler.step(); swa_model.update_parameters(model)\n"
                "# (anneal_epochs counts scheduler.step() calls: one per optimizer update here)\n"
                "# at the end, with BatchNorm: torch.optim.swa_utils.update_bn(loader, swa_model)\n")
    params = {"base_lr": lr, **call.params} if call.name == "CyclicLR" else call.params  # its own base_lr
    return (HEADER + "import torch\nfrom torch.optim import lr_scheduler\n\n"
            "model = torch.nn.Linear(10, 1)  # your model\n"
            f"optimizer = torch.optim.SGD(model.parameters(), lr={lr!r})\n"
            f"scheduler = {_scheduler_code(call.name, params)}\n"
            "# in the loop: optimizer.step(); scheduler.step()\n")


# --- export: a standalone LambdaLR carrying warmup_core's own functions ------------------------------

SOURCES = (warmups.__name__, decays.__name__)  # the modules whose functions the standalone export copies


def _deps(fn, seen=None) -> list:
    """``fn`` and the functions and constants of :data:`SOURCES` it uses, dependencies first."""
    seen = set() if seen is None else seen
    if (fn.__module__, fn.__name__) in seen:
        return []
    seen.add((fn.__module__, fn.__name__))
    out = []
    for name in fn.__code__.co_names + tuple(c for c in fn.__code__.co_consts if isinstance(c, str)):
        obj = fn.__globals__.get(name)
        if isinstance(obj, types.FunctionType) and obj.__module__ in SOURCES:
            out += _deps(obj, seen)
        elif name.isupper() and name in fn.__globals__ and not callable(obj) and (fn.__module__, name) not in seen:
            seen.add((fn.__module__, name))
            out.append((name, obj))
    return out + [fn]


def _source(items, renames) -> str:
    """Source of ``items``; a function in ``renames`` (a main shape) gets its new name, so a warmup
    and a decay of the same name (``cosine``, ``linear``) can live side by side."""
    parts, done = [], set()
    for it in items:
        if isinstance(it, tuple):
            name, value = it
            if name not in done:
                parts.append(f"{name} = {value!r}")
                done.add(name)
            continue
        new = renames.get(it, it.__name__)
        if new not in done:
            done.add(new)
            src = textwrap.dedent(inspect.getsource(it)).rstrip()
            parts.append(src.replace(f"def {it.__name__}(", f"def {new}(", 1))
    return "\n\n\n".join(parts)


def standalone(s: WarmupDecay) -> str:
    """A torch ``LambdaLR`` script (torch + numpy only) that carries the very functions of warmup_core that
    compute ``s``, copied from their source, so it cannot drift from what the app draws."""
    if not isinstance(s, WarmupDecay):
        raise Refusal("a join or product of schedules has no code export yet")
    w, d = s.warmup, s.decay
    dfn = d.entry.evaluate
    renames = {dfn: f"decay_{dfn.__name__}"}
    items = _deps(dfn)
    if w.steps:
        wfn = w.entry.evaluate
        renames[wfn] = f"warmup_{wfn.__name__}"
        items = _deps(wfn) + items
    end = s.warmup_target_value()
    body = [f"BASE_LR = {s.base_lr!r}", f"OFFSET = {s.offset!r}  # the step counter starts at OFFSET",
            f"W = {w.steps!r}  # warmup steps ({w.method})",
            f"DECAY = dict({', '.join(f'{k}={v!r}' for k, v in s.decay_params.items())})"]
    lines = ["def lr_multiplier(step):",
             '    """lr(step) / BASE_LR for one step."""',
             "    t = np.array([step + OFFSET], dtype=np.float64)"]
    if w.steps:
        extras = "".join(f", {k}={v!r}" for k, v in w.params)
        lines += ["    if t[0] < W:",
                  f"        m = {renames[wfn]}(t, W, {w.factor!r}, {end!r}{extras})"]
        if s.convention == "multiply":
            lines += [f"        m = m * {renames[dfn]}(t, **DECAY)"]
        lines += ["        return float(m[0])"]
        shift = "t - W" if s.convention == "prepend" else "t"
    else:
        shift = "t"
    lines += [f"    return float({renames[dfn]}({shift}, **DECAY)[0])"]
    return (HEADER + "import math\n\nimport numpy as np\nimport torch\n\n\n" + _source(items, renames) + "\n\n\n"
            + "\n".join(body) + "\n\n\n" + "\n".join(lines) + "\n\n\n"
            + "model = torch.nn.Linear(10, 1)  # your model\n"
            + "optimizer = torch.optim.SGD(model.parameters(), lr=BASE_LR)\n"
            + "scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_multiplier)\n"
            + "# in the loop: optimizer.step(); scheduler.step()\n")
