"""Plain text work for the engine adapter: a written page without the theme's indentation, and the
titles mkdocs.yml's navigation gives pages. Nothing here knows MkDocs."""

from __future__ import annotations

import re

_PREFORMATTED = re.compile(r"<(pre|script|textarea)\b.*?</\1>", re.S | re.I)
_INDENTATION = re.compile(r"\n\s+")


def without_indentation(html: str) -> str:
    """The page without the theme's indentation (a sixth of its size), preformatted and script text untouched.

    Only the few preformatted parts are found one by one: the text between them is one substitution."""
    parts: list[str] = []
    done = 0
    for kept in _PREFORMATTED.finditer(html):
        parts += (_INDENTATION.sub("\n", html[done : kept.start()]), kept.group(0))
        done = kept.end()
    parts.append(_INDENTATION.sub("\n", html[done:]))
    return "".join(parts)


def nav_titles(nav: object) -> dict[str, str | None]:
    """Each page `nav` (mkdocs.yml's) lists, with the title it gives the page (None: the page's own)."""
    titles: dict[str, str | None] = {}

    def walk(item: object, title: str | None = None) -> None:
        if isinstance(item, str):
            titles.setdefault(item, title)
        elif isinstance(item, list):
            for child in item:
                walk(child)
        elif isinstance(item, dict):
            for key, value in item.items():
                walk(value, key if isinstance(value, str) else None)

    walk(nav)
    return titles
