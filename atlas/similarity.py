"""Related papers: the nearest records by TF-IDF cosine similarity of title and abstract."""

from __future__ import annotations

import numpy as np

from atlas.model import Atlas

BLOCK = 512  # rows compared at once: memory stays at BLOCK x papers, however large the atlas


def related_papers(atlas: Atlas, count: int = 5, floor: float = 0.08) -> dict[str, list[tuple[str, float]]]:
    """For each paper id, up to `count` (other id, similarity) pairs above `floor`, nearest first."""
    ids = list(atlas.papers)
    if len(ids) < 2:
        return {paper_id: [] for paper_id in ids}
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{p.title} {p.title} {p.abstract or ''} {' '.join(p.keywords)}" for p in atlas.papers.values()]
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32).fit_transform(texts).tocsr()
    transposed = matrix.T.tocsc()
    nearest: dict[str, list[tuple[str, float]]] = {}
    for start in range(0, len(ids), BLOCK):
        scores = (matrix[start : start + BLOCK] @ transposed).toarray()
        for offset, row in enumerate(scores):
            row[start + offset] = -1.0
            top = np.argpartition(-row, min(count, len(row) - 1))[: count + 1]
            ranked = sorted(((float(row[c]), ids[c]) for c in top if row[c] >= floor), key=lambda pair: (-pair[0], pair[1]))
            nearest[ids[start + offset]] = [(other, round(value, 3)) for value, other in ranked[:count]]
    return nearest
