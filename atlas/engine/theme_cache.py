"""A fragment cache for the theme: parts of a page that are the same on thousands of pages are
rendered once.

Material renders the whole navigation into every page. Paper and venue pages are not in the
navigation, so all those in one folder have the same navigation: `{% atlas_cache key %}`
renders its body once per key and reuses it (a None key renders every time).
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser


class FragmentCache(Extension):
    """`{% atlas_cache key %}...{% endatlas_cache %}`: the body rendered once per key per environment."""

    tags = frozenset({"atlas_cache"})  # type: ignore[assignment]

    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.extend(atlas_fragments={}, atlas_fragments_cached=True)

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = parser.parse_expression()
        body = parser.parse_statements(("name:endatlas_cache",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_cached", [key]), [], [], body).set_lineno(lineno)

    def _cached(self, key: object, caller: Callable[[], str]) -> str:
        if key is None or not self.environment.atlas_fragments_cached:  # type: ignore[attr-defined]
            return caller()
        fragments: dict[object, str] = self.environment.atlas_fragments  # type: ignore[attr-defined]
        if key not in fragments:
            fragments[key] = caller()
        return fragments[key]


def navigation_key(page, hidden: str | None) -> tuple[str, str, str] | None:
    """The cache key of a page's navigation sidebar: shared by the pages outside the navigation in
    one folder (its links are relative, and nothing in it is active for them); None, never cached,
    for pages in the navigation."""
    if page is None or page.file.inclusion.is_in_nav():
        return None
    return ("navigation", page.url.rstrip("/").rpartition("/")[0], hidden or "")
