"""Parameter metadata and validation shared by the registry, the UI and the tests.

Every schedule parameter is described once, by a :class:`Param`: its name, default, range,
unit and help text. Factories validate their arguments against it and raise ``ValueError``
naming the parameter and the offending value; the app builds its widgets from the same
records. Both records are written in keyword form (``Param(name=..., default=..., ...)``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

KINDS = ("int", "float", "bool", "choice", "int_list", "float_list")


@dataclass(frozen=True, kw_only=True)
class Param:
    """One parameter of a schedule shape.

    ``minimum``/``maximum`` bound the value (``*_open`` make a bound exclusive); ``optional``
    allows ``None`` (meaning "derive it", e.g. a decay length that fills the rest of training).
    """

    name: str
    default: Any
    help: str
    kind: str = "float"
    minimum: float | None = None
    maximum: float | None = None
    minimum_open: bool = False
    maximum_open: bool = False
    unit: str = ""
    choices: tuple = ()
    optional: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Param kind must be one of {KINDS}, got {self.kind!r}")

    def range_text(self) -> str:
        lo = "(" if self.minimum_open else "["
        hi = ")" if self.maximum_open else "]"
        a = "-inf" if self.minimum is None else f"{self.minimum:g}"
        b = "inf" if self.maximum is None else f"{self.maximum:g}"
        return f"{lo}{a}, {b}{hi}"

    def validate(self, value: Any, owner: str = "") -> Any:
        """Return ``value`` coerced to this parameter's kind, or raise ``ValueError``."""
        where = f"{owner}: " if owner else ""
        if value is None:
            if self.optional:
                return None
            raise ValueError(f"{where}parameter {self.name!r} is required (got None)")
        if self.kind == "bool":
            if isinstance(value, (bool, int)) and value in (0, 1):
                return bool(value)
            raise ValueError(f"{where}parameter {self.name!r} must be true or false, got {value!r}")
        if self.kind == "choice":
            if not isinstance(value, str) or value not in self.choices:
                raise ValueError(
                    f"{where}parameter {self.name!r} must be one of {list(self.choices)}, got {value!r}"
                )
            return value
        if self.kind in ("int_list", "float_list"):
            if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
                raise ValueError(f"{where}parameter {self.name!r} must be a list, got {value!r}")
            item = replace(self, kind=self.kind.removesuffix("_list"), optional=False)
            return tuple(item.validate(v, owner) for v in value)
        return self._number(value, where)

    def _number(self, value: Any, where: str):
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
            raise ValueError(f"{where}parameter {self.name!r} must be a number, got {value!r}")
        try:
            x = float(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{where}parameter {self.name!r} must be a number, got {value!r}") from None
        if not math.isfinite(x):
            raise ValueError(f"{where}parameter {self.name!r} must be finite, got {value!r}")
        if self.kind == "int":
            if x != int(x):
                raise ValueError(f"{where}parameter {self.name!r} must be an integer, got {value!r}")
            x = int(x)
        bad = (
            (self.minimum is not None and (x < self.minimum or (self.minimum_open and x == self.minimum)))
            or (self.maximum is not None and (x > self.maximum or (self.maximum_open and x == self.maximum)))
        )
        if bad:
            raise ValueError(f"{where}parameter {self.name!r} must be in {self.range_text()}, got {value!r}")
        return x


@dataclass(frozen=True, kw_only=True)
class Entry:
    """A registry entry: one warmup shape or one decay.

    ``evaluate`` is the pure vectorised function (a warmup's ``(t, steps, start, end, **params)``, a
    decay's ``(s, **params)``); ``check`` validates cross-parameter constraints after each parameter
    passed its own range check; ``breakpoints(params, horizon)`` lists the steps (in the shape's own
    clock) where the curve jumps or changes formula.
    """

    name: str
    kind: str  # "warmup" or "decay"
    title: str
    evaluate: Callable | None
    params: tuple[Param, ...]
    formula: str
    reference: str
    summary: str
    breakpoints: Callable | None = None
    check: Callable | None = None
    monotone: bool = True  # a decay that never increases / a warmup that never decreases
    continuous: bool = True  # no jumps inside the shape
    # warmups
    takes_factor: bool = False  # it starts at a fraction of the peak (the warmup factor α)
    factor_positive: bool = False  # ... which must be > 0 (a geometric ramp cannot start at 0)
    derive_steps: Callable | None = None  # its length follows from its parameters: derive_steps(params)
    # decays
    fill_lengths: Callable | None = None  # fill_lengths(params, phase_length) fills the empty (None) lengths

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict:
        return {p.name: p.default for p in self.params}

    def validate(self, params: dict) -> dict:
        """Fill defaults, check names, ranges and cross-constraints; return a clean dict."""
        names = [p.name for p in self.params]
        unknown = sorted(set(params) - set(names), key=str)
        if unknown:
            raise ValueError(
                f"{self.kind} {self.name!r}: unknown parameter(s) {unknown}; valid parameters are {names}"
            )
        clean = {p.name: p.validate(params.get(p.name, p.default), f"{self.kind} {self.name!r}") for p in self.params}
        if self.check is not None:
            self.check(clean)
        return clean



def unknown_name(kind: str, name: Any, valid: Sequence[str]) -> ValueError:
    return ValueError(f"unknown {kind} {name!r}; valid {kind}s are {sorted(valid)}")
