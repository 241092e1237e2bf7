"""citations.bib: reading it with pybtex (every problem with its line); atlas.records.bibtex_writer writes it."""

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
from atlas.records.model import BibEntry, Problem

ENTRY_START = re.compile(r"^[ \t]*@[ \t]*(\w+)[ \t]*[{(][ \t]*([^,\s]+)[ \t]*,", re.M)
MATH_PARTS = re.compile(r"(\$[^$]*\$)")  # split on it: $math$ parts and the text between


def entry_lines(text: str) -> dict[str, list[int]]:
    """The lines each key's entries start on; newlines are counted once, from entry to entry."""
    lines: dict[str, list[int]] = {}
    line, counted_to = 1, 0
    for match in ENTRY_START.finditer(text):
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
        parts = [parse_part(part, shown) for part in entry_parts(text)]
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
        for part in entry_parts(text):
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


def entry_parts(text: str) -> list[str]:
    """The file cut before each line that starts an entry (text before the first is a part too)."""
    starts = [match.start() for match in ENTRY_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]


@lru_cache(maxsize=1 << 16)
def latex_to_text(value: str) -> str:
    """A BibTeX field as plain Unicode: accents decoded, protecting braces dropped, $math$ kept as typed.

    Cached: the check, the pages and the exports all decode the same titles and names."""
    parts = MATH_PARTS.split(value)
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
