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
    titles = site.titles
    per_challenge = [(c.title, site.paper_counts.get(c.id, 0), f"challenges/{c.id}/") for c in atlas.challenges.values()]
    per_target = []
    for challenge in atlas.challenges.values():
        for sub in challenge.subchallenges:
            per_target.append((sub.title, site.sub_counts.get(f"{challenge.id}/{sub.id}", 0), f"challenges/{challenge.id}/#{sub.id}"))
        if site.sub_counts.get(challenge.id):
            per_target.append((f"{challenge.title} (as a whole)", site.sub_counts[challenge.id], f"challenges/{challenge.id}/#general"))
    years = Counter(paper.year for paper in atlas.papers.values())
    per_year = [(str(year), years[year], papers_query(year=year)) for year in sorted(y for y in years if y)]
    if years.get(None):
        per_year.append(("Not given", years[None], papers_query(year="none")))
    known_years = sorted(y for y in years if y)
    dated = [paper for paper in atlas.papers.values() if paper.year]
    by_year = Counter((challenge_id, paper.year) for paper in dated for challenge_id in paper.core_challenge_ids)
    year_rows = [(c.id, c.title, [by_year[(c.id, year)] for year in known_years]) for c in atlas.challenges.values()]
    venues = Counter(venue_family(paper.venue) if paper.venue else None for paper in atlas.papers.values())
    per_venue = [  # one bar per venue: "ICLR 2024 (oral)" and "ICLR 2024 (poster)" count as ICLR 2024
        (venue, count, papers_query(venue=venue))
        for venue, count in sorted(((v, c) for v, c in venues.items() if v), key=lambda vc: (-vc[1], vc[0]))
    ]
    if venues.get(None):
        per_venue.append(("Not given", venues[None], papers_query(venue="none")))
    pairs = atlas.challenge_pairs
    symmetric = {**pairs, **{(b, a): value for (a, b), value in pairs.items()}}
    ratings = [paper.ratings.average for paper in atlas.papers.values() if paper.ratings and paper.ratings.average is not None]
    bins = Counter(min(int(rating * 2) / 2, 9.5) for rating in ratings)
    rating_bins = [(f"{low:.1f}-{low + 0.5:.1f}", bins[low], None) for low in sorted(bins)]
    targets = [(f"{c.id}/{s.id}", s.title, c.title) for c in atlas.challenges.values() for s in c.subchallenges]
    least = sorted(((t, label, ct, site.sub_counts.get(t, 0)) for t, label, ct in targets), key=lambda row: (row[3], row[0]))[:8]
    return {
        "totals": {"papers": len(atlas.papers), "links": sum(len(p.challenges) for p in atlas.papers.values())},
        "per_challenge": per_challenge,
        "per_target": per_target,
        "per_year": per_year,
        "per_venue": per_venue,
        "years": known_years,
        "year_rows": year_rows,
        "year_max": max((n for _, _, counts in year_rows for n in counts), default=1) or 1,
        "challenge_ids": list(atlas.challenges),
        "titles": titles,
        "pairs": symmetric,
        "pair_max": max(pairs.values(), default=1),
        "pair_rows": pairs.most_common(),
        "bridging": [atlas.papers[paper_id] for paper_id in atlas.bridging_papers()],
        "two_challenge_count": sum(1 for p in atlas.papers.values() if len(p.core_challenge_ids) == 2),
        "least_covered": least,
        "rating_bins": rating_bins,
        "rated_count": len(ratings),
    }
