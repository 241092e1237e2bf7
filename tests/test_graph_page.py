"""The graph page and the challenge pages' maps in a real headless Chromium: labels, hit-testing, scrolling."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from conftest import real_atlas

pytestmark = pytest.mark.browser
ATLAS, _ = real_atlas()

MAP_LABELS = """() => { const svg = document.querySelector('.atlas-local-graph svg'), box = svg.viewBox.baseVal;
    return { box: [box.x, box.y, box.x + box.width, box.y + box.height],
      labels: Array.from(svg.querySelectorAll('text'), (text) => { const b = text.getBBox();
        const name = text.closest('a').querySelector('title').textContent;
        return { name, left: b.x, top: b.y, right: b.x + b.width, bottom: b.y + b.height }; }) }; }"""


def crossing(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def named_apart(drawn: dict) -> list[dict]:
    """The labels of a drawn picture, having checked that each lies inside it and crosses no other."""
    labels, (left, top, right, bottom) = drawn["labels"], drawn["box"]
    for index, label in enumerate(labels):
        assert left <= label["left"] and label["right"] <= right and top <= label["top"] and label["bottom"] <= bottom, label
        assert not [other["name"] for other in labels[index + 1 :] if crossing(label, other)], label["name"]
    return labels


@pytest.mark.parametrize("width", [1400, 390])
def test_each_challenge_map_names_every_sub_challenge_where_no_name_crosses_another_or_the_edge(
    browser: Browser, site_url: str, width: int
):
    page = browser.new_page(viewport={"width": width, "height": 900})
    for challenge in ATLAS.challenges.values():
        page.goto(site_url + f"challenges/{challenge.id}/")
        labels = named_apart(page.evaluate(MAP_LABELS))
        assert len(labels) == len(challenge.subchallenges), challenge.id
    page.close()


def graph_ready(page: Page) -> None:
    """Wake the graph as a reader's pointer does (it loads on first use), and wait until it is drawn."""
    page.locator("[data-atlas-graph]").dispatch_event("pointerover")
    page.wait_for_selector("[data-atlas-graph][data-ready]", timeout=30_000)


PAPER_CENTRES = """() => { const { renderer, graph } = document.querySelector('[data-atlas-graph]').atlasGraph;
    const box = renderer.getContainer().getBoundingClientRect();
    return graph.filterNodes((n, a) => a.nodeType === 'paper').map((n) => {
      const p = renderer.framedGraphToViewport(renderer.getNodeDisplayData(n));
      return { node: n, label: graph.getNodeAttribute(n, 'label'), x: box.left + p.x, y: box.top + p.y }; }); }"""
ANSWER = (
    "() => { const t = document.querySelector('.atlas-graph-tooltip'); return t.hidden ? null : t.querySelector('strong').textContent; }"
)


def phone(browser: Browser):
    return browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)


def phone_graph(browser: Browser, site_url: str) -> tuple[BrowserContext, Page]:
    """A phone's context and its graph page, the graph centred on the screen and drawn."""
    context = phone(browser)
    page = context.new_page()
    page.goto(site_url + "graph/")
    page.locator(".atlas-graph-canvas").evaluate("canvas => canvas.scrollIntoView({ block: 'center' })")
    graph_ready(page)
    return context, page


def desktop_graph(browser: Browser, site_url: str) -> Page:
    """The graph page at desktop size, scrolled to the graph and drawn."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(site_url + "graph/")
    page.locator(".atlas-graph-canvas").scroll_into_view_if_needed()
    graph_ready(page)
    return page


def test_the_static_pictures_challenge_names_cross_no_other_name_or_the_edge(browser: Browser, site_url: str):
    """graph.svg, the picture for print and readers without JavaScript: each challenge named whole."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(site_url + "graph/graph.svg")
    labels = named_apart(page.evaluate(MAP_LABELS.replace("document.querySelector('.atlas-local-graph svg')", "document.documentElement")))
    assert len(labels) == len(ATLAS.challenges)
    page.close()


def test_pointing_at_the_centre_of_every_paper_node_shows_that_paper(browser: Browser, site_url: str):
    page = desktop_graph(browser, site_url)
    wrong = []
    for paper in page.evaluate(PAPER_CENTRES)[::4]:  # a quarter of the papers, spread over the graph: the suite's time
        page.mouse.move(paper["x"], paper["y"])
        if page.evaluate(ANSWER) != paper["label"]:
            wrong.append(paper["node"])
    assert wrong == [], f"{len(wrong)} papers answered by another node: {wrong[:5]}"
    page.close()


def test_tapping_the_centre_of_every_paper_node_on_a_phone_shows_that_paper(browser: Browser, site_url: str):
    context, page = phone_graph(browser, site_url)
    wrong = []
    for paper in page.evaluate(PAPER_CENTRES)[2::4]:  # another quarter of the papers
        page.touchscreen.tap(paper["x"], paper["y"])
        if page.evaluate(ANSWER) != paper["label"]:
            wrong.append(paper["node"])
    assert page.url.endswith("/graph/")
    assert wrong == [], f"{len(wrong)} papers answered by another node: {wrong[:5]}"
    context.close()


SCROLL_AND_ZOOM = "() => [window.scrollY, document.querySelector('[data-atlas-graph]').atlasGraph.renderer.getCamera().ratio]"


def test_the_wheel_scrolls_the_page_until_the_reader_clicks_the_graph(browser: Browser, site_url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(site_url + "graph/")
    graph_ready(page)
    box = page.locator(".atlas-graph-canvas").bounding_box()
    page.mouse.move(box["x"] + 4, box["y"] + 4)  # a corner of the graph, where no node is
    scrolled, ratio = page.evaluate(SCROLL_AND_ZOOM)
    page.mouse.wheel(0, 200)
    page.wait_for_function(f"window.scrollY > {scrolled}")
    assert page.evaluate(SCROLL_AND_ZOOM)[1] == ratio
    box = page.locator(".atlas-graph-canvas").bounding_box()
    page.mouse.click(box["x"] + 4, box["y"] + box["height"] / 2)
    scrolled, ratio = page.evaluate(SCROLL_AND_ZOOM)
    page.mouse.wheel(0, 200)
    page.wait_for_function(f"({SCROLL_AND_ZOOM})()[1] !== {ratio}")
    assert page.evaluate(SCROLL_AND_ZOOM)[0] == scrolled
    page.close()


SCROLL_AND_CAMERA = "() => [window.scrollY, document.querySelector('[data-atlas-graph]').atlasGraph.renderer.getCamera().getState()]"


def swipe_up(page: Page, x: float, y: float, rise: float) -> None:
    """One finger drawn up the screen from (x, y), as the touch screen reports it (CDP's touch events)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]})
    for step in range(1, 11):
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - rise * step / 10}]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    page.wait_for_timeout(300)  # the scroll's last frames


def test_a_swipe_over_the_graph_scrolls_the_page_until_the_reader_taps_the_graph(browser: Browser, site_url: str):
    context, page = phone_graph(browser, site_url)

    def centre() -> tuple[float, float]:
        box = page.locator(".atlas-graph-canvas").bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    scrolled, camera = page.evaluate(SCROLL_AND_CAMERA)
    swipe_up(page, *centre(), 200)
    now_at, now_camera = page.evaluate(SCROLL_AND_CAMERA)
    assert now_at > scrolled + 100 and now_camera == camera  # the page moved, the graph did not
    x, y = centre()
    page.touchscreen.tap(x - 170, y)  # the graph's left edge, where no node is
    scrolled, camera = page.evaluate(SCROLL_AND_CAMERA)
    swipe_up(page, x, y, 150)
    now_at, now_camera = page.evaluate(SCROLL_AND_CAMERA)
    assert now_at == scrolled and now_camera["y"] != camera["y"]  # now the graph moved, the page did not
    page.locator("h1").tap()  # away from the graph: the page scrolls again
    scrolled, camera = page.evaluate(SCROLL_AND_CAMERA)
    swipe_up(page, *centre(), 150)
    now_at, now_camera = page.evaluate(SCROLL_AND_CAMERA)
    assert now_at > scrolled + 75 and now_camera == camera
    context.close()


def test_a_phone_is_told_to_tap_and_a_desktop_to_click(browser: Browser, site_url: str):
    context = phone(browser)
    page = context.new_page()
    page.goto(site_url + "graph/")
    told = page.locator(".atlas-graph").inner_text().lower()
    assert "tap" in told and "click" not in told and "hover" not in told and "point at" not in told
    context.close()
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(site_url + "graph/")
    told = page.locator(".atlas-graph").inner_text().lower()
    assert "click" in told and "tap" not in told
    page.close()


def test_a_node_of_one_paper_says_paper_and_the_page_never_says_1_papers(browser: Browser, site_url: str):
    page = desktop_graph(browser, site_url)
    # every challenge and sub-challenge answers with its count; one of them is given a single paper
    nodes = page.evaluate("""() => { const { renderer, graph } = document.querySelector('[data-atlas-graph]').atlasGraph;
        const box = renderer.getContainer().getBoundingClientRect(), subs = graph.filterNodes((n, a) => a.nodeType !== 'paper');
        graph.setNodeAttribute(subs[subs.length - 1], 'papers', 1);
        return subs.map((n) => { const p = renderer.framedGraphToViewport(renderer.getNodeDisplayData(n));
          return { papers: graph.getNodeAttribute(n, 'papers'), x: box.left + p.x, y: box.top + p.y }; }); }""")
    said = []
    for node in nodes:
        page.mouse.move(node["x"], node["y"])
        said.append(page.locator(".atlas-graph-tooltip p").inner_text())
        assert said[-1] == f"{node['papers']} paper{'' if node['papers'] == 1 else 's'}"
    words = page.evaluate(
        "() => document.body.innerText + ' ' + Array.from(document.querySelectorAll('[aria-label]'), (e) => e.ariaLabel).join(' ')"
    )
    assert not re.search(r"\b1 (papers|challenges|sub-challenges)\b", words + " ".join(said))
    page.close()


GRAPH_PICTURE_SHOWN = """() => Array.from(document.images)
    .filter((image) => new URL(image.src).pathname.endsWith('/graph.svg') && image.getClientRects().length > 0).length"""


@pytest.mark.parametrize("scripts", [True, False], ids=["with JavaScript", "without"])
@pytest.mark.parametrize("width", [1400, 390])
@pytest.mark.parametrize("address", ["graph/", "", "challenges/metrics/", "stats/"])
def test_the_static_graph_picture_is_fetched_only_where_shown(browser: Browser, site_url: str, address: str, width: int, scripts: bool):
    """graph.svg (~100 kB) stands in for the graph till it is woken, and replaces it without JavaScript or in print:
    a page that shows it fetches it once; a page, width or state that hides it fetches nothing, read to its end."""
    context = browser.new_context(viewport={"width": width, "height": 844}, java_script_enabled=scripts)
    page = context.new_page()
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if urlsplit(request.url).path.endswith("/graph.svg") else None)
    page.goto(site_url + address, wait_until="load")
    page.mouse.wheel(0, 100_000)  # to the end of the page: a picture waiting to be near the screen would be fetched now
    page.wait_for_timeout(500)
    shown = page.evaluate(GRAPH_PICTURE_SHOWN)
    assert len(fetched) == (1 if shown else 0), f"{address} at {width} px shows graph.svg {shown} times and fetched it {len(fetched)}"
    assert shown or address != "graph/"  # the graph page shows it, in the graph's place or instead of it
    context.close()
