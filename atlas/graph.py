"""Stage 3, graph: the atlas as one networkx graph, and the questions the pages ask of it.

Nodes are `challenge:<id>`, `sub:<challenge>/<sub>`, `paper:<id>`, `ref:<bib key>` (an entry of
citations.bib) and `survey:<n>` (a survey citation number with no entry). Edges carry a `type`:
`sub_of` (sub-challenge -> challenge), `addresses` (paper -> challenge or sub-challenge, with `kind`
and `why`), `cites` (challenge -> reference) and `related` (challenge -> challenge, with `reason`).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import networkx as nx

from atlas.model import Atlas


def challenge_node(challenge_id: str) -> str:
    return f"challenge:{challenge_id}"


def target_node(target: str) -> str:
    return f"sub:{target}" if "/" in target else challenge_node(target)


def reference_node(number: int, key: str | None) -> str:
    return f"ref:{key}" if key else f"survey:{number}"


def build_graph(atlas: Atlas) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for challenge in atlas.challenges.values():
        node = challenge_node(challenge.id)
        graph.add_node(node, type="challenge", id=challenge.id, label=challenge.title, section=challenge.section)
        for sub in challenge.subchallenges:
            sub_node = f"sub:{challenge.id}/{sub.id}"
            graph.add_node(sub_node, type="subchallenge", id=f"{challenge.id}/{sub.id}", label=sub.title)
            graph.add_edge(sub_node, node, type="sub_of")
        for reference in challenge.references:
            ref = reference_node(reference.number, reference.key)
            graph.add_node(ref, type="reference", number=reference.number, key=reference.key or "", label=reference.named or "")
            graph.add_edge(node, ref, type="cites")
    for challenge in atlas.challenges.values():
        for related in challenge.related:
            graph.add_edge(challenge_node(challenge.id), challenge_node(related.id), type="related", reason=related.reason)
    for paper in atlas.papers.values():
        node = f"paper:{paper.id}"
        graph.add_node(node, type="paper", id=paper.id, label=paper.title, year=paper.year or 0, venue=paper.venue or "")
        for link in paper.challenges:
            graph.add_edge(node, target_node(link.target), type="addresses", kind=link.kind, why=link.why)
    return graph


def challenges_of_paper(graph: nx.MultiDiGraph, paper_id: str) -> set[str]:
    """The top-level challenges a paper addresses, directly or through a sub-challenge."""
    found = set()
    for _, target, data in graph.out_edges(f"paper:{paper_id}", data=True):
        if data["type"] == "addresses":
            found.add(graph.nodes[target]["id"].split("/")[0])
    return found


def paper_counts(graph: nx.MultiDiGraph) -> Counter[str]:
    """How many distinct papers address each challenge (sub-challenge links count for the parent)."""
    counts: Counter[str] = Counter()
    for _node, data in graph.nodes(data=True):
        if data["type"] == "paper":
            counts.update(challenges_of_paper(graph, data["id"]))
    return counts


def subchallenge_counts(graph: nx.MultiDiGraph) -> Counter[str]:
    counts: Counter[str] = Counter()
    for _, target, data in graph.edges(data=True):
        if data["type"] == "addresses":
            counts[graph.nodes[target]["id"]] += 1
    return counts


def co_occurrence(graph: nx.MultiDiGraph) -> Counter[tuple[str, str]]:
    """For each pair of challenges, how many papers address both."""
    pairs: Counter[tuple[str, str]] = Counter()
    for _node, data in graph.nodes(data=True):
        if data["type"] == "paper":
            pairs.update(combinations(sorted(challenges_of_paper(graph, data["id"])), 2))
    return pairs


def citing_challenges(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    """For each reference node, the challenges whose survey section cites it."""
    citing: dict[str, list[str]] = {}
    for source, target, data in graph.edges(data=True):
        if data["type"] == "cites":
            citing.setdefault(target, []).append(graph.nodes[source]["id"])
    return citing
