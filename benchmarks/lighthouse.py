"""Lighthouse's mobile performance score of every kind of page of the built site.

Usage: .venv/bin/python benchmarks/lighthouse.py [SITE_DIR]   (default: site/, from `atlas build`)
Serves the built site on 127.0.0.1 (text gzipped, as GitHub Pages serves it) and runs the pinned Lighthouse
(benchmarks/lighthouse/, installed by
`make lighthouse`) with Debian's Chromium on one page of each kind, with Lighthouse's default mobile
emulation and simulated throttling. Results go to benchmarks/results/lighthouse.{json,md}.
"""

from __future__ import annotations

import json
import os
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


def main(site: Path) -> None:
    scores = {}
    with served(site, compressed=True) as base:
        for kind, address in PAGES.items():
            scores[kind] = {"address": address, **performance(base + address)}
            print(kind, scores[kind], flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "lighthouse.json").write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    header = "| page | address | score | " + " | ".join(METRICS.values()) + " |"
    rows = [header, "|" + " --- |" * (3 + len(METRICS))]
    for kind, measured in scores.items():
        values = " | ".join(str(measured[name]) for name in METRICS.values())
        rows.append(f"| {kind} | `{measured['address'] or '/'}` | {measured['score']} | {values} |")
    (RESULTS / "lighthouse.md").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print("\n".join(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "site")
