"""`atlas import` on the real seed lists: every paper, once, with its sources."""

from __future__ import annotations

from pathlib import Path

import pybtex.errors
import pytest
from pybtex.database import parse_file

from atlas.contribute.importer import ImportFormatError, import_seed, parse_daily_list, parse_ratings_digest, parse_seed
from atlas.records.ids import normalise_title
from atlas.records.yamlio import dump_record, load_yaml_file

from conftest import REPO, seed


def test_daily_lists_give_title_and_abstract_pairs():
    papers, venue = parse_seed(seed("002").read_text())
    assert venue is None and len(papers) == 62
    assert papers[0].title == "Uncertainty-Aware Explanations Through Probabilistic Self-Explainable Neural Networks"
    assert papers[0].abstract.startswith("The lack of transparency of Deep Neural Networks")
    assert len(parse_daily_list(seed("004").read_text())) == 54


def test_ratings_digest_gives_links_ratings_keywords_and_the_venue_figures():
    papers, venue = parse_ratings_digest(seed("003").read_text())
    assert len(papers) == 19 + 66
    first = papers[0]
    assert first.title == "Large Language Models are Efficient Learners of Noise-Robust Speech Recognition"
    assert first.fields["links"] == {"openreview": "https://openreview.net/forum?id=ceATjGPTUD"}
    assert first.fields["ratings"] == {"average": 8.0, "scores": [8, 10, 6, 8]}
    assert "automatic speech recognition" in first.fields["keywords"]
    assert first.abstract.startswith("Recent advances in large language models (LLMs)")
    assert venue.quantiles[2] == ("50%", 5.25) and len(venue.keywords) == 50
    assert venue.keywords[0] == ("Large Language Models", 318)


def import_all(root: Path) -> list:
    (root / "papers").mkdir(parents=True)
    return [import_seed(root, seed(prefix)) for prefix in ("002", "003", "004")]


def test_importing_all_seeds_gives_199_papers_and_merges_the_two_shared_ones(tmp_path: Path):
    reports = import_all(tmp_path)
    assert [len(r.created) for r in reports] == [62, 85, 52]
    assert len(reports[2].merged) == 2
    records = sorted((tmp_path / "papers").glob("*.yaml"))
    assert len(records) == 199
    for paper_id in reports[2].merged:
        data, problems = load_yaml_file(tmp_path / "papers" / f"{paper_id}.yaml", paper_id)
        assert not problems
        assert [s["seed"] for s in data["sources"]] == [seed("002").name, seed("004").name]
    assert (tmp_path / "papers" / "venues" / "iclr-2024-submission.yaml").exists()


def test_import_writes_a_bibliography_entry_per_paper_that_pybtex_reads_cleanly(tmp_path: Path):
    import_all(tmp_path)
    pybtex.errors.set_strict_mode(True)
    data = parse_file(str(tmp_path / "citations.bib"))
    ids = {path.stem for path in (tmp_path / "papers").glob("*.yaml")}
    assert set(data.entries) == ids


def test_import_is_idempotent_and_keeps_curated_fields(tmp_path: Path):
    import_all(tmp_path)
    path = next((tmp_path / "papers").glob("*.yaml"))
    curated = path.read_text().replace("challenges: []", "challenges:\n- id: metrics\n  kind: analysis\n  why: Curated by hand.")
    path.write_text(curated)
    bib_before = (tmp_path / "citations.bib").read_text()
    again = [import_seed(tmp_path, seed(prefix)) for prefix in ("002", "003", "004")]
    assert all(not r.created and not r.merged for r in again)
    assert path.read_text() == curated
    assert (tmp_path / "citations.bib").read_text() == bib_before


def test_the_committed_corpus_holds_every_seed_paper_once():
    titles = {}
    for path in (REPO / "papers").glob("*.yaml"):
        data, _ = load_yaml_file(path, path.name)
        for title in (data["title"], *data.get("also_titled", [])):  # a seed's submission title may be kept beside the published one
            titles[normalise_title(title)] = data
    for prefix in ("002", "003", "004"):
        papers, _ = parse_seed(seed(prefix).read_text())
        for paper in papers:
            record = titles[normalise_title(paper.title)]
            assert record["abstract"] == paper.abstract, f"{paper.title}: abstract is not verbatim"
            assert seed(prefix).name in [s.get("seed") for s in record["sources"]]
    assert len(titles) >= 199  # the seeds' papers, and any added since


def test_a_file_in_neither_format_is_refused_with_a_line(tmp_path: Path):
    with pytest.raises(ImportFormatError) as error:
        parse_seed("Just some notes\nwithout a date line\n")
    assert error.value.line == 1
    with pytest.raises(ImportFormatError) as error:
        parse_seed("new\nMar 11\n\nA title\n\nAn abstract.\n\nA title without abstract\n")
    assert error.value.line == 8


def test_import_finds_a_paper_as_check_does_by_its_openreview_id_and_names_near_titles(tmp_path: Path):
    """One answer to "already here?" (atlas.records.duplicates): a record with the digest's OpenReview
    id but another title gains the source; a new record whose title is nearly another's is created,
    and the report names the pair."""
    (tmp_path / "papers").mkdir()
    papers, _ = parse_ratings_digest(seed("003").read_text())
    first, second = papers[0], papers[1]
    renamed = {"title": "A title a contributor shortened", "links": first.fields["links"], "abstract": first.abstract}
    (tmp_path / "papers" / "shortened.yaml").write_text(dump_record({**renamed, "sources": [], "challenges": []}))
    near = {"title": second.title + " Revisited", "abstract": "Another paper.", "sources": [], "challenges": []}
    (tmp_path / "papers" / "near.yaml").write_text(dump_record(near))
    report = import_seed(tmp_path, seed("003"))
    assert "shortened" in report.merged and len(report.created) == len(papers) - 1
    data, _ = load_yaml_file(tmp_path / "papers" / "shortened.yaml", "x")
    assert data["title"] == "A title a contributor shortened" and data["sources"][-1]["seed"] == seed("003").name
    new_id = next(similar.split(":")[0] for similar in report.similar if "papers/near.yaml" in similar)
    assert (tmp_path / "papers" / f"{new_id}.yaml").exists()
    assert f"{new_id}: already in the atlas as papers/near.yaml (title " in report.similar[0]
