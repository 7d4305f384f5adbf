"""Charts that are redrawn in place while runs train: the Train page's live charts.

``st.plotly_chart`` puts the figure into the chart's identity (Streamlit 1.67 hashes the spec into the element id
even when a key is given, and its frontend never reads a new spec into a mounted chart), so each refresh with
new data unmounts every chart and draws a new one from nothing: the box is blank for 0.1-0.5 s, and the browser
does over twice the work. This component keeps one frame for the page's charts and hands each refresh's
figures to ``Plotly.react``, which updates a chart in place (Plotly's advice for data that changes).

The frame (``live_charts.html``) loads the plotly.js that ships with the plotly Python package, the library that
wrote the figures, from a folder made once per version in the temporary directory: nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit.components.v1 as components

NAME = "live_charts"
PAGE = Path(__file__).with_name("live_charts.html")
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def served_folder() -> Path:
    """``index.html`` and ``plotly.min.js`` side by side, as Streamlit serves a component: made once per
    (page, plotly) version, atomically, so two servers starting together never see half a folder."""
    digest = hashlib.sha256(PAGE.read_bytes() + plotly.__version__.encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"warmup-lab-{NAME}-{digest}"
    if not (folder / "index.html").is_file():
        draft = Path(tempfile.mkdtemp(prefix=folder.name + "."))
        shutil.copyfile(PLOTLY_JS, draft / "plotly.min.js")
        shutil.copyfile(PAGE, draft / "index.html")  # last: its presence says the folder is whole
        try:
            draft.rename(folder)
        except OSError:  # another process made it first
            shutil.rmtree(draft, ignore_errors=True)
    return folder


def live_charts(figures: list[go.Figure], key: str, wide: tuple[int, ...] = (), kind: str = "live") -> None:
    """Draw ``figures`` two to a row (one on a phone), each ``wide`` index across the row; called again with
    the same ``key``, the charts already on the page are updated in place. ``kind`` names what they show (the
    frame's ``data-kind``: tests tell a preview from live charts by it)."""
    spec = "[" + ",".join(pio.to_json(fig, validate=False) for fig in figures) + "]"
    component = components.declare_component(NAME, path=str(served_folder()))
    component(figures=spec, wide=list(wide), kind=kind, key=key, default=None)


def figures_in(json_args: str) -> list[dict]:
    """The figures of one live-charts element, from the arguments the browser receives (for tests)."""
    return json.loads(json.loads(json_args)["figures"])
