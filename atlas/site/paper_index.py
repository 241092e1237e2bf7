"""The papers' table at any size: its first rows in the page, every row in compact JSON chunks.

The papers page carries the first `FIRST_ROWS` rows (by title) as HTML; the table's script fetches the
rest only when the reader acts (filters, sorts or scrolls to the end): `data/papers-N.json` holds the
rows' facts, `data/papers-text-N.json` the keywords and abstracts the text box searches, fetched on the
first search. Both lists are in the table's initial order, `CHUNK_ROWS` rows to a file.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from atlas.records.mathtext import plain_title, title_parts, title_sort_key
from atlas.records.model import Paper
from atlas.records.names import family_and_given
from atlas.site.context import SiteContext
from atlas.site.templating import venue_family

FIRST_ROWS = 100  # rows in the page itself; the rest come from the chunks
CHUNK_ROWS = 2000  # rows per JSON file
# The sort box's choices ("-" first: descending); the column headers sort the same way.
SORTS = (
    ("title", "Title, A to Z"),
    ("-title", "Title, Z to A"),
    ("-year", "Newest first"),
    ("year", "Oldest first"),
    ("-rating", "Highest rated first"),
    ("rating", "Lowest rated first"),
    ("authors", "Authors, A to Z"),
    ("-authors", "Authors, Z to A"),
    ("venue", "Venue, A to Z"),
    ("-venue", "Venue, Z to A"),
    ("kind", "Kind, A to Z"),
    ("-kind", "Kind, Z to A"),
)
COLUMNS = (
    "id", "title", "title_parts", "authors", "authors_key", "year", "venue", "venue_family", "targets", "kinds", "rating", "questions",
)  # fmt: skip
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def name_parts(name: str) -> tuple[str, str]:
    """A name's given names and family name, as catalogues sort by it: the family name as
    atlas.records.names decides it ("De la Torre", "van den Oord"), a suffix ("Jr.") left out."""
    words = name.split()
    while len(words) > 1 and words[-1].lower().strip(".,") in SUFFIXES:
        words.pop()
    family, given = family_and_given(" ".join(words))
    return given, family


def _sortable(text: str) -> str:
    """Letters and digits only, without accents or case: "De Bortoli" as "debortoli"."""
    return "".join(char for char in unicodedata.normalize("NFKD", text) if char.isalnum()).casefold()


def authors_key(authors: tuple[str, ...] | list[str]) -> str:
    """How "Authors, A to Z" sorts a paper: by its first author's family name, then given names (the
    table compares these keys as plain strings)."""
    if not authors:
        return ""
    given, family = name_parts(authors[0])
    return f"{_sortable(family)} {_sortable(given)}"


def table_order(papers: list[Paper]) -> list[Paper]:
    """The table's initial order: by title, as its sort indicator says."""
    return sorted(papers, key=lambda paper: (title_sort_key(paper.title), paper.id))


def index_row(paper: Paper) -> list[Any]:
    """One paper's row, its values in the order of COLUMNS (null where a fact is absent)."""
    plain = plain_title(paper.title)
    family = venue_family(paper.venue) if paper.venue else None
    rating = paper.ratings.average if paper.ratings and paper.ratings.average is not None else None
    return [
        paper.id,
        plain,
        title_parts(paper.title),  # only titles with mathematics need their own parts
        list(paper.authors),
        authors_key(paper.authors),
        paper.year,
        paper.venue,
        family if family != paper.venue else None,
        list(dict.fromkeys(link.target for link in paper.challenges)),
        list(paper.kinds),
        round(rating, 2) if rating is not None else None,
        [f"{link.challenge}/{question}" for link in paper.challenges for question in link.questions],
    ]


def search_text(paper: Paper) -> str:
    """What the text box finds besides title and authors: keywords and abstract, in lower case."""
    return " ".join([*paper.keywords, paper.abstract or ""]).lower()


def target_labels(site: SiteContext) -> dict[str, list[str]]:
    """Each challenge and sub-challenge a row can name: its short label, its full label and its address."""
    targets = [challenge.id for challenge in site.atlas.challenges.values()]
    targets += [f"{challenge.id}/{sub.id}" for challenge in site.atlas.challenges.values() for sub in challenge.subchallenges]
    return {target: [site.short_label(target), site.challenge_label(target), site.challenge_href(target)] for target in targets}


def _chunks(values: list[Any], size: int = CHUNK_ROWS) -> list[list[Any]]:
    return [values[start : start + size] for start in range(0, len(values), size)] or [[]]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def index_files(ordered: list[Paper], size: int = CHUNK_ROWS) -> dict[str, bytes]:
    """The chunk files, by their path below the site, `size` rows to a file."""
    files = {}
    for number, chunk in enumerate(_chunks([index_row(paper) for paper in ordered], size)):
        files[f"data/papers-{number}.json"] = _json(chunk)
    for number, chunk in enumerate(_chunks([search_text(paper) for paper in ordered], size)):
        files[f"data/papers-text-{number}.json"] = _json(chunk)
    return files


def index_meta(ordered: list[Paper], site: SiteContext) -> str:
    """What the table's script needs first (an attribute of the table): the chunk count, columns and labels."""
    meta = {
        "total": len(ordered),
        "chunks": max(1, -(-len(ordered) // CHUNK_ROWS)),  # as many as index_files writes
        "columns": COLUMNS,
        "labels": target_labels(site),
        "questions": {f"{c.id}/{q.id}": q.text for c in site.atlas.challenges.values() for q in c.open_questions},
    }
    return json.dumps(meta, ensure_ascii=False, separators=(",", ":"))
