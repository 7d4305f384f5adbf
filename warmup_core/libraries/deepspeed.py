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

from ..schedule import Decay, Join, WarmupDecay, Warmup
from .base import HEADER, REQUIRED, Call, Refusal, args, constant_decay, flag, framework, integer, number, positive

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


def _one_step_late(first: WarmupDecay, rest: WarmupDecay) -> Join:
    """Update 0 at the construction value ``first``, then ``rest`` on the batch index ``t - 1``."""
    return Join([first, rest], [1])


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
    return _one_step_late(WarmupDecay(top, decay=constant_decay(r)),
                          WarmupDecay(top, Warmup(kind, steps=W, factor=r), Decay("constant")))


@FRAMEWORK.schedule("WarmupDecayLR", absolute=True, examples=[
    dict(total_num_steps=1000, warmup_max_lr=1e-3, warmup_num_steps=100),
    dict(total_num_steps=50, warmup_num_steps=100, warmup_type="linear"),
])
def warmup_decay_lr(base_lr, total_num_steps=REQUIRED, warmup_min_lr=0.0, warmup_max_lr=0.001,
                    warmup_num_steps=1000, warmup_type="log", last_batch_iteration=-1):
    """WarmupDecayLR: the WarmupLR warmup, then linear back to warmup_min_lr at total_num_steps."""
    _resume(last_batch_iteration)
    W, kind = _warmup_steps(warmup_num_steps), _warmup_type(warmup_type)
    N = integer(total_num_steps, "total_num_steps")
    top = positive(warmup_max_lr, "warmup_max_lr")
    r = _floor(warmup_min_lr, top)
    decay = Decay("linear", steps=N - W, floor=r) if N - W >= 1 else constant_decay(r)
    return _one_step_late(WarmupDecay(top, decay=constant_decay(r)),
                          WarmupDecay(top, Warmup(kind, steps=W, factor=r), decay, "prepend", N))


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
    warm = WarmupDecay(lr, Warmup(kind, steps=W, factor=wr), Decay("constant"))
    # the cosine's clock is 1 on the first step after the warmup: progress (i - W + 1) / max(1, N - W)
    cosine = WarmupDecay(lr, decay=Decay("cosine", steps=max(1, N - W), floor=cr), offset=1)
    return Join([WarmupDecay(lr, decay=constant_decay(0.0)), warm, cosine], [1, 1 + W])


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

def _guess(s) -> Call:
    """The DeepSpeed call whose build has the structure of ``s`` (checked value for value by :func:`_export`)."""
    if not isinstance(s, Join):
        raise Refusal("every DeepSpeed schedule runs update 0 at the lr set at construction and update 1 at the "
                      "formula's first value (a repeated first value, or 0 first for WarmupCosineLR); a plain "
                      "warmup + decay never does")
    parts, b = s.parts, s.boundaries
    if len(parts) == 2 and b == (1,) and isinstance(parts[1], WarmupDecay) and parts[1].warmup.method in ("log", "linear"):
        rest = parts[1]
        top, r, W = rest.base_lr, rest.warmup.factor, rest.warmup.steps
        common = {"warmup_min_lr": r * top, "warmup_max_lr": top, "warmup_num_steps": W,
                  "warmup_type": rest.warmup.method}
        if rest.total_steps is None:
            return Call("WarmupLR", common, top)
        return Call("WarmupDecayLR", {"total_num_steps": rest.total_steps, **common})
    if len(parts) == 2 and isinstance(parts[0], WarmupDecay) and parts[0].decay.name == "cyclic":
        p = parts[0].decay_params
        call = {"cycle_min_lr": p["floor"] * parts[0].base_lr, "cycle_max_lr": parts[0].base_lr,
                "cycle_first_step_size": p["up"], "cycle_second_step_size": p["down"]}
        tail = parts[1]
        if isinstance(tail, WarmupDecay) and tail.decay.name == "inverse_time":
            q = tail.decay_params
            call.update(decay_lr_rate=q["rate"], decay_step_size=q["decay_steps"])
        return Call("OneCycle", call)
    if len(parts) == 3 and isinstance(parts[1], WarmupDecay) and isinstance(parts[2], WarmupDecay):
        warm, cos = parts[1], parts[2]
        p = cos.decay_params
        return Call("WarmupCosineLR", {"total_num_steps": p.get("steps", 1) + warm.warmup.steps,
                                       "warmup_min_ratio": warm.warmup.factor, "warmup_num_steps": warm.warmup.steps,
                                       "cos_min_ratio": p.get("floor", 0.0), "warmup_type": warm.warmup.method},
                    warm.base_lr)
    raise Refusal("it is not the shape of any DeepSpeed scheduler")


@FRAMEWORK.exporter
def _export(s) -> Call:
    """A schedule as one DeepSpeed scheduler call, checked by building it back and comparing values."""
    import numpy as np

    call = _guess(s)
    try:
        back = FRAMEWORK.build(call.name, base_lr=call.base_lr, **call.params)
    except ValueError as e:
        raise Refusal(f"it is close to DeepSpeed {call.name} but not expressible: {e}") from None
    horizon = 2 * max([*getattr(s, "boundaries", ()), s.total_steps or 0, 64]) + 2
    t = np.arange(horizon, dtype=np.float64)
    if not np.allclose(back(t), s(t), rtol=1e-12, atol=1e-15):
        raise Refusal(f"it has the structure of DeepSpeed {call.name} but not its values")
    return call


@FRAMEWORK.renderer
def _render(call: Call, s) -> str:
    return (HEADER + "from deepspeed.runtime.lr_schedules import " + call.name + "\n\n"
            f"scheduler = {call.name}(optimizer, {args(**call.params)})\n"
            "# the DeepSpeed engine steps it after every optimizer step (engine.step())\n")
