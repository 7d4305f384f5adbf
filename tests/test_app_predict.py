"""The Predict page under AppTest: what a user does on it, in order."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from warmup_core.predict import data as paper

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "predict.py")


def run(at=None, timeout=120):
    at = at or AppTest.from_file(PAGE, default_timeout=timeout)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def by_title(at, words):
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    hits = [f for f in figs if words in f["layout"]["title"]["text"]]
    assert hits, [f["layout"]["title"]["text"] for f in figs]
    return hits[0]


def table_with(at, column):
    """The first table on the page with this column."""
    hits = [d.value for d in at.dataframe if column in d.value.columns]
    assert hits, [list(d.value.columns) for d in at.dataframe]
    return hits[0]


@pytest.fixture(autouse=True)
def tmp_db(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "runs.sqlite"))


def test_page_renders_predictions_ranking_lens_and_real_curves():
    at = run()
    assert at.title[0].value == "Predict the loss"
    loss = by_title(at, "Predicted training loss")
    names = [t["name"] for t in loss["data"]]
    assert any(n.startswith("cosine to 10%") for n in names) and len(names) == 4
    assert loss["layout"]["xaxis"]["title"]["text"].startswith("step") and loss["layout"]["legend"]["y"] < 0
    table = table_with(at, "predicted final loss")
    assert list(table["strategy"])[0] != "constant"  # a decay ends lower than a constant lr
    inside = dict(zip(table["strategy"], table["extrapolation"].str.startswith("no")))
    # the paper's setup is inside the data, except decaying below its smallest lr (3e-5)
    assert inside == {"constant": True, "cosine to 10%": True, "WSD (last 20% linear to 10%)": True,
                      "linear to 0": False}
    real = by_title(at, "The authors' 400M runs")
    assert sum("real" in t["name"] for t in real["data"]) == 3
    paper_table = table_with(at, "role")
    held = paper_table[paper_table["role"] == "held out"]["mean abs. error"].mean()
    assert held == pytest.approx(paper.PUBLISHED_MAE["400M"], abs=5e-5)
    bound = table_with(at, "best peak lr")
    assert list(bound["rank"]) == [1, 2, 3, 4] and bound["strategy"].iloc[-1] == "constant"
    lens = table_with(at, "initial weights left")
    assert set(lens["strategy"]) == {"constant", "cosine to 10%", "WSD (last 20% linear to 10%)", "linear to 0"}


def test_another_size_and_compare_strategies_are_labelled_extrapolations():
    at = run()
    at.selectbox(key="predict.source").set_value("Published 25M")
    at.radio(key="predict.which").set_value("Your Compare strategies")
    run(at)
    table = table_with(at, "predicted final loss")
    assert table["extrapolation"].str.contains("peak lr").all()  # Compare's defaults use lr 0.1
    loss = by_title(at, "Predicted training loss")
    assert all("(extrapolation)" in t["name"] for t in loss["data"])


def test_fitted_constants_without_a_fit_warn_and_fall_back():
    at = run()
    at.selectbox(key="predict.source").set_value("Fitted on your runs")
    run(at)
    assert any("no fitted constants yet" in w.value for w in at.warning)


@pytest.mark.slow
def test_optimise_and_keep_it_in_compare():
    at = run()
    at.number_input(key="predict.opt_total").set_value(3000)
    at.number_input(key="predict.opt_warm").set_value(200)
    at.slider(key="predict.opt_knots").set_value(12)
    at.button(key="predict.opt_go").click()
    run(at)
    table = table_with(at, "predicted final")
    assert table["schedule"].iloc[0] == "optimised"
    at.button(key="predict.opt_keep").click()
    run(at)
    assert any("Added to Compare" in s.value for s in at.success)
    kept = at.session_state["compare.strategies"][-1]
    assert kept["name"] == "optimised" and kept["schedule"]["decay"]["name"] == "knots"


@pytest.mark.slow
def test_fit_on_a_train_page_run(tmp_path):
    import os

    from warmup_core import Decay, Warmup, WarmupDecay
    from warmup_core.predict import law
    from warmup_core.training.store import Store

    store = Store(os.environ["WARMUP_LAB_DB"])
    P = paper.PUBLISHED["400M"]
    for name, dec in (("cos", Decay("cosine", floor=0.1)), ("const", Decay("constant"))):
        s = WarmupDecay(3e-4, Warmup("linear", 100), dec, "prepend", 2000)
        lrs = s(np.arange(2000.0))
        steps = np.arange(120, 2001, 20)
        loss = law.evaluate(lrs, steps - 1, P, exact=True)[0]
        rid = store.create("someone", "g", name, json.dumps({"task": "mlp", "schedule": s.to_dict(), "steps": 2000}),
                           2000)
        store.add_metrics(rid, [{"step": int(t), "lr": float(lrs[t - 1]), "loss": float(v)} for t, v in zip(steps, loss)])
        store.update(rid, status="finished")
    at = run()
    at.multiselect(key="predict.train_runs").set_value(list(at.multiselect(key="predict.train_runs").options))
    at.button(key="predict.fit_go").click()
    run(at)
    held = table_with(at, "held-out run")
    assert len(held) == 2
    at.selectbox(key="predict.source").set_value("Fitted on your runs")
    run(at)
    assert not at.warning


def test_upload_errors_are_messages_not_tracebacks():
    from ui import predict as U

    with pytest.raises(ValueError, match="upload a CSV"):
        U.read_upload("notes.txt", b"hello")
    with pytest.raises(ValueError, match="missing"):
        U.read_upload("a.csv", b"<b>step</b>,x\n1,2\n")
    with pytest.raises(ValueError, match="pick a Train-page run"):
        U.collect_runs([], [])
