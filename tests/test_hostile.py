"""Contributor text is shown as typed and never runs: real XSS and template-injection payloads in
every field, built into a real site and opened in headless Chromium (pages, search and graph)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from atlas.cli import main
from atlas.records.facts import facts_held
from atlas.records.mathtext import plain_title
from atlas.records.yamlio import dump_record, load_yaml_file

from conftest import copy_atlas, search_site
from localsite import served

PAYLOADS = [
    "<script>window.pwned='script'</script>",
    "<img src=x onerror=\"window.pwned='img'\">",
    "<svg onload=\"window.pwned='svg'\"></svg>",
    "[click me](javascript:window.pwned='link')",
    '"><iframe src="javascript:window.pwned=\'iframe\'"></iframe>',
    "{{ 7*7 }} {{ config }} {% raw %}",
]
MATH_PAYLOADS = [
    "$\\href{javascript:window.pwned='math'}{x}$",
    "$<img src=x onerror=\"window.pwned='mathimg'\">$",
    # latex2mathml copies what \text, \mbox and \fbox hold into <mtext> unescaped
    "$\\text{<script>alert(document.domain)</script>}$",
    "$\\mbox{<img src=x onerror=\"window.pwned='mbox'\">}$",
    "$\\fbox{<svg onload=\"window.pwned='fbox'\"></svg>}$",
]
TITLE = "Hostile title " + " ".join(PAYLOADS[:5] + MATH_PAYLOADS)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_atlas(tmp_path_factory.mktemp("hostile") / "atlas")
    path = root / "papers" / "calibrated-language-models.yaml"
    record, _ = load_yaml_file(path, "x")
    record = dict(record)
    record.update(
        title=TITLE,
        authors=[PAYLOADS[0], PAYLOADS[1]],
        venue=PAYLOADS[2],
        abstract="\n\n".join(PAYLOADS),
        keywords=PAYLOADS[:3],
    )
    # Every link keeps its target: the handouts start with this paper.
    record["challenges"] = [{**dict(link), "why": " ".join(PAYLOADS)} for link in record["challenges"]]
    record["sources"] = [{"contributor": PAYLOADS[0], "gives": list(facts_held(record))}]
    path.write_text(dump_record(record))
    bib = root / "citations.bib"
    text = bib.read_text().replace("{{Calibrated Language Models Must Hallucinate}}", "{{" + TITLE + "}}")
    survey_reference = re.search(r"^  title = (\{.*\}),\n(?=(?:  .*\n)*?  surveyref = \{214\})", text, re.M).group(1)
    reference_title = "Survey reference " + " ".join(PAYLOADS[:5])
    bib.write_text(text.replace(survey_reference, "{" + reference_title + "}"))  # the references page shows the survey's entries
    reference_path = root / "papers" / "wachter2017counterfactual.yaml"  # [214] has a record of its own
    reference, _ = load_yaml_file(reference_path, "x")
    reference_path.write_text(dump_record({**dict(reference), "title": reference_title}))
    challenge_path = root / "challenges" / "metrics.yaml"
    challenge, _ = load_yaml_file(challenge_path, "x")
    challenge = dict(challenge)
    challenge["summary"] = challenge["summary"] + "\n\n" + " ".join(PAYLOADS)
    first = dict(challenge["open_questions"][0])
    first["text"] = " ".join(PAYLOADS) + "?"
    challenge["open_questions"] = [first, *challenge["open_questions"][1:]]
    subs = [dict(sub) for sub in challenge["subchallenges"]]
    subs[0]["title"] = "Metric design " + PAYLOADS[0] + " " + PAYLOADS[5]
    subs[0]["summary"] = " ".join(PAYLOADS)
    challenge["subchallenges"] = subs
    challenge["maintainers"] = [PAYLOADS[1], PAYLOADS[5]]
    challenge["related"] = [{**dict(challenge["related"][0]), "reason": " ".join(PAYLOADS)}, *challenge["related"][1:]]
    challenge_path.write_text(dump_record(challenge))
    venue_path = root / "papers" / "venues" / "iclr-2024-submission.yaml"
    venue, _ = load_yaml_file(venue_path, "x")
    venue_path.write_text(dump_record({**dict(venue), "description": " ".join(PAYLOADS)}))
    site = root.parent / "site"
    assert main(["--root", str(root), "build", "--site-dir", str(site)]) == 0
    return site


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path) -> Iterator[str]:
    with served(hostile_site) as url:
        yield url


def no_script_ran(page) -> None:
    assert page.evaluate("typeof window.pwned") == "undefined", page.evaluate("window.pwned")


@pytest.mark.parametrize(
    "address",
    [
        "venues/iclr-2024-submission/",
        "papers/calibrated-language-models/",
        "challenges/metrics/",
        "challenges/ethics/",
        "papers/?text=hostile+title",  # the row the table's script writes from the JSON chunks
        "references/",
        "challenges/metrics/reading/",
    ],
)
def test_payloads_show_as_text_and_never_run(browser: Browser, hostile_url: str, address: str):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(hostile_url + address)
    page.wait_for_load_state("networkidle")  # every image, frame and script the page asks for has loaded (or failed)
    no_script_ran(page)
    assert dialogs == []
    text = page.locator("article").inner_text()
    assert PAYLOADS[0] in text  # every page shows the script payload as text: in a title, a why, a summary or a question
    assert page.locator("article script, article iframe, article img[src='x'], article svg[onload]").count() == 0
    assert page.locator("article a[href^='javascript']").count() == 0
    if address == "papers/calibrated-language-models/":
        heading = page.locator("article h1")
        assert heading.inner_text().startswith("Hostile title " + " ".join(PAYLOADS[:5]))  # the text as typed
        assert heading.locator("math").count() == 4  # the harmless formulas drawn (their markup as text); the one with a link as text
        assert "<script>alert(document.domain)</script>" in heading.inner_text()
        assert heading.locator("[href]:not(.headerlink), [onerror], [style]").count() == 0
        assert "{{ 7*7 }} {{ config }} {% raw %}" in text and "49" not in page.locator("article h1").inner_text()
    page.close()


def test_search_results_show_payloads_as_text(browser: Browser, hostile_url: str):
    page = browser.new_page()
    page.goto(hostile_url)
    search_site(page, "Hostile title")
    result = page.locator(".pagefind-ui__result").first
    result.wait_for(timeout=15_000)
    page.wait_for_load_state("networkidle")
    no_script_ran(page)
    assert "Hostile title" in result.inner_text()
    assert page.locator(".pagefind-ui__results script, .pagefind-ui__results img[src='x'], .pagefind-ui__results iframe").count() == 0
    page.close()


def test_graph_tooltip_shows_payloads_as_text(browser: Browser, hostile_url: str):
    page = browser.new_page()
    page.goto(hostile_url + "graph/")
    page.locator("[data-atlas-graph]").dispatch_event("pointerover")  # the graph loads on first use
    page.wait_for_selector("[data-atlas-graph][data-ready]", timeout=30_000)
    position = page.evaluate(
        """(node) => { const g = document.querySelector('[data-atlas-graph]').atlasGraph;
                       return g.renderer.framedGraphToViewport(g.renderer.getNodeDisplayData(node)); }""",
        "paper:calibrated-language-models",
    )
    page.locator(".atlas-graph-canvas").evaluate("canvas => canvas.scrollIntoView()")
    box = page.locator(".atlas-graph-canvas").bounding_box()
    page.mouse.move(box["x"] + position["x"], box["y"] + position["y"])
    tooltip = page.locator(".atlas-graph-tooltip")
    tooltip.wait_for(state="visible")
    assert plain_title(TITLE) in tooltip.inner_text()
    assert tooltip.locator("script, img, iframe, svg").count() == 0
    no_script_ran(page)
    page.close()


def test_page_titles_in_the_head_carry_no_markup(hostile_site: Path):
    html = (hostile_site / "papers" / "calibrated-language-models" / "index.html").read_text()
    head = html.split("</head>")[0]
    assert "<script>window.pwned" not in head and "<img src=x" not in head
    from bs4 import BeautifulSoup

    tags = BeautifulSoup(head, "html.parser")  # the description and Open Graph tags hold the payloads as text
    description = tags.find("meta", attrs={"name": "description"})["content"]
    assert description.startswith("Hostile title <script>")  # as text: the head's markup has it escaped
    assert 'content="Hostile title &lt;script&gt;' in head
    assert tags.find("meta", property="og:description")["content"] == description
