"""A paper's year and identifiers as atlas check reads them: a year is a whole number of the calendar's
range, and an identifier is read from any form a link gives it in, or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas.pipeline import check
from atlas.records.duplicates import identifier, identifiers
from atlas.records.yamlio import dump_record, load_yaml_file


@pytest.mark.parametrize("year", [2023.5, "2023", True])
def test_a_year_that_is_not_a_whole_number_is_refused(atlas_copy: Path, year: object):
    path = atlas_copy / "papers" / "song-2023-consistency.yaml"
    record, _ = load_yaml_file(path, "x")
    path.write_text(dump_record({**record, "year": year}))
    problems = [p for p in check(atlas_copy)[1] if "'year' must be a whole year" in p.message]
    assert [p.path for p in problems] == ["papers/song-2023-consistency.yaml"]


def test_a_link_that_holds_no_identifier_identifies_nothing():
    assert identifier("arxiv", "https://example.org/paper.pdf") is None
    assert identifier("doi", "https://example.org/10.1000/x") is None
    assert identifier("openreview", "https://openreview.net/group?id=ICLR.cc") is None
    assert identifier("doi", None) is None and identifier("arxiv", "") is None


def test_an_identifier_is_read_from_every_form_a_link_gives_it_in_regardless_of_case():
    assert identifier("doi", "https://doi.org/10.1000/ABC") == identifier("doi", "doi:10.1000/abc") == "10.1000/abc"
    assert identifier("arxiv", "https://arxiv.org/pdf/2303.01469v2.pdf") == identifier("arxiv", "arXiv:2303.01469") == "2303.01469"
    assert identifier("openreview", "https://openreview.net/forum?id=Ab-Cd_123") == identifier("openreview", "Ab-Cd_123") == "ab-cd_123"


def test_arxivs_own_doi_names_the_same_paper_as_its_arxiv_link():
    by_doi = identifiers({"doi": "https://doi.org/10.48550/arXiv.2303.01469"})
    assert by_doi == identifiers({"arxiv": "https://arxiv.org/abs/2303.01469"}) == [("arxiv", "2303.01469")]
    assert identifiers({"doi": "https://doi.org/10.1000/ABC", "openreview": "https://openreview.net/forum?id=Ab-Cd_123"}) == [
        ("doi", "10.1000/abc"),
        ("openreview", "ab-cd_123"),
    ]
