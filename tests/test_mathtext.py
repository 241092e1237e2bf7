"""Math in titles: MathML on pages, plain Unicode elsewhere, and neither sorting nor ids see the markup."""

from __future__ import annotations

from bs4 import BeautifulSoup

from atlas.records.ids import paper_id_for
from atlas.records.mathtext import plain_title, title_html, title_sort_key


def test_a_formula_becomes_mathml_and_the_text_around_it_is_escaped():
    html = str(title_html("$t^3$-Variational Autoencoders <b>"))
    assert "<msup><mi>t</mi><mn>3</mn></msup>" in html and html.endswith("-Variational Autoencoders &lt;b&gt;")
    assert str(title_html("No math here & there")) == "No math here &amp; there"


def test_a_formula_that_would_carry_a_link_is_shown_as_text():
    html = BeautifulSoup(str(title_html("$\\href{javascript:alert(1)}{x}$ and $<img src=x onerror=alert(1)>$")), "html.parser")
    assert html.find("img") is None and html.find(attrs={"href": True}) is None and html.find(attrs={"onerror": True}) is None
    assert html.find_all("span")[0].get_text() == "\\href{javascript:alert(1)}{x}"  # the formula with a link, as text


def test_plain_titles_read_as_unicode():
    assert plain_title("$\\infty$-Diff: Infinite Resolution") == "∞-Diff: Infinite Resolution"
    assert plain_title("Graph Generation with  $K^2$-trees") == "Graph Generation with K²-trees"
    assert plain_title("$\\mathcal{O}(n)$ sampling") == "𝒪(n) sampling"


def test_sorting_and_ids_ignore_the_markup():
    titles = ["$\\beta$-VAE", "Alpha models", "$\\infty$-Diff: Infinite Resolution"]
    assert sorted(titles, key=title_sort_key) == ["Alpha models", "$\\infty$-Diff: Infinite Resolution", "$\\beta$-VAE"]  # by their words
    assert paper_id_for("$\\nu$-flows: conditional neutrino regression", set(), "Raine, John", 2023) == "raine-2023-flows"
    assert paper_id_for("$t^3$-Variational Autoencoder", set()) == "variational-autoencoder"
