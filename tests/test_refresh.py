"""`atlas refresh` against recorded API answers: published facts land as one reviewable edit."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from apiserver import RecordedAPIs

from atlas.pipeline import check
from atlas.records.bibtex_writer import paper_entry
from atlas.records.yamlio import dump_record, load_yaml_file

from conftest import snapshot

PREPRINT = {
    "title": (
        "Development of a Practical Multicomponent Density Functional for Electron-Proton Correlation to Produce Accurate Proton Densities"
    ),
    "links": {"arxiv": "https://arxiv.org/abs/1706.01836"},
    "sources": [{"contributor": "a test", "gives": ["title", "links.arxiv"]}],
    "challenges": [
        {"id": "heterogeneous-data/scientific-domains", "kind": "method", "why": "A density functional for protons and electrons."}
    ],
}
JOURNAL_PAPER = {
    "title": "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia in the Basal Ganglia of Mice",
    "links": {"doi": "https://doi.org/10.1371/journal.pone.0033693"},
    "sources": [{"contributor": "a test", "gives": ["title", "links.doi"]}],
    "challenges": [
        {
            "id": "heterogeneous-data/healthcare",
            "kind": "analysis",
            "why": "Only loosely related: a biomedical study used as a test record.",
        }
    ],
}


@pytest.fixture
def with_preprints(atlas_copy: Path) -> Path:
    bib = atlas_copy / "citations.bib"
    entries = []
    for paper_id, record in (("yang-2017-development", PREPRINT), ("sadasivan-2012-methylphenidate", JOURNAL_PAPER)):
        (atlas_copy / "papers" / f"{paper_id}.yaml").write_text(dump_record(record))
        entries.append(paper_entry(paper_id, record))
    bib.write_text(bib.read_text() + "\n" + "\n".join(entries))
    assert check(atlas_copy)[1] == []
    return atlas_copy


def refresh(root: Path, apis: RecordedAPIs, *args: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **apis.environment, **overrides}
    return subprocess.run(
        [sys.executable, "-m", "atlas.cli", "--root", str(root), "refresh", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
    )


def test_dry_run_lists_the_changes_and_writes_nothing(with_preprints: Path, apis: RecordedAPIs):
    before = snapshot(with_preprints)
    result = refresh(with_preprints, apis, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert snapshot(with_preprints) == before
    assert "papers/sadasivan-2012-methylphenidate.yaml: venue: (none) -> PLoS ONE; year: (none) -> 2012" in result.stdout
    assert "papers/yang-2017-development.yaml: links.doi: (none) -> https://doi.org/10.1063/1.4996038" in result.stdout
    assert "atlas refresh: would refresh 2 record(s)" in result.stdout


def test_refresh_records_published_facts_with_their_sources_and_is_idempotent(with_preprints: Path, apis: RecordedAPIs):
    before = snapshot(with_preprints)
    result = refresh(with_preprints, apis)
    changed = {name for name, content in snapshot(with_preprints).items() if before.get(name) != content}
    assert changed == {"papers/yang-2017-development.yaml", "papers/sadasivan-2012-methylphenidate.yaml", "citations.bib"}
    assert result.returncode == 0, result.stderr
    journal, _ = load_yaml_file(with_preprints / "papers" / "sadasivan-2012-methylphenidate.yaml", "x")
    assert journal["venue"] == "PLoS ONE" and journal["year"] == 2012
    assert journal["sources"][-1]["api"] == "crossref" and journal["sources"][-1]["gives"] == ["venue", "year"]
    preprint, _ = load_yaml_file(with_preprints / "papers" / "yang-2017-development.yaml", "x")
    assert preprint["links"]["doi"] == "https://doi.org/10.1063/1.4996038"
    assert preprint["venue"] == "The Journal of Chemical Physics 147, 114113 (2017)"
    assert preprint["sources"][-1] == {"api": "arxiv", "url": preprint["sources"][-1]["url"], "gives": ["links.doi", "venue"]}
    bib = (with_preprints / "citations.bib").read_text()
    assert "doi = {10.1063/1.4996038}" in bib and "howpublished = {PLoS ONE}" in bib
    atlas, problems = check(with_preprints)
    assert problems == []
    assert atlas.bibliography["sadasivan-2012-methylphenidate"].get("year") == "2012"
    again = refresh(with_preprints, apis)
    assert "atlas refresh: refreshed 0 record(s)" in again.stdout


def test_submissions_the_apis_do_not_know_are_reported_not_changed(with_preprints: Path, apis: RecordedAPIs):
    result = refresh(with_preprints, apis, "--dry-run")
    unknown = re.findall(r"^not found: (papers/\S+\.yaml): ", result.stdout, re.M)
    changed = re.findall(r"^(papers/\S+\.yaml): ", result.stdout, re.M)
    submissions = [p.path for p in check(with_preprints)[0].papers.values() if p.venue == "ICLR 2024 submission"]
    assert submissions and set(submissions) <= set(unknown)
    assert not set(unknown) & set(changed)
    assert set(changed) == {"papers/yang-2017-development.yaml", "papers/sadasivan-2012-methylphenidate.yaml"}


def test_a_network_failure_writes_nothing(with_preprints: Path, apis: RecordedAPIs):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/crossref"
    before = snapshot(with_preprints)
    result = refresh(with_preprints, apis, ATLAS_CROSSREF_API=closed)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "cannot reach the Crossref API" in result.stderr and "nothing was written" in result.stderr
    assert snapshot(with_preprints) == before


def test_a_doi_that_another_record_holds_is_not_given_to_a_second_record(with_preprints: Path, apis: RecordedAPIs):
    """The published version already has a record: refresh leaves the preprint as it is and says why,
    as `atlas check` would refuse two records with one DOI."""
    published = {**PREPRINT, "links": {"doi": "https://doi.org/10.1063/1.4996038"}}
    published["title"] = "A Practical Multicomponent Density Functional (the published version)"
    published["sources"] = [{"contributor": "a test", "gives": ["title", "links.doi"]}]
    (with_preprints / "papers" / "yang-2017-published.yaml").write_text(dump_record(published))
    bib = with_preprints / "citations.bib"
    bib.write_text(bib.read_text() + "\n" + paper_entry("yang-2017-published", published))
    assert check(with_preprints)[1] == []
    result = refresh(with_preprints, apis)
    assert result.returncode == 0, result.stderr
    assert (
        "left as it is: papers/yang-2017-development.yaml: its DOI https://doi.org/10.1063/1.4996038 is already in the atlas "
        "as papers/yang-2017-published.yaml (same DOI); merge the two records by hand"
    ) in result.stdout
    preprint, _ = load_yaml_file(with_preprints / "papers" / "yang-2017-development.yaml", "x")
    assert "doi" not in preprint["links"]
    assert check(with_preprints)[1] == []
