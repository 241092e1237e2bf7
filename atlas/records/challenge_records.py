"""Validation of challenge records: sub-challenges, open questions, survey references, related challenges."""

from __future__ import annotations

import datetime
import re

from atlas.records.crosscheck import SURVEY_REFERENCES
from atlas.records.fields import FieldChecker, open_record
from atlas.records.ids import ID_PATTERN
from atlas.records.load import RawRecord
from atlas.records.model import (
    CHALLENGE_FIELDS,
    QUESTION_FIELDS,
    QUESTION_STATUSES,
    SUBCHALLENGE_FIELDS,
    Challenge,
    Problem,
    Question,
    RelatedChallenge,
    SubChallenge,
    SurveyReference,
)
from atlas.records.yamlio import LineMap

REVIEW_AGE_DAYS = 365
# Anchors the challenge page gives its own headings: no sub-challenge or question may take them.
PAGE_ANCHORS = ("open-questions", "sub-challenges", "general", "related-challenges", "survey-references")


def challenge_record(record: RawRecord, problems: list[Problem]) -> Challenge | None:
    checker, valid_id, data = open_record(record, problems, "a challenge record")
    if data is None:
        return None
    checker.fields(data, CHALLENGE_FIELDS, ("title", "section", "summary"), "the challenge")
    subs = _subchallenges(checker, data)
    references = _references(checker, data)
    questions = _questions(checker, data, subs, {reference.number for reference in references})
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
        open_questions=questions,
        subchallenges=subs,
        references=tuple(sorted(references, key=lambda r: r.number)),
        related=tuple(related),
        path=record.shown,
        line=data.line,
        maintainers=checker.texts(data, "maintainers"),
        reviewed=reviewed,
        aliases=checker.ids(data, "aliases"),
    )


def _anchor_taken(checker: FieldChecker, line: int, what: str, anchor: str, taken: dict[str, str]) -> bool:
    """Whether `anchor` is already the id of something on the challenge page (then a problem says what)."""
    holder = "a heading of the page" if anchor in PAGE_ANCHORS else taken.get(anchor)
    if holder is None:
        return False
    checker.problem(line, f"{what} '{anchor}' is already the anchor of {holder} on the challenge page; choose another id")
    return True


def _subchallenges(checker: FieldChecker, data: LineMap) -> tuple[SubChallenge, ...]:
    subs: list[SubChallenge] = []
    taken: dict[str, str] = {}
    for item in checker.items(data, "subchallenges", "sub-challenges ({id, title, summary})"):
        checker.fields(item, SUBCHALLENGE_FIELDS, ("id", "title", "summary"), "a sub-challenge")
        sub_id, title, summary = checker.text(item, "id"), checker.text(item, "title"), checker.text(item, "summary")
        if sub_id and not ID_PATTERN.match(sub_id):
            checker.problem(item.line_of("id"), f"sub-challenge id '{sub_id}' must be lower-case words joined by '-'")
        elif sub_id and _anchor_taken(checker, item.line_of("id"), "sub-challenge id", sub_id, taken):
            continue
        elif sub_id and title and summary:
            aliases = checker.ids(item, "aliases")
            for alias in aliases:
                if not _anchor_taken(checker, item.line_of("aliases"), "alias", alias, taken):
                    taken[alias] = f"the former id of sub-challenge '{sub_id}'"
            taken[sub_id] = f"sub-challenge '{sub_id}'"
            start_here = checker.ids(item, "start_here", "paper id")
            addition, thin = checker.text(item, "atlas_addition", limit=400), checker.text(item, "thin_literature", limit=400)
            subs.append(SubChallenge(sub_id, title, summary, item.line, aliases, start_here, addition, thin))
    return tuple(subs)


def _references(checker: FieldChecker, data: LineMap) -> list[SurveyReference]:
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
    return references


def _questions(checker: FieldChecker, data: LineMap, subs: tuple[SubChallenge, ...], cited: set[int]) -> tuple[Question, ...]:
    """The open questions: each {id, text, subchallenge, references}, its id unique on the page."""
    questions: list[Question] = []
    taken = {sub.id: f"sub-challenge '{sub.id}'" for sub in subs} | {
        alias: f"the former id of sub-challenge '{sub.id}'" for sub in subs for alias in sub.aliases
    }
    sub_ids = [sub.id for sub in subs]
    shape = "open questions ({id, text, subchallenge, references})"
    for item in checker.items(data, "open_questions", shape):
        checker.fields(item, QUESTION_FIELDS, ("id", "text"), "an open question")
        question_id, text = checker.text(item, "id"), checker.text(item, "text", limit=600)
        if question_id and not ID_PATTERN.match(question_id):
            checker.problem(item.line_of("id"), f"question id '{question_id}' must be lower-case words joined by '-'")
            continue
        if not (question_id and text) or _anchor_taken(checker, item.line_of("id"), "question id", question_id, taken):
            continue
        taken[question_id] = f"question '{question_id}'"
        if not text.endswith("?"):
            checker.problem(item.line_of("text"), f"question '{question_id}' does not end with '?'; ask it as a question")
        sub = _question_subchallenge(checker, item, sub_ids)
        numbers = _question_references(checker, item, cited)
        aliases = _question_aliases(checker, item, question_id, taken)
        status, searched = _search_status(checker, item)
        questions.append(Question(question_id, text, sub, numbers, item.line, aliases, status, searched))
    return tuple(questions)


def _question_subchallenge(checker: FieldChecker, item: LineMap, sub_ids: list[str]) -> str | None:
    """The sub-challenge a question belongs to, None when it names none or one this challenge lacks."""
    sub = checker.text(item, "subchallenge")
    if sub is not None and sub not in sub_ids:
        checker.problem(item.line_of("subchallenge"), f"'{sub}' is not a sub-challenge of this challenge; use one of {', '.join(sub_ids)}")
        return None
    return sub


def _question_references(checker: FieldChecker, item: LineMap, cited: set[int]) -> tuple[int, ...]:
    """The survey citation numbers a question names; each must be among the challenge's own references."""
    numbers = item.get("references") or []
    if not isinstance(numbers, list) or not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        checker.problem(item.line_of("references"), "'references' must be a list of the survey's citation numbers, e.g. [97, 170]")
        numbers = []
    for number in numbers:
        if number not in cited:
            checker.problem(item.line_of("references"), f"reference {number} is not under this challenge's 'references'; add it there")
    return tuple(numbers)


def _question_aliases(checker: FieldChecker, item: LineMap, question_id: str, taken: dict[str, str]) -> tuple[str, ...]:
    """A question's former ids, each taken as an anchor of the page (a problem when another has it)."""
    aliases = checker.ids(item, "aliases")
    for alias in aliases:
        if not _anchor_taken(checker, item.line_of("aliases"), "alias", alias, taken):
            taken[alias] = f"the former id of question '{question_id}'"
    return aliases


_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}\b")


def _search_status(checker: FieldChecker, item: LineMap) -> tuple[str | None, str | None]:
    """`status: open` (searched, no paper found) with `searched:`, a note that starts with its date."""
    status, searched = checker.text(item, "status"), checker.text(item, "searched", limit=600)
    if status is not None and status not in QUESTION_STATUSES:
        checker.problem(item.line_of("status"), f"status '{status}' is not one of {', '.join(QUESTION_STATUSES)}")
        status = None
    if searched is not None and not _DATED.match(searched):
        checker.problem(item.line_of("searched"), "'searched' must start with the date of the search (2026-12-07: where it was searched)")
    if status and not searched:
        checker.problem(item.line_of("status"), "a question marked open says under 'searched:' when and where it was searched")
    return status, searched


def _review_date(checker: FieldChecker, data: LineMap) -> str | None:
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
