"""Published addresses never break: a record that disappears must live on as another's alias.

Compares the atlas with a git revision (HEAD by default; the check workflow uses the pull request's
base): every challenge, sub-challenge and paper id there must still be an id here or be listed under
`aliases:` of the record that replaced it, so its page keeps answering with a redirect.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from atlas.records.canonical import is_record_path
from atlas.records.model import Atlas, Problem

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser where PyYAML was built with it


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def dropped_addresses(root: Path, atlas: Atlas, base: str = "HEAD") -> list[Problem]:
    """A problem for each paper, challenge or sub-challenge of `base` that is neither an id nor an alias here."""
    listing = _git(root, "ls-tree", "--name-only", f"{base}:papers")
    challenges_listing = _git(root, "ls-tree", "--name-only", f"{base}:challenges")
    if listing is None or challenges_listing is None:
        return []  # not a git checkout, or the revision has no atlas yet: nothing was published from it
    return _dropped_papers(root, atlas, base, listing) + _dropped_challenges(root, atlas, base, challenges_listing)


def _dropped_papers(root: Path, atlas: Atlas, base: str, listing: str) -> list[Problem]:
    paper_ids = set(atlas.papers) | {alias for paper in atlas.papers.values() for alias in paper.aliases}
    return [  # a record still there but unreadable is reported as such, not as gone
        Problem(f"papers/{name}", 1, _message("papers", name[:-5], base))
        for name in listing.split()
        if name.endswith(".yaml") and name[:-5] not in paper_ids and not (root / "papers" / name).is_file()
    ]


def _dropped_challenges(root: Path, atlas: Atlas, base: str, listing: str) -> list[Problem]:
    """The challenges gone, and the sub-challenges gone from the challenges still here."""
    challenge_ids = set(atlas.challenges) | {alias for c in atlas.challenges.values() for alias in c.aliases}
    problems = []
    for name in listing.split():
        if not name.endswith(".yaml"):
            continue
        challenge_id = name[:-5]
        if challenge_id in challenge_ids:
            problems += _dropped_sub_challenges(root, atlas, base, challenge_id)
        elif not (root / "challenges" / name).is_file():  # gone (a file there but unreadable is reported as such)
            problems.append(Problem(f"challenges/{name}", 1, _message("challenges", challenge_id, base)))
    return problems


def _unchanged(path: Path, text: str) -> bool:
    """Whether the file at `path` holds exactly `text` (git's checkout of it)."""
    try:
        return path.read_text(encoding="utf-8") == text
    except (OSError, UnicodeDecodeError):
        return False


def _dropped_sub_challenges(root: Path, atlas: Atlas, base: str, challenge_id: str) -> list[Problem]:
    """The sub-challenges the challenge had in `base` that are neither a sub-challenge nor an alias of one
    of the challenge that has its id (or alias) here."""
    text = _git(root, "show", f"{base}:challenges/{challenge_id}.yaml") or ""
    if _unchanged(root / "challenges" / f"{challenge_id}.yaml", text):
        return []  # the same file: the same sub-challenges (the common case, and a parse saved)
    try:
        old = yaml.load(text, Loader=_LOADER) or {}
    except yaml.YAMLError:
        return []
    current = next((c for c in atlas.challenges.values() if c.id == challenge_id or challenge_id in c.aliases), None)
    if current is None:
        return []
    anchors = {sub.id for sub in current.subchallenges} | {alias for sub in current.subchallenges for alias in sub.aliases}
    old_ids = [sub.get("id") if isinstance(sub, dict) else None for sub in old.get("subchallenges") or []]
    return [
        Problem(
            current.path,
            1,
            f"the sub-challenge '{sub_id}' (published at challenges/{challenge_id}/#{sub_id}) is gone; "
            f"list '{sub_id}' under 'aliases:' of the sub-challenge that replaces it",
        )
        for sub_id in old_ids
        if sub_id and sub_id not in anchors
    ]


def papers_new_since(root: Path, atlas: Atlas, base: str = "HEAD") -> set[str]:
    """The ids of the papers that are not in `base` (none outside git, as dropped_addresses: there is no base)."""
    listing = _git(root, "ls-tree", "--name-only", f"{base}:papers")
    if listing is None:
        return set()
    return set(atlas.papers) - {name[:-5] for name in listing.split() if name.endswith(".yaml")}


def records_changed_since(root: Path, base: str = "HEAD") -> list[str]:
    """The paper and challenge records added or changed since `base`, committed or not (none outside git)."""
    changed = _git(root, "diff", "--name-only", "--no-renames", base, "--", "papers", "challenges")
    untracked = _git(root, "ls-files", "--others", "--exclude-standard", "--", "papers", "challenges")
    if changed is None or untracked is None:
        return []
    return sorted({path for path in (changed + untracked).splitlines() if is_record_path(path)})


def _message(folder: str, record_id: str, base: str) -> str:
    return (
        f"was published at {folder}/{record_id}/ (in {base}) and is gone; keep that address working: "
        f"add '{record_id}' to 'aliases:' of the record that replaces it"
    )
