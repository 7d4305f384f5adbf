"""One pass over a long curve: the points to draw and the key numbers, in bounded memory.

A 10M-step curve is evaluated in chunks of :data:`CHUNK` steps (a few MB each, so the work stays in
cache and a page holding 12 such curves stays far below 1 GB), keeping per chunk what
:func:`warmup_core.downsample.downsample_indices` keeps for the whole curve: both ends, every breakpoint
and the step before it, the peak, and the minimum and maximum of each bucket. The numbers
(:meth:`warmup_core.Curve.summary`'s keys) come from the same pass, exactly.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from warmup_core.downsample import MAX_POINTS

CHUNK = 1 << 18  # steps per evaluation chunk (2 MB of float64)
WORKERS = os.cpu_count() or 1  # chunks evaluated at once: memory stays at WORKERS chunks


@dataclass(frozen=True)
class Points:
    steps: np.ndarray  # int64, sorted
    values: np.ndarray
    summary: dict


def points(schedule, n: int, max_points: int = MAX_POINTS) -> Points:
    """Reduced ``(steps, values)`` of steps ``0 .. n-1`` and the summary numbers, in one chunked pass."""
    n = int(n)
    if n < 1:
        raise ValueError(f"a curve needs at least one step, got n={n}")
    if n <= max_points:
        t = np.arange(n, dtype=np.float64)
        y = schedule(t)
        return Points(np.arange(n), y, _summary(schedule, n, y[0], y[-1], int(np.argmax(y)), float(y.max()),
                                                float(y.sum())))
    b = np.ceil(np.asarray(schedule.breakpoints(n - 1), dtype=np.float64))
    b = b[(b >= 0) & (b < n)].astype(np.int64)
    special = np.unique(np.concatenate([[0, n - 1], b, np.maximum(b - 1, 0)]))
    if len(special) > max_points - 3:  # more jumps than points: a spread of them
        special = np.unique(special[np.linspace(0, len(special) - 1, max_points - 3).round().astype(np.int64)])
    buckets = max((max_points - len(special)) // 2 - 2, 1)
    size = -(-n // buckets)
    per_chunk = max(1, CHUNK // size) * size  # chunks hold whole buckets
    starts = range(0, n, per_chunk)
    if len(starts) > 1:  # numpy releases the GIL: the chunks of a long curve are evaluated on every core
        with ThreadPoolExecutor(min(WORKERS, len(starts))) as pool:
            done = list(pool.map(lambda start: _chunk(schedule, start, min(start + per_chunk, n), size), starts))
    else:
        done = [_chunk(schedule, 0, n, size)]
    total = sum(s for s, _ in done)  # in step order: the same float sum whatever the thread count
    idx = np.unique(np.concatenate([special, *(p for _, picks in done for p in picks)]).astype(np.int64))
    values = schedule(idx.astype(np.float64))
    # every step lies in a bucket whose maximum (its first occurrence) is kept: the first kept
    # maximum is the curve's first maximum
    top = int(np.argmax(values))
    return Points(idx, values, _summary(schedule, n, values[0], values[-1], int(idx[top]), values[top], total))


def _chunk(schedule, start: int, stop: int, size: int) -> tuple[float, list]:
    """The sum of steps ``start .. stop-1`` and the steps of each bucket's minimum and maximum."""
    y = schedule(np.arange(start, stop, dtype=np.float64))
    picks = []
    m = len(y) // size * size
    if m:
        grid = y[:m].reshape(-1, size)
        offs = start + np.arange(0, m, size)
        picks += [grid.argmin(axis=1) + offs, grid.argmax(axis=1) + offs]
    if m < len(y):
        tail = y[m:]
        picks += [np.array([start + m + int(np.argmin(tail)), start + m + int(np.argmax(tail))])]
    return float(y.sum()), picks


def _summary(schedule, n, first, last, peak_step, peak, total) -> dict:
    """The keys of :meth:`warmup_core.Curve.summary`, from numbers already computed."""
    w = schedule.warmup_end
    return {"peak_lr": float(peak), "peak_step": int(peak_step), "lr_at_0": float(first), "warmup_steps": w,
            "lr_at_warmup_end": float(schedule(w)) if w < n else None, "lr_at_last": float(last),
            "last_step": n - 1, "mean_lr": total / n, "area": total}
