"""The theme's fragment cache: the navigation shared by pages outside it is rendered once per
folder, and what the cache serves is exactly what rendering would give."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from jinja2 import Environment

from atlas.cli import main
from atlas.engine.theme_cache import FragmentCache, navigation_key

from conftest import copy_atlas, real_atlas

ATLAS_PAPERS = real_atlas()[0].papers


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


def test_every_page_built_with_the_cache_is_the_page_built_without_it(tmp_path: Path):
    """The real site, built with the cache and again with every fragment rendered afresh: not one file differs."""
    root = copy_atlas(tmp_path / "atlas")
    built_site = tmp_path / "cached"
    assert main(["--root", str(root), "build", "--site-dir", str(built_site)]) == 0
    settings = root / "mkdocs.yml"
    settings.write_text(settings.read_text().replace("\n  - atlas\n", "\n  - atlas:\n      fragment_cache: false\n"))
    assert "fragment_cache: false" in settings.read_text()
    uncached = tmp_path / "site"
    assert main(["--root", str(root), "build", "--site-dir", str(uncached)]) == 0
    cached_files = {str(p.relative_to(built_site)): p for p in built_site.rglob("*.html")}
    uncached_files = {str(p.relative_to(uncached)): p for p in uncached.rglob("*.html")}
    assert cached_files.keys() == uncached_files.keys() and len(cached_files) > len(ATLAS_PAPERS)
    assert [name for name, path in cached_files.items() if path.read_bytes() != uncached_files[name].read_bytes()] == []
