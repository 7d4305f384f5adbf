"""DeepSpeed (``deepspeed/runtime/lr_schedules.py``, release 0.19.8; golden values recorded from it by
scripts/make_deepspeed_golden.py).

Conventions (docs/conventions.md, "deepspeed"):

* The engine calls ``lr_scheduler.step()`` after every optimizer step and never at construction, and
  the schedulers compute the lr of "the last batch index" ``last_batch_iteration``, which is ``t - 1``
  for update ``t``. So update 0 uses the lr set at construction and update 1 the formula at 0: the
  warmup's first value is used **twice** (``WarmupLR``, ``WarmupDecayLR``), and ``WarmupCosineLR``
  starts at **0** for update 0 (it returns 0 before its first step) and at ``warmup_min_ratio`` after.
* ``warmup_num_steps`` below 2 is raised to 2. The ``log`` warmup (the default) is
  ``log(i + 1) / log(W)`` at batch index ``i``; ``linear`` is ``i / W``.
* ``WarmupLR``, ``WarmupDecayLR`` and ``OneCycle`` carry absolute lrs (``warmup_max_lr`` / ``cycle_max_lr``);
  ``WarmupLR`` with ``warmup_max_lr=None`` and ``WarmupCosineLR`` (ratios) use the optimizer's lr.
* ``WarmupDecayLR`` decays linearly from ``warmup_max_lr`` to ``warmup_min_lr`` at ``total_num_steps``
  (counting the warmup). ``WarmupCosineLR``'s cosine clock starts at 1 on the first step after the
  warmup and is clamped at ``cos_min_ratio`` after ``total_num_steps``.
* ``OneCycle``: a triangle ``cycle_min_lr → cycle_max_lr`` over ``cycle_first_step_size`` and back over
  ``cycle_second_step_size``, then ``cycle_min_lr / (1 + decay_lr_rate · s / decay_step_size)`` (no
  decay when either is 0). Only the lr is modelled (momentum/betas cycling is not a learning rate).

Deliberate differences: an unknown ``warmup_type`` is refused (DeepSpeed logs a warning and uses
``log``); ``OneCycle`` stair counts (a quantised triangle) and non-integer cycle lengths are refused.
"""

from __future__ import annotations

from ..decays import cyclic_is_degenerate
from ..schedule import Decay, Join, Warmup, WarmupDecay
from .base import (
    HEADER,
    REQUIRED,
    Call,
    Refusal,
    common_refusal,
    constant_decay,
    flag,
    framework,
    integer,
    number,
    positive,
    refuse_if,
)

FRAMEWORK = framework("deepspeed", "DeepSpeed", "deepspeed/runtime/lr_schedules.py")


def _warmup_type(warmup_type):
    if warmup_type not in ("log", "linear"):
        raise ValueError(f"parameter 'warmup_type' must be 'log' or 'linear', got {warmup_type!r} (DeepSpeed "
                         "would log a warning and use 'log')")
    return warmup_type


def _warmup_steps(warmup_num_steps):
    if isinstance(warmup_num_steps, bool) or not isinstance(warmup_num_steps, int) or warmup_num_steps <= 0:
        raise ValueError(f"warmup_num_steps must be a positive integer, got {warmup_num_steps}")
    return max(2, warmup_num_steps)


def _resume(last_batch_iteration):
    if last_batch_iteration != -1:
        raise ValueError("parameter 'last_batch_iteration' must be -1 (a fresh schedule); a resumed one is the "
                         "same schedule from a later step")


def _one_step_late(first: WarmupDecay, rest) -> Join:
    """Update 0 at the construction value ``first``, then ``rest`` on the batch index ``t - 1``."""
    return Join([first, rest], [1])


def _after_warmup(N, W, r):
    """WarmupDecayLR's linear decay on the update clock after a log warmup: the peak at ``W`` (the warmup's
    end) and at ``W + 1`` (batch index ``W``), then down to ``r`` at ``N + 1``."""
    if N - W >= 1:
        return Decay("polynomial", steps=N - W, power=1.0, floor=r, delay=1)
    return Decay("piecewise", milestones=[1], values=[1.0, r])


@FRAMEWORK.schedule("WarmupLR", examples=[
    dict(base_lr=1e-3, warmup_min_lr=0.0, warmup_max_lr=1e-3, warmup_num_steps=100),
    dict(base_lr=1e-3, warmup_num_steps=1, warmup_type="linear"),
])
def warmup_lr(base_lr, warmup_min_lr=0.0, warmup_max_lr=None, warmup_num_steps=1000, warmup_type="log",
              last_batch_iteration=-1):
    """WarmupLR: warmup_min_lr → warmup_max_lr (default: the optimizer's lr) over warmup_num_steps, then held."""
    _resume(last_batch_iteration)
    W, kind = _warmup_steps(warmup_num_steps), _warmup_type(warmup_type)
    top = positive(base_lr if warmup_max_lr is None else warmup_max_lr, "warmup_max_lr")
    r = _floor(warmup_min_lr, top)
    if kind == "log":  # log(max(t, 1)) / log(W) per update: a single warmup
        return WarmupDecay(top, Warmup("log", steps=W, factor=r), Decay("constant"))
    return _one_step_late(WarmupDecay(top, decay=constant_decay(r)),
                          WarmupDecay(top, Warmup("linear", steps=W, factor=r), Decay("constant")))


@FRAMEWORK.schedule("WarmupDecayLR", absolute=True, examples=[
    dict(total_num_steps=1000, warmup_max_lr=1e-3, warmup_num_steps=100),
    dict(total_num_steps=50, warmup_num_steps=100, warmup_type="linear"),
])
def warmup_decay_lr(base_lr, total_num_steps=REQUIRED, warmup_min_lr=0.0, warmup_max_lr=0.001,
                    warmup_num_steps=1000, warmup_type="log", last_batch_iteration=-1):
    """WarmupDecayLR: the WarmupLR warmup, then linear back to warmup_min_lr at total_num_steps."""
    _resume(last_batch_iteration)
    W, kind = _warmup_steps(warmup_num_steps), _warmup_type(warmup_type)
    N = integer(total_num_steps, "total_num_steps", 1)
    top = positive(warmup_max_lr, "warmup_max_lr")
    r = _floor(warmup_min_lr, top)
    if kind == "log":
        return WarmupDecay(top, Warmup("log", steps=W, factor=r), _after_warmup(N, W, r), "prepend", max(N, 1))
    decay = Decay("linear", steps=N - W, floor=r) if N - W >= 1 else constant_decay(r)
    return _one_step_late(WarmupDecay(top, decay=constant_decay(r)),
                          WarmupDecay(top, Warmup("linear", steps=W, factor=r), decay, "prepend", max(N, 1)))


@FRAMEWORK.schedule("WarmupCosineLR", examples=[
    dict(base_lr=1e-3, total_num_steps=1000, warmup_num_steps=100),
    dict(base_lr=1e-3, total_num_steps=100, warmup_num_steps=100, warmup_type="linear", warmup_min_ratio=0.1),
])
def warmup_cosine_lr(base_lr, total_num_steps=REQUIRED, warmup_min_ratio=0.0, warmup_num_steps=1000,
                     cos_min_ratio=0.0001, warmup_type="log", last_batch_iteration=-1):
    """WarmupCosineLR: 0 at update 0, warmup_min_ratio → 1 over warmup_num_steps, cosine to cos_min_ratio."""
    _resume(last_batch_iteration)
    W, kind = _warmup_steps(warmup_num_steps), _warmup_type(warmup_type)
    N = integer(total_num_steps, "total_num_steps")
    lr = positive(base_lr, "base_lr")
    wr = number(warmup_min_ratio, "warmup_min_ratio", 0.0, 1.0)
    cr = number(cos_min_ratio, "cos_min_ratio", 0.0, 1.0)
    cosine = Decay("cosine", steps=max(1, N - W), floor=cr)
    zero = WarmupDecay(lr, decay=constant_decay(0.0))
    if kind == "log":
        # progress (t - W) / max(1, N - W) on the update clock: the cosine prepended to the log warmup
        whole = WarmupDecay(lr, Warmup("log", steps=W, factor=wr), cosine, "prepend", max(N, 1))
        return whole if wr == 0 else Join([zero, whole.replace(offset=1)], [1])  # update 0 runs at 0, not wr
    warm = WarmupDecay(lr, Warmup("linear", steps=W, factor=wr), Decay("constant"))
    # the cosine's clock is 1 on the first step after the warmup: progress (i - W + 1) / max(1, N - W)
    return Join([zero, warm, WarmupDecay(lr, decay=cosine, offset=1)], [1, 1 + W])


@FRAMEWORK.schedule("OneCycle", absolute=True, examples=[
    dict(cycle_min_lr=1e-4, cycle_max_lr=1e-3, cycle_first_step_size=100, decay_lr_rate=0.01, decay_step_size=10),
    dict(cycle_min_lr=1e-4, cycle_max_lr=1e-3, cycle_first_step_size=50, cycle_second_step_size=0),
])
def one_cycle(base_lr, cycle_min_lr=REQUIRED, cycle_max_lr=REQUIRED, decay_lr_rate=0.0, cycle_first_step_size=2000,
              cycle_second_step_size=None, cycle_first_stair_count=0, cycle_second_stair_count=None,
              decay_step_size=0, cycle_momentum=True, cycle_min_mom=0.8, cycle_max_mom=0.9, decay_mom_rate=0.0,
              last_batch_iteration=-1):
    """OneCycle: cycle_min_lr → cycle_max_lr → cycle_min_lr (a triangle), then cycle_min_lr / (1 + rate · s / size)."""
    _resume(last_batch_iteration)
    flag(cycle_momentum, "cycle_momentum")
    for v, name in ((cycle_min_mom, "cycle_min_mom"), (cycle_max_mom, "cycle_max_mom"),
                    (decay_mom_rate, "decay_mom_rate")):
        number(v, name)
    up = number(cycle_first_step_size, "cycle_first_step_size")
    if up <= 0:
        raise ValueError(f"cycle_first_step_size must be positive, got {cycle_first_step_size}")
    down = up if cycle_second_step_size is None else number(cycle_second_step_size, "cycle_second_step_size")
    if down < 0:
        raise ValueError(f"cycle_second_step_size must be non-negative, got {cycle_second_step_size}")
    if cyclic_is_degenerate(up, down):
        raise ValueError(f"parameters 'cycle_first_step_size' ({up!r}) and 'cycle_second_step_size' ({down!r}) make "
                         "a cycle too short for float64")
    stairs = integer(cycle_first_stair_count, "cycle_first_stair_count")
    if stairs or (cycle_second_stair_count is not None and integer(cycle_second_stair_count,
                                                                   "cycle_second_stair_count")):
        raise ValueError("parameters 'cycle_first_stair_count' / 'cycle_second_stair_count' > 0 (a stepped "
                         "triangle) are not modelled by warmup_core; use 0")
    if up + down != int(up + down):
        raise ValueError(f"cycle_first_step_size + cycle_second_step_size must be a whole number of steps, got "
                         f"{up + down}")
    lo, hi = positive(cycle_min_lr, "cycle_min_lr"), positive(cycle_max_lr, "cycle_max_lr")
    if lo > hi:
        raise ValueError(f"parameter 'cycle_min_lr' ({lo!r}) must not exceed 'cycle_max_lr' ({hi!r})")
    rate = number(decay_lr_rate, "decay_lr_rate", 0.0)
    size = number(decay_step_size, "decay_step_size", 0.0)
    if 0 < size < 1e-6:
        raise ValueError(f"parameter 'decay_step_size' must be 0 (no decay) or at least 1e-6 steps, got {size!r}")
    cycle = WarmupDecay(hi, decay=Decay("cyclic", up=up, down=down, floor=lo / hi))
    if rate == 0 or size == 0:
        tail = WarmupDecay(lo)
    else:
        tail = WarmupDecay(lo, decay=Decay("inverse_time", decay_steps=size, rate=rate))
    return Join([cycle, tail], [int(up + down)])


def _floor(value, top):
    v = number(value, "warmup_min_lr", 0.0)
    if v > top:
        raise ValueError(f"parameter 'warmup_min_lr' ({v!r}) must not exceed warmup_max_lr ({top!r}): "
                         "warmup_core does not model a warmup that falls")
    return v / top


# --- core -> DeepSpeed ---------------------------------------------------------------------------

@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    """A log warmup (DeepSpeed's default, as it runs per update) held, decayed linearly (one step late, to the
    warmup's start value) or by a cosine: WarmupLR, WarmupDecayLR or WarmupCosineLR; checked by rebuilding."""
    import numpy as np

    common_refusal(s)
    w, d, p = s.warmup, s.decay, s.decay_params
    refuse_if((w.method != "log" or s.convention != "prepend",
               "DeepSpeed's warmups as they run per update are its 'log' warmup (a 'linear' one repeats its first "
               "value one step later than a linear warmup does); this schedule has a "
               f"{w.method!r} warmup"))
    top, r, W = s.base_lr, w.factor, w.steps
    base = {"warmup_num_steps": W, "warmup_type": "log"}
    if d.name == "constant":
        call = Call("WarmupLR", {"warmup_min_lr": r * top, "warmup_max_lr": top, **base}, top)
    elif d.name == "polynomial" and p["power"] == 1 and p["delay"] == 1 and p["floor"] == r:
        call = Call("WarmupDecayLR", {"total_num_steps": W + p["steps"], "warmup_min_lr": r * top,
                                      "warmup_max_lr": top, **base})
    elif d.name == "piecewise" and list(p["milestones"]) == [1] and list(p["values"]) == [1.0, r]:
        call = Call("WarmupDecayLR", {"total_num_steps": W, "warmup_min_lr": r * top, "warmup_max_lr": top, **base})
    elif d.name == "cosine" and r == 0:
        call = Call("WarmupCosineLR", {"total_num_steps": W + p["steps"], "warmup_min_ratio": 0.0,
                                       "cos_min_ratio": p["floor"], **base}, top)
    else:
        raise Refusal(f"DeepSpeed has no {d.name!r} decay after this warmup (WarmupLR holds, WarmupDecayLR decays "
                      "linearly back to warmup_min_lr, WarmupCosineLR decays by a cosine after a warmup from 0)")
    back = FRAMEWORK.build(call.name, base_lr=call.base_lr, **call.params)
    t = np.arange(2 * (W + p.get("steps", 0) or W) + 8, dtype=np.float64)
    if not np.allclose(back(t), s(t), rtol=1e-12, atol=1e-15):
        raise Refusal(f"DeepSpeed's {call.name} differs from this schedule")
    return call


@FRAMEWORK.renderer
def render(call: Call, s) -> str:
    import json

    params = dict(call.params)
    cfg = {"scheduler": {"type": call.name, "params": params}}
    opt = f"  # optimizer lr: {call.base_lr!r}" if call.base_lr is not None else ""
    return (HEADER + f"# DeepSpeed config (ds_config.json), stepped by engine.step() after every update{opt}\n"
            + json.dumps(cfg, indent=2) + "\n")
