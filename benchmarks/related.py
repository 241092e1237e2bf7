"""How long the related papers take as the atlas grows, on both kinds of synthetic texts: the step alone.

Usage: .venv/bin/python benchmarks/related.py [PAPERS ...] [--runs N] [--results DIR]   (default: 10000 50000, 2 runs)
For the real atlas and, at each size, an atlas of each kind of texts (tests/synthetic.py: variants of
the real titles with the real abstracts, or random titles with shuffled abstracts), it times
`related_papers` (TF-IDF and the nearest papers) in this process, the atlas already loaded: processor
time (time.process_time, which other work on a shared machine inflates far less than the wall) and
wall time, the best of N runs each. From similarity.APPROXIMATE_FROM papers the answer is approximate:
up to 10,000 papers it is compared with the exact one (every pair's answer), for its recall: the share
of the exact related papers found, and of papers whose list is the exact one. Results:
benchmarks/results/related.{json,md}, with the ratio of the largest size's time to the smallest's
for each kind.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from atlas.pipeline import valid_atlas
from atlas.records.model import Atlas
from atlas.relate.similarity import APPROXIMATE_FROM, related_papers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # synthetic.py: the tests' support
from machine import SCRATCH, describe, machine, write_results
from synthetic import REPO, make_atlas

RESULTS = Path(__file__).resolve().parent / "results"
KINDS = ("variants", "shuffled")
RECALL_UP_TO = 10000  # the largest atlas whose exact answer is computed for the recall


def timed(atlas: Atlas, runs: int) -> dict[str, float]:
    """The best processor and wall seconds of `runs` computations of the atlas' related papers."""
    processor, wall = [], []
    for _ in range(runs):
        started_processor, started_wall = time.process_time(), time.perf_counter()
        related_papers(atlas)
        processor.append(time.process_time() - started_processor)
        wall.append(time.perf_counter() - started_wall)
    return {"processor_s": round(min(processor), 2), "wall_s": round(min(wall), 2)}


def recall(atlas: Atlas) -> dict[str, float]:
    """How much of the exact answer the approximate one finds: related papers, and whole lists."""
    found, exact = related_papers(atlas), related_papers(atlas, approximate_from=len(atlas.papers) + 1)
    shared = sum(len({other for other, _ in found[paper]} & {other for other, _ in answer}) for paper, answer in exact.items())
    identical = sum(found[paper] == answer for paper, answer in exact.items())
    return {"recall": round(shared / sum(map(len, exact.values())), 4), "identical_lists": round(identical / len(exact), 4)}


def measure(papers: int, kind: str, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="atlas-related-", dir=SCRATCH) as directory:
        atlas = valid_atlas(make_atlas(Path(directory) / "atlas", papers, shuffled=kind == "shuffled"))
    measured = {"papers": papers, "texts": kind, **timed(atlas, runs)}
    return measured | (recall(atlas) if APPROXIMATE_FROM <= papers <= RECALL_UP_TO else {})


def markdown(rows: list[dict], description: dict) -> str:
    lines = [
        "# Related papers at scale",
        "",
        f"Machine: {describe(description)}. Written by `benchmarks/related.py`.",
        "",
        f"From {APPROXIMATE_FROM:,} papers the answer is approximate; recall: the share of the exact answer's related papers",
        "found, and of papers whose list is the exact one.",
        "",
        "| texts | papers | processor s | wall s | recall | identical lists |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {row['texts']} | {row['papers']:,} | {row['processor_s']} | {row['wall_s']} "
            f"| {row.get('recall', '')} | {row.get('identical_lists', '')} |"
            for row in rows
        ),
        "",
    ]
    for kind in KINDS:
        sized = sorted((row for row in rows if row["texts"] == kind), key=lambda row: row["papers"])
        if len(sized) > 1 and sized[0]["processor_s"] > 0:
            ratio = sized[-1]["processor_s"] / sized[0]["processor_s"]
            lines.append(f"- {kind}: t({sized[-1]['papers']:,}) / t({sized[0]['papers']:,}) = {ratio:.1f} (processor time)")
    return "\n".join(lines) + "\n"


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", nargs="*", type=int, default=[10000, 50000], help="sizes (default: 10000 50000)")
    parser.add_argument("--runs", type=int, default=2, help="runs of each, the best kept (default: 2)")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"where the results go (default: {RESULTS})")
    options = parser.parse_args(arguments)
    description = machine()
    real = valid_atlas(REPO)
    rows: list[dict] = [{"papers": len(real.papers), "texts": "real", **timed(real, options.runs * 3)}]
    for papers in sorted(options.papers):
        for kind in KINDS:
            rows.append(measure(papers, kind, options.runs))
            print(rows[-1], flush=True)
    write_results(options.results, "related", description, rows, markdown(rows, description))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
