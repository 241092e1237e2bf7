"""The whole flow in one place: load -> validate -> graph -> render."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from atlas.load import load_atlas
from atlas.model import Atlas, Problem
from atlas.validate import validate

T = TypeVar("T")


class AtlasInvalid(Exception):
    """The data has errors; `problems` says where and what to do."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the atlas data")
        self.problems = problems


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the atlas is built.

    Loading creates hundreds of thousands of objects that all stay alive, so every collection
    re-examines a growing heap and frees nothing (a third of `check`'s time at 10,000 papers).
    Reference counting still frees everything dropped meanwhile; the collector is back on (if it
    was on) as soon as the atlas is built."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # what was built is long-lived: straight to the oldest generation, so the
        gc.unfreeze()  # next young collection does not re-examine all of it
        if paused:
            gc.enable()


def check(root: Path, base: str | None = None) -> tuple[Atlas, list[Problem]]:
    """Load and validate; returns the atlas and every problem (errors and warnings).

    With `base` (a git revision), also refuse records that vanished since it without an alias."""
    with _collector_paused():
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


def in_background(function: Callable[[Atlas], T], atlas: Atlas) -> Callable[[], T]:
    """Run `function(atlas)` in a forked process (the machine's other core) and return a call that
    waits for its result; where fork is missing, the call computes it then and there."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return lambda: function(atlas)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def work() -> None:
        try:
            sender.send((True, function(atlas)))
        except BaseException as error:  # reported to the parent, which raises it
            sender.send((False, f"{type(error).__name__}: {error}"))

    process = context.Process(target=work, daemon=True)
    process.start()
    sender.close()

    def result() -> T:
        try:
            ok, value = receiver.recv()
        except EOFError:
            ok, value = False, f"the worker stopped (exit {process.exitcode})"
        finally:
            process.join()
        if not ok:
            raise RuntimeError(f"{getattr(function, '__name__', 'work')} failed in its worker: {value}")
        return value

    return result


def render_pages(root: Path, site_url: str | None = None, validated: Atlas | None = None, parallel: bool = True):
    """Every page and file of the site (an atlas.render.Rendered; render is imported late: `check`
    stays fast). `validated` saves validating again when the caller has just done it. With
    `parallel`, related papers (TF-IDF, the costliest step) are computed on the other core while
    the rest renders."""
    from atlas.cite import edition_of
    from atlas.graph import build_graph
    from atlas.history import added_dates
    from atlas.render import render_site
    from atlas.similarity import related_papers

    atlas = validated or valid_atlas(root)
    related = in_background(related_papers, atlas) if parallel else (lambda: related_papers(atlas))
    return render_site(atlas, build_graph(atlas), related, edition_of(root, site_url), added_dates(root))
