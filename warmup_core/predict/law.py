"""The multi-power law (Luo et al., ICLR 2025, arXiv 2503.12811): the loss a schedule leads to.

.. math::
    L(t) = L_0 + A\\,S_1(t)^{-\\alpha} - LD(t),\\qquad S_1(t) = \\sum_{\\tau \\le t} \\eta_\\tau

    LD(t) = B \\sum_{k=1}^{t} (\\eta_{k-1} - \\eta_k)\\, G\\big(\\eta_k^{-\\gamma} S_k(t)\\big),\\quad
    S_k(t) = \\sum_{\\tau=k}^{t} \\eta_\\tau,\\quad G(x) = 1 - (C x + 1)^{-\\beta}

``lrs[t]`` is the learning rate of step ``t`` (t = 0..T-1) and ``S_1`` sums the whole schedule, warmup
included, as the authors' code does (``cumsum(lrs)[t]``).

Speed. The sum LD has one term per step where the lr changes, so a smooth decay over T steps costs
``T`` terms per evaluated step. Far from the evaluated step ``t`` the terms vary slowly, so they are
gathered into aligned blocks (sizes 1, 2, 4, ... in the list of lr changes, a block never longer than
``1/resolution`` of its distance from ``t``); a block's terms all lie between ``G`` at the block's
smallest and largest argument, so ``W * (G_lo + G_hi) / 2`` (W = the block's lr drop) is within
``B * sum|drop| * (G_hi - G_lo) / 2`` of the exact sum. That bound is computed for every evaluated step
and returned; the plan is refined until it is below ``tol`` (1e-4 by default). ``exact=True`` sums
every term.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .domain import Domain

KEYS = ("L0", "A", "alpha", "B", "C", "beta", "gamma")
LR_FLOOR = 1e-30  # lr == 0 at a step where the lr changes: eta**-gamma is taken at this floor
DEFAULT_TOL = 1e-4  # the bound; the actual error is typically 100x smaller


def check_params(params: dict) -> dict:
    """The seven constants as floats; ``ValueError`` naming a missing, extra or bad one."""
    missing = [k for k in KEYS if k not in params]
    extra = [k for k in params if k not in KEYS]
    if missing or extra:
        raise ValueError(f"multi-power-law constants need exactly {', '.join(KEYS)}; "
                         f"missing {missing}, unknown {extra}")
    out = {}
    for k in KEYS:
        try:
            v = float(params[k])
        except (TypeError, ValueError):
            raise ValueError(f"{k} must be a number, got {params[k]!r}") from None
        if not math.isfinite(v) or v < 0 or (v == 0 and k in ("A", "C")):
            raise ValueError(f"{k} must be a finite number > 0 (B, beta, gamma, alpha, L0 may be 0), got {v!r}")
        out[k] = v
    return out


def check_schedule(lrs, steps=None):
    """``lrs`` as a 1-D float64 array (finite, >= 0) and ``steps`` as sorted-or-not int64 indices into it."""
    lrs = np.asarray(lrs, dtype=np.float64)
    if lrs.ndim != 1 or lrs.size < 1:
        raise ValueError(f"lrs must be a 1-D array with at least one learning rate, got shape {lrs.shape}")
    if not np.all(np.isfinite(lrs)) or np.any(lrs < 0):
        raise ValueError("lrs must be finite and >= 0")
    if steps is None:
        steps = np.arange(lrs.size)
    steps_f = np.asarray(steps)
    if steps_f.ndim != 1 or steps_f.size < 1:
        raise ValueError(f"steps must be a 1-D array of step indices, got shape {steps_f.shape}")
    if not np.issubdtype(steps_f.dtype, np.number) or np.any(~np.isfinite(steps_f.astype(np.float64))):
        raise ValueError("steps must be finite integers")
    steps_i = steps_f.astype(np.int64)
    if np.any(steps_i != steps_f):
        raise ValueError("steps must be integers (indices into lrs)")
    if steps_i.min() < 0 or steps_i.max() >= lrs.size:
        raise ValueError(f"steps must lie in 0..{lrs.size - 1} (len(lrs) - 1), got {steps_i.min()}..{steps_i.max()}")
    return lrs, steps_i


def G(x, C, beta):
    """``1 - (C x + 1)^(-beta)``."""
    return 1.0 - np.power(C * x + 1.0, -beta)


def _x(eta, dist, gamma):
    """``eta^(-gamma) * dist`` with the floor for eta == 0 and 0 where dist == 0 (no inf * 0)."""
    with np.errstate(over="ignore", invalid="ignore"):
        x = np.power(np.maximum(eta, LR_FLOOR), -gamma) * dist
    return np.where(dist > 0, x, 0.0)


class _Changes:
    """The steps where a schedule's lr changes, with prefix sums and a min/max pyramid over them."""

    def __init__(self, lrs):
        drop = lrs[:-1] - lrs[1:]
        k = np.flatnonzero(drop) + 1
        self.k = k
        self.S = np.cumsum(lrs)
        self.Sprev = self.S[k - 1]
        d = drop[k - 1]
        self.pre = np.concatenate([[0.0], np.cumsum(d)])
        self.pre_abs = np.concatenate([[0.0], np.cumsum(np.abs(d))])
        mins, maxs = [lrs[k]], [lrs[k]]
        while mins[-1].size >= 2:  # level l holds the min/max over aligned blocks of 2**l changes
            m = mins[-1][: mins[-1].size // 2 * 2]
            mins.append(np.minimum(m[0::2], m[1::2]))
            m = maxs[-1][: maxs[-1].size // 2 * 2]
            maxs.append(np.maximum(m[0::2], m[1::2]))
        self.offsets = np.cumsum([0] + [a.size for a in mins])
        self.eta_min, self.eta_max = np.concatenate(mins), np.concatenate(maxs)

    def slot(self, level, start):
        return self.offsets[level] + (start >> level)


@dataclass(frozen=True)
class Plan:
    """LD's terms for one schedule and its evaluated steps, gathered in blocks of lr changes (a block of
    one change is one exact term). Independent of the constants, so a fit evaluates one plan many times.
    """
    ch: _Changes
    steps: np.ndarray
    S1: np.ndarray
    ev: np.ndarray  # evaluated-step index of each block
    level: np.ndarray  # the block holds changes start .. start + 2**level - 1
    start: np.ndarray

    @property
    def n_terms(self) -> int:
        return int(self.ev.size)

    def terms(self, params: dict):
        """Each block's contribution to LD / B and to its error bound / B."""
        return _block_terms(self.ch, self.S1, self.ev, self.level, self.start, params)

    def evaluate(self, params: dict):
        """``(L at each step, bound on |L - exact L|)``."""
        n = self.steps.size
        ld, err = self.terms(params)
        ld = np.bincount(self.ev, weights=ld, minlength=n)
        err = np.bincount(self.ev, weights=err, minlength=n)
        loss = params["L0"] + params["A"] * np.power(self.S1, -params["alpha"]) - params["B"] * ld
        return loss, params["B"] * err

    def refine(self, params: dict, tol: float, max_rounds: int = 60) -> Plan:
        """Split the blocks that carry the error until every step's bound is below ``tol``."""
        n = self.steps.size
        ev, level, start = self.ev, self.level, self.start
        done = []
        for _ in range(max_rounds):
            err = params["B"] * _block_terms(self.ch, self.S1, ev, level, start, params)[1]
            bad = np.bincount(ev, weights=err, minlength=n) > tol
            ok = ~bad[ev]
            done.append((ev[ok], level[ok], start[ok]))
            ev, level, start, err = ev[~ok], level[~ok], start[~ok], err[~ok]
            if not ev.size:
                break
            count = np.bincount(ev, minlength=n)
            split = (level > 0) & (err >= 0.5 * tol / count[ev])
            lv, st = level[split] - 1, start[split]
            ev = np.concatenate([ev[~split], ev[split], ev[split]])
            level = np.concatenate([level[~split], lv, lv])
            start = np.concatenate([start[~split], st, st + np.left_shift(1, lv)])
        done.append((ev, level, start))
        return Plan(self.ch, self.steps, self.S1, *(np.concatenate(parts) for parts in zip(*done)))


def _block_terms(ch, S1, ev, level, start, params):
    """Blocks' estimates of sum(drop * G) and their error bounds, both without the factor B."""
    C, beta, gamma = params["C"], params["beta"], params["gamma"]
    end = start + np.left_shift(1, level)
    slot = ch.slot(level, start)
    St = S1[ev]
    g_lo = G(_x(ch.eta_max[slot], St - ch.Sprev[end - 1], gamma), C, beta)  # G grows with x: the smallest x
    g_hi = G(_x(ch.eta_min[slot], St - ch.Sprev[start], gamma), C, beta)  # ... and the largest over the block
    return ((ch.pre[end] - ch.pre[start]) * (0.5 * (g_lo + g_hi)),
            (ch.pre_abs[end] - ch.pre_abs[start]) * (0.5 * (g_hi - g_lo)))


def make_plan(lrs, steps, resolution: float = 1 / 4) -> Plan:
    """Blocks for ``steps``: aligned power-of-two runs of lr changes, each no longer than ``resolution``
    times its distance (in changes) from the evaluated step and with lrs within ``1 + resolution`` of
    each other; ``resolution=0`` makes every term exact."""
    lrs, steps = check_schedule(lrs, steps)
    ch = _Changes(lrs)
    S1 = ch.S[steps]
    if np.any(S1 <= 0):
        first = int(np.flatnonzero(ch.S > 0)[0]) if np.any(ch.S > 0) else None
        raise ValueError("the multi-power law is undefined before the first step with a positive lr "
                         f"(S1 = 0); evaluate steps >= {first}" if first is not None else
                         "the multi-power law needs a positive learning rate somewhere (all lrs are 0)")
    p = np.searchsorted(ch.k, steps, side="right")  # lr changes at or before each evaluated step
    if not resolution:
        ev = np.repeat(np.arange(steps.size), p)
        start = np.arange(p.sum()) - np.repeat(np.cumsum(p) - p, p)
        return Plan(ch, steps, S1, ev, np.zeros_like(ev), start)
    # Walk back from each step's last change to the first, all evaluated steps at once.
    q = p.copy()
    out_ev, out_level, out_start = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    idx = np.arange(steps.size)
    while True:
        act = q > 0
        if not act.any():
            break
        qa, pa, ia = q[act], p[act], idx[act]
        size_cap = np.maximum(np.floor(resolution * (pa - qa)), 1).astype(np.int64)
        level = np.minimum(np.floor(np.log2(size_cap)).astype(np.int64),
                           np.log2(qa & -qa).astype(np.int64))  # qa & -qa: the largest power of 2 dividing q
        while True:  # halve a block until its lrs differ by at most the resolution (e.g. inside a warmup)
            slot = ch.slot(level, qa - np.left_shift(1, level))
            wide = (level > 0) & (ch.eta_max[slot] > ch.eta_min[slot] * (1 + resolution))
            if not wide.any():
                break
            level = level - wide
        size = np.left_shift(1, level)
        out_ev.append(ia)
        out_level.append(level)
        out_start.append(qa - size)
        q[act] = qa - size
    return Plan(ch, steps, S1, np.concatenate(out_ev), np.concatenate(out_level), np.concatenate(out_start))


def evaluate(lrs, steps, params: dict, tol: float = DEFAULT_TOL, exact: bool = False):
    """``(L, error bound)``: a blocked plan refined until each step's bound is below ``tol``, or, with
    ``exact``, every term summed (a few evaluated steps at a time: bounded memory)."""
    params = check_params(params)
    if not (tol > 0):
        raise ValueError(f"tol must be > 0, got {tol!r}")
    lrs, steps = check_schedule(lrs, steps)
    if exact:
        n_changes = max(1, int(np.count_nonzero(lrs[:-1] != lrs[1:])))
        chunk = max(1, 2_000_000 // n_changes)
        loss = np.empty(steps.size)
        for i in range(0, steps.size, chunk):
            loss[i:i + chunk] = make_plan(lrs, steps[i:i + chunk], resolution=0).evaluate(params)[0]
        return loss, np.zeros(steps.size)
    return make_plan(lrs, steps).refine(params, tol).evaluate(params)


def multi_power_law(lrs, steps=None, *, L0, A, alpha, B, C, beta, gamma, tol: float = DEFAULT_TOL):
    """The predicted loss at each step in ``steps`` (default: every step) of the schedule ``lrs``.

    Args:
        lrs: learning rate of each optimizer step t = 0..T-1 (finite, >= 0).
        steps: the step indices to evaluate (0 <= step < T, S1(step) > 0).
        L0, A, alpha, B, C, beta, gamma: the law's constants (``PUBLISHED[size]`` or a fit).
        tol: the largest allowed error against the exact sum; the blocked sum is within it.

    Returns:
        float64 array, one loss per step.

    >>> from warmup_core.predict import PUBLISHED
    >>> lrs = [3e-4] * 100 + [3e-5] * 100
    >>> multi_power_law(lrs, [99, 199], **PUBLISHED["400M"]).round(4).tolist()
    [5.3172, 5.1094]
    """
    params = dict(L0=L0, A=A, alpha=alpha, B=B, C=C, beta=beta, gamma=gamma)
    return evaluate(lrs, steps, params, tol=tol)[0]


@dataclass(frozen=True)
class Prediction:
    """A predicted loss curve and how far to trust it."""
    steps: np.ndarray
    loss: np.ndarray
    error_bound: np.ndarray  # |loss - the exact sum| <= error_bound at each step
    extrapolation: tuple[str, ...]  # why the schedule leaves the constants' data (empty: it does not)
    params: dict

    @property
    def is_extrapolation(self) -> bool:
        return bool(self.extrapolation)

    @property
    def final(self) -> float:
        return float(self.loss[-1])


def predict_loss(lrs, steps=None, params="400M", domain: Domain | None = None, tol: float = DEFAULT_TOL,
                 points: int | None = None) -> Prediction:
    """The predicted loss of ``lrs`` at ``steps`` with its error bound and extrapolation label.

    Args:
        params: a model size of the published constants ("25M", "100M", "400M") or a constants dict
            (a :func:`fit_multi_power_law` result carries its own domain).
        domain: where the constants came from; default: the published or fitted curves'.
        points: with ``steps=None``, evaluate this many evenly spread steps instead of every step.

    >>> from warmup_core.predict import data
    >>> p = predict_loss(data.cosine(24000), [2200, 23999])
    >>> p.loss.round(3).tolist(), p.is_extrapolation
    ([3.565, 2.757], False)
    >>> predict_loss(data.cosine(24000, peak=1e-3), [23999]).extrapolation[0]
    "peak lr 0.001 is outside the fitted data's 0.0003"
    """
    from . import data  # the published constants' home

    if isinstance(params, str):
        if params not in data.PUBLISHED:
            raise ValueError(f"unknown model size {params!r}; known: {', '.join(data.PUBLISHED)}")
        domain = domain or data.published_domain(params)
        params = data.PUBLISHED[params]
    else:
        domain = domain or getattr(params, "domain", None)
    lrs = np.asarray(lrs, dtype=np.float64)
    if steps is None:
        first = int(np.argmax(np.cumsum(lrs) > 0)) if lrs.size else 0
        n = lrs.size - first
        steps = (np.arange(first, lrs.size) if points is None or n <= points
                 else np.unique(np.linspace(first, lrs.size - 1, points).round().astype(np.int64)))
    loss, err = evaluate(lrs, steps, params, tol=tol)
    steps = np.asarray(steps).astype(np.int64)
    reasons = (domain.reasons(lrs, steps) if domain is not None
               else ["the constants carry no record of the data they were fitted on"])
    return Prediction(steps, loss, err, tuple(reasons), dict(check_params(params)))
