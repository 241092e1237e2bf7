"""How long `atlas serve` takes to show an edited record: the save-to-screen loop of a contributor.

Usage: .venv/bin/python benchmarks/serve_reload.py [PAPERS] [--runs N] [--atlas both|seed|synthetic] [--results DIR]
(default: 1000 synthetic papers, 5 runs, both atlases)
For each atlas, the real one (a copy of this repository's records, 615 papers) and a synthetic one
(tests/synthetic.py), it starts `atlas serve` on a free local port (the CLI's own entry point, with
MkDocs' INFO log on, so that each rebuild is logged with its time), opens a paper page in headless
Chromium, then retitles that paper N times and records the seconds from the save until the open
page's <h1> shows the new title (MkDocs rebuilds and livereload reloads the page), and of them the
seconds until the server had rebuilt.
A retitle writes the record's `title:` and its citations.bib entry together, as a contributor must:
`atlas check` requires them to agree. Results: benchmarks/results/serve-reload.{json,md}, which
scale.py's summary includes. The server's process group is ended however the run ends.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # localsite.py and synthetic.py: the tests' support
from localsite import CHROMIUM, CHROMIUM_FLAGS
from machine import SCRATCH, describe, machine
from synthetic import copy_atlas, make_atlas

REPO = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
PAPER = "synthetic-00000"
TARGET_S = 2.0  # the synthetic atlas of 1,000 papers: the slowest change
SEED_PAPER = "calibrated-language-models"
SEED_TARGET_S = 1.0  # the real atlas: the median change
STARTUP_S = 900  # the first build of the served site comes before it answers
RELOAD_TIMEOUT_S = 300
# `atlas serve` as the CLI runs it, with MkDocs' log on (the `mkdocs` command turns it on, the atlas' CLI does not).
SERVE = (
    "import logging, sys\n"
    "logging.basicConfig(format='%(created).3f %(name)s: %(message)s')\n"
    "logging.getLogger('mkdocs').setLevel(logging.INFO)\n"
    "from atlas.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)
BUILDING, RELOADING, FAILED = "Building documentation", "Reloading browsers", "An error happened during the rebuild"
SHOWS_TITLE = "title => (document.querySelector('h1')?.textContent || '').includes(title)"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def site_path(root: Path) -> str:
    """Where MkDocs' dev server mounts the site: the path of site_url in mkdocs.yml."""
    match = re.search(r"^site_url:\s*['\"]?https?://[^/\s'\"]+(/[^\s'\"]*)?", (root / "mkdocs.yml").read_text(), re.MULTILINE)
    path = match.group(1) if match and match.group(1) else "/"
    return path if path.endswith("/") else path + "/"


def retitle(root: Path, paper_id: str, title: str) -> None:
    """Change a paper's title in its record (the `title:` key, block scalar or not) and in citations.bib."""
    record = root / "papers" / f"{paper_id}.yaml"
    text, count = re.subn(r"^title:.*\n(?:[ \t]+.*\n)*", f"title: {title}\n", record.read_text(), count=1, flags=re.MULTILINE)
    bibliography = root / "citations.bib"
    entry = re.compile(rf"(@\w+\{{{re.escape(paper_id)},\n(?:.*\n)*?\s*title = ).*\n")
    bib, bib_count = entry.subn(lambda match: match.group(1) + f"{{{{{title}}}}},\n", bibliography.read_text(), count=1)
    if count != 1 or bib_count != 1:
        raise RuntimeError(f"no title to change for {paper_id} (record: {count}, citations.bib: {bib_count})")
    bibliography.write_text(bib)
    record.write_text(text)


def processor_seconds(pid: int) -> float:
    """The processor time a process has used so far (its own, not its children's: Pagefind's is apart)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime, fields 14 and 15


def wait_until_served(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"atlas serve exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"atlas serve did not answer {url} within {STARTUP_S} s:\n{log.read_text()[-3000:]}")


def logged(log: Path, message: str) -> list[float]:
    """When the server logged `message`, in seconds since the epoch (the log's own time stamps)."""
    lines = log.read_text().splitlines()
    return [float(line.split(" ", 1)[0]) for line in lines if message in line and line[:1].isdigit()]


def wait_until_idle(log: Path) -> None:
    """Until every rebuild the server started has ended (the first build reloads no browser)."""
    deadline = time.monotonic() + RELOAD_TIMEOUT_S
    while time.monotonic() < deadline:
        if len(logged(log, BUILDING)) - 1 <= len(logged(log, RELOADING)) + len(logged(log, FAILED)):
            time.sleep(0.5)  # and the page has had its reload
            return
        time.sleep(0.2)
    raise TimeoutError(f"the server was still rebuilding after {RELOAD_TIMEOUT_S} s")


def stop(server: subprocess.Popen) -> None:
    """End the server and everything it started (its own process group)."""
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def seconds_until_shown(page, title: str) -> float:
    """Seconds from now until the page shows `title` in its <h1>, across livereload's page reload."""
    started = time.perf_counter()
    deadline = started + RELOAD_TIMEOUT_S
    while time.perf_counter() < deadline:
        try:
            page.wait_for_function(SHOWS_TITLE, arg=title, polling=50, timeout=max(1, (deadline - time.perf_counter()) * 1000))
            return time.perf_counter() - started
        except PlaywrightError:  # the reload destroyed the context the function ran in: wait in the new page
            page.wait_for_timeout(50)
    raise TimeoutError(f"the page did not show {title!r} within {RELOAD_TIMEOUT_S} s")


def measure(atlas: str, papers: int, runs: int) -> list[dict[str, float | int | None]]:
    """For each change of `atlas` ("seed" or "synthetic", of `papers` papers): seconds until the page
    shows it, until the server had rebuilt, and rebuilds started."""
    with tempfile.TemporaryDirectory(prefix="atlas-bench-", dir=SCRATCH) as directory:
        if atlas == "seed":
            root, paper_id = copy_atlas(Path(directory) / "atlas"), SEED_PAPER
        else:
            root, paper_id = make_atlas(Path(directory) / "atlas", papers), PAPER
        port = free_port()
        url = f"http://127.0.0.1:{port}{site_path(root)}papers/{paper_id}/"
        log = Path(directory) / "serve.log"
        with log.open("w") as output:
            server = subprocess.Popen(
                [sys.executable, "-c", SERVE, "--root", str(root), "serve", "--addr", f"127.0.0.1:{port}"],
                cwd=root,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until_served(url, server, log)
            changes = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                page = browser.new_page()
                page.goto(url, wait_until="load")
                for run in range(1, runs + 1):
                    title = f"Retitled for the reload benchmark, change {run}"
                    wait_until_idle(log)
                    builds, saved, cpu = len(logged(log, BUILDING)), time.time(), processor_seconds(server.pid)
                    retitle(root, paper_id, title)
                    shown = seconds_until_shown(page, title)
                    cpu = processor_seconds(server.pid) - cpu
                    rebuilt = [moment - saved for moment in logged(log, RELOADING) if saved <= moment <= saved + shown]
                    changes.append(
                        {
                            "shown_s": shown,
                            "rebuilt_s": rebuilt[-1] if rebuilt else None,
                            "rebuilds": len(logged(log, BUILDING)) - builds,
                            "cpu_s": cpu,
                        }
                    )
                    rebuilt_text = "?" if changes[-1]["rebuilt_s"] is None else f"{changes[-1]['rebuilt_s']:.2f}"
                    print(
                        f"change {run}: shown after {shown:.2f} s, rebuilt after {rebuilt_text} s, {changes[-1]['rebuilds']} rebuild(s), "
                        f"{cpu:.2f} s of the server's processor time"
                    )
                browser.close()
            return changes
        except BaseException:
            print(log.read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            stop(server)


def summary(papers: int, changes: list[dict[str, float | int | None]], target_s: float) -> dict:
    """One atlas' changes as the results file keeps them."""
    seconds = [float(change["shown_s"]) for change in changes]  # type: ignore[arg-type]
    return {
        "papers": papers,
        "runs_s": [round(value, 2) for value in seconds],
        "median_s": round(statistics.median(seconds), 2),
        "max_s": round(max(seconds), 2),
        "rebuilt_s": [None if change["rebuilt_s"] is None else round(float(change["rebuilt_s"]), 2) for change in changes],
        "rebuilds": [change["rebuilds"] for change in changes],
        "cpu_s": [round(float(change["cpu_s"]), 2) for change in changes],  # type: ignore[arg-type]
        "median_cpu_s": round(statistics.median(float(change["cpu_s"]) for change in changes), 2),  # type: ignore[arg-type]
        "target_s": target_s,
    }


def table_row(name: str, measured: dict) -> str:
    rebuilt = ", ".join("?" if value is None else f"{value:.2f}" for value in measured["rebuilt_s"])
    each = ", ".join(f"{value:.2f}" for value in measured["runs_s"])
    return (
        f"| {name} | {measured['papers']:,} | {len(measured['runs_s'])} | {measured['median_s']:.2f} | {measured['max_s']:.2f} | "
        f"{each} | {rebuilt} | {', '.join(map(str, measured['rebuilds']))} | {', '.join(f'{value:.2f}' for value in measured['cpu_s'])} |"
    )


def target_lines(result: dict) -> list[str]:
    lines = []
    if "seed" in result:
        seed = result["seed"]
        met = "met" if seed["median_s"] < SEED_TARGET_S else "NOT met"
        lines.append(
            f"- {met}: `atlas serve` shows an edit of the real atlas ({seed['papers']:,} papers) in under {SEED_TARGET_S:g} s: "
            f"median {seed['median_s']:.2f} s, max {seed['max_s']:.2f} s"
        )
    if "runs_s" in result:
        met = "met" if result["max_s"] < TARGET_S else "NOT met"
        lines.append(
            f"- {met}: `atlas serve` rebuilds and reloads in under {TARGET_S:g} s at 1,000 papers"
            + ("" if result["papers"] == 1000 else f" (measured at {result['papers']:,})")
            + f": max {result['max_s']:.2f} s"
        )
    return lines


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", nargs="?", type=int, default=1000, help="size of the synthetic atlas (default: 1000)")
    parser.add_argument("--runs", type=int, default=5, help="how many changes of each atlas (default: 5)")
    parser.add_argument("--atlas", choices=("both", "seed", "synthetic"), default="both", help="which atlas to measure (default: both)")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"where the results go (default: {RESULTS})")
    options = parser.parse_args(arguments)
    result: dict = {"machine": machine()}
    if options.atlas in ("both", "synthetic"):  # the synthetic atlas' figures at the top, as scale.py reads them
        result.update(summary(options.papers, measure("synthetic", options.papers, options.runs), TARGET_S))
    if options.atlas in ("both", "seed"):
        seed_papers = len([name for name in os.listdir(REPO / "papers") if name.endswith(".yaml")])
        result["seed"] = summary(seed_papers, measure("seed", seed_papers, options.runs), SEED_TARGET_S)
    options.results.mkdir(parents=True, exist_ok=True)
    (options.results / "serve-reload.json").write_text(json.dumps(result, indent=2) + "\n")
    rows = ([table_row("real (seed)", result["seed"])] if "seed" in result else []) + (
        [table_row("synthetic", result)] if "runs_s" in result else []
    )
    lines = [
        "# Serve reload benchmark",
        "",
        f"Machine: {describe(result['machine'])}. Written by `make bench` (benchmarks/serve_reload.py).",
        "",
        "| atlas | papers | changes | median (s) | max (s) | each (s) | of it, until rebuilt (s) | rebuilds per change | server CPU (s) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        "Each change retitles one paper (its record and its citations.bib entry) while the page is open in headless",
        'Chromium under `atlas serve`, and counts the seconds until the page\'s <h1> shows the new title; "until rebuilt"',
        "is when the server logged that it reloads the browsers, the rest is the page's reload; the server CPU is the",
        "processor time of the server's own process from the save until the page showed the change (not Pagefind's): the",
        "machine's other work does not stretch it as it does the seconds. The real atlas is a copy of this repository's",
        "records; the synthetic one is grown by tests/synthetic.py.",
        "",
        *target_lines(result),
    ]
    (options.results / "serve-reload.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
