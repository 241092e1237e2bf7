"""What a pull request adds to the atlas, as Markdown for the GitHub job summary.

Usage: .venv/bin/python scripts/pr-summary.py [--base REF] [--root DIR]
Lists the paper records the branch adds, changes and removes since it left REF (default:
origin/main), with each new paper's challenges, kinds and reasons, its facts (authors, year, venue,
links) and the sources that give them, and the problems `atlas check` reports for the files it touched.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from html import escape
from pathlib import Path

from atlas.pipeline import check
from atlas.records.characters import inert
from atlas.records.model import Paper


def changed_files(root: Path, base: str) -> list[tuple[str, str]]:
    result = subprocess.run(
        ["git", "diff", "--name-status", "--no-renames", f"{base}...HEAD", "--", "papers", "challenges", "citations.bib"],
        cwd=root, capture_output=True, text=True, check=True,
    )  # fmt: skip
    pairs = []
    for line in result.stdout.splitlines():
        status, _, path = line.partition("\t")
        pairs.append((status[0], path))
    return pairs


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def cell(text: str) -> str:
    """Contributor text as inert Markdown on one line: every Markdown character backslash-escaped (no
    image, link, emphasis or code span can start), `<` and `&` as entities, quotes as they are."""
    return escape(_MARKDOWN.sub(r"\\\1", " ".join(inert(text).split())), quote=False)


def facts(paper: Paper) -> list[str]:
    """A paper's facts and the documents that give them, for a maintainer to review without the YAML."""
    published = " · ".join(cell(str(value)) for value in (paper.year, paper.venue) if value) or "no year or venue"
    lines = [
        f"**{cell(paper.title)}** ({cell(paper.id)})",
        "",
        f"- authors: {cell(', '.join(paper.authors)) or 'none given'}",
        f"- published: {published}",
        *[f"- {cell(name)}: {cell(url)}" for name, url in paper.links],
    ]
    for source in paper.sources:
        via = f", {cell(source.via)}" if source.via else ""
        lines.append(f"- source {cell(source.url or source.label)}{via}: gives {cell(', '.join(source.gives))}")
    return [*lines, ""]


def summary(root: Path, base: str) -> str:
    changes = changed_files(root, base)
    atlas, problems = check(root)
    by_path = {paper.path: paper for paper in atlas.papers.values()}
    added = [path for status, path in changes if status == "A" and path in by_path]
    modified = [path for status, path in changes if status == "M" and path.endswith(".yaml")]
    removed = [path for status, path in changes if status == "D" and path.endswith(".yaml")]
    touched = {path for _, path in changes}
    lines = [f"## Atlas: {len(added)} paper(s) added, {len(modified)} record(s) changed, {len(removed)} removed", ""]
    if added:
        lines += ["| paper | challenge | kind | why |", "| --- | --- | --- | --- |"]
        for path in added:
            paper = by_path[path]
            for link in paper.challenges:
                lines.append(f"| {cell(paper.title)} ({cell(paper.id)}) | {cell(link.target)} | {cell(link.kind)} | {cell(link.why)} |")
        lines.append("")
    if added:
        lines += ["### The facts of each paper added, with their sources", ""]
        for path in added:
            lines += facts(by_path[path])
    for title, paths in (("Changed", modified), ("Removed", removed)):
        if paths:
            lines += [f"{title}: " + ", ".join(f"`{p}`" for p in paths), ""]
    relevant = [p for p in problems if p.path in touched or p.path == "citations.bib"]
    if relevant:
        lines += ["### Problems `atlas check` reports", "", *[f"- {cell(str(p))}" for p in relevant], ""]
    else:
        lines += ["`atlas check` reports no problem in the files this pull request touches.", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="origin/main")
    parser.add_argument("--root", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    try:
        print(summary(args.root.resolve(), args.base))
    except subprocess.CalledProcessError as error:
        print(f"pr-summary: git could not compare with {args.base}: {error.stderr.strip()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
