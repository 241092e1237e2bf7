"""`atlas add --arxiv/--doi/--openreview` against recorded API answers served on 127.0.0.1."""

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
from atlas.records.yamlio import load_yaml_file

from conftest import snapshot

LINK = [
    "--challenge",
    "heterogeneous-data/scientific-domains",
    "--kind",
    "method",
    "--why",
    "A density functional for protons and electrons.",
]


def atlas(root: Path, apis: RecordedAPIs, *args: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **apis.environment, **overrides}
    return subprocess.run(
        [sys.executable, "-m", "atlas.cli", "--root", str(root), *args], capture_output=True, text=True, timeout=300, env=environment
    )


def test_arxiv_lookup_gives_a_record_with_every_fact_the_api_gives(atlas_copy: Path, apis: RecordedAPIs):
    result = atlas(atlas_copy, apis, "add", "--arxiv", "1706.01836", *LINK)
    assert result.returncode == 0, result.stderr
    record, _ = load_yaml_file(atlas_copy / "papers" / "yang-2017-development.yaml", "x")
    assert record["title"].startswith("Development of a Practical Multicomponent Density Functional for Electron-Proton")
    assert record["authors"] == ["Yang Yang", "Kurt R. Brorsen", "Tanner Culpitt", "Michael V. Pak", "Sharon Hammes-Schiffer"]
    assert record["year"] == 2017 and record["venue"] == "The Journal of Chemical Physics 147, 114113 (2017)"
    assert record["links"] == {"arxiv": "https://arxiv.org/abs/1706.01836", "doi": "https://doi.org/10.1063/1.4996038"}
    assert record["abstract"].startswith("Multicomponent density functional theory (DFT) enables the consistent quantum mechanical")
    source = record["sources"][0]
    assert source["api"] == "arxiv" and "id_list=1706.01836" in source["url"]
    assert check(atlas_copy)[1] == []
    assert "eprint = {1706.01836}" in (atlas_copy / "citations.bib").read_text()


def test_doi_lookup_reads_the_crossref_work(atlas_copy: Path, apis: RecordedAPIs):
    result = atlas(atlas_copy, apis, "add", "--doi", "https://doi.org/10.1371/journal.pone.0033693", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Methylphenidate Exposure Induces Dopamine Neuron Loss" in result.stdout and "title: >-" in result.stdout
    assert "venue: PLoS ONE" in result.stdout and "year: 2012" in result.stdout
    assert "Shankar Sadasivan" in result.stdout
    assert "api: crossref" in result.stdout


def test_openreview_lookup_refuses_a_paper_the_atlas_has_and_adds_it_where_it_is_missing(atlas_copy: Path, apis: RecordedAPIs):
    link = "https://openreview.net/forum?id=ymjI8feDTD"
    refused = atlas(atlas_copy, apis, "add", "--openreview", link, *LINK)
    assert refused.returncode == 1
    assert "papers/consistency-trajectory-models.yaml (same OpenReview id)" in refused.stderr
    (atlas_copy / "papers" / "consistency-trajectory-models.yaml").unlink()
    efficiency = atlas_copy / "challenges" / "efficiency.yaml"  # the handout's choice names it: not while it is gone
    efficiency.write_text(efficiency.read_text().replace("start_here: [consistency-trajectory-models, ", "start_here: ["))
    bib = atlas_copy / "citations.bib"
    text = bib.read_text()
    start = re.search(r"^@\w+\{consistency-trajectory-models,", text, re.M).start()
    bib.write_text(text[:start] + text[text.index("}\n", start) + 2 :])
    added = atlas(atlas_copy, apis, "add", "--openreview", link, *LINK)
    assert added.returncode == 0, added.stderr
    record, _ = load_yaml_file(atlas_copy / "papers" / "consistency-trajectory-models.yaml", "x")
    assert record["venue"] == "ICLR 2024 submission" and record["year"] == 2024
    assert "Diffusion Models" in record["keywords"] and record["sources"][0]["api"] == "openreview"


@pytest.mark.parametrize(
    ("option", "identifier", "message"),
    [
        ("--arxiv", "1201.56789", "arXiv has no paper with the id 1201.56789"),
        ("--doi", "10.1000/unknown", "the Crossref API knows no such paper (HTTP 404)"),
        ("--openreview", "unknownPaper1", "OpenReview has no paper with the id unknownPaper1"),
        ("--arxiv", "9999.00002", "the arXiv API answered HTTP 503; try again later"),
        ("--doi", "10.9999/broken", "the Crossref API answered HTTP 503"),
        ("--openreview", "brokenBroken", "the OpenReview API answered HTTP 503"),
        ("--arxiv", "9999.00001", "the arXiv API did not answer within 1 s"),
        ("--doi", "10.9999/slow", "the Crossref API did not answer within 1 s"),
        ("--openreview", "slowSlowSlow", "the OpenReview API did not answer within 1 s"),
        ("--arxiv", "not an id", "'not an id' is not an arXiv id"),
        ("--doi", "11.2/x", "'11.2/x' is not a DOI"),
    ],
)
def test_lookup_failures_are_one_clear_line_and_write_nothing(
    atlas_copy: Path, apis: RecordedAPIs, option: str, identifier: str, message: str
):
    before = snapshot(atlas_copy)
    result = atlas(atlas_copy, apis, "add", option, identifier, *LINK)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert message in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert snapshot(atlas_copy) == before


def test_offline_is_a_clear_error(atlas_copy: Path, apis: RecordedAPIs):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/arxiv"
    result = atlas(atlas_copy, apis, "add", "--arxiv", "1706.01836", *LINK, ATLAS_ARXIV_API=closed)
    assert result.returncode == 1
    assert "cannot reach the arXiv API (ConnectError); are you offline?; nothing was written" in result.stderr
