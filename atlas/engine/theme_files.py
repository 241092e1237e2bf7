"""What a folder tree looked like: the modification times of its folders, which change whenever a
file or folder in them is added, removed or renamed.

`atlas serve` lists the theme's files once (Material holds 14,510, in 25 folders) and lists them
again only when this signature of the theme's folders changes: a stat of each folder, not a walk of
every file on every rebuild.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

TreeSignature = tuple[tuple[str, int], ...]


def tree_signature(roots: Iterable[str]) -> TreeSignature:
    """Each folder below `roots` (the roots included, in walk order) with its modification time;
    a root that is missing counts as a folder with time -1."""
    folders: list[tuple[str, int]] = []
    for root in roots:
        if not os.path.isdir(root):
            folders.append((root, -1))
            continue
        for folder, _, _ in os.walk(root):
            folders.append((folder, os.stat(folder).st_mtime_ns))
    return tuple(folders)


def unchanged(signature: TreeSignature) -> bool:
    """Whether every folder of `signature` is still there with the same modification time (a folder
    added below one of them changes that folder's time)."""
    for folder, mtime in signature:
        try:
            if os.stat(folder).st_mtime_ns != mtime:
                return False
        except FileNotFoundError:
            if mtime != -1:
                return False
        else:
            if mtime == -1:
                return False
    return True
