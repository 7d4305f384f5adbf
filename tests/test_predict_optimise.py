"""The schedule optimiser: its gradient against finite differences of the law, its result against
schedules people use, and (slow) against the authors' optimised schedules."""

import numpy as np
import pytest

from warmup_core import predict
from warmup_core.predict import data, law, optimise

P400 = predict.PUBLISHED["400M"]


def exact_final(lrs, params=P400):
    return law.evaluate(lrs, [len(lrs) - 1], params, exact=True)[0][0]


def test_gradient_matches_finite_differences_of_the_law():
    rng = np.random.default_rng(3)
    lrs = np.r_[np.linspace(1e-5, 3e-4, 20), 3e-4 * rng.uniform(0.1, 1, 80)]
    loss, grad = optimise.final_loss_and_grad(lrs, P400)
    assert loss == pytest.approx(exact_final(lrs), rel=1e-13)
    h = 1e-10
    for j in (0, 7, 19, 20, 64, 98, 99):
        e = np.zeros_like(lrs)
        e[j] = h
        fd = (exact_final(lrs + e) - exact_final(lrs - e)) / (2 * h)
        assert grad[j] == pytest.approx(fd, rel=1e-5), j


def test_optimised_schedule_beats_the_usual_shapes():
    T, W = 3000, 200
    o = predict.optimise_schedule(3e-4, T, W, P400, n_knots=48, max_seconds=60)
    assert o.lrs.shape == (T,) and o.lrs.max() == pytest.approx(3e-4) and o.lrs[W - 1] == pytest.approx(3e-4)
    assert np.all(np.diff(o.lrs[W - 1:]) <= 0) and np.all(o.lrs >= 0)
    np.testing.assert_allclose(o.lrs[W - 1:], np.interp(np.arange(W - 1, T), o.knots, o.values), rtol=1e-12)
    assert o.final == pytest.approx(exact_final(o.lrs), abs=1e-12)
    for other in (data.cosine(T, warmup=W), data.wsd(T, 2400, warmup=W), data.constant(T, warmup=W),
                  data.wsd(T, 2700, warmup=W, shape="linear", end=3e-6)):
        assert o.final < exact_final(other)
    assert o.final < o.start_final


def test_bound_predictor_decays():
    o = predict.optimise_schedule(1.0, 400, 20, predictor="bound", n_knots=12, max_seconds=30)
    assert o.final < predict.convex_bound(np.r_[np.linspace(0, 1, 20), np.ones(380)])
    assert o.lrs[-1] < 0.5


@pytest.mark.parametrize("kw, match", [
    (dict(peak_lr=0.0), "peak_lr"), (dict(total_steps=10, warmup_steps=10), "warmup_steps"),
    (dict(n_knots=1), "n_knots"), (dict(predictor="x"), "predictor"), (dict(params=None), "constants"),
    (dict(min_lr=1.0), "min_lr"),
])
def test_bad_arguments(kw, match):
    args = dict(peak_lr=3e-4, total_steps=1000, warmup_steps=10, params=P400) | kw
    with pytest.raises(ValueError, match=match):
        predict.optimise_schedule(**args)


@pytest.mark.slow
def test_equal_or_lower_than_the_authors_optimised_schedule_400M():
    o = predict.optimise_schedule(3e-4, 24000, 2160, P400, polish=True, max_seconds=240)
    assert np.all(np.diff(o.lrs[2159:]) <= 0)
    assert exact_final(o.lrs) <= exact_final(data.optimized("400M")) + 1e-9


@pytest.mark.slow
def test_result_is_a_core_schedule_with_json_breakpoints_and_code():
    from warmup_core import from_json
    from warmup_core.libraries.torch import standalone

    T, W = 1500, 100
    o = predict.optimise_schedule(3e-4, T, W, P400, n_knots=24, max_seconds=30)
    s = o.to_schedule()
    t = np.arange(T, dtype=np.float64)
    np.testing.assert_allclose(s(t), o.lrs, rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(from_json(s.to_json())(t), o.lrs, rtol=1e-12, atol=1e-18)
    assert W - 1 in list(s.breakpoints())
    code = standalone(s)
    assert "LambdaLR" in code and "knots" in code
    ns = {}
    exec(compile(code.replace("model = torch.nn.Linear", "import torch\nmodel = torch.nn.Linear"), "snippet", "exec"),
         ns)
    np.testing.assert_allclose([ns["lr_multiplier"](int(i)) * ns["BASE_LR"] for i in (0, W - 1, 700, T - 1)],
                               o.lrs[[0, W - 1, 700, T - 1]], rtol=1e-12)
