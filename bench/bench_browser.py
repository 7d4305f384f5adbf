"""Benchmark: Explore and Compare at 10,000,000 steps in Chromium, beside the same changes headless.

    python bench/bench_browser.py

Starts ``streamlit run app.py`` on a free loopback port (server and browser on this machine) and
drives Debian's Chromium with Playwright (through ``bench/timed_server.py``, which writes down each
script run's time inside the server). For each change: *script* = the server's time running the page;
timed by the browser's own clock, *seen by browser* = the session's rerun (the app's script state
``running`` -> ``notRunning``), *redraw* = key press or click -> the chart's line (or its y ticks)
changed on screen. *headless* = the same change
under AppTest (script time plus AppTest's bookkeeping). It prints all three and the ratios.
Not a test: a measurement (run it on a quiet machine for README; say "under load" otherwise).

Targets (issue #8 §3): a slider redraw in Chromium <= 1 s; <= 0.5 s of server time per change.
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_app import EXPLORE, STRATEGIES, changes, timed_run  # noqa: E402
from tests.browser import app_server, browser_page, wait_for_app  # noqa: E402
from ui import state  # noqa: E402

LINE = "[data-testid='stPlotlyChart'] .scatterlayer path.js-line"
REPS = 5
COMPARE = STRATEGIES[1:] + STRATEGIES[:1]  # the first (selected) strategy has a warmup to drag
TIMES = Path(tempfile.gettempdir()) / f"warmup-lab-script-times-{os.getpid()}.txt"


_ARM = """(sel) => {
  const app = document.querySelector("[data-testid='stApp']");
  // what is drawn: the first line and the y ticks (a new peak lr rescales the axis, not the line's shape)
  const drawn = () => { const p = document.querySelector(sel);
    return p ? p.getAttribute('d') + '|' + [...document.querySelectorAll(
      "[data-testid='stPlotlyChart'] .ytick text")].map(e => e.textContent).join(',') : null; };
  const t = {before: drawn(), input: null, running: null, done: null, drawn: null};
  window.__bench = t;
  const onInput = () => { t.input = performance.now(); };
  document.addEventListener('keydown', onInput, true);
  document.addEventListener('pointerdown', onInput, true);
  t.stop = () => { t.stopped = true; document.removeEventListener('keydown', onInput, true);
                   document.removeEventListener('pointerdown', onInput, true); obs.disconnect(); };
  const obs = new MutationObserver(() => {
    const s = app.getAttribute('data-test-script-state');
    if (t.input !== null && s === 'running' && t.running === null) t.running = performance.now();
    if (t.running !== null && s === 'notRunning' && t.done === null) t.done = performance.now();
  });
  obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  const poll = () => {
    const now = drawn();
    if (t.input !== null && now !== null && now !== t.before) { t.drawn = performance.now(); return; }
    if (!t.stopped) requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
}"""


def _script_seconds(since: float, until: float) -> float:
    """The server's own time for the script runs that ended between two moments (timed_server.py)."""
    rows = [line.split() for line in TIMES.read_text().splitlines()] if TIMES.exists() else []
    return sum(float(took) for end, took in rows if since < float(end) <= until)


def _change(page, action) -> tuple[float, float, float]:
    """(script, server, redraw) seconds of one change. *script*: the server's own time running the
    page, measured inside it. Timed by the browser's own clock: *server* from the script state turning
    'running' to 'notRunning' (the script, plus sending its output and the browser applying it);
    *redraw* from the key press or click to the chart's line changing on screen."""
    page.evaluate(_ARM, LINE)
    t0 = time.time()
    action()
    page.wait_for_function("() => window.__bench.drawn !== null && window.__bench.done !== null", timeout=120_000)
    t = page.evaluate("() => { const t = window.__bench; t.stop(); return t; }")
    wait_for_app(page)
    return _script_seconds(t0, time.time()), (t["done"] - t["running"]) / 1000, (t["drawn"] - t["input"]) / 1000


def _median_changes(page, actions) -> tuple[float, float, float]:
    got = [_change(page, a) for a in actions]
    return tuple(statistics.median(g[i] for g in got) for i in range(3))


def _slider(page):
    return page.locator("[data-testid='stSlider']").filter(has_text="warmup iterations").get_by_role("slider")


def _press_slider(page):
    def act():
        _slider(page).focus()
        page.keyboard.press("PageUp")
    return act


def _type(page, label, value):
    def act():
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.press("Enter")
    return act


def _open(page, url):
    page.goto(url)
    wait_for_app(page, timeout=180_000)
    page.wait_for_selector(LINE, timeout=180_000)


def browser_figures() -> dict:
    explore_link = state.encode({"schedule": EXPLORE.to_dict()})
    compare_link = state.encode({"strategies": [{"name": n, "schedule": s.to_dict()} for n, s in COMPARE]})
    out = {}
    os.environ["WARMUP_LAB_SCRIPT_TIMES"] = str(TIMES)
    TIMES.unlink(missing_ok=True)
    with app_server(launcher=(str(ROOT / "bench" / "timed_server.py"),)) as url, browser_page() as page:
        _open(page, f"{url}/?s={explore_link}")
        out["explore: slider step (W)"] = _median_changes(page, [_press_slider(page)] * REPS)
        out["explore: type W"] = _median_changes(
            page, [_type(page, "warmup iterations (W), typed exactly", str(300_000 + 10_000 * i)) for i in range(REPS)])
        out["explore: type peak lr"] = _median_changes(
            page, [_type(page, "peak learning rate", repr(0.1 + 0.01 * (i + 1))) for i in range(REPS)])
        toggle = page.get_by_text("log-scale learning rate")
        out["explore: toggle log axis"] = _median_changes(page, [toggle.click] * REPS)
        _open(page, f"{url}/compare?s={compare_link}")
        out["compare: slider step (W)"] = _median_changes(page, [_press_slider(page)] * REPS)
        out["compare: type W"] = _median_changes(
            page, [_type(page, "warmup iterations (W), typed exactly", str(300_000 + 10_000 * i)) for i in range(REPS)])
    return out


def headless_figures() -> dict:
    from streamlit.testing.v1 import AppTest

    out = {}
    at = AppTest.from_file(str(ROOT / "pages" / "explore.py"), default_timeout=300)
    at.query_params["s"] = state.encode({"schedule": EXPLORE.to_dict()})
    timed_run(at)
    w0 = at.session_state["explore.warmup_steps"]
    # typed first: after a slide the box has a new key (ui.widgets.typed_key)
    out["explore: type W"] = statistics.median(
        changes(at, "explore.warmup_steps.in", [str(300_000 + 10_000 * i) for i in range(REPS)]))
    out["explore: slider step (W)"] = statistics.median(
        changes(at, "explore.warmup_steps.drag", [w0 + 100_000 * (i + 1) for i in range(REPS)]))
    out["explore: type peak lr"] = statistics.median(
        changes(at, "explore.base_lr.in", [repr(0.1 + 0.01 * (i + 1)) for i in range(REPS)]))
    out["explore: toggle log axis"] = statistics.median(
        changes(at, "explore.view.log_y.in", [i % 2 == 0 for i in range(REPS)]))
    at = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=300)
    at.query_params["s"] = state.encode({"strategies": [{"name": n, "schedule": s.to_dict()} for n, s in COMPARE]})
    timed_run(at)
    w0 = at.session_state["compare.edit.warmup_steps"]
    # typed first: after a slide the box has a new key (ui.widgets.typed_key)
    out["compare: type W"] = statistics.median(
        changes(at, "compare.edit.warmup_steps.in", [str(300_000 + 10_000 * i) for i in range(REPS)]))
    out["compare: slider step (W)"] = statistics.median(
        changes(at, "compare.edit.warmup_steps.drag", [w0 + 100_000 * (i + 1) for i in range(REPS)]))
    return out


def main():
    t0 = time.perf_counter()
    headless = headless_figures()
    browser = browser_figures()
    print(f"# {EXPLORE.total_steps:,}-step schedules ({len(COMPARE)} on Compare): median of {REPS} changes, "
          f"server and Chromium on this machine; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    print("# script: the server's own time running the page for the change, measured inside the server while")
    print("# Chromium drives it; seen by browser: the session's rerun as the browser sees it (script state running")
    print("# -> notRunning: the script, sending its output, the browser applying it); redraw: key press or click")
    print("# -> the chart's line changed on screen; headless: the same change under AppTest (script + AppTest)")
    print(f"{'change':<27}{'script':>8}{'seen by browser':>16}{'redraw':>8}{'headless':>10}{'redraw/hl':>10}")
    for k, (script, server, redraw) in browser.items():
        hl = headless[k]
        flag = "" if script <= 0.5 and redraw <= 1.0 else "   over target"
        print(f"{k:<27}{script:7.2f}s{server:15.2f}s{redraw:7.2f}s{hl:9.2f}s{redraw / hl:9.2f}x{flag}")
    print("targets (issue #8 §3): <= 0.5 s of server time (script) per change, slider redraw in Chromium <= 1 s"
          f"; bench ran {time.perf_counter() - t0:.0f} s")
    return browser, headless


if __name__ == "__main__":
    main()
