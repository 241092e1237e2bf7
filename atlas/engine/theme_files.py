"""What a folder tree looked like: the modification times of its folders, which change whenever a
file or folder in them is added, removed or renamed.

`atlas serve` lists the theme's files once (Material holds 14,510, in 25 folders) and lists them
again only when this signature of the theme's folders changes: a stat of each folder, not a walk of
every file on every rebuild.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import Generic, TypeVar

TreeSignature = tuple[tuple[str, int], ...]
_Found = TypeVar("_Found")


def _modified(folder: str) -> int:
    """A folder's modification time, or -1 where it is missing."""
    try:
        return os.stat(folder).st_mtime_ns
    except FileNotFoundError:
        return -1


def tree_signature(roots: Iterable[str]) -> TreeSignature:
    """Each folder below `roots` (the roots included, in walk order) with its modification time;
    a root that is missing counts as a folder with time -1."""
    folders: list[str] = []
    for root in roots:
        folders += [folder for folder, _, _ in os.walk(root)] or [root]  # a missing root walks to nothing
    return tuple((folder, _modified(folder)) for folder in folders)


def unchanged(signature: TreeSignature) -> bool:
    """Whether every folder of `signature` is still there with the same modification time (a folder
    added below one of them changes that folder's time)."""
    return all(_modified(folder) == mtime for folder, mtime in signature)


class ListedOnce(Generic[_Found]):
    """A listing of the files below some folders, listed again only when one of those folders (or
    what the listing depends on, `key`) changed."""

    def __init__(self) -> None:
        self._key: object = None
        self._signature: TreeSignature = ()
        self._found: list[_Found] = []
        self.listings = 0  # how many times the folders were listed

    def get(self, key: object, roots: Sequence[str], list_them: Callable[[], list[_Found]]) -> list[_Found]:
        if key != self._key or not unchanged(self._signature):
            self._key, self._signature = key, tree_signature(roots)  # before listing: a change meanwhile shows next time
            self._found = list_them()
            self.listings += 1
        return self._found
