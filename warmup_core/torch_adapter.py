"""Drive a real ``torch.optim`` optimizer with a warmup_core schedule.

>>> import torch
>>> from warmup_core import Schedule, Warmup, Decay
>>> from warmup_core.torch_adapter import attach
>>> opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
>>> sched = attach(opt, Schedule(0.1, Warmup("linear", 4), Decay("cosine"), total_steps=12))
>>> opt.param_groups[0]["lr"]          # the lr of update 0
0.0
>>> for _ in range(4): opt.step(); sched.step()
>>> opt.param_groups[0]["lr"]          # update 4: the end of warmup
0.1

torch is imported only here (and in :mod:`warmup_core.training`).
"""

from __future__ import annotations

import numpy as np

from .schedule import Curve


class ScheduleMultiplier:
    """``t -> schedule(t) / schedule.base_lr``, precomputed in blocks so a training loop pays an
    array lookup per step, not a numpy call."""

    def __init__(self, schedule: Curve, block: int = 4096):
        self.schedule, self.block = schedule, block
        self._start, self._values = 0, np.empty(0)

    def __call__(self, t: int) -> float:
        if not self._start <= t < self._start + len(self._values):
            self._start = int(t)
            steps = np.arange(self._start, self._start + self.block, dtype=np.float64)
            self._values = self.schedule.multiplier(steps)
        return float(self._values[int(t) - self._start])


def attach(optimizer, schedule: Curve, last_epoch: int = -1):
    """A ``LambdaLR`` that sets every param group's lr to ``group_base_lr * m(t)``.

    ``m(t) = schedule(t) / schedule.base_lr``, so a group whose lr equals ``schedule.base_lr`` gets
    exactly ``schedule(t)``; other groups keep their ratio to it (per-group base lrs honoured).
    Call ``scheduler.step()`` after ``optimizer.step()``, as with any torch scheduler.
    """
    import torch

    return torch.optim.lr_scheduler.LambdaLR(optimizer, ScheduleMultiplier(schedule), last_epoch=last_epoch)
