"""Warmups that decide as they go, recorded step by step and exportable as the schedule they turned out to be.

* :func:`persistent_catapult` — Kalra & Barkeshli (2024, App. C, Algorithm 3), as we read it: start at
  ``eta_c`` (Algorithms 1-2), train; whenever the loss has come back below where it was when the lr was
  last raised (the catapult has resolved, the net sits in a flatter region), search ``eta_c`` again
  from the current weights and raise the lr to it (never lowering it), until it reaches ``eta_trgt``.
  No warmup length is given: the net's own curvature sets the pace.
* :func:`metric_triggered` — He et al. (2016, §4.2) for ResNet-110: a constant ``low`` lr until a metric
  crosses a threshold (training error below 80%, about 400 iterations there), then the target.

Both return the lr applied at every step (read back from the optimizer) and events that say why it changed;
:func:`as_schedule` turns the applied lr into a piecewise-constant :class:`~warmup_core.Schedule`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..schedule import Decay, Schedule
from . import catapult


@dataclass
class AdaptiveRun:
    applied_lr: list = field(default_factory=list)  # per step, read back from the optimizer
    loss: list = field(default_factory=list)
    events: list = field(default_factory=list)  # (step, what happened)
    forward_passes: int = 0  # spent by eta_c searches
    reached_target_at: int | None = None
    diverged_at: int | None = None  # the first step whose loss was NaN/inf (the run stops there)


def _set_lr(optimizer, lr):
    for g in optimizer.param_groups:
        g["lr"] = lr


def persistent_catapult(model, loss_on_batch: Callable, optimizer, make_search_optimizer, eta_trgt: float,
                        steps: int, delta: float = 0.1, check_every: int = 1) -> AdaptiveRun:
    """Algorithm 3. ``loss_on_batch(step)`` is the training loss of the step's batch (a tensor with grad);
    ``make_search_optimizer(params, lr)`` builds the fresh optimizer the eta_c search steps with."""
    run = AdaptiveRun()

    def search(step):
        est = catapult.estimate(model, lambda: loss_on_batch(step), make_search_optimizer, eta_trgt, delta)
        run.forward_passes += est.forward_passes
        return est.eta_c

    lr = min(search(0), eta_trgt)
    _set_lr(optimizer, lr)
    run.events.append((0, f"η_c = {lr:.4g}: start there"))
    ref = None  # the loss when the lr was last raised
    for step in range(steps):
        loss = loss_on_batch(step)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        value = float(loss.detach())
        if not np.isfinite(value):
            run.diverged_at = step
            run.events.append((step, "the loss is NaN/inf: the run diverged"))
            break
        ref = value if ref is None else ref
        run.applied_lr.append(optimizer.param_groups[0]["lr"])
        run.loss.append(value)
        optimizer.step()
        if run.reached_target_at is None and lr >= eta_trgt:
            run.reached_target_at = step
        if lr < eta_trgt and step % check_every == 0 and value < ref and step > 0:
            new = min(search(step + 1), eta_trgt)
            if new > lr:
                run.events.append((step + 1, f"loss {value:.4g} < {ref:.4g}: η_c = {new:.4g}, raise the lr"))
                lr = new
                _set_lr(optimizer, lr)
                ref = value
    return run


def metric_triggered(train_step: Callable[[float], dict], low: float, high: float, steps: int,
                     metric: str = "train_error", below: float = 0.8) -> AdaptiveRun:
    """ResNet-110's constant warmup: ``low`` until ``metric < below``, then ``high``. ``train_step(lr)``
    takes one step at ``lr`` and returns a dict with ``loss`` and the metric; the lr it got is recorded."""
    run = AdaptiveRun()
    lr = low
    for step in range(steps):
        out = train_step(lr)
        run.applied_lr.append(lr)
        run.loss.append(float(out["loss"]))
        if not np.isfinite(run.loss[-1]):
            run.diverged_at = step
            run.events.append((step, "the loss is NaN/inf: the run diverged"))
            break
        if lr == low and out[metric] < below:
            lr = high
            run.reached_target_at = step + 1
            run.events.append((step + 1, f"{metric} {out[metric]:.3g} < {below:g}: switch to {high:g}"))
    return run


def fixed(train_step: Callable[[float], dict], lrs) -> AdaptiveRun:
    """A schedule decided in advance, run through the same loop and record (for a fair comparison)."""
    run = AdaptiveRun()
    for step, lr in enumerate(lrs):
        out = train_step(float(lr))
        run.applied_lr.append(float(lr))
        run.loss.append(float(out["loss"]))
        if not np.isfinite(run.loss[-1]):
            run.diverged_at = step
            run.events.append((step, "the loss is NaN/inf: the run diverged"))
            break
    return run


def as_schedule(applied_lr, name_steps: int | None = None) -> Schedule:
    """The piecewise-constant Schedule that reproduces ``applied_lr`` exactly, step by step."""
    lr = np.asarray(applied_lr, dtype=np.float64)
    if lr.size == 0 or not np.all(np.isfinite(lr)) or lr.max() <= 0:
        raise ValueError("applied_lr must be a non-empty list of finite learning rates, not all zero")
    peak = float(lr.max())
    change = np.flatnonzero(np.diff(lr)) + 1
    values = [float(lr[0] / peak)] + [float(lr[i] / peak) for i in change]
    return Schedule(peak, decay=Decay("piecewise", milestones=[int(i) for i in change], values=values),
                    total_steps=int(name_steps or lr.size))
