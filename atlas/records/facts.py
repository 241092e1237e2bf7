"""Which facts a paper record holds, by the names that `sources: [{gives: [...]}]` uses.

One answer for the check (every fact given by a source, every `gives` naming a fact the record
holds) and for `atlas enrich` (which fields are absent and may be filled).
"""

from __future__ import annotations

import re
from typing import Any

from atlas.records.model import LINK_NAMES

_HTTP_URL = re.compile(r"^https?://[^\s<>\"'{}\\]+$")

# The facts a source can give: the plain fields, then each link as links.<name>.
PLAIN_FACTS = ("title", "also_titled", "authors", "year", "venue", "abstract", "keywords", "ratings")
FACT_NAMES = (*PLAIN_FACTS, *(f"links.{name}" for name in LINK_NAMES))


def facts_held(record: Any) -> dict[str, int]:
    """The facts a raw record (a LineMap or a dict) holds, each with the line it is on (1 without lines)."""
    line_of = getattr(record, "line_of", lambda key: 1)
    held = {name: line_of(name) for name in PLAIN_FACTS if record.get(name) not in (None, "", [], {})}
    links = record.get("links")
    if isinstance(links, dict):
        links_line = getattr(links, "line_of", lambda key: line_of("links"))
        held.update({f"links.{name}": links_line(name) for name, url in links.items() if name in LINK_NAMES and url})
    return held


def http_url(value: Any) -> str | None:
    """The value as an http(s) URL (stripped), or None: the one rule for every link the atlas publishes."""
    if isinstance(value, str) and _HTTP_URL.match(value.strip()):
        return value.strip()
    return None
