"""The Train page under streamlit.testing.v1.AppTest, in the order a user meets it: start a comparison,
refresh, come back with the same link after a server restart, open someone else's run, share one,
and a database that cannot be used. Plus the pieces the page wires (ui/train.py) tested alone."""

import time
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

pytest.importorskip("torch")

from tests.apptest import PAGES, array, figures, open_page  # noqa: E402
from ui import train as T  # noqa: E402
from warmup_core.training import train  # noqa: E402
from warmup_core.training.store import METRICS, Store  # noqa: E402


def page(name="train.py", query=None, timeout=60):
    return open_page(name, query, timeout)


def progress_texts(at):
    return [p.proto.text for p in at.get("progress")]


def until_finished(at, n, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()
        texts = progress_texts(at)
        if len(texts) == n and all("finished" in t for t in texts):
            return texts
        time.sleep(0.3)
    raise AssertionError(f"not finished within {timeout} s: {progress_texts(at)}")


def restart_server():
    """A new server process: a fresh job manager on the same database."""
    import streamlit as st

    from ui.train import manager

    manager().shutdown()
    st.cache_resource.clear()


@pytest.fixture
def db(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "runs.sqlite"))
    st.cache_resource.clear()  # a fresh job manager on this database
    yield tmp_path / "runs.sqlite"
    from ui.train import manager

    try:
        manager().shutdown()
    finally:
        st.cache_resource.clear()


def start_small(at, steps=30):
    at.get_by_key("train.steps").set_value(steps)
    at.get_by_key("train.start").click()
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]


# --- a comparison, live -------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_small_comparison_runs_and_shows_live_charts(db):
    at = page()
    assert any("Start" in i.value for i in at.info)  # the empty state explains what to do
    start_small(at)
    until_finished(at, 3)
    titles = [f["layout"]["title"]["text"] for f in figures(at)]
    assert titles == ["Training loss", "Held-out accuracy", "Learning rate the optimizer applied", "Gradient norm"]
    assert [t["name"] for t in figures(at)[2]["data"]] == ["no warmup", "linear warmup", "constant warmup"]
    assert list(at.dataframe[0].value["status"]) == ["finished"] * 3
    csv = pd.read_csv(__import__("io").BytesIO(T.metrics_csv(T.manager().store, at.session_state["train.shown"])))
    assert set(csv["run"]) == {"no warmup", "linear warmup", "constant warmup"} and len(csv) == 90


def test_before_a_start_the_page_previews_the_learning_rates_it_will_run(db):
    """What a user sees before pressing Start: each chosen schedule's lr over the run (the values the
    optimizer will get), following the sidebar; once runs are shown, their live charts replace it."""
    at = page()
    preview = "The learning rates these runs will apply"

    def check(warmup):
        (fig,) = figures(at)
        assert fig["layout"]["title"]["text"] == preview
        made = T.run_schedules(list(T.DEFAULTS.schedules), T.DEFAULTS.lr, T.DEFAULTS.steps, warmup, T.DEFAULTS.factor)
        assert [t["name"] for t in fig["data"]] == [name for name, _, _ in made]
        for trace, (_, schedule, _) in zip(fig["data"], made):
            x = array(trace["x"])
            np.testing.assert_allclose(array(trace["y"]), schedule(x.astype(int)), rtol=1e-12)
            assert x[0] == 0 and x[-1] == T.DEFAULTS.steps - 1

    check(T.DEFAULTS.warmup)
    at.get_by_key("train.warmup").set_value(40).run()  # one edit: the preview follows
    check(40)
    start_small(at)
    assert preview not in [f["layout"]["title"]["text"] for f in figures(at)]


def test_the_page_states_the_thread_count_runs_use_not_the_pages(db):
    """Runs train with the job manager's torch threads (half the cores), whatever torch's count is
    in the page's process: the caption says the former."""
    import os

    at = page()
    threads = T.manager().threads
    said = " ".join(c.value for c in at.caption)
    assert f"CPU ({threads} torch thread{'' if threads == 1 else 's'} of {os.cpu_count()} cores)" in said, said


@pytest.mark.slow
def test_compare_strategies_a_composite_among_them_preview_and_train_here(db):
    """After a visit to Compare (its strategies in the session: one a read-only composite from a config),
    the Train page lists them, previews them at its lr and length, and trains them."""
    from ui import compare
    from warmup_core import Decay, Join, Schedule, Warmup
    from warmup_core.pairs import with_base_lr, with_total_steps

    warm = Schedule(0.2, Warmup("linear", 20, factor=0.1), Decay("constant"))
    composite = Join([warm, Schedule(0.2, Warmup(), Decay("cosine", steps=80))], [20], total_steps=100)
    strategies, _ = compare.add(compare.default_strategies(), compare.Strategy("from a config", composite))
    at = AppTest.from_file(str(PAGES / "train.py"), default_timeout=60)
    at.session_state["compare.strategies"] = strategies
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    picked = ["Compare: linear warmup", "Compare: from a config"]
    assert set(picked) <= set(at.get_by_key("train.schedules").options)
    at.get_by_key("train.schedules").set_value(picked).run()
    (fig,) = figures(at)
    expected = with_total_steps(with_base_lr(composite, T.DEFAULTS.lr), T.DEFAULTS.steps)
    trace = fig["data"][1]
    x = array(trace["x"]).astype(int)
    np.testing.assert_allclose(array(trace["y"]), expected(x), rtol=1e-12)
    assert array(trace["y"]).max() == pytest.approx(T.DEFAULTS.lr)  # rescaled to the target lr
    start_small(at, steps=20)
    texts = until_finished(at, 2)
    assert all(T.plain(name) in text for name, text in zip(picked, texts)), texts


def test_an_empty_selection_is_refused_with_a_message(db):
    at = page()
    at.get_by_key("train.schedules").set_value([])
    at.get_by_key("train.start").click()
    at.run()
    assert any("at least one schedule" in e.value for e in at.error)


def test_the_demo_button_is_on_the_page_not_hidden_in_the_sidebar(db):
    """On a 390-px phone the sidebar starts collapsed: the demo must be reachable without it."""
    at = page()
    assert at.button(key=T.K_DEMO).label.startswith("▶ Teaching demo")
    assert T.K_DEMO not in {b.key for b in at.sidebar.button}


# --- "a refresh, a closed tab or a restarted server loses nothing" ----------------------------------

def test_a_refresh_and_a_server_restart_lose_nothing(db):
    at = page()
    me = at.query_params["owner"][0] if isinstance(at.query_params["owner"], list) else at.query_params["owner"]
    assert len(me) == 32  # the owner key is in the address
    start_small(at)
    until_finished(at, 3)
    ids = list(at.dataframe[0].value["id"])

    again = page(query={"owner": me})  # F5, or the same link in a new tab: a new session
    assert list(again.dataframe[0].value["id"]) == ids
    assert len(progress_texts(again)) == 3 and len(figures(again)) == 4  # the last comparison is on the charts

    restart_server()
    after = page(query={"owner": me})
    table = after.dataframe[0].value
    assert list(table["id"]) == ids and list(table["status"]) == ["finished"] * 3
    assert list(table["progress"]) == ["30/30"] * 3

    stranger = page()  # another browser: a new key, none of these runs
    assert not stranger.dataframe and stranger.query_params["owner"] != me


def test_a_malformed_owner_key_in_the_address_is_replaced(db):
    at = page(query={"owner": "<script>alert(1)</script>"})
    key = at.query_params["owner"]
    assert isinstance(key, str) and len(key) == 32 and all(c in "0123456789abcdef" for c in key)


def test_the_owner_deletes_runs(db):
    at = page()
    start_small(at, steps=20)
    until_finished(at, 3)
    ids = list(at.dataframe[0].value["id"])
    at.get_by_key("train.pick").set_value(ids[:1])
    at.run()
    at.get_by_key("train.delete").click()
    at.run()
    assert list(at.dataframe[0].value["id"]) == ids[1:] and not at.error


# --- someone else's run: open by id, share link, refusal ---------------------------------------------

def test_opening_another_browsers_run_shows_it_read_only_and_exportable(db):
    owner = page()
    start_small(owner, steps=20)
    until_finished(owner, 3)
    rid = owner.dataframe[0].value["id"][1]

    other = page()
    other.get_by_key(T.K_OPEN).set_value(rid)
    other.run()
    assert any(rid in s.value for s in other.success)
    texts = progress_texts(other)
    assert len(texts) == 1 and "linear warmup" in texts[0]  # the run just opened, on the charts
    assert "view only" in [c.value for c in other.caption]
    csv = T.metrics_csv(T.manager().store, other.session_state["train.shown"])
    assert csv.decode().count(rid) == 20  # reopened runs can be exported
    assert any("(CSV)" in b.proto.label for b in other.get("download_button"))  # the download is offered
    assert not other.dataframe  # it is not listed as theirs

    other.get_by_key(T.K_OPEN).set_value("nope")
    other.run()
    assert any("no run with id 'nope'" in e.value for e in other.error)


def test_a_share_link_shows_the_runs_and_only_the_owner_can_cancel(db):
    owner = page()
    owner.get_by_key("train.steps").set_value(20_000)  # long enough to still run while we look
    owner.get_by_key("train.schedules").set_value(["linear warmup"])
    owner.get_by_key("train.start").click()
    owner.run()
    (rid,) = owner.session_state["train.shown"]
    link = T.share_link("http://host:8501/train?owner=" + "a" * 32, [rid])
    assert link == f"http://host:8501/train?view={rid}" and "owner" not in link

    viewer = page(query={"view": rid})
    assert "linear warmup" in progress_texts(viewer)[0]
    cancel = viewer.get_by_key(f"train.cancel.{rid}")
    assert cancel.disabled and "Only the browser that started this run" in cancel.help
    # the same refusal where a button is bypassed
    state = {}
    T.cancel(T.manager(), rid, viewer.query_params["owner"], state)
    assert "belongs to another browser" in state[T.K_NOTICE]
    T.delete(T.manager(), [rid], viewer.query_params["owner"], state)
    assert "only its owner can cancel or delete it" in state[T.K_NOTICE]
    assert T.manager().store.run(rid)["status"] in ("queued", "running")  # queued while training starts

    owner.run()
    owner.get_by_key(f"train.cancel.{rid}").click()
    owner.run()
    assert T.manager().wait([rid], 10) and T.manager().store.run(rid)["status"] == "cancelled"


# --- a database that cannot be used --------------------------------------------------------------------

@pytest.mark.parametrize("content", [b"this is not a database" * 50, b"SQLite format 3\x00" + b"\xff" * 4000],
                         ids=["garbage", "bad-header"])
def test_a_corrupt_database_is_explained_and_the_other_pages_keep_working(db, content):
    db.write_bytes(content)
    at = page()
    (err,) = at.error
    assert "damaged or is not a SQLite file" in err.value and "WARMUP_LAB_DB" in err.value
    assert str(db) in err.value
    for other in ("explore.py", "compare.py", "learn.py"):
        page(other, timeout=120)
    db.unlink()  # fixed as the message says: the next visit works
    page()


# --- the Learn page's "run it yourself" buttons -------------------------------------------------------

@pytest.mark.parametrize("which", ["instability", "sharpness", "adam"])  # the map now runs on Learn (section 6.2)
def test_learn_run_it_yourself_presets_load_in_the_train_page(which, db):
    learn = page("learn.py", timeout=120)
    learn.get_by_key(f"learn.run.{which}").click()
    learn.run()
    preset = learn.session_state["train.preset"]
    at = AppTest.from_file(str(PAGES / "train.py"), default_timeout=120)
    at.session_state["train.preset"] = preset
    at.session_state["train.start_demo"] = learn.session_state["train.start_demo"]
    at.run()
    assert not at.exception and not at.error
    for k, v in preset.items():
        if k != "map_now":
            assert at.session_state[f"train.{k}"] == v
    store = T.manager().store
    names = [r["name"] for r in store.runs()]
    assert names == preset["schedules"]
    for r in store.runs():
        T.manager().cancel(r["id"], r["owner"])


# --- the pieces -------------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_default_settings_give_distinct_learning_curves():
    """The page's defaults (task, optimizer, lr, schedules) show what warmup does, on this seed and
    two others: every curve learns, and the schedules end in the same distinct order."""
    for seed in (0, 1, 2):
        finals = {}
        for c in replace(T.DEFAULTS, seed=seed).configs():
            rows = []
            assert train(c, rows.append).status == "finished"
            finals[c.name] = np.mean([r["loss"] for r in rows[-10:]])
            assert finals[c.name] < 0.7 * rows[0]["loss"], (seed, c.name)  # it learns
        assert finals["linear warmup"] < finals["no warmup"] < finals["constant warmup"], (seed, finals)


def test_waiting_charts_say_so_instead_of_empty_axes():
    fig = T.metric_figure([("a", pd.DataFrame(columns=list(METRICS)))], "loss", "Training loss", "loss")
    assert not fig.data and fig.layout.annotations[0].text.startswith("waiting")
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_live_traces_are_bounded_and_names_are_text():
    n = 20_000
    frame = pd.DataFrame({"step": np.arange(n), "loss": np.sin(np.arange(n) / 50.0) + 2})
    frame = frame.reindex(columns=list(METRICS))
    fig = T.metric_figure([("<b>x</b> [a](http://e)", frame)], "loss", "Training loss", "loss", smoothing=0.6)
    assert all(len(t.x) <= T.MAX_POINTS for t in fig.data) and fig.data[-1].x[-1] == n - 1
    assert "<b>" not in fig.data[-1].name and "&lt;b&gt;" in fig.data[-1].name
    assert T.plain("**bold** <a>") == r"\*\*bold\*\* \<a\>"


def test_live_metrics_read_only_new_rows(tmp_path):
    store = Store(tmp_path / "m.sqlite")
    rid = store.create("me", "g", "run", "{}", 100)
    run = store.run(rid)
    asked = []
    real = store.metrics

    def spy(run_id, since_step=-1):
        rows = real(run_id, since_step)
        asked.append((since_step, len(rows)))
        return rows

    store.metrics = spy
    live = T.LiveMetrics()
    store.add_metrics(rid, [{"step": s, "loss": 1.0} for s in range(10)])
    (_, frame), = live.update(store, [run])
    store.add_metrics(rid, [{"step": s, "loss": 0.5} for s in range(10, 13)])
    (_, frame), = live.update(store, [run])
    assert asked == [(-1, 10), (9, 3)] and list(frame["step"]) == list(range(13))


def test_progress_says_the_time_left_and_escapes_the_name():
    run = {"id": "abc", "name": "*mine*", "status": "running", "step": 99, "steps": 300, "message": "",
           "owner": "me"}
    row = T.progress(run, "me", wall=10.0)  # 100 steps in 10 s: 200 left take about 20 s
    assert row.fraction == pytest.approx(1 / 3) and "about 20 s left" in row.label and row.live and row.mine
    assert row.label.startswith(r"**\*mine\*** — running 100/300")
    queued = T.progress({**run, "status": "queued"}, "you")
    assert queued.fraction == 0 and "left" not in queued.label and not queued.mine


def test_refresh_slows_down_when_drawing_costs_more():
    assert T.refresh_seconds(0.05) == 2.0 and T.refresh_seconds(0.375) == 3.0 and T.refresh_seconds(10) == 5.0
    assert T.refresh_seconds(10, drawn=False) == 1.0  # until the first line: sooner, whatever it costs


def test_share_ids_from_a_hostile_link_are_dropped():
    assert T.shared_ids({"view": "0123456789ab,../../etc,0123456789ab," + "x" * 5000}) == ["0123456789ab"]
    assert T.shared_ids({"view": ["not", "a", "string"]}) == []


# --- where the runs train: this server or Ray (issue #12 item 2) -------------------------------------

def test_the_backend_choice_defaults_to_this_server_and_says_when_ray_is_missing(db, monkeypatch):
    at = page()
    radio = at.get_by_key("train.backend")
    assert radio.value == "local" and list(radio.options) == ["this server", T.backend_label("ray")]

    monkeypatch.setattr(T, "ray_available", lambda: False)  # a server without the optional extra
    at = page()
    radio = at.get_by_key("train.backend")
    assert radio.options[1] == "Ray: not installed" and "pip install ray" in radio.help
    radio.set_value("ray").run()
    assert any("pip install ray" in c.value for c in at.sidebar.caption)
    at.get_by_key("train.start").click().run()
    assert any("Ray is not installed" in e.value for e in at.error)
    assert T.manager().store.runs() == []  # nothing was queued
    at.button(key=T.K_DEMO).click().run()  # the demo runs on this server whatever was chosen
    assert at.session_state["train.backend"] == "local"


@pytest.mark.slow
def test_a_comparison_on_ray_gives_the_local_numbers_and_cancels(tmp_path):
    """JobManager(backend="ray"): real local Ray tasks, the same rows as this server's runs, owned and
    cancellable like them."""
    pytest.importorskip("ray", reason="ray is an optional extra")
    import ray

    from warmup_core.training.jobs import JobManager
    from warmup_core.training.store import NotOwnerError

    cfgs = replace(T.DEFAULTS, task="mlp", optimizer="sgd", lr=0.3, steps=20, batch=16,
                   schedules=("no warmup", "linear warmup")).configs()
    mgr = JobManager(str(tmp_path / "runs.sqlite"))
    try:
        local = mgr.submit("me", cfgs)
        assert mgr.wait(local, timeout=600)
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
        remote = mgr.submit("me", cfgs, backend="ray")
        assert mgr.wait(remote, timeout=600)
        for a, b in zip(local, remote):
            ra, rb = mgr.store.run(a), mgr.store.run(b)
            assert rb["owner"] == "me" and rb["status"] == ra["status"] == "finished" and rb["device"].startswith("ray")
            assert [m["loss"] for m in mgr.store.metrics(a)] == [m["loss"] for m in mgr.store.metrics(b)]

        slow = mgr.submit("me", replace(T.DEFAULTS, task="mlp", optimizer="sgd", lr=0.3, steps=20_000,
                                         schedules=("no warmup",)).configs(), backend="ray")
        with pytest.raises(NotOwnerError):
            mgr.cancel(slow[0], "someone else")
        mgr.cancel(slow[0], "me")
        assert mgr.wait(slow, timeout=300) and mgr.store.run(slow[0])["status"] == "cancelled"
    finally:
        mgr.shutdown()
        ray.shutdown()


def test_the_sharpness_help_states_the_interval_rule_the_runs_follow(tmp_path):
    """The toggle's help ("at least MIN and at most MAX times, chosen before the run, and the run says so")
    is what a run does: a 30-step run asked to measure every 25 steps measures at least MIN times and keeps the note."""
    import re

    from warmup_core.training.jobs import JobManager

    lo, hi = map(int, re.search(r"at least (\d+) and at most (\d+) times", T.sharpness_help()).groups())
    cfg = replace(T.DEFAULTS, task="mlp", optimizer="sgd", lr=0.1, steps=30, batch=16, sharp=True, sharp_every=25,
                  schedules=("no warmup",)).configs()
    mgr = JobManager(str(tmp_path / "runs.sqlite"))
    try:
        (rid,) = mgr.submit("me", cfg)
        assert mgr.wait([rid], timeout=600)
        run = mgr.store.run(rid)
        measured = [m for m in mgr.store.metrics(rid) if m["sharpness"] is not None]
        assert run["status"] == "finished" and lo <= len(measured) <= hi
        assert "not every 25 as asked" in run["message"] and "chosen before the run" in run["message"]
    finally:
        mgr.shutdown()
