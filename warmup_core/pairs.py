"""A composite schedule as the warmup + decay pair it equals, where it is one exactly.

>>> from warmup_core import Decay, Join, Warmup, WarmupDecay
>>> warm = WarmupDecay(0.1, Warmup("linear", steps=20, factor=0.1), Decay("constant"))
>>> chain = Join([warm, WarmupDecay(0.1, decay=Decay("cosine", steps=280, clamp=False))], [20], total_steps=300)
>>> as_warmup_decay(chain)
WarmupDecay(base_lr=0.1, warmup=Warmup(method='linear', steps=20, factor=0.1), decay=Decay(name='cosine', \
clamp=False, cycles=0.5, exponent=1.0, floor=0.0, steps=280), convention='prepend', total_steps=300)

Frameworks build chains and products of parts (torch ``SequentialLR`` / ``ChainedScheduler``, an mmengine
``param_scheduler`` list, detectron2's ``WarmupParamScheduler``): :class:`~warmup_core.schedule.Join` and
:class:`~warmup_core.schedule.Product`. Many are a warmup joined to a decay under another name: a
``LinearLR`` ramp followed by ``CosineAnnealingLR`` is a linear warmup *prepended* to a cosine; mmengine's
``LinearLR`` times ``MultiStepLR`` is a warmup *multiplied* into the steps. :func:`as_warmup_decay` finds that
pair, or returns ``None``; it never approximates.

How. The composite is cut into pieces ``[start, end)`` of global steps, each one part of it on a clock
(``value = scale · part.multiplier(t - clock)``) or a constant. A product's factors are cut at every piece
boundary; where all factors but one are constant (a warmup's factor after its ramp, a multistep's between its
milestones: read from the shapes, never guessed from samples) the piece is that one part, scaled. A part's
constant tail (a warmup's decay of ``constant``, a multistep after its last milestone, a clamped cosine after
its length) is cut off as a constant piece, and a constant piece that a neighbour already has the value of is
merged into it (a multistep / piecewise decay's clock may start earlier, its milestones moved later by as
much, where its first value is that constant). What remains must be one piece (a warmup + decay pair
itself), or a warmup then a decay: the decay's clock restarts where the warmup ends (``prepend``) or runs
from 0 (``multiply`` where the decay is still 1 during the warmup, else ``override``). Last, both schedules
are compared at every breakpoint (each side, ±1) and an even sample: any difference beyond ``rtol = 1e-12``
is a ``None`` (a guard; the rules above are exact).

Steps are whole optimizer updates: the pair equals the composite at every step ``t = 0, 1, 2, ...``,
after the end of training included.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .schedule import Decay, Join, LRSchedule, Product, Warmup, WarmupDecay

INF = math.inf
MAX_PIECES = 4096  # a composite cut into more pieces than this is not a warmup + decay pair anyone wrote
MAX_DEPTH = 64
RTOL = 1e-12
_STEPWISE = ("constant", "step", "multistep", "piecewise")  # decays constant between their breakpoints


@dataclass(frozen=True)
class _Piece:
    """``lr(t) = scale · part.multiplier(t - clock)`` for ``start <= t < end``; a constant ``scale`` when
    ``part`` is None."""

    start: float
    end: float
    part: WarmupDecay | None
    clock: float
    scale: float

    def value_at(self, t: float) -> float:
        if self.part is None:
            return self.scale
        return self.scale * float(self.part.multiplier(np.array([t - self.clock], dtype=np.float64))[0])


def _same(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-13 * max(abs(a), abs(b))


# --- what the shapes say about themselves ---------------------------------------------------------

def _decay_flat(decay: Decay, params: dict) -> float | None:
    """The decay clock from which the decay is constant for ever, or None."""
    name, entry = decay.name, decay.entry
    if name == "constant":
        return 0.0
    if name in ("multistep", "piecewise"):
        return float(max(entry.breakpoints(params, INF), default=0.0))
    if name in ("step", "exponential") and params.get("gamma") == 1:
        return 0.0
    if name == "cosine" and params["clamp"]:
        return float(params["steps"])
    if name == "polynomial" and not params["cycle"]:
        return float(params["delay"] + params["steps"])
    if name in ("linear", "tanh"):
        return float(params["steps"])
    if name == "wsd":
        return float(params["stable"] + params["decay"])
    if name == "knots":
        return float(max(params["knots"]))
    return None


def _flat_from(p: WarmupDecay) -> float | None:
    """The step of ``p``'s own clock from which ``p`` is constant for ever, or None."""
    d = _decay_flat(p.decay, p.decay_params)
    if d is None:
        return None
    W = p.warmup.steps
    u = W + d if p.convention == "prepend" else max(W, d)
    return max(u - p.offset, 0.0)


def _constant_on(p: WarmupDecay, a: float, b: float) -> bool:
    """Whether ``p`` is constant on its own clock's steps ``[a, b)`` (``b`` may be inf), from its shapes."""
    flat = _flat_from(p)
    if flat is not None and a >= flat:
        return True
    if b == INF:
        return False
    W, o = p.warmup.steps, p.offset
    if W and a + o < W:  # inside the warmup's ramp
        return False
    if p.decay.name not in _STEPWISE:
        return False
    shift = W if p.convention == "prepend" else 0
    d0, d1 = a + o - shift, b + o - shift
    if p.decay.name == "step":  # its breakpoint list stops at MAX_CYCLES: count the steps instead
        size = p.decay_params["step_size"]
        return math.floor(d0 / size) == math.floor((d1 - 1) / size)
    # a breakpoint is where a new value first applies: none may fall inside (d0, d1)
    return not any(d0 < bp < d1 for bp in p.decay.entry.breakpoints(p.decay_params, d1))


# --- cutting a composite into pieces --------------------------------------------------------------

def _pieces(s: LRSchedule, depth: int = 0) -> list[_Piece] | None:
    if depth > MAX_DEPTH:
        return None
    if isinstance(s, WarmupDecay):
        return [_Piece(0.0, INF, s, 0.0, s.base_lr)]
    if isinstance(s, Join):
        return _join_pieces(s, depth)
    if isinstance(s, Product):
        return _product_pieces(s, depth)
    return None


def _join_pieces(s: Join, depth: int) -> list[_Piece] | None:
    starts = (0,) + s.boundaries
    ends = s.boundaries + (INF,)
    out: list[_Piece] = []
    for part, a, b in zip(s.parts, starts, ends):
        if a >= b:
            continue
        inner = _pieces(part, depth + 1)
        if inner is None:
            return None
        for q in inner:
            lo, hi = q.start + a, min(q.end + a, b)
            if lo < hi:
                out.append(replace(q, start=lo, end=hi, clock=q.clock + a))
        if len(out) > MAX_PIECES:
            return None
    return out


def _piece_at(pieces: list[_Piece], t: float) -> _Piece:
    return next(q for q in pieces if q.start <= t < q.end)


def _product_pieces(s: Product, depth: int) -> list[_Piece] | None:
    factors = [_pieces(p, depth + 1) for p in s.parts]
    if any(f is None for f in factors):
        return None
    cuts = sorted({q.start for f in factors for q in f})
    if len(cuts) > MAX_PIECES:
        return None
    out = []
    for a, b in zip(cuts, cuts[1:] + [INF]):
        scale, moving = 1.0, []
        for f in factors:
            q = _piece_at(f, a)
            if q.part is None or _constant_on(q.part, a - q.clock, b - q.clock):
                scale *= q.value_at(a)
            else:
                scale *= q.scale
                moving.append(q)
        scale /= s.base_lr ** (len(factors) - 1)  # Product: base · Π (part value / base)
        piece = _product_of(moving, a, b, scale)
        if piece is None:
            return None
        out.append(piece)
    return out


def _product_of(moving: list[_Piece], a: float, b: float, scale: float) -> _Piece | None:
    """The piece ``scale · Π moving`` (each moving piece's own scale already in ``scale``)."""
    if not moving:
        return _Piece(a, b, None, 0.0, scale)
    if len(moving) == 1:
        return _Piece(a, b, moving[0].part, moving[0].clock, scale)
    if len(moving) == 2:  # a warmup (whose decay is constant) times a decay (without warmup), on one clock
        w, d = sorted(moving, key=lambda q: q.part.decay.name != "constant")
        pw, pd = w.part, d.part
        if (w.clock == d.clock and pw.decay.name == "constant" and pw.offset == 0 and pd.offset == 0
                and pd.warmup.steps == 0 and _same(pw.warmup_target_value(), 1.0)):
            try:
                both = WarmupDecay(1.0, _peak_warmup(pw.warmup), _frozen_decay(pd), "multiply")
            except ValueError:
                return None
            return _Piece(a, b, both, w.clock, scale)
    return None


# --- merging constant pieces into their neighbours --------------------------------------------------

def _normalise(pieces: list[_Piece]) -> list[_Piece]:
    split: list[_Piece] = []
    for q in pieces:  # a part's constant tail becomes a constant piece
        flat = _flat_from(q.part) if q.part is not None else None
        if flat is not None and q.clock + flat < q.end:
            g = max(q.clock + flat, q.start)
            if g > q.start:
                split.append(replace(q, end=g))
            split.append(_Piece(g, q.end, None, 0.0, q.value_at(g)))
        else:
            split.append(q)
    merged: list[_Piece] = []
    for q in split:  # equal neighbours
        last = merged[-1] if merged else None
        if last is not None and last.part is None and q.part is None and _same(last.scale, q.scale):
            merged[-1] = replace(last, end=q.end)
        elif last is not None and q.part is not None and last.part is q.part and last.clock == q.clock \
                and _same(last.scale, q.scale):
            merged[-1] = replace(last, end=q.end)
        else:
            merged.append(q)
    out: list[_Piece] = []
    i = 0
    while i < len(merged):  # a constant into the part after it (whose clock reaches back), then before it
        q = merged[i]
        nxt = merged[i + 1] if i + 1 < len(merged) else None
        if q.part is None and nxt is not None and nxt.part is not None and nxt.clock > q.start:
            nxt = _reclocked(nxt, q.start) or nxt
        if (q.part is None and nxt is not None and nxt.part is not None and nxt.clock <= q.start
                and _constant_on(nxt.part, q.start - nxt.clock, q.end - nxt.clock) and _same(nxt.value_at(q.start),
                                                                                           q.scale)):
            merged[i + 1] = replace(nxt, start=q.start)
        elif (q.part is None and out and out[-1].part is not None
              and _constant_on(out[-1].part, out[-1].end - out[-1].clock, q.end - out[-1].clock)
              and _same(out[-1].value_at(out[-1].end), q.scale)):
            out[-1] = replace(out[-1], end=q.end)
        else:
            out.append(q)
        i += 1
    return out


def _reclocked(q: _Piece, clock: float) -> _Piece | None:
    """``q`` on a clock started earlier, at ``clock``: a multistep / piecewise decay (no warmup, no offset) whose
    milestones move later by the difference, the same values at every step from ``q.start`` on (its
    breakpoints are the same steps). Before them it has its first value; the caller checks that value."""
    p, k = q.part, q.clock - clock
    if p.warmup.steps or p.offset or p.decay.name not in ("multistep", "piecewise") or k != int(k):
        return None
    params = p.decay_params
    later = [m + int(k) for m in params["milestones"]]
    try:
        part = p.replace(decay=Decay(p.decay.name, **{**params, "milestones": later}))
    except ValueError:
        return None
    return replace(q, part=part, clock=clock)


# --- the pair ---------------------------------------------------------------------------------------------

def _frozen_decay(p: WarmupDecay) -> Decay:
    """``p``'s decay with the lengths it filled from its own length of training written in."""
    return Decay(p.decay.name, **p.decay_params)


def _is_one_on(p: WarmupDecay, W: int) -> bool:
    return _constant_on(p, 0, W) and _same(float(p.multiplier(np.zeros(1))[0]), 1.0)


def _peak_warmup(w: Warmup) -> Warmup:
    return Warmup(w.method, None if w.entry.derive_steps else w.steps, w.factor, "peak", **dict(w.params))


def _pair(pieces: list[_Piece], total: int | None, base: float) -> WarmupDecay | None:
    """The pair the normalised pieces are, on the composite's own lr ``base`` where the peak is it."""
    pieces = [replace(q, scale=base) if _same(q.scale, base) else q for q in pieces]
    if len(pieces) == 1:
        q = pieces[0]
        if q.part is None:
            return WarmupDecay(q.scale, total_steps=total)
        if q.clock != 0:
            return None
        p = q.part  # its decay's lengths as filled for it, not refilled from the composite's length
        return WarmupDecay(q.scale, p.warmup, _frozen_decay(p), p.convention, total, p.offset)
    if len(pieces) != 2:
        return None
    head, tail = pieces
    W = int(head.end)
    if tail.part is None or tail.part.warmup.steps or tail.part.offset or W != head.end:
        return None
    peak, rest = tail.scale, tail.part
    if not peak > 0:  # a decay held at 0 by another factor: no peak to be a fraction of
        return None
    decay = _frozen_decay(rest)
    if tail.clock == W:
        convention = "prepend"
    elif tail.clock == 0:
        flat = _constant_on(rest, 0, W) and _same(tail.value_at(0), peak)
        convention = "multiply" if flat else "override"
    else:
        return None
    if head.part is None:
        warmup = Warmup("constant", W, factor=head.scale / peak)
    else:
        p = head.part
        if (head.clock != 0 or p.offset or p.warmup.steps != W or not _same(head.scale, peak)
                or not _same(p.warmup_target_value(), 1.0)
                or (p.convention == "multiply" and not _is_one_on(p.replace(warmup=Warmup()), W))):
            return None
        warmup = _peak_warmup(p.warmup)
    return WarmupDecay(peak, warmup, decay, convention, total)


def _equal(a: LRSchedule, b: LRSchedule, horizon: float) -> bool:
    """The guard: equal at every breakpoint of either (±1 step) and an even sample, up to past the horizon."""
    h = float(horizon)
    bps = np.concatenate([a.breakpoints(h), b.breakpoints(h)])
    t = np.concatenate([bps - 1, bps, bps + 1, np.linspace(0, h, 4097), [h + 1, 2 * h + 7]])
    t = np.unique(np.round(t[t >= 0]))
    x, y = a(t), b(t)
    return bool(np.all(np.abs(x - y) <= RTOL * np.abs(y) + 1e-300))


def as_warmup_decay(schedule: LRSchedule) -> WarmupDecay | None:
    """The :class:`~warmup_core.schedule.WarmupDecay` equal to ``schedule`` at every step, or ``None``.

    A ``WarmupDecay`` is returned as it is; a :class:`~warmup_core.schedule.Join` or
    :class:`~warmup_core.schedule.Product` as the pair it is exactly (same ``total_steps``), or ``None`` when
    its parts are not a warmup followed by one decay. Never an approximation: see the module docstring.
    """
    if isinstance(schedule, WarmupDecay):
        return schedule
    if not isinstance(schedule, (Join, Product)):
        return None
    pieces = _pieces(schedule)
    if pieces is None:
        return None
    try:
        pair = _pair(_normalise(pieces), schedule.total_steps, schedule.base_lr)
    except ValueError:  # a factor outside [0, 1], a decay that does not validate on its own
        return None
    if pair is None:
        return None
    ends = [q.start for q in pieces] + [schedule.total_steps or 0, pair.total_steps or 0, 1]
    try:
        return pair if _equal(pair, schedule, max(ends)) else None
    except ValueError:
        return None


def with_total_steps(schedule: LRSchedule, total_steps: int | None) -> LRSchedule:
    """``schedule`` with another length of training (a Join or Product is rebuilt with the same parts)."""
    if isinstance(schedule, WarmupDecay):
        return schedule.replace(total_steps=total_steps)
    if isinstance(schedule, Join):
        return Join(schedule.parts, schedule.boundaries, total_steps)
    if isinstance(schedule, Product):
        return Product(schedule.parts, schedule.base_lr, total_steps)
    raise ValueError(f"not a schedule: {type(schedule).__name__}")


def with_base_lr(schedule: LRSchedule, base_lr: float) -> LRSchedule:
    """``schedule`` rescaled so that its base lr is ``base_lr``: every part's lr by the same factor, the
    shape and every step count unchanged (ValueError for a base lr the schedule refuses)."""
    factor = base_lr / schedule.base_lr
    if isinstance(schedule, WarmupDecay):
        return schedule.replace(base_lr=base_lr)
    if isinstance(schedule, Join):
        return Join([with_base_lr(p, p.base_lr * factor) for p in schedule.parts], schedule.boundaries,
                    schedule.total_steps)
    if isinstance(schedule, Product):
        return Product([with_base_lr(p, p.base_lr * factor) for p in schedule.parts], base_lr,
                       schedule.total_steps)
    raise ValueError(f"not a schedule: {type(schedule).__name__}")


def built_from(schedule: LRSchedule) -> str:
    """``"product of 5 parts"``: what a composition is, in words (``"warmup + decay pair"`` for a pair)."""
    if isinstance(schedule, (Join, Product)):
        return f"{type(schedule).__name__.lower()} of {leaves(schedule)} parts"
    return "warmup + decay pair"


def leaves(schedule: LRSchedule) -> int:
    """How many warmup + decay pairs a schedule is built from (1 for a pair)."""
    if isinstance(schedule, (Join, Product)):
        return sum(leaves(p) for p in schedule.parts)
    return 1
