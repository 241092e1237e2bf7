"""The whole flow in one place: load -> validate -> graph -> render, and the page sources the engine builds from."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from atlas.background import collector_paused
from atlas.records.load import TextMemo, load_atlas
from atlas.records.model import Atlas, Problem
from atlas.records.validate import AtlasInvalid, PaperMemo, validate

if TYPE_CHECKING:
    from atlas.site.page import PageSource, Rendered, SiteSettings
    from atlas.site.render import RenderMemo

__all__ = ["AtlasInvalid", "build_source", "check", "render_pages", "serve_source", "valid_atlas"]


def check(
    root: Path, base: str | None = None, parsed: TextMemo | None = None, read: PaperMemo | None = None
) -> tuple[Atlas, list[Problem]]:
    """Load and validate; returns the atlas and every problem (errors and warnings).

    With `base` (a git revision), also refuse records that vanished since it without an alias, new
    records whose title is nearly another's (atlas.duplicates.similar_records), and records changed
    since it that are not in canonical form (atlas.records.canonical). `parsed` and `read` (serve)
    keep the parse and the reading of each file unchanged since the last check."""
    remembered = parsed if parsed is not None else TextMemo()  # the load's parses, for the canonical form's check
    # Loading makes hundreds of thousands of objects that all stay alive: collecting them is wasted time.
    with collector_paused():
        atlas, problems = validate(load_atlas(root, parsed, remembered if base else None), read)
    if base:
        from atlas.records.addresses import dropped_addresses, papers_new_since, records_changed_since
        from atlas.records.canonical import non_canonical
        from atlas.records.crosscheck import duplicate_problem
        from atlas.records.duplicates import similar_records
        from atlas.records.yamlio import parse_yaml

        problems += dropped_addresses(root, atlas, base)
        similar = similar_records(list(atlas.papers.values()), papers_new_since(root, atlas, base))
        problems += [duplicate_problem(paper, duplicate, atlas) for paper, duplicate in similar]
        problems += non_canonical(root, records_changed_since(root, base), remembered.parse(parse_yaml))
    return atlas, problems


def valid_atlas(root: Path, parsed: TextMemo | None = None, read: PaperMemo | None = None) -> Atlas:
    atlas, problems = check(root, parsed=parsed, read=read)
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise AtlasInvalid(errors)
    return atlas


def render_pages(root: Path, settings: SiteSettings, validated: Atlas | None = None, memo: RenderMemo | None = None) -> Rendered:
    """Every page and file of the site (an atlas.site.page.Rendered; render is imported late: `check`
    stays fast). `validated` saves validating again when the caller has just done it. With `memo`
    (serve), what the last rebuild made is reused where nothing changed."""
    from atlas.graph.build import build_graph
    from atlas.records.history import added_dates
    from atlas.relate.similarity import related_papers
    from atlas.site.cite import edition_of
    from atlas.site.render import render_site

    atlas = validated or (valid_atlas(root, memo.parsed, memo.read) if memo is not None else valid_atlas(root))
    related = related_papers(atlas, memo=memo.words if memo is not None else None)
    edition = edition_of(root, settings.site_url, settings.repo_url, settings.edit_uri)
    with collector_paused():  # the pages and files made all live on: a collection would re-examine them to free nothing
        return render_site(atlas, build_graph(atlas), related, edition, added_dates(root), memo)


def build_source(root: Path, handed: list[Atlas]) -> PageSource:
    """The pages of one build, rendered from the atlas the caller has just validated (`handed` holds it
    and is emptied: once the pages are rendered nothing holds the atlas, 700 MB at 50,000 papers), or
    loaded and validated here when `handed` is empty."""

    def render(settings: SiteSettings) -> Rendered:
        return render_pages(root, settings, handed.pop() if handed else None)

    return render


def serve_source(root: Path) -> PageSource:
    """The pages of `atlas serve`, rendered again on every rebuild: validated anew (AtlasInvalid while
    the records do not validate), with what the last rebuild made reused where nothing changed."""
    from atlas.site.render import RenderMemo

    return partial(_rerender, root, RenderMemo())


def _rerender(root: Path, memo: RenderMemo, settings: SiteSettings) -> Rendered:
    return render_pages(root, settings, memo=memo)
