"""Reading a record's fields: each reader records a problem at the field's line and returns None
(or nothing) on bad input, so that validation reports every problem in one run."""

from __future__ import annotations

import re
from typing import Any

from atlas.records.characters import inert, invisible_in
from atlas.records.facts import FACT_NAMES, facts_held, http_url
from atlas.records.ids import ID_PATTERN, MAX_ID_LENGTH, RESERVED_IDS, short_id, slug
from atlas.records.load import RawRecord
from atlas.records.model import API_NAMES, Problem, Source
from atlas.records.yamlio import LineList, LineMap

LOOK_ALIKE_FIELDS = frozenset({"title", "also_titled", "authors", "name", "id", "aliases", "maintainers"})

# What a search tool's look-ups leave behind ("find_string ids 35441456342, 18699807814"): not a document.
INTERNAL_IDS = re.compile(r"\b(?:find_string|read_file|find_files)\b|\bids? \d{8,}\b", re.I)


class FieldChecker:
    """Field readers for one record; each records a problem and returns None on bad input."""

    def __init__(self, record: RawRecord, problems: list[Problem]) -> None:
        self.shown = record.shown
        self.problems = problems

    def problem(self, line: int, message: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.shown, line, message, severity))

    def mapping(self, value: Any, line: int, what: str) -> LineMap | None:
        if isinstance(value, LineMap):
            return value
        self.problem(getattr(value, "line", line), f"{what} must be a mapping of fields (key: value)")
        return None

    def fields(self, mapping: LineMap, allowed: tuple[str, ...], required: tuple[str, ...], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.problem(mapping.line_of(key), f"{what} has an unknown field '{key}'; known fields: {', '.join(allowed)}")
        for key in required:
            if key not in mapping:
                self.problem(mapping.line, f"{what} lacks the required field '{key}'")

    def text(self, mapping: LineMap, key: str, required: bool = False, limit: int = 20_000) -> str | None:
        value = mapping.get(key)
        if value is None:
            if required and key in mapping:
                self.problem(mapping.line_of(key), f"'{key}' is empty; give it a value")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        stripped = value.strip() if isinstance(value, str) else ""
        if not stripped:
            self.problem(mapping.line_of(key), f"'{key}' must be non-empty text")
            return None
        if len(value) > limit:
            self.problem(mapping.line_of(key), f"'{key}' is {len(value)} characters long; the limit is {limit}")
        if key in LOOK_ALIKE_FIELDS:
            self.visible(stripped, mapping.line_of(key), key)
        return stripped

    def visible(self, text: str, line: int, key: str) -> None:
        """A title, name or id with a zero-width character would look like another and compare different."""
        if what := invisible_in(text):
            self.problem(line, f"'{key}' holds the zero-width character {what}, which makes look-alikes; delete it")

    def texts(self, mapping: LineMap, key: str) -> tuple[str, ...]:
        value = mapping.get(key)
        if value is None:
            return ()
        if not isinstance(value, LineList):
            self.problem(mapping.line_of(key), f"'{key}' must be a list (one '- item' per line)")
            return ()
        good = []
        for item, line in zip(value, value.item_lines, strict=False):
            if isinstance(item, str) and item.strip():
                good.append(item.strip())
                if key in LOOK_ALIKE_FIELDS:
                    self.visible(item, line, key)
            else:
                self.problem(line, f"every item of '{key}' must be non-empty text")
        return tuple(good)

    def items(self, mapping: LineMap, key: str, what: str) -> list[LineMap]:
        value = mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, LineList):
            self.problem(mapping.line_of(key), f"'{key}' must be a list of {what}")
            return []
        found = []
        for item, line in zip(value, value.item_lines, strict=False):
            checked = self.mapping(item, line, f"each item of '{key}'")
            if checked is not None:
                found.append(checked)
        return found

    def record_id(self, record: RawRecord) -> bool:
        suggestion = short_id(slug(record.id)) or "my-paper"
        if record.id in RESERVED_IDS:
            self.problem(1, f"the id '{record.id}' is the address of a site page; rename the file (e.g. {record.id}-paper.yaml)")
            return False
        if ID_PATTERN.match(record.id) and len(record.id) <= MAX_ID_LENGTH:
            return True
        if len(record.id) > MAX_ID_LENGTH:
            reason = f"it is {len(record.id)} characters long (at most {MAX_ID_LENGTH})"
        else:
            reason = "use lower-case words joined by '-'"
        self.problem(1, f"the file name '{inert(record.id)}' is not a valid id ({reason}); rename it (e.g. {suggestion}.yaml)")
        return False

    def ids(self, mapping: LineMap, key: str, what: str = "alias") -> tuple[str, ...]:
        """A list of ids (former ids, papers, questions), each a valid id."""
        good = []
        for value in self.texts(mapping, key):
            if ID_PATTERN.match(value):
                good.append(value)
            else:
                self.problem(mapping.line_of(key), f"{what} '{value}' is not a valid id (lower-case words joined by '-')")
        return tuple(good)

    def sources(self, mapping: LineMap, facts: tuple[str, ...] = FACT_NAMES) -> tuple[Source, ...]:
        """Each source of the record: one public document (url, with how it was read), a seed, an API or a contributor."""
        found = []
        kinds = "{seed: file}, {contributor: name}, {api: name, url: URL} or {url: URL of a public document, via: how it was read}"
        for item in self.items(mapping, "sources", f"sources ({kinds})"):
            self.fields(item, ("seed", "contributor", "api", "url", "via", "gives"), (), "a source")
            seed, contributor, api = self.text(item, "seed"), self.text(item, "contributor"), self.text(item, "api")
            url = item.get("url")
            if sum(map(bool, (seed, contributor, api))) > 1 or not (seed or contributor or api or url):
                self.problem(item.line, f"a source is exactly one of {kinds}")
                continue
            if api and api not in API_NAMES:
                self.problem(item.line_of("api"), f"api '{api}' is not one of {', '.join(API_NAMES)}")
                continue
            if url is not None and check_url(self, item.line_of("url"), "url", url) is None:
                continue
            gives = self.texts(item, "gives")
            for name in gives:
                if name not in facts:
                    self.problem(item.line_of("gives"), f"'gives' names '{name}', which is not a fact; use: {', '.join(facts)}")
            via = self.text(item, "via", limit=500)
            if via and INTERNAL_IDS.search(via):
                self.problem(
                    item.line_of("via"), "'via' names a search tool's internal ids, which no reader can follow; name the public documents"
                )
            found.append(Source(seed, contributor, gives, api, url and url.strip(), via))
        if not found and "sources" in mapping:
            self.problem(mapping.line_of("sources"), "'sources' is empty; say where the facts came from")
        return tuple(found)

    def sourced(self, data: LineMap, sources: tuple[Source, ...]) -> None:
        """Every fact the record holds is given by a source, and every source gives only facts it holds."""
        if not sources:
            return
        held = facts_held(data)
        given = {name for source in sources for name in source.gives}
        for name, line in held.items():
            if name not in given:
                self.problem(line, f"no source gives '{name}'; add it to the 'gives' of the source it came from, or remove it")
        gives_line = data.line_of("sources")
        for name in sorted(given - set(held)):
            if name in FACT_NAMES:
                self.problem(gives_line, f"a source gives '{name}', but the record has no {name}; add the fact or drop it from 'gives'")


def check_url(checker: FieldChecker, line: int, name: str, url: Any) -> str | None:
    if (good := http_url(url)) is not None:
        return good
    checker.problem(line, f"link '{name}' must be an http(s) URL (e.g. https://...), got {str(url)[:60]!r}")
    return None


def open_record(record: RawRecord, problems: list[Problem], what: str) -> tuple[FieldChecker, bool, LineMap | None]:
    """The reader of a record's fields, whether its file name is a valid id, and its top mapping
    (None, with the problem recorded, when the file holds something else)."""
    checker = FieldChecker(record, problems)
    valid_id = checker.record_id(record)
    if record.data is None:  # unreadable: the reader has said why, once
        return checker, valid_id, None
    return checker, valid_id, checker.mapping(record.data, 1, what)
