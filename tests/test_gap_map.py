"""The research-gap map's groups and totals, read again from the challenge records: each open question
under its own sub-challenge (or the challenge as a whole), with the papers that take it up."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from atlas.records.model import Atlas
from atlas.site.gaps import gap_rows, gap_totals

from conftest import real_atlas

ATLAS = real_atlas()[0]  # read once: a mutation run forks each mutant's tests from the process that read it


def taking_up(challenge_id: str, question_id: str, atlas: Atlas = ATLAS) -> set[str]:
    return {
        paper.id
        for paper in atlas.papers.values()
        for link in paper.challenges
        if link.challenge == challenge_id and question_id in link.questions
    }


def _with_open_question() -> Atlas:
    """The real atlas (whose every question some paper takes up) with the claims on one question withdrawn."""
    withdrawn = ATLAS.challenges["efficiency"].open_questions[0].id
    papers = {}
    for paper in ATLAS.papers.values():
        links = tuple(replace(link, questions=tuple(q for q in link.questions if q != withdrawn)) for link in paper.challenges)
        papers[paper.id] = replace(paper, challenges=links)
    return Atlas(ATLAS.root, ATLAS.challenges, papers, ATLAS.bibliography, ATLAS.venues)


def test_each_question_stands_under_its_own_sub_challenge_with_the_papers_that_take_it_up():
    rows = gap_rows(ATLAS)
    assert [row["challenge"] for row in rows] == list(ATLAS.challenges.values())
    core = Counter(link.target for paper in ATLAS.papers.values() for link in paper.challenges if link.relevance == "core")
    for row in rows:
        challenge = row["challenge"]
        named = [group for group in row["groups"] if group["id"] is not None]
        assert [(g["id"], g["title"], g["papers"]) for g in named] == [
            (s.id, s.title, core[f"{challenge.id}/{s.id}"]) for s in challenge.subchallenges
        ]
        for group in named:
            assert [question for question, _ in group["questions"]] == [q for q in challenge.open_questions if q.sub == group["id"]]
        for group in row["groups"]:
            for question, pairs in group["questions"]:
                assert {paper.id for paper, _ in pairs} == taking_up(challenge.id, question.id), question.id
        shown = [question.id for group in row["groups"] for question, _ in group["questions"]]
        assert sorted(shown) == sorted(q.id for q in challenge.open_questions), "every question once"


def test_questions_of_no_sub_challenge_close_their_challenge_as_a_whole():
    rows = gap_rows(ATLAS)
    general = {row["challenge"].id: [q.id for q in row["challenge"].open_questions if q.sub is None] for row in rows}
    assert any(general.values()) and not all(general.values())
    for row in rows:
        last = row["groups"][-1]
        if general[row["challenge"].id]:
            assert (last["id"], last["title"], last["papers"]) == (None, f"{row['challenge'].title} as a whole", None)
            assert [question.id for question, _ in last["questions"]] == general[row["challenge"].id]
        else:
            assert last["id"] is not None


def test_the_totals_are_the_whole_atlas_questions_and_those_no_paper_takes_up():
    atlas = _with_open_question()
    totals = gap_totals(gap_rows(atlas))
    questions = [(c.id, q.id) for c in atlas.challenges.values() for q in c.open_questions]
    assert totals["questions"] == len(questions) > 40
    assert totals["open"] == sum(not taking_up(c, q, atlas) for c, q in questions) == 1
