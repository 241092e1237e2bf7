"""Stage 2, validate: raw documents become the typed model, and every problem is collected.

Nothing stops at the first problem: a contributor sees everything that is wrong in one run, each
problem as `path:line: what is wrong (and the fix)`. Challenge records are read in challenge_records.py.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from typing import Any

from atlas.records.challenge_records import challenge_record
from atlas.records.crosscheck import cross_check
from atlas.records.fields import FieldChecker, check_url, open_record
from atlas.records.ids import slug
from atlas.records.load import RawAtlas, RawRecord
from atlas.records.mathtext import math_problem
from atlas.records.model import (
    CHALLENGE_KINDS,
    LINK_FIELDS,
    LINK_NAMES,
    PAPER_FIELDS,
    RELEVANCE,
    Atlas,
    ChallengeLink,
    Paper,
    Problem,
    Ratings,
    Venue,
)
from atlas.records.yamlio import LineMap

VENUE_FIELDS = ("name", "description", "rating_quantiles", "top_keywords", "sources")


def _paper(record: RawRecord, problems: list[Problem]) -> Paper | None:
    checker, valid_id, data = open_record(record, problems, "a paper record")
    if data is None:
        return None
    checker.fields(data, PAPER_FIELDS, ("title", "sources", "challenges"), "the paper")
    title = _title(checker, data)
    year = _year(checker, data)
    links = _links(checker, data)
    ratings = _ratings(checker, data)
    links_to = _challenge_links(checker, data)
    fits_none = _fits_none(checker, data, links_to)
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
        fits_none=fits_none if not links_to else None,
        also_titled=checker.texts(data, "also_titled"),
    )


# Each reader below checks one field of a paper record and reports its problems in the record's order.


def _title(checker: FieldChecker, data: LineMap) -> str | None:
    """The title, which must be there and whose math must be publishable."""
    title = checker.text(data, "title", required=True, limit=500)
    if title and (reason := math_problem(title)):
        checker.problem(data.line_of("title"), f"the title cannot be published: {reason}")
    return title


def _year(checker: FieldChecker, data: LineMap) -> int | None:
    """The year, a whole year from 1900 to next year, or None."""
    year = data.get("year")
    this_year = datetime.date.today().year
    if year is not None and (not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= this_year + 1):
        checker.problem(data.line_of("year"), f"'year' must be a whole year between 1900 and {this_year + 1}")
        return None
    return year


def _links(checker: FieldChecker, data: LineMap) -> list[tuple[str, str]]:
    """The links of known kinds whose addresses are good, in the record's order."""
    links: list[tuple[str, str]] = []
    raw_links = data.get("links")
    if raw_links is not None and (link_map := checker.mapping(raw_links, data.line_of("links"), "'links'")):
        for name, url in link_map.items():
            if name not in LINK_NAMES:
                checker.problem(link_map.line_of(name), f"unknown link '{name}'; use one of {', '.join(LINK_NAMES)}")
            elif (good := check_url(checker, link_map.line_of(name), name, url)) is not None:
                links.append((name, good))
    return links


def _ratings(checker: FieldChecker, data: LineMap) -> Ratings | None:
    """The reviewers' scores (0 to 10) and their average, where the record gives them."""
    if "ratings" not in data or not (rating_map := checker.mapping(data["ratings"], data.line_of("ratings"), "'ratings'")):
        return None
    checker.fields(rating_map, ("average", "scores"), ("scores",), "'ratings'")
    scores = rating_map.get("scores") or []
    numbers = [s for s in scores if isinstance(s, (int, float)) and not isinstance(s, bool) and 0 <= s <= 10]
    if not isinstance(scores, list) or len(numbers) != len(scores) or not numbers:
        checker.problem(rating_map.line_of("scores"), "'scores' must be a list of reviewer scores between 0 and 10")
    average = rating_map.get("average")
    if average is not None and not (isinstance(average, (int, float)) and 0 <= average <= 10):
        checker.problem(rating_map.line_of("average"), "'average' must be a number between 0 and 10")
        average = None
    return Ratings(float(average) if average is not None else None, tuple(float(n) for n in numbers))


def _fits_none(checker: FieldChecker, data: LineMap, links_to: list[ChallengeLink]) -> str | None:
    """Why the paper fits no challenge: said exactly when it links to none."""
    fits_none = checker.text(data, "fits_none", limit=400)
    if links_to and fits_none:
        checker.problem(data.line_of("fits_none"), "links to challenges and says it fits none; drop 'fits_none' or the links")
    elif not links_to and not fits_none and "challenges" in data and not _written_links(data):
        checker.problem(
            data.line_of("challenges"),
            "links to no challenge; add at least one {id, kind, why} under 'challenges:', or say under 'fits_none:' why none fits",
        )
    return fits_none


def _written_links(data: LineMap) -> bool:
    """Whether the record writes any challenge link: an invalid one is reported at its own line, and not
    again as "links to no challenge"."""
    return isinstance(data.get("challenges"), list) and bool(data["challenges"])


def _challenge_links(checker: FieldChecker, data: LineMap) -> list[ChallengeLink]:
    """The paper's links: each {id, kind, why}, with the open questions it addresses and its relevance."""
    links = []
    for item in checker.items(data, "challenges", "links to challenges ({id, kind, why})"):
        checker.fields(item, LINK_FIELDS, ("id", "kind", "why"), "a challenge link")
        target, kind, why = checker.text(item, "id"), checker.text(item, "kind"), checker.text(item, "why", limit=400)
        if kind and kind not in CHALLENGE_KINDS:
            checker.problem(item.line_of("kind"), f"kind '{kind}' is not one of {', '.join(CHALLENGE_KINDS)}")
        relevance = checker.text(item, "relevance") or "core"
        if relevance not in RELEVANCE:
            checker.problem(item.line_of("relevance"), f"relevance '{relevance}' is not one of {', '.join(RELEVANCE)}")
            relevance = "core"
        questions = checker.ids(item, "questions", "question id")
        if target and kind in CHALLENGE_KINDS and why:
            challenge, _, sub = target.partition("/")
            links.append(
                ChallengeLink(challenge, sub or None, kind, why, item.line_of("id"), questions, relevance, item.line_of("questions"))
            )
    return links


def _venue(record: RawRecord, problems: list[Problem]) -> Venue | None:
    checker = FieldChecker(record, problems)
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


class PaperMemo:
    """Each paper record's reading (its Paper and its problems), kept by `atlas serve` between
    rebuilds while the record's parsed value is the very object read last time (the loader's
    TextMemo hands back the same parse of an unchanged file). A paper's reading depends on its
    id, file name and value only, and on the year (a paper may not be from a later one)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Any, str, int, Paper | None, list[Problem]]] = {}

    def read(self, records: list[RawRecord], problems: list[Problem]) -> list[Paper | None]:
        """`_paper` of each record, reusing a reading whose inputs are the same; forgets the rest."""
        year = datetime.date.today().year
        kept, self._kept = self._kept, {}
        for record in records:
            known = kept.get(record.shown)
            if known is None or known[0] is not record.data or known[1] != record.id or known[2] != year:
                found: list[Problem] = []
                known = (record.data, record.id, year, _paper(record, found), found)
            self._kept[record.shown] = known
        for record in records:
            problems.extend(self._kept[record.shown][4])
        return [self._kept[record.shown][3] for record in records]


def validate(raw: RawAtlas, memo: PaperMemo | None = None) -> tuple[Atlas, list[Problem]]:
    """The typed atlas (holding whatever was valid) and all problems found, sorted by place. With
    `memo`, a paper record read before and unchanged is not read again."""
    problems = list(raw.problems)
    challenges = {c.id: c for r in raw.challenges if (c := challenge_record(r, problems))}
    challenges = dict(sorted(challenges.items(), key=lambda item: [int(n) for n in re.findall(r"\d+", item[1].section)] or [99]))
    read = memo.read(raw.papers, problems) if memo is not None else [_paper(r, problems) for r in raw.papers]
    papers = {p.id: p for p in read if p}
    venues = {v.id: v for r in raw.venues if (v := _venue(r, problems))}
    atlas = Atlas(raw.root, challenges, dict(sorted(papers.items())), raw.bibliography, venues)
    cross_check(atlas, problems)
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        by_file[problem.path].append(problem)
    ordered = [p for path in sorted(by_file) for p in sorted(by_file[path], key=lambda p: (p.line, p.message))]
    return atlas, ordered


class AtlasInvalid(Exception):
    """The data has errors; `problems` says where and what to do."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the atlas data")
        self.problems = problems
