"""Internal link integrity of a built site: every href/src to a page, file or anchor resolves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse


@dataclass(frozen=True)
class BrokenLink:
    page: str
    target: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}: {self.target} ({self.reason})"


_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
_ATTRIBUTE = re.compile(r"""\s(id|href|src|xlink:href|rel)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@dataclass
class _Page:
    ids: set[str]
    links: list[str]


def _scan(path: Path) -> _Page:
    """Ids and links of a page's tags, by pattern: MkDocs writes quoted attributes, so no full parse
    is needed; text (even a title quoting `src="..."`) is never taken for a tag."""
    page = _Page(set(), [])
    for tag in _TAG.finditer(path.read_text(encoding="utf-8", errors="replace")):
        attributes = {m.group(1): unescape(m.group(2) if m.group(2) is not None else m.group(3)) for m in _ATTRIBUTE.finditer(tag.group(0))}
        if "id" in attributes:
            page.ids.add(attributes["id"])
        if attributes.get("rel") in ("canonical", "alternate"):
            continue
        page.links.extend(value for name, value in attributes.items() if name in ("href", "src", "xlink:href") and value)
    return page


def _file_for(site: Path, url_path: str) -> Path | None:
    candidate = site / unquote(url_path.lstrip("/"))
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def broken_links(site: Path, base_path: str = "/") -> list[BrokenLink]:
    """Every internal link of every HTML page under `site` that points nowhere (inline SVG's too).

    `base_path` is the path of the site's URL (e.g. /atlas/ for https://host/atlas/): absolute
    links below it, as in the 404 page, are resolved inside `site`.
    """
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    pages = {path: _scan(path) for path in sorted(site.rglob("*.html"))}
    ids = {path: scanner.ids for path, scanner in pages.items()}
    broken = []
    for path, scanner in pages.items():
        page_url = "/" + path.relative_to(site).as_posix()
        for link in scanner.links:
            parsed = urlparse(link)
            if parsed.scheme or link.startswith("//"):
                if parsed.scheme in ("http", "https", "mailto"):
                    continue
                broken.append(BrokenLink(page_url, link, f"scheme {parsed.scheme!r} is not allowed"))
                continue
            absolute, fragment = urldefrag(urljoin(page_url, link))
            url_path = urlparse(absolute).path
            if link.startswith("/") and url_path.startswith(base_path):
                url_path = "/" + url_path[len(base_path) :]
            target = _file_for(site, url_path)
            if target is None:
                broken.append(BrokenLink(page_url, link, "no such page or file"))
            elif fragment and target.suffix == ".html" and unquote(fragment) not in ids.get(target, set()):
                broken.append(BrokenLink(page_url, link, f"no anchor #{fragment}"))
    return broken


def external_links(site: Path) -> dict[str, list[str]]:
    """Every http(s) link of the built pages to another site, with the pages that use it."""
    found: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*.html")):
        page = "/" + path.relative_to(site).as_posix()
        for link in _scan(path).links:
            if urlparse(link).scheme in ("http", "https"):
                found.setdefault(urldefrag(link)[0], []).append(page)
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
