"""A rendered page as a value: what the render stage hands to a site engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import Template

from atlas.site.templating import Contents


@dataclass(frozen=True)
class Page:
    """A page of the site: its source path below the docs folder (papers/x.md; the engine gives it its
    address), the metadata the theme reads (title, description, citation, hide, search, stylesheet),
    its HTML body and its table of contents (entries as Markdown's `toc` extension gives them)."""

    path: str
    meta: dict[str, Any]
    body: str
    toc: list[dict[str, Any]]


def render_page(path: str, template: Template, context: dict[str, Any]) -> Page:
    """`template` rendered with `context`: its body, the `meta` it sets and the headings it writes."""
    if "meta" in context:  # the template's own `meta` would hide it without a word
        raise ValueError(f"{path}: `meta` names the page's metadata, which its template sets; call the value otherwise")
    contents = Contents()
    module = template.make_module({**context, "heading": contents.heading})
    return Page(path, dict(getattr(module, "meta", {})), str(module), contents.entries)


@dataclass(frozen=True)
class Rendered:
    """The whole site as the render stage makes it: pages (by the path of their .md file below the
    docs folder), assets (below assets/atlas/) and data files."""

    pages: dict[str, Page]
    assets: dict[str, bytes]
    files: dict[str, bytes]


@dataclass(frozen=True)
class SiteSettings:
    """What the engine's configuration says that the pages need: the site's address, and the
    repository and edit path for the pages' links."""

    site_url: str | None = None
    repo_url: str | None = None
    edit_uri: str | None = None


PageSource = Callable[[SiteSettings], Rendered]  # a way to render the site: the pipeline gives it to the engine
