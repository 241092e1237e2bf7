"""Stage 1, load: read every data file of an atlas into raw documents (no interpretation yet)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

from atlas.background import Forked, workers
from atlas.records.bibliography import parse_bibliography, parse_bibliography_part, read_bibliography
from atlas.records.model import BibEntry, Problem
from atlas.records.yamlio import load_yaml_file, parse_yaml

_T = TypeVar("_T")
_T_co = TypeVar("_T_co", covariant=True)


class TextParse(Protocol[_T_co]):
    """A function of a text and the name it is shown under, both callable by name (`shown=`)."""

    def __call__(self, text: str, shown: str) -> _T_co: ...


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


class TextMemo:
    """What a function made of each text the last time (a parse of a record, the words of a paper),
    kept by `atlas serve` between rebuilds: a text that is unchanged is not worked on again.
    It holds what the latest read used, nothing older."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], Any] = {}
        self._used: dict[tuple[str, str], Any] = {}

    def parse(self, parse: Callable[[str, str], _T]) -> TextParse[_T]:
        """`parse`, remembering its result for each (text, shown name)."""

        def remembered(text: str, shown: str) -> _T:
            key = (shown, text)
            if key not in self._used:
                self._used[key] = self._kept[key] if key in self._kept else parse(text, shown)
            return self._used[key]

        return remembered

    def read_done(self) -> None:
        """A read is over: forget what it did not use (older versions of edited files)."""
        self._kept, self._used = self._used, {}

    def __len__(self) -> int:
        return len(self._kept)


def _read_folder(
    root: Path, folder: str, problems: list[Problem], required: bool = True, parse: Callable[[str, str], Any] | None = None
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
        data, found = load_yaml_file(directory / name, shown, parse)
        problems.extend(found)
        records.append(RawRecord(name.removesuffix(".yaml"), shown, data))
    return records


def _entries(path: Path) -> int:
    """About how many entries a .bib file has (its lines that start with @), without parsing it."""
    try:
        return path.read_bytes().count(b"\n@")
    except OSError:
        return 0


def load_atlas(root: Path, memo: TextMemo | None = None, records: TextMemo | None = None) -> RawAtlas:
    """Read challenges/, papers/, papers/venues/ and citations.bib below `root`; with `memo`, files
    parsed by an earlier read and unchanged since are not parsed again; with `records`, the YAML files'
    parses are remembered there, for a later reader of the same texts (`atlas check`'s canonical form)."""
    raw = RawAtlas(root=root)
    bib_path = root / "citations.bib"
    remembered = memo if memo is not None else records  # not `or`: an empty memo is falsy
    yaml_parse = remembered.parse(parse_yaml) if remembered is not None else None
    if memo is None:
        bibliography = Forked(read_bibliography, bib_path, fork=workers(_entries(bib_path)) > 1)
    else:  # the memo must see the parse: no child process
        parse = partial(parse_bibliography, parse_part=memo.parse(parse_bibliography_part))  # entry by entry
        bibliography = Forked(read_bibliography, bib_path, "citations.bib", parse, fork=False)
    try:
        raw.challenges = _read_folder(root, "challenges", raw.problems, parse=yaml_parse)
        raw.papers = _read_folder(root, "papers", raw.problems, parse=yaml_parse)
        raw.venues = _read_folder(root, "papers/venues", raw.problems, required=False, parse=yaml_parse)
    except BaseException:
        bibliography.cancel()
        raise
    entries, bib_problems = bibliography.result()
    raw.bibliography = dict(entries)
    raw.problems.extend(bib_problems)
    if remembered is not None:
        remembered.read_done()
    return raw
