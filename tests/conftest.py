"""Shared fixtures: the real atlas, copies of it to break, and the real seeds from ../shared."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ATLAS_SHARED", REPO.parent / "shared"))
SEEDS = SHARED / "seeds"
DATA = ("challenges", "papers", "citations.bib", "mkdocs.yml", "docs")


def require_shared() -> None:
    """../shared must sit beside the checkout; where it cannot (a GitHub runner sets
    ATLAS_SHARED_OPTIONAL=1), the tests that read it are skipped, saying so."""
    if not SHARED.is_dir() and os.environ.get("ATLAS_SHARED_OPTIONAL") == "1":
        pytest.skip(f"{SHARED} is not here (ATLAS_SHARED_OPTIONAL=1)")
    assert SHARED.is_dir(), f"{SHARED} is missing; ../shared must sit beside the checkout"


def seed(prefix: str) -> Path:
    require_shared()
    matches = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    assert matches, f"the seed {prefix}_*.txt is missing from {SEEDS}; ../shared must sit beside the checkout"
    return matches[0]


def copy_atlas(target: Path) -> Path:
    for name in DATA:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return target


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
