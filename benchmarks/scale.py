"""How the atlas scales: build, check, memory, search index and page weight at 1,000-10,000 papers.

Usage: .venv/bin/python benchmarks/scale.py [PAPERS ...]   (default: 1000 5000 10000)
For each size it grows a synthetic atlas from the real records (benchmarks/synthetic.py), then
measures in one run: `atlas check` and `atlas build` (wall time and peak memory of the process),
the search index, what a paper page loads before the reader searches (headless Chromium, all
requests counted), and a plain `mkdocs build` of as many hand-written Markdown pages with the same
theme and the same navigation as the baseline. Results: benchmarks/results/scale.{json,md}.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from atlas.localsite import CHROMIUM, CHROMIUM_FLAGS, served

from synthetic import make_atlas

RESULTS = Path(__file__).resolve().parent / "results"
PYTHON = sys.executable


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak resident memory (KiB) of one command run to completion."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{result.stderr[-2000:]}")
    return elapsed, int(result.stderr.strip().splitlines()[-1])


def page_weight(site: Path, address: str) -> int:
    """Bytes a page loads before any interaction (document, styles, scripts, fonts, data)."""
    with served(site) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        sizes: dict[str, int] = {}

        def record(response) -> None:
            try:
                sizes[response.url] = len(response.body())
            except Exception:  # a redirect or an aborted request has no body
                sizes.setdefault(response.url, 0)

        page.on("response", record)
        page.goto(base + address, wait_until="networkidle")
        page.wait_for_timeout(1000)
        browser.close()
    return sum(sizes.values())


def baseline(papers: int, work: Path) -> float:
    """A plain MkDocs build of as many hand-written pages, same theme, pages out of the navigation."""
    docs = work / "baseline" / "docs"
    (docs / "papers").mkdir(parents=True)
    (docs / "index.md").write_text("# Baseline\n")
    text = (Path(__file__).resolve().parents[1] / "papers" / "calibrated-language-models.yaml").read_text()
    for index in range(papers):
        (docs / "papers" / f"p{index:05d}.md").write_text(f"# Paper {index}\n\n" + text.replace("\n", "\n\n"))
    (work / "baseline" / "mkdocs.yml").write_text(
        "site_name: Baseline\nsite_url: https://example.org/\ntheme:\n  name: material\n  font: false\n"
        "plugins:\n  - search\nnav:\n  - Home: index.md\nnot_in_nav: |\n  /papers/*.md\n"
    )
    elapsed, _ = timed([str(Path(PYTHON).parent / "mkdocs"), "build", "-q"], work / "baseline")
    return elapsed


def measure(papers: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        root = make_atlas(work / "atlas", papers)
        atlas = [PYTHON, "-m", "atlas.cli", "--root", str(root)]
        check_s, check_kib = timed([*atlas, "check"], root)
        build_s, build_kib = timed([*atlas, "build", "--site-dir", str(work / "site")], root)
        site = work / "site"
        index = site / "search" / "search_index.json"
        return {
            "papers": papers,
            "check_s": round(check_s, 2),
            "check_peak_mib": round(check_kib / 1024),
            "build_s": round(build_s, 1),
            "build_peak_mib": round(build_kib / 1024),
            "baseline_mkdocs_s": round(baseline(papers, work), 1),
            "search_index_kb": round(index.stat().st_size / 1024),
            "paper_page_kb": round(page_weight(site, "papers/synthetic-00000/") / 1024),
            "site_mb": round(sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20, 1),
        }


def main(sizes: list[int]) -> int:
    rows = []
    for papers in sizes:
        rows.append(measure(papers))
        print(rows[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    machine = f"{platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}"
    (RESULTS / "scale.json").write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")
    header = (
        "| papers | atlas build (s) | plain MkDocs (s) | ratio | atlas check (s) | build peak (MiB) | search index (KB) | paper page (KB) |"
    )
    lines = [header, "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        ratio = r["build_s"] / r["baseline_mkdocs_s"] if r["baseline_mkdocs_s"] else 0
        lines.append(
            f"| {r['papers']:,} | {r['build_s']} | {r['baseline_mkdocs_s']} | {ratio:.2f} | {r['check_s']} | "
            f"{r['build_peak_mib']} | {r['search_index_kb']:,} | {r['paper_page_kb']:,} |"
        )
    (RESULTS / "scale.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [1000, 5000, 10000]))
