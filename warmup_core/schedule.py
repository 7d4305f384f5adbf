"""Schedules: a warmup joined to a decay by a named convention, and compositions of schedules.

>>> s = WarmupDecay(0.1, Warmup("linear", steps=4, factor=0.25), Decay("cosine"), total_steps=12)
>>> s([0, 2, 4, 8, 12]).round(6).tolist()
[0.025, 0.0625, 0.1, 0.05, 0.0]

``lr(t)`` is the learning rate of optimizer update ``t`` (0-based). Every schedule is an
:class:`LRSchedule`: immutable, evaluates any step array in closed form (float64; a scalar in gives a
scalar out), and round-trips through JSON with :meth:`~LRSchedule.to_dict` / :func:`from_dict`.

* :class:`WarmupDecay` — a :class:`Warmup` joined to a :class:`Decay` by a convention (the old name
  ``Schedule`` still works);
* :class:`Join` — schedules one after another, each on its own clock;
* :class:`Product` — schedules multiplied, all clocks from 0.

Conventions of the libraries these reproduce: ``docs/conventions.md``.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .decays import ascending
from .params import Param
from .registry import CONVENTIONS, FACTOR, STEPS, decay_entry, warmup_entry

# 1e6 is far past any real learning rate, and keeps lr · multiplier (at most 1e6) far from float64 overflow.
BASE_LR = Param(name="base_lr", default=0.1, kind="float", minimum=0.0, minimum_open=True, maximum=1e6, unit="lr",
                help="Peak learning rate.")
TOTAL_STEPS = Param(name="total_steps", default=None, kind="int", minimum=1, optional=True, unit="steps",
                    help="Length of training.")
OFFSET = Param(name="offset", default=0, kind="int", minimum=0, unit="steps",
               help="Evaluate at t + offset (a clock that starts at 1).")
TARGETS = ("peak", "decay")
TARGET_ALIASES = {"one": "peak"}  # the name before the rename: the warmup ramps to a multiplier of one
MAX_NESTING = 32  # joins and products inside each other, at most


def _frozen(self, *_):
    raise AttributeError(f"{type(self).__name__} is immutable; use .replace(...)")


def _set(obj, **fields):
    for k, v in fields.items():
        object.__setattr__(obj, k, v)


def _listify(v):
    return list(v) if isinstance(v, tuple) else v


def as_steps(steps) -> tuple[np.ndarray, bool]:
    """Coerce a step or step array to float64, rejecting negative, NaN and infinite steps."""
    try:
        t = np.asarray(steps, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"steps must be numbers, got {steps!r}") from None
    # two reductions, no temporary: a NaN fails the min test, +inf the max test
    if t.size and not (t.min() >= 0 and np.isfinite(t.max())):
        bad = t[~(np.isfinite(t) & (t >= 0))][:3]
        raise ValueError(f"steps must be finite and >= 0, got {bad.tolist()}")
    return t, t.ndim == 0


class _ByValue:
    """Equality, hashing and repr from ``to_dict()``: two specs are equal when their JSON is."""

    __slots__ = ()

    def __eq__(self, other):
        return type(other) is type(self) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in self.to_dict().items())})"


class Warmup(_ByValue):
    """A warmup stage: ``method`` (a registry name), ``steps`` (W), ``factor`` (lr at step 0 as a
    fraction of the peak) and the method's own parameters.

    ``target="peak"`` ramps to the peak; ``target="decay"`` ramps to the value the decay has where the
    warmup hands over (detectron2, timm tanh). A warmup of 0 steps is no warmup: ``Warmup("linear",
    steps=0) == Warmup()``.
    """

    __slots__ = ("method", "steps", "factor", "target", "params")
    __setattr__ = _frozen

    def __init__(self, method: str = "none", steps: int | None = 0, factor: float = 0.0,
                 target: str = "peak", **params):
        entry = warmup_entry(method)
        clean = entry.validate(params)
        owner = f"warmup {method!r}"
        if entry.derive_steps is not None:
            derived = entry.derive_steps(clean)
            if steps not in (None, 0, derived):
                raise ValueError(f"{owner} derives its length ({derived} steps) from its parameters; "
                                 f"got steps={steps!r}")
            steps = derived
        elif method == "none":
            if steps not in (None, 0):
                raise ValueError(f"warmup 'none' has no length; got steps={steps!r}")
            steps = 0
        else:
            steps = STEPS.validate(steps, owner)
        if entry.takes_factor:
            factor = FACTOR.validate(factor, owner)
            if entry.factor_positive and factor == 0:
                raise ValueError(f"{owner}: parameter 'factor' must be > 0 (a geometric ramp cannot start at 0), "
                                 f"got {factor!r}")
        else:
            factor = 0.0
        target = TARGET_ALIASES.get(target, target) if isinstance(target, str) else target
        if target not in TARGETS:
            raise ValueError(f"warmup parameter 'target' must be one of {list(TARGETS)}, got {target!r}")
        if steps == 0 and entry.derive_steps is None:  # a warmup of no steps is no warmup
            method, factor, target, clean = "none", 0.0, "peak", {}
        _set(self, method=method, steps=int(steps), factor=float(factor), target=target,
             params=tuple(sorted(clean.items())))

    @property
    def entry(self):
        return warmup_entry(self.method)

    def to_dict(self) -> dict:
        d = {"method": self.method, "steps": None if self.entry.derive_steps else self.steps, "factor": self.factor}
        if self.target != "peak":
            d["target"] = self.target
        d.update({k: _listify(v) for k, v in self.params})
        return d

    def evaluate(self, t, start, end):
        return self.entry.evaluate(t, self.steps, start, end, **dict(self.params))


class Decay(_ByValue):
    """A decay: a registry name and its parameters (``None`` lengths are filled by the schedule)."""

    __slots__ = ("name", "params")
    __setattr__ = _frozen

    def __init__(self, name: str = "constant", **params):
        clean = decay_entry(name).validate(params)
        _set(self, name=name, params=tuple(sorted(clean.items())))

    @property
    def entry(self):
        return decay_entry(self.name)

    def empty_lengths(self) -> list[str]:
        """The lengths left empty, to be filled from the length of training."""
        e = self.entry
        return [p.name for p in e.params if e.fill_lengths and p.optional and p.unit == "steps"
                and dict(self.params)[p.name] is None]

    def to_dict(self) -> dict:
        return {"name": self.name, **{k: _listify(v) for k, v in self.params}}


class LRSchedule:
    """Any learning-rate schedule (a :class:`WarmupDecay`, a :class:`Join`, a :class:`Product`): evaluation,
    breakpoints, summary numbers and JSON. The old name ``Curve`` still works."""

    base_lr: float
    total_steps: int | None

    def multiplier(self, t: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """``lr(t) / base_lr`` for a float64 step array."""
        raise NotImplementedError

    def __call__(self, steps):
        t, scalar = as_steps(steps)
        t = np.atleast_1d(t)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, as a ValueError
            lr = self.multiplier(t)
            if lr.flags.owndata and lr.flags.writeable and not np.may_share_memory(lr, t):
                lr *= self.base_lr  # in place: a fresh 1M-step array costs more than this product (bench/)
            else:
                lr = self.base_lr * lr
        top = lr.max() if lr.size else 0.0
        if not np.isfinite(top):  # NaN or inf: from parameters too large for float64
            raise ValueError(f"this schedule overflows float64 (its learning rate reaches {top}); "
                             "its parameters are too large")
        return float(lr[0]) if scalar else lr

    def breakpoints(self, horizon: float | None = None) -> np.ndarray:
        """Sorted steps in ``[0, horizon]`` where the curve jumps or changes formula; the ends
        are included. A plot that keeps these points draws the curve exactly."""
        horizon = self._horizon(horizon)
        pts = np.asarray(sorted({0.0, float(horizon), *self._breaks(horizon)}), dtype=np.float64)
        return pts[(pts >= 0) & (pts <= horizon)]

    def _breaks(self, horizon) -> list:  # pragma: no cover - abstract
        raise NotImplementedError

    def _horizon(self, horizon):
        if horizon is None:
            if self.total_steps is None:
                raise ValueError("give a horizon: this schedule has no total_steps")
            horizon = self.total_steps - 1
        return horizon

    @property
    def warmup_end(self) -> int:
        return 0

    def summary(self, n: int | None = None) -> dict:
        """Key numbers over steps ``0 .. n-1`` (``n`` defaults to ``total_steps``).

        ``area`` is the sum of the per-step rates (lr · steps), the "total learning" that
        schedules of equal length are often compared by.
        """
        n = int(n if n is not None else (self.total_steps or 0))
        if n < 1:
            raise ValueError(f"summary needs at least one step, got n={n}")
        lrs = self(np.arange(n, dtype=np.float64))
        w = self.warmup_end
        peak_step = int(np.argmax(lrs))
        return {
            "peak_lr": float(lrs[peak_step]),
            "peak_step": peak_step,
            "lr_at_0": float(lrs[0]),
            "warmup_steps": w,
            "lr_at_warmup_end": float(lrs[w]) if w < n else None,
            "lr_at_last": float(lrs[-1]),
            "last_step": n - 1,
            "mean_lr": float(lrs.mean()),
            "area": float(lrs.sum()),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    def to_dict(self) -> dict:  # pragma: no cover - abstract
        raise NotImplementedError

    def __eq__(self, other):
        return isinstance(other, LRSchedule) and self.to_dict() == other.to_dict()

    def __hash__(self):
        return hash(self.to_json())


class WarmupDecay(LRSchedule):
    """``lr(t) = base_lr · m(t + offset)`` where ``m`` joins ``warmup`` (``w``, ``W`` steps) and ``decay``
    (``d``) by ``convention`` (see :data:`~warmup_core.registry.CONVENTIONS` and docs/conventions.md):

    * ``prepend``:  ``m(t) = w(t)`` for ``t < W``, else ``d(t - W)``;
    * ``multiply``: ``m(t) = w(t) · d(t)`` (``w = 1`` after ``W``);
    * ``override``: ``m(t) = w(t)`` for ``t < W``, else ``d(t)``.

    Decay lengths left empty (``None``) fill the rest of training: ``total_steps - W`` when
    prepended, ``total_steps`` otherwise.
    """

    __slots__ = ("base_lr", "warmup", "decay", "convention", "total_steps", "offset", "_decay_params")
    __setattr__ = _frozen

    def __init__(self, base_lr: float = 0.1, warmup: Warmup | None = None, decay: Decay | None = None,
                 convention: str = "prepend", total_steps: int | None = None, offset: int = 0):
        warmup = warmup if warmup is not None else Warmup()
        decay = decay if decay is not None else Decay()
        if not isinstance(warmup, Warmup) or not isinstance(decay, Decay):
            raise ValueError("warmup must be a Warmup and decay a Decay")
        if not isinstance(convention, str) or convention not in CONVENTIONS:
            raise ValueError(f"unknown convention {convention!r}; valid conventions are {sorted(CONVENTIONS)}")
        if warmup.target == "decay" and convention == "multiply":
            raise ValueError("warmup target 'decay' needs convention 'prepend' or 'override', not 'multiply'")
        total_steps = TOTAL_STEPS.validate(total_steps, "schedule")
        _set(self, base_lr=float(BASE_LR.validate(base_lr, "schedule")), warmup=warmup, decay=decay,
             convention=convention, total_steps=total_steps, offset=OFFSET.validate(offset, "schedule"),
             _decay_params=self._fill_lengths(decay, warmup, convention, total_steps))

    @staticmethod
    def _fill_lengths(decay: Decay, warmup: Warmup, convention: str, total_steps: int | None) -> dict:
        params = dict(decay.params)
        empty = decay.empty_lengths()
        if not empty:
            return params
        if total_steps is None:
            raise ValueError(f"decay {decay.name!r}: parameter(s) {empty} are empty (fill the rest of "
                             "training) but the schedule has no total_steps")
        phase = total_steps - warmup.steps if convention == "prepend" else total_steps
        params = decay.entry.fill_lengths(params, max(phase, 1))
        if decay.entry.check is not None:
            decay.entry.check(params)
        return params

    # --- evaluation ----------------------------------------------------------------------------

    @property
    def decay_params(self) -> dict:
        """The decay's parameters with empty lengths filled in."""
        return dict(self._decay_params)

    @property
    def warmup_end(self) -> int:
        return max(self.warmup.steps - self.offset, 0)

    def warmup_target_value(self) -> float:
        """The multiplier the warmup ramps to: 1 (the peak), or with ``target="decay"`` the decay's value
        where the warmup hands over."""
        if self.warmup.target != "decay":
            return 1.0
        handover = 0.0 if self.convention == "prepend" else float(self.warmup.steps)
        return float(self.decay_multiplier(np.array([handover]))[0])

    def decay_multiplier(self, s: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """The decay at its clock ``s``; ``out`` (which may be ``s``): an array the shapes that take one (the fast
        paths of :mod:`~warmup_core.decays`) write into, so no new array is made."""
        fn = self.decay.entry.evaluate
        s = np.asarray(s, dtype=np.float64)
        if out is not None and _takes_out(fn):
            return fn(s, out=out, **self._decay_params)
        return fn(s, **self._decay_params)

    def multiplier(self, t: np.ndarray) -> np.ndarray:
        t = t + self.offset if self.offset else t
        W = self.warmup.steps
        if W == 0:
            return self.decay_multiplier(t)
        warm, rest = _split(t, W)
        tw, tr = t[warm], t[rest]
        if self.convention == "multiply":  # the decay at every step, the warmup multiplied into its first W
            out = self.decay_multiplier(t)
            if not out.flags.writeable or np.may_share_memory(out, t):
                out = out.copy()
            if tw.size:
                out[warm] *= self.warmup.evaluate(tw, self.warmup.factor, self.warmup_target_value())
            return out
        out = np.empty_like(t)
        if tw.size:
            out[warm] = self.warmup.evaluate(tw, self.warmup.factor, self.warmup_target_value())
        if tr.size:
            dest = out[rest] if isinstance(rest, slice) else None  # a view where the decay's values go
            clock = np.subtract(tr, W, out=dest) if self.convention == "prepend" else tr  # prepend: t - W, in dest
            d = self.decay_multiplier(clock, out=dest)
            if d is not dest:
                out[rest] = d
        return out

    def _breaks(self, horizon):
        W, o = self.warmup.steps, self.offset
        shift = W if self.convention == "prepend" else 0
        entry = self.decay.entry
        pts = [W - o] if W else []
        if entry.breakpoints is not None and horizon + o - shift >= 0:
            pts += [b + shift - o for b in entry.breakpoints(self._decay_params, horizon + o - shift)]
        return pts

    # --- value semantics -----------------------------------------------------------------------

    def to_dict(self) -> dict:
        d = {"base_lr": self.base_lr, "warmup": self.warmup.to_dict(), "decay": self.decay.to_dict(),
             "convention": self.convention, "total_steps": self.total_steps}
        if self.offset:
            d["offset"] = self.offset
        return d

    def replace(self, **changes) -> WarmupDecay:
        kw = {k: getattr(self, k) for k in ("base_lr", "warmup", "decay", "convention", "total_steps", "offset")}
        kw.update(changes)
        return WarmupDecay(**kw)

    def __repr__(self):
        return (f"WarmupDecay(base_lr={self.base_lr!r}, warmup={self.warmup!r}, decay={self.decay!r}, "
                f"convention={self.convention!r}, total_steps={self.total_steps!r}"
                + (f", offset={self.offset}" if self.offset else "") + ")")


@functools.cache
def _takes_out(fn) -> bool:
    """Whether a shape function writes into an ``out=`` array (its fast path)."""
    return "out" in inspect.signature(fn).parameters


def _split(t: np.ndarray, W: int):
    """Index the steps before ``W`` and the rest. Sorted steps (the usual ``np.arange``) give slices, so no
    copies: a fast path bench/bench_schedules.py needs at 1M steps."""
    if ascending(t):
        k = int(np.searchsorted(t, W))
        return slice(0, k), slice(k, None)
    warm = t < W
    return warm, ~warm


def _parts(parts, what: str) -> tuple:
    parts = tuple(parts)
    if not parts or not all(isinstance(p, LRSchedule) for p in parts):
        raise ValueError(f"{what} needs one or more schedules")
    return parts


class Join(LRSchedule):
    """Schedules one after another: part ``i`` runs from ``boundaries[i-1]`` with its own clock
    restarted there, at its own base lr (torch ``SequentialLR``, optax ``join_schedules``)."""

    __slots__ = ("parts", "boundaries", "base_lr", "total_steps")
    __setattr__ = _frozen

    def __init__(self, parts: Iterable[LRSchedule], boundaries: Iterable[int], total_steps: int | None = None):
        parts = _parts(parts, "join")
        try:
            boundaries = tuple(STEPS.validate(b, "join boundaries") for b in boundaries)
        except TypeError:
            raise ValueError(f"join boundaries must be a list of steps, got {boundaries!r}") from None
        if len(boundaries) != len(parts) - 1:
            raise ValueError(f"join of {len(parts)} schedules needs {len(parts) - 1} boundaries, "
                             f"got {list(boundaries)}")
        if any(b < a for a, b in zip(boundaries, boundaries[1:])):
            raise ValueError(f"join boundaries must be sorted and >= 0, got {list(boundaries)}")
        _set(self, parts=parts, boundaries=boundaries, base_lr=parts[0].base_lr,
             total_steps=TOTAL_STEPS.validate(total_steps, "join"))

    def multiplier(self, t):
        out = np.empty_like(t)
        part_of = np.searchsorted(np.asarray(self.boundaries, dtype=np.float64), t, side="right")
        starts = (0,) + self.boundaries
        for i, part in enumerate(self.parts):
            mine = part_of == i
            if mine.any():
                out[mine] = part.multiplier(t[mine] - starts[i]) * (part.base_lr / self.base_lr)
        return out

    @property
    def warmup_end(self) -> int:
        return self.parts[0].warmup_end

    def _breaks(self, horizon):
        starts = (0,) + self.boundaries
        pts = list(self.boundaries)
        for i, part in enumerate(self.parts):
            end = starts[i + 1] if i + 1 < len(starts) else horizon
            pts += [b + starts[i] for b in part.breakpoints(max(min(end, horizon) - starts[i], 0))]
        return pts

    def to_dict(self) -> dict:
        return {"type": "join", "parts": [p.to_dict() for p in self.parts],
                "boundaries": list(self.boundaries), "total_steps": self.total_steps}


class Product(LRSchedule):
    """``lr(t) = base_lr · Π_i m_i(t)``: every part's multiplier, all clocks from 0 (torch
    ``ChainedScheduler``); a part whose base lr differs from ``base_lr`` scales by the ratio."""

    __slots__ = ("parts", "base_lr", "total_steps")
    __setattr__ = _frozen

    def __init__(self, parts: Iterable[LRSchedule], base_lr: float | None = None, total_steps: int | None = None):
        parts = _parts(parts, "product")
        base_lr = parts[0].base_lr if base_lr is None else BASE_LR.validate(base_lr, "product")
        _set(self, parts=parts, base_lr=float(base_lr), total_steps=TOTAL_STEPS.validate(total_steps, "product"))

    def multiplier(self, t):
        out = np.ones_like(t)
        for part in self.parts:
            out *= part.multiplier(t)
            out *= part.base_lr / self.base_lr
        return out

    @property
    def warmup_end(self) -> int:
        return max(p.warmup_end for p in self.parts)

    def _breaks(self, horizon):
        return [b for p in self.parts for b in p.breakpoints(horizon)]

    def to_dict(self) -> dict:
        return {"type": "product", "base_lr": self.base_lr, "parts": [p.to_dict() for p in self.parts],
                "total_steps": self.total_steps}


# --- JSON at the edges ------------------------------------------------------------------------------

def _check_keys(d: Mapping, allowed: Iterable[str] | None, what: str):
    """``d`` is a JSON object with string keys, all in ``allowed`` (any, if None)."""
    if not isinstance(d, Mapping):
        raise ValueError(f"{what} must be a JSON object, got {d!r}")
    if not all(isinstance(k, str) for k in d):
        raise ValueError(f"{what}: keys must be strings, got {sorted(map(repr, d))}")
    extra = sorted(set(d) - set(allowed)) if allowed is not None else []
    if extra:
        raise ValueError(f"{what}: unknown key(s) {extra}; valid keys are {sorted(allowed)}")


def _list(v, name):
    if not isinstance(v, (list, tuple)):
        raise ValueError(f"{name} must be a list, got {v!r}")
    return v


def from_dict(d: Mapping[str, Any], _depth: int = 0) -> LRSchedule:
    """Rebuild any schedule from :meth:`LRSchedule.to_dict`; malformed input raises ``ValueError``."""
    if not isinstance(d, Mapping):
        raise ValueError(f"a schedule must be a JSON object, got {type(d).__name__}")
    if _depth > MAX_NESTING:
        raise ValueError(f"schedules nested more than {MAX_NESTING} deep")
    kind = d.get("type", "schedule")
    if kind == "join":
        _check_keys(d, ("type", "parts", "boundaries", "total_steps"), "join")
        return Join([from_dict(p, _depth + 1) for p in _list(d.get("parts"), "parts")],
                    _list(d.get("boundaries", []), "boundaries"), d.get("total_steps"))
    if kind == "product":
        _check_keys(d, ("type", "parts", "base_lr", "total_steps"), "product")
        return Product([from_dict(p, _depth + 1) for p in _list(d.get("parts"), "parts")], d.get("base_lr"),
                       d.get("total_steps"))
    if kind != "schedule":
        raise ValueError(f"unknown schedule type {kind!r}; valid types are ['join', 'product', 'schedule']")
    _check_keys(d, ("type", "base_lr", "warmup", "decay", "convention", "total_steps", "offset"), "schedule")
    w = d.get("warmup") or {"method": "none"}
    dec = d.get("decay") or {"name": "constant"}
    _check_keys(w, None, "warmup")
    _check_keys(dec, None, "decay")
    w, dec = dict(w), dict(dec)
    try:
        warmup = Warmup(w.pop("method", "none"), **w)
        decay = Decay(dec.pop("name", "constant"), **dec)
    except TypeError as e:  # a key that names an argument of the constructor itself ("self")
        raise ValueError(f"malformed schedule: {e}") from None
    return WarmupDecay(d.get("base_lr", BASE_LR.default), warmup, decay, d.get("convention", "prepend"),
                       d.get("total_steps"), d.get("offset", 0))


def from_json(text: str) -> LRSchedule:
    try:
        return from_dict(json.loads(text))
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON: {e.msg} at position {e.pos}") from None
    except RecursionError:
        raise ValueError(f"schedules nested more than {MAX_NESTING} deep") from None


# The names before the rename: ``Schedule`` was the warmup + decay pair, ``Curve`` any schedule.
Schedule = WarmupDecay
Curve = LRSchedule
