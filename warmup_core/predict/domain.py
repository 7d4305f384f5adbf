"""Where a set of constants came from, and whether a prediction stays inside it.

A prediction is labelled an extrapolation when its schedule leaves the data the constants were fitted
on: another peak lr, another warmup length, more steps (or more cumulative lr) than any fitting curve, or
an lr below the smallest one the fitting curves used after their warmup.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

PEAK_RTOL = 0.02  # a peak lr within 2% counts as the same
WARMUP_TOL = 0.10  # a warmup within 10% (or 1 step) counts as the same
LENGTH_RTOL = 0.02  # 2% past the last logged step (the logging interval) is still inside


def warmup_steps(lrs) -> int:
    """The number of steps before the lr first reaches its peak (0: no warmup)."""
    lrs = np.asarray(lrs, dtype=np.float64)
    return int(np.argmax(lrs >= lrs.max() * (1 - 1e-12)))


@dataclass(frozen=True)
class Domain:
    peak_lr: tuple[float, float]
    warmup: tuple[int, int]
    max_step: int
    max_S1: float  # noqa: N815 - the paper's S1 (the sum of the learning rates)
    min_lr: float  # smallest lr after the warmup, over the fitting curves

    @classmethod
    def of(cls, curves) -> Domain:
        """The domain of fitting curves ``[(lrs, steps, losses), ...]``."""
        peaks, warms, last, s1, low = [], [], [], [], []
        for lrs, steps, _ in curves:
            lrs = np.asarray(lrs, dtype=np.float64)
            steps = np.asarray(steps, dtype=np.int64)
            w = warmup_steps(lrs)
            top = int(steps.max())
            peaks.append(float(lrs.max()))
            warms.append(w)
            last.append(top)
            s1.append(float(np.sum(lrs[: top + 1])))
            low.append(float(lrs[w:].min()))
        return cls((min(peaks), max(peaks)), (min(warms), max(warms)), max(last), max(s1), min(low))

    def reasons(self, lrs, steps) -> list[str]:
        """Why predicting ``lrs`` at ``steps`` is an extrapolation (empty: it is not)."""
        lrs = np.asarray(lrs, dtype=np.float64)
        top = int(np.max(steps))
        out = []
        peak = float(lrs.max())
        lo, hi = self.peak_lr
        if peak < lo * (1 - PEAK_RTOL) or peak > hi * (1 + PEAK_RTOL):
            out.append(f"peak lr {peak:.3g} is outside the fitted data's {_span(lo, hi, '.3g')}")
        w = warmup_steps(lrs)
        wlo, whi = self.warmup
        if w < wlo * (1 - WARMUP_TOL) - 1 or w > whi * (1 + WARMUP_TOL) + 1:
            out.append(f"warmup of {w} steps is outside the fitted data's {_span(wlo, whi, 'd')} steps")
        if top > self.max_step * (1 + LENGTH_RTOL):
            out.append(f"step {top} is past the fitted data's last step {self.max_step}")
        elif float(np.sum(lrs[: top + 1])) > self.max_S1 * (1 + LENGTH_RTOL):
            out.append("the cumulative lr is larger than in any fitted curve")
        low = float(lrs[w: top + 1].min()) if top >= w else peak
        if low < self.min_lr * (1 - PEAK_RTOL):
            out.append(f"lr {low:.3g} is below the smallest lr in the fitted data ({self.min_lr:.3g})")
        return out

    def to_dict(self) -> dict:
        return asdict(self)


def _span(lo, hi, fmt):
    return f"{lo:{fmt}}" if lo == hi else f"{lo:{fmt}}..{hi:{fmt}}"
