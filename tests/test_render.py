"""The render stage on its own: plain pages from the model, with every record value escaped."""

from __future__ import annotations

import dataclasses
import gc
import re
from collections import Counter
from html import unescape
from html.parser import HTMLParser

import pytest

from atlas.graph.build import build_graph
from atlas.records.load import TextMemo
from atlas.relate.similarity import related_papers
from atlas.site.page import render_page
from atlas.site.render import RenderMemo, render_site
from atlas.site.templating import md, page_title, page_url, template_environment

from conftest import real_atlas

ATLAS, _ = real_atlas()


@pytest.mark.parametrize(
    ("path", "url"),
    [("index.md", ""), ("papers/index.md", "papers/"), ("papers/x.md", "papers/x/"), ("references.md", "references/")],
)
def test_page_urls_are_directory_urls(path: str, url: str):
    assert page_url(path) == url


def test_markdown_text_is_escaped_for_html_and_markdown():
    assert md("<b>*x*</b> [a](b) #1") == "&lt;b&gt;\\*x\\*&lt;/b&gt; \\[a\\]\\(b\\) \\#1"


def test_page_title_is_plain_text_without_angle_brackets():
    assert page_title('a "<b>" title $\\alpha$') == 'a "‹b›" title α'


def test_render_produces_one_page_per_record_and_the_index_pages_without_an_engine():
    rendered = render_site(ATLAS, build_graph(ATLAS), {})
    expected = {"index.md", "challenges/index.md", "papers/index.md", "references.md", "stats.md", "graph/index.md"}
    expected |= {"gaps.md", "outside.md"}
    expected |= {f"challenges/{c}.md" for c in ATLAS.challenges} | {f"papers/{p}.md" for p in ATLAS.papers}
    expected |= {f"venues/{v}.md" for v in ATLAS.venues} | {f"challenges/{c}/reading.md" for c in ATLAS.challenges}
    assert set(rendered.pages) == expected
    assert set(rendered.assets) == {
        "atlas.css",
        "atlas.js",
        "atlas-papers.css",
        "atlas-papers.js",
        "atlas-graph.css",
        "atlas-graph.js",
        "favicon.svg",
        "vendor/graphology.umd.min.js",
        "vendor/sigma.min.js",
    }
    files = {
        "data/graph.json",
        "graph/graph.svg",
        "citations.bib",
        "feed.xml",
        "feed.json",
        "data/papers-0.json",
        "data/papers-text-0.json",
    }
    for challenge in ATLAS.challenges.values():
        files |= {f"challenges/{challenge.id}/reading-list.bib", f"challenges/{challenge.id}/feed.xml"}
        files |= {f"challenges/{challenge.id}/reading-list-{sub.id}.bib" for sub in challenge.subchallenges}
    assert set(rendered.files) == files


def test_rendering_a_paper_page_leaves_no_cycle_to_collect():
    """A page's template context freed by reference counting, not left for the cycle collector: a
    template imported `with context` is made again on every render, and its macros and the page's
    context keep each other alive (a 50,000-paper build spent seconds collecting them)."""
    graph = build_graph(ATLAS)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        render_site(ATLAS, graph, {})
        gc.collect()
        left = Counter(type(thing).__name__ for thing in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    # A few pages define macros of their own (the challenge pages, the papers index): one context each, at most.
    assert left["Context"] < len(ATLAS.papers) / 10, left.most_common(10)


def test_paper_page_escapes_every_contributor_value():
    paper = ATLAS.papers["calibrated-language-models"]
    link = dataclasses.replace(paper.challenges[0], why="<script>x()</script> {{ 7*7 }}")
    hostile = dataclasses.replace(paper, title="<img src=x onerror=y()>", challenges=(link,), keywords=("<svg onload=z()>",))
    atlas = dataclasses.replace(ATLAS, papers={**ATLAS.papers, paper.id: hostile})
    rendered = render_site(atlas, build_graph(atlas), {}).pages[f"papers/{paper.id}.md"]
    page = rendered.body
    assert "<" not in rendered.meta["title"] + rendered.meta["description"]
    assert "<script>" not in page and "<img" not in page and "<svg" not in page
    assert "&lt;script&gt;x()&lt;/script&gt; {{ 7*7 }}" in page
    assert '<h1 id="img-src-x-onerror-y">&lt;img src=x onerror=y()&gt;<a class="headerlink"' in page


def test_a_memo_renders_again_only_what_changed_and_gives_what_a_fresh_render_gives():
    """`atlas serve` renders a page or file again only when what it is made from changed
    (atlas.site.reuse): every page, asset and file is the one a fresh render gives."""
    memo = RenderMemo()

    def rendered(atlas, memo=None):
        return render_site(atlas, build_graph(atlas), related_papers(atlas), None, {}, memo)

    ethics, gone, paper = ATLAS.challenges["ethics"], "adapt-then-unlearn", ATLAS.papers["calibrated-language-models"]
    kept = {*list(ATLAS.papers)[:120], gone, paper.id}  # a fifth of the atlas: each fresh render takes a fifth of the time
    bibliography = {key: entry for key, entry in ATLAS.bibliography.items() if key in kept or key not in ATLAS.papers}
    atlas = dataclasses.replace(
        ATLAS, papers={paper_id: p for paper_id, p in ATLAS.papers.items() if paper_id in kept}, bibliography=bibliography
    )
    first = rendered(atlas, memo).pages
    retitled = dataclasses.replace(atlas, papers={**atlas.papers, paper.id: dataclasses.replace(paper, title="A retitled paper")})
    second = rendered(retitled, memo)
    assert second == rendered(retitled)  # what the memo serves is what rendering gives
    assert "A retitled paper" in second.pages[f"papers/{paper.id}.md"].body
    assert any("A retitled paper" in page.body for path, page in second.pages.items() if path.startswith("challenges/"))
    untouched = next(p for p in atlas.papers if p != paper.id and paper.id not in second.pages[f"papers/{p}.md"].body)
    assert second.pages[f"papers/{untouched}.md"] is first[f"papers/{untouched}.md"]  # reused, not rendered again
    assert memo.rendered.rendered < len(second.pages) / 4
    changed = dataclasses.replace(
        retitled,
        papers={paper_id: p for paper_id, p in retitled.papers.items() if paper_id != gone},
        challenges={**ATLAS.challenges, "ethics": dataclasses.replace(ethics, title="Renamed ethics")},
    )
    third = rendered(changed, memo)
    assert third == rendered(changed)
    linking = [p.id for p in changed.papers.values() if any(link.challenge == "ethics" for link in p.challenges)]
    assert linking and all("Renamed ethics" in third.pages[f"papers/{paper_id}.md"].body for paper_id in linking)
    assert f"papers/{gone}.md" not in third.pages


def test_related_papers_with_a_memo_of_words_are_the_related_papers_of_a_fresh_computation():
    words = TextMemo()
    assert related_papers(ATLAS, memo=words) == related_papers(ATLAS)
    assert len(words) == len(ATLAS.papers)
    paper = ATLAS.papers["calibrated-language-models"]
    retitled = dataclasses.replace(paper, title="Hallucination rates of calibrated models")
    atlas = dataclasses.replace(ATLAS, papers={**ATLAS.papers, paper.id: retitled})
    assert related_papers(atlas, memo=words) == related_papers(atlas) != related_papers(ATLAS)
    assert len(words) == len(ATLAS.papers)  # the old text is forgotten


class _Headings(HTMLParser):
    """The headings with an id in an HTML body, as an HTML parser reads them: (level, id, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str, str]] = []
        self._open: tuple[int, str] | None = None
        self._text = ""
        self._in_permalink = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        anchor = dict(attrs).get("id")
        if re.fullmatch(r"h[1-6]", tag) and anchor:
            self._open, self._text = (int(tag[1]), anchor), ""
        elif tag == "a" and self._open is not None:
            self._in_permalink = True

    def handle_data(self, data: str) -> None:
        if self._open is not None and not self._in_permalink:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._open is not None:
            self.found.append((*self._open, self._text))
            self._open, self._in_permalink = None, False


def _flattened(entries: list[dict]) -> list[tuple[int, str, str]]:
    flat = []
    for entry in entries:
        flat.append((entry["level"], entry["id"], unescape(re.sub(r"<[^>]+>", "", entry["name"]))))
        flat += _flattened(entry["children"])
    return flat


def test_each_page_carries_the_headings_its_body_holds_as_its_table_of_contents():
    pages = render_site(ATLAS, build_graph(ATLAS), {}).pages
    for path, page in pages.items():
        parser = _Headings()
        parser.feed(page.body)
        assert _flattened(page.toc) == parser.found, path
        for entry in page.toc:  # nested by level: a child is deeper than its parent
            assert all(child["level"] > entry["level"] for child in entry["children"]), path
    stats = pages["stats.md"].toc
    assert [entry["level"] for entry in stats] == [1] and len(stats[0]["children"]) >= 8


def test_a_template_value_named_like_the_page_metadata_is_refused():
    with pytest.raises(ValueError, match=r"papers/index\.md: `meta`"):
        render_page("papers/index.md", template_environment().get_template("papers.html.j2"), {"meta": {}})


def test_the_json_feed_written_item_by_item_is_what_json_writes_for_the_whole_document():
    """feed.json is written item by item (each item's text kept by `atlas serve`): byte for byte
    json.dumps of the whole document, for the real atlas' items, none, and items whose text holds
    newlines, quotes, a line separator and braces."""
    import json

    from atlas.site.cite import Edition
    from atlas.site.context import SiteContext
    from atlas.site.feeds import _feed_item, _json_feed, json_feed_text
    from atlas.site.reuse import RenderReuse

    edition = Edition("1.0", "2026-12-08", "https://example.org/atlas/", ("A. Author", "B. Author"))
    site = SiteContext(ATLAS, build_graph(ATLAS))
    items = [_feed_item(site, paper, edition, "2026-12-01T00:00:00+00:00") for paper in ATLAS.papers.values()]
    odd = dict(items[0], title='A "title"\n{with} [brackets]\u2028and more', authors=[], questions=[])
    reuse = RenderReuse()
    for chosen in (items, [], [odd], [odd, *items[:3]]):
        plain = json.dumps(_json_feed(edition, chosen), ensure_ascii=False, indent=1).encode("utf-8")
        assert json_feed_text(edition, chosen) == plain
        reuse.start(None)
        assert json_feed_text(edition, chosen, reuse.get) == plain == json_feed_text(edition, chosen, reuse.get)


def test_a_change_to_what_every_page_reads_renders_every_page_again():
    """atlas.site.reuse: a page is reused only while what all pages read (the templates, the edition,
    the challenges) is unchanged; the templates' signature names every template file as it is now."""
    from importlib import resources

    from atlas.site.reuse import RenderReuse, templates_signature

    reuse, renders = RenderReuse(), []

    def build(shared: object) -> list[str]:
        reuse.start(shared)
        made = [reuse.get(path, "same inputs", lambda path=path: renders.append(path) or path) for path in ("a", "b")]
        reuse.done()
        return made

    assert build("templates 1") == build("templates 1") == ["a", "b"] and renders == ["a", "b"]  # the second build reused both
    assert build("templates 2") == ["a", "b"] and renders == ["a", "b", "a", "b"]  # another signature: rendered anew
    names = sorted(item.name for item in resources.files("atlas.site").joinpath("templates").iterdir())
    assert [name for name, *_ in templates_signature()] == names and all(size > 0 for _, size, _ in templates_signature())
