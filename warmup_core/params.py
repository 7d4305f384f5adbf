"""Parameter metadata and validation shared by the registry, the UI and the tests.

Every schedule parameter is described once, by a :class:`Param`: its name, default, range,
unit and help text. Factories validate their arguments against it and raise ``ValueError``
naming the parameter and the offending value; the app builds its widgets from the same
records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

KINDS = ("int", "float", "bool", "choice", "int_list", "float_list")


@dataclass(frozen=True)
class Param:
    """One parameter of a schedule shape.

    ``minimum``/``maximum`` bound the value (``*_open`` make a bound exclusive); ``optional``
    allows ``None`` (meaning "derive it", e.g. a decay length that fills the rest of training).
    ``ui_max`` is a sensible slider end where ``maximum`` is unbounded.
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
    ui_max: float | None = None
    log: bool = False  # a log-spaced widget suits it (rates, factors spanning decades)

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
            if value not in self.choices:
                raise ValueError(
                    f"{where}parameter {self.name!r} must be one of {list(self.choices)}, got {value!r}"
                )
            return value
        if self.kind in ("int_list", "float_list"):
            if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
                raise ValueError(f"{where}parameter {self.name!r} must be a list, got {value!r}")
            scalar = Param(self.name, None, self.help, self.kind.split("_")[0], self.minimum,
                           self.maximum, self.minimum_open, self.maximum_open)
            return tuple(scalar.validate(v, owner) for v in value)
        return self._number(value, where)

    def _number(self, value: Any, where: str):
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
            raise ValueError(f"{where}parameter {self.name!r} must be a number, got {value!r}")
        try:
            x = float(value)
        except (TypeError, ValueError):
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


@dataclass(frozen=True)
class Entry:
    """A registry entry: one warmup shape or one decay.

    ``evaluate(t, **params)`` is the pure vectorised function; ``check`` validates cross-parameter
    constraints after each parameter passed its own range check; ``breakpoints(params, horizon)``
    lists the steps (in the shape's own clock) where the curve jumps or changes formula.
    """

    name: str
    kind: str  # "warmup" or "decay"
    title: str
    evaluate: Any
    params: tuple[Param, ...]
    formula: str
    reference: str
    summary: str
    breakpoints: Any = None
    check: Any = None
    derive_steps: Any = None  # warmups whose length follows from their parameters
    monotone: bool = True  # a decay that never increases / a warmup that never decreases
    continuous: bool = True  # no jumps inside the shape
    extra: dict = field(default_factory=dict)

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
        unknown = sorted(set(params) - set(names))
        if unknown:
            raise ValueError(
                f"{self.kind} {self.name!r}: unknown parameter(s) {unknown}; valid parameters are {names}"
            )
        clean = {}
        for p in self.params:
            clean[p.name] = p.validate(params.get(p.name, p.default), f"{self.kind} {self.name!r}")
        if self.check is not None:
            self.check(clean)
        return clean


def unknown_name(kind: str, name: Any, valid: Sequence[str]) -> ValueError:
    return ValueError(f"unknown {kind} {name!r}; valid {kind}s are {sorted(valid)}")
