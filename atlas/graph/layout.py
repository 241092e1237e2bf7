"""Where each node of the challenge-to-paper graph is drawn, and in which colour and size.

Deterministic and linear in the number of papers, so 10,000 papers lay out in well under a second
and two builds draw the same picture: challenges sit on a circle, their sub-challenges around them,
and the papers that share the same targets fill a disc (a sunflower spiral) at the centroid of those
targets, so a paper bridging two challenges sits between them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache

import networkx as nx

# Paul Tol's "bright" scheme: distinguishable for colour-blind readers, legible on light and dark.
# Paul Tol's colour-blind-safe "bright" scheme, with orange for its grey: a grey challenge (Ethics, the
# seventh) looked like the nodes a filter greys out.
PALETTE = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#EE7733")
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
CHALLENGE_RADIUS = 100.0
SUB_RADIUS = 34.0
PAPER_SPACING = 2.4
PAPER_HOLE = 8.0  # graph units: wider than a challenge's disc on a desktop, its centre's surroundings on a phone


def _edges_of_kind(edges: Iterable[tuple[str, str, object]], *kinds: str) -> list[tuple[str, str]]:
    """(source, target) of each edge, read with data="type", whose type is one of `kinds`: one place
    that says an edge's type is a string, which types-networkx cannot know."""
    return [(source, target) for source, target, kind in edges if kind in kinds]


def challenge_colours(graph: nx.MultiDiGraph) -> dict[str, str]:
    challenges = [data["record_id"] for _, data in graph.nodes(data=True) if data["type"] == "challenge"]
    return {challenge: PALETTE[index % len(PALETTE)] for index, challenge in enumerate(challenges)}


def layout(graph: nx.MultiDiGraph) -> dict[str, dict[str, float | str]]:
    """For every drawn node: x, y, size and color (references are not drawn)."""
    colours = challenge_colours(graph)
    placed: dict[str, dict[str, float | str]] = {}
    challenges = [node for node, data in graph.nodes(data=True) if data["type"] == "challenge"]
    largest = max([graph.nodes[node]["papers"] for node in challenges] or [1]) or 1
    for index, node in enumerate(challenges):
        angle = 2 * math.pi * index / max(len(challenges), 1) - math.pi / 2
        x, y = CHALLENGE_RADIUS * math.cos(angle), CHALLENGE_RADIUS * math.sin(angle)
        data = graph.nodes[node]
        placed[node] = {"x": x, "y": y, "size": 10 + 14 * math.sqrt(data["papers"] / largest), "color": colours[data["record_id"]]}
        subs = [source for source, _ in _edges_of_kind(graph.in_edges(node, data="type"), "sub_of")]
        for position, sub in enumerate(subs):
            spread = angle + math.pi * (position - (len(subs) - 1) / 2) / max(len(subs), 1) * 0.9
            placed[sub] = {
                "x": x + SUB_RADIUS * math.cos(spread),
                "y": y + SUB_RADIUS * math.sin(spread),
                "size": 6 + 6 * math.sqrt(graph.nodes[sub]["papers"] / largest),
                "color": colours[data["record_id"]],
            }
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        if data["type"] == "paper":
            targets = tuple(sorted(target for _, target in _edges_of_kind(graph.out_edges(node, data="type"), "addresses")))
            groups[targets].append(node)
    groups.pop((), None)  # papers outside the survey's challenges are not drawn
    for targets, papers in groups.items():
        centre_x = sum(placed[t]["x"] for t in targets) / len(targets)  # type: ignore[misc]
        centre_y = sum(placed[t]["y"] for t in targets) / len(targets)  # type: ignore[misc]
        first = graph.nodes[targets[0]]
        colour = colours[first.get("challenge", first["record_id"])]
        hole = PAPER_HOLE if len(targets) == 1 else 0.0  # the papers of one node ring it, leaving its disc free
        for rank, paper in enumerate(sorted(papers), start=1):
            radius = math.sqrt(hole**2 + PAPER_SPACING**2 * rank)
            placed[paper] = {
                "x": centre_x + radius * math.cos(rank * GOLDEN_ANGLE),
                "y": centre_y + radius * math.sin(rank * GOLDEN_ANGLE),
                "size": 3.0,
                "color": colour,
            }
    return {
        node: {key: round(value, 3) if isinstance(value, float) else value for key, value in values.items()}
        for node, values in placed.items()
    }


# The map on a challenge's page: its sub-challenges' names are placed where they cross no other name,
# no node and no edge of the picture's view box. A name's width is reckoned from Helvetica's (Arial's)
# advance widths and the text is then held to that width (SVG's textLength), so the boxes computed
# here are the boxes a browser draws, whatever sans-serif font it has.
LOCAL_BOX = (-290.0, -270.0, 580.0, 540.0)
LABEL_SIZE = 15.0
LABEL_LINE = 1.2 * LABEL_SIZE
LABEL_CHARS = 24  # at most this many characters a line, two lines at most
_WIDTHS = dict.fromkeys("ijl'|", 222) | dict.fromkeys("ftI ,.:;/!", 278) | dict.fromkeys("r-()[]", 333)
_WIDTHS |= dict.fromkeys("cksvxyzJ", 500) | dict.fromkeys("FTZ", 611) | dict.fromkeys("ABEKPSVXY&", 667)
_WIDTHS |= dict.fromkeys("wCDHNRU", 722) | dict.fromkeys("GOQ", 778) | dict.fromkeys("mM", 833) | {"W": 944}


def text_width(text: str, size: float = LABEL_SIZE) -> float:
    """How wide `text` is set in Helvetica or Arial at `size` pixels (other characters as a digit)."""
    return size * sum(_WIDTHS.get(char, 556) for char in text) / 1000


def label_lines(text: str) -> list[str]:
    """A name in one line, or two lines split between words; a longer second line ends in an ellipsis."""
    if len(text) <= LABEL_CHARS:
        return [text]
    words, first = text.split(), ""
    while words and len(f"{first} {words[0]}".strip()) <= LABEL_CHARS:
        first = f"{first} {words.pop(0)}".strip()
    rest = " ".join(words)
    if len(rest) > LABEL_CHARS:
        rest = rest[: LABEL_CHARS - 1].rstrip() + "…"
    return [first, rest] if first else [rest]


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _crosses(box: Box, others: list[Box]) -> bool:
    return any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in others)


def _inside(box: Box) -> bool:
    left, top, width, height = LOCAL_BOX
    return box[0] >= left and box[1] >= top and box[2] <= left + width and box[3] <= top + height


def _candidates(x: float, y: float, width: float, height: float, gap: float = 13.0, reach: int = 60) -> Iterator[Box]:
    """Where a name may stand: centred above its node, below it, then any place within `reach` of it,
    nearest first. Lazily: most names stand above or below, and the places around are sorted only
    for a name that does not."""
    yield (x - width / 2, y - gap - height, x + width / 2, y - gap)
    yield (x - width / 2, y + gap, x + width / 2, y + gap + height)
    around = [
        (left, top, left + width, top + height)
        for left in range(round(x - width - reach), round(x + reach), 4)
        for top in range(round(y - height - reach), round(y + reach), 4)
    ]

    def distance(box: Box) -> float:
        return math.hypot(max(box[0] - x, 0, x - box[2]), max(box[1] - y, 0, y - box[3]))

    yield from sorted((box for box in around if distance(box) >= gap - 4), key=distance)


def _disc(x: float, y: float, r: float) -> Box:
    return (x - r, y - r, x + r, y + r)


def place_labels(nodes: list[dict[str, object]]) -> None:
    """Give each sub-challenge node a `caption`: its lines, each with x, baseline y and width."""
    drawn = tuple(
        (float(n["x"]), float(n["y"]), float(n["r"]), str(n["label"]) if n["type"] == "subchallenge" else None)  # type: ignore[arg-type]
        for n in nodes
    )
    for node, caption in zip(nodes, _captions(drawn), strict=True):
        if caption is not None:
            node["caption"] = [dict(line) for line in caption]


Drawn = tuple[float, float, float, str | None]  # a node's centre, radius and, for a sub-challenge, its label


@lru_cache(maxsize=64)
def _captions(nodes: tuple[Drawn, ...]) -> tuple[tuple[dict[str, object], ...] | None, ...]:
    """Each node's caption (None for a node that has no label), placed in order; remembered, as
    `atlas serve` draws the same challenge maps on every rebuild."""
    discs = [_disc(x, y, r) for x, y, r, _ in nodes]
    taken: list[Box] = [_disc(0.0, 0.0, 16.0), *discs]
    captions: list[tuple[dict[str, object], ...] | None] = []
    for x, y, _, label in nodes:
        if label is None:
            captions.append(None)
            continue
        lines = label_lines(label)
        widths = [round(text_width(line), 1) for line in lines]
        height = LABEL_LINE * len(lines)
        places = _candidates(x, y, max(widths), height)
        box = next((box for box in places if _inside(box) and not _crosses(box, taken)), None)
        if box is None:
            captions.append(())  # no room: the node's tooltip and the sections below name it
            continue
        taken.append(box)
        middle = (box[0] + box[2]) / 2
        captions.append(
            tuple(
                {"text": line, "x": round(middle - width / 2, 1), "y": round(box[1] + LABEL_SIZE * (0.95 + 1.2 * index), 1), "width": width}
                for index, (line, width) in enumerate(zip(lines, widths, strict=True))
            )
        )
    return tuple(captions)


def local_layout(graph: nx.MultiDiGraph, challenge_id: str, limit: int = 240) -> dict[str, object]:
    """A radial picture of one challenge: sub-challenges on an inner ring, their papers outside.

    At most `limit` papers are drawn (the newest first), so the picture stays light at any scale.
    """
    centre = f"challenge:{challenge_id}"
    subs = [source for source, _ in _edges_of_kind(graph.in_edges(centre, data="type"), "sub_of")]
    sectors = [*subs, centre]
    papers_by_sector: dict[str, list[str]] = {sector: [] for sector in sectors}
    for sector in sectors:
        papers_by_sector[sector] += [source for source, _ in _edges_of_kind(graph.in_edges(sector, data="type"), "addresses")]
    everything = sorted({p for papers in papers_by_sector.values() for p in papers})
    newest = sorted(everything, key=lambda p: (-graph.nodes[p].get("year", 0), p))[:limit]
    kept = set(newest)
    nodes, edges = [], []
    total = sum(len([p for p in papers_by_sector[s] if p in kept]) for s in sectors) or 1
    start = -math.pi / 2
    for sector in sectors:
        members = sorted(p for p in papers_by_sector[sector] if p in kept)
        span = 2 * math.pi * max(len(members), 0.6) / (total + 0.6 * len(sectors))
        middle = start + span / 2
        if sector != centre:
            sx, sy = 95 * math.cos(middle), 95 * math.sin(middle)
            nodes.append({"node": sector, "x": round(sx, 1), "y": round(sy, 1), "r": 9, **graph.nodes[sector]})
            edges.append((0.0, 0.0, round(sx, 1), round(sy, 1)))
        else:
            sx, sy = 0.0, 0.0
        for index, paper in enumerate(members):
            angle = start + span * (index + 0.5) / max(len(members), 1)
            ring = 185 + 22 * (index % 3)
            px, py = ring * math.cos(angle), ring * math.sin(angle)
            nodes.append({"node": paper, "x": round(px, 1), "y": round(py, 1), "r": 4.5, **graph.nodes[paper]})
            edges.append((round(sx, 1), round(sy, 1), round(px, 1), round(py, 1)))
        start += span
    place_labels(nodes)
    return {"nodes": nodes, "edges": edges, "shown": len(kept), "total": len(everything), "centre": graph.nodes[centre]}


def whole_picture(graph: nx.MultiDiGraph, placed: dict[str, dict[str, float | str]]) -> dict[str, object]:
    """The whole graph for a static SVG: positioned nodes, drawable edges and the view box."""
    # y grows upwards in the interactive graph (sigma) and downwards in SVG: turned, the picture matches it.
    nodes = [{"node": node, **graph.nodes[node], **placed[node], "y": -float(placed[node]["y"])} for node in placed]
    edges = [
        (placed[source]["x"], -float(placed[source]["y"]), placed[target]["x"], -float(placed[target]["y"]))
        for source, target in _edges_of_kind(graph.edges(data="type"), "addresses", "sub_of")
        if source in placed and target in placed
    ]
    xs = [float(n["x"]) for n in nodes] or [0.0]
    ys = [float(n["y"]) for n in nodes] or [0.0]
    margin = 40.0
    box = (min(xs) - margin, min(ys) - margin, max(xs) - min(xs) + 2 * margin, max(ys) - min(ys) + 2 * margin)
    order = {"paper": 0, "subchallenge": 1, "challenge": 2}
    nodes.sort(key=lambda n: order[str(n["type"])])
    return {"nodes": nodes, "edges": edges, "box": tuple(round(v, 1) for v in box)}
