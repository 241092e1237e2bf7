"""The internal link checker finds missing pages, files and anchors, and nothing else."""

from __future__ import annotations

from pathlib import Path

from atlas.linkcheck import broken_links


def write(site: Path, path: str, html: str) -> None:
    target = site / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html)


def test_missing_pages_files_and_anchors_are_reported_and_good_links_are_not(tmp_path: Path):
    site = tmp_path / "site"
    write(
        site,
        "index.html",
        """<html><head><link rel="canonical" href="https://example.org/atlas/"></head><body>
        <a href="a/">fine</a> <a href='a/#part'>fine anchor</a> <a href="a/#gone">missing anchor</a>
        <a href="missing/">missing page</a> <img src="pic.png"> <a href="https://example.org/x">external</a>
        <a href="javascript:alert(1)">script</a> <svg><a xlink:href="b/">svg link</a></svg>
        <code>&lt;a href=&quot;nowhere/&quot;&gt;</code> <a href="/atlas/a/">absolute below the site path</a></body></html>""",
    )
    write(site, "a/index.html", '<h2 id="part">Part</h2><a href="../index.html#top">back</a><span id="top"></span>')
    found = {(b.page, b.target, b.reason) for b in broken_links(site, "/atlas/")}
    assert found == {
        ("/index.html", "a/#gone", "no anchor #gone"),
        ("/index.html", "b/", "no such page or file"),
        ("/index.html", "javascript:alert(1)", "scheme 'javascript' is not allowed"),
        ("/index.html", "missing/", "no such page or file"),
        ("/index.html", "pic.png", "no such page or file"),
        ("/a/index.html", "../index.html#top", "no anchor #top"),
    }


def test_text_that_quotes_attributes_is_not_taken_for_a_link(tmp_path: Path):
    site = tmp_path / "site"
    write(
        site, "index.html", """<title>"›‹iframe src="javascript:x()"›</title><p>say src="nowhere/" and &lt;a href=&quot;x/&quot;&gt;</p>"""
    )
    assert broken_links(site) == []
