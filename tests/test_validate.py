"""`atlas check`'s rules: one test per kind of problem, each asserting the place and the fix."""

from __future__ import annotations

import gc
import json
import os
import random
import subprocess
import sys
import threading
import weakref
from pathlib import Path

import pytest

from atlas import background
from atlas.pipeline import check
from atlas.records import load
from atlas.records.bibliography import parse_bibliography, parse_bibliography_part
from atlas.records.model import Problem
from atlas.records.yamlio import dump_record, load_yaml_file

from conftest import SHARED, hep_titles, real_atlas, require_shared

PAPER = "calibrated-language-models"


def problems_of(root: Path) -> list[Problem]:
    return [p for p in check(root)[1] if p.severity == "error"]


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1))


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_the_real_atlas_has_no_problems(atlas_copy: Path):
    assert check(atlas_copy)[1] == []


def test_unknown_field_is_named_with_its_line(atlas_copy: Path):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    replace(path, "sources:", "tittle: typo\nsources:")
    problem = only(problems_of(atlas_copy))
    assert (problem.path, problem.line) == (f"papers/{PAPER}.yaml", line_of(path, "tittle"))
    assert "unknown field 'tittle'" in problem.message and "known fields: title" in problem.message


def test_missing_title_is_required(atlas_copy: Path):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    replace(path, "title: Calibrated Language Models Must Hallucinate\n", "")
    messages = [str(p) for p in problems_of(atlas_copy)]
    assert f"papers/{PAPER}.yaml:1: the paper lacks the required field 'title'" in messages


def test_non_http_link_is_refused(atlas_copy: Path):
    path = atlas_copy / "papers" / "consistency-trajectory-models.yaml"
    replace(path, "openreview: https://openreview.net/forum?id=ymjI8feDTD", "openreview: javascript:alert(1)")
    problem = only(problems_of(atlas_copy))
    assert problem.line == line_of(path, "javascript:")
    assert "must be an http(s) URL" in problem.message


def test_unknown_link_name_is_refused(atlas_copy: Path):
    path = atlas_copy / "papers" / "consistency-trajectory-models.yaml"
    replace(path, "links:\n", "links:\n  homepage: https://example.org\n")
    problem = only(problems_of(atlas_copy))
    assert "unknown link 'homepage'" in problem.message and problem.line == line_of(path, "homepage")


def test_year_out_of_range_is_refused(atlas_copy: Path):
    path = atlas_copy / "papers" / "consistency-trajectory-models.yaml"
    replace(path, "year: 2024", "year: 1024")
    problem = only(problems_of(atlas_copy))
    assert problem.line == line_of(path, "year: 1024") and "'year' must be a whole year" in problem.message


def test_unknown_challenge_lists_the_valid_ones(atlas_copy: Path):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    replace(path, "- id: ethics/hallucination", "- id: hallucination")
    problem = only(problems_of(atlas_copy))
    assert problem.line == line_of(path, "- id: hallucination")
    assert "challenge 'hallucination' does not exist; use one of robustness, priors" in problem.message


def test_unknown_subchallenge_lists_the_valid_ones(atlas_copy: Path):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    replace(path, "- id: ethics/hallucination", "- id: ethics/hallucinations")
    problem = only(problems_of(atlas_copy))
    assert "'ethics/hallucinations' is not a sub-challenge; use one of ethics/misinformation" in problem.message


def test_unknown_kind_is_refused(atlas_copy: Path):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    replace(path, "kind: theory", "kind: proof")
    problem = only(problems_of(atlas_copy))
    assert problem.line == line_of(path, "kind: proof") and "kind 'proof' is not one of method" in problem.message


def test_paper_without_challenges_is_reported(atlas_copy: Path):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    text = path.read_text()
    path.write_text(text[: text.index("challenges:")] + "challenges: []\n")
    problem = only(problems_of(atlas_copy))
    assert problem.line == line_of(path, "challenges: []") and "links to no challenge" in problem.message


def test_same_title_in_two_records_is_a_duplicate(atlas_copy: Path):
    original = atlas_copy / "papers" / f"{PAPER}.yaml"
    copy = atlas_copy / "papers" / "zz-copy.yaml"
    record, _ = load_yaml_file(original, "x")
    record = {**record, "title": "Calibrated language models must hallucinate!"}
    record.pop("links")
    record["sources"] = [{**source, "gives": [n for n in source["gives"] if not n.startswith("links.")]} for source in record["sources"]]
    copy.write_text(dump_record(record))
    bib = atlas_copy / "citations.bib"
    bib.write_text(bib.read_text() + "\n@misc{zz-copy,\n  title = {Calibrated language models must hallucinate!}\n}\n")
    problem = only(problems_of(atlas_copy))
    assert problem.path == "papers/zz-copy.yaml"
    assert f"has the same title as papers/{PAPER}.yaml; merge the two records" in problem.message


def test_same_openreview_id_is_a_duplicate(atlas_copy: Path):
    path = atlas_copy / "papers" / "whole-song-hierarchical.yaml"
    replace(path, "forum?id=sn7CYWyavh", "forum?id=ymjI8feDTD")
    problem = only(problems_of(atlas_copy))
    assert "the same OpenReview id as papers/consistency-trajectory-models.yaml" in problem.message


def set_fact(path: Path, name: str, value: object) -> None:
    """Give the record a fact, named in the 'gives' of its first source (links.NAME for a link)."""
    record, _ = load_yaml_file(path, "x")
    if name.startswith("links."):
        record["links"] = {**record.get("links", {}), name.removeprefix("links."): value}
    else:
        record[name] = value
    first = record["sources"][0]
    first["gives"] = [*dict.fromkeys([*first["gives"], name])]
    path.write_text(dump_record(record))


def test_same_arxiv_id_is_a_duplicate(atlas_copy: Path):
    for name in ("consistency-trajectory-models", "whole-song-hierarchical"):
        set_fact(atlas_copy / "papers" / f"{name}.yaml", "links.arxiv", "https://arxiv.org/abs/2310.02279v2")
    problem = only(problems_of(atlas_copy))
    assert problem.path == "papers/whole-song-hierarchical.yaml" and "the same arXiv id" in problem.message


def test_file_name_must_be_a_valid_id(atlas_copy: Path):
    (atlas_copy / "papers" / f"{PAPER}.yaml").rename(atlas_copy / "papers" / "Calibrated LMs.yaml")
    messages = [str(p) for p in problems_of(atlas_copy)]
    assert any(m.startswith("papers/Calibrated LMs.yaml:1: the file name 'Calibrated LMs' is not a valid id") for m in messages)


def test_paper_without_bibliography_entry_is_reported(atlas_copy: Path):
    bib = atlas_copy / "citations.bib"
    replace(bib, f"@misc{{{PAPER},", "@misc{renamed-key,")
    problem = only(problems_of(atlas_copy))
    assert f"has no entry in citations.bib; add one with the key '{PAPER}'" in problem.message


def test_bibliography_title_must_match_the_record(atlas_copy: Path):
    bib = atlas_copy / "citations.bib"
    replace(bib, "{{Calibrated Language Models Must Hallucinate}}", "{{Calibrated Language Models Never Hallucinate}}")
    problem = only(problems_of(atlas_copy))
    assert problem.path == "citations.bib" and problem.line == line_of(bib, f"@misc{{{PAPER},")
    assert "differs from papers/" in problem.message


def test_bibtex_syntax_error_names_its_line(atlas_copy: Path):
    bib = atlas_copy / "citations.bib"
    bib.write_text(bib.read_text() + "\n@misc{broken,\n  title = {Unclosed\n")
    messages = [str(p) for p in problems_of(atlas_copy)]
    assert any(m.startswith("citations.bib:") and "BibTeX syntax error" in m for m in messages)


def test_duplicate_bibtex_key_names_the_second_entry(atlas_copy: Path):
    bib = atlas_copy / "citations.bib"
    lines_before = len(bib.read_text().splitlines())
    bib.write_text(bib.read_text() + "\n@misc{wachter2017counterfactual,\n  title = {Again}\n}\n")
    problem = next(p for p in problems_of(atlas_copy) if "repeated" in p.message)
    assert problem.line == lines_before + 2


def test_missing_bibliography_says_what_to_do(atlas_copy: Path):
    (atlas_copy / "citations.bib").unlink()
    messages = [str(p) for p in problems_of(atlas_copy)]
    assert "citations.bib:1: is missing; create it (it holds the survey's references and one entry per paper)" in messages


def test_missing_folder_says_where_to_run(tmp_path: Path):
    messages = [str(p) for p in problems_of(tmp_path)]
    assert "challenges:0: is missing; run atlas from the atlas' top folder or pass --root" in messages


def test_related_challenge_must_exist(atlas_copy: Path):
    path = atlas_copy / "challenges" / "metrics.yaml"
    replace(path, "related:\n- id: ", "related:\n- id: nonexistent\n  reason: Because.\n- id: ")
    problem = only(problems_of(atlas_copy))
    assert problem.line == line_of(path, "- id: nonexistent") and "related challenge 'nonexistent' does not exist" in problem.message


def test_reference_key_must_be_the_same_survey_number(atlas_copy: Path):
    path = atlas_copy / "challenges" / "metrics.yaml"
    replace(path, "key: zhu2018texygen", "key: zhou2019hype")
    problem = only(problems_of(atlas_copy))
    assert problem.line == line_of(path, "- n: 253") and "is not survey reference 253" in problem.message


def test_resolved_reference_must_name_its_key(atlas_copy: Path):
    path = atlas_copy / "challenges" / "metrics.yaml"
    replace(path, "  key: zhu2018texygen\n", "")
    problem = only(problems_of(atlas_copy))
    assert "reference 253 has the entry 'zhu2018texygen' in citations.bib; add 'key: zhu2018texygen'" in problem.message


def test_reference_number_must_be_a_survey_citation(atlas_copy: Path):
    path = atlas_copy / "challenges" / "ethics.yaml"
    replace(path, "- n: 26\n", "- n: 300\n")
    problem = only(problems_of(atlas_copy))
    assert problem.line == line_of(path, "- n: 300") and "citation number of the survey (1-256)" in problem.message


def test_reference_listed_twice_is_reported(atlas_copy: Path):
    path = atlas_copy / "challenges" / "metrics.yaml"
    replace(path, "- n: 15\n", "- n: 15\n- n: 15\n")
    problem = only(problems_of(atlas_copy))
    assert "reference 15 is listed twice" in problem.message


def test_subchallenge_ids_must_be_unique(atlas_copy: Path):
    path = atlas_copy / "challenges" / "metrics.yaml"
    replace(path, "- id: subjective-evaluation", "- id: metric-design")
    problems = problems_of(atlas_copy)
    assert any("sub-challenge id 'metric-design' is already the anchor of sub-challenge 'metric-design'" in p.message for p in problems)


def test_every_problem_is_reported_in_one_run(atlas_copy: Path):
    replace(atlas_copy / "papers" / f"{PAPER}.yaml", "kind: theory", "kind: proof")
    replace(atlas_copy / "papers" / "consistency-trajectory-models.yaml", "year: 2024", "year: 99")
    (atlas_copy / "papers" / "broken.yaml").write_text("title: [unclosed\n")
    paths = {p.path for p in problems_of(atlas_copy)}
    assert {f"papers/{PAPER}.yaml", "papers/consistency-trajectory-models.yaml", "papers/broken.yaml"} <= paths


def test_yml_ending_is_reported_and_hidden_files_are_skipped(atlas_copy: Path):
    (atlas_copy / "papers" / "notes.yml").write_text("title: A\n")
    (atlas_copy / "papers" / ".draft.yaml").write_text("title: [unclosed\n")
    problem = only(problems_of(atlas_copy))
    assert str(problem) == "papers/notes.yml:1: has the ending .yml; rename it to .yaml"


def test_check_leaves_the_cycle_collector_as_it_found_it(atlas_copy: Path):
    class Node:
        pass

    cycle = Node()
    cycle.itself = cycle
    alive = weakref.ref(cycle)
    del cycle
    assert gc.isenabled()
    check(atlas_copy)
    assert gc.isenabled()
    gc.collect()
    assert alive() is None, "garbage made before the check is still collected"
    gc.disable()
    try:
        check(atlas_copy)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_big_bibliography_read_in_a_child_process_gives_the_same_entries(atlas_copy: Path, monkeypatch):
    bib = atlas_copy / "citations.bib"
    bib.write_text(bib.read_text() + "\n@misc{broken, title = {a & b}, title = {again}}\n@misc{open, title = {x}\n")
    monkeypatch.setattr(background, "MIN_SHARE", 10**9)  # no child would get enough entries
    here = load.load_atlas(atlas_copy)
    monkeypatch.setattr(background, "MIN_SHARE", 1)
    forked = load.load_atlas(atlas_copy)
    assert forked.problems == here.problems and len(here.problems) == 2
    assert forked.bibliography == here.bibliography
    assert [entry.source for entry in forked.bibliography.values()] == [entry.source for entry in here.bibliography.values()]


def test_work_that_fails_in_a_child_process_fails_as_a_plain_call():
    with pytest.raises(ValueError, match="invalid literal"):
        background.Forked(int, "not a number").result()
    work = background.Forked(sorted, "cab")
    assert (work.child is not None) == (sys.platform == "linux" and threading.active_count() == 1)
    assert work.result() == ["a", "b", "c"]


def test_reading_with_a_parse_memo_gives_what_a_fresh_read_gives(atlas_copy):
    """`atlas serve` keeps parsed records between rebuilds: an edited file is parsed again, an
    unchanged one is not, and the memo forgets what no file holds any more."""
    parsed = load.TextMemo()
    first = load.load_atlas(atlas_copy, parsed)
    records = len(first.challenges) + len(first.papers) + len(first.venues)
    entries = len(first.bibliography)
    assert len(parsed) == records + entries  # citations.bib is remembered entry by entry
    record = atlas_copy / "papers" / "calibrated-language-models.yaml"
    record.write_text(record.read_text().replace("title: Calibrated Language Models Must Hallucinate", "title: [broken"))
    again, fresh = load.load_atlas(atlas_copy, parsed), load.load_atlas(atlas_copy)
    assert again.problems == fresh.problems and any("calibrated-language-models" in p.path for p in again.problems)
    assert [r.data for r in again.papers] == [r.data for r in fresh.papers]
    assert len(parsed) == records + entries
    assert check(atlas_copy, parsed=parsed)[1] == check(atlas_copy)[1]
    assert load.load_atlas(atlas_copy, parsed).bibliography == fresh.bibliography


def _parsed_in_parts(text: str, memo: load.TextMemo, parsed: list[str]):
    def part(chunk: str, shown: str):
        parsed.append(chunk)
        return parse_bibliography_part(chunk, shown)

    result = parse_bibliography(text, "citations.bib", memo.parse(part))
    memo.read_done()
    return result


def test_a_bibliography_read_entry_by_entry_is_the_one_read_at_once_and_an_edit_parses_one_entry_again(atlas_copy):
    """`atlas serve` parses citations.bib entry by entry and remembers each: the real corpus (2,423 entries)
    and the atlas' own file give exactly what one pybtex parse gives, and a retitle parses one entry."""
    require_shared()
    for path in (SHARED / "corpora" / "hepml-living-review.bib", atlas_copy / "citations.bib"):
        text = path.read_text(encoding="utf-8")
        memo, parsed = load.TextMemo(), []
        whole = parse_bibliography(text, "citations.bib")
        assert len(whole[0]) > 200 and not whole[1]
        in_parts = _parsed_in_parts(text, memo, parsed)
        assert in_parts == whole
        assert [e.source.fields for e in in_parts[0].values()] == [e.source.fields for e in whole[0].values()]
        title = next(e.get("title") for e in reversed(whole[0].values()) if e.get("title") and text.count(e.get("title")) == 1)
        edited = text.replace(title, "{A New Title}")
        parsed.clear()
        assert _parsed_in_parts(edited, memo, parsed) == parse_bibliography(edited, "citations.bib")
        assert len(parsed) == 1 and "{A New Title}" in parsed[0]


@pytest.mark.parametrize(
    "text",
    [
        "@string{jmlr = {JMLR}}\n@article{a,\n  title = {One},\n  journal = jmlr,\n}\n@misc{b,\n  title = {Two},\n}\n",
        "@misc{a,\n  title = {One},\n  crossref = {b},\n}\n@book{b,\n  title = {Two},\n  year = {2024},\n}\n",
        "@misc{a,\n  title = {One},\n}\n@misc{A,\n  title = {Two},\n}\n",
        "@misc{\n a,\n  title = {One},\n}\n@misc{b,\n  title = {Two},\n}\n@misc{\n a,\n  title = {Three},\n}\n",
        "@misc{a,\n  title = {One},\n\n@misc{b,\n  title = {Two},\n}\n",
        "% notes\n@misc{a,\n  title = {One},\n  note = {x}}\n@misc{b,\n  title = {Two}, year = 2024\n}\n",
    ],
    ids=["string-macro", "crossref", "keys-differing-in-case", "repeated-key-on-its-own-line", "unclosed-entry", "comment-and-bare-number"],
)
def test_a_bibliography_whose_entries_depend_on_each_other_or_are_broken_is_read_as_one_parse_reads_it(text):
    memo, parsed = load.TextMemo(), []
    assert _parsed_in_parts(text, memo, parsed) == parse_bibliography(text, "citations.bib")
    assert _parsed_in_parts(text, memo, parsed) == parse_bibliography(text, "citations.bib")


DEALT = """
import json, sys, threading
from atlas import background
assert threading.active_count() == 1, "a fresh process forks"
items = [f"item {n:04}" for n in range(int(sys.argv[1]))]
count = background.workers(len(items))
shares = background.dealt(items, count)
elsewhere = [background.Forked(lambda share: [text.upper() for text in share], share) for share in shares[1:]]
forked = [work.child is not None for work in elsewhere]
results = background.undealt([[text.upper() for text in shares[0]], *(work.result() for work in elsewhere)])
print(json.dumps({"count": count, "forked": forked, "equal": results == [text.upper() for text in items]}))
"""


@pytest.mark.parametrize("items", [0, 1, 99, 100, 101, 1000])
def test_work_dealt_among_the_cores_comes_back_as_one_process_computes_it(items: int):
    """In a fresh interpreter: this one may run threads (the tests' API server), where nothing forks."""
    result = subprocess.run([sys.executable, "-c", DEALT, str(items)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["equal"] and all(answer["forked"])
    assert answer["count"] == max(1, min(background.CORES, items // background.MIN_SHARE))


def test_the_worker_policy_gives_each_core_a_share_and_no_child_too_little():
    assert background.workers(10**6, parallel=False) == 1
    assert background.dealt(list(range(7)), 3) == [[0, 3, 6], [1, 4], [2, 5]]
    assert background.undealt(background.dealt(list(range(7)), 3)) == list(range(7))
    assert background.undealt([[]]) == [] and background.dealt([], 1) == [[]]


def test_an_answer_is_read_with_no_collection_and_the_collector_left_on():
    """Unpickling a child's answer makes many objects that all live on: no collection re-examines them."""
    started: list[int] = []

    def counted(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(info["generation"])

    work = background.Forked(lambda count: [[number] for number in range(count)], 300_000)
    forked = work.child is not None
    gc.collect()  # counts from zero: none falls due on the way to the pause
    gc.callbacks.append(counted)
    try:
        answer = work.result()
    finally:
        gc.callbacks.remove(counted)
    assert answer == [[number] for number in range(300_000)] and gc.isenabled()
    if forked and not work.ran_here:  # read from the child: 300,000 lists set off 428 collections unpaused
        assert started in ([], [0]), started  # at most one of the young, as the collector comes back on


HALF_ANSWERED = """
import json
from atlas import background

def answer(size):  # pickling writes the text, then fails on the function: the child dies halfway through its answer
    return ["x" * size, lambda: None]

work = background.Forked(answer, 10**6)
forked = work.child is not None
first = work.result()
print(json.dumps({"forked": forked, "ran_here": work.ran_here, "text": len(first[0]), "once": work.result() is first, "args": work.args}))
"""


def test_an_answer_cut_off_halfway_is_computed_here_and_kept():
    """The child streams its answer into the pipe; one that fails partway is not taken as an answer."""
    result = subprocess.run([sys.executable, "-c", HALF_ANSWERED], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"forked": True, "ran_here": True, "text": 10**6, "once": True, "args": None}


def test_cancelled_work_leaves_no_process_behind():
    unused = background.Forked(sum, range(10))
    child = unused.child
    unused.cancel()
    assert unused.child is None
    if child is not None:
        with pytest.raises(ChildProcessError):
            os.waitpid(child, os.WNOHANG)  # reaped: no zombie left


def test_a_fact_that_no_source_gives_is_refused_at_its_line(atlas_copy: Path):
    path = atlas_copy / "papers" / "consistency-trajectory-models.yaml"
    record, _ = load_yaml_file(path, "x")
    record["sources"] = [{**source, "gives": ["title", "abstract"]} for source in record["sources"]]
    path.write_text(dump_record(record))
    found = {p.message.split(";")[0]: p.line for p in problems_of(atlas_copy)}
    held = {"year": "year:", "venue": "venue:", "links.openreview": "  openreview:", "ratings": "ratings:", "keywords": "keywords:"}
    held |= {"authors": "authors:", "links.arxiv": "  arxiv:"}
    assert found == {f"no source gives '{name}'": line_of(path, text) for name, text in held.items()}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("links.doi", "a source gives 'links.doi', but the record has no links.doi"),
        ("homepage", "'gives' names 'homepage', which is not a fact"),
    ],
)
def test_a_source_gives_only_facts_the_record_holds(atlas_copy: Path, name: str, message: str):
    path = atlas_copy / "papers" / "absorbing-discrete-diffusion.yaml"
    record, _ = load_yaml_file(path, "x")
    record["sources"][0]["gives"] = [*record["sources"][0]["gives"], name]
    path.write_text(dump_record(record))
    problem = only(problems_of(atlas_copy))
    assert message in problem.message and problem.line == line_of(path, "sources:" if name == "links.doi" else "gives:")


@pytest.mark.parametrize(("field", "value"), [("url", "javascript:alert(1)"), ("doi", "javascript:alert(1)"), ("url", "ftp://x.org/a")])
def test_a_bibtex_url_or_doi_that_is_not_a_web_link_is_refused_at_its_line(atlas_copy: Path, field: str, value: str):
    bib = atlas_copy / "citations.bib"
    held = {"url": "https://arxiv.org/abs/1711.00399", "doi": "10.2139/ssrn.3063289"}[field]  # the survey's [214] as its entry holds it
    replace(bib, f"  {field} = {{{held}}},", f"  {field} = {{{value}}},")
    problem = only(problems_of(atlas_copy))
    assert problem.path == "citations.bib" and problem.line == line_of(bib, "@article{wachter2017counterfactual,")
    assert f"the {field} of 'wachter2017counterfactual' must be" in problem.message


def test_a_record_with_another_records_doi_is_a_duplicate_naming_both_files(atlas_copy: Path):
    for name in ("absorbing-discrete-diffusion", "adapt-then-unlearn"):
        set_fact(atlas_copy / "papers" / f"{name}.yaml", "links.doi", "https://doi.org/10.1234/same")
    problem = only(problems_of(atlas_copy))
    assert problem.path == "papers/adapt-then-unlearn.yaml"
    assert "has the same DOI as papers/absorbing-discrete-diffusion.yaml; merge the two records" in problem.message
    assert "not_duplicate_of: [absorbing-discrete-diffusion]" in problem.message


def committed(root: Path) -> None:
    """Make the copy a git checkout whose HEAD holds the atlas as it is (the base `atlas check` compares with)."""
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"]):
        subprocess.run(["git", *command], cwd=root, check=True)


def test_a_new_record_whose_title_gained_a_word_is_a_duplicate_unless_it_says_it_is_not(atlas_copy: Path):
    committed(atlas_copy)
    original = atlas_copy / "papers" / "consistency-trajectory-models.yaml"
    record, _ = load_yaml_file(original, "x")
    title = record["title"] + " Models"
    record = {**record, "title": title, "links": {}}
    record["sources"] = [{**s, "gives": [g for g in s["gives"] if not g.startswith("links.")]} for s in record["sources"]]
    record["sources"] = [s for s in record["sources"] if s["gives"]]
    copy = atlas_copy / "papers" / "zz-longer.yaml"
    copy.write_text(dump_record(record))
    bib = atlas_copy / "citations.bib"
    bib.write_text(bib.read_text() + "\n@misc{zz-longer,\n  title = {{" + title + "}}\n}\n")
    problem = only([p for p in check(atlas_copy, "HEAD")[1] if p.severity == "error"])
    assert problem.path == "papers/zz-longer.yaml" and "% similar" in problem.message
    assert "like papers/consistency-trajectory-models.yaml; merge the two records" in problem.message
    assert [p for p in problems_of(atlas_copy)] == []  # without a base, only exact duplicates are looked for
    copy.write_text(dump_record({**record, "not_duplicate_of": ["consistency-trajectory-models"]}))
    assert [p for p in check(atlas_copy, "HEAD")[1] if p.severity == "error"] == []
    copy.write_text(dump_record({**record, "not_duplicate_of": ["no-such-paper"]}))
    assert "'not_duplicate_of' names 'no-such-paper', which is no other record" in str(check(atlas_copy, "HEAD")[1])


def test_no_two_records_of_the_corpus_are_alike():
    """All against all, once, on the committed records: the check compares only new ones with the rest."""
    from atlas.records.duplicates import similar_records

    papers = list(real_atlas()[0].papers.values())
    assert similar_records(papers, {paper.id for paper in papers}) == []


def _near_copies(titles: list[str], count: int, seed: int = 7) -> list[str]:
    """Titles a few characters or a word away from real ones: deleted, inserted or swapped characters,
    a dropped or added word, words reordered, at every distance around the threshold."""
    rng = random.Random(seed)
    copies = []
    for _ in range(count):
        title = list(rng.choice(titles))
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(title))
            edit = rng.choice(("delete", "insert", "swap"))
            if edit == "delete" and len(title) > 1:
                del title[at]
            elif edit == "insert":
                title.insert(at, rng.choice("abcdefghijklmnopqrstuvwxyz "))
            else:
                title[at] = rng.choice("aeiou")
        words = "".join(title).split()
        if rng.random() < 0.3:
            rng.shuffle(words)
        if rng.random() < 0.3:
            words.append(rng.choice(("models", "learning", "a", "networks")))
        copies.append(" ".join(words))
    return copies


def _copies_at_the_threshold(titles: list[str], count: int, seed: int = 11) -> list[str]:
    """Titles as far from real ones as FUZZY_THRESHOLD allows, as token_sort_ratio compares them (words
    sorted): the most characters it lets go, deleted or replaced at evenly spaced places inside words but
    not at their start (the words keep their order), so that each edit breaks as many trigrams as it can."""
    rng = random.Random(seed)
    copies = []
    for title in rng.sample([title for title in titles if len(title) >= 25], count):
        words = " ".join(sorted(title.split()))
        edits = int(0.07 * 2 * len(words) / 1.07)  # deletions d with 100 * (1 - d / (2l - d)) >= 93
        inside = [i for i in range(1, len(words)) if words[i] != " " and words[i - 1] != " "]
        step = max(1, len(inside) // (edits + 1))
        places = set(inside[step // 2 :: step][:edits])
        if rng.random() < 0.5:
            copies.append("".join(c for i, c in enumerate(words) if i not in places))
        else:  # a replacement is two edits: half as many
            places = set(sorted(places)[: edits // 2])
            copies.append("".join(("x" if c != "x" else "y") if i in places else c for i, c in enumerate(words)))
    return copies


def test_the_near_title_index_finds_exactly_what_comparing_every_pair_finds():
    """similar_records' candidate index against the plain comparison of every title with every other, on
    real titles (the atlas', the HEP ML Living Review's) and on near-copies of them at every distance."""
    from atlas.records.duplicates import DuplicateFinder, NearTitles
    from atlas.records.ids import normalise_title

    real = [paper.title for paper in real_atlas()[0].papers.values()] + hep_titles()
    rng = random.Random(5)  # and titles of random letters, whose trigrams are all distinct: the worst case
    letters = [
        " ".join("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(4, 11))) for _ in range(rng.randint(3, 12)))
        for _ in range(600)
    ]
    copies = [normalise_title(copy) for copy in _near_copies(real, 40, seed=3)]  # indexed too: titles with a near neighbour
    known = list(dict.fromkeys(normalise_title(title) for title in real + copies + letters if title))
    plain = DuplicateFinder([])
    for index, title in enumerate(known):
        plain.add(f"p{index}", title, {})
    indexed = DuplicateFinder([])
    indexed.by_title = plain.by_title
    indexed.near = NearTitles(list(plain.by_title), list(plain.by_title.values()))
    queries = _near_copies(known, 1000) + _copies_at_the_threshold(known, 500) + _copies_at_the_threshold(known[-600:], 500) + known[:200]
    found = 0
    for query in queries:
        expected = plain.find(query, {}, exclude="p3")
        assert indexed.find(query, {}, exclude="p3") == expected, query
        found += expected is not None and "similar" in expected.reason
    assert found > 400  # the queries do come near the threshold
    for index, title in enumerate(known):  # the copies asked for with their own record left out, as the check asks new records
        if title in copies:
            assert indexed.find(title, {}, exclude=f"p{index}") == plain.find(title, {}, exclude=f"p{index}"), title


def test_a_paper_memo_reads_only_the_changed_records_and_gives_what_a_fresh_check_gives(atlas_copy: Path):
    """`atlas serve` keeps each paper's reading between rebuilds (validate.PaperMemo): the atlas and
    the problems are those of a fresh check, after an edit, a broken record and a removed one."""
    from atlas.records.load import TextMemo
    from atlas.records.validate import PaperMemo

    parsed, read = TextMemo(), PaperMemo()
    first, _ = check(atlas_copy, parsed=parsed, read=read)
    record = atlas_copy / "papers" / f"{PAPER}.yaml"
    record.write_text(record.read_text().replace("year: 2024", "year: 2999"))  # a problem: a year to come
    (atlas_copy / "papers" / "adapt-then-unlearn.yaml").unlink()
    second = check(atlas_copy, parsed=parsed, read=read)
    assert second == check(atlas_copy)
    assert any(p.path == f"papers/{PAPER}.yaml" and "'year' must be" in p.message for p in second[1])
    assert "adapt-then-unlearn" not in second[0].papers
    untouched = next(paper_id for paper_id in first.papers if paper_id not in (PAPER, "adapt-then-unlearn"))
    assert second[0].papers[untouched] is first.papers[untouched]  # read once
    assert second[0].papers[PAPER] is not first.papers[PAPER]
