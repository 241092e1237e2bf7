"""Citing and reading: cite blocks and meta tags, .bib exports that real BibTeX compiles, feeds,
handouts, CITATION.cff, and the version the site was built from."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pybtex.errors
import pytest
import yaml
from bs4 import BeautifulSoup
from pybtex.database import parse_file

from atlas.pipeline import check, valid_atlas
from atlas.records.bibliography import latex_to_text
from atlas.records.bibtex_writer import escape_latex
from atlas.records.history import added_dates
from atlas.records.mathtext import plain_prose, plain_title, title_sort_key
from atlas.records.names import family_and_given
from atlas.records.venue_kinds import KINDS, venue_kind
from atlas.site.bibexport import to_latex_ascii
from atlas.site.bibformat import entry_html
from atlas.site.cite import edition_of
from atlas.site.templating import paper_address, short_authors

from conftest import REPO, copy_atlas, heading_parts, real_atlas

ATLAS, _ = real_atlas()
SITE_URL = "https://genai-challenges-atlas.github.io/atlas/"
EDITION = edition_of(REPO, SITE_URL)


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def head(site: Path, url: str) -> BeautifulSoup:
    """A page's <head> alone: where its meta tags are, parsed without the rest of the page."""
    text = (site / url / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(text[: text.index("</head>") + len("</head>")], "html.parser")


def meta(html: BeautifulSoup, name: str) -> list[str]:
    return [tag["content"] for tag in html.find_all("meta", attrs={"name": name})]


def test_challenge_pages_carry_citation_meta_tags_and_a_cite_block(built_site: Path):
    for challenge in ATLAS.challenges.values():
        html = page(built_site, f"challenges/{challenge.id}")
        url = f"{SITE_URL}challenges/{challenge.id}/"
        assert meta(html, "citation_title") == [challenge.title]
        assert meta(html, "citation_public_url") == [url]
        assert meta(html, "citation_author") == ["GenAI Challenges Atlas,"]  # one institutional author
        assert meta(html, "citation_technical_report_number") == [f"Version {EDITION.version}"]
        assert meta(html, "citation_publication_date") == [EDITION.date.replace("-", "/")]
        block = html.find("details", attrs={"data-cite": f"atlas-challenge-{challenge.id}"})
        bibtex = block.find("code").get_text()
        assert bibtex.startswith(f"@misc{{atlas-challenge-{challenge.id},") and f"url = {{{url}}}" in bibtex
        assert f"version {EDITION.version}" in bibtex
        assert block.find("p", class_="atlas-reference").get_text().endswith(f"(version {EDITION.version}). {url}")
        for sub in challenge.subchallenges:
            sub_block = html.find("details", attrs={"data-cite": f"atlas-challenge-{challenge.id}-{sub.id}"})
            assert f"url = {{{url}#{sub.id}}}" in sub_block.find("code").get_text()


def test_a_paper_page_tags_its_venue_by_the_table_and_its_authors_by_family_name(built_site: Path):
    """The tags every paper page carries (what Zotero saves from them is held by tests/test_zotero.py)."""
    for paper in ATLAS.papers.values():
        html = head(built_site, f"papers/{paper.id}")
        assert meta(html, "citation_title") == [plain_title(paper.title)]
        assert [family_and_given(name) for name in meta(html, "citation_author")] == [family_and_given(n) for n in paper.authors]
        venue = venue_kind(paper.venue) if paper.venue else None
        kind = venue.kind if venue else None
        assert meta(html, "citation_conference_title") == ([venue.name] if kind in ("conference", "workshop") else []), paper.id
        assert meta(html, "citation_journal_title") == ([venue.title] if kind == "journal" else []), paper.id
        if paper.link("arxiv"):
            arxiv_id = paper.link("arxiv").removeprefix("https://arxiv.org/abs/")
            assert meta(html, "citation_arxiv_id") == [arxiv_id]
            assert meta(html, "citation_technical_report_number") == ([f"arXiv:{arxiv_id}"] if kind in (None, "preprint") else [])
        if paper.link("doi"):
            assert meta(html, "citation_doi") == [paper.link("doi").removeprefix("https://doi.org/")]
        if paper.abstract:
            assert meta(html, "citation_abstract") == [" ".join(plain_prose(paper.abstract).split())]
    bortoli = page(built_site, "papers/linear-convergence-bounds")
    assert "De Bortoli, Valentin" in meta(bortoli, "citation_author") and "Joe Benton" in meta(bortoli, "citation_author")


def test_every_venue_of_the_records_is_in_the_table_of_venues():
    """A contributor who adds a paper at a new venue is told here to add its series to atlas/records/venue_kinds.py."""
    missing = sorted({paper.venue for paper in ATLAS.papers.values() if paper.venue and venue_kind(paper.venue).kind is None})
    assert missing == []
    assert {venue_kind(p.venue).kind for p in ATLAS.papers.values() if p.venue} <= set(KINDS)


def test_the_cite_bibtex_of_every_page_parses(built_site: Path):
    pybtex.errors.set_strict_mode(True)
    from pybtex.database import parse_string

    html = page(built_site, "challenges/ethics")
    for block in html.select("details.atlas-cite code"):
        parse_string(block.get_text(), "bibtex")


def latex_compiles(bib: Path, workdir: Path) -> tuple[str, str]:
    """Run latex, bibtex, latex, latex over a document citing every key of `bib`; return the logs."""
    keys = re.findall(r"^@\w+\{([^,]+),", bib.read_text(encoding="utf-8"), re.M)
    assert keys, bib
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(bib, workdir / "refs.bib")
    cites = "".join(f"\\cite{{{key}}}\n" for key in keys)
    (workdir / "doc.tex").write_text(
        f"\\documentclass{{article}}\n\\begin{{document}}\n{cites}\\bibliographystyle{{plain}}\n\\bibliography{{refs}}\n\\end{{document}}\n"
    )
    run = {"cwd": workdir, "capture_output": True, "text": True, "timeout": 300}
    assert subprocess.run(["latex", "-interaction=nonstopmode", "doc.tex"], **run).returncode == 0
    bibtex = subprocess.run(["bibtex", "doc"], **run)
    assert bibtex.returncode == 0, bibtex.stdout
    subprocess.run(["latex", "-interaction=nonstopmode", "doc.tex"], **run)
    final = subprocess.run(["latex", "-interaction=nonstopmode", "doc.tex"], **run)
    assert final.returncode == 0, final.stdout[-2000:]
    return (workdir / "doc.blg").read_text(), (workdir / "doc.log").read_text(errors="replace")


def assert_clean(blg: str, log: str) -> None:
    assert "Warning--" not in blg and "error message" not in blg, blg
    assert "\n! " not in log, log[-3000:]
    assert "undefined" not in log.lower(), [line for line in log.splitlines() if "undefined" in line.lower()]


def test_the_whole_bibliography_compiles_with_real_bibtex_without_warnings(built_site: Path, tmp_path: Path):
    assert shutil.which("bibtex"), "the .bib export test needs Debian's texlive-latex-base (make system-deps)"
    blg, log = latex_compiles(built_site / "citations.bib", tmp_path / "all")
    assert_clean(blg, log)
    assert 'Sch\\"{o}lkopf' in (built_site / "citations.bib").read_text() or 'Sch{\\"o}lkopf' in (built_site / "citations.bib").read_text()


def test_every_reading_list_is_valid_bibtex_of_the_challenges_papers(built_site: Path, tmp_path: Path):
    pybtex.errors.set_strict_mode(True)
    for challenge in ATLAS.challenges.values():
        path = built_site / "challenges" / challenge.id / "reading-list.bib"
        assert set(parse_file(str(path)).entries) == {paper.id for paper, _ in ATLAS.papers_for(challenge.id)}
        for sub in challenge.subchallenges:
            sub_path = built_site / "challenges" / challenge.id / f"reading-list-{sub.id}.bib"
            expected = {paper.id for paper, link in ATLAS.papers_for(challenge.id) if link.sub == sub.id}
            assert set(parse_file(str(sub_path)).entries) == expected if expected else sub_path.exists()
    blg, log = latex_compiles(built_site / "challenges" / "efficiency" / "reading-list.bib", tmp_path / "efficiency")
    assert_clean(blg, log)


def test_latex_specials_accents_and_braces_survive_the_round_trip(tmp_path: Path):
    root = copy_atlas(tmp_path / "atlas")
    bib = tmp_path / "hostile.bib"
    bib.write_text(
        "@article{h,\n  title = {Fast {GAN}s \\& {VAE}s: 50\\% of $\\mathcal{O}(n^2)$ cost, x\\_1 {\\#}1, "
        "CoRe\\textasciicircum{}2 and Schr{\\\"o}dinger's λ-bridge},\n"
        "  author = {M{\\\"u}ller, J{\\'e}r{\\^o}me and Sa{\\'u}l, {\\AA}sa},\n  journal = {Journal of Tests},\n  year = {2025}\n}\n",
        encoding="utf-8",
    )
    add = [sys.executable, "-m", "atlas.cli", "--root", str(root), "add", "--bibtex", str(bib)]
    result = subprocess.run(
        [*add, "--challenge", "metrics", "--kind", "analysis", "--why", "A test entry full of LaTeX."], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert (
        subprocess.run(
            [sys.executable, "-m", "atlas.cli", "--root", str(root), "build", "--site-dir", str(site)], capture_output=True
        ).returncode
        == 0
    )
    blg, log = latex_compiles(site / "citations.bib", tmp_path / "tex")
    assert_clean(blg, log)
    paper_id = re.search(r"added papers/(\S+)\.yaml", result.stdout).group(1)
    title = heading_parts(page(site, f"papers/{paper_id}").find("h1"))
    assert title == ("Fast GANs & VAEs: 50% of $$ cost, x_1 #1, CoRe^2 and Schrödinger's λ-bridge", ["$\\mathcal{O}(n^2)$"])
    authors = page(site, f"papers/{paper_id}").find("p", class_="atlas-authors").get_text()
    assert authors == "Jérôme Müller, Åsa Saúl"
    # The formatted reference, as pybtex's HTML backend renders the entry (survey references use it on the site).
    reference = BeautifulSoup(str(entry_html(valid_atlas(root).bibliography[paper_id])), "html.parser").get_text("")
    assert "Jérôme Müller and Åsa Saúl" in reference and "schrödinger's λ-bridge" in reference  # the style sets titles in sentence case
    assert "{" not in reference.split("$")[0] and "\\" not in reference.split("$")[0] and "^2 and" in reference


def test_latex_that_cannot_compile_is_refused_with_its_place_and_fix(tmp_path: Path):
    root = copy_atlas(tmp_path / "atlas")
    bib = tmp_path / "raw.bib"
    bib.write_text("@misc{r,\n  title = {Rock & Roll of 50% Models},\n  year = {2025}\n}\n")
    add = [sys.executable, "-m", "atlas.cli", "--root", str(root), "add", "--bibtex", str(bib)]
    result = subprocess.run(
        [*add, "--challenge", "metrics", "--kind", "analysis", "--why", "A test entry."], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "has an unescaped '&', which LaTeX cannot print; write \\&" in result.stderr
    assert not (root / "papers" / "rock-roll-50.yaml").exists()


def test_feeds_hold_every_paper_newest_first_with_its_authors(built_site: Path):
    added = added_dates(REPO)
    atom = feedparser.parse((built_site / "feed.xml").read_bytes())
    assert not atom.bozo, atom.bozo_exception
    assert atom.feed.title == "GenAI Challenges Atlas" and len(atom.entries) == len(ATLAS.papers)
    by_title = sorted(ATLAS.papers.values(), key=lambda paper: title_sort_key(paper.title))
    newest_first = sorted(by_title, key=lambda paper: added[paper.id], reverse=True)  # papers added together: by title
    assert [entry.id for entry in atom.entries] == [f"{SITE_URL}papers/{paper.id}/" for paper in newest_first]
    for entry, paper in zip(atom.entries, newest_first, strict=True):
        assert entry.published == added[paper.id] and entry.title == plain_title(paper.title)
        assert [author.name for author in entry.get("authors", [])] == list(paper.authors)  # none: the feed's author stands
    data = json.loads((built_site / "feed.json").read_text())
    assert data["version"] == "https://jsonfeed.org/version/1.1" and data["feed_url"] == f"{SITE_URL}feed.json"
    assert [item["id"] for item in data["items"]] == [entry.id for entry in atom.entries]
    for item, paper in zip(data["items"], newest_first, strict=True):
        assert item["content_text"].strip() and {"id", "url", "title", "date_published"} <= set(item)  # JSON Feed 1.1 wants content
        assert [author["name"] for author in item.get("authors", [])] == list(paper.authors)
        if paper.abstract:
            assert item["content_text"].endswith(plain_prose(paper.abstract).strip())
    for challenge in ATLAS.challenges.values():
        feed = feedparser.parse((built_site / "challenges" / challenge.id / "feed.xml").read_bytes())
        assert not feed.bozo
        expected = [f"{SITE_URL}papers/{p.id}/" for p in newest_first if any(link.challenge == challenge.id for link in p.challenges)]
        assert [entry.id for entry in feed.entries] == expected


def test_a_paper_page_says_when_it_was_added(built_site: Path):
    added = added_dates(REPO)
    for paper_id in ("linear-convergence-bounds", "consistency-trajectory-models"):
        shown = page(built_site, f"papers/{paper_id}").find("p", class_="atlas-added")
        assert shown.get_text() == f"Added to the atlas on {added[paper_id][:10]}"
        assert shown.find("time")["datetime"] == added[paper_id][:10]


def test_handout_page_has_prompts_and_a_reading_list_ordered_by_subchallenge(built_site: Path):
    challenge = ATLAS.challenges["metrics"]
    html = page(built_site, "challenges/metrics/reading")
    prompts = [li.get_text(" ", strip=True) for li in html.select("ol.atlas-prompts > li")]
    assert [prompt[: len(q.text)] for prompt, q in zip(prompts, challenge.open_questions, strict=True)] == [
        q.text for q in challenge.open_questions
    ]
    headings = [h.get_text(strip=True).rstrip("¶") for h in html.select(".atlas-handout h3")]
    assert headings[: len(challenge.subchallenges)] == [sub.title for sub in challenge.subchallenges]
    for item in html.select("ol.atlas-reading li"):
        assert item.find("a")["href"].startswith("../../../papers/") and item.find("span", class_="atlas-why")
        paper = ATLAS.papers[item.find("a")["href"].rstrip("/").rsplit("/", 1)[1]]
        if paper.authors:  # its authors, short, and a link to the paper itself beside its atlas page
            assert item.find("span", class_="atlas-meta").get_text().startswith(f"({short_authors(paper.authors)}")
        read = item.find("span", class_="atlas-read")
        assert read.find("a")["href"] == paper_address(paper) and paper_address(paper).startswith("https://")


def test_reading_list_command_gives_markdown_bibtex_and_html(tmp_path: Path):
    base = [sys.executable, "-m", "atlas.cli", "--root", str(REPO), "reading-list", "efficiency"]
    markdown = subprocess.run([*base, "--limit", "2"], capture_output=True, text=True).stdout
    assert markdown.startswith("# Reading group: Efficient training and inference")
    assert markdown.count("\n- **") <= 2 * (len(ATLAS.challenges["efficiency"].subchallenges) + 1)
    assert "&#" not in markdown and "&\\#" not in markdown  # quotes stay quotes, never entities
    assert "Read it: <https://" in markdown and "(Dongjun Kim et al\\., 2024)" in markdown
    bib = subprocess.run([*base, "--sub", "quantization", "--format", "bib", "--limit", "0"], capture_output=True, text=True).stdout
    (tmp_path / "q.bib").write_text(bib)
    pybtex.errors.set_strict_mode(True)
    expected = {p.id for p, link in ATLAS.papers_for("efficiency") if link.sub == "quantization" and not link.peripheral}
    assert set(parse_file(str(tmp_path / "q.bib")).entries) == expected
    html = subprocess.run([*base, "--format", "html"], capture_output=True, text=True).stdout
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("h1").get_text() == "Reading group: Efficient training and inference"
    assert "@media print" in html
    missing = subprocess.run([*base[:-1], "nope"], capture_output=True, text=True)
    assert missing.returncode == 1 and "no challenge 'nope'" in missing.stderr


def test_citation_cff_is_valid_and_agrees_with_the_site():
    tool = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    schema = ["--builtin-schema", "vendor.citation-file-format"]  # CFF 1.2.0's own schema, as check-jsonschema vendors it
    result = subprocess.run([tool, *schema, str(REPO / "CITATION.cff")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    zenodo = json.loads((REPO / ".zenodo.json").read_text())
    assert zenodo["title"] == "GenAI Challenges Atlas" and zenodo["creators"] == [{"name": a} for a in EDITION.authors]


def test_the_site_shows_the_version_it_was_built_from(built_site: Path):
    assert page(built_site, ".").find("span", class_="atlas-version").get_text() == EDITION.version
    assert EDITION.version != "unversioned"


def test_an_old_review_date_is_a_warning_not_an_error(tmp_path: Path):
    root = copy_atlas(tmp_path / "atlas")
    path = root / "challenges" / "metrics.yaml"
    path.write_text(path.read_text().replace("reviewed: '2026-11-23'", "reviewed: '2020-01-01'"))
    _, problems = check(root)
    assert [p.severity for p in problems] == ["warning"]
    assert problems[0].path == "challenges/metrics.yaml" and "last reviewed" in problems[0].message


@pytest.mark.parametrize("field", ["maintainers", "reviewed"])
def test_challenge_pages_show_maintainers_and_review_date(built_site: Path, field: str):
    html = page(built_site, "challenges/causality")
    challenge = ATLAS.challenges["causality"]
    if field == "maintainers":
        assert html.find("span", class_="atlas-maintainers").get_text() == ", ".join(challenge.maintainers)
    else:
        assert html.find("time", class_="atlas-reviewed")["datetime"] == challenge.reviewed


def test_the_code_the_text_and_the_abstracts_each_say_their_terms_in_files_footer_and_citation_cff(built_site: Path):
    assert (REPO / "LICENSE").read_text().startswith("MIT License\n")
    assert "Creative Commons Attribution 4.0 International" in (REPO / "LICENSE-TEXT").read_text()
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert cff["license"] == ["MIT", "CC-BY-4.0"]
    licence = page(built_site, "licence")
    assert {"code", "text", "abstracts"} <= {heading.get("id") for heading in licence.find_all("h2")}
    terms = licence.find("h2", id="abstracts").find_next("table")
    stated = [row.find_all("td")[-1].find("a")["href"] for row in terms.find("tbody").find_all("tr")]
    assert stated and all(href.startswith("http") for href in stated)  # each row names where its terms are stated
    for path in ("index.html", "papers/song-2023-consistency/index.html", "challenges/ethics/index.html"):
        footer = BeautifulSoup((built_site / path).read_text(encoding="utf-8"), "html.parser").find(class_="md-copyright")
        assert "CC BY 4.0" in footer.get_text() and footer.find("a", string="licence")["href"].endswith("licence/")
    paper = page(built_site, "papers/song-2023-consistency")
    credit = paper.find("a", string="on what terms it is republished")
    assert credit["href"] == "../../licence/#abstracts"


def test_family_names_are_decided_in_one_place_from_how_the_records_write_them():
    written = {name for paper in ATLAS.papers.values() for name in paper.authors}
    expected = {
        "Valentin De Bortoli": ("De Bortoli", "Valentin"),
        "Fernando De la Torre": ("De la Torre", "Fernando"),
        "Gael Le Lan": ("Le Lan", "Gael"),
        "Diego de Las Casas": ("de Las Casas", "Diego"),
        "George van den Driessche": ("van den Driessche", "George"),
        "Julius von Kügelgen": ("von Kügelgen", "Julius"),
        "Benjamin Van Durme": ("Van Durme", "Benjamin"),
        "Christopher M. De Sa": ("De Sa", "Christopher M."),
        "Thanh Van Le": ("Le", "Thanh Van"),  # Van is a given name here: the family name is the particle-like Le
        "Da Young Lee": ("Lee", "Da Young"),  # a first word is never a particle
        "Quoc V. Le": ("Le", "Quoc V."),
    }
    assert set(expected) <= written  # real records, as they write the names
    assert {name: family_and_given(name) for name in expected} == expected


def test_compound_family_names_stay_whole_in_the_bib_exports_as_real_bibtex_reads_them(built_site: Path, tmp_path: Path):
    assert shutil.which("bibtex"), "the .bib export test needs Debian's texlive-latex-base (make system-deps)"
    compound = {
        paper.id: [family for family, _ in map(family_and_given, paper.authors) if " " in family]
        for paper in ATLAS.papers.values()
        if any(" " in family_and_given(name)[0] for name in paper.authors)
    }
    assert {"linear-convergence-bounds", "generative-visual-prompt", "masked-audio-generative"} <= set(compound)
    shutil.copy2(built_site / "citations.bib", tmp_path / "refs.bib")
    (tmp_path / "doc.aux").write_text("".join(f"\\citation{{{key}}}\n" for key in compound) + "\\bibstyle{abbrv}\n\\bibdata{refs}\n")
    result = subprocess.run(["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout
    items = re.split(r"\\bibitem\{([^}]+)\}", (tmp_path / "doc.bbl").read_text())
    blocks = {key: latex_to_text(text.replace("~", " ")) for key, text in zip(items[1::2], items[2::2], strict=True)}
    assert set(blocks) == set(compound)
    for key, families in compound.items():
        block = " ".join(blocks[key].replace("\xa0", " ").split())
        for family in families:
            assert f". {family}" in block, (key, family, block[:300])  # abbrv: "V. De Bortoli", not "V. D. Bortoli"
    reading = parse_file(str(built_site / "challenges" / "efficiency" / "reading-list.bib")).entries
    linked = [paper for paper, _ in ATLAS.papers_for("efficiency") if paper.id in compound]
    for paper in linked:
        read = [" ".join(person.prelast_names + person.last_names) for person in reading[paper.id].persons["author"]]
        assert read == [latex_family(n) for n in paper.authors]


def latex_family(name: str) -> str:
    """A family name as the ASCII .bib exports write it."""
    return to_latex_ascii(escape_latex(family_and_given(name)[0]))


def test_a_tpami_paper_is_an_article_in_the_bib_exports(built_site: Path):
    entry = parse_file(str(built_site / "citations.bib")).entries["studiogan-taxonomy-benchmark"]
    assert entry.type == "article" and entry.fields["journal"] == "IEEE TPAMI" and "howpublished" not in entry.fields


def test_abstracts_show_their_math_as_mathml_and_no_latex_markup(built_site: Path):
    shown_math = 0
    for paper in ATLAS.papers.values():
        if not paper.abstract:
            continue
        abstract = page(built_site, f"papers/{paper.id}").find("blockquote", class_="atlas-abstract")
        shown_math += len(abstract.select("span.atlas-math math"))
        for span in abstract.select("span.atlas-math"):
            span.decompose()
        text = abstract.get_text()
        assert not re.search(r"\\[a-zA-Z]+|``|''", text), (paper.id, re.search(r".{30}(\\[a-zA-Z]+|``|'').{30}", text))
    assert shown_math > 100
    bespoke = page(built_site, "papers/bespoke-solvers-generative").find("blockquote", class_="atlas-abstract")
    assert "“Bespoke solvers”" in bespoke.get_text()
    assert bespoke.find("span", class_="atlas-math", title="$\\times$").find("math")
    monte_carlo = page(built_site, "papers/monte-carlo-guided").find("blockquote", class_="atlas-abstract").get_text()
    assert "The proposed algorithm, algo, is shown" in " ".join(monte_carlo.split())
