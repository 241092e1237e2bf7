"""The scale benchmark's own tools: the synthetic atlas is valid and as described, the baseline is a
plain MkDocs project of as many pages, and the verdicts on the targets follow the numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from atlas.pipeline import valid_atlas

from conftest import REPO, real_atlas

sys.path.insert(0, str(REPO / "benchmarks"))
from new_records import new_records_atlas
from scale import targets, timed, tree_peak_kib, without_atlas, write_baseline
from synthetic import make_atlas

REAL = real_atlas()[0]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_atlas(tmp_path_factory.mktemp("bench") / "atlas", 240)


def test_the_synthetic_atlas_is_valid_with_new_papers_that_reuse_real_abstracts(synthetic: Path):
    atlas = valid_atlas(synthetic)
    assert len(atlas.papers) == 240
    assert not atlas.papers.keys() & REAL.papers.keys()
    assert not {p.title for p in atlas.papers.values()} & {p.title for p in REAL.papers.values()}
    assert {p.abstract for p in atlas.papers.values()} <= {p.abstract for p in REAL.papers.values()}
    assert {len(p.challenges) for p in atlas.papers.values()} == {0, 1, 2, 3}
    assert len(atlas.outside) == 24 and all(p.fits_none for p in atlas.outside)  # one in ten, as in the real atlas
    asked = [q for p in atlas.papers.values() for link in p.challenges for q in link.questions]
    assert 0.1 < len(asked) / sum(len(p.challenges) for p in atlas.papers.values()) < 0.3  # about one link in five
    assert atlas.challenges.keys() == REAL.challenges.keys()


def test_the_same_size_gives_the_same_atlas(synthetic: Path, tmp_path: Path):
    again = make_atlas(tmp_path / "again", 240)
    for record in (synthetic / "papers").glob("*.yaml"):
        assert (again / "papers" / record.name).read_text() == record.read_text()


def test_the_shuffled_atlas_has_random_titles_and_the_real_abstracts_shuffled_all_committed(tmp_path: Path):
    shuffled = make_atlas(tmp_path / "shuffled", 120, shuffled=True, committed=True)
    atlas = valid_atlas(shuffled)
    real_text = " ".join(f"{p.title} {p.abstract}" for p in REAL.papers.values())
    real_words = {word.lower() for word in re.findall(r"[A-Za-z][A-Za-z-]*[A-Za-z]", real_text)}
    for paper in atlas.papers.values():
        assert len(paper.title.split()) == 9 and set(paper.title.lower().split()) <= real_words
    real_abstracts = {tuple(sorted(p.abstract.split())) for p in REAL.papers.values() if p.abstract}
    abstracts = [p.abstract for p in atlas.papers.values() if p.abstract]
    assert abstracts and all(tuple(sorted(abstract.split())) in real_abstracts for abstract in abstracts)  # the same words
    assert not {p.abstract for p in atlas.papers.values()} & {p.abstract for p in REAL.papers.values() if p.abstract}  # in another order
    status = subprocess.run(["git", "status", "--porcelain"], cwd=shuffled, capture_output=True, text=True, check=True)
    assert status.stdout == ""  # every file committed
    again = make_atlas(tmp_path / "again", 120, shuffled=True)
    assert [r.read_text() for r in sorted((again / "papers").glob("*.yaml"))] == [
        r.read_text() for r in sorted((shuffled / "papers").glob("*.yaml"))
    ]


def test_the_new_records_atlas_holds_every_file_but_the_papers_in_its_head(tmp_path: Path):
    """benchmarks/new_records.py: every paper is new to git, so the check compares every title and form."""
    from atlas.pipeline import check
    from atlas.records.addresses import papers_new_since, records_changed_since

    root = new_records_atlas(tmp_path / "new", 40, shuffled=True)
    atlas, problems = check(root, "HEAD")
    assert papers_new_since(root, atlas) == set(atlas.papers) and len(atlas.papers) == 40
    assert records_changed_since(root) == sorted(f"papers/{paper_id}.yaml" for paper_id in atlas.papers)
    assert [problem for problem in problems if problem.severity == "error"] == []


def test_the_baseline_is_a_plain_mkdocs_build_of_as_many_pages_without_the_atlas(synthetic: Path, tmp_path: Path):
    baseline = write_baseline(synthetic, 240, tmp_path / "baseline")
    config = yaml.safe_load((baseline / "mkdocs.yml").read_text().replace("!!python/name:", ""))
    assert "atlas" not in [p if isinstance(p, str) else next(iter(p)) for p in config.get("plugins", [])]
    assert len(list((baseline / "docs" / "papers").glob("p[0-9]*.md"))) == 240  # and the nav's papers/index.md stub
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "--strict"], cwd=baseline, check=True)
    assert len(list((baseline / "site" / "papers").glob("p[0-9]*/index.html"))) == 240


# A parent that holds 60 MB and a child that holds 120 MB, together for a second.
HOLDING = (
    "import subprocess, sys, time; held = bytearray(60 * 2**20); "
    "child = subprocess.Popen([sys.executable, '-c', 'import time; held = bytearray(120 * 2**20); time.sleep(1)']); "
    "child.wait()"
)


def test_a_timed_run_is_not_sampled_and_a_sampled_run_counts_every_process(tmp_path: Path):
    seconds, largest_kib = timed([sys.executable, "-c", HOLDING], tmp_path)  # no tree sampled: there is none to give
    assert seconds >= 1
    assert 120 * 1024 <= largest_kib < 180 * 1024  # GNU time: the largest process alone
    tree = tree_peak_kib([sys.executable, "-c", HOLDING], tmp_path, before=lambda: (tmp_path / "ran").touch())
    assert (tmp_path / "ran").exists()
    assert tree >= 180 * 1024  # both processes at once


def test_only_the_atlas_plugin_is_left_out_of_either_form_of_plugin_list():
    assert without_atlas(["search", {"atlas": {"parallel": True}}, "offline"]) == ["search", "offline"]
    assert without_atlas({"atlas": {}, "tags": {"x": 1}}) == {"tags": {"x": 1}}


def row(papers: int, build: float, baseline: float, **extra: float) -> dict:
    """A measured size as scale.measure gives it (the figures the targets read), with `extra` figures."""
    measured = {"papers": papers, "build_s": build, "baseline_s": baseline, "ratio": round(build / baseline, 2), "check_s": 0.5}
    measured |= {"build_peak_mib": 100, "build_tree_peak_mib": 200, "check_peak_mib": 30, "paper_page_kb": 290, "paper_page_gzip_kb": 70}
    measured |= {"largest_html_kb": 250, "largest_html": "gaps/index.html", "papers_index_kb": 400, "filter_ms": 60.0}
    return measured | extra


def test_each_target_is_judged_met_or_not_from_the_numbers():
    reload = {"papers": 1000, "median_s": 1.4, "max_s": 1.6, "runs_s": [1.4, 1.3, 1.6]}
    good = [row(1000, 3.0, 3.0), row(5000, 14.0, 15.0), row(10000, 30.0, 31.0, check_s=2.0, build_tree_peak_mib=800)]
    # growth, ratio, check, memory, paper page; at 10,000: largest page, papers index; at 50,000: largest
    # page; the filter; t(50,000)/t(10,000) and memory; serve reload.
    assert [met for met, _ in targets(good, reload)] == [True] * 7 + [None, True, None, True]
    slow_small = [row(1000, 3.7, 3.0), *good[1:]]
    verdicts = targets(slow_small, reload)
    assert [met for met, _ in verdicts] == [True, False, True, True, True, True, True, None, True, None, True]
    assert "worst 1.23 at 1,000 papers" in verdicts[1][1]
    quadratic = [row(1000, 2.0, 3.0), good[1], row(10000, 30.0, 31.0, check_s=3.2, build_tree_peak_mib=1100, paper_page_kb=310)]
    verdicts = [met for met, _ in targets(quadratic, {**reload, "max_s": 2.1})]
    assert verdicts == [False, True, False, False, False, True, True, None, True, None, False]
    assert [met for met, _ in targets(good[:1], None)] == [None, True, None, None, True, None, None, None, None]


def test_the_50000_paper_targets_and_the_page_weights_are_judged_from_the_numbers():
    heavy = row(10000, 30.0, 31.0, check_s=2.0, build_tree_peak_mib=800, largest_html_kb=400, papers_index_kb=700, filter_ms=150.0)
    fast = row(50000, 160.0, 150.0, build_peak_mib=1900, largest_html_kb=280)
    verdicts = targets([row(1000, 3.0, 3.0), heavy, fast], None)
    assert [met for met, _ in verdicts][5:10] == [False, False, True, True, False]
    assert "largest 400 KB (gaps/index.html)" in verdicts[5][1] and "median 150.0 ms" in verdicts[9][1]
    slow = row(50000, 200.0, 190.0, build_peak_mib=2100)
    verdicts = targets([row(1000, 3.0, 3.0), row(10000, 30.0, 31.0, check_s=2.0, build_tree_peak_mib=800), slow], None)
    assert [met for met, _ in verdicts][10:12] == [False, False]
    assert "t(50,000)/t(10,000) <= 5.5: 6.67" in verdicts[10][1] and "2,100 MiB" in verdicts[11][1]
