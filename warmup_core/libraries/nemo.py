"""NVIDIA NeMo schedulers (``nemo/core/optim/lr_scheduler.py``, nemo_toolkit 3.0.0; golden values recorded
from it by scripts/make_nemo_golden.py).

Conventions (docs/conventions.md, "nemo"):

* torch ``_LRScheduler`` subclasses stepped after every optimizer step (Lightning ``interval: step``);
  ``lr(t)`` is ``get_lr`` at ``last_epoch = t``, relative to the optimizer's lr (``base_lr``).
* ``warmup_ratio`` gives ``warmup_steps = int(warmup_ratio · max_steps)`` (one or the other, not both).
* The usual warmup is ``(t + 1) / (warmup_steps + 1)`` for ``t <= warmup_steps``: step 0 is
  ``lr / (W + 1)``, the peak is reached at ``t = W``; the decay is **prepended** and ``max_steps``
  counts the warmup; ``min_lr`` (absolute) is held after ``max_steps``.
* ``CosineAnnealing`` with ``constant_steps`` (or ``constant_ratio``) switches to Megatron's form: a
  warmup ``lr · t / W`` from 0, a cosine over ``max_steps - warmup_steps - constant_steps`` steps, then
  ``min_lr`` for the last ``constant_steps``.
* ``NoamAnnealing``: ``lr · d_model^-0.5 · min(s^-0.5, s · W^-1.5)`` with ``s = max(1, t)`` (steps 0
  and 1 are equal), floored at ``min_lr`` after the warmup; ``max_steps`` only serves ``warmup_ratio``.
* ``WarmupHoldPolicy``: the warmup, ``lr`` held (through ``max_steps``, and at least ``hold_steps``
  after the warmup), then ``min_lr``.

Deliberate differences: ``min_lr`` above the optimizer's lr (or above Noam's peak) is refused (NeMo raises
for most of these or rises); ``WarmupHoldPolicy`` without ``max_steps`` is refused (NeMo fails with a
TypeError at the first step after the warmup).
"""

from __future__ import annotations

from ..schedule import Decay, Join, Warmup, WarmupDecay
from .base import HEADER, REQUIRED, Call, Refusal, args, constant_decay, framework, integer, number, positive

FRAMEWORK = framework("nemo", "NeMo", "nemo/core/optim/lr_scheduler.py")

_FOREVER = 10**15  # the "stable" length of a decay law that never ends


def _resume(last_epoch):
    if last_epoch != -1:
        raise ValueError("parameter 'last_epoch' must be -1 (a fresh schedule)")


def _steps_or_ratio(steps, ratio, max_steps, name):
    if steps is not None and ratio is not None:
        raise ValueError(f"give {name}_steps or {name}_ratio, not both (Either use particular number of step or ratio)")
    if steps is not None:
        return integer(steps, f"{name}_steps")
    if ratio is not None:
        if max_steps is None:
            raise ValueError(f"parameter '{name}_ratio' needs max_steps (If there is a ratio, there should be a "
                             "total steps)")
        return int(number(ratio, f"{name}_ratio", 0.0) * max_steps)
    return 0


def _floor(min_lr, peak, what="the optimizer's lr"):
    v = number(min_lr, "min_lr", 0.0)
    if v > peak:
        raise ValueError(f"parameter 'min_lr' ({v!r}) is above {what} ({peak!r}); NeMo received an initial learning "
                         "rate that was lower than the minimum learning rate")
    return v / peak


def _peak_then(r):
    """No decay left: the warmup's last step (``t = W``, inclusive in NeMo) at the peak, then ``min_lr``."""
    return Decay("piecewise", milestones=[1], values=[1.0, r])


def _nemo_warmup(W):
    """``(t + 1) / (W + 1)`` for ``t < W``; 1 at ``W``."""
    return Warmup("linear", steps=W, factor=1.0 / (W + 1)) if W else Warmup()


@FRAMEWORK.schedule("CosineAnnealing", examples=[
    dict(base_lr=1e-3, max_steps=1000, warmup_ratio=0.1, min_lr=1e-5),
    dict(base_lr=1e-3, max_steps=1000, warmup_steps=100, constant_steps=100),
    dict(base_lr=1e-3, max_steps=100, warmup_steps=100),
])
def cosine_annealing(base_lr, max_steps=REQUIRED, min_lr=0, warmup_steps=None, warmup_ratio=None, constant_steps=None,
                     constant_ratio=None, last_epoch=-1):
    """CosineAnnealing: warmup (t+1)/(W+1), cosine to min_lr at max_steps; with constant_steps, Megatron's form."""
    _resume(last_epoch)
    M = integer(max_steps, "max_steps", 1)
    lr = positive(base_lr, "base_lr")
    W = _steps_or_ratio(warmup_steps, warmup_ratio, M, "warmup")
    C = _steps_or_ratio(constant_steps, constant_ratio, M, "constant")
    r = _floor(min_lr, lr)
    if C == 0:
        decay = Decay("cosine", steps=M - W, floor=r) if M > W else _peak_then(r)
        return WarmupDecay(lr, _nemo_warmup(W), decay, "prepend", max(M, 1))
    if r == 1:
        raise ValueError("parameter 'min_lr' must be below the optimizer's lr with constant_steps (NeMo asserts "
                         "max_lr > min_lr)")
    D = M - C - W
    if W == 0 and D <= 0:
        if D == 0:
            raise ValueError("constant_steps = max_steps without warmup: NeMo divides by zero (no cosine steps)")
        return WarmupDecay(lr, decay=constant_decay(r), total_steps=M)
    warm = Warmup("linear", steps=W, factor=0.0) if W else Warmup()
    decay = Decay("cosine", steps=D, floor=r) if D > 0 else _peak_then(r)
    return WarmupDecay(lr, warm, decay, "prepend", max(M, 1))


@FRAMEWORK.schedule("WarmupAnnealing", examples=[
    dict(base_lr=1e-3, max_steps=1000, warmup_steps=100),
    dict(base_lr=1e-3, max_steps=1000, warmup_steps=1, min_lr=1e-4),
])
def warmup_annealing(base_lr, max_steps=REQUIRED, last_epoch=-1, min_lr=0.0, warmup_steps=None, warmup_ratio=None):
    """WarmupAnnealing: warmup (t+1)/(W+1), then linear to min_lr at max_steps."""
    _resume(last_epoch)
    M = integer(max_steps, "max_steps", 1)
    lr = positive(base_lr, "base_lr")
    W = _steps_or_ratio(warmup_steps, warmup_ratio, M, "warmup")
    r = _floor(min_lr, lr)
    decay = Decay("linear", steps=M - W, floor=r) if M > W else _peak_then(r)
    return WarmupDecay(lr, _nemo_warmup(W), decay, "prepend", max(M, 1))


@FRAMEWORK.schedule("NoamAnnealing", examples=[
    dict(base_lr=2.0, d_model=512, warmup_steps=100),
    dict(base_lr=2.0, d_model=512, warmup_ratio=0.05, max_steps=1000, min_lr=1e-5),
    dict(base_lr=1.0, d_model=64),
])
def noam_annealing(base_lr, d_model=REQUIRED, warmup_steps=None, warmup_ratio=None, max_steps=None, min_lr=0.0,
                   last_epoch=-1):
    """NoamAnnealing: lr · d_model^-0.5 · min(s^-0.5, s · W^-1.5), s = max(1, t); min_lr after the warmup."""
    _resume(last_epoch)
    lr, d = positive(base_lr, "base_lr"), positive(d_model, "d_model")
    W = _steps_or_ratio(warmup_steps, warmup_ratio, None if max_steps is None else integer(max_steps, "max_steps"),
                        "warmup")
    peak = lr * d ** -0.5 * max(W, 1) ** -0.5  # the value at s = max(W, 1)
    r = _floor(min_lr, min(peak, lr), "the schedule's peak")
    law = Decay("inverse_sqrt", timescale=max(W, 1)) if r == 0 else \
        Decay("wsd", stable=_FOREVER, decay=0, floor=r, stable_power=0.5, stable_timescale=float(max(W, 1)))
    if W <= 1:  # steps 0 and 1 at the peak, then the decay
        return Join([WarmupDecay(peak), WarmupDecay(peak, decay=law)], [1])
    # s = t on the clock t - 1: (s + 1) / W reaches 1 at s = W - 1 (t = W); step 0 repeats step 1
    return Join([WarmupDecay(peak, decay=constant_decay(1.0 / W)),
                 WarmupDecay(peak, Warmup("linear", steps=W - 1, factor=1.0 / W), law)], [1])


@FRAMEWORK.schedule("WarmupHoldPolicy", examples=[
    dict(base_lr=1e-3, max_steps=1000, warmup_steps=100, hold_steps=300),
    dict(base_lr=1e-3, max_steps=1000, min_lr=1e-5),
])
def warmup_hold_policy(base_lr, warmup_steps=None, warmup_ratio=None, hold_steps=None, hold_ratio=None, max_steps=None,
                       min_lr=0.0, last_epoch=-1):
    """WarmupHoldPolicy: warmup (t+1)/(W+1), the lr held through max_steps (at least hold_steps), then min_lr."""
    _resume(last_epoch)
    if max_steps is None:
        raise ValueError("parameter 'max_steps' is needed: NeMo's WarmupHoldPolicy compares every step after the "
                         "warmup with it")
    M = integer(max_steps, "max_steps")
    lr = positive(base_lr, "base_lr")
    W = _steps_or_ratio(warmup_steps, warmup_ratio, M, "warmup")
    H = _steps_or_ratio(hold_steps, hold_ratio, M, "hold") + W
    r = _floor(min_lr, lr)
    drop = max(M + 1, H, W) - W  # min_lr from this step of the decay's clock on
    hold = Decay("piecewise", milestones=[drop], values=[1.0, r])
    return WarmupDecay(lr, _nemo_warmup(W), hold, "prepend", max(M, 1))


# --- core -> NeMo ----------------------------------------------------------------------------------

_WARM_TO_NEMO = {"cosine": "CosineAnnealing", "linear": "WarmupAnnealing"}


@FRAMEWORK.exporter
def _export(s) -> Call:
    """A WarmupDecay as CosineAnnealing / WarmupAnnealing / WarmupHoldPolicy: NeMo's warmup (t+1)/(W+1) (or none)
    prepended to a cosine or linear decay that ends at total_steps; checked by building it back."""
    import numpy as np

    if not isinstance(s, WarmupDecay):
        raise Refusal("NeMo's schedulers have one warmup and one decay; this is a chain or join")
    w, p = s.warmup, s.decay_params
    W = w.steps
    if w.method not in ("none", "linear") or s.convention != "prepend" or s.offset or w.target != "peak":
        raise Refusal("NeMo's warmup is linear and prepended to the decay")
    if W and w.factor != 1.0 / (W + 1):
        raise Refusal(f"NeMo's warmup starts at lr / (warmup_steps + 1) = {1.0 / (W + 1):.6g} × lr, this one at "
                      f"{w.factor:.6g} × lr")
    name = _WARM_TO_NEMO.get(s.decay.name)
    if name is None:
        raise Refusal(f"NeMo's CosineAnnealing and WarmupAnnealing decay by cosine or linearly, not {s.decay.name!r}")
    call = Call(name, {"max_steps": W + p["steps"], "min_lr": p["floor"] * s.base_lr, "warmup_steps": W}, s.base_lr)
    back = FRAMEWORK.build(call.name, base_lr=call.base_lr, **call.params)
    t = np.arange(2 * (W + p["steps"]) + 2, dtype=np.float64)
    if not np.allclose(back(t), s(t), rtol=1e-12, atol=1e-15):
        raise Refusal(f"NeMo's {name} differs from this schedule (its decay is clamped at min_lr after max_steps)")
    return call


@FRAMEWORK.renderer
def _render(call: Call, s) -> str:
    return (HEADER + f"from nemo.core.optim.lr_scheduler import {call.name}\n\n"
            f"scheduler = {call.name}(optimizer, {args(**call.params)})\n"
            "# Lightning: return {'scheduler': scheduler, 'interval': 'step'} from configure_optimizers\n")
