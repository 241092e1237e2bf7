"""The internal link checker finds missing pages, files and anchors, and nothing else."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

from atlas.engine.linkcheck import broken_links


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


def test_a_link_shared_by_pages_in_different_directories_is_resolved_from_each(tmp_path: Path):
    site = tmp_path / "site"
    navigation = '<nav>\n<a href="../up/">up</a>\n<a href="../../top/">top</a>\n<a href="#part">part</a>\n</nav>\n'
    write(site, "a/one/index.html", navigation + '<h2 id="part">Part</h2>')
    write(site, "a/two/index.html", navigation)  # same chunk, same directory depth, no anchor
    write(site, "b/one/index.html", navigation + '<h2 id="part">Part</h2>')
    write(site, "a/up/index.html", "")
    write(site, "top/index.html", "")
    found = {(b.page, b.target, b.reason) for b in broken_links(site)}
    assert found == {
        ("/a/two/index.html", "#part", "no anchor #part"),
        ("/b/one/index.html", "../up/", "no such page or file"),
    }


def _reference_broken_links(site: Path, base_path: str) -> list[tuple[str, str, str]]:
    """The checker as first written: every page read as text, every link resolved on its own."""
    tag = re.compile(r"<[a-zA-Z][^<>]*>")
    attribute = re.compile(r"""\s(id|href|src|xlink:href|rel)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    pages = {}
    for path in sorted(site.rglob("*.html")):
        ids, links = set(), []
        for match in tag.finditer(path.read_text(encoding="utf-8", errors="replace")):
            found = {m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3)) for m in attribute.finditer(match.group(0))}
            if "id" in found:
                ids.add(found["id"])
            if found.get("rel") not in ("canonical", "alternate"):
                links.extend(value for name, value in found.items() if name in ("href", "src", "xlink:href") and value)
        pages[path] = (ids, links)
    broken = []
    for path, (_, links) in pages.items():
        page_url = "/" + path.relative_to(site).as_posix()
        for link in links:
            parsed = urlparse(link)
            if parsed.scheme or link.startswith("//"):
                if parsed.scheme not in ("http", "https", "mailto"):
                    broken.append((page_url, link, f"scheme {parsed.scheme!r} is not allowed"))
                continue
            absolute, fragment = urldefrag(urljoin(page_url, link))
            url_path = urlparse(absolute).path
            if link.startswith("/") and url_path.startswith(base_path):
                url_path = "/" + url_path[len(base_path) :]
            target = site / unquote(url_path.lstrip("/"))
            target = target / "index.html" if target.is_dir() else target
            if not target.is_file():
                broken.append((page_url, link, "no such page or file"))
            elif fragment and target.suffix == ".html" and unquote(fragment) not in pages.get(target, (set(),))[0]:
                broken.append((page_url, link, f"no anchor #{fragment}"))
    return broken


def test_the_checker_agrees_with_resolving_every_link_of_every_page_on_its_own(tmp_path: Path):
    """Its caches (chunks, tags, links per directory) change nothing, however odd the links."""
    site = tmp_path / "site"
    relative = ("", "./", ".", "..", "../", "../../", "../../../", "../../../../gone/", "../a/", "../../a/b/", "a/", "a//b/", "..//a/")
    odd_paths = ("a/./b/../b/", "b/../a/", "x.html", "x.html/", "a;p/b", "q;x/", "h%23sh/", "pic.png", "pic.png/", "dir.html/", "..%2F")
    escaped = ("%2e%2e/", "%2Fetc/", "%2Fa/", "%20space/", "a/%2E%2E/a/", "&#35;top", "../http:x", "\t../a/")
    anchors = ("#top", "#gone", "#t%6Fp", "#top ", " #top", "?q", "?q#top", ";p", "x.html#top", "../x.html#top", "a/index.html#top")
    absolute = ("/a/", "/atlas/a/", "/atlas/a/#top", "/atlas/", "/", "//host/x", " //host#p1", "javascript:x()", "mailto:a@b.c")
    hrefs = [*relative, *odd_paths, *escaped, *anchors, *absolute]
    links = "\n".join(f'<a href="{href}">{number}</a>' for number, href in enumerate(hrefs))
    body = f'<span id="top"></span>\n{links}\n<a\xa0href="nbsp/">x</a><a title="<" href="lt/">y</a>\n<b>src="text/"</b>\n'
    pages = ["index.html", "x.html", "a/index.html", "a/x.html", "a/b/index.html", "a/b/c/index.html", "q;x/index.html"]
    pages += ["h#sh/index.html", "a;b.html", "space dir/index.html", ".html", "..html"]
    for number, page in enumerate(pages):
        write(site, page, body + (f'<p id="p{number}">\r\n<a href="#p{number}\r\n">self</a></p>' if number % 2 else ""))
    write(site, "pic.png", "")
    write(site, "text.html", 'a href="head/">text, not a tag\n<a href="#top">top</a>')
    for base_path in ("/", "/atlas/"):
        expected = _reference_broken_links(site, base_path)
        assert expected  # the site is odd enough to have broken links
        assert [(b.page, b.target, b.reason) for b in broken_links(site, base_path)] == expected
