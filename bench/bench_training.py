"""Benchmark the training lab on this machine (CPU unless a GPU is present).

    python bench/bench_training.py                # CPU unless a GPU is present (device "auto")
    python bench/bench_training.py --device cpu   # force the CPU on a GPU machine, to compare

Targets (issue #4): harness overhead <= 10% over a bare torch loop of the same model, batches and
steps; the teaching demo (3 schedules) <= 60 s; first live point <= 3 s after Start (here: after
submit; the page polls every 0.5 s on top).
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from warmup_core import Decay, Schedule, Warmup  # noqa: E402
from warmup_core.torch_adapter import attach  # noqa: E402
from warmup_core.training import RunConfig, train  # noqa: E402
from warmup_core.training.device import describe, pick_device  # noqa: E402
from warmup_core.training.engine import build, make_optimizer  # noqa: E402
from warmup_core.training.jobs import JobManager  # noqa: E402
from warmup_core.training.tasks import batch, loss_and_correct  # noqa: E402


def bare_loop(cfg: RunConfig) -> float:
    """The same model, batches and schedule, on the same device, with nothing but the loop."""
    t0 = time.perf_counter()  # like train(): data, model and optimizer set-up included
    device = pick_device(cfg.device)
    data, model, gen, opts = build(cfg, device)
    sched = cfg.curve()
    opt = make_optimizer(cfg, model.parameters(), sched.base_lr)
    lr_sched = attach(opt, sched)
    for _ in range(cfg.steps):
        x, y = batch(data, gen, cfg.batch_size, int(opts.get("context", 64)))
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        loss, _ = loss_and_correct(model, x, y, data)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        lr_sched.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - t0


def harness(cfg: RunConfig) -> float:
    t0 = time.perf_counter()
    train(cfg)
    return time.perf_counter() - t0


def main():
    import argparse
    from dataclasses import replace

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    device = ap.parse_args().device
    print(f"# training lab benchmark, torch {torch.__version__}, {describe(pick_device(device))}")
    for task, opt, lr, bs in [("charlm", "adam", 3e-3, 32), ("digits", "sgd", 0.1, 64), ("mlp", "sgd", 0.05, 64)]:
        s = Schedule(lr, Warmup("linear", 50), Decay("cosine"), total_steps=300)
        cfg = RunConfig(task=task, optimizer=opt, schedule=s.to_dict(), steps=300, batch_size=bs, device=device)
        bare = statistics.median(bare_loop(cfg) for _ in range(5))
        ours = statistics.median(harness(cfg) for _ in range(5))
        over = 100 * (ours / bare - 1)
        print(f"{task:8s} 300 steps: bare loop {bare:6.2f} s, harness {ours:6.2f} s, overhead {over:+5.1f}%  "
              "(target <= 10%)")

    try:
        from ui.train import DEMO
    except ImportError as e:  # a GPU machine with torch but not the app
        print(f"# teaching demo skipped: the app is not installed here ({e})")
        return
    m = JobManager(tempfile.mktemp(suffix=".sqlite"))
    t0 = time.perf_counter()
    ids = m.submit("bench", [replace(c, device=device) for c in DEMO.configs()])
    while not m.store.metrics(ids[0]):
        time.sleep(0.005)
    first = time.perf_counter() - t0
    m.wait(ids, 300)
    total = time.perf_counter() - t0
    m.shutdown()
    print(f"teaching demo (3 schedules x {DEMO.steps} steps): {total:5.1f} s (target <= 60 s); first live point "
          f"{first:4.2f} s after submit (target <= 3 s)")


if __name__ == "__main__":
    main()
