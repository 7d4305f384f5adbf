"""A real browser: `streamlit run app.py` on a free loopback port, Debian's Chromium via Playwright.

Opens every page at desktop and phone size (390×844), moves a slider, waits for the chart to
change, checks there is no exception box, that legends never cover titles, that metric values are
not cut off, that a log axis has readable ticks and that on a phone the chart stays in view while
the warmup is changed; saves full-page screenshots under artifacts/screenshots/ (look at them).
Skips (with the reason) where Chromium or Playwright is missing.
"""

import time

import pytest

from tests import browser
from tests.browser import ROOT, app_server, browser_page, chromium_path, wait_for_app

pytestmark = pytest.mark.browser

if chromium_path() is None:
    pytest.skip("Debian chromium is not installed (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright", reason="playwright is not installed")

SHOTS = ROOT / "artifacts" / "screenshots"
LINE = "[data-testid='stPlotlyChart'] .scatterlayer path.js-line"
LIVE_FRAME = "iframe[title$='.live_charts']"  # the Train page's charts (ui/live_charts.py)
DESKTOP, PHONE = (1400, 900), (390, 844)


@pytest.fixture(scope="module")
def server():
    with app_server() as url:
        yield url


@pytest.fixture(scope="module")
def app(server):
    with browser_page(*DESKTOP) as page:
        yield server, page


def no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("text=Traceback").count() == 0


def chart_path(page):
    """The SVG path data of the first chart's first line: changes when the curve changes."""
    return page.locator(LINE).first.get_attribute("d")


def full_page_shot(page, name, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.full_page_shot(page, SHOTS / name, size)


def boxes(page, selector):
    return [b for b in (el.bounding_box() for el in page.locator(selector).all()) if b]


def overlap(a, b):
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"] or
                a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def charts(page):
    """Every chart on the page: Streamlit's own Plotly charts, then those in the live-charts frame."""
    return (page.locator("[data-testid='stPlotlyChart']").all()
            + page.frame_locator(LIVE_FRAME).locator(".js-plotly-plot").all())


def check_legible(page):
    """Legends and the chart's tool bar (shown while hovered) never cover titles; metric values are not
    cut off."""
    for chart in charts(page):
        titles = [b for b in (t.bounding_box() for t in chart.locator(".g-gtitle text").all()) if b]
        legends = [b for b in (t.bounding_box() for t in chart.locator(".legend .bg").all()) if b]
        tools = [b for b in (t.bounding_box() for t in chart.locator(".modebar-btn").all()) if b]
        for t in titles:
            for g in legends:
                assert not overlap(t, g), ("legend covers the title", t, g)
            for b in tools:
                assert not overlap(t, b), ("the tool bar covers the title", t, b)
    for value in page.locator("[data-testid='stMetricValue']").all():
        cut = value.evaluate("e => { const d = e.querySelector('div') || e; "
                             "return d.scrollWidth > d.clientWidth + 1; }")
        assert not cut, value.inner_text()


def open_page(page, url):
    page.goto(url)
    wait_for_app(page)


@pytest.mark.parametrize("size_name,size", [("desktop", DESKTOP), ("phone", PHONE)])
@pytest.mark.parametrize("path", ["", "compare", "learn", "train"])
def test_every_page_renders_legibly(server, path, size_name, size):
    with browser_page(*size) as page:
        open_page(page, f"{server}/{path}")
        if path == "train":  # no run yet: the demo button, the explanation and the schedules' preview
            assert page.get_by_role("button", name="Teaching demo").count() == 1
            page.frame_locator(LIVE_FRAME).locator(".scatterlayer path.js-line").first.wait_for(timeout=60_000)
        else:
            page.wait_for_selector(LINE, timeout=60_000)
        no_exception(page)
        chart = charts(page)[0]
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # its tool bar shows
        check_legible(page)
        full_page_shot(page, f"browser-{path or 'explore'}-{size_name}.png", size)


def test_slider_redraws_the_chart_within_a_second(app):
    url, page = app
    open_page(page, url)
    page.wait_for_selector(LINE, timeout=30_000)
    before = chart_path(page)
    slider = page.locator("[data-testid='stSlider']").filter(has_text="warmup iterations").get_by_role("slider")
    slider.focus()
    t0 = time.perf_counter()
    # One step; test_ten_rapid_slider_presses_land_on_plus_ten presses faster than the reruns.
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "(before) => { const p = document.querySelector(\"" + LINE.replace('"', '\\"') + "\");"
        " return p && p.getAttribute('d') !== before; }", arg=before, timeout=10_000)
    elapsed = time.perf_counter() - t0
    wait_for_app(page)
    no_exception(page)
    assert chart_path(page) != before
    print(f"slider change -> chart redrawn in {elapsed:.2f} s (under load; bench/bench_browser.py measures)")


def test_ten_rapid_slider_presses_land_on_plus_ten(app):
    """Presses faster than the reruns: each press interrupts the last rerun. W must end at +10, never snap
    back to the typed box's earlier value (the box's stale text returns with each interrupted rerun)."""
    url, page = app
    open_page(page, url)
    page.wait_for_selector(LINE, timeout=30_000)
    box = page.get_by_label("warmup iterations (W), typed exactly", exact=True)
    start = int(box.input_value())
    slider = page.locator("[data-testid='stSlider']").filter(has_text="warmup iterations").get_by_role("slider")
    slider.focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(15)
    wait_for_app(page)
    page.wait_for_timeout(500)
    wait_for_app(page)
    no_exception(page)
    thumb = page.locator("[data-testid='stSlider']").filter(has_text="warmup iterations")
    assert thumb.locator("[data-testid='stSliderThumbValue']").inner_text().replace(",", "") == str(start + 10)
    assert box.input_value() == str(start + 10)


def test_typing_w_and_a_length_in_the_browser_keeps_w(app):
    url, page = app
    open_page(page, url)
    box = page.get_by_label("warmup iterations (W), typed exactly", exact=True)
    box.fill("5000")
    box.press("Enter")
    wait_for_app(page)
    total = page.get_by_label("total steps", exact=True)
    total.fill("1e5")  # the browser's own number parsing would read this as 1
    total.press("Enter")
    wait_for_app(page)
    no_exception(page)
    assert total.input_value() == "100000" and box.input_value() == "5000"


def test_a_log_axis_has_readable_ticks(app):
    url, page = app
    open_page(page, url)
    page.get_by_text("log-scale learning rate").click()
    wait_for_app(page)
    page.wait_for_selector(LINE, timeout=30_000)
    ticks = [b for b in boxes(page, "[data-testid='stPlotlyChart'] .yaxislayer-above .ytick text")]
    assert len(ticks) >= 2
    for a, b in zip(ticks, ticks[1:]):
        assert not overlap(a, b)
    texts = page.locator("[data-testid='stPlotlyChart'] .yaxislayer-above .ytick text").all_text_contents()
    assert all(len(t) <= 8 for t in texts), texts  # 10⁻², not 0.01000000
    page.get_by_text("log-scale learning rate").click()
    wait_for_app(page)


def test_on_a_phone_the_chart_stays_in_view_while_w_is_changed(app):
    server, page = app
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    try:
        open_page(page, server)
        page.wait_for_selector(LINE, timeout=60_000)
        slider = page.locator("[data-testid='stSlider']").filter(has_text="warmup iterations").get_by_role("slider")
        slider.scroll_into_view_if_needed()
        page.mouse.move(PHONE[0] // 2, PHONE[1] // 2)
        page.mouse.wheel(0, 60)  # a thumb's width more, as a user scrolls to reach the slider
        page.wait_for_timeout(500)
        chart = page.locator("[data-testid='stPlotlyChart']").first.bounding_box()
        handle = slider.bounding_box()
        assert 0 <= handle["y"] <= PHONE[1] - handle["height"]
        visible = min(chart["y"] + chart["height"], PHONE[1]) - max(chart["y"], 0)
        assert visible >= 0.5 * chart["height"], (chart, handle)  # most of the chart is on screen
        before = chart_path(page)
        slider.focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(before) => { const p = document.querySelector(\"" + LINE.replace('"', '\\"') + "\");"
            " return p && p.getAttribute('d') !== before; }", arg=before, timeout=20_000)
        page.screenshot(path=str(SHOTS / "browser-explore-phone-using-w.png"))
    finally:
        page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})


def test_an_epoch_preset_shows_its_epochs_in_the_browser(app):
    url, page = app
    open_page(page, url)
    page.get_by_label("start from a library", exact=True).click()
    page.get_by_role("option", name="Goyal et al. 2017: ImageNet in 1 hour (batch 8192)").click()
    wait_for_app(page)
    page.wait_for_selector(LINE, timeout=30_000)
    ticks = page.locator("[data-testid='stPlotlyChart'] .xaxislayer-above .xtick text").all_text_contents()
    assert "80" in ticks or "90" in ticks, ticks
    no_exception(page)
    full_page_shot(page, "browser-explore-goyal-epochs-desktop.png", DESKTOP)


def test_a_shared_link_to_a_page_on_a_fresh_server_gets_the_app_navigation(app):
    # a fresh server whose first visitor lands on /compare (Streamlit's legacy pages/ handling)
    _, page = app
    with app_server() as url:
        open_page(page, f"{url}/compare")
        page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=30_000)
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Explore" in nav and "Compare" in nav and "Learn" in nav and "app" not in nav.split()
        no_exception(page)
