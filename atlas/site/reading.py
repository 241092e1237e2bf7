"""Reading lists: a chosen handful of papers per sub-challenge, for reading groups.

Each sub-challenge opens with the maintainers' choice (its `start_here` list in the challenge
record); the rest of its core papers follow, those that take up one of the challenge's open questions
first, then the newest and best rated. A paper appears once per handout (in its first section, or
in the one that starts with it); papers that touch the challenge only in passing are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from atlas.records.model import Atlas, Challenge, ChallengeLink, Paper, Question, SubChallenge

Pair = tuple[Paper, ChallengeLink]  # a paper and its link to the challenge


@dataclass(frozen=True)
class Section:
    id: str | None  # the sub-challenge, or None for the challenge as a whole
    title: str
    summary: str
    papers: tuple[tuple[Paper, ChallengeLink], ...]


@dataclass(frozen=True)
class Prompt:
    """An open question as a discussion prompt, with the papers of the atlas that address it."""

    question: Question
    papers: tuple[tuple[Paper, ChallengeLink], ...]


def _rank(pair: Pair) -> tuple:
    paper, link = pair
    rating = paper.ratings.average if paper.ratings and paper.ratings.average is not None else -1.0
    return (not link.questions, -(paper.year or 0), -rating, paper.title.lower())


def _chosen(pairs: list[Pair], start_here: tuple[str, ...]) -> list[Pair]:
    """The maintainers' choice in their order, then the others ranked."""
    first = {paper_id: position for position, paper_id in enumerate(start_here)}
    picked = sorted((pair for pair in pairs if pair[0].id in first), key=lambda pair: first[pair[0].id])
    return picked + sorted((pair for pair in pairs if pair[0].id not in first), key=_rank)


def _sub_challenge_papers(linked: list[Pair], sub_challenge: SubChallenge, reserved: set[str], shown: set[str]) -> tuple[Pair, ...]:
    """The sub-challenge's papers in reading order, but those an earlier section shows and those another
    section starts with (kept for that section, not used here to fill up)."""
    pairs = _chosen([pair for pair in linked if pair[1].sub == sub_challenge.id], sub_challenge.start_here)
    free = [pair for pair in pairs if pair[0].id in sub_challenge.start_here or pair[0].id not in reserved]
    return tuple(pair for pair in free if pair[0].id not in shown)


def reading_list(atlas: Atlas, challenge: Challenge, sub: str | None = None, limit: int | None = 4) -> list[Section]:
    """Sections in the challenge's order, each with at most `limit` papers (None: all)."""
    linked = [pair for pair in atlas.papers_for(challenge.id) if not pair[1].peripheral]
    reserved = {paper_id for sub_challenge in challenge.subchallenges for paper_id in sub_challenge.start_here}
    sections: list[Section] = []
    shown: set[str] = set()
    for sub_challenge in challenge.subchallenges:
        if sub and sub != sub_challenge.id:
            continue
        chosen = _sub_challenge_papers(linked, sub_challenge, reserved, shown)[:limit]
        shown.update(paper.id for paper, _ in chosen)
        sections.append(Section(sub_challenge.id, sub_challenge.title, sub_challenge.summary, chosen))
    general = tuple(pair for pair in sorted((p for p in linked if p[1].sub is None), key=_rank) if pair[0].id not in shown)
    if general and not sub:
        sections.append(Section(None, f"{challenge.title} as a whole", "", general[:limit]))
    return sections


def prompts(atlas: Atlas, challenge: Challenge) -> list[Prompt]:
    """The challenge's open questions, each with what addresses it: the handout's discussion prompts."""
    return [Prompt(question, tuple(atlas.addressing(challenge.id, question.id))) for question in challenge.open_questions]
