"""The built pages are valid HTML as the Nu HTML Checker (vnu.jar, pinned in tests/html-checker) reads them.

The errors left are Material's own markup that no small override removes; each is listed here with why.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

CHECKER = REPO / "tests" / "html-checker" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# Material's base.html writes its drawer and search toggles as `<input type="checkbox" autocomplete="off">`
# outside any block (overriding it means copying the whole page template), and its nav-item.html writes
# `tabindex=""` on the labels of navigation sections (a 150-line partial). Both are harmless to readers.
MATERIAL_ERRORS = [
    re.compile(r"^Attribute “autocomplete” is only allowed when the input type is "),
    re.compile(r"^Bad value “” for attribute “tabindex” on element “label”: The empty string is not a valid integer\.$"),
]

# One page of each kind, and the pages that are kinds of their own.
PAGES = [
    "index.html", "404.html", "challenges/index.html", "challenges/ethics/index.html", "challenges/ethics/reading/index.html",
    "papers/index.html", "papers/song-2023-consistency/index.html", "papers/uncertainty-aware-explanations/index.html",
    "venues/iclr-2024-submission/index.html", "gaps/index.html", "graph/index.html", "stats/index.html",
    "references/index.html", "outside/index.html", "about/index.html", "licence/index.html",
]  # fmt: skip


def checker_errors(site: Path, pages: list[str]) -> list[tuple[str, str]]:
    """(page, message) of every error the checker reports on the pages."""
    java = shutil.which("java")
    if java is None or not CHECKER.exists():
        pytest.fail("the Nu HTML Checker needs Java and `make test` (npm ci in tests/html-checker)")
    result = subprocess.run(
        [java, "-jar", str(CHECKER), "--errors-only", "--format", "json", *(str(site / page) for page in pages)],
        capture_output=True, text=True,
    )  # fmt: skip
    messages = json.loads(result.stderr)["messages"]
    return [(message["url"].rsplit(str(site) + "/", 1)[-1], message["message"]) for message in messages if message["type"] == "error"]


def test_every_kind_of_page_is_valid_html_but_for_materials_listed_markup(built_site: Path):
    errors = checker_errors(built_site, PAGES)
    own = [(page, message) for page, message in errors if not any(known.match(message) for known in MATERIAL_ERRORS)]
    assert not own, own
    assert errors, "Material's listed markup is gone: remove it from MATERIAL_ERRORS"


def test_the_checker_finds_an_error_the_atlas_would_cause(tmp_path: Path):
    page = tmp_path / "page.html"
    page.write_text('<!doctype html><html lang="en"><title>t</title><a href="../papers/?venue=ICLR 2024">x</a></html>')
    assert [message for _, message in checker_errors(tmp_path, ["page.html"])] == [
        "Bad value “../papers/?venue=ICLR 2024” for attribute “href” on element “a”: Illegal character in query. Space is not allowed."
    ]
