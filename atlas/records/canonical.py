"""The one canonical form records are written in (`yamlio.dump_record`): what `atlas fmt` writes, and
what `atlas check` asks of every record changed since its base revision, so that a hand-written record
that is valid but laid out otherwise (an abstract on one long line) is told so here, not by CI."""

from __future__ import annotations

from pathlib import Path

from atlas.records.model import Problem
from atlas.records.yamlio import dump_record, load_yaml_file

RECORD_FOLDERS = ("papers", "challenges")


def record_paths(root: Path) -> list[str]:
    """Every paper and challenge record, as paths relative to `root`."""
    return [f"{folder}/{path.name}" for folder in RECORD_FOLDERS for path in sorted((root / folder).glob("*.yaml"))]


def is_record_path(path: str) -> bool:
    folder, _, name = path.partition("/")
    return folder in RECORD_FOLDERS and name.endswith(".yaml") and "/" not in name


def canonical_text(root: Path, path: str) -> tuple[str | None, list[Problem]]:
    """The record's canonical text, or None with the problems that keep it from being read."""
    value, problems = load_yaml_file(root / path, path)
    if problems or not isinstance(value, dict):
        return None, problems
    return dump_record(value), []


def first_difference(text: str, canonical: str) -> int:
    """The number of the first line where `text` departs from its canonical form."""
    for number, (line, wanted) in enumerate(zip(text.splitlines(), canonical.splitlines(), strict=False), start=1):
        if line != wanted:
            return number
    return min(len(text.splitlines()), len(canonical.splitlines())) + 1


def non_canonical(root: Path, paths: list[str]) -> list[Problem]:
    """A problem for each readable record among `paths` that is not in canonical form, at its first differing
    line (records that cannot be read are reported by validation already)."""
    problems = []
    for path in paths:
        if not (root / path).is_file():
            continue
        canonical, unreadable = canonical_text(root, path)
        text = (root / path).read_text(encoding="utf-8", errors="replace")
        if canonical is not None and not unreadable and text != canonical:
            problems.append(
                Problem(
                    path,
                    first_difference(text, canonical),
                    f"is valid but not in the layout records are written in, from this line on (long text folded at "
                    f"100 columns, short lists inline); run `atlas fmt {path}` to rewrite it so",
                )
            )
    return problems
