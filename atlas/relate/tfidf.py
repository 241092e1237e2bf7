"""TF-IDF vectors of texts, as scikit-learn's TfidfVectorizer(stop_words="english", sublinear_tf=True,
dtype=float32) makes them, without importing scikit-learn.

Importing scikit-learn costs more processor time than comparing 1,000 papers, and the build waited
for it; NumPy and SciPy's sparse matrices, which it uses itself, load in a fifth of that. The
steps are scikit-learn's own, in its order (so that every float32 sum is added up alike), and
tests/test_tfidf.py holds the vectors equal to scikit-learn's on the atlas' papers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from importlib import resources

import numpy as np
from scipy import sparse

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's token_pattern
STOP_WORDS = frozenset(
    line
    for line in resources.files("atlas.relate").joinpath("english-stop-words.txt").read_text(encoding="utf-8").splitlines()
    if line and not line.startswith("#")
)


def words(text: str) -> list[str]:
    """A text's words as they are counted: lower case, two or more word characters, no stop words."""
    return [word for word in _TOKEN.findall(text.lower()) if word not in STOP_WORDS]


def _counts(documents: Sequence[Sequence[str]], vocabulary: dict[str, int], grow: bool) -> sparse.csr_array:
    """How often each word of `vocabulary` occurs in each document; with `grow`, unknown words join it
    (numbered as first seen), otherwise they are not counted."""
    columns: list[int] = []
    counts: list[int] = []
    starts = [0]
    for document in documents:
        counted: dict[int, int] = {}
        for word in document:
            column = vocabulary.get(word)
            if column is None:
                if not grow:
                    continue
                column = vocabulary[word] = len(vocabulary)
            counted[column] = counted.get(column, 0) + 1
        columns.extend(counted)
        counts.extend(counted.values())
        starts.append(len(columns))
    index = np.int64 if starts[-1] > np.iinfo(np.int32).max else np.int32
    shape = (len(documents), len(vocabulary))
    matrix = sparse.csr_array((np.asarray(counts, np.float32), np.asarray(columns, index), np.asarray(starts, index)), shape=shape)
    matrix.sort_indices()
    return matrix


def _weighted(counts: sparse.csr_array, idf: np.ndarray) -> sparse.csr_array:
    """Counts to TF-IDF, in place: 1 + log(count), times the word's idf, each row scaled to unit length
    (its squares added up in float64, in the row's order)."""
    data = counts.data
    np.log(data, out=data)
    data += 1.0
    data *= idf[counts.indices]
    lengths = np.diff(counts.indptr)
    sums = np.zeros(counts.shape[0])
    filled = lengths > 0
    if filled.any():
        sums[filled] = np.add.reduceat((data * data).astype(np.float64), counts.indptr[:-1][filled])
    norms = np.sqrt(sums)
    norms[norms == 0.0] = 1.0  # an empty row stays empty
    np.divide(data, np.repeat(norms, lengths), out=data, casting="same_kind")
    return counts


class Tfidf:
    """TF-IDF fitted to `documents` (each a list of `words`): the vocabulary (alphabetical), each
    word's idf and the documents' own vectors (`matrix`, a float32 CSR array, one row a document)."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        first_seen: dict[str, int] = {}
        counts = _counts(documents, first_seen, grow=True)
        if not first_seen:
            raise ValueError("empty vocabulary: the texts hold only stop words")
        alphabetical = sorted(first_seen)
        renumbered = np.empty(len(alphabetical), dtype=counts.indices.dtype)
        for column, word in enumerate(alphabetical):
            renumbered[first_seen[word]] = column
        counts.indices = renumbered.take(counts.indices)  # each row keeps its words in first-seen order
        self.vocabulary = {word: column for column, word in enumerate(alphabetical)}
        frequency = np.bincount(counts.indices, minlength=len(alphabetical)).astype(np.float32)
        frequency += 1.0  # smoothed: as if one more document held every word
        self.idf = np.full_like(frequency, len(documents) + 1, dtype=np.float32)
        self.idf /= frequency
        np.log(self.idf, out=self.idf)
        self.idf += 1.0
        self.matrix = _weighted(counts, self.idf)

    def transform(self, documents: Sequence[Sequence[str]]) -> sparse.csr_array:
        """Vectors of other documents in this vocabulary (words outside it are not counted)."""
        return _weighted(_counts(documents, self.vocabulary, grow=False), self.idf)
