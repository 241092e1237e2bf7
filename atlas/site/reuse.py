"""`atlas serve`'s memory of what each page and file was rendered from: one rendered again from the
same values gives what it gave last time, so it is not rendered again.

A render is a function of its template's context and of what every template may read besides (the
templates themselves, the edition and the challenges, whose labels are the templates' globals):
both are compared by value with the last build's, and only a page or file whose inputs differ is
rendered. The comparison can only err towards rendering again: a value that compares by identity
(an object of a class without `__eq__`) never equals last build's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

_T = TypeVar("_T")


class Reuse(Protocol):
    """`reuse(path, inputs, render)`: what `render()` gives, or what it gave before for the same inputs."""

    def __call__(self, path: str, inputs: Any, render: Callable[[], _T]) -> _T: ...


def never(path: str, inputs: Any, render: Callable[[], _T]) -> _T:
    """A Reuse that renders every time (a build: nothing was rendered before)."""
    return render()


def templates_signature() -> tuple[tuple[str, int, int], ...]:
    """The atlas' templates as they are now (each file's name, size and modification time): a
    template edited while `atlas serve` runs renders every page anew."""
    signature = []
    for item in sorted((Path(__file__).parent / "templates").iterdir()):
        stat = item.stat()
        signature.append((item.name, stat.st_size, stat.st_mtime_ns))
    return tuple(signature)


class RenderReuse:
    """What each page or file (by path) was rendered from and what it gave, for the next build."""

    def __init__(self) -> None:
        self._shared: object = None
        self._kept: dict[str, tuple[Any, Any]] = {}
        self._used: dict[str, tuple[Any, Any]] = {}
        self.rendered = 0  # pages and files rendered in the current build (the others were reused)

    def start(self, shared: object) -> None:
        """A build begins; `shared` is what every render reads beside its own inputs (nothing is reused
        when it changed)."""
        if shared != self._shared:
            self._kept = {}
        self._shared, self._used, self.rendered = shared, {}, 0

    def get(self, path: str, inputs: Any, render: Callable[[], _T]) -> _T:
        """What `render()` gives, rendered only if `inputs` differ from those of `path` last build."""
        known = self._kept.get(path)
        if known is not None and known[0] == inputs:
            self._used[path] = known
            return known[1]
        result = render()
        self.rendered += 1
        self._used[path] = (inputs, result)
        return result

    def done(self) -> None:
        """The build is over: forget the paths it did not render (a page that is gone)."""
        self._kept, self._used = self._used, {}
