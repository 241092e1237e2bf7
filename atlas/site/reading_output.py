"""`atlas reading-list`: the handout's selection as Markdown, BibTeX or a standalone HTML page."""

from __future__ import annotations

from pathlib import Path

from atlas.records.model import Atlas, Challenge
from atlas.site.bibexport import export_bibtex
from atlas.site.cite import NAME, edition_of
from atlas.site.reading import prompts, reading_list
from atlas.site.templating import template_environment


def render_reading_list(root: Path, atlas: Atlas, challenge: Challenge, sub: str | None, limit: int | None, format: str) -> str:
    sections = reading_list(atlas, challenge, sub, limit)
    edition = edition_of(root, None)
    if format == "bib":
        keys = list(dict.fromkeys(p.id for s in sections for p, _ in s.papers if p.id in atlas.bibliography))
        header = f"Reading list for '{challenge.title}' from the {NAME}, version {edition.version} of {edition.date}"
        return export_bibtex([atlas.bibliography[k] for k in keys], header, atlas.papers)
    template = template_environment().get_template(f"reading-list.{format}.j2")
    questions = [prompt for prompt in prompts(atlas, challenge) if not sub or prompt.question.sub in (sub, None)]
    return template.render(challenge=challenge, sections=sections, prompts=questions, edition=edition, name=NAME, sub=sub)
