"""The picture the graph page and the challenge maps draw, held to what atlas/graph/layout.py promises:
challenges evenly on a circle, each sub-challenge beside its challenge, papers in a disc at the centre
of what they address (clear of a lone target's disc), sizes that grow with the papers, and names that
stay inside the map and cross nothing."""

from __future__ import annotations

import math
from dataclasses import replace

import networkx as nx
import pytest

from atlas.graph.build import build_graph
from atlas.graph.layout import (
    LABEL_CHARS,
    LABEL_LINE,
    LABEL_SIZE,
    LOCAL_BOX,
    label_lines,
    layout,
    local_layout,
    place_labels,
    text_width,
    whole_picture,
)
from atlas.records.model import Atlas

from conftest import real_atlas

ATLAS = real_atlas()[0]  # read once: a mutation run forks each mutant's tests from the process that read it


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    return build_graph(ATLAS)


@pytest.fixture(scope="module")
def placed(graph: nx.MultiDiGraph) -> dict[str, dict[str, float | str]]:
    return layout(graph)


def of_type(graph: nx.MultiDiGraph, kind: str) -> list[str]:
    return [node for node, data in graph.nodes(data=True) if data["type"] == kind]


def distance(a: dict[str, float | str], b: dict[str, float | str]) -> float:
    return math.hypot(float(a["x"]) - float(b["x"]), float(a["y"]) - float(b["y"]))


def test_challenges_stand_evenly_on_a_circle_the_first_at_the_top(graph, placed):
    challenges = of_type(graph, "challenge")
    radii = {round(math.hypot(float(placed[c]["x"]), float(placed[c]["y"])), 1) for c in challenges}
    assert len(radii) == 1 and radii.pop() > 0
    steps = {round(distance(placed[a], placed[b]), 1) for a, b in zip(challenges, challenges[1:] + challenges[:1], strict=True)}
    assert len(steps) == 1, "neighbours on the circle stand at one distance"
    first = placed[challenges[0]]
    assert first["x"] == 0 and float(first["y"]) < 0  # straight up in the interactive graph's coordinates


def test_a_challenges_sub_challenges_stand_around_it_nearer_than_any_other_challenge(graph, placed):
    challenges = of_type(graph, "challenge")
    for sub in of_type(graph, "subchallenge"):
        own = f"challenge:{graph.nodes[sub]['challenge']}"
        nearest = min(challenges, key=lambda c: distance(placed[sub], placed[c]))
        assert nearest == own, sub
        assert placed[sub]["color"] == placed[own]["color"]
    subs = [s for s in of_type(graph, "subchallenge") if graph.nodes[s]["challenge"] == "efficiency"]
    assert len({round(distance(placed[s], placed["challenge:efficiency"]), 1) for s in subs}) == 1


def test_sizes_grow_with_the_papers_and_the_largest_challenge_is_largest(graph, placed):
    for kind in ("challenge", "subchallenge"):
        nodes = sorted(of_type(graph, kind), key=lambda n: graph.nodes[n]["papers"])
        sizes = [placed[n]["size"] for n in nodes]
        assert sizes == sorted(sizes) and sizes[0] < sizes[-1], kind
    biggest_sub = max(placed[s]["size"] for s in of_type(graph, "subchallenge"))
    smallest_challenge = min(placed[c]["size"] for c in of_type(graph, "challenge"))
    assert biggest_sub < smallest_challenge
    assert {placed[p]["size"] for p in placed if p.startswith("paper:")} == {3.0}


def test_papers_gather_round_the_centre_of_what_they_address_clear_of_a_lone_targets_disc(graph, placed):
    by_targets: dict[tuple[str, ...], list[str]] = {}
    for paper in of_type(graph, "paper"):
        targets = tuple(sorted(t for _, t, kind in graph.out_edges(paper, data="type") if kind == "addresses"))
        if targets:
            by_targets.setdefault(targets, []).append(paper)
    for targets, papers in by_targets.items():
        centre = {
            "x": sum(float(placed[t]["x"]) for t in targets) / len(targets),
            "y": sum(float(placed[t]["y"]) for t in targets) / len(targets),
        }
        reach = [distance(placed[p], centre) for p in sorted(papers)]
        assert reach == sorted(reach), "the disc fills from the inside out, in the papers' order"
        if len(targets) == 1:
            assert min(reach) > float(placed[targets[0]]["size"]) / 3, targets  # its node's disc stays free
        owner = graph.nodes[targets[0]].get("challenge", graph.nodes[targets[0]]["record_id"])
        assert {placed[p]["color"] for p in papers} == {placed[f"challenge:{owner}"]["color"]}
    bridging = [t for t in by_targets if len({graph.nodes[x].get("challenge", graph.nodes[x]["record_id"]) for x in t}) > 1]
    assert bridging, "the atlas has papers between two challenges"


def test_the_whole_picture_encloses_every_node_with_a_margin_and_draws_papers_first(graph, placed):
    picture = whole_picture(graph, placed)
    left, top, width, height = picture["box"]
    xs, ys = [n["x"] for n in picture["nodes"]], [n["y"] for n in picture["nodes"]]
    assert left < min(xs) and top < min(ys) and left + width > max(xs) and top + height > max(ys)
    assert math.isclose(min(xs) - left, left + width - max(xs), abs_tol=0.2) and math.isclose(
        min(ys) - top, top + height - max(ys), abs_tol=0.2
    )
    node = picture["nodes"][0]
    assert node["y"] == -float(placed[node["node"]]["y"]), "SVG's y grows downwards"
    order = [n["type"] for n in picture["nodes"]]
    assert order == sorted(order, key=["paper", "subchallenge", "challenge"].index)
    drawn = {(s, t) for s, t, kind in graph.edges(data="type") if kind in ("addresses", "sub_of") and s in placed and t in placed}
    assert len(picture["edges"]) == len(
        [1 for s, t, kind in graph.edges(data="type") if (s, t) in drawn and kind in ("addresses", "sub_of")]
    )


def test_a_challenge_map_puts_sub_challenges_on_an_inner_ring_and_papers_outside(graph):
    local = local_layout(graph, "efficiency")
    subs = [n for n in local["nodes"] if n["type"] == "subchallenge"]
    papers = [n for n in local["nodes"] if n["type"] == "paper"]
    inner = max(math.hypot(n["x"], n["y"]) for n in subs)
    assert inner < min(math.hypot(n["x"], n["y"]) for n in papers)
    angles = [math.atan2(n["y"], n["x"]) % (2 * math.pi) for n in subs]
    assert len({round(a, 2) for a in angles}) == len(subs), "each sub-challenge has its own sector"
    assert len(local["edges"]) == len(subs) + len(papers)


def test_a_challenge_map_keeps_the_newest_papers_when_it_must_leave_some_out(graph):
    local = local_layout(graph, "efficiency", limit=10)
    shown = [n for n in local["nodes"] if n["type"] == "paper"]
    assert local["shown"] == len({n["node"] for n in shown}) == 10 < local["total"]
    everything = local_layout(graph, "efficiency", limit=10_000)
    years = sorted((n.get("year", 0) for n in everything["nodes"] if n["type"] == "paper"), reverse=True)
    assert min(n.get("year", 0) for n in shown) >= years[9]


def test_the_names_on_a_challenge_map_stay_inside_it_and_cross_no_node_or_other_name():
    for challenge in ("efficiency", "metrics", "ethics"):
        local = local_layout(build_graph(ATLAS), challenge)
        left, top, width, height = LOCAL_BOX
        boxes = []
        for node in local["nodes"]:
            if node["type"] != "subchallenge" or not node["caption"]:
                continue
            lines = node["caption"]
            box = (
                min(line["x"] for line in lines),
                lines[0]["y"] - 15,
                max(line["x"] + line["width"] for line in lines),
                lines[-1]["y"] + 4,
            )
            assert left <= box[0] and box[2] <= left + width and top <= box[1] and box[3] <= top + height, node["node"]
            assert [line["text"] for line in lines] == label_lines(node["label"])
            boxes.append(box)
        assert boxes, challenge
        for i, a in enumerate(boxes):
            assert not any(a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3] for b in boxes[i + 1 :]), challenge


def test_a_long_name_breaks_between_words_into_two_lines_the_second_cut_with_an_ellipsis():
    assert label_lines("Fast sampling") == ["Fast sampling"]
    lines = label_lines("Robustness to distribution shifts between training and deployment")
    assert len(lines) == 2 and all(len(line) <= LABEL_CHARS for line in lines)
    assert lines[1].endswith("…") and "Robustness to distribution shifts between".startswith(lines[0])
    exact = "a" * LABEL_CHARS
    assert label_lines(exact) == [exact] and label_lines(f"{exact} b") == [exact, "b"]


def test_text_is_as_wide_as_its_letters_in_helvetica():
    assert text_width("W") > text_width("M") > text_width("a") > text_width("i") > 0
    assert text_width("ab", size=30) == 2 * text_width("ab", size=15) == text_width("abab", size=15)


def test_every_edge_of_the_whole_picture_joins_two_drawn_nodes(graph, placed):
    picture = whole_picture(graph, placed)
    drawn = {(float(n["x"]), float(n["y"])) for n in picture["nodes"]}
    assert picture["edges"]
    for x1, y1, x2, y2 in picture["edges"]:
        assert (float(x1), float(y1)) in drawn and (float(x2), float(y2)) in drawn


def caption_box(node: dict) -> tuple[float, float, float, float]:
    """The box a sub-challenge's name is drawn in, from its lines (baselines sit 0.95 of a line's size below the top)."""
    lines = node["caption"]
    top = lines[0]["y"] - 0.95 * LABEL_SIZE
    return (min(line["x"] for line in lines), top, max(line["x"] + line["width"] for line in lines), top + LABEL_LINE * len(lines))


def crossing(a: tuple[float, ...], b: tuple[float, ...], slack: float = 0.2) -> bool:
    return a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]


def sub(x: float, y: float, label: str = "Robust generation") -> dict:
    return {"type": "subchallenge", "label": label, "x": x, "y": y, "r": 9}


def test_a_name_stands_centred_above_its_node_or_below_it_when_the_place_above_is_taken():
    alone = [sub(0, 100)]
    place_labels(alone)
    box = caption_box(alone[0])
    assert abs((box[0] + box[2]) / 2) < 0.2 and box[3] < 100 - 9
    blocked = [sub(0, 100), {"type": "paper", "label": "p", "x": 0, "y": 80, "r": 4.5}]
    place_labels(blocked)
    box = caption_box(blocked[0])
    assert abs((box[0] + box[2]) / 2) < 0.2 and box[1] > 100 + 9


@pytest.mark.parametrize("x, y", [(280, 0), (-280, 0), (0, -262), (0, 262), (270, 250)])
def test_a_name_near_the_maps_edge_is_moved_inside_it(x: float, y: float):
    nodes = [sub(x, y, "Misinformation and synthetic content detection")]
    place_labels(nodes)
    left, top, width, height = LOCAL_BOX
    box = caption_box(nodes[0])
    assert left - 0.2 <= box[0] and box[2] <= left + width + 0.2 and top - 0.2 <= box[1] and box[3] <= top + height + 0.2, box


def test_names_cross_no_node_and_no_other_name_on_the_real_maps(graph):
    for challenge in ("efficiency", "metrics", "ethics", "robustness"):
        nodes = local_layout(graph, challenge)["nodes"]
        discs = [(n["x"] - n["r"], n["y"] - n["r"], n["x"] + n["r"], n["y"] + n["r"]) for n in nodes]
        boxes = [caption_box(n) for n in nodes if n["type"] == "subchallenge" and n["caption"]]
        for i, box in enumerate(boxes):
            assert not any(crossing(box, disc) for disc in discs), challenge
            assert not any(crossing(box, other) for other in boxes[i + 1 :]), challenge


def test_every_challenge_map_draws_and_names_every_sub_challenge(graph):
    for challenge in ATLAS.challenges:
        subs = [n for n in local_layout(graph, challenge)["nodes"] if n["type"] == "subchallenge"]
        assert len(subs) == len(ATLAS.challenges[challenge].subchallenges) and all(n["caption"] for n in subs), challenge


def test_a_paper_without_a_year_is_the_first_a_limited_map_leaves_out():
    chosen = next(paper for paper in ATLAS.papers.values() if paper.year and paper.challenges[0].challenge == "efficiency")
    papers = {**ATLAS.papers, chosen.id: replace(chosen, year=None)}
    graph = build_graph(Atlas(ATLAS.root, ATLAS.challenges, papers, ATLAS.bibliography, ATLAS.venues))
    total = local_layout(graph, "efficiency")["total"]
    shown = {n["node"] for n in local_layout(graph, "efficiency", limit=total - 1)["nodes"]}
    assert f"paper:{chosen.id}" not in shown and len([n for n in shown if n.startswith("paper:")]) == total - 1


def test_a_challenge_maps_sectors_go_round_once_each_sub_challenge_amid_its_own_papers(graph):
    for challenge in ("efficiency", "ethics"):
        local = local_layout(graph, challenge)
        subs = [n for n in local["nodes"] if n["type"] == "subchallenge"]
        assert [n["node"] for n in subs] == [s for s, _, kind in graph.in_edges(f"challenge:{challenge}", data="type") if kind == "sub_of"]
        papers = [n for n in local["nodes"] if n["type"] == "paper"]  # sector by sector, as drawn
        turn = [(math.atan2(n["y"], n["x"]) + math.pi / 2) % (2 * math.pi) for n in papers]  # clockwise from straight up
        assert turn == sorted(turn) and turn[0] < 0.2 and turn[-1] > 2 * math.pi - 0.5, "the papers go once round, from the top"
        for sub in subs:
            papers = [(px, py) for sx, sy, px, py in local["edges"] if (sx, sy) == (sub["x"], sub["y"])]
            angles = [(math.atan2(py, px) + math.pi / 2) % (2 * math.pi) for px, py in papers]
            own = (math.atan2(sub["y"], sub["x"]) + math.pi / 2) % (2 * math.pi)
            assert (0.0, 0.0, sub["x"], sub["y"]) in local["edges"], "joined to the challenge at the centre"
            assert papers and min(angles) < own < max(angles), sub["node"]
            assert abs(own - (min(angles) + max(angles)) / 2) < 2 * math.pi / len(papers), sub["node"]
        assert math.isclose(math.hypot(subs[0]["x"], subs[0]["y"]), math.hypot(subs[-1]["x"], subs[-1]["y"]), abs_tol=0.2)
