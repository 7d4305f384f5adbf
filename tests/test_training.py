"""The training engine, job manager, store and CLI, on the CPU with tiny runs."""

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

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
    return RunConfig(task=task, schedule=s, steps=steps, **kw)


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

@pytest.fixture(params=[False, True], ids=["threads", "processes"])
def manager(tmp_path, request):
    """Both ways a manager trains: in its own threads, and (``isolate=True``, as the app's) in training
    processes of its own."""
    threads = 1 if request.param else None  # two training processes, one thread each (this process keeps its own)
    m = JobManager(Store(tmp_path / "runs.sqlite"), max_workers=2, max_queued=4, threads=threads,
                   isolate=request.param)
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


def until(condition, timeout=60.0, every=0.01):
    """Wait for ``condition()`` with a deadline (a test never hangs)."""
    deadline = time.time() + timeout
    while not condition():
        if time.time() > deadline:
            raise AssertionError(f"not true within {timeout} s")
        time.sleep(every)


def test_cancel_stops_a_run_within_a_second(manager):
    (rid,) = manager.submit("a", [cfg(task="charlm", optimizer="adam", lr=1e-3, steps=5000, batch_size=8)])
    until(lambda: manager.store.run(rid)["status"] == "running" and manager.store.metrics(rid))
    t0 = time.perf_counter()
    manager.cancel(rid, "a")
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


# --- the schedule is an object inside; JSON only at the record ------------------------------------

def test_a_run_config_holds_the_schedule_object_and_parses_json_once():
    s = Schedule(0.05, Warmup("linear", 10), Decay("cosine"), "prepend", 40)
    c = RunConfig(schedule=s.to_dict(), steps=40)  # a dict from an edge is parsed here, once
    assert isinstance(c.schedule, Schedule) and c.schedule == s
    again = RunConfig.from_json(c.to_json())
    assert again.schedule == s and again == c
    with pytest.raises(ValueError, match="schedule"):
        RunConfig(schedule=[1, 2]).validate()


def test_task_options_are_checked_before_a_run():
    with pytest.raises(ValueError, match="has no option 'wdith'"):
        cfg(options={"wdith": 8}).validate()
    with pytest.raises(ValueError, match="width"):
        cfg(options={"width": 10**9}).validate()  # bounded memory: a huge model is refused, not built
    with pytest.raises(ValueError, match="multiple of 'heads'"):
        cfg("charlm", options={"d_model": 30, "heads": 4}).validate()


# --- the runs of one comparison advance together --------------------------------------------------

def test_a_comparison_trains_in_lock_step():
    from warmup_core.training.engine import train_together

    order, ends = [], {}
    cfgs = [cfg(steps=6), cfg(steps=6, warm=Warmup()), cfg(steps=3)]
    train_together(cfgs, [lambda row, i=i: order.append((i, row["step"])) for i in range(3)],
                   [lambda: False] * 3, lambda i, res: ends.__setitem__(i, res))
    assert order[:9] == [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1), (0, 2), (1, 2), (2, 2)]
    assert order[9:] == [(0, 3), (1, 3), (0, 4), (1, 4), (0, 5), (1, 5)]
    assert [ends[i].status for i in range(3)] == ["finished"] * 3
    # interleaving changes nothing in a run: the same losses as alone
    alone = []
    train(cfg(steps=6), alone.append)
    together = []
    train_together([cfg(steps=6), cfg(steps=6, warm=Warmup())], [together.append, lambda r: None],
                   [lambda: False] * 2, lambda i, r: None)
    assert [r["loss"] for r in together] == [r["loss"] for r in alone]


def test_one_failing_run_ends_alone(tmp_path):
    from warmup_core.training.engine import train_together

    ends = {}
    bad = cfg("cifar10", steps=2, options={"data_dir": str(tmp_path / "none")})
    train_together([bad, cfg(steps=5)], [lambda r: None] * 2, [lambda: False] * 2,
                   lambda i, res: ends.__setitem__(i, res))
    assert isinstance(ends[0], FileNotFoundError) and ends[1].status == "finished"


def test_a_submitted_comparison_starts_together_and_its_lines_race(manager):
    slow = dict(task="charlm", optimizer="adam", lr=1e-3, steps=60, batch_size=8, log_every=1)
    ids = manager.submit("a", [cfg(**slow), cfg(**slow, warm=Warmup())])
    until(lambda: all(len(manager.store.metrics(i)) >= 5 for i in ids))
    a, b = (manager.store.run(i) for i in ids)
    assert a["status"] == b["status"] == "running" and a["started"] == b["started"]
    assert abs(len(manager.store.metrics(ids[0])) - len(manager.store.metrics(ids[1]))) <= 15
    for i in ids:
        manager.cancel(i, "a")
    assert manager.wait(ids, 10)


def test_metrics_since_step_returns_only_new_rows(tmp_path):
    store = Store(tmp_path / "m.sqlite")
    rid = store.create("a", "g", "x", cfg().to_json(), 40)
    store.add_metrics(rid, [{"step": s, "loss": float(s)} for s in range(5)])
    assert [r["step"] for r in store.metrics(rid, since_step=2)] == [3, 4]
    assert store.metrics(rid, since_step=4) == [] and store.run(rid)["step"] == 4


def test_rows_for_a_deleted_run_are_dropped_not_kept_as_orphans(tmp_path):
    store = Store(tmp_path / "r.sqlite")
    rid = store.create("a", "g", "x", cfg().to_json(), 40)
    store.add_metrics(rid, [{"step": 0, "loss": 1.0}])
    store.delete(rid, "a")
    store.add_metrics(rid, [{"step": 1, "loss": 1.0}])  # a training's last flush, after the delete
    assert store.metrics(rid) == [] and store.stop_requested(rid)


# --- ownership --------------------------------------------------------------------------------------

def test_a_training_process_gives_the_same_rows_as_training_here(tmp_path):
    """isolate=True moves where a run trains, not what it computes: every logged number is equal."""
    rows = {}
    for isolate in (False, True):
        m = JobManager(Store(tmp_path / f"{isolate}.sqlite"), isolate=isolate)  # torch's thread count in both
        try:
            ids = m.submit("a", [cfg(), cfg("charlm", lr=1e-3, optimizer="adam", batch_size=8, steps=12)])
            assert m.wait(ids, 120)
            assert [m.store.run(i)["status"] for i in ids] == ["finished", "finished"]
            rows[isolate] = [m.store.metrics(i) for i in ids]
        finally:
            m.shutdown()
    drop = ("wall",)  # when a row was logged differs, nothing else may
    same = [[{k: v for k, v in r.items() if k not in drop} for r in run] for run in rows[False]]
    assert same == [[{k: v for k, v in r.items() if k not in drop} for r in run] for run in rows[True]]
    assert len(same[0]) == 40 and len(same[1]) == 12


def test_a_manager_that_stops_marks_its_training_processes_runs_interrupted(tmp_path):
    m = JobManager(Store(tmp_path / "runs.sqlite"), isolate=True)
    ids = m.submit("a", [cfg(task="charlm", optimizer="adam", lr=1e-3, steps=5000, batch_size=8)] * 2)
    until(lambda: all(m.store.metrics(i) for i in ids))
    m.shutdown()
    runs = m.store.runs(ids=ids)
    assert [r["status"] for r in runs] == ["interrupted", "interrupted"]
    assert all(0 < r["step"] < 4999 for r in runs)


def training_processes() -> list[int]:
    """This process's training processes (Linux /proc)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text, cmd = stat.read_text(), (stat.parent / "cmdline").read_text()
        except OSError:
            continue
        if int(text[text.rindex(")") + 2:].split()[1]) == os.getpid() and "warmup_core.training.worker" in cmd:
            pids.append(int(stat.parent.name))
    return pids


def test_a_training_process_that_dies_fails_its_runs_and_the_next_start_works(tmp_path):
    import signal

    if not Path("/proc").is_dir():
        pytest.skip("finds the training process through Linux /proc")
    m = JobManager(Store(tmp_path / "runs.sqlite"), isolate=True)
    try:
        ids = m.submit("a", [cfg(task="charlm", optimizer="adam", lr=1e-3, steps=5000, batch_size=8)])
        until(lambda: m.store.metrics(ids[0]))
        for pid in training_processes():  # killed (out of memory, say)
            os.kill(pid, signal.SIGKILL)
        until(lambda: m.store.run(ids[0])["status"] == "failed", timeout=30)
        assert "training process stopped" in m.store.run(ids[0])["message"]
        assert m.pending() == 0
        again = m.submit("a", [cfg()])
        assert m.wait(again, 120) and m.store.run(again[0])["status"] == "finished"
    finally:
        m.shutdown()


def test_only_a_runner_that_another_process_can_import_is_isolated(tmp_path):
    with pytest.raises(ValueError, match="train_together only"):
        JobManager(Store(tmp_path / "runs.sqlite"), runner=lambda *a: None, isolate=True)


def test_only_the_owner_can_cancel_or_delete(manager):
    from warmup_core.training.store import NotOwnerError

    (rid,) = manager.submit("alice", [cfg(task="charlm", optimizer="adam", lr=1e-3, steps=5000, batch_size=8)])
    with pytest.raises(NotOwnerError, match="belongs to another browser"):
        manager.cancel(rid, "mallory")
    with pytest.raises(NotOwnerError):
        manager.delete(rid, "mallory")
    with pytest.raises(NotOwnerError):
        manager.store.delete(rid, "mallory")
    assert manager.store.run(rid)["status"] in ("queued", "running")
    manager.delete(rid, "alice")
    assert manager.store.run(rid) is None and manager.store.metrics(rid) == []
    until(lambda: manager.pending() == 0, timeout=30)  # and its training stopped (all 5000 steps: minutes)
    assert manager.store.metrics(rid) == []


# --- two server processes on one database ---------------------------------------------------------

def test_a_second_manager_leaves_the_first_ones_runs_alone(tmp_path):
    path = tmp_path / "shared.sqlite"
    a = JobManager(Store(path), max_workers=1, lease=3.0)
    long = dict(task="charlm", optimizer="adam", lr=1e-3, steps=5000, batch_size=8)
    running = a.submit("u", [cfg(**long)])
    queued = a.submit("u", [cfg(**long)])  # one worker: this one waits
    until(lambda: a.store.run(running[0])["status"] == "running")
    b = JobManager(Store(path), max_workers=1, lease=3.0)
    try:
        time.sleep(2.0)  # several of b's heartbeats (each one reaps)
        assert b.store.reap(3.0) == 0
        assert a.store.run(running[0])["status"] == "running" and a.store.run(queued[0])["status"] == "queued"
        # a cancel from the other process reaches the run through the database
        b.cancel(running[0], "u")
        until(lambda: a.store.run(running[0])["status"] == "cancelled", timeout=10)
    finally:
        a.shutdown()
        b.shutdown()
    assert Store(path).run(queued[0])["status"] == "interrupted"  # a's clean stop says so


@pytest.mark.parametrize("isolate", [False, True], ids=["threads", "processes"])
def test_a_killed_server_process_has_its_runs_marked_interrupted(tmp_path, isolate):
    """With training processes, the orphaned one notices its server is gone and stops: the run stays
    ``interrupted`` and no longer advances."""
    path = tmp_path / "shared.sqlite"
    script = (
        "import sys, time\n"
        "from warmup_core.training.jobs import JobManager\n"
        "from warmup_core.training import RunConfig\n"
        "if __name__ == '__main__':\n"
        f"    m = JobManager(sys.argv[1], isolate={isolate})\n"
        "    ids = m.submit('u', [RunConfig(task='charlm', optimizer='adam', steps=100000, batch_size=8)])\n"
        "    print(ids[0], flush=True)\n"
        "    time.sleep(600)\n")
    (tmp_path / "server.py").write_text(script)  # a file: a training process (spawned) imports its main
    root = str(Path(__file__).resolve().parents[1])
    proc = subprocess.Popen([sys.executable, str(tmp_path / "server.py"), str(path)], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": root})
    try:
        rid = proc.stdout.readline().strip()
        store = Store(path)
        until(lambda: store.run(rid)["status"] == "running", timeout=60)
        other = JobManager(Store(path))  # a second server while the first lives: its run stays running
        assert store.run(rid)["status"] == "running"
        proc.kill()
        proc.wait(10)
        assert store.reap() == 1  # the process is gone (same host): no need to wait for the lease
        assert store.run(rid)["status"] == "interrupted"
        time.sleep(2.0)  # several flushes: an orphaned training process has stopped by now
        step = store.run(rid)["step"]
        time.sleep(1.5)
        assert store.run(rid)["step"] == step and store.run(rid)["status"] == "interrupted"
        other.shutdown()
    finally:
        if proc.poll() is None:
            proc.kill()


# --- a database that cannot be used ----------------------------------------------------------------

def _db_cases(tmp_path):
    import sqlite3

    from warmup_core.training.store import SCHEMA

    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    truncated = tmp_path / "truncated.sqlite"  # a real database cut short (a full disk, a copy interrupted)
    writer = sqlite3.connect(truncated)
    writer.executescript(SCHEMA)
    writer.executemany("INSERT INTO metrics (run_id, step, loss) VALUES (?, ?, ?)",
                       [("r", i, 0.5) for i in range(5000)])
    writer.commit()
    writer.close()
    truncated.write_bytes(truncated.read_bytes()[:20_000])
    folder = tmp_path / "folder.sqlite"
    folder.mkdir()
    yield "garbage", garbage, "damaged or is not a SQLite file"
    yield "truncated", truncated, "damaged or is not a SQLite file"
    yield "folder", folder, "is a folder"
    if os.geteuid() != 0:  # root writes anyway
        ro = tmp_path / "ro"
        ro.mkdir()
        Store(ro / "runs.sqlite")
        for f in ro.iterdir():
            f.chmod(0o444)
        ro.chmod(0o555)
        yield "read-only", ro / "runs.sqlite", "read-only"
    locked = tmp_path / "locked.sqlite"
    Store(locked)
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield "locked", locked, "locked by another program"
    holder.execute("ROLLBACK")


def test_a_database_that_cannot_be_used_says_what_is_wrong_and_how_to_fix_it(tmp_path):
    from warmup_core.training.store import StoreError

    seen = []
    for name, path, what in _db_cases(tmp_path):
        with pytest.raises(StoreError) as err:
            Store(path, timeout=0.2)
        assert what in str(err.value) and "WARMUP_LAB_DB" in str(err.value), (name, str(err.value))
        seen.append(name)
    assert {"garbage", "truncated", "folder", "locked"} <= set(seen)


def test_a_read_only_database_file_is_refused(tmp_path, monkeypatch):
    """As root a chmod does not stop writes; SQLite's own read-only mode stands in for it."""
    import sqlite3

    from warmup_core.training import store as store_mod
    from warmup_core.training.store import StoreError

    path = tmp_path / "ro.sqlite"
    Store(path)
    real = sqlite3.connect
    monkeypatch.setattr(store_mod.sqlite3, "connect",
                        lambda p, **kw: real(f"file:{p}?mode=ro", uri=True, **kw))
    with pytest.raises(StoreError, match="read-only.*WARMUP_LAB_DB"):
        Store(path, timeout=0.2)


# --- CLI: every failure is one line and a non-zero exit ----------------------------------------------

def cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "warmup_core.training", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_cli_refuses_a_zero_batch_and_a_missing_gpu_in_one_line():
    s = Schedule(0.05, total_steps=5).to_json()
    r = cli("--schedule", s, "--steps", "5", "--batch-size", "0")
    assert r.returncode == 2 and r.stderr.strip().count("\n") == 0 and "batch_size" in r.stderr
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    r = cli("--schedule", s, "--steps", "5", "--device", "cuda")
    assert r.returncode == 2 and r.stderr.strip() == \
        "error: device 'cuda' is not available on this machine (available: ['cpu'])" and r.stdout == ""


def test_cli_refuses_ray_with_save_and_an_unknown_backend_in_one_line(capsys, tmp_path):
    from warmup_core.training.__main__ import main

    s = Schedule(0.05, total_steps=5).to_json()
    db = str(tmp_path / "r.sqlite")
    assert main(["--schedule", s, "--steps", "5", "--backend", "ray", "--save", "--db", db]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: --save records local runs")
    assert not (tmp_path / "r.sqlite").exists()  # refused before anything was written
    assert main(["--schedule", s, "--backend", "spark"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice: 'spark'" in err


def test_cli_saves_runs_for_the_app_and_refuses_a_corrupt_database(tmp_path):
    s = Schedule(0.05, total_steps=5).to_json()
    r = cli("--schedule", s, "--steps", "5", "--save", "--db", str(tmp_path / "ok.sqlite"), "--owner", "k" * 32)
    assert r.returncode == 0, r.stderr
    (run,) = Store(tmp_path / "ok.sqlite").runs(owner="k" * 32)
    assert run["status"] == "finished" and len(Store(tmp_path / "ok.sqlite").metrics(run["id"])) == 5
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"\x00garbage" * 64)
    r = cli("--schedule", s, "--steps", "5", "--save", "--db", str(bad))
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "not a SQLite file" in r.stderr and "WARMUP_LAB_DB" in r.stderr


def test_cli_fuzz_never_a_traceback(monkeypatch, capsys, tmp_path):
    """Random argument lists through main(): exit 0 only when every argument is valid, otherwise 1 or 2
    and exactly one line on stderr. Training itself is replaced by a validation (the real loop is
    covered above); the CLI's own parsing, checks and messages are what is fuzzed."""
    from warmup_core.training import __main__ as cli_mod
    from warmup_core.training.engine import RunResult

    def fake_train(c, on_log=None, should_stop=None):
        c.validate()
        return RunResult("finished", c.steps, 0.1, "", "cpu")

    monkeypatch.setattr(cli_mod, "train", fake_train)
    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "default.sqlite"))  # --save without --db
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 8)
    good = Schedule(0.05, Warmup("linear", 2), total_steps=5).to_json()
    sched_file = tmp_path / "s.json"
    sched_file.write_text(good)
    values = {
        "--task": ["mlp", "charlm", "imagenet", "", "MLP"],
        "--schedule": [good, f"@{sched_file}", "@/nonexistent", "{}", "[]", "null", "{\"base_lr\": 1e400}",
                       "{\"base_lr\": \"x\"}", "[" * 5000, "{\"warmup\": {\"method\": 3}}", "not json"],
        "--steps": ["5", "0", "-3", "1e6", "abc", "99999999999999999999", ""],
        "--batch-size": ["8", "0", "-1", "70000", "x"],
        "--optimizer": ["sgd", "adam", "lion"],
        "--seed": ["0", "-1", str(2**40)],
        "--device": ["auto", "cpu", "cuda", "tpu", ""],
        "--log-every": ["0", "-5", "2"],
        "--eval-every": ["0", "10"],
        "--option": ["width=8", "width", "width=999999999", "nope=1", "norm=pre", "=", "width=" + "9" * 30],
        "--db": [str(corrupt), str(tmp_path), str(tmp_path / "fresh.sqlite")],  # the first one fails: code 1
    }
    rng = np.random.default_rng(20261124)
    outcomes = {0: 0, 1: 0, 2: 0}
    for _ in range(300):  # each flag's first value is valid; the schedule is (nearly) always given
        argv = []
        for flag in rng.permutation(list(values)):
            if flag == "--schedule" and rng.random() < 0.95 or rng.random() < 0.3:
                pick = values[flag][0] if rng.random() < 0.7 else rng.choice(values[flag])
                argv += [flag, str(pick)]
        if rng.random() < 0.4:
            argv.append("--save")
        if rng.random() < 0.05:
            argv.append("--bogus")
        code = cli_mod.main(argv)
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), (argv, code)
        assert "Traceback" not in err and "Traceback" not in out, argv
        if code:
            assert err.count("\n") == 1 and err.startswith("error: "), (argv, err)
        outcomes[code] += 1
    assert min(outcomes.values()) > 0, outcomes  # the fuzz reached success, run failures and usage errors


@pytest.mark.slow
def test_the_teaching_demo_shows_what_its_caption_says():
    """pages/train.py's caption under the demo: without warmup the Post-LN transformer stalls near the loss
    of predicting letter frequencies while with a linear warmup it keeps learning (seeds 0-9 all show it:
    scripts/demo_seeds.py; checked here on 0-2); the constant warmup's jump lands in between on 7 of the 10
    seeds, the page's seed among them."""
    from dataclasses import replace

    from ui.train import DEMO
    from warmup_core.training.tasks import stdlib_text

    text = np.frombuffer(stdlib_text(1_000_000), dtype=np.uint8)
    p = np.bincount(text) / len(text)
    unigram = float(-(p[p > 0] * np.log(p[p > 0])).sum())  # nats per character: 3.17
    assert DEMO.seed == 0
    for seed in (0, 1, 2):
        final = {c.name: train(c).final_loss for c in replace(DEMO, seed=seed).configs()}
        assert final["no warmup"] > 0.85 * unigram, (seed, final, unigram)
        assert final["linear warmup"] < unigram - 0.6, (seed, final, unigram)
        if seed == DEMO.seed:
            assert final["linear warmup"] < final["constant warmup"] < final["no warmup"], final
