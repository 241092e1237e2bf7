"""Related papers: the nearest records by TF-IDF cosine similarity of title and abstract."""

from __future__ import annotations

from atlas.model import Atlas


def related_papers(atlas: Atlas, count: int = 5, floor: float = 0.08) -> dict[str, list[tuple[str, float]]]:
    """For each paper id, up to `count` (other id, similarity) pairs above `floor`, nearest first."""
    ids = list(atlas.papers)
    if len(ids) < 2:
        return {paper_id: [] for paper_id in ids}
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{p.title} {p.title} {p.abstract or ''} {' '.join(p.keywords)}" for p in atlas.papers.values()]
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1).fit_transform(texts)
    scores = (matrix @ matrix.T).tocsr()
    nearest: dict[str, list[tuple[str, float]]] = {}
    for row, paper_id in enumerate(ids):
        start, end = scores.indptr[row], scores.indptr[row + 1]
        pairs = [
            (ids[column], float(value))
            for column, value in zip(scores.indices[start:end], scores.data[start:end], strict=False)
            if column != row and value >= floor
        ]
        pairs.sort(key=lambda pair: (-pair[1], pair[0]))
        nearest[paper_id] = [(other, round(value, 3)) for other, value in pairs[:count]]
    return nearest
