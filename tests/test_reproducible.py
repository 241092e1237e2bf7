"""Two builds of the same commit are byte-identical, and their dates come from git, not the clock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    first, second = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    assert b"<lastmod>2020-02-02</lastmod>" in first["sitemap.xml"]
    assert b"<updated>2020-02-02T12:00:00+00:00</updated>" in first["feed.xml"]
    assert b"version 0.1.0 of 2020-02-02" in first["citations.bib"]
