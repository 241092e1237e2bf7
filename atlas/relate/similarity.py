"""Related papers: the nearest records by TF-IDF cosine similarity of title and abstract."""

from __future__ import annotations

from functools import partial

from atlas.records.load import TextMemo
from atlas.records.model import Atlas, Related

BLOCK = 512  # rows compared at once: memory stays at BLOCK x papers, however large the atlas
Texts = tuple[tuple[str, ...], tuple[str, ...]]  # paper ids and, in the same order, what is compared of each


def paper_text(title: str, abstract: str | None, keywords: tuple[str, ...] | list[str] = ()) -> str:
    """The words that describe a paper: its title (twice: it says the most), abstract and keywords."""
    return f"{title} {title} {abstract or ''} {' '.join(keywords)}"


def paper_texts(atlas: Atlas) -> Texts:
    """Each paper's id and text (paper_text)."""
    papers = atlas.papers.values()
    return tuple(atlas.papers), tuple(paper_text(p.title, p.abstract, p.keywords) for p in papers)


def related_papers(atlas: Atlas, count: int = 5, floor: float = 0.08, memo: TextMemo | None = None) -> Related:
    """For each paper id, up to `count` (other id, similarity) pairs above `floor`, nearest first.

    With `memo` (kept by `atlas serve` between rebuilds), each text is split into words once: after
    an edit only the edited paper's text is, and the scores are computed as before. The scores stay
    scipy's float32 sparse product (most of the time at 10,000 papers): a faster kernel would sum in
    another order and could move a score across a rounding step or break a tie the other way."""
    described = paper_texts(atlas)
    ids, texts = list(described[0]), list(described[1])
    if len(ids) < 2:
        return {paper_id: [] for paper_id in ids}
    import numpy as np  # here, as the TF-IDF: the process that builds the pages never needs NumPy

    from atlas.relate.tfidf import Tfidf, words

    split = words if memo is None else partial(memo.parse(lambda text, _: words(text)), shown="")
    matrix = Tfidf([split(text) for text in texts]).matrix
    if memo is not None:
        memo.read_done()
    transposed = matrix.T.tocsr()  # the form the product needs, converted once rather than per block
    kth = min(count, len(ids) - 1)
    nearest: Related = {}
    for start in range(0, len(ids), BLOCK):
        scores = (matrix[start : start + BLOCK] @ transposed).toarray()
        rows = np.arange(len(scores))
        scores[rows, start + rows] = -1.0  # a paper is not related to itself
        top = np.argpartition(-scores, kth, axis=1)[:, : count + 1]  # each row as np.argpartition(-row) picks
        top_scores = np.take_along_axis(scores, top, axis=1)
        above = top_scores >= floor  # compared in float32, as each score was
        for offset in range(len(scores)):
            pairs = zip(top_scores[offset, above[offset]].tolist(), top[offset, above[offset]].tolist(), strict=True)
            ranked = sorted(((value, ids[c]) for value, c in pairs), key=lambda pair: (-pair[0], pair[1]))
            nearest[ids[start + offset]] = [(other, round(value, 3)) for value, other in ranked[:count]]
    return nearest
