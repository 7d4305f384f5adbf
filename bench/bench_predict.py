"""Benchmark and report for warmup_core.predict (issue #10).

    python bench/bench_predict.py [--no-fit] [--reps 5]

1. The published constants on the authors' 27 real curves: mean absolute error per size, over all nine
   curves and over the six held-out ones (the paper's figure), next to the authors' 0.00376/0.00435/0.00484.
2. The authors' fitting protocol run here on the three fitting curves of each size: the held-out error
   next to the published constants' (skip with --no-fit).
3. Speed: the predicted curve at 500 points of a 100k-step and a 1M-step cosine schedule (targets
   <= 100 ms and <= 1 s), with the error bound and the measured error against the exact sum; the
   reference is the exact sum measured in the same run (at 500 points for 100k; at 25 of the 500
   points for 1M, its time scaled to 500).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from warmup_core import predict  # noqa: E402
from warmup_core.predict import data, fit, law  # noqa: E402


def median_s(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def mae_table():
    print("## Published constants on the 27 real curves (mean absolute error of the loss)")
    print("| model | all 9 curves | 6 held-out curves | authors' figure |")
    print("|---|---|---|---|")
    for size in data.SIZES:
        m = fit.mae(predict.PUBLISHED[size], data.curves(size))
        print(f"| {size} | {np.mean(list(m.values())):.5f} | {np.mean([m[n] for n in data.TEST]):.5f} "
              f"| {predict.PUBLISHED_MAE[size]:.5f} |")


def fit_table():
    print("\n## The fitting protocol here: fit on cosine_24000, constant_24000, wsdcon_9; error on the other six")
    print("| model | held-out MAE, our fit | held-out MAE, published constants | train MAE ours / published "
          "| fit time |")
    print("|---|---|---|---|---|")
    for size in data.SIZES:
        t0 = time.perf_counter()
        p = predict.fit_multi_power_law([data.curve(size, n) for n in data.TRAIN])
        dt = time.perf_counter() - t0
        test = data.curves(size, data.TEST)
        ours = np.mean(list(fit.mae(p, test).values()))
        pub = np.mean(list(fit.mae(predict.PUBLISHED[size], test).values()))
        tr_pub = np.mean(list(fit.mae(predict.PUBLISHED[size], data.curves(size, data.TRAIN)).values()))
        print(f"| {size} | {ours:.5f} | {pub:.5f} | {p.train_mae:.5f} / {tr_pub:.5f} | {dt:.1f} s |")


def speed_table(reps):
    p = predict.PUBLISHED["400M"]
    print("\n## Speed: predicted loss at 500 points of a cosine schedule (400M constants)")
    print("| steps | blocked sum | target | error bound | measured error | exact sum (reference) | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for T, target, ref_points in ((100_000, 0.1, 500), (1_000_000, 1.0, 25)):
        lrs = data.cosine(T)
        steps = np.linspace(data.WARMUP, T - 1, 500).round().astype(np.int64)
        fast = median_s(lambda: predict.predict_loss(lrs, steps), reps)  # noqa: B023
        pred = predict.predict_loss(lrs, steps)
        sub = np.linspace(0, 499, ref_points).round().astype(np.int64)
        t0 = time.perf_counter()
        exact, _ = law.evaluate(lrs, steps[sub], p, exact=True)
        ref = (time.perf_counter() - t0) * 500 / ref_points
        err = float(np.max(np.abs(pred.loss[sub] - exact)))
        print(f"| {T:,} | {1e3 * fast:.0f} ms | <= {1e3 * target:.0f} ms | {pred.error_bound.max():.1e} | "
              f"{err:.1e} | {ref:.2f} s{'' if ref_points == 500 else f' (scaled from {ref_points} points)'} "
              f"| {ref / fast:.0f}x |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-fit", action="store_true")
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"python {platform.python_version()}, numpy {np.__version__}\n")
    mae_table()
    if not a.no_fit:
        fit_table()
    speed_table(a.reps)


if __name__ == "__main__":
    main()
