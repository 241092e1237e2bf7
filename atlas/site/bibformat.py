"""Bibliography entries as HTML (pybtex's plain style) and their links; atlas.records.bibtex_writer writes their BibTeX."""

from __future__ import annotations

import re

from markupsafe import Markup
from pybtex.database import Entry
from pybtex.plugin import find_plugin

from atlas.records.bibliography import latex_to_text
from atlas.records.model import BibEntry

_LINK_FIELDS = ("url", "doi", "eprint", "archiveprefix", "surveyref")
_STYLE = find_plugin("pybtex.style.formatting", "plain")()
_HTML = find_plugin("pybtex.backends", "html")()
_URL = re.compile(r"^https?://[^\s<>\"']+$")


def entry_html(entry: BibEntry) -> Markup:
    """The entry formatted by pybtex (escaped by its HTML backend); links are rendered apart."""
    source: Entry = entry.source
    fields = {k: v.replace("\\textasciicircum{}", "^") for k, v in source.fields.items() if k.lower() not in _LINK_FIELDS}
    trimmed = Entry(source.type, fields=fields, persons=source.persons)
    try:
        formatted = _STYLE.format_entry(entry.key, trimmed)
        return Markup(formatted.text.render(_HTML))
    except Exception:  # a field pybtex's style insists on is missing: show what there is
        from html import escape

        title = latex_to_text(entry.get("title") or entry.key)
        authors = "; ".join(latex_to_text(name) for _, names in entry.persons for name in names)
        year = entry.get("year") or ""
        return Markup(escape(". ".join(part for part in (authors, title, year) if part) + "."))


def entry_links(entry: BibEntry) -> list[tuple[str, str]]:
    """(label, URL) pairs for an entry's URL, DOI and arXiv id, http(s) only."""
    links = []
    if (url := entry.get("url")) and _URL.match(url):
        links.append(("link", url))
    if doi := entry.get("doi"):
        links.append(("doi", f"https://doi.org/{doi}"))
    if (eprint := entry.get("eprint")) and (entry.get("archiveprefix") or "").lower() == "arxiv":
        links.append(("arXiv", f"https://arxiv.org/abs/{eprint}"))
    return [(label, target) for label, target in links if _URL.match(target)]
