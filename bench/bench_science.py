"""Benchmark the warmup-science tools: each Learn-page experiment's wall time (target: <= 60 s on a
2-core CPU) and its finding per seed, including seeds nobody tuned on; one sharpness measurement vs
one training step; the lr x warmup map as one batched ensemble vs one run at a time.

    python bench/bench_science.py [--device cuda] [--seeds 0 1 2 3 4 5 6 7 8] [--only experiments|tools]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
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


def experiments(seeds):
    import os

    from warmup_core.training import experiments as X

    print("# Learn-page experiments (wall time of what one button press runs; finding per seed); "
          f"load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for s in seeds:
        r = X.catapult_warmup(s)
        net = None if r.measured_saving is None else r.measured_saving - r.forward_passes / 2
        print(f"catapult seed {s}: {r.seconds:5.1f} s | eta_c {r.eta_c:.3g} = {r.eta_c * r.lambda0 / 2:.2f} x 2/lam0, "
              f"{r.forward_passes} forward passes | no warmup diverged at {r.diverged_at[0]} | reach eta_trgt "
              f"{r.reach[1]} (from 0) vs {r.reach[2]} (from eta_c) | saving predicted {r.predicted_saving:.1f}, "
              f"measured {net}")
    for s in seeds:
        a = X.adaptive_warmups(s)
        print(f"adaptive seed {s}: {a.seconds:5.1f} s | " + " | ".join(
            f"{n.split(' (')[0].split(',')[0]}: " + (f"diverged at {r.diverged_at}" if r.diverged_at is not None else
                                          f"loss {r.loss[-1]:.3g}, reached eta_trgt at {r.reached_target_at}")
            for n, r in zip(a.names, a.runs)))
    for first in seeds[::3]:
        trio = (first, first + 1, first + 2)
        m = X.lr_warmup_map(trio)
        per = [m.largest_trainable(i) for i in range(3)]
        mono = [all(a <= b for a, b in zip(p, p[1:])) for p in per]
        print(f"map seeds {trio}: {m.seconds:5.1f} s | largest trainable c per T_wrm {m.warmups}: majority "
              f"{m.largest_trainable()} | per seed {per} | monotone per seed {mono}")
    gi_wins = []
    for first in seeds[::2]:
        pair = (first, first + 1)
        g = X.gi_adam_boundary(pair)
        per = [g.largest_trainable(i) for i in range(2)]
        gi_wins += [(b[1] or 0) > (b[0] or 0) for b in per]
        print(f"GI-Adam seeds {pair}: {g.seconds:5.1f} s | largest lr that trains (both seeds) "
              + ", ".join(f"{v.split(' (')[0]}: {b}" for v, b in zip(g.variants, g.largest_trainable()))
              + f" | per seed {per}")
    print(f"GI-Adam's largest trainable lr above Adam's on {sum(gi_wins)} of {len(gi_wins)} seeds")
    shown = []
    for s in seeds:
        runs = X.regimes(s)
        shown.append(all(r.regime() == X.EXPECTED_REGIME[r.param] for r in runs))
        sig = [r.signature() for r in runs]
        print(f"regimes seed {s}: {sum(r.seconds for r in runs):5.1f} s | " + " | ".join(
            f"{r.param} (c {r.c_trgt:g}): {r.regime()}, lam0 {r.lambda0:.3g}, peak {g['peak'] / r.lambda0:.2f} lam0, "
            f"end {g['end_over_limit']:.2f} x 2/eta_trgt, on band {g['on_limit']:.0%}, diverged at {r.diverged_at}"
            for r, g in zip(runs, sig)))
        for r in runs:
            k = np.asarray(r.sharp_steps) < len(r.loss)
            h0, h1, _ = X.fit_curvature_bound(np.asarray(r.loss)[np.asarray(r.sharp_steps)[k]],
                                              np.asarray(r.sharpness)[k])
            print(f"  lens {r.param} seed {s}: lambda_max ~ {h0:.3g} + {h1:.3g} (L - L*)")
    print(f"both regimes (SP reduction, muP sharpening along 2/eta) on {sum(shown)} of {len(shown)} seeds")
    for s in seeds[:3]:
        t0 = time.perf_counter()
        res, _, _ = X.update_ratios(s)
        first = np.nanmax(res.update_ratio[:, :, :5], axis=(1, 2))
        print(f"update ratios seed {s}: {time.perf_counter() - t0:5.1f} s | max ||dW||/||W|| in 5 first steps: "
              f"no warmup {first[0]:.3g}, warmup {first[1]:.3g}")
    print(f"# load average at the end {os.getloadavg()[0]:.1f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4, 5])
    ap.add_argument("--only", choices=["experiments", "tools"], default=None)
    args = ap.parse_args()
    if args.only != "tools":
        experiments(args.seeds)
    if args.only == "experiments":
        return
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
