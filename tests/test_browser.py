"""A real browser: `streamlit run app.py` on a free loopback port, Debian's Chromium via Playwright.

Opens every page, moves a slider, waits for the chart to change, checks there is no exception box,
and saves screenshots under artifacts/screenshots/. Skips (with the reason) where Chromium or
Playwright is missing.
"""

import time

import pytest

from tests.browser import ROOT, app_server, browser_page, chromium_path, wait_for_app

pytestmark = pytest.mark.browser

if chromium_path() is None:
    pytest.skip("Debian chromium is not installed (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright", reason="playwright is not installed")

SHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def app():
    with app_server() as url, browser_page() as page:
        yield url, page


def no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("text=Traceback").count() == 0


def chart_path(page):
    """The SVG path data of the first chart's first line: changes when the curve changes."""
    return page.locator("[data-testid='stPlotlyChart'] .scatterlayer path.js-line").first.get_attribute("d")


@pytest.mark.parametrize("path", ["", "compare", "learn", "train"])
def test_every_page_renders(app, path):
    url, page = app
    page.goto(f"{url}/{path}")
    wait_for_app(page)
    if path == "train":  # no run yet: the demo button and the explanation
        assert page.get_by_role("button", name="Teaching demo").count() == 1
    else:
        page.wait_for_selector("[data-testid='stPlotlyChart'] .scatterlayer path.js-line", timeout=30_000)
    no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"browser-{path or 'explore'}.png"))


def test_slider_redraws_the_chart_within_a_second(app):
    url, page = app
    page.goto(url)
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .scatterlayer path.js-line", timeout=30_000)
    before = chart_path(page)
    slider = page.locator("[data-testid='stSlider']").filter(has_text="warmup iterations").locator(
        "input[type='range']")
    slider.focus()
    t0 = time.perf_counter()
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "(before) => { const p = document.querySelector(\"[data-testid='stPlotlyChart'] .scatterlayer path.js-line\");"
        " return p && p.getAttribute('d') !== before; }", arg=before, timeout=10_000)
    elapsed = time.perf_counter() - t0
    wait_for_app(page)
    no_exception(page)
    assert chart_path(page) != before
    page.screenshot(path=str(SHOTS / "browser-explore-after-slider.png"))
    print(f"slider change -> chart redrawn in {elapsed:.2f} s")


def test_a_shared_link_to_a_page_on_a_fresh_server_gets_the_app_navigation(app):
    # a fresh server whose first visitor lands on /compare (Streamlit's legacy pages/ handling)
    _, page = app
    with app_server() as url:
        page.goto(f"{url}/compare")
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=30_000)
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Explore" in nav and "Compare" in nav and "Learn" in nav and "app" not in nav.split()
        no_exception(page)
