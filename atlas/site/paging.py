"""Long lists on pages of their own: a venue's papers, `PAGE_SIZE` to a page."""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 100


@dataclass(frozen=True)
class Pager:
    """Page `number` (from 1) of `count` pages of a list of `total` items; page 1 is at `folder`/,
    page n at `folder`/page-n/."""

    folder: str
    number: int
    count: int
    total: int
    size: int = PAGE_SIZE

    @property
    def first(self) -> int:
        """The index of this page's first item in the whole list."""
        return (self.number - 1) * self.size

    def url(self, number: int) -> str:
        return f"{self.folder}/" if number == 1 else f"{self.folder}/page-{number}/"

    def source(self) -> str:
        """The page's file below the docs folder."""
        return f"{self.folder}.md" if self.number == 1 else f"{self.folder}/page-{self.number}.md"

    def near(self, around: int = 2) -> list[int | None]:
        """The page numbers to link: the first, the last and those within `around` of this one (None: a gap)."""
        wanted = sorted({1, self.count, *range(max(1, self.number - around), min(self.count, self.number + around) + 1)})
        shown: list[int | None] = []
        for number in wanted:
            if shown and number - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(number)
        return shown


def paged(items: list, folder: str, size: int = PAGE_SIZE) -> list[tuple[Pager, list]]:
    """The list cut into pages, each with its pager (one page, perhaps empty, for a short list)."""
    count = max(1, -(-len(items) // size))
    return [(Pager(folder, number, count, len(items), size), items[(number - 1) * size : number * size]) for number in range(1, count + 1)]
