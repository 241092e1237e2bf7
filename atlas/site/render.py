"""Stage 4, render: the atlas as plain pages (a YAML front matter block, then an HTML body) and assets.

The output is a mapping from a page's path below the docs folder to its text, independent of any
site engine; the MkDocs adapter only hands these pages over (their bodies skip Markdown: they are
HTML already). Every value from a record reaches the page through Jinja's autoescaping, never as
markup of its own.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import networkx as nx
import rcssmin
import rjsmin
from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from atlas.graph import build as atlas_graph
from atlas.background import Forked
from atlas.site.bibexport import export_bibtex
from atlas.site.bibformat import entry_bibtex, entry_html, entry_links
from atlas.site.cite import NAME, Edition, page_citation, paper_meta
from atlas.graph.export import to_json, with_layout
from atlas.records.ids import slug
from atlas.graph.layout import challenge_colours, layout, local_layout, whole_picture
from atlas.records.load import TextMemo
from atlas.records.mathtext import plain_title, title_html, title_sort_key
from atlas.records.model import CHALLENGE_KINDS, Atlas, BibEntry, Paper, Related
from atlas.site.reading import reading_list

ASSETS = ("atlas.css", "atlas.js", "atlas-graph.js", "favicon.svg", "vendor/graphology.umd.min.js", "vendor/sigma.min.js")
PAGE_ASSETS = ("atlas.css", "atlas.js")  # loaded by every page; atlas.js loads the graph's scripts where a graph is
# Compiled templates, kept between builds in Jinja's per-user folder of the system's temporary
# directory; an entry is used only for the same template source and Jinja version.
TEMPLATE_CACHE = FileSystemBytecodeCache()
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
HANDOUT_LIMIT = 4
PARALLEL_PAPERS = 100  # from this many papers, half the paper pages are rendered by a forked process
FEED_LENGTH = 100
LINK_LABELS = {"openreview": "OpenReview", "arxiv": "arXiv", "doi": "DOI", "url": "Web page", "code": "Code"}


def md(text: Any) -> Markup:
    """Text for a Markdown line: HTML-escaped, then Markdown punctuation backslash-escaped."""
    return Markup(_MARKDOWN_SPECIALS.sub(r"\\\1", str(escape(str(text)))))


def meta_json(value: Any) -> Markup:
    """A value for the engine's page metadata: JSON (valid YAML), angle brackets replaced."""
    return Markup(json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e"))


def meta_title(text: str) -> Markup:
    """A page title for the engine's metadata: a JSON string (valid YAML) without angle brackets."""
    return Markup(json.dumps(plain_title(text).replace("<", "‹").replace(">", "›"), ensure_ascii=False))


def venue_family(venue: str) -> str:
    """The venue without its presentation: "ICLR 2024 (oral)" is of "ICLR 2024"."""
    return re.sub(r"\s*\([^()]*\)$", "", venue)


def short_authors(authors: tuple[str, ...]) -> str:
    """ "A", "A and B", or "A et al." (the whole list is on the paper's page)."""
    if len(authors) <= 2:
        return " and ".join(authors)
    return f"{authors[0]} et al."


def paragraphs(text: str | None) -> Markup:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text or "") if block.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(block) for block in blocks)


def heading(level: int, text: str, anchor: str | None = None) -> Markup:
    """A section heading with its id and permalink, as Markdown's `toc` extension would write it."""
    anchor = escape(anchor or slug(plain_title(text)) or f"section-{level}")
    permalink = f'<a class="headerlink" href="#{anchor}" title="Permanent link">&para;</a>'
    return Markup(f'<h{level:d} id="{anchor}">{title_html(text)}{permalink}</h{level:d}>')


def page_url(path: str) -> str:
    """The address of a page file with directory URLs: papers/x.md -> papers/x/."""
    stem = path.removesuffix(".md")
    if stem == "index":
        return ""
    return (stem.removesuffix("/index") if stem.endswith("/index") else stem) + "/"


def template_environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("atlas.site", "templates"),
        bytecode_cache=TEMPLATE_CACHE,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(
        md=md,
        meta_title=meta_title,
        meta_json=meta_json,
        paragraphs=paragraphs,
        slug=slug,
        title_html=title_html,
        plain=plain_title,
        venue_family=venue_family,
        short_authors=short_authors,
    )
    environment.globals.update(heading=heading)
    return environment


@dataclass
class RenderMemo:
    """What one build can hand to the next (`atlas serve`): paper pages by id (with what they were
    made from), references formatted by pybtex (by key and entry text), the parsed data files and the
    words of each paper's text."""

    papers: dict[str, tuple[Any, str]] = field(default_factory=dict)
    references: dict[tuple[str, str], Markup] = field(default_factory=dict)
    parsed: TextMemo = field(default_factory=TextMemo)  # records and citations.bib as parsed
    words: TextMemo = field(default_factory=TextMemo)  # each paper's text as related_papers splits it


@dataclass(frozen=True)
class Rendered:
    """Pages (front matter and HTML body, by the path of their .md file below the docs folder), assets
    (below assets/atlas/) and data files."""

    pages: dict[str, str]
    assets: dict[str, bytes]
    files: dict[str, bytes]


class _Site:
    """Context shared by all pages, computed once from the atlas and its graph."""

    def __init__(self, atlas: Atlas, graph: nx.MultiDiGraph) -> None:
        self.atlas = atlas
        self.graph = graph
        self.paper_counts = atlas_graph.paper_counts(graph)
        self.sub_counts = atlas_graph.subchallenge_counts(graph)
        self.citing = atlas_graph.citing_challenges(graph)
        self.unresolved = {}
        for challenge in atlas.challenges.values():
            for reference in challenge.references:
                if not reference.key:
                    known = self.unresolved.get(reference.number)
                    self.unresolved[reference.number] = known or reference.named
        self.venue_ids = _venue_ids(atlas)
        self.titles = {c.id: c.title for c in atlas.challenges.values()}  # challenge id -> its title
        self.colours = challenge_colours(graph)
        self._labels: dict[str, str] = {}

    def common(self, path: str) -> dict[str, Any]:
        url = page_url(path)
        return {"base": "../" * url.count("/"), "atlas": self.atlas, "kinds": CHALLENGE_KINDS, "link_labels": LINK_LABELS}

    def challenge_label(self, target: str) -> str:
        label = self._labels.get(target)
        if label is None:  # computed once per target: every paper's links ask again and again
            challenge_id, _, sub_id = target.partition("/")
            challenge = self.atlas.challenges[challenge_id]
            sub = challenge.subchallenge(sub_id) if sub_id else None
            label = self._labels[target] = f"{challenge.title} › {sub.title}" if sub else challenge.title
        return label

    def short_label(self, target: str) -> str:
        return self.challenge_label(target).split(" › ")[-1]

    def challenge_href(self, target: str) -> str:
        challenge_id, _, sub_id = target.partition("/")
        return f"challenges/{challenge_id}/" + (f"#{sub_id}" if sub_id else "")


def _venue_ids(atlas: Atlas) -> dict[str, str]:
    """Paper id -> the venue record it belongs to: the venue it names, or the one whose source (the
    ratings digest) listed it as a submission, whatever the decision recorded since."""
    by_name = {venue.name: venue.id for venue in atlas.venues.values()}
    by_seed = {source.seed: venue.id for venue in atlas.venues.values() for source in venue.sources if source.seed}
    found = {}
    for paper in atlas.papers.values():
        venue_id = by_name.get(paper.venue or "") or next((by_seed[s.seed] for s in paper.sources if s.seed in by_seed), None)
        if venue_id:
            found[paper.id] = venue_id
    return found


def render_site(
    atlas: Atlas,
    graph: nx.MultiDiGraph,
    related: Related | Callable[[], Related],
    edition: Edition | None = None,
    added: dict[str, str] | None = None,
    memo: RenderMemo | None = None,
    parallel: bool = False,
) -> Rendered:
    """Every page, asset and file of the site. With `memo` (kept by `atlas serve` between rebuilds),
    a paper page whose content would not change and a reference already formatted are reused; with
    `parallel`, a forked process renders half the paper pages."""
    edition = edition or Edition("unversioned", "", "/", (f"{NAME} contributors",))
    site = _Site(atlas, graph)
    environment = template_environment()
    environment.globals.update(label=site.challenge_label, short_label=site.short_label, href=site.challenge_href)
    pages: dict[str, str] = {}
    formatted_entries: dict[tuple[str, str], Markup] = memo.references if memo is not None else {}

    def formatted(entry: BibEntry) -> Markup:  # pybtex is slow: each entry formatted once (per `memo`)
        key = (entry.key, entry_bibtex(entry))
        if key not in formatted_entries:
            formatted_entries[key] = entry_html(entry)
        return formatted_entries[key]

    def emit(path: str, template: str, **context: Any) -> None:
        pages[path] = environment.get_template(template).render(**site.common(path), **context)

    challenge_rows = [(challenge, site.paper_counts.get(challenge.id, 0)) for challenge in atlas.challenges.values()]
    links = sum(len(paper.challenges) for paper in atlas.papers.values())
    emit(
        "index.md",
        "home.html.j2",
        challenge_rows=challenge_rows,
        numbers={
            "challenges": len(atlas.challenges),
            "subchallenges": sum(len(c.subchallenges) for c in atlas.challenges.values()),
            "papers": len(atlas.papers),
            "links": links,
            "references": len(atlas.bibliography) - len(atlas.papers),
            "unresolved": len(site.unresolved),
        },
        headlines=_headlines(site),
        edition=edition,
        titles=site.titles,
    )
    emit("challenges/index.md", "challenges.html.j2", challenge_rows=challenge_rows)
    emit("stats.md", "stats.html.j2", **_statistics(site))
    legend = [(challenge, site.colours[challenge.id]) for challenge in atlas.challenges.values()]
    counts = {
        "challenges": len(atlas.challenges),
        "subchallenges": sum(len(c.subchallenges) for c in atlas.challenges.values()),
        "papers": len(atlas.papers),
        "per_challenge": site.paper_counts,
    }
    emit(
        "graph/index.md",
        "graph.html.j2",
        legend=legend,
        counts=counts,
        years=sorted({p.year for p in atlas.papers.values() if p.year}, reverse=True),
        venues=sorted({p.venue for p in atlas.papers.values() if p.venue}),
    )
    positions = layout(graph)
    svg = environment.get_template("graph.svg.j2").render(picture=whole_picture(graph, positions), counts=counts, base="../")
    for challenge in atlas.challenges.values():
        by_sub: dict[str | None, list[tuple[Paper, Any]]] = defaultdict(list)
        for paper, link in atlas.papers_for(challenge.id):
            by_sub[link.sub].append((paper, link))
        for group in by_sub.values():
            group.sort(key=lambda pair: (-(pair[0].year or 0), title_sort_key(pair[0].title)))
        entries = atlas.bibliography
        emit(
            f"challenges/{challenge.id}.md",
            "challenge.html.j2",
            challenge=challenge,
            by_sub=by_sub,
            paper_count=site.paper_counts.get(challenge.id, 0),
            kind_counts=Counter(link.kind for _, link in atlas.papers_for(challenge.id)),
            references=[(ref, entries.get(ref.key) if ref.key else None) for ref in challenge.references],
            entry_html=formatted,
            related_titles=site.titles,
            local=local_layout(graph, challenge.id),
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
    emit("papers/index.md", "papers.html.j2", papers=list(atlas.papers.values()), venue_ids=site.venue_ids)
    emit(
        "references.md",
        "references.html.j2",
        entries=sorted(
            (e for e in atlas.bibliography.values() if e.key not in atlas.papers),
            key=lambda e: (e.surveyref or 0, e.key),
        ),
        paper_count=len(atlas.papers),
        unresolved=sorted(site.unresolved.items()),
        citing=site.citing,
        entry_html=formatted,
        entry_links=entry_links,
        challenge_titles=site.titles,
    )
    for venue in atlas.venues.values():
        venue_papers = sorted(
            (p for p in atlas.papers.values() if site.venue_ids.get(p.id) == venue.id),
            key=lambda p: (-(p.ratings.average or 0) if p.ratings else 0, title_sort_key(p.title)),
        )
        emit(f"venues/{venue.id}.md", "venue.html.j2", venue=venue, papers=venue_papers)
    assets = {name: _asset(name) for name in ASSETS}
    files = {"data/graph.json": to_json(with_layout(graph, positions)).encode("utf-8"), "graph/graph.svg": svg.encode("utf-8")}
    files.update(_exports(atlas, edition))
    files.update(_feeds(site, environment, edition, added or {}))
    for challenge in atlas.challenges.values():
        emit(
            f"challenges/{challenge.id}/reading.md",
            "reading.html.j2",
            challenge=challenge,
            sections=reading_list(atlas, challenge, limit=HANDOUT_LIMIT),
            limit=HANDOUT_LIMIT,
            total=len({paper.id for paper, _ in atlas.papers_for(challenge.id)}),
            edition=edition,
        )
    redirect = environment.get_template("redirect.html.j2")
    for folder, records in (("challenges", atlas.challenges.values()), ("papers", atlas.papers.values())):
        for record in records:
            for alias in record.aliases:
                files[f"{folder}/{alias}/index.html"] = redirect.render(target=f"../{record.id}/", title=plain_title(record.title)).encode(
                    "utf-8"
                )
    nearest = related() if callable(related) else related  # last: it may still be computed on the other core

    def paper_context(paper: Paper) -> dict[str, Any]:
        entry = atlas.bibliography.get(paper.id)
        return {
            "paper": paper,
            "bibtex": entry_bibtex(entry) if entry else "",
            "related": tuple((atlas.papers[other], score) for other, score in nearest.get(paper.id, [])),
            "venue_id": site.venue_ids.get(paper.id),
            "citation": page_citation(edition, f"atlas-paper-{paper.id}", plain_title(paper.title), f"papers/{paper.id}/"),
            "paper_meta": paper_meta(paper, plain_title(paper.title)),
        }

    def paper_pages(papers: list[Paper]) -> list[str]:
        template = environment.get_template("paper.html.j2")
        return [template.render(**site.common(f"papers/{paper.id}.md"), **paper_context(paper)) for paper in papers]

    papers = list(atlas.papers.values())
    if memo is None:
        # With `parallel`, every second paper page is rendered by a forked process meanwhile.
        elsewhere = Forked(paper_pages, papers[1::2], fork=parallel and len(papers) >= PARALLEL_PAPERS)
        here = paper_pages(papers[0::2])
        there = elsewhere.result()
        for position, paper in enumerate(papers):  # in the papers' order, as a single process gives them
            pages[f"papers/{paper.id}.md"] = (there if position % 2 else here)[position // 2]
        return Rendered(pages, assets, files)
    for paper in papers:
        context = paper_context(paper)
        path = f"papers/{paper.id}.md"
        # Everything the page shows: its context and the labels of the challenges it links to.
        key = (tuple(context.values()), tuple(site.challenge_label(link.target) for link in paper.challenges))
        known = memo.papers.get(paper.id)
        if known is None or known[0] != key:
            emit(path, "paper.html.j2", **context)
            memo.papers[paper.id] = (key, pages[path])
        pages[path] = memo.papers[paper.id][1]
    for gone in memo.papers.keys() - atlas.papers.keys():  # a paper removed since is forgotten
        del memo.papers[gone]
    return Rendered(pages, assets, files)


def _asset(name: str) -> bytes:
    """One of the atlas' own scripts or styles, minified (every page loads them); vendored files as shipped."""
    text = resources.files("atlas.site").joinpath("assets", name).read_text(encoding="utf-8")
    if not name.startswith("vendor/"):
        if name.endswith(".js"):
            text = rjsmin.jsmin(text)
        elif name.endswith(".css"):
            text = rcssmin.cssmin(text)
    return text.encode("utf-8")


def _exports(atlas: Atlas, edition: Edition) -> dict[str, bytes]:
    """citations.bib and a reading-list.bib per challenge and sub-challenge."""
    stamp = f"{NAME}, version {edition.version} of {edition.date}. {edition.site_url}"
    files = {"citations.bib": export_bibtex(list(atlas.bibliography.values()), f"The bibliography of the {stamp}").encode()}
    for challenge in atlas.challenges.values():
        pairs = atlas.papers_for(challenge.id)
        keys = list(dict.fromkeys(paper.id for paper, _ in pairs if paper.id in atlas.bibliography))
        header = f"Papers linked to '{challenge.title}' in the {stamp}"
        files[f"challenges/{challenge.id}/reading-list.bib"] = export_bibtex([atlas.bibliography[k] for k in keys], header).encode()
        for sub in challenge.subchallenges:
            sub_keys = list(dict.fromkeys(p.id for p, link in pairs if link.sub == sub.id and p.id in atlas.bibliography))
            sub_header = f"Papers linked to '{challenge.title}: {sub.title}' in the {stamp}"
            path = f"challenges/{challenge.id}/reading-list-{sub.id}.bib"
            files[path] = export_bibtex([atlas.bibliography[k] for k in sub_keys], sub_header).encode()
    return files


def _feeds(site: _Site, environment: Environment, edition: Edition, added: dict[str, str]) -> dict[str, bytes]:
    """Atom and JSON feeds of papers as they were added (dates from git), overall and per challenge."""
    atlas = site.atlas
    fallback = f"{edition.date or '1970-01-01'}T00:00:00+00:00"
    items = []
    for paper in atlas.papers.values():
        reasons = " ".join(f"{site.challenge_label(link.target)} ({link.kind}): {link.why}" for link in paper.challenges)
        items.append(
            {
                "id": paper.id,
                "title": plain_title(paper.title),
                "url": f"{edition.site_url}papers/{paper.id}/",
                "date": added.get(paper.id, fallback),
                "summary": reasons,
                "categories": list(dict.fromkeys(link.challenge for link in paper.challenges)),
            }
        )
    items.sort(key=lambda item: (item["date"], item["id"]), reverse=True)
    template = environment.get_template("feed.xml.j2")
    files: dict[str, bytes] = {}

    def atom(path: str, title: str, page: str, chosen: list[dict[str, Any]]) -> None:
        updated = chosen[0]["date"] if chosen else fallback
        files[path] = template.render(
            title=title,
            self_url=edition.site_url + path,
            page_url=edition.site_url + page,
            updated=updated,
            authors=edition.authors,
            items=chosen,
        ).encode("utf-8")

    atom("feed.xml", NAME, "", items[:FEED_LENGTH])
    json_feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": NAME,
        "home_page_url": edition.site_url,
        "feed_url": edition.site_url + "feed.json",
        "authors": [{"name": name} for name in edition.authors],
        "items": [
            {
                "id": i["url"],
                "url": i["url"],
                "title": i["title"],
                "date_published": i["date"],
                "summary": i["summary"],
                "tags": i["categories"],
            }
            for i in items[:FEED_LENGTH]
        ],
    }
    files["feed.json"] = json.dumps(json_feed, ensure_ascii=False, indent=1).encode("utf-8")
    for challenge in atlas.challenges.values():
        chosen = [item for item in items if challenge.id in item["categories"]][:FEED_LENGTH]
        atom(f"challenges/{challenge.id}/feed.xml", f"{NAME}: {challenge.title}", f"challenges/{challenge.id}/", chosen)
    return files


def _headlines(site: _Site) -> dict[str, Any]:
    atlas = site.atlas
    ranked = sorted(atlas.challenges.values(), key=lambda c: (-site.paper_counts.get(c.id, 0), c.section))
    pairs = atlas_graph.co_occurrence(site.graph).most_common(1)
    subs = [f"{c.id}/{s.id}" for c in atlas.challenges.values() for s in c.subchallenges]
    return {
        "most": ranked[0],
        "most_count": site.paper_counts.get(ranked[0].id, 0),
        "least": ranked[-1],
        "least_count": site.paper_counts.get(ranked[-1].id, 0),
        "two_or_more": len(atlas_graph.bridging_papers(site.graph, at_least=2)),
        "pair": pairs[0][0] if pairs else None,
        "pair_count": pairs[0][1] if pairs else 0,
        "empty_subs": sum(1 for target in subs if not site.sub_counts.get(target)),
    }


def _statistics(site: _Site) -> dict[str, Any]:
    """The numbers of the statistics page, each as (label, value, link) rows for a chart and its table."""
    atlas, graph = site.atlas, site.graph
    titles = site.titles
    per_challenge = [(c.title, site.paper_counts.get(c.id, 0), f"challenges/{c.id}/") for c in atlas.challenges.values()]
    per_target = []
    for challenge in atlas.challenges.values():
        for sub in challenge.subchallenges:
            per_target.append((sub.title, site.sub_counts.get(f"{challenge.id}/{sub.id}", 0), f"challenges/{challenge.id}/#{sub.id}"))
        if site.sub_counts.get(challenge.id):
            per_target.append((f"{challenge.title} (as a whole)", site.sub_counts[challenge.id], f"challenges/{challenge.id}/#general"))
    years = Counter(paper.year for paper in atlas.papers.values())
    per_year = [(str(year), years[year], f"papers/?year={year}") for year in sorted(y for y in years if y)]
    if years.get(None):
        per_year.append(("Not given", years[None], "papers/?year=none"))
    known_years = sorted(y for y in years if y)
    by_year = Counter((challenge_id, paper.year) for paper in atlas.papers.values() if paper.year for challenge_id in paper.challenge_ids)
    year_rows = [(c.id, c.title, [by_year[(c.id, year)] for year in known_years]) for c in atlas.challenges.values()]
    venues = Counter(paper.venue for paper in atlas.papers.values())
    per_venue = [
        (venue, count, f"papers/?venue={venue}")
        for venue, count in sorted(((v, c) for v, c in venues.items() if v), key=lambda vc: (-vc[1], vc[0]))
    ]
    if venues.get(None):
        per_venue.append(("Not given", venues[None], "papers/?venue=none"))
    pairs = atlas_graph.co_occurrence(graph)
    symmetric = {**pairs, **{(b, a): value for (a, b), value in pairs.items()}}
    ratings = [paper.ratings.average for paper in atlas.papers.values() if paper.ratings and paper.ratings.average is not None]
    bins = Counter(min(int(rating * 2) / 2, 9.5) for rating in ratings)
    rating_bins = [(f"{low:.1f}-{low + 0.5:.1f}", bins[low], None) for low in sorted(bins)]
    targets = [(f"{c.id}/{s.id}", s.title, c.title) for c in atlas.challenges.values() for s in c.subchallenges]
    least = sorted(((t, label, ct, site.sub_counts.get(t, 0)) for t, label, ct in targets), key=lambda row: (row[3], row[0]))[:8]
    return {
        "totals": {"papers": len(atlas.papers), "links": sum(len(p.challenges) for p in atlas.papers.values())},
        "per_challenge": per_challenge,
        "per_target": per_target,
        "per_year": per_year,
        "per_venue": per_venue,
        "years": known_years,
        "year_rows": year_rows,
        "year_max": max((n for _, _, counts in year_rows for n in counts), default=1) or 1,
        "challenge_ids": list(atlas.challenges),
        "titles": titles,
        "short_titles": {cid: title if len(title) <= 22 else title[:21] + "…" for cid, title in titles.items()},
        "pairs": symmetric,
        "pair_max": max(pairs.values(), default=1),
        "pair_rows": pairs.most_common(),
        "bridging": [atlas.papers[paper_id] for paper_id in atlas_graph.bridging_papers(graph)],
        "two_challenge_count": sum(1 for p in atlas.papers.values() if len({link.challenge for link in p.challenges}) == 2),
        "least_covered": least,
        "rating_bins": rating_bins,
        "rated_count": len(ratings),
    }
