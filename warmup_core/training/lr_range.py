"""Choosing the learning rates: an lr range test (fastai style) and the catapult estimate of eta_init.

* :func:`lr_range_test` raises the lr geometrically from ``start`` to ``end`` over ``num_it`` updates,
  records the debiased smoothed loss (fastai's ``AvgSmoothLoss``, beta 0.98), stops once it exceeds
  4 × its best, and suggests a target lr by fastai's *valley* rule (and the *steepest* slope).
* The same sweep estimates where training first overshoots: the lr at which the smoothed loss turns
  up (the start of a catapult), and ``2 / lambda_0`` from the initial sharpness (SGD's stability
  limit). Kalra & Barkeshli (2024) suggest starting the warmup near there (``eta_init``) rather than
  at 0: the steps far below it do little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .engine import RunConfig, build, make_optimizer
from .sharpness import measure
from .tasks import batch, loss_and_correct


@dataclass
class RangeTest:
    lrs: np.ndarray
    losses: np.ndarray  # smoothed
    raw: np.ndarray
    valley: float | None
    steepest: float | None
    spike_lr: float | None  # first lr where the smoothed loss rose 20% above its best
    eta_2_over_lambda: float | None


def lr_range_test(task="mlp", optimizer=None, start=1e-5, end=10.0, num_it=100, seed=0, batch_size=None,
                  beta=0.98, device="cpu", spike=1.2) -> RangeTest:
    from .tasks import task as get_task

    t = get_task(task)
    cfg = RunConfig(task=task, optimizer=optimizer or t.optimizer, seed=seed, batch_size=batch_size or t.batch_size)
    data, model, gen, opts = build(cfg, torch.device(device))
    opt = make_optimizer(cfg, model.parameters(), start)
    ctx = int(opts.get("context", 64))
    x0, y0 = batch(data, torch.Generator().manual_seed(seed + 2), min(cfg.batch_size, 256), ctx)
    lam0 = None
    if cfg.optimizer == "sgd":
        lam0, _ = measure(model, lambda: loss_and_correct(model, x0, y0, data)[0], opt, "sgd", iters=20)
    lrs, raw, smooth = [], [], []
    avg, best, spike_lr = 0.0, np.inf, None
    for i in range(num_it):
        lr = start * (end / start) ** (i / max(num_it - 1, 1))
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = batch(data, gen, cfg.batch_size, ctx)
        loss, _ = loss_and_correct(model, x, y, data)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        v = float(loss.detach())
        if not np.isfinite(v):
            break
        opt.step()
        avg = beta * avg + (1 - beta) * v
        s = avg / (1 - beta ** (i + 1))
        lrs.append(lr)
        raw.append(v)
        smooth.append(s)
        if spike_lr is None and i > num_it // 10 and s > spike * best:
            spike_lr = lr  # the smoothed loss turns up: the first overshoot
        best = min(best, s)
        if s > 4 * best:
            break
    lrs, smooth, raw = np.array(lrs), np.array(smooth), np.array(raw)
    return RangeTest(lrs, smooth, raw, valley(lrs, smooth), steepest(lrs, smooth), spike_lr,
                     (2.0 / lam0) if lam0 and lam0 > 0 else None)


def valley(lrs, losses) -> float | None:
    """fastai's valley: the longest decreasing stretch of the loss; 2/3 of the way down it."""
    n = len(losses)
    if n < 5:
        return None
    lo, hi = n // 10, n - 5 if n > 15 else n
    l = losses[lo:hi]
    if len(l) < 3:
        return None
    runs = np.ones(len(l), dtype=int)
    for i in range(1, len(l)):
        for j in range(i):
            if l[i] < l[j] and runs[i] < runs[j] + 1:
                runs[i] = runs[j] + 1
    end = int(np.argmax(runs))
    length = int(runs[end])
    start = end - length + 1
    idx = start + int(length / 3) + int(length / 3 / 2)
    return float(lrs[lo + min(idx, len(l) - 1)])


def steepest(lrs, losses) -> float | None:
    """The steepest fall of the loss against log lr, on the same middle stretch fastai uses."""
    n = len(losses)
    lo, hi = n // 10, n - 5 if n > 15 else n
    if hi - lo < 3:
        return None
    g = np.gradient(losses[lo:hi], np.log(lrs[lo:hi]))
    return float(lrs[lo + int(np.argmin(g))])
