"""The Ray backend with a real local Ray (``ray.init(num_cpus=2)``, one session for the module):
the same numbers as the local backend, cancel, a task that raises, a driver that dies and resumes."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from warmup_core.training import custom, map_runs, sweep
from warmup_core.training.store import Store

ray = pytest.importorskip("ray", reason="Ray is an optional extra (requirements-dev.txt installs it)")

from tests.test_ray_custom import Flaky, quadratic  # noqa: E402  (module-level: Ray workers import them)

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report over the network
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # the local side of each comparison: as a Ray worker runs (OMP_NUM_THREADS=1)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()
    torch.set_num_threads(before)


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "runs.sqlite")


class Slow:
    """``steps`` rows, ``pause`` seconds apart; writes a heartbeat file per step (to see a task stop)."""

    def __init__(self, folder, pause=0.05):
        self.folder, self.pause = str(folder), pause

    def __call__(self, schedule, seed):
        beat = Path(self.folder) / f"beat-{schedule.base_lr}-{seed}"
        for t in range(schedule.total_steps):
            with open(beat, "a") as f:  # one byte per step: a read never sees half a write
                f.write("x")
            time.sleep(self.pause)
            yield {"step": t, "loss": 1.0 / (1 + t)}


@pytest.mark.slow
def test_the_map_on_ray_equals_the_local_map(store):
    lrs, warmups = [0.1, 0.5, 1.0], [0, 10]
    ref = sweep.run(lrs, warmups, steps=25)  # today's map: one vmap ensemble in this process
    on_ray = map_runs.run_map(lrs, warmups, steps=25, backend="ray", store=store)  # a task per lr row
    assert on_ray.outcome.backend == "ray" and len(on_ray.outcome.computed) == 6
    assert np.array_equal(on_ray.results[0].final_loss, ref.final_loss)
    assert np.array_equal(on_ray.results[0].diverged, ref.diverged) and ref.diverged.any()
    assert {r["device"] for r in store.runs(group_id=on_ray.group_id)} == {"ray:local"}


def test_your_function_on_ray_equals_local(store):
    x = torch.randn(160, 6, generator=torch.Generator().manual_seed(0))
    y = torch.sin(x[:, :1] * 2)
    trainer = custom.TorchTrainer(model=lambda: torch.nn.Sequential(torch.nn.Linear(6, 12), torch.nn.Tanh(),
                                                                   torch.nn.Linear(12, 1)),
                                  data=(x[:128], y[:128], x[128:], y[128:]), batch_size=16, eval_every=5)
    kw = {"lrs": [0.05, 0.4], "warmups": [0, 8], "steps": 20, "seeds": [0, 1], "store": store}
    local = custom.sweep(trainer, **kw)
    remote = custom.sweep(trainer, backend="ray", cells_per_task=3, **kw)
    assert np.array_equal(local.grid(), remote.grid()) and np.isfinite(local.grid()).all()
    for a, b in zip(local.curves(), remote.curves()):  # every logged point, not just the last
        assert all(np.array_equal(u, v) for u, v in zip(a, b))


def test_a_task_that_raises_is_retried_once_then_failed(store, tmp_path):
    flaky = custom.sweep(Flaky(tmp_path, 0.3, fail=1), [0.05, 0.3], [0], steps=10, backend="ray", store=store)
    assert set(flaky.outcome.status.values()) == {"finished"}
    assert (tmp_path / "calls-0.3-0").read_text() == "xx"  # failed in its first task, finished in the retry
    (tmp_path / "x").mkdir()
    bad = custom.sweep(Flaky(tmp_path / "x", 0.3, fail=99), [0.05, 0.3], [0], steps=10, backend="ray", store=store)
    runs = bad.runs()
    assert [r["status"] for r in runs] == ["finished", "failed"]
    assert runs[1]["message"] == "RuntimeError: boom at lr 0.3 (after 2 attempts)"
    assert (tmp_path / "x" / "calls-0.3-0").read_text() == "xx"
    ok = custom.sweep(quadratic, [0.05], [0], steps=10, store=store)
    assert bad.final()[0] == ok.final()[0]  # the healthy cell beside it is untouched


def test_progress_streams_and_cancel_stops_the_remaining_tasks(store, tmp_path):
    box = {}
    th = threading.Thread(target=lambda: box.update(r=custom.sweep(
        Slow(tmp_path), [0.1, 0.2, 0.3, 0.4], [0], steps=400, backend="ray", store=store, group_id="g-ray")))
    t0 = time.time()
    th.start()
    while time.time() - t0 < 120:  # rows arrive while the tasks run, not at their end
        rows = [len(store.metrics(r["id"])) for r in store.runs(group_id="g-ray")]
        if rows and max(rows) >= 5:
            break
        time.sleep(0.1)
    assert max(rows) >= 5 and any(r["status"] == "running" for r in store.runs(group_id="g-ray"))
    assert custom.cancel("g-ray", store=store) == 4
    th.join(60)
    assert not th.is_alive()
    runs = box["r"].runs()
    assert {r["status"] for r in runs} == {"cancelled"}
    time.sleep(0.5)  # ray.cancel(force=True) kills the workers asynchronously
    beats = {p.name: len(p.read_text()) for p in tmp_path.glob("beat-*")}
    assert len(beats) <= 2  # two CPUs: the two queued cells never started
    time.sleep(1.0)
    assert {p.name: len(p.read_text()) for p in tmp_path.glob("beat-*")} == beats  # the running ones stopped
    assert all(v < 400 for v in beats.values())


DRIVER = """
import sys
from warmup_core.training import custom
from tests.test_ray_backend import Slow
custom.sweep(Slow(sys.argv[3], pause=0.01), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [0], steps=40, backend="ray",
             address=sys.argv[1], store=sys.argv[2], group_id="g-restart", cells_per_task=1)
"""


@pytest.mark.slow
def test_a_driver_that_dies_resumes_without_recomputing(store, tmp_path):
    address = ray.get_runtime_context().gcs_address
    (tmp_path / "beats").mkdir()
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, address, str(store.path), str(tmp_path / "beats")],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        t0 = time.time()
        while time.time() - t0 < 120:
            done = [r for r in store.runs(group_id="g-restart") if r["status"] == "finished"]
            if len(done) >= 2 or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        os.kill(proc.pid, signal.SIGKILL)  # the driver dies without a word
        proc.wait(30)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    before = {r["id"]: (r["status"], r["finished"]) for r in store.runs(group_id="g-restart")}
    done = {rid for rid, (s, _) in before.items() if s == "finished"}
    assert 2 <= len(done) < 6
    res = custom.resume(Slow(tmp_path / "beats", pause=0.01), "g-restart", store=store, backend="ray")
    assert len(res.outcome.computed) == 6 - len(done)
    after = {r["id"]: (r["status"], r["finished"]) for r in res.runs()}
    assert all(after[rid] == before[rid] for rid in done)  # kept as they were, not recomputed
    assert {s for s, _ in after.values()} == {"finished"}
    assert [len(store.metrics(rid)) for rid in after] == [40] * 6


def test_the_cli_runs_a_comparison_on_ray_with_the_local_numbers(tmp_path, monkeypatch, capsys):
    import json

    from warmup_core import Decay, Schedule, Warmup
    from warmup_core.training.__main__ import main

    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "cli.sqlite"))
    args = ["--task", "mlp", "--steps", "12", "--log-every", "3"]
    for w in (0, 4):
        args += ["--schedule", Schedule(0.3, Warmup("linear", w), Decay("cosine"),
                                        total_steps=12).to_json()]
    assert main(args) == 0
    local = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    db = tmp_path / "own.sqlite"
    assert main(args + ["--backend", "ray", "--db", str(db), "--owner", "me"]) == 0
    remote = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert remote[0] == {"owner": "me"}
    ends = [r for r in remote if "status" in r]
    assert [r["status"] for r in ends] == ["finished", "finished"] and all(r["device"] == "ray:local" for r in ends)
    for key in ("final_loss", "steps"):
        assert [r[key] for r in ends] == [r[key] for r in local if "status" in r]
    strip = ("wall",)  # wall time differs; every number the run computed does not
    rows = sorted(({k: v for k, v in r.items() if k not in strip} for r in remote if "step" in r and "status" not in r),
                  key=lambda r: (r["run"], r["step"]))
    want = [{k: v for k, v in r.items() if k not in strip} for r in local if "status" not in r]
    assert rows == want and len(rows) == 2 * 5
    assert len(Store(db).runs(owner="me")) == 2  # and the runs are in the store it was given, as its owner's
    assert not Store(tmp_path / "cli.sqlite").runs()


def test_what_ray_cannot_do_is_refused_plainly(store):
    import threading as th

    lock = th.Lock()

    def holds_a_lock(schedule, seed):  # a lock cannot travel to a worker
        with lock:
            yield {"step": 0, "loss": 1.0}

    with pytest.raises(ValueError, match="could not send the training function"):
        custom.sweep(holds_a_lock, [0.1], [0], 5, store=store, backend="ray", group_id="g-lock")
    assert [r["status"] for r in store.runs(group_id="g-lock")] == ["failed"]
    with pytest.raises(ValueError, match="asks for 1 CPU and 1 GPU; this Ray has 2 CPU and 0 GPU"):
        custom.sweep(quadratic, [0.1], [0], 5, store=store, backend="ray", num_gpus=1)


def test_a_server_that_stops_marks_its_ray_runs_interrupted_not_cancelled(tmp_path):
    """Nobody cancelled them: the Train page must say the server stopped (and resume can finish them)."""
    from warmup_core import Schedule
    from warmup_core.training import RunConfig
    from warmup_core.training.jobs import JobManager

    m = JobManager(str(tmp_path / "runs.sqlite"))
    long = RunConfig(task="mlp", schedule=Schedule(0.05, total_steps=100_000), steps=100_000, batch_size=8)
    ids = m.submit("me", [long], backend="ray")
    deadline = time.time() + 120
    while not m.store.metrics(ids[0]) and time.time() < deadline:
        time.sleep(0.2)
    assert m.store.metrics(ids[0]), "the Ray task never logged a step"
    m.shutdown()
    (run,) = m.store.runs(ids=ids)
    assert run["status"] == "interrupted" and "server stopped" in run["message"], run
