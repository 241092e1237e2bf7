"""Screenshots of built pages for reviewing a change by eye.

Usage: .venv/bin/python scripts/screenshots.py [SITE_DIR] [PAGE ...]
Serves SITE_DIR (default: site) on a free local port and writes one PNG per page to screenshots/,
in light and dark mode. Pages are paths below the site root, e.g. challenges/efficiency/.
"""

from __future__ import annotations

import functools
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_PAGES = ["", "challenges/efficiency/", "papers/", "papers/consistency-trajectory-models/", "references/"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main(argv: list[str]) -> int:
    site = Path(argv[0] if argv else "site")
    pages = argv[1:] or DEFAULT_PAGES
    if not (site / "index.html").exists():
        print(f"{site} holds no built site; run `make site` first", file=sys.stderr)
        return 1
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    out = Path("screenshots")
    out.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        for scheme in ("light", "dark"):
            page = browser.new_page(viewport={"width": 1280, "height": 1000}, color_scheme=scheme)
            for path in pages:
                page.goto(base + path)
                name = (path.strip("/").replace("/", "_") or "home") + f"-{scheme}.png"
                page.screenshot(path=str(out / name))
                print(out / name)
            page.close()
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
