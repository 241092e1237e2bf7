"""Screenshots of built pages for reviewing a change by eye.

Usage: .venv/bin/python scripts/screenshots.py [SITE_DIR] [PAGE ...]
Serves SITE_DIR (default: site) on a free local port and writes one PNG per page to screenshots/,
at desktop and phone widths, in light and dark mode. Pages are paths below the site root, e.g. challenges/efficiency/.
"""

from __future__ import annotations

import sys
from itertools import product
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # localsite.py: the tests' support
from localsite import CHROMIUM, CHROMIUM_FLAGS, served

SCREENS = (("desktop", 1280, 1000), ("phone", 390, 844))
DEFAULT_PAGES = ["", "challenges/efficiency/", "papers/", "papers/consistency-trajectory-models/", "references/"]


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "site")
    pages = argv[1:] or DEFAULT_PAGES
    if not (site / "index.html").exists():
        print(f"{site} holds no built site; run `make site` first", file=sys.stderr)
        return 1
    out = Path("screenshots")
    out.mkdir(exist_ok=True)
    with served(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for (screen, width, height), scheme in product(SCREENS, ("light", "dark")):
            page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
            for path in pages:
                page.goto(base + path)
                name = (path.strip("/").replace("/", "_") or "home") + f"-{screen}-{scheme}.png"
                page.screenshot(path=str(out / name))
                print(out / name)
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
