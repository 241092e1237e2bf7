"""How long `atlas check` takes when many records are new (not in git's HEAD), on both kinds of synthetic texts.

Usage: .venv/bin/python benchmarks/new_records.py [PAPERS ...] [--runs N] [--results DIR] [--keep DIR]
(default: 10000, 3 runs)
For each size and each kind of texts (tests/synthetic.py: variants of the real titles, or nine random
words), it grows a synthetic atlas whose git HEAD holds everything but the papers, so every paper is
new: the check then compares each new title with all others (duplicates.similar_records) and reads
each new record for its canonical form. It times `python -m atlas.cli check` (wall and processor time
of the process tree, the best of N runs). Results: benchmarks/results/new-records.{json,md}; the target
is under 5 s wall at 10,000 new records.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # synthetic.py: the tests' support
from machine import SCRATCH, describe, machine, write_results
from synthetic import make_atlas

RESULTS = Path(__file__).resolve().parent / "results"
KINDS = ("variants", "shuffled")
TARGET_S = 5.0  # issue 28: 10,000 new records checked in under 5 s


def new_records_atlas(target: Path, papers: int, shuffled: bool) -> Path:
    """A synthetic atlas in a git repository whose one commit holds all but the paper records."""
    make_atlas(target, papers, shuffled=shuffled)
    author = ["-c", "user.name=Synthetic atlas", "-c", "user.email=synthetic@example.invalid", "-c", "commit.gpgsign=false"]
    for command in (["init", "-q"], ["add", "-A", "--", ".", ":!papers/synthetic-*"], [*author, "commit", "-q", "-m", "No papers yet"]):
        subprocess.run(["git", *command], cwd=target, check=True, timeout=600)
    return target


def timed_check(root: Path, runs: int) -> dict[str, float]:
    """The best wall and processor seconds (this process' children: the check and its forks) of `runs` checks."""
    walls, processors = [], []
    for _ in range(runs):
        before, started = os.times(), time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "atlas.cli", "check"], cwd=root, capture_output=True, text=True)
        walls.append(time.perf_counter() - started)
        after = os.times()
        processors.append(after.children_user + after.children_system - before.children_user - before.children_system)
        if "atlas check:" not in result.stdout + result.stderr:  # errors (the variants' near titles) are expected; a crash is not
            raise RuntimeError(f"atlas check did not finish:\n{result.stderr[-2000:]}")
    return {"wall_s": round(min(walls), 2), "processor_s": round(min(processors), 2)}


def measure(papers: int, kind: str, runs: int, keep: Path | None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="atlas-new-", dir=SCRATCH) as directory:
        root = new_records_atlas(Path(directory) / "atlas", papers, shuffled=kind == "shuffled")
        row: dict[str, object] = {"papers": papers, "texts": kind, **timed_check(root, runs)}
        if keep is not None:
            shutil.copytree(root, keep / f"{kind}-{papers}", dirs_exist_ok=True)
    return row


def markdown(rows: list[dict], description: dict) -> str:
    lines = [
        "# atlas check with every paper new",
        "",
        f"Machine: {describe(description)}. Written by `benchmarks/new_records.py`.",
        "",
        "| texts | new papers | wall s | processor s |",
        "|---|---:|---:|---:|",
        *(f"| {row['texts']} | {row['papers']:,} | {row['wall_s']} | {row['processor_s']} |" for row in rows),
        "",
    ]
    for row in rows:
        if row["papers"] == 10000:
            met = "met" if row["wall_s"] < TARGET_S else "NOT met"
            lines.append(f"- {row['texts']}: check of 10,000 new records < {TARGET_S:g} s wall: {row['wall_s']} s ({met})")
    return "\n".join(lines) + "\n"


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", nargs="*", type=int, default=[10000], help="sizes (default: 10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each, the best kept (default: 3)")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"where the results go (default: {RESULTS})")
    parser.add_argument("--keep", type=Path, help="also copy each atlas to DIR/KIND-PAPERS, to measure again by hand")
    options = parser.parse_args(arguments)
    description = machine()
    rows = []
    for papers in sorted(options.papers):
        for kind in KINDS:
            rows.append(measure(papers, kind, options.runs, options.keep))
            print(rows[-1], flush=True)
    write_results(options.results, "new-records", description, rows, markdown(rows, description))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
