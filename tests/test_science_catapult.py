"""eta_c from the loss catapult (Kalra & Barkeshli 2024, §6.1, App. B.2): Algorithms 1-2 on models whose
critical learning rate is known in closed form, and the warmup that starts there."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from warmup_core.training import catapult  # noqa: E402
from warmup_core.training.gi_adam import GIAdam  # noqa: E402


def quadratic(lams, seed=0):
    """L = sum(lam_i theta_i^2) / 2 as a torch model: for SGD, eta_c = 2 / max(lam)."""
    g = torch.Generator().manual_seed(seed)
    model = torch.nn.Module()
    model.theta = torch.nn.Parameter(torch.randn(len(lams), generator=g, dtype=torch.float64))
    lam = torch.tensor(lams, dtype=torch.float64)
    return model, (lambda: 0.5 * (lam * model.theta ** 2).sum())


def sgd(params, lr):
    return torch.optim.SGD(params, lr=lr)


@pytest.mark.parametrize("lam", [0.5, 4.0, 37.0, 900.0])
@pytest.mark.parametrize("delta", [0.1, 0.01])
def test_scalar_quadratic_gives_two_over_lambda_within_the_tolerance(lam, delta):
    model, loss = quadratic([lam])
    est = catapult.estimate(model, loss, sgd, eta_trgt=100.0, delta=delta)
    # L(theta_1) = (1 - eta lam)^2 L(theta_0): rises for eta > 2/lam, by less than delta below (1 + sqrt(1 + delta))/lam
    assert 2 / lam <= est.eta_c < (1 + math.sqrt(1 + delta)) / lam
    assert not est.reached_target
    assert est.forward_passes == 1 + len(est.trials)
    assert est.trials[0][0] == pytest.approx(1e-4)


def test_the_stiffest_direction_sets_eta_c_when_it_dominates_the_loss():
    # theta ~ N(0, 1) in 3 directions; the loss in the stiff direction dominates, so the first rise is near 2/100
    model, loss = quadratic([100.0, 1.0, 0.1], seed=3)
    est = catapult.estimate(model, loss, sgd, eta_trgt=10.0, delta=0.1)
    assert 2 / 100 <= est.eta_c < 2.1 / 100


def test_forward_passes_only_and_the_weights_are_left_as_they_were():
    model, loss = quadratic([4.0, 2.0])
    before = model.theta.detach().clone()
    calls = []

    def counted():
        calls.append(torch.is_grad_enabled())
        return loss()

    est = catapult.estimate(model, counted, sgd, eta_trgt=100.0)
    assert torch.equal(model.theta.detach(), before)
    assert len(calls) == est.forward_passes  # one pass at theta_0 (with its gradient), the rest without
    assert calls[0] and not any(calls[1:])


def test_exponential_search_stops_at_the_target_when_the_loss_never_rises():
    model, loss = quadratic([1.0])
    est = catapult.estimate(model, loss, sgd, eta_trgt=0.5)  # 2/lambda = 2 > 0.5
    assert est.reached_target and est.eta_c == 0.5
    assert [e for e, _ in est.trials] == pytest.approx([1e-4 * 2**k for k in range(13)] + [0.5])


def test_a_rise_at_the_very_first_lr_bisects_down_from_zero():
    est = catapult.search(lambda eta: (1 - eta * 1e5) ** 2, 1.0, eta_trgt=1.0, delta=0.1)
    assert 2e-5 <= est.eta_c < 2.05e-5


def test_adam_first_step_is_sign_like_so_eta_c_follows_from_the_sign_step():
    # Adam's first update is -eta g / (|g| + eps) ~ -eta sign(g): on L = lam theta^2 / 2 from theta_0,
    # L(theta_1) = lam (|theta_0| - eta)^2 / 2 rises once eta > 2 |theta_0|
    model, loss = quadratic([3.0])
    theta0 = abs(float(model.theta.detach()))
    est = catapult.estimate(model, loss, lambda p, lr: torch.optim.Adam(p, lr=lr), eta_trgt=100.0, delta=0.01)
    assert 2 * theta0 <= est.eta_c < (1 + math.sqrt(1.01)) * theta0


def test_gi_adam_first_step_is_damped_by_sqrt_one_minus_beta2():
    model, loss = quadratic([3.0])
    theta0 = abs(float(model.theta.detach()))
    est = catapult.estimate(model, loss, lambda p, lr: GIAdam(p, lr=lr), eta_trgt=1e4, delta=0.01)
    c = math.sqrt(1 - 0.999)  # v_hat = g^2 / (1 - b2): the first step is eta sqrt(1 - b2) sign(g)
    assert 2 * theta0 / c <= est.eta_c < (1 + math.sqrt(1.01)) * theta0 / c


def test_catapult_eta_c_on_a_network_is_not_below_two_over_lambda0():
    from warmup_core.training.sharpness import top_eigenvalue

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(8, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))
    x, y = torch.randn(64, 8), torch.randn(64, 1)

    def loss():
        return 0.5 * ((model(x) - y) ** 2).mean()

    lam0 = top_eigenvalue(loss, list(model.parameters()), iters=200, tol=1e-8)
    est = catapult.estimate(model, loss, sgd, eta_trgt=100.0)
    # below 2/lambda_0 no direction of the local quadratic overshoots, so the loss cannot rise there; above it,
    # the flatter directions keep lowering the loss for a while, so eta_c is often several times 2/lambda_0
    assert est.eta_c >= 0.9 * 2 / lam0


def test_warmup_from_eta_c_is_the_papers_line_and_saves_what_it_predicts():
    eta_c, eta_trgt, T = 0.2, 1.0, 100
    s = catapult.warmup_from_eta_c(eta_c, eta_trgt, T, 300)
    t = np.arange(300)
    np.testing.assert_allclose(s(t), np.minimum(eta_c + eta_trgt * t / T, eta_trgt), rtol=1e-12)
    reach = catapult.steps_to_reach(s(t), eta_trgt)
    base = catapult.steps_to_reach(np.minimum(eta_trgt * t / T, eta_trgt), eta_trgt)
    assert base == T and reach == 80
    assert base - reach == catapult.predicted_saving(T, eta_c, eta_trgt, forward_passes=0)
    assert catapult.predicted_saving(T, eta_c, eta_trgt, forward_passes=14) == 20 - 7


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError, match="eta_trgt"):
        catapult.search(lambda e: 1.0, 1.0, eta_trgt=0.0)
    with pytest.raises(ValueError, match="delta"):
        catapult.search(lambda e: 1.0, 1.0, eta_trgt=1.0, delta=0.0)
    assert catapult.steps_to_reach([0.1, 0.2], 1.0) is None
