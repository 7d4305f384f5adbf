"""Benchmark: a Compare rerun with 6 strategies x 1,000,000 steps (AppTest, median of several runs),
and the figure payload per trace.

    python bench/bench_app.py

Target (issue #3): <= 150 ms per rerun; <= 5,000 points per trace.
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

N = 1_000_000
STRATEGIES = [
    ("no warmup", Schedule(0.1, Warmup(), Decay("cosine"), "prepend", N)),
    ("linear", Schedule(0.1, Warmup("linear", 10_000), Decay("cosine"), "prepend", N)),
    ("constant", Schedule(0.1, Warmup("constant", 10_000, factor=0.1), Decay("multistep", milestones=[500_000]),
                          "prepend", N)),
    ("untuned", Schedule(0.1, Warmup("untuned_linear"), Decay("cosine"), "multiply", N)),
    ("wsd", Schedule(0.1, Warmup("linear", 10_000), Decay("wsd"), "prepend", N)),
    ("restarts", Schedule(0.1, Warmup("linear", 1_000), Decay("cosine_restarts", period=50_000, cycle_decay=0.8),
                          "override", N)),
]


def timed_run(at):
    t0 = time.perf_counter()
    at.run(timeout=120)
    return 1e3 * (time.perf_counter() - t0)


def main(reps=7):
    link = state.encode({"strategies": [{"name": n, "schedule": s.to_dict()} for n, s in STRATEGIES]})
    at = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=120)
    at.query_params["s"] = link
    first = timed_run(at)
    assert not at.exception, at.exception
    same = [timed_run(at) for _ in range(reps)]
    changed = []
    for i in range(reps):  # edit the selected strategy: one of six curves is recomputed
        at.get_by_key("compare.edit.base_lr").set_value(0.1 + 0.01 * (i + 1))
        changed.append(timed_run(at))
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    points = []
    for trace in fig["data"]:
        y = trace["y"]
        points.append(int(y["shape"]) if isinstance(y, dict) and "shape" in y else len(y) if isinstance(y, list)
                      else len(__import__("base64").b64decode(y["bdata"])) // 8)
    print(f"# Compare page, {len(STRATEGIES)} strategies x {N:,} steps (AppTest)")
    print(f"first run (cold caches)            {first:8.0f} ms")
    print(f"rerun, nothing changed (median)    {statistics.median(same):8.0f} ms")
    print(f"rerun, one strategy edited (median){statistics.median(changed):8.0f} ms   target <= 150 ms")
    print(f"points per trace: max {max(points):,} (target <= 5,000)")


if __name__ == "__main__":
    main()
