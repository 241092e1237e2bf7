"""Site search: Pagefind's index, built beside MkDocs, in shards when the atlas is large, and found
by readers in headless Chromium whatever shard a page landed in."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from atlas.cli import main
from atlas.engine import search_index
from atlas.engine.search_index import SearchIndexer, SearchIndexFailed, document_path, search_document

from conftest import REPO, copy_atlas, real_atlas, search_site
from localsite import served

ATLAS, _ = real_atlas()


def test_search_documents_hold_the_content_without_permalinks_and_escape_the_title():
    document = search_document("<b>Title</b>", '<h2 id="a">Abstract<a class="headerlink" href="#a" title="Permanent link">&para;</a></h2>')
    assert "&lt;b&gt;Title&lt;/b&gt;" in document and "<b>" not in document
    assert "headerlink" not in document and "&para;" not in document and '<h2 id="a">Abstract</h2>' in document
    assert document_path("") == "index.html" and document_path("papers/x/") == "papers/x/index.html"
    titled = search_document("T", '<h1 id="t">T</h1><h2 id="abstract">Abstract</h2>')
    assert "<h1>T</h1>" in titled and '<h2 id="abstract">' in titled


def test_search_documents_leave_out_what_pagefind_ignores_on_every_real_page(tmp_path: Path):
    """Each generated page's search document lacks its ignored elements (related papers, citations, lists
    of papers) and keeps the rest word for word; a nested element is left whole for Pagefind to skip."""
    from atlas.pipeline import render_pages
    from atlas.site.page import SiteSettings

    ignored = re.compile(r"<(details|div|table|ul)\b[^>]*data-pagefind-ignore")
    rendered = render_pages(REPO, SiteSettings("https://example.org/"), ATLAS).pages
    paper = rendered[f"papers/{next(iter(ATLAS.papers))}.md"]
    assert "atlas-related-papers" in paper.body and "atlas-cite" in paper.body
    stripped = 0
    for path, page in rendered.items():
        body = page.body
        document = search_document(path, body)
        assert not ignored.search(document), path
        words = re.sub(r"<[^>]+>", " ", document).split()
        kept = re.sub(r"<[^>]+>", " ", body).split()
        assert set(words) - {path} <= set(kept), path  # nothing added
        stripped += len(document) < len(body)
    assert stripped > len(ATLAS.papers)  # every paper page at least
    first = ATLAS.papers[next(iter(ATLAS.papers))]
    assert first.abstract and first.abstract.split()[-1] in search_document("t", paper.body)  # the abstract stays
    nested = '<ul class="x" data-pagefind-ignore><li><ul><li>in</li></ul></li></ul><p>after</p>'
    assert search_document("t", nested).count("<ul") == 2 and "<p>after</p>" in search_document("t", nested)
    flat = '<div data-pagefind-ignore class="atlas-bibtex"><pre>@misc{k}</pre></div><p>kept</p>'
    assert "@misc" not in search_document("t", flat) and "<p>kept</p>" in search_document("t", flat)


def test_shards_are_sized_by_the_page_count_and_pages_keep_their_shard(tmp_path: Path):
    indexer = SearchIndexer()
    indexer.expect(search_index.SHARD_PAGES * 2 + 1)
    assert indexer.shards == 3
    try:
        for number in range(30):
            indexer.add(f"papers/p{number}/", f"Paper {number}", f"<p>text {number}</p>")
        shard_of = {path: indexer._shard_of(path) for path in (f"papers/p{number}/index.html" for number in range(30))}
        assert set(shard_of.values()) == {0, 1, 2}
        indexer.expect(10)  # documents exist: the shards may no longer change
        assert indexer.shards == 3
        indexer.keep_only({f"papers/p{number}/" for number in range(10)})
        written = sorted(p.relative_to(indexer._scratch).as_posix() for p in indexer._scratch.rglob("*.html"))
        assert written == sorted(f"shard-{shard_of[f'papers/p{n}/index.html']}/papers/p{n}/index.html" for n in range(10))
    finally:
        indexer.close()
    assert indexer._folder is None


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The real atlas built in-process with shards of 80 pages, so that its index has several."""
    root = copy_atlas(tmp_path_factory.mktemp("sharded") / "atlas")
    site = root.parent / "site"
    shard_pages, search_index.SHARD_PAGES = search_index.SHARD_PAGES, 80
    try:
        assert main(["--root", str(root), "build", "--site-dir", str(site)]) == 0
    finally:
        search_index.SHARD_PAGES = shard_pages
    yield site


def test_a_large_site_is_indexed_in_shards_that_the_ui_merges(sharded_site: Path):
    merged = json.loads((sharded_site / "pagefind" / "atlas-shards.json").read_text())["merge"]
    assert len(merged) >= 2
    for path in merged:
        assert list((sharded_site / "pagefind" / path).glob("pagefind.*.pf_meta")), path
    assert (sharded_site / "pagefind" / "pagefind-ui.js").is_file()


@pytest.mark.browser
def test_every_shard_answers_in_the_browser(browser: Browser, sharded_site: Path):
    indexer = SearchIndexer()
    indexer.shards = 1 + len(json.loads((sharded_site / "pagefind" / "atlas-shards.json").read_text())["merge"])
    # One paper from each shard: the merged search must find each of them by its title.
    chosen: dict[int, str] = {}
    for paper_id in ATLAS.papers:
        chosen.setdefault(indexer._shard_of(document_path(f"papers/{paper_id}/")), paper_id)
    assert len(chosen) >= 2
    with served(sharded_site) as base:
        page = browser.new_page()
        page.goto(base + "papers/")
        for paper_id in chosen.values():
            search_site(page, ATLAS.papers[paper_id].title)
            link = page.locator(f"dialog.atlas-search .pagefind-ui__result-link[href$='papers/{paper_id}/']").first
            link.wait_for(timeout=15_000)
            page.keyboard.press("Escape")
        page.close()


def test_shards_are_indexed_as_they_become_ready_and_the_late_pages_wait_for_all_added(tmp_path: Path):
    indexer = SearchIndexer()
    indexer.expect(search_index.SHARD_PAGES + 1, late={"about/"})
    assert indexer.shards == 2 and indexer._shard_of("about/index.html") == 1
    try:
        for number in range(40):
            indexer.add(f"papers/p{number}/", f"Paper {number}", f"<p>Paper number {number}</p>")
        indexer.start(tmp_path / "site")
        first = tmp_path / "site" / search_index.BUNDLE
        deadline = time.monotonic() + 60
        while not list(first.glob("pagefind.*.pf_meta")) and time.monotonic() < deadline:
            time.sleep(0.05)  # the first shard is indexed without waiting for the late page
        assert list(first.glob("pagefind.*.pf_meta")) and indexer._running.poll() is None  # still waiting for it
        indexer.add("about/", "About", "<p>About the atlas</p>")
        indexer.all_added()
        indexer.wait()
        assert json.loads((first / "atlas-shards.json").read_text()) == {"merge": ["shard-1/"]}
        assert list((first / "shard-1").glob("pagefind.*.pf_meta"))
    finally:
        indexer.close()


def test_indexing_stopped_or_failed_leaves_no_process_and_says_what_pagefind_said(tmp_path: Path):
    indexer = SearchIndexer()
    indexer.expect(10, late={"about/"})
    indexer.add("papers/p/", "Paper", "<p>text</p>")
    indexer.start(tmp_path / "site")  # its only shard waits for the late page, which never comes
    running = indexer._running
    indexer.close()
    assert running.poll() is not None and indexer._folder is None
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    indexer.add("papers/p/", "Paper", "<p>text</p>")
    indexer.start(blocked)  # the index cannot be written below a file
    indexer.all_added()
    with pytest.raises(SearchIndexFailed, match="Pagefind could not index the site"):
        indexer.wait()
    indexer.close()


def test_the_indexing_process_indexes_the_shards_named_on_its_input_and_stops_when_the_build_is_gone(tmp_path: Path):
    """Its standard input names each shard when ready; its end before every shard was named (the
    build stopped or died, closing the pipe) stops the process, with nothing merged."""
    import io
    import subprocess
    import sys

    scratch = tmp_path / "scratch"
    for shard in (0, 1):
        (scratch / f"shard-{shard}" / "p").mkdir(parents=True)
        (scratch / f"shard-{shard}" / "p" / "index.html").write_text(search_document(f"Paper {shard}", f"<p>words {shard}</p>"))
    output = tmp_path / "pagefind"
    assert search_index.run_shards(scratch, output, [0, 1], io.StringIO("1\n")) == 1
    assert not (output / "atlas-shards.json").exists()
    assert search_index.run_shards(scratch, output, [0, 1], io.StringIO("1\n0\n")) == 0
    assert json.loads((output / "atlas-shards.json").read_text()) == {"merge": ["shard-0/"]}  # shard 1 came first
    driver = [sys.executable, "-m", "atlas.engine.search_index", str(scratch), str(tmp_path / "other"), "0", "1"]
    started = time.monotonic()
    stopped = subprocess.run(driver, input=b"0\n", capture_output=True, timeout=60)  # then the pipe closes
    assert stopped.returncode == 1 and time.monotonic() - started < 30
    assert not (tmp_path / "other" / "atlas-shards.json").exists()
