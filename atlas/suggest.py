"""Challenge suggestions for a new paper, from the wording of its title and abstract.

Each target (a challenge or a sub-challenge) is described twice: by its own text in the challenge
record, and by the papers already linked to it. A new paper's score for a target is
TEXT_WEIGHT x (cosine similarity to the target's text) + (1 - TEXT_WEIGHT) x (mean similarity to the
NEIGHBOURS most similar papers linked to it), with TF-IDF vectors. It needs no download; the
leave-one-out evaluation below measures how often the top three contain a curated challenge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from atlas.model import Atlas, Paper

TEXT_WEIGHT = 0.4
NEIGHBOURS = 3


@dataclass(frozen=True)
class Suggestion:
    target: str  # "challenge" or "challenge/sub"
    score: float


def paper_text(title: str, abstract: str | None, keywords: tuple[str, ...] | list[str] = ()) -> str:
    return f"{title} {title} {abstract or ''} {' '.join(keywords)}"


def _target_texts(atlas: Atlas) -> dict[str, str]:
    texts = {}
    for challenge in atlas.challenges.values():
        subs = " ".join(f"{s.title} {s.summary}" for s in challenge.subchallenges)
        texts[challenge.id] = f"{challenge.title} {challenge.title} {challenge.summary} {' '.join(challenge.open_questions)} {subs}"
        for sub in challenge.subchallenges:
            texts[f"{challenge.id}/{sub.id}"] = f"{sub.title} {sub.title} {sub.summary} {challenge.title}"
    return texts


def suggest(
    atlas: Atlas, title: str, abstract: str | None, keywords: list[str] | None = None, exclude: str | None = None
) -> list[Suggestion]:
    """Every target ranked for a paper (best first); `exclude` leaves one paper out of the evidence."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    targets = _target_texts(atlas)
    papers: list[Paper] = [p for p in atlas.papers.values() if p.id != exclude]
    corpus = list(targets.values()) + [paper_text(p.title, p.abstract, p.keywords) for p in papers]
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32).fit(corpus)
    query = vectorizer.transform([paper_text(title, abstract, keywords or [])])
    text_scores = (vectorizer.transform(list(targets.values())) @ query.T).toarray().ravel()
    paper_scores = (vectorizer.transform(corpus[len(targets) :]) @ query.T).toarray().ravel() if papers else np.zeros(0)
    linked: dict[str, list[float]] = {target: [] for target in targets}
    for paper, score in zip(papers, paper_scores, strict=True):
        for link in paper.challenges:
            linked[link.target].append(float(score))
            if link.sub:
                linked[link.challenge].append(float(score))
    ranked = []
    for (target, _), text_score in zip(targets.items(), text_scores, strict=True):
        nearest = sorted(linked[target], reverse=True)[:NEIGHBOURS]
        evidence = sum(nearest) / NEIGHBOURS if nearest else 0.0
        ranked.append(Suggestion(target, round(TEXT_WEIGHT * float(text_score) + (1 - TEXT_WEIGHT) * evidence, 4)))
    ranked.sort(key=lambda s: (-s.score, s.target))
    return ranked


def top_challenges(suggestions: list[Suggestion], count: int = 3) -> list[str]:
    """The first `count` distinct challenges among ranked suggestions."""
    found: list[str] = []
    for suggestion in suggestions:
        challenge = suggestion.target.split("/")[0]
        if challenge not in found:
            found.append(challenge)
        if len(found) == count:
            break
    return found


def leave_one_out(atlas: Atlas, count: int = 3) -> float:
    """The share of papers whose top `count` suggested challenges (made without the paper itself)
    contain a challenge its curators linked it to."""
    hits = 0
    for paper in atlas.papers.values():
        ranked = suggest(atlas, paper.title, paper.abstract, list(paper.keywords), exclude=paper.id)
        curated = {link.challenge for link in paper.challenges}
        hits += bool(curated & set(top_challenges(ranked, count)))
    return hits / len(atlas.papers) if atlas.papers else 0.0
