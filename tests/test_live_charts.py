"""ui/live_charts.py: the folder Streamlit serves the live charts' frame from, and what the frame receives.
(The frame itself, drawing in place in Chromium: tests/test_browser_train.py.)"""

import json

import plotly.graph_objects as go

from ui import live_charts as L


def test_the_served_folder_holds_the_page_and_the_plotly_js_of_the_installed_plotly(tmp_path, monkeypatch):
    monkeypatch.setattr(L.tempfile, "gettempdir", lambda: str(tmp_path))
    folder = L.served_folder()
    assert sorted(p.name for p in folder.iterdir()) == ["index.html", "plotly.min.js"]
    assert (folder / "index.html").read_bytes() == L.PAGE.read_bytes()
    assert (folder / "plotly.min.js").read_bytes() == L.PLOTLY_JS.read_bytes()
    assert L.served_folder() == folder  # made once: a second call (another server) finds it whole
    assert [p.name for p in tmp_path.iterdir()] == [folder.name]  # no half-made draft left beside it


def test_a_changed_page_gets_a_folder_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(L.tempfile, "gettempdir", lambda: str(tmp_path))
    first = L.served_folder()
    page = tmp_path / "live_charts.html"
    page.write_text(L.PAGE.read_text() + "<!-- changed -->")
    monkeypatch.setattr(L, "PAGE", page)
    second = L.served_folder()
    assert second != first and (second / "index.html").read_text().endswith("<!-- changed -->")


def test_the_figures_reach_the_frame_as_plotly_json():
    figs = [go.Figure(go.Scatter(x=[0, 1], y=[2.0, 3.0], name="a"), layout={"title": {"text": "T"}})]
    spec = "[" + ",".join(f.to_json() for f in figs) + "]"
    (back,) = L.figures_in(json.dumps({"figures": spec, "wide": [], "kind": "live"}))
    assert back["layout"]["title"]["text"] == "T" and back["data"][0]["name"] == "a"

