"""The convex bound and the AdamW lens against their formulas written out as plain loops here."""

import math

import numpy as np
import pytest

from warmup_core import predict
from warmup_core.predict import bound


def naive_bound(eta, D, G):
    """Defazio et al. 2023 Thm 10 term by term, eta_1..eta_T as a Python list."""
    T = len(eta)
    s = sum(eta)
    t1 = D * D / (2 * s)
    t2 = G * G * sum(e * e for e in eta) / (2 * s)
    t3 = 0.0
    for k in range(T - 1):  # k = 1..T-1 in the paper
        after = sum(eta[k + 1:])
        from_k = sum(eta[k:])
        sq_from_k = sum(e * e for e in eta[k:])
        t3 += 0.5 * (eta[k] / after) * (G * G * sq_from_k / from_k)
    return t1 + t2 + t3, (t1, t2, t3)


SHAPES = {
    "constant": [1.0] * 60,
    "linear to 0.01": np.linspace(1, 0.01, 60).tolist(),
    "cosine to 10%": (0.1 + 0.45 * (1 + np.cos(np.pi * np.arange(60) / 59))).tolist(),
    "warmup + wsd": np.r_[np.linspace(0.05, 1, 10), np.ones(35), np.linspace(1, 0.02, 15)].tolist(),
}


@pytest.mark.parametrize("name", SHAPES)
@pytest.mark.parametrize("D, G", [(1.0, 1.0), (3.0, 0.5)])
def test_bound_matches_the_formula(name, D, G):
    want, _ = naive_bound(SHAPES[name], D, G)
    assert predict.convex_bound(SHAPES[name], D=D, G=G) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("name", SHAPES)
def test_optimal_multiplier_is_the_minimum(name):
    m, b = predict.optimal_base_lr(SHAPES[name], D=2.0, G=1.5)
    _, (t1, t2, t3) = naive_bound(SHAPES[name], 2.0, 1.5)
    assert m == pytest.approx(math.sqrt(t1 / (t2 + t3)), rel=1e-12)
    assert b == pytest.approx(2 * math.sqrt(t1 * (t2 + t3)), rel=1e-12)
    # the bound of the scaled shape, computed naively, is b at m and larger on either side
    scaled = [naive_bound([m * f * e for e in SHAPES[name]], 2.0, 1.5)[0] for f in (0.9, 1.0, 1.1)]
    assert scaled[1] == pytest.approx(b, rel=1e-12)
    assert scaled[0] > scaled[1] < scaled[2]


def test_decay_beats_constant_and_trailing_zeros_are_dropped():
    ranked = bound.rank({"constant": np.ones(200), "linear to 0": np.linspace(1, 0, 200)})
    assert [r["name"] for r in ranked] == ["linear to 0", "constant"]
    assert predict.convex_bound(np.r_[np.linspace(1, 0.5, 50), np.zeros(5)]) == pytest.approx(
        naive_bound(np.linspace(1, 0.5, 50).tolist(), 1.0, 1.0)[0], rel=1e-12)
    steps, b = predict.bound_over_run(np.linspace(1, 0.01, 500), points=20)
    assert steps[-1] == 500 and b[-1] == pytest.approx(predict.convex_bound(np.linspace(1, 0.01, 500)))


@pytest.mark.parametrize("lrs, D, G", [([], 1, 1), ([0.0, 0.0], 1, 1), ([1, float("nan")], 1, 1), ([1], 0, 1),
                                       ([1], 1, float("inf")), ([1, -1], 1, 1), ([1], "1", 1)])
def test_bound_bad_input(lrs, D, G):
    with pytest.raises(ValueError):
        predict.convex_bound(lrs, D=D, G=G)


def naive_adamw(eta, lam):
    T = len(eta)
    weights = []
    for t in range(T):
        prod = 1.0
        for j in range(t + 1, T):
            prod *= 1 - eta[j] * lam
        weights.append(eta[t] * lam * prod)
    share = 1.0
    for e in eta:
        share *= 1 - e * lam
    return weights, share


@pytest.mark.parametrize("name", SHAPES)
def test_adamw_weights_match_the_formula(name):
    eta = [1e-3 * e for e in SHAPES[name]]
    lens = predict.adamw_lens(eta, 0.1 * 1000)  # eta * lambda up to 0.1: strong decay, short memory
    w, share = naive_adamw(eta, 100.0)
    np.testing.assert_allclose(lens.weights, w, rtol=1e-12)
    assert lens.initial_share == pytest.approx(share, rel=1e-12)
    assert lens.weights.sum() + lens.initial_share == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(lens.timescale, 1 / (np.array(eta) * 100.0), rtol=1e-12)


def test_adamw_decay_to_zero_averages_more_updates_than_cosine_to_10_percent():
    T = 2000
    u = np.arange(T) / (T - 1)
    to_zero = 1e-3 * 0.5 * (1 + np.cos(np.pi * u))
    to_ten = 1e-3 * (0.1 + 0.45 * (1 + np.cos(np.pi * u)))
    a, b = predict.adamw_lens(to_zero, 1.0), predict.adamw_lens(to_ten, 1.0)
    assert a.effective_updates > b.effective_updates
    assert a.weights[-1] == 0.0 and b.weights[-1] > 0


@pytest.mark.parametrize("lrs, wd", [([], 0.1), ([1.0], 0.0), ([1.0], float("nan")), ([2.0], 1.0), ([-1.0], 0.1)])
def test_adamw_bad_input(lrs, wd):
    with pytest.raises(ValueError):
        predict.adamw_lens(lrs, wd)
