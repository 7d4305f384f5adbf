"""Streamlit widgets for a schedule, built from the registry's parameter metadata.

Widgets are keyed ``{prefix}.{...}`` and read their value from ``st.session_state``; :func:`seed`
writes a schedule into those keys (from a link, a library preset or a saved strategy) before the
widgets are drawn. Every control can be hidden (teacher links): a hidden control keeps its value.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from warmup_core import CONVENTIONS, DECAYS, WARMUPS, Decay, Schedule, Warmup
from warmup_core.params import Param

CONTROLS = ("library", "base_lr", "total_steps", "warmup_method", "warmup_steps", "warmup_factor",
            "warmup_params", "decay", "decay_params", "convention", "advanced")


def _key(prefix, *parts):
    return ".".join((prefix,) + tuple(str(p) for p in parts))


def _ss(key, default):
    if key not in st.session_state:
        st.session_state[key] = default
    return st.session_state[key]


def _list_text(v) -> str:
    return ", ".join(f"{x:g}" if isinstance(x, float) else str(x) for x in (v or ()))


def parse_list(text: str, kind: str, name: str) -> list:
    """``"30000, 60000"`` -> ``[30000, 60000]``; never evaluates the text."""
    out = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            x = float(part)
        except ValueError:
            raise ValueError(f"parameter {name!r}: {part!r} is not a number") from None
        if kind == "int_list":
            if not math.isfinite(x) or x != int(x):
                raise ValueError(f"parameter {name!r}: {part!r} is not a whole number of steps")
            x = int(x)
        out.append(x)
    return out


def seed(prefix: str, schedule: Schedule) -> None:
    """Write ``schedule`` into the widget keys under ``prefix``."""
    w, d = schedule.warmup, schedule.decay
    ss = st.session_state
    ss[_key(prefix, "base_lr")] = schedule.base_lr
    ss[_key(prefix, "total_steps")] = schedule.total_steps or 10_000
    ss[_key(prefix, "length_unit")] = "steps"
    ss[_key(prefix, "warmup_method")] = w.method
    if not w.entry.derive_steps and w.method != "none":
        ss[_key(prefix, "warmup_steps")] = w.steps
    ss[_key(prefix, "warmup_factor")] = w.factor
    ss[_key(prefix, "warmup_target")] = w.target
    for k, v in w.params:
        _seed_param(prefix, ("w", w.method), WARMUPS[w.method].param(k), v)
    ss[_key(prefix, "decay")] = d.name
    for k, v in d.params:
        _seed_param(prefix, ("d", d.name), DECAYS[d.name].param(k), v)
    ss[_key(prefix, "convention")] = schedule.convention
    ss[_key(prefix, "offset")] = schedule.offset


def _seed_param(prefix, where, p: Param, v):
    key = _key(prefix, *where, p.name)
    if p.optional:
        st.session_state[key + ".auto"] = v is None
        if v is not None:
            st.session_state[key] = v
    elif p.kind in ("int_list", "float_list"):
        st.session_state[key] = _list_text(v)
    else:
        st.session_state[key] = v


def _clamped(key, default, lo=None, hi=None):
    """Seed ``key`` and keep its stored value inside the widget's current range."""
    v = _ss(key, default)
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if lo is not None and v < lo:
            st.session_state[key] = type(v)(lo)
        if hi is not None and v > hi:
            st.session_state[key] = type(v)(hi)
    return st.session_state[key]


def param_input(p: Param, key: str, label: str | None = None, container=None):
    """One widget for one registry parameter; returns its (unvalidated) value. Widgets take their
    value from ``st.session_state[key]`` only (seeded here or by :func:`seed`)."""
    c = container or st
    label = label or p.name.replace("_", " ")
    help_ = p.help + (f" Range {p.range_text()}." if p.minimum is not None or p.maximum is not None else "") + \
        (f" Unit: {p.unit}." if p.unit else "")
    if p.optional:
        _ss(key + ".auto", p.default is None)
        if c.checkbox(f"{label}: {'auto' if p.kind == 'int' else 'none'}", key=key + ".auto", help=help_):
            return None
    if p.kind == "bool":
        _ss(key, bool(p.default))
        return c.toggle(label, key=key, help=help_)
    if p.kind == "choice":
        if _ss(key, p.default) not in p.choices:
            st.session_state[key] = p.default
        return c.selectbox(label, p.choices, key=key, help=help_)
    if p.kind in ("int_list", "float_list"):
        _ss(key, _list_text(p.default))
        return parse_list(c.text_input(f"{label} (comma-separated)", key=key, help=help_), p.kind, p.name)
    fallback = p.default if p.default is not None else (p.minimum or 1)
    lo = p.minimum if p.minimum is not None else None
    hi = p.maximum
    if p.kind == "int":
        _clamped(key, int(fallback), lo, hi)
        st.session_state[key] = int(st.session_state[key])
        return c.number_input(label, min_value=int(lo) if lo is not None else None,
                              max_value=int(hi) if hi is not None else None, step=1, key=key, help=help_)
    _clamped(key, float(fallback), lo, hi)
    st.session_state[key] = float(st.session_state[key])
    if lo is not None and hi is not None and hi <= 1 and lo >= 0:
        return c.slider(label, float(lo), float(hi), step=0.001, format="%.3f", key=key, help=help_)
    return c.number_input(label, format="%.6g", key=key, help=help_)


def schedule_controls(prefix: str, visible: Callable[[str], bool] = lambda name: True, container=None):
    """Draw the controls for one schedule; return ``(schedule, errors)``.

    Each section validates what it builds and shows its own ``st.error`` right there, so one bad
    value never blanks the page; ``schedule`` is ``None`` while any section is invalid.
    """
    c = container or st
    errors = []
    k = lambda name: _key(prefix, name)  # noqa: E731

    _clamped(k("base_lr"), 0.1, 1e-8, 100.0)
    base_lr = c.number_input("peak learning rate", min_value=1e-8, max_value=100.0, format="%.3e", key=k("base_lr"),
                             help="The learning rate the warmup rises to (the optimizer's lr).") \
        if visible("base_lr") else st.session_state[k("base_lr")]
    _clamped(k("total_steps"), 10_000, 1, 10_000_000)
    _ss(k("length_unit"), "steps")
    if visible("total_steps"):
        unit = c.radio("training length in", ["steps", "epochs"], key=k("length_unit"), horizontal=True,
                       help="The schedule counts optimizer updates; epochs are converted once, here.")
        if unit == "epochs":
            _clamped(k("steps_per_epoch"), 1000, 1, 1_000_000)
            _clamped(k("epochs"), max(1, round(st.session_state[k("total_steps")] /
                                               st.session_state[k("steps_per_epoch")])), 1, 100_000)
            e1, e2 = c.columns(2)
            epochs = e1.number_input("epochs", 1, 100_000, key=k("epochs"))
            spe = e2.number_input("steps per epoch", 1, 1_000_000, key=k("steps_per_epoch"))
            st.session_state[k("total_steps")] = min(int(epochs) * int(spe), 10_000_000)
            c.caption(f"= {st.session_state[k('total_steps')]:,} steps" +
                      (" (capped at 10,000,000)" if int(epochs) * int(spe) > 10_000_000 else ""))
            total = st.session_state[k("total_steps")]
        else:
            total = c.number_input("total steps", min_value=1, max_value=10_000_000, step=100, key=k("total_steps"),
                                   help="Length of training in optimizer updates (1 to 10,000,000).")
    else:
        total = st.session_state[k("total_steps")]
    total = int(total)

    # --- warmup ------------------------------------------------------------------------------
    if any(visible(n) for n in ("warmup_method", "warmup_steps", "warmup_factor", "warmup_params")):
        c.markdown("**Warmup**")
    if _ss(k("warmup_method"), "linear") not in WARMUPS:
        st.session_state[k("warmup_method")] = "linear"
    method = c.selectbox("warmup method", list(WARMUPS), key=k("warmup_method"),
                         format_func=lambda n: WARMUPS[n].title, help="How the learning rate rises at the start.") \
        if visible("warmup_method") else st.session_state[k("warmup_method")]
    entry = WARMUPS[method]
    warmup_kwargs = {}
    if method != "none" and not entry.derive_steps:
        _clamped(k("warmup_steps"), min(500, total), 0, total)
        warmup_kwargs["steps"] = c.slider("warmup iterations (W)", 0, max(total, 1), key=k("warmup_steps"),
                                          help="Number of optimizer updates the warmup lasts.") \
            if visible("warmup_steps") else st.session_state[k("warmup_steps")]
    if entry.extra.get("factor"):
        _clamped(k("warmup_factor"), 0.0, 0.0, 1.0)
        warmup_kwargs["factor"] = c.slider(
            "warmup factor (lr at step 0 ÷ peak)", 0.0, 1.0, step=0.001, format="%.3f", key=k("warmup_factor"),
            help="maskrcnn's WARMUP_FACTOR: the first update uses factor × the peak lr.") \
            if visible("warmup_factor") else st.session_state[k("warmup_factor")]
    w_params = {p.name: param_input(p, _key(prefix, "w", method, p.name), container=c)
                if visible("warmup_params") else _stored(prefix, ("w", method), p) for p in entry.params}
    if _ss(k("convention"), "prepend") not in CONVENTIONS:
        st.session_state[k("convention")] = "prepend"
    convention = c.radio("warmup joins the decay by", list(CONVENTIONS), key=k("convention"), horizontal=True,
                         help=" · ".join(f"**{n}**: {t}" for n, t in CONVENTIONS.items())) \
        if visible("convention") else st.session_state[k("convention")]
    if _ss(k("warmup_target"), "one") not in ("one", "decay"):
        st.session_state[k("warmup_target")] = "one"
    _clamped(k("offset"), 0, 0, 1_000_000)
    if visible("advanced"):
        with c.expander("Advanced"):
            target = st.radio("warmup ramps to", ["one", "decay"], key=k("warmup_target"), horizontal=True,
                              format_func=lambda v: "the peak" if v == "one" else "the decay's value at W",
                              help="'the decay's value at W' is detectron2's default (override).")
            offset = st.number_input("clock offset (evaluate at t + offset)", 0, 1_000_000, key=k("offset"),
                                     help="1 for scripts whose step counter starts at 1 (tf-yolov3, Noam).")
    else:
        target, offset = st.session_state[k("warmup_target")], st.session_state[k("offset")]
    warmup = None
    try:
        warmup = Warmup(method, target=target if convention != "multiply" else "one", **warmup_kwargs, **w_params)
    except ValueError as e:
        errors.append(str(e))
        c.error(f"Warmup: {e}")

    # --- decay -------------------------------------------------------------------------------
    if visible("decay") or visible("decay_params"):
        c.markdown("**Decay**")
    if _ss(k("decay"), "cosine") not in DECAYS:
        st.session_state[k("decay")] = "cosine"
    dname = c.selectbox("decay", list(DECAYS), key=k("decay"), format_func=lambda n: DECAYS[n].title,
                        help="What happens after the warmup.") \
        if visible("decay") else st.session_state[k("decay")]
    decay = None
    try:
        d_params = {p.name: param_input(p, _key(prefix, "d", dname, p.name), container=c)
                    if visible("decay_params") else _stored(prefix, ("d", dname), p) for p in DECAYS[dname].params}
        decay = Decay(dname, **d_params)
    except ValueError as e:
        errors.append(str(e))
        c.error(f"Decay: {e}")

    schedule = None
    if warmup is not None and decay is not None:
        try:
            schedule = Schedule(base_lr, warmup, decay, convention, total, int(offset))
        except ValueError as e:
            errors.append(str(e))
            c.error(f"Schedule: {e}")
    return schedule, errors


def _stored(prefix, where, p: Param):
    key = _key(prefix, *where, p.name)
    if p.optional and st.session_state.get(key + ".auto", p.default is None):
        return None
    v = st.session_state.get(key, p.default)
    if p.kind in ("int_list", "float_list") and isinstance(v, str):
        return parse_list(v, p.kind, p.name)
    return v
