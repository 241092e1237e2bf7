"""What each generated page shows, as a digest: `atlas serve` rebuilds only the pages whose digest changed."""

from __future__ import annotations

import hashlib
import json

from atlas.site.page import Page


def fingerprint(page: Page, notice: str) -> bytes:
    """What a page shows, as bytes for its digest (its metadata, the notice above it and its body)."""
    return (json.dumps(page.meta, sort_keys=True, ensure_ascii=False) + "\n" + notice + page.body).encode("utf-8")


class PageDigests:
    """Each page's digest, by path, made again only for a page the render stage rendered again (it
    hands over a page it did not render again as the very object of the last build)."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[Page, str, bytes]] = {}

    def of(self, path: str, page: Page, notice: str) -> bytes:
        known = self._known.get(path)
        if known is not None and known[0] is page and known[1] == notice:
            return known[2]
        digest = hashlib.blake2b(fingerprint(page, notice)).digest()
        self._known[path] = (page, notice, digest)
        return digest

    def forget(self, path: str) -> None:
        self._known.pop(path, None)
