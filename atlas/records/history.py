"""When each paper entered the atlas, from git (one `git log` for all of them), for the feeds."""

from __future__ import annotations

import subprocess
from pathlib import Path


def added_dates(root: Path) -> dict[str, str]:
    """Paper id -> ISO 8601 time of the commit that added papers/<id>.yaml (empty outside git)."""
    try:
        result = subprocess.run(
            ["git", "log", "--diff-filter=A", "--name-only", "--format=@%cI", "--", "papers"],
            cwd=root, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {}
    if result.returncode != 0:
        return {}
    dates: dict[str, str] = {}
    current = ""
    for line in result.stdout.splitlines():
        if line.startswith("@"):
            current = line[1:]
        elif line.startswith("papers/") and line.endswith(".yaml") and line.count("/") == 1:
            dates.setdefault(line[len("papers/") : -len(".yaml")], current)  # newest first: keep the latest addition
    return dates
