"""`atlas add`: candidates become records and citations.bib entries, all or nothing.

Before anything is written every candidate is checked for duplicates (against the atlas and against
the other candidates) and given an id; then the records and the bibliography are written, the whole
atlas is validated, and on any problem every file is put back as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas.contribute.candidate import Candidate, shortened
from atlas.contribute.transaction import EditRefused, atomic_edit
from atlas.records.bibliography import entry_lines
from atlas.records.bibtex_writer import with_entries_appended
from atlas.records.duplicates import DuplicateFinder
from atlas.records.ids import paper_id_for
from atlas.records.load import TextMemo
from atlas.records.model import CHALLENGE_KINDS, PAPER_FIELDS, Atlas, Problem
from atlas.records.yamlio import LineMap, dump_record, in_field_order, load_yaml_file


class AddRefused(Exception):
    """Nothing was written; the message says why and what to do."""


@dataclass(frozen=True)
class Choice:
    """A challenge link chosen by the contributor."""

    target: str
    kind: str
    why: str
    questions: tuple[str, ...] = ()  # the challenge's open questions the paper takes up


@dataclass
class Planned:
    candidate: Candidate
    id: str
    record: dict[str, Any]
    bibtex: str


def read_links_file(path: Path) -> tuple[dict[str, list[Choice]], list[str]]:
    """`--links FILE`: entry key -> the links of that entry ({challenge, kind, why} or a list of them)."""
    data, problems = load_yaml_file(path, str(path))
    messages = [str(problem) for problem in problems]
    if data is None:
        return {}, messages
    if not isinstance(data, LineMap):
        return {}, [*messages, f"{path}:1: must map each entry key to its links (key: [{{challenge: ID, kind: KIND, why: TEXT}}])"]
    links: dict[str, list[Choice]] = {}
    for key, value in data.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            line = getattr(item, "line", data.line_of(key))
            if isinstance(item, dict) and all(isinstance(item.get(name), str) for name in ("challenge", "kind", "why")):
                questions = tuple(str(q) for q in item.get("questions") or ())
                links.setdefault(str(key), []).append(Choice(item["challenge"], item["kind"], item["why"], questions))
            else:
                messages.append(f"{path}:{line}: the links of '{key}' need 'challenge', 'kind' and 'why', each as text")
    return links, messages


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
        known = [question.id for question in challenge.open_questions]
        if unknown := [q for q in choice.questions if q not in known]:
            raise AddRefused(f"'{unknown[0]}' is not an open question of '{challenge_id}'; its questions: {', '.join(known)}")


def _link(choice: Choice) -> dict[str, Any]:
    link: dict[str, Any] = {"id": choice.target, "kind": choice.kind}
    if choice.questions:
        link["questions"] = list(choice.questions)
    return link | {"why": choice.why.strip()}


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
        "challenges": [_link(choice) for choice in choices],
    }
    return in_field_order({key: value for key, value in facts.items() if value is not None}, PAPER_FIELDS)


_IN_INPUT = " (being added too)"


def plan(atlas: Atlas, candidates: list[Candidate]) -> tuple[list[Planned], list[tuple[Candidate, str]]]:
    """Ids for the candidates that are new, and (candidate, reason) for each that is already there."""
    finder = DuplicateFinder(list(atlas.papers.values()))
    taken = set(atlas.papers) | set(atlas.bibliography)
    planned, refused = [], []
    for candidate in candidates:
        if duplicate := finder.find(candidate.title, candidate.links):
            if duplicate.existing.endswith(_IN_INPUT):
                where = duplicate.existing.removesuffix(_IN_INPUT)
                refused.append(
                    (candidate, f"'{shortened(candidate.title)}' resembles entry {where} of this input ({duplicate.reason}); keep one")
                )
            else:
                refused.append((candidate, f"'{shortened(candidate.title)}' is {duplicate}"))
            continue
        first_author = candidate.authors[0] if candidate.authors else None
        paper_id = paper_id_for(candidate.title, taken, first_author, candidate.year)
        taken.add(paper_id)
        finder.add(f"{candidate.key or candidate.where}{_IN_INPUT}", candidate.title, candidate.links)
        planned.append(Planned(candidate, paper_id, {}, ""))
    return planned, refused


def _owners(planned: list[Planned], bib_text: str) -> Callable[[Problem], Planned | None]:
    """Which new paper a problem of the written atlas belongs to: its record's, or its entry's."""
    by_path = {f"papers/{item.id}.yaml": item for item in planned}
    by_key = {item.id: item for item in planned}
    entry_at = {line: key for key, lines in entry_lines(bib_text).items() for line in lines}

    def owner(problem: Problem) -> Planned | None:
        if problem.path == "citations.bib":
            return by_key.get(entry_at.get(problem.line, ""))
        return by_path.get(problem.path)

    return owner


def _told_at_input(problem: Problem, owner: Planned | None) -> str:
    return f"{owner.candidate.where}: {problem.message}" if owner else str(problem)


def write(
    root: Path, planned: list[Planned], choices_for: list[list[Choice]], skip_invalid: bool = False, parsed: TextMemo | None = None
) -> tuple[list[str], list[str]]:
    """Write the records and their entries as one edit: validated, and undone on any problem.

    A problem is told at the input's line. With `skip_invalid`, the papers whose record or entry
    would fail the check are left out (and listed) and the others written; otherwise nothing is.
    `parsed` is the memo of the command's own check, if it made one."""
    for item, choices in zip(planned, choices_for, strict=True):
        item.record = record_for(item.candidate, choices)
        item.bibtex = item.candidate.bibtex(item.id)
    bib_path = root / "citations.bib"
    original = bib_path.read_text(encoding="utf-8") if bib_path.exists() else ""
    skipped: list[str] = []
    parsed = TextMemo() if parsed is None else parsed  # each attempt's checks parse again only what it wrote
    while planned:
        new_bib = with_entries_appended(original, [item.bibtex for item in planned])
        try:
            _write_all(root, planned, new_bib, parsed)
            return [item.id for item in planned], skipped
        except EditRefused as refused:
            owner = _owners(planned, new_bib)
            owned = [(problem, owner(problem)) for problem in refused.problems]
            if not skip_invalid or any(found is None for _, found in owned):
                lines = "\n".join(_told_at_input(problem, found) for problem, found in owned)
                raise AddRefused(f"the new records would not pass `atlas check`; nothing was written:\n{lines}") from None
            skipped += [_told_at_input(problem, found) for problem, found in owned]
            bad = {id(found) for _, found in owned}
            planned = [item for item in planned if id(item) not in bad]
    return [], skipped


def _write_all(root: Path, planned: list[Planned], new_bib: str, parsed: TextMemo) -> None:
    with atomic_edit(root, parsed) as edit:
        edit.write_all(
            {root / "papers" / f"{item.id}.yaml": dump_record(item.record) for item in planned} | {root / "citations.bib": new_bib}
        )
