"""Warmup shapes.

A warmup shape gives the learning-rate multiplier for the first ``W`` optimizer updates,
``0 <= t < W``, rising from ``start`` (the *warmup factor*, a fraction of the peak) towards
``end`` (1, or the decay's value where the warmup hands over). At ``t >= W`` the composition in
:mod:`warmup_core.schedule` takes over. Every function is vectorised over a float64 step array
and evaluates only closed forms of ``t`` (no recursion).
"""

from __future__ import annotations

import math

import numpy as np

from .decays import half_cosine


def constant(t, steps, start, end):
    """Hold ``start`` for the whole warmup (maskrcnn ``WARMUP_METHOD="constant"``, ResNet-110)."""
    return np.full_like(t, start)


def linear(t, steps, start, end):
    """``start + (end - start) · t/W``, written two-sided so both ends are exact (Goyal et al. 2017;
    torch ``LinearLR``; transformers with start 0)."""
    x = t / steps
    return start * (1.0 - x) + end * x


def exponential(t, steps, start, end):
    """Geometric ramp ``start · (end/start)^(t/W)`` (tensor2tensor's ``exp`` warmup).

    The power is taken as ``exp(log(end/start) · t/W)``: the same to a few ulps, in a third of ``np.power``'s
    time (it was the slowest warmup in bench/bench_schedules.py). A ramp to 0 has no log: ``0 ** x`` as written."""
    ratio = end / start
    if ratio == 0:
        return start * ratio ** (t / steps)
    return start * np.exp(math.log(ratio) * (t / steps))


def cosine(t, steps, start, end):
    """Half-cosine ramp ``start + (end - start) · (1 - cos(π t/W)) / 2`` (transformers WSD ``cosine``)."""
    return start + (end - start) * (1.0 - half_cosine(t / steps))


def one_minus_sqrt(t, steps, start, end):
    """``start + (end - start) · (1 - sqrt(1 - t/W))`` (transformers WSD ``1-sqrt`` warmup)."""
    x = np.clip(t / steps, 0.0, 1.0)
    return start + (end - start) * (1.0 - np.sqrt(1.0 - x))


def log(t, steps, start, end):
    """``start + (end - start) · log(max(t, 1)) / log(W)``: DeepSpeed's ``warmup_type="log"`` per update
    (update ``t`` runs at batch index ``t - 1``, whose gamma is ``log(t) / log(W)``; updates 0 and 1 both
    at ``start``); ``end`` at ``t = W``. DeepSpeed raises a warmup shorter than 2 steps to 2 (its module does
    that); here a one-step log warmup is ``start`` at 0 and ``end`` at 1, as a one-step linear one."""
    if steps < 2:
        return start + (end - start) * np.minimum(t, 1.0)
    x = np.log(np.maximum(t, 1.0)) / np.log(float(steps))
    return start + (end - start) * x


# --- untuned warmups (Ma & Yarats 2019, arXiv:1910.04209; Tony-Y/pytorch_warmup) -------------


def untuned_period(beta2: float, kind: str, period: int | None = None) -> int:
    """τ: ``period`` if given, else pytorch_warmup's ``int(2 / (1 - beta2))`` (linear) or ``int(1 / (1 - beta2))``
    (exponential). The ``int`` truncation is theirs: 1999 (not 2000) for beta2 = 0.999."""
    if period:
        return int(period)
    return int((2.0 if kind == "linear" else 1.0) / (1.0 - beta2))


def untuned_linear(t, steps, start, end, beta2=0.999, period=None):
    """``min(1, (t + 1) / τ)``."""
    return end * np.minimum(1.0, (t + 1.0) / untuned_period(beta2, "linear", period))


def untuned_exponential(t, steps, start, end, beta2=0.999, period=None):
    """``1 - exp(-(t + 1) / τ)``."""
    return end * (1.0 - np.exp(-(t + 1.0) / untuned_period(beta2, "exponential", period)))


def _radam_rho(t, beta2):
    rho_inf = 2.0 / (1.0 - beta2) - 1.0
    b2t = np.power(beta2, t)
    return rho_inf, rho_inf - 2.0 * t * b2t / (1.0 - b2t)


def radam_offset(beta2: float) -> int:
    """Smallest ``delta >= 1`` with ``rho_delta > 4`` (pytorch_warmup ``get_offset``)."""
    delta = 1
    while _radam_rho(float(delta), beta2)[1] <= 4:
        delta += 1
    return delta


def radam(t, steps, start, end, beta2=0.999, period=None):
    """RAdam's variance-rectification term at ``t + delta`` (pytorch_warmup ``RAdamWarmup``)."""
    rho_inf, rho = _radam_rho(t + radam_offset(beta2), beta2)
    ratio = ((rho - 4.0) * (rho - 2.0) * rho_inf) / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho)
    return end * np.sqrt(ratio)


ONE = 1.0 - 2.0**-52  # within one ulp of 1.0


def saturation_step(fn, beta2, period=None) -> int:
    """First step from which an asymptotic warmup is 1.0 in float64 (or within 1 ulp).

    Cutting the warmup there changes no value by more than one ulp, so the composition can treat
    asymptotic warmups (exponential, RAdam) like finite ones. The warmups rise, so the step is found
    by bisection: a few dozen evaluations, whatever τ is.
    """
    def saturated(step: int) -> bool:
        return bool(fn(np.array([float(step)]), 0, 0.0, 1.0, beta2=beta2, period=period)[0] >= ONE)

    hi = 1024
    while not saturated(hi):
        hi *= 2
    lo = -1  # invariant: not saturated at lo (or lo = -1), saturated at hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if saturated(mid) else (mid, hi)
    return hi
