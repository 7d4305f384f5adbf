"""Rank schedules by theory: the last-iterate bound of SGD on a convex, G-Lipschitz problem.

Defazio et al. 2023 ("When, why and how much?", Thm 10), used by Schaipp et al. (ICML 2025, arXiv
2501.18965) to show that it tracks real LLM loss curves surprisingly well. For ``eta_1..eta_T``:

.. math::
    \\text{bound} = \\frac{D^2}{2\\sum\\eta} + \\frac{G^2\\sum\\eta^2}{2\\sum\\eta}
      + \\frac12\\sum_{k=1}^{T-1}\\frac{\\eta_k}{\\sum_{t>k}\\eta_t}
        \\cdot\\frac{G^2\\sum_{t\\ge k}\\eta_t^2}{\\sum_{t\\ge k}\\eta_t}

D: distance from the start to the optimum; G: bound on the gradient norm. It is a worst-case bound
for convex problems, not a loss prediction: use it to rank shapes and to pick a shape's base lr.
Scaling the schedule by ``m`` gives ``t1 / m + m (t2 + t3)`` (t1..t3: the three terms at m = 1), so the
best multiplier is ``sqrt(t1 / (t2 + t3))`` and the bound there ``2 sqrt(t1 (t2 + t3))``.

Trailing steps with lr exactly 0 are dropped (they do not move the weights, and ``sum_{t>k} eta_t = 0``
would divide by zero); Schaipp et al.'s code likewise evaluates a decay-to-zero schedule of ``T + 1``
lrs at ``T``, leaving out its final near-zero lr.
"""

from __future__ import annotations

import math

import numpy as np


def _check(lrs, D, G):
    lrs = np.asarray(lrs, dtype=np.float64)
    if lrs.ndim != 1 or lrs.size < 1:
        raise ValueError(f"lrs must be a 1-D array with at least one learning rate, got shape {lrs.shape}")
    if not np.all(np.isfinite(lrs)) or np.any(lrs < 0) or not lrs.max() > 0:
        raise ValueError("lrs must be finite, >= 0 and not all 0")
    for name, v in (("D", D), ("G", G)):
        if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
    return lrs[: int(np.flatnonzero(lrs)[-1]) + 1]  # without the trailing zeros


def bound_terms(lrs, D=1.0, G=1.0):
    """The three terms ``(t1, t2, t3)`` of the bound for the schedule ``lrs`` (eta_1..eta_T)."""
    eta = _check(lrs, D, G)
    total = eta.sum()
    sq = eta * eta * G * G
    tail = total - np.cumsum(eta)  # sum_{t > k} eta_t
    tail_incl = tail + eta  # sum_{t >= k} eta_t
    sq_incl = sq[::-1].cumsum()[::-1]  # G^2 sum_{t >= k} eta_t^2
    k = slice(0, eta.size - 1)
    t3 = 0.5 * float(np.sum(eta[k] / tail[k] * (sq_incl[k] / tail_incl[k])))
    return D * D / (2 * total), float(sq.sum()) / (2 * total), t3


def convex_bound(lrs, D=1.0, G=1.0) -> float:
    """The bound on ``f(x_T) - f*`` after the schedule ``lrs``.

    >>> round(convex_bound([0.1] * 100), 6)  # constant lr
    0.358869
    """
    return float(sum(bound_terms(lrs, D, G)))


def optimal_base_lr(shape, D=1.0, G=1.0):
    """``(best multiplier of shape, the bound there)``: the closed form sqrt(t1/(t2+t3)), 2 sqrt(t1 (t2+t3)).

    >>> m, b = optimal_base_lr(np.linspace(1, 0, 100))
    >>> round(m, 5), round(b, 5), round(convex_bound(m * np.linspace(1, 0, 100)), 5)
    (0.09772, 0.20466, 0.20466)
    """
    t1, t2, t3 = bound_terms(shape, D, G)
    return math.sqrt(t1 / (t2 + t3)), 2 * math.sqrt(t1 * (t2 + t3))


def bound_over_run(lrs, D=1.0, G=1.0, points: int = 100):
    """``(steps, bound)``: the bound if training stopped after each of ``points`` steps (the schedule cut there)."""
    eta = _check(lrs, D, G)
    first = int(np.flatnonzero(eta)[0]) + 1  # a run of only zero lrs has no bound
    steps = np.unique(np.linspace(first, eta.size, min(points, eta.size - first + 1)).round().astype(np.int64))
    return steps, np.array([convex_bound(eta[:t], D, G) for t in steps])


def rank(shapes: dict, D=1.0, G=1.0) -> list[dict]:
    """Each named shape at its own best multiplier, best first: name, multiplier, bound, and the bound of
    the shape as given (multiplier 1)."""
    rows = []
    for name, shape in shapes.items():
        m, b = optimal_base_lr(shape, D, G)
        rows.append(dict(name=name, best_multiplier=m, best_bound=b, bound_as_given=convex_bound(shape, D, G)))
    return sorted(rows, key=lambda r: r["best_bound"])
