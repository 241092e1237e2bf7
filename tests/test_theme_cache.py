"""The theme's fragment cache: the navigation shared by pages outside it is rendered once per
folder, and what the cache serves is exactly what rendering would give."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

from jinja2 import Environment

from atlas.theme_cache import FragmentCache, navigation_key


def test_a_key_renders_its_body_once_and_no_key_renders_every_time():
    environment = Environment(extensions=[FragmentCache])
    calls: list[int] = []
    environment.globals["count"] = lambda: calls.append(1) or len(calls)
    template = environment.from_string("{% atlas_cache key %}[{{ count() }}]{% endatlas_cache %}")
    assert [template.render(key="a"), template.render(key="a"), template.render(key="b")] == ["[1]", "[1]", "[2]"]
    assert [template.render(key=None), template.render(key=None)] == ["[3]", "[4]"]


def _page(url: str, in_nav: bool) -> SimpleNamespace:
    return SimpleNamespace(url=url, file=SimpleNamespace(inclusion=SimpleNamespace(is_in_nav=lambda: in_nav)))


def test_pages_outside_the_navigation_share_a_key_per_folder_and_pages_in_it_have_none():
    assert navigation_key(_page("papers/a/", False), None) == navigation_key(_page("papers/b/", False), None)
    assert navigation_key(_page("papers/a/", False), None) != navigation_key(_page("venues/a/", False), None)
    assert navigation_key(_page("papers/a/", False), None) != navigation_key(_page("papers/a/", False), "hidden")
    assert navigation_key(_page("challenges/robustness/", True), None) is None
    assert navigation_key(None, None) is None


def _navigation(html: str) -> str:
    return re.search(r'<div class="md-sidebar md-sidebar--primary".*?<div class="md-sidebar md-sidebar--secondary"', html, re.S).group(0)


def test_cached_navigation_is_what_each_page_would_render(built_site: Path):
    """The real site: every paper page's navigation equals the first one's, and its links reach the
    pages the navigation of a page in the navigation reaches."""
    papers = sorted((built_site / "papers").glob("*/index.html"))
    first = _navigation(papers[0].read_text(encoding="utf-8"))
    assert all(_navigation(path.read_text(encoding="utf-8")) == first for path in papers[1:])
    in_nav = _navigation((built_site / "challenges" / "robustness" / "index.html").read_text(encoding="utf-8"))
    targets = {(built_site / "papers" / "x" / href).resolve() for href in re.findall(r'href="([^"#]+)"', first)}
    expected = {(built_site / "challenges" / "robustness" / href).resolve() for href in re.findall(r'href="([^"#]+)"', in_nav)}
    assert targets == expected
