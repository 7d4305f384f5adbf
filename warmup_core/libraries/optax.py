"""optax ``optax/schedules/_schedule.py`` (``schedule(count)``, ``count`` = updates done; absolute values).

Conventions (docs/conventions.md, "optax"):

* every schedule carries absolute values: no optimizer lr; step 0 of a warmup is ``init_value``;
* the warmup is linear and **prepended** (``join_schedules`` restarts the next schedule's clock);
* ``warmup_cosine_decay_schedule``'s ``decay_steps`` **includes** the warmup; the cosine is clamped after it;
* ``exponential_decay(decay_rate=0)`` is the constant ``init_value`` (optax returns it before it multiplies);
  ``transition_steps <= 0`` likewise;
* a warmup whose ``init_value`` is above ``peak_value`` falls linearly to the peak (optax ``test_limits``);
  warmup_core builds that as a join of a linear decay and the rest.
* ``piecewise_interpolate_schedule(interpolate_type, init_value, boundaries_and_scales)``: the values
  at the knots ``0, b_1, b_2, ...`` are ``init_value`` times the running product of the scales; between
  knots a straight line (``"linear"``) or a half-cosine (``"cosine"``); the last value is held after
  the last boundary. A boundary at 0 skips ``init_value`` (its interval is empty);
* ``join_schedules(schedules, boundaries)`` (``optax/schedules/_join.py``): schedule ``i`` takes over **at**
  step ``boundaries[i-1]`` with its clock restarted at 0. Each schedule is given as a ``(name, params)`` pair
  of an optax schedule (e.g. ``("linear_schedule", {...})``), the form a config holds.

Export writes one optax schedule where one has the shape; a ``knots`` decay is
``piecewise_interpolate_schedule`` (a value held before the first knot becomes a knot at 0); a join of schedules
is ``join_schedules``, and so is a linear warmup before a decay no ``warmup_*`` schedule pairs with (how optax
builds its ``warmup_*`` schedules itself).

Tested live against optax 0.2.8 (pinned in requirements-dev.txt) under ``JAX_ENABLE_X64``.

>>> s = FRAMEWORK.build("warmup_cosine_decay_schedule", init_value=0.0, peak_value=1.0, warmup_steps=2,
...                     decay_steps=6)
>>> s([0, 1, 2, 4, 6]).round(6).tolist()
[0.0, 0.5, 1.0, 0.5, 0.0]
"""

from __future__ import annotations

from ..schedule import Decay, Join, Warmup, WarmupDecay
from .base import (
    HEADER,
    REQUIRED,
    Call,
    Refusal,
    args,
    common_refusal,
    constant_decay,
    duration,
    flag,
    framework,
    integer,
    multiplier_cap,
    number,
    positive,
    ratio,
    refuse_if,
    unclamped_note,
)

FRAMEWORK = framework("optax", "optax", "optax/schedules/_schedule.py")


def _steps(value, name) -> int:
    """optax casts step counts with ``int``; a count <= 0 means "no transition"."""
    number(value, name)
    return int(value)


def _ramp(init_value, end_value, transition_steps, transition_begin=0, power=1.0):
    """polynomial_schedule(init → end) as a core schedule: a decay if it falls, a warmup if it rises."""
    T, B = _steps(transition_steps, "transition_steps"), max(_steps(transition_begin, "transition_begin"), 0)
    init, end = number(init_value, "init_value", 0.0), number(end_value, "end_value", 0.0)
    if T <= 0 or init == end:
        return WarmupDecay(positive(init, "init_value"))
    if init > end:
        return WarmupDecay(init, decay=Decay("polynomial", steps=T, power=positive(power, "power"), floor=end / init,
                                          delay=B))
    method = {1.0: "linear", 0.5: "1-sqrt"}.get(float(power))
    if method is None:
        raise ValueError(f"a rising polynomial_schedule with power={power} has no warmup shape in warmup_core "
                         "(parameter 'power': 1 and 0.5 have one)")
    ramp = WarmupDecay(end, Warmup(method, steps=T, factor=init / end), Decay("constant"))
    return Join([WarmupDecay(end, decay=constant_decay(init / end)), ramp], [B]) if B else ramp


@FRAMEWORK.schedule("constant_schedule", absolute=True, examples=[dict(value=1e-3)])
def constant_schedule(base_lr, value=REQUIRED):
    """constant_schedule(value)."""
    return WarmupDecay(positive(value, "value"))


@FRAMEWORK.schedule("linear_schedule", absolute=True, examples=[
    dict(init_value=1e-3, end_value=1e-5, transition_steps=100),
    dict(init_value=0.0, end_value=1e-3, transition_steps=100, transition_begin=10),
])
def linear_schedule(base_lr, init_value=REQUIRED, end_value=REQUIRED, transition_steps=REQUIRED,
                    transition_begin=0):
    """linear_schedule: init → end over transition_steps, after transition_begin."""
    return _ramp(init_value, end_value, transition_steps, transition_begin)


@FRAMEWORK.schedule("polynomial_schedule", absolute=True, examples=[
    dict(init_value=1e-3, end_value=1e-5, power=2.0, transition_steps=100),
])
def polynomial_schedule(base_lr, init_value=REQUIRED, end_value=REQUIRED, power=REQUIRED,
                        transition_steps=REQUIRED, transition_begin=0):
    """polynomial_schedule: (init − end)(1 − c/T)^power + end."""
    return _ramp(init_value, end_value, transition_steps, transition_begin, power)


@FRAMEWORK.schedule("exponential_decay", absolute=True, examples=[
    dict(init_value=1e-3, transition_steps=10, decay_rate=0.5, staircase=True, end_value=1e-5),
    dict(init_value=1e-3, transition_steps=10, decay_rate=0.0),
])
def exponential_decay(base_lr, init_value=REQUIRED, transition_steps=REQUIRED, decay_rate=REQUIRED,
                      transition_begin=0, staircase=False, end_value=None):
    """exponential_decay: init · rate^((t − begin)/T), optionally floored/capped at end_value."""
    init = positive(init_value, "init_value")
    T = number(transition_steps, "transition_steps")
    rate = number(decay_rate, "decay_rate", 0.0)
    if T <= 0 or rate == 0:  # optax returns init_value for both (its own test pins decay_rate=0)
        return WarmupDecay(init)
    duration(T, "transition_steps")
    limit = None if end_value is None else multiplier_cap(number(end_value, "end_value", 0.0) / init, "end_value")
    if rate > 1 and limit is None:
        raise ValueError(f"parameter 'decay_rate' = {decay_rate!r} > 1 grows without bound (to inf): give end_value "
                         "as its cap")
    return WarmupDecay(init, decay=Decay("exponential", gamma=rate, period=T,
                                      delay=max(_steps(transition_begin, "transition_begin"), 0),
                                      staircase=flag(staircase, "staircase"), limit=limit))


@FRAMEWORK.schedule("cosine_decay_schedule", absolute=True, examples=[
    dict(init_value=1e-3, decay_steps=200, alpha=0.1, exponent=2.0),
])
def cosine_decay_schedule(base_lr, init_value=REQUIRED, decay_steps=REQUIRED, alpha=0.0, exponent=1.0):
    """cosine_decay_schedule: init · ((1 − α)·cos^exponent + α), held after decay_steps."""
    if not (isinstance(decay_steps, (int, float)) and decay_steps > 0):
        raise ValueError(f"The cosine_decay_schedule requires positive decay_steps! (got {decay_steps!r})")
    return WarmupDecay(positive(init_value, "init_value"),
                    decay=Decay("cosine", steps=integer(decay_steps, "decay_steps", 1),
                                floor=number(alpha, "alpha", 0.0, 1.0), exponent=positive(exponent, "exponent")))


@FRAMEWORK.schedule("piecewise_constant_schedule", absolute=True, examples=[
    dict(init_value=1e-3, boundaries_and_scales={100: 0.5, 200: 0.1}),
])
def piecewise_constant_schedule(base_lr, init_value=REQUIRED, boundaries_and_scales=None):
    """piecewise_constant_schedule: multiply by scale_b once t ≥ b (cumulative)."""
    if boundaries_and_scales is not None and not isinstance(boundaries_and_scales, dict):
        raise ValueError(f"parameter 'boundaries_and_scales' must be a dict, got {boundaries_and_scales!r}")
    items = sorted((integer(b, "boundaries_and_scales"), number(s, "boundaries_and_scales", 0.0))
                   for b, s in (boundaries_and_scales or {}).items())
    values = [1.0]
    for _, s in items:
        values.append(values[-1] * s)
    top = number(max(values), "boundaries_and_scales")  # the running product can overflow
    return WarmupDecay(positive(init_value, "init_value") * top, decay=Decay(
        "piecewise", milestones=[b for b, _ in items], values=[v / top for v in values]))


def _warmup_then(init_value, peak_value, warmup_steps, decay: Decay, total: int | None = None) -> WarmupDecay | Join:
    """A linear warmup init → peak over ``warmup_steps`` prepended to ``decay`` (from the peak). optax computes
    a warmup that starts above its peak as a linear fall to it: warmup_core joins a linear decay there."""
    W, peak = integer(warmup_steps, "warmup_steps"), positive(peak_value, "peak_value")
    init = number(init_value, "init_value", 0.0)
    if init <= peak or W == 0:
        factor = ratio(init, peak, "init_value", "peak_value") if W else 0.0
        return WarmupDecay(peak, Warmup("linear", steps=W, factor=factor), decay, "prepend", total)
    fall = WarmupDecay(init, decay=Decay("linear", steps=W, floor=peak / init))
    return Join([fall, WarmupDecay(peak, decay=decay)], [W], total)


@FRAMEWORK.schedule("warmup_constant_schedule", absolute=True, examples=[
    dict(init_value=0.0, peak_value=1e-3, warmup_steps=50),
])
def warmup_constant_schedule(base_lr, init_value=REQUIRED, peak_value=REQUIRED, warmup_steps=REQUIRED):
    """warmup_constant_schedule: linear init → peak over warmup_steps, then peak (init for ever if 0 steps)."""
    if integer(warmup_steps, "warmup_steps") == 0:
        return WarmupDecay(positive(init_value, "init_value"))
    return _warmup_then(init_value, peak_value, warmup_steps, Decay("constant"))


@FRAMEWORK.schedule("warmup_cosine_decay_schedule", absolute=True, examples=[
    dict(init_value=0.0, peak_value=1e-3, warmup_steps=50, decay_steps=500, end_value=1e-5),
    dict(init_value=2e-3, peak_value=1e-3, warmup_steps=50, decay_steps=500),
])
def warmup_cosine_decay_schedule(base_lr, init_value=REQUIRED, peak_value=REQUIRED, warmup_steps=REQUIRED,
                                 decay_steps=REQUIRED, end_value=0.0, exponent=1.0):
    """warmup_cosine_decay_schedule: decay_steps counts the warmup too."""
    W, N = integer(warmup_steps, "warmup_steps"), integer(decay_steps, "decay_steps")
    if not N - W > 0:
        raise ValueError("The cosine_decay_schedule requires positive decay_steps! "
                         f"(decay_steps - warmup_steps = {N - W})")
    peak = positive(peak_value, "peak_value")
    cos = Decay("cosine", steps=N - W, floor=ratio(end_value, peak, "end_value", "peak_value"),
                exponent=positive(exponent, "exponent"))
    return _warmup_then(init_value, peak, W, cos, N)


@FRAMEWORK.schedule("warmup_exponential_decay_schedule", absolute=True, examples=[
    dict(init_value=1e-5, peak_value=1e-3, warmup_steps=10, transition_steps=30, decay_rate=0.5, staircase=True),
])
def warmup_exponential_decay_schedule(base_lr, init_value=REQUIRED, peak_value=REQUIRED, warmup_steps=REQUIRED,
                                      transition_steps=REQUIRED, decay_rate=REQUIRED, transition_begin=0,
                                      staircase=False, end_value=None):
    """warmup_exponential_decay_schedule: linear warmup, then exponential_decay from peak."""
    tail = exponential_decay(None, peak_value, transition_steps, decay_rate, transition_begin, staircase, end_value)
    return _warmup_then(init_value, peak_value, warmup_steps, tail.decay)


def _onecycle(transition_steps, peak_value, pct_start, div_factor, final_div_factor, anneal, three_phase,
              pct_final=0.85):
    T = integer(transition_steps, "transition_steps", 1)
    return WarmupDecay(positive(peak_value, "peak_value"), decay=Decay(
        "onecycle", total_steps=T, pct_start=number(pct_start, "pct_start", 0.0, 1.0),
        div_factor=number(div_factor, "div_factor", 1.0), final_div_factor=number(final_div_factor,
                                                                                  "final_div_factor", 1.0),
        anneal=anneal, three_phase=three_phase, style="optax", pct_final=number(pct_final, "pct_final", 0.0, 1.0)),
        total_steps=T)


@FRAMEWORK.schedule("cosine_onecycle_schedule", absolute=True, examples=[dict(transition_steps=300, peak_value=0.1)])
def cosine_onecycle_schedule(base_lr, transition_steps=REQUIRED, peak_value=REQUIRED, pct_start=0.3,
                             div_factor=25.0, final_div_factor=1e4):
    """cosine_onecycle_schedule: peak at int(pct_start·T), minimum at T."""
    return _onecycle(transition_steps, peak_value, pct_start, div_factor, final_div_factor, "cos", False)


@FRAMEWORK.schedule("linear_onecycle_schedule", absolute=True, examples=[dict(transition_steps=300, peak_value=0.1)])
def linear_onecycle_schedule(base_lr, transition_steps=REQUIRED, peak_value=REQUIRED, pct_start=0.3,
                             pct_final=0.85, div_factor=25.0, final_div_factor=1e4):
    """linear_onecycle_schedule: up to the peak, back to peak/div at pct_final, then to the minimum."""
    return _onecycle(transition_steps, peak_value, pct_start, div_factor, final_div_factor, "linear", True, pct_final)


@FRAMEWORK.schedule("sgdr_schedule", absolute=True, examples=[
    dict(cosine_kwargs=[dict(init_value=0.0, peak_value=1e-3, warmup_steps=10, decay_steps=100),
         dict(init_value=0.0, peak_value=5e-4, warmup_steps=10, decay_steps=200)]),
])
def sgdr_schedule(base_lr, cosine_kwargs=REQUIRED):
    """sgdr_schedule: warmup_cosine_decay_schedule cycles, one after another."""
    if isinstance(cosine_kwargs, (str, bytes, dict)) or not hasattr(cosine_kwargs, "__iter__"):
        raise ValueError(f"parameter 'cosine_kwargs' must be a list of dicts, got {cosine_kwargs!r}")
    parts, bounds, step = [], [], 0
    for kw in cosine_kwargs:
        if not isinstance(kw, dict):
            raise ValueError(f"each of 'cosine_kwargs' must be a dict of warmup_cosine_decay_schedule's "
                             f"parameters, got {kw!r}")
        parts.append(FRAMEWORK.build("warmup_cosine_decay_schedule", **kw))
        step += int(kw["decay_steps"])
        bounds.append(step)
    if not parts:
        raise ValueError("parameter 'cosine_kwargs' must list at least one cycle")
    return Join(parts, bounds[:-1], total_steps=step)


@FRAMEWORK.schedule("piecewise_interpolate_schedule", absolute=True, examples=[
    dict(interpolate_type="linear", init_value=1e-4, boundaries_and_scales={100: 10.0, 1000: 0.1}),
    dict(interpolate_type="cosine", init_value=1e-3, boundaries_and_scales={0: 0.5, 500: 0.1}),
    dict(interpolate_type="linear", init_value=1e-3),
])
def piecewise_interpolate_schedule(base_lr, interpolate_type=REQUIRED, init_value=REQUIRED, boundaries_and_scales=None):
    """piecewise_interpolate_schedule: linear or cosine between init_value × (product of scales so far)."""
    if interpolate_type not in ("linear", "cosine"):
        raise ValueError("`interpolate_type` must be either 'cosine' or 'linear'")
    init = positive(init_value, "init_value")
    if boundaries_and_scales is None:
        boundaries_and_scales = {}
    if not hasattr(boundaries_and_scales, "items"):
        raise ValueError(f"parameter 'boundaries_and_scales' must be a mapping {{step: scale}}, "
                         f"got {boundaries_and_scales!r}")
    items = sorted((integer(_step(b), "boundaries_and_scales"), number(s, "boundaries_and_scales"))
                   for b, s in boundaries_and_scales.items())
    if any(s < 0 for _, s in items):
        raise ValueError("`piecewise_interpolate_schedule` expects non-negative scale factors")
    knots, values = [0], [init]
    for b, s in items:
        v = values[-1] * s
        if b == knots[-1]:  # an empty interval: the knot starts at the later value
            values[-1] = v
        else:
            knots.append(b)
            values.append(v)
    peak = max(values)
    if peak == 0:
        return WarmupDecay(init, decay=Decay("piecewise", milestones=(), values=(0.0,)))
    return WarmupDecay(peak, decay=Decay("knots", knots=knots, values=[v / peak for v in values],
                                      anneal=interpolate_type))


def _step(key):
    """A boundary key; JSON turns integer keys into strings, so ``"100"`` is read back as 100."""
    if isinstance(key, str) and key.strip().lstrip("-").isdigit():
        return int(key)
    return key


@FRAMEWORK.schedule("join_schedules", absolute=True, examples=[
    dict(schedules=[("linear_schedule", dict(init_value=0.0, end_value=1e-3, transition_steps=100)),
                    ("cosine_decay_schedule", dict(init_value=1e-3, decay_steps=900))], boundaries=[100]),
    dict(schedules=[("constant_schedule", dict(value=1e-3)), ("constant_schedule", dict(value=1e-4))],
         boundaries=[0]),
])
def join_schedules(base_lr, schedules=REQUIRED, boundaries=REQUIRED):
    """join_schedules: schedule i takes over at boundaries[i-1], its clock restarted at 0."""
    if isinstance(schedules, (str, bytes)) or not isinstance(schedules, (list, tuple)) or not schedules:
        raise ValueError("parameter 'schedules' must be a non-empty list of (name, params) pairs of optax schedules")
    if isinstance(boundaries, (str, bytes)) or not isinstance(boundaries, (list, tuple)):
        raise ValueError(f"parameter 'boundaries' must be a list of steps, got {boundaries!r}")
    bounds = [integer(b, "boundaries") for b in boundaries]
    if len(bounds) != len(schedules) - 1:
        raise ValueError(f"parameter 'boundaries' must have one entry fewer than 'schedules' ({len(schedules) - 1}), "
                         f"got {len(bounds)}")
    if any(b < a for a, b in zip(bounds, bounds[1:])):
        raise ValueError(f"parameter 'boundaries' must be sorted, got {bounds}")
    parts = []
    for item in schedules:
        if not (isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
                and isinstance(item[1], dict)):
            raise ValueError(f"parameter 'schedules': each schedule must be a (name, params) pair, got {item!r}")
        if item[0] == "join_schedules":
            parts.append(join_schedules(None, **item[1]))
        else:
            parts.append(FRAMEWORK.build(item[0], **item[1]))
    return Join(parts, bounds)


# --- export -----------------------------------------------------------------------------------------

def _knots_call(s: WarmupDecay) -> Call:
    """``piecewise_interpolate_schedule``: the knots' values as ``init_value`` and the ratio of each value to
    the one before (optax multiplies the scales up); a value held before the first knot is a knot at 0."""
    p, lr = s.decay_params, s.base_lr
    knots, values = [float(k) for k in p["knots"]], [float(v) for v in p["values"]]
    refuse_if((not all(k.is_integer() for k in knots), "piecewise_interpolate_schedule's boundaries are whole "
                                                       "steps"),
              (values[0] == 0, "piecewise_interpolate_schedule's init_value must be > 0"),
              (any(a == 0 < b for a, b in zip(values, values[1:])),
               "piecewise_interpolate_schedule multiplies its scales: once at 0 it stays at 0"))
    if knots[0] > 0:
        knots, values = [0.0, *knots], [values[0], *values]
    scales = {int(k): (b / a if a else 0.0) for k, a, b in zip(knots[1:], values, values[1:])}
    return Call("piecewise_interpolate_schedule", {"interpolate_type": p["anneal"], "init_value": values[0] * lr,
                                                   "boundaries_and_scales": scales})


def _warmup_joined(s: WarmupDecay) -> Call:
    """A linear warmup that no single optax schedule pairs with this decay: ``join_schedules`` of a
    ``linear_schedule`` to the peak and the decay's own schedule (how optax writes its ``warmup_*`` itself)."""
    W, lr = s.warmup.steps, s.base_lr
    rest = _single_call(WarmupDecay(lr, decay=Decay(s.decay.name, **s.decay_params)))
    ramp = ("linear_schedule", {"init_value": s.warmup.factor * lr, "end_value": lr, "transition_steps": W})
    return Call("join_schedules", {"schedules": [ramp, (rest.name, rest.params)], "boundaries": [W]},
                note=rest.note)


@FRAMEWORK.exporter
def export_call(s: WarmupDecay) -> Call:
    common_refusal(s)
    refuse_if((s.warmup.method not in ("none", "linear"), "its warmups are linear"),
              (s.warmup.steps and s.convention != "prepend", "its warmup always comes before the decay"))
    try:
        return _single_call(s)
    except Refusal:
        if not s.warmup.steps:
            raise
    return _warmup_joined(s)


@FRAMEWORK.join_exporter
def export_join(s: Join) -> Call:
    """``join_schedules``: the parts one after another, each clock restarted at its boundary, as optax does."""
    parts, notes = [], []
    for i, part in enumerate(s.parts):
        refuse_if((not isinstance(part, (WarmupDecay, Join)), "join_schedules joins schedules, not a product of "
                                                              "them"))
        c = export_join(part) if isinstance(part, Join) else export_call(part)
        parts.append((c.name, c.params))
        notes += [f"part {i + 1}: {c.note}"] if c.note else []
    return Call("join_schedules", {"schedules": parts, "boundaries": list(s.boundaries)}, note=" ".join(notes))


def _single_call(s: WarmupDecay) -> Call:
    """The one optax schedule that is ``s`` (a linear warmup prepended or none), or :class:`Refusal`."""
    w, d, p = s.warmup, s.decay, s.decay_params
    lr, W = s.base_lr, w.steps
    init = w.factor * lr
    if d.name == "cosine" and p["cycles"] == 0.5 and not W and float(p["steps"]).is_integer():
        return Call("cosine_decay_schedule", {"init_value": lr, "decay_steps": int(p["steps"]), "alpha": p["floor"],
                                              "exponent": p["exponent"]}, note=unclamped_note(s, "optax"))
    if d.name == "cosine" and p["cycles"] == 0.5:
        return Call("warmup_cosine_decay_schedule", {
            "init_value": init if W else lr, "peak_value": lr, "warmup_steps": W, "decay_steps": W + p["steps"],
            "end_value": p["floor"] * lr, "exponent": p["exponent"]}, note=unclamped_note(s, "optax"))
    if d.name == "constant":
        if W:
            return Call("warmup_constant_schedule", {"init_value": init, "peak_value": lr, "warmup_steps": W})
        return Call("constant_schedule", {"value": lr})
    if d.name == "exponential" and W:
        return Call("warmup_exponential_decay_schedule", {
            "init_value": init, "peak_value": lr, "warmup_steps": W, "transition_steps": p["period"],
            "decay_rate": p["gamma"], "transition_begin": p["delay"], "staircase": p["staircase"],
            "end_value": None if p["limit"] is None else p["limit"] * lr})
    if d.name == "exponential":
        return Call("exponential_decay", {
            "init_value": lr, "transition_steps": p["period"], "decay_rate": p["gamma"],
            "transition_begin": p["delay"], "staircase": p["staircase"],
            "end_value": None if p["limit"] is None else p["limit"] * lr})
    if (d.name == "onecycle" and p["style"] == "optax" and not W
            and (p["anneal"], p["three_phase"]) in (("cos", False), ("linear", True))):
        kw = {"transition_steps": p["total_steps"], "peak_value": lr, "pct_start": p["pct_start"],
              "div_factor": p["div_factor"], "final_div_factor": p["final_div_factor"]}
        if p["three_phase"]:
            return Call("linear_onecycle_schedule", {**kw, "pct_final": p["pct_final"]})
        return Call("cosine_onecycle_schedule", kw)
    if d.name in ("linear", "polynomial") and not W and not p.get("cycle", False) and p["floor"] < 1:
        return Call("polynomial_schedule", {"init_value": lr, "end_value": p["floor"] * lr,
                                            "power": p.get("power", 1.0), "transition_steps": p["steps"],
                                            "transition_begin": p.get("delay", 0)})
    v = p.get("values", ())  # init_value > 0, and every value a scale multiplies must be > 0
    if d.name == "piecewise" and not W and p["boundary"] == "at" and v[0] > 0 and all(x > 0 for x in v[:-1]):
        scales = {int(m): v[i + 1] / v[i] for i, m in enumerate(p["milestones"])}
        if len(scales) == len(p["milestones"]):
            return Call("piecewise_constant_schedule", {"init_value": v[0] * lr, "boundaries_and_scales": scales})
    if d.name == "knots" and not W:
        return _knots_call(s)
    refuse_if((True, f"it has no single schedule for a {d.entry.title.lower()} decay with these settings"))


def _code(name: str, params: dict, indent: str = "") -> str:
    if name == "join_schedules":  # one schedule a line
        inner = "".join(f"{indent}    {_code(n, p, indent + '    ')},\n" for n, p in params["schedules"])
        return f"optax.join_schedules([\n{inner}{indent}], boundaries={params['boundaries']!r})"
    return f"optax.{name}({args(**params)})"


@FRAMEWORK.renderer
def render(call: Call, s) -> str:
    return (HEADER + "import optax\n\n"
            f"schedule = {_code(call.name, call.params)}\n"
            "optimizer = optax.adamw(learning_rate=schedule)  # schedule(count), count = updates done\n"
            "# optax computes in float32 unless JAX_ENABLE_X64=1\n")
