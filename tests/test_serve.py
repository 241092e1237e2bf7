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
        fetch_until(page, "Proves that calibration alone forces")
        record = atlas_copy / "papers" / "calibrated-language-models.yaml"
        record.write_text(record.read_text().replace("Proves that calibration alone", "Shows formally that calibration alone"))
        fetch_until(page, "Shows formally that calibration alone")
        # Rebuilds are incremental: every page that shows the record must follow, not just its own.
        text = record.read_text()
        old, new = "Calibrated Language Models Must Hallucinate", "Calibrated Models Hallucinate, Renamed"
        record.write_text(text.replace(f"title: {old}", f"title: {new}"))
        bib = atlas_copy / "citations.bib"  # the entry's title must follow the record's
        bib.write_text(bib.read_text().replace("{{" + old + "}}", "{{" + new + "}}"))
        fetch_until(page, "Calibrated Models Hallucinate, Renamed")
        base = f"http://127.0.0.1:{port}/atlas/"
        for other in ("papers/", "challenges/robustness/", "challenges/ethics/"):
            fetch_until(base + other, "Calibrated Models Hallucinate, Renamed", seconds=10)
        unchanged = fetch_until(base + "challenges/causality/", "Causal representations")
        assert "Calibrated Models Hallucinate, Renamed" not in unchanged
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_serve_stopped_by_a_signal_leaves_no_scratch_files(atlas_copy: Path):
    """The search documents live in RAM (/dev/shm) and MkDocs' preview in a temporary folder: a
    server ended by SIGTERM removes both, as after Ctrl-C."""
    import tempfile

    from atlas.engine import search_index

    scratch_places = [search_index._MEMORY, Path(tempfile.gettempdir())]
    before = {p for place in scratch_places if place.is_dir() for p in place.iterdir()}
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "atlas.cli", "--root", str(atlas_copy), "serve", "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        fetch_until(f"http://127.0.0.1:{port}/atlas/papers/calibrated-language-models/", "Calibrated")
        during = {p for place in scratch_places if place.is_dir() for p in place.iterdir()} - before
        assert any(p.name.startswith("atlas-search-") for p in during) and any(p.name.startswith("mkdocs_") for p in during)
    finally:
        server.terminate()
        server.wait(timeout=30)
    after = {p for place in scratch_places if place.is_dir() for p in place.iterdir()} - before
    assert not [p for p in after if p.name.startswith(("atlas-search-", "mkdocs_"))]
