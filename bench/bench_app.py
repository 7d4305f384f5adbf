"""Benchmark: server time of a control change on Explore and Compare at 10,000,000 steps (AppTest,
median of several changes), the payload per trace, and the download sizes.

    python bench/bench_app.py

Targets (issue #8 §3): <= 0.5 s of server time per control change at 10M steps; <= 5,000 points per
trace; a compact full-curve download (Parquet) next to the CSV's announced size.
AppTest's wall time of a rerun is the server's script time plus AppTest's own bookkeeping, so it
is an upper bound of the server time.
"""

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from ui import state  # noqa: E402
from warmup_core import Decay, Schedule, Warmup  # noqa: E402

N = 10_000_000
EXPLORE = Schedule(0.1, Warmup("linear", 100_000), Decay("cosine"), "prepend", N)
STRATEGIES = [
    ("no warmup", Schedule(0.1, Warmup(), Decay("cosine"), "prepend", N)),
    ("linear", Schedule(0.1, Warmup("linear", 100_000), Decay("cosine"), "prepend", N)),
    ("constant", Schedule(0.1, Warmup("constant", 100_000, factor=0.1), Decay("multistep", milestones=[5_000_000]),
                          "prepend", N)),
    ("wsd", Schedule(0.1, Warmup("linear", 100_000), Decay("wsd"), "prepend", N)),
]


def timed_run(at):
    t0 = time.perf_counter()
    at.run(timeout=300)
    assert not at.exception, [e.value for e in at.exception]
    return time.perf_counter() - t0


def changes(at, key, values):
    out = []
    for v in values:
        at.get_by_key(key).set_value(v)
        out.append(timed_run(at))
    return out


def points_per_trace(at):
    import base64

    import numpy as np

    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    sizes = [len(y) if isinstance(y, list) else np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).size
             for y in (t["y"] for t in fig["data"])]
    return max(sizes)


def explore_figures(reps=5) -> dict:
    at = AppTest.from_file(str(ROOT / "pages" / "explore.py"), default_timeout=300)
    at.query_params["s"] = state.encode({"schedule": EXPLORE.to_dict()})
    first = timed_run(at)
    w = changes(at, "explore.warmup_steps.in", [str(100_000 + 1000 * (i + 1)) for i in range(reps)])
    drag = changes(at, "explore.warmup_steps.drag", [200_000 + 1000 * i for i in range(reps)])
    lr = changes(at, "explore.base_lr.in", [str(0.1 + 0.01 * (i + 1)) for i in range(reps)])
    log = changes(at, "explore.view.log_y.in", [i % 2 == 0 for i in range(reps)])
    return {"first": first, "type W": statistics.median(w), "drag W": statistics.median(drag),
            "type peak lr": statistics.median(lr), "toggle log axis": statistics.median(log),
            "points": points_per_trace(at)}


def compare_figures(reps=5) -> dict:
    at = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=300)
    at.query_params["s"] = state.encode({"strategies": [{"name": n, "schedule": s.to_dict()} for n, s in STRATEGIES]})
    first = timed_run(at)
    at.get_by_key("compare.pick").set_value("linear")
    timed_run(at)
    w = changes(at, "compare.edit.warmup_steps.in", [str(100_000 + 1000 * (i + 1)) for i in range(reps)])
    return {"first": first, "type W of one strategy": statistics.median(w), "points": points_per_trace(at)}


def download_sizes() -> dict:
    from ui.explore import csv_size, full_curve_csv, full_curve_parquet

    t0 = time.perf_counter()
    parquet = len(full_curve_parquet(EXPLORE, N, 1000))
    t_parquet = time.perf_counter() - t0
    small = 1_000_000  # the real CSV of 1M steps checks the estimate
    real = len(full_curve_csv(EXPLORE.replace(total_steps=small), small, 1000))
    est = csv_size(EXPLORE.replace(total_steps=small), small, 1000)
    return {"parquet_mb": parquet / 1e6, "parquet_s": t_parquet, "csv_estimate_mb": csv_size(EXPLORE, N, 1000) / 1e6,
            "estimate_error_1m": est / real - 1}


def main():
    e = explore_figures()
    c = compare_figures()
    d = download_sizes()
    print(f"# Explore, one schedule x {N:,} steps (AppTest wall time = server time + AppTest overhead)")
    print(f"first run (cold caches)          {e['first']:7.2f} s")
    for k in ("type W", "drag W", "type peak lr", "toggle log axis"):
        print(f"{k:<33}{e[k]:7.2f} s   target <= 0.5 s")
    print(f"points per trace                 {e['points']:7,}   target <= 5,000")
    print(f"# Compare, {len(STRATEGIES)} strategies x {N:,} steps")
    print(f"first run (cold caches)          {c['first']:7.2f} s")
    print(f"type W of one strategy           {c['type W of one strategy']:7.2f} s   target <= 0.5 s")
    print(f"points per trace                 {c['points']:7,}")
    print("# Full-curve download, 10M steps")
    print(f"Parquet {d['parquet_mb']:.1f} MB (built in {d['parquet_s']:.2f} s); CSV would be about "
          f"{d['csv_estimate_mb']:.0f} MB (estimate off by {100 * d['estimate_error_1m']:+.1f}% at 1M steps)")
    return e, c, d


if __name__ == "__main__":
    main()
