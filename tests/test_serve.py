"""`atlas serve`: the site is served and rebuilt when a record changes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_until(url: str, wanted: str, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    body = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read().decode("utf-8")
            if wanted in body:
                return body
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not show {wanted!r} within {seconds} s")


def test_serve_rebuilds_when_a_paper_record_changes(atlas_copy: Path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "atlas.cli", "--root", str(atlas_copy), "serve", "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = f"http://127.0.0.1:{port}/atlas/papers/calibrated-language-models/"
        fetch_until(page, "Proves that a language model calibrated")
        record = atlas_copy / "papers" / "calibrated-language-models.yaml"
        record.write_text(record.read_text().replace("Proves that a language model", "Shows formally that a language model"))
        fetch_until(page, "Shows formally that a language model")
    finally:
        server.terminate()
        server.wait(timeout=30)
