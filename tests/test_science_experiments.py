"""The Learn page's warmup-science experiments: their findings on the chosen setups, the sharpness record's
honesty (#8 §5), the two lenses' fit, the paper's reference table."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from warmup_core import Decay, Schedule, Warmup  # noqa: E402
from warmup_core.training import (  # noqa: E402
    RunConfig,
    ensemble,  # noqa: E402
    train,
)
from warmup_core.training import experiments as X  # noqa: E402
from warmup_core.training.paper_results import WRN_CIFAR10  # noqa: E402
from warmup_core.training.sharpness import MAX_MEASUREMENTS, MIN_MEASUREMENTS, measured_steps, plan  # noqa: E402

# --- sharpness is never dropped silently --------------------------------------------------------------


@pytest.mark.parametrize("steps,every", [(300, 10), (300, 1), (5, 3), (40, 4), (1000, 100)])
def test_a_run_measures_as_asked_when_that_gives_enough_points(steps, every):
    applied, note = plan(steps, every)
    if len(measured_steps(steps, every)) >= min(MIN_MEASUREMENTS, steps):
        assert applied == every and note is None
    else:
        assert applied < every and "not every" in note


def test_too_few_or_too_many_measurements_are_changed_before_the_run_and_said():
    applied, note = plan(60, 50)  # 2 measurements asked
    assert len(measured_steps(60, applied)) >= MIN_MEASUREMENTS and "at least 10" in note and "before the run" in note
    applied, note = plan(100_000, 1)
    assert len(measured_steps(100_000, applied)) <= MAX_MEASUREMENTS and "at most" in note
    assert plan(300, 0) == (0, None)
    assert measured_steps(25, 10) == [0, 10, 20, 24]  # the last step is always measured


def test_the_engine_records_the_interval_it_used_in_every_row():
    s = Schedule(0.05, Warmup("linear", 10), Decay("cosine"), total_steps=30)
    rows = []
    train(RunConfig(task="mlp", schedule=s.to_dict(), steps=30, sharpness_every=25, sharpness_iters=5), rows.append)
    notes = [r["note"] for r in rows if "note" in r]
    sharp = [r for r in rows if "sharpness" in r]
    assert len(sharp) >= MIN_MEASUREMENTS
    assert notes and "not every 25" in notes[0]
    assert {r["sharp_every"] for r in sharp} == {plan(30, 25)[0]}
    assert [r["step"] for r in sharp] == measured_steps(30, plan(30, 25)[0])


# --- the catapult warmup ------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_warmup_from_eta_c_saves_the_predicted_steps_and_trains():
    r = X.catapult_warmup(seed=5)  # a seed nobody tuned on
    assert r.eta_c >= 0.9 * 2 / r.lambda0  # no overshoot below the local stability limit
    assert r.diverged_at[0] >= 0  # the target needs a warmup
    assert (r.diverged_at[1:] < 0).all()  # both warmups train
    assert r.reach[2] < r.reach[1]
    # measured saving, net of the search's forward passes, against T_wrm eta_c / eta_trgt - T_fp / 2 (+- rounding)
    assert abs((r.measured_saving - r.forward_passes / 2) - r.predicted_saving) <= 1.0


# --- the lr x warmup map: longer warmup never lowers the largest trainable lr -------------------------

@pytest.mark.slow
def test_map_boundary_rises_monotonically_with_warmup_length():
    res = X.lr_warmup_map(seeds=(0, 1, 2))
    best = res.largest_trainable()
    assert all(b is not None for b in best)
    assert all(a <= b for a, b in zip(best, best[1:])), best
    assert best[-1] >= 4 * best[0], best  # and the rise is large, not a tie
    assert np.isinf(res.final_loss[res.diverged]).all()


def test_map_cells_use_the_median_and_the_majority():
    res = X.MapResult([1.0, 2.0], [1, 4], [0, 1, 2], np.ones(3),
                      np.array([[[1.0, 1.0], [np.inf, 2.0]], [[3.0, 1.0], [np.inf, np.inf]],
                                [[2.0, 1.0], [5.0, 2.0]]]),
                      np.array([[[0, 0], [1, 0]], [[0, 0], [1, 1]], [[0, 0], [0, 0]]], dtype=bool))
    np.testing.assert_array_equal(res.median_loss, [[2.0, 1.0], [np.inf, 2.0]])
    np.testing.assert_array_equal(res.majority_diverged, [[False, False], [True, False]])
    assert res.largest_trainable() == [1.0, 2.0]
    assert res.largest_trainable(2) == [2.0, 2.0]


# --- GI-Adam moves Adam's failure boundary ------------------------------------------------------------

@pytest.mark.slow
def test_gi_adam_trains_at_a_larger_lr_than_adam_on_the_page_setup():
    res = X.gi_adam_boundary(seeds=(2, 3), lrs=X.GI_LRS[3:])  # the pair the earlier depth-5 setting lost on
    best = res.largest_trainable()
    adam, gi = best[0], best[1]
    assert gi is not None and (adam is None or gi > adam), best


# --- regimes and lenses -------------------------------------------------------------------------------

def test_sharpness_of_the_ensemble_matches_the_sharpness_tool():
    from warmup_core.training.sharpness import top_eigenvalue

    data = ensemble.digits(64, 32, "mse", "sp")
    lam = ensemble.initial_sharpness([3], data, 16, 3, iters=100)[0]
    model = X.FCN(ensemble.init_fcn(3, 64, 16, 3))
    want = top_eigenvalue(lambda: ensemble.loss_fn(model(data.x), data.y, "mse"), list(model.parameters()),
                          iters=100, tol=1e-7)
    assert lam == pytest.approx(want, rel=1e-3)


def test_single_threaded_is_scoped_nested_and_restores_the_thread_count():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with ensemble.single_threaded():
            assert torch.get_num_threads() == 1
            with ensemble.single_threaded():
                assert torch.get_num_threads() == 1
            assert torch.get_num_threads() == 1  # the inner block does not restore early
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError), ensemble.single_threaded():
            raise RuntimeError("boom")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_mup_readout_is_scaled_as_in_the_papers_code():
    p = ensemble.init_fcn(0, 64, 32, 3, param="mup")
    x = torch.randn(8, 64)
    h = torch.relu(x @ p["w0"].T * np.sqrt(32 / 64))
    h = torch.relu(h @ p["w1"].T * np.sqrt(32 / 32))
    out = h @ p["w2"].T * np.sqrt(1 / 32)
    torch.testing.assert_close(ensemble.fcn_forward(p, x, "mup"), out)


def _regime_run(param, sharp, lam0=1.0, c=1.0, warmup=64, steps=96, every=4, loss_end=0.01):
    lr = X.linear_warmup(c * 2 / lam0, warmup, steps)
    t = list(range(every, steps + 1, every))
    loss = np.geomspace(1.0, loss_end, steps)
    return X.RegimeRun(param, 0, lam0, c * 2 / lam0, c, warmup, lr, loss, t, np.asarray(sharp(np.asarray(t), lr)),
                       None, -1)


def test_regime_signature_tells_reduction_from_sharpening_and_from_neither():
    # SP-like: sharpness falls from lambda_0 to the final limit
    sp = _regime_run("sp", lambda t, lr: 0.125 + 0.875 * np.exp(-t / 10.0), c=8.0)
    assert sp.regime() == "reduction"
    # muP-like: rises from lambda_0 until it meets 2/eta_t, then rides 1.3x above it
    lim = lambda t, lr: 2 / lr[t - 1]  # noqa: E731
    mup = _regime_run("mup", lambda t, lr: np.minimum(1.0 + 0.3 * t, 1.3 * lim(t, lr)))
    g = mup.signature()
    assert mup.regime() == "sharpening" and g["peak"] >= 2 and g["end_over_limit"] == pytest.approx(1.3)
    # a collapsed run: the loss stays where it started, sharpness falls far below 2/eta
    dead = _regime_run("mup", lambda t, lr: np.minimum(1.0 + 0.3 * t, 0.2 * lim(t, lr)), loss_end=0.9)
    assert dead.regime() == "neither"
    # ending far above the limit (3x 2/eta_trgt) is not the band either
    assert _regime_run("mup", lambda t, lr: np.minimum(1.0 + 0.3 * t, 3.0)).regime() == "neither"
    assert X.RegimeRun("mup", 0, 1.0, 2.0, 1.0, 8, np.zeros(8), np.full(8, np.nan), [4, 8], np.ones(2), None,
                       3).regime() == "diverged"


@pytest.mark.slow
def test_regimes_sp_reduces_and_mup_sharpens_then_rides_two_over_eta():
    """The page's setting on seed 7 (not one the setting was chosen on): the paper's §4.1 signatures."""
    sp, mup = X.regimes(seed=7)
    assert (sp.diverged_at, mup.diverged_at) == (-1, -1)
    s, m = sp.signature(), mup.signature()
    assert s["end"] < 0.5 * s["early_peak"] and s["peak"] <= 1.2 * sp.lambda0  # SP: falls early, never rises
    assert m["peak"] >= 2 * mup.lambda0  # muP: rises from lambda_0 ...
    assert 0.5 <= m["end_over_limit"] <= 2.5 and m["on_limit"] >= 0.8  # ... and rides the band around 2/eta
    assert (sp.regime(), mup.regime()) == ("reduction", "sharpening")
    assert 1 <= len(s["catapults"]) <= 5 and len(m["catapults"]) >= 10  # separated catapults vs a persistent one


def test_loss_catapults_count_each_rise_once():
    loss = np.full(40, 1.0)
    loss[10], loss[11], loss[25] = 2.0, 1.8, 1.6  # one catapult over two steps, one more
    assert X.loss_catapults(loss) == [10, 25]
    assert X.loss_catapults(np.geomspace(1, 1e-3, 40)) == []


def test_curvature_bound_fit_recovers_a_known_line():
    loss = np.linspace(0.1, 2.0, 30)
    sharp = 3.0 + 5.0 * (loss - 0.1)
    h0, h1, ls = X.fit_curvature_bound(loss, sharp)
    assert (h0, h1, ls) == pytest.approx((3.0, 5.0, 0.1))
    with pytest.raises(ValueError):
        X.fit_curvature_bound(np.array([np.nan]), np.array([1.0]))


def test_update_ratios_spike_without_warmup():
    res, eta, lam0 = X.update_ratios(seed=0, steps=12, width=16, n=64)
    first = np.nanmax(res.update_ratio[:, :, :3], axis=(1, 2))
    assert first[0] > 10 * first[1]  # the warmup's first updates are tiny next to the full-lr ones


def test_linear_warmup_is_the_papers_polynomial_warmup():
    # lr = lr_init + (lr_trgt - lr_init) * (step + 1) / T_wrm, capped: step 0 already moves
    np.testing.assert_allclose(X.linear_warmup(1.0, 4, 6), [0.25, 0.5, 0.75, 1.0, 1.0, 1.0])
    np.testing.assert_allclose(X.linear_warmup(1.0, 1, 3), [1.0, 1.0, 1.0])


# --- the paper's reference table ----------------------------------------------------------------------

def test_the_papers_table_holds_its_headline():
    from ui.science import paper_boundaries, paper_caption

    b = paper_boundaries(WRN_CIFAR10)
    assert b[("Adam", 1)] < b[("Adam", 1024)]  # warmup lets Adam train at a larger lr
    assert b[("GI-Adam", 1)] > b[("Adam", 1)]  # GI-Adam without warmup does too
    assert len(WRN_CIFAR10) == 64 and {r["final_step"] for r in WRN_CIFAR10} == {99705}
    assert "0.02048" in paper_caption(WRN_CIFAR10)


# --- adaptive warmups: the applied lr is recorded and replays the run ---------------------------------

def _tiny_digits(seed=0):
    """The lab's FCN on a small digits subset, full batch (the setting the experiment uses, smaller)."""
    from warmup_core.training import ensemble
    from warmup_core.training.experiments import FCN

    data = ensemble.digits(128, 64, "mse", "sp")
    model = FCN(ensemble.init_fcn(seed, data.x.shape[1], 32, 3))
    return model, (lambda step: ensemble.loss_fn(model(data.x), data.y, "mse"))


def test_persistent_catapult_warmup_records_the_lr_it_applied_and_replays_exactly():
    from warmup_core.training import adaptive

    model, loss = _tiny_digits()
    init = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    run = adaptive.persistent_catapult(model, loss, opt, lambda p, lr: torch.optim.SGD(p, lr=lr), eta_trgt=1.5,
                                       steps=40)
    assert run.diverged_at is None and run.applied_lr[0] < 1.5 and run.reached_target_at is not None
    assert run.forward_passes > 0 and run.events[0][0] == 0
    assert all(b >= a for a, b in zip(run.applied_lr, run.applied_lr[1:]))  # a warmup: never lowered
    assert len(run.events) >= 2 and run.applied_lr[-1] == 1.5  # it raised the lr once a catapult resolved
    # replay with the exported schedule: the same weights, the same batches, the same losses
    sched = adaptive.as_schedule(run.applied_lr)
    np.testing.assert_allclose(sched(np.arange(40)), run.applied_lr, rtol=1e-12)
    with torch.no_grad():
        for p, q in zip(model.parameters(), init):
            p.copy_(q)
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    replay = []
    for step, lr in enumerate(sched(np.arange(40))):
        for g in opt.param_groups:
            g["lr"] = float(lr)
        value = loss(step)
        opt.zero_grad()
        value.backward()
        replay.append(float(value.detach()))
        opt.step()
    np.testing.assert_allclose(replay, run.loss, rtol=1e-5)


def test_metric_triggered_warmup_switches_when_the_metric_crosses():
    from warmup_core.training import adaptive

    errors = iter([0.95, 0.9, 0.85, 0.79, 0.7, 0.6])
    run = adaptive.metric_triggered(lambda lr: {"loss": 1.0, "train_error": next(errors)}, 0.01, 0.1, 6)
    assert run.applied_lr == [0.01, 0.01, 0.01, 0.01, 0.1, 0.1]
    assert run.reached_target_at == 4 and "0.79 < 0.8" in run.events[0][1]
    s = adaptive.as_schedule(run.applied_lr)
    np.testing.assert_allclose(s(np.arange(6)), run.applied_lr, rtol=1e-12)
    with pytest.raises(ValueError):
        adaptive.as_schedule([])


def test_metric_triggered_warmup_stops_on_divergence_and_fixed_records_the_same_way():
    from warmup_core.training import adaptive

    run = adaptive.metric_triggered(lambda lr: {"loss": float("nan"), "train_error": 1.0}, 0.01, 0.1, 5)
    assert run.diverged_at == 0 and len(run.applied_lr) == 1
    run = adaptive.fixed(lambda lr: {"loss": lr}, [0.1, 0.2, 0.3])
    assert run.applied_lr == run.loss == [0.1, 0.2, 0.3]


@pytest.mark.slow
def test_adaptive_warmups_experiment_trains_where_no_warmup_fails():
    r = X.adaptive_warmups(seed=0)
    nowarm, linear, pc, trig = r.runs
    assert nowarm.diverged_at is not None  # seed 0: 8·2/λ₀ without warmup blows up
    for run in (linear, pc, trig):
        assert run.diverged_at is None and run.loss[-1] < 0.05
    assert pc.reached_target_at < r.warmup and trig.reached_target_at < r.warmup
    s = r.schedule(2)
    np.testing.assert_allclose(s(np.arange(len(pc.applied_lr))), pc.applied_lr, rtol=1e-12)
