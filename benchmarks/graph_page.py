"""How long the graph page takes to become interactive in headless Chromium, at several sizes.

Usage: .venv/bin/python benchmarks/graph_page.py [PAPERS ...]   (default: 1000 10000)
For each size it builds a synthetic atlas (tests/synthetic.py) with `atlas build`, serves it on
127.0.0.1, opens graph/ three times and records the median time from navigation start until the
graph is drawn with its handlers bound (the page's `atlasGraphReadyAt`), and how long a filter change
takes to redraw. Results go to benchmarks/results/graph-page.{json,md}.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from atlas.cli import main as atlas

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # localsite.py and synthetic.py: the tests' support
from localsite import CHROMIUM, CHROMIUM_FLAGS, served
from machine import SCRATCH, describe, machine
from synthetic import make_atlas

RESULTS = Path(__file__).resolve().parent / "results"


def measure(site: Path, runs: int = 3) -> dict[str, float]:
    ready, redraw = [], []
    with served(site) as base, sync_playwright() as playwright:
        url = base + "graph/"
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            page.wait_for_selector("[data-atlas-graph][data-ready]", timeout=120_000)
            ready.append(page.evaluate("window.atlasGraphReadyAt"))
            redraw.append(
                page.evaluate(
                    """() => new Promise(resolve => {
                    const select = document.querySelector(".atlas-graph-filter[data-filter='challenge']");
                    const start = performance.now();
                    select.value = "efficiency"; select.dispatchEvent(new Event("change"));
                    requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - start)));
                })"""
                )
            )
            page.close()
        browser.close()
    return {"ready_ms": statistics.median(ready), "filter_redraw_ms": statistics.median(redraw), "runs": runs}


def main(sizes: list[int]) -> int:
    rows = []
    for papers in sizes:
        with tempfile.TemporaryDirectory(prefix="atlas-bench-", dir=SCRATCH) as work:
            root = make_atlas(Path(work) / "atlas", papers)
            started = time.perf_counter()
            assert atlas(["--root", str(root), "build", "--site-dir", str(Path(work) / "site")]) == 0
            build_seconds = time.perf_counter() - started
            graph_json = (Path(work) / "site" / "data" / "graph.json").stat().st_size
            result = measure(Path(work) / "site")
        rows.append({"papers": papers, "build_s": round(build_seconds, 1), "graph_json_kb": round(graph_json / 1024), **result})
        print(rows[-1], flush=True)
    RESULTS.mkdir(exist_ok=True)
    description = machine()
    (RESULTS / "graph-page.json").write_text(json.dumps({"machine": description, "rows": rows}, indent=2) + "\n")
    lines = [
        f"Machine: {describe(description)}. Written by `make bench` (benchmarks/graph_page.py).",
        "",
        "| papers | graph page interactive (median ms) | filter redraw (ms) | graph.json (KB) | atlas build (s) |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r['papers']:,} | {r['ready_ms']:.0f} | {r['filter_redraw_ms']:.0f} | {r['graph_json_kb']:,} | {r['build_s']} |" for r in rows
    ]
    (RESULTS / "graph-page.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [1000, 10000]))
