"""The one BibTeX writer (atlas.records.bibtex_writer): what it writes, pybtex reads back as what it was given."""

from __future__ import annotations

import pybtex.errors
from pybtex.database import BibliographyData, Person, parse_string

from atlas.records.bibliography import latex_to_text
from atlas.records.bibtex_writer import entry_type_for, paper_entry, protected, write_entry, written_entry
from atlas.records.ids import bare_doi
from atlas.records.load import load_atlas
from atlas.site.cite import Edition, page_citation

from conftest import REPO

RAW = load_atlas(REPO)  # the records as their files hold them, and citations.bib as pybtex read it


def read_back(text: str) -> BibliographyData:
    with pybtex.errors.capture() as problems:
        data = parse_string(text, "bibtex")
    assert not problems, problems
    return data


def spaced(text: str) -> str:
    """Text with its runs of white space as one space, as BibTeX reads a field."""
    return " ".join(text.split())


def spoken(person: Person) -> str:
    """A name BibTeX read, in the order a record writes it: given names first."""
    return latex_to_text(
        " ".join([*person.first_names, *person.middle_names, *person.prelast_names, *person.last_names, *person.lineage_names])
    )


def test_every_entry_of_citations_bib_written_back_reads_as_it_was_read():
    written = "\n".join(written_entry(key, entry.source) for key, entry in RAW.bibliography.items())
    read = read_back(written).entries
    assert list(read) == list(RAW.bibliography)
    for key, entry in RAW.bibliography.items():
        source, again = entry.source, read[key]
        assert again.type == source.type
        assert list(again.fields.items()) == list(source.fields.items()), key
        assert {role: [str(person) for person in people] for role, people in again.persons.items()} == {
            role: [str(person) for person in people] for role, people in source.persons.items()
        }, key


def test_every_paper_entry_reads_back_as_its_record_gives_the_facts():
    records = {raw.id: raw.data for raw in RAW.papers}
    read = read_back("\n".join(paper_entry(paper_id, record) for paper_id, record in records.items())).entries
    for paper_id, record in records.items():
        entry, links = read[paper_id], record.get("links") or {}
        assert spaced(latex_to_text(entry.fields["title"])) == spaced(record["title"]), paper_id
        assert [spoken(person) for person in entry.persons.get("author", [])] == [spaced(name) for name in record.get("authors") or []]
        assert entry.fields.get("year") == (str(record["year"]) if record.get("year") else None)
        assert entry.type == entry_type_for(record.get("venue"), bool(record.get("authors")) and bool(record.get("year")))[0]
        assert entry.fields.get("doi") == (bare_doi(links["doi"]) if links.get("doi") else None)
        assert entry.fields.get("url") == (links.get("openreview") or links.get("arxiv") or links.get("url"))
        if links.get("arxiv"):
            assert f"https://arxiv.org/abs/{entry.fields['eprint']}" == links["arxiv"] and entry.fields["archiveprefix"] == "arXiv"


def test_latex_specials_read_back_as_the_text_they_escape():
    title = "Q&A at 50% of #1 under_score, x^2 ~ y"
    entry = read_back(write_entry("misc", "specials", [("title", protected(title)), ("note", "$O(n^2)$ steps")])).entries["specials"]
    assert latex_to_text(entry.fields["title"]) == title
    assert entry.fields["note"] == "$O(n^2)$ steps"  # math is written as typed


def test_a_page_citation_reads_back_with_each_author_one_name():
    edition = Edition("1.2", "2026-12-07", "https://example.org/atlas/", ("GenAI Challenges Atlas contributors", "Doe & Partners"))
    citation = page_citation(edition, "atlas-challenge-x", "Robustness & 100% of λ_1", "challenges/x/")
    entry = read_back(citation.bibtex).entries["atlas-challenge-x"]
    assert entry.type == "misc" and latex_to_text(entry.fields["title"]) == citation.title
    assert [latex_to_text(str(person)) for person in entry.persons["author"]] == list(edition.authors)
    assert (entry.fields["year"], entry.fields["url"]) == ("2026", "https://example.org/atlas/challenges/x/")
