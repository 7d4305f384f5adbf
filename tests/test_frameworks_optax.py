"""optax piecewise_interpolate_schedule and join_schedules, live against optax (pinned 0.2.8, float64 via
JAX_ENABLE_X64 set in conftest.py)."""

import numpy as np
import pytest

from warmup_core.libraries import optax_more

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
    got = optax_more.FRAMEWORK.build("piecewise_interpolate_schedule", interpolate_type=kind, init_value=init,
                                     boundaries_and_scales=bs)(np.arange(N))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def test_piecewise_interpolate_json_keys():
    a = optax_more.FRAMEWORK.build("piecewise_interpolate_schedule", interpolate_type="linear", init_value=1.0,
                                   boundaries_and_scales={"10": 0.5})
    b = optax_more.FRAMEWORK.build("piecewise_interpolate_schedule", interpolate_type="linear", init_value=1.0,
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
    got = optax_more.FRAMEWORK.build("join_schedules", schedules=parts, boundaries=bounds)(np.arange(N))
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-15)


def test_nested_join():
    inner = ("join_schedules", dict(schedules=[("constant_schedule", dict(value=0.2)),
                                               ("constant_schedule", dict(value=0.4))], boundaries=[3]))
    s = optax_more.FRAMEWORK.build("join_schedules", schedules=[inner, ("constant_schedule", dict(value=0.1))],
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
        optax_more.FRAMEWORK.build(name, **kw)
