"""Edits to the atlas that land whole or not at all.

`atomic_edit(root)` remembers the files it is told about, lets the caller write, validates the whole
atlas, and puts every file back as it was (removing files that did not exist) when anything fails or
the edit would add a problem that `atlas check` did not report before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from atlas.pipeline import check
from atlas.records.model import Problem
from atlas.records.yamlio import write_atomically


class EditRefused(Exception):
    """The edit was undone; the message lists the problems it would have added (also as `problems`)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("the change would not pass `atlas check`; nothing was written:\n" + "\n".join(map(str, problems)))
        self.problems = problems


class _Edit:
    def __init__(self) -> None:
        self.saved: dict[Path, bytes | None] = {}

    def write(self, path: Path, text: str) -> None:
        if path not in self.saved:
            self.saved[path] = path.read_bytes() if path.exists() else None
        write_atomically(path, text)

    def undo(self) -> None:
        for path, content in self.saved.items():
            if content is None:
                path.unlink(missing_ok=True)
            else:
                write_atomically(path, content.decode("utf-8"))


@contextmanager
def atomic_edit(root: Path) -> Iterator[_Edit]:
    known = {p for p in check(root)[1] if p.severity == "error"}
    edit = _Edit()
    try:
        yield edit
        added = [p for p in check(root)[1] if p.severity == "error" and p not in known]
        if added:
            raise EditRefused(added)
    except BaseException:
        edit.undo()
        raise
