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


def _git(root: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def dropped_addresses(root: Path, atlas: Atlas, base: str = "HEAD") -> list[Problem]:
    listing = _git(root, "ls-tree", "--name-only", f"{base}:papers")
    challenges_listing = _git(root, "ls-tree", "--name-only", f"{base}:challenges")
    if listing is None or challenges_listing is None:
        return []  # not a git checkout, or the revision has no atlas yet: nothing was published from it
    problems = []
    paper_ids = set(atlas.papers) | {alias for paper in atlas.papers.values() for alias in paper.aliases}
    for name in listing.split():  # a record still there but unreadable is reported as such, not as gone
        if name.endswith(".yaml") and name[:-5] not in paper_ids and not (root / "papers" / name).is_file():
            problems.append(Problem(f"papers/{name}", 1, _message("papers", name[:-5], base)))
    challenge_ids = set(atlas.challenges) | {alias for c in atlas.challenges.values() for alias in c.aliases}
    anchors = {(c.id, sub.id) for c in atlas.challenges.values() for sub in c.subchallenges}
    anchors |= {(c.id, alias) for c in atlas.challenges.values() for sub in c.subchallenges for alias in sub.aliases}
    for name in challenges_listing.split():
        if not name.endswith(".yaml"):
            continue
        challenge_id = name[:-5]
        if challenge_id not in challenge_ids:  # gone, or there but unreadable (and reported as such)
            if not (root / "challenges" / name).is_file():
                problems.append(Problem(f"challenges/{name}", 1, _message("challenges", challenge_id, base)))
            continue
        try:
            old = yaml.safe_load(_git(root, "show", f"{base}:challenges/{name}") or "") or {}
        except yaml.YAMLError:
            continue
        current = next((c for c in atlas.challenges.values() if c.id == challenge_id or challenge_id in c.aliases), None)
        for sub in old.get("subchallenges") or []:
            sub_id = sub.get("id") if isinstance(sub, dict) else None
            if sub_id and current and (current.id, sub_id) not in anchors:
                problems.append(
                    Problem(
                        current.path,
                        1,
                        f"the sub-challenge '{sub_id}' (published at challenges/{challenge_id}/#{sub_id}) is gone; "
                        f"list '{sub_id}' under 'aliases:' of the sub-challenge that replaces it",
                    )
                )
    return problems


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
