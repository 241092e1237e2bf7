"""The graph model and its exports, read back with networkx's own readers (and Graphviz)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import networkx as nx
import pydot

from atlas.graph.build import build_graph
from atlas.graph.export import export
from atlas.graph.layout import layout, local_layout

from conftest import REPO, real_atlas

ATLAS, _ = real_atlas()
GRAPH = build_graph(ATLAS)


def nodes_of(kind: str) -> list[str]:
    return [node for node, data in GRAPH.nodes(data=True) if data["type"] == kind]


def test_graph_has_a_node_per_challenge_subchallenge_paper_and_reference():
    assert len(nodes_of("challenge")) == len(ATLAS.challenges)
    assert len(nodes_of("subchallenge")) == sum(len(c.subchallenges) for c in ATLAS.challenges.values())
    assert len(nodes_of("paper")) == len(ATLAS.papers)
    cited = {r.number for c in ATLAS.challenges.values() for r in c.references}
    entries = [e for e in ATLAS.bibliography.values() if e.key not in ATLAS.papers or e.surveyref]  # the survey's, even with a record
    unresolved = cited - {e.surveyref for e in entries}
    assert len(nodes_of("reference")) == len(entries) + len(unresolved)


def test_edges_are_typed_and_carry_their_reasons():
    kinds = {data["type"] for _, _, data in GRAPH.edges(data=True)}
    assert kinds == {"sub_of", "question_of", "addresses", "takes_up", "cites", "related"}
    paper = ATLAS.papers["calibrated-language-models"]
    out = [(target, data) for _, target, data in GRAPH.out_edges("paper:calibrated-language-models", data=True)]
    assert [(target, data["why"], data["weight"]) for target, data in out if data["type"] == "addresses"] == [
        (f"sub:{link.target}" if link.sub else f"challenge:{link.target}", link.why, link.weight) for link in paper.challenges
    ]
    assert [target for target, data in out if data["type"] == "takes_up"] == [
        f"question:{link.challenge}/{q}" for link in paper.challenges for q in link.questions
    ]
    related = [(s, t) for s, t, kind in GRAPH.edges(data="type") if kind == "related"]
    assert len(related) == sum(len(c.related) for c in ATLAS.challenges.values())
    cites = [(s, t) for s, t, kind in GRAPH.edges(data="type") if kind == "cites"]
    assert ("challenge:efficiency", "survey:74") in cites  # a number the survey's text does not resolve
    assert ("challenge:efficiency", "ref:ho-2020-denoising") in cites  # [71], identified from the survey's text
    assert GRAPH.nodes["ref:ho-2020-denoising"]["url"] == "references/#ho-2020-denoising"


def _counted_from_the_links() -> dict[str, Counter]:
    """Who addresses what, counted from each record's links one by one (core: not `relevance: peripheral`)."""
    counted = {name: Counter() for name in ("core", "passing", "target", "pairs", "bridges")}
    for paper in ATLAS.papers.values():
        core = {link.challenge for link in paper.challenges if link.relevance == "core"}
        counted["core"].update(core)
        counted["passing"].update({link.challenge for link in paper.challenges} - core)
        counted["target"].update({link.target for link in paper.challenges if link.relevance == "core"})
        counted["pairs"].update((first, second) for first in core for second in core if first < second)
        counted["bridges"][paper.id] = len(core)
    return counted


def test_the_models_counts_are_those_of_the_records_links_and_the_graph_copies_them():
    counted = _counted_from_the_links()
    assert ATLAS.papers_per_challenge == counted["core"] and ATLAS.passing_papers_per_challenge == counted["passing"]
    assert ATLAS.papers_per_target == counted["target"] and ATLAS.challenge_pairs == counted["pairs"]
    assert min(len(counted[name]) for name in counted) > 0  # every kind of count has something to count
    bridges = sorted(counted["bridges"], key=lambda paper: (-counted["bridges"][paper], paper))
    for at_least in (2, 3):
        assert ATLAS.bridging_papers(at_least) == [paper for paper in bridges if counted["bridges"][paper] >= at_least]
    for challenge in ATLAS.challenges.values():
        linked = [(p.id, link) for p in ATLAS.papers.values() for link in p.challenges if link.challenge == challenge.id]
        assert [(p.id, link) for p, link in ATLAS.papers_for(challenge.id)] == linked
        assert GRAPH.nodes[f"challenge:{challenge.id}"]["papers"] == counted["core"][challenge.id]
        for sub in challenge.subchallenges:
            assert GRAPH.nodes[f"sub:{challenge.id}/{sub.id}"]["papers"] == counted["target"][f"{challenge.id}/{sub.id}"]
        for question in challenge.open_questions:
            named = [(p.id, link.relevance) for p in ATLAS.papers.values() for link in p.challenges
                     if link.challenge == challenge.id and question.id in link.questions]  # fmt: skip
            core_first = [pair for pair in named if pair[1] == "core"] + [pair for pair in named if pair[1] != "core"]
            assert [(p.id, link.relevance) for p, link in ATLAS.addressing(challenge.id, question.id)] == core_first
    for paper in ATLAS.papers.values():  # the graph page reads a paper's challenges from its node
        core = {link.challenge for link in paper.challenges if link.relevance == "core"}
        node = GRAPH.nodes[f"paper:{paper.id}"]
        passing = {link.challenge for link in paper.challenges} - core
        assert (set(node["challenges"].split()), set(node["peripheral"].split())) == (core, passing)


def test_unknown_facts_are_absent_not_empty():
    for paper in ATLAS.papers.values():
        data = GRAPH.nodes[f"paper:{paper.id}"]
        for name, value in (("year", paper.year), ("venue", paper.venue), ("rating", paper.ratings)):
            assert (name in data) == (value is not None), (paper.id, name)
    assert any(p.venue is None for p in ATLAS.papers.values()) and any(p.ratings is None for p in ATLAS.papers.values())
    rated = GRAPH.nodes["paper:consistency-trajectory-models"]
    assert rated["year"] == 2024 and rated["rating"] == 6.5


def test_layout_places_every_drawn_node_deterministically():
    first, second = layout(GRAPH), layout(build_graph(ATLAS))
    assert first == second
    outside = {f"paper:{paper.id}" for paper in ATLAS.outside}  # papers outside every challenge are not drawn
    drawn = [n for n, d in GRAPH.nodes(data=True) if d["type"] not in ("reference", "question") and n not in outside]
    assert outside
    assert set(first) == set(drawn)
    positions = {(round(v["x"], 2), round(v["y"], 2)) for v in first.values()}
    assert len(positions) == len(first), "two nodes share a position"


def test_local_layout_shows_the_challenge_its_subchallenges_and_papers():
    local = local_layout(GRAPH, "metrics")
    types = [node["type"] for node in local["nodes"]]
    assert types.count("subchallenge") == len(ATLAS.challenges["metrics"].subchallenges)
    assert local["shown"] == local["total"] == len({p.id for p, _ in ATLAS.papers_for("metrics")})
    limited = local_layout(GRAPH, "metrics", limit=5)
    assert limited["shown"] == 5 and limited["total"] == local["total"]


def comparable(graph: nx.Graph) -> tuple[set[str], int, dict[str, str]]:
    types = {str(node): str(data.get("type", "")).strip('"') for node, data in graph.nodes(data=True)}
    return {str(node).strip('"') for node in graph.nodes}, graph.number_of_edges(), {k.strip('"'): v for k, v in types.items()}


EXPECTED = comparable(GRAPH)


def test_json_export_round_trips_through_networkx():
    data = json.loads(export(GRAPH, "json"))
    back = nx.node_link_graph(data, edges="edges")
    assert comparable(back) == EXPECTED
    assert back.nodes["challenge:metrics"]["x"] is not None and back.nodes["challenge:metrics"]["color"].startswith("#")


def test_graphml_export_round_trips_through_networkx():
    back = nx.read_graphml(io.BytesIO(export(GRAPH, "graphml").encode()), force_multigraph=True)
    assert comparable(back) == EXPECTED
    assert back.nodes["paper:consistency-trajectory-models"]["rating"] == 6.5


def test_gexf_export_round_trips_through_networkx_and_is_reproducible():
    text = export(GRAPH, "gexf")
    back = nx.read_gexf(io.BytesIO(text.encode()))
    assert comparable(back) == EXPECTED
    assert text == export(build_graph(ATLAS), "gexf")


def sampled(graph: nx.DiGraph, every: int) -> nx.DiGraph:
    """The graph's challenges, sub-challenges and questions, every `every`-th paper and reference, and
    every node whose text DOT must quote or escape (quotes, backslashes, letters beyond ASCII)."""

    def awkward(data: dict) -> bool:
        return any(isinstance(value, str) and re.search(r'["\\]|[^\x00-\x7f]', value) for value in data.values())

    kept = [
        node
        for position, (node, data) in enumerate(graph.nodes(data=True))
        if data["type"] not in ("paper", "reference") or position % every == 0 or awkward(data)
    ]
    return graph.subgraph(kept).copy()


def test_dot_export_round_trips_through_pydot():
    """pydot's pure-Python parser takes about 20 s over the whole graph: a sample with every kind of node,
    edge and awkward text goes through it, the whole graph through Graphviz (below)."""
    sample = sampled(GRAPH, 8)
    kinds = {data["type"] for _, data in sample.nodes(data=True)}, {data["type"] for *_, data in sample.edges(data=True)}
    assert kinds == ({data["type"] for _, data in GRAPH.nodes(data=True)}, {data["type"] for *_, data in GRAPH.edges(data=True)})
    assert any(re.search(r"[^\x00-\x7f]", str(data.get("label", ""))) for _, data in sample.nodes(data=True))
    back = nx.nx_pydot.from_pydot(pydot.graph_from_dot_data(export(sample, "dot"))[0])
    assert comparable(back) == comparable(sample)


def test_dot_export_is_read_by_graphviz(tmp_path: Path):
    assert shutil.which("dot"), "Graphviz's dot is needed (make system-deps installs it)"
    path = tmp_path / "atlas.dot"
    path.write_text(export(GRAPH, "dot"))
    result = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count('<g id="node') == GRAPH.number_of_nodes()


def test_graph_command_writes_each_format(tmp_path: Path):
    for format in ("json", "graphml", "gexf", "dot"):
        target = tmp_path / f"atlas.{format}"
        result = subprocess.run(
            [sys.executable, "-m", "atlas.cli", "--root", str(REPO), "graph", "--format", format, "-o", str(target)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert target.stat().st_size > 10_000


def test_the_command_offers_exactly_the_formats_there_are_writers_for():
    from atlas.graph.export import WRITERS
    from atlas.records.model import GRAPH_FORMATS

    assert tuple(WRITERS) == GRAPH_FORMATS


def test_no_challenge_is_drawn_in_a_grey_like_the_nodes_a_filter_greys_out():
    import colorsys

    from atlas.graph.layout import challenge_colours

    colours = challenge_colours(build_graph(ATLAS))
    assert len(set(colours.values())) == len(ATLAS.challenges)
    for challenge, colour in colours.items():
        red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        assert colorsys.rgb_to_hls(red, green, blue)[2] > 0.3, f"{challenge} is drawn in a grey, {colour}"
