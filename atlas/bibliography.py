"""citations.bib: reading it with pybtex (every problem with its line), and writing paper entries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import pybtex.errors
from pybtex.database import BibliographyData, parse_string
from pybtex.database.input.bibtex import Parser as BibTeXParser
from pybtex.richtext import Text
from pybtex.scanner import PybtexSyntaxError

from atlas.model import BibEntry, Problem

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]+)[ \t]*,", re.M)
_LATEX_SPECIALS = re.compile(r"(?<!\\)([&%#_])")
_MATH_PARTS = re.compile(r"(\$[^$]*\$)")  # split on it: $math$ parts and the text between


def _entry_lines(text: str) -> dict[str, list[int]]:
    """The lines each key's entries start on; newlines are counted once, from entry to entry."""
    lines: dict[str, list[int]] = {}
    line, counted_to = 1, 0
    for match in _ENTRY_START.finditer(text):
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        lines.setdefault(match.group(2), []).append(line)
    return lines


def _problem_for(error: Exception, shown: str, lines: dict[str, list[int]]) -> Problem:
    if isinstance(error, PybtexSyntaxError):
        return Problem(shown, error.lineno or 1, f"BibTeX syntax error: {error.args[0]}; fix the entry")
    message = str(error)
    key_match = re.search(r"(?:entry|entry:)\s+(\S+)$", message) or re.search(r"in entry (\S+)", message)
    key = key_match.group(1).strip(":") if key_match else ""
    positions = lines.get(key, [1])
    line = positions[-1] if "repeated" in message else positions[0]
    return Problem(shown, line, f"BibTeX error: {message}; keep one")


def read_bibliography(
    path: Path, shown: str = "citations.bib", parse: Callable[[str, str], tuple[dict[str, BibEntry], list[Problem]]] | None = None
) -> tuple[dict[str, BibEntry], list[Problem]]:
    """All entries of the file, and every problem pybtex reports, each with its line; `parse`
    (default parse_bibliography) may be a remembering one (atlas.load.ParseMemo)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, [Problem(shown, 1, "is missing; create it (it holds the survey's references and one entry per paper)")]
    except UnicodeDecodeError as error:
        line = path.read_bytes().count(b"\n", 0, error.start) + 1
        return {}, [Problem(shown, line, "is not UTF-8 text; save the file as UTF-8")]
    return (parse or parse_bibliography)(text, shown)


def parse_bibliography(
    text: str, shown: str, parse_part: Callable[[str, str], _Part] | None = None
) -> tuple[dict[str, BibEntry], list[Problem]]:
    """Every entry, with its line, and every problem pybtex reports.

    With `parse_part` (parse_bibliography_part remembered by atlas.load.ParseMemo, as `atlas serve`
    passes it), the file is parsed entry by entry, so that after an edit only the entries it changed
    are parsed again. The answer is the same: wherever entries could affect each other (@string,
    @preamble, crossref, a key twice, ignoring case as pybtex does) or a part has any problem, the whole file is parsed at once."""
    lines = _entry_lines(text)
    if parse_part is not None and not _links_entries(text):
        parts = [parse_part(part, shown) for part in _parts(text)]
        found = [entry for entries, _ in parts for entry in entries]
        if not any(problems for _, problems in parts) and len({entry[0].lower() for entry in found}) == len(found):
            return {
                key: BibEntry(key, kind, fields, persons, lines.get(key, [1])[0], source=source)
                for key, kind, fields, persons, source in found
            }, []
    problems: list[Problem] = []
    with pybtex.errors.capture() as captured:
        try:
            data = parse_string(text, "bibtex")
        except PybtexSyntaxError as error:
            captured.append(error)
            data = BibliographyData()
    problems.extend(_problem_for(error, shown, lines) for error in captured)
    entries = {}
    for key, kind, fields, persons, source in _plain_entries(data):
        entries[key] = BibEntry(key, kind, fields, persons, lines.get(key, [1])[0], source=source)
    return entries, problems


# An entry as parsed: key, type, fields, persons and pybtex's entry; one part of the file: its entries and problems.
_Plain = tuple[str, str, tuple[tuple[str, str], ...], tuple[tuple[str, tuple[str, ...]], ...], Any]
_Part = tuple[tuple[_Plain, ...], list[Problem]]
_MACRO_OR_PREAMBLE = re.compile(r"@[ \t]*(?:string|preamble)\b")


def _links_entries(text: str) -> bool:
    """Whether an entry may depend on another part of the file: a @string macro, a @preamble, a crossref."""
    lowered = text.lower()  # faster than a case-insensitive pattern
    return "crossref" in lowered or _MACRO_OR_PREAMBLE.search(lowered) is not None


def parse_bibliography_part(text: str, shown: str) -> _Part:
    """The entries of one part of the file (see parse_bibliography); any problem is only flagged
    (its line is that of the part): the caller then parses the whole file."""
    with pybtex.errors.capture() as captured:
        try:
            data = BibTeXParser().parse_string(text)  # what parse_string calls, without its plugin lookup each time
        except PybtexSyntaxError as error:
            captured.append(error)
            data = BibliographyData()
    problems = [Problem(shown, 1, str(error)) for error in captured]
    return tuple(_plain_entries(data)), problems


def _plain_entries(data: BibliographyData) -> Iterator[_Plain]:
    for key, entry in data.entries.items():
        persons = tuple((role, tuple(str(person) for person in people)) for role, people in entry.persons.items())
        fields = tuple((name.lower(), str(value)) for name, value in entry.fields.items())
        yield key, entry.type.lower(), fields, persons, entry


def _parts(text: str) -> list[str]:
    """The file cut before each line that starts an entry (text before the first is a part too)."""
    starts = [match.start() for match in _ENTRY_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]


@lru_cache(maxsize=1 << 16)
def latex_to_text(value: str) -> str:
    """A BibTeX field as plain Unicode: accents decoded, protecting braces dropped, $math$ kept as typed.

    Cached: the check, the pages and the exports all decode the same titles and names."""
    parts = _MATH_PARTS.split(value)
    return "".join(part if part.startswith("$") and part.endswith("$") and len(part) > 1 else _decode(part) for part in parts).strip()


def _decode(value: str) -> str:
    if not value.strip():
        return value
    if "\\" not in value and "~" not in value:  # no LaTeX command: only protecting braces to drop (fast path)
        return value.replace("{", "").replace("}", "")
    value = value.replace("\\textasciicircum{}", "^").replace("\\textasciitilde{}", "\ue000")  # a tie '~' is a space
    edges = (" " if value[:1].isspace() else "", " " if value[-1:].isspace() else "")
    try:
        decoded = str(Text.from_latex(value)).strip().replace("\ue000", "~")
    except Exception:  # pybtex raises many kinds on odd LaTeX; the raw text is the honest fallback
        decoded = value.replace("{", "").replace("}", "").strip()
    return edges[0] + decoded + edges[1]


def escape_latex(text: str) -> str:
    """Escape LaTeX specials outside $math$ so that the value compiles as written."""

    def plain(part: str) -> str:
        part = _LATEX_SPECIALS.sub(r"\\\1", part)
        return re.sub(r"(?<!\\)\^", r"\\textasciicircum{}", part).replace("~", r"\textasciitilde{}")

    parts = _MATH_PARTS.split(text)
    return "".join(part if part.startswith("$") and part.endswith("$") else plain(part) for part in parts)


def paper_entry(paper_id: str, record: dict[str, Any]) -> str:
    """The citations.bib entry for a paper record: only the facts the record holds."""
    fields: list[tuple[str, str]] = [("title", "{" + escape_latex(str(record["title"])) + "}")]
    if record.get("authors"):
        fields.append(("author", " and ".join(escape_latex(str(name)) for name in record["authors"])))
    if record.get("year"):
        fields.append(("year", str(record["year"])))
    if record.get("venue"):
        fields.append(("howpublished", escape_latex(str(record["venue"]))))
    links = record.get("links") or {}
    if links.get("doi"):
        fields.append(("doi", re.sub(r"^https?://(dx\.)?doi\.org/", "", links["doi"])))
    url = links.get("openreview") or links.get("arxiv") or links.get("url")
    if url:
        fields.append(("url", url))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{paper_id},\n{body}\n}}\n"


def format_entry(key: str, entry: Any) -> str:
    """A pybtex Entry in the file's own style: braces, one field a line, names joined by 'and'."""
    fields = [(name, value) for name, value in entry.fields.items()]
    for role, people in entry.persons.items():
        fields.insert(1 if fields else 0, (role.lower(), " and ".join(str(person) for person in people)))
    body = ",\n".join(f"  {name.lower()} = {{{value}}}" for name, value in fields)
    return f"@{entry.type.lower()}{{{key},\n{body}\n}}\n"
