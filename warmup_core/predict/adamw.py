"""The AdamW lens (Wang & Aitchison 2024; Bergsma et al. 2025, arXiv 2502.15938).

With decoupled weight decay, ``w_t = (1 - eta_t lambda) w_{t-1} - eta_t u_t``: the final weights are the
initial weights times ``prod_t (1 - eta_t lambda)`` plus a weighted sum of the updates, update ``t``
weighing

.. math::  c_{T,t} = \\eta_t\\lambda\\prod_{j=t+1}^{T}(1-\\eta_j\\lambda)

(with the update written as ``u_t / lambda``). The weights and the initial share sum to 1: AdamW's
weights are an exponential moving average of updates over a timescale of ``1 / (eta lambda)`` steps.
Decaying the lr to zero stretches that timescale at the end, so the last updates weigh less and more
steps are averaged; cosine to 10% keeps it short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AdamWLens:
    weights: np.ndarray  # c_{T,t}, t = 1..T: how much update t counts in the final weights
    initial_share: float  # prod (1 - eta_t lambda): the share of the initial weights left
    timescale: np.ndarray  # 1 / (eta_t lambda), in steps (inf where eta_t = 0)

    @property
    def effective_updates(self) -> float:
        """How many recent updates carry half of the final weights' update mass."""
        csum = np.cumsum(self.weights[::-1])
        total = csum[-1] if csum.size else 0.0
        return float(np.searchsorted(csum, 0.5 * total) + 1) if total > 0 else 0.0


def adamw_lens(lrs, weight_decay: float) -> AdamWLens:
    """The weights of each update in AdamW's final weights for the schedule ``lrs`` (eta_1..eta_T).

    Args:
        lrs: learning rate of each step (finite, >= 0).
        weight_decay: AdamW's lambda (torch ``weight_decay``), > 0; every ``eta_t lambda`` must be <= 1.

    >>> lens = adamw_lens([0.1] * 3, 0.5)
    >>> lens.weights.round(6).tolist(), round(lens.initial_share, 6)
    ([0.045125, 0.0475, 0.05], 0.857375)
    """
    eta = np.asarray(lrs, dtype=np.float64)
    if eta.ndim != 1 or eta.size < 1 or not np.all(np.isfinite(eta)) or np.any(eta < 0):
        raise ValueError("lrs must be a non-empty 1-D array of finite lrs >= 0")
    if not (isinstance(weight_decay, int | float) and math.isfinite(weight_decay) and weight_decay > 0):
        raise ValueError(f"weight_decay must be a finite number > 0, got {weight_decay!r}")
    decay = eta * weight_decay
    if decay.max() > 1:
        raise ValueError(f"lr x weight_decay reaches {decay.max():.3g} > 1: the weights would flip sign each step")
    keep = 1.0 - decay
    # later[t] = prod_{j > t} keep_j: a reverse cumulative product, shifted by one
    later = np.concatenate([np.cumprod(keep[::-1])[::-1][1:], [1.0]])
    with np.errstate(divide="ignore"):
        timescale = np.where(decay > 0, 1.0 / np.where(decay > 0, decay, 1.0), np.inf)
    return AdamWLens(decay * later, float(np.prod(keep)), timescale)
