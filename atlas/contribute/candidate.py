"""A paper about to be added: the facts one source gives, before it becomes a record.

Each input kind of `atlas add` (a BibTeX entry, an arXiv id, a DOI, an OpenReview link) produces a
Candidate; `atlas.add` turns it into a record and a citations.bib entry, never inventing a fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas.records.bibliography import LATEX_ESCAPE, entry_link_problems, latex_to_text, parse_bibliography
from atlas.records.bibtex_writer import typed_entry
from atlas.records.ids import ARXIV_ID, DOI, normalise_title
from atlas.records.model import BibEntry, Problem


@dataclass
class Candidate:
    title: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str | None = None
    abstract: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    bibtex_fields: dict[str, str] = field(default_factory=dict)  # raw LaTeX values for citations.bib
    where: str = ""  # e.g. refs.bib:12, for messages
    key: str = ""  # the input's own BibTeX key, where it had one

    def gives(self) -> list[str]:
        named = [("title", self.title), ("authors", self.authors), ("year", self.year), ("venue", self.venue), ("abstract", self.abstract)]
        return [name for name, value in named if value] + [f"links.{name}" for name in self.links] + (["keywords"] if self.keywords else [])

    def bibtex(self, key: str) -> str:
        """The citations.bib entry, typed by the venue as every entry is (`paper_entry`), with the input's
        other standard fields (volume, pages, publisher, ...) kept."""
        record = {"title": self.title, "authors": self.authors, "year": self.year, "venue": self.venue, "links": self.links}
        facts = {name: value for name, value in record.items() if value}
        # the input's own title and author LaTeX, as written (its casing, and LaTeX that must compile as it is)
        own = {name: self.bibtex_fields[name] for name in ("title", "author") if self.bibtex_fields.get(name)}
        return typed_entry(key, facts, self.bibtex_fields.items(), own)


def _person(name: str) -> str:
    """'Last, First' or 'First Last' from BibTeX as plain 'First Last'."""
    text = latex_to_text(name)
    if "," in text:
        last, _, first = text.partition(",")
        return f"{first.strip()} {last.strip()}".strip()
    return text


# The fields BibTeX's standard styles read (and arXiv's), kept in citations.bib; a source's own extras
# (INSPIRE's `slaccitation`, a reference manager's `file`) stay out of it.
STANDARD_FIELDS = frozenset(
    [
        "title",
        "author",
        "editor",
        "year",
        "month",
        "journal",
        "booktitle",
        "volume",
        "number",
        "pages",
        "publisher",
        "address",
        "doi",
        "eprint",
        "archiveprefix",
        "primaryclass",
        "url",
        "note",
        "howpublished",
        "school",
        "institution",
        "series",
        "edition",
        "chapter",
        "organization",
        "type",
        "isbn",
        "issn",
        "collaboration",
    ]
)
_VENUE_FIELDS = ("journal", "booktitle", "howpublished", "school", "institution", "publisher")


_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
_ARXIV_PAGE = re.compile(r"^https?://arxiv\.org/(?:abs|pdf)/([^?#]+?)(?:\.pdf)?/?$", re.I)


def paper_links(fields: dict[str, str]) -> dict[str, str]:
    """The links a BibTeX entry gives, one per document: an arXiv DOI is the arXiv listing, and a `url`
    that is the listing, the DOI or the OpenReview page already linked adds nothing."""
    links: dict[str, str] = {}
    doi_match = DOI.match(LATEX_ESCAPE.sub(r"\1", fields.get("doi", "")).strip())
    doi = doi_match.group(1) if doi_match else None
    if doi and (arxiv_doi := _ARXIV_DOI.match(doi)) and (doi_arxiv_id := ARXIV_ID.match(arxiv_doi.group(1))):
        links["arxiv"] = f"https://arxiv.org/abs/{doi_arxiv_id.group(1)}"
    elif doi:
        links["doi"] = f"https://doi.org/{doi}"
    eprint = ARXIV_ID.match(fields.get("eprint", "").strip())
    if eprint and fields.get("archiveprefix", "arxiv").lower() == "arxiv":
        links["arxiv"] = f"https://arxiv.org/abs/{eprint.group(1)}"
    url = LATEX_ESCAPE.sub(r"\1", fields.get("url", "")).strip()
    page = _ARXIV_PAGE.match(url)
    url_doi = DOI.match(url)
    if not re.match(r"^https?://\S+$", url) or (url_doi and url_doi.group(1).lower() == (doi or "").lower()):
        return links
    if "openreview.net" in url:
        links.setdefault("openreview", url)
    elif page and (page_arxiv_id := ARXIV_ID.match(page.group(1))):
        links.setdefault("arxiv", f"https://arxiv.org/abs/{page_arxiv_id.group(1)}")
    else:
        links["url"] = url
    return links


def from_bib_entry(entry: BibEntry, where: str, origin: dict[str, str]) -> Candidate:
    """The facts a BibTeX entry gives, as plain text, with its standard fields kept as LaTeX for citations.bib."""
    fields = dict(entry.fields)
    year_text = fields.get("year", "").strip()
    candidate = Candidate(
        title=latex_to_text(fields.get("title", "")),
        authors=[_person(name) for role, names in entry.persons if role.lower() == "author" for name in names],
        year=int(year_text) if year_text.isdigit() else None,
        venue=next((latex_to_text(fields[name]) for name in _VENUE_FIELDS if fields.get(name)), None),
        abstract=latex_to_text(fields["abstract"]) if fields.get("abstract") else None,
        links=paper_links(fields),
        keywords=[k.strip() for k in re.split(r"[;,]", latex_to_text(fields.get("keywords", ""))) if k.strip()],
        bibtex_fields=_bibtex_fields(entry, fields),
        where=where,
    )
    candidate.source = _source(origin, candidate.gives())
    return candidate


def _bibtex_fields(entry: BibEntry, fields: dict[str, str]) -> dict[str, str]:
    """The entry's standard fields as LaTeX (a url or doi without its escapes), the authors as BibTeX joins them."""
    kept = {
        name: LATEX_ESCAPE.sub(r"\1", value) if name in ("url", "doi") else value
        for name, value in fields.items()
        if name in STANDARD_FIELDS
    }
    raw_authors = next((names for role, names in entry.persons if role.lower() == "author"), ())
    if raw_authors:
        kept["author"] = " and ".join(raw_authors)
    return kept


def _source(origin: dict[str, str], gives: list[str]) -> dict[str, Any]:
    """Where the candidate's facts come from, as sources are written: a document as url, gives, via."""
    if "url" in origin:
        return {"url": origin["url"], "gives": gives, "via": origin["via"]}
    return {**origin, "gives": gives}


def shortened(text: str, limit: int = 80) -> str:
    """Input quoted in a message: at most `limit` characters, so a huge field is not echoed whole."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class BibInput:
    """What a .bib file gives: the entries that can become records, and every problem of the
    others, each as `input.bib:line: ...` and keyed by the entry it belongs to (None: the file)."""

    candidates: list[Candidate]
    problems: list[tuple[str | None, Problem]]


def _entry_problems(entry: BibEntry, shown: str, first_with_title: dict[str, BibEntry]) -> list[Problem]:
    problems = entry_link_problems(entry, shown)
    title = latex_to_text(entry.get("title") or "")
    if not title.strip():
        problems.append(Problem(shown, entry.line, f"entry '{entry.key}' has no title; add one or remove the entry"))
        return problems
    normalised = normalise_title(title)
    if (first := first_with_title.setdefault(normalised, entry)) is not entry:
        problems.append(
            Problem(
                shown, entry.line, f"entry '{entry.key}' repeats '{shortened(title)}' (entry '{first.key}', line {first.line}); keep one"
            )
        )
    return problems


def read_bibtex_input(path: Path, origin: dict[str, str]) -> BibInput:
    """Every entry of the file as a candidate, or the problems that keep it out: all of them at once."""
    shown = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return BibInput([], [(None, Problem(shown, 1, "not found; give the path of a .bib file"))])
    except UnicodeDecodeError:
        return BibInput([], [(None, Problem(shown, 1, "is not UTF-8 text; save it as UTF-8"))])
    entries, parse_problems = parse_bibliography(text, shown)
    keys_by_line = {entry.line: entry.key for entry in entries.values()}
    problems: list[tuple[str | None, Problem]] = [(keys_by_line.get(problem.line), problem) for problem in parse_problems]
    if not entries and not problems:
        problems.append((None, Problem(shown, 1, "holds no BibTeX entry")))
    candidates: list[Candidate] = []
    first_with_title: dict[str, BibEntry] = {}
    for entry in entries.values():
        found = _entry_problems(entry, shown, first_with_title)
        problems += [(entry.key, problem) for problem in found]
        if not found:
            candidate = from_bib_entry(entry, f"{shown}:{entry.line}", origin)
            candidate.key = entry.key
            candidates.append(candidate)
    bad_keys = {key for key, _ in problems}
    return BibInput([c for c in candidates if c.key not in bad_keys], problems)
