"""The one canonical form records are written in (`yamlio.dump_record`): what `atlas fmt` writes, and
what `atlas check` asks of every record changed since its base revision, so that a hand-written record
that is valid but laid out otherwise (an abstract on one long line) is told so here, not by CI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from atlas.records.model import Problem
from atlas.records.yamlio import dump_record, parse_yaml, read_text

RECORD_FOLDERS = ("papers", "challenges")


def record_paths(root: Path) -> list[str]:
    """Every paper and challenge record, as paths relative to `root`."""
    return [f"{folder}/{path.name}" for folder in RECORD_FOLDERS for path in sorted((root / folder).glob("*.yaml"))]


def is_record_path(path: str) -> bool:
    folder, _, name = path.partition("/")
    return folder in RECORD_FOLDERS and name.endswith(".yaml") and "/" not in name


YamlParse = Callable[[str, str], tuple[Any, list[Problem]]]  # parse_yaml, or one that remembers (atlas.records.load.TextMemo)


def canonical_text(root: Path, path: str, parse: YamlParse = parse_yaml) -> tuple[str | None, str | None, list[Problem]]:
    """The record's text as it is and in canonical form, read once; (None, None, problems) where it
    cannot be read. `parse` may remember what the atlas' load parsed: the same text is not parsed again."""
    text, problems = read_text(root / path, path)
    value, problems = (None, problems) if text is None else parse(text, path)
    if problems or not isinstance(value, dict):
        return None, None, problems
    return text, dump_record(value), []


def first_difference(text: str, canonical: str) -> int:
    """The number of the first line where `text` departs from its canonical form."""
    for number, (line, wanted) in enumerate(zip(text.splitlines(), canonical.splitlines(), strict=False), start=1):
        if line != wanted:
            return number
    return min(len(text.splitlines()), len(canonical.splitlines())) + 1


def non_canonical(root: Path, paths: list[str], parse: YamlParse = parse_yaml) -> list[Problem]:
    """A problem for each readable record among `paths` that is not in canonical form, at its first differing
    line (records that cannot be read are reported by validation already)."""
    problems = []
    for path in paths:  # a deleted or unreadable one reads as (None, None)
        text, canonical, _ = canonical_text(root, path, parse)
        if text is not None and canonical is not None and text != canonical:
            problems.append(
                Problem(
                    path,
                    first_difference(text, canonical),
                    f"is valid but not in the layout records are written in, from this line on (long text folded at "
                    f"100 columns, short lists inline); run `atlas fmt {path}` to rewrite it so",
                )
            )
    return problems
