"""Hypothesis properties over random specs drawn from the registry's own parameter metadata."""

import json

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from warmup_core import CONVENTIONS, DECAYS, WARMUPS, Decay, Schedule, Warmup, from_dict
from warmup_core.params import Param

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def value_for(p: Param):
    """A strategy for one parameter, inside its declared range."""
    if p.kind == "bool":
        return st.booleans()
    if p.kind == "choice":
        return st.sampled_from(p.choices)
    lo = p.minimum if p.minimum is not None else -10.0
    span = 1000 if p.kind in ("int", "int_list") or p.unit == "steps" else 5  # unbounded: a plausible stretch
    hi = p.maximum if p.maximum is not None else lo + span
    hi = min(hi, lo + 1000) if p.kind in ("int", "int_list") else hi
    if p.kind in ("int", "int_list"):
        ints = st.integers(int(lo) + (1 if p.minimum_open else 0), int(hi))
        base = st.lists(ints, max_size=4).map(sorted) if p.kind == "int_list" else ints
    else:
        floats = st.floats(lo, hi, exclude_min=p.minimum_open, exclude_max=p.maximum_open, allow_nan=False)
        base = st.lists(floats, min_size=1, max_size=5) if p.kind == "float_list" else floats
    return st.one_of(st.none(), base) if p.optional else base


@st.composite
def decays(draw, names=tuple(DECAYS)):
    name = draw(st.sampled_from(names))
    params = {p.name: draw(value_for(p)) for p in DECAYS[name].params}
    if name == "piecewise":
        params["values"] = draw(st.lists(st.floats(0, 1), min_size=len(params["milestones"]) + 1,
                                         max_size=len(params["milestones"]) + 1))
    try:
        return Decay(name, **params)
    except ValueError:
        assume(False)


@st.composite
def warmups(draw, names=tuple(WARMUPS)):
    name = draw(st.sampled_from(names))
    params = {p.name: draw(value_for(p)) for p in WARMUPS[name].params}
    if name in ("untuned_exponential", "radam"):  # keep the derived lengths small enough to evaluate
        params["beta2"] = draw(st.floats(0.61, 0.99))
        if "period" in params and params["period"] is not None:
            params["period"] = min(params["period"], 200)
    steps = None if name == "none" or WARMUPS[name].derive_steps else draw(st.integers(0, 300))
    factor = draw(st.floats(1e-6 if name == "exponential" else 0.0, 1.0))
    return Warmup(name, steps=steps, factor=factor, **params)


@st.composite
def schedules(draw):
    try:
        return Schedule(draw(st.floats(1e-6, 10.0)), draw(warmups()), draw(decays()),
                        draw(st.sampled_from(sorted(CONVENTIONS))), draw(st.integers(1, 5000)))
    except ValueError:  # a combination the factory rejects (e.g. a one-cycle too short for its phases)
        assume(False)


STEPS = np.concatenate([np.arange(0, 600), np.linspace(600, 20_000, 300).round()])


@SETTINGS
@given(schedules())
def test_finite_and_non_negative(s):
    with np.errstate(all="raise", under="ignore"):  # no warning either (underflow to 0 is exact enough)
        out = s(STEPS)
    assert np.all(np.isfinite(out)) and np.all(out >= 0)


@SETTINGS
@given(warmups(), st.floats(1e-3, 10))
def test_warmups_never_decrease_and_stay_below_the_peak(w, base):
    s = Schedule(base, w, Decay("constant"), "prepend")
    t = np.arange(w.steps + 3, dtype=float)
    out = s(t)
    assert np.all(np.diff(out) >= -1e-12 * base)
    assert np.all(out <= base * (1 + 1e-12))
    assert out[-1] == base


@SETTINGS
@given(decays(tuple(n for n, e in DECAYS.items() if e.monotone)))
def test_monotone_decays_never_increase(d):
    p = dict(d.params)
    # these options come back up on purpose: a cosine of more than half a period, restarts
    assume(p.get("clamp", True) and p.get("cycles", 0.5) <= 0.5 and not p.get("cycle", False))
    s = Schedule(1.0, decay=d, total_steps=2000)
    out = s(STEPS)
    assert np.all(np.diff(out) <= 1e-12)
    assert out[0] <= 1.0 + 1e-12


@SETTINGS
@given(warmups(tuple(n for n, e in WARMUPS.items() if e.continuous and n not in ("none", "untuned_exponential",
                                                                                 "radam"))))
def test_continuous_warmups_arrive_at_the_peak(w):
    # the ramp's formula at t = W gives the value the decay starts from: no jump at the hand-over
    if w.steps >= 1:
        end = w.evaluate(np.array([float(w.steps)]), w.factor, 1.0)[0]
        assert abs(end - 1.0) < 1e-12


@SETTINGS
@given(decays(tuple(n for n, e in DECAYS.items() if e.continuous)))
def test_continuous_decays_have_no_jumps_where_the_formula_changes(d):
    p = dict(d.params)
    assume(not p.get("staircase", False))  # a staircase jumps on purpose
    # a sawtooth (a cycle with no way down) jumps too; and the probe below needs rises and falls over a step long
    assume(d.name != "cyclic" or min(p["up"], p["down"]) >= 1.0)
    # a WSD cooldown that is not exactly half a cosine ends with a jump to the floor
    assume(d.name != "wsd" or p["shape"] != "cosine" or p["cycles"] == 0.5)
    assume(p.get("power", 1.0) >= 0.1)  # (1 - x)^p is continuous but, for tiny p, too steep to probe
    assume(0.05 <= p.get("pct_start", 0.5) <= 0.95)  # so is a one-cycle phase shorter than a step
    try:
        s = Schedule(1.0, decay=d, total_steps=5000)
    except ValueError:  # e.g. a one-cycle whose phases do not fit
        assume(False)
    for b in s.breakpoints(5000)[1:-1]:
        if b < 1e-3:  # too close to step 0 to probe from the left
            continue
        # the gap to the left limit must shrink with the distance; a jump would not
        eps = 1e-4 * max(b, 1.0)
        far, near, at = s([b - eps, b - eps / 1e6, b])
        assert abs(at - near) <= 0.5 * abs(at - far) + 1e-9, (b, far, near, at)


@SETTINGS
@given(schedules())
def test_scalar_and_array_agree(s):
    t = np.array([0, 1, 7, 123, 4999])
    np.testing.assert_array_equal(s(t), [s(int(x)) for x in t])


@SETTINGS
@given(schedules())
def test_round_trip(s):
    back = from_dict(json.loads(s.to_json()))
    assert back == s
    np.testing.assert_array_equal(back(STEPS), s(STEPS))


@SETTINGS
@given(schedules())
def test_breakpoints_are_sorted_and_inside(s):
    b = s.breakpoints(s.total_steps - 1)
    assert b[0] == 0 and b[-1] == s.total_steps - 1 and np.all(np.diff(b) > 0)
