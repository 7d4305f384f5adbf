"""Downsample a long curve for drawing without losing its shape.

A 10M-step curve cannot be sent to a browser point by point. :func:`downsample_indices` keeps at most
``max_points`` steps: both ends, every breakpoint and the step before it (so jumps stay vertical),
the global maximum, and the minimum and maximum of each of the remaining buckets (so restarts
and oscillations keep their envelope). The full curve stays available for download.
"""

from __future__ import annotations

import numpy as np

MAX_POINTS = 5000


def downsample_indices(y: np.ndarray, breakpoints=(), max_points: int = MAX_POINTS) -> np.ndarray:
    """Sorted unique indices into ``y`` (at most ``max_points``, or all of them if fewer)."""
    n = len(y)
    if n <= max_points:
        return np.arange(n)
    b = np.ceil(np.asarray(breakpoints, dtype=np.float64))
    b = b[(b >= 0) & (b < n)].astype(np.int64)
    special = np.unique(np.concatenate([[0, n - 1, int(np.argmax(y))], b, np.maximum(b - 1, 0)]))
    if len(special) >= max_points:  # more jumps than points: keep the ends, the peak and a spread of jumps
        pick = np.linspace(0, len(special) - 1, max_points - 3).round().astype(np.int64)
        return np.unique(np.concatenate([[0, n - 1, int(np.argmax(y))], special[pick]]))
    buckets = max((max_points - len(special)) // 2 - 1, 1)
    size = n // buckets
    grid = y[: size * buckets].reshape(buckets, size)  # a view: one argmin/argmax pass over all buckets
    start = np.arange(buckets) * size
    parts = [special, grid.argmin(axis=1) + start, grid.argmax(axis=1) + start]
    if size * buckets < n:
        tail = y[size * buckets:]
        parts += [[size * buckets + int(np.argmin(tail)), size * buckets + int(np.argmax(tail))]]
    return np.unique(np.concatenate(parts))[:max_points]


def downsample_curve(schedule, n: int, max_points: int = MAX_POINTS):
    """``(steps, lrs, full_lrs)`` for drawing a curve of ``n`` steps with at most ``max_points`` points."""
    full = schedule(np.arange(n, dtype=np.float64))
    idx = downsample_indices(full, schedule.breakpoints(n - 1), max_points)
    return idx, full[idx], full
