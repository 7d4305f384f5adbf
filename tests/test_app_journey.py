"""One session across pages, as a user moves through the app: what one page leaves in the session
(Compare's strategies, a composite from a config among them) must not break another page."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import PAGES, rerun
from ui import compare
from warmup_core import Decay, Join, Schedule, Warmup


def compare_session() -> dict:
    """The session state Compare leaves behind after a user added a composite (from a config)."""
    at = rerun(AppTest.from_file(str(PAGES / "compare.py"), default_timeout=60))
    warm = Schedule(0.2, Warmup("linear", 20, factor=0.1), Decay("constant"))
    composite = Join([warm, Schedule(0.2, Warmup(), Decay("cosine", steps=80))], [20], total_steps=100)
    strategies, _ = compare.add(at.session_state["compare.strategies"], compare.Strategy("from a config", composite))
    return {k: at.session_state[k] for k in at.session_state if k.startswith("compare.")} | \
        {"compare.strategies": strategies}


@pytest.mark.parametrize("name", ["explore.py", "learn.py", "train.py", "predict.py", "compare.py"])
def test_after_compare_every_page_opens(name, tmp_path, monkeypatch):
    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "runs.sqlite"))
    state = compare_session()
    at = AppTest.from_file(str(PAGES / name), default_timeout=120)
    for k, v in state.items():
        at.session_state[k] = v
    rerun(at)  # no exception (Learn shows a diverged run as an error box on purpose: that is the lesson)
    assert not [e for e in at.error if "object" in e.value or "Error" in e.value], [e.value for e in at.error]
