"""COinS: a paper described in an OpenURL ContextObject, for a page that lists several papers.

Zotero offers a page's COinS spans as a list to choose from and saves the papers picked; it reads
them before a page's own meta tags, so spans belong on pages that list papers (the reading
handouts), never on a page that is itself cited. The facts are those of the meta tags: the
kind of venue from the table of venues, family names whole, abstracts as plain Unicode.
"""

from __future__ import annotations

from urllib.parse import urlencode

from atlas.records.ids import bare_doi
from atlas.records.mathtext import plain_prose, plain_title
from atlas.records.model import Paper
from atlas.records.names import inverted_name
from atlas.records.venue_kinds import venue_kind
from atlas.site.cite import arxiv_id

_FORMAT = "info:ofi/fmt:kev:mtx:"


def _kind_fields(paper: Paper, title: str) -> list[tuple[str, str]]:
    """The format, genre and titles the venue's kind calls for (Zotero reads keys in order: the type first)."""
    venue = venue_kind(paper.venue) if paper.venue else None
    kind = venue.kind if venue else None
    if venue and kind in ("conference", "workshop"):
        return [("rft_val_fmt", _FORMAT + "book"), ("rft.genre", "proceeding"), ("rft.atitle", title), ("rft.btitle", venue.name)]
    if venue and kind == "journal":
        fields = [("rft_val_fmt", _FORMAT + "journal"), ("rft.genre", "article"), ("rft.atitle", title), ("rft.jtitle", venue.title)]
        return fields + ([("rft.stitle", venue.name)] if venue.full_name else [])
    fields = [("rft_val_fmt", _FORMAT + "dc")]
    if kind == "preprint" or (kind is None and arxiv_id(paper)):
        fields.append(("rft.type", "preprint"))
    fields.append(("rft.title", title))
    if kind is None and arxiv_id(paper):
        fields.append(("rft.publisher", "arXiv"))
    return fields


def coins(paper: Paper) -> str:
    """The paper as a COinS span's title: a ContextObject in key/value form (escaped by the template)."""
    fields = [("ctx_ver", "Z39.88-2004"), *_kind_fields(paper, plain_title(paper.title))]
    fields += [("rft.au", inverted_name(name)) for name in paper.authors]
    if paper.year:
        fields.append(("rft.date", str(paper.year)))
    if doi := paper.link("doi"):
        fields.append(("rft_id", "info:doi/" + bare_doi(doi)))
    if url := paper.link("arxiv") or paper.link("openreview") or paper.link("url"):
        fields.append(("rft_id", url))
    if paper.abstract:
        fields.append(("rft.description", " ".join(plain_prose(paper.abstract).split())))
    return urlencode(fields)
