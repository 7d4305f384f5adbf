"""GI-Adam and RI-Adam against their definitions (Kalra & Barkeshli 2024, §7; the released code's
``adam_init``), both bias-correction variants, and the vectorised copy the experiments use."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from warmup_core.training import ensemble  # noqa: E402
from warmup_core.training.gi_adam import GIAdam, implicit_warmup  # noqa: E402
from warmup_core.training.sharpness import adam_preconditioner  # noqa: E402


def reference(g0, grads, lr, b1=0.9, b2=0.999, eps=1e-8, bias_correction=True, v0=None):
    """The released code's update written out in float64: m_0 = 0, v_0 = g0^2 (or v0), count from 1."""
    theta = np.zeros_like(g0)
    m, v = np.zeros_like(g0), (g0**2 if v0 is None else v0).copy()
    out = []
    for t, g in enumerate(grads, 1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t) if bias_correction else v
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(theta.copy())
    return out


def run(opt_kwargs, g0, grads, initialize=True):
    p = torch.nn.Parameter(torch.zeros(len(g0), dtype=torch.float64))
    opt = GIAdam([p], **opt_kwargs)
    if initialize:
        opt.initialize([torch.tensor(g0)])
    out = []
    for g in grads:
        p.grad = torch.tensor(g)
        opt.step()
        out.append(p.detach().numpy().copy())
    return out, opt


@pytest.mark.parametrize("bias_correction", [True, False])
def test_gi_adam_matches_its_definition_for_ten_steps(bias_correction):
    rng = np.random.default_rng(0)
    g0 = rng.normal(size=6)
    grads = [rng.normal(size=6) for _ in range(10)]
    got, _ = run({"lr": 0.01, "bias_correction": bias_correction}, g0, grads)
    want = reference(g0, grads, 0.01, bias_correction=bias_correction)
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-12, atol=1e-15)


def test_first_update_with_the_released_codes_bias_correction_is_damped_by_sqrt_one_minus_beta2():
    g = np.array([0.5, -2.0, 1e-3])
    got, _ = run({"lr": 0.1}, g, [g])  # v_0 = g^2 from the same gradient: v_1 = g^2, v_hat = g^2 / (1 - b2)
    np.testing.assert_allclose(got[0], -0.1 * math.sqrt(1 - 0.999) * g / (np.abs(g) + 1e-8 * math.sqrt(1 - 0.999)),
                               rtol=1e-10)


def test_first_update_without_bias_correction_is_as_large_as_adams():
    g = np.array([0.5, -2.0, 1e-3])
    got, _ = run({"lr": 0.1, "bias_correction": False}, g, [g])
    p = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    adam = torch.optim.Adam([p], lr=0.1)
    p.grad = torch.tensor(g)
    adam.step()
    np.testing.assert_allclose(got[0], p.detach().numpy(), rtol=1e-7)
    np.testing.assert_allclose(got[0], -0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)


def test_without_initialize_v0_is_the_first_gradient_seen():
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=4) for _ in range(3)]
    got, _ = run({"lr": 0.05}, grads[0], grads, initialize=False)
    np.testing.assert_allclose(np.array(got), np.array(reference(grads[0], grads, 0.05)), rtol=1e-12)


def test_a_steady_gradient_gives_the_implicit_warmup_factor():
    g = np.array([0.3, -1.2])
    got, _ = run({"lr": 1.0, "eps": 0.0}, g, [g] * 50)
    steps = -np.diff(np.vstack([np.zeros(2), np.array(got)]), axis=0) / np.sign(g)  # Adam would move lr each step
    np.testing.assert_allclose(steps[:, 0], implicit_warmup(np.arange(1, 51)), rtol=1e-12)
    assert implicit_warmup(1) == pytest.approx(math.sqrt(0.001))
    assert implicit_warmup(288) == pytest.approx(0.5, abs=2e-3)
    assert implicit_warmup(1660) == pytest.approx(0.9, abs=2e-3)


def test_ri_adam_starts_from_a_random_vector_with_the_gradients_norm():
    g0 = np.array([3.0, 4.0, 0.0, 0.0])
    _, opt = run({"lr": 0.0, "v_init": "random"}, g0, [])
    v0 = next(iter(opt.state.values()))["v"].numpy()
    assert np.sqrt(v0).sum() > 0 and np.count_nonzero(v0) == 4  # not g0's direction (two zeros there)
    assert np.sqrt(np.sum(v0)) == pytest.approx(5.0, rel=1e-12)  # ||sqrt(v0)|| = ||g0||


def test_preconditioner_follows_the_bias_correction_setting():
    for bc in (True, False):
        p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
        opt = GIAdam([p], lr=0.1, bias_correction=bc)
        p.grad = torch.tensor([1.0, 2.0], dtype=torch.float64)
        opt.step()
        v = opt.state[p]["v"]
        want = 1 / ((v / (1 - 0.999) if bc else v).sqrt() + 1e-8)
        torch.testing.assert_close(adam_preconditioner(opt)[0], want)


def test_bad_settings_raise():
    with pytest.raises(ValueError, match="v_init"):
        GIAdam([torch.nn.Parameter(torch.zeros(1))], v_init="zeros")


def test_the_vectorised_ensemble_runs_the_same_adam_variants():
    """The experiments' vmap copy against torch.optim.Adam and GIAdam, member by member (full batch)."""
    data = ensemble.digits(64, 32, "mse", "sp")
    steps = 5
    members = [ensemble.Member(0, np.full(steps, 0.01), "zero", True),
               ensemble.Member(0, np.full(steps, 0.01), "grad", True),
               ensemble.Member(0, np.full(steps, 0.01), "grad", False)]
    res = ensemble.train(members, data, width=16, depth=2, optimizer="adam")
    for i, make in enumerate([lambda p: torch.optim.Adam(p, lr=0.01),
                              lambda p: GIAdam(p, lr=0.01), lambda p: GIAdam(p, lr=0.01, bias_correction=False)]):
        params = {k: v.clone().requires_grad_(True) for k, v in ensemble.init_fcn(0, 64, 16, 2).items()}
        opt = make(list(params.values()))
        losses = []
        for _ in range(steps):
            loss = ensemble.loss_fn(ensemble.fcn_forward(params, data.x), data.y, "mse")
            opt.zero_grad()
            loss.backward()
            losses.append(float(loss))
            opt.step()
        np.testing.assert_allclose(res.loss[i], losses, rtol=2e-4)
