"""Take a screenshot of every page (artifacts/screenshots/*.png) for a human look.

    python scripts/screenshots.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser import app_server, browser_page, wait_for_app  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with app_server() as url, browser_page() as page:
        for path in ["", "compare", "learn", "train"]:
            page.goto(f"{url}/{path}")
            wait_for_app(page)
            page.wait_for_timeout(1500)
            name = path or "explore"
            page.screenshot(path=str(OUT / f"{name}.png"), full_page="--full" in sys.argv)
            print("saved", OUT / f"{name}.png")


if __name__ == "__main__":
    main()
