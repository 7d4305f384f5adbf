"""Exact values, conventions, composition and value semantics of warmup_core.

Expected numbers are worked out by hand from each shape's closed form (the comment on each row
says how); the parity tests check the same shapes against the real libraries.
"""

import json
import math

import numpy as np
import pytest

from warmup_core import DECAYS, WARMUPS, Decay, Join, Product, Schedule, Warmup, from_dict, from_json

E = math.e

# --- every warmup shape: value at step 0, inside, and at the end of warmup (peak 1) --------------
# (method, kwargs, {step: expected}); decay constant, convention prepend.
WARMUP_TABLE = [
    ("none", {}, {0: 1.0, 7: 1.0}),                                             # no warmup: the peak
    ("constant", {"steps": 4, "factor": 0.1}, {0: 0.1, 3: 0.1, 4: 1.0}),         # held, then a jump
    ("linear", {"steps": 4, "factor": 0.2}, {0: 0.2, 2: 0.6, 4: 1.0}),           # 0.2 + 0.8 * 2/4
    ("exponential", {"steps": 4, "factor": 0.01}, {0: 0.01, 2: 0.1, 4: 1.0}),    # 0.01 * 100**(2/4)
    ("cosine", {"steps": 4, "factor": 0.0}, {0: 0.0, 2: 0.5, 4: 1.0}),           # (1 - cos(pi/2)) / 2
    ("1-sqrt", {"steps": 4, "factor": 0.0}, {0: 0.0, 3: 0.5, 4: 1.0}),           # 1 - sqrt(1 - 3/4)
    ("log", {"steps": 4, "factor": 0.0}, {0: 0.0, 1: 0.0, 2: 0.5, 4: 1.0}),      # ln max(t, 1) / ln 4
    # tau = int(2 / (1 - 0.5)) = 4; (t + 1)/4, so W = tau - 1 = 3
    ("untuned_linear", {"beta2": 0.5}, {0: 0.25, 2: 0.75, 3: 1.0}),
    # tau = int(1 / (1 - 0.5)) = 2; 1 - exp(-(t + 1)/2)
    ("untuned_exponential", {"beta2": 0.5}, {0: 1 - E ** -0.5, 1: 1 - E ** -1, 9: 1 - E ** -5}),
]


def _radam_expected(t, beta2=0.9):
    # rho_inf = 2/(1-0.9) - 1 = 19; rho_t > 4 first at t = 5 (rho_4 = 3.74, rho_5 = 4.58), so delta = 5
    rho_inf = 19.0
    u = t + 5
    rho = rho_inf - 2 * u * beta2 ** u / (1 - beta2 ** u)
    return math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))


WARMUP_TABLE.append(("radam", {"beta2": 0.9}, {0: _radam_expected(0), 10: _radam_expected(10)}))


def test_warmup_table_covers_the_registry():
    assert {row[0] for row in WARMUP_TABLE} == set(WARMUPS)


@pytest.mark.parametrize("method,kwargs,expected", WARMUP_TABLE, ids=[r[0] for r in WARMUP_TABLE])
def test_warmup_exact(method, kwargs, expected):
    s = Schedule(1.0, Warmup(method, **kwargs), Decay("constant"), total_steps=50)
    for t, want in expected.items():
        assert s(t) == pytest.approx(want, rel=1e-12, abs=1e-15), (method, t)


# --- every decay: values at step 0, in the middle and at/after the end ---------------------------
DECAY_TABLE = [
    ("constant", {}, {0: 1.0, 10**6: 1.0}),
    ("step", {"step_size": 3, "gamma": 0.5}, {0: 1.0, 2: 1.0, 3: 0.5, 9: 0.125}),             # 0.5 ** (t // 3)
    ("multistep", {"milestones": [2, 5], "gamma": 0.1}, {1: 1.0, 2: 0.1, 5: 0.01}),            # decays at 2, 5
    ("piecewise", {"milestones": [2], "values": [1.0, 0.3]}, {0: 1.0, 1: 1.0, 2: 0.3}),
    ("exponential", {"gamma": 0.5, "period": 2}, {0: 1.0, 2: 0.5, 3: 0.5 ** 1.5}),            # 0.5 ** (t / 2)
    ("cosine", {"steps": 10, "floor": 0.1}, {0: 1.0, 5: 0.55, 10: 0.1, 15: 0.1}),              # 0.1 + 0.9 * 0.5
    ("cosine_restarts", {"period": 4}, {0: 1.0, 2: 0.5, 4: 1.0, 6: 0.5}),                       # restarts at 4, 8
    ("polynomial", {"steps": 10, "power": 2.0}, {0: 1.0, 5: 0.25, 10: 0.0, 20: 0.0}),          # (1 - 5/10)**2
    ("linear", {"steps": 10, "floor": 0.2}, {0: 1.0, 5: 0.6, 10: 0.2, 11: 0.2}),               # 0.2 + 0.8 * 0.5
    ("inverse_sqrt", {"timescale": 4}, {0: 1.0, 12: 0.5}),                                     # 1/sqrt(16/4)
    ("inverse_time", {"decay_steps": 2, "rate": 1.0}, {0: 1.0, 2: 0.5, 6: 0.25}),             # 1/(1 + t/2)
    ("wsd", {"stable": 4, "decay": 4, "shape": "linear", "floor": 0.1},
     {0: 1.0, 4: 1.0, 6: 0.55, 8: 0.1, 20: 0.1}),                                               # 0.1 + 0.9 * 0.5
    # torch style, T = 10: peak at 0.3*10 - 1 = 2, end at 9; 1/25 at 0; cos halfway at 1: 1 - 0.96/2
    ("onecycle", {"total_steps": 10}, {0: 0.04, 1: 0.52, 2: 1.0, 9: 4e-6}),
    # triangle up over 2 steps, down over 2, between 0.2 and 1: 0.2 + 0.8 * t/2
    ("cyclic", {"up": 2, "down": 2, "floor": 0.2}, {0: 0.2, 1: 0.6, 2: 1.0, 3: 0.6, 4: 0.2, 5: 0.6}),
    ("knots", {"knots": [0, 10], "values": [1.0, 0.1]}, {0: 1.0, 5: 0.55, 10: 0.1, 15: 0.1}),  # 1 - 0.9 * 5/10
    # x = 5/10: (1 - tanh(-7 * 0.5 + 3 * 0.5)) / 2; the floor from L on
    ("tanh", {"steps": 10}, {0: 0.5 * (1 - math.tanh(-7.0)), 5: 0.5 * (1 - math.tanh(-2.0)), 10: 0.0}),
]


def test_decay_table_covers_the_registry():
    assert {row[0] for row in DECAY_TABLE} == set(DECAYS)


@pytest.mark.parametrize("name,kwargs,expected", DECAY_TABLE, ids=[r[0] for r in DECAY_TABLE])
def test_decay_exact(name, kwargs, expected):
    s = Schedule(2.0, decay=Decay(name, **kwargs), total_steps=10)
    for t, want in expected.items():
        assert s(t) == pytest.approx(2.0 * want, rel=1e-12, abs=1e-15), (name, t)


@pytest.mark.parametrize("boundary,expected", [("at", [1, 1, 0.1, 0.1]), ("before", [1, 0.1, 0.1, 0.1]),
                                               ("after", [1, 1, 1, 0.1])])
def test_milestone_boundaries(boundary, expected):
    # torch/optax decay at the milestone; timm one step before; Keras one step after (reference §b.6)
    s = Schedule(1.0, decay=Decay("multistep", milestones=[2], gamma=0.1, boundary=boundary))
    np.testing.assert_allclose(s(np.arange(4)), expected, rtol=1e-15)


def test_cosine_without_clamp_rises_again():
    s = Schedule(1.0, decay=Decay("cosine", steps=4, clamp=False))
    np.testing.assert_allclose(s([0, 2, 4, 6, 8]), [1, 0.5, 0, 0.5, 1], atol=1e-15)


def test_restarts_with_cycle_decay_and_multiplier():
    s = Schedule(1.0, decay=Decay("cosine_restarts", period=4, period_mult=2, cycle_decay=0.5, cycle_limit=2,
                                  floor=0.1))
    # cycle 0: [0, 4); cycle 1: [4, 12) with peak 0.5; after 2 cycles the floor.
    assert s(4) == pytest.approx(0.5)
    assert s(8) == pytest.approx(0.1 + (0.5 - 0.1) * 0.5)
    assert s(12) == pytest.approx(0.1) and s(100) == pytest.approx(0.1)


# --- the three conventions (reference §b.3: "linear warmup 4 + cosine 12", base 1) ----------------

def test_conventions_give_three_curves():
    w = Warmup("linear", steps=4, factor=0.25)
    pre = Schedule(1.0, w, Decay("cosine"), "prepend", total_steps=12)
    mul = Schedule(1.0, w, Decay("cosine"), "multiply", total_steps=12)
    ovr = Schedule(1.0, w, Decay("cosine"), "override", total_steps=12)
    # prepend: cosine over the 8 steps after warmup, peak 1.0 at t=4 (torch SequentialLR golden)
    np.testing.assert_allclose(pre(np.arange(13)), [0.25, 0.4375, 0.625, 0.8125, 1.0, 0.9619397662556434,
                                                    0.8535533905932737, 0.6913417161825449, 0.5,
                                                    0.30865828381745514, 0.14644660940672627,
                                                    0.03806023374435664, 0.0], rtol=1e-12, atol=1e-15)
    # multiply: peak 0.75 at t=4 (torch ChainedScheduler golden)
    assert mul(4) == pytest.approx(0.75, rel=1e-12)
    assert mul(2) == pytest.approx(0.625 * 0.5 * (1 + math.cos(math.pi * 2 / 12)), rel=1e-12)
    # override: ramp to 1, then the decay at the global clock: 0.75 at t=4 (a jump from 0.8125)
    assert ovr(3) == pytest.approx(0.8125) and ovr(4) == pytest.approx(0.75)


def test_override_to_the_decay_value_is_continuous():
    # detectron2's default: ramp to where the decay already is at W
    s = Schedule(1.0, Warmup("linear", steps=4, factor=0.001, target="decay"), Decay("cosine"), "override",
                 total_steps=12)
    np.testing.assert_allclose(s(np.arange(6)), [0.001, 0.18825, 0.3755, 0.56275, 0.75, 0.62940952],
                               rtol=1e-6)  # fvcore values recorded in the reference note §1.2


def test_decay_length_fills_the_rest_of_training():
    assert Schedule(1.0, Warmup("linear", 4), Decay("cosine"), "prepend", 12).decay_params["steps"] == 8
    assert Schedule(1.0, Warmup("linear", 4), Decay("cosine"), "multiply", 12).decay_params["steps"] == 12
    wsd = Schedule(1.0, Warmup("linear", 10), Decay("wsd"), "prepend", 110).decay_params
    assert (wsd["stable"], wsd["decay"]) == (80, 20)


def test_offset_starts_the_clock_at_one():
    s = Schedule(1.0, Warmup("linear", 4), Decay("constant"), offset=1)
    np.testing.assert_allclose(s([0, 1, 2, 3]), [0.25, 0.5, 0.75, 1.0])


# --- composition ---------------------------------------------------------------------------------

def test_join_restarts_each_clock():
    a = Schedule(1.0, decay=Decay("linear", steps=4))
    b = Schedule(0.5, decay=Decay("step", step_size=2, gamma=0.5))
    j = Join([a, b], [3])
    np.testing.assert_allclose(j(np.arange(7)), [1, 0.75, 0.5, 0.5, 0.5, 0.25, 0.25])


def test_product_multiplies_factors():
    a = Schedule(1.0, Warmup("constant", 2, factor=0.5), Decay("constant"), "multiply")
    b = Schedule(1.0, decay=Decay("multistep", milestones=[1, 3]))
    np.testing.assert_allclose(Product([a, b])(np.arange(4)), [0.5, 0.05, 0.1, 0.01], rtol=1e-14)


# --- value semantics -----------------------------------------------------------------------------

def _examples():
    yield Schedule(0.3, Warmup("cosine", 7, factor=0.1), Decay("wsd", shape="cosine"), "prepend", 100)
    yield Schedule(1e-3, Warmup("untuned_linear", beta2=0.99), Decay("multistep", milestones=[5, 9]), "multiply")
    yield Join([Schedule(1.0, decay=Decay("cosine", steps=10)), Schedule(0.5, decay=Decay("constant"))], [10], 30)
    yield Product([Schedule(1.0, Warmup("linear", 3)), Schedule(1.0, decay=Decay("exponential", gamma=0.9))])
    yield Schedule(2.0, Warmup("linear", 4, target="decay"), Decay("tanh", steps=20), "override", 30, offset=2)


@pytest.mark.parametrize("s", list(_examples()), ids=lambda s: type(s).__name__)
def test_dict_and_json_round_trip(s):
    t = np.arange(120)
    back = from_dict(json.loads(json.dumps(s.to_dict())))
    assert back == s and hash(back) == hash(s)
    np.testing.assert_array_equal(back(t), s(t))
    assert from_json(s.to_json()) == s


def test_schedule_is_immutable():
    s = Schedule()
    with pytest.raises(AttributeError):
        s.base_lr = 1.0
    assert s.replace(base_lr=0.5).base_lr == 0.5 and s.base_lr == 0.1


def test_scalar_in_scalar_out():
    s = Schedule(1.0, Warmup("linear", 4), Decay("cosine"), total_steps=12)
    assert isinstance(s(3), float) and isinstance(s(np.int64(3)), float)
    out = s([[0, 1], [2, 3]])
    assert out.shape == (2, 2) and out.dtype == np.float64
    np.testing.assert_array_equal(s(np.arange(12)), [s(t) for t in range(12)])


def test_breakpoints_mark_jumps_and_formula_changes():
    s = Schedule(1.0, Warmup("constant", 5, factor=0.1), Decay("multistep", milestones=[20, 40]), "prepend", 100)
    np.testing.assert_array_equal(s.breakpoints(), [0, 5, 25, 45, 99])
    m = Schedule(1.0, Warmup("linear", 5), Decay("multistep", milestones=[20, 40], boundary="before"), "multiply",
                 100)
    np.testing.assert_array_equal(m.breakpoints(), [0, 5, 19, 39, 99])
    r = Schedule(1.0, decay=Decay("cosine_restarts", period=10, period_mult=2, cycle_limit=3), total_steps=100)
    np.testing.assert_array_equal(r.breakpoints(), [0, 10, 30, 70, 99])


def test_summary_numbers():
    s = Schedule(1.0, Warmup("linear", 4), Decay("linear"), "prepend", 12)
    got = s.summary()
    # lrs: 0, .25, .5, .75, 1, .875, .75, .625, .5, .375, .25, .125
    assert got["peak_lr"] == 1.0 and got["peak_step"] == 4 and got["lr_at_0"] == 0.0
    assert got["lr_at_warmup_end"] == 1.0 and got["lr_at_last"] == pytest.approx(0.125)
    assert got["area"] == pytest.approx(6.0) and got["mean_lr"] == pytest.approx(0.5)


@pytest.mark.parametrize("convention", ["prepend", "multiply", "override"])
@pytest.mark.parametrize("name", sorted(DECAYS))
def test_sorted_shuffled_and_single_steps_give_the_same_bits(name, convention):
    # sorted steps take the fast paths (slices, decays writing into the output array); shuffled steps take masks;
    # a single step is a scalar: all three must agree to the bit, for every decay and convention
    kwargs = {"multistep": {"milestones": [300, 600]}, "piecewise": {"milestones": [500], "values": [1.0, 0.1]},
              "knots": {"knots": [5, 300, 900], "values": [0.5, 1.0, 0.1], "anneal": "cosine"}}.get(name, {})
    rng = np.random.default_rng(0)
    for W in (0, 1, 37):
        s = Schedule(0.1, Warmup("linear", W, factor=0.01), Decay(name, **kwargs), convention, 1000)
        t = np.arange(1100, dtype=np.float64)
        order = rng.permutation(t.size)
        sorted_values = s(t)
        assert np.array_equal(s(t[order]), sorted_values[order]), W
        assert [s(float(x)) for x in t[::37]] == sorted_values[::37].tolist(), W


# The fast paths bench/bench_schedules.py asked for (slices when the steps are sorted: milestones, the phases of WSD,
# one-cycle and knots; SGDR's table when its period is whole; the step decay's table of powers; the warmup only over
# its W steps) against the same schedule on shuffled steps (masks, no slices) and one step at a time (too few steps
# for a table): to the bit, at the edge lengths.
FAST_PATH_DECAYS = [
    ("cosine_restarts", {"period": 3.0}),
    ("cosine_restarts", {"period": 1.0, "cycle_decay": 0.5, "cycle_limit": 4, "floor": 0.1}),
    ("cosine_restarts", {"period": 4.0, "k_decay": 1.5, "profile": "tanh", "cycle_decay": 0.7,
                         "decay_mode": "amplitude"}),
    ("cosine_restarts", {"period": 2.0, "profile": "polynomial", "power": 2.0}),
    ("cosine_restarts", {"period": 2.5}),  # not a whole period: no table
    ("cosine_restarts", {"period": 2.0, "period_mult": 2.0}),  # cycles of growing length: no table
    ("step", {"step_size": 8, "gamma": 0.5}),
    ("multistep", {"milestones": [0, 2, 2, 5], "gamma": 0.5, "boundary": "at"}),
    ("multistep", {"milestones": [1, 3], "gamma": 0.5, "boundary": "before"}),
    ("piecewise", {"milestones": [2, 6], "values": [1.0, 0.5, 0.25], "boundary": "after"}),
    ("wsd", {"stable": 3, "decay": 4, "shape": "cosine", "floor": 0.1}),
    ("wsd", {"shape": "1-sqrt"}),  # a cooldown not computed in place
    ("wsd", {"stable": 2, "decay": 0}),
    ("onecycle", {"total_steps": 50, "three_phase": True}),  # torch's: the last phase goes on one step
    ("onecycle", {"total_steps": 50, "style": "optax"}),
    ("knots", {"knots": [1, 5, 30], "values": [0.2, 1.0, 0.01], "anneal": "cosine"}),
    ("cosine", {}),
]


@pytest.mark.parametrize("name,kwargs", FAST_PATH_DECAYS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(FAST_PATH_DECAYS)])
@pytest.mark.parametrize("total", [1, 2, 9, 200])
def test_fast_paths_give_the_bits_of_the_plain_paths_at_edge_lengths(name, kwargs, total):
    rng = np.random.default_rng(total)
    t = np.arange(total + 6, dtype=np.float64)
    order = rng.permutation(t.size)
    for method in ("none", "linear", "exponential", "cosine"):
        for W in sorted({0, 1, total - 1, total, total + 3} if method != "none" else {0}):
            for convention in ("prepend", "multiply", "override"):
                warmup = Warmup(method, W, factor=0.01) if method != "none" else Warmup()
                s = Schedule(0.1, warmup, Decay(name, **kwargs), convention, total)
                fast = s(t)
                where = (name, method, W, convention)
                assert np.array_equal(s(t[order]), fast[order]), where
                assert [s(float(x)) for x in t] == fast.tolist(), where
