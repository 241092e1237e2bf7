"""A local stand-in for the arXiv, Crossref and OpenReview APIs, serving tests/fixtures/api/.

Special identifiers make it misbehave on purpose: arXiv 9999.00001 / DOI 10.9999/slow / OpenReview
slowSlowSlow answer too late, arXiv 9999.00002 / DOI 10.9999/broken / OpenReview brokenBroken
answer HTTP 503.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

FIXTURES = Path(__file__).parent / "fixtures" / "api"
SLOW = {"9999.00001", "10.9999/slow", "slowSlowSlow"}
BROKEN = {"9999.00002", "10.9999/broken", "brokenBroken"}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = {name: values[0] for name, values in parse_qs(url.query).items()}
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        if url.path == "/arxiv":
            identifier = query.get("id_list", "")
        elif url.path.startswith("/crossref/works/"):
            identifier = unquote(url.path.removeprefix("/crossref/works/"))
        elif url.path == "/openreview/notes":
            identifier = query.get("id", "")
        else:
            return self._send(404, b"not found", "text/plain")
        if identifier in SLOW:
            time.sleep(3)
        if identifier in BROKEN:
            return self._send(503, b"Service Unavailable", "text/plain")
        if url.path == "/arxiv":
            fixture = FIXTURES / f"arxiv-{identifier}.xml"
            body = (fixture if fixture.exists() else FIXTURES / "arxiv-empty.xml").read_bytes()
            return self._send(200, body, "application/atom+xml; charset=utf-8")
        if url.path.startswith("/crossref/"):
            fixture = FIXTURES / f"crossref-{identifier.replace('/', '-')}.json"
            if not fixture.exists():
                return self._send(404, b"Resource not found.", "text/plain")
            return self._send(200, fixture.read_bytes(), "application/json")
        fixture = FIXTURES / f"openreview-{identifier}.json"
        body = fixture.read_bytes() if fixture.exists() else json.dumps({"notes": [], "count": 0}).encode()
        return self._send(200, body, "application/json")


class RecordedAPIs:
    """Serves the recorded answers on 127.0.0.1; `environment` points atlas at it."""

    def __init__(self) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.requests = []  # type: ignore[attr-defined]
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.environment = {
            "ATLAS_ARXIV_API": f"{base}/arxiv",
            "ATLAS_CROSSREF_API": f"{base}/crossref",
            "ATLAS_OPENREVIEW_API": f"{base}/openreview",
            "ATLAS_HTTP_TIMEOUT": "1",
        }

    @property
    def requests(self) -> list[str]:
        return self.server.requests  # type: ignore[attr-defined]

    def close(self) -> None:
        self.server.shutdown()
