"""`atlas add --records FILE`: whole paper records found in public documents, added as one edit.

The file is a YAML list of records in the papers/ form (facts, sources, abstract, challenges). An item
may also name
- `key:` an entry citations.bib already holds (a reference the survey gives in full): the record takes
  that key as its id and keeps the entry;
- `survey_ref:` N with `survey_evidence:` the survey citation number the survey's text names this work
  by, and where (in our words): its entry records both (`surveyref`, `surveyidentified`), and every
  challenge that cites N points at it;
or be `{existing: <paper id>, survey_ref: N, survey_evidence: ...}`: the same identification for a
paper the atlas already has. Every problem of the input is reported at once at its line, and nothing
is written unless the whole atlas still passes `atlas check`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas.contribute.transaction import atomic_edit
from atlas.records.bibtex_writer import (
    entry_from_record,
    escape_latex,
    paper_entry,
    replace_entry,
    with_entries_appended,
    with_fields_added,
)
from atlas.records.duplicates import Duplicate, DuplicateFinder
from atlas.records.ids import paper_id_for
from atlas.records.model import PAPER_FIELDS, Atlas
from atlas.records.yamlio import LineList, LineMap, dump_record, in_field_order, load_yaml_file

INPUT_ONLY = ("key", "survey_ref", "survey_evidence")  # what an item may hold besides a record's fields


@dataclass
class _Plan:
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # new paper id -> record
    entries: list[str] = field(default_factory=list)  # new citations.bib entries
    identified: dict[str, tuple[int, str]] = field(default_factory=dict)  # entry key -> (survey number, evidence)
    rewritten: dict[str, str] = field(default_factory=dict)  # entry key -> the entry made from its new record
    problems: list[str] = field(default_factory=list)


def _identification(item: LineMap, shown: str, plan: _Plan, numbers: dict[int, str]) -> tuple[int, str] | None:
    """The item's (survey number, evidence), None without one; a problem when it is malformed or taken."""
    number, evidence = item.get("survey_ref"), item.get("survey_evidence")
    if number is None and evidence is None:
        return None
    if not isinstance(number, int) or not 1 <= number <= 256 or not isinstance(evidence, str) or not evidence.strip():
        plan.problems.append(f"{shown}:{item.line_of('survey_ref')}: an identification needs 'survey_ref' (1-256) and 'survey_evidence'")
        return None
    if number in numbers:
        plan.problems.append(f"{shown}:{item.line_of('survey_ref')}: survey reference {number} is already '{numbers[number]}'")
        return None
    return number, " ".join(evidence.split())


def _declared_different(item: LineMap, duplicate: Duplicate) -> bool:
    """A near title (not the same title or identifier) of a record the item names under `not_duplicate_of`."""
    return "similar" in duplicate.reason and Path(duplicate.existing).stem in (item.get("not_duplicate_of") or [])


@dataclass
class _Planning:
    """What planning reads and grows item by item: the records met so far, the ids and survey numbers taken."""

    atlas: Atlas
    shown: str
    finder: DuplicateFinder
    taken: set[str]  # paper ids and citations.bib keys
    numbers: dict[int, str]  # survey number -> the entry key it names
    plan: _Plan = field(default_factory=_Plan)

    def problem(self, line: int, message: str) -> None:
        self.plan.problems.append(f"{self.shown}:{line}: {message}")

    def identify(self, key: str, identified: tuple[int, str]) -> None:
        """The entry `key` is the one the survey cites as number identified[0]."""
        self.plan.identified[key] = identified
        self.numbers[identified[0]] = key


def _plan(atlas: Atlas, items: list[LineMap], shown: str) -> _Plan:
    numbers = {number: entry.key for number, entry in atlas.entry_for_number().items()}
    planning = _Planning(atlas, shown, DuplicateFinder(list(atlas.papers.values())), set(atlas.papers) | set(atlas.bibliography), numbers)
    for item in items:
        _plan_item(planning, item)
    return planning.plan


def _plan_item(planning: _Planning, item: LineMap) -> None:
    """One item: a new record, or an identification of a paper the atlas has (`existing:`); or its problems."""
    unknown = [name for name in item if name not in PAPER_FIELDS and name not in (*INPUT_ONLY, "existing")]
    if unknown:
        planning.problem(item.line_of(unknown[0]), f"unknown field '{unknown[0]}'; known: {', '.join(PAPER_FIELDS)}")
        return
    identified = _identification(item, planning.shown, planning.plan, planning.numbers)
    if "existing" not in item:
        _plan_record(planning, item, identified)
    elif item["existing"] not in planning.atlas.papers or identified is None:
        planning.problem(item.line, "'existing' must name a paper of the atlas, with 'survey_ref' and 'survey_evidence'")
    else:
        planning.identify(item["existing"], identified)


def _plan_record(planning: _Planning, item: LineMap, identified: tuple[int, str] | None) -> None:
    """A new record, unless it duplicates one or names a `key:` citations.bib does not hold for it."""
    atlas, plan = planning.atlas, planning.plan
    title, links = str(item.get("title") or ""), dict(item.get("links") or {})
    if (duplicate := planning.finder.find(title, links)) and not _declared_different(item, duplicate):
        planning.problem(item.line, f"'{title[:60]}' is {duplicate}")
        return
    record = in_field_order({name: value for name, value in item.items() if name not in INPUT_ONLY}, PAPER_FIELDS)
    key = item.get("key")
    if key is not None and (key not in atlas.bibliography or key in atlas.papers):
        planning.problem(item.line_of("key"), f"'key' must name a citations.bib entry no record has; '{key}' is not one")
        return
    if key is not None:  # the survey's entry, made anew from the record's facts, keeps its number
        paper_id = str(key)
        plan.rewritten[paper_id] = entry_from_record(paper_id, record, atlas.bibliography[paper_id])
    else:
        authors = item.get("authors") or []
        paper_id = paper_id_for(title, planning.taken, authors[0] if authors else None, item.get("year"))
        plan.entries.append(paper_entry(paper_id, record))
    if identified:
        planning.identify(paper_id, identified)
    planning.taken.add(paper_id)
    planning.finder.add(f"{planning.shown}:{item.line}", title, links, tuple(item.get("also_titled") or ()))
    plan.records[paper_id] = record


def _challenges_citing(atlas: Atlas, identified: dict[str, tuple[int, str]]) -> dict[Path, dict[str, Any]]:
    """The challenge records with `key:` added to each reference whose number is newly identified."""
    key_for = {number: key for key, (number, _) in identified.items()}
    changed = {}
    for challenge in atlas.challenges.values():
        if not any(reference.number in key_for for reference in challenge.references):
            continue
        path = atlas.root / challenge.path
        data, _ = load_yaml_file(path, challenge.path)
        record = dict(data)
        record["references"] = [
            {**dict(reference), "key": key_for[reference["n"]]} if reference["n"] in key_for else dict(reference)
            for reference in record["references"]
        ]
        changed[path] = record
    return changed


def add_records(root: Path, atlas: Atlas, path: Path) -> tuple[list[str], list[str]]:
    """The ids added, or (nothing added) every problem of the input or of the atlas it would make."""
    shown = str(path)
    data, read_problems = load_yaml_file(path, shown)
    if data is None:
        return [], [str(problem) for problem in read_problems]
    if not isinstance(data, LineList) or not all(isinstance(item, LineMap) for item in data):
        return [], [f"{shown}:1: must be a YAML list of paper records (- title: ...)"]
    plan = _plan(atlas, list(data), shown)
    if plan.problems or read_problems:
        return [], [*map(str, read_problems), *plan.problems]
    bib_path = root / "citations.bib"
    original = bib_path.read_text(encoding="utf-8")
    bibliography = with_entries_appended(original, plan.entries) if plan.entries else original
    for key, entry in plan.rewritten.items():
        bibliography = replace_entry(bibliography, key, entry)
    for key, (number, evidence) in plan.identified.items():
        bibliography = with_fields_added(bibliography, key, [("surveyref", str(number)), ("surveyidentified", escape_latex(evidence))])
    with atomic_edit(root) as edit:
        for paper_id, record in plan.records.items():
            edit.write(root / "papers" / f"{paper_id}.yaml", dump_record(record))
        for challenge_path, record in _challenges_citing(atlas, plan.identified).items():
            edit.write(challenge_path, dump_record(record))
        if bibliography != original:
            edit.write(bib_path, bibliography)
    return list(plan.records), []
