"""The Train page in a real Chromium: the teaching demo from the click to three finished runs.

Shared by tests/test_browser_train.py and bench/bench_browser_train.py (tests/browser.py starts the
server and the browser).
"""

from __future__ import annotations

import time

# The live charts (ui/live_charts.py: Plotly divs inside the component's frame, same origin; not the preview of
# the schedules the same frame shows before the click), and a line: a path with a segment ("M x,y" alone is one point).
LIVE_CHARTS = ("[...document.querySelectorAll(\"iframe[title$='.live_charts']\")].flatMap(f => f.contentDocument ?"
               " [...f.contentDocument.querySelectorAll(\"[data-kind='live'] .js-plotly-plot\")] : [])")
HAS_LINE = ("(c) => [...c.querySelectorAll('.scatterlayer path.js-line')]"
            ".some(p => (p.getAttribute('d') || '').includes('L'))")
LIVE_LINE = f"() => {LIVE_CHARTS}.some({HAS_LINE})"
PROGRESS = "[data-testid='stProgress']"
ALL_FINISHED = ("(n) => { const t = [...document.querySelectorAll(\"[data-testid='stProgress']\")]"
                ".map(e => e.textContent); return t.length === n && t.every(s => s.includes('finished')); }")
# (textContent, not innerText: innerText makes the browser lay the page out at every poll, which on two cores
# would slow the very training the benchmark times)


def progress_texts(page) -> list[str]:
    return page.locator(PROGRESS).all_inner_texts()


def chart_states(page) -> list[str]:
    """For each live chart: 'lines', 'points' (a first marker), 'waiting' (its note), or 'empty' (bare axes
    or a blank box: what must never show). Read at the next animation frame, as it is painted."""
    return page.evaluate(
        f"() => new Promise(done => requestAnimationFrame(() => {{ const line = {HAS_LINE}; done({LIVE_CHARTS}"
        ".map(c => line(c) ? 'lines' : (c.querySelector('.scatterlayer path.point, .scatterlayer path.js-line') ?"
        " 'points' : ((c.querySelector('.annotation-text') || {}).textContent || '').includes('waiting for the "
        "first') ? 'waiting' : 'empty'))); }))")


# Every painted frame from now on: the live charts' states, one letter each (l(ines), p(oints), w(aiting),
# e(mpty)), and whether the charts' frame is still the one the page had when this was installed.
RECORD_FRAMES = (
    "() => { const frame = document.querySelector(\"iframe[title$='.live_charts']\"); const first = frame &&"
    " frame.contentWindow; window.__frames = []; const line = " + HAS_LINE + "; const tick = () => {"
    " const now = document.querySelector(\"iframe[title$='.live_charts']\");"
    " window.__frames.push([now && now.contentWindow === first, " + LIVE_CHARTS + ".map(c => line(c) ? 'l' :"
    " c.querySelector('.scatterlayer path.point, .scatterlayer path.js-line') ? 'p' : ((c.querySelector("
    "'.annotation-text') || {}).textContent || '').includes('waiting for the first') ? 'w' : 'e').join('')]);"
    " if (window.__frames.length < 100000) requestAnimationFrame(tick); }; requestAnimationFrame(tick); }")


def recorded_frames(page) -> list[tuple[bool, str]]:
    """The frames painted since :data:`RECORD_FRAMES` was installed (and stops recording)."""
    return [tuple(f) for f in page.evaluate("() => { const f = window.__frames; window.__frames = []; return f; }")]


def run_demo(page, url: str, timeout_s: float = 600, steps: int | None = None, cpu=None) -> dict:
    """Open /train, click the demo, time the first line and the end of all three runs. With
    ``steps``, the demo's settings are kept but shortened: the demo is started, cancelled, its
    length set to ``steps`` in the sidebar, and the clock starts at the Start click (its first line is
    then that of the cancelled runs' charts, still shown: not a figure to quote). ``cpu``: a clock read at the
    click and at the end (``cpu_s``: what it counted in between)."""
    from tests.browser import wait_for_app

    page.goto(f"{url}/train")
    wait_for_app(page)
    button = page.get_by_role("button", name="Teaching demo")
    if steps is not None:
        button.click()
        page.wait_for_function("() => document.querySelectorAll(\"[data-testid='stProgress']\").length === 3",
                               timeout=timeout_s * 1000)
        wait_for_app(page)
        for left in (2, 1, 0):  # each click lands before the next (a click on a stale button is lost)
            page.get_by_role("button", name="Cancel").first.click()
            page.wait_for_function(f"() => [...document.querySelectorAll('button')].filter(b => "
                                   f"b.innerText.trim() === 'Cancel').length <= {left}", timeout=timeout_s * 1000)
        wait_for_app(page)
        field = page.locator("[data-testid='stNumberInput']").filter(has_text="steps").locator("input").first
        field.fill(str(steps))
        field.press("Enter")
        wait_for_app(page)
        button = page.get_by_role("button", name="Start", exact=True)
        page.wait_for_timeout(500)
    cpu0 = cpu() if cpu else 0.0
    t0 = time.perf_counter()
    button.click()
    page.wait_for_function(LIVE_LINE, timeout=timeout_s * 1000, polling=100)
    first = time.perf_counter() - t0
    at_first = chart_states(page)
    page.wait_for_function(ALL_FINISHED, arg=3, timeout=timeout_s * 1000, polling=250)
    total = time.perf_counter() - t0
    return {"first_line_s": first, "total_s": total, "charts_at_first_line": at_first,
            "progress": progress_texts(page), "cpu_s": cpu() - cpu0 if cpu else None}
