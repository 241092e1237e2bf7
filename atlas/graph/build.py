"""Stage 3, graph: the atlas as one networkx graph, and the questions the pages ask of it.

Nodes are `challenge:<id>`, `sub:<challenge>/<sub>`, `question:<challenge>/<question>` (an open
question), `paper:<id>`, `ref:<bib key>` (an entry of citations.bib that is not a paper record) and
`survey:<n>` (a survey citation number with no entry). Every node has `type`, `label` and `url` (the
page that shows it, relative to the site root). Edges carry a `type`: `sub_of` (sub-challenge ->
challenge), `question_of` (question -> its sub-challenge or challenge), `addresses` (paper ->
challenge or sub-challenge, with `kind`, `why`, `relevance` and `weight`: 1 for a core link, less for
a peripheral one), `takes_up` (paper -> open question, with the link's `kind` and `weight`), `cites`
(challenge -> reference) and `related` (challenge -> challenge, with `reason`). Attributes a source
does not give (a year, a venue) are absent, not empty. A paper's `challenges` are those it addresses
at its core; `peripheral` those it only touches (counts and co-occurrences use the core ones).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import networkx as nx

from atlas.records.bibliography import latex_to_text
from atlas.records.mathtext import plain_title
from atlas.records.model import Atlas, BibEntry, Challenge


def challenge_node(challenge_id: str) -> str:
    return f"challenge:{challenge_id}"


def target_node(target: str) -> str:
    return f"sub:{target}" if "/" in target else challenge_node(target)


def reference_node(number: int, key: str | None) -> str:
    return f"ref:{key}" if key else f"survey:{number}"


def _reference_label(entry: BibEntry) -> str:
    title = latex_to_text(entry.get("title") or entry.key)
    return f"[{entry.surveyref}] {title}" if entry.surveyref else title


def question_node(challenge_id: str, question_id: str) -> str:
    return f"question:{challenge_id}/{question_id}"


def _add_questions(graph: nx.MultiDiGraph, challenge: Challenge) -> None:
    for question in challenge.open_questions:
        node = question_node(challenge.id, question.id)
        attributes = {"sub": question.sub} if question.sub else {}
        url = f"challenges/{challenge.id}/#{question.id}"
        graph.add_node(
            node,
            type="question",
            record_id=f"{challenge.id}/{question.id}",
            label=question.text,
            challenge=challenge.id,
            url=url,
            **attributes,
        )
        graph.add_edge(node, target_node(f"{challenge.id}/{question.sub}" if question.sub else challenge.id), type="question_of")


def build_graph(atlas: Atlas) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for challenge in atlas.challenges.values():
        node = challenge_node(challenge.id)
        url = f"challenges/{challenge.id}/"
        graph.add_node(node, type="challenge", record_id=challenge.id, label=challenge.title, section=challenge.section, url=url)
        for sub in challenge.subchallenges:
            sub_node = f"sub:{challenge.id}/{sub.id}"
            graph.add_node(
                sub_node,
                type="subchallenge",
                record_id=f"{challenge.id}/{sub.id}",
                label=sub.title,
                challenge=challenge.id,
                url=f"{url}#{sub.id}",
            )
            graph.add_edge(sub_node, node, type="sub_of")
        _add_questions(graph, challenge)
    for entry in atlas.bibliography.values():
        if entry.key not in atlas.papers or entry.surveyref:  # a survey reference with a record is still a reference
            attributes = {"number": entry.surveyref} if entry.surveyref else {}
            graph.add_node(
                f"ref:{entry.key}",
                type="reference",
                key=entry.key,
                label=_reference_label(entry),
                url=f"references/#{entry.key}",
                **attributes,
            )
    for challenge in atlas.challenges.values():
        for reference in challenge.references:
            ref = reference_node(reference.number, reference.key)
            if ref not in graph:
                label = f"[{reference.number}] {reference.named}" if reference.named else f"[{reference.number}]"
                graph.add_node(ref, type="reference", number=reference.number, label=label, url=f"references/#survey-{reference.number}")
            graph.add_edge(challenge_node(challenge.id), ref, type="cites")
    for challenge in atlas.challenges.values():
        for related in challenge.related:
            graph.add_edge(challenge_node(challenge.id), challenge_node(related.id), type="related", reason=related.reason)
    for paper in atlas.papers.values():
        node = f"paper:{paper.id}"
        facts = {"year": paper.year, "venue": paper.venue, "rating": paper.ratings.average if paper.ratings else None}
        core = list(dict.fromkeys(link.challenge for link in paper.challenges if not link.peripheral))
        peripheral = [challenge for challenge in dict.fromkeys(link.challenge for link in paper.challenges) if challenge not in core]
        present = {name: value for name, value in facts.items() if value is not None}
        graph.add_node(
            node,
            type="paper",
            record_id=paper.id,
            label=plain_title(paper.title),
            url=f"papers/{paper.id}/",
            challenges=" ".join(core),
            peripheral=" ".join(peripheral),
            **present,
        )
        for link in paper.challenges:
            graph.add_edge(
                node, target_node(link.target), type="addresses", kind=link.kind, why=link.why, relevance=link.relevance, weight=link.weight
            )
            for question_id in link.questions:
                graph.add_edge(node, question_node(link.challenge, question_id), type="takes_up", kind=link.kind, weight=link.weight)
    per_challenge, per_target = paper_counts(graph), subchallenge_counts(graph)
    for _, data in graph.nodes(data=True):
        if data["type"] == "challenge":
            data["papers"] = per_challenge[data["record_id"]]
        elif data["type"] == "subchallenge":
            data["papers"] = per_target[data["record_id"]]
    return graph


def _papers_per_challenge(graph: nx.MultiDiGraph, attribute: str) -> Counter[str]:
    """For each challenge, how many papers name it in the given attribute of their node."""
    counts: Counter[str] = Counter()
    for _node, data in graph.nodes(data=True):
        if data["type"] == "paper":
            counts.update(data[attribute].split())
    return counts


def paper_counts(graph: nx.MultiDiGraph) -> Counter[str]:
    """How many distinct papers address each challenge at their core (sub-challenge links count for the parent)."""
    return _papers_per_challenge(graph, "challenges")


def peripheral_counts(graph: nx.MultiDiGraph) -> Counter[str]:
    """How many papers touch each challenge only in passing (peripheral links, none of them core)."""
    return _papers_per_challenge(graph, "peripheral")


def subchallenge_counts(graph: nx.MultiDiGraph) -> Counter[str]:
    """How many papers address each sub-challenge (and each challenge directly) at their core, by target id."""
    counts: Counter[str] = Counter()
    for _, target, data in graph.edges(data=True):
        if data["type"] == "addresses" and data["relevance"] == "core":
            counts[graph.nodes[target]["record_id"]] += 1
    return counts


def co_occurrence(graph: nx.MultiDiGraph) -> Counter[tuple[str, str]]:
    """For each pair of challenges, how many papers address both."""
    pairs: Counter[tuple[str, str]] = Counter()
    for _node, data in graph.nodes(data=True):
        if data["type"] == "paper":
            pairs.update(combinations(sorted(data["challenges"].split()), 2))
    return pairs


def bridging_papers(graph: nx.MultiDiGraph, at_least: int = 3) -> list[str]:
    """Papers that address `at_least` different challenges, most bridging first."""
    papers = [(data["record_id"], len(data["challenges"].split())) for _, data in graph.nodes(data=True) if data["type"] == "paper"]
    return [paper for paper, count in sorted(papers, key=lambda item: (-item[1], item[0])) if count >= at_least]


def citing_challenges(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    """For each reference node, the challenges whose survey section cites it."""
    citing: dict[str, list[str]] = {}
    for source, target, data in graph.edges(data=True):
        if data["type"] == "cites":
            citing.setdefault(target, []).append(graph.nodes[source]["record_id"])
    return citing
