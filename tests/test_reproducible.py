"""Builds of the same commit are byte-identical (in one process or two), and their dates come from git, not the clock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from atlas.engine.mkdocs_adapter import PARALLEL_MIN_PAGES

from conftest import copy_atlas

OLD = "2020-02-02T12:00:00+00:00"


def build(root: Path, site: Path) -> None:
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    result = subprocess.run(
        [sys.executable, "-m", "atlas.cli", "--root", str(root), "build", "--site-dir", str(site)],
        capture_output=True, text=True, timeout=600, env=environment,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def tree(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_two_builds_of_one_commit_are_byte_identical_and_dated_by_git(tmp_path: Path):
    root = copy_atlas(tmp_path / "atlas")
    (root / "CITATION.cff").write_text((Path(__file__).parents[1] / "CITATION.cff").read_text())
    git_env = {**os.environ, "GIT_AUTHOR_DATE": OLD, "GIT_COMMITTER_DATE": OLD}
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "old"], cwd=root, check=True, env=git_env)
    build(root, tmp_path / "one")
    build(root, tmp_path / "two")
    settings = root / "mkdocs.yml"  # the third in one process: what a second process built is the same
    settings.write_text(settings.read_text().replace("\n  - atlas\n", "\n  - atlas:\n      parallel: false\n"))
    assert "parallel: false" in settings.read_text()
    build(root, tmp_path / "three")
    first, second, third = tree(tmp_path / "one"), tree(tmp_path / "two"), tree(tmp_path / "three")
    assert first.keys() == second.keys() == third.keys()
    assert [name for name in first if first[name] != second[name] or first[name] != third[name]] == []
    assert b"<lastmod>2020-02-02</lastmod>" in first["sitemap.xml"]
    assert b"<updated>2020-02-02T12:00:00+00:00</updated>" in first["feed.xml"]
    assert b"version 0.1.0 of 2020-02-02" in first["citations.bib"]


HANDED_OVER = """
import logging, sys
from pathlib import Path
from atlas.engine.mkdocs_adapter import build_site
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stdout)
build_site(Path(sys.argv[1]), site_dir=Path(sys.argv[2]))
"""


def test_a_large_enough_build_hands_every_second_generated_page_to_a_second_process(tmp_path: Path):
    root = copy_atlas(tmp_path / "atlas")
    papers = len(list((root / "papers").glob("*.yaml")))
    assert papers >= PARALLEL_MIN_PAGES
    # A fresh interpreter: the tests' own may run threads (an API server), and then nothing forks.
    result = subprocess.run(
        [sys.executable, "-c", HANDED_OVER, str(root), str(tmp_path / "site")], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    handed = [line for line in result.stdout.splitlines() if line.startswith("mkdocs.plugins.atlas:") and "pages were built" in line]
    assert len(handed) == 1 and handed[0].endswith("by a second process"), handed
    assert int(handed[0].split()[1]) >= papers // 2
    assert len(list((tmp_path / "site" / "papers").glob("*/index.html"))) == papers
