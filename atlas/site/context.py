"""What every page of the site shares, computed once from the atlas and its graph."""

from __future__ import annotations

from typing import Any

import networkx as nx

from atlas.graph import build as atlas_graph
from atlas.graph.layout import challenge_colours
from atlas.records.model import CHALLENGE_KINDS, Atlas
from atlas.site.templating import LINK_LABELS, page_url


class SiteContext:
    """Context shared by all pages, computed once from the atlas and its graph."""

    def __init__(self, atlas: Atlas, graph: nx.MultiDiGraph) -> None:
        self.atlas = atlas
        self.graph = graph
        # the model's counts, under the names the pages use: papers per challenge and per sub-challenge (at
        # their core), and per challenge the papers that touch it only in passing
        self.paper_counts = atlas.papers_per_challenge
        self.sub_counts = atlas.papers_per_target
        self.peripheral_counts = atlas.passing_papers_per_challenge
        self.citing = atlas_graph.citing_challenges(graph)
        self.unresolved: dict[int, str | None] = {}
        for challenge in atlas.challenges.values():
            for reference in challenge.references:
                if not reference.key:
                    known = self.unresolved.get(reference.number)
                    self.unresolved[reference.number] = known or reference.named
        self.venue_ids = venue_ids(atlas)
        self.titles = {c.id: c.title for c in atlas.challenges.values()}  # challenge id -> its title
        self.colours = challenge_colours(graph)
        self._labels: dict[str, str] = {}

    def common(self, path: str) -> dict[str, Any]:
        url = page_url(path)
        return {"base": "../" * url.count("/"), "kinds": CHALLENGE_KINDS, "link_labels": LINK_LABELS}

    def challenge_label(self, target: str) -> str:
        label = self._labels.get(target)
        if label is None:  # computed once per target: every paper's links ask again and again
            challenge_id, _, sub_id = target.partition("/")
            challenge = self.atlas.challenges[challenge_id]
            sub = challenge.subchallenge(sub_id) if sub_id else None
            label = self._labels[target] = f"{challenge.title} › {sub.title}" if sub else challenge.title
        return label

    def short_label(self, target: str) -> str:
        return self.challenge_label(target).split(" › ")[-1]

    def challenge_href(self, target: str) -> str:
        challenge_id, _, sub_id = target.partition("/")
        return f"challenges/{challenge_id}/" + (f"#{sub_id}" if sub_id else "")


def venue_ids(atlas: Atlas) -> dict[str, str]:
    """Paper id -> the venue record it belongs to: the venue it names, or the one whose source (the
    ratings digest) listed it as a submission, whatever the decision recorded since."""
    by_name = {venue.name: venue.id for venue in atlas.venues.values()}
    by_seed = {source.seed: venue.id for venue in atlas.venues.values() for source in venue.sources if source.seed}
    found = {}
    for paper in atlas.papers.values():
        venue_id = by_name.get(paper.venue or "") or next((by_seed[s.seed] for s in paper.sources if s.seed in by_seed), None)
        if venue_id:
            found[paper.id] = venue_id
    return found
