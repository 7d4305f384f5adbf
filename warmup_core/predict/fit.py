"""Fit the multi-power law to loss curves, the authors' way.

Protocol (Luo et al. 2025, their ``src/fitting.py``): minimise the Huber loss (delta 1e-3) of the
log-loss residuals ``log(loss) - log(L(t))`` summed over the fitting curves, starting from a grid search on
a simplified law (``L0 + A S1^-alpha - B (peak - lr)``) for ``L0, A, alpha, B`` with ``C = 1, beta = gamma
= 0.5``. The authors then run 200 AdamW steps; we run scipy's trust-region least squares with the same
Huber loss (``loss="huber", f_scale=delta`` is exactly that Huber function), in log-parameters so every
constant stays positive. Time is bounded (``max_seconds``); curves that cannot determine the constants
raise ``ValueError`` before any fitting.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np

from .domain import Domain
from .law import KEYS, check_schedule, make_plan

HUBER_DELTA = 1e-3
MIN_POINTS = 8


class FittedParams(dict):
    """The seven constants (a plain dict of floats) plus where they came from: ``domain`` (for
    extrapolation labels), ``train_mae`` (mean absolute error on the fitting curves), ``converged``,
    ``message``, ``seconds``."""

    domain: Domain
    train_mae: float
    converged: bool
    message: str
    seconds: float


def check_curves(curves):
    """``[(lrs, steps, losses), ...]`` as validated arrays; ``ValueError`` saying what is wrong."""
    try:
        curves = list(curves)
    except TypeError:
        raise ValueError("curves must be a list of (lrs, steps, losses) tuples") from None
    if not curves:
        raise ValueError("curves is empty: give at least one (lrs, steps, losses) curve")
    out = []
    for i, c in enumerate(curves):
        try:
            lrs, steps, losses = c
        except (TypeError, ValueError):
            raise ValueError(f"curve {i} must be a (lrs, steps, losses) tuple") from None
        lrs, steps = check_schedule(lrs, steps)
        losses = np.asarray(losses, dtype=np.float64)
        if losses.shape != steps.shape:
            raise ValueError(f"curve {i}: {steps.size} steps but {losses.size} losses")
        if not np.all(np.isfinite(losses)) or np.any(losses <= 0):
            raise ValueError(f"curve {i}: losses must be finite and > 0")
        S1 = np.cumsum(lrs)[steps]
        keep = S1 > 0  # the law is undefined before the first positive lr
        if not keep.any():
            raise ValueError(f"curve {i}: every logged step comes before the first positive lr")
        out.append((lrs, steps[keep], losses[keep]))
    n = sum(c[1].size for c in out)
    if n < MIN_POINTS:
        raise ValueError(f"the curves hold {n} usable points; the law's 7 constants need at least {MIN_POINTS}")
    if not any(_has_logged_decay(lrs, steps) for lrs, steps, _ in out):
        raise ValueError("the curves cannot determine the loss-drop constants (B, C, beta, gamma): no curve has "
                         "a logged step after its learning rate decreases. Add a curve whose lr decays "
                         "(cosine, WSD, a step drop).")
    if len({round(float(np.cumsum(lrs)[s]), 12) for lrs, steps, _ in out for s in steps}) < 4:
        raise ValueError("the curves cannot determine the power law (L0, A, alpha): they need logged points at "
                         "4 or more distinct amounts of training")
    return out


def _has_logged_decay(lrs, steps):
    drops = np.flatnonzero(lrs[:-1] > lrs[1:]) + 1
    return drops.size > 0 and steps.max() >= drops.min()


def _huber(r, delta=HUBER_DELTA):
    a = np.abs(r)
    return np.where(a < delta, 0.5 * r * r, delta * (a - 0.5 * delta))


def _initial_guess(curves):
    """The authors' grid search on the simplified law, then the grid's best point refined."""
    from scipy.optimize import least_squares  # scipy only when fitting: the page imports this package
    from scipy.stats import linregress
    min_loss = min(float(loss.min()) for _, _, loss in curves)
    S1 = np.concatenate([np.cumsum(lrs)[steps] for lrs, steps, _ in curves])
    y = np.concatenate([loss for _, _, loss in curves])
    gap = np.concatenate([lrs.max() - lrs[steps] for lrs, steps, _ in curves])
    fit = linregress(np.log(S1), np.log(y - min_loss + 0.01))
    log_y = np.log(y)

    def residuals(p):
        L0, A, alpha, B = p
        return log_y - np.log(np.maximum(L0 + A * S1 ** -alpha - B * gap, 1e-10))

    grid = itertools.product(np.linspace(min_loss - 0.2, min_loss + 0.2, 5),
                             np.linspace(math.exp(fit.intercept) - 0.1, math.exp(fit.intercept) + 0.1, 3),
                             np.linspace(-fit.slope - 0.1, -fit.slope + 0.1, 3), np.linspace(100, 1000, 3))
    best, best_cost = None, np.inf
    for p0 in grid:  # the grid's best start only; the full fit refines it
        p0 = np.maximum(np.array(p0), 1e-6)
        with np.errstate(all="ignore"):
            cost = float(np.sum(_huber(residuals(p0))))
        if np.isfinite(cost) and cost < best_cost:
            best, best_cost = p0, cost
    if best is None:
        best = np.array([max(min_loss - 0.1, 1e-3), 0.5, 0.5, 300.0])
    res = least_squares(residuals, best, bounds=(1e-8, np.inf), loss="huber", f_scale=HUBER_DELTA, max_nfev=200)
    return dict(zip(("L0", "A", "alpha", "B"), np.maximum(res.x, 1e-6), strict=True))


def fit_multi_power_law(curves, init: dict | None = None, max_seconds: float = 60.0) -> FittedParams:
    """Fit the seven constants to ``curves = [(lrs, steps, losses), ...]``.

    Args:
        curves: each curve's full schedule (lr of every step from 0), the logged steps and their losses.
        init: starting constants (default: the authors' grid search).
        max_seconds: wall-clock limit; the best constants found by then are returned (``converged`` False).

    Raises:
        ValueError: malformed curves, or curves that cannot determine the constants (no lr decay logged,
            too few points or distinct training amounts, or a fit whose constants stay undetermined).
    """
    from scipy.optimize import least_squares
    t0 = time.perf_counter()
    curves = check_curves(curves)
    if not (max_seconds > 0):
        raise ValueError(f"max_seconds must be > 0, got {max_seconds!r}")
    plans = [make_plan(lrs, steps, resolution=1 / 16) for lrs, steps, _ in curves]
    log_y = np.concatenate([np.log(loss) for _, _, loss in curves])
    start = dict(init) if init else {**_initial_guess(curves), "C": 1.0, "beta": 0.5, "gamma": 0.5}
    x0 = np.log(np.maximum([float(start[k]) for k in KEYS], 1e-8))
    best = {"cost": np.inf, "x": x0}

    class _OutOfTimeError(Exception):
        pass

    def residuals(x):
        if time.perf_counter() - t0 > max_seconds:
            raise _OutOfTimeError
        p = dict(zip(KEYS, np.exp(x), strict=True))
        with np.errstate(all="ignore"):
            pred = np.concatenate([plan.evaluate(p)[0] for plan in plans])
            r = log_y - np.log(np.maximum(pred, 1e-10))
        r = np.where(np.isfinite(r), r, 1.0)
        cost = float(np.sum(_huber(r)))
        if cost < best["cost"]:
            best.update(cost=cost, x=x.copy())
        return r

    converged, message = True, ""
    try:
        res = least_squares(residuals, x0, loss="huber", f_scale=HUBER_DELTA, bounds=(-30, 30),
                            x_scale=1.0, max_nfev=400)
        x, message, converged = res.x, res.message, bool(res.status > 0)
        jac = res.jac
    except _OutOfTimeError:
        x, converged, message, jac = best["x"], False, f"stopped at the {max_seconds:g} s limit", None
    if best["cost"] < np.inf and best["cost"] < float(np.sum(_huber(residuals_at(x, plans, log_y)))):
        x = best["x"]
    params = dict(zip(KEYS, np.exp(x).tolist(), strict=True))
    if jac is not None:
        _check_determined(jac, params)
    out = FittedParams(params)
    out.domain = Domain.of(curves)
    out.train_mae = float(np.mean(np.concatenate(
        [np.abs(plan.evaluate(params)[0] - loss) for plan, (_, _, loss) in zip(plans, curves, strict=True)])))
    out.converged, out.message, out.seconds = converged, message, time.perf_counter() - t0
    return out


def residuals_at(x, plans, log_y):
    p = dict(zip(KEYS, np.exp(x), strict=True))
    with np.errstate(all="ignore"):
        pred = np.concatenate([plan.evaluate(p)[0] for plan in plans])
        r = log_y - np.log(np.maximum(pred, 1e-10))
    return np.where(np.isfinite(r), r, 1.0)


def _check_determined(jac, params, rcond=1e-9):
    """``ValueError`` when some direction of the log-constants leaves the residuals unchanged."""
    jac = np.asarray(jac.toarray() if hasattr(jac, "toarray") else jac)
    if not np.all(np.isfinite(jac)):
        return
    s = np.linalg.svd(jac, compute_uv=False)
    if s.size < len(KEYS) or s[-1] <= rcond * s[0]:
        _, _, vt = np.linalg.svd(jac)
        weak = [KEYS[i] for i in np.argsort(-np.abs(vt[-1]))[:3]]
        raise ValueError("the curves cannot determine the constants: the fit is flat along "
                         f"{', '.join(weak)} (give curves with different schedules, e.g. a decay and a constant)")


def mae(params: dict, curves) -> dict:
    """Mean absolute error of the law with ``params`` on each named curve ``{name: (lrs, steps, losses)}``."""
    from .law import evaluate

    return {name: float(np.mean(np.abs(evaluate(lrs, steps, params)[0] - loss)))
            for name, (lrs, steps, loss) in curves.items()}


def hold_one_out(curves: dict, max_seconds: float = 30.0) -> dict:
    """For each named curve: fit on the others and give its mean absolute error (or why it could not)."""
    if len(curves) < 2:
        raise ValueError("hold-one-out needs at least 2 curves")
    out = {}
    for name in curves:
        rest = [c for n, c in curves.items() if n != name]
        try:
            params = fit_multi_power_law(rest, max_seconds=max_seconds)
        except ValueError as e:
            out[name] = str(e)
            continue
        out[name] = mae(params, {name: curves[name]})[name]
    return out
