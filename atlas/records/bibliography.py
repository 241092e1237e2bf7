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
from pybtex.database.input.bibtex import UndefinedMacro
from pybtex.richtext import Text
from pybtex.scanner import PybtexSyntaxError

from atlas.records.characters import hidden_characters, hidden_message, invisible_in
from atlas.records.facts import http_url
from atlas.records.ids import bare_doi, normalise_title
from atlas.records.model import BibEntry, Problem
from atlas.records.names import inverted_name
from atlas.records.venue_kinds import venue_kind

_ENTRY_START = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]+)[ \t]*,", re.M)
_LATEX_SPECIALS = re.compile(r"(?<!\\)([&%#_])")
_MATH_PARTS = re.compile(r"(\$[^$]*\$)")  # split on it: $math$ parts and the text between


def entry_lines(text: str) -> dict[str, list[int]]:
    """The lines each key's entries start on; newlines are counted once, from entry to entry."""
    lines: dict[str, list[int]] = {}
    line, counted_to = 1, 0
    for match in _ENTRY_START.finditer(text):
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        lines.setdefault(match.group(2), []).append(line)
    return lines


_STRING_DEFINITION = re.compile(r"@[ \t]*string[ \t]*[{(][ \t]*([\w:.+-]+)[ \t]*=([^@]*)", re.I)
_QUOTED = re.compile(r'"[^"]*"|\{[^{}]*\}')


def _circular_macros(text: str, name: str) -> list[str]:
    """The @string macros that refer back to `name` through each other (empty when none do)."""
    refers = {
        match.group(1).lower(): set(re.findall(r"[A-Za-z][\w:.+-]*", _QUOTED.sub(" ", match.group(2))))
        for match in _STRING_DEFINITION.finditer(text)
    }
    refers = {macro: {word.lower() for word in words} for macro, words in refers.items()}
    path, seen = [name.lower()], set()
    while path and path[-1] not in seen:
        seen.add(path[-1])
        following = sorted(refers.get(path[-1], set()) & set(refers))
        if name.lower() in following:
            return path
        if not following:
            return []
        path.append(following[0])
    return []


def _problem_for(error: Exception, shown: str, lines: dict[str, list[int]], text: str = "") -> Problem:
    if isinstance(error, UndefinedMacro):
        name = str(error.args[0])
        if circle := _circular_macros(text, name):
            names = " -> ".join([*circle, circle[0]])
            return Problem(shown, error.lineno or 1, f"the @string macros are circular ({names}); define one of them as plain text")
        return Problem(shown, error.lineno or 1, f"the @string macro '{name}' is used before it is defined; define it above its first use")
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
    (default parse_bibliography) may be a remembering one (atlas.load.TextMemo)."""
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

    With `parse_part` (parse_bibliography_part remembered by atlas.load.TextMemo, as `atlas serve`
    passes it), the file is parsed entry by entry, so that after an edit only the entries it changed
    are parsed again. The answer is the same: wherever entries could affect each other (@string,
    @preamble, crossref, a key twice, ignoring case as pybtex does) or a part has any problem, the whole file is parsed at once."""
    text, problems = _screened(text, shown)
    lines = entry_lines(text)
    if parse_part is not None and not _links_entries(text) and not problems:
        parts = [parse_part(part, shown) for part in _parts(text)]
        found = [entry for entries, _ in parts for entry in entries]
        if not any(problems for _, problems in parts) and len({entry[0].lower() for entry in found}) == len(found):
            return {
                key: BibEntry(key, kind, fields, persons, lines.get(key, [1])[0], source=source)
                for key, kind, fields, persons, source in found
            }, []
    with pybtex.errors.capture() as captured:
        try:
            data = parse_string(text, "bibtex")
        except PybtexSyntaxError as error:
            captured.append(error)
            data = BibliographyData()
    problems.extend(_problem_for(error, shown, lines, text) for error in captured)
    entries = {}
    for key, kind, fields, persons, source in _plain_entries(data):
        entries[key] = BibEntry(key, kind, fields, persons, lines.get(key, [1])[0], source=source)
        problems.extend(_look_alike_fields(entries[key], shown))
    return entries, problems


MAX_ENTRY_CHARACTERS = 50_000  # an entry with a whole abstract is a few thousand
MAX_MACRO_CHARACTERS = 10_000  # what one @string may expand to
_MACRO_BOMB = "the @string macro"
_MACRO_PART = re.compile(r'"[^"]*"|\{(?:[^{}]|\{[^{}]*\})*\}|\d+|[A-Za-z][\w:.+-]*')


def _screened(text: str, shown: str) -> tuple[str, list[Problem]]:
    """The text pybtex may read, and the problems that keep the rest from it: characters that hide
    text in review, an entry too long to be a reference (blanked out, its lines kept), and @string
    macros that would expand past MAX_MACRO_CHARACTERS (measured without expanding them)."""
    problems = [Problem(shown, line, hidden_message(what)) for line, what in hidden_characters(text)]
    if len(text) > MAX_ENTRY_CHARACTERS:
        kept = []
        line = 1
        for part in _parts(text):
            if len(part) > MAX_ENTRY_CHARACTERS:
                problems.append(
                    Problem(shown, line, f"this entry is {len(part):,} characters long; an entry is at most {MAX_ENTRY_CHARACTERS:,}")
                )
                part = "\n" * part.count("\n")
            line += part.count("\n")
            kept.append(part)
        text = "".join(kept)
    if "@" in text and _MACRO_OR_PREAMBLE.search(text.lower()):
        text, bombs = _without_macro_bombs(text, shown)
        problems.extend(bombs)
    return text, problems


def _without_macro_bombs(text: str, shown: str) -> tuple[str, list[Problem]]:
    """The text without the @string definitions that would expand past MAX_MACRO_CHARACTERS (each
    size summed from its parts' sizes, nothing expanded; their lines kept), and a problem at the first
    of them: those built on it share its root."""
    sizes: dict[str, int] = {}
    bombs = []
    for match in _STRING_DEFINITION.finditer(text):
        size = 0
        for part in _MACRO_PART.findall(match.group(2)):
            size += len(part) if part[0] in '"{' or part.isdigit() else sizes.get(part.lower(), 0)
        sizes[match.group(1).lower()] = min(size, MAX_MACRO_CHARACTERS + 1)
        if size > MAX_MACRO_CHARACTERS:
            bombs.append(match)
    if not bombs:
        return text, []
    line = text.count("\n", 0, bombs[0].start()) + 1
    message = f"{_MACRO_BOMB} '{bombs[0].group(1)}' expands to over {MAX_MACRO_CHARACTERS:,} characters; write the text out"
    for match in reversed(bombs):
        text = text[: match.start()] + "\n" * match.group().count("\n") + text[match.end() :]
    return text, [Problem(shown, line, message)]


def _look_alike_fields(entry: BibEntry, shown: str) -> list[Problem]:
    """A title or name with a zero-width character looks like another and compares different."""
    values = [entry.get("title") or "", *(name for _, names in entry.persons for name in names)]
    for value in values:
        if what := invisible_in(value):
            return [Problem(shown, entry.line, f"entry '{entry.key}' has a title or name with the zero-width character {what}; delete it")]
    return []


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


LATEX_ESCAPE = re.compile(r"\\([_&%#$])")  # `\_` in a BibTeX url or doi is the character itself
_DOI_VALUE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/)?10\.\d{4,9}/\S+$", re.I)


def entry_link_problems(entry: BibEntry, shown: str) -> list[Problem]:
    """An entry's `url` must be http(s) and its `doi` a DOI: the site and the exports publish them as links."""
    problems = []
    url, doi = (LATEX_ESCAPE.sub(r"\1", value) if value else value for value in (entry.get("url"), entry.get("doi")))
    if url is not None and http_url(url) is None:
        problems.append(Problem(shown, entry.line, f"the url of '{entry.key}' must be an http(s) URL, got {url[:60]!r}; fix or remove it"))
    if doi is not None and not _DOI_VALUE.match(doi.strip()):
        problems.append(
            Problem(shown, entry.line, f"the doi of '{entry.key}' must be a DOI (10.xxxx/...), got {doi[:60]!r}; fix or remove it")
        )
    return problems


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


def paper_entry(paper_id: str, record: dict[str, Any]) -> str:
    """The citations.bib entry for a paper record: only the facts the record holds, in the entry
    type its venue calls for; an arXiv preprint carries `eprint` and `archiveprefix`."""
    fields: list[tuple[str, str]] = [("title", "{" + escape_latex(str(record["title"])) + "}")]
    if record.get("authors"):
        fields.append(("author", " and ".join(escape_latex(inverted_name(str(name))) for name in record["authors"])))
    if record.get("year"):
        fields.append(("year", str(record["year"])))
    venue = record.get("venue")
    kind, venue_field = entry_type_for(venue, bool(record.get("authors")) and bool(record.get("year")))
    if venue:
        known = venue_kind(str(venue))
        name, presentation = known.name, known.presentation
        fields.append((venue_field, escape_latex(name if kind != "misc" else str(venue))))
        if presentation and kind != "misc":
            fields.append(("note", escape_latex(presentation[:1].upper() + presentation[1:])))
    links = record.get("links") or {}
    if links.get("doi"):
        fields.append(("doi", bare_doi(links["doi"])))
    if arxiv := re.match(r"^https?://arxiv\.org/abs/(.+)$", links.get("arxiv") or ""):
        fields += [("eprint", arxiv.group(1)), ("archiveprefix", "arXiv")]
    url = links.get("openreview") or links.get("arxiv") or links.get("url")
    if url:
        fields.append(("url", url))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{paper_id},\n{body}\n}}\n"


_FACT_FIELDS = {"title", "author", "year", "booktitle", "journal", "note", "doi", "eprint", "archiveprefix", "url", "howpublished"}


def entry_from_record(paper_id: str, record: dict[str, Any], old: BibEntry) -> str:
    """The paper's entry made anew from its record's facts, keeping the old entry's fields that are no facts (surveyref, ...)."""
    entry = typed_entry(paper_id, record, list(old.fields))
    if normalise_title(latex_to_text(old.get("title") or "")) == normalise_title(str(record["title"])):  # its published casing stays
        entry = with_values(entry, {"title": old.get("title") or ""})
    return entry.rstrip("\n")


def with_values(entry: str, values: dict[str, str]) -> str:
    """The entry (as `paper_entry` writes it, a field a line) with the values of the fields in `values`
    replaced by the given LaTeX: a source's own title and author fields, with their braces and casing."""
    for name, value in values.items():
        line = re.compile(rf"^  {name} = \{{.*\}}(,?)$", re.M)
        entry = line.sub(lambda match, field=name, latex=value: f"  {field} = {{{latex}}}{match.group(1)}", entry, count=1)
    return entry


def typed_entry(paper_id: str, record: dict[str, Any], others: list[tuple[str, str]]) -> str:
    """`paper_entry` with the fields of `others` (name, LaTeX value) that are no facts of the record kept
    after them: an input's volume and pages, the survey's reference number."""
    entry = paper_entry(paper_id, record)
    kept = [(name, value) for name, value in others if name not in _FACT_FIELDS and name != "abstract"]
    return with_fields_added(entry, paper_id, kept) if kept else entry


def with_fields_added(text: str, key: str, fields: list[tuple[str, str]]) -> str:
    """The file's text with `fields` (name, value) added at the end of the entry `key`."""
    parts = _parts(text)
    for number, part in enumerate(parts):
        match = _ENTRY_START.match(part)
        if match and match.group(2) == key:
            body, closing = part.rstrip().rsplit("}", 1)
            added = "".join(f",\n  {name} = {{{value}}}" for name, value in fields)
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


def format_entry(key: str, entry: Any) -> str:
    """A pybtex Entry in the file's own style: braces, one field a line, names joined by 'and'."""
    fields = [(name, value) for name, value in entry.fields.items()]
    for role, people in entry.persons.items():
        fields.insert(1 if fields else 0, (role.lower(), " and ".join(str(person) for person in people)))
    body = ",\n".join(f"  {name.lower()} = {{{value}}}" for name, value in fields)
    return f"@{entry.type.lower()}{{{key},\n{body}\n}}\n"
