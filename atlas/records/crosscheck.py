"""Stage 2, cross-check: what no single record can tell, checked across all of them.

Each check adds its problems to the list; `cross_check` runs them all.
"""

from __future__ import annotations

import re

from atlas.records.bibliography import entry_link_problems, latex_to_text
from atlas.records.duplicates import Duplicate, duplicate_records
from atlas.records.ids import normalise_title
from atlas.records.model import Atlas, BibEntry, Paper, Problem

SURVEY_REFERENCES = range(1, 257)
_VERBATIM_FIELDS = {"url", "titlesource", "doi", "eprint", "file", "archiveprefix", "primaryclass", "surveyref", "key"}
_UNESCAPED = re.compile(r"(?<!\\)[&%#_^]")
_MATH = re.compile(r"\$[^$]*\$")
_ESCAPES = {"&": "\\&", "%": "\\%", "#": "\\#", "_": "\\_", "^": "\\textasciicircum{} or $^{...}$"}


def cross_check(atlas: Atlas, problems: list[Problem]) -> None:
    """Referential integrity, numbering, LaTeX and duplicates across records."""
    for check in (
        _survey_references,
        _survey_numbers,
        _survey_order,
        _latex_fields,
        _papers,
        _questions_asked,
        _questions_searched,
        _handouts,
    ):
        check(atlas, problems)


def _sort_name(entry: BibEntry) -> str | None:
    surname = entry.first_author_surname
    return normalise_title(latex_to_text(surname)) if surname else None


def _survey_order(atlas: Atlas, problems: list[Problem]) -> None:
    """The survey's bibliography is sorted by first author's surname: its numbered entries (given in
    full or identified from its text) keep that order, so an identification that breaks it is wrong."""
    numbered = sorted(
        (number, entry) for entry in atlas.bibliography.values() if (number := entry.surveyref) is not None and number in SURVEY_REFERENCES
    )
    previous: tuple[int, str, BibEntry] | None = None
    for number, entry in numbered:
        name = _sort_name(entry)
        if name is None:
            continue
        if previous is not None and name < previous[1]:
            before, _, before_entry = previous
            wrong = entry if entry.identification or not before_entry.identification else before_entry
            order = f"[{number}] ({entry.first_author_surname}) comes after [{before}] ({before_entry.first_author_surname})"
            problems.append(
                Problem(
                    "citations.bib",
                    wrong.line,
                    f"survey reference {order}, but the survey's bibliography is sorted by first author's surname;"
                    f" check the identification of '{wrong.key}'",
                )
            )
        previous = (number, name, entry)


def _survey_references(atlas: Atlas, problems: list[Problem]) -> None:
    """Each challenge's survey references point at the right entries; related challenges exist."""
    entry_by_number = atlas.entry_for_number()
    for challenge in atlas.challenges.values():
        for reference in challenge.references:
            entry = entry_by_number.get(reference.number)
            if reference.key and reference.key not in atlas.bibliography:
                problems.append(
                    Problem(
                        challenge.path,
                        reference.line,
                        f"reference key '{reference.key}' is not in citations.bib; add the entry or fix the key",
                    )
                )
            elif reference.key and atlas.bibliography[reference.key].surveyref != reference.number:
                problems.append(
                    Problem(
                        challenge.path,
                        reference.line,
                        f"citations.bib entry '{reference.key}' is not survey reference {reference.number}"
                        " (its surveyref differs); fix 'n' or 'key'",
                    )
                )
            elif entry and not reference.key:
                problems.append(
                    Problem(
                        challenge.path,
                        reference.line,
                        f"reference {reference.number} has the entry '{entry.key}' in citations.bib; add 'key: {entry.key}'",
                    )
                )
        for related in challenge.related:
            if related.id == challenge.id:
                problems.append(Problem(challenge.path, related.line, "a challenge cannot be related to itself"))
            elif related.id not in atlas.challenges:
                problems.append(
                    Problem(
                        challenge.path,
                        related.line,
                        f"related challenge '{related.id}' does not exist; use one of {', '.join(atlas.challenges)}",
                    )
                )


def _survey_numbers(atlas: Atlas, problems: list[Problem]) -> None:
    """Each survey number belongs to one entry, from 1 to 256."""
    seen_numbers: dict[int, str] = {}
    for entry in atlas.bibliography.values():
        raw = entry.get("surveyref")
        if raw is None:
            continue
        number = entry.surveyref
        if number is None or number not in SURVEY_REFERENCES:
            problems.append(
                Problem("citations.bib", entry.line, f"entry '{entry.key}' has surveyref {raw!r}; it must be a number from 1 to 256")
            )
        elif number in seen_numbers:
            problems.append(
                Problem(
                    "citations.bib",
                    entry.line,
                    f"survey reference {number} has two entries ('{seen_numbers[number]}' and '{entry.key}'); keep one",
                )
            )
        else:
            seen_numbers[number] = entry.key


def _latex_fields(atlas: Atlas, problems: list[Problem]) -> None:
    """Every entry's links are web links and its text prints in LaTeX."""
    for entry in atlas.bibliography.values():
        problems.extend(entry_link_problems(entry, "citations.bib"))
        for name, value in entry.fields:
            if name in _VERBATIM_FIELDS:
                continue
            prose = _MATH.sub("", value) if "$" in value else value
            if bad := _UNESCAPED.search(prose):
                character = bad.group(0)
                problems.append(
                    Problem(
                        "citations.bib",
                        entry.line,
                        f"field '{name}' of '{entry.key}' has an unescaped '{character}', which LaTeX cannot print;"
                        f" write {_ESCAPES[character]}",
                    )
                )


def _papers(atlas: Atlas, problems: list[Problem]) -> None:
    """Each paper: no other record's paper, links to challenges that exist, an entry with its title."""
    for paper, duplicate in duplicate_records(list(atlas.papers.values())):
        problems.append(duplicate_problem(paper, duplicate, atlas))
    for paper in atlas.papers.values():
        for link in paper.challenges:
            challenge = atlas.challenges.get(link.challenge)
            if challenge is None:
                problems.append(
                    Problem(paper.path, link.line, f"challenge '{link.challenge}' does not exist; use one of {', '.join(atlas.challenges)}")
                )
            elif link.sub and challenge.subchallenge(link.sub) is None:
                subs = ", ".join(f"{challenge.id}/{s.id}" for s in challenge.subchallenges)
                problems.append(Problem(paper.path, link.line, f"'{link.target}' is not a sub-challenge; use one of {subs}"))
        targets = [link.target for link in paper.challenges]
        for target in {t for t in targets if targets.count(t) > 1}:
            problems.append(Problem(paper.path, paper.line, f"links to '{target}' twice; keep one"))
        for other in paper.not_duplicate_of:
            if other not in atlas.papers or other == paper.id:
                problems.append(Problem(paper.path, paper.line, f"'not_duplicate_of' names '{other}', which is no other record"))
        title = normalise_title(paper.title)
        entry = atlas.bibliography.get(paper.id)
        if entry is None:
            problems.append(Problem(paper.path, paper.line, f"has no entry in citations.bib; add one with the key '{paper.id}'"))
        elif normalise_title(latex_to_text(entry.get("title") or "")) != title:
            problems.append(
                Problem("citations.bib", entry.line, f"the title of '{paper.id}' differs from {paper.path}; make them the same")
            )


def _questions_searched(atlas: Atlas, problems: list[Problem]) -> None:
    """A question marked open (searched, nothing found) has no paper that takes it up."""
    for challenge in atlas.challenges.values():
        for question in challenge.open_questions:
            if question.status == "open" and (taking := atlas.addressing(challenge.id, question.id)):
                problems.append(
                    Problem(
                        challenge.path,
                        question.line,
                        f"question '{question.id}' is marked open, but {len(taking)} paper(s) take it up"
                        f" (e.g. {taking[0][0].id}); drop its 'status' and 'searched'",
                    )
                )


def _questions_asked(atlas: Atlas, problems: list[Problem]) -> None:
    """The questions a paper's link names are open questions of the challenge it links to."""
    for paper in atlas.papers.values():
        for link in paper.challenges:
            challenge = atlas.challenges.get(link.challenge)
            if challenge is None:
                continue
            known = [question.id for question in challenge.open_questions]
            renamed = {alias: question.id for question in challenge.open_questions for alias in question.aliases}
            for question_id in link.questions:
                if question_id in renamed:
                    problems.append(
                        Problem(
                            paper.path, link.questions_line, f"question '{question_id}' is now '{renamed[question_id]}'; use the new id"
                        )
                    )
                elif question_id not in known:
                    problems.append(
                        Problem(
                            paper.path,
                            link.questions_line or link.line,
                            f"'{question_id}' is not an open question of '{challenge.id}'; use one of {', '.join(known) or '(none yet)'}",
                        )
                    )


def _handouts(atlas: Atlas, problems: list[Problem]) -> None:
    """A sub-challenge's `start_here` names papers that link to that sub-challenge at its core (a
    handout leaves links in passing out), each once."""
    for challenge in atlas.challenges.values():
        for sub in challenge.subchallenges:
            target = f"{challenge.id}/{sub.id}"
            for paper_id in sub.start_here:
                paper = atlas.papers.get(paper_id)
                if paper is None or target not in [link.target for link in paper.challenges if not link.peripheral]:
                    problems.append(
                        Problem(
                            challenge.path, sub.line, f"'start_here' names '{paper_id}', which is no paper linked to '{target}' at its core"
                        )
                    )
            if len(set(sub.start_here)) != len(sub.start_here):
                problems.append(Problem(challenge.path, sub.line, f"'start_here' of '{sub.id}' names a paper twice; keep one"))


def duplicate_problem(paper: Paper, duplicate: Duplicate, atlas: Atlas) -> Problem:
    """A record that is another record's paper, told at the later one, naming both."""
    other = next(p.id for p in atlas.papers.values() if p.path == duplicate.existing)
    how = f"has the {duplicate.reason} as" if duplicate.reason.startswith("same ") else f"has a {duplicate.reason}, like"
    return Problem(
        paper.path,
        paper.line,
        f"{how} {duplicate.existing}; merge the two records, or if they are different papers say so with 'not_duplicate_of: [{other}]'",
    )
