"""BibTeX files for readers: the whole bibliography and reading lists, in plain ASCII LaTeX.

Records keep Unicode (Schölkopf, λ); classic BibTeX and LaTeX do not read it everywhere, so each
non-ASCII character is written as its LaTeX command ({\\"o}, $\\lambda$) in the exported files.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import latexcodec  # noqa: F401 - registers the 'latex' codec
from pybtex.database import Entry, Person

from atlas.records.bibliography import latex_to_text
from atlas.records.bibtex_writer import entry_type_for, escape_latex, venue_fields, written_entry
from atlas.records.model import BibEntry, Paper
from atlas.records.names import inverted_name

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def to_latex_ascii(text: str) -> str:
    """The text with each non-ASCII character as its LaTeX command ("?" if it has none).

    Most entries are ASCII already; the others repeat a few characters, each encoded once."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda match: _latex_for(match.group(0)), text)


@cache
def _latex_for(character: str) -> str:
    try:
        encoded = character.encode("latex").decode("ascii")
    except (UnicodeEncodeError, UnicodeDecodeError):
        encoded = "?"
    if encoded.startswith("\\k"):  # the ogonek needs the T1 font encoding, which a plain document lacks: its letter
        encoded = unicodedata.normalize("NFD", character)[0]
    return encoded if encoded.startswith("$") else "{" + encoded + "}"


def _with_sort_key(entry: BibEntry) -> Entry:
    """BibTeX sorts by author; an entry without one gets the standard `key` field (its title)."""
    source = entry.source
    if source.persons or "key" in source.fields:
        return source
    copy = source.__class__(source.type, fields=dict(source.fields), persons=source.persons)
    copy.fields["key"] = escape_latex(latex_to_text(source.fields.get("title", entry.key)))
    return copy


# A paper's facts as its record gives them: authors, year and venue.
PaperFacts = tuple[tuple[str, ...], int | None, str | None]
_VENUE_FIELDS = ("howpublished", "booktitle", "journal")


def paper_facts(paper: Paper) -> PaperFacts:
    return paper.authors, paper.year, paper.venue


def _as_recorded(source, facts: PaperFacts):
    """A paper's entry with the record's authors (each family name whole, atlas.records.names) and the
    entry type its venue's kind calls for (atlas.records.venue_kinds); other fields as citations.bib has them."""
    authors, year, venue = facts
    copy = source.__class__(source.type, fields=dict(source.fields), persons=dict(source.persons))
    if authors:
        copy.persons["author"] = [Person(escape_latex(inverted_name(name))) for name in authors]
    kind, venue_field = entry_type_for(venue, bool(authors) and bool(year))
    if venue and kind != copy.type.lower() and copy.type.lower() in ("misc", "article", "inproceedings"):
        for name in [*_VENUE_FIELDS, "note"]:
            copy.fields.pop(name, None)
        copy.type = kind
        for name, value in venue_fields(venue, kind, venue_field):
            copy.fields[name] = value
    return copy


@lru_cache(maxsize=1 << 16)
def _exported(entry: BibEntry, facts: PaperFacts | None = None) -> str:
    """One entry as exported (a paper's as its record gives its facts). Cached: the whole bibliography and
    each reading list repeat entries, and equal entries (same key, type, fields, names and line) are written the same."""
    source = _with_sort_key(entry)
    return to_latex_ascii(written_entry(entry.key, _as_recorded(source, facts) if facts else source))


def export_bibtex(entries: list[BibEntry], header: str = "", papers: dict[str, Paper] | None = None) -> str:
    """The entries as one .bib text that BibTeX and LaTeX compile without Unicode support; with `papers`,
    each paper's entry carries its record's authors and the type of its venue."""
    papers = papers or {}
    texts = [_exported(entry, paper_facts(papers[entry.key]) if entry.key in papers else None) for entry in entries]
    lead = "".join(f"% {line}\n" for line in header.splitlines()) + ("\n" if header else "")
    return lead + "\n".join(texts)
