"""The atlas' TF-IDF gives scikit-learn's vectors, number for number, without importing scikit-learn."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from atlas.relate.similarity import paper_texts
from atlas.relate.tfidf import STOP_WORDS, Tfidf, words

from conftest import REPO, hep_titles, real_atlas

ATLAS, _ = real_atlas()


def reference() -> TfidfVectorizer:
    return TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32)


def assert_same_vectors(expected, found) -> None:
    expected = expected.tocsr()
    assert expected.shape == found.shape
    assert np.array_equal(expected.indptr, found.indptr)
    assert np.array_equal(expected.indices, found.indices)  # the same words, in the same order in each row
    assert found.dtype == np.float32 and np.array_equal(expected.data, found.data)  # bit for bit


def test_the_stop_words_are_scikit_learns_english_ones():
    assert STOP_WORDS == ENGLISH_STOP_WORDS


def test_words_are_split_as_scikit_learn_splits_them():
    analyzer = reference().build_analyzer()
    for text in [*paper_texts(ATLAS)[1], "Naïve BAYES: a 2-step ÜBER-model, i.e. x_1 and $\\alpha$-divergences"]:
        assert words(text) == analyzer(text)


@pytest.mark.parametrize("corpus", ["atlas papers", "HEP ML titles"])
def test_fitted_vectors_vocabulary_and_idf_are_scikit_learns(corpus: str):
    texts = list(paper_texts(ATLAS)[1]) if corpus == "atlas papers" else hep_titles()
    vectorizer = reference()
    expected = vectorizer.fit_transform(texts)
    fitted = Tfidf([words(text) for text in texts])
    assert fitted.vocabulary == vectorizer.vocabulary_
    assert np.array_equal(fitted.idf, vectorizer.idf_)
    assert_same_vectors(expected, fitted.matrix)


def test_other_documents_are_weighted_in_the_fitted_vocabulary_as_scikit_learn_does():
    texts = list(paper_texts(ATLAS)[1])
    others = [*hep_titles()[:200], "", "the and of", "Diffusion diffusion DIFFUSION models for zebrafish"]
    expected = reference().fit(texts).transform(others)
    found = Tfidf([words(text) for text in texts]).transform([words(text) for text in others])
    assert_same_vectors(expected, found)
    assert found[[len(others) - 3]].nnz == found[[len(others) - 2]].nnz == 0  # no words, or only stop words: an empty row


def test_texts_of_stop_words_only_have_no_vocabulary():
    with pytest.raises(ValueError, match="empty vocabulary"):
        Tfidf([words("the and of"), words("")])


def test_building_the_site_imports_no_scikit_learn():
    """The point of atlas.relate.tfidf: the related papers of a build come without scikit-learn's import."""
    probe = (
        "import sys; from pathlib import Path; from atlas.pipeline import valid_atlas; from atlas.relate.similarity import related_papers;"
        f"related = related_papers(valid_atlas(Path({str(REPO)!r}))); assert any(related.values());"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'sklearn'))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
