"""The papers' table: its first rows in the page, every row in JSON chunks, and in Chromium its
filters, sorting, downloads, growing list and cards on a phone."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser, Page
from pybtex.database import parse_string

from atlas.records.mathtext import plain_title
from atlas.records.names import LOWER_CASE_PARTICLES
from atlas.site.paper_index import CHUNK_ROWS, FIRST_ROWS

from conftest import Watched, real_atlas

pytestmark = pytest.mark.browser
ATLAS, _ = real_atlas()
PAPERS = list(ATLAS.papers.values())
READY = "!/Loading|Searching/.test(document.getElementById('atlas-filter-count').textContent)"


def loose(title: str) -> str:
    """A title's letters and digits only, in lower case (a superscript ³ as 3, é as e): how a reader
    expects A to Z to run."""
    return re.sub(r"[^a-z0-9]+", " ", unicodedata.normalize("NFKD", plain_title(title)).lower()).strip()


def everything_about(paper) -> str:
    return " ".join([plain_title(paper.title), *paper.authors, *paper.keywords, paper.abstract or ""]).lower()


def finds(term: str, paper) -> bool:
    """Whether the text box finds `term` in a paper: where a word of it starts (after no letter or digit)."""
    return re.search(r"(?<![^\W_])" + re.escape(term.lower()), everything_about(paper)) is not None


LOWER = LOWER_CASE_PARTICLES  # the list is data; the rule below is the test's own


def family_first(name: str) -> str:
    """A name as "Authors, A to Z" should file it: family name, then given names, letters and digits only,
    without case or accents. The family name starts at a lower-case particle ("de Las Casas"), or is the
    last word with the capitalised particles before it ("De la Torre"; "Thanh Van Le" is Le), never the first word."""
    words = name.split()
    while len(words) > 1 and words[-1].lower().strip(".,") in {"jr", "sr", "ii", "iii", "iv"}:
        words.pop()
    lower = [i for i, word in enumerate(words[1:-1], 1) if word in LOWER]
    start = lower[0] if lower else len(words) - 1
    if not lower and words[-1].title() not in {w.title() for w in LOWER} | {"El"}:
        while start > 1 and words[start - 1][:1].isupper() and words[start - 1].lower() in LOWER | {"el"}:
            start -= 1
    given, family = " ".join(words[:start]), " ".join(words[start:])
    bare = lambda text: "".join(c for c in unicodedata.normalize("NFKD", text) if c.isalnum()).casefold()  # noqa: E731
    return f"{bare(family)} {bare(given)}"


def chunk_rows(site: Path, prefix: str) -> list:
    rows, number = [], 0
    while (site / "data" / f"{prefix}{number}.json").exists():
        rows += json.loads((site / "data" / f"{prefix}{number}.json").read_text(encoding="utf-8"))
        number += 1
    return rows


def test_the_page_holds_the_first_rows_by_title_and_the_chunks_hold_every_paper(built_site: Path):
    html = BeautifulSoup((built_site / "papers" / "index.html").read_text(encoding="utf-8"), "html.parser")
    shown = [row["data-id"] for row in html.select("#atlas-papers tbody tr")]
    assert len(shown) == min(FIRST_ROWS, len(PAPERS)) < len(PAPERS)
    titles = [loose(ATLAS.papers[paper_id].title) for paper_id in shown]
    assert titles == sorted(titles)  # the order the indicator (Title, ascending) promises
    assert html.select_one("th[aria-sort]")["data-sort"] == "title" and html.select_one("th[aria-sort]")["aria-sort"] == "ascending"
    meta = json.loads(html.select_one("#atlas-papers")["data-meta"])
    rows, texts = chunk_rows(built_site, "papers-"), chunk_rows(built_site, "papers-text-")
    assert meta["total"] == len(rows) == len(texts) == len(PAPERS) and meta["chunks"] == -(-len(PAPERS) // CHUNK_ROWS)
    column = {name: position for position, name in enumerate(meta["columns"])}
    assert [row[column["id"]] for row in rows[: len(shown)]] == shown
    for row, text in zip(rows, texts, strict=True):
        paper = ATLAS.papers[row[column["id"]]]
        assert row[column["title"]] == plain_title(paper.title) and row[column["authors"]] == list(paper.authors)
        assert row[column["year"]] == paper.year and row[column["venue"]] == paper.venue
        assert set(row[column["targets"]]) == {link.target for link in paper.challenges}
        assert all(target in meta["labels"] for target in row[column["targets"]])
        assert (paper.abstract or "").lower() in text


def count(page: Page) -> str:
    page.wait_for_function(READY)
    return page.inner_text("#atlas-filter-count")


def all_rows(page: Page) -> list[str]:
    """Every row of the current result, pressing "Show more" until the list ends."""
    page.wait_for_function(READY)
    page.wait_for_function("() => { const more = document.querySelector('button.atlas-show-more'); if (more) more.click(); return !more; }")
    return page.locator("#atlas-papers tbody tr").evaluate_all("rows => rows.map(row => row.dataset.id)")


def column_texts(page: Page, name: str) -> list[str]:
    return page.locator(f"#atlas-papers tbody td.atlas-col-{name}").evaluate_all("cells => cells.map(cell => cell.textContent)")


def test_filters_take_challenges_sub_challenges_kinds_years_and_words_of_the_abstract(watched: Watched, site_url: str):
    page = watched.page
    page.goto(site_url + "papers/?challenge=efficiency/quantization")
    quantization = {p.id for p in PAPERS if any(link.target == "efficiency/quantization" for link in p.challenges)}
    assert count(page) == f"{len(quantization)} of {len(PAPERS)} papers" and set(all_rows(page)) == quantization
    assert page.locator("#atlas-filter-challenge").input_value() == "efficiency/quantization"
    page.select_option("#atlas-filter-challenge", "causality")
    causality = {p.id for p in PAPERS if "causality" in p.challenge_ids}
    assert count(page) == f"{len(causality)} of {len(PAPERS)} papers" and set(all_rows(page)) == causality
    assert "challenge=causality" in page.url
    page.select_option("#atlas-filter-challenge", "")
    page.select_option("#atlas-filter-kind", "survey")
    assert set(all_rows(page)) == {p.id for p in PAPERS if "survey" in p.kinds}
    page.select_option("#atlas-filter-kind", "")
    page.select_option("#atlas-filter-year", "none")
    assert set(all_rows(page)) == {p.id for p in PAPERS if p.year is None}
    page.select_option("#atlas-filter-year", "")
    # A word of some abstracts that no title, author or keyword holds: only the abstracts can find it.
    word = next(
        w for p in PAPERS for w in re.findall(r"[a-z]{9,}", (p.abstract or "").lower())
        if not any(w in " ".join([plain_title(q.title), *q.authors, *q.keywords]).lower() for q in PAPERS)
    )  # fmt: skip
    page.fill("#atlas-filter-text", f"  {word.upper()} ")
    assert set(all_rows(page)) == {p.id for p in PAPERS if finds(word, p)} != set()
    page.fill("#atlas-filter-text", "yoshua bengio")  # every word, anywhere
    assert set(all_rows(page)) == {p.id for p in PAPERS if finds("yoshua", p) and finds("bengio", p)}
    page.fill("#atlas-filter-text", "")
    page.select_option("#atlas-filter-venue", "ICLR 2024")
    iclr = {p.id for p in PAPERS if p.venue and re.sub(r" \(.*\)$", "", p.venue) == "ICLR 2024"}
    assert set(all_rows(page)) == iclr and len(iclr) > sum(p.venue == "ICLR 2024" for p in PAPERS)


def test_sorting_keeps_blanks_last_either_way_and_the_indicator_matches(watched: Watched, site_url: str):
    page = watched.page
    page.goto(site_url + "papers/")
    year = page.locator("#atlas-papers th[data-sort=year]")
    year.click()
    assert year.get_attribute("aria-sort") == "descending" and page.locator("#atlas-filter-sort").input_value() == "-year"
    all_rows(page)
    shown = column_texts(page, "year")
    years = [int(y) for y in shown if y]
    assert years == sorted(years, reverse=True) and len(shown) == len(PAPERS)
    assert shown[len(years) :] == [""] * sum(not p.year for p in PAPERS)  # a paper without a year comes last
    year.click()
    assert year.get_attribute("aria-sort") == "ascending" and "sort=year" in page.url
    all_rows(page)
    shown = column_texts(page, "year")
    assert [int(y) for y in shown if y] == sorted(years) and shown[len(years) :] == [""] * (len(shown) - len(years))
    venue = page.locator("#atlas-papers th[data-sort=venue]")
    for direction in ("ascending", "descending"):
        venue.click()
        assert venue.get_attribute("aria-sort") == direction and year.get_attribute("aria-sort") is None
        all_rows(page)
        venues = column_texts(page, "venue")
        named = [v for v in venues if v]
        assert named == sorted(named, key=str.lower, reverse=direction == "descending")
        assert venues[len(named) :] == [""] * sum(not p.venue for p in PAPERS) != []  # papers without a venue come last
    page.select_option("#atlas-filter-sort", "-rating")
    assert page.locator("#atlas-papers th[data-sort=rating]").get_attribute("aria-sort") == "descending"
    all_rows(page)
    ratings = [float(r) for r in column_texts(page, "rating") if r]
    assert ratings == sorted(ratings, reverse=True) and ratings[0] == round(max(p.ratings.average for p in PAPERS if p.ratings), 2)
    assert column_texts(page, "rating")[len(ratings) :] == [""] * (len(PAPERS) - len(ratings))


def test_reset_brings_back_every_paper_in_title_order(watched: Watched, site_url: str):
    page = watched.page
    page.goto(site_url + "papers/?kind=theory&sort=-year&text=model")
    assert count(page) != f"{len(PAPERS)} of {len(PAPERS)} papers"
    page.locator("button.atlas-filter-reset").click()
    page.wait_for_function(f"document.getElementById('atlas-filter-count').textContent === '{len(PAPERS)} of {len(PAPERS)} papers'")
    assert page.url.endswith("/papers/") and page.locator("#atlas-filter-text").input_value() == ""
    assert page.locator("#atlas-papers th[data-sort=title]").get_attribute("aria-sort") == "ascending"
    titles = [loose(ATLAS.papers[i].title) for i in all_rows(page)]
    assert titles == sorted(titles) and len(titles) == len(PAPERS)


def test_the_filtered_list_downloads_as_csv_and_as_bibtex(watched: Watched, site_url: str, tmp_path: Path):
    page = watched.page
    page.goto(site_url + "papers/?challenge=metrics&sort=-year")
    expected = all_rows(page)
    assert set(expected) == {p.id for p in PAPERS if "metrics" in p.challenge_ids}
    with page.expect_download() as csv_download:
        page.locator("#atlas-download-csv").click()
    table = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))
    assert [row["id"] for row in table] == expected
    for row in table:
        paper = ATLAS.papers[row["id"]]
        assert row["title"].lstrip("'") == plain_title(paper.title) and row["authors"] == "; ".join(paper.authors)
        assert row["url"].endswith(f"/papers/{paper.id}/") and row["year"] == str(paper.year or "")
    with page.expect_download() as bib_download:
        page.locator("#atlas-download-bib").click()
    bib = Path(bib_download.value.path()).read_text(encoding="utf-8")
    assert list(parse_string(bib, "bibtex").entries) == [key for key in expected if key in ATLAS.bibliography]


def test_the_page_fetches_the_rows_only_when_the_reader_acts_and_grows_as_they_scroll(watched: Watched, site_url: str):
    page = watched.page
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if "/data/papers" in request.url else None)
    page.goto(site_url + "papers/", wait_until="networkidle")
    assert fetched == [] and page.locator("#atlas-papers tbody tr").count() == FIRST_ROWS
    page.locator("#atlas-papers-more").scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelectorAll('#atlas-papers tbody tr').length > {FIRST_ROWS}")
    assert any("/data/papers-0.json" in url for url in fetched) and not any("papers-text" in url for url in fetched)
    page.fill("#atlas-filter-text", "diffusion")
    count(page)
    assert any("/data/papers-text-0.json" in url for url in fetched)


def test_on_a_phone_each_paper_is_a_card_and_nothing_scrolls_sideways(browser: Browser, site_url: str):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site_url + "papers/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.locator("#atlas-papers thead").is_visible()
    title = page.locator("#atlas-papers tbody td.atlas-col-title").first.bounding_box()
    assert title["width"] > 300  # a title has the card's width, not a column's
    page.select_option("#atlas-filter-sort", "-year")  # the sort box stands in for the hidden headers
    count(page)
    years = [int(y) for y in column_texts(page, "year") if y]
    assert years == sorted(years, reverse=True)
    page.close()


def test_a_question_address_lists_the_papers_taking_it_up_and_none_lists_those_outside(watched: Watched, site_url: str):
    page = watched.page
    challenge, question = next((c, q) for c in ATLAS.challenges.values() for q in c.open_questions if len(ATLAS.addressing(c.id, q.id)) > 1)
    page.goto(site_url + f"papers/?question={challenge.id}/{question.id}")
    addressing = {paper.id for paper, _ in ATLAS.addressing(challenge.id, question.id)}
    assert set(all_rows(page)) == addressing
    assert count(page) == f"{len(addressing)} of {len(PAPERS)} papers taking up the question “{question.text}”"
    page.select_option("#atlas-filter-kind", "method")  # the question stays, with the other filters
    assert set(all_rows(page)) == {i for i in addressing if "method" in ATLAS.papers[i].kinds} and "question=" in page.url
    page.locator("button.atlas-filter-reset").click()
    page.wait_for_function(f"document.getElementById('atlas-filter-count').textContent === '{len(PAPERS)} of {len(PAPERS)} papers'")
    assert "question=" not in page.url
    page.select_option("#atlas-filter-challenge", "none")
    assert set(all_rows(page)) == {paper.id for paper in ATLAS.outside} != set()


def test_the_text_box_finds_words_from_their_start_only(watched: Watched, site_url: str):
    page = watched.page
    page.goto(site_url + "papers/")
    for term in ("gan", "style"):
        page.fill("#atlas-filter-text", term.upper())
        found = {p.id for p in PAPERS if finds(term, p)}
        assert set(all_rows(page)) == found
        assert found != set()
        if term == "gan":  # the atlas has papers with "gan" only inside a word ("organize"): the box leaves them
            assert {p.id for p in PAPERS if term in everything_about(p)} - found != set()
    longer = {p.id for p in PAPERS if re.search(r"(?<![^\W_])style\w", everything_about(p))}  # "style" finds "StyleGAN"
    assert longer and longer <= found


@pytest.mark.parametrize("sort", ["authors", "-authors"])
def test_authors_a_to_z_files_each_paper_under_its_first_authors_family_name(watched: Watched, site_url: str, sort: str):
    page = watched.page
    page.goto(site_url + f"papers/?sort={sort}")
    shown = all_rows(page)
    authored = [paper_id for paper_id in shown if ATLAS.papers[paper_id].authors]
    assert shown[: len(authored)] == authored and len(shown) == len(PAPERS)  # papers without authors come last
    keys = [family_first(ATLAS.papers[paper_id].authors[0]) for paper_id in authored]
    assert keys == sorted(keys, reverse=sort.startswith("-"))
    firsts = [ATLAS.papers[paper_id].authors[0] for paper_id in authored]
    assert any(set(name.split()[1:-1]) & LOWER for name in firsts)  # "Aaron van den Oord", under V
