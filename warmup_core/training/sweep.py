"""The lr × warmup map: final loss over a grid of target learning rates and warmup lengths.

Kalra & Barkeshli (2024): warmup widens the range of target learning rates that train. Every cell
starts from the same weights and sees the same batches. ``batched=True`` trains the whole grid at
once as one vectorised ensemble (``torch.func.vmap`` over stacked weights, SGD with momentum written
out), so the map costs about as much as a few single runs; ``batched=False`` runs the engine cell by
cell, the reference the batched version is checked against.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch.func import functional_call, grad_and_value, vmap

from ..schedule import Decay, Schedule, Warmup
from .engine import RunConfig, build, evaluate, train
from .tasks import batch, loss_and_correct


@dataclass
class SweepResult:
    lrs: list
    warmups: list
    final_loss: np.ndarray  # (len(lrs), len(warmups)); inf where the run diverged
    diverged: np.ndarray
    seconds: float


def schedules(lrs, warmups, steps, decay="cosine"):
    return [Schedule(lr, Warmup("linear", w), Decay(decay), "prepend", steps)
            for lr in lrs for w in warmups]


def run(lrs, warmups, steps=200, task="mlp", seed=0, batch_size=64, momentum=0.9, blowup=20.0, batched=True,
        device="cpu") -> SweepResult:
    t0 = time.perf_counter()
    scheds = schedules(lrs, warmups, steps)
    if batched:
        final, div = _batched(scheds, steps, task, seed, batch_size, momentum, blowup, torch.device(device))
    else:
        final, div = [], []
        for s in scheds:
            rows = []
            r = train(RunConfig(task=task, schedule=s.to_dict(), optimizer="sgd", momentum=momentum, steps=steps,
                                batch_size=batch_size, seed=seed, blowup=blowup, eval_every=steps, device=device),
                      rows.append)
            evals = [x["eval_loss"] for x in rows if "eval_loss" in x]
            div.append(r.status == "diverged")
            final.append(math.inf if r.status == "diverged" else evals[-1])
    shape = (len(lrs), len(warmups))
    return SweepResult(list(lrs), list(warmups), np.asarray(final, dtype=np.float64).reshape(shape),
                       np.asarray(div).reshape(shape), time.perf_counter() - t0)


def _batched(scheds, steps, task, seed, batch_size, momentum, blowup, device):
    cfg = RunConfig(task=task, seed=seed, batch_size=batch_size)
    data, model, gen, opts = build(cfg, device)
    if any(isinstance(m, torch.nn.modules.batchnorm._BatchNorm) for m in model.modules()):
        raise ValueError(f"the batched sweep needs a model without BatchNorm; run task {task!r} with batched=False")
    n = len(scheds)
    names = [k for k, _ in model.named_parameters()]
    params = {k: p.detach().unsqueeze(0).repeat(n, *([1] * p.dim())) for k, p in model.named_parameters()}
    bufs = {k: torch.zeros_like(v) for k, v in params.items()}
    lr = torch.tensor(np.stack([s(np.arange(steps)) for s in scheds]), dtype=torch.float32, device=device)
    alive = torch.ones(n, dtype=torch.bool, device=device)
    first = None

    def loss_fn(p, x, y):
        return loss_and_correct(lambda inp: functional_call(model, p, (inp,)), x, y, data)[0]

    step_fn = vmap(grad_and_value(loss_fn), in_dims=(0, None, None))
    ctx = int(opts.get("context", 64))
    for t in range(steps):
        x, y = batch(data, gen, batch_size, ctx)
        grads, loss = step_fn(params, x.to(device), y.to(device))
        first = loss.detach().clone() if first is None else first
        bad = ~torch.isfinite(loss) | (loss > blowup * first.clamp_min(1e-12))
        alive &= ~bad
        with torch.no_grad():
            scale = torch.where(alive, lr[:, t], torch.zeros_like(lr[:, t]))
            for k in names:
                g = torch.nan_to_num(grads[k], nan=0.0, posinf=0.0, neginf=0.0)
                bufs[k] = g if t == 0 else momentum * bufs[k] + g  # torch.optim.SGD (dampening 0)
                params[k] = params[k] - scale.view(-1, *([1] * (g.dim() - 1))) * bufs[k]
    final = []
    for i in range(n):
        if not alive[i]:
            final.append(math.inf)
            continue
        single = {k: v[i] for k, v in params.items()}
        with torch.no_grad():
            for k, p in model.named_parameters():
                p.copy_(single[k])
        final.append(evaluate(model, data, device, opts)[0])
    return final, (~alive).cpu().numpy().tolist()
