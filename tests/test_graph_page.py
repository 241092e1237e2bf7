"""The graph page and the challenge pages' maps in a real headless Chromium: labels, hit-testing, scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from atlas.pipeline import check

from conftest import REPO

pytestmark = pytest.mark.browser
ATLAS, _ = check(REPO)

MAP_LABELS = """() => { const svg = document.querySelector('.atlas-local-graph svg'), box = svg.viewBox.baseVal;
    return { box: [box.x, box.y, box.x + box.width, box.y + box.height],
      labels: Array.from(svg.querySelectorAll('text'), (text) => { const b = text.getBBox();
        const name = text.closest('a').querySelector('title').textContent;
        return { name, left: b.x, top: b.y, right: b.x + b.width, bottom: b.y + b.height }; }) }; }"""


def crossing(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize("width", [1400, 390])
def test_each_challenge_map_names_every_sub_challenge_where_no_name_crosses_another_or_the_edge(
    browser: Browser, site_url: str, width: int
):
    page = browser.new_page(viewport={"width": width, "height": 900})
    for challenge in ATLAS.challenges.values():
        page.goto(site_url + f"challenges/{challenge.id}/")
        drawn = page.evaluate(MAP_LABELS)
        labels, (left, top, right, bottom) = drawn["labels"], drawn["box"]
        assert len(labels) == len(challenge.subchallenges), challenge.id
        for index, label in enumerate(labels):
            assert left <= label["left"] and label["right"] <= right and top <= label["top"] and label["bottom"] <= bottom, label
            assert not [other["name"] for other in labels[index + 1 :] if crossing(label, other)], label["name"]
    page.close()
