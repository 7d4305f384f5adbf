"""What every framework module shares: the :class:`Framework` record it registers, the shapes of a
build function and of an export, and the argument checks that name the framework's own parameters.

A framework module (``warmup_core/libraries/<key>.py``) creates one :class:`Framework`, registers
its build functions with :meth:`Framework.schedule` and its exporter with :meth:`Framework.exporter`.
See ``docs/conventions.md`` for each framework's conventions and the package docstring for how a
module is written.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..registry import MAX_MULTIPLIER
from ..schedule import BASE_LR, Decay, Join, LRSchedule, WarmupDecay

REQUIRED = inspect.Parameter.empty
"""Default of a parameter the framework requires (``compat.available()`` shows it as ``"REQUIRED"``)."""

FRAMEWORKS: dict[str, Framework] = {}
"""Every registered framework by its key (the lowercase framework name)."""


class Refusal(ValueError):  # noqa: N818 - a refusal is an answer, not an error in the code
    """A framework cannot express a schedule; the message says why, in the framework's own words."""


@dataclass(frozen=True)
class Call:
    """One call of a framework's schedule: its ``name`` (the framework's class or function name), the
    framework's own ``params`` and the optimizer's ``base_lr`` (``None`` where the schedule carries
    absolute values). ``note`` is empty when the call reproduces the schedule value for value; otherwise
    it says where the two part (e.g. "identical until step 9,500")."""

    name: str
    params: dict
    base_lr: float | None = None
    note: str = ""

    def kwargs(self) -> dict:
        """``{"name": ..., "base_lr": ..., **params}``: what :func:`~warmup_core.compat.build` takes
        after the library key."""
        return {"name": self.name, "base_lr": self.base_lr, **self.params}


@dataclass(frozen=True)
class Builder:
    """One registered schedule of a framework."""

    name: str
    fn: Callable
    absolute: bool  # the schedule carries absolute values: base_lr is unused
    examples: tuple = ()  # keyword dicts for build() (base_lr included where used); the tests loop over them

    @property
    def params(self) -> dict:
        """Parameter names and defaults (``REQUIRED`` where there is none), ``base_lr`` left out."""
        return {p.name: p.default for p in list(inspect.signature(self.fn).parameters.values())[1:]}


@dataclass
class Framework:
    """A framework: its key, display title, where its source lives, and its registered schedules.

    ``exporter(s) -> Call`` turns a core schedule into one call of the framework (raising
    :class:`Refusal` when it cannot); ``join_exporter(s) -> Call`` does the same for a :class:`Join` where the
    framework has one; ``render(call, s) -> str`` writes that call as code.
    """

    key: str
    title: str
    source: str
    schedules: dict[str, Builder] = field(default_factory=dict)
    exporter_fn: Callable | None = None
    join_exporter_fn: Callable | None = None
    render_fn: Callable | None = None

    # --- registration ------------------------------------------------------------------------

    def schedule(self, name: str, absolute: bool = False, examples=()):
        """Decorator: register ``fn(base_lr, **framework_params) -> LRSchedule`` under the framework's
        own class or function ``name``. ``absolute``: the schedule carries absolute values (no optimizer
        lr). ``examples``: keyword dicts that :meth:`build` accepts (with ``base_lr`` where it is used),
        typical and edge settings; the round-trip and fuzz tests start from them."""
        def register(fn):
            params = list(inspect.signature(fn).parameters)
            if not params or params[0] != "base_lr" or {"name", "library"} & set(params):
                raise TypeError(f"{self.key} {name}: a build function takes base_lr first and no parameter "
                                "called 'name' or 'library'")
            self.schedules[name] = Builder(name, fn, absolute, tuple(examples))
            return fn
        return register

    def exporter(self, fn):
        """Decorator: register ``fn(s: WarmupDecay) -> Call`` (raise :class:`Refusal` with the reason)."""
        self.exporter_fn = fn
        return fn

    def join_exporter(self, fn):
        """Decorator: register ``fn(s: Join) -> Call`` for a framework that has its own way of running schedules
        one after another (optax ``join_schedules``); without one a :class:`Join` is refused."""
        self.join_exporter_fn = fn
        return fn

    def renderer(self, fn):
        """Decorator: register ``fn(call: Call, s: WarmupDecay) -> str``, the code for an exported call."""
        self.render_fn = fn
        return fn

    # --- library -> core ---------------------------------------------------------------------

    def build(self, name: str, base_lr: float | None = None, **params) -> LRSchedule:
        """The schedule that this framework's ``name`` produces with ``params``."""
        if name not in self.schedules:
            raise ValueError(f"unknown {self.key} schedule {name!r}; valid names are {sorted(self.schedules)}")
        b = self.schedules[name]
        names = list(b.params)
        unknown = sorted(set(params) - set(names), key=str)
        if unknown:
            raise ValueError(f"{self.key} {name}: unknown parameter(s) {unknown}; valid parameters are {names}")
        missing = [n for n, d in b.params.items() if d is REQUIRED and n not in params]
        if missing:
            raise ValueError(f"{self.key} {name}: missing required parameter(s) {missing}")
        if not b.absolute:
            if base_lr is None:
                raise ValueError(f"{self.key} {name} takes the learning rate from the optimizer: pass base_lr")
            base_lr = BASE_LR.validate(base_lr, f"{self.key} {name}")
        return guarded(b.fn, f"{self.key} {name}", None if b.absolute else base_lr, **params)

    # --- core -> library ---------------------------------------------------------------------

    def call(self, s: LRSchedule) -> Call:
        """The call of this framework closest to ``s`` (its ``note`` says where they part), or :class:`Refusal`."""
        try:
            if self.exporter_fn is None:
                raise Refusal("it has no code export here")
            if isinstance(s, Join) and self.join_exporter_fn is not None:
                return guarded(self.join_exporter_fn, f"{self.key} export", s)
            if not isinstance(s, WarmupDecay):
                raise Refusal("a join or product of schedules has no code export yet")
            return guarded(self.exporter_fn, f"{self.key} export", s)
        except Refusal as e:
            raise Refusal(f"{self.title} cannot express this schedule: {e}") from None

    def export_params(self, s: LRSchedule) -> dict:
        """``{"name", "base_lr", **params}`` such that ``build(**export_params(s))`` equals ``s`` value for
        value; :class:`Refusal` (a ``ValueError``) saying why when the framework cannot express ``s`` exactly."""
        c = self.call(s)
        if c.note:
            raise Refusal(f"{self.title} cannot express this schedule exactly: {c.note}")
        return c.kwargs()

    def export(self, s: LRSchedule) -> tuple[str | None, str]:
        """``(code, note)``: code that runs ``s`` in this framework, or ``(None, why not)``."""
        try:
            c = self.call(s)
        except Refusal as e:
            return None, f"{e}."
        if self.render_fn is None:
            return None, f"{self.title}: no code export here yet."
        return self.render_fn(c, s), c.note


def framework(key: str, title: str, source: str) -> Framework:
    """Create and register the :class:`Framework` of a module; ``key`` is the lowercase framework name."""
    if key in FRAMEWORKS:
        raise ValueError(f"framework {key!r} is registered twice")
    FRAMEWORKS[key] = fw = Framework(key, title, source)
    return fw


def guarded(fn, what: str, *args, **kwargs):
    """Call ``fn``; any error a bad argument provokes surfaces as ``ValueError`` naming ``what``."""
    try:
        return fn(*args, **kwargs)
    except ValueError:
        raise
    except (TypeError, ArithmeticError, RecursionError, AttributeError, KeyError, IndexError) as e:
        raise ValueError(f"{what}: invalid argument ({type(e).__name__}: {e})") from None


# --- argument checks that name the framework's parameter --------------------------------------------

def integer(value, name: str, minimum: int = 0) -> int:
    """``value`` as an int ``>= minimum``; ``ValueError`` naming ``name`` otherwise."""
    ok = (not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
          and value == int(value) and value >= minimum)
    if not ok:
        raise ValueError(f"parameter {name!r} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def positive(value, name: str) -> float:
    """``value`` as a finite float ``> 0``; ``ValueError`` naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (value > 0 and math.isfinite(value)):
        raise ValueError(f"parameter {name!r} must be a finite number > 0, got {value!r}")
    return float(value)


def number(value, name: str, minimum: float | None = None, maximum: float | None = None) -> float:
    """``value`` as a finite float in ``[minimum, maximum]``; ``ValueError`` naming ``name`` otherwise."""
    bad = isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
    if bad or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        lo = "-inf" if minimum is None else f"{minimum:g}"
        hi = "inf" if maximum is None else f"{maximum:g}"
        raise ValueError(f"parameter {name!r} must be a finite number in [{lo}, {hi}], got {value!r}")
    return float(value)


def duration(value, name: str) -> float:
    """A length in steps that may be fractional (a period): a finite float of at least 1e-6 steps."""
    return number(value, name, 1e-6)


def multiplier_cap(value: float, name: str) -> float:
    """A multiplier above the peak (a cap, a piecewise value) stays below 1e6 × the peak."""
    if value > MAX_MULTIPLIER:
        raise ValueError(f"parameter {name!r} gives {value:g} × the peak; warmup_core stops at 1e6 ×")
    return value


def ratio(value, base: float, name: str, base_name: str = "the peak lr") -> float:
    """``value / base`` for a floor or start value that must lie between 0 and ``base``."""
    number(value, name)
    r = value / base
    if not 0 <= r <= 1:
        raise ValueError(f"parameter {name!r} = {value!r} must lie between 0 and {base_name} ({base!r}); "
                         "warmup_core does not model schedules that rise above their peak this way")
    return r


def flag(value, name: str) -> bool:
    if not isinstance(value, (bool, int)) or value not in (0, 1):
        raise ValueError(f"parameter {name!r} must be True or False, got {value!r}")
    return bool(value)


def int_list(value, name: str) -> list[int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise ValueError(f"parameter {name!r} must be a list of integers, got {value!r}")
    return [integer(v, name) for v in value]


def constant_decay(value: float) -> Decay:
    """A decay that holds ``value`` (a fraction of the peak) from its first step."""
    return Decay("piecewise", milestones=(), values=(value,))


def args(**kw) -> str:
    """``k=v, ...`` with Python literals, for rendering a call."""
    return ", ".join(f"{k}={v!r}" for k, v in kw.items())


HEADER = "# Generated by Warmup Lab from warmup_core; lr(t) is the lr of optimizer update t (0-based).\n"


def common_refusal(s: WarmupDecay) -> None:
    """The two things no framework has: a clock offset, a warmup that ramps to the decay's value."""
    if s.offset:
        raise Refusal("it has no clock offset")
    if s.warmup.target != "peak":
        raise Refusal("its warmup always ramps to the peak")


def refuse_if(*checks) -> None:
    """Raise :class:`Refusal` with the reason of the first ``(condition, reason)`` that holds."""
    for bad, why in checks:
        if bad:
            raise Refusal(why)


def unclamped_note(s: WarmupDecay, title: str) -> str:
    """The note for a cosine that rises again after its length where ``title`` holds the floor."""
    p = s.decay_params
    if s.decay.name == "cosine" and not p["clamp"]:
        return (f"Identical until the cosine reaches its floor (step {s.warmup.steps + p['steps']:,}); after that "
                f"{title} holds the floor while this schedule's cosine rises again.")
    return ""
