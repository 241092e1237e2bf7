"""The field as records: whole records added from a file of found facts (`atlas add --records`), the
survey's citation numbers identified from its text and held to its bibliography's order, and open
questions that say whether they were searched."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from atlas.cli import main
from atlas.pipeline import check
from atlas.records.yamlio import dump_record, load_yaml_file

from conftest import REPO

ABSTRACT = "We study a thing. It works."


def record(title: str, **extra) -> dict:
    source = {"url": "https://github.com/o/r/blob/" + "a" * 40 + "/refs.bib", "gives": ["title", "authors", "year", "venue", "abstract"]}
    base = {
        "title": title,
        "authors": ["Kishore Papineni", "Salim Roukos"],
        "year": 2002,
        "venue": "ACL 2002",
        "abstract": ABSTRACT,
        "sources": [{**source, "via": "the entry in the repository's bibliography"}],
        "challenges": [{"id": "metrics/metric-design", "kind": "method", "why": "An n-gram overlap score for generated text."}],
    }
    return base | extra


def write_input(path: Path, items: list[dict]) -> Path:
    path.write_text("".join("- " + dump_record(item).rstrip("\n").replace("\n", "\n  ") + "\n" for item in items), encoding="utf-8")
    return path


def atlas(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "atlas.cli", "--root", str(root), *args], capture_output=True, text=True, timeout=300)


def errors(root: Path) -> list[str]:
    return [str(p) for p in check(root)[1] if p.severity == "error"]


def test_records_and_their_entries_are_added_from_a_file(atlas_copy: Path, tmp_path: Path):
    source = write_input(tmp_path / "found.yaml", [record("A Method for Automatic Evaluation of Translation Overlap")])
    result = atlas(atlas_copy, "add", "--records", str(source))
    assert result.returncode == 0, result.stderr
    path = atlas_copy / "papers" / "papineni-2002-method.yaml"
    assert load_yaml_file(path, "x")[0]["abstract"] == ABSTRACT
    assert "@inproceedings{papineni-2002-method," in (atlas_copy / "citations.bib").read_text()
    assert errors(atlas_copy) == []


def forget(root: Path, paper_id: str) -> None:
    """The atlas as it was before the paper came: no record, no entry of its own, no challenge pointing at it."""
    (root / "papers" / f"{paper_id}.yaml").unlink()
    bib = root / "citations.bib"
    bib.write_text(re.sub(rf"@\w+\{{{re.escape(paper_id)},.*?\n}}\n\n?", "", bib.read_text(), flags=re.S))
    for challenge in (root / "challenges").glob("*.yaml"):
        challenge.write_text(challenge.read_text().replace(f"  key: {paper_id}\n", ""))


def test_an_identified_survey_number_is_recorded_and_the_challenges_citing_it_point_at_it(atlas_copy: Path, tmp_path: Path):
    forget(atlas_copy, "papineni-2002-bleu")
    evidence = "Section 3.4 calls [147] BLEU, the n-gram overlap score; Papineni fits the alphabetical slot."
    item = record("BLEU: a Method for Automatic Evaluation of Machine Translation", survey_ref=147, survey_evidence=evidence)
    assert atlas(atlas_copy, "add", "--records", str(write_input(tmp_path / "found.yaml", [item]))).returncode == 0
    entry = check(atlas_copy)[0].bibliography["papineni-2002-bleu"]
    assert (entry.surveyref, entry.identification) == (147, evidence)
    metrics, _ = load_yaml_file(atlas_copy / "challenges" / "metrics.yaml", "x")
    assert next(reference for reference in metrics["references"] if reference["n"] == 147)["key"] == "papineni-2002-bleu"
    assert errors(atlas_copy) == []
    site = atlas_copy.parent / "site"
    assert main(["--root", str(atlas_copy), "build", "--site-dir", str(site)]) == 0
    references = BeautifulSoup((site / "references" / "index.html").read_text(), "html.parser")
    item_html = references.find(id="papineni-2002-bleu")
    assert "identified from the survey's text" in item_html.get_text() and evidence in item_html.get_text()
    assert "given in full by the survey" in references.find(id="wang2023lora").get_text()
    challenge = BeautifulSoup((site / "challenges" / "metrics" / "index.html").read_text(), "html.parser")
    listed = challenge.find(id="ref-147")
    assert listed.find(class_="atlas-identified") is not None and listed.find("a", href="../../papers/papineni-2002-bleu/")


def test_every_problem_of_the_input_is_reported_at_its_line_and_nothing_is_written(atlas_copy: Path, tmp_path: Path):
    before = (atlas_copy / "citations.bib").read_text()
    existing, _ = load_yaml_file(atlas_copy / "papers" / "calibrated-language-models.yaml", "x")
    items = [
        record("A brand new paper about overlap", colour="blue"),
        record(existing["title"]),
        record("Another brand new paper", survey_ref=216, survey_evidence="taken already"),
    ]
    source = write_input(tmp_path / "found.yaml", items)
    result = atlas(atlas_copy, "add", "--records", str(source))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"{source}:") and "unknown field 'colour'" in line for line in lines)
    assert any("is already in the atlas as papers/calibrated-language-models.yaml" in line for line in lines)
    assert any("survey reference 216 is already 'wang2023lora'" in line for line in lines)
    assert (atlas_copy / "citations.bib").read_text() == before
    assert not (atlas_copy / "papers" / "papineni-2002-brand.yaml").exists()


def test_a_survey_reference_given_in_full_becomes_a_record_under_its_key(atlas_copy: Path, tmp_path: Path):
    (atlas_copy / "papers" / "wang2023lora.yaml").unlink()  # the survey's [216], before it had a record
    bib_title = "Lora ensembles for large language model fine-tuning"
    item = record(bib_title, key="wang2023lora", authors=["Xi Wang", "Laurence Aitchison", "Maja Rudolph"])  # as its entry names them
    assert atlas(atlas_copy, "add", "--records", str(write_input(tmp_path / "found.yaml", [item]))).returncode == 0
    assert (atlas_copy / "papers" / "wang2023lora.yaml").exists()
    bib = (atlas_copy / "citations.bib").read_text()
    assert bib.count("{wang2023lora,") == 1 and "@inproceedings{wang2023lora," in bib  # the entry as the record's venue types it
    assert check(atlas_copy)[0].bibliography["wang2023lora"].surveyref == 216


def test_an_identification_that_breaks_the_bibliographys_order_is_an_error(atlas_copy: Path, tmp_path: Path):
    # [214] is Wachter: a work by Zhang cannot be [212], which sorts before it
    item = record("Overlap Scores Revisited", authors=["Ada Zhang"], survey_ref=212, survey_evidence="A guess.")
    item["challenges"] = [{"id": "metrics/metric-design", "kind": "analysis", "why": "Revisits overlap scores."}]
    result = atlas(atlas_copy, "add", "--records", str(write_input(tmp_path / "found.yaml", [item])))
    assert result.returncode == 1 and "sorted by first author's surname" in result.stderr
    assert "check the identification of 'zhang-2002-overlap'" in result.stderr


def test_the_committed_numbered_references_keep_the_surveys_order():
    assert not [p for p in errors(REPO) if "sorted by first author" in p]
    numbered = sorted((e.surveyref, e) for e in check(REPO)[0].bibliography.values() if e.surveyref)
    assert len(numbered) >= 44


def _question(root: Path, challenge: str, index: int, **fields) -> Path:
    path = root / "challenges" / f"{challenge}.yaml"
    data = yaml.safe_load(path.read_text())
    data["open_questions"][index].update(fields)
    path.write_text(dump_record(data))
    return path


def test_a_question_marked_open_says_when_and_where_it_was_searched(atlas_copy: Path):
    path = atlas_copy / "challenges" / "causality.yaml"
    data = yaml.safe_load(path.read_text())
    data["open_questions"].append({"id": "nobody-asked", "text": "Has any paper taken this question up?"})
    path.write_text(dump_record(data))
    unanswered = len(data["open_questions"]) - 1
    _question(atlas_copy, "causality", unanswered, status="open")
    assert any("says under 'searched:' when and where" in e for e in errors(atlas_copy))
    _question(atlas_copy, "causality", unanswered, status="open", searched="somewhere")
    assert any("must start with the date of the search" in e for e in errors(atlas_copy))
    _question(atlas_copy, "causality", unanswered, status="open", searched="2026-12-07: awesome lists of the topic")
    assert errors(atlas_copy) == []


def test_a_question_marked_open_that_a_paper_takes_up_is_an_error(atlas_copy: Path):
    ATLAS, _ = check(atlas_copy)
    challenge_id, index = next(
        (c.id, i) for c in ATLAS.challenges.values() for i, q in enumerate(c.open_questions) if ATLAS.addressing(c.id, q.id)
    )
    _question(atlas_copy, challenge_id, index, status="open", searched="2026-12-07: somewhere")
    assert any("is marked open, but" in e for e in errors(atlas_copy))


def test_a_link_that_names_a_former_question_id_is_told_the_new_one(atlas_copy: Path):
    path = next(p for p in sorted((atlas_copy / "papers").glob("*.yaml")) if "- id: robustness" in p.read_text())
    data, _ = load_yaml_file(path, "x")
    links = [dict(link) for link in data["challenges"]]
    first = next(link for link in links if link["id"].startswith("robustness"))
    first["questions"] = ["ood-shift"]  # the id the question had before it was sharpened
    path.write_text(dump_record({**dict(data), "challenges": links}))
    assert any("question 'ood-shift' is now 'quality-under-shift'" in e for e in errors(atlas_copy))


def test_searched_and_unsearched_questions_differ_on_the_gap_map_and_former_ids_keep_their_anchors(built_site: Path):
    gaps = BeautifulSoup((built_site / "gaps" / "index.html").read_text(), "html.parser")
    ATLAS, _ = check(REPO)
    statuses = {q.status for c in ATLAS.challenges.values() for q in c.open_questions}
    unsearched = gaps.find_all(class_="atlas-unsearched")
    searched = [badge for badge in gaps.find_all(class_="atlas-open-badge") if "Searched, and no paper found" in badge.parent.get_text()]
    assert ("open" in statuses) == bool(searched)
    assert all(badge.get_text() == "not yet searched" for badge in unsearched)
    causality = BeautifulSoup((built_site / "challenges" / "causality" / "index.html").read_text(), "html.parser")
    alias = causality.find(id="causal-diffusion-models")
    assert alias is not None and alias.find_parent("li")["id"] == "diffusion-under-interventions"
    heterogeneous = BeautifulSoup((built_site / "challenges" / "heterogeneous-data" / "index.html").read_text(), "html.parser")
    assert "Added by the atlas" in heterogeneous.find(attrs={"data-sub": "further-modalities"}).get_text()


PAGE = "https://arxiv.org/abs/2406.03736"


def _mending(root: Path, path: Path, **fields) -> Path:
    """A mending of `absorbing-discrete-diffusion` after its facts were sourced the old way: the paper's page
    named as the document of facts read elsewhere, in lists `via` does not name."""
    record_path = root / "papers" / "absorbing-discrete-diffusion.yaml"
    record, _ = load_yaml_file(record_path, "x")
    old = {"url": PAGE, "gives": ["authors", "links.arxiv", "venue", "year"], "via": "the exact title in several reference lists"}
    record_path.write_text(dump_record({**dict(record), "sources": [*[s for s in record["sources"] if "seed" in s], old]}))
    item = {"paper": "absorbing-discrete-diffusion", "replaces": PAGE} | fields
    path.write_text("- " + dump_record(item).rstrip("\n").replace("\n", "\n  ") + "\n")
    return path


BIB_SOURCE = "https://github.com/o/r/blob/" + "b" * 40 + "/refs.bib"


def test_a_source_standing_for_documents_read_elsewhere_is_replaced_by_them(atlas_copy: Path, tmp_path: Path):
    new = [{"url": BIB_SOURCE, "gives": ["authors", "links.arxiv", "venue", "year"], "via": "the paper's entry in the bibliography"}]
    result = atlas(atlas_copy, "mend-sources", str(_mending(atlas_copy, tmp_path / "mend.yaml", sources=new)))
    assert result.returncode == 0, result.stderr
    record, _ = load_yaml_file(atlas_copy / "papers" / "absorbing-discrete-diffusion.yaml", "x")
    urls = [source.get("url") for source in record["sources"]]
    assert "https://arxiv.org/abs/2406.03736" not in urls and BIB_SOURCE in urls
    assert "several reference lists" not in (atlas_copy / "papers" / "absorbing-discrete-diffusion.yaml").read_text()
    assert record["venue"] == "ICLR 2025" and errors(atlas_copy) == []


def test_facts_no_document_reconfirmed_leave_the_record_with_their_source(atlas_copy: Path, tmp_path: Path):
    new = [{"url": BIB_SOURCE, "gives": ["authors", "links.arxiv"], "via": "the paper's entry in the bibliography"}]
    mending = _mending(atlas_copy, tmp_path / "mend.yaml", sources=new, unconfirmed=["venue", "year"])
    assert atlas(atlas_copy, "mend-sources", str(mending)).returncode == 0
    record, _ = load_yaml_file(atlas_copy / "papers" / "absorbing-discrete-diffusion.yaml", "x")
    assert "venue" not in record and "year" not in record and errors(atlas_copy) == []
    entry = check(atlas_copy)[0].bibliography["absorbing-discrete-diffusion"]
    assert entry.get("year") is None


def test_a_mending_that_does_not_cover_the_old_facts_is_refused_and_nothing_is_written(atlas_copy: Path, tmp_path: Path):
    new = [{"url": BIB_SOURCE, "gives": ["authors"], "via": "the paper's entry in the bibliography"}]
    mending = _mending(atlas_copy, tmp_path / "mend.yaml", sources=new)
    before = (atlas_copy / "papers" / "absorbing-discrete-diffusion.yaml").read_text()
    result = atlas(atlas_copy, "mend-sources", str(mending))
    assert result.returncode == 1 and "whose facts ['authors'] account for" in result.stderr
    assert (atlas_copy / "papers" / "absorbing-discrete-diffusion.yaml").read_text() == before


def test_a_source_that_names_a_search_tools_internal_ids_is_refused_at_its_line(atlas_copy: Path):
    path = atlas_copy / "papers" / "song-2023-consistency.yaml"
    record, _ = load_yaml_file(path, "x")
    sources = [dict(source) for source in record["sources"]]
    sources[0]["via"] = "the arXiv id next to the exact title in two lists (find_string ids 35441456342, 18699807814)"
    path.write_text(dump_record({**dict(record), "sources": sources}))
    lines = path.read_text().splitlines()
    text_line = next(n for n, text in enumerate(lines, 1) if "find_string ids" in text)
    line = max(n for n, text in enumerate(lines[:text_line], 1) if text.strip().startswith("via:"))  # the key's line
    assert [e for e in errors(atlas_copy) if "internal ids" in e] == [
        f"papers/song-2023-consistency.yaml:{line}: 'via' names a search tool's internal ids, which no reader can follow; "
        "name the public documents"
    ]
    assert not [p for p in sorted((REPO / "papers").glob("*.yaml")) if "find_string" in p.read_text()]  # none is left
