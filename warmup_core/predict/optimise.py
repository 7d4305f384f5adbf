"""Find the schedule that a predictor says ends lowest.

Given the peak lr, the length, the warmup (linear from 0, as in the authors' runs) and a predictor (the
multi-power law with chosen constants, or the convex bound), search the non-increasing post-warmup
schedules for the one with the lowest predicted final loss. The schedule is tabulated: ``n_knots`` knots
(denser towards the end, where optimal schedules decay), linear interpolation between them. Each knot's
value is the previous one minus a drop >= 0, so every candidate is non-increasing and the search is a
box-constrained problem for scipy's L-BFGS-B, with the law's exact gradient (O(T), below).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .bound import convex_bound
from .law import KEYS, LR_FLOOR, check_params


@dataclass(frozen=True)
class Optimised:
    lrs: np.ndarray  # the lr of every step
    knots: np.ndarray  # step of each knot (the warmup's end first)
    values: np.ndarray  # lr at each knot
    final: float  # the predictor's value at the end (loss, or bound)
    start_final: float  # the same for the starting schedule
    predictor: str
    seconds: float
    message: str

    def to_schedule(self):
        """The result as a core schedule a user can keep: the authors' linear warmup (``linspace(0, peak, W)``,
        i.e. the core's linear warmup of W - 1 steps, prepended) and then the core ``knots`` decay through the
        optimised knots (linear interpolation, exact at every step); JSON, breakpoints and code export come
        with it, and Compare shows its warmup as a warmup."""
        from ..schedule import Decay, Warmup, WarmupDecay

        peak, start = float(self.values[0]), int(self.knots[0])  # the first knot: the warmup's last step
        warmup = Warmup("linear", start) if start > 0 else Warmup()
        knots = [float(k) - start for k in self.knots]
        values = [float(v) / peak for v in self.values]
        return WarmupDecay(peak, warmup, Decay("knots", knots=knots, values=values, anneal="linear"), "prepend",
                           int(self.lrs.size))


def final_loss_and_grad(lrs, params: dict):
    """The multi-power law's loss at the last step of ``lrs`` and its gradient with respect to every lr.

    With D_k = sum_{tau=k..T} eta_tau, x_k = eta_k^-gamma D_k and drop_k = eta_{k-1} - eta_k:
    dL/deta_j = -alpha A S^(-alpha-1) - B [G(x_{j+1}) - G(x_j) + sum_{k<=j} drop_k G'(x_k) eta_k^-gamma
    - gamma drop_j G'(x_j) eta_j^(-gamma-1) D_j], all in O(T) with a prefix sum.
    """
    L0, A, alpha, B, C, beta, gamma = (params[k] for k in KEYS)
    eta = np.maximum(np.asarray(lrs, dtype=np.float64), LR_FLOOR)
    S = eta.sum()
    D = np.cumsum(eta[::-1])[::-1]  # D[k] = sum_{tau >= k} eta_tau (> 0, no cancellation)
    p = np.power(eta, -gamma)
    x = p * D
    u = C * x + 1.0
    g = 1.0 - np.power(u, -beta)
    dg = C * beta * np.power(u, -beta - 1.0)
    drop = np.concatenate([[0.0], eta[:-1] - eta[1:]])  # drop[0] = 0: the sum starts at k = 1
    loss = L0 + A * S ** -alpha - B * float(np.sum(drop * g))
    term = drop * dg
    grad = np.full(eta.size, -alpha * A * S ** (-alpha - 1.0))
    dsum = np.zeros(eta.size)
    dsum[:-1] += g[1:]  # eta_j is drop_{j+1}'s minuend
    dsum[1:] -= g[1:]  # and drop_j's subtrahend
    dsum += np.cumsum(term * p)  # eta_j is inside D_k for every k <= j
    dsum -= gamma * term * p / eta * D  # eta_j^-gamma inside x_j
    return loss, grad - B * dsum


def _knot_steps(warmup, total, n_knots, power=3.0):
    u = np.linspace(0.0, 1.0, n_knots)
    pos = warmup + (total - 1 - warmup) * (1.0 - (1.0 - u) ** power)
    return np.unique(np.round(pos).astype(np.int64))


def schedule_from_knots(knots, values, warmup, total, peak):
    """Linear warmup ``linspace(0, peak, warmup)`` (step warmup-1 at the peak, as in the authors' runs),
    then linear interpolation through the knots."""
    head = np.linspace(0.0, peak, warmup) if warmup else np.zeros(0)
    return np.concatenate([head, np.interp(np.arange(warmup, total), knots, values)])


def optimise_schedule(peak_lr: float, total_steps: int, warmup_steps: int, params: dict | None = None, *,
                      predictor: str = "law", D: float = 1.0, G: float = 1.0, n_knots: int = 200,
                      min_lr: float = 0.0, polish: bool = False, max_seconds: float = 60.0) -> Optimised:
    """The non-increasing post-warmup schedule with the lowest predicted final loss.

    Args:
        peak_lr: the lr at the end of the warmup and the most any step gets.
        total_steps, warmup_steps: the run's length and its linear warmup (both in optimizer steps).
        params: the multi-power law's constants (``predictor="law"``).
        predictor: ``"law"`` (final loss of the multi-power law) or ``"bound"`` (the convex bound with D, G).
        n_knots: how many knots tabulate the post-warmup schedule.
        min_lr: no lr below this.
        polish: finally make every step of the decay a knot (slow; what beats the authors' per-step schedules).
        max_seconds: wall-clock limit for the search.
    """
    from scipy.optimize import minimize  # scipy only when optimising
    t0 = time.perf_counter()
    if not (isinstance(peak_lr, int | float) and math.isfinite(peak_lr) and peak_lr > 0):
        raise ValueError(f"peak_lr must be a finite number > 0, got {peak_lr!r}")
    if not (isinstance(total_steps, int) and isinstance(warmup_steps, int)) or not 0 <= warmup_steps < total_steps - 2:
        raise ValueError(f"need integers 0 <= warmup_steps < total_steps - 2, got {warmup_steps!r}, {total_steps!r}")
    if total_steps > 10_000_000:
        raise ValueError(f"total_steps {total_steps} is over the 10,000,000 this optimiser handles")
    if not (isinstance(n_knots, int) and 3 <= n_knots <= 400):
        raise ValueError(f"n_knots must be an integer in 3..400, got {n_knots!r}")
    if not (0 <= min_lr < peak_lr):
        raise ValueError(f"min_lr must be in [0, peak_lr), got {min_lr!r}")
    if predictor not in ("law", "bound"):
        raise ValueError(f"predictor must be 'law' or 'bound', got {predictor!r}")
    if predictor == "law":
        if params is None:
            raise ValueError("predictor='law' needs the law's constants (params)")
        params = check_params(params)
    warmup = max(warmup_steps, 1)  # the warmup's last step is the peak (a 1-step warmup is no warmup)
    post = np.arange(warmup - 1, total_steps)
    head = np.linspace(0.0, peak_lr, warmup)[:-1]

    class _OutOfTimeError(Exception):
        pass

    def search(knots, start_v):
        """L-BFGS-B over the drops between knots (in units of the peak), from the knot values start_v."""
        i = np.clip(np.searchsorted(knots, post, side="right") - 1, 0, knots.size - 2)
        w = (post - knots[i]) / (knots[i + 1] - knots[i])  # np.interp's weights, to send gradients to knots

        def values(drops):  # each knot is the previous one minus a drop >= 0
            return np.maximum(peak_lr * (1.0 - np.concatenate([[0.0], np.cumsum(drops)])), min_lr)

        def f(drops):
            if time.perf_counter() - t0 > max_seconds:
                raise _OutOfTimeError
            v = values(drops)
            lrs = np.concatenate([head, np.interp(post, knots, v)])
            if predictor == "bound":
                val, grad = convex_bound(lrs, D=D, G=G), None
            else:
                val, g = final_loss_and_grad(lrs, params)
                g = g[warmup - 1:]
                g_v = (np.bincount(i, (1 - w) * g, minlength=knots.size)
                       + np.bincount(i + 1, w * g, minlength=knots.size))
                g_v = np.where(v > min_lr, g_v, 0.0)
                grad = -peak_lr * np.cumsum(g_v[::-1])[::-1][1:]  # drop j lowers every knot after it
            if val < best["f"]:
                best.update(f=val, knots=knots, v=v)
            return val if grad is None else (val, grad)

        x0 = np.clip((start_v[:-1] - start_v[1:]) / peak_lr, 0.0, 1.0)
        res = minimize(f, x0, method="L-BFGS-B", jac=predictor == "law", bounds=[(0.0, 1.0)] * x0.size,
                       options=dict(maxiter=1000, ftol=1e-14, gtol=1e-12))
        return str(res.message)

    # start: the peak until 80% of the run, then linear to 1% of the peak; then coarse to fine knots
    levels = [n for n in (12, 48) if n < n_knots] + [n_knots]
    knots = _knot_steps(warmup - 1, total_steps, levels[0])
    span = (knots - knots[0]) / (knots[-1] - knots[0])
    v = peak_lr * np.where(span < 0.8, 1.0, 1.0 - 0.99 * (span - 0.8) / 0.2)
    start_final = _final(np.concatenate([head, np.interp(post, knots, v)]), predictor, params, D, G)
    best = {"f": start_final, "knots": knots, "v": v}
    message = ""
    try:
        for n in levels:
            knots_n = _knot_steps(warmup - 1, total_steps, n)
            message = search(knots_n, np.interp(knots_n, best["knots"], best["v"]))
        if polish:  # every step a knot where the schedule has left the peak (and a margin before)
            below = np.flatnonzero(np.interp(post, best["knots"], best["v"]) < peak_lr * (1 - 1e-9))
            first = max(int(post[below[0]]) - (total_steps - warmup) // 100, warmup) if below.size else warmup
            knots_n = np.r_[warmup - 1, np.arange(first, total_steps)]
            message = search(knots_n, np.interp(knots_n, best["knots"], best["v"]))
    except _OutOfTimeError:
        message = f"stopped at the {max_seconds:g} s limit"
    lrs = np.concatenate([head, np.interp(post, best["knots"], best["v"])])
    return Optimised(lrs, best["knots"], best["v"], best["f"], start_final, predictor,
                     time.perf_counter() - t0, message)


def _final(lrs, predictor, params, D, G):
    return convex_bound(lrs, D=D, G=G) if predictor == "bound" else final_loss_and_grad(lrs, params)[0]
