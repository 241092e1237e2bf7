"""Which challenges cite each reference (the references page names them), read again from the
challenge records: a survey number resolved to a bibliography entry is that entry's reference."""

from __future__ import annotations

from atlas.graph.build import build_graph, citing_challenges, reference_node

from conftest import real_atlas

ATLAS = real_atlas()[0]  # read once: a mutation run forks each mutant's tests from the process that read it


def test_each_reference_names_the_challenges_whose_section_cites_it():
    expected: dict[str, list[str]] = {}
    for challenge in ATLAS.challenges.values():
        for reference in challenge.references:
            expected.setdefault(reference_node(reference.number, reference.key), []).append(challenge.id)
    citing = citing_challenges(build_graph(ATLAS))
    assert citing == expected
    assert any(len(challenges) > 1 for challenges in citing.values()) and "survey:74" in citing and "ref:ho-2020-denoising" in citing
