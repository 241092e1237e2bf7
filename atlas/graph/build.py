"""Stage 3, graph: the atlas as one networkx graph, for the graph page, the challenges' maps and the exports.

Nodes are `challenge:<id>`, `sub:<challenge>/<sub>`, `question:<challenge>/<question>` (an open
question), `paper:<id>`, `ref:<bib key>` (an entry of citations.bib that is not a paper record) and
`survey:<n>` (a survey citation number with no entry). Every node has `type`, `label` and `url` (the
page that shows it, relative to the site root). Edges carry a `type`: `sub_of` (sub-challenge ->
challenge), `question_of` (question -> its sub-challenge or challenge), `addresses` (paper ->
challenge or sub-challenge, with `kind`, `why`, `relevance` and `weight`: 1 for a core link, less for
a peripheral one), `takes_up` (paper -> open question, with the link's `kind` and `weight`), `cites`
(challenge -> reference) and `related` (challenge -> challenge, with `reason`). Attributes a source
does not give (a year, a venue) are absent, not empty. A paper's `challenges` are those it addresses
at its core; `peripheral` those it only touches; a challenge's and a sub-challenge's `papers` count
the papers that address it at their core. Who addresses what, and how many, is the model's answer
(atlas.records.model.Atlas: papers_for, papers_per_challenge, ...): the graph copies it, and the
pages ask the model, not the graph.
"""

from __future__ import annotations

import networkx as nx

from atlas.records.bibliography import latex_to_text
from atlas.records.mathtext import plain_title
from atlas.records.model import Atlas, BibEntry, Challenge, Paper


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
    """The atlas as a graph; who addresses what, and how many papers each node counts, are the model's answers copied in."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for challenge in atlas.challenges.values():
        _add_challenge(graph, atlas, challenge)
    _add_references(graph, atlas)
    for challenge in atlas.challenges.values():
        for related in challenge.related:
            graph.add_edge(challenge_node(challenge.id), challenge_node(related.id), type="related", reason=related.reason)
    for paper in atlas.papers.values():
        _add_paper(graph, paper)
    return graph


def _add_challenge(graph: nx.MultiDiGraph, atlas: Atlas, challenge: Challenge) -> None:
    """The challenge, its sub-challenges and its open questions, each with the papers it counts."""
    node = challenge_node(challenge.id)
    url = f"challenges/{challenge.id}/"
    graph.add_node(
        node, type="challenge", record_id=challenge.id, label=challenge.title, section=challenge.section, url=url,
        papers=atlas.papers_per_challenge[challenge.id],
    )  # fmt: skip
    for sub in challenge.subchallenges:
        target = f"{challenge.id}/{sub.id}"
        graph.add_node(
            target_node(target), type="subchallenge", record_id=target, label=sub.title, challenge=challenge.id, url=f"{url}#{sub.id}",
            papers=atlas.papers_per_target[target],
        )  # fmt: skip
        graph.add_edge(target_node(target), node, type="sub_of")
    _add_questions(graph, challenge)


def _add_references(graph: nx.MultiDiGraph, atlas: Atlas) -> None:
    """The entries of citations.bib that are no paper record (or are a survey reference), then each challenge's citations."""
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


def _add_paper(graph: nx.MultiDiGraph, paper: Paper) -> None:
    """The paper, with the challenges it addresses (space-separated ids, as the graph page reads them), and its links."""
    node = f"paper:{paper.id}"
    facts = {"year": paper.year, "venue": paper.venue, "rating": paper.ratings.average if paper.ratings else None}
    present = {name: value for name, value in facts.items() if value is not None}
    graph.add_node(
        node, type="paper", record_id=paper.id, label=plain_title(paper.title), url=f"papers/{paper.id}/",
        challenges=" ".join(paper.core_challenge_ids), peripheral=" ".join(paper.peripheral_challenge_ids), **present,
    )  # fmt: skip
    for link in paper.challenges:
        graph.add_edge(
            node, target_node(link.target), type="addresses", kind=link.kind, why=link.why, relevance=link.relevance, weight=link.weight
        )
        for question_id in link.questions:
            graph.add_edge(node, question_node(link.challenge, question_id), type="takes_up", kind=link.kind, weight=link.weight)


def citing_challenges(graph: nx.MultiDiGraph) -> dict[str, list[str]]:
    """For each reference node, the challenges whose survey section cites it."""
    citing: dict[str, list[str]] = {}
    for source, target, data in graph.edges(data=True):
        if data["type"] == "cites":
            citing.setdefault(target, []).append(graph.nodes[source]["record_id"])
    return citing
