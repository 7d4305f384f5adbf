"""A two-parameter model that shows why warmup works, in milliseconds.

Fit ``u * v = y`` with (noisy) gradient descent on ``L = (u v - y)^2 / 2``. The sharpness (the top
Hessian eigenvalue) near the solutions is ``lambda ~ u^2 + v^2``: an unbalanced start (``u = 3``,
``v = 0.05``) is sharp (``lambda ~ 9``), the balanced solution ``u = v = 1`` is flat (``lambda = 2``).
Gradient descent is stable only while ``lambda < 2 / eta``. Jumping straight to a large ``eta``
diverges; raising ``eta`` gradually lets each small excursion past ``2 / eta`` push the weights
towards flatter solutions (the catapult of Lewkowycz et al. 2020), so the model tolerates a larger
target ``eta`` (Kalra & Barkeshli 2024).

Runs are vectorised over many learning-rate curves at once (one row per curve).
"""

from __future__ import annotations

import numpy as np

DIVERGED = 1e6  # |u v| beyond this counts as diverged


def simulate(lrs, u0=3.0, v0=0.05, target=1.0, noise=1e-3, seed=0) -> dict:
    """Run gradient descent with the learning rates ``lrs`` (shape ``(steps,)`` or ``(runs, steps)``).

    Returns ``loss`` and ``sharpness`` (``u^2 + v^2``) per step (``nan`` after divergence) and
    ``diverged_at`` (the step, or -1). The gradient noise (std ``noise``) stands in for SGD's.
    """
    lrs = np.atleast_2d(np.asarray(lrs, dtype=np.float64))
    runs, steps = lrs.shape
    rng = np.random.default_rng(seed)
    u, v = np.full(runs, u0), np.full(runs, v0)
    loss = np.full((runs, steps), np.nan)
    sharp = np.full((runs, steps), np.nan)
    diverged_at = np.full(runs, -1)
    alive = np.ones(runs, dtype=bool)
    eps = rng.standard_normal((steps, 2, runs)) * noise  # the same noise for every run: a fair comparison
    for t in range(steps):
        r = u * v - target
        loss[alive, t] = 0.5 * r[alive] ** 2
        sharp[alive, t] = (u * u + v * v)[alive]
        gu, gv = r * v + eps[t, 0], r * u + eps[t, 1]
        u, v = u - lrs[:, t] * gu, v - lrs[:, t] * gv
        bad = alive & ~(np.abs(u * v) < DIVERGED)
        diverged_at[bad] = t + 1
        alive &= ~bad
        u, v = np.where(alive, u, 0.0), np.where(alive, v, 0.0)
    return {"loss": loss, "sharpness": sharp, "diverged_at": diverged_at}


def final_loss(result: dict) -> np.ndarray:
    """Loss at the last step of each run (``inf`` if it diverged)."""
    last = result["loss"][:, -1]
    return np.where(result["diverged_at"] >= 0, np.inf, last)
