"""Open questions as records: the schema and its errors, their anchors and citations on the challenge
pages, the research-gap map, the exports that carry them, and the links that name them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from atlas.pipeline import check
from atlas.records.yamlio import dump_record
from atlas.site.reading import reading_list
from atlas.site.render import QUESTION_LIMIT

from conftest import REPO, real_atlas

ATLAS, _ = real_atlas()
QUESTIONS = [(challenge, question) for challenge in ATLAS.challenges.values() for question in challenge.open_questions]
QUESTION_LINKS = [(paper, link, q) for paper in ATLAS.papers.values() for link in paper.challenges for q in link.questions]


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def errors(root: Path) -> list[str]:
    return [str(problem) for problem in check(root)[1] if problem.severity == "error"]


def test_every_open_question_is_a_record_with_an_id_text_and_its_survey_citations():
    assert len(QUESTIONS) >= 45
    for challenge, question in QUESTIONS:
        assert question.text.endswith("?") and question.line > 0
        assert question.sub is None or challenge.subchallenge(question.sub) is not None
        assert set(question.references) <= {reference.number for reference in challenge.references}
    assert any(question.id == "interpretability-evaluation" for _, question in QUESTIONS)  # 4.4's first call, once missing


def test_papers_name_the_questions_they_address_and_every_question_is_taken_up_or_says_where_it_was_searched():
    assert len(QUESTION_LINKS) >= 30
    addressed = {(paper_link.challenge, q) for _, paper_link, q in QUESTION_LINKS}
    for challenge, question in QUESTIONS:
        assert (challenge.id, question.id) in addressed or (question.status == "open" and question.searched), question.id
    for paper, link, question_id in QUESTION_LINKS:
        assert ATLAS.challenges[link.challenge].question(question_id) is not None, (paper.id, question_id)


def test_schema_errors_point_at_the_line_and_list_what_is_valid(atlas_copy: Path):
    path = atlas_copy / "challenges" / "ethics.yaml"
    data = yaml.safe_load(path.read_text())
    data["open_questions"][0]["subchallenge"] = "nowhere"
    data["open_questions"][1]["references"] = [1]
    data["open_questions"][2]["text"] = "Not a question."
    data["open_questions"][3]["id"] = "fairness"  # a sub-challenge's anchor
    data["subchallenges"][0]["start_here"] = ["no-such-paper"]
    path.write_text(dump_record(data))
    paper_path = next(p for p in sorted((atlas_copy / "papers").glob("*.yaml")) if "ethics/" in p.read_text())
    paper = yaml.safe_load(paper_path.read_text())
    link = next(link for link in paper["challenges"] if link["id"].startswith("ethics"))
    link["questions"], link["relevance"] = ["no-such-question"], "marginal"
    paper_path.write_text(dump_record(paper))
    outside = atlas_copy / "papers" / "outside-test.yaml"
    outside.write_text(dump_record({**paper, "title": "A paper about nothing in particular", "challenges": []}))
    found = errors(atlas_copy)

    def at(file: Path, needle: str) -> int:
        return next(n for n, line in enumerate(file.read_text().splitlines(), 1) if needle in line)

    shown = f"papers/{paper_path.name}"
    assert f"challenges/ethics.yaml:{at(path, 'subchallenge: nowhere')}: 'nowhere' is not a sub-challenge of this challenge" in "\n".join(
        found
    )
    assert any(e.startswith("challenges/ethics.yaml:") and "reference 1 is not under this challenge's 'references'" in e for e in found)
    assert any("does not end with '?'" in e for e in found)
    assert any("question id 'fairness' is already the anchor of sub-challenge 'fairness'" in e for e in found)
    assert any("'start_here' names 'no-such-paper', which is no paper linked to 'ethics/misinformation'" in e for e in found)
    valid = ", ".join(q.id for n, q in enumerate(ATLAS.challenges["ethics"].open_questions) if n != 3)  # the fourth was refused
    assert (
        f"{shown}:{at(paper_path, 'no-such-question')}: 'no-such-question' is not an open question of 'ethics'; use one of {valid}" in found
    )
    assert any(e.startswith(f"{shown}:") and "relevance 'marginal' is not one of core, peripheral" in e for e in found)
    assert any(e.startswith("papers/outside-test.yaml:") and "or say under 'fits_none:' why none fits" in e for e in found)


def test_a_paper_may_fit_no_challenge_if_it_says_why(atlas_copy: Path):
    paper_path = sorted((atlas_copy / "papers").glob("*.yaml"))[0]
    paper = yaml.safe_load(paper_path.read_text())
    paper["challenges"], paper["fits_none"] = [], "A test record that addresses none of the challenges."
    paper_path.write_text(dump_record(paper))
    atlas, problems = check(atlas_copy)
    assert [p for p in problems if p.severity == "error"] == []
    assert atlas.papers[paper_path.stem] in atlas.outside
    paper["challenges"] = [{"id": "ethics", "kind": "method", "why": "A link beside the claim that none fits."}]
    paper_path.write_text(dump_record(paper))
    assert any("links to challenges and says it fits none" in e for e in errors(atlas_copy))


def test_each_question_has_an_anchor_a_citation_and_what_addresses_it_on_its_challenge_page(built_site: Path):
    for challenge in ATLAS.challenges.values():
        html = page(built_site, f"challenges/{challenge.id}")
        for question in challenge.open_questions:
            anchored = html.find_all(id=question.id)
            assert len(anchored) == 1, (challenge.id, question.id)
            item = anchored[0]
            assert question.text in item.get_text(" ")
            assert item.find("details", class_="atlas-cite").find("summary").get_text() == "Cite this question"
            assert f"challenges/{challenge.id}/#{question.id}" in item.find("code").get_text()
            addressed = ATLAS.addressing(challenge.id, question.id)
            assert ("atlas-open" in item["class"]) == (not addressed)
            linked = {a["href"].rstrip("/").split("/")[-1] for a in item.select("a[href*='papers/']") if "?" not in a["href"]}
            assert linked == {paper.id for paper, _ in addressed[:QUESTION_LIMIT]}  # the first ones, in order
            more = item.select("a[href*='papers/?question=']")
            assert len(more) == (len(addressed) > QUESTION_LIMIT)  # and the rest in the papers table
        for sub in challenge.subchallenges:  # a split sub-challenge's old anchor still leads somewhere
            for alias in sub.aliases:
                assert html.find(id=alias) is not None


def test_the_gap_map_lists_every_question_marks_the_open_ones_and_counts_them(built_site: Path):
    html = page(built_site, "gaps")
    items = html.select("li.atlas-gap")
    assert len(items) == len(QUESTIONS)
    open_questions = [(c, q) for c, q in QUESTIONS if not ATLAS.addressing(c.id, q.id)]
    assert len(html.select("li.atlas-gap.atlas-open")) == len(open_questions)
    assert html.find(attrs={"data-count": "open-questions"}).get_text() == str(len(open_questions))
    for challenge in ATLAS.challenges.values():
        cell = html.find(attrs={"data-open": challenge.id})
        assert cell.get_text() == str(sum(1 for c, q in open_questions if c.id == challenge.id))
    home = page(built_site, "")
    assert home.find(attrs={"data-count": "open-questions"}).get_text() == str(len(open_questions))
    assert home.find("a", href="gaps/") is not None


def test_the_gap_map_folds_each_questions_papers_under_a_line_that_counts_them(built_site: Path):
    """On a phone the gap map reads as its questions; each question's papers are one tap away, all of them kept."""
    html = page(built_site, "gaps")
    items = {item.find("a")["href"].split("challenges/")[1]: item for item in html.select("li.atlas-gap")}
    for challenge, question in QUESTIONS:
        item, addressed = items[f"{challenge.id}/#{question.id}"], ATLAS.addressing(challenge.id, question.id)
        folded = item.find("details", class_="atlas-gap-papers")
        if not addressed:
            assert folded is None
            continue
        passing = sum(1 for _, link in addressed if link.peripheral)
        said = f"Addressed by {len(addressed)} paper{'' if len(addressed) == 1 else 's'}" + (f", {passing} in passing" if passing else "")
        assert folded.find("summary").get_text() == said and not folded.has_attr("open")
        listed = [a["href"].rstrip("/").split("/")[-1] for a in folded.select("ul.atlas-paper-list > li > a")]
        assert listed == [paper.id for paper, _ in addressed[:QUESTION_LIMIT]]  # the first ones, in order
        assert len(folded.select("a[href*='papers/?question=']")) == (len(addressed) > QUESTION_LIMIT)  # the rest a link away
        assert len(item.select("a[href*='papers/']")) == len(folded.select("a[href*='papers/']"))  # no paper outside the fold


def test_papers_outside_the_challenges_have_their_own_page(built_site: Path):
    html = page(built_site, "outside")
    listed = {a["href"].rstrip("/").split("/")[-1] for a in html.select("article a[href*='papers/']")}
    assert listed == {paper.id for paper in ATLAS.outside}


def test_graph_json_and_the_feeds_carry_the_questions(built_site: Path):
    graph = json.loads((built_site / "data" / "graph.json").read_text())
    questions = [node for node in graph["nodes"] if node["type"] == "question"]
    assert len(questions) == len(QUESTIONS)
    taken = [edge for edge in graph["edges"] if edge["type"] == "takes_up"]
    assert len(taken) == len(QUESTION_LINKS)
    weights = {edge["weight"] for edge in graph["edges"] if edge["type"] == "addresses"}
    assert weights <= {1.0, 0.5} and 1.0 in weights
    feed = json.loads((built_site / "feed.json").read_text())
    assert any(tag.startswith("question:") for item in feed["items"] for tag in item["tags"]) == any(
        link.questions for paper in ATLAS.papers.values() for link in paper.challenges
    )


@pytest.mark.parametrize("format", ["graphml", "gexf", "dot"])
def test_every_graph_format_holds_the_question_nodes(format: str, tmp_path: Path):
    target = tmp_path / f"graph.{format}"
    command = [sys.executable, "-m", "atlas.cli", "--root", str(REPO), "graph", "--format", format, "--output", str(target)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    text = target.read_text()
    assert text.count("question:") >= len(QUESTIONS)


def test_handouts_open_with_the_maintainers_choice_show_each_paper_once_and_leave_peripheral_links_out():
    for challenge in ATLAS.challenges.values():
        sections = reading_list(ATLAS, challenge, limit=4)
        shown = [paper.id for section in sections for paper, _ in section.papers]
        assert len(shown) == len(set(shown)), challenge.id
        assert not any(link.peripheral for section in sections for _, link in section.papers)
        for section in sections:
            sub = challenge.subchallenge(section.id) if section.id else None
            if sub and sub.start_here:
                first = [paper.id for paper, _ in section.papers[: len(sub.start_here)]]
                assert first == [p for p in sub.start_here if p in first] and first[0] == sub.start_here[0], (challenge.id, sub.id)


def test_the_handout_lists_the_questions_with_what_addresses_them_and_prints_addresses(built_site: Path):
    challenge = ATLAS.challenges["efficiency"]
    html = page(built_site, "challenges/efficiency/reading")
    prompts = html.select("ol.atlas-prompts > li")
    assert [item["id"] for item in prompts] == [q.id for q in challenge.open_questions]
    for item, question in zip(prompts, challenge.open_questions, strict=True):
        assert (item.find(class_="atlas-open-badge") is None) == bool(ATLAS.addressing(challenge.id, question.id))
    addresses = [span.get_text() for span in html.select("ol.atlas-reading .atlas-print-address")]
    assert addresses and all("/papers/" in address and address.startswith("In the atlas: http") for address in addresses)
