"""Related papers compared by rare words first are the related papers of every pair compared, number for
number, on the real atlas, on 2,423 real titles, on a synthetic atlas full of near-copies and ties and on one
whose titles are random words and whose abstracts are shuffled copies (so that rare words are shared by chance)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from atlas.pipeline import valid_atlas
from atlas.relate import similarity
from atlas.relate.similarity import (
    CANDIDATES,
    LEVELS,
    MARGIN,
    _common_bound,
    _compare_by_rare_words,
    _likeliest,
    _words_kept,
    nearest_papers,
    paper_texts,
    related_papers,
)
from atlas.relate.tfidf import Tfidf, words

from conftest import hep_titles, real_atlas
from synthetic import make_atlas

if TYPE_CHECKING:
    from scipy import sparse

ATLAS = real_atlas()[0]  # valid: test_data holds it free of errors


def vectors(texts: list[str] | tuple[str, ...]):
    return Tfidf([words(text) for text in texts]).matrix


def left_unsettled(matrix, limit: int) -> int:
    """How many rows comparing by words held by at most `limit` papers leaves for a later level."""
    return len(_compare_by_rare_words(matrix, np.arange(matrix.shape[0]), limit, 5, 0.08, lambda *answers: None))


@pytest.fixture(scope="module")
def synthetic_texts(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], tuple[str, ...]]:
    ids, texts = paper_texts(valid_atlas(make_atlas(tmp_path_factory.mktemp("similar") / "atlas", 3000, sources_used=200)))
    return list(ids), texts


@pytest.fixture(scope="module")
def shuffled_texts(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], tuple[str, ...]]:
    ids, texts = paper_texts(valid_atlas(make_atlas(tmp_path_factory.mktemp("shuffled") / "atlas", 3000, shuffled=True)))
    return list(ids), texts


Compared = tuple[list[str], "sparse.csr_array", dict]  # ids, their TF-IDF rows, and every pair's answer


def compared(texts: tuple[list[str], tuple[str, ...]]) -> Compared:
    matrix = vectors(texts[1])
    return texts[0], matrix, nearest_papers(matrix, texts[0], 5, 0.08, levels=())


@pytest.fixture(scope="module")
def synthetic_compared(synthetic_texts) -> Compared:
    return compared(synthetic_texts)


@pytest.fixture(scope="module")
def shuffled_compared(shuffled_texts) -> Compared:
    return compared(shuffled_texts)


@pytest.mark.parametrize("levels", [(8,), (16, 64), (64, 128)])
def test_the_real_atlas_related_by_rare_words_first_are_those_of_every_pair(levels: tuple[int, ...]):
    """In blocks of 16 papers, so that the levels run on the real atlas' 199 papers."""
    ids, texts = paper_texts(ATLAS)
    matrix = vectors(texts)
    assert nearest_papers(matrix, list(ids), 5, 0.08, levels, block=16) == related_papers(ATLAS, levels=()) == related_papers(ATLAS)
    assert left_unsettled(matrix, len(ATLAS.papers) // 3) < len(ATLAS.papers) // 10  # most settled on words a third of papers hold


@pytest.mark.parametrize("levels", [(4,), (16, 64), (64, 256), (256, 1024)])
def test_real_titles_related_by_rare_words_first_are_those_of_every_pair(levels: tuple[int, ...]):
    titles = hep_titles()
    matrix, ids = vectors(titles), [f"title-{index:04d}" for index in range(len(titles))]
    expected = nearest_papers(matrix, ids, 5, 0.08, levels=())
    assert nearest_papers(matrix, ids, 5, 0.08, levels) == nearest_papers(matrix, ids, 5, 0.08, levels, block=64) == expected
    assert sum(map(bool, expected.values())) > len(titles) // 2  # most titles have related titles to get right


def test_near_copies_and_their_ties_are_ranked_as_every_pair_ranks_them(synthetic_compared):
    """3,000 synthetic papers: each real abstract 15 times under a new title, so that many papers tie
    for the last places; the default levels settle nearly all of them on rare words."""
    ids, matrix, expected = synthetic_compared
    assert nearest_papers(matrix, ids, 5, 0.08) == nearest_papers(matrix, ids, 5, 0.08, (4, *LEVELS)) == expected
    assert nearest_papers(matrix, ids, 3, 0.5, (64,)) == nearest_papers(matrix, ids, 3, 0.5, levels=())
    assert left_unsettled(matrix, LEVELS[0]) < len(ids) // 20  # 15 or 16 copies of each abstract: settled at the first level
    scores = [score for answer in expected.values() for _, score in answer]
    assert len(set(scores)) < len(scores) // 10  # ties abound


def test_identical_texts_tie_and_are_ranked_by_id_at_every_level(monkeypatch: pytest.MonkeyPatch):
    texts = ["Diffusion models for zebrafish larvae tracking"] * 9 + ["Score matching of zebrafish larvae", "Unrelated words here"]
    ids = [f"paper-{index}" for index in (5, 3, 8, 1, 9, 0, 7, 2, 6, 10, 4)]
    matrix = vectors(texts)
    expected = nearest_papers(matrix, ids, 5, 0.08, levels=())
    assert [other for other, _ in expected["paper-5"]] == ["paper-0", "paper-1", "paper-2", "paper-3", "paper-6"]
    for levels in [(1,), (2,), (9,), (2, 5)]:
        assert nearest_papers(matrix, ids, 5, 0.08, levels, block=2) == expected
    monkeypatch.setattr(similarity, "CANDIDATES", 5)  # as few as the answer: the candidates too must go to the first ids
    monkeypatch.setattr(similarity, "CHAMPIONS", 6)  # (a paper is among its own words' champions)
    assert nearest_papers(matrix, ids, 5, 0.08, block=1, approximate_from=1) == expected


@pytest.mark.parametrize("limit", [4, 32, 256])
def test_no_paper_sharing_only_common_words_scores_above_the_bound(limit: int):
    """The bound every settled answer rests on, checked against every pair of 2,423 real titles."""
    matrix = vectors(hep_titles())
    rare = np.bincount(matrix.indices, minlength=matrix.shape[1]) <= limit
    _, bound = _common_bound(matrix, rare)
    holds_rare = matrix.multiply(rare[None, :]).astype(bool).astype(np.int32)
    share_rare = (holds_rare @ holds_rare.T).toarray() > 0
    scores = (matrix @ matrix.T.tocsr()).toarray()
    np.fill_diagonal(scores, -1.0)
    common_only = np.where(share_rare, -1.0, scores)
    assert (common_only.max(axis=1) <= bound).all()
    assert (common_only.max(axis=1) > bound - 0.2).any()  # and the bound is not loose everywhere


@pytest.mark.parametrize(("levels", "block"), [(LEVELS, 64), ((32, 128, 512), 128), (LEVELS, 512)])
def test_random_titles_and_shuffled_abstracts_are_ranked_as_every_pair_ranks_them(shuffled_compared, levels, block):
    """3,000 papers whose titles are random words: each shares rare words with many papers by chance,
    and its nearest (the papers with its abstract) only words a few dozen papers hold."""
    ids, matrix, expected = shuffled_compared
    assert nearest_papers(matrix, ids, 5, 0.08, levels, block=block) == expected
    assert left_unsettled(matrix, 512) < len(ids) // 10  # the levels settle most of them


@pytest.mark.parametrize("limit", [16, 64, 256])
def test_no_pair_scores_above_its_rare_words_and_the_bound_of_its_common_ones(shuffled_texts, limit: int):
    """What a candidate left out rests on, checked against every pair: its score is at most the score
    of the rare words both hold plus the lower of the row's bound and both lengths of common words."""
    matrix = vectors(shuffled_texts[1])
    rare = np.bincount(matrix.indices, minlength=matrix.shape[1]) <= limit
    length, bound = _common_bound(matrix, rare)
    rare_matrix = _words_kept(matrix, rare)
    rare_scores = (rare_matrix @ rare_matrix.T.tocsr()).toarray()
    scores = (matrix @ matrix.T.tocsr()).toarray()
    most = rare_scores + np.minimum(bound[:, None], length[:, None] * length[None, :]) + MARGIN
    assert (scores <= most).all()
    assert ((scores > most - 0.1) & (rare_scores > 0)).any()  # and the bound is close somewhere


def recall(found: dict, expected: dict) -> tuple[float, float]:
    """The share of the expected related papers found, and of papers whose whole list is the expected one."""
    shared = sum(len({other for other, _ in found[paper]} & {other for other, _ in answer}) for paper, answer in expected.items())
    return shared / sum(map(len, expected.values())), sum(found[paper] == answer for paper, answer in expected.items()) / len(expected)


@pytest.mark.parametrize("texts", ["synthetic_compared", "shuffled_compared"])
def test_the_approximate_answer_finds_nearly_every_related_paper(texts, request):
    """Above APPROXIMATE_FROM papers each paper meets at most CANDIDATES likely papers; here forced on
    3,000 papers of each kind, against every pair compared (below it the tests above hold it exact)."""
    ids, matrix, exact = request.getfixturevalue(texts)
    found, identical = recall(nearest_papers(matrix, ids, 5, 0.08, approximate_from=len(ids)), exact)
    assert found >= 0.995 and identical >= 0.98
    candidates = _likeliest(matrix, np.arange(len(ids)))
    assert max(map(len, candidates.values())) == CANDIDATES  # bounded, however many copies an abstract has
