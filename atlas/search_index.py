"""The site's search index: Pagefind, run over one small document per page beside the site engine.

Pagefind splits the index into chunks that a reader's browser fetches only when searching, so a page
never loads an index that grows with the atlas. It indexes each page's content (not the theme's
navigation), written to a scratch folder as soon as the engine knows it; Pagefind then runs in its
own process while the engine renders the theme around the pages, on the machine's other core.

Pagefind holds what it indexes in memory (about 130 KB per paper page), so a large atlas is indexed
in shards of SHARD_PAGES pages, one after the other: `pagefind/` holds the first shard and the
search UI, `pagefind/shard-N/` the others, and `pagefind/atlas-shards.json` lists them for the UI to
merge (Pagefind ranks the merged results by score).
"""

from __future__ import annotations

import contextlib
import html
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zlib
from pathlib import Path

BUNDLE = "pagefind"  # the folder of the site that holds the index and Pagefind's search UI
# Under `atlas serve`, Pagefind yields the processor to the next rebuild and the browser's reload. In a
# build it does not: it is the longest task left while the theme is rendered, so it must not wait.
_NICE = ("nice", "-n", "10") if shutil.which("nice") else ()
SHARD_PAGES = 1000  # pages per Pagefind run: its memory stays near 150 MB however large the atlas
_MEMORY = Path("/dev/shm")  # a RAM-backed folder where there is one: thousands of small files cost far less there
_PERMALINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_TITLE_ANCHOR = re.compile(r'<h1 id="[^"]*">')


class SearchIndexFailed(Exception):
    """Pagefind stopped with an error; the message is its own."""


def search_document(title: str, content: str) -> str:
    """A page as Pagefind reads it: the content only, without heading permalinks, and without the
    title's anchor (a result would otherwise list the page's title again as its first section)."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body data-pagefind-body>{_TITLE_ANCHOR.sub('<h1>', _PERMALINK.sub('', content), count=1)}</body></html>"
    )


def document_path(url: str) -> str:
    """Where the page at a site URL sits in the scratch folder: Pagefind derives result URLs from it."""
    return url if url.endswith(".html") else url + "index.html"


class SearchIndexer:
    """Writes each page's search document to a scratch folder as the engine produces it (nothing is
    held in memory), then builds the index into `site_dir/pagefind` in the background. The folder
    lives as long as the indexer: `atlas serve` rewrites only the pages that changed."""

    def __init__(self) -> None:
        self._folder: Path | None = None  # made on the first page
        self._written: set[str] = set()
        self.shards = 1
        self._worker: threading.Thread | None = None
        self._running: subprocess.Popen[bytes] | None = None
        self._failure: str | None = None
        self._stopped = False

    def expect(self, pages: int) -> None:
        """Size the shards for a build of `pages` pages (only before the first document is written)."""
        if not self._written:
            self.shards = max(1, math.ceil(pages / SHARD_PAGES))

    @property
    def _scratch(self) -> Path:
        if self._folder is None:
            in_memory = _MEMORY.is_dir() and os.access(_MEMORY, os.W_OK)
            self._folder = Path(tempfile.mkdtemp(prefix="atlas-search-", dir=_MEMORY if in_memory else None))
        return self._folder

    def _shard_of(self, path: str) -> int:
        return zlib.crc32(path.encode("utf-8")) % self.shards  # stable: a page stays in its shard across rebuilds

    def add(self, url: str, title: str, content: str) -> None:
        path = document_path(url)
        target = self._scratch / f"shard-{self._shard_of(path)}" / path
        if path not in self._written:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._written.add(path)
        target.write_text(search_document(title, content), encoding="utf-8")

    def keep_only(self, urls: set[str]) -> None:
        """Delete the documents of pages that are gone (serve keeps the others across rebuilds)."""
        wanted = {document_path(url) for url in urls}
        for path in self._written - wanted:
            (self._scratch / f"shard-{self._shard_of(path)}" / path).unlink(missing_ok=True)
        self._written &= wanted

    def start(self, site_dir: Path, polite: bool = False) -> None:
        """Index the shards one after another in the background (`polite`: at a low priority); `wait`
        collects the outcome."""
        output = site_dir / BUNDLE
        shards = [shard for shard in range(self.shards) if (self._scratch / f"shard-{shard}").is_dir()]
        self._failure, self._stopped = None, False

        def run() -> None:
            for position, shard in enumerate(shards):
                target = output if position == 0 else output / f"shard-{shard}"
                command = [*(_NICE if polite else ()), sys.executable, "-m", "pagefind", "--site", str(self._scratch / f"shard-{shard}")]
                command += ["--output-path", str(target), "--silent"]
                self._running = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                printed, _ = self._running.communicate()
                if self._stopped:
                    return
                if self._running.returncode != 0:
                    message = printed.decode(errors="replace").strip()
                    self._failure = f"Pagefind could not index the site (exit {self._running.returncode}): {message}"
                    return
            merged = [f"shard-{shard}/" for shard in shards[1:]]
            output.mkdir(parents=True, exist_ok=True)
            (output / "atlas-shards.json").write_text(json.dumps({"merge": merged}), encoding="utf-8")

        self._worker = threading.Thread(target=run, name="pagefind", daemon=True)
        self._worker.start()

    def wait(self) -> None:
        """Block until the index is written; raises SearchIndexFailed with Pagefind's message."""
        if self._worker is None:
            return
        self._worker.join()
        self._worker, self._running = None, None
        if self._failure:
            raise SearchIndexFailed(self._failure)

    def wait_quietly(self) -> None:
        """Stop indexing whose outcome no longer matters (a failed or superseded build)."""
        self._stopped = True
        if self._running is not None and self._running.poll() is None:
            self._running.kill()
        with contextlib.suppress(SearchIndexFailed):
            self.wait()

    def close(self) -> None:
        """Stop indexing if it runs and delete the scratch folder: the indexer starts afresh."""
        self.wait_quietly()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder, self._written = None, set()
