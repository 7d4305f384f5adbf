"""Learn's section 6 as a reader uses it: press a "run it yourself" button, see the picture, the table, the export.

The experiments are patched to smaller sizes (same code, fewer steps) so the page test stays cheap; the full-size
findings are checked in tests/test_science_experiments.py and bench/bench_science.py.
"""

import functools
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

pytest.importorskip("torch")

from warmup_core import from_json  # noqa: E402
from warmup_core.training import experiments as X  # noqa: E402

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "learn.py")


def _page(monkeypatch, **patches):
    for name, kw in patches.items():
        monkeypatch.setattr(X, name, functools.partial(getattr(X, name), **kw))
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.run()
    assert not at.exception
    return at


def _titles(at):
    out = []
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        out += [a.get("text", "") for a in spec["layout"].get("annotations", [])]
    return out


@pytest.mark.slow
def test_adaptive_warmups_button_shows_runs_table_and_exports_the_applied_lr(monkeypatch):
    at = _page(monkeypatch, adaptive_warmups={"width": 32, "n": 128, "steps": 40, "warmup": 16})
    at.button(key="learn.sci.run.adaptive").click().run()
    assert not at.exception
    assert any(t.startswith("Applied lr") for t in _titles(at))
    table = next(d.value for d in at.dataframe if "η_c forward passes" in d.value.columns)
    assert list(table["warmup"])[2].startswith("persistent catapult") and int(table.iloc[2, 3]) > 0
    decided = next(m.value for m in at.markdown if m.value.startswith("**What each run decided"))
    assert "η_c =" in decided and "train_error" in decided
    # the export is the schedule the persistent catapult run applied, step by step
    r = X.adaptive_warmups(0)
    dl = [d for d in at.get("download_button") if d.proto.label.startswith("Download the schedule")]
    assert dl, "no export button"
    s = r.schedule(2)
    np.testing.assert_allclose(from_json(s.to_json())(np.arange(40)), r.runs[2].applied_lr, rtol=1e-12)


@pytest.mark.slow
def test_regimes_button_draws_the_curvature_lens(monkeypatch):
    at = _page(monkeypatch, regimes={"width": 32, "n": 128, "steps": 40, "warmup": 16, "every": 4})
    at.button(key="learn.sci.run.regimes").click().run()
    assert not at.exception
    titles = _titles(at)
    assert any("λ ≈" in t and "(L − L̂*)" in t for t in titles)
    assert any("R² =" in c.value for c in at.caption)
    # a verdict per run, read from that run (this small patched run need not show the regimes, only say what it shows)
    runs = X.regimes(0)
    lines = [m.value for m in at.markdown if m.value.startswith(("**SP**", "**μP**"))]
    assert [ln.split("**")[1] for ln in lines] == ["SP", "μP"]
    for r, ln in zip(runs, lines):
        assert ("as in the paper" in ln) == (r.regime() == X.EXPECTED_REGIME[r.param]), ln
