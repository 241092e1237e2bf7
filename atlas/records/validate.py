"""Stage 2, validate: raw documents become the typed model, and every problem is collected.

Nothing stops at the first problem: a contributor sees everything that is wrong in one run, each
problem as `path:line: what is wrong (and the fix)`.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from typing import Any

from atlas.records.crosscheck import SURVEY_REFERENCES, cross_check
from atlas.records.facts import FACT_NAMES, facts_held, http_url
from atlas.records.ids import ID_PATTERN, MAX_ID_LENGTH, slug
from atlas.records.load import RawAtlas, RawRecord
from atlas.records.model import (
    API_NAMES,
    CHALLENGE_FIELDS,
    CHALLENGE_KINDS,
    LINK_NAMES,
    PAPER_FIELDS,
    Atlas,
    Challenge,
    ChallengeLink,
    Paper,
    Problem,
    Ratings,
    RelatedChallenge,
    Source,
    SubChallenge,
    SurveyReference,
    Venue,
)
from atlas.records.yamlio import LineList, LineMap

REVIEW_AGE_DAYS = 365
VENUE_FIELDS = ("name", "description", "rating_quantiles", "top_keywords", "sources")


class _Checker:
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
        return stripped

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
        if ID_PATTERN.match(record.id) and len(record.id) <= MAX_ID_LENGTH:
            return True
        self.problem(
            1,
            f"the file name '{record.id}' is not a valid id; rename it to lower-case words joined by '-'"
            f" (e.g. {slug(record.id) or 'my-paper'}.yaml)",
        )
        return False

    def ids(self, mapping: LineMap, key: str) -> tuple[str, ...]:
        """A list of former ids (aliases), each a valid id."""
        good = []
        for alias in self.texts(mapping, key):
            if ID_PATTERN.match(alias):
                good.append(alias)
            else:
                self.problem(mapping.line_of(key), f"alias '{alias}' is not a valid id (lower-case words joined by '-')")
        return tuple(good)

    def sources(self, mapping: LineMap, facts: tuple[str, ...] = FACT_NAMES) -> tuple[Source, ...]:
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
            if url is not None and _check_url(self, item.line_of("url"), "url", url) is None:
                continue
            gives = self.texts(item, "gives")
            for name in gives:
                if name not in facts:
                    self.problem(item.line_of("gives"), f"'gives' names '{name}', which is not a fact; use: {', '.join(facts)}")
            found.append(Source(seed, contributor, gives, api, url and url.strip(), self.text(item, "via", limit=500)))
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


def _check_url(checker: _Checker, line: int, name: str, url: Any) -> str | None:
    if (good := http_url(url)) is not None:
        return good
    checker.problem(line, f"link '{name}' must be an http(s) URL (e.g. https://...), got {str(url)[:60]!r}")
    return None


def _paper(record: RawRecord, problems: list[Problem]) -> Paper | None:
    checker = _Checker(record, problems)
    valid_id = checker.record_id(record)
    data = checker.mapping(record.data, 1, "a paper record")
    if data is None:
        return None
    checker.fields(data, PAPER_FIELDS, ("title", "sources", "challenges"), "the paper")
    title = checker.text(data, "title", required=True, limit=500)
    year = data.get("year")
    this_year = datetime.date.today().year
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= this_year + 1):
        checker.problem(data.line_of("year"), f"'year' must be a whole year between 1900 and {this_year + 1}")
        year = None
    links = []
    raw_links = data.get("links")
    if raw_links is not None and (link_map := checker.mapping(raw_links, data.line_of("links"), "'links'")):
        for name, url in link_map.items():
            if name not in LINK_NAMES:
                checker.problem(link_map.line_of(name), f"unknown link '{name}'; use one of {', '.join(LINK_NAMES)}")
            elif (good := _check_url(checker, link_map.line_of(name), name, url)) is not None:
                links.append((name, good))
    ratings = None
    if "ratings" in data and (rating_map := checker.mapping(data["ratings"], data.line_of("ratings"), "'ratings'")):
        checker.fields(rating_map, ("average", "scores"), ("scores",), "'ratings'")
        scores = rating_map.get("scores") or []
        numbers = [s for s in scores if isinstance(s, (int, float)) and not isinstance(s, bool) and 0 <= s <= 10]
        if not isinstance(scores, list) or len(numbers) != len(scores) or not numbers:
            checker.problem(rating_map.line_of("scores"), "'scores' must be a list of reviewer scores between 0 and 10")
        average = rating_map.get("average")
        if average is not None and not (isinstance(average, (int, float)) and 0 <= average <= 10):
            checker.problem(rating_map.line_of("average"), "'average' must be a number between 0 and 10")
            average = None
        ratings = Ratings(float(average) if average is not None else None, tuple(float(n) for n in numbers))
    links_to = []
    for item in checker.items(data, "challenges", "links to challenges ({id, kind, why})"):
        checker.fields(item, ("id", "kind", "why"), ("id", "kind", "why"), "a challenge link")
        target, kind, why = checker.text(item, "id"), checker.text(item, "kind"), checker.text(item, "why", limit=400)
        if kind and kind not in CHALLENGE_KINDS:
            checker.problem(item.line_of("kind"), f"kind '{kind}' is not one of {', '.join(CHALLENGE_KINDS)}")
        if target and kind in CHALLENGE_KINDS and why:
            challenge, _, sub = target.partition("/")
            links_to.append(ChallengeLink(challenge, sub or None, kind, why, item.line_of("id")))
    if "challenges" in data and not links_to:
        checker.problem(data.line_of("challenges"), "links to no challenge; add at least one {id, kind, why} under 'challenges:'")
    sources = checker.sources(data)
    checker.sourced(data, sources)
    if not (valid_id and title):
        return None
    return Paper(
        id=record.id,
        title=title,
        authors=checker.texts(data, "authors"),
        year=year,
        venue=checker.text(data, "venue", limit=300),
        abstract=checker.text(data, "abstract"),
        links=tuple(links),
        keywords=checker.texts(data, "keywords"),
        ratings=ratings,
        sources=sources,
        challenges=tuple(links_to),
        path=record.shown,
        line=data.line,
        aliases=checker.ids(data, "aliases"),
        not_duplicate_of=checker.ids(data, "not_duplicate_of"),
    )


def _challenge(record: RawRecord, problems: list[Problem]) -> Challenge | None:
    checker = _Checker(record, problems)
    valid_id = checker.record_id(record)
    data = checker.mapping(record.data, 1, "a challenge record")
    if data is None:
        return None
    checker.fields(data, CHALLENGE_FIELDS, ("title", "section", "summary"), "the challenge")
    subs, seen_subs = [], set()
    for item in checker.items(data, "subchallenges", "sub-challenges ({id, title, summary})"):
        checker.fields(item, ("id", "title", "summary", "aliases"), ("id", "title", "summary"), "a sub-challenge")
        sub_id, title, summary = checker.text(item, "id"), checker.text(item, "title"), checker.text(item, "summary")
        if sub_id and not ID_PATTERN.match(sub_id):
            checker.problem(item.line_of("id"), f"sub-challenge id '{sub_id}' must be lower-case words joined by '-'")
        elif sub_id in seen_subs:
            checker.problem(item.line_of("id"), f"sub-challenge id '{sub_id}' is used twice; rename one")
        elif sub_id and title and summary:
            seen_subs.add(sub_id)
            subs.append(SubChallenge(sub_id, title, summary, item.line, checker.ids(item, "aliases")))
    references, seen_numbers = [], set()
    for item in checker.items(data, "references", "survey references ({n, key, named})"):
        checker.fields(item, ("n", "key", "named"), ("n",), "a reference")
        number = item.get("n")
        if not isinstance(number, int) or isinstance(number, bool) or number not in SURVEY_REFERENCES:
            checker.problem(item.line_of("n"), "'n' must be a citation number of the survey (1-256)")
            continue
        if number in seen_numbers:
            checker.problem(item.line_of("n"), f"reference {number} is listed twice; keep one")
            continue
        seen_numbers.add(number)
        references.append(SurveyReference(number, checker.text(item, "key"), checker.text(item, "named"), item.line))
    related = []
    for item in checker.items(data, "related", "related challenges ({id, reason})"):
        checker.fields(item, ("id", "reason"), ("id", "reason"), "a related challenge")
        other, reason = checker.text(item, "id"), checker.text(item, "reason")
        if other and reason:
            related.append(RelatedChallenge(other, reason, item.line))
    title, section, summary = checker.text(data, "title"), checker.text(data, "section"), checker.text(data, "summary")
    reviewed = _review_date(checker, data)
    if not (valid_id and title and section and summary):
        return None
    return Challenge(
        id=record.id,
        title=title,
        section=section,
        summary=summary,
        open_questions=checker.texts(data, "open_questions"),
        subchallenges=tuple(subs),
        references=tuple(sorted(references, key=lambda r: r.number)),
        related=tuple(related),
        path=record.shown,
        line=data.line,
        maintainers=checker.texts(data, "maintainers"),
        reviewed=reviewed,
        aliases=checker.ids(data, "aliases"),
    )


def _review_date(checker: _Checker, data: LineMap) -> str | None:
    """The `reviewed:` date as ISO text; a warning when it is more than a year old."""
    value = data.get("reviewed")
    if value is None:
        checker.problem(data.line, "names no 'reviewed:' date; add the date the challenge was last reviewed", "warning")
        return None
    try:
        day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
    except ValueError:
        checker.problem(data.line_of("reviewed"), "'reviewed' must be a date like 2026-11-23")
        return None
    age = (datetime.date.today() - day).days
    if age > REVIEW_AGE_DAYS:
        checker.problem(data.line_of("reviewed"), f"was last reviewed {age} days ago ({day}); review it and update the date", "warning")
    return day.isoformat()


def _venue(record: RawRecord, problems: list[Problem]) -> Venue | None:
    checker = _Checker(record, problems)
    data = checker.mapping(record.data, 1, "a venue record")
    if data is None or not checker.record_id(record):
        return None
    checker.fields(data, VENUE_FIELDS, ("name",), "the venue")
    name = checker.text(data, "name")
    quantiles, keywords = [], []
    for item in checker.items(data, "rating_quantiles", "{quantile, rating}"):
        if isinstance(item.get("quantile"), str) and isinstance(item.get("rating"), (int, float)):
            quantiles.append((item["quantile"], float(item["rating"])))
        else:
            checker.problem(item.line, "each rating quantile needs 'quantile' (text) and 'rating' (a number)")
    for item in checker.items(data, "top_keywords", "{keyword, count}"):
        if isinstance(item.get("keyword"), str) and isinstance(item.get("count"), int):
            keywords.append((item["keyword"], item["count"]))
        else:
            checker.problem(item.line, "each top keyword needs 'keyword' (text) and 'count' (a whole number)")
    if not name:
        return None
    if slug(name) != record.id:
        checker.problem(data.line_of("name"), f"the venue '{name}' belongs in papers/venues/{slug(name)}.yaml")
    return Venue(
        record.id,
        name,
        checker.text(data, "description") or "",
        tuple(quantiles),
        tuple(keywords),
        checker.sources(data, VENUE_FIELDS),
        record.shown,
    )


def validate(raw: RawAtlas) -> tuple[Atlas, list[Problem]]:
    """The typed atlas (holding whatever was valid) and all problems found, sorted by place."""
    problems = list(raw.problems)
    challenges = {c.id: c for r in raw.challenges if (c := _challenge(r, problems))}
    challenges = dict(sorted(challenges.items(), key=lambda item: [int(n) for n in re.findall(r"\d+", item[1].section)] or [99]))
    papers = {p.id: p for r in raw.papers if (p := _paper(r, problems))}
    venues = {v.id: v for r in raw.venues if (v := _venue(r, problems))}
    atlas = Atlas(raw.root, challenges, dict(sorted(papers.items())), raw.bibliography, venues)
    cross_check(atlas, problems)
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_file[problem.path].append(problem)
    ordered = [p for path in sorted(by_file) for p in sorted(by_file[path], key=lambda p: (p.line, p.message))]
    return atlas, ordered
