"""What every command tells the terminal about the atlas: its problems as `path:line: message`, and
the validated atlas a command works on or why there is none. `cli.py` and `contribute/commands.py`
both speak through it, so neither imports the other."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.records.model import Atlas, Problem

if TYPE_CHECKING:
    from atlas.records.load import TextMemo


def print_problems(problems: list[Problem]) -> None:
    """Each problem as `path:line: message`; under GitHub Actions also as an annotation on that line of
    the pull request's diff (a workflow command on standard output)."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in problems:
        print(problem, file=sys.stderr)
        if annotate:
            print(github_annotation(problem))


def github_annotation(problem: Problem) -> str:
    """GitHub's `::error file=...,line=...::message`, escaped as its workflow commands require."""

    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def value(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    level = "error" if problem.severity == "error" else "warning"
    return f"::{level} file={value(problem.path)},line={problem.line},title={value('atlas check')}::{data(problem.message)}"


def atlas_for(root: Path, command: str, parsed: TextMemo | None = None) -> Atlas | None:
    """The validated atlas, or None after printing its errors: commands that read it need it whole.
    `parsed` keeps the parse for the command's later checks (atlas.contribute.transaction)."""
    from atlas.pipeline import AtlasInvalid, valid_atlas

    try:
        return valid_atlas(root, parsed)
    except AtlasInvalid as invalid:
        print_problems(invalid.problems)
        print(f"atlas {command}: the atlas has errors; fix them first (atlas check)", file=sys.stderr)
        return None
