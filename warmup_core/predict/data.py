"""The authors' data shipped in ``warmup_core/data/multi_power_law`` (MIT, see its LICENSE and README).

Luo et al., "A Multi-Power Law for Loss Curve Prediction Across Learning Rate Schedules", ICLR 2025:
real loss curves of three Llama-style model sizes under nine schedules, the constants the authors fitted
on three of them, and the schedules they optimised. The schedules are rebuilt here exactly as the
authors' ``src/lr_schedules.py`` builds them (checked against the CSVs' ``lr`` column in the tests).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np

from .domain import Domain

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "multi_power_law"
SIZES = ("25M", "100M", "400M")
PEAK_LR, END_LR, WARMUP = 3e-4, 3e-5, 2160
TRAIN = ("cosine_24000", "constant_24000", "wsdcon_9")  # the authors' fitting set
TEST = ("constant_72000", "cosine_72000", "wsd_20000_24000", "wsdld_20000_24000", "wsdcon_3", "wsdcon_18")
CURVES = TRAIN + TEST

# The authors' published constants (their src/config.py PARAMS), fitted on TRAIN.
PUBLISHED = {
    "25M": dict(L0=3.04045406, A=0.52468604, alpha=0.50786857, B=363.78751622, C=2.06560812,
                beta=0.58279013, gamma=0.64142257),
    "100M": dict(L0=2.6514477, A=0.60115152, alpha=0.45295811, B=437.9464276, C=2.13245612,
                 beta=0.59785199, gamma=0.65523644),
    "400M": dict(L0=2.37474466, A=0.65421216, alpha=0.42878731, B=523.42464371, C=2.02462735,
                 beta=0.59350493, gamma=0.63472457),
}
# Mean absolute error over the nine curves, as the paper and the authors' logs report it.
PUBLISHED_MAE = {"25M": 0.00376, "100M": 0.00435, "400M": 0.00484}


def _warmup(peak=PEAK_LR, warmup=WARMUP):
    return np.linspace(0.0, peak, warmup)  # step warmup-1 is the peak


def constant(total, peak=PEAK_LR, warmup=WARMUP):
    """Linear warmup, then ``peak``."""
    return np.concatenate([_warmup(peak, warmup), np.full(total - warmup, peak)])


def cosine(total, peak=PEAK_LR, end=END_LR, warmup=WARMUP):
    """Linear warmup, then ``end + (peak - end) / 2 (1 + cos(pi (t - W) / (total - W)))``."""
    t = np.arange(warmup, total)
    return np.concatenate([_warmup(peak, warmup),
                           end + 0.5 * (peak - end) * (1 + np.cos(np.pi * (t - warmup) / (total - warmup)))])


def two_stage(total, lr_b, switch, peak=PEAK_LR, warmup=WARMUP):
    """Linear warmup, ``peak`` until ``switch``, then ``lr_b`` (the ``wsdcon`` curves)."""
    return np.concatenate([_warmup(peak, warmup), np.full(switch - warmup, peak), np.full(total - switch, lr_b)])


def wsd(total, decay, peak=PEAK_LR, end=END_LR, warmup=WARMUP, shape="geometric"):
    """Linear warmup, ``peak`` until ``decay``, then geometric (``peak^(1-u) end^u``) or linear to ``end``."""
    t = np.arange(decay, total)
    u = (t - decay) / (total - decay)
    tail = peak ** (1 - u) * end ** u if shape == "geometric" else peak * (1 - u) + end * u
    return np.concatenate([_warmup(peak, warmup), np.full(decay - warmup, peak), tail])


def schedule(name: str) -> np.ndarray:
    """The lr of every step of the named curve's schedule."""
    kind, _, rest = name.partition("_")
    if kind == "constant":
        return constant(int(rest))
    if kind == "cosine":
        return cosine(int(rest))
    if kind == "wsdcon":
        return two_stage(16000, int(rest) * 1e-5, 8000)
    if kind == "wsd":
        return wsd(24000, 20000)
    if kind == "wsdld":
        return wsd(24000, 20000, shape="linear")
    raise ValueError(f"unknown curve {name!r}; known: {', '.join(CURVES)}")


@cache
def _read(size: str, name: str):
    if size not in SIZES:
        raise ValueError(f"unknown model size {size!r}; known: {', '.join(SIZES)}")
    if name not in CURVES:
        raise ValueError(f"unknown curve {name!r}; known: {', '.join(CURVES)}")
    table = np.loadtxt(DATA_DIR / "curves" / size / f"{name}.csv", delimiter=",", skiprows=1)
    steps, csv_lr, loss = table[:, 0].astype(np.int64), table[:, 1], table[:, 2]
    lrs = schedule(name)
    keep = steps < lrs.size  # as the authors do: a 24000-step curve's row at step 24000 is past its schedule
    return lrs, steps[keep], loss[keep], csv_lr[keep]


def curve(size: str, name: str):
    """``(lrs, steps, losses)`` of one real curve: the schedule's every lr, the logged steps, their losses."""
    lrs, steps, loss, _ = _read(size, name)
    return lrs.copy(), steps.copy(), loss.copy()


def curves(size: str, names=CURVES):
    """``{name: (lrs, steps, losses)}`` for the named curves of one model size."""
    return {n: curve(size, n) for n in names}


def csv_lr(size: str, name: str) -> np.ndarray:
    """The ``lr`` column of the CSV (for checking :func:`schedule` against the data)."""
    return _read(size, name)[3].copy()


def optimized(size: str) -> np.ndarray:
    """The authors' optimised schedule, the whole run: our warmup, then their 21,840 post-warmup lrs."""
    if size not in SIZES:
        raise ValueError(f"unknown model size {size!r}; known: {', '.join(SIZES)}")
    return np.concatenate([_warmup(), np.load(DATA_DIR / "optimized" / f"{size}.npy")])


def published_domain(size: str) -> Domain:
    """Where the published constants came from: the fitting curves of that size."""
    return Domain.of([curve(size, n) for n in TRAIN])
