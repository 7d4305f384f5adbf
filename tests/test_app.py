"""Every page under streamlit.testing.v1.AppTest: renders, reacts to its controls, round-trips its URL,
and shows bad input as an error next to the control instead of a traceback."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ui import state
from warmup_core import Decay, Schedule, Warmup

PAGES = Path(__file__).resolve().parents[1] / "pages"


def run(page, query=None, timeout=30):
    at = AppTest.from_file(str(PAGES / page), default_timeout=timeout)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def ys(fig, i=0):
    return fig["data"][i]["y"]


def decode_y(trace):
    y = trace["y"]
    if isinstance(y, dict):  # plotly's typed-array encoding
        import base64

        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"])
    return np.asarray(y, dtype=float)


# --- Explore -------------------------------------------------------------------------------------

def test_explore_renders_with_title_axes_and_metrics():
    at = run("explore.py")
    (fig,) = figures(at)
    layout = fig["layout"]
    assert layout["title"]["text"] and layout["xaxis"]["title"]["text"].startswith("step")
    assert layout["yaxis"]["title"]["text"] == "learning rate"
    assert fig["data"][0]["line"]["shape"] == "hv"
    assert [m.label for m in at.metric][:3] == ["peak lr", "peak at step", "lr at step 0"]
    assert len(at.latex) >= 2


@pytest.mark.parametrize("key,value", [
    ("explore.warmup_steps", 2000), ("explore.warmup_factor", 0.3), ("explore.warmup_method", "constant"),
    ("explore.decay", "multistep"), ("explore.convention", "multiply"), ("explore.base_lr", 0.5),
    ("explore.total_steps", 20_000),
])
def test_each_main_control_changes_the_curve(key, value):
    at = run("explore.py")
    before = decode_y(figures(at)[0]["data"][0])
    at.get_by_key(key).set_value(value)
    at.run()
    assert not at.exception
    after = decode_y(figures(at)[0]["data"][0])
    assert len(before) != len(after) or not np.allclose(before, after)


def test_explore_decay_parameter_widgets_come_from_the_registry():
    at = run("explore.py")
    at.get_by_key("explore.decay").set_value("wsd")
    at.run()
    labels = {w.label for w in at.sidebar.selectbox} | {w.label for w in at.sidebar.slider}
    assert "shape" in labels and "floor" in labels


def test_bad_value_shows_an_error_next_to_the_control_and_the_page_survives():
    at = run("explore.py")
    at.get_by_key("explore.decay").set_value("multistep")
    at.run()
    at.get_by_key("explore.d.multistep.milestones").set_value("5000, 100")
    at.run()
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert any("milestones" in e and "sorted" in e for e in errors), errors
    assert not figures(at)  # no stale curve; the info box says what to fix
    at.get_by_key("explore.d.multistep.milestones").set_value("100, 5000")
    at.run()
    assert figures(at) and not at.sidebar.error


def test_non_numeric_list_is_refused_without_eval():
    at = run("explore.py")
    at.get_by_key("explore.decay").set_value("multistep")
    at.run()
    at.get_by_key("explore.d.multistep.milestones").set_value("__import__('os').system('true')")
    at.run()
    assert not at.exception
    assert any("is not a number" in e.value for e in at.sidebar.error)


def test_explore_url_round_trip():
    s = Schedule(0.3, Warmup("cosine", 1234, factor=0.05), Decay("polynomial", power=2.0), "override", 7000)
    link = state.encode({"schedule": s.to_dict(), "view": {"x_unit": "epochs", "steps_per_epoch": 100,
                                                           "log_y": True}})
    at = run("explore.py", {"s": link})
    assert at.get_by_key("explore.warmup_steps").value == 1234
    assert at.get_by_key("explore.convention").value == "override"
    fig = figures(at)[0]
    assert fig["layout"]["yaxis"]["type"] == "log" and fig["layout"]["xaxis"]["title"]["text"] == "epoch"
    # the page writes the same state back into the URL
    again = state.decode(at.query_params["s"][0] if isinstance(at.query_params["s"], list) else at.query_params["s"])
    assert Schedule(**{}) is not None and again["schedule"] == s.to_dict()


@pytest.mark.parametrize("bad", ["%%%not-base64", state.encode({"schedule": {"base_lr": -1}}),
                                 state.encode({"schedule": {"decay": {"name": "nope"}}}),
                                 state.encode({"view": {"steps_per_epoch": 0}}), "x" * 20_000])
def test_malformed_link_warns_and_falls_back(bad):
    at = run("explore.py", {"s": bad})
    assert any("could not be used" in w.value for w in at.warning)
    assert figures(at)  # defaults shown
    assert at.get_by_key("explore.warmup_method").value == "linear"


def test_teacher_link_hides_the_other_controls():
    s = Schedule(0.1, Warmup("linear", 300), Decay("cosine"), "prepend", 5000)
    at = run("explore.py", {"s": state.encode({"schedule": s.to_dict()}), "show": "warmup_steps,warmup_factor"})
    keys = {w.key for w in at.sidebar.slider} | {w.key for w in at.sidebar.selectbox} | \
        {w.key for w in at.sidebar.number_input}
    assert "explore.warmup_steps" in keys and "explore.warmup_factor" in keys
    assert "explore.decay" not in keys and "explore.base_lr" not in keys
    assert figures(at)


def test_library_preset_fills_the_controls():
    at = run("explore.py")
    at.get_by_key("explore.preset").set_value("maskrcnn-benchmark: WarmupMultiStepLR")
    at.run()
    assert at.get_by_key("explore.convention").value == "multiply"
    assert at.get_by_key("explore.decay").value == "multistep"
    assert at.get_by_key("explore.warmup_factor").value == pytest.approx(1 / 3)


def test_code_export_tabs_present():
    at = run("explore.py")
    codes = [c.value for c in at.code]
    assert any("LambdaLR" in c for c in codes) and any("get_scheduler" in c for c in codes)


# --- Compare -------------------------------------------------------------------------------------

def test_compare_renders_three_strategies_and_a_table():
    at = run("compare.py")
    fig = figures(at)[0]
    assert [t["name"] for t in fig["data"]] == ["no warmup", "linear warmup", "constant warmup"]
    assert len(at.dataframe) >= 1


def test_compare_edit_duplicate_rename_delete():
    at = run("compare.py")
    at.get_by_key("compare.pick").set_value("linear warmup")
    at.run()
    at.get_by_key("compare.edit.warmup_steps").set_value(3000)
    at.run()
    fig = figures(at)[0]
    lin = next(t for t in fig["data"] if t["name"] == "linear warmup")
    assert np.argmax(decode_y(lin)) > 0
    at.get_by_key("compare.dup").click()
    at.run()
    names = [t["name"] for t in figures(at)[0]["data"]]
    assert "linear warmup copy" in names
    at.get_by_key("compare.new_name").set_value("long warmup")
    at.run()
    assert "long warmup" in [t["name"] for t in figures(at)[0]["data"]]
    at.get_by_key("compare.del").click()
    at.run()
    assert "long warmup" not in [t["name"] for t in figures(at)[0]["data"]]


def test_compare_views_change_the_figure():
    at = run("compare.py")
    at.get_by_key("compare.mode").set_value("Against a baseline")
    at.run()
    fig = figures(at)[0]
    assert "baseline" in fig["layout"]["title"]["text"] and len(fig["data"]) == 2
    at.get_by_key("compare.mode").set_value("Small multiples")
    at.run()
    assert len(figures(at)[0]["data"]) == 3


def test_compare_url_round_trip_and_bad_link():
    items = [{"name": "a", "schedule": Schedule(0.2, Warmup("linear", 10), Decay("cosine"), "prepend", 500)
              .to_dict()},
             {"name": "b", "schedule": Schedule(0.2, decay=Decay("step", step_size=100), total_steps=500).to_dict()}]
    at = run("compare.py", {"s": state.encode({"strategies": items})})
    assert [t["name"] for t in figures(at)[0]["data"]] == ["a", "b"]
    at = run("compare.py", {"s": state.encode({"strategies": [{"name": "x"}]})})
    assert any("could not be used" in w.value for w in at.warning)
    assert len(figures(at)[0]["data"]) == 3


def test_same_settings_different_libraries_marks_disagreements():
    at = run("compare.py")
    libfig = figures(at)[1]
    names = [t["name"] for t in libfig["data"]]
    assert "transformers cosine_with_min_lr" in names and "Keras CosineDecay" in names


# --- Learn ---------------------------------------------------------------------------------------

def test_learn_renders_and_its_toy_reacts():
    at = run("learn.py")
    n = len(figures(at))
    assert n >= 6
    assert any("diverged" in e.value for e in at.error)  # no warmup at lr 0.7 blows up
    at.get_by_key("learn.lr").set_value(0.2)
    at.run()
    assert not at.error  # both train at a small lr
    assert all(f["layout"]["title"]["text"] for f in figures(at))


def test_long_curves_are_reduced_but_keep_their_jumps():
    s = Schedule(0.1, Warmup("constant", 1000, factor=0.1), Decay("multistep", milestones=[3_000_000, 6_000_000]),
                 "prepend", 10_000_000)
    at = run("explore.py", {"s": state.encode({"schedule": s.to_dict()})}, timeout=60)
    trace = figures(at)[0]["data"][0]
    x, y = decode_y({"y": trace["x"]}), decode_y(trace)
    assert len(x) <= 5000
    for b in (1000, 3_001_000, 6_001_000):  # each jump drawn exactly: the step before it and the step itself
        i = int(np.searchsorted(x, b))
        assert x[i] == b and x[i - 1] == b - 1
        assert y[i] == pytest.approx(s(b)) and y[i - 1] == pytest.approx(s(b - 1))
    assert x[0] == 0 and x[-1] == 9_999_999


def test_length_in_epochs_sets_total_steps():
    at = run("explore.py")
    at.get_by_key("explore.length_unit").set_value("epochs")
    at.run()
    at.get_by_key("explore.epochs").set_value(12)
    at.get_by_key("explore.steps_per_epoch").set_value(250)
    at.run()
    assert not at.exception
    assert "= 3,000 steps" in [c.value for c in at.sidebar.caption]
    assert decode_y({"y": figures(at)[0]["data"][0]["x"]})[-1] == 2999
    at.get_by_key("explore.view.x_unit").set_value("epochs")
    at.run()
    assert decode_y({"y": figures(at)[0]["data"][0]["x"]})[-1] == pytest.approx(2999 / 250)  # same steps/epoch


# --- Train ---------------------------------------------------------------------------------------

@pytest.fixture
def train_db(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "runs.sqlite"))
    st.cache_resource.clear()  # a fresh job manager on this database
    yield tmp_path / "runs.sqlite"
    from ui.train import manager

    manager().shutdown()
    st.cache_resource.clear()


def test_train_page_runs_a_small_comparison_and_shows_live_charts(train_db):
    import time

    at = run("train.py")
    assert any("Start" in i.value for i in at.info) or at.info  # the empty state explains what to do
    at.get_by_key("train.steps").set_value(30)
    at.get_by_key("train.start").click()
    at.run()
    assert not at.exception and not at.error
    deadline = time.time() + 60
    while time.time() < deadline:
        at.run()
        texts = [p.proto.text for p in at.get("progress")]
        if texts and all("finished" in t for t in texts):
            break
        time.sleep(0.3)
    assert len(texts) == 3 and all("finished" in t for t in texts), texts
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert titles == ["Training loss", "Held-out loss", "Learning rate the optimizer applied", "Gradient norm"]
    lr_fig = figures(at)[2]
    assert [t["name"] for t in lr_fig["data"]] == ["no warmup", "linear warmup", "constant warmup"]
    table = at.dataframe[0].value
    assert list(table["status"]) == ["finished"] * 3


def test_train_page_reports_an_empty_selection(train_db):
    at = run("train.py")
    at.get_by_key("train.schedules").set_value([])
    at.get_by_key("train.start").click()
    at.run()
    assert any("at least one schedule" in e.value for e in at.error)


@pytest.mark.parametrize("which", ["instability", "sharpness", "adam"])  # the map now runs on Learn (section 6.2)
def test_learn_run_it_yourself_presets_load_in_the_train_page(which, train_db):
    import time

    at = run("learn.py")
    at.get_by_key(f"learn.run.{which}").click()
    at.run()
    preset = at.session_state["train.preset"]
    start = at.session_state["train.start_demo"]
    page = AppTest.from_file(str(PAGES / "train.py"), default_timeout=120)
    page.session_state["train.preset"] = preset
    page.session_state["train.start_demo"] = start
    page.run()
    assert not page.exception and not page.error
    for k, v in preset.items():
        if k != "map_now":
            assert page.session_state[f"train.{k}"] == v
    if which == "map":
        assert any("Final held-out loss" in json.loads(c.proto.spec)["layout"]["title"]["text"]
                   for c in page.get("plotly_chart"))
    else:  # the comparison started
        from ui.train import manager

        deadline = time.time() + 5
        while time.time() < deadline and not manager().store.runs():
            time.sleep(0.05)
        names = [r["name"] for r in manager().store.runs()]
        assert names == preset["schedules"]
        for r in manager().store.runs():
            manager().cancel(r["id"])


def test_compare_teacher_link_shows_only_the_named_controls():
    items = [{"name": "short", "schedule": Schedule(0.1, Warmup("linear", 100), Decay("cosine"), "prepend", 5000)
              .to_dict()},
             {"name": "long", "schedule": Schedule(0.1, Warmup("linear", 1000), Decay("cosine"), "prepend", 5000)
              .to_dict()}]
    at = run("compare.py", {"s": state.encode({"strategies": items}), "show": "warmup_steps"})
    keys = {w.key for w in at.sidebar.slider} | {w.key for w in at.sidebar.selectbox} | \
        {w.key for w in at.sidebar.number_input} | {w.key for w in at.sidebar.button}
    assert "compare.edit.warmup_steps" in keys and "compare.pick" in keys
    assert "compare.dup" not in keys and "compare.edit.decay" not in keys and "compare.edit.base_lr" not in keys
    at.get_by_key("compare.edit.warmup_steps").set_value(2500)
    at.run()
    short = next(t for t in figures(at)[0]["data"] if t["name"] == "short")
    assert decode_y({"y": short["x"]})[int(np.argmax(decode_y(short)))] == 2500 and not at.exception


def test_compare_refuses_a_taken_name_with_a_message():
    at = run("compare.py")
    at.get_by_key("compare.new_name").set_value("linear warmup")  # the selected one is "no warmup"
    at.run()
    assert any("already a strategy called 'linear warmup'" in e.value for e in at.sidebar.error)
    assert [t["name"] for t in figures(at)[0]["data"]] == ["no warmup", "linear warmup", "constant warmup"]
