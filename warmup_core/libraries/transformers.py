"""Hugging Face transformers (``src/transformers/optimization.py``; every schedule is a ``LambdaLR``).

Conventions (docs/conventions.md, "transformers"):

* step 0 is 0 (linear warmup from 0: ``lr · t / num_warmup_steps``); the warmup is **prepended**;
* ``num_training_steps`` counts the warmup too: the decay lasts ``num_training_steps - num_warmup_steps``;
* the cosine is not clamped: after ``num_training_steps`` it rises again; linear and polynomial hold their end;
* the schedule names are ``get_scheduler``'s names (``"linear"``, ``"cosine"``, ...).

>>> s = FRAMEWORK.build("cosine", base_lr=1.0, num_warmup_steps=4, num_training_steps=12)
>>> s([0, 4, 8, 12]).round(6).tolist()
[0.0, 1.0, 0.5, 0.0]
"""

from __future__ import annotations

from ..schedule import Decay, Join, Warmup, WarmupDecay
from .base import (
    HEADER,
    REQUIRED,
    Call,
    args,
    common_refusal,
    constant_decay,
    framework,
    integer,
    number,
    positive,
    refuse_if,
)

FRAMEWORK = framework("transformers", "transformers", "src/transformers/optimization.py")


def _warmup(W: int, factor: float = 0.0, method: str = "linear") -> Warmup:
    return Warmup(method, steps=W, factor=factor)


@FRAMEWORK.schedule("linear", examples=[
    dict(base_lr=5e-5, num_warmup_steps=50, num_training_steps=500),
    dict(base_lr=1e-3, num_warmup_steps=0, num_training_steps=100),
])
def linear(base_lr, num_warmup_steps=REQUIRED, num_training_steps=REQUIRED):
    """get_linear_schedule_with_warmup: 0 → lr over W, then straight to 0 at N."""
    W, N = integer(num_warmup_steps, "num_warmup_steps"), integer(num_training_steps, "num_training_steps")
    decay = Decay("linear", steps=N - W) if N - W >= 1 else constant_decay(0.0)
    return WarmupDecay(base_lr, _warmup(W), decay, "prepend", max(N, 1))


@FRAMEWORK.schedule("cosine", examples=[
    dict(base_lr=5e-5, num_warmup_steps=50, num_training_steps=500),
    dict(base_lr=1e-3, num_warmup_steps=10, num_training_steps=100, num_cycles=1.5),
])
def cosine(base_lr, num_warmup_steps=REQUIRED, num_training_steps=REQUIRED, num_cycles=0.5):
    """get_cosine_schedule_with_warmup: half-cosine after linear warmup; not clamped after N."""
    return cosine_with_min_lr(base_lr, num_warmup_steps, num_training_steps, num_cycles, min_lr_rate=0.0)


@FRAMEWORK.schedule("cosine_with_restarts", examples=[
    dict(base_lr=1e-3, num_warmup_steps=20, num_training_steps=320, num_cycles=3),
])
def cosine_with_restarts(base_lr, num_warmup_steps=REQUIRED, num_training_steps=REQUIRED, num_cycles=1):
    """get_cosine_with_hard_restarts_schedule_with_warmup: num_cycles half-cosines, hard restarts, 0 after N."""
    W, N = integer(num_warmup_steps, "num_warmup_steps"), integer(num_training_steps, "num_training_steps")
    k = integer(num_cycles, "num_cycles", 1)
    L = max(1, N - W)
    return WarmupDecay(base_lr, _warmup(W), Decay("cosine_restarts", period=L / k, cycle_limit=k), "prepend", max(N, 1))


@FRAMEWORK.schedule("polynomial", examples=[
    dict(base_lr=1e-3, num_warmup_steps=40, num_training_steps=400, lr_end=1e-5, power=2.0),
])
def polynomial(base_lr, num_warmup_steps=REQUIRED, num_training_steps=REQUIRED, lr_end=1e-7, power=1.0):
    """get_polynomial_decay_schedule_with_warmup: (lr - lr_end)(1 - p)^power + lr_end, lr_end after N."""
    W, N = integer(num_warmup_steps, "num_warmup_steps"), integer(num_training_steps, "num_training_steps")
    number(lr_end, "lr_end", 0.0)
    if not base_lr > lr_end:
        raise ValueError(f"lr_end ({lr_end}) must be smaller than initial lr ({base_lr})")
    if N == W:
        raise ValueError("num_training_steps equals num_warmup_steps: transformers divides by zero "
                         "(decay_steps = 0) at that step")
    floor = lr_end / base_lr
    decay = (Decay("polynomial", steps=N - W, power=positive(power, "power"), floor=floor) if N > W
             else constant_decay(floor))
    return WarmupDecay(base_lr, _warmup(W), decay, "prepend", max(N, 1))


@FRAMEWORK.schedule("constant", examples=[dict(base_lr=1e-3)])
def constant(base_lr, num_warmup_steps=None, num_training_steps=None):
    """get_constant_schedule: the optimizer's lr, always (ignores both step counts)."""
    return WarmupDecay(base_lr)


@FRAMEWORK.schedule("constant_with_warmup", examples=[dict(base_lr=1e-3, num_warmup_steps=40, num_training_steps=400)])
def constant_with_warmup(base_lr, num_warmup_steps=REQUIRED, num_training_steps=None):
    """get_constant_schedule_with_warmup: linear warmup from 0, then constant."""
    W = integer(num_warmup_steps, "num_warmup_steps")
    N = None if num_training_steps is None else integer(num_training_steps, "num_training_steps", 1)
    return WarmupDecay(base_lr, _warmup(W), Decay("constant"), "prepend", N)


@FRAMEWORK.schedule("inverse_sqrt", examples=[
    dict(base_lr=1e-3, num_warmup_steps=40, num_training_steps=400),
    dict(base_lr=1e-3, num_warmup_steps=0, timescale=25),
])
def inverse_sqrt(base_lr, num_warmup_steps=REQUIRED, num_training_steps=None, timescale=None):
    """get_inverse_sqrt_schedule: linear warmup, then 1/sqrt((t - W + timescale)/timescale)."""
    W = integer(num_warmup_steps, "num_warmup_steps")
    N = None if num_training_steps is None else integer(num_training_steps, "num_training_steps", 1)
    ts = timescale if timescale is not None else (W or 10_000)
    return WarmupDecay(base_lr, _warmup(W), Decay("inverse_sqrt", timescale=positive(ts, "timescale")), "prepend", N)


def _min_lr_rate(base_lr, min_lr, min_lr_rate):
    if min_lr is not None and min_lr_rate is not None:
        raise ValueError("Only one of min_lr or min_lr_rate should be set")
    if min_lr is not None:
        return number(min_lr, "min_lr", 0.0, base_lr) / base_lr
    if min_lr_rate is None:
        raise ValueError("One of min_lr or min_lr_rate should be set through the `lr_scheduler_kwargs`")
    return number(min_lr_rate, "min_lr_rate", 0.0, 1.0)


def _cycles(num_cycles):
    return positive(num_cycles, "num_cycles")


@FRAMEWORK.schedule("cosine_with_min_lr", examples=[
    dict(base_lr=1e-3, num_warmup_steps=40, num_training_steps=400, min_lr=1e-4),
])
def cosine_with_min_lr(base_lr, num_warmup_steps=REQUIRED, num_training_steps=REQUIRED, num_cycles=0.5,
                       min_lr=None, min_lr_rate=None):
    """get_cosine_with_min_lr_schedule_with_warmup: cosine to min_lr (a ratio of the optimizer's lr)."""
    W, N = integer(num_warmup_steps, "num_warmup_steps"), integer(num_training_steps, "num_training_steps")
    r = _min_lr_rate(base_lr, min_lr, min_lr_rate)
    decay = Decay("cosine", steps=max(1, N - W), floor=r, cycles=_cycles(num_cycles), clamp=False)
    return WarmupDecay(base_lr, _warmup(W), decay, "prepend", max(N, 1))


@FRAMEWORK.schedule("cosine_warmup_with_min_lr", examples=[
    dict(base_lr=1e-3, num_warmup_steps=40, num_training_steps=400, min_lr_rate=0.1),
    dict(base_lr=1e-3, num_warmup_steps=40, num_training_steps=400, min_lr_rate=0.1, warmup_lr_rate=0.05),
])
def cosine_warmup_with_min_lr(base_lr, num_warmup_steps=REQUIRED, num_training_steps=REQUIRED,
                              num_cycles=0.5, min_lr=None, min_lr_rate=None, warmup_lr_rate=None):
    """get_cosine_with_min_lr_schedule_with_warmup_lr_rate (DeepSpeed-style indexing: step 0 is 1/W)."""
    W, N = integer(num_warmup_steps, "num_warmup_steps"), integer(num_training_steps, "num_training_steps")
    r = _min_lr_rate(base_lr, min_lr, min_lr_rate)
    decay = Decay("cosine", steps=max(1, N - W), floor=r, cycles=_cycles(num_cycles), clamp=False)
    if warmup_lr_rate is None:
        # (t + 1) / W and a decay clock at t - W + 1: the HF warmup on a clock that starts at 1.
        return WarmupDecay(base_lr, _warmup(W), decay, "prepend", max(N, 1), offset=1)
    wr = number(warmup_lr_rate, "warmup_lr_rate", 0.0, 1.0)
    if W >= 2:  # wr + (1 - wr) t / (W - 1): reaches the peak at W - 1, where the decay clock starts.
        return WarmupDecay(base_lr, _warmup(W - 1, wr), decay, "prepend", max(N, 1))
    if W == 1:  # one step at wr, then the decay on the global clock
        return WarmupDecay(base_lr, _warmup(1, wr, "constant"), decay, "override", max(N, 1))
    return WarmupDecay(base_lr, Warmup(), decay, "prepend", max(N, 1), offset=1)


WSD_SHAPES = ("linear", "cosine", "1-sqrt")


@FRAMEWORK.schedule("warmup_stable_decay", examples=[
    dict(base_lr=1e-2, num_warmup_steps=30, num_training_steps=300, num_decay_steps=70, decay_type="1-sqrt",
         min_lr_ratio=0.1),
    dict(base_lr=1e-2, num_warmup_steps=30, num_decay_steps=70, num_stable_steps=100, warmup_type="cosine"),
])
def warmup_stable_decay(base_lr, num_warmup_steps=REQUIRED, num_training_steps=None, num_decay_steps=REQUIRED,
                        num_stable_steps=None, warmup_type="linear", decay_type="cosine", min_lr_ratio=0.0,
                        num_cycles=0.5):
    """get_wsd_schedule: warmup, stable, decay; every phase floored at min_lr_ratio."""
    W, D = integer(num_warmup_steps, "num_warmup_steps"), integer(num_decay_steps, "num_decay_steps")
    if num_training_steps is None and num_stable_steps is None:
        raise ValueError("Either num_training_steps or num_stable_steps must be specified.")
    for kind, v in (("warmup", warmup_type), ("decay", decay_type)):
        if v not in WSD_SHAPES:
            raise ValueError(f"Unknown {kind} type: {v!r} (parameter '{kind}_type'), expected 'linear', "
                             "'cosine' or '1-sqrt'")
    if num_stable_steps is not None:
        S = integer(num_stable_steps, "num_stable_steps")
    else:
        S = integer(num_training_steps, "num_training_steps") - W - D
    floor = number(min_lr_ratio, "min_lr_ratio", 0.0, 1.0)
    warm = _warmup(W, floor, warmup_type)
    total = max(integer(num_training_steps, "num_training_steps") if num_training_steps is not None
                else W + S + D, 1)
    tail = dict(decay=D, shape=decay_type, floor=floor, cycles=_cycles(num_cycles))
    if S >= 0:
        return WarmupDecay(base_lr, warm, Decay("wsd", stable=S, **tail), "prepend", total)
    # num_training_steps < W + D: the derived stable phase is negative and transformers' decay clock
    # is already |S| steps in when the warmup ends; a join whose tail starts on a shifted clock.
    head = WarmupDecay(base_lr, warm, Decay("constant"))
    return Join([head, WarmupDecay(base_lr, decay=Decay("wsd", stable=0, **tail), offset=-S)], [W], total)


# --- export ---------------------------------------------------------------------------------------

@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    w, d, p = s.warmup, s.decay, s.decay_params
    common_refusal(s)
    refuse_if((w.method not in ("none", "linear") and d.name != "wsd",
               "its warmups are linear from 0 (except warmup_stable_decay)"),
              (w.method == "linear" and w.factor != 0 and d.name != "wsd",
               "its linear warmup starts at 0, not at a warmup factor"),
              (w.steps and s.convention != "prepend", "its warmup is always prepended to the decay"),
              (s.total_steps is None and d.name not in ("constant", "inverse_sqrt"),
               "its decays need num_training_steps and this schedule has no total_steps"))
    W, N, lr = w.steps, s.total_steps, s.base_lr
    L = N - W if N is not None else None
    steps = {"num_warmup_steps": W, "num_training_steps": N}
    if d.name == "linear" and p["floor"] == 0 and p["steps"] == L:
        return Call("linear", steps, lr)
    if d.name == "cosine" and p["exponent"] == 1 and p["steps"] == max(1, L):
        note = (f"Identical for steps 0 to {N}; after num_training_steps transformers' cosine rises again, "
                "while this schedule holds its floor.") if p["clamp"] else ""
        if p["floor"] == 0:
            return Call("cosine", {**steps, "num_cycles": p["cycles"]}, lr, note)
        return Call("cosine_with_min_lr", {**steps, "num_cycles": p["cycles"], "min_lr_rate": p["floor"]}, lr, note)
    if d.name == "constant":
        return Call("constant_with_warmup", steps, lr) if W else Call("constant", {}, lr)
    if d.name == "polynomial" and p["delay"] == 0 and not p["cycle"] and p["steps"] == L and p["floor"] > 0:
        return Call("polynomial", {**steps, "lr_end": p["floor"] * lr, "power": p["power"]}, lr)
    if d.name == "inverse_sqrt":
        return Call("inverse_sqrt", {**steps, "timescale": p["timescale"]}, lr)
    if (d.name == "wsd" and (W == 0 or (w.method in WSD_SHAPES and w.factor == p["floor"]))
            and p["stable"] + p["decay"] + W == N and p["shape"] in WSD_SHAPES and p["stable_power"] == 0):
        return Call("warmup_stable_decay", {**steps, "num_decay_steps": p["decay"],
                                            "warmup_type": w.method if W else "linear", "decay_type": p["shape"],
                                            "min_lr_ratio": p["floor"], "num_cycles": p["cycles"]}, lr)
    refuse_if((True, f"it has no schedule for a {d.entry.title.lower()} decay with these settings "
                     "(its decays end exactly at num_training_steps)"))


@FRAMEWORK.renderer
def render(call: Call, s: WarmupDecay) -> str:
    kw = {k: v for k, v in call.params.items() if k not in ("num_warmup_steps", "num_training_steps")}
    steps = call.params.get("num_warmup_steps", 0), call.params.get("num_training_steps")
    return (HEADER + "import torch\nfrom transformers import get_scheduler\n\n"
            "model = torch.nn.Linear(10, 1)  # your model\n"
            f"optimizer = torch.optim.AdamW(model.parameters(), lr={call.base_lr!r})\n"
            f"scheduler = get_scheduler({call.name!r}, optimizer, num_warmup_steps={steps[0]}, "
            f"num_training_steps={steps[1]}"
            + (f",\n                          scheduler_specific_kwargs=dict({args(**kw)})" if kw else "") + ")\n"
            "# in the loop: optimizer.step(); scheduler.step()\n")
