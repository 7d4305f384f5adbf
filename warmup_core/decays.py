"""Decay shapes.

A decay gives the learning-rate multiplier as a function of its own clock ``s`` (the number of
updates since the decay started: ``t - W`` when it is prepended to a warmup, ``t`` otherwise).
Multipliers start at 1 (one-cycle starts at ``1 / div_factor``) and use only closed forms, so a
value never depends on the previous one. ``floor`` is always a fraction of the peak.
"""

from __future__ import annotations

import math

import numpy as np

# In-place fast paths: in bench/bench_schedules.py (1M steps) each new 8 MB array costs more than the arithmetic
# on it (the memory is handed back to the OS and faulted in again), so the hot shapes below compute in one
# array they own (``out=``, ``+=``, ``*=``): the same operations in the same order, so the same bits. The shapes
# that take ``out`` (which may be ``s`` itself) write their values there: the schedule passes its output array.


def half_cosine(x, cycles=0.5, out=None):
    """``(1 + cos(2π · cycles · x)) / 2``: with the default half period, 1 at ``x = 0`` down to 0 at ``x = 1``.

    The one cosine factor of the library (cosine decay, SGDR cycles, WSD cooldown, one-cycle, the cosine
    warmup as ``1 - half_cosine``). The angle is computed in transformers' order, ``π · cycles · 2 · x``, so
    its values match to the last bit. ``out``: an array to compute in (``x`` itself may be given).
    """
    y = np.multiply(math.pi * float(cycles) * 2.0, x, out=out)  # the angle
    y = np.cos(y, out=y) if isinstance(y, np.ndarray) else np.cos(y)
    y += 1.0  # 0.5 · (1 + cos), in place (see the fast-path comment above)
    y *= 0.5
    return y


def falling_tanh(z, out=None):
    """``(1 - tanh z) / 2``, from 1 at ``z = -inf`` to 0 at ``+inf``, computed as ``1 / (1 + exp(2z))``: the
    same number (to ~1e-14, and without the cancellation of ``1 - tanh z`` near 1), and ``np.exp`` takes about
    half the time of ``np.tanh`` over 1M steps (bench/bench_schedules.py). ``out``: as in :func:`half_cosine`."""
    y = np.multiply(z, 2.0, out=out)
    with np.errstate(over="ignore"):  # exp(2z) = inf gives 1 / inf = 0, the right limit
        np.exp(y, out=y)
    y += 1.0
    return np.reciprocal(y, out=y)


def _from_floor(v, floor):
    """``floor + (1 - floor) · v``, in ``v`` (which the caller owns)."""
    if floor:  # with floor 0 the value is v itself, to the bit
        v *= 1.0 - floor
        v += floor
    return v


def ascending(s) -> bool:
    """Whether ``s`` is a 1-D array of steps in order (the usual ``np.arange``): the fast paths then cut it into
    slices with one ``searchsorted`` instead of testing every step."""
    return s.ndim == 1 and s.size > 0 and s[0] <= s[-1] and bool(np.all(s[1:] >= s[:-1]))


def constant(s):
    """Multiplier 1 for ever."""
    return np.ones_like(s)


def _powers(gamma, k, out=None):
    """``gamma ** k`` for integer-valued ``k >= 0``. Fast path (bench/bench_schedules.py: ``np.power`` alone takes
    about 20 ms for 1M steps): a table lookup when there are few distinct powers, the same numbers. ``out`` (which
    may be ``k``): as in :func:`half_cosine`."""
    kmax = float(k.max()) if k.size else 0.0
    if k.size > 64 and kmax < 0.25 * k.size and k.min() >= 0:
        # "clip" is not buffered; no index is out of range (0 <= k <= kmax)
        return np.take(np.power(gamma, np.arange(kmax + 1.0)), k.astype(np.intp), out=out, mode="clip")
    return np.power(gamma, k, out=out)


def step(s, step_size, gamma, out=None):
    """``gamma ** floor(s / step_size)`` (torch ``StepLR``)."""
    k = np.divide(s, step_size, out=out)  # in one array (the fast-path comment at the top)
    return _powers(gamma, np.floor(k, out=k), out=k)


_SIDES = {"at": ("right", 0.0), "before": ("right", 1.0), "after": ("left", 0.0)}


def piecewise(s, milestones, values, boundary="at", out=None):
    """``values[i]`` between milestones; ``boundary`` says which value the milestone step gets.

    ``at``: the new value from the milestone on (torch ``MultiStepLR``, optax);
    ``before``: one step early (timm ``MultiStepLRScheduler``: ``bisect_right(m, s + 1)``);
    ``after``: one step late (Keras ``PiecewiseConstantDecay``: ``t <= boundary`` keeps the old).
    """
    side, shift = _SIDES[boundary]
    milestones = np.asarray(milestones, dtype=np.float64)
    s = s + shift if shift else s
    if ascending(s):  # fast path (bench/bench_schedules.py: a search per step took 2/3 of multistep's time)
        cuts = [0, *np.searchsorted(s, milestones, side="left" if side == "right" else "right"), s.size]
        out = np.empty_like(s) if out is None else out  # ``out`` may be ``s``: the cuts are found first
        for value, a, b in zip(values, cuts, cuts[1:]):
            out[a:b] = value
        return out
    return np.asarray(values, dtype=np.float64)[np.searchsorted(milestones, s, side=side)]


def multistep(s, milestones, gamma, boundary="at", out=None):
    """``gamma ** (number of milestones passed)`` (torch ``MultiStepLR``, maskrcnn)."""
    return piecewise(s, milestones, np.power(gamma, np.arange(len(milestones) + 1.0)), boundary, out=out)


def exponential(s, gamma, period=1.0, delay=0, staircase=False, limit=None, out=None):
    """``gamma ** ((s - delay) / period)``, floored if ``staircase``, clipped at ``limit``.

    torch ``ExponentialLR`` (period 1), optax ``exponential_decay`` (``transition_begin`` =
    delay, ``end_value`` = limit), Keras ``ExponentialDecay``.
    """
    x = np.subtract(s, delay, out=out)  # x = max(s - delay, 0) / period, in one array (the fast-path comment)
    np.maximum(x, 0.0, out=x)
    x /= period
    if staircase:
        np.floor(x, out=x)
    if limit is not None and gamma > 1:  # growth to a cap: stop the exponent one period past the cap (no overflow)
        np.minimum(x, math.log(max(limit, 1.0)) / math.log(gamma) + 1.0, out=x)
    x *= math.log(gamma)
    v = np.exp(x, out=x)  # gamma ** x, to a few ulps, several times faster than np.power
    if limit is not None:
        (np.maximum if gamma < 1 else np.minimum)(v, limit, out=v)
    return v


def cosine(s, steps, floor=0.0, exponent=1.0, cycles=0.5, clamp=True, out=None):
    """``floor + (1 - floor) · half_cosine(s / L, cycles) ** exponent``.

    ``clamp`` holds the end value after ``L`` (optax, Keras, timm); without it the cosine goes on
    and rises again (torch ``CosineAnnealingLR``, transformers ``cosine``).
    """
    x = np.divide(s, steps, out=out)  # the rest is computed in this one array (the fast-path comment above)
    if clamp:
        np.minimum(x, 1.0, out=x)
    v = half_cosine(x, cycles, out=x)
    if exponent != 1:
        v **= exponent
    return _from_floor(v, floor)


def polynomial(s, steps, power=1.0, floor=0.0, delay=0, cycle=False, out=None):
    """``floor + (1 - floor) · ((L - c) / L) ** power``, ``c = min(s - delay, L)``.

    ``cycle`` (Keras ``PolynomialDecay(cycle=True)``) stretches ``L`` to the next multiple of
    ``steps`` instead of holding the floor. torch ``PolynomialLR`` has floor 0.
    """
    if cycle:
        c = np.maximum(s - delay, 0.0)
        length = steps * np.maximum(np.ceil(c / steps), 1.0)
        return floor + (1.0 - floor) * ((length - c) / length) ** power
    # the same without cycles, in one array (the fast-path comment above)
    c = np.subtract(s, delay, out=out)
    np.maximum(c, 0.0, out=c)
    np.minimum(c, steps, out=c)
    length = float(steps)
    np.subtract(length, c, out=c)
    c /= length
    if power != 1:
        c **= power
    return _from_floor(c, floor)


def linear(s, steps, floor=0.0, out=None):
    """Polynomial decay of power 1: straight to ``floor`` at ``L``, held after."""
    return polynomial(s, steps, 1.0, floor, out=out)


def inverse_sqrt(s, timescale):
    """``1 / sqrt((s + timescale) / timescale)`` (transformers ``inverse_sqrt``, fairseq, Noam)."""
    return 1.0 / np.sqrt((s + timescale) / timescale)


def inverse_time(s, decay_steps, rate, staircase=False):
    """``1 / (1 + rate · s / decay_steps)`` (Keras ``InverseTimeDecay``)."""
    p = s / decay_steps
    if staircase:
        p = np.floor(p)
    return 1.0 / (1.0 + rate * p)


def _profile(x, profile, power, lb, ub, out=None):
    """Annealing profile over the cycle position ``x`` in [0, 1], from 1 down (the cosine in ``out``)."""
    if profile == "cosine":
        return half_cosine(x, out=out)
    if profile == "polynomial":
        return np.clip(1.0 - x, 0.0, 1.0) ** power
    if profile == "tanh":
        return falling_tanh(lb + (ub - lb) * x)
    return 1.0 - x  # linear


def _cycle_profile(t_cur, t_i, k_decay, profile, power, lb, ub, out=None):
    """The profile at ``x = t_cur**k / T_i**k`` (timm's ``t_curr ** k / t_i ** k``).

    Fast path (bench/bench_schedules.py: the cosine was two thirds of SGDR's time): with one cycle length and
    whole steps, ``t_cur`` takes at most ``T`` values, so the profile is computed once for each and looked up:
    the same operations on the same numbers, so the same bits."""
    if np.ndim(t_i) == 0 and float(t_i).is_integer() and 0 < t_i <= t_cur.size // 4:
        k = t_cur.astype(np.intp)
        if np.array_equal(k, t_cur) and k.min() >= 0 and k.max() < t_i:
            table = _cycle_profile(np.arange(float(t_i)), t_i, k_decay, profile, power, lb, ub)
            return np.take(table, k, out=out, mode="clip")  # "clip": not buffered (the bounds are checked above)
    if k_decay == 1:
        x = np.divide(t_cur, t_i, out=out)
    else:
        x = t_cur**k_decay / t_i**k_decay
    return _profile(x, profile, power, lb, ub, out=x)


MAX_CYCLES = 100_000  # breakpoint lists stop here; more restarts than this cannot be drawn apart


def _cycle_start(i, period, period_mult):
    """Start of cycle ``i``: ``period * (m**i - 1) / (m - 1)`` (exact for integer inputs)."""
    if period_mult == 1:
        return i * period
    return period * (_powers(period_mult, i) - 1.0) / (period_mult - 1.0)


def _cycle_index(s, period, period_mult):
    """Index of the cycle each step falls in; the float estimate is corrected against the exact
    cycle starts, so a step on a boundary always opens the new cycle."""
    if period_mult == 1:
        i = s / period
        np.floor(i, out=i)
        if float(period).is_integer() and period < 2**52:
            return i  # integer steps over an integer period: the division is exact enough
    else:
        i = np.floor(np.log1p(s * (period_mult - 1.0) / period) / math.log(period_mult))
    i = np.maximum(i, 0.0)
    i = np.where(s < _cycle_start(i, period, period_mult), i - 1, i)
    return np.where(s >= _cycle_start(i + 1, period, period_mult), i + 1, i)


def cycle_starts(period, period_mult, upto):
    """Start steps of the cycles that begin at or before ``upto`` (at most ``MAX_CYCLES``)."""
    n = int(min(_cycle_index(np.array([float(upto)]), period, period_mult)[0], MAX_CYCLES)) + 1
    return _cycle_start(np.arange(n + 1, dtype=np.float64), period, period_mult)


def restarts(s, period, period_mult=1.0, cycle_decay=1.0, decay_mode="peak", cycle_limit=None,
             floor=0.0, k_decay=1.0, profile="cosine", power=1.0, lb=-7.0, ub=3.0, out=None):
    """Cycles of an annealing profile (SGDR, Loshchilov & Hutter 2017).

    Cycle ``i`` lasts ``T_i = period * period_mult**i``; inside it ``x = t_cur**k / T_i**k``. The peak
    of cycle ``i`` is ``cycle_decay**i``: ``decay_mode="peak"`` scales the distance to the floor
    (timm), ``"amplitude"`` scales only the profile (Keras ``m_mul``). After ``cycle_limit``
    cycles the floor is held (timm); ``None`` restarts for ever (torch, Keras).
    """
    i = _cycle_index(s, period, period_mult)
    if period_mult == 1 and cycle_decay == 1 and cycle_limit is None:  # i is not needed again: reuse its array
        start = np.multiply(i, period, out=i)
    else:
        start = _cycle_start(i, period, period_mult)
    t_cur = np.subtract(s, start, out=start if out is None else out)  # in place from here on (see the top)
    t_i = period * _powers(period_mult, i) if period_mult != 1 else period  # 1 ** i is 1: no array of ones
    profile = _cycle_profile(t_cur, t_i, k_decay, profile, power, lb, ub, out=t_cur)
    if cycle_decay == 1:  # the peak is 1 in every cycle: both modes are floor + (1 - floor) · profile
        v = _from_floor(profile, floor)
    elif decay_mode == "peak":
        v = floor + (_powers(cycle_decay, i) - floor) * profile
    else:
        v = floor + (1.0 - floor) * (_powers(cycle_decay, i) * profile)
    if cycle_limit is not None:
        np.copyto(v, floor, where=i >= cycle_limit)
    return v


def tanh(s, steps, lb=-7.0, ub=3.0, floor=0.0, out=None):
    """``floor + (1 - floor) (1 - tanh(lb (1 - x) + ub x)) / 2``, ``x = s / L``; floor after ``L``.

    Hyperbolic-tangent decay (Hsueh et al. 2019; timm ``TanhLRScheduler``).
    """
    past = s >= steps  # before ``out`` (which may be ``s``) is written
    z = np.divide(s, steps, out=out)  # x, then z = lb + (ub - lb) x, in one array (the fast-path comment above)
    z *= ub - lb
    z += lb
    v = _from_floor(falling_tanh(z, out=z), floor)
    np.copyto(v, floor, where=past)
    return v


def _cooldown(q, shape, cycles, decay_power, decay_ratio, out=None):
    """WSD's cooldown ``g(q)`` from 1 at ``q = 0`` to 0 at ``q = 1`` (linear and cosine in ``out``)."""
    if shape == "linear":
        return np.subtract(1.0, q, out=out)
    if shape == "cosine":
        return half_cosine(q, cycles, out=out)
    if shape == "1-sqrt":
        return 1.0 - np.sqrt(q)
    if shape == "power":
        return 1.0 - q**decay_power
    return (decay_ratio**q - decay_ratio) / (1.0 - decay_ratio)  # "exp": to decay_ratio, normalised to 0


def wsd(s, stable, decay, shape="cosine", floor=0.0, cycles=0.5, stable_power=0.0, stable_timescale=1.0,
        decay_power=0.5, decay_ratio=0.1, out=None):
    """Warmup-stable-decay's tail: the stable phase for ``stable`` steps, then ``shape`` to ``floor`` over
    ``decay`` steps, ``floor`` after (transformers ``get_wsd_schedule``; timm ``WSDLRScheduler``; Hu et al. 2024).

    The stable phase is 1, or with ``stable_power > 0`` the power/rsqrt law
    ``(1 + s / stable_timescale) ** -stable_power`` (kept at or above ``floor``), which the cooldown
    multiplies: ``floor + (stable(s) - floor) * g(q)``. Cooldown shapes ``g``: ``linear`` 1 - q,
    ``cosine``, ``1-sqrt`` 1 - sqrt(q), ``power`` 1 - q ** decay_power, ``exp`` (r ** q - r) / (1 - r).
    """
    if stable_power > 0:
        q = np.clip((s - stable) / max(1, decay), 0.0, 1.0)
        g = _cooldown(q, shape, cycles, decay_power, decay_ratio)
        level = np.maximum((1.0 + s / stable_timescale) ** -stable_power, floor)
        return np.where(s < stable + decay, floor + (level - floor) * np.where(s < stable, 1.0, g), floor)
    # 1 before S, the cooldown, floor after
    tail = (stable, decay, shape, floor, cycles, decay_power, decay_ratio)
    if ascending(s):  # fast path (bench/bench_schedules.py): the cooldown over its own steps, not all of them
        a, b = np.searchsorted(s, [stable, stable + decay])
        out = np.empty_like(s) if out is None else out  # ``out`` may be ``s``: the cooldown's steps are read first
        out[a:b] = _wsd_cooldown(s[a:b], *tail, out=out[a:b])
        out[:a], out[b:] = 1.0, floor
        return out
    stable_phase, done = s < stable, s >= stable + decay  # before ``out`` (which may be ``s``) is written
    f = _wsd_cooldown(s, *tail, out=out)
    np.copyto(f, floor, where=done)
    np.copyto(f, 1.0, where=stable_phase)
    return f


def _wsd_cooldown(s, stable, decay, shape, floor, cycles, decay_power, decay_ratio, out=None):
    """``max(floor + (1 - floor) g(q), 0)``, ``q = clip((s - S) / D, 0, 1)``: in one array (see the top)."""
    q = np.subtract(s, stable, out=out)
    q /= max(1, decay)
    np.clip(q, 0.0, 1.0, out=q)
    f = _cooldown(q, shape, cycles, decay_power, decay_ratio, out=q)
    f *= 1.0 - floor
    f += floor
    return np.maximum(f, 0.0, out=f)


def cyclic_is_degenerate(up: float, down: float) -> bool:
    """A cycle too short for float64: the clock ``s / (up + down)`` overflows, or the rise's share underflows
    to 0 (then ``x / ratio`` is 0/0). Frameworks refuse these under their own parameter names."""
    total = up + down
    return not total >= 1e-280 or up / total == 0.0


def cyclic(s, up, down, floor=0.0, mode="triangular", gamma=1.0):
    """Triangular cycles between ``floor`` and 1: up for ``up`` steps, down for ``down`` steps
    (Smith 2017, "Cyclical learning rates"; torch ``CyclicLR``; DeepSpeed ``OneCycle``'s cycle).

    ``mode``: ``triangular`` keeps the amplitude, ``triangular2`` halves it every cycle,
    ``exp_range`` scales it by ``gamma ** s``. Written in torch's arithmetic order.
    """
    total = up + down
    ratio = up / total
    # cycle = floor(1 + s / total), x = 1 + s / total - cycle, scale = x / ratio rising, (x - 1) / (ratio - 1)
    # falling, times the height of the cycle; computed in two arrays (the fast-path comment at the top)
    x = s / total
    x += 1.0
    cycle = np.floor(x)
    x -= cycle
    rising = x <= ratio
    height = None
    if mode == "triangular2":
        height = np.exp2(np.subtract(1.0, cycle, out=cycle), out=cycle)  # 1 / 2 ** (cycle - 1), underflows quietly
    elif mode == "exp_range":
        height = np.power(gamma, s, out=cycle)
    up_part = np.divide(x, ratio, out=cycle if height is None else None)
    x -= 1.0
    x /= ratio - 1.0 if ratio < 1 else -1.0
    np.copyto(x, up_part, where=rising)
    if height is not None:
        x *= height
    return _from_floor(x, floor)


def knots(s, knots, values, anneal="linear", out=None):
    """Linear or half-cosine interpolation through ``(knots[i], values[i])``, the last value held
    after the last knot and the first before the first (optax ``piecewise_interpolate_schedule``)."""
    if len(knots) == 1:
        return np.full_like(s, float(values[0]))
    return interpolate(s, knots, values, "cos" if anneal == "cosine" else "linear", out=out)


def interpolate(s, knots, values, anneal="cos", hold=True, out=None):
    """Piecewise ``cos``/``linear`` interpolation through ``(knots[i], values[i])``; the building
    block of one-cycle. After the last knot the last value is held, or with ``hold=False`` the last
    phase's formula goes on for one more step (what torch ``OneCycleLR`` computes for step
    ``total_steps``, the last it allows) and that value is held.

    Computed phase by phase: on slices of ``out`` when the steps are sorted (the usual ``np.arange``: no
    index arrays, no gathers; one-cycle was the slowest shape in bench/bench_schedules.py), else on masks."""
    knots = np.asarray(knots, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    last = len(knots) - 2
    if ascending(s):
        cuts = [0, *np.searchsorted(s, knots[1:-1], side="left"), s.size]  # phase j: knots[j] <= s < knots[j+1]
        pieces = [slice(a, b) for a, b in zip(cuts, cuts[1:])]
    else:
        phase = np.searchsorted(knots[1:-1], s, side="right")
        pieces = [phase == j for j in range(last + 1)]
    out = np.empty_like(s) if out is None else out  # ``out`` may be ``s``: each piece is read before it is written
    for j, piece in enumerate(pieces):
        v = out[piece] if isinstance(piece, slice) else np.empty(np.count_nonzero(piece))
        if v.size:
            _phase(s[piece], v, knots[j], knots[j + 1], values[j], values[j + 1], anneal,
                   past_end=None if hold or j < last else knots[-1] + 1.0, first=j == 0, last=j == last)
            if not isinstance(piece, slice):
                out[piece] = v
    return out


def _phase(s, v, k0, k1, start, end, anneal, past_end=None, first=True, last=True):
    """One phase from ``start`` at ``k0`` to ``end`` at ``k1``, written into ``v``; the end value is held after
    ``k1``, or with ``past_end`` the formula goes on up to that step. Only the ``first`` phase has steps before
    ``k0`` and only the ``last`` steps after ``k1``: the others skip those clamps (one-cycle's fast path, bench/)."""
    if last:
        np.minimum(s, k1 if past_end is None else past_end, out=v)
        v -= k0
    else:
        np.subtract(s, k0, out=v)
    v /= k1 - k0  # pct, the position inside the phase
    if first:
        np.maximum(v, 0.0, out=v)  # before the first knot: its value
    if anneal == "cos":  # end + (start - end) · (1 + cos(π · pct)) / 2, torch's and optax's form (the same bits:
        half_cosine(v, out=v)  # halving is exact, so it does not matter which factor is halved)
        v *= start - end
        v += end
    else:  # start + (end - start) · pct, not below 0 (a linear step past the end could cross 0)
        v *= end - start
        v += start
        np.maximum(v, 0.0, out=v)


def onecycle_knots(total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
                   three_phase=False, style="torch", pct_final=0.85):
    """Knots and values of a one-cycle policy (Smith 2018), as a fraction of the peak.

    ``style="torch"`` places the peak at ``pct_start * T - 1`` and the minimum at ``T - 1``
    (torch ``OneCycleLR``); ``style="optax"`` at ``int(pct_start * T)`` and ``T``.
    """
    lo, end = 1.0 / div_factor, 1.0 / (div_factor * final_div_factor)
    T = float(total_steps)
    if style == "torch":
        up = pct_start * T - 1.0
        if three_phase:
            return [0.0, up, 2.0 * pct_start * T - 2.0, T - 1.0], [lo, 1.0, lo, end]
        return [0.0, up, T - 1.0], [lo, 1.0, end]
    up = float(int(pct_start * T))
    if three_phase:
        return [0.0, up, float(int(pct_final * T)), T], [lo, 1.0, lo, end]
    return [0.0, up, T], [lo, 1.0, end]


def onecycle(s, total_steps, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
             anneal="cos", three_phase=False, style="torch", pct_final=0.85, out=None):
    """One-cycle: up from ``1/div_factor`` to 1, then down to ``1/(div_factor*final_div_factor)``.

    After the cycle, optax holds the minimum; torch computes one more step on the last phase's
    formula (then raises), and that value is held.
    """
    knots, values = onecycle_knots(total_steps, pct_start, div_factor, final_div_factor,
                                   three_phase, style, pct_final)
    return interpolate(s, knots, values, anneal, hold=style == "optax", out=out)
