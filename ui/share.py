"""Page state in the URL (share links, teacher links), presets and the view controls.

The URL holds ``s`` (the page's whole state, see :mod:`ui.state`) and optionally ``show`` (a
teacher link: only the named controls are drawn). A malformed or out-of-range link shows a warning
and falls back to the defaults; it never raises into the page.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from warmup_core import from_dict

from . import codegen, presets, state, widgets

VIEW_DEFAULTS = {"x_unit": "steps", "steps_per_epoch": 1000, "log_y": False}


def _visible_from(show_param: str | None, known):
    if not show_param:
        return lambda name: True, None
    names = [n.strip() for n in show_param.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    allowed = set(names) - set(unknown)
    return (lambda name: name in allowed), unknown


def load_page_state(prefix: str, seed=None, extra_controls: tuple = ()):
    """Seed the page from its link once per session (``seed(prefix, state)``, :func:`seed_state` by
    default; a ValueError leaves the defaults and a warning); return the visibility predicate of a
    teacher link (``?show=a,b``)."""
    known = widgets.CONTROLS + ("view",) + tuple(extra_controls)
    flag = f"{prefix}.loaded"
    if not st.session_state.get(flag):
        st.session_state[flag] = True
        st.session_state[f"{prefix}.show"] = st.query_params.get("show")
        text = st.query_params.get("s")
        if text:
            try:
                (seed or seed_state)(prefix, state.decode(text))
            except ValueError as e:
                st.session_state[f"{prefix}.url_error"] = str(e)
    visible, unknown = _visible_from(st.session_state.get(f"{prefix}.show"), known)
    if st.session_state.get(f"{prefix}.url_error"):
        st.warning(f"This link's settings could not be used ({st.session_state[f'{prefix}.url_error']}); "
                   "showing the defaults instead.", icon=":material/warning:")
    if unknown:
        st.warning(f"This link names controls that do not exist: {unknown}. Known controls: {list(known)}.",
                   icon=":material/warning:")
    return visible


def seed_state(prefix: str, data: dict):
    """Apply a decoded state (validated: a bad value raises ValueError before anything changes)."""
    if "schedule" in data:
        schedule = from_dict(data["schedule"])
        if not hasattr(schedule, "warmup"):
            raise ValueError("this page shows one warmup + decay schedule, not a composition")
        widgets.seed(prefix, schedule)
    view = data.get("view", {})
    if not isinstance(view, dict):
        raise ValueError("the link's view settings are not an object")
    clean = _clean_view(view)
    for k, v in clean.items():
        st.session_state[f"{prefix}.view.{k}"] = v


def _clean_view(view: dict) -> dict:
    out = {}
    if "x_unit" in view:
        if view["x_unit"] not in ("steps", "epochs"):
            raise ValueError(f"x_unit must be 'steps' or 'epochs', got {view['x_unit']!r}")
        out["x_unit"] = view["x_unit"]
    if "steps_per_epoch" in view:
        spe = view["steps_per_epoch"]
        if not isinstance(spe, int) or isinstance(spe, bool) or not 1 <= spe <= 10_000_000:
            raise ValueError(f"steps_per_epoch must be a whole number in [1, 10000000], got {spe!r}")
        out["steps_per_epoch"] = spe
    if "log_y" in view:
        if not isinstance(view["log_y"], bool):
            raise ValueError(f"log_y must be true or false, got {view['log_y']!r}")
        out["log_y"] = view["log_y"]
    return out


def save_page_state(prefix: str, schedule=None, view=None, extra: dict | None = None):
    data = dict(extra or {})
    if schedule is not None:
        data["schedule"] = schedule.to_dict()
    if view is not None:
        data["view"] = view
    text = state.encode(data)
    st.session_state[f"{prefix}.link_state"] = text
    if st.query_params.get("s") != text:
        st.query_params["s"] = text
    show = st.session_state.get(f"{prefix}.show")
    if show and st.query_params.get("show") != show:
        st.query_params["show"] = show


def json_bytes(obj) -> bytes:
    import json

    return json.dumps(obj, indent=1).encode()


def apply_preset(prefix: str):
    label = st.session_state.get(f"{prefix}.preset")
    if label and label in presets.PRESETS:
        widgets.seed(prefix, presets.preset(label))


def view_controls(prefix: str, visible) -> dict:
    for k, v in VIEW_DEFAULTS.items():
        st.session_state.setdefault(f"{prefix}.view.{k}", v)
    if not visible("view"):
        return {k: st.session_state[f"{prefix}.view.{k}"] for k in VIEW_DEFAULTS}
    st.markdown("**View**")
    x_unit = st.radio("x axis", ["steps", "epochs"], key=f"{prefix}.view.x_unit", horizontal=True)
    if st.session_state.get(f"{prefix}.length_unit") == "epochs":  # the length was given in epochs: reuse them
        spe = st.session_state[f"{prefix}.view.steps_per_epoch"] = st.session_state[f"{prefix}.steps_per_epoch"]
    else:
        spe = st.number_input("steps per epoch", 1, 10_000_000, key=f"{prefix}.view.steps_per_epoch",
                              help="Used to show epochs; the schedule itself always counts optimizer updates.",
                              disabled=x_unit == "steps")
    log_y = st.toggle("log-scale learning rate", key=f"{prefix}.view.log_y")
    return {"x_unit": x_unit, "steps_per_epoch": int(spe), "log_y": bool(log_y)}


def page_url(prefix: str, show: list[str] | None = None) -> str:
    base = str(st.context.url or "").split("?")[0]
    params = {"s": st.session_state.get(f"{prefix}.link_state", "")}
    if show:
        params["show"] = ",".join(show)
    return f"{base}?{urlencode(params)}"


def share_box(prefix: str, controls: tuple = widgets.CONTROLS + ("view",),
              default_shown=("warmup_steps", "warmup_factor")):
    st.markdown("**Link to exactly this view** — open it in any browser to see the same curves.")
    st.code(page_url(prefix), language=None, wrap_lines=True)
    st.markdown("**Teacher link** — the same settings with only the controls you choose visible.")
    chosen = st.multiselect("controls to show", list(controls), default=list(default_shown), key=f"{prefix}.teacher")
    st.code(page_url(prefix, chosen), language=None, wrap_lines=True)


def code_export(schedule, prefix: str):
    st.markdown("**Use this schedule in your training code.** Each snippet reproduces the curve above, step by "
                "step; the PyTorch one needs nothing but torch and numpy.")
    snippets = codegen.snippets(schedule)
    tabs = st.tabs(list(snippets))
    for tab, (code, note) in zip(tabs, snippets.values()):
        with tab:
            if code is None:
                st.info(note)
            else:
                if note:
                    st.caption(note)
                st.code(code, language="python")
