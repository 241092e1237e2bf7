"""The figures of the home and statistics pages, counted again from the records themselves: a count
that drifts from the records (a peripheral link counted, a venue's presentation split off, a year
dropped) would be printed on the site without any build failing."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from atlas.graph.build import build_graph
from atlas.records.model import Atlas, ChallengeLink, Paper, Ratings
from atlas.site.context import SiteContext
from atlas.site.numbers import headlines, papers_query, statistics

from conftest import real_atlas

ATLAS = real_atlas()[0]  # read once: a mutation run forks each mutant's tests from the process that read it


@pytest.fixture
def atlas() -> Atlas:
    return ATLAS


def _site(atlas: Atlas) -> SiteContext:
    return SiteContext(atlas, build_graph(atlas))


def core(paper: Paper) -> list[str]:
    """The challenges a paper addresses at its core, each once: what every count on the site counts."""
    return list(dict.fromkeys(link.challenge for link in paper.challenges if link.relevance == "core"))


def core_links_to(atlas: Atlas) -> Counter[str]:
    return Counter(link.target for paper in atlas.papers.values() for link in paper.challenges if link.relevance == "core")


def papers_per_challenge(atlas: Atlas) -> Counter[str]:
    return Counter(challenge for paper in atlas.papers.values() for challenge in core(paper))


def challenge_pairs(atlas: Atlas) -> Counter[tuple[str, str]]:
    pairs: Counter[tuple[str, str]] = Counter()
    for paper in atlas.papers.values():
        ids = sorted(core(paper))
        pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return pairs


def least_covered(atlas: Atlas) -> list[tuple[str, str, str, int]]:
    """The eight sub-challenges with the fewest core papers, ties by their ids."""
    links = core_links_to(atlas)
    rows = [(f"{c.id}/{s.id}", s.title, c.title, links[f"{c.id}/{s.id}"]) for c in atlas.challenges.values() for s in c.subchallenges]
    return sorted(rows, key=lambda row: (row[3], row[0]))[:8]


def _altered(atlas: Atlas) -> Atlas:
    """The real atlas with what it lacks today: a paper with no year, one with no venue, two presentations
    of one venue, ratings at the edges of their bins and a paper addressing three challenges at its core."""
    papers = dict(atlas.papers)
    first, second, third, fourth, fifth, sixth, seventh = list(papers)[:7]
    for paper_id, count in ((fifth, 3), (sixth, 4), (seventh, 3)):
        links = tuple(ChallengeLink(challenge, None, "method", "Bridges challenges.") for challenge in list(atlas.challenges)[:count])
        papers[paper_id] = replace(papers[paper_id], challenges=links)
    papers[first] = replace(papers[first], year=None, ratings=Ratings(10.0, (10.0,)))
    papers[second] = replace(papers[second], venue=None, ratings=Ratings(0.4, (0.4,)))
    papers[third] = replace(papers[third], venue="NeurIPS 2031 (oral)", ratings=Ratings(5.5, (5.5,)))
    papers[fourth] = replace(papers[fourth], venue="NeurIPS 2031 (poster)")
    return Atlas(atlas.root, atlas.challenges, papers, atlas.bibliography, atlas.venues)


def test_each_challenge_and_sub_challenge_counts_its_core_papers(atlas: Atlas):
    figures = statistics(_site(atlas))
    per_challenge = papers_per_challenge(atlas)
    assert figures["per_challenge"] == [(c.title, per_challenge[c.id], f"challenges/{c.id}/") for c in atlas.challenges.values()]
    links = core_links_to(atlas)
    expected = []
    for challenge in atlas.challenges.values():
        expected += [
            (sub.title, links[f"{challenge.id}/{sub.id}"], f"challenges/{challenge.id}/#{sub.id}") for sub in challenge.subchallenges
        ]
        if links[challenge.id]:
            expected.append((f"{challenge.title} (as a whole)", links[challenge.id], f"challenges/{challenge.id}/#general"))
    assert figures["per_target"] == expected
    assert any(title.endswith("(as a whole)") for title, _, _ in expected) and any(links[c] == 0 for c in atlas.challenges)
    assert figures["totals"] == {"papers": len(atlas.papers), "links": sum(len(p.challenges) for p in atlas.papers.values())}


def test_papers_are_counted_by_year_with_the_undated_last(atlas: Atlas):
    altered = _altered(atlas)
    figures = statistics(_site(altered))
    years = Counter(paper.year for paper in altered.papers.values())
    dated = sorted(year for year in years if year is not None)
    assert figures["per_year"][:-1] == [(str(year), years[year], f"papers/?year={year}") for year in dated]
    assert figures["per_year"][-1] == ("Not given", years[None], "papers/?year=none") and years[None] >= 1
    assert figures["years"] == dated


def test_each_challenges_papers_are_counted_per_year(atlas: Atlas):
    figures = statistics(_site(atlas))
    by_year = Counter((challenge, paper.year) for paper in atlas.papers.values() for challenge in core(paper))
    assert figures["year_rows"] == [
        (c.id, c.title, [by_year[(c.id, year)] for year in figures["years"]]) for c in atlas.challenges.values()
    ]
    assert figures["year_max"] == max(by_year.values())


def test_venues_count_their_presentations_together_most_papers_first(atlas: Atlas):
    figures = statistics(_site(_altered(atlas)))
    venues = [venue for venue, _, _ in figures["per_venue"]]
    assert "NeurIPS 2031" in venues and not any("(" in venue for venue in venues)
    assert dict((venue, count) for venue, count, _ in figures["per_venue"])["NeurIPS 2031"] == 2
    unnamed = sum(paper.venue is None for paper in _altered(atlas).papers.values())
    assert figures["per_venue"][-1] == ("Not given", unnamed, "papers/?venue=none")
    counted = [(-count, venue) for venue, count, _ in figures["per_venue"][:-1]]
    assert counted == sorted(counted) and counted[0][0] < -1
    assert ("ICLR 2024", papers_query(venue="ICLR 2024")) in [(venue, link) for venue, _, link in figures["per_venue"]]
    assert papers_query(venue="ICLR 2024") == "papers/?venue=ICLR%202024"


def test_ratings_fall_in_half_point_bins_the_top_one_closed(atlas: Atlas):
    altered = _altered(atlas)
    figures = statistics(_site(altered))
    ratings = [p.ratings.average for p in altered.papers.values() if p.ratings and p.ratings.average is not None]
    assert figures["rated_count"] == len(ratings) > 3
    bins = dict((label, count) for label, count, _ in figures["rating_bins"])
    assert sum(bins.values()) == len(ratings)
    assert bins["9.5-10.0"] >= 1 and bins["0.0-0.5"] >= 1 and bins["5.5-6.0"] >= 1 and "10.0-10.5" not in bins
    for label, count in bins.items():
        low, high = map(float, label.split("-"))
        assert high - low == 0.5 and count == sum(low <= r < high or (high == 10.0 and r == 10.0) for r in ratings), label
    assert [float(label.split("-")[0]) for label in bins] == sorted(float(label.split("-")[0]) for label in bins)


def test_pairs_of_challenges_count_the_papers_addressing_both(atlas: Atlas):
    atlas = _altered(atlas)
    figures = statistics(_site(atlas))
    pairs = challenge_pairs(atlas)
    assert dict(figures["pair_rows"]) == pairs and figures["pair_max"] == max(pairs.values())
    assert [count for _, count in figures["pair_rows"]] == sorted(pairs.values(), reverse=True)
    assert all(figures["pairs"][(a, b)] == figures["pairs"][(b, a)] == count for (a, b), count in pairs.items())
    bridging = sorted((p for p in atlas.papers.values() if len(core(p)) >= 3), key=lambda p: (-len(core(p)), p.id))
    assert figures["bridging"] == bridging and len(bridging) == 3  # the most bridging first, ties by id
    assert figures["two_challenge_count"] == sum(len(core(p)) == 2 for p in atlas.papers.values())


def test_the_least_covered_sub_challenges_are_the_eight_with_fewest_papers(atlas: Atlas):
    figures = statistics(_site(atlas))
    assert figures["least_covered"] == least_covered(atlas)
    assert figures["challenge_ids"] == list(atlas.challenges) and figures["titles"] == {c.id: c.title for c in atlas.challenges.values()}


def test_the_home_page_names_the_most_and_least_studied_challenges(atlas: Atlas):
    figures = headlines(_site(atlas))
    counts = papers_per_challenge(atlas)
    ranked = sorted(atlas.challenges.values(), key=lambda c: (-counts[c.id], c.section))
    assert (figures["most"], figures["most_count"]) == (ranked[0], counts[ranked[0].id])
    assert (figures["least"], figures["least_count"]) == (ranked[-1], counts[ranked[-1].id])
    assert figures["most_count"] > figures["least_count"] > 0
    assert figures["two_or_more"] == sum(len(core(p)) >= 2 for p in atlas.papers.values())
    pairs = challenge_pairs(atlas)
    assert figures["pair_count"] == max(pairs.values()) == pairs[figures["pair"]]


def _narrowed(atlas: Atlas) -> Atlas:
    """The real atlas with no paper for Ethics nor for one sub-challenge of Efficiency, and each paper
    kept to its first challenge: what a young atlas looks like."""
    gone = f"efficiency/{atlas.challenges['efficiency'].subchallenges[0].id}"
    papers = {}
    for paper in atlas.papers.values():
        links = [link for link in paper.challenges if link.challenge != "ethics" and link.target != gone]
        papers[paper.id] = replace(paper, challenges=tuple(link for link in links if link.challenge == links[0].challenge) if links else ())
    return Atlas(atlas.root, atlas.challenges, papers, atlas.bibliography, atlas.venues)


def test_a_challenge_or_sub_challenge_no_paper_addresses_counts_zero(atlas: Atlas):
    narrowed = _narrowed(atlas)
    figures = statistics(_site(narrowed))
    ethics = narrowed.challenges["ethics"]
    assert (ethics.title, 0, "challenges/ethics/") in figures["per_challenge"]
    assert {count for title, count, _ in figures["per_target"] if title in {s.title for s in ethics.subchallenges}} == {0}
    gone = narrowed.challenges["efficiency"].subchallenges[0]
    assert (gone.title, 0, f"challenges/efficiency/#{gone.id}") in figures["per_target"]
    assert figures["least_covered"] == least_covered(narrowed)
    assert (f"efficiency/{gone.id}", gone.title, narrowed.challenges["efficiency"].title, 0) in figures["least_covered"]
    assert next(row for row in figures["year_rows"] if row[0] == "ethics")[2] == [0] * len(figures["years"])


def test_with_no_paper_between_two_challenges_the_home_page_names_no_pair_and_the_least_studied_has_none(atlas: Atlas):
    narrowed = _narrowed(atlas)
    figures = headlines(_site(narrowed))
    assert (figures["pair"], figures["pair_count"], figures["two_or_more"]) == (None, 0, 0)
    assert (figures["least"].id, figures["least_count"]) == ("ethics", 0)
    assert statistics(_site(narrowed))["pair_rows"] == [] and statistics(_site(narrowed))["pair_max"] == 1


def test_an_atlas_without_papers_has_empty_figures_and_scales_of_one(atlas: Atlas):
    empty = Atlas(atlas.root, atlas.challenges, {}, atlas.bibliography, atlas.venues)
    figures = statistics(_site(empty))
    assert (figures["per_year"], figures["per_venue"], figures["rating_bins"], figures["pair_rows"]) == ([], [], [], [])
    assert (figures["year_max"], figures["pair_max"], figures["rated_count"], figures["totals"]) == (1, 1, 0, {"papers": 0, "links": 0})


def test_an_atlas_whose_papers_address_no_challenge_names_none_as_most_studied_and_keeps_a_scale_of_one(atlas: Atlas):
    unlinked = Atlas(
        atlas.root, atlas.challenges, {i: replace(p, challenges=()) for i, p in atlas.papers.items()}, atlas.bibliography, atlas.venues
    )
    figures = statistics(_site(unlinked))
    assert figures["years"] and {n for _, _, counts in figures["year_rows"] for n in counts} == {0} and figures["year_max"] == 1
    home = headlines(_site(unlinked))
    assert (home["most_count"], home["least_count"], home["pair"], home["pair_count"]) == (0, 0, None, 0)
