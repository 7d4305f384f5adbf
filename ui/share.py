"""Page state in the URL (share links, teacher links) and the view controls.

The URL holds ``s`` (the page's whole state, see :mod:`ui.state`) and optionally ``show`` (a
teacher link: only the named controls are drawn). Whatever a link holds, the page shows a warning
naming the problem and falls back to the defaults; nothing from a link raises into the page, and
its text is shown as text.
"""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from warmup_core import LRSchedule, Schedule, from_dict
from warmup_core.pairs import as_warmup_decay, leaves, with_total_steps

from . import codegen, safe, state, widgets
from .session import default

VIEW_DEFAULTS = {"x_unit": "steps", "steps_per_epoch": 1000, "log_y": False}
VIEW_LABEL = {"view": "View (x axis, log scale)"}
MAX_SHOW = 40  # names in one ?show=
MAX_PARTS = 32  # warmup + decay pairs in one composition a link may hold (each is evaluated over every step)


def visible_from(show_param, known) -> tuple:
    """``(visible(name) -> bool, unknown names)`` for a ``?show=a,b`` value."""
    if not show_param:
        return (lambda name: True), []
    names = [n.strip() for n in str(show_param).split(",") if n.strip()][:MAX_SHOW]
    unknown = [n for n in names if n not in known]
    allowed = frozenset(n for n in names if n in known)
    return (lambda name: name in allowed), unknown


def _message(e: BaseException) -> str:
    """A ValueError's own words (clipped); anything else by its type only, never a path."""
    if isinstance(e, ValueError):
        return safe.clip(e, 300)
    return f"it is malformed ({type(e).__name__})"


def load_page_state(prefix: str, seed=None, extra_controls: tuple = ()):
    """Seed the page from its link once per session (``seed(prefix, state) -> notes``,
    :func:`seed_state` by default); return the visibility predicate of a teacher link."""
    known = widgets.CONTROLS + ("view",) + tuple(extra_controls)
    flag = f"{prefix}.loaded"
    if not st.session_state.get(flag):
        st.session_state[flag] = True
        show = st.query_params.get("show")
        st.session_state[f"{prefix}.show"] = show if isinstance(show, str) else None
        text = st.query_params.get("s")
        if text:
            try:
                notes = (seed or seed_state)(prefix, state.decode(text))
                st.session_state[f"{prefix}.url_notes"] = list(notes or [])
            except Exception as e:  # noqa: BLE001 - the link edge: any malformed value falls back to defaults
                st.session_state[f"{prefix}.url_error"] = _message(e)
    visible, unknown = visible_from(st.session_state.get(f"{prefix}.show"), known)
    if st.session_state.get(f"{prefix}.url_error"):
        st.warning("This link's settings could not be used: " + safe.md(st.session_state[f"{prefix}.url_error"]) +
                   ". Showing the defaults instead.", icon=":material/warning:")
    notes = st.session_state.get(f"{prefix}.url_notes", [])
    if notes:
        st.info("  \n".join(safe.md(n) for n in notes), icon=":material/info:")
    if unknown:
        st.warning("This link names controls that do not exist: " +
                   ", ".join(safe.md(n, 40) for n in unknown[:5]) + (" …" if len(unknown) > 5 else "") +
                   ". Known controls: " + ", ".join(known) + ". The others are shown as usual.",
                   icon=":material/warning:")
    return visible


def cap_length(schedule: LRSchedule, what: str = "This link") -> tuple[LRSchedule, str | None]:
    """A schedule (a pair, or a join / product of parts) no longer than the pages draw, with a note when it
    was shortened."""
    n = schedule.total_steps
    if n is None or n <= widgets.MAX_STEPS:
        return schedule, None
    capped = with_total_steps(schedule, widgets.MAX_STEPS)
    return capped, (f"{what} asked for {n:,} training steps; capped at {widgets.MAX_STEPS:,}, the most a page "
                    "draws.")


def seed_state(prefix: str, data: dict) -> list[str]:
    """Apply a decoded state (validated: a bad value raises before anything changes); return notes."""
    notes = []
    schedule = None
    if "schedule" in data:
        schedule = from_dict(data["schedule"])
        if not isinstance(schedule, Schedule):
            pair = as_warmup_decay(schedule) if leaves(schedule) <= MAX_PARTS else None
            if pair is None:
                raise ValueError("this page shows one warmup + decay schedule, and this link holds a composition of "
                                 "parts that is not one (Compare shows it, read-only)")
            schedule = pair
            notes.append("This link holds a composition of parts that equals one warmup + decay pair at every step: "
                         "it is shown as that pair.")
        schedule, note = cap_length(schedule)
        widgets.check_evaluable(schedule)
        notes += [note] if note else []
    view = clean_view(data.get("view", {}))
    if schedule is not None:
        widgets.seed(prefix, schedule)
    for k, v in view.items():
        st.session_state[f"{prefix}.view.{k}"] = v
    return notes


def clean_view(view) -> dict:
    if not isinstance(view, dict):
        raise ValueError("the link's view settings are not an object")
    out = {}
    if "x_unit" in view:
        if view["x_unit"] not in ("steps", "epochs"):
            raise ValueError(f"x_unit must be 'steps' or 'epochs', got {safe.clip(repr(view['x_unit']), 60)}")
        out["x_unit"] = view["x_unit"]
    if "steps_per_epoch" in view:
        spe = view["steps_per_epoch"]
        if not isinstance(spe, int) or isinstance(spe, bool) or not 1 <= spe <= widgets.MAX_STEPS:
            raise ValueError(f"steps_per_epoch must be a whole number in [1, {widgets.MAX_STEPS}], "
                             f"got {safe.clip(repr(spe), 60)}")
        out["steps_per_epoch"] = spe
    if "log_y" in view:
        if not isinstance(view["log_y"], bool):
            raise ValueError(f"log_y must be true or false, got {safe.clip(repr(view['log_y']), 60)}")
        out["log_y"] = view["log_y"]
    return out


def save_page_state(prefix: str, schedule=None, view=None, extra: dict | None = None):
    """Write the page's state into the URL, unless it is too large for a link (then drop ``s``)."""
    data = dict(extra or {})
    if schedule is not None:
        data["schedule"] = schedule.to_dict()
    if view is not None:
        data["view"] = view
    text = state.encode(data)
    st.session_state[f"{prefix}.link_state"] = text
    if len(text) > state.MAX_LEN:
        if "s" in st.query_params:
            del st.query_params["s"]
    elif st.query_params.get("s") != text:
        st.query_params["s"] = text
    show = st.session_state.get(f"{prefix}.show")
    if show and st.query_params.get("show") != show:
        st.query_params["show"] = show


def json_bytes(obj) -> bytes:
    import json

    return json.dumps(obj, indent=1).encode()


def view_controls(prefix: str, visible, length_prefix: str | None = None) -> dict:
    """x axis, steps per epoch and log scale; ``length_prefix``'s epochs (if the length was given in
    epochs) are reused, so an epoch-based schedule shows its real epochs."""
    ctl = widgets.Controls(f"{prefix}.view", lambda name: visible("view"))
    if visible("view"):
        st.markdown("**View**")
    x_unit = ctl.choice("x_unit", "x axis", ["steps", "epochs"], "steps", radio=True)
    lp = length_prefix or prefix
    if st.session_state.get(f"{lp}.length_unit") == "epochs":
        spe = st.session_state[f"{prefix}.view.steps_per_epoch"] = st.session_state[f"{lp}.steps_per_epoch"]
    elif x_unit == "epochs":
        spe = ctl.number("steps_per_epoch", "steps per epoch", "int", 1, widgets.MAX_STEPS, 1000,
                         help="Used to show epochs; the schedule itself always counts optimizer updates.")
    else:
        spe = default(f"{prefix}.view.steps_per_epoch", 1000)
    log_y = ctl.toggle("log_y", "log-scale learning rate", False)
    return {"x_unit": x_unit, "steps_per_epoch": int(spe), "log_y": bool(log_y)}


def page_url(prefix: str, show: list[str] | None = None) -> str:
    base = str(st.context.url or "").split("?")[0]
    params = {"s": st.session_state.get(f"{prefix}.link_state", "")}
    if show:
        params["show"] = ",".join(show)
    return f"{base}?{urlencode(params)}"


def share_box(prefix: str, controls: tuple = widgets.CONTROLS + ("view",),
              default_shown=("warmup_steps", "warmup_factor"), labels: dict | None = None):
    """The link to this view and a teacher link; says so when the state is too large for a link."""
    text = st.session_state.get(f"{prefix}.link_state", "")
    if len(text) > state.MAX_LEN:
        st.warning(f"This state is too large to share as a link ({len(text):,} characters; a link holds at most "
                   f"{state.MAX_LEN:,}). Download it as JSON instead, or remove some strategies.",
                   icon=":material/link_off:")
        return
    names = {**widgets.CONTROL_LABELS, **VIEW_LABEL, **(labels or {})}
    st.markdown("**Link to exactly this view** — open it in any browser to see the same curves.")
    st.code(page_url(prefix), language=None, wrap_lines=True)
    st.markdown("**Teacher link** — the same settings with only the controls you choose visible.")
    chosen = st.multiselect("controls to show", list(controls), default=list(default_shown), key=f"{prefix}.teacher",
                            format_func=lambda n: names.get(n, n))
    st.code(page_url(prefix, chosen), language=None, wrap_lines=True)


EAGER_EXPORT_STEPS = 1_000_000  # beyond this, an exporter's exactness check (every step) takes seconds


@st.cache_data(max_entries=32, show_spinner=False)
def _snippets(schedule_json: str) -> dict:
    from warmup_core import from_json

    return codegen.snippets(from_json(schedule_json))


def code_export(schedule, prefix: str):
    st.markdown("**Use this schedule in your training code.** Each snippet reproduces the curve above, step by "
                "step; the PyTorch one needs nothing but torch and numpy.")
    if schedule.total_steps > EAGER_EXPORT_STEPS and not st.toggle(
            "Show the code for each library", key=f"{prefix}.code_export",
            help="Each library's snippet is checked against the curve at every step before it is shown: at "
                 f"{schedule.total_steps:,} steps that takes seconds, so it runs only when asked."):
        st.caption(f"A {schedule.total_steps:,}-step schedule: switch on to build and check the snippets "
                   "(a few seconds); every other control stays fast while it is off.")
        return
    snippets = _snippets(schedule.to_json())
    tabs = st.tabs(list(snippets))
    for tab, (code, note) in zip(tabs, snippets.values()):
        with tab:
            if code is None:
                st.info(note)
            else:
                if note:
                    st.caption(note)
                st.code(code, language="python")
