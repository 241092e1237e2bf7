"""Builds of the same commit are byte-identical (in one process or two), and their dates come from git, not the clock."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from atlas import background

from conftest import copy_atlas

OLD = "2020-02-02T12:00:00+00:00"


def build(root: Path, site: Path, engine: str = "mkdocs") -> None:
    environment = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    environment["ATLAS_ENGINE"] = engine
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
    settings = root / "mkdocs.yml"  # the second in one process: what other processes built is the same
    settings.write_text(settings.read_text().replace("\n  - atlas\n", "\n  - atlas:\n      parallel: false\n"))
    assert "parallel: false" in settings.read_text()
    build(root, tmp_path / "two")  # another interpreter, with another hash seed
    first, second = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    assert b"<lastmod>2020-02-02</lastmod>" in first["sitemap.xml"]
    assert b"<updated>2020-02-02T12:00:00+00:00</updated>" in first["feed.xml"]
    assert b"version 0.1.0 of 2020-02-02" in first["citations.bib"]


HANDED_OVER = """
import gc, logging, sys
from pathlib import Path
from atlas.engine.mkdocs_adapter import build_site
from atlas.pipeline import build_source
logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stdout)
build_site(Path(sys.argv[1]), build_source(Path(sys.argv[1]), []), site_dir=Path(sys.argv[2]))
print("collector after the build: enabled", gc.isenabled(), "frozen", gc.get_freeze_count())
"""


def test_a_large_enough_build_deals_the_generated_pages_among_the_cores(tmp_path: Path):
    root = copy_atlas(tmp_path / "atlas")
    papers = len(list((root / "papers").glob("*.yaml")))
    assert papers >= 2 * background.MIN_SHARE
    # A fresh interpreter: the tests' own may run threads (an API server), and then nothing forks.
    result = subprocess.run(
        [sys.executable, "-c", HANDED_OVER, str(root), str(tmp_path / "site")], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    handed = [line for line in result.stdout.splitlines() if line.startswith("mkdocs.plugins.atlas:") and "pages were built" in line]
    processes = min(background.CORES, papers // background.MIN_SHARE)
    assert len(handed) == processes - 1 and all(line.endswith("by another process") for line in handed), handed
    assert sum(int(line.split()[1]) for line in handed) >= papers * (processes - 1) // processes
    assert len(list((tmp_path / "site" / "papers").glob("*/index.html"))) == papers
    # The build pauses and freezes the cycle collector while it works, and leaves it as it found it.
    assert result.stdout.splitlines()[-1] == "collector after the build: enabled True frozen 0"


def test_properdocs_builds_the_same_site_but_for_the_generator_it_names(tmp_path: Path):
    """ATLAS_ENGINE=properdocs: MkDocs' maintained fork, a drop-in, builds every file byte for byte
    alike; only the theme's generator tag names the other engine."""
    root = copy_atlas(tmp_path / "atlas")
    build(root, tmp_path / "mkdocs")
    build(root, tmp_path / "properdocs", engine="properdocs")
    with_mkdocs, with_properdocs = tree(tmp_path / "mkdocs"), tree(tmp_path / "properdocs")
    assert with_mkdocs.keys() == with_properdocs.keys()
    differing = [name for name in with_mkdocs if with_mkdocs[name] != with_properdocs[name]]
    assert differing and all(name.endswith(".html") for name in differing)
    generator = re.compile(rb'<meta name="generator" content="[^"]*">')
    for name in differing:
        assert b'content="mkdocs-ProperDocs 1.6.7, mkdocs-material-' in with_properdocs[name], name
        assert generator.sub(b"", with_mkdocs[name]) == generator.sub(b"", with_properdocs[name]), name


def test_an_unknown_engine_is_refused_with_the_ones_there_are(tmp_path: Path):
    environment = {**os.environ, "ATLAS_ENGINE": "zensical"}
    command = [sys.executable, "-m", "atlas.cli", "--root", str(tmp_path), "build"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "ATLAS_ENGINE='zensical' is not an engine the atlas knows: use one of mkdocs, properdocs" in result.stderr
