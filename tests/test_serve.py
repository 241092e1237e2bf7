"""`atlas serve`: the site is served and rebuilt when a record changes."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from serve_reload import SERVE  # `atlas serve` as the CLI runs it, with MkDocs' log on


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


@contextmanager
def serving(root: Path, log: Path | None = None) -> Iterator[str]:
    """`atlas serve` on the atlas at `root`, on a free port (with `log`: MkDocs' log written there);
    yields the site's address and stops the server."""
    port = free_port()
    start = [sys.executable, *(("-c", SERVE) if log else ("-m", "atlas.cli")), "--root", str(root), "serve"]
    with open(log or "/dev/null", "wb") as output:
        server = subprocess.Popen([*start, "--addr", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=output)
        try:
            yield f"http://127.0.0.1:{port}/atlas/"
        finally:
            server.terminate()
            server.wait(timeout=30)


def test_serve_rebuilds_when_a_paper_record_changes(atlas_copy: Path):
    with serving(atlas_copy) as base:
        page = base + "papers/calibrated-language-models/"
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
        for other in ("papers/", "challenges/robustness/", "challenges/ethics/"):
            fetch_until(base + other, "Calibrated Models Hallucinate, Renamed", seconds=10)
        unchanged = fetch_until(base + "challenges/causality/", "Causal representations")
        assert "Calibrated Models Hallucinate, Renamed" not in unchanged


def test_a_record_and_its_entry_saved_one_after_the_other_make_one_rebuild(atlas_copy: Path, tmp_path: Path):
    """A retitle touches two files. Saved 100 ms apart, as an editor saving both does, they make one
    rebuild: none in between, whose records would not validate (every page under the problems notice).
    With MkDocs' own wait (0.1 s: one poll) this test failed in each of two runs."""
    log = tmp_path / "serve.log"
    with serving(atlas_copy, log) as base:
        page = base + "papers/calibrated-language-models/"
        fetch_until(page, "Calibrated Language Models Must Hallucinate")
        record, bib = atlas_copy / "papers" / "calibrated-language-models.yaml", atlas_copy / "citations.bib"
        old, new = "Calibrated Language Models Must Hallucinate", "Calibrated Models, Saved Twice"
        for number in range(5):
            before = log.read_text().count("Detected file changes")
            record.write_text(record.read_text().replace(f"title: {old}", f"title: {new} {number}"))
            time.sleep(0.1)
            bib.write_text(bib.read_text().replace("{{" + old + "}}", "{{" + f"{new} {number}" + "}}"))
            shown = fetch_until(page, f"{new} {number}")
            assert "The records do not validate" not in shown
            time.sleep(1)  # a second rebuild would have begun by now
            assert log.read_text().count("Detected file changes") - before == 1, log.read_text()[-2000:]
            old = f"{new} {number}"


def test_serve_stopped_by_a_signal_leaves_no_scratch_files(atlas_copy: Path):
    """The search documents live in RAM (/dev/shm) and MkDocs' preview in a temporary folder: a
    server ended by SIGTERM removes both, as after Ctrl-C."""
    import tempfile

    from atlas.engine import search_index

    scratch_places = [search_index._MEMORY, Path(tempfile.gettempdir())]
    before = {p for place in scratch_places if place.is_dir() for p in place.iterdir()}
    with serving(atlas_copy) as base:
        fetch_until(base + "papers/calibrated-language-models/", "Calibrated")
        during = {p for place in scratch_places if place.is_dir() for p in place.iterdir()} - before
        assert any(p.name.startswith("atlas-search-") for p in during) and any(p.name.startswith("mkdocs_") for p in during)

    def left() -> list[Path]:
        after = {p for place in scratch_places if place.is_dir() for p in place.iterdir()} - before
        return [p for p in after if p.name.startswith(("atlas-search-", "mkdocs_"))]

    # A build in another test process (pytest -n 2) has scratch folders of its own while it runs: they
    # go when it ends, the server's would stay.
    deadline = time.monotonic() + 120
    while left() and time.monotonic() < deadline:
        time.sleep(1)
    assert not left()


def test_serve_shows_the_problems_while_the_records_do_not_validate_and_drops_a_deleted_paper(atlas_copy: Path, tmp_path: Path):
    log = tmp_path / "serve.log"
    with serving(atlas_copy, log) as base:
        page = base + "papers/calibrated-language-models/"
        fetch_until(page, "Calibrated Language Models Must Hallucinate")
        record = atlas_copy / "papers" / "calibrated-language-models.yaml"
        valid = record.read_text()
        # The title changes in the record, not yet in citations.bib: the records do not validate.
        record.write_text(valid.replace("title: Calibrated Language Models Must Hallucinate", "title: Calibrated Models, Retitled"))
        shown = fetch_until(page, "The records do not validate")
        assert re.search(r"<code>citations\.bib:\d+</code>: the title of &#39;calibrated-language-models&#39; differs", shown)
        assert "The records do not validate" in fetch_until(base + "challenges/metrics/", "The records do not validate", seconds=10)
        record.write_text(valid)  # fixed: the notice goes
        deadline = time.monotonic() + 60
        while "The records do not validate" in fetch_until(page, "Calibrated Language Models") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert "The records do not validate" not in fetch_until(page, "Calibrated Language Models")
        told = log.read_text()
        assert told.index("problem(s); the pages show them") < told.index("the atlas data is valid again")  # said once fixed
        # A paper deleted (record and entry): its page is gone from the served site.
        gone = atlas_copy / "papers" / "adapt-then-unlearn.yaml"
        gone_page = base + "papers/adapt-then-unlearn/"
        fetch_until(gone_page, "Adapt then Unlearn")
        bib = atlas_copy / "citations.bib"
        text = bib.read_text()
        start = text.index("{adapt-then-unlearn,")
        start = text.rindex("@", 0, start)
        end = text.find("\n@", start + 1)
        bib.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""))
        gone.unlink()
        deadline = time.monotonic() + 60
        status = 200
        while status == 200 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(gone_page, timeout=5) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass  # rebuilding: ask again
            time.sleep(0.5)
        assert status == 404


def test_serve_on_a_busy_port_says_so_in_one_line_with_the_option_to_change_it(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "atlas.cli", "--root", str(REPO), "serve", "--addr", f"127.0.0.1:{port}"],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    problem = [line for line in result.stderr.splitlines() if line.startswith("atlas serve:")]
    assert problem == [
        f"atlas serve: the address 127.0.0.1:{port} is in use by another program; choose another port with "
        "--addr 127.0.0.1:PORT; nothing was changed"
    ]


def _site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site but the search index (which serve writes in the background, after the pages)."""
    return {str(path.relative_to(site)): path.read_bytes() for path in site.rglob("*") if path.is_file() and "pagefind" not in path.parts}


def test_a_serve_rebuild_after_edits_is_byte_identical_to_a_fresh_build_of_the_same_records(tmp_path: Path):
    """Every shortcut of `atlas serve`'s rebuild at once (the theme listed once, papers validated once,
    pages rendered again only when their inputs changed, pages whose digest is unchanged not written):
    after a retitle and a deleted paper, the served site is the one a fresh build of those records makes."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from serve_reload import retitle

    from atlas.engine.mkdocs_adapter import SiteJob, _running, _theme_listed_once
    from atlas.pipeline import serve_source

    from synthetic import make_atlas

    root = make_atlas(tmp_path / "atlas", 40)

    def served_build(site: Path, dirty: bool) -> None:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(site), strict=False)
        config.plugins.on_startup(command="serve", dirty=True)  # as `atlas serve` starts MkDocs
        build(config, dirty=dirty)

    served = tmp_path / "served"
    with _running(SiteJob(serve_source(root))), _theme_listed_once():
        served_build(served, dirty=False)
        retitle(root, "synthetic-00003", "A retitled paper")
        served_build(served, dirty=True)
        (root / "papers" / "synthetic-00005.yaml").unlink()  # its citations.bib entry stays: a reference now
        served_build(served, dirty=True)
    with _running(SiteJob(serve_source(root))):
        served_build(tmp_path / "fresh", dirty=False)
    load_config(str(root / "mkdocs.yml")).plugins.on_shutdown()  # the background search indexing ends
    site, fresh = _site_files(served), _site_files(tmp_path / "fresh")
    assert "A retitled paper" in site["papers/synthetic-00003/index.html"].decode()
    assert "papers/synthetic-00005/index.html" not in site
    assert site.keys() == fresh.keys()
    assert [path for path in site if site[path] != fresh[path]] == []
