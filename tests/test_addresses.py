"""Stable addresses: a renamed record keeps its old address through an alias and a redirect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_atlas

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]


def atlas(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "atlas.cli", "--root", str(root), *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def published(tmp_path: Path) -> Path:
    root = copy_atlas(tmp_path / "atlas")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-qm", "published"], cwd=root, check=True)
    return root


def rename_paper(root: Path, old: str, new: str) -> Path:
    path = root / "papers" / f"{new}.yaml"
    (root / "papers" / f"{old}.yaml").rename(path)
    bib = root / "citations.bib"
    bib.write_text(bib.read_text().replace(f"@misc{{{old},", f"@misc{{{new},"))
    return path


def test_renaming_a_paper_without_an_alias_is_refused(published: Path):
    rename_paper(published, "calibrated-language-models", "kalai-2024-calibrated")
    result = atlas(published, "check")
    assert result.returncode == 1
    assert (
        "papers/calibrated-language-models.yaml:1: was published at papers/calibrated-language-models/ (in HEAD) and is gone; "
        "keep that address working: add 'calibrated-language-models' to 'aliases:' of the record that replaces it"
    ) in result.stderr


@pytest.mark.parametrize("path", ["papers/calibrated-language-models.yaml", "challenges/causality.yaml"])
def test_a_record_made_unreadable_is_reported_once_at_its_line_not_also_as_gone(published: Path, path: str):
    record = published / path
    record.write_text(record.read_text().replace("title:", "title: 'never closed", 1))
    result = atlas(published, "check")
    assert result.returncode == 1
    assert f"{path}:" in result.stderr and "is gone" not in result.stderr


def test_an_alias_keeps_the_old_address_as_a_redirect_to_the_new_page(published: Path, tmp_path: Path):
    path = rename_paper(published, "calibrated-language-models", "kalai-2024-calibrated")
    path.write_text(path.read_text() + "aliases: [calibrated-language-models]\n")
    assert atlas(published, "check").returncode == 0
    site = tmp_path / "site"
    result = atlas(published, "build", "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    redirect = (site / "papers" / "calibrated-language-models" / "index.html").read_text()
    assert '<meta http-equiv="refresh" content="0; url=../kalai-2024-calibrated/">' in redirect
    assert '<link rel="canonical" href="../kalai-2024-calibrated/">' in redirect
    assert (site / "papers" / "kalai-2024-calibrated" / "index.html").exists()


def test_renaming_a_subchallenge_needs_an_alias_and_the_old_anchor_still_lands(published: Path, tmp_path: Path):
    challenge = published / "challenges" / "metrics.yaml"
    text = challenge.read_text()
    challenge.write_text(
        text.replace("- id: model-selection\n", "- id: model-choice\n").replace(
            "subchallenge: model-selection", "subchallenge: model-choice"
        )
    )
    for paper in (published / "papers").glob("*.yaml"):
        paper.write_text(paper.read_text().replace("metrics/model-selection", "metrics/model-choice"))
    result = atlas(published, "check")
    assert result.returncode == 1
    assert "the sub-challenge 'model-selection' (published at challenges/metrics/#model-selection) is gone" in result.stderr
    challenge.write_text(challenge.read_text().replace("- id: model-choice\n", "- id: model-choice\n  aliases: [model-selection]\n"))
    assert atlas(published, "check").returncode == 0, atlas(published, "check").stderr
    site = tmp_path / "site"
    assert atlas(published, "build", "--site-dir", str(site)).returncode == 0
    page = (site / "challenges" / "metrics" / "index.html").read_text()
    assert 'id="model-choice"' in page and '<span id="model-selection"></span>' in page


def test_check_outside_git_or_against_a_base_without_the_atlas_passes(tmp_path: Path):
    root = copy_atlas(tmp_path / "plain")
    assert atlas(root, "check").returncode == 0
