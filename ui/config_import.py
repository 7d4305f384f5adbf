"""The "import a config" box: paste a training config, name the facts it lacks, get its schedule.

:func:`config_import_box` draws it (text area, format select, one number input per fact) and returns the
imported :class:`~warmup_core.schedule.Curve` or ``None``; :func:`import_config` is its pure part, tested
without Streamlit. The config is read by :mod:`warmup_core.configs` (parsed, never run) and everything it
says back — errors naming the user's own keys, notes — is shown as text, never as Markdown.

The pages call one function each: :func:`explore_box` (the imported schedule replaces the one in
Explore's controls) and :func:`compare_box` (it joins the strategies, named after its framework and
schedule). The controls edit a warmup + decay pair. A config whose schedule is a chain or product of parts
(mmengine lists, detectron2's composite, epoch-stepped lambdas) is converted to the pair it equals when it
is one exactly (:func:`warmup_core.pairs.as_warmup_decay`: every step, never an approximation), and says so.
One that is not a pair is drawn in the box, exactly, with the reason; Compare can still add it as a
read-only strategy (drawn, shared and downloaded like the others, its controls replaced by that reason).
"""

from __future__ import annotations

from dataclasses import dataclass

from warmup_core import WarmupDecay, configs
from warmup_core.pairs import as_warmup_decay, built_from, leaves, with_total_steps

from . import safe

AUTO = "auto-detect"
UNSET_LENGTH = 10_000  # the length shown for a config that never ends (a warmup, then a constant lr)


def plain(text: str) -> str:
    """``text`` shown as text in ``st.error`` / ``st.caption`` (every Markdown / LaTeX / HTML character escaped)."""
    return safe.md(text)


@dataclass(frozen=True)
class ImportResult:
    curve: object = None  # the schedule, or None
    imported: configs.Imported | None = None
    error: str | None = None  # a ValueError's message (plain text)
    format: str | None = None  # the format read (or detected), when known


def format_names() -> list[str]:
    return [AUTO] + [f.name for f in configs.formats()]


def format_title(name: str) -> str:
    return "auto-detect the framework" if name == AUTO else {f.name: f.title for f in configs.formats()}[name]


def detected(text: str, choice: str) -> str | None:
    """The format whose facts to ask for: the chosen one, or the detected one (``None`` if unknown)."""
    if choice != AUTO:
        return choice
    if not text or not text.strip():
        return None
    try:
        return configs.detect_format(text)
    except ValueError:
        return None


def import_config(text: str, choice: str = AUTO, facts: dict | None = None) -> ImportResult:
    """Read ``text`` as format ``choice`` with the facts given (``None`` values mean "not given")."""
    if not text or not text.strip():
        return ImportResult()
    fmt = detected(text, choice)
    known = {f.name for f in configs.facts(fmt)} if fmt else set()
    given = {k: v for k, v in (facts or {}).items() if v is not None and k in known}
    try:
        imported = configs.read_config(text, None if choice == AUTO else choice, **given)
        return ImportResult(imported.build(), imported, None, imported.format)
    except ValueError as e:
        return ImportResult(error=str(e), format=fmt)


def summary(result: ImportResult) -> list[str]:
    """What to tell the user about an import, line by line (plain text)."""
    imp = result.imported
    if imp is None:
        return []
    args = ", ".join(f"{k}={v!r}" for k, v in imp.params.items())
    lr = "" if imp.base_lr is None else f" on lr {imp.base_lr:g}"
    lines = [f"{imp.library} {imp.name}({args}){lr}"[:600]]
    lines += list(imp.notes)
    if imp.ignored:
        lines.append(f"not schedule settings, left aside: {', '.join(imp.ignored[:20])}"
                     f"{' …' if len(imp.ignored) > 20 else ''}")
    return lines


def _with_length(curve, notes: list[str]):
    """``curve`` with a length the pages draw (a config that never ends gets ``UNSET_LENGTH``), capped."""
    from . import share

    if curve.total_steps is None:
        curve = with_total_steps(curve, UNSET_LENGTH)
        notes.append(f"The config sets no training length (its lr holds after the warmup): {UNSET_LENGTH:,} steps "
                     "shown.")
    curve, capped = share.cap_length(curve, "This config")
    return curve, notes + ([capped] if capped else [])


def loadable(result: ImportResult) -> tuple[WarmupDecay | None, list[str]]:
    """The imported schedule as the warmup + decay pair the page controls edit, with notes on its length
    (and on the conversion, when a chain or product of parts is exactly a pair); ``(None, [why not])`` when it
    is a chain or product the controls cannot hold."""
    curve = result.curve
    if curve is None:
        return None, []
    pair = as_warmup_decay(curve)
    if pair is None:
        return None, [f"This config's schedule is a {built_from(curve)} ({result.imported.library} "
                      f"{result.imported.name}), not one warmup + decay pair, so it cannot be loaded into the "
                      "controls. It is drawn here exactly; in Python, warmup_core.configs.from_config(text, "
                      "**facts) returns it."]
    notes = []
    if pair is not curve:
        notes.append(f"Converted exactly: this config's schedule is a {built_from(curve)}, and equals one "
                     f"{pair.warmup.entry.title.lower()} warmup of {pair.warmup.steps:,} steps joined to a "
                     f"{pair.decay.entry.title.lower()} decay ({pair.convention}) at every step, so the controls "
                     "hold it as that pair.")
    return _with_length(pair, notes)


def read_only(result: ImportResult) -> tuple[object, list[str]]:
    """A schedule that is not a pair, with the length the pages draw (for Compare's read-only strategies)."""
    return _with_length(result.curve, [])


def source_name(result: ImportResult) -> str:
    """A strategy name saying where the schedule came from, e.g. ``transformers cosine (config)``."""
    imp = result.imported
    return f"{imp.library} {imp.name} (config)"


def draw_box(key: str) -> ImportResult:
    """Draw the import box's inputs under widget keys ``{key}.config.*`` (inside the current container) and
    return what the text reads as; an error or the translation is shown as text."""
    import streamlit as st

    text = st.text_area("Paste a training config", key=f"{key}.config.text", height=180,
                        placeholder="TrainingArguments JSON/YAML, a DeepSpeed JSON, a detectron2 / "
                                    "maskrcnn-benchmark / NeMo / Ultralytics YAML, timm or Megatron flags, "
                                    "an mmengine .py config …",
                        help="Read as data, never run: JSON, YAML (safe loader), command-line flags, "
                             "or a Python config read literal by literal.")
    choice = st.selectbox("Format", format_names(), format_func=format_title, key=f"{key}.config.format")
    fmt = detected(text, choice)
    values = {}
    if fmt is not None:
        facts = configs.facts(fmt)
        if facts:
            st.caption(plain("Facts the config does not hold (leave empty when it does not need them):"))
        for fact in facts:
            integer = fact.kind == "int"
            values[fact.name] = st.number_input(
                fact.name, value=fact.default, min_value=int(fact.minimum) if integer else float(fact.minimum),
                step=1 if integer else None, format="%d" if integer else "%g", help=fact.help,
                key=f"{key}.config.fact.{fmt}.{fact.name}")
    result = import_config(text, choice, values)
    if result.error:
        st.error(plain(result.error))
        return result
    for line in summary(result):
        st.caption(plain(line))
    return result


def config_import_box(key: str):
    """Draw the import box in an expander; return the imported schedule or ``None``."""
    import streamlit as st

    with st.expander("Import a config", expanded=bool(st.session_state.get(f"{key}.config.text"))):
        return draw_box(key).curve


def _preview(result: ImportResult, key: str) -> None:
    """The imported schedule drawn exactly (reduced to the points a chart needs), compact for the sidebar."""
    import streamlit as st

    from .curves import points
    from .figures import Trace, schedule_figure

    curve = result.curve
    p = points(curve, curve.total_steps or UNSET_LENGTH)
    fig = schedule_figure([Trace("learning rate", p.steps, p.values, warmup_end=curve.warmup_end)], title="")
    fig.update_layout(height=260, showlegend=False, title=None, margin=dict(l=0, r=8, t=8, b=0))
    st.caption(plain(f"{source_name(result)}, {p.steps[-1] + 1:,} steps:"))
    st.plotly_chart(fig, key=f"{key}.config.preview", config={"displayModeBar": False})


def _box_with_action(key: str, visible: bool, button: str, on_click, read_only_button: str | None = None) -> None:
    """The box in the sidebar (unless a teacher's link hides it); a pair gets ``button``, which calls
    ``on_click(schedule, result, notes)``; a schedule that is not a pair gets ``read_only_button`` (if given),
    which calls ``on_click`` with it as it is."""
    import streamlit as st

    from . import share

    if not visible:
        return
    with st.sidebar, st.expander("Import a config", expanded=bool(st.session_state.get(f"{key}.config.text"))):
        result = draw_box(key)
        schedule, notes = loadable(result)
        if result.curve is None:
            return
        if schedule is None:
            st.warning(plain(notes[0]))
            _preview(result, key)
            if read_only_button and leaves(result.curve) > share.MAX_PARTS:  # a link could not hold it
                st.caption(plain(f"Built from {leaves(result.curve)} parts: more than a strategy holds "
                                 f"({share.MAX_PARTS}), so it cannot be compared."))
            elif read_only_button:
                schedule, notes = read_only(result)
                for line in notes:
                    st.caption(plain(line))
                st.button(read_only_button, key=f"{key}.config.load", on_click=on_click, args=(schedule, result, notes),
                          width="stretch", help="Drawn, shared and downloaded like the others; the controls cannot "
                                                "edit it (it is not a warmup + decay pair).")
            return
        for line in notes:
            st.caption(plain(line))
        st.button(button, key=f"{key}.config.load", type="primary", on_click=on_click,
                  args=(schedule, result, notes), width="stretch")


def explore_box(prefix: str, show) -> None:
    """Explore's import box: "Load into Explore" replaces the schedule in the controls (``prefix``)."""
    from . import picker, widgets

    def load(schedule, result, notes):
        widgets.seed(prefix, schedule)
        picker.set_current(prefix, None, " ".join([f"Imported from a {format_title(result.format)} config: "
                                                   f"{summary(result)[0]}.", *notes]))

    _box_with_action(f"{prefix}.import", show("library"), "Load into Explore", load)


def compare_box(editor, show) -> None:
    """Compare's import box: "Add as a strategy" adds the schedule, named after its framework and schedule."""
    from .compare import Strategy, add

    def load(schedule, result, notes):
        editor.edit(add, Strategy(source_name(result), schedule))

    _box_with_action(f"{editor.page}.import", show("strategies"), "Add as a strategy", load,
                     read_only_button="Add as a read-only strategy")
