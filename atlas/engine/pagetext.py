"""A rendered page as text: its front matter, its body without indentation, its table of contents.
Plain text work, the engine's inputs; nothing here knows MkDocs."""

from __future__ import annotations

import json
import re

import yaml

_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.S)
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where built with it
_PREFORMATTED = re.compile(r"<(pre|script|textarea)\b.*?</\1>", re.S | re.I)
_INDENTATION = re.compile(r"\n\s+")
_HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)<a class="headerlink"', re.S)


def front_matter_data(front_matter: str) -> dict:
    """The metadata in a rendered page's front matter, as a YAML loader reads it. The templates write
    record values as `key: JSON` lines (JSON strings, objects and lists are YAML too), which `json`
    reads far faster than a YAML loader: those are read so, anything else by the YAML loader."""
    match = _FRONT_MATTER.match(front_matter)
    if match is None:
        return {}
    data = {}
    for line in match.group(1).splitlines():
        key, separator, value = line.partition(": ")
        if not separator or not key.isidentifier() or value[:1] not in ('"', "{", "["):
            break
        try:
            data[key] = json.loads(value)
        except ValueError:
            break
    else:
        return data
    loaded = yaml.load(match.group(1), Loader=_YAML_LOADER)  # a safe loader
    return loaded if isinstance(loaded, dict) else {}


def split_page(text: str) -> tuple[str, str]:
    """A rendered page's front matter (for the engine's metadata) and its HTML body."""
    match = _FRONT_MATTER.match(text)
    return (match.group(0), text[match.end() :]) if match else ("", text)


def without_indentation(html: str) -> str:
    """The page without the theme's indentation (a sixth of its size), preformatted and script text untouched.

    Only the few preformatted parts are found one by one: the text between them is one substitution."""
    parts, done = [], 0
    for kept in _PREFORMATTED.finditer(html):
        parts += (_INDENTATION.sub("\n", html[done : kept.start()]), kept.group(0))
        done = kept.end()
    parts.append(_INDENTATION.sub("\n", html[done:]))
    return "".join(parts)


def toc_tokens(body: str) -> list[dict]:
    """The table of contents of an HTML body, nested by heading level, as Markdown's `toc` gives it."""
    root: list[dict] = []
    open_levels: list[dict] = []
    for level_text, anchor, name in _HEADING.findall(body):
        token = {"level": int(level_text), "id": anchor, "name": name, "children": []}
        while open_levels and open_levels[-1]["level"] >= token["level"]:
            open_levels.pop()
        (open_levels[-1]["children"] if open_levels else root).append(token)
        open_levels.append(token)
    return root


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
