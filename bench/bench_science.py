"""Benchmark the warmup-science tools: one sharpness measurement vs one training step, and the
lr x warmup map trained as one batched ensemble vs one run at a time (same machine, same run).

    python bench/bench_science.py [--device cuda]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from warmup_core.training import RunConfig, sweep  # noqa: E402
from warmup_core.training.engine import build, make_optimizer  # noqa: E402
from warmup_core.training.sharpness import measure  # noqa: E402
from warmup_core.training.tasks import TASKS, batch, loss_and_correct  # noqa: E402


def step_and_measure(task, device, reps=5):
    t = TASKS[task]
    cfg = RunConfig(task=task, optimizer=t.optimizer, batch_size=t.batch_size)
    data, model, gen, opts = build(cfg, device)
    opt = make_optimizer(cfg, model.parameters(), t.lr)
    ctx = int(opts.get("context", 64))
    x, y = (v.to(device) for v in batch(data, gen, t.batch_size, ctx))

    def one_step():
        loss, _ = loss_and_correct(model, x, y, data)
        opt.zero_grad()
        loss.backward()
        opt.step()

    for _ in range(3):
        one_step()
    steps = []
    for _ in range(reps * 4):
        t0 = time.perf_counter()
        one_step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        steps.append(time.perf_counter() - t0)
    secs = [measure(model, lambda: loss_and_correct(model, x, y, data)[0], opt, cfg.optimizer, iters=20)[1]
            for _ in range(reps)]
    return statistics.median(steps), statistics.median(secs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    device = torch.device(args.device)
    print(f"# warmup science benchmark on {device} (torch {torch.__version__}, {torch.get_num_threads()} threads)")
    for task in ("mlp", "digits", "charlm"):
        step, meas = step_and_measure(task, device)
        print(f"{task:8s} one step {1e3 * step:8.2f} ms | one sharpness measurement (20 HVPs) {1e3 * meas:9.1f} ms "
              f"| ratio {meas / step:6.0f}x")
    lrs, ws = [0.05, 0.1, 0.2, 0.4, 0.6, 0.8], [0, 25, 50, 100, 200]
    b = sweep.run(lrs, ws, steps=200, batched=True, device=args.device)
    s = sweep.run(lrs, ws, steps=200, batched=False, device=args.device)
    print(f"lr x warmup map, {len(lrs)}x{len(ws)} = {len(lrs) * len(ws)} runs x 200 steps (mlp): batched "
          f"{b.seconds:.1f} s, one at a time {s.seconds:.1f} s, speed-up {s.seconds / b.seconds:.1f}x")


if __name__ == "__main__":
    main()
