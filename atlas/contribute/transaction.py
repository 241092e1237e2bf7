"""Edits to the atlas that land whole or not at all, one at a time.

`journaled_edit(root)` takes the atlas' edit lock (a second edit waits for it, then gives up with a
clear message), notes each file's old content in a journal before the file is first written, and
removes the journal only once every file is written. A run killed at any instant leaves the journal
behind, and the next command that touches the atlas puts every file back as the journal says: after a
kill the atlas holds the whole edit or none of it. `atomic_edit(root)` also validates the written atlas
and undoes the edit when it would add a problem that `atlas check` did not report before.

The lock, the journal and temporary files live in EDIT_FOLDER, which git ignores.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from atlas.pipeline import check
from atlas.records.load import TextMemo
from atlas.records.model import Problem
from atlas.records.yamlio import write_atomically

EDIT_FOLDER = ".atlas-edit"
LOCK_WAIT_SECONDS = 30.0
_held: set[Path] = set()  # the roots this process holds the lock of (an edit inside a command's edit)


class EditRefused(Exception):
    """The edit was undone; the message lists the problems it would have added (also as `problems`)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("the change would not pass `atlas check`; nothing was written:\n" + "\n".join(map(str, problems)))
        self.problems = problems


class EditBusy(Exception):
    """Another command held the edit lock for longer than LOCK_WAIT_SECONDS."""


def _journal(root: Path) -> Path:
    return root / EDIT_FOLDER / "journal.json"


@contextmanager
def edit_lock(root: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the atlas' edit lock (waiting up to `wait` seconds for another edit to end), after putting
    back whatever an edit killed before it finished had half written."""
    root = root.resolve()
    if root in _held:
        yield
        return
    folder = root / EDIT_FOLDER
    folder.mkdir(exist_ok=True)
    descriptor = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise EditBusy(
                        f"another atlas command is editing {root} (it holds {EDIT_FOLDER}/lock); try again when it ends"
                    ) from None
                time.sleep(0.05)
        _held.add(root)
        try:
            recover(root)
            yield
        finally:
            _held.discard(root)
    finally:
        os.close(descriptor)  # releases the lock


def recover(root: Path) -> list[str]:
    """Put back the files of an edit that was killed before it finished, and remove its temporary
    files; the paths put back (empty when there was nothing to do). The caller holds the lock."""
    journal = _journal(root)
    restored = []
    if journal.exists():
        try:
            saved = json.loads(journal.read_text(encoding="utf-8"))
        except ValueError:  # killed while the journal itself was written: nothing was touched yet
            saved = {}
        for relative, content in saved.items():
            path = root / relative
            if content is None:
                path.unlink(missing_ok=True)
            elif not path.exists() or path.read_text(encoding="utf-8") != content:
                write_atomically(path, content, root / EDIT_FOLDER)
            restored.append(relative)
        journal.unlink()
    for stray in (root / EDIT_FOLDER).glob("*.tmp"):
        stray.unlink(missing_ok=True)
    return restored


def recover_unlocked(root: Path) -> list[str]:
    """`recover` for commands that only read: it runs only when a journal is there and no edit is under way."""
    if not _journal(root).exists():
        return []
    try:
        with edit_lock(root, wait=0):
            return []  # edit_lock recovered it
    except EditBusy:
        return []  # an edit is under way: its journal is not stale


class _Edit:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.saved: dict[str, str | None] = {}

    def write(self, path: Path, text: str) -> None:
        self.write_all({path: text})

    def write_all(self, texts: dict[Path, str]) -> None:
        """Write every file, after the journal holds what each was before (one journal write for all:
        an add of thousands of papers would otherwise rewrite a growing journal once a file)."""
        unsaved = {relative: path for path in texts if (relative := os.path.relpath(path, self.root)) not in self.saved}
        if unsaved:
            self.saved |= {relative: path.read_text(encoding="utf-8") if path.exists() else None for relative, path in unsaved.items()}
            write_atomically(_journal(self.root), json.dumps(self.saved), self.root / EDIT_FOLDER, durable=True)
        for path, text in texts.items():
            write_atomically(path, text, self.root / EDIT_FOLDER)

    def undo(self) -> None:
        recover(self.root)

    def done(self) -> None:
        _journal(self.root).unlink(missing_ok=True)


@contextmanager
def journaled_edit(root: Path) -> Iterator[_Edit]:
    """Files written through the edit land together, or (killed, failed, refused) are all put back."""
    with edit_lock(root):
        edit = _Edit(root.resolve())
        try:
            yield edit
        except BaseException:
            edit.undo()
            raise
        edit.done()


@contextmanager
def atomic_edit(root: Path, parsed: TextMemo | None = None) -> Iterator[_Edit]:
    """A journaled edit that is undone when the written atlas has an error it did not have before.

    The checks before and after share `parsed` (a fresh memo if none is given): the check after the
    edit parses again only the files the edit wrote."""
    parsed = TextMemo() if parsed is None else parsed
    with edit_lock(root):
        known = {p for p in check(root, parsed=parsed)[1] if p.severity == "error"}
        with journaled_edit(root) as edit:
            yield edit
            added = [p for p in check(root, parsed=parsed)[1] if p.severity == "error" and p not in known]
            if added:
                raise EditRefused(added)
