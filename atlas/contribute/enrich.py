"""`atlas enrich`: facts found in public material fill the fields that records lack, with their sources.

The input is a file of found facts, either YAML (one item per paper, each fact backed by the
sources that gave it: see scripts/facts/README.md) or BibTeX with one `--source URL` for every entry.
An item is matched to a record by its `paper:` id, else by DOI, arXiv or OpenReview id, else by
the exact normalised title. Only absent fields are filled (and a venue that says only "submission" or "preprint", which
gives way to the published venue a source reports); curated fields (challenges, why lines,
abstracts) and facts already present are never touched; every record that gains a fact gains the
sources that gave it. The whole change is one edit: validated, undone on any problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas.contribute.candidate import from_bib_entry, shortened
from atlas.contribute.transaction import atomic_edit
from atlas.records.bibliography import latex_to_text, parse_bibliography
from atlas.records.bibtex_writer import UNPUBLISHED, paper_entry, protected, replace_entry, written_entry
from atlas.records.duplicates import DuplicateFinder
from atlas.records.facts import FACT_NAMES, facts_held, http_url
from atlas.records.ids import normalise_title
from atlas.records.model import PAPER_FIELDS, Atlas, Paper, Problem
from atlas.records.yamlio import LineList, LineMap, dump_record, in_field_order, load_yaml_file

ENRICHABLE = ("authors", "year", "venue", "abstract", "links.arxiv", "links.doi", "links.openreview", "links.code", "links.url")
_ITEM_FIELDS = ("paper", "entry", "title", "authors", "year", "venue", "abstract", "links", "sources", "note")


@dataclass
class Found:
    """The facts one input item gives for one paper, and the sources that gave them."""

    where: str  # input.yaml:12, for messages
    paper: str | None
    title: str | None
    facts: dict[str, Any]  # fact name (authors, year, venue, links.arxiv, ...) -> value
    sources: list[dict[str, Any]]
    entry: str | None = None  # a citations.bib entry (a survey reference) whose title's casing a source gives


@dataclass(frozen=True)
class TitleChange:
    """A citations.bib entry's title as the published record writes it (the same words, its own casing)."""

    key: str
    old: str
    new: str
    url: str

    def describe(self) -> str:
        return f"citations.bib: {self.key}: title -> {self.new}"


@dataclass
class Plan:
    records: list[Change]
    titles: list[TitleChange]
    unmatched: list[str]


@dataclass
class Change:
    """What enriching one record adds: fact name -> new value, and the sources backing them."""

    paper: Paper
    added: dict[str, Any] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> str:
        return f"{self.paper.path}: + " + ", ".join(self.added)


def _are_names(authors: Any) -> bool:
    return isinstance(authors, list) and bool(authors) and all(isinstance(name, str) and name.strip() for name in authors)


def _names(authors: list[str]) -> list[str]:
    return [" ".join(name.split()) for name in authors]


def _is_year(year: Any) -> bool:
    return isinstance(year, int) and not isinstance(year, bool) and 1900 <= year <= 2100


def _is_text(text: Any) -> bool:
    return isinstance(text, str) and bool(text.strip())


# The facts an item gives as plain fields: name, whether a value is well formed, the value as recorded, the problem otherwise.
_PLAIN_FACTS: tuple[tuple[str, Callable[[Any], bool], Callable[[Any], Any], str], ...] = (
    ("authors", _are_names, _names, "'authors' must be a list of names ('Given Family')"),
    ("year", _is_year, lambda year: year, "'year' must be a whole year"),
    ("venue", _is_text, str.strip, "'venue' must be text"),
    ("abstract", _is_text, str.strip, "'abstract' must be the authors' text, verbatim"),  # verbatim, as the source gives it
)


def _facts_of(item: LineMap, shown: str, problems: list[Problem]) -> dict[str, Any]:
    """The facts the item gives (fact name -> value); a problem at its line for each malformed one."""
    facts: dict[str, Any] = {}
    for name, well_formed, recorded, problem in _PLAIN_FACTS:
        value = item.get(name)
        if value is None:
            continue
        if well_formed(value):
            facts[name] = recorded(value)
        else:
            problems.append(Problem(shown, item.line_of(name), problem))
    links = item.get("links")
    if isinstance(links, LineMap):
        facts.update(_link_facts(links, shown, problems))
    elif links is not None:
        problems.append(Problem(shown, item.line_of("links"), "'links' must be a mapping (arxiv: URL, ...)"))
    return facts


def _link_facts(links: LineMap, shown: str, problems: list[Problem]) -> dict[str, str]:
    """The item's links as facts (`links.arxiv` -> URL); a problem for each unknown kind or non-http(s) URL."""
    facts = {}
    for name, url in links.items():
        line = links.line_of(name)
        if f"links.{name}" not in ENRICHABLE:
            problems.append(Problem(shown, line, f"unknown link '{name}'; use one of arxiv, doi, openreview, code, url"))
        elif (good := http_url(url)) is None:
            problems.append(Problem(shown, line, f"link '{name}' must be an http(s) URL, got {str(url)[:60]!r}"))
        else:
            facts[f"links.{name}"] = good
    return facts


def _sources_of(item: LineMap, shown: str, facts: dict[str, Any], problems: list[Problem]) -> list[dict[str, Any]]:
    sources = item.get("sources")
    if not isinstance(sources, LineList) or not sources:
        if facts:
            problems.append(Problem(shown, item.line, "facts without 'sources'; name the public document that gave each fact"))
        return []
    found, given = [], set()
    for source, line in zip(sources, sources.item_lines, strict=False):
        if not isinstance(source, LineMap) or http_url(source.get("url")) is None:
            problems.append(Problem(shown, line, "a source needs 'url': the http(s) address of the public document"))
            continue
        gives = source.get("gives")
        if not isinstance(gives, list) or not gives or any(name not in FACT_NAMES for name in gives):
            problems.append(Problem(shown, source.line_of("gives"), f"'gives' must list facts, from: {', '.join(ENRICHABLE)}"))
            continue
        if not isinstance(source.get("via"), str) or not source["via"].strip():
            problems.append(Problem(shown, line, "a source needs 'via': how the document's facts were read (which citations, which page)"))
            continue
        for name in gives:
            if name not in facts:
                problems.append(Problem(shown, source.line_of("gives"), f"the source gives '{name}', but the item has no {name}"))
        given.update(gives)
        found.append({"url": source["url"].strip(), "gives": list(gives), "via": " ".join(source["via"].split())})
    for name in facts:
        if name not in given:
            problems.append(Problem(shown, item.line, f"no source gives '{name}'; name it in the 'gives' of its source"))
    return found


def read_found_yaml(path: Path) -> tuple[list[Found], list[Problem]]:
    """Every item of a found-facts YAML file, and every problem in it (all of them, with lines)."""
    shown = str(path)
    data, problems = load_yaml_file(path, shown)
    if data is None:
        return [], problems
    if not isinstance(data, LineList):
        return [], [*problems, Problem(shown, 1, "must be a list of items (- paper: id ...)")]
    found = []
    for item, line in zip(data, data.item_lines, strict=False):
        if not isinstance(item, LineMap):
            problems.append(Problem(shown, line, "each item must be a mapping (paper:, authors:, ..., sources:)"))
            continue
        for key in item:
            if key not in _ITEM_FIELDS:
                problems.append(Problem(shown, item.line_of(key), f"unknown field '{key}'; known fields: {', '.join(_ITEM_FIELDS)}"))
        facts = _facts_of(item, shown, problems)
        if isinstance(item.get("entry"), str) and isinstance(item.get("title"), str):
            facts["title"] = " ".join(item["title"].split())
        sources = _sources_of(item, shown, facts, problems)
        if isinstance(entry := item.get("entry"), str):
            found.append(Found(f"{shown}:{line}", None, facts.get("title"), facts, sources, entry))
            continue
        paper, title = item.get("paper"), item.get("title")
        if not (isinstance(paper, str) or isinstance(title, str)):
            problems.append(Problem(shown, line, "an item names its record: 'paper: <id>' or 'title: <exact title>'"))
            continue
        paper_id, exact_title = (value if isinstance(value, str) else None for value in (paper, title))
        found.append(Found(f"{shown}:{line}", paper_id, exact_title, facts, sources))
    return found, problems


def read_found_bibtex(path: Path, url: str) -> tuple[list[Found], list[Problem]]:
    """Every entry of a BibTeX file as found facts, all from the one public document at `url`."""
    shown = str(path)
    if http_url(url) is None:
        return [], [Problem(shown, 1, f"--source must be the http(s) address of the public document, got {url[:60]!r}")]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return [], [Problem(shown, 1, "cannot be read as UTF-8 text; give the path of a .bib file")]
    entries, problems = parse_bibliography(text, shown)
    found = []
    for entry in entries.values():
        candidate = from_bib_entry(entry, f"{shown}:{entry.line}", {"contributor": ""})
        facts: dict[str, Any] = {name: value for name, value in (("authors", candidate.authors), ("year", candidate.year)) if value}
        if candidate.venue:
            facts["venue"] = candidate.venue
        facts.update({f"links.{name}": link for name, link in candidate.links.items() if f"links.{name}" in ENRICHABLE})
        via = f"BibTeX entry '{entry.key}' of this document"
        sources = [{"url": url, "gives": list(facts), "via": via}] if facts else []
        found.append(Found(candidate.where, None, candidate.title, facts, sources))
    return found, problems


_CODE_WORDS = re.compile(r"\b(code|implementation|open-source|open-sourced|repository|released)\b", re.I)
_CODE_URL = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com)/[\w.-]+/[\w-]+(?:\.[\w-]+)*", re.I)


def code_links_in_abstracts(atlas: Atlas) -> list[Found]:
    """The code repositories the authors name in their abstracts ("Our code is available at
    https://github.com/..."), each given by the seed the abstract came from."""
    found = []
    for paper in atlas.papers.values():
        seed = next((source.seed for source in paper.sources if source.seed and "abstract" in source.gives), None)
        if not (seed and paper.abstract) or paper.link("code"):
            continue
        text = " ".join(paper.abstract.split())
        for url in _CODE_URL.finditer(text):
            sentence = re.split(r"[.!?] ", text[: url.start()])[-1]  # the words before the address, in its sentence
            if _CODE_WORDS.search(sentence) and "anonymous" not in url.group(0).lower():
                code = url.group(0).replace("http://", "https://").replace("://www.", "://")
                found.append(Found(paper.path, paper.id, None, {"links.code": code}, [{"seed": seed, "gives": ["links.code"]}]))
                break
    return found


def _matcher(atlas: Atlas) -> Callable[[Found], Paper | None]:
    """Finds the record an item is about: by its id, else as atlas.records.duplicates finds a paper
    already here (DOI, arXiv or OpenReview id, then the exact normalised title; never a near title)."""
    finder = DuplicateFinder(list(atlas.papers.values()))
    by_path = {paper.path: paper for paper in atlas.papers.values()}

    def match(found: Found) -> Paper | None:
        if found.paper:
            return atlas.papers.get(found.paper)
        links = {name.removeprefix("links."): value for name, value in found.facts.items() if name.startswith("links.")}
        duplicate = finder.find(found.title or "", links, fuzzy=False)
        return by_path[duplicate.existing] if duplicate else None

    return match


def _title_change(atlas: Atlas, item: Found) -> TitleChange | str | None:
    """The entry's new title, None where it is already written so, or why it cannot change."""
    entry = atlas.bibliography.get(item.entry or "")
    if entry is None:
        return f"{item.where}: citations.bib has no entry '{item.entry}'"
    old, new = entry.get("title") or "", item.facts.get("title") or ""
    if normalise_title(latex_to_text(old)) != normalise_title(new):
        return f"{item.where}: '{shortened(new)}' has other words than the title of '{entry.key}'; only its casing may change"
    url = next((source["url"] for source in item.sources if "title" in source["gives"] and "url" in source), None)
    if latex_to_text(old).strip("{}") == new or url is None:
        return None
    return TitleChange(entry.key, old, new, url)


def plan(atlas: Atlas, items: list[Found]) -> Plan:
    """The changes the items make (absent fields only), and a note for each item that matched nothing."""
    match = _matcher(atlas)
    changes: dict[str, Change] = {}
    titles: list[TitleChange] = []
    unmatched = []
    for item in items:
        if item.entry:
            if isinstance(title := _title_change(atlas, item), str):
                unmatched.append(title)
            elif title is not None:
                titles.append(title)
            continue
        paper = match(item)
        if paper is None:
            unmatched.append(f"{item.where}: no record matches '{item.paper or item.title}'")
            continue
        _add_absent_facts(changes.setdefault(paper.id, Change(paper)), item)
    return Plan([change for change in changes.values() if change.added], titles, unmatched)


def _add_absent_facts(change: Change, item: Found) -> None:
    """The item's facts that the paper (with what the change already adds) lacks, each with the sources that gave it."""
    paper = change.paper
    held = set(facts_held(_record_of(paper))) | set(change.added)
    if paper.venue and UNPUBLISHED.search(paper.venue) and not UNPUBLISHED.search(item.facts.get("venue") or "submission"):
        held.discard("venue")  # "ICLR 2024 submission" gives way to the decision a source reports
    new = {name: value for name, value in item.facts.items() if name in ENRICHABLE and name not in held}
    if not new:
        return
    change.added.update(new)
    for source in item.sources:
        gives = [name for name in source["gives"] if name in new]
        if gives:
            change.sources.append({**source, "gives": gives})


def _record_of(paper: Paper) -> dict[str, Any]:
    """The facts of a validated paper in the record's own shape (enough for facts_held)."""
    return {
        "title": paper.title, "authors": list(paper.authors), "year": paper.year, "venue": paper.venue, "abstract": paper.abstract,
        "links": dict(paper.links),
    }  # fmt: skip


def enriched_record(record: dict[str, Any], change: Change) -> dict[str, Any]:
    """The record with the change's facts and sources; a replaced venue leaves the 'gives' of the
    sources that gave the old one."""
    record = dict(record)
    if "venue" in change.added and record.get("venue"):
        record["sources"] = [
            {**source, "gives": [name for name in source.get("gives", []) if name != "venue"]} for source in record.get("sources") or []
        ]
    for name, value in change.added.items():
        if name.startswith("links."):
            record["links"] = {**(record.get("links") or {}), name.split(".", 1)[1]: value}
        else:
            record[name] = value
    record["sources"] = [*(record.get("sources") or []), *change.sources]
    return in_field_order(record, PAPER_FIELDS)


def enriched_entry(entry: Any, record: dict[str, Any], key: str, replaced_venue: bool) -> str | None:
    """The citations.bib entry with the fields the record now gives, where the entry lacked them, or None
    when it lacked none (an entry the change leaves as it is is not rewritten).

    A `@misc` entry takes the type the venue calls for (paper_entry decides); a replaced venue
    replaces the entry's venue fields; every other field the entry had stays."""
    built = parse_bibliography(paper_entry(key, record), "(built)")[0][key].source
    source = entry.source
    changed = replaced_venue
    if replaced_venue:
        for name in ("howpublished", "booktitle", "journal", "note"):
            source.fields.pop(name, None)
    if source.type.lower() == "misc" and built.type != "misc":
        source.type = built.type
        source.fields.pop("howpublished", None)
        changed = True
    present = {name.lower() for name in source.fields}
    for name, value in built.fields.items():
        if name.lower() not in present:
            source.fields[name] = value
            changed = True
    if "author" not in {role.lower() for role in source.persons} and "author" in built.persons:
        source.persons["author"] = built.persons["author"]
        changed = True
    return written_entry(key, source) if changed else None


def retitled_entry(entry: Any, change: TitleChange) -> str:
    """The entry with the published title, its casing kept by braces, and `titlesource` naming where it is from."""
    source = entry.source
    source.fields["title"] = protected(change.new)
    source.fields["titlesource"] = change.url
    return written_entry(entry.key, source)


def apply(root: Path, atlas: Atlas, plan: Plan) -> None:
    """Write every change and the matching citations.bib entries as one validated edit."""
    bib_path = root / "citations.bib"
    bib_text = bib_path.read_text(encoding="utf-8")
    with atomic_edit(root) as edit:
        for title in plan.titles:
            bib_text = replace_entry(bib_text, title.key, retitled_entry(atlas.bibliography[title.key], title))
        for change in plan.records:
            path = root / change.paper.path
            record, _ = load_yaml_file(path, change.paper.path)
            record = enriched_record(dict(record), change)
            edit.write(path, dump_record(record))
            if (entry := atlas.bibliography.get(change.paper.id)) is not None:
                replaced_venue = "venue" in change.added and bool(change.paper.venue)
                if (text := enriched_entry(entry, record, entry.key, replaced_venue)) is not None:
                    bib_text = replace_entry(bib_text, entry.key, text)
        edit.write(bib_path, bib_text)
