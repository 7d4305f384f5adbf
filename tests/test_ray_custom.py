"""Your own training function in the lab (warmup_core.training.custom), on the local backend: runs land
in the store, read back as curves for fitting, survive a stopped driver; bad input is refused plainly.
The Ray backend's twins are in test_ray_backend.py."""

import json
import math
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.apptest import array, figures
from warmup_core import Decay, Schedule, Warmup, from_dict
from warmup_core.training import custom, map_runs, sweep
from warmup_core.training.store import Store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models: one torch thread is fastest and keeps a loaded CI machine from thrashing."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "runs.sqlite")


def quadratic(schedule, seed):
    """Noisy gradient descent on w² (closed-form checkable): diverges when lr·2 > 2."""
    rng = np.random.default_rng(seed)
    w = 3.0
    for t in range(schedule.total_steps):
        loss = w * w  # before update t, as a training loop logs it; the eval after it
        w -= schedule(t) * (2 * w + 0.05 * rng.normal())
        yield {"step": t, "loss": loss, "eval_loss": w * w + 0.01, "ignored": "text"}


class Flaky:
    """Raises on the first ``fail`` calls for a schedule whose base lr is ``lr``, counting calls in a file."""

    def __init__(self, folder, lr, fail):
        self.folder, self.lr, self.fail = str(folder), lr, fail

    def __call__(self, schedule, seed):
        if schedule.base_lr == self.lr:
            log = Path(self.folder) / f"calls-{self.lr}-{seed}"
            with open(log, "a") as f:
                f.write("x")
            if len(log.read_text()) <= self.fail:
                yield {"step": 0, "loss": 1.0}
                raise RuntimeError(f"boom at lr {self.lr}")
        yield from quadratic(schedule, seed)


def test_sweep_lands_in_the_store_and_reads_back_for_fitting(store):
    res = custom.sweep(quadratic, [0.05, 0.3, 1.2], [0, 5], steps=30, seeds=[0, 1], store=store, owner="me",
                       blowup=20)
    grid = res.grid()
    assert grid.shape == (2, 3, 2)
    assert np.isinf(grid[:, 2, 0]).all()  # lr 1.2 without warmup: |1 - 2.4| > 1, the iterate grows
    assert np.isfinite(grid[:, :2, :]).all() and (grid[:, :2, :] < 9).all()
    # the store holds every cell as a run of one group, with the Train page's columns
    runs = store.runs(owner="me")
    assert len(runs) == 12 and {r["group_id"] for r in runs} == {res.group_id}
    assert {r["status"] for r in runs} == {"finished", "diverged"}
    cfg = store.record(res.run_ids[0])
    assert cfg["kind"] == "sweep" and cfg["lr"] == 0.05 and cfg["warmup"] == 0 and cfg["seed"] == 0
    rows = store.metrics(res.run_ids[0])
    assert [r["step"] for r in rows] == list(range(30))
    assert rows[3]["lr"] == from_dict(cfg["schedule"])(3)
    assert rows[3]["lr"] == pytest.approx(0.05 * 0.5 * (1 + math.cos(math.pi * 3 / 30)), rel=1e-12)
    # the final loss is the last eval_loss, computed here from the same recurrence
    w, rng = 3.0, np.random.default_rng(1)
    s = sweep.schedules([0.3], [5], 30)[0]
    for t in range(30):
        w -= s(t) * (2 * w + 0.05 * rng.normal())
    assert grid[1, 1, 1] == w * w + 0.01
    # curves: the finished runs, lr of every update, float64, as predict.fit_multi_power_law takes them
    curves = res.curves()
    assert len(curves) == 10
    lrs, steps, losses = curves[0]
    assert lrs.dtype == np.float64 and lrs.shape == (30,) and lrs[0] == 0.05
    assert steps.tolist() == list(range(29)) and losses.dtype == np.float64  # the row of step t + 1: after update t
    assert losses[0] == rows[1]["loss"] and losses[-1] == rows[29]["loss"]
    assert len(res.curves(include_diverged=True)) == 12


def test_compare_with_a_torch_module_factory(store):
    x = torch.randn(256, 8, generator=torch.Generator().manual_seed(0))
    y = (x[:, :1] * 2 - x[:, 1:2]).clone()
    trainer = custom.TorchTrainer(model=lambda: torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(),
                                                                   torch.nn.Linear(16, 1)),
                                  data=(x[:200], y[:200], x[200:], y[200:]), batch_size=16, eval_every=10)
    a = Schedule(0.05, Warmup(), Decay("cosine"), total_steps=40)
    b = Schedule(0.05, Warmup("linear", 10), Decay("cosine"), total_steps=40)
    res = custom.compare(trainer, [a, b], seeds=[0, 3], names=["none", "linear"], store=store)
    assert [r["name"] for r in res.runs()] == ["none · seed 0", "linear · seed 0", "none · seed 3", "linear · seed 3"]
    assert all(r["status"] == "finished" for r in res.runs())
    final = res.final()
    assert np.isfinite(final).all() and (final < float(y[200:].var())).all()  # it learned something
    # the lr rows are the lr the optimizer applied: the schedule's, warmup included
    rows = store.metrics(res.run_ids[1])
    assert rows[0]["lr"] == 0.0 and rows[-1]["step"] == 39 and rows[-1]["eval_loss"] is not None
    # same seed, same schedule -> the same numbers (a second group)
    again = custom.compare(trainer, [b], seeds=[3], store=store)
    assert again.final()[0] == final[3]
    with pytest.raises(ValueError, match="optimizer"):
        custom.TorchTrainer(model=lambda: None, data=(), optimizer="lion")
    with pytest.raises(ValueError, match="unknown device 'tpu'"):
        custom.TorchTrainer(model=lambda: None, data=(), device="tpu")
    if not torch.cuda.is_available():  # asking for a GPU that is not there: the run fails, saying so
        gpu = custom.compare(custom.TorchTrainer(model=trainer.model, data=trainer.data, device="cuda"), [b],
                             store=store)
        assert gpu.runs()[0]["status"] == "failed" and "'cuda' is not available" in gpu.runs()[0]["message"]


def test_a_raising_cell_is_retried_once_then_failed_with_its_error(store, tmp_path):
    once = custom.sweep(Flaky(tmp_path, 0.3, fail=1), [0.05, 0.3], [0], steps=10, store=store)
    assert list(once.outcome.status.values()) == ["finished", "finished"]  # the retry succeeded
    assert (tmp_path / "calls-0.3-0").read_text() == "xx"
    (tmp_path / "x").mkdir()
    always = custom.sweep(Flaky(tmp_path / "x", 0.3, fail=99), [0.05, 0.3], [0], steps=10, store=store)
    st = always.runs()
    assert st[0]["status"] == "finished" and st[1]["status"] == "failed"
    assert st[1]["message"] == "RuntimeError: boom at lr 0.3 (after 2 attempts)"
    assert (tmp_path / "x" / "calls-0.3-0").read_text() == "xx"
    assert math.isnan(always.final()[1])


def test_a_stopped_driver_resumes_without_recomputing(store, tmp_path):
    calls = []

    def counted(schedule, seed):
        calls.append(schedule.base_lr)
        yield from quadratic(schedule, seed)

    first = custom.sweep(counted, [0.05, 0.1, 0.2], [0, 5], steps=20, store=store, cells_per_task=1,
                         should_stop=lambda: len(calls) > 2)
    status = list(first.outcome.status.values())
    assert status[:2] == ["finished", "finished"] and set(status[2:]) == {"cancelled"}
    done_at = {r["id"]: r["finished"] for r in first.runs()[:2]}
    calls.clear()
    again = custom.resume(counted, first.group_id, store=store)
    assert calls == [0.1, 0.1, 0.2, 0.2] and len(again.outcome.computed) == 4
    assert all(r["status"] == "finished" for r in again.runs())
    assert {r["id"]: r["finished"] for r in again.runs()[:2]} == done_at  # untouched
    fresh = custom.sweep(quadratic, [0.05, 0.1, 0.2], [0, 5], steps=20, store=store)
    assert np.array_equal(again.grid(), fresh.grid())


def test_cancel_from_another_thread_stops_the_rest(store):
    started = threading.Event()

    def slow(schedule, seed):
        for t in range(schedule.total_steps):
            started.set()
            time.sleep(0.01)
            yield {"step": t, "loss": 1.0}

    box = {}
    th = threading.Thread(target=lambda: box.update(r=custom.sweep(slow, [0.1, 0.2, 0.3], [0], steps=400,
                                                                    store=store, group_id="g-cancel")))
    th.start()
    assert started.wait(30)
    time.sleep(0.3)
    assert custom.cancel("g-cancel", store=store) == 3
    th.join(30)
    assert not th.is_alive()
    runs = box["r"].runs()
    assert {r["status"] for r in runs} == {"cancelled"}
    assert max(r["step"] for r in runs) < 399


def test_the_map_through_the_store_equals_sweep_run(store):
    ref = sweep.run([0.1, 1.0], [0, 10], steps=25)
    got = map_runs.run_map([0.1, 1.0], [0, 10], steps=25, store=store)
    assert np.array_equal(got.results[0].final_loss, ref.final_loss)
    assert np.array_equal(got.results[0].diverged, ref.diverged)
    assert got.results[0].diverged.any()  # lr 1.0 with no warmup blows up: the comparison covers inf
    ref1 = sweep.run([0.1, 1.0], [0, 10], steps=25, batched=False)
    one = map_runs.run_map([0.1, 1.0], [0, 10], steps=25, store=store, batched=False)
    assert np.array_equal(one.results[0].final_loss, ref1.final_loss)
    assert len(store.metrics(one.outcome.run_ids["lr=0.1|warmup=0|seed=0"])) == 25  # the whole curve streamed
    # the Train page reads a map cell's run as the engine config that ran it (and re-running it gives its curve)
    from warmup_core.training.engine import train

    rid = one.outcome.run_ids["lr=0.1|warmup=10|seed=0"]
    cfg = store.config(rid)
    assert cfg.task == "mlp" and cfg.schedule == sweep.schedules([0.1], [10], 25)[0] and cfg.steps == 25
    rows = []
    train(cfg, rows.append)
    assert [r["loss"] for r in rows if "loss" in r] == [m["loss"] for m in store.metrics(rid)]


def test_the_store_reads_a_run_of_your_function_as_its_record(store):
    res = custom.sweep(quadratic, [0.1], [0], 5, store=store)
    assert store.config(res.run_ids[0]) is None  # not an engine run: the page asks for its config and gets none
    assert store.record(res.run_ids[0])["kind"] == "sweep"
    from ui.train import optimizer_is_adam

    assert optimizer_is_adam(store, res.run_ids) is False
    # a Train-page run sent to a backend: its RunConfig's record plus the cell key reads back as that RunConfig
    from warmup_core.training.engine import RunConfig

    cfg = RunConfig(task="mlp", schedule=Schedule(0.1, total_steps=7), optimizer="adam", steps=7).validate()
    rid = store.create("me", "g", "x", json.dumps({**json.loads(cfg.to_json()), "cell": "0|seed=0"}), 7)
    assert store.config(rid).to_json() == cfg.to_json() and optimizer_is_adam(store, [rid])


@pytest.mark.parametrize("call, match", [
    (lambda s: custom.sweep(quadratic, [], [0], 10, store=s), "at least one"),
    (lambda s: custom.sweep(quadratic, [0.1], [10], 10, store=s), "warmups"),
    (lambda s: custom.sweep(quadratic, [-1.0], [0], 10, store=s), "finite and > 0"),
    (lambda s: custom.sweep(quadratic, [0.1], [0], 10, seeds=[-1], store=s), "seeds"),
    (lambda s: custom.sweep(quadratic, [0.1], [0], 10, store=s, backend="spark"), "unknown backend"),
    (lambda s: custom.compare(quadratic, [Schedule(0.1)], store=s), "total_steps"),
    (lambda s: custom.compare(quadratic, [], store=s), "at least one"),
    (lambda s: custom.compare("nope", [Schedule(0.1, total_steps=5)], store=s), "train must be a function"),
    (lambda s: custom.resume(quadratic, "nothere", store=s), "no sweep or comparison"),
    (lambda s: map_runs.run_map([0.1], [0], 10, task="imagenet", store=s), "unknown task"),
])
def test_bad_input_is_a_value_error(store, call, match):
    with pytest.raises(ValueError, match=match):
        call(store)


@pytest.mark.parametrize("row, match", [
    ({"loss": 1.0}, "'step'"), ({"step": -1, "loss": 1.0}, "'step'"), ({"step": 0}, "needs a 'loss'"),
    ({"step": 0, "loss": "high"}, "'loss' must be a number"), ([0, 1.0], "must yield dicts"),
])
def test_a_bad_row_fails_the_run_with_a_message(store, row, match):
    res = custom.compare(lambda s, seed: iter([row]), [Schedule(0.1, total_steps=3)], store=store)
    r = res.runs()[0]
    assert r["status"] == "failed"
    assert match.strip("'") in r["message"]


def test_nan_loss_is_diverged_and_kept_out_of_the_metrics(store):
    def nan_at_3(schedule, seed):
        for t in range(10):
            yield {"step": t, "loss": float("nan") if t == 3 else 1.0}

    res = custom.compare(nan_at_3, [Schedule(0.1, total_steps=10)], store=store)
    r = res.runs()[0]
    assert r["status"] == "diverged" and r["message"].startswith("diverged at step 3")
    rows = store.metrics(r["id"])
    assert [x["step"] for x in rows] == [0, 1, 2, 3] and rows[-1]["loss"] is None
    assert res.final()[0] == math.inf


def test_the_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    import own_model

    assert own_model.main(["--steps", "20", "--seeds", "1", "--db", str(tmp_path / "ex.sqlite")]) == 0
    out = capsys.readouterr().out
    assert "lr × warmup map" in out and "6 loss curves ready" in out
    runs = Store(tmp_path / "ex.sqlite").runs()
    assert len(runs) == 2 + 6 and {json.loads(r["config"])["kind"] for r in runs} == {"compare", "sweep"}
    sys.modules.pop("own_model", None)


def test_the_ray_backend_without_ray_says_how_to_get_it(store, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "cli.sqlite"))
    with pytest.raises(ValueError, match=r"pip install ray==2\.60\.0"):
        custom.sweep(quadratic, [0.1], [0], 5, store=store, backend="ray")
    from warmup_core.training.__main__ import main

    s = Schedule(0.1, total_steps=5).to_json()
    assert main(["--schedule", s, "--steps", "5", "--backend", "ray"]) == 2
    assert store.runs() == [] and Store(tmp_path / "cli.sqlite").runs() == []  # refused before creating runs


def test_the_map_cli(tmp_path, capsys):
    db = str(tmp_path / "m.sqlite")
    assert map_runs.main(["--lrs", "0.1,0.2", "--warmups", "0,3", "--steps", "8", "--db", db]) == 0
    out = json.loads(capsys.readouterr().out)
    ref = sweep.run([0.1, 0.2], [0, 3], steps=8)
    assert out["final_loss"] == ref.final_loss.tolist() and out["computed"] == 4
    assert map_runs.main(["--lrs", "0.1,0.2", "--warmups", "0,3", "--steps", "8", "--db", db,
                          "--resume", out["group"]]) == 0
    assert json.loads(capsys.readouterr().out)["computed"] == 0  # all there: nothing recomputed
    assert map_runs.main(["--lrs", "0.1,x", "--db", db]) == 2
    assert "--lrs takes comma-separated floats" in capsys.readouterr().err


def test_ctrl_c_in_the_driver_marks_the_rest_interrupted_and_resume_finishes(store):
    seen = []

    def interrupt_after_two():
        if len(seen) >= 2:
            raise KeyboardInterrupt
        return False

    def counted(schedule, seed):
        seen.append(schedule.base_lr)
        yield from quadratic(schedule, seed)

    with pytest.raises(KeyboardInterrupt):
        custom.sweep(counted, [0.05, 0.1, 0.2], [0], steps=10, store=store, group_id="g-int",
                     should_stop=interrupt_after_two)
    status = [r["status"] for r in store.runs(group_id="g-int")]
    assert status[0] == "finished" and "interrupted" in status[1:] and "running" not in status
    msg = next(r["message"] for r in store.runs(group_id="g-int") if r["status"] == "interrupted")
    assert "resume" in msg
    res = custom.resume(quadratic, "g-int", store=store)
    assert {r["status"] for r in res.runs()} == {"finished"} and len(res.outcome.computed) == 2


def test_a_map_group_is_resumed_by_the_map_not_by_a_function(store):
    m = map_runs.run_map([0.1], [0], steps=5, store=store)
    with pytest.raises(ValueError, match="run_map"):
        custom.resume(quadratic, m.group_id, store=store)


def store_loss(res, i):
    return res.store.metrics(res.run_ids[i])[-1]["loss"]


def test_your_runs_open_on_the_train_page(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "runs.sqlite"))
    res = custom.sweep(quadratic, [0.05, 0.3], [0], steps=20)  # the default store: the page's
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(str(ROOT / "pages" / "train.py"), default_timeout=120)
        at.run()
        at.get_by_key("train.open").set_value(res.run_ids[1])
        at.run()
        assert not at.exception and not at.error and at.success  # "Added to the charts above."
        at.run()  # the charts sit above the box: they show it on the next run
        progress = [p.proto.text for p in at.get("progress")]
        assert progress == ["**lr 0\\.3 · warmup 0 · seed 0** — finished 20/20"]  # the name escaped: text
        loss = next(f for f in figures(at) if f["layout"]["title"]["text"] == "Training loss")
        raw = [t for t in loss["data"] if t["name"] == "lr 0.3 · warmup 0 · seed 0 (raw)"]
        y = array(raw[0]["y"]) if raw else []
        assert len(raw) == 1 and len(y) == 20  # every row the function yielded
        assert y[-1] == store_loss(res, 1)
    finally:
        from ui.train import manager

        manager().shutdown()
        st.cache_resource.clear()


def power_law_quadratic(schedule, seed):
    """SGD on a quadratic whose spectrum falls as a power law, with gradient noise: the loss falls as a
    power of the lr sum to a noise floor that drops when the lr decays (what the multi-power law models);
    1.0 is its irreducible loss. Logs every 10th step, loss before the update."""
    rng = np.random.default_rng(seed)
    lam = np.arange(1, 201) ** -1.5
    w = np.ones_like(lam)
    for t in range(schedule.total_steps):
        if t % 10 == 0 or t == schedule.total_steps - 1:
            yield {"step": t, "loss": 1.0 + 0.5 * float(lam @ (w * w))}
        w = w - schedule(t) * (lam * w + 0.2 * np.sqrt(lam) * rng.normal(size=lam.size))


def test_a_sweeps_curves_fit_the_multi_power_law_and_predict_a_held_out_run(store):
    from warmup_core.predict import fit_multi_power_law, multi_power_law

    kw = {"lrs": [0.25, 0.5, 1.0], "steps": 300, "store": store}
    cos = custom.sweep(power_law_quadratic, warmups=[0, 40], **kw)
    cosine = cos.curves()
    constant = custom.sweep(power_law_quadratic, warmups=[0], decay="constant", **kw).curves()
    assert len(cosine) == 6 and len(constant) == 3
    lrs, steps, loss = cosine[0]
    assert steps[0] == 9 and loss[0] == store_loss_at(store, 10)  # the row of step 10: after 10 updates
    held = cosine.pop()  # lr 1.0, warmup 40: fitted on the others, predicted
    params = fit_multi_power_law(cosine + constant, max_seconds=30)
    assert params.converged and params.train_mae < 0.01
    predicted = multi_power_law(held[0], held[1], **params)
    assert np.mean(np.abs(predicted - held[2])) < 0.02
    assert predicted[-1] == pytest.approx(held[2][-1], rel=0.02)
    # a wrong lr history (the constant schedules' in place of the cosine's) predicts it worse
    wrong = multi_power_law(constant[2][0], held[1], **params)
    assert np.mean(np.abs(wrong - held[2])) > 2 * np.mean(np.abs(predicted - held[2]))
    # the Predict page's store reader sees these runs too, and reads the same curve
    from warmup_core.predict import runs

    listed = {r["id"]: r for r in runs.store_runs(store)}
    assert len(listed) == 9 and listed[cos.run_ids[0]]["task"] == "power_law_quadratic"
    read = runs.from_store(store, cos.run_ids[0])
    assert np.array_equal(read.lrs, lrs) and np.array_equal(read.steps, steps) and np.array_equal(read.losses, loss)


def store_loss_at(store, step):
    run = next(r for r in store.runs() if r["name"] == "lr 0.25 · warmup 0 · seed 0")
    return next(m["loss"] for m in store.metrics(run["id"]) if m["step"] == step)
