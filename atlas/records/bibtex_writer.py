"""The one BibTeX writer: every entry the atlas writes (citations.bib, the .bib exports, the pages).

Reading is atlas.records.bibliography's job; this module is its counterpart, as pybtex keeps its
writers apart from its parsers. An entry is written in one layout (`@type{key,`, one `  name =
{value}` line per field, in the order given, a closing brace on its own line), values are LaTeX
escaped here, and a paper's fields come in one order: title, author, year, venue, note, doi,
eprint, archiveprefix, url. tests/test_architecture.py fails when another module writes entry text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pybtex.database import Entry

from atlas.records.bibliography import ENTRY_START, MATH_PARTS, entry_parts, latex_to_text
from atlas.records.ids import bare_doi, normalise_title
from atlas.records.model import BibEntry
from atlas.records.names import inverted_name
from atlas.records.venue_kinds import venue_kind

_LATEX_SPECIALS = re.compile(r"(?<!\\)([&%#_])")

Field = tuple[str, str]  # a field's name and its LaTeX value


def escape_latex(text: str) -> str:
    """Escape LaTeX specials outside $math$ so that the value compiles as written."""

    def plain(part: str) -> str:
        part = _LATEX_SPECIALS.sub(r"\\\1", part)
        return re.sub(r"(?<!\\)\^", r"\\textasciicircum{}", part).replace("~", r"\textasciitilde{}")

    parts = MATH_PARTS.split(text)
    return "".join(part if part.startswith("$") and part.endswith("$") else plain(part) for part in parts)


def protected(text: str) -> str:
    """Plain text as LaTeX in braces: BibTeX keeps a title's casing, and reads an institution as one name."""
    return "{" + escape_latex(text) + "}"


def _field_line(name: str, value: str) -> str:
    return f"  {name.lower()} = {{{value}}}"


def write_entry(kind: str, key: str, fields: Iterable[Field]) -> str:
    """The entry as every file of the atlas lays it out: braces, one field a line, in the order given."""
    body = ",\n".join(_field_line(name, value) for name, value in fields)
    return f"@{kind.lower()}{{{key},\n{body}\n}}\n"


def written_entry(key: str, entry: Entry) -> str:
    """A pybtex entry written back: its fields in their order, its names (joined by 'and') second."""
    fields = list(entry.fields.items())
    for role, people in entry.persons.items():
        fields.insert(1 if fields else 0, (role, " and ".join(str(person) for person in people)))
    return write_entry(entry.type, key, fields)


UNPUBLISHED = re.compile(r"submission|submitted|preprint|arxiv|withdrawn|rejected|under review", re.I)
_ENTRY_TYPES = {"conference": ("inproceedings", "booktitle"), "workshop": ("inproceedings", "booktitle"), "journal": ("article", "journal")}
# Only for a venue the table lacks (a source's full name at `atlas add`; `atlas check` then asks for a line in the table).
_JOURNAL = re.compile(r"\b(journal|transactions|letters|magazine)\b", re.I)
_PROCEEDINGS = re.compile(r"\b(conference|proceedings|workshop|symposium)\b", re.I)


def _guessed_kind(venue: str) -> str | None:
    if UNPUBLISHED.search(venue):
        return "preprint"
    return "journal" if _JOURNAL.search(venue) else "conference" if _PROCEEDINGS.search(venue) else None


def entry_type_for(venue: str | None, has_authors: bool) -> tuple[str, str]:
    """The BibTeX type and venue field a paper's venue calls for, by the table of venues: a journal is
    an @article, a conference or workshop an @inproceedings (each needs authors to compile without a
    warning), anything else (a preprint) @misc. A venue the table lacks is guessed from its words."""
    kind = (venue_kind(venue).kind or _guessed_kind(venue)) if venue else None
    return _ENTRY_TYPES[kind] if has_authors and kind in _ENTRY_TYPES else ("misc", "howpublished")


def venue_fields(venue: str, kind: str, venue_field: str) -> list[Field]:
    """Where the paper appeared: in a typed entry the venue's name and its presentation as a note
    ("ICLR 2024 (spotlight)" is booktitle ICLR 2024, note Spotlight); in a @misc the venue as written."""
    if kind == "misc":
        return [(venue_field, escape_latex(venue))]
    known = venue_kind(venue)
    fields = [(venue_field, escape_latex(known.name))]
    if known.presentation:
        fields.append(("note", escape_latex(known.presentation[:1].upper() + known.presentation[1:])))
    return fields


def paper_fields(record: dict[str, Any]) -> tuple[str, list[Field]]:
    """The entry type and fields of a paper record: only the facts the record holds, in the entry type
    its venue calls for; an arXiv preprint carries `eprint` and `archiveprefix`."""
    fields: list[Field] = [("title", protected(str(record["title"])))]
    if record.get("authors"):
        fields.append(("author", " and ".join(escape_latex(inverted_name(str(name))) for name in record["authors"])))
    if record.get("year"):
        fields.append(("year", str(record["year"])))
    venue = record.get("venue")
    kind, venue_field = entry_type_for(venue, bool(record.get("authors")) and bool(record.get("year")))
    if venue:
        fields += venue_fields(str(venue), kind, venue_field)
    links = record.get("links") or {}
    if links.get("doi"):
        fields.append(("doi", bare_doi(links["doi"])))
    if arxiv := re.match(r"^https?://arxiv\.org/abs/(.+)$", links.get("arxiv") or ""):
        fields += [("eprint", arxiv.group(1)), ("archiveprefix", "arXiv")]
    if url := links.get("openreview") or links.get("arxiv") or links.get("url"):
        fields.append(("url", url))
    return kind, fields


def paper_entry(paper_id: str, record: dict[str, Any]) -> str:
    """The citations.bib entry for a paper record (see paper_fields)."""
    kind, fields = paper_fields(record)
    return write_entry(kind, paper_id, fields)


_FACT_FIELDS = {"title", "author", "year", "booktitle", "journal", "note", "doi", "eprint", "archiveprefix", "url", "howpublished"}


def typed_entry(paper_id: str, record: dict[str, Any], others: Iterable[Field], written_as: dict[str, str] | None = None) -> str:
    """`paper_entry` with the fields of `others` (name, LaTeX value) that are no facts of the record kept
    after them (an input's volume and pages, the survey's reference number), and the record's fields
    named in `written_as` given that LaTeX: a source's own title and author, with their braces and casing."""
    kind, fields = paper_fields(record)
    fields = [(name, (written_as or {}).get(name, value)) for name, value in fields]
    fields += [(name, value) for name, value in others if name not in _FACT_FIELDS and name != "abstract"]
    return write_entry(kind, paper_id, fields)


def entry_from_record(paper_id: str, record: dict[str, Any], old: BibEntry) -> str:
    """The paper's entry made anew from its record's facts, keeping the old entry's fields that are no facts (surveyref, ...)."""
    old_title = old.get("title") or ""
    same_title = normalise_title(latex_to_text(old_title)) == normalise_title(str(record["title"]))
    return typed_entry(paper_id, record, old.fields, {"title": old_title} if same_title else None).rstrip("\n")  # its casing stays


def with_fields_added(text: str, key: str, fields: list[Field]) -> str:
    """The file's text with `fields` (name, value) added at the end of the entry `key`."""
    parts = entry_parts(text)
    for number, part in enumerate(parts):
        match = ENTRY_START.match(part)
        if match and match.group(2) == key:
            body, closing = part.rstrip().rsplit("}", 1)
            added = "".join(",\n" + _field_line(name, value) for name, value in fields)
            parts[number] = body.rstrip().rstrip(",") + added + "\n}" + closing + part[len(part.rstrip()) :]
            return "".join(parts)
    raise KeyError(key)


def with_entries_appended(text: str, entries: list[str]) -> str:
    """The file's text with `entries` added at its end, one blank line between entries."""
    return (text.rstrip() + "\n\n" if text.strip() else "") + "\n".join(entries)


def replace_entry(text: str, key: str, entry_text: str) -> str:
    """The file with the entry `key` replaced by `entry_text` (appended where it had none)."""
    start = re.search(rf"^@\w+\s*\{{\s*{re.escape(key)}\s*,", text, re.M)
    if not start:
        return text.rstrip() + "\n\n" + entry_text
    following = re.search(r"^[@%]", text[start.end() :], re.M)  # the next entry, or a comment between entries
    end = start.end() + following.start() if following else len(text)
    return text[: start.start()] + entry_text.rstrip() + "\n\n" + text[end:].lstrip("\n")
