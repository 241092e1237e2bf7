"""The statistics page, a venue's papers and the gap map's summary as readers see them in Chromium:
one bar per venue, links whose names are percent-encoded, heat maps at 4.5:1 or more in both schemes,
labels drawn whole, and on a phone cards whose words are never broken and a contents list."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser

from atlas.site.templating import venue_family

from conftest import real_atlas

pytestmark = pytest.mark.browser
ATLAS, _ = real_atlas()
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1400, "height": 1000}

# The words of each cell whose text a line break splits (a word after a hyphen or a slash may start a line).
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const cell of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      for (const match of node.data.matchAll(/[^\\s\\-\\u2010\\u2013\\u2014\\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set(Array.from(range.getClientRects()).filter(rect => rect.width > 0).map(rect => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def stats_html(built_site: Path) -> BeautifulSoup:
    return BeautifulSoup((built_site / "stats" / "index.html").read_text(encoding="utf-8"), "html.parser")


def venue_rows(built_site: Path) -> list[tuple[str, str, int]]:
    """The rows of the statistics' table of venues: label, link as written, count."""
    heading = stats_html(built_site).find("h2", id="papers-per-venue")
    table = heading.find_next("table", class_="atlas-chart-table")
    return [(row.td.get_text(), row.td.a["href"], int(row.find_all("td")[1].get_text())) for row in table.tbody.find_all("tr")]


def busiest_venue_page(built_site: Path) -> str:
    """The venue page with the most papers in the atlas (the longest table)."""
    pages = (built_site / "venues").glob("*/index.html")
    busiest = max(pages, key=lambda page: page.read_text(encoding="utf-8").count('<td class="atlas-col-title">'))
    return f"venues/{busiest.parent.name}/"


def test_the_statistics_give_one_bar_per_venue_its_presentations_together(built_site: Path):
    rows = venue_rows(built_site)
    families = Counter(venue_family(paper.venue) if paper.venue else "Not given" for paper in ATLAS.papers.values())
    assert Counter({label: count for label, _, count in rows}) == families and len(rows) == len(families)
    assert not [label for label, _, _ in rows if re.search(r"\([^()]*\)$", label)]
    bars = [text.get_text(" ") for text in stats_html(built_site).select("#papers-per-venue ~ div svg .atlas-chart-label")]
    assert len(bars) >= len(rows)


def test_venue_links_are_percent_encoded_and_open_the_papers_they_count(built_site: Path, browser: Browser, site_url: str):
    rows = venue_rows(built_site)
    for label, href, _ in rows:
        query = urlsplit(href).query
        assert re.fullmatch(r"venue=[A-Za-z0-9%._~-]+", query), f"{label}: {href} is not percent-encoded"
        assert parse_qs(query)["venue"] == ["none" if label == "Not given" else label]
    label, href, count = max(rows, key=lambda row: len(re.findall(r"[^A-Za-z0-9]", row[0])))  # the most to encode
    page = browser.new_page()
    page.goto(site_url + "stats/")
    page.locator(f"#papers-per-venue ~ .atlas-chart-pair a[href='{href}']").first.click()
    page.wait_for_url("**/papers/?venue=*")  # the table's page, before asking it anything
    page.wait_for_load_state("domcontentloaded")
    page.wait_for_function(f"/^{count} of /.test(document.getElementById('atlas-filter-count').textContent)")
    assert page.locator("#atlas-filter-venue").input_value() == label
    page.close()


# Each number of the heat maps (the co-occurrence map, the table of years) with the colour of its cell, both
# as the screen shows them: the computed colours composited over the page's background on a canvas.
HEAT_COLOURS = """() => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const context = canvas.getContext('2d', {willReadFrequently: true});
  const paint = layers => {
    context.globalAlpha = 1; context.fillStyle = '#fff'; context.fillRect(0, 0, 1, 1);
    for (const [colour, alpha] of layers) { context.globalAlpha = alpha; context.fillStyle = colour; context.fillRect(0, 0, 1, 1); }
    return Array.from(context.getImageData(0, 0, 1, 1).data.slice(0, 3));
  };
  const backdrop = element => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const background = getComputedStyle(e).backgroundColor;
      if (background !== 'rgba(0, 0, 0, 0)') layers.unshift([background, 1]);
    }
    return layers;
  };
  const pairs = [];
  for (const number of document.querySelectorAll('.atlas-heatmap text.atlas-chart-value')) {
    const cell = number.previousElementSibling, style = getComputedStyle(cell), under = backdrop(number.ownerSVGElement);
    pairs.push({where: 'map ' + cell.textContent, text: paint([...under, [getComputedStyle(number).fill, 1]]),
                cell: paint([...under, [style.fill, parseFloat(style.fillOpacity)]])});
  }
  for (const link of document.querySelectorAll('td.atlas-heat-cell a')) {
    pairs.push({where: 'table ' + link.getAttribute('href'), text: paint([...backdrop(link), [getComputedStyle(link).color, 1]]),
                cell: paint(backdrop(link))});
  }
  return pairs;
}"""


def luminance(colour: list[int]) -> float:
    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: list[int], second: list[int]) -> float:
    """WCAG 2's contrast ratio of two opaque colours."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_heat_map_numbers_contrast_at_least_4_5_to_1_with_their_cells(browser: Browser, site_url: str, scheme: str):
    page = browser.new_page(viewport=DESKTOP, color_scheme=scheme)
    page.goto(site_url + "stats/")
    assert page.locator("body").get_attribute("data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
    pairs = page.evaluate(HEAT_COLOURS)
    page.close()
    assert len(pairs) >= 20 and {pair["where"].split()[0] for pair in pairs} == {"map", "table"}
    low = sorted((contrast(pair["text"], pair["cell"]), pair["where"]) for pair in pairs)[:3]
    assert low[0][0] >= 4.5, f"in the {scheme} scheme: {low}"


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_chart_labels_are_drawn_whole_inside_their_chart(browser: Browser, site_url: str, size: dict):
    page = browser.new_page(viewport=size)
    page.goto(site_url + "stats/")
    drawn = page.evaluate(
        """() => Array.from(document.querySelectorAll('svg.atlas-chart text')).filter(text => text.getClientRects().length).map(text => {
             const chart = text.ownerSVGElement.getBoundingClientRect(), box = text.getBoundingClientRect();
             const lines = Array.from(text.querySelectorAll('tspan')).map(line => line.textContent), row = text.closest('.atlas-bar-row');
             return {label: text.classList.contains('atlas-chart-label'), text: lines.length ? lines.join(' ') : text.textContent,
                     bar: row ? row.querySelector('rect title').textContent : null,
                     outside: box.left < chart.left - .5 || box.right > chart.right + .5
                              || box.top < chart.top - .5 || box.bottom > chart.bottom + .5};
           })"""
    )
    page.close()
    assert len(drawn) > 100
    assert [label["text"] for label in drawn if label["outside"]] == []
    assert [label["text"] for label in drawn if "…" in label["text"]] == []
    bar_labels = [label for label in drawn if label["bar"] and label["label"]]
    assert bar_labels and all(label["bar"].startswith(label["text"] + ": ") for label in bar_labels)
    titles = {challenge.title for challenge in ATLAS.challenges.values()}
    if size is DESKTOP:  # the co-occurrence map (a phone has its table only) names each challenge whole, twice
        assert Counter(label["text"] for label in drawn if label["label"] and not label["bar"]) == Counter({title: 2 for title in titles})


@pytest.mark.parametrize(("address", "cells"), [("gaps/", ".atlas-gap-counts td"), ("venue", ".atlas-venue-papers td")])
def test_on_a_phone_no_word_of_the_gap_summary_or_a_venue_table_is_broken(
    browser: Browser, site_url: str, built_site: Path, address: str, cells: str
):
    page = browser.new_page(viewport=PHONE)
    page.goto(site_url + (busiest_venue_page(built_site) if address == "venue" else address))
    assert page.locator(cells).count() >= 20
    broken = page.evaluate(BROKEN_WORDS, cells)
    assert broken == [], f"{len(broken)} words broken across lines: {broken[:8]}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.close()


def test_on_a_phone_the_statistics_have_a_contents_list_and_their_tables_fold(browser: Browser, site_url: str):
    page = browser.new_page(viewport=PHONE)
    page.goto(site_url + "stats/")
    sections = page.locator("article h2").evaluate_all("headings => headings.map(h => h.id)")
    contents = page.locator("nav.atlas-contents a")
    assert contents.first.is_visible() and len(sections) >= 8
    assert [href.removeprefix("#") for href in contents.evaluate_all("links => links.map(a => a.getAttribute('href'))")] == sections
    for number in (len(sections) - 1, len(sections) // 2):
        page.evaluate("window.scrollTo(0, 0)")
        contents.nth(number).click()
        page.wait_for_function(
            f"(top => top >= 0 && top < innerHeight - 100)(document.getElementById('{sections[number]}').getBoundingClientRect().top)"
        )
    folded = page.locator("details.atlas-chart-data").evaluate_all("all => all.map(details => details.open)")
    assert folded and not any(folded)
    page.locator("details.atlas-chart-data summary").first.click()  # a tap opens a table
    assert page.locator("details.atlas-chart-data table").first.is_visible()
    page.close()
    page = browser.new_page(viewport=DESKTOP)  # beside its chart on a wide screen, each table shows
    page.goto(site_url + "stats/")
    assert all(page.locator("details.atlas-chart-data").evaluate_all("all => all.map(details => details.open)"))
    page.close()
