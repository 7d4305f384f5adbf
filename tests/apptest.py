"""AppTest helpers shared by the page tests: open a page as a link would, rerun it, read its charts."""

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from ui.live_charts import figures_in

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


def array(value) -> np.ndarray:
    """A trace's x or y as the browser gets it (a list, or Plotly's typed-array encoding) as floats."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).astype(float)
    return np.asarray(value, dtype=float)


def figures(at: AppTest) -> list[dict]:
    """Every Plotly chart on the page, as the JSON the browser receives: those of ``st.plotly_chart``, then
    those of the live charts (ui/live_charts.py)."""
    live = [f for c in at.get("component_instance") if c.proto.component_name.endswith(".live_charts")
            for f in figures_in(c.proto.json_args)]
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")] + live
