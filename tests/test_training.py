"""The training engine, job manager, store and CLI, on the CPU with tiny runs."""

import json
import pickle
import subprocess
import sys
import time

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from warmup_core import Decay, Schedule, Warmup  # noqa: E402
from warmup_core.training import RunConfig, train  # noqa: E402
from warmup_core.training.device import pick_device  # noqa: E402
from warmup_core.training.gi_adam import GIAdam  # noqa: E402
from warmup_core.training.jobs import JobManager, QueueFullError  # noqa: E402
from warmup_core.training.store import Store  # noqa: E402


def cfg(task="mlp", lr=0.05, warm=Warmup("linear", 10), steps=40, **kw):
    s = Schedule(lr, warm, Decay("cosine"), "prepend", steps)
    kw = {"log_every": 1, "eval_every": 10, **kw}
    return RunConfig(task=task, schedule=s.to_dict(), steps=steps, **kw)


@pytest.mark.parametrize("task,opt", [("mlp", "sgd"), ("digits", "sgd"), ("charlm", "adam"), ("mlp", "gi-adam")])
def test_applied_lr_equals_the_schedule_at_every_step(task, opt):
    c = cfg(task, lr=1e-3 if opt != "sgd" else 0.05, steps=25, optimizer=opt, batch_size=8)
    rows = []
    result = train(c, rows.append)
    assert result.status == "finished"
    np.testing.assert_array_equal([r["lr"] for r in rows], c.curve()(np.arange(25)))
    assert all(np.isfinite(r["grad_norm"]) and r["update_norm"] >= 0 for r in rows)
    assert "eval_loss" in rows[0] and "eval_loss" in rows[-1]


def test_same_seed_same_losses_and_schedules_share_init_and_batches():
    a, b = [], []
    train(cfg(seed=3), a.append)
    train(cfg(seed=3), b.append)
    assert [r["loss"] for r in a] == [r["loss"] for r in b]
    # a different schedule: the first step (same weights, same batch) has the same loss
    c = []
    train(cfg(seed=3, warm=Warmup()), c.append)
    assert c[0]["loss"] == a[0]["loss"] and c[5]["loss"] != a[5]["loss"]


def test_a_huge_lr_without_warmup_is_detected_as_diverged():
    rows = []
    result = train(cfg(lr=1e4, warm=Warmup(), steps=50), rows.append)
    assert result.status == "diverged" and "diverged at step" in result.message
    assert result.steps_done < 50


def test_amp_path_runs_on_cpu_and_compile_falls_back(monkeypatch):
    rows = []
    assert train(cfg(steps=5, amp=True), rows.append).status == "finished"

    def broken(*a, **k):
        raise RuntimeError("no compiler here")

    monkeypatch.setattr(torch, "compile", broken)
    notes = []
    assert train(cfg(steps=5, compile=True), notes.append).status == "finished"
    assert "torch.compile unavailable" in notes[0]["note"]


def test_missing_gpu_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match="'cuda' is not available"):
        pick_device("cuda")
    with pytest.raises(ValueError, match="not available"):
        train(cfg(device="cuda"))


def test_bad_config_names_the_parameter():
    with pytest.raises(ValueError, match="steps"):
        cfg(steps=0).validate()
    with pytest.raises(ValueError, match="unknown task"):
        RunConfig(task="imagenet").validate()
    with pytest.raises(ValueError, match="optimizer"):
        RunConfig(optimizer="lion").validate()


def test_cifar10_from_a_tiny_file_in_torchvision_layout(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in ["data_batch_1", "test_batch"]:
        data = {b"data": rng.integers(0, 256, (40, 3072), dtype=np.uint8), b"labels": list(rng.integers(0, 10, 40))}
        with open(folder / name, "wb") as f:
            pickle.dump(data, f)
    rows = []
    c = cfg("cifar10", steps=6, batch_size=8, options={"data_dir": str(tmp_path), "width": 8})
    assert train(c, rows.append).status == "finished"
    with pytest.raises(FileNotFoundError, match="CIFAR-10 was not found"):
        train(cfg("cifar10", steps=2, options={"data_dir": str(tmp_path / "nowhere")}))


def test_gi_adam_first_update_matches_its_definition():
    torch.manual_seed(0)
    p = torch.nn.Parameter(torch.randn(5))
    g = torch.randn(5)
    p0 = p.detach().clone()
    opt = GIAdam([p], lr=0.1, betas=(0.9, 0.999), eps=1e-8, bias_correction=False)
    p.grad = g.clone()
    opt.step()
    # v0 = g^2, v1 = b2 v0 + (1 - b2) g^2 = g^2; m1 = (1 - b1) g, m_hat = g: the step is lr * g / (|g| + eps)
    np.testing.assert_allclose(p.detach(), p0 - 0.1 * g / (g.abs() + 1e-8), rtol=1e-6)


# --- jobs and storage -----------------------------------------------------------------------------

@pytest.fixture
def manager(tmp_path):
    m = JobManager(Store(tmp_path / "runs.sqlite"), max_workers=2, max_queued=4)
    yield m
    m.shutdown()


def test_jobs_run_and_persist_across_a_new_manager(tmp_path, manager):
    ids = manager.submit("alice", [cfg(), cfg(warm=Warmup())])
    assert manager.wait(ids, 60)
    assert [manager.store.run(i)["status"] for i in ids] == ["finished", "finished"]
    n = len(manager.store.metrics(ids[0]))
    manager.shutdown()
    again = JobManager(Store(tmp_path / "runs.sqlite"))
    assert len(again.store.metrics(ids[0])) == n == 40
    assert [r["id"] for r in again.store.runs(owner="alice")] == ids
    assert again.store.runs(owner="bob") == []
    again.shutdown()


def test_two_concurrent_jobs(manager):
    slow = dict(task="charlm", optimizer="adam", lr=1e-3, steps=40, batch_size=8, log_every=10)
    ids = manager.submit("a", [cfg(**slow)]) + manager.submit("b", [cfg(**slow)])
    assert manager.wait(ids, 120)
    a, b = (manager.store.run(i) for i in ids)
    assert a["status"] == b["status"] == "finished"
    assert a["started"] < b["finished"] and b["started"] < a["finished"]  # they overlapped in time


def test_cancel_stops_a_run_within_a_second(manager):
    (rid,) = manager.submit("a", [cfg(task="charlm", optimizer="adam", lr=1e-3, steps=5000, batch_size=8)])
    while manager.store.run(rid)["status"] != "running" or not manager.store.metrics(rid):
        time.sleep(0.01)
    t0 = time.perf_counter()
    manager.cancel(rid)
    assert manager.wait([rid], 5)
    assert time.perf_counter() - t0 < 1.0
    assert manager.store.run(rid)["status"] == "cancelled"


def test_bounded_queue_refuses_with_a_clear_message(manager):
    with pytest.raises(QueueFullError, match="busy"):
        manager.submit("a", [cfg(steps=2000)] * 5)


def test_a_failing_task_is_recorded_not_raised(manager, tmp_path):
    (rid,) = manager.submit("a", [cfg("cifar10", steps=2, options={"data_dir": str(tmp_path / "none")})])
    assert manager.wait([rid], 30)
    run = manager.store.run(rid)
    assert run["status"] == "failed" and "CIFAR-10 was not found" in run["message"]


def test_interrupted_runs_are_marked_on_restart(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    rid = store.create("a", "g", "x", cfg().to_json(), 40)
    store.update(rid, status="running")
    JobManager(store).shutdown()
    assert store.run(rid)["status"] == "interrupted"


def test_run_record_reproduces_the_run():
    c = cfg(seed=7)
    again = RunConfig.from_json(c.to_json())
    a, b = [], []
    train(c, a.append)
    train(again, b.append)
    assert [r["loss"] for r in a] == [r["loss"] for r in b]


# --- CLI -----------------------------------------------------------------------------------------

def test_cli_prints_json_lines():
    s1 = Schedule(0.05, Warmup(), Decay("cosine"), total_steps=20).to_json()
    s2 = Schedule(0.05, Warmup("linear", 5), Decay("cosine"), total_steps=20).to_json()
    out = subprocess.run([sys.executable, "-m", "warmup_core.training", "--task", "mlp", "--steps", "20",
                          "--log-every", "5", "--schedule", s1, "--schedule", s2],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    lines = [json.loads(line) for line in out.strip().splitlines()]
    steps = [r for r in lines if "step" in r and "status" not in r]
    finals = [r for r in lines if "status" in r]
    assert {"run", "step", "lr", "loss"} <= set(steps[0])
    assert [f["status"] for f in finals] == ["finished", "finished"] and [f["run"] for f in finals] == [0, 1]
    assert finals[0]["config"]["seed"] == 0


def test_cli_refuses_a_bad_schedule_with_a_message():
    r = subprocess.run([sys.executable, "-m", "warmup_core.training", "--schedule", '{"base_lr": -1}'],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "base_lr" in r.stderr and "Traceback" not in r.stderr


def test_cli_help():
    r = subprocess.run([sys.executable, "-m", "warmup_core.training", "--help"], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0 and "--schedule" in r.stdout and "JSON" in r.stdout


def test_sgd_update_norm_shortcut_equals_the_measured_update(monkeypatch):
    from warmup_core.training import engine

    c = cfg(steps=30, weight_decay=1e-3)
    fast, slow = [], []
    train(c, fast.append)
    monkeypatch.setattr(engine, "SGD_SHORTCUT", False)
    train(c, slow.append)
    np.testing.assert_allclose([r["update_norm"] for r in fast], [r["update_norm"] for r in slow], rtol=1e-4,
                               atol=1e-9)
