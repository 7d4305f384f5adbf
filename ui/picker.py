"""The library picker and what keeps a curve honest about its library.

While a preset is picked, an edit of one of its knobs (peak lr, training length, W, warmup factor)
rebuilds the schedule as that library computes it; an edit of any other control switches the
picker to "custom" with a one-line note saying what no longer matches. A curve is never labelled
with a library it no longer is.
"""

from __future__ import annotations

import streamlit as st

from . import safe, widgets
from .presets import CUSTOM, NONE, PRESETS

_LENGTH_KEYS = ("length_unit", "steps_per_epoch", "epochs")


def _k(prefix, name):
    return f"{prefix}.{name}"


def current(prefix: str) -> str | None:
    """The picked library preset's label, or ``None`` (nothing picked, or custom)."""
    label = st.session_state.get(_k(prefix, "preset"))
    return label if label in PRESETS else None


def set_current(prefix: str, label: str | None, note: str | None = None) -> None:
    st.session_state[_k(prefix, "preset")] = label if label in PRESETS else (CUSTOM if note else NONE)
    st.session_state[_k(prefix, "preset_note")] = note


def apply(prefix: str, label: str, view_prefix: str | None = None) -> None:
    """Load a preset into the controls (and show an epoch-based recipe's epochs)."""
    p = PRESETS[label]
    widgets.seed(prefix, p.schedule(), p.steps_per_epoch)
    set_current(prefix, label)
    if view_prefix and p.steps_per_epoch:
        st.session_state[f"{view_prefix}.view.x_unit"] = "epochs"


def _knob_values(prefix: str) -> dict:
    ss = st.session_state
    total = ss.get(_k(prefix, "total_steps"), 10_000)
    if ss.get(_k(prefix, "length_unit")) == "epochs":
        total = min(ss.get(_k(prefix, "epochs"), 1) * ss.get(_k(prefix, "steps_per_epoch"), 1), widgets.MAX_STEPS)
    return {"base_lr": ss.get(_k(prefix, "base_lr")), "total_steps": total,
            "warmup_steps": min(ss.get(_k(prefix, "warmup_steps"), 0), total),
            "warmup_factor": ss.get(_k(prefix, "warmup_factor"))}


def follow(prefix: str, control: str) -> None:
    """``on_edit`` callback of :func:`widgets.schedule_controls`: keep the preset, or go custom."""
    label = current(prefix)
    if label is None:
        return
    p = PRESETS[label]
    if control not in p.knobs:
        what = widgets.CONTROL_LABELS.get(control, control)
        set_current(prefix, None, f"Custom: “{what}” is not a parameter of {label}, so the curve is no longer "
                                  "that library's schedule.")
        return
    knobs = {k: v for k, v in _knob_values(prefix).items() if k in p.knobs}
    try:
        schedule = p.schedule(**knobs)
    except ValueError as e:
        set_current(prefix, None, f"Custom: {label} refuses these values ({safe.clip(e, 200)}).")
        return
    kept = {k: st.session_state.get(_k(prefix, k)) for k in _LENGTH_KEYS}
    widgets.seed(prefix, schedule)
    st.session_state.update({_k(prefix, k): v for k, v in kept.items() if v is not None})


def picker(prefix: str, visible, view_prefix: str | None = None, label="start from a library") -> None:
    """The selectbox of library presets, with the source of the picked one or the custom note."""
    key = _k(prefix, "preset")
    options = [NONE] + list(PRESETS) + [CUSTOM]
    if st.session_state.get(key) not in options:
        st.session_state[key] = NONE
    if not visible("library"):
        return
    wkey = key + ".in"
    st.session_state[wkey] = st.session_state[key]

    def on_pick():
        choice = st.session_state[wkey]
        if choice in PRESETS:
            apply(prefix, choice, view_prefix)
        else:
            set_current(prefix, None, st.session_state.get(_k(prefix, "preset_note")) if choice == CUSTOM else None)

    st.selectbox(label, options, key=wkey, on_change=on_pick,
                 help="Fills the controls with what that library or paper runs. Its own parameters stay editable.")
    note = st.session_state.get(_k(prefix, "preset_note"))
    if current(prefix):
        st.caption(safe.md(PRESETS[current(prefix)].source) + " · editable here: " +
                   ", ".join(widgets.CONTROL_LABELS[k] for k in PRESETS[current(prefix)].knobs))
    elif note:
        st.caption(safe.md(note))
