"""Stage 1, load: read every data file of an atlas into raw documents (no interpretation yet)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas.bibliography import read_bibliography
from atlas.model import BibEntry, Problem
from atlas.yamlio import load_yaml_file


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
    for path in sorted(directory.iterdir()):
        shown = f"{folder}/{path.name}"
        if path.suffix == ".yml":
            problems.append(Problem(shown, 1, "has the ending .yml; rename it to .yaml"))
            continue
        if path.suffix != ".yaml" or path.name.startswith("."):
            continue
        data, found = load_yaml_file(path, shown)
        problems.extend(found)
        records.append(RawRecord(path.stem, shown, data))
    return records


def load_atlas(root: Path) -> RawAtlas:
    """Read challenges/, papers/, papers/venues/ and citations.bib below `root`."""
    raw = RawAtlas(root=root)
    raw.challenges = _read_folder(root, "challenges", raw.problems)
    raw.papers = _read_folder(root, "papers", raw.problems)
    raw.venues = _read_folder(root, "papers/venues", raw.problems, required=False)
    raw.bibliography, bib_problems = read_bibliography(root / "citations.bib")
    raw.problems.extend(bib_problems)
    return raw
