"""Shared fixtures: the real atlas, copies of it to break, and the real seeds from ../shared."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest

from synthetic import copy_atlas

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from atlas.records.model import Atlas, Problem

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ATLAS_SHARED", REPO.parent / "shared"))
SEEDS = SHARED / "seeds"


@functools.cache
def real_atlas() -> tuple[Atlas, list[Problem]]:
    """The real atlas as `atlas check` reads it, read once in each test process and shared by the test
    modules (read-only: its records are frozen; a test that varies one makes a copy)."""
    from atlas.pipeline import check

    return check(REPO)


def require_shared() -> None:
    """../shared must sit beside the checkout; where it cannot (a GitHub runner sets
    ATLAS_SHARED_OPTIONAL=1), the tests that read it are skipped, saying so."""
    if not SHARED.is_dir() and os.environ.get("ATLAS_SHARED_OPTIONAL") == "1":
        pytest.skip(f"{SHARED} is not here (ATLAS_SHARED_OPTIONAL=1)")
    assert SHARED.is_dir(), f"{SHARED} is missing; ../shared must sit beside the checkout"


def hep_titles() -> list[str]:
    """The titles of the HEP ML Living Review's 2,423 real entries: LaTeX, math and accents included."""
    from pybtex.database import parse_file

    require_shared()
    entries = parse_file(str(SHARED / "corpora" / "hepml-living-review.bib"), bib_format="bibtex").entries
    return [entry.fields.get("title", "") for entry in entries.values()]


def seed(prefix: str) -> Path:
    require_shared()
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    assert matches, f"the seed {prefix}_*.txt is missing from {SEEDS}; ../shared must sit beside the checkout"
    return matches[0]


@pytest.fixture
def atlas_copy(tmp_path: Path) -> Path:
    """A copy of the real atlas' data that a test may break."""
    return copy_atlas(tmp_path / "atlas")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real atlas built once, with the real CLI, in MkDocs strict mode."""
    from atlas.cli import main

    site = tmp_path_factory.mktemp("site") / "site"
    assert main(["--root", str(REPO), "build", "--site-dir", str(site)]) == 0
    return site


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below `root` with its bytes: to show that a refused command wrote nothing. The edit
    lock (`.atlas-edit/lock`, empty, git-ignored) is left out: taking it is not writing."""
    files = (p for p in sorted(root.rglob("*")) if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files if p.relative_to(root).parts[0] != ".atlas-edit" or p.name != "lock"}


@pytest.fixture(scope="module")
def apis() -> Iterator[object]:
    """The recorded arXiv, Crossref and OpenReview answers served on 127.0.0.1 (tests/apiserver.py)."""
    from apiserver import RecordedAPIs

    server = RecordedAPIs()
    yield server
    server.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    from localsite import CHROMIUM, CHROMIUM_FLAGS

    assert Path(CHROMIUM).exists(), "the browser tests need Debian's chromium (make system-deps installs it)"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site_url(built_site: Path) -> Iterator[str]:
    from localsite import served

    with served(built_site) as url:
        yield url


class Watched:
    """A page that records console errors, failed requests and any request leaving 127.0.0.1."""

    def __init__(self, browser: Browser) -> None:
        self.context = browser.new_context()
        self.context.grant_permissions(["clipboard-read", "clipboard-write"])
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("requestfailed", self._failed)
        self.page.on("request", self._outside)

    def _failed(self, request) -> None:
        # A request the page itself abandons by navigating away (net::ERR_ABORTED) is not a broken resource.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.errors.append(f"failed: {request.url} ({request.failure})")

    def _outside(self, request) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith("http") and host != "127.0.0.1":
            self.errors.append(f"outside request: {request.url}")


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    watched = Watched(browser)
    yield watched
    watched.context.close()
    assert watched.errors == []


def search_site(page, text: str) -> None:
    """Open the site's search dialog from its header button and type `text` into it."""
    page.locator("button.atlas-search-button").click()
    field = page.locator("dialog.atlas-search input")
    field.wait_for(timeout=15_000)
    field.fill(text)


def heading_parts(heading) -> tuple[str, list[str]]:
    """A heading's text outside its formulas, and the LaTeX of each formula (kept in its title)."""
    formulas = [span["title"] for span in heading.find_all("span", class_="atlas-math")]
    for span in heading.find_all("span", class_="atlas-math"):
        span.replace_with("$$")
    return heading.get_text().rstrip("¶"), formulas


def title_parts(title: str) -> tuple[str, list[str]]:
    """What heading_parts reads from the heading of a page whose title is `title`."""
    formulas = re.findall(r"\$[^$]+\$", title)
    return re.sub(r"\$[^$]+\$", "$$", title), formulas
