"""Metadata from the public APIs (arXiv, Crossref, OpenReview) through one HTTP client with timeouts.

Every failure (offline, a timeout, an HTTP error, an unknown id, an answer that is not what the API
documents) becomes LookupFailed with a one-line message; nothing else escapes. The base addresses
can be pointed elsewhere with ATLAS_ARXIV_API, ATLAS_CROSSREF_API and ATLAS_OPENREVIEW_API (the
tests serve recorded answers on 127.0.0.1), and ATLAS_HTTP_TIMEOUT sets the timeout in seconds.
"""

from __future__ import annotations

import functools
import os
import re
import ssl
from typing import Any
from urllib.parse import quote

import httpx
from defusedxml import ElementTree

from atlas.contribute.candidate import Candidate
from atlas.records.ids import ARXIV_ID, DOI, OPENREVIEW
from atlas.records.model import API_NAMES

ATOM = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
DEFAULTS = {
    "arxiv": "https://export.arxiv.org/api/query",
    "crossref": "https://api.crossref.org",
    "openreview": "https://api2.openreview.net",
}


class LookupFailed(Exception):
    """One line saying what went wrong and what to do."""


class PaperNotFound(LookupFailed):
    """The API answered, and it does not know the paper."""


def base_url(api: str) -> str:
    return os.environ.get(f"ATLAS_{api.upper()}_API", DEFAULTS[api]).rstrip("/")


@functools.cache
def _certificates() -> ssl.SSLContext:
    """The trusted certificates, read once per process: reading them took 0.2 s, and `atlas refresh`
    of the real atlas makes over 400 requests."""
    return httpx.create_ssl_context()


def _get(api: str, url: str, params: dict[str, str] | None = None) -> httpx.Response:
    seconds = float(os.environ.get("ATLAS_HTTP_TIMEOUT", "15"))
    name = API_NAMES[api]
    headers = {"User-Agent": "genai-challenges-atlas"}
    try:
        with httpx.Client(timeout=seconds, follow_redirects=True, headers=headers, verify=_certificates()) as client:
            response = client.get(url, params=params)
    except httpx.TimeoutException:
        raise LookupFailed(f"the {name} API did not answer within {seconds:g} s; try again later") from None
    except httpx.HTTPError as error:
        raise LookupFailed(f"cannot reach the {name} API ({type(error).__name__}); are you offline?") from None
    if response.status_code == 404:
        raise PaperNotFound(f"the {name} API knows no such paper (HTTP 404); check the identifier")
    if response.status_code != 200:
        raise LookupFailed(f"the {name} API answered HTTP {response.status_code}; try again later")
    return response


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def fetch_arxiv(identifier: str) -> Candidate:
    match = ARXIV_ID.match(identifier.strip().removeprefix("https://arxiv.org/abs/"))
    if not match:
        raise LookupFailed(f"'{identifier}' is not an arXiv id (like 2310.02279 or hep-th/9901001)")
    arxiv_id = match.group(1)
    response = _get("arxiv", base_url("arxiv"), {"id_list": arxiv_id, "max_results": "1"})
    try:
        feed = ElementTree.fromstring(response.content)
    except ElementTree.ParseError:
        raise LookupFailed("the arXiv API answered something that is not its Atom feed; try again later") from None
    entry = feed.find("atom:entry", ATOM)
    if entry is None or _clean(entry.findtext("atom:title", "", ATOM)) == "Error":
        raise PaperNotFound(f"arXiv has no paper with the id {arxiv_id}; check it")
    published = entry.findtext("atom:published", "", ATOM)
    links = {"arxiv": f"https://arxiv.org/abs/{arxiv_id}"}
    if doi := _clean(entry.findtext("arxiv:doi", "", ATOM)):
        links["doi"] = f"https://doi.org/{doi}"
    journal = _clean(entry.findtext("arxiv:journal_ref", "", ATOM)) or None
    candidate = Candidate(
        title=_clean(entry.findtext("atom:title", "", ATOM)),
        authors=[_clean(a.findtext("atom:name", "", ATOM)) for a in entry.findall("atom:author", ATOM)],
        year=int(published[:4]) if published[:4].isdigit() else None,
        venue=journal,
        abstract=_clean(entry.findtext("atom:summary", "", ATOM)) or None,
        links=links,
        where=f"arXiv:{arxiv_id}",
    )
    candidate.source = {"api": "arxiv", "url": str(response.url), "gives": candidate.gives()}
    return candidate


def _crossref_message(doi: str) -> tuple[dict[str, Any], str]:
    response = _get("crossref", f"{base_url('crossref')}/works/{quote(doi, safe='/')}")
    try:
        data = response.json()
        message = data["message"]
        assert data.get("message-type") == "work" and isinstance(message, dict)
    except (ValueError, KeyError, AssertionError):
        raise LookupFailed("the Crossref API answered something that is not a work record; try again later") from None
    return message, str(response.url)


def _crossref_year(message: dict[str, Any]) -> int | None:
    for name in ("published-print", "published-online", "issued", "published"):
        parts = (message.get(name) or {}).get("date-parts") or [[None]]
        if parts[0] and isinstance(parts[0][0], int):
            return parts[0][0]
    return None


def fetch_crossref(identifier: str) -> Candidate:
    match = DOI.match(identifier.strip())
    if not match:
        raise LookupFailed(f"'{identifier}' is not a DOI (like 10.1371/journal.pone.0033693)")
    message, url = _crossref_message(match.group(1))
    doi = message.get("DOI") or match.group(1)
    abstract = re.sub(r"<[^>]+>", " ", message.get("abstract") or "")
    candidate = Candidate(
        title=_clean((message.get("title") or [""])[0]),
        authors=[_clean(f"{a.get('given', '')} {a.get('family', '')}") or _clean(a.get("name")) for a in message.get("author", [])],
        year=_crossref_year(message),
        venue=_clean((message.get("container-title") or [""])[0]) or None,
        abstract=_clean(abstract) or None,
        links={"doi": f"https://doi.org/{doi}"},
        where=f"doi:{doi}",
    )
    if not candidate.title:
        raise LookupFailed(f"Crossref's record of {doi} has no title; add the paper with --bibtex instead")
    candidate.source = {"api": "crossref", "url": url, "gives": candidate.gives()}
    return candidate


def _value(content: dict[str, Any], name: str) -> Any:
    field = content.get(name)
    return field.get("value") if isinstance(field, dict) else field


def fetch_openreview(identifier: str) -> Candidate:
    match = OPENREVIEW.match(identifier.strip())
    if not match:
        raise LookupFailed(f"'{identifier}' is not an OpenReview link (like https://openreview.net/forum?id=ymjI8feDTD)")
    forum = match.group(1)
    response = _get("openreview", f"{base_url('openreview')}/notes", {"id": forum})
    try:
        notes = response.json()["notes"]
    except (ValueError, KeyError):
        raise LookupFailed("the OpenReview API answered something that is not a list of notes; try again later") from None
    if not notes:
        raise PaperNotFound(f"OpenReview has no paper with the id {forum}; check the link")
    content = notes[0].get("content") or {}
    venue = _clean(_value(content, "venue")) or None
    year_match = re.search(r"\b(19|20)\d{2}\b", venue or "")
    candidate = Candidate(
        title=_clean(_value(content, "title")),
        authors=[_clean(name) for name in _value(content, "authors") or []],
        year=int(year_match.group(0)) if year_match else None,
        venue=venue,
        abstract=_clean(_value(content, "abstract")) or None,
        links={"openreview": f"https://openreview.net/forum?id={forum}"},
        keywords=[_clean(k) for k in _value(content, "keywords") or []],
        where=f"OpenReview {forum}",
    )
    candidate.source = {"api": "openreview", "url": str(response.url), "gives": candidate.gives()}
    return candidate


def fetch(kind: str, identifier: str) -> Candidate:
    return {"arxiv": fetch_arxiv, "doi": fetch_crossref, "openreview": fetch_openreview}[kind](identifier)
