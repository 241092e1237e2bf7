"""The templates' environment and filters: how record values become page text (always escaped)."""

from __future__ import annotations

import html
import re
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from atlas.records.ids import slug
from atlas.records.mathtext import has_markup, plain_title, prose_html, title_html
from atlas.records.model import Paper

TEMPLATE_CACHE = FileSystemBytecodeCache()
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
LINK_LABELS = {"openreview": "OpenReview", "arxiv": "arXiv", "doi": "DOI", "url": "Web page", "code": "Code"}


def md(text: Any) -> Markup:
    """Text for a Markdown line: `<` and `&` HTML-escaped (quotes stay: an entity's `#` would be
    backslash-escaped into text), then Markdown punctuation backslash-escaped."""
    return Markup(_MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(str(text), quote=False)))


def page_title(text: str) -> str:
    """A page's title for the engine's metadata: plain text, angle brackets replaced (the theme writes it unescaped)."""
    return plain_title(text).replace("<", "‹").replace(">", "›")


def page_description(text: str, limit: int = 200) -> str:
    """A page's description for the engine's metadata (the theme's <meta name="description"> and the
    Open Graph tags): plain text on one line, cut at a word before `limit` characters, HTML-escaped
    here because the theme writes it into an attribute as it is."""
    plain = " ".join(plain_title(text).split())
    if len(plain) > limit:
        plain = plain[: plain.rfind(" ", 0, limit - 1)].rstrip(",;:") + "…"
    return str(escape(plain))


def venue_family(venue: str) -> str:
    """The venue without its presentation: "ICLR 2024 (oral)" is of "ICLR 2024"."""
    return re.sub(r"\s*\([^()]*\)$", "", venue)


def short_authors(authors: tuple[str, ...]) -> str:
    """ "A", "A and B", or "A et al." (the whole list is on the paper's page)."""
    if len(authors) <= 2:
        return " and ".join(authors)
    return f"{authors[0]} et al."


READ_FIRST = ("doi", "arxiv", "openreview", "url")  # the link that opens the paper itself, the first the record has


def paper_address(paper: Paper) -> str | None:
    """Where the paper itself is read: its DOI, arXiv listing, OpenReview page or other address."""
    return next((url for name in READ_FIRST if (url := paper.link(name))), None)


def paragraphs(text: str | None) -> Markup:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text or "") if block.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(block) for block in blocks)


def prose_paragraphs(text: str | None) -> Markup:
    """Prose with LaTeX (an abstract) as paragraphs: its math as MathML, its markup decoded, all escaped."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text or "") if block.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(prose_html(block)) for block in blocks)


class Contents:
    """A page's table of contents, recorded as its template writes each heading (`heading`): nested by
    level, each entry as Markdown's `toc` extension gives it (level, id, name as HTML, children)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self._open: list[dict[str, Any]] = []  # the entries a deeper heading would nest under

    def heading(self, level: int, text: str, anchor: str | None = None) -> Markup:
        """A section heading with its id and permalink, as Markdown's `toc` extension would write it."""
        anchor = escape(anchor or slug(plain_title(text)) or f"section-{level}")
        name = title_html(text)
        entry = {"level": level, "id": str(anchor), "name": str(name), "children": []}
        while self._open and self._open[-1]["level"] >= level:
            self._open.pop()
        (self._open[-1]["children"] if self._open else self.entries).append(entry)
        self._open.append(entry)
        permalink = f'<a class="headerlink" href="#{anchor}" title="Permanent link">&para;</a>'
        return Markup(f'<h{level:d} id="{anchor}">{name}{permalink}</h{level:d}>')


def page_url(path: str) -> str:
    """The address of a page file with directory URLs: papers/x.md -> papers/x/."""
    stem = path.removesuffix(".md")
    if stem == "index":
        return ""
    return (stem.removesuffix("/index") if stem.endswith("/index") else stem) + "/"


def template_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("atlas.site", "templates"),
        bytecode_cache=TEMPLATE_CACHE,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        md=md,
        page_title=page_title,
        page_description=page_description,
        paragraphs=paragraphs,
        prose_paragraphs=prose_paragraphs,
        has_markup=has_markup,
        slug=slug,
        title_html=title_html,
        plain=plain_title,
        venue_family=venue_family,
        short_authors=short_authors,
        paper_address=paper_address,
        split_lines=str.splitlines,
    )
    return environment
