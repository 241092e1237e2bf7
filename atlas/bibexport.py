"""BibTeX files for readers: the whole bibliography and reading lists, in plain ASCII LaTeX.

Records keep Unicode (Schölkopf, λ); classic BibTeX and LaTeX do not read it everywhere, so each
non-ASCII character is written as its LaTeX command ({\\"o}, $\\lambda$) in the exported files.
"""

from __future__ import annotations

import latexcodec  # noqa: F401 - registers the 'latex' codec

from atlas.bibliography import escape_latex, format_entry, latex_to_text
from atlas.model import BibEntry


def to_latex_ascii(text: str) -> str:
    out = []
    for character in text:
        if ord(character) < 128:
            out.append(character)
            continue
        try:
            encoded = character.encode("latex").decode("ascii")
        except (UnicodeEncodeError, UnicodeDecodeError):
            encoded = "?"
        out.append(encoded if encoded.startswith("$") else "{" + encoded + "}")
    return "".join(out)


def _with_sort_key(entry: BibEntry):
    """BibTeX sorts by author; an entry without one gets the standard `key` field (its title)."""
    source = entry.source
    if source.persons or "key" in source.fields:
        return source
    copy = source.__class__(source.type, fields=dict(source.fields), persons=source.persons)
    copy.fields["key"] = escape_latex(latex_to_text(source.fields.get("title", entry.key)))
    return copy


def export_bibtex(entries: list[BibEntry], header: str = "") -> str:
    """The entries as one .bib text that BibTeX and LaTeX compile without Unicode support."""
    texts = [to_latex_ascii(format_entry(entry.key, _with_sort_key(entry))) for entry in entries]
    lead = "".join(f"% {line}\n" for line in header.splitlines()) + ("\n" if header else "")
    return lead + "\n".join(texts)
