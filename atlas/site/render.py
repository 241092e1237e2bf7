"""Stage 4, render: the atlas as pages (atlas.site.page.Page: path, metadata, HTML body, table of
contents), assets and data files.

The output is independent of any site engine; the MkDocs adapter only hands these pages over (their
bodies skip Markdown: they are HTML already). Every value from a record reaches the page through Jinja's autoescaping, never as
markup of its own.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from importlib import resources
from typing import Any, TypeVar

import networkx as nx
import rcssmin
import rjsmin
from markupsafe import Markup

from atlas.graph.export import to_json, with_layout
from atlas.graph.layout import layout, local_layout, whole_picture
from atlas.records.bibtex_writer import written_entry
from atlas.records.load import TextMemo
from atlas.records.mathtext import plain_title, title_sort_key
from atlas.records.model import Atlas, BibEntry, Paper, Related
from atlas.records.validate import PaperMemo
from atlas.site.bibformat import entry_html, entry_links
from atlas.site.cite import NAME, Edition, page_citation, paper_meta
from atlas.site.coins import coins
from atlas.site.context import SiteContext
from atlas.site.feeds import exports, feeds
from atlas.site.gaps import gap_rows, gap_totals
from atlas.site.numbers import headlines, statistics
from atlas.site.page import Page, Rendered, render_page
from atlas.site.paging import paged
from atlas.site.paper_index import FIRST_ROWS, SORTS, index_files, index_meta, table_order
from atlas.site.reading import prompts, reading_list
from atlas.site.reuse import RenderReuse, templates_signature
from atlas.site.templating import template_environment, venue_family

ASSETS = (
    "atlas.css",
    "atlas.js",
    "atlas-papers.css",
    "atlas-papers.js",
    "atlas-graph.css",
    "atlas-graph.js",
    "favicon.svg",
    "vendor/graphology.umd.min.js",
    "vendor/sigma.min.js",
)
PAGE_ASSETS = ("atlas.css", "atlas.js")  # loaded by every page; atlas.js loads the table's and graph's scripts where needed
# Compiled templates, kept between builds in Jinja's per-user folder of the system's temporary
# directory; an entry is used only for the same template source and Jinja version.
HANDOUT_LIMIT = 4
# Papers a challenge page lists per sub-challenge, and per open question; the papers table has them all.
# The real atlas' longest list (22) fits; at 50,000 papers a challenge page stays under 300 KB.
LIST_LIMIT = 30
QUESTION_LIMIT = 10
_T = TypeVar("_T")


@dataclass
class RenderMemo:
    """What one build can hand to the next (`atlas serve`): the pages and files with what they were
    rendered from (atlas.site.reuse), references formatted by pybtex (by key and entry text), the
    parsed data files, the papers read from them and the words of each paper's text."""

    rendered: RenderReuse = field(default_factory=RenderReuse)
    references: dict[tuple[str, str], Markup] = field(default_factory=dict)
    parsed: TextMemo = field(default_factory=TextMemo)  # records and citations.bib as parsed
    read: PaperMemo = field(default_factory=PaperMemo)  # each paper record as validated
    words: TextMemo = field(default_factory=TextMemo)  # each paper's text as related_papers splits it


class _Pages:
    """The pages being rendered, and what every page kind needs to render its own."""

    def __init__(self, atlas: Atlas, graph: nx.MultiDiGraph, edition: Edition, memo: RenderMemo | None) -> None:
        self.atlas, self.graph, self.edition = atlas, graph, edition
        self.site = SiteContext(atlas, graph)
        self.gaps = gap_rows(atlas)  # the home page counts them, the gaps page shows them
        self.environment = template_environment()
        self.environment.globals.update(  # every template may name the edition (its version, addresses, repository)
            label=self.site.challenge_label, short_label=self.site.short_label, href=self.site.challenge_href, edition=edition
        )  # fmt: skip
        self.pages: dict[str, Page] = {}
        self.formatted_entries: dict[tuple[str, str], Markup] = memo.references if memo is not None else {}
        self.reuse = memo.rendered if memo is not None else None
        if self.reuse is not None:  # what every template may read beside its context: the labels of the challenges, the edition
            self.reuse.start((templates_signature(), edition, tuple(atlas.challenges.values())))

    def formatted(self, entry: BibEntry) -> Markup:
        """An entry as HTML; pybtex is slow, so each is formatted once (per memo)."""
        key = (entry.key, written_entry(entry.key, entry.source))
        if key not in self.formatted_entries:
            self.formatted_entries[key] = entry_html(entry)
        return self.formatted_entries[key]

    def page(self, path: str, template: str, **context: Any) -> Page:
        return render_page(path, self.environment.get_template(template), {**self.site.common(path), **context})

    def emit(self, path: str, template: str, **context: Any) -> None:
        # The context as compared with the last build's: `formatted` is a function of the entries it is given.
        inputs = {name: "formatted" if getattr(value, "__self__", None) is self else value for name, value in context.items()}
        self.emit_made(path, template, inputs, lambda: context)

    def emit_made(self, path: str, template: str, inputs: Any, context: Callable[[], dict[str, Any]]) -> None:
        """The page `template` renders from `context()`, a function of `inputs` alone: in `atlas serve`,
        neither made nor rendered when `inputs` are those of the last build."""
        self.pages[path] = self.rendered(path, (template, inputs), lambda: self.page(path, template, **context()))

    def rendered(self, path: str, inputs: Any, render: Callable[[], _T]) -> _T:
        """`render()`, or in `atlas serve` what it gave last build if `inputs` are the same (atlas.site.reuse)."""
        return render() if self.reuse is None else self.reuse.get(path, inputs, render)

    def done(self) -> None:
        if self.reuse is not None:
            self.reuse.done()


RECENT_ON_HOME = 8


def _home_pages(out: _Pages, added: dict[str, str]) -> None:
    """The home page (what the atlas holds, and the papers added last, by the commits that added them),
    the challenges' overview and the statistics."""
    atlas, site = out.atlas, out.site
    challenge_rows = [(challenge, site.paper_counts.get(challenge.id, 0)) for challenge in atlas.challenges.values()]
    numbers = {
        "challenges": len(atlas.challenges),
        "subchallenges": sum(len(c.subchallenges) for c in atlas.challenges.values()),
        "papers": len(atlas.papers),
        "links": sum(len(paper.challenges) for paper in atlas.papers.values()),
        "references": len(atlas.bibliography) - len(atlas.papers),
        "survey_papers": sum(1 for entry in atlas.bibliography.values() if entry.surveyref and entry.key in atlas.papers),
    }
    newest = sorted(atlas.papers.values(), key=lambda paper: (added.get(paper.id, ""), paper.id), reverse=True)[:RECENT_ON_HOME]
    recent = [(paper, added.get(paper.id, "")[:10]) for paper in newest]
    out.emit(
        "index.md", "home.html.j2", challenge_rows=challenge_rows, numbers=numbers, headlines=headlines(site),
        titles=site.titles, gaps=gap_totals(out.gaps), recent=recent,
    )  # fmt: skip
    out.emit("challenges/index.md", "challenges.html.j2", challenge_rows=challenge_rows)
    out.emit("stats.md", "stats.html.j2", **statistics(site))


def _graph_page(out: _Pages) -> tuple[dict[str, Any], str]:
    """The graph page; returns the layout and the static picture, which the data files carry too."""
    atlas, site = out.atlas, out.site
    counts = {
        "challenges": len(atlas.challenges),
        "subchallenges": sum(len(c.subchallenges) for c in atlas.challenges.values()),
        "papers": len(atlas.papers),
        "per_challenge": site.paper_counts,
    }
    positions = layout(out.graph)
    picture = whole_picture(out.graph, positions)
    box = picture["box"]
    out.emit(
        "graph/index.md",
        "graph.html.j2",
        legend=[(challenge, site.colours[challenge.id]) for challenge in atlas.challenges.values()],
        counts=counts,
        years=sorted({p.year for p in atlas.papers.values() if p.year}, reverse=True),
        venues=sorted({p.venue for p in atlas.papers.values() if p.venue}),
        picture_size=(1200, round(1200 * box[3] / box[2])),  # type: ignore[index]
    )
    svg_template = out.environment.get_template("graph.svg.j2")
    svg = out.rendered("graph/graph.svg", (picture, counts), lambda: svg_template.render(picture=picture, counts=counts, base="../"))
    return positions, svg


def _challenge_pages(out: _Pages) -> None:
    atlas, site, edition = out.atlas, out.site, out.edition
    for challenge in atlas.challenges.values():
        by_sub: dict[str | None, list[tuple[Paper, Any]]] = defaultdict(list)
        for paper, link in atlas.papers_for(challenge.id):
            by_sub[link.sub].append((paper, link))
        for group in by_sub.values():
            group.sort(key=lambda pair: (-(pair[0].year or 0), title_sort_key(pair[0].title)))
        entries = atlas.bibliography
        out.emit(
            f"challenges/{challenge.id}.md",
            "challenge.html.j2",
            challenge=challenge,
            by_sub=by_sub,
            limit=LIST_LIMIT,
            question_limit=QUESTION_LIMIT,
            paper_count=site.paper_counts.get(challenge.id, 0),
            passing_count=site.peripheral_counts.get(challenge.id, 0),
            kind_counts=Counter(link.kind for _, link in atlas.papers_for(challenge.id) if not link.peripheral),
            addressed={q.id: pairs for q in challenge.open_questions if (pairs := atlas.addressing(challenge.id, q.id))},
            sub_titles={sub.id: sub.title for sub in challenge.subchallenges},
            question_citations={
                question.id: page_citation(
                    edition, f"atlas-question-{challenge.id}-{question.id}", question.text, f"challenges/{challenge.id}/#{question.id}"
                )
                for question in challenge.open_questions
            },
            references=[(ref, entries.get(ref.key) if ref.key else None) for ref in challenge.references],
            paper_ids=atlas.papers.keys(),  # which entries have a page (the papers themselves are not shown)
            entry_html=out.formatted,
            related_titles=site.titles,
            local=local_layout(out.graph, challenge.id),
            colour=site.colours[challenge.id],
            citation=page_citation(edition, f"atlas-challenge-{challenge.id}", challenge.title, f"challenges/{challenge.id}/"),
            sub_citations={
                sub.id: page_citation(
                    edition,
                    f"atlas-challenge-{challenge.id}-{sub.id}",
                    f"{challenge.title}: {sub.title}",
                    f"challenges/{challenge.id}/#{sub.id}",
                )
                for sub in challenge.subchallenges
            },
        )


def _list_pages(out: _Pages) -> dict[str, bytes]:
    """The papers' table, the references and the venue pages; returns the table's JSON chunks."""
    atlas, site = out.atlas, out.site
    ordered = table_order(list(atlas.papers.values()))
    venues = {paper.venue for paper in ordered if paper.venue}
    out.emit(
        "papers/index.md",
        "papers.html.j2",
        challenges=list(atlas.challenges.values()),
        first=ordered[:FIRST_ROWS],
        total=len(ordered),
        years=sorted({paper.year for paper in ordered if paper.year}, reverse=True),
        venues=sorted(venues | {venue_family(venue) for venue in venues}),
        sorts=SORTS,
        table_meta=index_meta(ordered, site),
    )
    out.emit(
        "references.md",
        "references.html.j2",
        entries=sorted(
            (e for e in atlas.bibliography.values() if e.key not in atlas.papers or e.surveyref), key=lambda e: (e.surveyref or 0, e.key)
        ),
        paper_ids=atlas.papers.keys(),
        paper_count=len(atlas.papers),
        unresolved=sorted(site.unresolved.items()),
        citing=site.citing,
        entry_html=out.formatted,
        entry_links=entry_links,
        challenge_titles=site.titles,
    )
    for venue in atlas.venues.values():
        venue_papers = sorted(
            (p for p in atlas.papers.values() if site.venue_ids.get(p.id) == venue.id),
            key=lambda p: (-(p.ratings.average or 0) if p.ratings else 0, title_sort_key(p.title)),
        )
        for pager, page_papers in paged(venue_papers, f"venues/{venue.id}"):
            out.emit(pager.source(), "venue.html.j2", venue=venue, papers=page_papers, pager=pager)
    return out.rendered("data/papers-*.json", ordered, lambda: index_files(ordered))  # the table's rows: a function of the papers


def _gap_pages(out: _Pages) -> None:
    """The research-gap map and the papers outside the survey's challenges."""
    out.emit("gaps.md", "gaps.html.j2", rows=out.gaps, totals=gap_totals(out.gaps), question_limit=QUESTION_LIMIT)
    for pager, papers in paged(sorted(out.atlas.outside, key=lambda paper: title_sort_key(paper.title)), "outside"):
        out.emit(pager.source(), "outside.html.j2", papers=papers, pager=pager)


def _reading_pages(out: _Pages) -> None:
    for challenge in out.atlas.challenges.values():
        out.emit(
            f"challenges/{challenge.id}/reading.md",
            "reading.html.j2",
            challenge=challenge,
            sections=reading_list(out.atlas, challenge, limit=HANDOUT_LIMIT),
            prompts=prompts(out.atlas, challenge),
            limit=HANDOUT_LIMIT,
            total=out.atlas.papers_per_challenge[challenge.id],
            coins=coins,
        )


def _redirects(out: _Pages) -> dict[str, bytes]:
    """A page at each former id (an alias) that sends the reader to the record's page."""
    redirect = out.environment.get_template("redirect.html.j2")
    files = {}
    for folder, records in (("challenges", out.atlas.challenges.values()), ("papers", out.atlas.papers.values())):
        for record in records:
            for alias in record.aliases:
                page = redirect.render(target=f"../{record.id}/", title=plain_title(record.title))
                files[f"{folder}/{alias}/index.html"] = page.encode("utf-8")
    return files


def _paper_pages(out: _Pages, nearest: Related, added: dict[str, str]) -> None:
    """A page per paper, with the day its record was added (by git)."""
    atlas, site, edition = out.atlas, out.site, out.edition

    def paper_context(paper: Paper, entry: BibEntry | None, inputs: dict[str, Any]) -> dict[str, Any]:
        return {
            **inputs,
            "bibtex": written_entry(entry.key, entry.source) if entry else "",
            "citation": page_citation(edition, f"atlas-paper-{paper.id}", plain_title(paper.title), f"papers/{paper.id}/"),
            "paper_meta": paper_meta(paper, plain_title(paper.title)),
            "linked_labels": "; ".join(dict.fromkeys(site.short_label(link.target) for link in paper.challenges)),
        }

    for paper in atlas.papers.values():
        entry = atlas.bibliography.get(paper.id)
        inputs = {  # with its entry, the edition and the challenges' labels (what every page reads): all the page is made from
            "paper": paper,
            "questions": _questions_taken_up(atlas, paper),
            "related": tuple((atlas.papers[other], f"{score:.2f}") for other, score in nearest.get(paper.id, [])),  # as shown
            "venue_id": site.venue_ids.get(paper.id),
            "added": added.get(paper.id, "")[:10],
        }
        out.emit_made(f"papers/{paper.id}.md", "paper.html.j2", (inputs, entry), partial(paper_context, paper, entry, inputs))


def _questions_taken_up(atlas: Atlas, paper: Paper) -> dict[tuple[str, str], Any]:
    """The open questions a paper takes up, by challenge and question id."""
    return {(link.challenge, q): atlas.challenges[link.challenge].question(q) for link in paper.challenges for q in link.questions}


def render_site(
    atlas: Atlas,
    graph: nx.MultiDiGraph,
    related: Related,
    edition: Edition | None = None,
    added: dict[str, str] | None = None,
    memo: RenderMemo | None = None,
) -> Rendered:
    """Every page, asset and file of the site, one page kind after the other. With `memo` (kept by
    `atlas serve` between rebuilds), a paper page whose content would not change and a reference
    already formatted are reused."""
    out = _Pages(atlas, graph, edition or Edition("unversioned", "", "/", (f"{NAME} contributors",)), memo)
    _home_pages(out, added or {})
    positions, svg = _graph_page(out)
    _challenge_pages(out)
    index = _list_pages(out)
    _gap_pages(out)
    assets = {name: _asset(name) for name in ASSETS}
    files = index | {"data/graph.json": to_json(with_layout(graph, positions)).encode("utf-8"), "graph/graph.svg": svg.encode("utf-8")}
    files.update(exports(atlas, out.edition))
    files.update(feeds(out.site, out.environment, out.edition, added or {}, out.rendered))
    _reading_pages(out)
    files.update(_redirects(out))
    _paper_pages(out, related, added or {})
    out.done()
    return Rendered(out.pages, assets, files)


def problems_notice(problems: list[Any]) -> str:
    """The notice `atlas serve` puts on top of every page while the records do not validate: the
    problems, so that the reader sees what to fix instead of a page that waits for a rebuild."""
    return template_environment().get_template("_problems.html.j2").render(problems=problems)


def _asset(name: str) -> bytes:
    """One of the atlas' own scripts or styles, minified (every page loads them); vendored files as shipped."""
    text = resources.files("atlas.site").joinpath("assets", name).read_text(encoding="utf-8")
    if not name.startswith("vendor/"):
        if name.endswith(".js"):
            text = rjsmin.jsmin(text)
        elif name.endswith(".css"):
            text = rcssmin.cssmin(text)
    return text.encode("utf-8")
