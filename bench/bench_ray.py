"""Benchmark the lr × warmup map on Ray: 1 and 2 workers (more with --workers on a bigger machine),
wall time and cells per second, and a simple model of the time: T(cells, workers) = t0 + c · cells / workers.

Each cell is one (lr, warmup) run of the teacher-student MLP through the engine (``batched=False``:
one Ray task per cell, the unit that spreads over a cluster); the batched map (one task per lr row, each
a vmap ensemble) is timed beside it. The reference, measured in the same run: the same cells one after
another in this process (``backend="local"``), one torch thread, as a Ray worker has.

    python bench/bench_ray.py [--workers 1,2] [--cells 4,8,16] [--steps 100]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from warmup_core.training import map_runs  # noqa: E402


def grid(cells):
    warmups = [0, 20]
    lrs = [round(0.05 * (i + 1), 4) for i in range(cells // len(warmups))]
    return lrs, warmups


def timed(store, cells, steps, repeats=1, **kw):
    """Best wall time of ``repeats`` fresh maps (a new group each time: nothing is reused)."""
    lrs, warmups = grid(cells)
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = map_runs.run_map(lrs, warmups, steps=steps, store=store, **kw)
        best = min(best, time.perf_counter() - t0)
        assert not res.outcome.failed, res.outcome.messages
    return best, res.results[0].final_loss


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--cells", default="4,8,16")
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=2, help="best of this many maps per point")
    args = ap.parse_args(argv)
    import ray

    workers = [int(v) for v in args.workers.split(",")]
    sizes = [int(v) for v in args.cells.split(",")]
    torch.set_num_threads(1)
    tmp = tempfile.mkdtemp(prefix="bench-ray-")
    print(f"machine: {os.cpu_count()} CPUs; torch {torch.__version__}; ray {ray.__version__}; "
          f"{args.steps} steps per cell")
    timed(str(Path(tmp) / "warm.sqlite"), 2, args.steps, batched=False)  # data, first-call costs
    local = {}
    for n in sizes:
        local[n] = timed(str(Path(tmp) / f"local-{n}.sqlite"), n, args.steps, args.repeats, batched=False)
    rows, points = [], []
    for w in workers:
        t0 = time.perf_counter()
        ray.init(num_cpus=w, include_dashboard=False, log_to_driver=False, configure_logging=False)
        up = time.perf_counter() - t0
        cold, _ = timed(str(Path(tmp) / f"cold-{w}.sqlite"), 2, args.steps, backend="ray", batched=False)
        print(f"\n{w} worker(s): ray.init {up:.1f} s; first 2-cell map (workers start, import torch) {cold:.1f} s")
        for n in sizes:
            wall, final = timed(str(Path(tmp) / f"ray-{w}-{n}.sqlite"), n, args.steps, args.repeats, backend="ray",
                                batched=False)
            same = np.array_equal(final, local[n][1])
            bwall, _ = timed(str(Path(tmp) / f"rayb-{w}-{n}.sqlite"), n, args.steps, args.repeats, backend="ray")
            rows.append((w, n, wall, n / wall, local[n][0] / wall, bwall, same))
            points.append((n, w, wall))
        ray.shutdown()
    print("\nworkers  cells  wall (s)  cells/s  speed-up vs local  batched rows (s)  same numbers as local")
    for w, n, wall, rate, up, bwall, same in rows:
        print(f"{w:>7}  {n:>5}  {wall:>8.2f}  {rate:>7.2f}  {up:>17.2f}  {bwall:>16.2f}  {same}")
    print("local (one process, one cell after another): " +
          ", ".join(f"{n} cells {local[n][0]:.2f} s" for n in sizes))
    # T = t0 + c * cells / workers, least squares over the warm measurements
    a = np.array([[1.0, n / w] for n, w, _ in points])
    t = np.array([wall for _, _, wall in points])
    (t0, c), *_ = np.linalg.lstsq(a, t, rcond=None)
    pred = a @ np.array([t0, c])
    print(f"\nmodel: T(cells, workers) ≈ {t0:.2f} s + {c:.3f} s × cells / workers "
          f"(max error {np.max(np.abs(pred - t) / t) * 100:.0f}% over {len(t)} points)")
    print(f"       i.e. {1 / c:.1f} cells/s per worker once warm; a 96-cell map on 8 workers ≈ "
          f"{t0 + c * 96 / 8:.0f} s")


if __name__ == "__main__":
    main()
