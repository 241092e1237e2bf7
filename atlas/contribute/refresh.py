"""`atlas refresh`: preprints that have since been published get their venue, year and DOI.

A paper qualifies when it lacks a DOI or a venue (or its venue is only a submission or a preprint)
and has an identifier to look up. arXiv says whether a preprint has a journal DOI; Crossref then
gives the published venue and year; OpenReview says whether a submission was accepted. Only facts
an API gives are written, each record names the API under `sources:`, and the whole change is one
edit: validated, reviewable with `git diff`, undone on any problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas.contribute.lookup import PaperNotFound, fetch_arxiv, fetch_crossref, fetch_openreview
from atlas.contribute.transaction import atomic_edit
from atlas.records.bibtex_writer import UNPUBLISHED, escape_latex, replace_entry, written_entry
from atlas.records.duplicates import DuplicateFinder
from atlas.records.model import PAPER_FIELDS, Atlas, Paper
from atlas.records.yamlio import dump_record, in_field_order, load_yaml_file


@dataclass
class Update:
    paper: Paper
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)

    def describe(self) -> str:
        parts = [f"{name}: {old if old is not None else '(none)'} -> {new}" for name, (old, new) in self.changes.items()]
        return f"{self.paper.path}: " + "; ".join(parts)


def needs_refresh(paper: Paper) -> bool:
    published = paper.venue and not UNPUBLISHED.search(paper.venue)
    identifiable = any(paper.link(name) for name in ("arxiv", "openreview", "doi"))
    return identifiable and not (published and paper.link("doi"))


def _propose(paper: Paper) -> Update:
    update = Update(paper)

    def offer(name: str, new: Any, current: Any) -> None:
        if new and new != current:
            update.changes[name] = (current, new)

    doi = paper.link("doi")
    if (arxiv := paper.link("arxiv")) and not doi:
        preprint = fetch_arxiv(arxiv)
        doi = preprint.links.get("doi")
        if doi:
            offer("links.doi", doi, None)
            from_arxiv = {"api": "arxiv", "url": preprint.source["url"], "gives": ["links.doi"]}
            update.sources.append(from_arxiv)
            if not add_published_facts(update, doi, paper) and preprint.venue:
                offer("venue", preprint.venue, paper.venue)  # the journal reference arXiv records
                from_arxiv["gives"].append("venue")
    elif doi:
        add_published_facts(update, doi, paper)
    if (openreview := paper.link("openreview")) and "venue" not in update.changes:
        note = fetch_openreview(openreview)
        if note.venue and not UNPUBLISHED.search(note.venue):
            offer("venue", note.venue, paper.venue)
            offer("year", note.year, paper.year)
            if update.changes:
                update.sources.append(
                    {"api": "openreview", "url": note.source["url"], "gives": [n for n in ("venue", "year") if n in update.changes]}
                )
    return update


def add_published_facts(update: Update, doi: str, paper: Paper) -> bool:
    """Adds the venue and year Crossref gives to `update`; False where Crossref does not know the DOI."""
    try:
        work = fetch_crossref(doi)
    except PaperNotFound:
        return False
    gives = []
    for name, new, current in (("venue", work.venue, paper.venue), ("year", work.year, paper.year)):
        if new and new != current:
            update.changes[name] = (current, new)
            gives.append(name)
    if gives:
        update.sources.append({"api": "crossref", "url": work.source["url"], "gives": gives})
    return bool(work.venue)


def propose_updates(atlas: Atlas) -> tuple[list[Update], list[str]]:
    """Updates for every paper that qualifies, and notes on papers the APIs did not know or whose DOI
    another record holds (atlas.records.duplicates).

    A transport failure (offline, a timeout, an HTTP error) propagates as LookupFailed: a refresh
    either sees every answer or writes nothing."""
    updates, unknown = [], []
    finder = DuplicateFinder(list(atlas.papers.values()))
    for paper in atlas.papers.values():
        if not needs_refresh(paper):
            continue
        try:
            update = _propose(paper)
        except PaperNotFound as missing:
            unknown.append(f"not found: {paper.path}: {missing}")
            continue
        doi = update.changes.get("links.doi", (None, None))[1]
        held = finder.holder({"doi": doi}, exclude=paper.path) if doi else None
        if held is not None:  # the published version has a record of its own: two records, one paper
            unknown.append(f"left as it is: {paper.path}: its DOI {doi} is {held}; merge the two records by hand")
        elif update.changes:
            updates.append(update)
    return updates, unknown


def apply_updates(root: Path, atlas: Atlas, updates: list[Update]) -> None:
    bib_path = root / "citations.bib"
    bib_text = bib_path.read_text(encoding="utf-8")
    with atomic_edit(root) as edit:
        for update in updates:
            path = root / update.paper.path
            record, _ = load_yaml_file(path, update.paper.path)
            record = dict(record)
            for name, (_, new) in update.changes.items():
                if name.startswith("links."):
                    record["links"] = {**(record.get("links") or {}), name.split(".", 1)[1]: new}
                else:
                    record[name] = new
            record["sources"] = list(record.get("sources") or []) + update.sources
            edit.write(path, dump_record(in_field_order(record, PAPER_FIELDS)))
            entry = atlas.bibliography.get(update.paper.id)
            if entry is not None:
                source = entry.source
                if "year" in update.changes:
                    source.fields["year"] = str(update.changes["year"][1])
                if "venue" in update.changes:
                    target = "journal" if "journal" in source.fields else "booktitle" if "booktitle" in source.fields else "howpublished"
                    source.fields[target] = escape_latex(update.changes["venue"][1])
                if "links.doi" in update.changes:
                    source.fields["doi"] = update.changes["links.doi"][1].removeprefix("https://doi.org/")
                bib_text = replace_entry(bib_text, entry.key, written_entry(entry.key, source))
        edit.write(bib_path, bib_text)
