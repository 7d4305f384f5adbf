"""User text shown as text (STYLE.md rule 18).

Text from a link or a user (strategy names, ``?show=`` values, values quoted in error messages) is
never interpreted: :func:`md` escapes it for Streamlit's Markdown (no link, image, emphasis,
emoji/icon shortcode, LaTeX or HTML), :func:`plotly` for Plotly's pseudo-HTML (legend names,
titles, annotations), and :func:`clip` keeps a quoted value short.
"""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$&=\"'/])")


def clip(text, limit: int = 120) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def md(text, limit: int | None = None) -> str:
    """``text`` for Markdown, every special character backslash-escaped; newlines become spaces."""
    text = clip(text, limit) if limit else str(text)
    return _MD_SPECIAL.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))


def plotly(text) -> str:
    """``text`` for Plotly's pseudo-HTML (trace names, titles, annotations)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
