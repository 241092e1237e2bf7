"""End to end: the real site built from the real records, read back as HTML."""

from __future__ import annotations

import functools
import posixpath
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import yaml
from bs4 import BeautifulSoup

from atlas.cli import main
from atlas.engine.linkcheck import broken_links
from atlas.engine.pagetext import without_indentation
from atlas.pipeline import check
from atlas.records.bibtex_writer import written_entry
from atlas.records.history import added_dates
from atlas.records.mathtext import plain_prose

from conftest import REPO, copy_atlas, heading_parts, real_atlas, title_parts

ATLAS, _ = real_atlas()


@functools.cache
def parsed(path: Path) -> BeautifulSoup:
    """A built page, parsed once for all the tests that read it (they only read: none changes the tree)."""
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page(site: Path, url: str) -> BeautifulSoup:
    return parsed(site / url / "index.html" if not url.endswith(".html") else site / url)


def text_of(element) -> str:
    return " ".join(element.get_text(" ").split())


def test_no_internal_link_or_anchor_is_broken(built_site: Path):
    assert broken_links(built_site, "/atlas/") == []


def test_every_challenge_page_has_its_subchallenge_anchors_and_papers_with_why(built_site: Path):
    for challenge in ATLAS.challenges.values():
        html = page(built_site, f"challenges/{challenge.id}")
        assert html.find("h1").get_text(strip=True).rstrip("¶") == challenge.title
        for sub in challenge.subchallenges:
            assert html.find(id=sub.id) is not None, (challenge.id, sub.id)
        for paper, link in ATLAS.papers_for(challenge.id):
            section = html.find("div", attrs={"data-sub": link.sub or ""})
            anchor = section.find("a", href=f"../../papers/{paper.id}/")
            if anchor is None:  # past the newest LIST_LIMIT of its sub-challenge: the papers table lists it
                assert section.find("a", href=re.compile(r"papers/\?challenge=")) is not None, (challenge.id, paper.id)
                continue
            assert " ".join(link.why.split()) in text_of(anchor.parent)


def test_challenge_pages_list_every_survey_reference_resolved_or_named(built_site: Path):
    for challenge in ATLAS.challenges.values():
        html = page(built_site, f"challenges/{challenge.id}")
        unresolved = [reference for reference in challenge.references if not reference.key]
        disclosure = html.find("details", class_="atlas-unresolved-list")
        assert (disclosure is not None) == bool(unresolved)
        for reference in challenge.references:
            item = html.find(id=f"ref-{reference.number}")
            assert item is not None, (challenge.id, reference.number)
            if reference.key:
                assert item.find("a")["href"] == f"../../references/#{reference.key}"
                continue
            # the unresolved numbers sit on one line behind one disclosure, each still an anchor
            assert item.name == "a" and item["href"] == f"../../references/#survey-{reference.number}"
            assert disclosure in item.parents
            if reference.named:
                assert reference.named in text_of(item)
        if unresolved:
            assert f"{len(unresolved)} more cited by number only" in text_of(disclosure.find("summary"))
    metrics = text_of(page(built_site, "challenges/metrics"))
    assert "[13] Borji" in metrics  # named by the survey's text, not yet identified


def test_related_challenges_link_both_ways(built_site: Path):
    for challenge in ATLAS.challenges.values():
        html = page(built_site, f"challenges/{challenge.id}")
        for related in challenge.related:
            assert html.find("ul", class_="atlas-related").find("a", href=f"../../challenges/{related.id}/")


def test_paper_pages_show_fields_abstract_challenges_bibtex_and_link_back(built_site: Path):
    for paper in ATLAS.papers.values():
        html = page(built_site, f"papers/{paper.id}")
        assert heading_parts(html.find("h1")) == title_parts(paper.title)
        body = text_of(html.find("article"))
        if paper.abstract:
            if "$" not in paper.abstract and "\\" not in paper.abstract:  # math is MathML on the page: its own test
                assert " ".join(plain_prose(paper.abstract).split()) in text_of(html.find("blockquote", class_="atlas-abstract"))
            credited = text_of(html.find("blockquote", class_="atlas-abstract").find_next_sibling("p"))
            givers = " and ".join(source.label for source in paper.sources if "abstract" in source.gives)  # those alone
            assert credited.startswith(" ".join(f"The authors' abstract, verbatim as given by {givers}".split())), paper.id
            shown = " ".join(text_of(html.find("blockquote", class_="atlas-abstract")).split())
            typeset = shown != " ".join(paper.abstract.split())  # the page shows other text than the record's: markup
            assert ("its LaTeX markup typeset" in credited) == typeset, paper.id  # said where it was, only there
        for link in paper.challenges:
            href = f"../../challenges/{link.challenge}/" + (f"#{link.sub}" if link.sub else "")
            assert html.find("ul", class_="atlas-paper-challenges").find("a", href=href), (paper.id, href)
            assert " ".join(link.why.split()) in body
        bibtex = html.find("code", id=f"bibtex-{paper.id}").get_text()
        assert bibtex == written_entry(paper.id, ATLAS.bibliography[paper.id].source)
        for _name, url in paper.links:
            assert html.find("a", href=url) is not None
        if paper.ratings:
            assert html.find(class_="atlas-rating-average") is not None


def test_related_papers_are_shown_and_are_real_pages(built_site: Path):
    html = page(built_site, "papers/consistency-trajectory-models")
    related = [a["href"] for a in html.select("ul.atlas-related-papers a")]
    assert 1 <= len(related) <= 5
    assert all((built_site / "papers" / href.split("/")[-2] / "index.html").exists() for href in related)


def test_references_page_has_an_anchor_per_entry_and_names_citing_challenges(built_site: Path):
    html = page(built_site, "references")
    for key in ATLAS.bibliography:
        if key not in ATLAS.papers:  # a paper's entry is on its own page (and in citations.bib): the page stays small
            assert html.find(id=key) is not None, key
    assert html.find(id="papers-in-the-atlas").find_next("a", href="../citations.bib") is not None
    wachter = html.find(id="wachter2017counterfactual")
    assert "Counterfactual Explanations without Opening the Black Box: Automated Decisions and the GDPR" in text_of(wachter)
    assert wachter.find("a", href="../challenges/ethics/#ref-214") is not None
    unresolved = html.find(id="survey-13")
    assert "Borji" in text_of(unresolved)
    assert unresolved.find("a", href="../challenges/metrics/#ref-13") is not None
    identified = html.find(id="ho-2020-denoising")  # [71], "Ho et al." in the survey's text
    assert "identified from the survey's text" in text_of(identified) and identified.find("a", href="../papers/ho-2020-denoising/")


def test_references_render_latex_as_unicode_without_braces(built_site: Path):
    text = text_of(page(built_site, "references").find(id="wenzel2022assaying"))
    assert "Schölkopf" in text and "{" not in text


def test_home_page_lists_each_challenge_with_its_paper_count(built_site: Path):
    html = page(built_site, ".")
    for challenge in ATLAS.challenges.values():
        expected = sum(challenge.id in paper.core_challenge_ids for paper in ATLAS.papers.values())  # peripheral links apart
        assert html.find("td", attrs={"data-challenge": challenge.id}).get_text() == str(expected)
    assert html.find("span", attrs={"data-count": "papers"}).get_text() == str(len(ATLAS.papers))


def test_home_page_leads_with_what_the_atlas_holds_and_its_newest_papers(built_site: Path):
    html = page(built_site, ".")
    survey = [e for e in ATLAS.bibliography.values() if e.surveyref and e.key in ATLAS.papers]
    assert html.find("span", attrs={"data-count": "survey-papers"}).get_text() == str(len(survey))
    assert "without an entry" not in text_of(html.find(class_="atlas-numbers"))
    added = added_dates(REPO)
    newest = sorted(ATLAS.papers, key=lambda paper_id: (added.get(paper_id, ""), paper_id), reverse=True)[:8]
    listed = [a["href"].split("/")[-2] for a in html.select("ul.atlas-recent > li > a")]
    assert listed == newest
    first = html.select_one("ul.atlas-recent > li")
    date = added.get(newest[0], "")[:10]
    assert (first.find("time")["datetime"] if first.find("time") else "") == date


def test_venue_page_shows_the_digest_quantiles_keywords_and_rated_papers(built_site: Path):
    html = page(built_site, "venues/iclr-2024-submission")
    quantiles = [[text_of(td) for td in tr.find_all("td")] for tr in html.select("table.atlas-quantiles tbody tr")]
    assert quantiles[2] == ["50%", "5.25"] and len(quantiles) == 7
    assert len(html.select("table.atlas-keywords-table tbody tr")) == 50
    assert len(html.select("article table")[-1].select("a[href^='../../papers/']")) == 85


def test_paper_pages_stay_out_of_the_navigation(built_site: Path):
    html = page(built_site, "challenges/robustness")
    nav_links = [a["href"] for a in html.select("nav.md-nav--primary a[href]")]
    assert not any("/papers/" in href and href.rstrip("/").split("/")[-1] != "papers" for href in nav_links)


def test_no_page_loads_anything_from_another_host(built_site: Path):
    for path in built_site.rglob("*.html"):
        html = parsed(path)
        for tag in html.find_all(["script", "img", "iframe"], src=True):
            assert not re.match(r"^(https?:)?//", tag["src"]), (path, tag["src"])
        for tag in html.find_all("link", href=True):
            if "stylesheet" in (tag.get("rel") or []) or "preconnect" in (tag.get("rel") or []):
                assert not re.match(r"^(https?:)?//", tag["href"]), (path, tag["href"])


def test_contributor_text_is_shown_literally_never_run_or_evaluated(tmp_path: Path):
    root = copy_atlas(tmp_path / "atlas")
    record = root / "papers" / "calibrated-language-models.yaml"
    hostile_title = "<script>alert(1)</script> {{ 7*7 }} *bold* [x](javascript:alert(2))"
    text = record.read_text().replace("title: Calibrated Language Models Must Hallucinate", f"title: '{hostile_title}'")
    text = text.replace("  why: >-\n    Proves that", "  why: >-\n    <img src=x onerror=alert(3)> {% raw %} Proves that")
    record.write_text(text)
    bib = root / "citations.bib"
    bib.write_text(
        bib.read_text().replace(
            "{{Calibrated Language Models Must Hallucinate}}", "{{<script>alert(1)</script> 7*7 bold x javascript:alert(2)}}"
        )
    )
    site = tmp_path / "site"
    assert main(["--root", str(root), "build", "--site-dir", str(site)]) == 0
    raw = (site / "papers" / "calibrated-language-models" / "index.html").read_text()
    assert "<script>alert" not in raw and "<img src=x" not in raw and 'href="javascript:' not in raw
    html = page(site, "papers/calibrated-language-models")
    assert html.find("h1").get_text(strip=True).rstrip("¶") == hostile_title
    assert "<img src=x onerror=alert(3)> {% raw %} Proves that" in text_of(html.find("ul", class_="atlas-paper-challenges"))
    assert "49" not in html.find("h1").get_text()
    assert not html.find("h1").find(["em", "script"]) and not html.find("h1").find("a", href=lambda h: h.lower().startswith("javascript"))


def test_graph_json_is_node_link_data_of_the_whole_graph(built_site: Path):
    import json

    import networkx as nx

    from atlas.graph.build import build_graph

    data = json.loads((built_site / "data" / "graph.json").read_text())
    graph = nx.node_link_graph(data, edges="edges")
    expected = build_graph(ATLAS)
    outside = {f"paper:{paper.id}" for paper in ATLAS.outside}
    assert set(graph.nodes) == set(expected.nodes) and graph.number_of_edges() == expected.number_of_edges()
    for node, attributes in graph.nodes(data=True):
        if attributes["type"] not in ("reference", "question") and node not in outside:  # the drawn nodes
            assert {"x", "y", "size", "color", "url", "label"} <= set(attributes), node
        if attributes["type"] != "reference":
            target = built_site / attributes["url"].split("#")[0] / "index.html"
            assert target.exists(), (node, attributes["url"])


def test_graph_page_offers_search_filters_legend_and_a_static_picture(built_site: Path):
    html = page(built_site, "graph")
    container = html.find(attrs={"data-atlas-graph": True})
    assert container["data-atlas-graph"] == "../data/graph.json"
    assert container.find("input", class_="atlas-graph-search") is not None
    assert {s["data-filter"] for s in container.find_all("select")} == {"challenge", "year", "venue"}
    assert len(container.select(".atlas-graph-legend button[data-challenge]")) == len(ATLAS.challenges)
    import xml.dom.minidom

    xml.dom.minidom.parse(str(built_site / "graph" / "graph.svg"))  # well-formed XML, as a standalone SVG must be
    svg = BeautifulSoup((built_site / "graph" / "graph.svg").read_text(), "html.parser")
    assert len(svg.find_all("circle")) == len(ATLAS.papers) - len(ATLAS.outside) + len(ATLAS.challenges) + sum(
        len(c.subchallenges) for c in ATLAS.challenges.values()
    )
    assert html.find("img", src="graph.svg") is not None


def test_every_challenge_page_has_a_local_graph_linking_its_papers(built_site: Path):
    for challenge in ATLAS.challenges.values():
        figure = page(built_site, f"challenges/{challenge.id}").find("figure", class_="atlas-local-graph")
        linked = {a["xlink:href"] for a in figure.find("svg").find_all("a") if "/papers/" in a["xlink:href"]}
        assert linked == {f"../../papers/{paper.id}/" for paper, _ in ATLAS.papers_for(challenge.id)}
        assert len(figure.select("a.atlas-local-sub")) == len(challenge.subchallenges)


def test_statistics_page_has_charts_with_tables_and_the_insights(built_site: Path):
    from collections import Counter

    html = page(built_site, "stats")
    pairs = html.select("div.atlas-chart-pair")
    assert len(pairs) >= 6
    for pair in pairs:
        assert pair.find("svg") is not None and pair.find("table") is not None
    first_table = [[text_of(td) for td in tr.find_all("td")] for tr in pairs[0].select("tbody tr")]
    core = {c.id: [p for p in ATLAS.papers.values() if c.id in p.core_challenge_ids] for c in ATLAS.challenges.values()}
    assert first_table == [[c.title, str(len(core[c.id]))] for c in ATLAS.challenges.values()]
    years = Counter(p.year for p in ATLAS.papers.values())
    year_rows = {text_of(tr.find("td")): text_of(tr.find_all("td")[1]) for tr in pairs[2].select("tbody tr")}
    assert year_rows["2024"] == str(years[2024]) and year_rows.get("Not given", "0") == str(years[None])
    years_known = sorted({p.year for p in ATLAS.papers.values() if p.year})
    heat = html.select_one("table.atlas-year-challenge")
    assert [text_of(th) for th in heat.select("thead th")][1:] == [str(year) for year in years_known]
    for row, challenge in zip(heat.select("tbody tr"), ATLAS.challenges.values(), strict=True):
        counts = [text_of(td) or "0" for td in row.find_all("td")[1:]]
        assert counts == [str(sum(1 for p in core[challenge.id] if p.year == year)) for year in years_known]
    bridging = [a["href"] for a in html.select("table.atlas-bridging tbody tr td:first-child a")]
    assert bridging == [f"../papers/{p.id}/" for p in ATLAS.papers.values() if len(p.core_challenge_ids) >= 3]
    assert len(html.select("table.atlas-least-covered tbody tr")) == 8
    rated = sum(1 for p in ATLAS.papers.values() if p.ratings)
    assert f"{rated} papers with OpenReview scores" in text_of(html)


def test_home_page_shows_the_graph_headlines(built_site: Path):
    html = page(built_site, ".")
    two_or_more = sum(1 for p in ATLAS.papers.values() if len(p.core_challenge_ids) >= 2)
    assert html.find("span", attrs={"data-count": "bridging2"}).get_text() == str(two_or_more)
    assert html.find("a", href="graph/") is not None and html.find("a", href="stats/") is not None


def test_pages_lose_the_themes_indentation_but_not_a_character_of_preformatted_text_or_scripts(built_site: Path):
    paper = next(built_site.glob("papers/*/index.html")).read_text()
    bibtex = next(b for b in re.finditer(r"<pre\b.*?</pre>", paper, re.S) if "title = {" in b.group(0)).group(0)
    assert "\n  title = {" in bibtex  # the BibTeX keeps its own indentation
    outside = re.sub(r"<(pre|script|textarea)\b.*?</\1>", "", paper, flags=re.S | re.I)
    assert outside.count("\n") > 20 and not re.search(r"\n[ \t]+\S", outside)
    preformatted = "<pre>x\n    y</pre>\n  <script>\n  if (a) {\n    b();\n  }</script>\n<TEXTAREA>\n  t</TEXTAREA>"
    kept = preformatted.replace("\n  <script>", "\n<script>")
    assert without_indentation(f"<div>\n    <p>a</p>\n\n  {preformatted}\n  </div>") == f"<div>\n<p>a</p>\n{kept}\n</div>"


def test_the_navigation_shows_the_titles_mkdocs_yml_gives_and_each_challenges_own_title(built_site: Path):
    named = dict(re.findall(r"^\s*- ([A-Z][\w ]+): (\S+\.md)$", (REPO / "mkdocs.yml").read_text(), re.M))
    assert {"Home", "Overview", "Papers", "Statistics"} <= named.keys()
    page = BeautifulSoup((built_site / "about" / "index.html").read_text(), "html.parser")
    links = {
        posixpath.normpath(posixpath.join("about", a["href"])): a.get_text(" ", strip=True)
        for a in page.select(".md-nav--primary a.md-nav__link[href]")
    }
    for title, source in named.items():
        address = posixpath.normpath(source.removesuffix(".md").removesuffix("index") or ".")
        assert links[address] == title
    robustness = BeautifulSoup((built_site / "challenges" / "robustness" / "index.html").read_text(), "html.parser")
    assert links["challenges/robustness"] == robustness.h1.find(string=True, recursive=False).strip()


def test_every_page_has_its_own_description_open_graph_tags_and_announces_the_feeds(built_site: Path):
    from atlas.site.cite import NAME

    seen: dict[str, str] = {}
    addresses = ["", "challenges", "papers", "gaps", "graph", "stats", "references", "outside"]
    addresses += [f"challenges/{c}" for c in ATLAS.challenges] + [f"papers/{p}" for p in list(ATLAS.papers)[:40]]
    for address in addresses:
        html = page(built_site, address)
        description = html.find("meta", attrs={"name": "description"})["content"]
        assert description not in seen, (address, seen.get(description))
        seen[description] = address
        assert 40 <= len(description) <= 200, (address, description)
        assert html.find("meta", property="og:description")["content"] == description
        assert html.find("meta", property="og:title")["content"]
        assert html.find("meta", property="og:url")["content"].endswith(f"/atlas/{address}/" if address else "/atlas/")
        feeds = {link["href"].split("/")[-1] for link in html.find_all("link", rel="alternate") if "feed" in link["rel"]}
        assert {"feed.xml", "feed.json"} <= feeds, address
    home = page(built_site, "")
    assert home.find("title").get_text() == NAME  # the site's name once, not "X - X"
    ethics = page(built_site, "challenges/ethics")
    assert "challenges/ethics/feed.xml" in {link["href"].removeprefix("../../") for link in ethics.find_all("link", rel="alternate")}
    paper = ATLAS.papers["calibrated-language-models"]
    described = page(built_site, "papers/calibrated-language-models").find("meta", attrs={"name": "description"})["content"]
    assert described.startswith(paper.title) and "Uncertainty estimation and hallucination" in described


def test_every_page_links_to_the_repository_and_record_pages_to_their_files(built_site: Path):
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    repository = config["repo_url"]
    for html_file in built_site.rglob("index.html"):
        html = parsed(html_file)
        if html.find("meta", attrs={"http-equiv": "refresh"}):
            continue  # an old address that forwards to its page
        source = html.select_one("a.md-source")
        assert source is not None and source["href"] == repository, html_file
        assert not html.select("[data-md-component=source]")  # the theme's script would ask api.github.com
    records = [(f"papers/{p.id}", p.path, p.id) for p in ATLAS.papers.values()]
    records += [(f"challenges/{c.id}", c.path, c.id) for c in ATLAS.challenges.values()]
    for address, path, _ in records:
        html = page(built_site, address)
        edit = html.select_one("a.atlas-edit")["href"]
        assert edit == f"{repository}/edit/main/{path}" and (REPO / path).is_file()
        report = urlparse(html.select_one("a.atlas-report")["href"])
        assert f"{report.scheme}://{report.netloc}{report.path}" == f"{repository}/issues/new"
        assert f"{config['site_url']}{address}/" in parse_qs(report.query)["body"][0]
    add_one = [a["href"] for c in ATLAS.challenges for a in page(built_site, f"challenges/{c}").select("p.atlas-empty a")]
    assert set(add_one) <= {f"{repository}/blob/main/CONTRIBUTING.md"} and (REPO / "CONTRIBUTING.md").is_file()  # where a sub is empty


INTERNAL_NOTES = re.compile(r"seed \d{3}|\d{3}_[0-9a-f]{16}\.txt|seed text|no entry in the seed|seed lists?\b", re.I)


def test_readers_meet_no_internal_note_only_the_public_lists_abstracts_came_from(built_site: Path):
    """Every page names the lists the atlas started from as what they are, never by their file names."""
    noted = {}
    for path in built_site.rglob("*.html"):
        text = parsed(path).get_text(" ")
        if found := INTERNAL_NOTES.search(text):
            noted[str(path.relative_to(built_site))] = found.group(0)
    assert not noted, noted
    credit = text_of(
        page(built_site, "papers/uncertainty-aware-explanations/index.html").find(string=re.compile("abstract, verbatim")).parent
    )
    assert credit.startswith(
        "The authors' abstract, verbatim as given by a public list of 62 papers related to the survey (dated 11 March)"
    )


def test_paper_lists_of_challenge_pages_and_the_gap_map_name_each_papers_authors(built_site: Path):
    from atlas.site.templating import short_authors

    atlas, _ = check(REPO)
    pages = [f"challenges/{challenge_id}/index.html" for challenge_id in atlas.challenges] + ["gaps/index.html"]
    checked = 0
    for url in pages:
        for item in page(built_site, url).select("ul.atlas-paper-list > li"):
            paper = atlas.papers[item.find("a")["href"].rstrip("/").rsplit("/", 1)[1]]
            if paper.authors:
                assert text_of(item.find(class_="atlas-meta")).startswith(f"({short_authors(paper.authors)}"), (url, paper.id)
                checked += 1
    assert checked > 500


def test_the_404_page_says_why_and_leads_back_in_with_links_that_work_at_any_depth(built_site: Path):
    html = BeautifulSoup((built_site / "404.html").read_text(encoding="utf-8"), "html.parser")
    article = html.find("article")
    assert text_of(article.find("h1")) == "This address is not in the atlas"
    prefix = urlparse(yaml.safe_load(re.sub(r"!!python/\S+", "", (REPO / "mkdocs.yml").read_text()))["site_url"]).path
    links = [a["href"] for a in article.find_all("a")] + [link["href"] for link in html.find_all("link", rel="feed")]
    assert len(links) >= 6
    for href in links:
        assert href.startswith(prefix) and "//" not in href, href  # absolute: the page is served at any address
        target = built_site / href.removeprefix(prefix)
        assert (target / "index.html").exists() or target.is_file(), href


def test_no_page_links_a_stylesheet_in_its_body(built_site: Path):
    """A stylesheet linked in the body restyles the page once it is drawn: the page shifts under the reader."""
    late = {}
    for path in [built_site / "papers" / "index.html", built_site / "graph" / "index.html", *built_site.glob("challenges/*/index.html")]:
        html = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        if found := html.body.select('link[rel~="stylesheet"]'):
            late[str(path.relative_to(built_site))] = [link["href"] for link in found]
        assert html.head.select('link[rel~="stylesheet"]')
    assert not late, late
    papers = BeautifulSoup((built_site / "papers" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert any(link["href"].endswith("atlas-papers.css") for link in papers.head.select('link[rel~="stylesheet"]'))


def test_no_page_makes_the_reader_wait_for_a_script_before_it_is_drawn(built_site: Path):
    """A script without defer stops the page's parsing and drawing until it has loaded and run (Lighthouse's
    render-blocking resources); the theme's and the atlas' own run once the page is parsed."""
    blocking = {}
    for path in built_site.rglob("*.html"):
        tags = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", path.read_text(encoding="utf-8"))
        if late := [tag for tag in tags if not re.search(r"\s(defer|async)[\s>=]", tag)]:
            blocking[str(path.relative_to(built_site))] = late
    assert not blocking, list(blocking.items())[:3]
    scripts = page(built_site, "gaps").find_all("script", src=True)
    assert [Path(script["src"]).name.split(".")[0] for script in scripts] == ["bundle", "atlas"]  # the theme's first: atlas.js uses it
