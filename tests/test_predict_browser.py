"""The Predict page in a real Chromium at desktop and phone size: renders its charts with no exception,
the legend sits below the plot (never over the title), and the tabs switch. Screenshots go to
artifacts/screenshots/ (looked at by hand when the page changes)."""

import pytest

from tests.browser import ROOT, app_server, browser_page, chromium_path, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if chromium_path() is None:
    pytest.skip("Debian chromium is not installed (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright", reason="playwright is not installed")

SHOTS = ROOT / "artifacts" / "screenshots"


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    import os

    os.environ["WARMUP_LAB_DB"] = str(tmp_path_factory.mktemp("db") / "runs.sqlite")
    with app_server(timeout=120) as u:
        yield u


def full_height(page):
    """Streamlit scrolls inside its own container: grow the viewport to the content for a full shot."""
    h = page.evaluate("document.querySelector(\"[data-testid='stMain']\")?.scrollHeight || 1000")
    page.set_viewport_size({"width": page.viewport_size["width"], "height": min(int(h) + 40, 6000)})


@pytest.mark.parametrize("width, height, label", [(1400, 900, "desktop"), (390, 844, "phone")])
def test_predict_page_in_chromium(url, width, height, label):
    with browser_page(width, height) as page:
        page.goto(f"{url}/predict")
        wait_for_app(page, timeout=120_000)
        page.wait_for_selector("[data-testid='stPlotlyChart'] .scatterlayer path.js-line", timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_role("heading", name="Predict the loss").count() == 1
        chart = page.locator("[data-testid='stPlotlyChart']").first
        title = chart.locator(".gtitle").bounding_box()
        legend = chart.locator(".legend").bounding_box()
        plot = chart.locator(".nsewdrag").first.bounding_box()
        assert legend["y"] >= plot["y"] + plot["height"] - 1 and legend["y"] > title["y"] + title["height"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        full_height(page)
        page.screenshot(path=str(SHOTS / f"predict-{label}.png"))
        for tab in ("Real curves (paper)", "Rank by theory", "AdamW lens", "Optimise", "Your runs"):
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(800)
            assert page.locator("[data-testid='stException']").count() == 0
            page.screenshot(path=str(SHOTS / f"predict-{label}-{tab.split()[0].lower()}.png"))


def test_optimise_keep_and_find_it_on_compare(url):
    """What a user does: optimise a short schedule, keep it, open Compare from the sidebar and see it there."""
    with browser_page(1400, 900) as page:
        page.goto(f"{url}/predict")
        wait_for_app(page, timeout=120_000)
        page.get_by_role("tab", name="Optimise").click()
        for label, value in (("total steps", "3000"), ("warmup steps", "200")):
            box = page.get_by_label(label, exact=True)
            box.fill(value)
            box.press("Enter")
            wait_for_app(page, timeout=60_000)
        page.get_by_role("button", name="Optimise", exact=True).click()
        page.get_by_role("button", name="Keep it: add to Compare").wait_for(timeout=120_000)
        page.get_by_role("button", name="Keep it: add to Compare").click()
        page.get_by_text("Added to Compare as").wait_for(timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        full_height(page)
        page.screenshot(path=str(SHOTS / "predict-desktop-optimised.png"))
        page.get_by_role("link", name="Compare").first.click()
        page.wait_for_url(lambda u: "/compare" in u, timeout=60_000)
        wait_for_app(page, timeout=120_000)
        page.wait_for_selector("[data-testid='stPlotlyChart'] .legendtext", timeout=60_000)
        names = page.locator("[data-testid='stPlotlyChart'] .legendtext").all_text_contents()
        assert "optimised" in names, names
        page.get_by_text("Rank by theory: the convex bound").click()
        page.wait_for_timeout(800)
        full_height(page)
        page.screenshot(path=str(SHOTS / "compare-desktop-bound.png"))
