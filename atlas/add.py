"""`atlas add`: candidates become records and citations.bib entries, all or nothing.

Before anything is written every candidate is checked for duplicates (against the atlas and against
the other candidates) and given an id; then the records and the bibliography are written, the whole
atlas is validated, and on any problem every file is put back as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas.candidate import Candidate
from atlas.duplicates import DuplicateFinder
from atlas.ids import paper_id_for
from atlas.model import CHALLENGE_KINDS, PAPER_FIELDS, Atlas
from atlas.transaction import EditRefused, atomic_edit
from atlas.yamlio import dump_record, in_field_order


class AddRefused(Exception):
    """Nothing was written; the message says why and what to do."""


@dataclass(frozen=True)
class Choice:
    """A challenge link chosen by the contributor."""

    target: str
    kind: str
    why: str


@dataclass
class Planned:
    candidate: Candidate
    id: str
    record: dict[str, Any]
    bibtex: str


def validate_choices(atlas: Atlas, choices: list[Choice]) -> None:
    for choice in choices:
        challenge_id, _, sub_id = choice.target.partition("/")
        challenge = atlas.challenges.get(challenge_id)
        if challenge is None or (sub_id and challenge.subchallenge(sub_id) is None):
            raise AddRefused(f"'{choice.target}' is not a challenge or sub-challenge of the atlas; see the suggestions")
        if choice.kind not in CHALLENGE_KINDS:
            raise AddRefused(f"kind '{choice.kind}' is not one of {', '.join(CHALLENGE_KINDS)}")
        if not choice.why.strip():
            raise AddRefused(f"the link to '{choice.target}' needs a one-sentence --why")


def record_for(candidate: Candidate, choices: list[Choice]) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "title": candidate.title,
        "authors": candidate.authors or None,
        "year": candidate.year,
        "venue": candidate.venue,
        "abstract": candidate.abstract,
        "links": dict(candidate.links) or None,
        "keywords": candidate.keywords or None,
        "sources": [candidate.source],
        "challenges": [{"id": c.target, "kind": c.kind, "why": c.why.strip()} for c in choices],
    }
    return in_field_order({key: value for key, value in facts.items() if value is not None}, PAPER_FIELDS)


def plan(atlas: Atlas, candidates: list[Candidate]) -> list[Planned]:
    """Ids and duplicate checks for every candidate; raises AddRefused naming the first duplicate."""
    finder = DuplicateFinder(list(atlas.papers.values()))
    taken = set(atlas.papers) | set(atlas.bibliography)
    planned = []
    for candidate in candidates:
        if not candidate.title.strip():
            raise AddRefused(f"{candidate.where}: no title; a paper needs one")
        if duplicate := finder.find(candidate):
            raise AddRefused(f"{candidate.where}: '{candidate.title}' is {duplicate}; nothing was written")
        first_author = candidate.authors[0] if candidate.authors else None
        paper_id = paper_id_for(candidate.title, taken, first_author, candidate.year)
        taken.add(paper_id)
        finder.add(f"papers/{paper_id}.yaml (also being added)", candidate.title, candidate.links)
        planned.append(Planned(candidate, paper_id, {}, ""))
    return planned


def write(root: Path, planned: list[Planned], choices_for: list[list[Choice]]) -> list[str]:
    """Write the records and their entries as one edit: validated, and undone on any problem."""
    bib_path = root / "citations.bib"
    try:
        with atomic_edit(root) as edit:
            for item, choices in zip(planned, choices_for, strict=True):
                item.record = record_for(item.candidate, choices)
                item.bibtex = item.candidate.bibtex(item.id)
                edit.write(root / "papers" / f"{item.id}.yaml", dump_record(item.record))
            original = bib_path.read_text(encoding="utf-8") if bib_path.exists() else ""
            edit.write(bib_path, original.rstrip() + "\n\n" + "\n".join(item.bibtex for item in planned))
    except EditRefused as refused:
        raise AddRefused(str(refused).replace("the change", "the new records")) from None
    return [item.id for item in planned]
