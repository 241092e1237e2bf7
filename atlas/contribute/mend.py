"""`atlas mend-sources FILE`: sources rewritten to name the documents their facts were read in.

A source must be the public document a fact was actually read in. Older records named the paper's own
page (its arXiv listing, say) while the facts were read in other documents that only a search tool's
internal ids identified. Each item of FILE names a record, the `url` of such a source (`replaces:`),
and the documents found since that give the same facts (`sources:`); the old source gives way to
them. Facts that no document re-confirmed (`unconfirmed:`) are taken out of the record with it,
since nothing a reader can follow backs them any more. One validated edit, every problem at its line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas.contribute.transaction import atomic_edit
from atlas.records.bibtex_writer import entry_from_record, replace_entry
from atlas.records.facts import FACT_NAMES, facts_held
from atlas.records.model import PAPER_FIELDS, Atlas
from atlas.records.yamlio import LineList, LineMap, dump_record, in_field_order, load_yaml_file

_ITEM_FIELDS = ("paper", "replaces", "sources", "unconfirmed", "note")
FACTS = set(FACT_NAMES)


@dataclass
class Mending:
    paper: str
    replaces: str
    sources: list[dict[str, Any]]
    unconfirmed: list[str]


def read_mendings(path: Path) -> tuple[list[Mending], list[str]]:
    """The items of FILE, and every problem of it as `path:line: message`."""
    shown = str(path)
    data, read_problems = load_yaml_file(path, shown)
    problems = [str(problem) for problem in read_problems]
    if data is None:
        return [], problems
    if not isinstance(data, LineList) or not all(isinstance(item, LineMap) for item in data):
        return [], [*problems, f"{shown}:1: must be a YAML list of {{paper, replaces, sources, unconfirmed}}"]
    found = []
    for item in data:
        problem = _item_problem(item)
        if problem:
            problems.append(f"{shown}:{item.line}: {problem}")
            continue
        sources = item.get("sources") or []
        found.append(Mending(str(item["paper"]), str(item["replaces"]), [dict(s) for s in sources], list(item.get("unconfirmed") or [])))
    return found, problems


def _item_problem(item: LineMap) -> str | None:
    """What is wrong with one item of FILE, or None: an unknown field, or a missing or malformed one."""
    unknown = [name for name in item if name not in _ITEM_FIELDS]
    if unknown:
        return f"unknown field '{unknown[0]}'"
    well_formed = all(_is_new_source(source) for source in item.get("sources") or [])
    if not item.get("paper") or not item.get("replaces") or not well_formed:
        return "each item needs paper, replaces and sources ({url, gives, via})"
    return None


def _is_new_source(source: Any) -> bool:
    """A new source names its document (`url`), how it was read (`via`) and only facts the atlas knows (`gives`)."""
    return isinstance(source, dict) and bool(source.get("url")) and bool(source.get("via")) and set(source.get("gives") or []) <= FACTS


def _mended(record: dict[str, Any], mending: Mending) -> tuple[dict[str, Any], str | None]:
    """The record with the old source replaced and its unconfirmed facts removed, or why it cannot be.

    The old sources are those at the `replaces` url whose facts the mending accounts for (several
    sources may share a url: each item replaces the ones it covers)."""
    given = {name for source in mending.sources for name in source["gives"]}
    accounted = given | set(mending.unconfirmed)
    old = [s for s in record["sources"] if s.get("url") == mending.replaces and set(s.get("gives", [])) <= accounted]
    if not old:
        return record, f"has no source at {mending.replaces} whose facts {sorted(accounted)} account for"
    covered = {name for source in old for name in source.get("gives", [])}
    if not given <= covered or not covered <= accounted:
        return record, f"the new sources give {sorted(given)}, the old one gave {sorted(covered)} (unconfirmed: {mending.unconfirmed})"
    record = _without_facts(record, set(mending.unconfirmed) & covered)
    record["sources"] = _sources_replaced(record, old, mending.sources)
    return in_field_order({k: v for k, v in record.items() if v is not None}, PAPER_FIELDS), None


def _without_facts(record: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """A copy of the record with the facts `names` set to None (a `links.kind` fact: that link taken out)."""
    record = dict(record)
    for name in names:
        if name.startswith("links."):
            links = {k: v for k, v in (record.get("links") or {}).items() if k != name.removeprefix("links.")}
            record["links"] = links or None
        else:
            record[name] = None
    return record


def _sources_replaced(record: dict[str, Any], old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The record's sources but the `old` ones, each giving only facts the record still holds, then the `new` ones."""
    held = set(facts_held({k: v for k, v in record.items() if v is not None}))
    kept = [{**s, "gives": [g for g in s.get("gives", []) if g in held]} for s in record["sources"] if not any(s is o for o in old)]
    return _merged([s for s in kept if s["gives"]] + [{"url": s["url"], "gives": s["gives"], "via": s["via"]} for s in new])


def _merged(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One source per document and reading: the facts of two with the same url and via together."""
    merged: dict[tuple[Any, ...], dict[str, Any]] = {}
    for source in sources:
        key = (source.get("url"), source.get("seed"), source.get("contributor"), source.get("api"), source.get("via"))
        if key in merged:
            merged[key]["gives"] = list(dict.fromkeys([*merged[key]["gives"], *source["gives"]]))
        else:
            merged[key] = dict(source)
    return list(merged.values())


def mend(root: Path, atlas: Atlas, mendings: list[Mending], shown: str) -> tuple[int, list[str]]:
    """Apply every mending as one edit; (sources replaced, problems) — nothing is written on a problem."""
    records: dict[str, dict[str, Any]] = {}
    problems = []
    for mending in mendings:
        paper = atlas.papers.get(mending.paper)
        if paper is None:
            problems.append(f"{shown}: '{mending.paper}' is no paper of the atlas")
            continue
        record = records.get(paper.id) or dict(load_yaml_file(root / paper.path, paper.path)[0])
        record, why = _mended(record, mending)
        if why:
            problems.append(f"{shown}: {paper.path} {why}")
        records[paper.id] = record
    if problems:
        return 0, problems
    bib_path = root / "citations.bib"
    bib_text = bib_path.read_text(encoding="utf-8")
    with atomic_edit(root) as edit:
        for paper_id, record in records.items():
            edit.write(root / atlas.papers[paper_id].path, dump_record(record))
            if any(m.unconfirmed for m in mendings if m.paper == paper_id) and paper_id in atlas.bibliography:
                bib_text = replace_entry(bib_text, paper_id, entry_from_record(paper_id, record, atlas.bibliography[paper_id]))
        edit.write(bib_path, bib_text)
    return len(mendings), []
