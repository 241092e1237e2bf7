"""How `atlas add` names a record (README, "Adding a paper"): `surname-year-word`, more title words
until the id is free, three title words for the seed lists' records, never longer than an id may be."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from atlas.pipeline import check
from atlas.records.ids import ID_PATTERN, MAX_ID_LENGTH, bare_doi, normalise_title, paper_id_for, short_id, slug, title_words
from atlas.records.model import Atlas

from conftest import real_atlas

ATLAS = real_atlas()[0]  # read once: a mutation run forks each mutant's tests from the process that read it


@pytest.fixture
def atlas() -> Atlas:
    return ATLAS


def test_every_surname_year_record_has_the_id_atlas_add_gives_it(atlas: Atlas):
    ids = set(atlas.papers)
    named = [paper for paper in atlas.papers.values() if re.match(r"^[a-z]+-\d{4}-", paper.id)]
    assert len(named) > 300
    for paper in named:
        assert paper_id_for(paper.title, ids - {paper.id}, paper.authors[0], paper.year) == paper.id


def test_a_seed_record_without_authors_starts_with_three_title_words(atlas: Atlas):
    ids = set(atlas.papers)
    for paper_id in ("absorbing-discrete-diffusion", "calibrated-language-models", "adapt-then-unlearn"):
        assert paper_id_for(atlas.papers[paper_id].title, ids - {paper_id}) == paper_id
    assert paper_id_for("Denoising Diffusion", set()) == "denoising-diffusion"  # fewer words than three: all of them


def test_a_taken_id_gains_title_words_until_it_is_free_then_a_number():
    title = "Consistency Models"
    assert paper_id_for(title, set(), "Yang Song", 2023) == "song-2023-consistency"
    assert paper_id_for(title, {"song-2023-consistency"}, "Yang Song", 2023) == "song-2023-consistency-models"
    taken = {"song-2023-consistency", "song-2023-consistency-models"}
    assert paper_id_for(title, taken, "Yang Song", 2023) == "song-2023-consistency-models-2"
    assert paper_id_for(title, taken | {"song-2023-consistency-models-2"}, "Yang Song", 2023) == "song-2023-consistency-models-3"


def test_the_surname_is_the_last_word_of_a_name_or_what_comes_before_its_comma():
    assert paper_id_for("Consistency Models", set(), "Song, Yang", 2023) == "song-2023-consistency"
    assert paper_id_for("Consistency Models", set(), "Julius von Kügelgen", 2023) == "kugelgen-2023-consistency"
    assert paper_id_for("Consistency Models", set(), "von Kügelgen, Julius", 2023) == "von-kugelgen-2023-consistency"
    assert paper_id_for("Consistency Models", set(), "Yang Song") == "song-consistency"  # no year: none in the id


def test_a_title_with_no_word_to_name_it_by_is_named_paper():
    assert paper_id_for("∑ ∫ ∂", set()) == "paper"
    assert paper_id_for("∑ ∫ ∂", set(), "Yang Song", 2023) == "song-2023-paper"


def test_a_title_is_compared_by_its_words_without_case_accents_or_latex_markup():
    assert normalise_title("Consistency   Models: A Study!") == "consistency models a study"
    assert normalise_title("\\emph{Consistency} Models") == normalise_title("Consistency Models") == "consistency models"
    assert normalise_title("Causal de Finetti: On the Identification of Invariant Causal Structure") == normalise_title(
        "causal DE finetti -- on the identification of invariant causal structure"
    )
    assert normalise_title("Kügelgen's Ŝtructure") == "kugelgen s structure" and slug("Kügelgen \\textit{et al.}") == "kugelgen-et-al"


def test_a_doi_given_as_its_address_is_written_bare():
    for given in ("https://doi.org/10.1000/XYZ.1", "http://dx.doi.org/10.1000/XYZ.1", "10.1000/XYZ.1"):
        assert bare_doi(given) == "10.1000/XYZ.1"
    assert bare_doi("https://example.org/10.1000/XYZ.1") == "https://example.org/10.1000/XYZ.1"


def test_the_sites_own_page_names_are_never_ids():
    assert paper_id_for("Index", set()) == "index-2"


def test_stop_words_and_formulas_do_not_name_a_paper_unless_nothing_else_does():
    assert title_words("Attention Is All You Need") == ["attention"]
    assert title_words("What Is It?") == ["what", "is", "it"]
    assert title_words("$\\beta$-VAE: Learning Basic Visual Concepts") == ["vae", "learning", "basic", "visual", "concepts"]
    assert title_words("$x^2$") == ["x", "2"]


def test_a_long_id_is_cut_at_a_word_boundary_within_the_limit():
    words = "-".join(f"word{n}" for n in range(30))
    cut = short_id(words)
    assert len(cut) <= MAX_ID_LENGTH and words.startswith(cut) and words[len(cut)] == "-" and ID_PATTERN.match(cut)
    assert short_id("a" * MAX_ID_LENGTH) == "a" * MAX_ID_LENGTH
    assert short_id("b" * (MAX_ID_LENGTH + 5)) == "b" * MAX_ID_LENGTH  # one word too long: cut inside it
    title = " ".join(f"Longword{n}" for n in range(20))
    made = paper_id_for(title, {paper_id_for(title, set(), "Ann Lee", 2024)}, "Ann Lee", 2024)
    assert len(made) <= MAX_ID_LENGTH and ID_PATTERN.match(made), made


@pytest.mark.parametrize("name", ["a" + "b" * 69, "surname-2024-" + "c" * 60, "Upper Case And Spaces " * 4])
def test_a_file_name_that_is_no_id_is_told_a_name_that_is_one(atlas_copy: Path, name: str):
    (atlas_copy / "papers" / "song-2023-consistency.yaml").rename(atlas_copy / "papers" / f"{name}.yaml")
    (problem,) = [p for p in check(atlas_copy)[1] if "is not a valid id" in p.message]
    suggested = re.search(r"rename it \(e\.g\. (.+)\.yaml\)$", problem.message).group(1)
    assert ID_PATTERN.match(suggested) and len(suggested) <= MAX_ID_LENGTH, suggested


@pytest.mark.parametrize("length", range(1, 13))
def test_every_id_made_for_a_long_title_however_many_are_taken_is_a_valid_id(length: int):
    """Titles of words of one length, so that some cut at the limit falls just after a '-'."""
    words = [f"{chr(97 + n % 26)}{chr(97 + n // 26)}".ljust(length, "x")[:length] for n in range(40)]
    title, taken = " ".join(words), set()
    for _ in range(len(words) + 3):
        made = paper_id_for(title, taken, "Ann Lee", 2024)
        assert ID_PATTERN.match(made) and len(made) <= MAX_ID_LENGTH and made not in taken, made
        taken.add(made)


def test_an_id_at_the_limit_is_kept_whole_and_a_longer_one_keeps_every_word_that_ends_within_it():
    at_limit = "-".join(["abc"] * 16)  # 63 characters
    assert short_id(at_limit + "d") == at_limit + "d"
    longer = "a" * 30 + "-" + "b" * 33 + "-more"  # the 64th character ends a word
    assert short_id(longer) == "a" * 30 + "-" + "b" * 33
