"""Warmup science: sharpness by power iteration, the batched lr x warmup map, the range test."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.func import functional_call, hessian  # noqa: E402

from warmup_core import Decay, Schedule, Warmup  # noqa: E402
from warmup_core.training import RunConfig, sweep, train  # noqa: E402
from warmup_core.training.lr_range import lr_range_test, valley  # noqa: E402
from warmup_core.training.sharpness import threshold, top_eigenvalue  # noqa: E402


def tiny_problem(seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1)).double()
    x, y = torch.randn(16, 3, dtype=torch.float64), torch.randn(16, 1, dtype=torch.float64)
    names = [n for n, _ in model.named_parameters()]
    shapes = [p.shape for p in model.parameters()]

    def flat_loss(v):
        parts, i = [], 0
        for s in shapes:
            n = math.prod(s)
            parts.append(v[i:i + n].reshape(s))
            i += n
        return torch.nn.functional.mse_loss(functional_call(model, dict(zip(names, parts)), (x,)), y)

    flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
    H = hessian(flat_loss)(flat)
    return model, (lambda: torch.nn.functional.mse_loss(model(x), y)), H


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_power_iteration_matches_the_full_hessian(seed):
    model, loss_fn, H = tiny_problem(seed)
    lam = top_eigenvalue(loss_fn, list(model.parameters()), iters=500, tol=1e-12)
    assert lam == pytest.approx(torch.linalg.eigvalsh(H)[-1].item(), rel=1e-3)


def test_preconditioned_sharpness_matches_d_half_h_d_half():
    model, loss_fn, H = tiny_problem(0)
    d = [torch.rand_like(p) + 0.5 for p in model.parameters()]
    D = torch.cat([x.reshape(-1) for x in d]).sqrt()
    want = torch.linalg.eigvalsh(D[:, None] * H * D[None, :])[-1].item()
    lam = top_eigenvalue(loss_fn, list(model.parameters()), iters=500, tol=1e-12, precond=d)
    assert lam == pytest.approx(want, rel=1e-3)


def test_a_dominant_negative_eigenvalue_still_gives_the_largest_one():
    w = torch.nn.Parameter(torch.tensor([0.3, -0.2, 0.1], dtype=torch.float64))
    a = torch.tensor([-5.0, 2.0, 1.0], dtype=torch.float64)
    lam = top_eigenvalue(lambda: 0.5 * (a * w * w).sum(), [w], iters=300, tol=1e-12)
    assert lam == pytest.approx(2.0, rel=1e-3)


def test_thresholds():
    assert threshold("sgd", 0.1) == pytest.approx(20.0)
    assert threshold("sgd", 0.1, 0.9) == pytest.approx(38.0)  # heavy-ball momentum: (2 + 2 * 0.9) / 0.1
    assert threshold("adam", 0.1, 0.9) == pytest.approx(380.0)  # (2 + 2 * 0.9) / (0.1 * 0.1)
    assert threshold("sgd", 0.0) == math.inf


def test_engine_records_sharpness_and_its_limit():
    s = Schedule(0.05, Warmup("linear", 20), Decay("cosine"), total_steps=40)
    rows = []
    train(RunConfig(task="mlp", schedule=s.to_dict(), steps=40, sharpness_every=10, log_every=5), rows.append)
    measured = [r for r in rows if "sharpness" in r]
    # 40 steps at every 10 would give 5 points: the run chose a finer interval before starting (>= 10 points)
    every = measured[0]["sharp_every"]
    assert every < 10 and len(measured) >= 10 and [r["step"] for r in measured][:2] == [0, every]
    for r in measured:
        assert r["sharpness"] > 0 and r["sharp_limit"] == pytest.approx(threshold("sgd", r["lr"], 0.9))


def test_the_map_marks_diverged_cells_and_batched_agrees_with_one_at_a_time():
    lrs, ws = [0.05, 0.2, 1.5], [0, 100]
    b = sweep.run(lrs, ws, steps=120, batched=True)
    s = sweep.run(lrs, ws, steps=120, batched=False)
    assert b.diverged[2, 0] and s.diverged[2, 0]  # lr 1.5 without warmup blows up
    assert not b.diverged[0].any() and not b.diverged[1].any()
    np.testing.assert_allclose(b.final_loss[:2], s.final_loss[:2], rtol=2e-3)  # float32, other sum order
    assert np.isinf(b.final_loss[b.diverged]).all()


def test_batched_map_refuses_batchnorm_with_a_clear_message():
    with pytest.raises(ValueError, match="BatchNorm"):
        sweep.run([0.1], [0], steps=5, task="digits", batched=True)


def test_range_test_suggests_a_learning_rate_inside_its_sweep():
    rt = lr_range_test("mlp", num_it=60, start=1e-4, end=10.0)
    assert rt.lrs[0] == pytest.approx(1e-4) and len(rt.lrs) <= 60
    assert rt.valley is not None and rt.lrs[0] <= rt.valley <= rt.lrs[-1]
    assert rt.eta_2_over_lambda is not None and rt.eta_2_over_lambda > 0


def test_valley_picks_two_thirds_down_the_longest_descent():
    lrs = np.logspace(-4, 0, 40)
    losses = np.concatenate([np.full(5, 3.0), np.linspace(3.0, 1.0, 25), np.linspace(1.0, 5.0, 10)])
    v = valley(lrs, losses)
    assert lrs[10] < v < lrs[25]


def test_the_old_probe_module_still_imports_and_says_it_moved():
    import importlib
    import sys

    sys.modules.pop("warmup_core.training.probe", None)
    with pytest.warns(DeprecationWarning, match="lr_range"):
        probe = importlib.import_module("warmup_core.training.probe")
    assert probe.lr_range_test is lr_range_test and probe.valley is valley
