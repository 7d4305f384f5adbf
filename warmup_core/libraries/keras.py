"""Keras 3 ``keras/src/optimizers/schedules/learning_rate_schedule.py`` (``schedule(step)``; float32; absolute).

Conventions (docs/conventions.md, "keras"):

* every schedule carries absolute values (``initial_learning_rate``); Keras computes in float32;
* ``CosineDecay``'s optional warmup is linear from ``initial_learning_rate`` to ``warmup_target`` and
  **prepended**; its ``decay_steps`` counts only the decay; the cosine is clamped after it;
* ``PiecewiseConstantDecay`` switches one step *after* each boundary (``step <= boundary`` keeps the old value);
* ``CosineDecayRestarts``' ``m_mul`` scales the cosine part only, not ``alpha``.

>>> FRAMEWORK.build("PiecewiseConstantDecay", boundaries=[2], values=[1.0, 0.5])([0, 2, 3]).tolist()
[1.0, 1.0, 0.5]
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

FRAMEWORK = framework("keras", "Keras", "keras/src/optimizers/schedules/learning_rate_schedule.py")


@FRAMEWORK.schedule("CosineDecay", absolute=True, examples=[
    dict(initial_learning_rate=1e-3, decay_steps=300, alpha=0.1),
    dict(initial_learning_rate=0.0, decay_steps=270, warmup_target=1e-3, warmup_steps=30),
])
def cosine_decay(base_lr, initial_learning_rate=REQUIRED, decay_steps=REQUIRED, alpha=0.0, warmup_target=None,
                 warmup_steps=0):
    """CosineDecay: decay_steps counts only the decay; optional linear warmup to warmup_target."""
    D = integer(decay_steps, "decay_steps", 1)
    alpha = number(alpha, "alpha", 0.0, 1.0)
    if warmup_target is None:
        return WarmupDecay(positive(initial_learning_rate, "initial_learning_rate"),
                        decay=Decay("cosine", steps=D, floor=alpha))
    W, peak = integer(warmup_steps, "warmup_steps"), positive(warmup_target, "warmup_target")
    factor = ratio(initial_learning_rate, peak, "initial_learning_rate", "warmup_target") if W else 0.0
    return WarmupDecay(peak, Warmup("linear", steps=W, factor=factor), Decay("cosine", steps=D, floor=alpha),
                    "prepend", W + D)


@FRAMEWORK.schedule("CosineDecayRestarts", absolute=True, examples=[
    dict(initial_learning_rate=1e-3, first_decay_steps=50, m_mul=0.5, alpha=0.1),
])
def cosine_decay_restarts(base_lr, initial_learning_rate=REQUIRED, first_decay_steps=REQUIRED, t_mul=2.0, m_mul=1.0,
                          alpha=0.0):
    """CosineDecayRestarts: m_mul scales the cosine part only, not alpha."""
    return WarmupDecay(positive(initial_learning_rate, "initial_learning_rate"), decay=Decay(
        "cosine_restarts", period=positive(first_decay_steps, "first_decay_steps"),
        period_mult=number(t_mul, "t_mul", 1.0), cycle_decay=number(m_mul, "m_mul", 0.0, 1.0),
        decay_mode="amplitude", floor=number(alpha, "alpha", 0.0, 1.0)))


@FRAMEWORK.schedule("PolynomialDecay", absolute=True, examples=[
    dict(initial_learning_rate=1e-3, decay_steps=200, power=2.0),
    dict(initial_learning_rate=1e-3, decay_steps=100, cycle=True),
])
def polynomial_decay(base_lr, initial_learning_rate=REQUIRED, decay_steps=REQUIRED, end_learning_rate=0.0001,
                     power=1.0, cycle=False):
    """PolynomialDecay: (I − E)(1 − min(t, D)/D)^p + E; cycle restarts with a longer D."""
    I = positive(initial_learning_rate, "initial_learning_rate")
    return WarmupDecay(I, decay=Decay("polynomial", steps=integer(decay_steps, "decay_steps", 1),
                                   power=number(power, "power", 0.0),
                                   floor=ratio(end_learning_rate, I, "end_learning_rate", "initial_learning_rate"),
                                   cycle=flag(cycle, "cycle")))


@FRAMEWORK.schedule("ExponentialDecay", absolute=True, examples=[
    dict(initial_learning_rate=1e-3, decay_steps=30, decay_rate=0.5, staircase=True),
])
def exponential_decay(base_lr, initial_learning_rate=REQUIRED, decay_steps=REQUIRED, decay_rate=REQUIRED,
                      staircase=False):
    """ExponentialDecay: I · rate^(t/D) (floored exponent if staircase)."""
    if not (isinstance(decay_steps, (int, float)) and decay_steps > 0):
        raise ValueError(f"Argument `decay_steps` must be > 0. Received: decay_steps={decay_steps!r}")
    rate = number(decay_rate, "decay_rate", 0.0)
    I = positive(initial_learning_rate, "initial_learning_rate")
    if rate == 0:
        raise ValueError("parameter 'decay_rate' = 0: Keras computes 0 ** 0 = 1 at step 0 and 0 after; "
                         "warmup_core needs decay_rate > 0")
    if rate > 1:
        raise ValueError(f"parameter 'decay_rate' = {decay_rate!r} > 1 grows without bound (to inf); warmup_core "
                         "models decays")
    return WarmupDecay(I, decay=Decay("exponential", gamma=rate, period=number(decay_steps, "decay_steps"),
                                   staircase=flag(staircase, "staircase")))


@FRAMEWORK.schedule("PiecewiseConstantDecay", absolute=True, examples=[
    dict(boundaries=[100, 200], values=[1e-3, 5e-4, 1e-4]),
])
def piecewise_constant_decay(base_lr, boundaries=REQUIRED, values=REQUIRED):
    """PiecewiseConstantDecay: the boundary step itself still has the old value."""
    b = int_list(boundaries, "boundaries")
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise ValueError(f"parameter 'values' must be a list of numbers, got {values!r}")
    v = [number(x, "values", 0.0) for x in values]
    if len(v) != len(b) + 1:
        raise ValueError("The length of boundaries should be 1 less than the length of values. "
                         f"Received: boundaries={b} of length {len(b)}, and values={v} of length {len(v)}.")
    top = positive(max(v), "values")
    return WarmupDecay(top, decay=Decay("piecewise", milestones=b, values=[x / top for x in v], boundary="after"))


@FRAMEWORK.schedule("InverseTimeDecay", absolute=True, examples=[
    dict(initial_learning_rate=1e-3, decay_steps=50, decay_rate=0.5),
])
def inverse_time_decay(base_lr, initial_learning_rate=REQUIRED, decay_steps=REQUIRED, decay_rate=REQUIRED,
                       staircase=False):
    """InverseTimeDecay: I / (1 + rate · t / D)."""
    return WarmupDecay(positive(initial_learning_rate, "initial_learning_rate"),
                    decay=Decay("inverse_time", decay_steps=positive(decay_steps, "decay_steps"),
                                rate=number(decay_rate, "decay_rate", 0.0), staircase=flag(staircase, "staircase")))


# --- export -----------------------------------------------------------------------------------------

@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    w, d, p = s.warmup, s.decay, s.decay_params
    common_refusal(s)
    refuse_if((w.steps and not (w.method == "linear" and s.convention == "prepend" and d.name == "cosine"),
               "only CosineDecay has a warmup, and it is linear and prepended"))
    lr, W = s.base_lr, w.steps
    if d.name == "cosine" and p["cycles"] == 0.5 and p["exponent"] == 1:
        kw = {"initial_learning_rate": w.factor * lr if W else lr, "decay_steps": p["steps"], "alpha": p["floor"]}
        if W:
            kw.update(warmup_target=lr, warmup_steps=W)
        return Call("CosineDecay", kw, note=unclamped_note(s, "Keras"))
    if (d.name == "cosine_restarts" and p["profile"] == "cosine" and p["decay_mode"] == "amplitude"
            and p["cycle_limit"] is None and p["k_decay"] == 1):
        return Call("CosineDecayRestarts", {"initial_learning_rate": lr, "first_decay_steps": p["period"],
                                            "t_mul": p["period_mult"], "m_mul": p["cycle_decay"], "alpha": p["floor"]})
    if d.name == "exponential" and p["delay"] == 0 and p["limit"] is None and p["gamma"] <= 1:
        return Call("ExponentialDecay", {"initial_learning_rate": lr, "decay_steps": p["period"],
                                         "decay_rate": p["gamma"], "staircase": p["staircase"]})
    if d.name in ("linear", "polynomial") and p.get("delay", 0) == 0:
        return Call("PolynomialDecay", {"initial_learning_rate": lr, "decay_steps": p["steps"],
                                        "end_learning_rate": p["floor"] * lr, "power": p.get("power", 1.0),
                                        "cycle": p.get("cycle", False)})
    if d.name == "inverse_time":
        return Call("InverseTimeDecay", {"initial_learning_rate": lr, "decay_steps": p["decay_steps"],
                                         "decay_rate": p["rate"], "staircase": p["staircase"]})
    if d.name in ("multistep", "piecewise"):
        values = p["values"] if d.name == "piecewise" else [p["gamma"] ** i for i in range(len(p["milestones"]) + 1)]
        shift = {"at": -1, "before": -2, "after": 0}[p["boundary"]]  # Keras switches one step after a boundary
        bounds = [m + shift for m in p["milestones"]]
        if all(b >= 0 for b in bounds):
            return Call("PiecewiseConstantDecay", {"boundaries": bounds, "values": [v * lr for v in values]})
    refuse_if((True, f"it has no schedule for a {d.entry.title.lower()} decay with these settings"))


@FRAMEWORK.renderer
def render(call: Call, s: WarmupDecay) -> str:
    return (HEADER + "import keras\n\n"
            f"schedule = keras.optimizers.schedules.{call.name}({args(**call.params)})\n"
            "optimizer = keras.optimizers.AdamW(learning_rate=schedule)  # float32 arithmetic\n")
