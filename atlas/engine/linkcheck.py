"""Internal link integrity of a built site: every href/src to a page, file or anchor resolves.

It has to stay cheap at 10,000 pages, where every page repeats the same header and navigation: a
chunk of HTML or a tag already read on another page is not parsed again, and a link is resolved once
for all the pages from whose directories it leads to the same place. The results are those of
reading every page and resolving every link on its own (a test holds the two side by side).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urldefrag, urljoin, urlparse


@dataclass(frozen=True)
class BrokenLink:
    page: str
    target: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.target} ({self.reason})"


# A page is read in chunks cut just before a "\n<": no tag contains a `<` after its first character,
# so no tag is cut, and the chunks every page repeats (header, navigation, footer) are read once.
# Bytes patterns find the spans they find in the decoded text: `<`, `>` and letters are ASCII, and
# UTF-8 never uses an ASCII byte inside a multi-byte character. A tag is what `_TAG` matches;
# `_TAG_TO_CLOSE` is faster (`[^>]*` is one tight loop) and finds the same tags unless one of its
# matches holds a second `<`, where `_TAG` scans again.
_CHUNK_START = b"\n<"
_TAG = re.compile(rb"<[a-zA-Z][^<>]*>")
_TAG_TO_CLOSE = re.compile(rb"<[a-zA-Z][^>]*>")
_BARE_PATH = re.compile(r"[^\x00-\x20#:;?]+")  # what urlparse reads as a path and nothing else
_ATTRIBUTE = re.compile(r"""\s(id|href|src|xlink:href|rel)\s*=\s*(?:"([^"]*)"|'([^']*)')""")

_Key = TypeVar("_Key")
_Value = TypeVar("_Value")
_NO_IDS: frozenset[str] = frozenset()
_ANY_PAGE = -1  # a link that leads to the same place from every page
_OWN_PAGE = -2  # a link to the page itself (`#part`, `?query`)
_UNKNOWN = "not resolved yet"  # a verdict is None or a reason


_Found = tuple[tuple[str, ...], tuple[str, ...]]  # the ids and the links of a tag or chunk, in order
_ids_of, _links_of = itemgetter(0), itemgetter(1)
_NOTHING: _Found = ((), ())


class _Memo(dict[_Key, _Value]):
    """A dict that computes a missing value once, so `map(memo.__getitem__, keys)` stays in C."""

    def __init__(self, compute: Callable[[_Key], _Value]) -> None:
        super().__init__()
        self.compute = compute

    def __missing__(self, key: _Key) -> _Value:
        value = self[key] = self.compute(key)
        return value


@dataclass
class _Page:
    ids: set[str]
    links: list[str]


def _parse_tag(tag: bytes) -> _Found:
    """The id and links of one tag, as the text of the page reads them."""
    if b"id" not in tag and b"href" not in tag and b"src" not in tag and b"rel" not in tag:
        return _NOTHING  # most distinct tags (buttons, meta, shapes) name none of the attributes
    text = tag.decode("utf-8", errors="replace")
    if "\r" in text:  # a page is text, read with universal newlines
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # findall gives "" for the quote not used; a value in double quotes that is "" is "" either way
    attributes = {name: unescape(double or single) for name, double, single in _ATTRIBUTE.findall(text)}
    ids = (attributes["id"],) if "id" in attributes else ()
    links: tuple[str, ...] = ()
    if attributes.get("rel") not in ("canonical", "alternate"):
        links = tuple(value for name, value in attributes.items() if name in ("href", "src", "xlink:href") and value)
    return (ids, links) if ids or links else _NOTHING


def _joined(parts: list[_Found]) -> _Found:
    return tuple(chain.from_iterable(map(_ids_of, parts))), tuple(chain.from_iterable(map(_links_of, parts)))


class _Scanner:
    """Ids and links of pages' tags, by pattern: MkDocs writes quoted attributes, so no full parse is
    needed; text (even a title quoting `src="..."`) is never taken for a tag. A chunk or a tag already
    seen on another page is not read again."""

    def __init__(self) -> None:
        self._tags: _Memo[bytes, _Found] = _Memo(_parse_tag)
        self._chunks: _Memo[bytes, _Found] = _Memo(lambda chunk: self._read(b"<" + chunk))

    def scan(self, path: str | Path) -> _Page:
        with open(path, "rb", buffering=0) as file:
            return self.scan_bytes(file.read())

    def scan_bytes(self, html: bytes) -> _Page:
        head, *chunks = html.split(_CHUNK_START)
        # the head is the one chunk that does not start with "<": it is not kept with the others
        found = [self._read(head), *map(self._chunks.__getitem__, chunks)]
        return _Page(set(chain.from_iterable(map(_ids_of, found))), list(chain.from_iterable(map(_links_of, found))))

    def _read(self, text: bytes) -> _Found:
        tags = _TAG_TO_CLOSE.findall(text)
        if b"".join(tags).count(b"<") != len(tags):
            tags = _TAG.findall(text)
        found = [parsed for parsed in map(self._tags.__getitem__, tags) if parsed is not _NOTHING]
        return _joined(found) if found else _NOTHING


def _walk(site: Path) -> tuple[list[str], set[str], set[str]]:
    """The HTML pages of `site` in the order of `sorted(site.rglob("*.html"))`, and its files and
    directories, as /-separated paths relative to it. Like rglob, it does not enter a symlinked
    directory: what is not listed is left to the filesystem to answer."""
    pages: list[str] = []
    files: set[str] = set()
    directories: set[str] = set()
    if not site.is_dir():
        return pages, files, directories
    directories.add("")
    root = os.fspath(site)
    pending = [""]
    while pending:
        folder = pending.pop()
        try:
            with os.scandir(os.path.join(root, folder)) as listing:
                entries = list(listing)
        except PermissionError:
            continue
        for entry in entries:
            relative = f"{folder}/{entry.name}" if folder else entry.name
            if entry.name.endswith(".html"):
                pages.append(relative)
            if entry.is_dir():
                directories.add(relative)
                if not entry.is_symlink():
                    pending.append(relative)
            elif entry.is_file():
                files.add(relative)
    pages.sort(key=lambda relative: relative.split("/"))
    return pages, files, directories


def _climb(path: str) -> int:
    """How many levels above the page's directory `urljoin` climbs for this relative path: the result
    depends on the page's directory only through that ancestor of it. Counting each empty segment
    (which urljoin drops) as a step down can only make the count smaller: a narrower sharing, never
    a wrong one."""
    depth = deepest = 0
    for segment in path.split("/"):
        if segment == "..":
            depth -= 1
            deepest = min(deepest, depth)
        elif segment != ".":
            depth += 1
    return -deepest


def _shape(link: str) -> tuple[int, str]:
    """What a link's resolution depends on: nothing of the page (`_ANY_PAGE`), the page itself
    (`_OWN_PAGE`, with the fragment), or the page's directory up to `_climb` levels above it."""
    if _BARE_PATH.fullmatch(link):  # the common case, without urlparse
        return (_ANY_PAGE, "") if link.startswith("/") else (_climb(link), "")
    parsed = urlparse(link)
    if parsed.scheme or link.startswith("//") or parsed.netloc or parsed.path.startswith("/"):
        return _ANY_PAGE, ""
    if not parsed.path and not parsed.params:
        return _OWN_PAGE, parsed.fragment
    return _climb(parsed.path), ""


_Target = tuple[bool, "set[str] | frozenset[str]"]  # a file a link leads to: is it a page, its ids


class _Resolver:
    """Where the links of a built site lead, each distinct question answered once."""

    def __init__(self, site: Path, base_path: str, ids: dict[str, set[str]], files: set[str], directories: set[str]) -> None:
        self.site, self.base_path, self.ids = site, base_path, ids
        self.files, self.directories = files, directories
        self._shapes: _Memo[str, tuple[int, str]] = _Memo(_shape)
        self._verdicts: dict[str, dict[str, str | None]] = {}  # by the directory they hold from
        self._targets: _Memo[str, _Target | None] = _Memo(self._target)

    def broken(self, page_url: str, links: list[str]) -> Iterator[tuple[str, str]]:
        """The links of the page at `page_url` that point nowhere, with the reason."""
        if urlparse(page_url) != ("", "", page_url, "", "", ""):  # a name urljoin reads as more than a path
            yield from ((link, reason) for link in links if (reason := self.verdict(page_url, link)))
            return
        directories = page_url.split("/")[:-1]
        ancestors = ["/".join(directories[:depth]) + "/" for depth in range(len(directories), 0, -1)]
        # the verdicts a link with a given climb shares with other pages; [-1] is for _ANY_PAGE links
        tables = [self._verdicts.setdefault(ancestor, {}) for ancestor in ancestors] + [self._verdicts.setdefault("", {})]
        shapes = self._shapes
        for link in links:
            climb, fragment = shapes[link]
            if climb == _OWN_PAGE:
                reason = self._check(link, page_url, fragment)
            elif climb < len(ancestors):
                table = tables[climb]
                reason = table.get(link, _UNKNOWN)
                if reason is _UNKNOWN:
                    reason = table[link] = self.verdict(page_url, link)
            else:  # climbs above the site's root: resolved from this page alone
                reason = self.verdict(page_url, link)
            if reason:
                yield link, reason

    def verdict(self, page_url: str, link: str) -> str | None:
        """Why `link` on the page at `page_url` points nowhere, or None if it resolves."""
        parsed = urlparse(link)
        if parsed.scheme or link.startswith("//"):
            if parsed.scheme in ("http", "https", "mailto"):
                return None
            return f"scheme {parsed.scheme!r} is not allowed"
        absolute, fragment = urldefrag(urljoin(page_url, link))
        return self._check(link, urlparse(absolute).path, fragment)

    def _check(self, link: str, url_path: str, fragment: str) -> str | None:
        if link.startswith("/") and url_path.startswith(self.base_path):
            url_path = "/" + url_path[len(self.base_path) :]
        target = self._targets[url_path]
        if target is None:
            return "no such page or file"
        is_page, ids = target
        if fragment and is_page and unquote(fragment) not in ids:
            return f"no anchor #{fragment}"
        return None

    def _target(self, url_path: str) -> _Target | None:
        """The file a URL path serves (a directory serves its index.html), as (is an .html page, its
        ids); None if there is none. Paths are read as pathlib reads them."""
        relative = unquote(url_path.lstrip("/"))
        if not relative.startswith("/"):  # the walk's paths have no "..": any other path falls through
            key = "/".join(part for part in relative.split("/") if part and part != ".")
            if key in self.directories:
                key = f"{key}/index.html" if key else "index.html"
            if key in self.files:
                name = key.rpartition("/")[2]
                return name.endswith(".html") and len(name) > 5, self.ids.get(key, _NO_IDS)
        candidate = self.site / relative
        if candidate.is_dir():
            candidate = candidate / "index.html"
        if not candidate.is_file():
            return None
        depth = len(self.site.parts)
        key = "/".join(candidate.parts[depth:]) if candidate.parts[:depth] == self.site.parts else ""
        return candidate.suffix == ".html", self.ids.get(key, _NO_IDS)


class PageScans:
    """The ids and links of pages scanned as a build writes them, so that the check need not read
    them back: `pages` (picklable) by path below the site."""

    def __init__(self) -> None:
        self.pages: dict[str, _Page] = {}
        self._scanner = _Scanner()

    def add(self, relative: str, html: str) -> None:
        self.pages[relative] = self._scanner.scan_bytes(html.encode("utf-8", errors="xmlcharrefreplace"))


def _listed(written: set[str]) -> tuple[list[str], set[str], set[str]]:
    """What _walk gives, from the paths of the files a build wrote."""
    directories = {""}
    for path in written:
        folder = path.rpartition("/")[0]
        while folder not in directories:
            directories.add(folder)
            folder = folder.rpartition("/")[0]
    pages = sorted((path for path in written if path.endswith(".html")), key=lambda relative: relative.split("/"))
    return pages, written, directories


def broken_links(site: Path, base_path: str = "/", scanned: PageScans | None = None, written: set[str] | None = None) -> list[BrokenLink]:
    """Every internal link of every HTML page under `site` that points nowhere (inline SVG's too).

    `base_path` is the path of the site's URL (e.g. /atlas/ for https://host/atlas/): absolute
    links below it, as in the 404 page, are resolved inside `site`. A build that knows the paths of
    the files it `written` and `scanned` its pages as it wrote them spares listing the site and
    reading those pages again; a link to anything else is looked up on disk, as always.
    """
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    relatives, files, directories = _walk(site) if written is None else _listed(written)
    scanner, known = _Scanner(), scanned.pages if scanned is not None else {}
    pages = {relative: known.get(relative) or scanner.scan(os.path.join(site, relative)) for relative in relatives}
    resolver = _Resolver(site, base_path, {relative: page.ids for relative, page in pages.items()}, files, directories)
    broken: list[BrokenLink] = []
    for relative, page in pages.items():
        page_url = "/" + relative
        broken.extend(BrokenLink(page_url, link, reason) for link, reason in resolver.broken(page_url, page.links))
    return broken


def external_links(site: Path) -> dict[str, list[str]]:
    """Every http(s) link of the built pages to another site, with the pages that use it."""
    found: dict[str, list[str]] = {}
    scanner = _Scanner()
    for relative in _walk(site)[0]:
        for link in scanner.scan(os.path.join(site, relative)).links:
            if urlparse(link).scheme in ("http", "https"):
                found.setdefault(urldefrag(link)[0], []).append("/" + relative)
    return found


def broken_external_links(site: Path, timeout: float = 15.0, skip_prefix: str | None = None) -> list[BrokenLink]:
    """Links to other sites that do not answer with success (HEAD, then GET where HEAD is refused).

    Run on a schedule, never in the tests: other sites change and go down."""
    import httpx

    broken = []
    with httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": "genai-challenges-atlas link check"}) as client:
        for url, pages in external_links(site).items():
            if skip_prefix and url.startswith(skip_prefix):
                continue
            try:
                response = client.head(url)
                if response.status_code in (403, 405, 501):
                    response = client.get(url)
                reason = None if response.status_code < 400 else f"HTTP {response.status_code}"
            except httpx.HTTPError as error:
                reason = type(error).__name__
            if reason:
                broken.append(BrokenLink(pages[0], url, f"{reason}; linked from {len(pages)} page(s)"))
    return broken
