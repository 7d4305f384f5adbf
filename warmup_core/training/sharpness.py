"""Sharpness: the top eigenvalue of the loss Hessian, by power iteration on Hessian-vector products.

Gradient descent at learning rate ``eta`` is stable along a direction of curvature ``lambda`` only while
``lambda < 2 / eta`` (``(2 + 2 beta) / eta`` with heavy-ball momentum ``beta``). For Adam the relevant
quantity is the *pre-conditioned* sharpness, the top eigenvalue of ``P^-1/2 H P^-1/2`` with
``P = diag(sqrt(v_hat) + eps)``, whose threshold is
``(2 + 2 beta1) / ((1 - beta1) eta)`` (38/eta for beta1 = 0.9; Cohen et al. 2022). Kalra & Barkeshli
(2024) read warmup through these two numbers.
"""

from __future__ import annotations

import math
import time

import torch
from torch.nn.attention import SDPBackend, sdpa_kernel


def _hvp(loss_fn, params, vec):
    grads = torch.autograd.grad(loss_fn(), params, create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, vec))
    return torch.autograd.grad(dot, params)


def top_eigenvalue(loss_fn, params, iters=20, precond=None, seed=0, tol=1e-4) -> float:
    """Largest eigenvalue of the Hessian of ``loss_fn()`` w.r.t. ``params`` (power iteration).

    ``precond`` (one tensor per parameter, e.g. ``1 / (sqrt(v_hat) + eps)``) measures the
    pre-conditioned Hessian ``D^1/2 H D^1/2`` instead. Power iteration finds the eigenvalue of
    largest magnitude; if that is negative (an indefinite Hessian early in training), a second pass
    on ``H - lambda I`` finds the largest one.
    """
    lam = _power(loss_fn, params, iters, precond, seed, tol, shift=0.0)
    if lam < 0:
        lam = _power(loss_fn, params, iters, precond, seed, tol, shift=lam) + lam
    return lam


def _power(loss_fn, params, iters, precond, seed, tol, shift) -> float:
    params = [p for p in params if p.requires_grad]
    g = torch.Generator(device="cpu").manual_seed(seed)
    vec = [torch.randn(p.shape, generator=g).to(p) for p in params]
    scale = [d.sqrt() for d in precond] if precond is not None else None
    lam = 0.0
    for _ in range(iters):
        norm = torch.sqrt(sum((v * v).sum() for v in vec))
        vec = [v / norm for v in vec]
        x = [v * s for v, s in zip(vec, scale)] if scale else vec
        hv = _hvp(loss_fn, params, x)
        if scale:
            hv = [h * s for h, s in zip(hv, scale)]
        if shift:
            hv = [h - shift * v for h, v in zip(hv, vec)]
        new = float(sum((h * v).sum() for h, v in zip(hv, vec)))
        vec = [h.detach() for h in hv]
        if abs(new - lam) <= tol * max(abs(new), 1e-12):
            lam = new
            break
        lam = new
    return lam


def adam_preconditioner(optimizer) -> list[torch.Tensor] | None:
    """``1 / (sqrt(v_hat) + eps)`` per parameter from an Adam-like optimizer's state (None before step 1)."""
    out = []
    for group in optimizer.param_groups:
        b2, eps = group.get("betas", (0.9, 0.999))[1], group.get("eps", 1e-8)
        for p in group["params"]:
            st = optimizer.state.get(p, {})
            v = st.get("exp_avg_sq", st.get("v"))
            if v is None:
                return None
            step = st.get("step", 1)
            step = float(step) if not torch.is_tensor(step) else float(step.item())
            corrected = "exp_avg_sq" in st or group.get("bias_correction", False)  # GI-Adam: as configured
            corr = 1 - b2**step if corrected else 1.0
            out.append(1.0 / ((v / corr).sqrt() + eps))
    return out


def threshold(optimizer_name: str, lr: float, beta: float = 0.0) -> float:
    """The stability limit for the sharpness the engine measures: ``(2 + 2 beta) / lr`` for SGD with
    heavy-ball momentum ``beta`` (``2 / lr`` without), ``(2 + 2 beta1) / ((1 - beta1) lr)`` for Adam's
    pre-conditioned sharpness (Cohen et al. 2022)."""
    if lr <= 0:
        return float("inf")
    if optimizer_name in ("adam", "adamw", "gi-adam"):
        return (2 + 2 * beta) / ((1 - beta) * lr)
    return (2 + 2 * beta) / lr


MIN_MEASUREMENTS = 10  # a sharpness curve with fewer points shows no catapult
MAX_MEASUREMENTS = 300  # beyond this the chart gains nothing and the run pays for it


def measured_steps(steps: int, every: int) -> list[int]:
    """The steps a run measures at: every ``every``-th from 0, and always the last one."""
    if every <= 0 or steps <= 0:
        return []
    out = list(range(0, steps, every))
    return out if out[-1] == steps - 1 else out + [steps - 1]


def plan(steps: int, every: int) -> tuple[int, str | None]:
    """The measuring interval a run uses, decided *before* it starts, and the note that says why if it differs.

    A run measures as asked, except that it never takes fewer than ``MIN_MEASUREMENTS`` (the interval
    shrinks) nor more than ``MAX_MEASUREMENTS`` (it grows); the run records the interval it used.
    """
    if every <= 0:
        return 0, None
    applied = every
    if len(measured_steps(steps, applied)) > MAX_MEASUREMENTS:
        applied = math.ceil(steps / (MAX_MEASUREMENTS - 1))
    if len(measured_steps(steps, applied)) < min(MIN_MEASUREMENTS, steps):
        applied = max(1, (steps - 1) // (MIN_MEASUREMENTS - 1))
    if applied == every:
        return every, None
    n = len(measured_steps(steps, applied))
    why = (f"at least {MIN_MEASUREMENTS}" if applied < every else f"at most {MAX_MEASUREMENTS}")
    return applied, (f"sharpness measured every {applied} steps, not every {every} as asked, so that this "
                     f"{steps}-step run has {why} measurements ({n}); chosen before the run")


def measure(model, loss_on_batch, optimizer, optimizer_name, iters=20):
    """``(sharpness, seconds)`` on a fixed batch, pre-conditioned for Adam-like optimizers."""
    t0 = time.perf_counter()
    params = [p for p in model.parameters() if p.requires_grad]
    precond = adam_preconditioner(optimizer) if optimizer_name in ("adam", "adamw", "gi-adam") else None
    was_training = model.training
    model.eval()  # BatchNorm in eval: the Hessian of a fixed function
    try:
        # Hessian-vector products need double backward, which only the math attention kernel has
        with sdpa_kernel([SDPBackend.MATH]):
            lam = top_eigenvalue(loss_on_batch, params, iters=iters, precond=precond)
    finally:
        model.train(was_training)
    return lam, time.perf_counter() - t0
