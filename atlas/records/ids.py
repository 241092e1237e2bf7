"""Identifiers and normalised titles: how records are named and how duplicates are recognised."""

from __future__ import annotations

import re
import unicodedata

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+\s*")
_WORD = re.compile(r"[a-z0-9]+")
# A paper's identifiers as people write them (with or without the site's address).
ARXIV_ID = re.compile(r"^(?:arxiv:)?((?:\d{4}\.\d{4,5})|(?:[a-z-]+(?:\.[A-Z]{2})?/\d{7}))(v\d+)?$", re.I)
DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.I)
OPENREVIEW = re.compile(r"^(?:https?://openreview\.net/(?:forum|pdf)\?id=)?([\w-]{6,})$")

_INLINE_MATH = re.compile(r"\$[^$]*\$")
MAX_ID_LENGTH = 64
RESERVED_IDS = frozenset({"index"})  # papers/index.md and challenges/index.md are the site's own pages


def bare_doi(url: str) -> str:
    """A DOI as written in citations: without the doi.org address it may be given as."""
    return re.sub(r"^https?://(dx\.)?doi\.org/", "", url)


def short_id(candidate: str) -> str:
    """`candidate` cut to at most MAX_ID_LENGTH characters at a word boundary."""
    if len(candidate) <= MAX_ID_LENGTH:
        return candidate
    within, _, _ = candidate[: MAX_ID_LENGTH + 1].rpartition("-")  # empty when no word ends within the limit
    return within.strip("-") or candidate[:MAX_ID_LENGTH]


_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "and",
        "or",
        "in",
        "on",
        "with",
        "via",
        "to",
        "by",
        "from",
        "is",
        "are",
        "your",
        "we",
        "do",
        "can",
        "what",
        "how",
        "why",
        "all",
        "you",
        "need",
        "towards",
        "toward",
        "through",
        "using",
        "its",
        "at",
        "as",
        "be",
        "into",
        "beyond",
        "without",
        "more",
        "not",
        "does",
        "than",
        "when",
        "which",
        "who",
        "our",
        "it",
        "this",
        "that",
        "they",
        "their",
        "make",
        "makes",
    ]
)


def fold(text: str) -> str:
    """Lower-case ASCII text without accents or LaTeX markup, for comparisons and slugs."""
    text = _LATEX_COMMAND.sub(" ", text) if "\\" in text else text
    if text.isascii():  # nothing to decompose or drop
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def normalise_title(title: str) -> str:
    """The title reduced to its words, so that case, punctuation and accents do not matter."""
    return " ".join(_WORD.findall(fold(title)))


def slug(text: str) -> str:
    return "-".join(_WORD.findall(fold(text)))


def title_words(title: str) -> list[str]:
    """The words an id is made of: those outside `$...$` math (a formula's letters say nothing of the paper)."""
    words = _WORD.findall(fold(_INLINE_MATH.sub(" ", title))) or _WORD.findall(fold(title))
    meaningful = [word for word in words if word not in _STOPWORDS]
    return meaningful or words


def paper_id_for(title: str, taken: set[str], first_author: str | None = None, year: int | None = None) -> str:
    """A readable id that is not yet taken.

    With an author and a year, `surname-year-word`; without (the seed lists give neither), the
    first meaningful title words. More title words are added until the id is free.
    """
    words = title_words(title) or ["paper"]
    if first_author:
        surname = slug(first_author.split(",")[0].split()[-1] if "," not in first_author else first_author.split(",")[0])
        head = [part for part in (surname, str(year) if year else "") if part]
        start = 1
    else:
        head = []
        start = min(3, len(words))
    for count in range(start, len(words) + 1):
        candidate = "-".join(head + words[:count])[:MAX_ID_LENGTH].strip("-")
        if candidate not in taken and candidate not in RESERVED_IDS:
            return candidate
    base = "-".join(head + words)[: MAX_ID_LENGTH - 4].strip("-")
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
