"""Fitting your own runs: CSV, TensorBoard event files (written here with TensorBoard's writer), Train-page
runs from the store; hold-one-out errors."""

import numpy as np
import pytest

from warmup_core import predict
from warmup_core.predict import data, law, runs

P400 = predict.PUBLISHED["400M"]


def law_rows(lrs, every=20, start=200, noise=0.0, seed=0):
    steps = np.arange(start, lrs.size, every)
    loss = law.evaluate(lrs, steps, P400, exact=True)[0]
    loss = loss * np.exp(noise * np.random.default_rng(seed).standard_normal(steps.size))
    return steps, lrs[steps], loss


def test_csv_round_trip_and_interpolated_lrs(tmp_path):
    lrs = data.cosine(3000, warmup=200)
    steps, lr, loss = law_rows(lrs, start=1)
    text = "Loss,step,extra,LR\n" + "".join(f"{float(b)!r},{a},x,{float(c)!r}\n" for a, b, c in zip(steps, loss, lr))
    path = tmp_path / "cosine.csv"
    path.write_text(text)
    run = runs.read_csv(path)
    assert run.name == "cosine" and run.lrs.size == steps[-1] + 1
    np.testing.assert_array_equal(run.steps, steps)
    np.testing.assert_allclose(run.losses, loss, rtol=1e-15)
    np.testing.assert_allclose(run.lrs[steps], lr, rtol=1e-15)
    assert "interpolated" in run.note
    # between the logged steps the interpolation stays within the cosine's curvature
    assert np.max(np.abs(run.lrs[1:] - lrs[1: run.lrs.size])) < 0.01 * lrs.max()  # the warmup corner is cut
    assert "held at its first logged value before step 1" in run.note
    assert runs.read_csv(text.encode(), name="b").steps.size == steps.size


@pytest.mark.parametrize("text, match", [
    ("", "empty"), ("step,loss\n1,2\n", "missing lr"), ("step,lr,loss\n", "no rows"),
    ("step,lr,loss\n1,0.1,abc\n2,0.1,1\n", "row 2"), ("step,lr,loss\n1,0.1,1\n1,0.1,1\n2,0.1,1\n", "appears twice"),
    ("step,lr,loss\n1.5,0.1,1\n2,0.1,1\n", "whole numbers"), ("step,lr,loss\n1,-0.1,1\n2,0.1,1\n", ">= 0"),
    ("step,lr,loss\n1,0.1,nan\n2,0.1,1\n", "fewer than 2"), ("<script>,lr,loss\n", "missing step"),
])
def test_bad_csv_raises_value_error(text, match):
    with pytest.raises(ValueError, match=match):
        runs.read_csv(text)


@pytest.mark.slow
def test_tensorboard_event_file_written_by_tensorboard(tmp_path):
    from torch.utils.tensorboard import SummaryWriter

    lrs = data.wsd(3000, 2400, warmup=200)
    steps, lr, loss = law_rows(lrs, start=1)
    w = SummaryWriter(str(tmp_path))
    for s, a, b in zip(steps, lr, loss):
        w.add_scalar("train/loss", b, int(s))
        w.add_scalar("lr", a, int(s))
        w.add_scalar("other", 1.0, int(s))
    w.close()
    run = runs.read_tensorboard(tmp_path, name="wsd")
    np.testing.assert_array_equal(run.steps, steps)
    np.testing.assert_allclose(run.losses, loss, rtol=1e-6)  # TensorBoard stores float32
    np.testing.assert_allclose(run.lrs[steps], lr, rtol=1e-6)
    with pytest.raises(ValueError, match="no scalar tag 'nope'"):
        runs.read_tensorboard(tmp_path, loss_tag="nope")
    bad = tmp_path / "junk"
    bad.mkdir()
    (bad / "events.out.tfevents.1.x").write_bytes(b"not an event file at all")
    with pytest.raises(ValueError):
        runs.read_tensorboard(bad)


@pytest.mark.slow
def test_fit_on_csv_runs_predicts_a_held_out_schedule():
    curves = {}
    for name, lrs in (("constant", data.constant(3000, warmup=200)), ("cosine", data.cosine(3000, warmup=200)),
                      ("wsd", data.wsd(3000, 2400, warmup=200))):
        steps, lr, loss = law_rows(lrs, noise=2e-3, seed=len(name))
        curves[name] = runs.from_points(name, steps, lr, loss).curve
    out = predict.hold_one_out(curves)
    assert all(isinstance(v, float) and v < 0.02 for v in out.values()), out


def test_train_store_runs(tmp_path):
    from warmup_core import Decay, Schedule, Warmup
    from warmup_core.training.store import Store

    store = Store(tmp_path / "runs.sqlite")
    s = Schedule(0.1, Warmup("linear", 10), Decay("cosine"), "prepend", 100)
    import json

    rid = store.create("me", "g", "cos", json.dumps({"task": "mlp", "schedule": s.to_dict(), "steps": 100}), 100)
    store.add_metrics(rid, [{"step": t, "lr": float(s(t)), "loss": 2.0 / (1 + t)} for t in range(0, 100, 10)])
    store.update(rid, status="finished")
    # a finished run whose record holds no schedule (no lr history to fit on) is left out, not an error
    other = store.create("me", "g", "fn", json.dumps({"kind": "sweep", "cell": "lr=0.1", "train": "f"}), 100)
    store.update(other, status="finished")
    assert [r["name"] for r in runs.store_runs(store)] == ["cos"]
    run = runs.from_store(store, rid)
    np.testing.assert_allclose(run.lrs, s(np.arange(100.0)), rtol=1e-15)
    np.testing.assert_array_equal(run.steps, np.arange(10, 100, 10) - 1)  # loss of step t follows updates 0..t-1
    with pytest.raises(ValueError, match="no run"):
        runs.from_store(store, "nope")
