"""Streamlit controls for one schedule, built from the registry's parameter metadata.

Every control has a *value* in session state under ``{prefix}.{name}`` (plain state, never a
widget key) and a widget under ``{prefix}.{name}.in`` (plus ``.drag`` for a slider) that mirrors it.
The widget is redrawn from the value on every run and writes back only when the user changes it,
so one edit never resets another control (a slider whose range moved keeps its value), a hidden
control (teacher links) keeps its value, and a value from a link or a preset is written to one
place (:func:`seed`).

Numbers are typed as text and parsed here (:func:`parse_number`): ``5000``, ``5,000``, ``1e6``,
``1/3`` are understood exactly; anything else is refused with a message next to the control and
the last good value is kept. A value outside its range is clamped, and the control says so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import streamlit as st

from warmup_core import CONVENTIONS, DECAYS, WARMUPS, Decay, Schedule, Warmup
from warmup_core.params import Param

from . import safe
from .session import default

MAX_STEPS = 10_000_000  # the longest schedule a page draws (and keeps in memory)

# control name (used by ?show= teacher links) -> the label the page shows
CONTROL_LABELS = {
    "library": "start from a library",
    "base_lr": "peak learning rate",
    "total_steps": "training length",
    "warmup_method": "warmup method",
    "warmup_steps": "warmup iterations (W)",
    "warmup_factor": "warmup factor",
    "warmup_params": "the warmup method's own parameters",
    "decay": "decay",
    "decay_params": "the decay's parameters",
    "convention": "warmup joins the decay by",
    "advanced": "Advanced (ramp target, clock offset)",
}
CONTROLS = tuple(CONTROL_LABELS)


# --- numbers as text ---------------------------------------------------------------------------

_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?([eE][+-]?\d+)?$")
_MAX_TEXT = 60


def fmt_number(v, kind: str) -> str:
    """The text a number box shows: exact (``repr`` of a float round-trips), no grouping."""
    if v is None:
        return ""
    if kind == "int":
        return str(int(v))
    return repr(float(v))


def parse_number(text, kind: str = "float", name: str = "value"):
    """``"5,000"`` -> 5000, ``"1e6"`` -> 1000000, ``"1/3"`` -> 0.333…; raises ``ValueError`` with a
    message quoting (a clipped copy of) the text. Never evaluates anything."""
    raw = str(text).strip()
    shown = safe.clip(raw, 40)
    if not raw:
        raise ValueError(f"{name} is empty")
    if len(raw) > _MAX_TEXT:
        raise ValueError(f"{name}: {shown!r} is too long to be a number")
    t = raw.replace("_", "").replace(" ", "")
    if _GROUPED.match(t):
        t = t.replace(",", "")
    try:
        if "/" in t:
            num, den = t.split("/", 1)
            x = float(num) / float(den)
        else:
            x = float(t)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{name}: {shown!r} is not a number") from None
    if not math.isfinite(x):
        raise ValueError(f"{name}: {shown!r} is not a finite number")
    if kind == "int":
        if re.fullmatch(r"[+-]?\d+", t):
            return int(t)  # exact, however many digits
        if x != int(x):
            raise ValueError(f"{name}: {shown!r} is not a whole number")
        return int(x)
    return x


def _bound(b) -> str:
    return f"{b:,.0f}" if float(b).is_integer() and abs(b) < 1e15 else f"{b:g}"


def clamp(x, lo, hi):
    """``(value inside [lo, hi], note)``; the note says what was changed, or is ``None``."""
    if lo is not None and x < lo:
        return type(x)(lo) if isinstance(x, int) else float(lo), f"{fmt_number(x, 'float')} raised to the " \
                                                                  f"minimum {_bound(lo)}"
    if hi is not None and x > hi:
        return type(x)(hi) if isinstance(x, int) else float(hi), f"{_bound(x)} capped at the maximum {_bound(hi)}"
    return x, None


# --- one control: drawn if visible, else read ---------------------------------------------------

@dataclass(frozen=True)
class Controls:
    """The controls of one schedule under ``prefix``; ``visible(name)`` from a teacher link."""

    prefix: str
    visible: Callable[[str], bool] = lambda name: True
    container: object = None
    on_edit: Callable[[str, str], None] | None = None  # (prefix, control) after a user edit

    @property
    def c(self):
        return self.container or st

    def key(self, *parts) -> str:
        return ".".join((self.prefix,) + tuple(str(p) for p in parts))

    def _edited(self, control):
        if self.on_edit is not None:
            self.on_edit(self.prefix, control)

    def choice(self, name, label, options, value_default, control=None, radio=False, **kw):
        """A selectbox (or horizontal radio) over ``options``; an unknown stored value falls back."""
        key = self.key(name)
        if default(key, value_default) not in options:
            st.session_state[key] = value_default
        if not self.visible(control or name):
            return st.session_state[key]
        wkey = key + ".in"
        st.session_state[wkey] = st.session_state[key]
        cb = dict(on_change=_copy, args=(wkey, key, self, control or name))
        if radio:
            self.c.radio(label, options, key=wkey, horizontal=True, **cb, **kw)
        else:
            self.c.selectbox(label, options, key=wkey, **cb, **kw)
        return st.session_state[key]

    def toggle(self, name, label, value_default, control=None, **kw):
        key = self.key(name)
        if not isinstance(default(key, bool(value_default)), bool):
            st.session_state[key] = bool(value_default)
        if not self.visible(control or name):
            return st.session_state[key]
        wkey = key + ".in"
        st.session_state[wkey] = st.session_state[key]
        self.c.toggle(label, key=wkey, on_change=_copy, args=(wkey, key, self, control or name), **kw)
        return st.session_state[key]

    def number(self, name, label, kind, lo, hi, value_default, control=None, help=None, drag=False,
               fits: tuple[float, str] | None = None):
        """A number typed as text (exact), with a slider beside it when ``drag``. ``fits`` =
        ``(upper, why)`` clamps the *used* value to a bound set by another control (W ≤ total) and
        says so, while the stored value stays what the user chose."""
        key = self.key(name)
        v = default(key, value_default)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            v = st.session_state[key] = value_default
        v, note = clamp(int(v) if kind == "int" else float(v), lo, hi)
        st.session_state[key] = v
        used = v
        if fits is not None and used > fits[0]:
            used = type(v)(fits[0])
            note = (f"{fmt_number(v, kind)} does not fit {fits[1]}: using {fmt_number(used, kind)} "
                    f"(your {fmt_number(v, kind)} comes back when it fits)")
        if not self.visible(control or name):
            return used
        c = self.c
        wkey, dkey, mkey = typed_key(key), key + ".drag", key + ".msg"
        st.session_state[wkey] = fmt_number(v, kind)
        if drag:
            top = fits[0] if fits is not None else hi
            st.session_state[dkey] = min(max(used, lo), top)
            slider_kw = dict(step=1) if kind == "int" else dict(step=0.001, format="%.3f")
            c.slider(label, type(v)(lo), type(v)(top) if top > lo else type(v)(lo + 1), key=dkey,
                     on_change=_slide, args=(dkey, key, self, control or name), help=help, **slider_kw)
            c.text_input(f"{label}, typed exactly", key=wkey, on_change=_parse, label_visibility="collapsed",
                         args=(wkey, key, mkey, kind, lo, hi, label, self, control or name))
        else:
            c.text_input(label, key=wkey, on_change=_parse, help=help,
                         args=(wkey, key, mkey, kind, lo, hi, label, self, control or name))
        msg = st.session_state.pop(mkey, None)
        if msg:
            c.error(safe.md(msg))
        if note:
            c.caption(safe.md(note))
        return used


def typed_key(key: str) -> str:
    """The typed box's widget key. It gets a new name each time the slider beside it moves: presses
    faster than the reruns interrupt them, an interrupted rerun's new box value never reaches the
    browser, and the browser then sends the box's old text back as if typed. Under a new name that
    old text belongs to a box no longer drawn, and :func:`_parse` ignores it."""
    n = st.session_state.get(key + ".slid", 0)
    return f"{key}.in" if n == 0 else f"{key}.in{n}"


def _copy(wkey, key, controls, control):
    st.session_state[key] = st.session_state[wkey]
    controls._edited(control)


def _slide(dkey, key, controls, control):
    st.session_state[key + ".slid"] = st.session_state.get(key + ".slid", 0) + 1
    _copy(dkey, key, controls, control)


def _parse(wkey, key, mkey, kind, lo, hi, label, controls, control):
    if wkey != typed_key(key):  # an old box's text, sent back by a browser that missed a rerun
        return
    try:
        x = parse_number(st.session_state[wkey], kind, label)
    except ValueError as e:
        st.session_state[mkey] = f"{e}; kept {fmt_number(st.session_state[key], kind)}"
        return
    st.session_state[key] = clamp(x, lo, hi)[0]
    controls._edited(control)


# --- lists of numbers ----------------------------------------------------------------------------

def _list_text(v) -> str:
    return ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in (v or ()))


def parse_list(text: str, kind: str, name: str) -> list:
    """``"30000, 60000"`` -> ``[30000, 60000]``; never evaluates the text."""
    out = []
    for part in str(text).replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            x = float(part)
        except ValueError:
            raise ValueError(f"parameter {name!r}: {safe.clip(part, 40)!r} is not a number") from None
        if kind == "int_list":
            if not math.isfinite(x) or x != int(x):
                raise ValueError(f"parameter {name!r}: {safe.clip(part, 40)!r} is not a whole number of steps")
            x = int(x)
        out.append(x)
    return out


# --- writing a schedule into the controls ---------------------------------------------------------

def seed(prefix: str, schedule: Schedule, steps_per_epoch: int | None = None) -> None:
    """Write ``schedule`` into the control values under ``prefix`` (before the widgets are drawn,
    or from a callback). With ``steps_per_epoch`` the length is shown in epochs."""
    w, d = schedule.warmup, schedule.decay
    ss = st.session_state
    k = lambda *parts: ".".join((prefix,) + parts)  # noqa: E731
    ss[k("base_lr")] = schedule.base_lr
    ss[k("total_steps")] = schedule.total_steps or 10_000
    if steps_per_epoch:
        ss[k("length_unit")] = "epochs"
        ss[k("steps_per_epoch")] = int(steps_per_epoch)
        ss[k("epochs")] = max(1, round(ss[k("total_steps")] / steps_per_epoch))
    else:
        ss[k("length_unit")] = "steps"
    ss[k("warmup_method")] = w.method
    if not w.entry.derive_steps and w.method != "none":
        ss[k("warmup_steps")] = w.steps
    ss[k("warmup_factor")] = w.factor
    ss[k("warmup_target")] = w.target
    for name, v in w.params:
        _seed_param(k("w", w.method, name), WARMUPS[w.method].param(name), v)
    ss[k("decay")] = d.name
    for name, v in d.params:
        _seed_param(k("d", d.name, name), DECAYS[d.name].param(name), v)
    ss[k("convention")] = schedule.convention
    ss[k("offset")] = schedule.offset


def _seed_param(key, p: Param, v):
    if p.optional:
        st.session_state[key + ".auto"] = v is None
        if v is not None:
            st.session_state[key] = v
    elif p.kind in ("int_list", "float_list"):
        st.session_state[key] = _list_text(v)
    else:
        st.session_state[key] = v


# --- the controls of one schedule ----------------------------------------------------------------

def param_input(ctl: Controls, where: tuple, p: Param, control: str):
    """One control for one registry parameter; returns its (unvalidated) value."""
    name = ".".join(where + (p.name,))
    label = p.name.replace("_", " ")
    help_ = p.help + (f" Range {p.range_text()}." if p.minimum is not None or p.maximum is not None else "") + \
        (f" Unit: {p.unit}." if p.unit else "")
    if p.optional and ctl.toggle(name + ".auto", f"{label}: {'auto' if p.kind == 'int' else 'none'}",
                                 p.default is None, control=control, help=help_):
        return None
    if p.kind == "bool":
        return ctl.toggle(name, label, bool(p.default), control=control, help=help_)
    if p.kind == "choice":
        return ctl.choice(name, label, list(p.choices), p.default, control=control, help=help_)
    if p.kind in ("int_list", "float_list"):
        text = _text(ctl, name, f"{label} (comma-separated)", _list_text(p.default), control, help_)
        return parse_list(text, p.kind, p.name)
    fallback = p.default if p.default is not None else (p.minimum or 1)
    lo = p.minimum if p.minimum is not None else -1e300
    hi = p.maximum if p.maximum is not None else 1e300
    return ctl.number(name, label, p.kind, lo, hi, int(fallback) if p.kind == "int" else float(fallback),
                      control=control, help=help_)


def _text(ctl: Controls, name, label, value_default, control, help_):
    key = ctl.key(name)
    if not isinstance(default(key, value_default), str):
        st.session_state[key] = value_default
    if ctl.visible(control):
        wkey = key + ".in"
        st.session_state[wkey] = st.session_state[key]
        ctl.c.text_input(label, key=wkey, on_change=_copy, args=(wkey, key, ctl, control), help=help_)
    return st.session_state[key]


def length_controls(ctl: Controls) -> int:
    """Training length in steps, or in epochs × steps per epoch; returns total steps."""
    unit = ctl.choice("length_unit", "training length in", ["steps", "epochs"], "steps", control="total_steps",
                      radio=True, help="The schedule counts optimizer updates; epochs are converted once, here.")
    if unit == "steps":
        return ctl.number("total_steps", "total steps", "int", 1, MAX_STEPS, 10_000, control="total_steps",
                          help="Length of training in optimizer updates (1 to 10,000,000; 1e6 and 1,000,000 "
                               "are understood).")
    total = st.session_state.get(ctl.key("total_steps"), 10_000)
    spe = ctl.number("steps_per_epoch", "steps per epoch", "int", 1, MAX_STEPS, 1000, control="total_steps")
    default(ctl.key("epochs"), max(1, round(total / spe)))
    epochs = ctl.number("epochs", "epochs", "int", 1, MAX_STEPS, 10, control="total_steps")
    total = min(epochs * spe, MAX_STEPS)
    st.session_state[ctl.key("total_steps")] = total
    if ctl.visible("total_steps"):
        ctl.c.caption(f"= {total:,} steps" + (f" (capped at {MAX_STEPS:,})" if epochs * spe > MAX_STEPS else ""))
    return total


def has_warmup_controls(prefix: str) -> bool:
    """Whether the schedule under ``prefix`` has a warmup length or factor to draw (not "none")."""
    entry = WARMUPS.get(st.session_state.get(f"{prefix}.warmup_method", "linear"), WARMUPS["linear"])
    return entry.name != "none" and (not entry.derive_steps or entry.takes_factor)


def warmup_controls(ctl: Controls, total: int, errors: list, main=None):
    """Warmup method and parameters; W and the factor go to ``main`` (beside the chart) when given."""
    c = ctl.c
    if any(ctl.visible(n) for n in ("warmup_method", "warmup_params")):
        c.markdown("**Warmup**")
    method = ctl.choice("warmup_method", "warmup method", list(WARMUPS), "linear",
                        format_func=lambda n: WARMUPS[n].title, help="How the learning rate rises at the start.")
    entry = WARMUPS[method]
    kwargs = {}
    cols = main.columns(2) if main is not None else (c, c)
    if method != "none" and not entry.derive_steps:
        kwargs["steps"] = replace(ctl, container=cols[0]).number(
            "warmup_steps", CONTROL_LABELS["warmup_steps"], "int", 0, MAX_STEPS, min(500, total), drag=True,
            fits=(total, f"in {total:,} steps"),
            help="Number of optimizer updates the warmup lasts. Drag, or type it exactly in the box below.")
    if entry.takes_factor:
        kwargs["factor"] = replace(ctl, container=cols[1]).number(
            "warmup_factor", "warmup factor (lr at step 0 ÷ peak)", "float", 0.0, 1.0, 0.0, drag=True,
            help="maskrcnn's WARMUP_FACTOR: the first update uses factor × the peak lr. Type 1/3 for a third, exactly.")
    params = {}
    try:
        params = {p.name: param_input(ctl, ("w", method), p, "warmup_params") for p in entry.params}
    except ValueError as e:
        errors.append(str(e))
        c.error(f"Warmup: {safe.md(e)}")
        return method, None
    return method, (kwargs, params)


def check_evaluable(schedule) -> None:
    """Raise the core's ValueError where a schedule that validates cannot be drawn (its lr overflows
    float64 somewhere): at step 0, every breakpoint and its neighbours, and an even sample."""
    import numpy as np

    n = schedule.total_steps or 1
    points = [np.linspace(0, n - 1, 257), [0, 1, n - 1]]
    points += [np.asarray(b, dtype=np.float64) + d for b in [schedule.breakpoints(n - 1)] for d in (-1, 0, 1)]
    t = np.unique(np.clip(np.round(np.concatenate(points)), 0, n - 1))
    schedule(t)


def schedule_controls(prefix: str, visible: Callable[[str], bool] = lambda name: True, container=None,
                      on_edit=None, main=None):
    """Draw the controls for one schedule; return ``(schedule, errors)``. ``main`` (a container next
    to the chart) receives the two controls used most, W and the warmup factor, so a phone shows the
    chart while they are moved.

    Each section validates what it builds and shows its own ``st.error`` right there, so one bad
    value never blanks the page; ``schedule`` is ``None`` while any section is invalid.
    """
    ctl = Controls(prefix, visible, container, on_edit)
    c, errors = ctl.c, []
    base_lr = ctl.number("base_lr", CONTROL_LABELS["base_lr"], "float", 1e-8, 100.0, 0.1,
                         help="The learning rate the warmup rises to (the optimizer's lr). 3e-4 and 0.0003 "
                              "are both understood.")
    total = length_controls(ctl)
    method, warm = warmup_controls(ctl, total, errors, main)
    convention = ctl.choice("convention", CONTROL_LABELS["convention"], list(CONVENTIONS), "prepend", radio=True,
                            help=" · ".join(f"**{n}**: {t}" for n, t in CONVENTIONS.items()))
    target, offset = advanced_controls(ctl)

    warmup = None
    if warm is not None:
        try:
            warmup = Warmup(method, target=target if convention != "multiply" else "one", **warm[0], **warm[1])
        except ValueError as e:
            errors.append(str(e))
            c.error(f"Warmup: {safe.md(e)}")

    if ctl.visible("decay") or ctl.visible("decay_params"):
        c.markdown("**Decay**")
    dname = ctl.choice("decay", "decay", list(DECAYS), "cosine", format_func=lambda n: DECAYS[n].title,
                       help="What happens after the warmup.")
    decay = None
    try:
        decay = Decay(dname, **{p.name: param_input(ctl, ("d", dname), p, "decay_params")
                                for p in DECAYS[dname].params})
    except ValueError as e:
        errors.append(str(e))
        c.error(f"Decay: {safe.md(e)}")

    schedule = None
    if warmup is not None and decay is not None:
        try:
            schedule = Schedule(base_lr, warmup, decay, convention, total, int(offset))
            check_evaluable(schedule)
        except ValueError as e:
            schedule = None
            errors.append(str(e))
            c.error(f"Schedule: {safe.md(e)}")
    return schedule, errors


def advanced_controls(ctl: Controls):
    if ctl.visible("advanced"):
        with ctl.c.expander("Advanced"):
            inner = Controls(ctl.prefix, ctl.visible, st, ctl.on_edit)
            return _advanced(inner)
    return _advanced(ctl)


def _advanced(ctl: Controls):
    target = ctl.choice("warmup_target", "warmup ramps to", ["one", "decay"], "one", control="advanced", radio=True,
                        format_func=lambda v: "the peak" if v == "one" else "the decay's value at W",
                        help="'the decay's value at W' is detectron2's default (override).")
    offset = ctl.number("offset", "clock offset (evaluate at t + offset)", "int", 0, 1_000_000, 0, control="advanced",
                        help="1 for scripts whose step counter starts at 1 (tf-yolov3, Noam).")
    return target, offset
