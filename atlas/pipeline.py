"""The whole flow in one place: load -> validate -> graph -> render."""

from __future__ import annotations

from pathlib import Path

from atlas.load import load_atlas
from atlas.model import Atlas, Problem
from atlas.validate import validate


class AtlasInvalid(Exception):
    """The data has errors; `problems` says where and what to do."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the atlas data")
        self.problems = problems


def check(root: Path, base: str | None = None) -> tuple[Atlas, list[Problem]]:
    """Load and validate; returns the atlas and every problem (errors and warnings).

    With `base` (a git revision), also refuse records that vanished since it without an alias."""
    atlas, problems = validate(load_atlas(root))
    if base:
        from atlas.addresses import dropped_addresses

        problems += dropped_addresses(root, atlas, base)
    return atlas, problems


def valid_atlas(root: Path) -> Atlas:
    atlas, problems = check(root)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise AtlasInvalid(errors)
    return atlas


def render_pages(root: Path, site_url: str | None = None):  # -> atlas.render.Rendered (imported late: check stays fast)
    from atlas.cite import edition_of
    from atlas.graph import build_graph
    from atlas.history import added_dates
    from atlas.render import render_site
    from atlas.similarity import related_papers

    atlas = valid_atlas(root)
    return render_site(atlas, build_graph(atlas), related_papers(atlas), edition_of(root, site_url), added_dates(root))
