"""Screenshots of every page at desktop (1400 wide) and phone (390×844) size, for a human look:
artifacts/screenshots/<page>-desktop.png, <page>-phone.png (full page: the viewport grown to the
content), and <page>-phone-view.png (what a phone shows with the main control in view).

    python scripts/screenshots.py [page ...]     # pages: explore compare learn train predict
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import app_server, browser_page, full_page_shot, wait_for_app  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
SIZES = {"desktop": (1400, 900), "phone": (390, 844)}
PATHS = {"explore": "", "compare": "compare", "learn": "learn", "train": "train", "predict": "predict"}


def main(pages):
    OUT.mkdir(parents=True, exist_ok=True)
    with app_server() as url:
        for size_name, size in SIZES.items():
            with browser_page(*size) as page:
                for name in pages:
                    page.goto(f"{url}/{PATHS[name]}")
                    wait_for_app(page, timeout=180_000)
                    page.wait_for_timeout(1500)
                    full_page_shot(page, OUT / f"{name}-{size_name}.png", size)
                    print("saved", OUT / f"{name}-{size_name}.png")
                    slider = page.locator("[data-testid='stSlider']").filter(has_text="warmup iterations")
                    if size_name == "phone" and slider.count():
                        slider.first.scroll_into_view_if_needed()
                        page.wait_for_timeout(500)
                        page.screenshot(path=str(OUT / f"{name}-phone-view.png"))
                        print("saved", OUT / f"{name}-phone-view.png")


if __name__ == "__main__":
    main(sys.argv[1:] or ["explore", "compare", "learn"])
