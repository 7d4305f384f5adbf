"""timm ``timm/scheduler/*.py``, stepped per update with ``step_update(num_updates)`` and ``t_in_epochs=False``.

Conventions (docs/conventions.md, "timm"):

* step 0 is ``warmup_lr_init``; the warmup is linear to the lr and **overrides** the decay (the decay keeps
  the global clock) unless ``warmup_prefix=True``, which **prepends** it (``WSDLRScheduler`` always prepends;
  ``StepLRScheduler`` / ``MultiStepLRScheduler`` default to ``warmup_prefix=True``);
* ``TanhLRScheduler`` without prefix ramps to the decay's value at ``warmup_t``, not to the lr;
* ``MultiStepLRScheduler`` decays one step *before* each milestone: ``bisect_right(decay_t, t + 1)``;
* after ``cycle_limit`` cycles the floor ``lr_min`` is held (cosine clamped).

timm cannot be installed beside the pinned torch: values are checked against golden files recorded from
timm 1.0.31 by ``scripts/make_timm_golden.py``.

>>> s = FRAMEWORK.build("CosineLRScheduler", base_lr=1.0, t_initial=10, warmup_t=2, warmup_lr_init=0.1)
>>> s([0, 1, 2]).round(4).tolist()
[0.1, 0.55, 0.9045]
"""

from __future__ import annotations

from ..schedule import Decay, Warmup, WarmupDecay
from .base import (
    HEADER,
    REQUIRED,
    Call,
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
    unclamped_note,
)

FRAMEWORK = framework("timm", "timm", "timm/scheduler/*.py")


def _schedule(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t, target="peak"):
    if noise_range_t is not None:
        raise ValueError("timm's lr noise (noise_range_t) depends on torch's RNG; warmup_core does not model it")
    W = integer(warmup_t, "warmup_t")
    factor = ratio(warmup_lr_init, base_lr, "warmup_lr_init", "lr") if W else 0.0
    prefix = flag(warmup_prefix, "warmup_prefix")
    return WarmupDecay(base_lr, Warmup("linear", steps=W, factor=factor, target=target), decay,
                    "prepend" if prefix else "override")


def _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, k_decay=1.0, **profile):
    return Decay("cosine_restarts", period=positive(t_initial, "t_initial"),
                 period_mult=number(cycle_mul, "cycle_mul", 1.0), cycle_decay=number(cycle_decay, "cycle_decay", 0.0),
                 cycle_limit=integer(cycle_limit, "cycle_limit"), floor=ratio(lr_min, base_lr, "lr_min", "lr"),
                 k_decay=positive(k_decay, "k_decay"), **profile)


@FRAMEWORK.schedule("CosineLRScheduler", examples=[
    dict(base_lr=1e-3, t_initial=300, warmup_t=20, warmup_lr_init=1e-5, lr_min=1e-5),
    dict(base_lr=1e-3, t_initial=280, warmup_t=20, warmup_prefix=True),
    dict(base_lr=1e-3, t_initial=50, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=3),
])
def cosine_lr_scheduler(base_lr, t_initial=REQUIRED, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0, cycle_limit=1,
                        warmup_t=0, warmup_lr_init=0.0, warmup_prefix=False, noise_range_t=None, k_decay=1.0):
    """CosineLRScheduler (t_in_epochs=False): cosine cycles; warmup overrides unless warmup_prefix."""
    decay = _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, k_decay)
    return _schedule(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t)


@FRAMEWORK.schedule("PolyLRScheduler", examples=[
    dict(base_lr=1e-3, t_initial=300, power=2.0, warmup_t=10, warmup_prefix=True),
])
def poly_lr_scheduler(base_lr, t_initial=REQUIRED, power=0.5, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0,
                      cycle_limit=1, warmup_t=0, warmup_lr_init=0.0, warmup_prefix=False, noise_range_t=None,
                      k_decay=1.0):
    """PolyLRScheduler: (1 - t^k/T^k) ** power cycles."""
    decay = _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, k_decay,
                    profile="polynomial", power=number(power, "power", 0.0))
    return _schedule(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t)


@FRAMEWORK.schedule("TanhLRScheduler", examples=[
    dict(base_lr=1e-3, t_initial=300, warmup_t=10, warmup_prefix=True),
    dict(base_lr=1e-3, t_initial=300, warmup_t=10),
])
def tanh_lr_scheduler(base_lr, t_initial=REQUIRED, lb=-7.0, ub=3.0, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0,
                      cycle_limit=1, warmup_t=0, warmup_lr_init=0.0, warmup_prefix=False, noise_range_t=None):
    """TanhLRScheduler: tanh cycles; without prefix the warmup ramps to the decay's value at warmup_t."""
    if not number(lb, "lb") < number(ub, "ub"):
        raise ValueError(f"parameter 'lb' ({lb}) must be below 'ub' ({ub}), or the tanh rises")
    decay = _cycles(base_lr, t_initial, lr_min, cycle_mul, cycle_decay, cycle_limit, profile="tanh", lb=lb, ub=ub)
    return _schedule(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t,
                     target="peak" if warmup_prefix else "decay")


@FRAMEWORK.schedule("StepLRScheduler", examples=[
    dict(base_lr=0.1, decay_t=30, decay_rate=0.5, warmup_t=5, warmup_lr_init=0.01),
])
def step_lr_scheduler(base_lr, decay_t=REQUIRED, decay_rate=1.0, warmup_t=0, warmup_lr_init=0.0,
                      warmup_prefix=True, noise_range_t=None):
    """StepLRScheduler: decay_rate ** (t // decay_t)."""
    decay = Decay("step", step_size=integer(decay_t, "decay_t", 1), gamma=_rate(decay_rate))
    return _schedule(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t)


def _rate(decay_rate):
    number(decay_rate, "decay_rate", 0.0, 1.0)
    if decay_rate == 0:
        raise ValueError("parameter 'decay_rate' = 0 makes the lr 0 from the first decay on; warmup_core needs > 0")
    return float(decay_rate)


@FRAMEWORK.schedule("MultiStepLRScheduler", examples=[dict(base_lr=0.1, decay_t=[100, 200], decay_rate=0.1)])
def multistep_lr_scheduler(base_lr, decay_t=REQUIRED, decay_rate=1.0, warmup_t=0, warmup_lr_init=0.0,
                           warmup_prefix=True, noise_range_t=None):
    """MultiStepLRScheduler: decays one step *before* each milestone (bisect_right(decay_t, t + 1))."""
    m = int_list(decay_t, "decay_t")
    if m != sorted(m):
        raise ValueError(f"parameter 'decay_t' must be sorted, got {m}")
    decay = Decay("multistep", milestones=m, gamma=_rate(decay_rate), boundary="before")
    return _schedule(base_lr, decay, warmup_t, warmup_lr_init, warmup_prefix, noise_range_t)


WSD_DECAYS = ("linear", "1-sqrt", "cosine", "power", "exp")


@FRAMEWORK.schedule("WSDLRScheduler", examples=[
    dict(base_lr=1e-2, t_initial=280, decay_t=80, warmup_t=20, decay_fn="exp", stable_fn="rsqrt"),
])
def wsd_lr_scheduler(base_lr, t_initial=REQUIRED, decay_t=REQUIRED, lr_min=0.0, stable_fn="constant",
                     stable_timescale=None, stable_power=0.5, decay_fn="1-sqrt", decay_power=0.5, decay_ratio=0.1,
                     warmup_t=0, warmup_lr_init=0.0, noise_range_t=None):
    """WSDLRScheduler: warmup (always a prefix), stable (constant/rsqrt/power), then the cooldown."""
    T, D = integer(t_initial, "t_initial", 1), integer(decay_t, "decay_t", 1)
    if D > T:
        raise ValueError(f"Invalid decay_t ({decay_t}), must be in (0, t_initial] w/ t_initial={t_initial}.")
    if stable_fn not in ("constant", "rsqrt", "power"):
        raise ValueError(f"Invalid stable_fn ({stable_fn!r}), must be one of ('constant', 'rsqrt', 'power').")
    if callable(decay_fn) or decay_fn not in WSD_DECAYS:
        raise ValueError(f"decay_fn {decay_fn!r}: warmup_core maps the named decay functions only {WSD_DECAYS}")
    power = 0.0 if stable_fn == "constant" else (0.5 if stable_fn == "rsqrt" else number(stable_power, "stable_power",
                                                                                         0.0))
    ts = stable_timescale if stable_timescale is not None else warmup_t
    if power and not (isinstance(ts, (int, float)) and ts > 0):
        raise ValueError(f"stable_fn={stable_fn} requires a positive stable_timescale, it defaults to warmup_t "
                         f"({warmup_t}), set it explicitly when there is no warmup.")
    decay = Decay("wsd", stable=T - D, decay=D, shape=decay_fn, floor=ratio(lr_min, base_lr, "lr_min", "lr"),
                  stable_power=power, stable_timescale=positive(ts, "stable_timescale") if power else 1.0,
                  decay_power=positive(decay_power, "decay_power"),
                  decay_ratio=number(decay_ratio, "decay_ratio", 0.0, 1.0))
    return _schedule(base_lr, decay, warmup_t, warmup_lr_init, True, noise_range_t)


# --- export -----------------------------------------------------------------------------------------

@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    w, d, p, lr = s.warmup, s.decay, s.decay_params, s.base_lr
    common_refusal(s)
    refuse_if((w.method not in ("none", "linear"), "its warmup is linear"),
              (s.convention == "multiply" and w.steps,
               "its warmup either precedes the decay (warmup_prefix=True) or overrides it, never multiplies"))
    prefix = s.convention == "prepend" or not w.steps
    warm = {"warmup_t": w.steps, "warmup_lr_init": w.factor * lr, "warmup_prefix": prefix} if w.steps else {}
    note = unclamped_note(s, "timm")
    if d.name == "cosine" and p["exponent"] == 1 and p["cycles"] == 0.5:
        return Call("CosineLRScheduler", {"t_initial": p["steps"], "lr_min": p["floor"] * lr, **warm}, lr, note)
    if d.name == "cosine_restarts" and p["decay_mode"] == "peak" and p["profile"] in ("cosine", "polynomial"):
        kw = {"t_initial": p["period"], "lr_min": p["floor"] * lr, "cycle_mul": p["period_mult"],
              "cycle_decay": p["cycle_decay"],
              "cycle_limit": p["cycle_limit"] if p["cycle_limit"] is not None else 10**9, "k_decay": p["k_decay"]}
        if p["profile"] == "polynomial":
            return Call("PolyLRScheduler", {**kw, "power": p["power"], **warm}, lr)
        return Call("CosineLRScheduler", {**kw, **warm}, lr)
    if d.name == "polynomial" and p["delay"] == 0 and not p["cycle"]:
        return Call("PolyLRScheduler", {"t_initial": p["steps"], "power": p["power"], "lr_min": p["floor"] * lr,
                                        **warm}, lr)
    if d.name == "tanh" and prefix:
        return Call("TanhLRScheduler", {"t_initial": p["steps"], "lb": p["lb"], "ub": p["ub"],
                                        "lr_min": p["floor"] * lr, **warm}, lr)
    if d.name == "wsd" and prefix and (p["shape"] != "cosine" or p["cycles"] == 0.5) and p["decay"] > 0:
        kw = {"t_initial": p["stable"] + p["decay"], "decay_t": p["decay"], "lr_min": p["floor"] * lr,
              "decay_fn": p["shape"]}
        if p["stable_power"]:
            kw.update(stable_fn="rsqrt" if p["stable_power"] == 0.5 else "power",
                      stable_timescale=p["stable_timescale"], stable_power=p["stable_power"])
        if p["shape"] == "power":
            kw["decay_power"] = p["decay_power"]
        if p["shape"] == "exp":
            kw["decay_ratio"] = p["decay_ratio"]
        warm.pop("warmup_prefix", None)  # its warmup is always a prefix: no such argument
        return Call("WSDLRScheduler", {**kw, **warm}, lr)
    if d.name == "step":
        return Call("StepLRScheduler", {"decay_t": p["step_size"], "decay_rate": p["gamma"], **warm}, lr)
    if d.name == "multistep":
        shift = {"before": 0, "at": 1, "after": 2}[p["boundary"]]  # timm decays at bisect_right(m, t + 1)
        return Call("MultiStepLRScheduler", {"decay_t": [m + shift for m in p["milestones"]],
                                             "decay_rate": p["gamma"], **warm}, lr)
    refuse_if((True, f"it has no scheduler for a {d.entry.title.lower()} decay with these settings"))


@FRAMEWORK.renderer
def render(call: Call, s: WarmupDecay) -> str:
    return (HEADER + f"import torch\nfrom timm.scheduler import {call.name}\n\n"
            "model = torch.nn.Linear(10, 1)  # your model\n"
            f"optimizer = torch.optim.SGD(model.parameters(), lr={call.base_lr!r})\n"
            f"scheduler = {call.name}(optimizer, {args(**call.params)}, t_in_epochs=False)\n"
            "# in the loop, after each update: num_updates += 1; scheduler.step_update(num_updates)\n")
