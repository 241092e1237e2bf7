"""Stage 1, load: read every data file of an atlas into raw documents (no interpretation yet)."""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from atlas.bibliography import read_bibliography
from atlas.model import BibEntry, Problem
from atlas.yamlio import load_yaml_file

# citations.bib at least this big is parsed in a child process while the records are read (pybtex
# is pure Python: 10,000 entries take half a second); smaller ones are parsed here, which is quicker.
BACKGROUND_BIBLIOGRAPHY_BYTES = 256_000
_T = TypeVar("_T")


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


class _Forked(Generic[_T]):
    """`function(*args)` computed in a forked child while this process goes on; `result()` waits.

    The child sends its result back pickled. Where forking is unsafe or impossible (not Linux,
    other threads running) or the child fails in any way, the function simply runs here, on the
    `result()` call, so the answer and any exception are exactly those of a plain call."""

    def __init__(self, function: Callable[..., _T], *args: Any, fork: bool = True) -> None:
        self.function, self.args = function, args
        self.child: int | None = None
        if not fork or sys.platform != "linux" or threading.active_count() > 1:
            return
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return
        try:
            child = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if child == 0:  # pragma: no cover (the child never returns: coverage cannot see it)
            status = 1
            try:
                os.close(read_end)
                payload = pickle.dumps(function(*args), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as stream:
                    stream.write(payload)
                status = 0
            finally:
                os._exit(status)  # no atexit handlers, no flushing the parent's buffers twice
        os.close(write_end)
        self.child, self.read_end = child, read_end

    def result(self) -> _T:
        if self.child is not None:
            child, self.child = self.child, None
            try:
                with os.fdopen(self.read_end, "rb") as stream:
                    payload = stream.read()
            finally:
                status = _exit_status(child)
            if status == 0 and payload:
                return pickle.loads(payload)
        return self.function(*self.args)

    def cancel(self) -> None:
        if self.child is not None:
            child, self.child = self.child, None
            os.close(self.read_end)
            os.kill(child, signal.SIGKILL)
            _exit_status(child)


def _exit_status(child: int) -> int:
    """Wait for the child; its exit status, or -1 when it cannot be known (SIGCHLD ignored)."""
    try:
        return os.waitpid(child, 0)[1]
    except ChildProcessError:
        return -1


def _is_big(path: Path) -> bool:
    try:
        return path.stat().st_size >= BACKGROUND_BIBLIOGRAPHY_BYTES
    except OSError:
        return False


def load_atlas(root: Path) -> RawAtlas:
    """Read challenges/, papers/, papers/venues/ and citations.bib below `root`."""
    raw = RawAtlas(root=root)
    bib_path = root / "citations.bib"
    bibliography = _Forked(read_bibliography, bib_path, fork=_is_big(bib_path))
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
