"""The research-gap map: which open questions papers address, and which sub-challenges have few papers."""

from __future__ import annotations

from typing import Any

from atlas.records.model import Atlas


def gap_rows(atlas: Atlas) -> list[dict[str, Any]]:
    """Per challenge: its questions grouped by sub-challenge (then the challenge as a whole), each with
    the (paper, link) pairs that address it, and how many questions and sub-challenges are open."""
    rows = []
    for challenge in atlas.challenges.values():
        asked = [(question, atlas.addressing(challenge.id, question.id)) for question in challenge.open_questions]
        groups = [
            {
                "id": sub.id,
                "title": sub.title,
                "papers": atlas.papers_per_target[f"{challenge.id}/{sub.id}"],
                "questions": [(question, pairs) for question, pairs in asked if question.sub == sub.id],
            }
            for sub in challenge.subchallenges
        ]
        general = [(question, pairs) for question, pairs in asked if question.sub is None]
        if general:
            groups.append({"id": None, "title": f"{challenge.title} as a whole", "papers": None, "questions": general})
        counts = [group["papers"] for group in groups if group["id"]]
        rows.append({
            "challenge": challenge, "groups": groups, "questions": len(asked), "open": sum(not pairs for _, pairs in asked),
            "empty": counts.count(0), "thin": counts.count(1),
        })  # fmt: skip
    return rows


def gap_totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    """The whole atlas' questions, open questions, sub-challenges with no paper and with one."""
    return {
        "questions": sum(row["questions"] for row in rows),
        "open": sum(row["open"] for row in rows),
        "empty_subs": sum(row["empty"] for row in rows),
        "thin_subs": sum(row["thin"] for row in rows),
    }
