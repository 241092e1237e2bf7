"""The numbers the home and statistics pages show, from the model (atlas.records.model.Atlas)."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote, urlencode

from atlas.site.context import SiteContext
from atlas.site.templating import venue_family


def papers_query(**filters: str | int) -> str:
    """The papers table filtered: its address with each value percent-encoded ("ICLR 2024" as ICLR%202024)."""
    return "papers/?" + urlencode(filters, quote_via=quote)


def headlines(site: SiteContext) -> dict[str, Any]:
    atlas = site.atlas
    ranked = sorted(atlas.challenges.values(), key=lambda c: (-site.paper_counts.get(c.id, 0), c.section))
    pairs = atlas.challenge_pairs.most_common(1)
    return {
        "most": ranked[0],
        "most_count": site.paper_counts.get(ranked[0].id, 0),
        "least": ranked[-1],
        "least_count": site.paper_counts.get(ranked[-1].id, 0),
        "two_or_more": len(atlas.bridging_papers(at_least=2)),
        "pair": pairs[0][0] if pairs else None,
        "pair_count": pairs[0][1] if pairs else 0,
    }


def statistics(site: SiteContext) -> dict[str, Any]:
    """The numbers of the statistics page, each as (label, value, link) rows for a chart and its table."""
    atlas = site.atlas
    known_years = sorted(year for year in {paper.year for paper in atlas.papers.values()} if year)
    year_rows = _year_rows(site, known_years)
    pairs = atlas.challenge_pairs
    ratings = [paper.ratings.average for paper in atlas.papers.values() if paper.ratings and paper.ratings.average is not None]
    return {
        "totals": {"papers": len(atlas.papers), "links": sum(len(p.challenges) for p in atlas.papers.values())},
        "per_challenge": [(c.title, site.paper_counts.get(c.id, 0), f"challenges/{c.id}/") for c in atlas.challenges.values()],
        "per_target": _per_target(site),
        "per_year": _per_year(site),
        "per_venue": _per_venue(site),
        "years": known_years,
        "year_rows": year_rows,
        "year_max": max((n for _, _, counts in year_rows for n in counts), default=1) or 1,
        "challenge_ids": list(atlas.challenges),
        "titles": site.titles,
        "pairs": {**pairs, **{(b, a): value for (a, b), value in pairs.items()}},  # both orders: the heat map looks a pair up either way
        "pair_max": max(pairs.values(), default=1),
        "pair_rows": pairs.most_common(),
        "bridging": [atlas.papers[paper_id] for paper_id in atlas.bridging_papers()],
        "two_challenge_count": sum(1 for p in atlas.papers.values() if len(p.core_challenge_ids) == 2),
        "least_covered": _least_covered(site),
        "rating_bins": _rating_bins(ratings),
        "rated_count": len(ratings),
    }


# A chart's bar and its table's row: label, value and the page it links to (None: no page).
Row = tuple[str, int, str | None]


def _per_target(site: SiteContext) -> list[Row]:
    """Papers per sub-challenge, each challenge's papers on the challenge as a whole after its sub-challenges."""
    rows: list[Row] = []
    for challenge in site.atlas.challenges.values():
        for sub in challenge.subchallenges:
            rows.append((sub.title, site.sub_counts.get(f"{challenge.id}/{sub.id}", 0), f"challenges/{challenge.id}/#{sub.id}"))
        if site.sub_counts.get(challenge.id):
            rows.append((f"{challenge.title} (as a whole)", site.sub_counts[challenge.id], f"challenges/{challenge.id}/#general"))
    return rows


def _per_year(site: SiteContext) -> list[Row]:
    """Papers per year, oldest first, then those whose record gives no year."""
    years = Counter(paper.year for paper in site.atlas.papers.values())
    rows: list[Row] = [(str(year), years[year], papers_query(year=year)) for year in sorted(y for y in years if y)]
    if years.get(None):
        rows.append(("Not given", years[None], papers_query(year="none")))
    return rows


def _year_rows(site: SiteContext, known_years: list[int]) -> list[tuple[str, str, list[int]]]:
    """Each challenge's core papers per year: (id, title, a count for each of `known_years`)."""
    dated = [paper for paper in site.atlas.papers.values() if paper.year]
    by_year = Counter((challenge_id, paper.year) for paper in dated for challenge_id in paper.core_challenge_ids)
    return [(c.id, c.title, [by_year[(c.id, year)] for year in known_years]) for c in site.atlas.challenges.values()]


def _per_venue(site: SiteContext) -> list[Row]:
    """One bar per venue, the largest first: "ICLR 2024 (oral)" and "ICLR 2024 (poster)" count as ICLR 2024."""
    venues = Counter(venue_family(paper.venue) if paper.venue else None for paper in site.atlas.papers.values())
    named = sorted(((venue, count) for venue, count in venues.items() if venue), key=lambda pair: (-pair[1], pair[0]))
    rows: list[Row] = [(venue, count, papers_query(venue=venue)) for venue, count in named]
    if venues.get(None):
        rows.append(("Not given", venues[None], papers_query(venue="none")))
    return rows


def _rating_bins(ratings: list[float]) -> list[Row]:
    """Reviewers' average ratings in bins half a point wide (the last, 9.5-10.0, holds 10)."""
    bins = Counter(min(int(rating * 2) / 2, 9.5) for rating in ratings)
    return [(f"{low:.1f}-{low + 0.5:.1f}", bins[low], None) for low in sorted(bins)]


def _least_covered(site: SiteContext) -> list[tuple[str, str, str, int]]:
    """The eight sub-challenges with the fewest papers: (target, its title, its challenge's title, count)."""
    targets = [(f"{c.id}/{s.id}", s.title, c.title) for c in site.atlas.challenges.values() for s in c.subchallenges]
    rows = [(target, label, challenge_title, site.sub_counts.get(target, 0)) for target, label, challenge_title in targets]
    return sorted(rows, key=lambda row: (row[3], row[0]))[:8]
