"""What Zotero saves from the atlas' pages, asked of Zotero's own translation server (../shared/tools/zotero).

The server reads the built site served on 127.0.0.1 exactly as Zotero's browser connector reads a
page (its Embedded Metadata and COinS translators); a handful of pages, chosen to cover every kind,
keep the number of calls small.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from atlas.records.mathtext import plain_prose, plain_title
from atlas.records.model import Paper
from atlas.records.names import family_and_given
from atlas.records.venue_kinds import venue_kind
from atlas.site.cite import NAME, edition_of
from atlas.site.reading import reading_list
from atlas.site.render import HANDOUT_LIMIT

from conftest import REPO, SHARED, real_atlas, require_shared

ATLAS, _ = real_atlas()
SITE_URL = "https://genai-challenges-atlas.github.io/atlas/"
EDITION = edition_of(REPO, SITE_URL)
ZOTERO = SHARED / "tools" / "zotero" / "run"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def zotero() -> Iterator[str]:
    """Zotero's translation server on a free port (its first start installs it under $ZOTERO_HOME); stopped after."""
    require_shared()
    if shutil.which("node") is None:
        pytest.skip("Zotero's translation server needs node (18+), which is not installed here")
    port = _free_port()
    started = subprocess.run([str(ZOTERO), "start", str(port)], capture_output=True, text=True, timeout=600, env=os.environ.copy())
    assert started.returncode == 0, started.stdout + started.stderr
    pid = int(started.stdout.split()[-1])
    try:
        yield f"http://127.0.0.1:{port}/web"
    finally:
        os.kill(pid, 15)  # this server only: others started by the same script keep running


def _post(server: str, body: bytes, content_type: str) -> tuple[int, Any]:
    request = urllib.request.Request(server, data=body, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        text = error.read().decode()
        return error.code, json.loads(text) if error.code == 300 else text  # 300: several items to choose from


def saved(server: str, url: str) -> list[dict[str, Any]]:
    """What Zotero saves from the page at `url` (one item)."""
    status, items = _post(server, url.encode(), "text/plain")
    assert status == 200, (url, status, items)
    return items


def creators(paper: Paper) -> list[tuple[str, str]]:
    """The paper's authors as Zotero should file them: family names whole (Zotero puts a period after an initial)."""
    return [(family, given.replace(".", "")) for family, given in map(family_and_given, paper.authors)]


def names(item: dict[str, Any]) -> list[tuple[str, str]]:
    assert all(creator["creatorType"] == "author" for creator in item["creators"])
    return [(creator["lastName"], creator["firstName"].replace(".", "")) for creator in item["creators"]]


def expected_kind(paper: Paper) -> dict[str, str]:
    """The item type and venue fields the table of venues calls for (a conference by name and year,
    a journal by full name, an unpublished paper with an arXiv id as an arXiv preprint)."""
    venue = venue_kind(paper.venue) if paper.venue else None
    if venue and venue.kind in ("conference", "workshop"):
        return {"itemType": "conferencePaper", "conferenceName": venue.name}
    if venue and venue.kind == "journal":
        return {"itemType": "journalArticle", "publicationTitle": venue.title} | (
            {"journalAbbreviation": venue.name} if venue.full_name else {}
        )
    arxiv = paper.link("arxiv").removeprefix("https://arxiv.org/abs/")
    return {"itemType": "preprint", "archiveID": f"arXiv:{arxiv}", "repository": "arXiv"}


PAPERS = (
    "linear-convergence-bounds",  # ICLR 2024 (spotlight), Valentin De Bortoli, math in its abstract
    "studiogan-taxonomy-benchmark",  # IEEE TPAMI
    "augustin-2022-diffusion",  # arXiv only
    "generative-visual-prompt",  # Fernando De la Torre
    "bespoke-solvers-generative",  # ``quotes'' and $\times$ in its abstract
)


def test_zotero_saves_papers_challenges_questions_and_a_reading_list_as_they_are(zotero: str, site_url: str):
    for paper_id in PAPERS:
        paper = ATLAS.papers[paper_id]
        [item] = saved(zotero, f"{site_url}papers/{paper_id}/")
        assert {key: item.get(key) for key in expected_kind(paper)} == expected_kind(paper), paper_id
        assert names(item) == creators(paper), paper_id
        assert (item["title"], item["date"], item["url"]) == (plain_title(paper.title), str(paper.year), f"{SITE_URL}papers/{paper_id}/")
        assert item["abstractNote"] == " ".join(plain_prose(paper.abstract).split())
        assert not any(mark in item["abstractNote"] for mark in ("$", "\\", "``", "''")), paper_id
    assert [c["lastName"] for c in saved(zotero, f"{site_url}papers/linear-convergence-bounds/")[0]["creators"]][1] == "De Bortoli"

    challenge = ATLAS.challenges["efficiency"]
    question = challenge.open_questions[0]
    for url in (f"{site_url}challenges/efficiency/", f"{site_url}challenges/efficiency/#{question.id}"):
        [item] = saved(zotero, url)
        assert item["itemType"] == "report" and item["creators"] == [{"name": NAME, "creatorType": "author"}]
        assert (item["title"], item["institution"], item["reportNumber"]) == (challenge.title, NAME, f"Version {EDITION.version}")
        assert (item["date"], item["url"]) == (EDITION.date.replace("-", "/"), f"{SITE_URL}challenges/efficiency/")

    listed = [paper for section in reading_list(ATLAS, challenge, limit=HANDOUT_LIMIT) for paper, _ in section.papers]
    status, offered = _post(zotero, f"{site_url}challenges/efficiency/reading/".encode(), "text/plain")
    assert status == 300, offered  # several items: Zotero asks which to save
    # Zotero's COinS reader takes every "+" for a space (its OpenURL decoder), whatever the page escapes.
    assert list(offered["items"].values()) == [plain_title(paper.title).replace("+", " ") for paper in listed]
    status, items = _post(zotero, json.dumps(offered).encode(), "application/json")
    assert status == 200 and len(items) == len(listed)
    for item, paper in zip(items, listed, strict=True):
        assert names(item) == creators(paper), paper.id
        kind = expected_kind(paper)
        assert item["itemType"] == kind["itemType"], paper.id
        if kind["itemType"] == "conferencePaper":
            assert item["proceedingsTitle"] == kind["conferenceName"]
        elif kind["itemType"] == "journalArticle":
            assert item["publicationTitle"] == kind["publicationTitle"]
        assert item.get("date") == (str(paper.year) if paper.year else None)
        if paper.abstract:
            assert item["abstractNote"] == " ".join(plain_prose(paper.abstract).split()).replace("+", " ")
