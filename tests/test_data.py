"""The committed corpus against its sources: the survey's sections, citations and wording."""

from __future__ import annotations

import re
from pathlib import Path

import pybtex.errors
from pybtex.database import parse_file

from conftest import REPO, real_atlas, seed

SECTIONS = {  # challenge id -> (first heading, heading that ends it) in the survey's text
    "robustness": ("2 Expanding Scope and Adaptability", "2.2 Overcoming Implicit Assumptions"),  # with Section 2's opening
    "priors": ("2.2 Overcoming Implicit Assumptions", "2.3 Causal Representations"),
    "causality": ("2.3 Causal Representations", "2.4 Foundation Models for Heterogeneous Data Types"),
    "heterogeneous-data": ("2.4 Foundation Models for Heterogeneous Data Types", "3 Optimizing Efficiency"),
    "efficiency": ("3 Optimizing Efficiency and Resource Utilization", "3.2 Evaluation Metrics"),
    "metrics": ("3.2 Evaluation Metrics", "4 Ethical Deployment and Societal Impact"),
    "ethics": ("4 Ethical Deployment and Societal Impact", "5 Conclusion"),
}
REQUIRED_SUBCHALLENGES = {
    "robustness": {"ood-generalization", "adversarial-robustness", "robust-adaptation", "long-tail"},
    "priors": {"silent-assumptions", "prior-knowledge"},
    "efficiency": {"architecture", "quantization", "fast-sampling", "latent-compression"},
    "metrics": {"metric-design", "subjective-evaluation", "metric-robustness", "model-selection"},
    "ethics": {"misinformation", "privacy-copyright", "fairness", "interpretability", "hallucination", "constraint-satisfaction"},
}


def survey_text() -> str:
    return seed("001").read_text(encoding="utf-8")


def section_text(challenge_id: str) -> str:
    text = survey_text()
    first, end = SECTIONS[challenge_id]
    start = re.search(rf"^{re.escape(first)}", text, re.M).start()
    stop = re.search(rf"^{re.escape(end)}", text[start + 1 :], re.M).start() + start + 1
    return text[start:stop]


def cited_numbers(text: str) -> set[int]:
    numbers = set()
    for bracket in re.findall(r"\[([^\[\]]*)\]", text):
        numbers.update(int(n) for n in re.findall(r"(?<![\w.])(\d{1,3})(?![\w.])", bracket) if 1 <= int(n) <= 256)
    return numbers


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("-\n", ""))


def shingles(text: str, size: int = 8) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def atlas():
    result, problems = real_atlas()
    assert problems == []
    return result


def test_the_seven_challenges_cover_every_section_with_the_required_subchallenges():
    challenges = atlas().challenges
    assert list(challenges) == list(SECTIONS)
    for challenge_id, required in REQUIRED_SUBCHALLENGES.items():
        assert required <= {sub.id for sub in challenges[challenge_id].subchallenges}
    for challenge in challenges.values():
        assert challenge.open_questions and all(q.text.endswith("?") for q in challenge.open_questions)
        assert len(challenge.related) >= 2


def test_each_challenge_records_exactly_the_citation_numbers_its_section_cites():
    for challenge in atlas().challenges.values():
        recorded = {reference.number for reference in challenge.references}
        assert recorded == cited_numbers(section_text(challenge.id)), challenge.id


def test_names_given_to_unresolved_citations_come_from_the_section_text():
    for challenge in atlas().challenges.values():
        text = " ".join(section_text(challenge.id).replace("-\n", "").split())
        for reference in challenge.references:
            if reference.named:
                assert reference.named in text, (challenge.id, reference.number, reference.named)


def test_related_challenges_point_both_ways():
    challenges = atlas().challenges
    for challenge in challenges.values():
        for related in challenge.related:
            assert challenge.id in {r.id for r in challenges[related.id].related}, (challenge.id, related.id)


def test_challenge_prose_is_our_own_words():
    survey = shingles(survey_text())
    for challenge in atlas().challenges.values():
        prose = [
            challenge.summary,
            *(q.text for q in challenge.open_questions),
            *(s.summary for s in challenge.subchallenges),
            *(r.reason for r in challenge.related),
        ]
        for text in prose:
            copied = shingles(text) & survey
            assert not copied, (challenge.id, sorted(copied)[:2])


def test_every_paper_is_linked_or_says_why_none_fits_and_its_reasons_are_not_copied_from_its_abstract():
    papers = atlas().papers
    for paper in papers.values():
        assert bool(paper.challenges) != bool(paper.fits_none), paper.id
        abstract = shingles(paper.abstract or "", size=8)
        assert not shingles(paper.fits_none or "", size=8) & abstract, (paper.id, paper.fits_none)
        for link in paper.challenges:
            assert 40 <= len(link.why) <= 300, (paper.id, link.why)
            assert not shingles(link.why, size=8) & abstract, (paper.id, link.why)


def test_bibliography_parses_strictly_and_holds_the_survey_its_references_and_every_paper():
    pybtex.errors.set_strict_mode(True)
    data = parse_file(str(REPO / "citations.bib"))
    survey = data.entries["manduchi2024challenges"]
    assert survey.fields["eprint"] == "2403.00025" and survey.fields["year"] == "2024"
    numbered = [e.fields for e in data.entries.values() if "surveyref" in e.fields]
    given = sorted(int(fields["surveyref"]) for fields in numbered if "surveyidentified" not in fields)
    assert given == list(range(213, 257))  # the references the survey's text gives in full
    identified = [e for e in data.entries.values() if "surveyidentified" in e.fields]
    assert len(identified) >= 30 and all(1 <= int(e.fields["surveyref"]) <= 212 for e in identified)
    assert {p.stem for p in (REPO / "papers").glob("*.yaml")} <= set(data.entries)


def test_records_say_where_their_facts_came_from(tmp_path: Path):
    for paper in atlas().papers.values():
        assert paper.sources, paper.id
        for source in paper.sources:
            assert source.seed is None or (seed(source.seed[:3]).name == source.seed)
        if paper.ratings:
            assert any(source.seed and source.seed.startswith("003") for source in paper.sources)
