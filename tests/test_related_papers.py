"""How many related papers a paper page lists: up to five, every one above the floor, counted again
from the TF-IDF vectors compared by hand."""

from __future__ import annotations

import numpy as np

from atlas.relate.similarity import paper_texts, related_papers
from atlas.relate.tfidf import Tfidf, words

from conftest import real_atlas

ATLAS = real_atlas()[0]  # read once: a mutation run forks each mutant's tests from the process that read it


def test_a_paper_lists_five_related_papers_whenever_five_others_are_close_enough():
    ids, texts = paper_texts(ATLAS)
    matrix = Tfidf([words(text) for text in texts]).matrix.toarray()
    scores = matrix @ matrix.T
    np.fill_diagonal(scores, -1.0)
    related = related_papers(ATLAS)
    close = {paper_id: int((scores[row] >= np.float32(0.08)).sum()) for row, paper_id in enumerate(ids)}
    assert [len(related[paper_id]) for paper_id in ids] == [min(5, close[paper_id]) for paper_id in ids]
    assert sum(count >= 5 for count in close.values()) > 400 and any(0 < count < 5 for count in close.values())
    for row, paper_id in enumerate(ids):
        best = sorted(scores[row], reverse=True)[: len(related[paper_id])]
        assert [score for _, score in related[paper_id]] == [round(float(s), 3) for s in best], paper_id
