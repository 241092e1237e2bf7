"""The whole flow in one place: load -> validate -> graph -> render."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.background import Forked, collector_paused, workers
from atlas.records.load import TextMemo, load_atlas
from atlas.records.model import Atlas, Problem, Related
from atlas.records.validate import validate

if TYPE_CHECKING:
    from atlas.site.render import Rendered, RenderMemo


class AtlasInvalid(Exception):
    """The data has errors; `problems` says where and what to do."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the atlas data")
        self.problems = problems


def check(root: Path, base: str | None = None, parsed: TextMemo | None = None) -> tuple[Atlas, list[Problem]]:
    """Load and validate; returns the atlas and every problem (errors and warnings).

    With `base` (a git revision), also refuse records that vanished since it without an alias, new
    records whose title is nearly another's (atlas.duplicates.similar_records), and records changed
    since it that are not in canonical form (atlas.records.canonical)."""
    # Loading makes hundreds of thousands of objects that all stay alive: collecting them is wasted time.
    with collector_paused():
        atlas, problems = validate(load_atlas(root, parsed))
    if base:
        from atlas.records.addresses import dropped_addresses, papers_new_since, records_changed_since
        from atlas.records.canonical import non_canonical
        from atlas.records.crosscheck import duplicate_problem
        from atlas.records.duplicates import similar_records

        problems += dropped_addresses(root, atlas, base)
        similar = similar_records(list(atlas.papers.values()), papers_new_since(root, atlas, base))
        problems += [duplicate_problem(paper, duplicate, atlas) for paper, duplicate in similar]
        problems += non_canonical(root, records_changed_since(root, base))
    return atlas, problems


def valid_atlas(root: Path, parsed: TextMemo | None = None) -> Atlas:
    atlas, problems = check(root, parsed=parsed)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise AtlasInvalid(errors)
    return atlas


def render_pages(
    root: Path,
    site_url: str | None = None,
    validated: Atlas | None = None,
    parallel: bool = True,
    memo: RenderMemo | None = None,
    related: Callable[[], Related] | None = None,
    repo: tuple[str | None, str | None] = (None, None),
) -> Rendered:
    """Every page and file of the site (an atlas.render.Rendered; render is imported late: `check`
    stays fast). `validated` saves validating again when the caller has just done it. With
    `parallel`, related papers (TF-IDF, the costliest step) are computed on the other core while
    the rest renders; `related` gives them when the caller has set that going already (for
    `validated`). `repo` is mkdocs.yml's repo_url and edit_uri, for the pages' edit and issue links."""
    from atlas.graph.build import build_graph
    from atlas.records.history import added_dates
    from atlas.site.cite import edition_of
    from atlas.site.render import render_site

    atlas = validated or valid_atlas(root, memo.parsed if memo is not None else None)
    if related is None:
        related = related_in_background(atlas, parallel and memo is None, memo)
    return render_site(atlas, build_graph(atlas), related, edition_of(root, site_url, *repo), added_dates(root), memo, parallel)


def related_in_background(atlas: Atlas, parallel: bool = True, memo: RenderMemo | None = None) -> Callable[[], Related]:
    """The related papers (TF-IDF, the costliest step), set computing on another core while the caller
    goes on; the returned function waits for them. With `memo` (serve): here, not in a child whose
    memo would be lost, so that each paper's words are split once."""
    from atlas.relate.similarity import related_papers

    relate = related_papers if memo is None else partial(related_papers, memo=memo.words)
    return Forked(relate, atlas, fork=memo is None and workers(len(atlas.papers), parallel) > 1).result
