"""The training engine on a GPU. Skipped, with the reason, where CUDA is absent (CI has no GPU); run on a
lent GPU machine with ``python -m pytest tests/test_gpu.py`` (the closing notes quote the last run).

The CPU tests (tests/test_training.py) cover the same code with ``device="cpu"``; these check what only a
GPU changes: the device is picked and reported, tensors and the GI-Adam state live there, the applied lr
is still the schedule's value step for step, bf16 autocast and torch.compile run, sharpness is measured,
and the job manager's runs record the GPU."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("no CUDA GPU on this machine: the GPU path is checked on a lent GPU machine", allow_module_level=True)

from warmup_core import Decay, Schedule, Warmup  # noqa: E402
from warmup_core.training import RunConfig, train  # noqa: E402
from warmup_core.training.device import pick_device  # noqa: E402
from warmup_core.training.jobs import JobManager  # noqa: E402


def cfg(task="mlp", lr=0.05, steps=40, **kw):
    s = Schedule(lr, Warmup("linear", 10), Decay("cosine"), "prepend", steps)
    return RunConfig(task=task, schedule=s, steps=steps, **{"log_every": 1, "eval_every": 10, **kw})


def test_auto_picks_the_gpu():
    assert pick_device("auto").type == "cuda"


@pytest.mark.parametrize("task,opt", [("mlp", "sgd"), ("digits", "sgd"), ("charlm", "adam"), ("mlp", "gi-adam")])
def test_a_gpu_run_applies_the_schedule_and_says_where_it_ran(task, opt):
    c = cfg(task, lr=1e-3 if opt != "sgd" else 0.05, steps=25, optimizer=opt, batch_size=8, device="auto")
    rows = []
    result = train(c, rows.append)
    assert result.status == "finished" and result.device == "cuda", result
    np.testing.assert_array_equal([r["lr"] for r in rows], c.curve()(np.arange(25)))
    assert all(np.isfinite(r["loss"]) and np.isfinite(r["grad_norm"]) for r in rows)


@pytest.mark.parametrize("task", ["mlp", "digits"])
def test_gpu_and_cpu_start_from_the_same_weights_and_batch(task):
    """Same seed: the first loss (before any update) agrees to float32 rounding; later steps may drift."""
    gpu, cpu = [], []
    train(cfg(task, steps=5, device="cuda"), gpu.append)
    train(cfg(task, steps=5, device="cpu"), cpu.append)
    assert gpu[0]["loss"] == pytest.approx(cpu[0]["loss"], rel=1e-4)
    assert gpu[-1]["loss"] == pytest.approx(cpu[-1]["loss"], rel=5e-2)


def test_bf16_autocast_and_compile_run_on_the_gpu():
    for extra in ({"amp": True}, {"compile": True}):
        rows = []
        result = train(cfg("charlm", lr=1e-3, steps=20, optimizer="adam", batch_size=8, device="cuda", **extra),
                       rows.append)
        assert result.status == "finished", (extra, result)
        assert all(np.isfinite(r["loss"]) for r in rows if "loss" in r)


def test_sharpness_is_measured_on_the_gpu():
    rows = []
    result = train(cfg("mlp", lr=0.1, steps=40, device="cuda", sharpness_every=10), rows.append)
    sharp = [r["sharpness"] for r in rows if r.get("sharpness") is not None]
    assert result.status == "finished" and len(sharp) >= 4 and all(np.isfinite(sharp) & (np.asarray(sharp) > 0))


def test_the_job_manager_records_the_gpu(tmp_path):
    m = JobManager(str(tmp_path / "runs.sqlite"))
    try:
        ids = m.submit("me", [cfg("mlp", steps=30, device="auto"), cfg("digits", steps=30, device="auto")])
        m.wait(ids, 300)
        runs = m.store.runs(ids=ids)
        assert [r["status"] for r in runs] == ["finished", "finished"]
        assert [r["device"] for r in runs] == ["cuda", "cuda"]
        assert len(m.store.metrics(ids[0])) == 30
    finally:
        m.shutdown()
