"""A built site served on 127.0.0.1 and opened in Debian's headless Chromium: shared by the browser
tests, the screenshots script and the benchmarks, so all open pages the same way (not part of the atlas:
the atlas' own serving is `atlas serve`)."""

from __future__ import annotations

import functools
import gzip
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class _CompressingHandler(_QuietHandler):
    """Text compressed with gzip for a browser that accepts it, as the atlas' host (GitHub Pages) serves it."""

    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".bib", ".txt")

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir() and not self.path.split("?")[0].endswith("/"):
            return super().send_head()  # the redirect to the address with its slash
        if path.is_dir():
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in self.TEXT or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def served(directory: Path, compressed: bool = False) -> Iterator[str]:
    """The directory served over HTTP on a free local port; yields its base URL (ending in /).
    `compressed`: text is sent gzipped to a browser that accepts it, as GitHub Pages sends it."""
    handler = _CompressingHandler if compressed else _QuietHandler
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
