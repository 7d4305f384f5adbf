"""optax piecewise_interpolate_schedule and join_schedules, live against optax (pinned 0.2.8, float64 via
JAX_ENABLE_X64 set in conftest.py)."""

import numpy as np
import pytest

from warmup_core.libraries import optax as optax_lib

N = 40

INTERP = [
    ("linear", 1.0, {10: 0.5, 20: 0.1}),
    ("cosine", 1.0, {10: 0.5, 20: 0.1}),
    ("linear", 0.1, {5: 10.0, 15: 0.01}),          # a rising first segment: a warmup to 1.0
    ("cosine", 0.1, {0: 10.0, 12: 0.5}),           # a boundary at 0 skips init_value
    ("linear", 0.5, None),                         # constant
    ("cosine", 0.5, {3: 0.0}),                     # down to 0 and held
    ("linear", 2.0, {1: 1.0, 2: 0.5, 39: 2.0}),    # one-step intervals, a rise at the very end
    ("cosine", 1.0, {50: 0.1}),                    # past the end of the listed steps
]


def _optax_lrs(sched, n=N):
    return np.array([float(sched(t)) for t in range(n)])


@pytest.mark.parametrize("kind,init,bs", INTERP, ids=[str(i) for i in range(len(INTERP))])
def test_piecewise_interpolate_live(kind, init, bs):
    optax = pytest.importorskip("optax")
    ref = _optax_lrs(optax.piecewise_interpolate_schedule(kind, init, bs))
    got = optax_lib.FRAMEWORK.build("piecewise_interpolate_schedule", interpolate_type=kind, init_value=init,
                                     boundaries_and_scales=bs)(np.arange(N))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def test_piecewise_interpolate_json_keys():
    a = optax_lib.FRAMEWORK.build("piecewise_interpolate_schedule", interpolate_type="linear", init_value=1.0,
                                   boundaries_and_scales={"10": 0.5})
    b = optax_lib.FRAMEWORK.build("piecewise_interpolate_schedule", interpolate_type="linear", init_value=1.0,
                                   boundaries_and_scales={10: 0.5})
    assert a == b


JOINS = [
    ([("linear_schedule", dict(init_value=0.0, end_value=1.0, transition_steps=5)),
      ("cosine_decay_schedule", dict(init_value=1.0, decay_steps=20, alpha=0.1))], [5]),
    ([("constant_schedule", dict(value=0.1)),
      ("linear_schedule", dict(init_value=1.0, end_value=0.2, transition_steps=10)),
      ("exponential_decay", dict(init_value=0.2, transition_steps=3, decay_rate=0.5))], [4, 14]),
    ([("warmup_cosine_decay_schedule", dict(init_value=0.0, peak_value=1.0, warmup_steps=3, decay_steps=10)),
      ("warmup_cosine_decay_schedule", dict(init_value=0.0, peak_value=0.5, warmup_steps=0, decay_steps=10))],
     [10]),
    ([("constant_schedule", dict(value=0.3)), ("constant_schedule", dict(value=0.7))], [0]),  # boundary at 0
    ([("constant_schedule", dict(value=0.3)), ("constant_schedule", dict(value=0.7))], [100]),  # past the end
]


@pytest.mark.parametrize("parts,bounds", JOINS, ids=[str(i) for i in range(len(JOINS))])
def test_join_schedules_live(parts, bounds):
    optax = pytest.importorskip("optax")
    import jax.numpy as jnp

    ref = np.asarray(optax.join_schedules([getattr(optax, n)(**p) for n, p in parts], bounds)(jnp.arange(N)))
    got = optax_lib.FRAMEWORK.build("join_schedules", schedules=parts, boundaries=bounds)(np.arange(N))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def test_nested_join():
    inner = ("join_schedules", dict(schedules=[("constant_schedule", dict(value=0.2)),
                                               ("constant_schedule", dict(value=0.4))], boundaries=[3]))
    s = optax_lib.FRAMEWORK.build("join_schedules", schedules=[inner, ("constant_schedule", dict(value=0.1))],
                                   boundaries=[6])
    np.testing.assert_allclose(s(np.arange(8)), [0.2, 0.2, 0.2, 0.4, 0.4, 0.4, 0.1, 0.1])


@pytest.mark.parametrize("name,kw,word", [
    ("piecewise_interpolate_schedule", dict(interpolate_type="cubic", init_value=1.0), "interpolate_type"),
    ("piecewise_interpolate_schedule", dict(interpolate_type="linear", init_value=1.0,
                                            boundaries_and_scales={5: -1.0}), "non-negative"),
    ("piecewise_interpolate_schedule", dict(interpolate_type="linear", init_value=1.0,
                                            boundaries_and_scales={-5: 1.0}), "boundaries_and_scales"),
    ("piecewise_interpolate_schedule", dict(interpolate_type="linear", init_value=1.0,
                                            boundaries_and_scales=[5]), "boundaries_and_scales"),
    ("piecewise_interpolate_schedule", dict(interpolate_type="linear", init_value=float("inf")), "init_value"),
    ("join_schedules", dict(schedules=[], boundaries=[]), "schedules"),
    ("join_schedules", dict(schedules=[("constant_schedule", dict(value=1.0))], boundaries=[3]), "boundaries"),
    ("join_schedules", dict(schedules=[("constant_schedule", dict(value=1.0))] * 2, boundaries=["x"]), "boundaries"),
    ("join_schedules", dict(schedules=["constant_schedule"], boundaries=[]), "schedules"),
    ("join_schedules", dict(schedules=[("nope", {})], boundaries=[]), "nope"),
])
def test_bad_input(name, kw, word):
    with pytest.raises(ValueError, match=word):
        optax_lib.FRAMEWORK.build(name, **kw)


# --- export: piecewise_interpolate_schedule and join_schedules written natively -------------------------------

from warmup_core import Decay, Join, Warmup, WarmupDecay, compat  # noqa: E402


def _round_trip(s, name):
    exported = compat.export_params("optax", s)
    assert exported["name"] == name
    t = np.arange(200)
    np.testing.assert_allclose(compat.build("optax", **exported)(t), s(t), rtol=1e-12, atol=0)
    return exported


def _run_exported(s, n=N):
    """The exported code, run in optax (float64): its values per step."""
    pytest.importorskip("optax")
    from tests.test_codegen import run_snippet

    code, note = compat.export("optax", s)
    assert note == ""
    return np.array([float(run_snippet(code)["schedule"](t)) for t in range(n)])


@pytest.mark.parametrize("kind,init,bs", INTERP, ids=[str(i) for i in range(len(INTERP))])
def test_piecewise_interpolate_round_trips_natively(kind, init, bs):
    s = optax_lib.FRAMEWORK.build("piecewise_interpolate_schedule", interpolate_type=kind, init_value=init,
                                  boundaries_and_scales=bs)
    _round_trip(s, "piecewise_interpolate_schedule")
    np.testing.assert_allclose(_run_exported(s), s(np.arange(N)), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("parts,bounds", JOINS, ids=[str(i) for i in range(len(JOINS))])
def test_join_schedules_round_trips_natively(parts, bounds):
    s = optax_lib.FRAMEWORK.build("join_schedules", schedules=parts, boundaries=bounds)
    exported = _round_trip(s, "join_schedules")
    assert exported["boundaries"] == bounds
    np.testing.assert_allclose(_run_exported(s), s(np.arange(N)), rtol=1e-12, atol=1e-15)


def test_core_knots_and_joins_export_as_optaxs_own():
    knots = WarmupDecay(0.5, decay=Decay("knots", knots=[5, 15, 30], values=[0.2, 1.0, 0.1], anneal="cosine"))
    exported = _round_trip(knots, "piecewise_interpolate_schedule")  # held before the first knot: a knot at 0
    assert exported["boundaries_and_scales"] == pytest.approx({5: 1.0, 15: 5.0, 30: 0.1})
    np.testing.assert_allclose(_run_exported(knots), knots(np.arange(N)), rtol=1e-12, atol=1e-15)
    join = Join([WarmupDecay(0.1), Join([WarmupDecay(0.3, decay=Decay("linear", steps=5)), WarmupDecay(0.05)], [8]),
                 knots], [4, 20])
    exported = _round_trip(join, "join_schedules")
    assert [n for n, _ in exported["schedules"]] == ["constant_schedule", "join_schedules",
                                                     "piecewise_interpolate_schedule"]
    np.testing.assert_allclose(_run_exported(join), join(np.arange(N)), rtol=1e-12, atol=1e-15)


def test_a_linear_warmup_before_a_decay_with_no_warmup_form_is_a_join():
    s = WarmupDecay(1e-3, Warmup("linear", 10, factor=0.1), Decay("linear", floor=0.1), "prepend", 40)
    exported = _round_trip(s, "join_schedules")
    assert [n for n, _ in exported["schedules"]] == ["linear_schedule", "polynomial_schedule"]
    np.testing.assert_allclose(_run_exported(s), s(np.arange(N)), rtol=1e-12, atol=1e-18)


@pytest.mark.parametrize("s,why", [
    (WarmupDecay(0.1, decay=Decay("knots", knots=[0, 10, 20], values=[1.0, 0.0, 0.5])), "stays at 0"),
    (WarmupDecay(0.1, decay=Decay("knots", knots=[0, 10.5], values=[1.0, 0.5])), "whole steps"),
    (Join([WarmupDecay(0.1), WarmupDecay(0.1, Warmup("exponential", 5, factor=0.1))], [3]), "linear"),
])
def test_export_refusals_say_why(s, why):
    with pytest.raises(ValueError, match=why):
        compat.export_params("optax", s)
