"""Stage 1, load: read every data file of an atlas into raw documents (no interpretation yet)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas.background import Forked
from atlas.bibliography import read_bibliography
from atlas.model import BibEntry, Problem
from atlas.yamlio import load_yaml_file

# citations.bib at least this big is parsed in a child process while the records are read (pybtex
# is pure Python: 10,000 entries take half a second); smaller ones are parsed here, which is quicker.
BACKGROUND_BIBLIOGRAPHY_BYTES = 256_000


@dataclass(frozen=True)
class RawRecord:
    """One YAML file as read: its id (the file stem), where it is shown from, and its value."""

    id: str
    shown: str
    data: Any


@dataclass
class RawAtlas:
    root: Path
    challenges: list[RawRecord] = field(default_factory=list)
    papers: list[RawRecord] = field(default_factory=list)
    venues: list[RawRecord] = field(default_factory=list)
    bibliography: dict[str, BibEntry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _read_folder(root: Path, folder: str, problems: list[Problem], required: bool = True) -> list[RawRecord]:
    directory = root / folder
    if not directory.is_dir():
        if required:
            problems.append(Problem(folder, 0, "is missing; run atlas from the atlas' top folder or pass --root"))
        return []
    records = []
    for name in sorted(os.listdir(directory)):  # names, not paths: the same order, without pathlib's cost per file
        shown = f"{folder}/{name}"
        if name.endswith(".yml") and len(name) > len(".yml"):  # i.e. Path(name).suffix == ".yml"
            problems.append(Problem(shown, 1, "has the ending .yml; rename it to .yaml"))
            continue
        if not name.endswith(".yaml") or name.startswith("."):
            continue
        data, found = load_yaml_file(directory / name, shown)
        problems.extend(found)
        records.append(RawRecord(name.removesuffix(".yaml"), shown, data))
    return records


def _is_big(path: Path) -> bool:
    try:
        return path.stat().st_size >= BACKGROUND_BIBLIOGRAPHY_BYTES
    except OSError:
        return False


def load_atlas(root: Path) -> RawAtlas:
    """Read challenges/, papers/, papers/venues/ and citations.bib below `root`."""
    raw = RawAtlas(root=root)
    bib_path = root / "citations.bib"
    bibliography = Forked(read_bibliography, bib_path, fork=_is_big(bib_path))
    try:
        raw.challenges = _read_folder(root, "challenges", raw.problems)
        raw.papers = _read_folder(root, "papers", raw.problems)
        raw.venues = _read_folder(root, "papers/venues", raw.problems, required=False)
    except BaseException:
        bibliography.cancel()
        raise
    raw.bibliography, bib_problems = bibliography.result()
    raw.problems.extend(bib_problems)
    return raw
