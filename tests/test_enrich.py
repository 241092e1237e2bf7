"""`atlas enrich`: facts found in public sources fill absent fields, each with its source, all or nothing."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from atlas.pipeline import check, valid_atlas
from atlas.records.bibliography import parse_bibliography
from atlas.records.yamlio import dump_record, load_yaml_file

from conftest import REPO, snapshot

FACTS = REPO / "scripts" / "facts"


def atlas(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "atlas.cli", "--root", str(root), *args], capture_output=True, text=True, timeout=300)


def strip_facts(root: Path, paper_id: str) -> dict:
    """Put a record back to what its seed gave (title and abstract), as the seed papers were before enriching."""
    path = root / "papers" / f"{paper_id}.yaml"
    record, _ = load_yaml_file(path, "x")
    record = {key: value for key, value in record.items() if key not in ("authors", "year", "venue", "links")}
    record["sources"] = [source for source in record["sources"] if source.get("seed")]
    for source in record["sources"]:
        source["gives"] = [name for name in source["gives"] if name in ("title", "abstract", "keywords", "ratings")]
    path.write_text(dump_record(record))
    bib = root / "citations.bib"
    text = bib.read_text()
    start = re.search(rf"^@\w+\{{{paper_id},", text, re.M)
    end = text.index("\n}\n", start.start()) + 3
    title = record["title"].replace("&", "\\&")
    bib.write_text(text[: start.start()] + f"@misc{{{paper_id},\n  title = {{{{{title}}}}}\n}}\n" + text[end:])
    assert check(root)[1] == [], check(root)[1]
    return record


def found(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "found.yaml"
    path.write_text(text)
    return path


ADAPT = """\
- paper: adapt-then-unlearn
  authors: [Piyush Tiwary, Atri Guha, Subhodip Panda, Prathosh A. P.]
  year: 2025
  venue: TMLR
  links:
    arxiv: https://arxiv.org/abs/2309.14054
  sources:
  - url: https://arxiv.org/abs/2309.14054
    gives: [authors, links.arxiv]
    via: the arXiv id and the authors next to the title in two reference lists
  - url: https://openreview.net/forum?id=jAHEBivObO
    gives: [venue, year]
    via: a paper list gives TMLR 2025
"""


def test_found_facts_fill_absent_fields_record_their_sources_and_type_the_bibtex_entry(atlas_copy: Path, tmp_path: Path):
    before = strip_facts(atlas_copy, "adapt-then-unlearn")
    result = atlas(atlas_copy, "enrich", str(found(tmp_path, ADAPT)))
    assert result.returncode == 0, result.stderr
    assert "papers/adapt-then-unlearn.yaml: + authors, year, venue, links.arxiv" in result.stdout
    record, _ = load_yaml_file(atlas_copy / "papers" / "adapt-then-unlearn.yaml", "x")
    assert record["authors"] == ["Piyush Tiwary", "Atri Guha", "Subhodip Panda", "Prathosh A. P."]
    assert (record["year"], record["venue"], record["links"]) == (2025, "TMLR", {"arxiv": "https://arxiv.org/abs/2309.14054"})
    assert record["sources"][-2:] == [
        {
            "url": "https://arxiv.org/abs/2309.14054",
            "gives": ["authors", "links.arxiv"],
            "via": "the arXiv id and the authors next to the title in two reference lists",
        },
        {"url": "https://openreview.net/forum?id=jAHEBivObO", "gives": ["venue", "year"], "via": "a paper list gives TMLR 2025"},
    ]
    for curated in ("title", "abstract", "challenges"):
        assert record[curated] == before[curated]
    assert list(record)[:5] == ["title", "authors", "year", "venue", "abstract"]
    entries, problems = parse_bibliography((atlas_copy / "citations.bib").read_text(), "citations.bib")
    entry = entries["adapt-then-unlearn"]
    assert problems == [] and entry.type == "article"
    assert (entry.get("journal"), entry.get("year"), entry.get("eprint"), entry.get("archiveprefix")) == (
        "TMLR",
        "2025",
        "2309.14054",
        "arXiv",
    )
    assert entry.persons[0][1][0] == "Tiwary, Piyush"
    assert check(atlas_copy)[1] == []
    again = atlas(atlas_copy, "enrich", str(found(tmp_path, ADAPT)))
    assert "added 0 fact(s) to 0 record(s)" in again.stdout


def test_facts_already_held_are_never_replaced(atlas_copy: Path, tmp_path: Path):
    changed = ADAPT.replace("year: 2025", "year: 2019").replace("venue: TMLR", "venue: NeurIPS 2019")
    before = snapshot(atlas_copy)
    result = atlas(atlas_copy, "enrich", str(found(tmp_path, changed)))
    assert result.returncode == 0 and "added 0 fact(s) to 0 record(s)" in result.stdout
    assert snapshot(atlas_copy) == before


def test_dry_run_writes_nothing(atlas_copy: Path, tmp_path: Path):
    strip_facts(atlas_copy, "adapt-then-unlearn")
    before = snapshot(atlas_copy)
    result = atlas(atlas_copy, "enrich", str(found(tmp_path, ADAPT)), "--dry-run")
    assert result.returncode == 0 and "would add 4 fact(s) to 1 record(s)" in result.stdout
    assert snapshot(atlas_copy) == before


def test_every_problem_of_the_input_is_reported_with_its_line_and_nothing_is_written(atlas_copy: Path, tmp_path: Path):
    strip_facts(atlas_copy, "adapt-then-unlearn")
    bad = ADAPT.replace("gives: [authors, links.arxiv]", "gives: [authors]").replace("    via: a paper list gives TMLR 2025\n", "")
    bad = bad.replace("arxiv: https://arxiv.org/abs/2309.14054", "arxiv: javascript:alert(1)")
    before = snapshot(atlas_copy)
    path = found(tmp_path, bad)
    result = atlas(atlas_copy, "enrich", str(path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = bad.splitlines()
    at = {text: next(n for n, line in enumerate(lines, 1) if text in line) for text in ("javascript:", "openreview.net")}
    assert f"{path}:{at['javascript:']}: link 'arxiv' must be an http(s) URL" in result.stderr
    assert f"{path}:{at['openreview.net']}: a source needs 'via'" in result.stderr
    assert f"{path}:1: no source gives 'venue'" in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(atlas_copy) == before


def test_a_submission_gives_way_to_the_decision_a_source_reports(atlas_copy: Path, tmp_path: Path):
    path = atlas_copy / "papers" / "consistency-trajectory-models.yaml"
    record, _ = load_yaml_file(path, "x")
    record = dict(record, venue="ICLR 2024 submission")
    record["sources"] = [dict(record["sources"][0], gives=[*record["sources"][0]["gives"], "venue"]), *record["sources"][1:]]
    record["sources"] = [{**s, "gives": [g for g in s["gives"] if g != "venue"]} if i else s for i, s in enumerate(record["sources"])]
    path.write_text(dump_record(record))
    assert check(atlas_copy)[1] == []
    decision = """\
- paper: consistency-trajectory-models
  venue: ICLR 2024 (poster)
  sources:
  - url: https://openreview.net/forum?id=ymjI8feDTD
    gives: [venue]
    via: an ICLR 2024 paper list marks it a poster
"""
    result = atlas(atlas_copy, "enrich", str(found(tmp_path, decision)))
    assert result.returncode == 0, result.stderr
    record, _ = load_yaml_file(path, "x")
    assert record["venue"] == "ICLR 2024 (poster)"
    assert "venue" not in record["sources"][0]["gives"]  # the digest gave "submission", not the decision
    entry = check(atlas_copy)[0].bibliography["consistency-trajectory-models"]
    assert (entry.type, entry.get("booktitle"), entry.get("note"), entry.get("howpublished")) == (
        "inproceedings",
        "ICLR 2024",
        "Poster",
        None,
    )
    assert check(atlas_copy)[1] == []


def test_bibtex_facts_match_records_by_title_and_name_the_document(atlas_copy: Path, tmp_path: Path):
    strip_facts(atlas_copy, "adapt-then-unlearn")
    bib = tmp_path / "found.bib"
    bib.write_text(
        "@article{tiwary2023adapt,\n  title = {Adapt then Unlearn: Exploring Parameter Space Semantics for Unlearning in Generative"
        " Adversarial Networks},\n  author = {Tiwary, Piyush and Guha, Atri},\n  year = {2025},\n  eprint = {2309.14054},\n"
        "  archiveprefix = {arXiv}\n}\n"
    )
    refused = atlas(atlas_copy, "enrich", str(bib))
    assert refused.returncode == 1 and "need --source URL" in refused.stderr
    result = atlas(atlas_copy, "enrich", str(bib), "--source", "https://example.org/refs.bib")
    assert result.returncode == 0, result.stderr
    record, _ = load_yaml_file(atlas_copy / "papers" / "adapt-then-unlearn.yaml", "x")
    assert record["links"]["arxiv"] == "https://arxiv.org/abs/2309.14054" and record["authors"] == ["Piyush Tiwary", "Atri Guha"]
    assert record["sources"][-1] == {
        "url": "https://example.org/refs.bib",
        "gives": ["authors", "year", "links.arxiv"],
        "via": "BibTeX entry 'tiwary2023adapt' of this document",
    }


def test_code_links_written_in_abstracts_are_given_by_their_seed(atlas_copy: Path):
    record = strip_facts(atlas_copy, "absorbing-discrete-diffusion")
    assert "https://github.com/ML-GSAI/RADD" in record["abstract"]
    result = atlas(atlas_copy, "enrich", "--code-from-abstracts")
    assert result.returncode == 0, result.stderr
    record, _ = load_yaml_file(atlas_copy / "papers" / "absorbing-discrete-diffusion.yaml", "x")
    assert record["links"] == {"code": "https://github.com/ML-GSAI/RADD"}
    assert record["sources"][-1] == {"seed": "002_ef4f84fe810f0cf8.txt", "gives": ["links.code"]}
    assert check(atlas_copy)[1] == []


def test_a_survey_title_regains_its_casing_but_never_other_words(atlas_copy: Path, tmp_path: Path):
    bib = atlas_copy / "citations.bib"
    text = bib.read_text()
    bib.write_text(
        re.sub(r"title = \{\{LoRA ensembles[^\n]*\n", "title = {{Lora} ensembles for large language model fine-tuning},\n", text)
    )
    bib.write_text(
        re.sub(r"  titlesource = \{https://arxiv.org/abs/2310.00035\}\n", "", bib.read_text()).replace(
            "surveyref = {216},", "surveyref = {216}"
        )
    )
    assert check(atlas_copy)[1] == []
    item = """\
- entry: wang2023lora
  title: {title}
  sources:
  - url: https://arxiv.org/abs/2310.00035
    gives: [title]
    via: the arXiv listing's casing, next to its id in two reference lists
"""
    other = atlas(atlas_copy, "enrich", str(found(tmp_path, item.format(title="LoRA ensembles for small models"))))
    assert "has other words than the title of 'wang2023lora'" in other.stdout and "0 published title(s)" in other.stdout
    result = atlas(atlas_copy, "enrich", str(found(tmp_path, item.format(title="LoRA ensembles for large language model fine-tuning"))))
    assert result.returncode == 0, result.stderr
    entry = check(atlas_copy)[0].bibliography["wang2023lora"]
    assert entry.get("title") == "{LoRA ensembles for large language model fine-tuning}"
    assert entry.get("titlesource") == "https://arxiv.org/abs/2310.00035"
    assert check(atlas_copy)[1] == []


def test_the_committed_facts_are_what_the_corpus_holds():
    """The corpus was enriched by scripts/facts with `atlas enrich`: applying them again adds nothing."""
    from atlas.contribute.enrich import plan, read_found_yaml

    files = sorted(FACTS.glob("*.yaml"))
    assert len(files) >= 10
    whole = valid_atlas(REPO)  # one read for all the files: what `atlas enrich FILE --dry-run` plans for each
    for path in files:
        found, problems = read_found_yaml(path)
        planned = plan(whole, found)
        assert (problems, planned.records, planned.titles, planned.unmatched) == ([], [], [], []), path
    result = atlas(REPO, "enrich", str(files[0]), "--dry-run")
    assert "would add 0 fact(s) to 0 record(s) and 0 published title(s); 0 item(s) matched nothing" in result.stdout, result.stderr
    assert "would add 0 fact(s)" in atlas(REPO, "enrich", "--code-from-abstracts", "--dry-run").stdout


def test_most_papers_can_be_opened_cited_and_dated():
    papers = list(valid_atlas(REPO).papers.values())
    linked = [p for p in papers if any(p.link(name) for name in ("arxiv", "doi", "openreview", "url"))]
    dated = [p for p in papers if p.authors and p.year]
    assert len(linked) >= 0.95 * len(papers) and len(dated) >= 0.90 * len(papers)


def test_an_enrichment_that_would_fail_the_check_is_undone(atlas_copy: Path, tmp_path: Path):
    strip_facts(atlas_copy, "adapt-then-unlearn")
    before = snapshot(atlas_copy)
    result = atlas(atlas_copy, "enrich", str(found(tmp_path, ADAPT.replace("venue: TMLR", "venue: " + "Long venue " * 40))))
    assert result.returncode == 1 and "would not pass `atlas check`" in result.stderr
    assert "'venue' is 439 characters long; the limit is 300" in result.stderr
    assert snapshot(atlas_copy) == before


def test_an_abstract_found_fills_a_record_that_lacks_one_and_never_replaces_one(atlas_copy: Path, tmp_path: Path):
    path = atlas_copy / "papers" / "weidinger2021ethical.yaml"
    record, _ = load_yaml_file(path, "x")
    if record.get("abstract"):  # the test wants a record without its abstract
        record = {key: value for key, value in record.items() if key != "abstract"}
        record["sources"] = [{**s, "gives": [g for g in s["gives"] if g != "abstract"]} for s in record["sources"]]
        path.write_text(dump_record(record))
    assert check(atlas_copy)[1] == []
    bibliography = (atlas_copy / "citations.bib").read_text(encoding="utf-8")
    document = "https://github.com/o/r/blob/" + "d" * 40 + "/papers.json"
    via = "the paper's record in the listing, which quotes its abstract"
    source = {"url": document, "gives": ["abstract"], "via": via}
    item = dump_record({"paper": "weidinger2021ethical", "abstract": "Risks of harm are structured here.", "sources": [source]})
    item = "- " + item.rstrip("\n").replace("\n", "\n  ") + "\n"
    assert atlas(atlas_copy, "enrich", str(found(tmp_path, item))).returncode == 0
    record, _ = load_yaml_file(path, "x")
    assert record["abstract"] == "Risks of harm are structured here."
    assert source in record["sources"]
    assert (atlas_copy / "citations.bib").read_text(encoding="utf-8") == bibliography  # an abstract is no entry's field
    again = item.replace("Risks of harm are structured here.", "Another text.")
    assert "would add 0 fact(s)" in atlas(atlas_copy, "enrich", str(found(tmp_path, again)), "--dry-run").stdout
