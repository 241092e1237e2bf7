"""What a caller asks of the engine, whichever engine builds the site."""

from __future__ import annotations

from dataclasses import dataclass, field

from atlas.engine.linkcheck import BrokenLink
from atlas.site.page import PageSource


@dataclass
class SiteJob:
    """What the adapter's caller asks of the engine: where the pages come from (the pipeline's page
    source) and, for a build, the path under which the internal links are checked; the check's
    findings are left here."""

    source: PageSource
    link_base: str | None = None
    broken_links: list[BrokenLink] = field(default_factory=list)
