"""Drive the real libraries the way their training loops do, and record the lr of every update.

Each function returns ``lrs`` with ``lrs[t]`` = the lr used by optimizer update ``t``; this is the
ground truth the parity tests compare ``warmup_core.compat`` against.
"""

from __future__ import annotations

import warnings

import numpy as np


def torch_optimizer(base_lr=1.0, groups=None):
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    if groups:
        params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": g} for g in groups]
        return torch.optim.SGD(params, lr=base_lr)
    return torch.optim.SGD([p], lr=base_lr)


def step_torch(scheduler, optimizer, n, group=0, dampener=None):
    """``optimizer.step(); scheduler.step()`` n times; read the lr before each update."""
    lrs = []
    for _ in range(n):
        lrs.append(optimizer.param_groups[group]["lr"])
        optimizer.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if dampener is not None:
                    with dampener.dampening():
                        if scheduler is not None:
                            scheduler.step()
                else:
                    scheduler.step()
            except ValueError:  # OneCycleLR past its end: the lr of this update was still recorded
                break
    return np.array(lrs)


def torch_scheduler(name, optimizer, **params):
    import torch.optim.lr_scheduler as S

    if name in ("SequentialLR", "ChainedScheduler"):
        subs = [torch_scheduler(n, optimizer, **p) for n, p in params.pop("schedulers")]
        if name == "SequentialLR":
            return S.SequentialLR(optimizer, subs, **params)
        return S.ChainedScheduler(subs, optimizer=optimizer)
    return getattr(S, name)(optimizer, **params)


def torch_lrs(name, base_lr, n, **params):
    opt = torch_optimizer(base_lr)
    return step_torch(torch_scheduler(name, opt, **dict(params)), opt, n)


def transformers_lrs(name, base_lr, n, num_warmup_steps=None, num_training_steps=None, **kwargs):
    from transformers import get_scheduler

    opt = torch_optimizer(base_lr)
    sched = get_scheduler(name, opt, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps,
                          scheduler_specific_kwargs=kwargs)
    return step_torch(sched, opt, n)


def optax_lrs(name, n, **params):
    import jax

    assert jax.config.jax_enable_x64, "set JAX_ENABLE_X64=1 before importing jax"
    import optax

    sched = getattr(optax, name)(**params)
    return np.array([float(sched(t)) for t in range(n)])


def keras_lrs(name, n, **params):
    import keras

    sched = getattr(keras.optimizers.schedules, name)(**params)
    return np.array([float(sched(t)) for t in range(n)])


def pytorch_warmup_lrs(name, base_lr, n, lr_scheduler=None, beta2=0.999, **params):
    import pytorch_warmup
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], lr=base_lr, betas=(0.9, beta2))
    sched = torch_scheduler(lr_scheduler[0], opt, **dict(lr_scheduler[1])) if lr_scheduler else None
    warm = getattr(pytorch_warmup, name)(opt, **params)
    return step_torch(sched, opt, n, dampener=warm)
