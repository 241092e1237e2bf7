"""Stage 1, load: read every data file of an atlas into raw documents (no interpretation yet)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from atlas.background import Forked
from atlas.bibliography import parse_bibliography, read_bibliography
from atlas.model import BibEntry, Problem
from atlas.yamlio import load_yaml_file, parse_yaml, read_text

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


Parsed = dict[tuple[str, str], tuple[Any, list[Problem]]]  # (shown path, text) -> what parse_yaml gave


def _read_folder(
    root: Path, folder: str, problems: list[Problem], required: bool = True, parsed: Parsed | None = None, used: set | None = None
) -> list[RawRecord]:
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
        if parsed is None:
            data, found = load_yaml_file(directory / name, shown)
        else:  # a file whose text is unchanged is not parsed again
            text, found = read_text(directory / name, shown)
            if text is not None:
                if (shown, text) not in parsed:
                    parsed[(shown, text)] = parse_yaml(text, shown)
                if used is not None:
                    used.add((shown, text))
                data, found = parsed[(shown, text)]
                found = list(found)
            else:
                data = None
        problems.extend(found)
        records.append(RawRecord(name.removesuffix(".yaml"), shown, data))
    return records


def _is_big(path: Path) -> bool:
    try:
        return path.stat().st_size >= BACKGROUND_BIBLIOGRAPHY_BYTES
    except OSError:
        return False


def _bibliography_remembered(path: Path, parsed: Parsed) -> tuple[dict[str, BibEntry], list[Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return read_bibliography(path)  # says what is wrong with the file
    key = ("citations.bib", text)
    if key not in parsed:
        for old in [old for old in parsed if old[0] == "citations.bib"]:
            del parsed[old]
        parsed[key] = parse_bibliography(text, "citations.bib")
    entries, problems = parsed[key]
    return dict(entries), list(problems)


def load_atlas(root: Path, parsed: Parsed | None = None) -> RawAtlas:
    """Read challenges/, papers/, papers/venues/ and citations.bib below `root`. `parsed` (kept by
    `atlas serve` between rebuilds) holds what earlier reads parsed; it gains what this one parses."""
    raw = RawAtlas(root=root)
    used: set[tuple[str, str]] = set()
    bib_path = root / "citations.bib"
    if parsed is not None:  # serve: an unchanged citations.bib is not parsed again
        bibliography = Forked(_bibliography_remembered, bib_path, parsed, fork=False)
    else:
        bibliography = Forked(read_bibliography, bib_path, fork=_is_big(bib_path))
    try:
        raw.challenges = _read_folder(root, "challenges", raw.problems, parsed=parsed, used=used)
        raw.papers = _read_folder(root, "papers", raw.problems, parsed=parsed, used=used)
        raw.venues = _read_folder(root, "papers/venues", raw.problems, required=False, parsed=parsed, used=used)
    except BaseException:
        bibliography.cancel()
        raise
    raw.bibliography, bib_problems = bibliography.result()
    raw.problems.extend(bib_problems)
    if parsed is not None:  # keep what this read used, drop older versions of edited files
        for key in [key for key in parsed if key not in used and key[0] != "citations.bib"]:
            del parsed[key]
    return raw
