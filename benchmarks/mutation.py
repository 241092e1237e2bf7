"""Mutation testing of the stages the pages' facts come from: do the tests notice when their logic breaks?

Usage: .venv/bin/python benchmarks/mutation.py [--fresh] [--report-only] [--project DIR ...] [MUTANT_GLOB ...]
mutmut (pinned in the `mutation` extra, configured under [tool.mutmut] in pyproject.toml) copies
atlas/ into mutants/, makes one mutant per small change of atlas/records/, atlas/graph/, atlas/relate/,
atlas/site/numbers.py and atlas/site/gaps.py (a `<` made `<=`, a constant moved by one, an argument
dropped, ...), and for each runs the fast unit tests that reach the mutated function: a mutant is
killed when one of them fails. It runs at `nice -n 10` on one worker (the machine is shared). The
results stay in mutants/, so an interrupted run goes on where it stopped and a rerun tests only the
functions that changed; --fresh starts again. MUTANT_GLOB limits the run (`atlas.site.gaps*`).
--project runs in a copy of the repository whose [tool.mutmut] mutates fewer modules or runs fewer
tests (a trial); with --report-only, several copies' results are reported together, a later copy's
standing for a module both tested.
Results: benchmarks/results/mutation.{json,md}, a table per module and every surviving mutant's diff.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
KILLED = ("killed", "timeout", "caught by type check")  # a timeout is a mutant the tests stopped: an endless loop


def run(project: Path, globs: list[str]) -> float:
    """Run mutmut (nice, one worker) and return its wall time in seconds."""
    mutmut = Path(sys.executable).with_name("mutmut")
    env = dict(os.environ)
    env.setdefault("ATLAS_SHARED", str(ROOT.parent / "shared"))  # the tests run in mutants/, whose parent has no shared/
    started = time.monotonic()
    subprocess.run(["nice", "-n", "10", str(mutmut), "run", "--max-children", "1", *globs], cwd=project, env=env, check=False)
    return time.monotonic() - started


def statuses(project: Path) -> dict[str, dict[str, str]]:
    """For each mutated module (atlas/records/ids.py), each mutant's status as mutmut names it."""
    from mutmut.stats import status_by_exit_code

    mutants = project / "mutants"
    found: dict[str, dict[str, str]] = {}
    for meta in sorted((mutants / "atlas").rglob("*.py.meta")):
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        if exit_codes:
            module = str(meta.relative_to(mutants)).removesuffix(".meta")
            found[module] = {name: status_by_exit_code[code] for name, code in exit_codes.items()}
    return found


def summary(by_module: dict[str, dict[str, str]]) -> list[dict[str, object]]:
    rows = []
    for module, mutants in by_module.items():
        counts = Counter(mutants.values())
        rows.append({
            "module": module, "mutants": len(mutants), "killed": sum(counts[s] for s in KILLED if s != "timeout"),
            "timeouts": counts["timeout"], "survived": counts["survived"], "no tests": counts["no tests"],
            "not checked": counts["not checked"],
        })  # fmt: skip
    return rows


def score(rows: list[dict[str, object]]) -> tuple[int, int, float]:
    """Killed (timeouts included) out of the mutants checked; a mutant no test reaches counts as survived."""
    checked = sum(int(row["mutants"]) - int(row["not checked"]) for row in rows)
    killed = sum(int(row["killed"]) + int(row["timeouts"]) for row in rows)
    return killed, checked, 100 * killed / checked if checked else 0.0


def survivor_diffs(project: Path, by_module: dict[str, dict[str, str]]) -> dict[str, str]:
    """Each surviving (or untested) mutant's diff against the original function, changed lines only."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    diffs = {}
    os.chdir(project)  # mutmut reads mutants/ relative to the working directory
    for module, mutants in by_module.items():
        for name, status in mutants.items():
            if status in ("survived", "no tests"):
                diff = get_diff_for_mutant(name, path=module).splitlines()
                diffs[name] = "\n".join(line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---"))
    return diffs


def write(rows: list[dict[str, object]], diffs: dict[str, str], by_module: dict[str, dict[str, str]], seconds: float | None) -> None:
    killed, checked, percent = score(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {"score": round(percent, 1), "killed": killed, "checked": checked, "wall_seconds": seconds, "modules": rows}
    record["survivors"] = {
        name: {"status": by_module[module][name], "diff": diffs[name]}
        for module in by_module
        for name in by_module[module]
        if name in diffs
    }
    (RESULTS / "mutation.json").write_text(json.dumps(record, indent=1) + "\n")
    columns = ["module", "mutants", "killed", "survived", "timeouts", "no tests", "not checked"]
    lines = ["# Mutation testing", "", f"Score: {percent:.1f}% ({killed} of {checked} mutants checked killed)."]
    if seconds is not None:
        lines.append(f"Wall time of the last run: {seconds / 60:.1f} minutes (`nice -n 10`, one worker).")
    lines += ["", "| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    total = {c: sum(int(row[c]) for row in rows) for c in columns[1:]}
    lines.append("| **all** | " + " | ".join(str(total[c]) for c in columns[1:]) + " |")
    lines += ["", "## Surviving mutants", "", "Each mutant's name (`mutmut show NAME` prints it whole) and the lines it changes.", ""]
    for name, diff in diffs.items():
        lines += [f"- `{name}`", "", "  ```diff", *(f"  {line}" for line in diff.splitlines()), "  ```", ""]
    (RESULTS / "mutation.md").write_text("\n".join(lines).rstrip() + "\n")
    print(f"mutation score: {percent:.1f}% ({killed} of {checked} checked mutants killed); results in {RESULTS / 'mutation.md'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("globs", nargs="*", help="only the mutants whose names match (atlas.site.gaps*)")
    parser.add_argument("--fresh", action="store_true", help="forget earlier results: every mutant is tested again")
    parser.add_argument("--report-only", action="store_true", help="write the results of the runs so far, running nothing")
    parser.add_argument("--project", type=Path, action="append", help="a copy of the repository to run in or report (default: this one)")
    arguments = parser.parse_args()
    projects = [path.resolve() for path in arguments.project or [ROOT]]
    if not arguments.report_only and len(projects) > 1:
        parser.error("one --project at a time is run; several are for --report-only")
    if arguments.fresh:
        shutil.rmtree(projects[0] / "mutants", ignore_errors=True)
    seconds = None if arguments.report_only else run(projects[0], arguments.globs)
    by_module: dict[str, dict[str, str]] = {}
    diffs: dict[str, str] = {}
    for project in projects:
        found = statuses(project)
        by_module |= found
        diffs |= survivor_diffs(project, found)
    diffs = {name: diff for name, diff in diffs.items() if any(name in mutants for mutants in by_module.values())}
    write(summary(by_module), diffs, by_module, seconds)


if __name__ == "__main__":
    main()
