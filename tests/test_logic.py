"""Logic that a plausible slip would break without any other test noticing: each test here was written
against such a slip (issue 28) and fails with it."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import replace
from pathlib import Path

from atlas.pipeline import check
from atlas.records.duplicates import duplicate_records, identifier
from atlas.records.model import Atlas
from atlas.records.yamlio import dump_record, load_yaml_file
from atlas.relate.similarity import related_papers
from atlas.site.gaps import gap_rows, gap_totals

from conftest import real_atlas

ATLAS, _ = real_atlas()


def test_an_arxiv_id_is_the_same_paper_in_every_version():
    assert identifier("arxiv", "https://arxiv.org/abs/2303.01469v2") == identifier("arxiv", "https://arxiv.org/abs/2303.01469")
    assert identifier("arxiv", "https://arxiv.org/abs/2303.01469v1") != identifier("arxiv", "https://arxiv.org/abs/2303.01470v1")
    first = ATLAS.papers["song-2023-consistency"]
    again = replace(first, id="again", path="papers/again.yaml", title="Another Title Entirely For The Same Preprint",
                    links=(("arxiv", "https://arxiv.org/abs/2303.01469v3"),))  # fmt: skip
    ((found, duplicate),) = duplicate_records([first, again])
    assert found.id == "again" and duplicate.existing == first.path and duplicate.reason == "same arXiv id"


def test_a_year_after_next_year_is_refused_and_next_year_is_not(atlas_copy: Path):
    path = atlas_copy / "papers" / "song-2023-consistency.yaml"
    record, _ = load_yaml_file(path, "x")
    this_year = datetime.date.today().year
    for year, refused in ((this_year + 1, False), (this_year + 2, True), (1900, False), (1899, True)):
        path.write_text(dump_record({**record, "year": year}))
        problems = [p for p in check(atlas_copy)[1] if "'year' must be" in p.message]
        assert bool(problems) == refused, year


def test_related_papers_come_nearest_first_and_above_the_floor():
    related = related_papers(ATLAS)
    assert sum(map(len, related.values())) > 1000
    for paper_id, pairs in related.items():
        scores = [score for _, score in pairs]
        assert scores == sorted(scores, reverse=True) and all(score > 0.08 for score in scores), paper_id
        assert paper_id not in {other for other, _ in pairs}


def _thinned() -> Atlas:
    """The real atlas with the links to three of its sub-challenges taken away, but for one paper of the
    second: two sub-challenges with no paper, one with one."""
    subs = ATLAS.challenges["efficiency"].subchallenges
    gone, kept = {f"efficiency/{subs[0].id}", f"efficiency/{subs[2].id}"}, f"efficiency/{subs[1].id}"
    keeper = next(paper.id for paper in ATLAS.papers.values() if any(link.target == kept for link in paper.challenges))
    papers = {}
    for paper in ATLAS.papers.values():
        links = tuple(link for link in paper.challenges if link.target not in gone and (link.target != kept or paper.id == keeper))
        papers[paper.id] = replace(paper, challenges=links)
    return Atlas(ATLAS.root, ATLAS.challenges, papers, ATLAS.bibliography, ATLAS.venues)


def test_the_gap_maps_counts_are_those_of_the_records():
    """Sub-challenges with no paper and with one, and open questions, counted from the records directly
    (on a thinned copy of the atlas too: the real one has no sub-challenge with fewer than eight)."""
    for atlas in (ATLAS, _thinned()):
        _gap_counts_agree(atlas)
    thin = gap_rows(_thinned())
    assert [(row["empty"], row["thin"]) for row in thin if row["challenge"].id == "efficiency"] == [(2, 1)]


def _gap_counts_agree(atlas: Atlas) -> None:
    linked: Counter[str] = Counter()
    for paper in atlas.papers.values():
        for target in {link.target for link in paper.challenges if "/" in link.target}:
            linked[target] += 1
    rows = gap_rows(atlas)
    for row in rows:
        counts = [linked[f"{row['challenge'].id}/{sub.id}"] for sub in row["challenge"].subchallenges]
        assert (row["empty"], row["thin"]) == (counts.count(0), counts.count(1)), row["challenge"].id
        addressed = {link_question for paper in atlas.papers.values() for link in paper.challenges
                     if link.challenge == row["challenge"].id for link_question in link.questions}  # fmt: skip
        assert row["open"] == sum(question.id not in addressed for question in row["challenge"].open_questions)
    totals = gap_totals(rows)
    assert totals["empty_subs"] == sum(row["empty"] for row in rows) and totals["thin_subs"] == sum(row["thin"] for row in rows)
