"""What `atlas check --base` asks of a git history, in this process (tests/test_addresses.py runs the
command): an address published in the base lives on, and only the records new or changed since it are
compared with the others and with their canonical form."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from atlas.pipeline import check
from atlas.records.addresses import dropped_addresses, papers_new_since, records_changed_since

from conftest import copy_atlas

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
PAPER = "calibrated-language-models"


def git(root: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A copy of the atlas committed in git twice: HEAD~1 without one paper, HEAD as it is."""
    root = copy_atlas(tmp_path / "atlas")
    git(root, "init", "-q", "-b", "main")
    held = (root / "papers" / f"{PAPER}.yaml").read_text()
    (root / "papers" / f"{PAPER}.yaml").unlink()
    git(root, "add", "-A")
    git(root, "commit", "-qm", "before the paper")
    (root / "papers" / f"{PAPER}.yaml").write_text(held)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "published")
    return root


def messages(root: Path, base: str = "HEAD") -> list[str]:
    atlas, _ = check(root)
    return [f"{problem.path}:{problem.line}: {problem.message}" for problem in dropped_addresses(root, atlas, base)]


def test_nothing_is_dropped_while_every_published_record_is_there(published: Path):
    assert messages(published) == []


def test_a_paper_renamed_without_an_alias_is_reported_at_its_old_path_with_the_base(published: Path):
    (published / "papers" / f"{PAPER}.yaml").rename(published / "papers" / "kalai-2024-calibrated.yaml")
    assert messages(published) == [
        f"papers/{PAPER}.yaml:1: was published at papers/{PAPER}/ (in HEAD) and is gone; keep that address working: "
        f"add '{PAPER}' to 'aliases:' of the record that replaces it"
    ]
    assert messages(published, "HEAD~1") == []  # the base that never published it


def test_an_alias_keeps_a_renamed_paper_published(published: Path):
    new = published / "papers" / "kalai-2024-calibrated.yaml"
    (published / "papers" / f"{PAPER}.yaml").rename(new)
    new.write_text(new.read_text() + f"aliases: [{PAPER}]\n")
    assert messages(published) == []


def test_a_challenge_renamed_without_an_alias_is_reported_and_with_one_is_not(published: Path):
    old = published / "challenges" / "metrics.yaml"
    new = published / "challenges" / "evaluation.yaml"
    old.rename(new)
    assert messages(published) == [
        "challenges/metrics.yaml:1: was published at challenges/metrics/ (in HEAD) and is gone; keep that address working: "
        "add 'metrics' to 'aliases:' of the record that replaces it"
    ]
    new.write_text(new.read_text() + "aliases: [metrics]\n")
    assert messages(published) == []


def test_a_sub_challenge_renamed_needs_an_alias_in_its_challenge(published: Path):
    challenge = published / "challenges" / "metrics.yaml"
    challenge.write_text(challenge.read_text().replace("- id: model-selection\n", "- id: model-choice\n"))
    assert messages(published) == [
        "challenges/metrics.yaml:1: the sub-challenge 'model-selection' (published at challenges/metrics/#model-selection) is gone; "
        "list 'model-selection' under 'aliases:' of the sub-challenge that replaces it"
    ]
    challenge.write_text(challenge.read_text().replace("- id: model-choice\n", "- id: model-choice\n  aliases: [model-selection]\n"))
    assert messages(published) == []


def test_a_record_there_but_unreadable_is_not_also_reported_as_gone(published: Path):
    for path in (f"papers/{PAPER}.yaml", "challenges/metrics.yaml"):
        record = published / path
        record.write_text("title: 'never closed\n")
        assert messages(published) == [], path


def test_outside_git_or_before_the_atlas_nothing_was_published(tmp_path: Path, published: Path):
    plain = copy_atlas(tmp_path / "plain")
    atlas, _ = check(plain)
    assert dropped_addresses(plain, atlas) == [] and papers_new_since(plain, atlas) == set() and records_changed_since(plain) == []
    assert messages(published, "no-such-revision") == []


def test_the_papers_new_since_the_base_are_those_it_lacks(published: Path):
    atlas, _ = check(published)
    assert papers_new_since(published, atlas, "HEAD~1") == {PAPER}
    assert papers_new_since(published, atlas) == set()


def test_records_changed_since_the_base_are_the_edited_and_the_new_ones_committed_or_not(published: Path):
    assert records_changed_since(published, "HEAD~1") == [f"papers/{PAPER}.yaml"]
    assert records_changed_since(published) == []
    challenge = published / "challenges" / "metrics.yaml"
    challenge.write_text(challenge.read_text() + "\n")
    (published / "papers" / "new-paper.yaml").write_text("title: New\n")
    (published / "papers" / "notes.txt").write_text("not a record\n")
    assert records_changed_since(published) == ["challenges/metrics.yaml", "papers/new-paper.yaml"]
