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
import signal
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path
from typing import IO

BUNDLE = "pagefind"  # the folder of the site that holds the index and Pagefind's search UI
# Under `atlas serve`, Pagefind yields the processor to the next rebuild and the browser's reload. In a
# build it does not: it is the longest task left while the theme is rendered, so it must not wait.
_NICE = ("nice", "-n", "10") if shutil.which("nice") else ()
SHARD_PAGES = 1000  # pages per Pagefind run: its memory stays near 150 MB however large the atlas
_MEMORY = Path("/dev/shm")  # a RAM-backed folder where there is one: thousands of small files cost far less there
_PERMALINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.S)
_TITLE_ANCHOR = re.compile(r'<h1 id="[^"]*">')
# An element Pagefind would skip (related papers, citations, tables of papers): dropped before it reads it.
_IGNORED = re.compile(r"<(details|div|table|ul)\b[^>]*\sdata-pagefind-ignore\b[^>]*>(.*?)</\1>", re.S)


class SearchIndexFailed(Exception):
    """Pagefind stopped with an error; the message is its own."""


def _unless_nested(element: re.Match[str]) -> str:
    """Nothing for an ignored element, unless one of its kind nests in it (then the match ended early:
    left whole, for Pagefind to skip)."""
    return element[0] if f"<{element[1]}" in element[2] else ""


def search_document(title: str, content: str) -> str:
    """A page as Pagefind reads it: the content only, without heading permalinks, without what Pagefind
    is told to ignore (`data-pagefind-ignore`: a third of a paper page, read for nothing), and without
    the title's anchor (a result would otherwise list the page's title again as its first section)."""
    body = _IGNORED.sub(_unless_nested, _PERMALINK.sub("", content))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body data-pagefind-body>{_TITLE_ANCHOR.sub('<h1>', body, count=1)}</body></html>"
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
        self._late: set[str] = set()  # documents that come after the others (hand-written pages): in the last shard
        self.shards = 1
        self._running: subprocess.Popen[bytes] | None = None  # the indexing process (run_shards)
        self._announced: set[int] = set()  # the shards it has been told are ready
        self._complete = False  # every document is written (all_added)

    def expect(self, pages: int, late: set[str] | None = None) -> None:
        """Size the shards for a build of `pages` pages (only before the first document is written);
        the pages at the URLs `late` are added last (Markdown pages, known after the generated ones)."""
        if not self._written:
            self.shards = max(1, math.ceil(pages / SHARD_PAGES))
            self._late = {document_path(url) for url in late or ()}

    @property
    def _scratch(self) -> Path:
        if self._folder is None:
            in_memory = _MEMORY.is_dir() and os.access(_MEMORY, os.W_OK)
            self._folder = Path(tempfile.mkdtemp(prefix="atlas-search-", dir=_MEMORY if in_memory else None))
        return self._folder

    def _shard_of(self, path: str) -> int:
        if path in self._late:
            return self.shards - 1
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
        """Index the shards in a process of their own (`polite`: at a low priority), each as soon as it
        is ready: at once for those that get no late page, the others after `all_added`. The process
        is told which shard is ready by a line on its standard input. `wait` collects the outcome."""
        for shard in range(self.shards):
            (self._scratch / f"shard-{shard}").mkdir(exist_ok=True)
        command = [
            *(_NICE if polite else ()),
            sys.executable,
            "-m",
            "atlas.engine.search_index",
            str(self._scratch),
            str(site_dir / BUNDLE),
        ]
        self._running = subprocess.Popen(
            [*command, *map(str, range(self.shards))],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # stopped with the Pagefind it runs (one process group)
        )
        self._announced = set()
        late_shards = set() if self._complete else {self._shard_of(path) for path in self._late}
        self._announce([shard for shard in range(self.shards) if shard not in late_shards])

    def all_added(self) -> None:
        """Every document is written: the shards that waited for late pages are ready."""
        self._complete = True
        if self._running is not None:
            self._announce(list(range(self.shards)))

    def _announce(self, shards: list[int]) -> None:
        """Tell the indexing process these shards are ready; once all are, close its input."""
        stream = self._running.stdin if self._running is not None else None
        if stream is None or stream.closed:
            return
        fresh = [shard for shard in shards if shard not in self._announced]
        self._announced.update(fresh)
        try:
            stream.write("".join(f"{shard}\n" for shard in fresh).encode())
            stream.flush()
            if len(self._announced) == self.shards:
                stream.close()
        except OSError:  # the process is gone: wait() says why
            pass

    def wait(self) -> None:
        """Block until the index is written; raises SearchIndexFailed with Pagefind's message."""
        if self._running is None:
            return
        running, self._running = self._running, None
        stdin, stderr = running.stdin, running.stderr
        assert stdin is not None and stderr is not None  # start() opens both as pipes
        with contextlib.suppress(OSError):
            stdin.close()  # a shard never announced: the process says so
        with stderr:
            printed = stderr.read()
        running.wait()
        if running.returncode != 0:
            raise SearchIndexFailed(printed.decode(errors="replace").strip() or f"the indexer stopped with {running.returncode}")

    def abandon(self) -> None:
        """Stop indexing whose outcome no longer matters (a failed or superseded build)."""
        if self._running is not None and self._running.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._running.pid, signal.SIGKILL)
        with contextlib.suppress(SearchIndexFailed):
            self.wait()
        self._complete = False  # the next run waits for its own late pages

    def close(self) -> None:
        """Stop indexing if it runs and delete the scratch folder: the indexer starts afresh."""
        self.abandon()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder, self._written = None, set()


def run_shards(scratch: Path, output: Path, shards: list[int], ready: IO[str]) -> int:
    """The indexing process: each shard of `scratch`, as soon as `ready` (its standard input) names it
    on a line, indexed by Pagefind into `output` (the first into `output` itself, the others into
    `output/shard-N`), then the list of shards to merge; returns the exit status, with Pagefind's
    message on standard error. The input's end before every shard was named means the build is gone."""
    from pagefind_bin import get_executable  # Pagefind's own binary, run directly: no Python wrapper per shard

    waiting, pagefind = set(shards), str(get_executable())
    indexed: list[int] = []
    for line in ready:
        shard = int(line)
        waiting.discard(shard)
        folder = scratch / f"shard-{shard}"
        if any(folder.rglob("*.html")):
            target = output / f"shard-{shard}" if indexed else output
            command = [pagefind, "--site", str(folder), "--output-path", str(target), "--silent"]
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, check=False)
            if done.returncode != 0:
                message = (done.stdout + done.stderr).decode(errors="replace").strip()
                print(f"Pagefind could not index the site (exit {done.returncode}): {message}", file=sys.stderr)
                return 1
            indexed.append(shard)
        if not waiting:
            break
    if waiting:
        return 1
    output.mkdir(parents=True, exist_ok=True)
    (output / "atlas-shards.json").write_text(json.dumps({"merge": [f"shard-{shard}/" for shard in indexed[1:]]}), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(run_shards(Path(sys.argv[1]), Path(sys.argv[2]), [int(shard) for shard in sys.argv[3:]], sys.stdin))
