"""Related papers: the nearest records by TF-IDF cosine similarity of title and abstract.

Comparing every pair of papers is quadratic: at 50,000 papers it took 163 s and 1.5 GB. Most pairs
share only common words, and common words alone cannot make two papers close, so each paper is
first compared only with the papers that share one of its rarer words and whose score can still
reach its answer (`_candidates`), and its answer is kept only where the words it left out provably
could not have changed it (`_settled`); any other paper is compared again with a looser notion of
rare, and in the end with every paper. Each paper is compared with its own candidates, not with all
those of the papers beside it: where titles share rare words by chance, a block's candidates
together were the whole atlas. Each score is computed as the plain comparison computes it (scipy
sums each score in the order of the row's words, whichever papers it is compared with), so the
answer is the same, number for number (tests/test_similarity.py holds it equal to
`related_papers(..., levels=())`, which compares all pairs).

That exact answer still grows faster than the atlas where texts repeat: a paper with N/615 near
copies meets them all, and the vocabulary stays near 7,900 words. From APPROXIMATE_FROM papers each
paper is therefore compared only with a bounded set of likely candidates (`_likeliest`: champion
lists), so the work per paper stays fixed; against the exact answer it finds more than 99.8% of the
related papers on both kinds of synthetic atlas (benchmarks/README.md, tests/test_similarity.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from atlas.records.load import TextMemo
from atlas.records.model import Atlas, Related

if TYPE_CHECKING:
    import numpy as np
    from scipy import sparse

BLOCK = 512  # papers compared at once: memory stays at BLOCK x papers, however large the atlas
MIN_BLOCK = 16  # the fewest rows a block is halved to
SPREAD = 8  # a block of rows is halved while it meets more than this many papers per row
# What rare means at each level: a word at most this many papers hold. Doubling from 16: the answer
# that settles at the lowest level wastes the least work (benchmarks/README.md).
LEVELS = tuple(2**power for power in range(4, 14))
# How far a float32 score may exceed the bound of its common words (rounding, about 1e-5 at most).
MARGIN = 1e-4
# From this many papers the answer is approximate (`_likeliest`): each paper is compared only with its
# CANDIDATES likeliest papers, found through the LOOKED_UP words it weighs most, each word leading to the
# CHAMPIONS papers that weigh it most. Recall against the exact answer: benchmarks/README.md.
APPROXIMATE_FROM = 5000
LOOKED_UP = 16
CHAMPIONS = 64
CANDIDATES = 32
Rank = Callable[["np.ndarray", "np.ndarray", "np.ndarray"], None]  # records the answers of rows, given their scores
Texts = tuple[tuple[str, ...], tuple[str, ...]]  # paper ids and, in the same order, what is compared of each


def paper_text(title: str, abstract: str | None, keywords: tuple[str, ...] | list[str] = ()) -> str:
    """The words that describe a paper: its title (twice: it says the most), abstract and keywords."""
    return f"{title} {title} {abstract or ''} {' '.join(keywords)}"


def paper_texts(atlas: Atlas) -> Texts:
    """Each paper's id and text (paper_text)."""
    papers = atlas.papers.values()
    return tuple(atlas.papers), tuple(paper_text(p.title, p.abstract, p.keywords) for p in papers)


def related_papers(
    atlas: Atlas,
    count: int = 5,
    floor: float = 0.08,
    memo: TextMemo | None = None,
    levels: tuple[int, ...] = LEVELS,
    approximate_from: int = APPROXIMATE_FROM,
) -> Related:
    """For each paper id, up to `count` (other id, similarity) pairs above `floor`, nearest first (ties
    by id). With `levels=()`, every pair is compared; the answer is the same, below `approximate_from`
    papers (above, nearly: `_likeliest`).

    With `memo` (kept by `atlas serve` between rebuilds), each text is split into words once: after
    an edit only the edited paper's text is. The scores are scipy's float32 sparse product, each
    summed in the same order however many papers it is compared with."""
    described = paper_texts(atlas)
    ids, texts = list(described[0]), list(described[1])
    if len(ids) < 2:
        return {paper_id: [] for paper_id in ids}
    from atlas.relate.tfidf import Tfidf, words  # here: the process that builds the pages never needs NumPy

    split = words if memo is None else partial(memo.parse(lambda text, _: words(text)), shown="")
    matrix = Tfidf([split(text) for text in texts]).matrix
    if memo is not None:
        memo.read_done()
    return nearest_papers(matrix, ids, count, floor, levels, approximate_from=approximate_from)


def nearest_papers(
    matrix: sparse.csr_array,
    ids: list[str],
    count: int,
    floor: float,
    levels: tuple[int, ...] = LEVELS,
    block: int = BLOCK,
    approximate_from: int = APPROXIMATE_FROM,
) -> Related:
    """related_papers of the TF-IDF rows `matrix` (unit length, one per id), compared `block` rows at
    a time. The levels pay only where comparing every pair costs more than a few blocks: from 4
    blocks of papers, and while more than one block is unsettled (benchmarks/README.md). From
    `approximate_from` papers (and with levels), each paper meets only its likeliest papers."""
    import numpy as np

    nearest: Related = {}
    by_id = np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)
    places = np.empty_like(by_id)
    places[by_id] = np.arange(len(ids))
    rank = partial(_ranked, ids=ids, places=places, count=count, floor=floor, nearest=nearest)
    if levels and len(ids) >= approximate_from:
        for rows, shared in _blocks(_likeliest(matrix, by_id), block, len(ids)):
            rank(rows, shared, _without_self((matrix[rows] @ matrix[shared].T.tocsr()).toarray(), rows, shared))
        return {paper_id: nearest[paper_id] for paper_id in ids}
    unsettled = np.arange(len(ids))
    for limit in levels if len(ids) >= 4 * block else ():
        if unsettled.size <= block or limit >= len(ids):
            break
        unsettled = _compare_by_rare_words(matrix, unsettled, limit, count, floor, rank, block)
    transposed = matrix.T.tocsr()  # the form the product needs, converted once rather than per block
    everyone = np.arange(len(ids))
    for start in range(0, unsettled.size, block):
        rows = unsettled[start : start + block]
        rank(rows, everyone, _without_self((matrix[rows] @ transposed).toarray(), rows, everyone))
    return {paper_id: nearest[paper_id] for paper_id in ids}


def _compare_by_rare_words(
    matrix: sparse.csr_array, rows: np.ndarray, limit: int, count: int, floor: float, rank: Rank, block_size: int = BLOCK
) -> np.ndarray:
    """Compare `rows` with the papers that share a word held by at most `limit` papers and may still
    be among their nearest; rank the rows whose answer that settles, and return the others.

    A paper sharing rare words is compared only if its score can reach the row's answer: the score of
    its rare words plus the most its common words can add (`_candidates`). Rows go in blocks whose
    papers to compare overlap, each block only with its rows' papers (`_blocks`), so the work follows
    how many papers each row may meet, not how many its block's rows meet together."""
    import numpy as np

    held_by = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.int64)  # papers holding each word
    rare = held_by <= limit
    rare_matrix = _words_kept(matrix, rare)
    common_length, bound = _common_bound(matrix, rare)
    ordered, waiting = _by_rarest_word(rare_matrix, held_by, rows)
    candidates = _candidates(matrix, rare_matrix, ordered, common_length, bound, count, floor, block_size)
    unsettled = [waiting, np.setdiff1d(ordered, np.fromiter(candidates, np.int64, len(candidates)))]
    for block, shared in _blocks(candidates, block_size, matrix.shape[0]):
        scores = _without_self((matrix[block] @ matrix[shared].T.tocsr()).toarray(), block, shared)
        settled = _settled(scores, bound[block], count, floor)
        rank(block[settled], shared, scores[settled])
        unsettled.append(block[~settled])
    return np.sort(np.concatenate(unsettled))


def _highest(matrix: sparse.csr_array, kept: int) -> sparse.csr_array:
    """`matrix` (values in (0, 1]) with only each row's `kept` highest values, ties to the first column."""
    import numpy as np
    from scipy import sparse

    matrix.sort_indices()
    lengths = np.diff(matrix.indptr)
    rows = np.repeat(np.arange(matrix.shape[0]), lengths)
    order = np.argsort(rows * 4.0 - matrix.data, kind="stable")  # by row, highest first, then by column
    chosen = order[np.arange(order.size) - matrix.indptr[rows] < kept]
    indptr = np.concatenate(([0], np.cumsum(np.minimum(lengths, kept))))
    return sparse.csr_array((matrix.data[chosen], matrix.indices[chosen], indptr), shape=matrix.shape)


def _likeliest(matrix: sparse.csr_array, by_id: np.ndarray) -> dict[int, np.ndarray]:
    """For each paper, the sorted CANDIDATES papers likeliest to be its nearest: the highest sums of
    weight products over its LOOKED_UP heaviest words, each word's CHAMPIONS heaviest papers only
    (champion lists; ties to the first id). The work is at most LOOKED_UP x CHAMPIONS per paper,
    however many papers hold a word. `by_id`: the papers in the order of their ids."""
    import numpy as np

    champions = _highest(matrix[by_id].T.tocsr(), CHAMPIONS)  # words x papers (in id order)
    looked_up = _highest(matrix.copy(), LOOKED_UP)
    kept: dict[int, np.ndarray] = {}
    for start in range(0, matrix.shape[0], BLOCK):
        rows = np.arange(start, min(start + BLOCK, matrix.shape[0]))
        shares = (looked_up[rows] @ champions).tocsr()
        shares.data[by_id[shares.indices] == np.repeat(rows, np.diff(shares.indptr))] = 0.0  # not itself
        shares.eliminate_zeros()
        best = _highest(shares, CANDIDATES)
        for position, row in enumerate(rows.tolist()):
            kept[row] = np.sort(by_id[best.indices[best.indptr[position] : best.indptr[position + 1]]])
    return kept


def _candidates(
    matrix: sparse.csr_array,
    rare_matrix: sparse.csr_array,
    rows: np.ndarray,
    common_length: np.ndarray,
    bound: np.ndarray,
    count: int,
    floor: float,
    block_size: int,
) -> dict[int, np.ndarray]:
    """For each of `rows` that this level will settle, the sorted papers sharing one of its rare
    words whose score can reach its answer.

    The row's `count`-th best score is at least the `count`-th best score of the candidates sharing
    the most rare weight with it (`_best_scores`, less rounding): its least. A paper's score is at
    most the score of the rare words both hold plus what the common words can add: the lower of the
    row's `bound` and, by Cauchy-Schwarz, the product of both papers' lengths of common words: its
    most. A paper whose most is under the row's least, or under `floor`, cannot be in the answer.
    A row is kept only if its bound is under `floor` or under its least: the others would not
    settle, and wait for a rarer notion of common."""
    import numpy as np

    rare_transposed = rare_matrix.T.tocsr()
    kept: dict[int, np.ndarray] = {}
    for start in range(0, rows.size, block_size):
        block = rows[start : start + block_size]
        shares = (rare_matrix[block] @ rare_transposed).tocoo()
        at, other, rare_score = shares.row, shares.col, shares.data.astype(np.float64)
        others = other != block[at]
        at, other, rare_score = at[others], other[others], rare_score[others]
        found = _kth_of_rows(*_best_scores(matrix, block, at, other, rare_score, count), block.size, count) - MARGIN
        least = np.maximum(found, floor)
        most = rare_score + np.minimum(bound[block][at], common_length[block][at] * common_length[other]) + MARGIN
        hopeful = (bound[block] < floor) | (found > bound[block])
        reaching = (most >= least[at]) & hopeful[at]
        pairs = np.sort(at[reaching].astype(np.int64) * rare_matrix.shape[0] + other[reaching])  # by row, then by paper
        starts = np.searchsorted(pairs, np.arange(block.size + 1) * rare_matrix.shape[0])
        others = pairs % rare_matrix.shape[0]
        for position in np.flatnonzero(hopeful).tolist():
            kept[int(block[position])] = others[starts[position] : starts[position + 1]]
    return kept


def _best_scores(
    matrix: sparse.csr_array, block: np.ndarray, at: np.ndarray, other: np.ndarray, rare_score: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """The scores of each row of `block` (`at`) with its 2 x `count` candidates (`other`) of highest
    `rare_score` (and any tied with the last), summed in any order: (rows, scores)."""
    import numpy as np

    keys = at * 4.0 + (2.0 - rare_score)  # by row, then highest first
    ordered = np.sort(keys)
    starts = np.searchsorted(ordered, np.arange(block.size) * 4.0)
    taken = np.minimum(np.searchsorted(ordered, np.arange(block.size) * 4.0 + 4.0) - starts, 2 * count)
    last = np.full(block.size, -1.0)
    last[taken > 0] = ordered[starts[taken > 0] + taken[taken > 0] - 1]
    best = np.flatnonzero(keys <= last[at])  # and any tied with the last
    scores = (matrix[block[at[best]]].multiply(matrix[other[best]])).sum(axis=1)
    return at[best], np.asarray(scores, dtype=np.float64).ravel()


def _kth_of_rows(at: np.ndarray, values: np.ndarray, rows: int, count: int) -> np.ndarray:
    """For each of `rows` rows, its `count`-th highest of the `values` (from 0 to about 1) at that row
    (`at`), or -inf for a row with fewer; one sort of row + (2 - value), exact to about 1e-12, which
    the callers' MARGIN covers."""
    import numpy as np

    keys = np.sort(at * 4.0 + (2.0 - values))
    starts = np.searchsorted(keys, np.arange(rows) * 4.0)
    ends = np.searchsorted(keys, np.arange(rows) * 4.0 + 4.0)
    kth = np.full(rows, -np.inf)
    enough = ends - starts >= count
    kth[enough] = 2.0 - (keys[starts[enough] + count - 1] - np.flatnonzero(enough) * 4.0)
    return kth


def _union(block: np.ndarray, parts: list[np.ndarray], papers: int) -> np.ndarray:
    """The sorted papers in `block` or any of `parts` (of `papers` papers)."""
    import numpy as np

    present = np.zeros(papers, dtype=bool)
    present[block] = True
    for part in parts:
        present[part] = True
    return np.flatnonzero(present)


def _blocks(candidates: dict[int, np.ndarray], block_size: int, papers: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The rows of `candidates` in blocks, each with the sorted papers it is compared with (its rows'
    candidates and the rows themselves); rows whose candidates overlap go together (ordered by their
    first candidate), and a block is halved while it meets more than SPREAD papers per row."""
    import numpy as np

    rows = np.array(sorted(candidates, key=lambda row: (candidates[row][0] if candidates[row].size else -1, row)), dtype=np.int64)
    start = 0
    while start < rows.size:
        size = block_size
        while True:
            block = rows[start : start + size]
            shared = _union(block, [candidates[row] for row in block.tolist()], papers)
            if size <= MIN_BLOCK or shared.size <= SPREAD * block.size:
                break
            size //= 2
        yield np.sort(block), shared
        start += block.size


def _words_kept(matrix: sparse.csr_array, kept: np.ndarray) -> sparse.csr_array:
    """`matrix` with only the words (columns) `kept` marks."""
    import numpy as np

    only = matrix.copy()
    only.data = np.where(kept[matrix.indices], matrix.data, 0).astype(matrix.data.dtype)
    only.eliminate_zeros()
    return only


def _common_bound(matrix: sparse.csr_array, rare: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's length of the words outside `rare` (times 1 + 1e-6, for rounding), and a score that
    no paper sharing only those words with it can exceed: the
    lower of two bounds on the sum of the products of those words' weights, each paper's weight of a
    word being at most the word's highest weight in any paper, and the paper's words together of unit
    length (Cauchy-Schwarz: at most the length of the row's own such words). MARGIN covers a float32
    score's rounding."""
    import numpy as np

    weights = np.where(rare[matrix.indices], 0.0, matrix.data.astype(np.float64))
    highest = np.zeros(matrix.shape[1])
    np.maximum.at(highest, matrix.indices, weights)
    filled = np.diff(matrix.indptr) > 0
    starts = matrix.indptr[:-1][filled]
    length, products = np.zeros(matrix.shape[0]), np.zeros(matrix.shape[0])
    if filled.any():
        length[filled] = np.sqrt(np.add.reduceat(weights**2, starts)) * (1 + 1e-6)  # and a row's length may exceed 1 by as much
        products[filled] = np.add.reduceat(weights * highest[matrix.indices], starts)
    return length, np.minimum(length, products) + MARGIN


def _by_rarest_word(rare_matrix: sparse.csr_array, held_by: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`rows` in order of their rarest word that another paper holds too (then by that word), and
    the rows with no such word: they share no rare word with any paper. `held_by`: how many papers
    hold each word."""
    import numpy as np

    words = rare_matrix.shape[1]
    none = np.iinfo(np.int64).max
    holders = held_by[rare_matrix.indices]
    keys = np.where(holders > 1, holders * words + rare_matrix.indices, none)
    filled = np.diff(rare_matrix.indptr) > 0
    rarest = np.full(rare_matrix.shape[0], none)
    if filled.any():
        rarest[filled] = np.minimum.reduceat(keys, rare_matrix.indptr[:-1][filled])
    alone = rarest[rows] == none
    ordered = rows[~alone]
    return ordered[np.argsort(rarest[ordered], kind="stable")], rows[alone]


def _without_self(scores: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """`scores` of `rows` against the sorted `columns`, each row's own column set to -1: a paper is
    not related to itself."""
    import numpy as np

    at = np.minimum(np.searchsorted(columns, rows), len(columns) - 1)
    mine = columns[at] == rows
    scores[np.flatnonzero(mine), at[mine]] = -1.0
    return scores


def _settled(scores: np.ndarray, bound: np.ndarray, count: int, floor: float) -> np.ndarray:
    """Which rows of `scores` (a block against every paper holding one of its rare words) already
    have their whole answer: a paper left out scores at most `bound`, so the row is settled when
    that is under `floor`, or when `count` of the papers compared score above it."""
    if scores.shape[1] <= count:
        return bound < floor
    return (bound < floor) | (_kth_highest(scores, count) > bound)


def _kth_highest(scores: np.ndarray, count: int) -> np.ndarray:
    """Each row's `count`-th highest score (the row having more than `count`)."""
    import numpy as np

    place = scores.shape[1] - count
    return np.partition(scores, place, axis=1)[:, place]


def _ranked(
    rows: np.ndarray,
    columns: np.ndarray,
    scores: np.ndarray,
    ids: list[str],
    places: np.ndarray,
    count: int,
    floor: float,
    nearest: Related,
) -> None:
    """Record each row's answer: its `count` best-scoring `columns` at or above `floor`, best first,
    ties by id (`places`: each paper's place among the sorted ids; every paper tied for the last
    place is weighed, so the answer does not depend on which papers were compared)."""
    import numpy as np

    threshold = np.full(len(rows), np.float32(floor))
    if scores.shape[1] > count:
        threshold = np.maximum(_kth_highest(scores, count), threshold)
    at_row, at_column = np.nonzero(scores >= threshold[:, None])  # compared in float32, as each score was
    values, others = scores[at_row, at_column], columns[at_column]
    order = np.lexsort((places[others], -values, at_row))  # by row, best first, then by id
    starts = np.searchsorted(at_row, np.arange(len(rows) + 1))
    first = order[np.arange(order.size) - starts[at_row] < count]  # at_row is sorted, as order keeps it
    values_kept, others_kept = values[first].tolist(), others[first].tolist()
    ends = np.searchsorted(at_row[first], np.arange(len(rows) + 1)).tolist()
    for position, row in enumerate(rows.tolist()):
        found = zip(values_kept[ends[position] : ends[position + 1]], others_kept[ends[position] : ends[position + 1]], strict=True)
        nearest[ids[row]] = [(ids[other], round(value, 3)) for value, other in found]
