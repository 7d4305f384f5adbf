"""AppTest helpers shared by the page tests: open a page as a link would, rerun it, read its charts."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[1] / "pages"


def rerun(at: AppTest) -> AppTest:
    """Run the page's script again; it must raise nothing."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(name: str, query: dict | None = None, timeout: float = 60) -> AppTest:
    """``pages/<name>`` opened with a link's ``query`` (``{"s": ..., "show": ...}``)."""
    at = AppTest.from_file(str(PAGES / name), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return rerun(at)


def figures(at: AppTest) -> list[dict]:
    """Every Plotly chart on the page, as the JSON the browser receives."""
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
