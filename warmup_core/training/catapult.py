"""The critical learning rate eta_c from the loss catapult, with forward passes only.

Kalra & Barkeshli (2024, §6.1 and App. B.2) estimate where training first becomes unstable from the
*first step alone*: take one optimizer step from the initial weights ``theta_0`` at learning rate
``eta`` and look at the loss ``L(theta_1(eta))`` on the same mini-batch. Below ``eta_c`` the loss
falls; above it, the step overshoots and the loss rises (the start of a catapult). Every optimizer
in the lab moves the weights *linearly in eta* on its first step (SGD: ``-eta g``; Adam:
``-eta m_hat / (sqrt(v_hat) + eps)``, whose direction does not depend on eta), so one gradient gives
the direction ``d`` and every trial is one forward pass at ``theta_0 + eta d``.

* **Algorithm 1 (exponential search).** From ``eta = 1e-4``, double ``eta`` until one step raises the
  loss, ``L(theta_1) > L(theta_0)``, or ``eta`` reaches ``eta_trgt`` (then no warmup is needed).
* **Algorithm 2 (binary search).** Bisect the bracket ``[eta / 2, eta]``, keeping a lower end that
  lowers the loss and an upper end that raises it, until the upper end raises it by less than a
  fraction ``delta``: ``L(theta_1(eta_hi)) < L(theta_0) (1 + delta)``; ``eta_c = eta_hi``.
  ``delta = 0.1`` for SGD and ``0.01`` for Adam, as in the paper.

On a quadratic ``L = lambda theta^2 / 2`` the first step gives ``L(theta_1) = (1 - eta lambda)^2 L(theta_0)``,
so ``eta_c`` is ``2 / lambda`` up to the tolerance: ``2/lambda <= eta_c < (1 + sqrt(1 + delta)) / lambda``.

The warmup that starts at ``eta_c`` is ``eta_t = eta_c + eta_trgt t / T_wrm`` (capped at ``eta_trgt``). It
reaches the target ``T_wrm eta_c / eta_trgt`` steps earlier than the same slope from 0; the search costs
``T_fp`` forward passes, about ``T_fp / 2`` steps (a step is a forward and a backward pass), so the
predicted saving is ``T_save = T_wrm eta_c / eta_trgt - T_fp / 2``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from ..schedule import Decay, Schedule, Warmup

DELTA = {"sgd": 0.1, "adam": 0.01, "adamw": 0.01, "gi-adam": 0.01}


@dataclass
class CatapultEstimate:
    eta_c: float
    forward_passes: int  # including the one at theta_0
    loss0: float
    trials: list = field(default_factory=list)  # (eta, L(theta_1) / L(theta_0)) in the order tried
    reached_target: bool = False  # Algorithm 1 reached eta_trgt without a rise: no warmup needed
    delta: float = 0.1

    def to_dict(self) -> dict:
        return {"eta_c": self.eta_c, "forward_passes": self.forward_passes, "loss0": self.loss0,
                "trials": [list(t) for t in self.trials], "reached_target": self.reached_target, "delta": self.delta}


def search(loss_after: Callable[[float], float], loss0: float, eta_trgt: float, delta: float = 0.1,
           eta_start: float = 1e-4, max_passes: int = 200) -> CatapultEstimate:
    """Algorithms 1 and 2 on any ``loss_after(eta) = L(theta_1(eta))``; ``loss0 = L(theta_0)`` (one pass)."""
    if not (eta_trgt > 0 and math.isfinite(eta_trgt)):
        raise ValueError(f"parameter 'eta_trgt' must be a positive number, got {eta_trgt!r}")
    if not delta > 0:
        raise ValueError(f"parameter 'delta' must be > 0, got {delta!r}")
    trials = []

    def rise(eta):  # L(theta_1) / L(theta_0); a NaN/inf loss counts as a rise
        v = float(loss_after(eta))
        r = v / loss0 if math.isfinite(v) else math.inf
        trials.append((eta, r))
        return r

    # Algorithm 1: exponential search
    eta = min(eta_start, eta_trgt)
    while True:
        if rise(eta) > 1.0:
            break
        if eta >= eta_trgt:
            return CatapultEstimate(eta_trgt, 1 + len(trials), loss0, trials, True, delta)
        eta = min(2.0 * eta, eta_trgt)
    if len(trials) == 1:  # even the first, tiny lr overshoots: nothing below it is known to be safe
        lo, r_hi = 0.0, trials[0][1]
    else:
        lo, r_hi = trials[-2][0], trials[-1][1]
    hi = eta
    # Algorithm 2: binary search, until the upper end raises the loss by less than delta
    while r_hi >= 1.0 + delta and len(trials) < max_passes:
        mid = 0.5 * (lo + hi)
        r = rise(mid)
        if r > 1.0:
            hi, r_hi = mid, r
        else:
            lo = mid
    return CatapultEstimate(hi, 1 + len(trials), loss0, trials, False, delta)


def first_step_direction(params: list[torch.Tensor], make_optimizer: Callable[[list, float], torch.optim.Optimizer],
                         grads: list[torch.Tensor]) -> list[torch.Tensor]:
    """``d`` with ``theta_1(eta) = theta_0 + eta d``: one real step of a fresh optimizer at lr 1 on a copy."""
    copies = [p.detach().clone().requires_grad_(True) for p in params]
    opt = make_optimizer(copies, 1.0)
    for c, g in zip(copies, grads):
        c.grad = g.detach().clone()
    opt.step()
    return [c.detach() - p.detach() for c, p in zip(copies, params)]


def estimate(model: torch.nn.Module, loss_on_batch: Callable[[], torch.Tensor], make_optimizer, eta_trgt: float,
             delta: float = 0.1, eta_start: float = 1e-4) -> CatapultEstimate:
    """eta_c for ``model`` at its current weights (left unchanged), with ``make_optimizer(params, lr)``.

    One backward pass for the gradient, then forward passes only (counted in ``forward_passes``).
    """
    params = [p for p in model.parameters() if p.requires_grad]
    was_training = model.training
    model.eval()  # a fixed function: BatchNorm statistics do not move between the trials
    try:
        loss0_t = loss_on_batch()
        grads = torch.autograd.grad(loss0_t, params)
        loss0 = float(loss0_t.detach())
        d = first_step_direction(params, make_optimizer, grads)
        theta0 = [p.detach().clone() for p in params]

        @torch.no_grad()
        def loss_after(eta):
            for p, t0, dd in zip(params, theta0, d):
                p.copy_(t0 + eta * dd)
            return float(loss_on_batch())

        try:
            return search(loss_after, loss0, eta_trgt, delta, eta_start)
        finally:
            with torch.no_grad():
                for p, t0 in zip(params, theta0):
                    p.copy_(t0)
    finally:
        model.train(was_training)


# --- the warmup that starts at eta_c -------------------------------------------------------------------

def warmup_from_eta_c(eta_c: float, eta_trgt: float, warmup_steps: int, total_steps: int,
                      decay: str = "constant") -> Schedule:
    """``eta_t = eta_c + eta_trgt t / T_wrm``, capped at ``eta_trgt``, as a Schedule.

    The same line is our linear warmup from ``factor = eta_c / eta_trgt`` over
    ``T_wrm (1 - eta_c / eta_trgt)`` steps: ``eta_trgt (f + (1 - f) t / (T (1 - f))) = eta_c + eta_trgt t / T``.
    The step count is rounded to a whole number of updates.
    """
    if not 0 < eta_c and eta_trgt > 0:
        raise ValueError(f"eta_c and eta_trgt must be positive, got {eta_c!r}, {eta_trgt!r}")
    f = min(eta_c / eta_trgt, 1.0)
    steps = int(round(warmup_steps * (1.0 - f)))
    warm = Warmup("linear", steps, factor=f) if steps > 0 else Warmup()
    return Schedule(eta_trgt, warm, Decay(decay), "prepend", total_steps)


def predicted_saving(warmup_steps: int, eta_c: float, eta_trgt: float, forward_passes: int) -> float:
    """``T_save = T_wrm eta_c / eta_trgt - T_fp / 2`` (Kalra & Barkeshli 2024, §6.1)."""
    return warmup_steps * min(eta_c / eta_trgt, 1.0) - forward_passes / 2.0


def steps_to_reach(applied_lr, eta_trgt: float, rtol: float = 1e-6) -> int | None:
    """The first step whose applied lr is the target (None if it never gets there)."""
    lr = np.asarray(applied_lr, dtype=np.float64)
    hit = np.flatnonzero(lr >= eta_trgt * (1 - rtol))
    return int(hit[0]) if hit.size else None
