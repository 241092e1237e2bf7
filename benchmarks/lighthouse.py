"""Lighthouse's mobile performance score of every kind of page of the built site.

Usage: .venv/bin/python benchmarks/lighthouse.py [--runs N] [SITE_DIR]   (default: 3 runs, site/ from `atlas build`)
Serves the built site on 127.0.0.1 (text gzipped, as GitHub Pages serves it) and runs the pinned Lighthouse
(benchmarks/lighthouse/, installed by
`make lighthouse`) with Debian's Chromium on one page of each kind, with Lighthouse's default mobile
emulation and simulated throttling. Each page is measured N times (on a shared machine a score moves by 5-15
points from run to run) and the median of each figure is kept, with every run's score beside it. Results go to
benchmarks/results/lighthouse.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # localsite.py: the tests' support
from localsite import CHROMIUM, served

HERE = Path(__file__).resolve().parent
LIGHTHOUSE = HERE / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
RESULTS = HERE / "results"
# One page of each kind (a sub-challenge and an open question are sections of their challenge's page).
PAGES = {
    "home": "",
    "challenges overview": "challenges/",
    "challenge": "challenges/metrics/",
    "paper": "papers/consistency-trajectory-models/",
    "papers table": "papers/",
    "reading page": "challenges/metrics/reading/",
    "research gaps": "gaps/",
    "statistics": "stats/",
    "graph": "graph/",
    "references": "references/",
}
METRICS = {
    "total-blocking-time": "blocking (ms)",
    "cumulative-layout-shift": "layout shift",
    "largest-contentful-paint": "LCP (ms)",
    "first-contentful-paint": "FCP (ms)",
}


def performance(url: str) -> dict[str, float]:
    """Lighthouse's mobile performance score (0-100) of one page, with the metrics that make it."""
    if not LIGHTHOUSE.exists():
        raise FileNotFoundError(f"{LIGHTHOUSE} is missing: `make lighthouse` installs it")
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [
            str(LIGHTHOUSE), url, "--quiet", "--only-categories=performance", "--output=json",
            f"--output-path={report}", "--chrome-flags=--headless --no-sandbox --disable-gpu",
        ]  # fmt: skip
        subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=180)
        result = json.loads(report.read_text(encoding="utf-8"))
    audits = result["audits"]
    measured = {"score": round(100 * result["categories"]["performance"]["score"])}
    measured.update({name: round(audits[audit]["numericValue"], 3) for audit, name in METRICS.items()})
    return measured


def median_of(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the runs (so the score and its metrics may come from different runs)."""
    return {name: round(statistics.median(run[name] for run in runs), 3) for name in runs[0]}


def main(site: Path, runs: int) -> None:
    scores = {}
    with served(site, compressed=True) as base:
        for kind, address in PAGES.items():
            measured = [performance(base + address) for _ in range(runs)]
            scores[kind] = {"address": address, **median_of(measured), "runs": [run["score"] for run in measured]}
            print(kind, scores[kind], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "lighthouse.json").write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    header = "| page | address | score (median) | runs | " + " | ".join(METRICS.values()) + " |"
    rows = [header, "|" + " --- |" * (4 + len(METRICS))]
    for kind, measured in scores.items():
        values = " | ".join(str(measured[name]) for name in METRICS.values())
        every = ", ".join(str(score) for score in measured["runs"])
        rows.append(f"| {kind} | `{measured['address'] or '/'}` | {measured['score']:g} | {every} | {values} |")
    (RESULTS / "lighthouse.md").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print("\n".join(rows))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Lighthouse's mobile performance score of each kind of page.")
    parser.add_argument("site", nargs="?", type=Path, default=HERE.parent / "site", help="the built site (default: site/)")
    parser.add_argument("--runs", type=int, default=3, help="runs per page; the median is kept (default: 3)")
    arguments = parser.parse_args()
    main(arguments.site, arguments.runs)
