"""A synthetic atlas of 1,200 papers (tests/synthetic.py, from the real records), built for real:
long lists stay light. Challenge pages show the newest papers of each sub-challenge and question and
lead to all of them; venue and outside pages are paged; the table's chunks hold every row once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from atlas.cli import main
from atlas.pipeline import valid_atlas
from atlas.site.context import venue_ids
from atlas.site.paging import PAGE_SIZE
from atlas.site.paper_index import index_files, index_row, table_order
from atlas.site.render import HANDOUT_LIMIT, LIST_LIMIT, QUESTION_LIMIT

from synthetic import make_atlas

PAPERS = 1200


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    root = make_atlas(tmp_path_factory.mktemp("scaled") / "atlas", PAPERS)
    site = root.parent / "site"
    assert main(["--root", str(root), "build", "--site-dir", str(site)]) == 0
    return valid_atlas(root), site


def html_of(site: Path, address: str) -> BeautifulSoup:
    return BeautifulSoup((site / address / "index.html").read_text(encoding="utf-8"), "html.parser")


def paper_ids(node) -> list[str]:
    return [a["href"].rstrip("/").rsplit("/", 1)[-1] for a in node.select("a[href*='papers/']") if "?" not in a["href"]]


def test_a_challenge_page_lists_the_newest_papers_of_each_sub_challenge_and_links_to_all(scaled):
    atlas, site = scaled
    capped = 0
    for challenge in atlas.challenges.values():
        html = html_of(site, f"challenges/{challenge.id}")
        for sub in challenge.subchallenges:
            linked = [p for p, link in atlas.papers_for(challenge.id) if link.sub == sub.id]
            listed = paper_ids(html.find("div", attrs={"data-sub": sub.id}).find("ul", class_="atlas-paper-list") or html.new_tag("ul"))
            assert len(listed) == min(LIST_LIMIT, len(linked))
            more = html.find("div", attrs={"data-sub": sub.id}).find("p", class_="atlas-more")
            if len(linked) > LIST_LIMIT:
                capped += 1
                hidden_years = [p.year for p in linked if p.id not in listed]
                assert min(atlas.papers[i].year for i in listed) >= max(hidden_years)  # the newest are shown
                assert more.a["href"] == f"../../papers/?challenge={challenge.id}/{sub.id}&sort=-year"
            else:
                assert more is None
        check_question_lists(atlas, challenge, html, QUESTION_LIMIT, "../../", lambda item: item.find("p", class_="atlas-meta"))
    assert capped > 10


def check_question_lists(atlas, challenge, html, limit: int, base: str, papers_of=lambda item: item) -> int:
    """Each open question's item on the page names `limit` of the papers addressing it at most, and leads
    to all of them when there are more; returns how many questions have more."""
    longer = 0
    for question in challenge.open_questions:
        item = html.find("li", id=question.id)
        addressing = atlas.addressing(challenge.id, question.id)
        assert len(paper_ids(papers_of(item))) == min(limit, len(addressing))
        if len(addressing) > limit:
            longer += 1
            assert item.find("a", href=f"{base}papers/?question={challenge.id}/{question.id}")
    return longer


def test_venue_and_outside_pages_are_paged_and_together_list_every_paper_once(scaled):
    atlas, site = scaled
    venue = next(v for v in atlas.venues.values() if v.id == "iclr-2024-submission")
    expected = {paper_id for paper_id, venue_id in venue_ids(atlas).items() if venue_id == venue.id}
    assert len(expected) > PAGE_SIZE
    count = -(-len(expected) // PAGE_SIZE)
    listed = []
    for number in range(1, count + 1):
        html = html_of(site, f"venues/{venue.id}" + (f"/page-{number}" if number > 1 else ""))
        rows = paper_ids(html.select("article table")[-1])
        assert len(rows) == (PAGE_SIZE if number < count else len(expected) - PAGE_SIZE * (count - 1))
        assert html.select_one("nav.atlas-pager span[aria-current=page]").get_text() == str(number)
        listed += rows
    assert not (site / "venues" / venue.id / f"page-{count + 1}").exists()
    assert len(listed) == len(set(listed)) and set(listed) == expected
    outside = {paper.id for paper in atlas.outside}
    pages = -(-len(outside) // PAGE_SIZE)
    assert pages > 1
    shown = [i for n in range(1, pages + 1) for i in paper_ids(html_of(site, "outside" + (f"/page-{n}" if n > 1 else "")).find("article"))]
    assert sorted(shown) == sorted(outside)


def test_the_pager_links_lead_to_pages_that_exist(scaled):
    _, site = scaled
    for page in (site / "venues").rglob("index.html"):
        html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for link in html.select("nav.atlas-pager a"):
            target = (page.parent / link["href"]).resolve() / "index.html"
            assert target.exists(), (page, link["href"])


def test_the_table_chunks_join_into_every_row_in_the_table_order(scaled):
    atlas, site = scaled
    ordered = table_order(list(atlas.papers.values()))
    files = index_files(ordered, size=500)
    assert sorted(files) == [f"data/papers-{n}.json" for n in range(3)] + [f"data/papers-text-{n}.json" for n in range(3)]
    joined = [row for n in range(3) for row in json.loads(files[f"data/papers-{n}.json"])]
    assert joined == [index_row(paper) for paper in ordered]
    built = json.loads((site / "data" / "papers-0.json").read_text(encoding="utf-8"))
    assert [row[0] for row in built] == [paper.id for paper in ordered]  # one chunk of 2,000 rows in the built site
    assert len(html_of(site, "papers").select("#atlas-papers tbody tr")) == 100


def test_a_handout_names_a_few_papers_per_prompt_and_leads_to_the_rest(scaled):
    atlas, site = scaled
    longer = 0
    for challenge in atlas.challenges.values():
        html = html_of(site, f"challenges/{challenge.id}/reading")
        longer += check_question_lists(atlas, challenge, html, HANDOUT_LIMIT, "../../../")
    assert longer > 0
