"""The files beside the pages: the .bib exports and the Atom and JSON feeds."""

from __future__ import annotations

import json
from functools import partial
from typing import Any, TypedDict

from jinja2 import Environment

from atlas.records.mathtext import plain_prose, plain_title, title_sort_key
from atlas.records.model import Atlas, Paper
from atlas.site.bibexport import export_bibtex
from atlas.site.cite import NAME, Edition
from atlas.site.context import SiteContext
from atlas.site.reuse import Reuse, never


def exports(atlas: Atlas, edition: Edition) -> dict[str, bytes]:
    """citations.bib and a reading-list.bib per challenge and sub-challenge."""
    stamp = f"{NAME}, version {edition.version} of {edition.date}. {edition.site_url}"
    files = {"citations.bib": export_bibtex(list(atlas.bibliography.values()), f"The bibliography of the {stamp}", atlas.papers).encode()}
    for challenge in atlas.challenges.values():
        pairs = atlas.papers_for(challenge.id)
        keys = list(dict.fromkeys(paper.id for paper, _ in pairs if paper.id in atlas.bibliography))
        header = f"Papers linked to '{challenge.title}' in the {stamp}"
        entries = [atlas.bibliography[k] for k in keys]
        files[f"challenges/{challenge.id}/reading-list.bib"] = export_bibtex(entries, header, atlas.papers).encode()
        for sub in challenge.subchallenges:
            sub_keys = list(dict.fromkeys(p.id for p, link in pairs if link.sub == sub.id and p.id in atlas.bibliography))
            sub_header = f"Papers linked to '{challenge.title}: {sub.title}' in the {stamp}"
            path = f"challenges/{challenge.id}/reading-list-{sub.id}.bib"
            files[path] = export_bibtex([atlas.bibliography[k] for k in sub_keys], sub_header, atlas.papers).encode()
    return files


class FeedItem(TypedDict):
    """One paper as both feeds give it; the Atom template and the JSON feed read the same item."""

    id: str
    title: str
    url: str
    date: str
    authors: list[str]
    summary: str
    content: str
    categories: list[str]
    questions: list[str]


def _content(summary: str, paper: Paper) -> str:
    """An item's text: why the paper is in the atlas, then its abstract as plain Unicode."""
    return summary + ("\n\n" + plain_prose(paper.abstract).strip() if paper.abstract else "")


def feeds(
    site: SiteContext, environment: Environment, edition: Edition, added: dict[str, str], rendered: Reuse = never
) -> dict[str, bytes]:
    """Atom and JSON feeds of every paper, newest first by the commit that added it (then by title),
    overall and per challenge; each item names the paper's authors. `rendered` may give an item or a
    file made from the same inputs before (`atlas serve`): an item is a function of its paper and date,
    of the edition and of the challenges."""
    atlas = site.atlas
    fallback = f"{edition.date or '1970-01-01'}T00:00:00+00:00"
    papers = sorted(atlas.papers.values(), key=lambda paper: title_sort_key(paper.title))
    items = [_item(site, paper, edition, added.get(paper.id, fallback), rendered) for paper in papers]
    items.sort(key=lambda item: item["date"], reverse=True)  # stable: papers added together stay in title order
    template = environment.get_template("feed.xml.j2")
    files: dict[str, bytes] = {}

    def atom(path: str, title: str, page: str, chosen: list[FeedItem]) -> None:
        context = {
            "title": title,
            "self_url": edition.site_url + path,
            "page_url": edition.site_url + page,
            "updated": chosen[0]["date"] if chosen else fallback,
            "authors": edition.authors,
            "items": chosen,
        }
        files[path] = rendered(path, context, lambda: template.render(**context).encode("utf-8"))

    atom("feed.xml", NAME, "", items)
    files["feed.json"] = rendered("feed.json", items, lambda: json_feed_text(edition, items, rendered))
    for challenge in atlas.challenges.values():
        chosen = [item for item in items if challenge.id in item["categories"]]
        atom(f"challenges/{challenge.id}/feed.xml", f"{NAME}: {challenge.title}", f"challenges/{challenge.id}/", chosen)
    return files


def _reasons(site: SiteContext, paper: Paper) -> str:
    """Why the paper is in the atlas: each challenge link's kind and why line, then the open questions it takes up."""
    reasons = " ".join(f"{site.challenge_label(link.target)} ({link.kind}): {link.why}" for link in paper.challenges)
    asked = [site.atlas.challenges[link.challenge].question(q) for link in paper.challenges for q in link.questions]
    if asked:
        reasons += " Open questions it takes up: " + " ".join(question.text for question in asked if question)
    if paper.fits_none:
        reasons = f"Outside the survey's challenges: {paper.fits_none}"
    return reasons


def _item(site: SiteContext, paper: Paper, edition: Edition, date: str, rendered: Reuse) -> FeedItem:
    return rendered(f"feed item {paper.id}", (paper, date), lambda: _feed_item(site, paper, edition, date))


def _feed_item(site: SiteContext, paper: Paper, edition: Edition, date: str) -> FeedItem:
    """One paper as an item of the feeds, dated by the commit that added it."""
    reasons = _reasons(site, paper)
    return {
        "id": paper.id,
        "title": plain_title(paper.title),
        "url": f"{edition.site_url}papers/{paper.id}/",
        "date": date,
        "authors": list(paper.authors),
        "summary": reasons,
        "content": _content(reasons, paper),
        "categories": list(dict.fromkeys(link.challenge for link in paper.challenges)),
        "questions": [f"{link.challenge}/{q}" for link in paper.challenges for q in link.questions],
    }


def _json_feed(edition: Edition, items: list[FeedItem]) -> dict[str, Any]:
    """The JSON Feed 1.1 document of every item; questions become `question:challenge/id` tags."""
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": NAME,
        "home_page_url": edition.site_url,
        "feed_url": edition.site_url + "feed.json",
        "authors": [{"name": name} for name in edition.authors],
        "items": [_json_item(i) for i in items],
    }


def _json_item(i: FeedItem) -> dict[str, Any]:
    return {
        "id": i["url"],
        "url": i["url"],
        "title": i["title"],
        "date_published": i["date"],
        "summary": i["summary"],
        "content_text": i["content"],
        "tags": i["categories"] + [f"question:{q}" for q in i["questions"]],
    } | ({"authors": [{"name": name} for name in i["authors"]]} if i["authors"] else {})


_ITEMS_SLOT = "atlas-feed-items-go-here"


def json_feed_text(edition: Edition, items: list[FeedItem], rendered: Reuse = never) -> bytes:
    """feed.json as `json.dumps(_json_feed(edition, items), ensure_ascii=False, indent=1)` writes it
    (a test holds them equal), each item's text written once for its item (`rendered`): indented,
    the document is written by json's Python encoder, a tenth of a second for the real atlas' feed."""
    texts = [rendered(f"feed.json item {i['id']}", i, partial(_indented, i)) for i in items]
    head = json.dumps({**_json_feed(edition, []), "items": _ITEMS_SLOT}, ensure_ascii=False, indent=1)
    slot = head.rindex(json.dumps(_ITEMS_SLOT))  # "items" is the document's last member
    listed = "[\n  " + ",\n  ".join(texts) + "\n ]" if texts else "[]"
    return (head[:slot] + listed + head[slot + len(json.dumps(_ITEMS_SLOT)) :]).encode("utf-8")


def _indented(i: FeedItem) -> str:
    """An item as the document's list holds it, two levels in (JSON escapes a newline in a string:
    every newline of the text is the encoder's own)."""
    return json.dumps(_json_item(i), ensure_ascii=False, indent=1).replace("\n", "\n  ")
