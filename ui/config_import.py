"""The "import a config" box: paste a training config, name the facts it lacks, get its schedule.

:func:`config_import_box` draws it (text area, format select, one number input per fact) and returns the
imported :class:`~warmup_core.schedule.Curve` or ``None``; :func:`import_config` is its pure part, tested
without Streamlit. The config is read by :mod:`warmup_core.configs` (parsed, never run) and everything it
says back — errors naming the user's own keys, notes — is shown as text, never as Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from warmup_core import configs

AUTO = "auto-detect"
_MD = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """``text`` with every Markdown / LaTeX special character escaped, for ``st.error`` / ``st.caption``."""
    return _MD.sub(r"\\\1", str(text))


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


def config_import_box(key: str):
    """Draw the import box under widget keys ``{key}.config.*``; return the imported schedule or ``None``."""
    import streamlit as st

    with st.expander("Import a config", expanded=bool(st.session_state.get(f"{key}.config.text"))):
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
            return None
        for line in summary(result):
            st.caption(plain(line))
        return result.curve
