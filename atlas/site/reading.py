"""Reading lists: a chosen handful of papers per sub-challenge, for reading groups.

Within each sub-challenge (and the challenge as a whole) papers are ordered so that a group starts
with the broad and the foundational: surveys, then theory, analyses, benchmarks and methods; within
a kind, the best rated and the newest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.records.model import CHALLENGE_KINDS, Atlas, Challenge, ChallengeLink, Paper

KIND_ORDER = {kind: index for index, kind in enumerate(("survey", "theory", "analysis", "benchmark", "method"))}
assert set(KIND_ORDER) == set(CHALLENGE_KINDS)


@dataclass(frozen=True)
class Section:
    id: str | None  # the sub-challenge, or None for the challenge as a whole
    title: str
    summary: str
    papers: tuple[tuple[Paper, ChallengeLink], ...]


def _rank(pair: tuple[Paper, ChallengeLink]) -> tuple:
    paper, link = pair
    rating = paper.ratings.average if paper.ratings and paper.ratings.average is not None else -1.0
    return (KIND_ORDER[link.kind], -rating, -(paper.year or 0), paper.title.lower())


def reading_list(atlas: Atlas, challenge: Challenge, sub: str | None = None, limit: int | None = 4) -> list[Section]:
    """Sections in the challenge's order, each with at most `limit` papers (None: all)."""
    linked = atlas.papers_for(challenge.id)
    sections = []
    for sub_challenge in challenge.subchallenges:
        if sub and sub != sub_challenge.id:
            continue
        pairs = sorted((pair for pair in linked if pair[1].sub == sub_challenge.id), key=_rank)
        sections.append(Section(sub_challenge.id, sub_challenge.title, sub_challenge.summary, tuple(pairs[:limit])))
    general = sorted((pair for pair in linked if pair[1].sub is None), key=_rank)
    if general and not sub:
        sections.append(Section(None, f"{challenge.title} as a whole", "", tuple(general[:limit])))
    return sections
