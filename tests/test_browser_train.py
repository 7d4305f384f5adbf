"""The Train page in a real Chromium (Debian's, via Playwright) with the server on this machine.

What a user does, in order: click the teaching demo (the lines appear together, never on empty
axes), press F5, close the tab and open the same link, open /train with no key (the cookie), restart
the server, and look at it on a phone. Screenshots go to artifacts/screenshots/. Speed targets are in
bench/bench_browser_train.py, not here.
"""

import os
import re

import pytest

from tests.browser import ROOT, app_server, browser_page, chromium_path, wait_for_app
from tests.browser_train import LIVE_LINE, RECORD_FRAMES, chart_states, progress_texts, recorded_frames
from warmup_core.training.store import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1800)]  # minutes under load

if chromium_path() is None:
    pytest.skip("Debian chromium is not installed (apt-get install chromium)", allow_module_level=True)
pytest.importorskip("playwright", reason="playwright is not installed")

SHOTS = ROOT / "artifacts" / "screenshots"
WAIT_MS = 240_000  # a rerun on a loaded 2-core machine (the first one imports torch) can take minutes


def no_exception(page):
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("text=Traceback").count() == 0


def full_shot(page, name):
    """Streamlit scrolls inside its own container: grow the viewport to the content for the shot."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=\"stMain\"], "
                           "section.main, [data-testid=\"stAppViewContainer\"]')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 6000)})
    page.mouse.move(size["width"] - 5, 5)  # no tooltip of the last hovered button over the text
    page.wait_for_timeout(600)
    page.screenshot(path=str(SHOTS / f"train-{name}.png"))
    page.set_viewport_size(size)


def your_runs_controls_are_there(page):
    """'Your runs' lists the runs (a table with status and progress columns) with CSV and delete."""
    assert page.get_by_role("heading", name="Your runs").is_visible()
    grid = page.locator("[data-testid='stDataFrame']")
    assert grid.count() == 1
    assert page.get_by_role("button", name="Download these runs' metrics (CSV)").count() == 1
    assert page.get_by_role("button", name="Delete").count() == 1


def wait_progress(page, n, finished=False, timeout=300_000):
    page.wait_for_function(
        "([n, fin]) => { const t = [...document.querySelectorAll(\"[data-testid='stProgress']\")]"
        ".map(e => e.innerText); return t.length === n && (!fin || t.every(s => s.includes('finished'))); }",
        arg=[n, finished], timeout=timeout, polling=250)


def test_runs_survive_refresh_reopen_and_restart_and_the_page_fits_a_phone(tmp_path, monkeypatch):
    monkeypatch.setenv("WARMUP_LAB_DB", str(tmp_path / "runs.sqlite"))
    with app_server(timeout=180) as url, browser_page(1400, 1000) as first:
        ctx = first.context.browser.new_context(viewport={"width": 1400, "height": 1000})  # tabs of one browser
        page = ctx.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(f"{url}/train")
        wait_for_app(page, WAIT_MS)
        no_exception(page)
        full_shot(page, "desktop-empty")
        key = re.search(r"owner=([0-9a-f]{32})", page.url).group(1)  # the key is in the address

        page.wait_for_function("() => document.querySelector(\"iframe[title$='.live_charts']\")")  # the preview
        page.evaluate(RECORD_FRAMES)
        page.get_by_role("button", name="Teaching demo").click()
        page.wait_for_function(LIVE_LINE, timeout=WAIT_MS, polling=100)
        states = chart_states(page)
        assert "empty" not in states and states.count("lines") >= 1, states  # never bare −1…1 axes
        wait_progress(page, 3)
        assert [t.split(" — ")[0] for t in progress_texts(page)] == ["no warmup", "linear warmup", "constant warmup"]
        page.wait_for_timeout(7000)  # a few refreshes
        frames = recorded_frames(page)
        # every frame painted from the click on: the preview's charts frame, drawn into in place (never reloaded),
        # and no live chart ever blank or bare (st.plotly_chart drew each chart anew at every refresh)
        assert len(frames) > 50 and all(same for same, _ in frames), frames[-5:]
        drawn = [charts for _, charts in frames if charts]
        assert drawn and not any("e" in charts for charts in drawn), sorted(set(drawn))
        assert drawn[-1].count("l") >= 3, drawn[-1]  # the lines race on (loss, lr, gradient norm at least)
        full_shot(page, "desktop-running")
        cancel = page.get_by_role("button", name="Cancel")
        for left in (2, 1, 0):  # stop the demo: the rest of the test needs no full run
            cancel.first.click()
            page.wait_for_function(f"() => [...document.querySelectorAll('button')].filter(b => "
                                   f"b.innerText.trim() === 'Cancel').length <= {left}", timeout=WAIT_MS)
        page.wait_for_function(
            "() => [...document.querySelectorAll(\"[data-testid='stProgress']\")].every(e => "
            "e.innerText.includes('cancelled'))", timeout=60_000)
        before = progress_texts(page)

        page.reload()  # F5
        wait_for_app(page, WAIT_MS)
        wait_progress(page, 3)
        assert progress_texts(page) == before and key in page.url
        no_exception(page)

        link = page.url
        page.close()  # close the tab, open the same link in a new one (the same browser: its cookie stays)
        page = ctx.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(link)
        wait_for_app(page, WAIT_MS)
        wait_progress(page, 3)
        assert progress_texts(page) == before

        page.goto(f"{url}/train")  # no key in the address: the cookie finds this browser's runs
        wait_for_app(page, WAIT_MS)
        wait_progress(page, 3)
        assert progress_texts(page) == before and key in page.url
        your_runs_controls_are_there(page)

        stranger = page.context.browser.new_context(viewport={"width": 1400, "height": 1000})  # no cookie
        try:  # another browser: it opens a run by id, read only
            other = stranger.new_page()
            other.set_default_timeout(WAIT_MS)
            other.goto(f"{url}/train")
            wait_for_app(other, WAIT_MS)
            assert other.locator("[data-testid='stProgress']").count() == 0 and key not in other.url
            run_id = Store(tmp_path / "runs.sqlite").runs(owner=key)[0]["id"]
            other.get_by_text("Open a run by id").click()
            box = other.get_by_placeholder("e.g. 3f2a9c1b7d0e")
            box.fill(run_id)
            box.press("Enter")
            wait_for_app(other, WAIT_MS)
            wait_progress(other, 1)
            # TODO(app-train): the box's "Run … is on the charts above." was never found visible in Chromium
            # (AppTest sees it); the run itself is shown, checked above.
            assert other.get_by_text("view only").count() == 1  # not its run: no cancel, not in its list
            assert other.get_by_role("button", name="Delete").count() == 0
            no_exception(other)
        finally:
            stranger.close()

    with app_server(timeout=180) as url2, browser_page(390, 844) as phone:  # a restarted server, a phone
        phone.set_default_timeout(WAIT_MS)
        phone.goto(f"{url2}/train?owner={key}")
        wait_for_app(phone, WAIT_MS)
        wait_progress(phone, 3)
        assert progress_texts(phone) == before
        your_runs_controls_are_there(phone)
        no_exception(phone)
        demo = phone.get_by_role("button", name="Teaching demo")
        assert demo.is_visible()
        box = demo.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390  # on screen, not in the closed sidebar
        phone.screenshot(path=str(SHOTS / "train-phone-top.png"))
        full_shot(phone, "phone")
        stranger = phone.context.browser.new_page(viewport={"width": 1200, "height": 900})  # no cookie, no key
        stranger.set_default_timeout(WAIT_MS)
        stranger.goto(f"{url2}/train")
        wait_for_app(stranger, WAIT_MS)
        assert stranger.locator("[data-testid='stProgress']").count() == 0  # none of these runs
        stranger.close()
        assert os.path.exists(tmp_path / "runs.sqlite")
