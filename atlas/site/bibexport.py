"""BibTeX files for readers: the whole bibliography and reading lists, in plain ASCII LaTeX.

Records keep Unicode (Schölkopf, λ); classic BibTeX and LaTeX do not read it everywhere, so each
non-ASCII character is written as its LaTeX command ({\\"o}, $\\lambda$) in the exported files.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import latexcodec  # noqa: F401 - registers the 'latex' codec

from atlas.records.bibliography import escape_latex, format_entry, latex_to_text
from atlas.records.model import BibEntry

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def to_latex_ascii(text: str) -> str:
    """The text with each non-ASCII character as its LaTeX command ("?" if it has none).

    Most entries are ASCII already; the others repeat a few characters, each encoded once."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(lambda match: _latex_for(match.group(0)), text)


@cache
def _latex_for(character: str) -> str:
    try:
        encoded = character.encode("latex").decode("ascii")
    except (UnicodeEncodeError, UnicodeDecodeError):
        encoded = "?"
    if encoded.startswith("\\k"):  # the ogonek needs the T1 font encoding, which a plain document lacks: its letter
        encoded = unicodedata.normalize("NFD", character)[0]
    return encoded if encoded.startswith("$") else "{" + encoded + "}"


def _with_sort_key(entry: BibEntry):
    """BibTeX sorts by author; an entry without one gets the standard `key` field (its title)."""
    source = entry.source
    if source.persons or "key" in source.fields:
        return source
    copy = source.__class__(source.type, fields=dict(source.fields), persons=source.persons)
    copy.fields["key"] = escape_latex(latex_to_text(source.fields.get("title", entry.key)))
    return copy


@lru_cache(maxsize=1 << 16)
def _exported(entry: BibEntry) -> str:
    """One entry as exported. Cached: the whole bibliography and each reading list repeat entries,
    and equal entries (same key, type, fields, names and line) are written the same."""
    return to_latex_ascii(format_entry(entry.key, _with_sort_key(entry)))


def export_bibtex(entries: list[BibEntry], header: str = "") -> str:
    """The entries as one .bib text that BibTeX and LaTeX compile without Unicode support."""
    texts = [_exported(entry) for entry in entries]
    lead = "".join(f"% {line}\n" for line in header.splitlines()) + ("\n" if header else "")
    return lead + "\n".join(texts)
