"""Benchmark: Explore and Compare at 10,000,000 steps in Chromium, beside the same changes headless.

    python bench/bench_browser.py

Starts ``streamlit run app.py`` on a free loopback port (server and browser on this machine) and
drives Debian's Chromium with Playwright. For each change it measures, in the browser, the time
from the key press to the chart's line being redrawn, and headless (AppTest) the server's rerun
for the same change; it prints both and their ratio.

Targets (issue #8 §3): a slider redraw in Chromium <= 1 s; <= 0.5 s of server time per change.
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_app import EXPLORE, STRATEGIES, timed_run  # noqa: E402
from tests.browser import app_server, browser_page, wait_for_app  # noqa: E402
from ui import state  # noqa: E402

LINE = "[data-testid='stPlotlyChart'] .scatterlayer path.js-line"
REPS = 5


def _path(page):
    return page.locator(LINE).first.get_attribute("d")


def _redraw(page, action) -> float:
    before = _path(page)
    t0 = time.perf_counter()
    action()
    page.wait_for_function(
        "(before) => { const p = document.querySelector(\"" + LINE.replace('"', '\\"') + "\");"
        " return p && p.getAttribute('d') !== before; }", arg=before, timeout=60_000)
    elapsed = time.perf_counter() - t0
    wait_for_app(page)
    return elapsed


def browser_figures() -> dict:
    explore_link = state.encode({"schedule": EXPLORE.to_dict()})
    compare_link = state.encode({"strategies": [{"name": n, "schedule": s.to_dict()} for n, s in STRATEGIES]})
    out = {}
    with app_server() as url, browser_page() as page:
        page.goto(f"{url}/?s={explore_link}")
        wait_for_app(page, timeout=180_000)
        page.wait_for_selector(LINE, timeout=180_000)
        slider = page.locator("[data-testid='stSlider']").filter(has_text="warmup iterations").get_by_role("slider")
        drags = []
        for _ in range(REPS):
            slider.focus()
            drags.append(_redraw(page, lambda: page.keyboard.press("PageUp")))
        out["explore: slider step (W)"] = statistics.median(drags)
        box = page.get_by_label("warmup iterations (W), typed exactly")
        typed = []
        for i in range(REPS):
            def type_w(i=i):
                box.fill(str(300_000 + 10_000 * i))
                box.press("Enter")
            typed.append(_redraw(page, type_w))
        out["explore: type W"] = statistics.median(typed)

        page.goto(f"{url}/compare?s={compare_link}")
        wait_for_app(page, timeout=180_000)
        page.wait_for_selector(LINE, timeout=180_000)
        slider = page.locator("[data-testid='stSlider']").filter(has_text="warmup iterations").get_by_role("slider")
        drags = []
        for _ in range(REPS):
            slider.focus()
            drags.append(_redraw(page, lambda: page.keyboard.press("PageUp")))
        out["compare: slider step (W)"] = statistics.median(drags)
    return out


def headless_figures() -> dict:
    from streamlit.testing.v1 import AppTest

    out = {}
    at = AppTest.from_file(str(ROOT / "pages" / "explore.py"), default_timeout=300)
    at.query_params["s"] = state.encode({"schedule": EXPLORE.to_dict()})
    timed_run(at)
    w0 = at.session_state["explore.warmup_steps"]
    runs = []
    for i in range(REPS):
        at.get_by_key("explore.warmup_steps.drag").set_value(w0 + 100_000 * (i + 1))
        runs.append(timed_run(at))
    out["explore: slider step (W)"] = statistics.median(runs)
    runs = []
    for i in range(REPS):
        at.get_by_key("explore.warmup_steps.in").set_value(str(300_000 + 10_000 * i))
        runs.append(timed_run(at))
    out["explore: type W"] = statistics.median(runs)
    at = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=300)
    at.query_params["s"] = state.encode({"strategies": [{"name": n, "schedule": s.to_dict()} for n, s in STRATEGIES]})
    timed_run(at)
    w0 = at.session_state["compare.edit.warmup_steps"]
    runs = []
    for i in range(REPS):
        at.get_by_key("compare.edit.warmup_steps.drag").set_value(w0 + 100_000 * (i + 1))
        runs.append(timed_run(at))
    out["compare: slider step (W)"] = statistics.median(runs)
    return out


def main():
    headless = headless_figures()
    browser = browser_figures()
    print(f"# {EXPLORE.total_steps:,}-step schedules: median of {REPS} changes (server and Chromium on this machine)")
    print(f"{'change':<28}{'Chromium':>10}{'headless':>10}{'ratio':>8}   targets: browser <= 1 s, server <= 0.5 s")
    for k in browser:
        print(f"{k:<28}{browser[k]:9.2f}s{headless[k]:9.2f}s{browser[k] / headless[k]:7.2f}x")
    return browser, headless


if __name__ == "__main__":
    main()
