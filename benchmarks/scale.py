"""How the atlas scales: build, check, memory, search index and page weight at 1,000-50,000 papers.

Usage: .venv/bin/python benchmarks/scale.py [PAPERS ...] [--texts variants|shuffled] [--results DIR] [--summary-only]
(default: 1000 5000 10000 50000, variants)
For each size it grows a synthetic atlas from the real records (tests/synthetic.py; --texts shuffled: the
other kind of texts, committed in git), then
measures `atlas build` and `atlas check` (wall time and peak memory; the memory of all processes in a build of its own), the
search bundle (Material's search/ or Pagefind's pagefind/), what a paper page loads before the reader
searches (headless Chromium, every response counted, raw and gzip-compressed), and the baseline: a
plain `mkdocs build` of as many hand-written Markdown pages with the atlas' own theme, Markdown
extensions, navigation and plugins (all but `atlas`), read from the mkdocs.yml the synthetic atlas
copies. Every build, the atlas' and the baseline's, starts with no site, and all of them live in RAM
(tmpfs, SCRATCH), so both arms meet the same file system and nothing needs root. Results:
benchmarks/results/scale.{json,md,png} (or in --results DIR, for trial runs), rewritten after every
size, with a line per target (met or not); the JSON also lists what
the paper page loaded, by path, and what one page of each kind (PAGE_KINDS) loads. Sizes up to
10,000 take the best of 3 runs; 50,000 the best of 2 (each run takes minutes).
benchmarks/results/serve-reload.json (serve_reload.py) joins them if present.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import yaml
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from atlas.pipeline import valid_atlas

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # localsite.py and synthetic.py: the tests' support
from localsite import CHROMIUM, CHROMIUM_FLAGS, served
from machine import SCRATCH, describe, machine
from synthetic import REPO, make_atlas

RESULTS = Path(__file__).resolve().parent / "results"
PYTHON = sys.executable
MKDOCS = str(Path(PYTHON).parent / "mkdocs")
PAPER = "papers/synthetic-00000/"
SEARCH_BUNDLES = {"material": "search", "pagefind": "pagefind"}
# What a page requests for search: Material's index and worker (and its lunr languages), Pagefind's files.
SEARCH_REQUESTS = ("/search/", "/pagefind/", "/workers/search", "/lunr/")


def _tree_pss_kib(root: int) -> int:
    """Proportional set size (KiB) of a process and all its descendants: shared pages counted once."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parent = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            total += int(next(line for line in rollup.splitlines() if line.startswith("Pss:")).split()[1])
        except (OSError, StopIteration, ValueError):
            pass
        stack.extend(children.get(pid, []))
    return total


def _started(command: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _largest_kib(process: subprocess.Popen, command: list[str]) -> int:
    """Wait for the process; the peak resident memory of its largest process (KiB, from GNU time)."""
    _, stderr = process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{command} failed:\n{stderr[-2000:]}")
    return int(stderr.strip().splitlines()[-1])


def timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak resident memory of the largest process (KiB, from GNU time)."""
    started = time.perf_counter()
    largest = _largest_kib(_started(command, cwd), command)
    return time.perf_counter() - started, largest


def tree_peak_kib(command: list[str], cwd: Path, before: Callable[[], None]) -> int:
    """Peak memory of all the command's processes together (KiB, PSS sampled every 0.1 s: the build's
    workers and Pagefind included), from one run of its own: the sampling reads every process'
    smaps_rollup ten times a second, which slowed the 50,000-paper build by a fifth (289-302 s against
    237-254 s, measured 2026-12-01), so a sampled run measures memory only, never time."""
    before()
    process, peak = _started(command, cwd), 0
    while process.poll() is None:
        peak = max(peak, _tree_pss_kib(process.pid))
        time.sleep(0.1)
    _largest_kib(process, command)
    return peak


def best_of(runs: int, command: list[str], cwd: Path, before: Callable[[], None] = lambda: None) -> tuple[float, int]:
    """The fastest of `runs` runs (the least disturbed by other work on the machine), with the
    highest memory peak of its largest process seen in any of them."""
    return best_of_pair(runs, (command, cwd, before))[0]


def best_of_pair(runs: int, *measured: tuple[list[str], Path, Callable[[], None]]) -> list[tuple[float, int]]:
    """best_of for each command, their runs alternating (A B A B ...): this machine's speed drifts
    (other work, disk write-back), and two commands compared should meet it in the same states."""
    results: list[list[tuple[float, int]]] = [[] for _ in measured]
    for _ in range(runs):
        for found, (command, cwd, before) in zip(results, measured, strict=True):
            before()
            found.append(timed(command, cwd))
    return [(min(r[0] for r in found), max(r[1] for r in found)) for found in results]


class _Tagged(str):
    """A `!!python/name:...` value of mkdocs.yml (Material's emoji settings use them), kept as written."""

    tag = ""


class _Loader(yaml.SafeLoader):
    pass


class _Dumper(yaml.SafeDumper):
    pass


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    value = _Tagged(loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else "")
    value.tag = "tag:yaml.org,2002:python/" + suffix
    return value


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)
_Dumper.add_representer(
    str, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)
)
_Dumper.add_representer(_Tagged, lambda dumper, value: dumper.represent_scalar(value.tag, str(value)))


def mkdocs_config(root: Path) -> dict:
    return yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader) or {}


def site_path(config: dict) -> str:
    """Where the built site lives under its host (site_url's path): served there, as on the real host."""
    return urlparse(str(config.get("site_url") or "")).path or "/"


def nav_pages(nav: object) -> list[tuple[str, str]]:
    """(title, Markdown path) of every page in a navigation, in order; external links left out."""
    if isinstance(nav, str):
        return [] if "://" in nav else [(Path(nav).stem.replace("-", " ").capitalize(), nav)]
    if isinstance(nav, list):
        return [page for item in nav for page in nav_pages(item)]
    if isinstance(nav, dict):
        pages = []
        for title, value in nav.items():
            if isinstance(value, str):
                pages += [] if "://" in value else [(str(title), value)]
            else:
                pages += nav_pages(value)
        return pages
    return []


def without_atlas(plugins: object) -> object:
    """The atlas' plugins, in their own form (a list or a mapping), less the atlas plugin itself."""
    if isinstance(plugins, dict):
        return {name: options for name, options in plugins.items() if name != "atlas"}
    names = [plugin if isinstance(plugin, str) else next(iter(plugin)) for plugin in plugins or []]
    return [plugin for plugin, name in zip(plugins or [], names, strict=True) if name != "atlas"]


def baseline_config(atlas_config: dict, atlas_root: Path) -> dict:
    """The atlas' theme, Markdown extensions, navigation and plugins (less `atlas`) for plain pages."""
    theme = atlas_config.get("theme", {"name": "material"})
    if isinstance(theme, dict) and theme.get("custom_dir"):
        theme = {**theme, "custom_dir": str((atlas_root / theme["custom_dir"]).resolve())}
    config = {
        "site_name": "Baseline",
        "site_url": atlas_config.get("site_url", "https://example.org/"),
        "docs_dir": "docs",
        "use_directory_urls": atlas_config.get("use_directory_urls", True),
        "strict": atlas_config.get("strict", False),
        "theme": theme,
        "plugins": without_atlas(atlas_config.get("plugins", [])),
        "markdown_extensions": atlas_config.get("markdown_extensions", []),
        "not_in_nav": atlas_config.get("not_in_nav", "/papers/*.md\n"),
        "nav": atlas_config.get("nav", [{"Home": "index.md"}]),
    }
    return {key: value for key, value in config.items() if value is not None}


def baseline_paper(title: str, year: int, abstract: str, links: list[tuple[str, str]]) -> str:
    """A paper page as a person would write it: a heading, a facts list, the abstract, the challenges."""
    challenges = "\n".join(f"- [{name}](../{path}): why this paper matters for {name.lower()}." for name, path in links)
    return (
        f"# {title}\n\n"
        f"- **Year:** {year}\n- **Venue:** a conference\n- **Kind:** method\n\n"
        f"## Abstract\n\n{abstract.strip()}\n\n"
        f"## Challenges it addresses\n\n{challenges}\n\n"
        "## Notes\n\nWritten by hand for the baseline: *plain Markdown*, no generated content.\n"
    )


def write_baseline(atlas_root: Path, papers: int, target: Path) -> Path:
    """A plain MkDocs project: the atlas' nav pages as stubs and one page per paper, out of the nav."""
    config = mkdocs_config(atlas_root)
    docs = target / "docs"
    (docs / "papers").mkdir(parents=True)
    real = sorted((p for p in valid_atlas(REPO).papers.values() if p.abstract), key=lambda paper: paper.id)
    generator = random.Random(11)
    stubs = nav_pages(config.get("nav", [{"Home": "index.md"}]))
    for number, (title, path) in enumerate(stubs):
        page = docs / path
        page.parent.mkdir(parents=True, exist_ok=True)
        text = real[number % len(real)].abstract.strip()
        page.write_text(f"# {title}\n\n{text}\n\n## See also\n\n- One item\n- Another item\n", encoding="utf-8")
    linkable = [(title, path) for title, path in stubs if path.startswith("challenges/")] or stubs
    for index in range(papers):
        source = real[index % len(real)]
        links = generator.sample(linkable, min(len(linkable), generator.choice((1, 1, 2, 2, 3))))
        text = baseline_paper(f"{source.title} (baseline page {index})", 2015 + index % 12, source.abstract, links)
        (docs / "papers" / f"p{index:05d}.md").write_text(text, encoding="utf-8")
    (target / "mkdocs.yml").write_text(
        yaml.dump(baseline_config(config, atlas_root), Dumper=_Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return target


def directory_bytes(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


def search_bundle(site: Path) -> tuple[str, int]:
    """Which search the site ships (Material's search/ or Pagefind's pagefind/) and its total size."""
    found = {engine: site / folder for engine, folder in SEARCH_BUNDLES.items() if (site / folder).is_dir()}
    return "+".join(found) or "none", sum(directory_bytes(folder) for folder in found.values())


@contextmanager
def mounted(site: Path, path: str) -> Iterator[str]:
    """The site served at its own path (site_url's, e.g. /atlas/), as a host would; yields the server's root."""
    with tempfile.TemporaryDirectory() as directory:
        mount = Path(directory)
        if path.strip("/"):
            (mount / path.strip("/")).parent.mkdir(parents=True, exist_ok=True)
            (mount / path.strip("/")).symlink_to(site, target_is_directory=True)
        else:
            mount = site
        with served(mount) as base:
            yield base + path.lstrip("/")


def page_weight(site: Path, path: str, address: str) -> dict[str, object]:
    """What a page loads before any interaction: every response until the network is idle, counted raw
    and gzip-compressed (what a static host serving gzip would send), and the search part of it."""
    with mounted(site, path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        context = browser.new_context()
        responses = []
        context.on("response", lambda response: responses.append(response))
        page = context.new_page()
        page.goto(base + address, wait_until="networkidle")
        seen = -1
        for _ in range(30):  # then until a whole second passes with no new response: workers, prefetches, fonts
            if seen == len(responses):
                break
            seen = len(responses)
            page.wait_for_timeout(1000)
        bodies: dict[str, bytes] = {}
        failed = 0
        for response in responses:
            failed += response.status >= 400
            try:
                bodies[response.url] = response.body()
            except PlaywrightError:  # a redirect or an aborted request has no body
                bodies.setdefault(response.url, b"")
        browser.close()
    if failed:
        print(f"warning: {failed} request(s) of {address} failed", file=sys.stderr)
    search = [body for url, body in bodies.items() if any(part in urlparse(url).path for part in SEARCH_REQUESTS)]
    return {
        "bytes": sum(map(len, bodies.values())),
        "gzip_bytes": sum(len(gzip.compress(body, 6)) for body in bodies.values()),
        "search_bytes": sum(map(len, search)),
        "requests": len(bodies),
        "failed": failed,
        "resources": {urlparse(url).path: len(body) for url, body in sorted(bodies.items(), key=lambda item: -len(item[1]))},
    }


# One address of each kind of page, for what each loads before the reader acts.
PAGE_KINDS = {
    "home": "",
    "papers index": "papers/",
    "challenge": "challenges/ethics/",
    "venue": "venues/iclr-2024-submission/",
    "statistics": "stats/",
    "research gaps": "gaps/",
    "references": "references/",
    "graph": "graph/",
    "paper": PAPER,
}
# Time from a changed challenge filter to the papers table's new count, once its rows are loaded (median of these).
FILTER_RUNS = ("efficiency", "ethics/hallucination", "metrics", "", "robustness", "causality", "priors")
FILTER_TIMING = """async (choices) => {
  const select = document.getElementById('atlas-filter-challenge'), count = document.getElementById('atlas-filter-count');
  const times = [];
  for (const choice of choices) {
    count.textContent = '';  // the table writes its count again once it has filtered (even when it is the same)
    const started = performance.now();
    select.value = choice;
    select.dispatchEvent(new Event('change'));
    while (!count.textContent || /Loading/.test(count.textContent)) await new Promise(requestAnimationFrame);
    times.push(performance.now() - started);
  }
  return times;
}"""


def filter_ms(site: Path, path: str) -> float:
    """Median milliseconds for the papers table to answer a changed challenge filter (its rows loaded first)."""
    with mounted(site, path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(base + "papers/", wait_until="networkidle")
        page.evaluate(FILTER_TIMING, ["generalization"])  # the first act fetches the rows: not timed
        times = sorted(page.evaluate(FILTER_TIMING, list(FILTER_RUNS)))
        browser.close()
    return round(times[len(times) // 2], 1)


def largest_html(site: Path) -> tuple[int, str]:
    """The size (bytes) and path of the site's largest HTML page."""
    size, path = max((page.stat().st_size, page.relative_to(site).as_posix()) for page in site.rglob("*.html"))
    return size, path


def measure(papers: int, shuffled: bool = False) -> dict[str, object]:
    load = os.getloadavg()[0]  # other work on the machine: the timings of a busy one are noisy
    with tempfile.TemporaryDirectory(prefix="atlas-bench-", dir=SCRATCH) as directory:
        work = Path(directory)
        root = make_atlas(work / "atlas", papers, shuffled=shuffled, committed=shuffled)
        site = work / "site"
        atlas = [PYTHON, "-m", "atlas.cli", "--root", str(root)]
        runs = 3 if papers <= 10000 else 2  # at 50,000 papers each run takes minutes: best of two, so that one slow minute does not decide
        build = [*atlas, "build", "--site-dir", str(site)]
        baseline = write_baseline(root, papers, work / "baseline")

        def fresh(folder: Path) -> Callable[[], None]:  # each build starts with no site
            return lambda: shutil.rmtree(folder, ignore_errors=True)

        (build_s, build_kib), (baseline_s, _) = best_of_pair(
            runs, (build, root, fresh(site)), ([MKDOCS, "build", "-q"], baseline, fresh(baseline / "site"))
        )
        build_tree_kib = tree_peak_kib(build, root, fresh(site))  # a run of its own: sampling slows a build
        check_s, check_kib = best_of(runs, [*atlas, "check"], root)
        engine, bundle = search_bundle(site)
        mount = site_path(mkdocs_config(root))
        kinds = {kind: page_weight(site, mount, address) for kind, address in PAGE_KINDS.items()}
        weight = kinds["paper"]
        html_bytes, html_path = largest_html(site)
        return {
            "papers": papers,
            "build_s": round(build_s, 2),
            "baseline_s": round(baseline_s, 2),
            "ratio": round(build_s / baseline_s, 2),
            "check_s": round(check_s, 2),
            "build_peak_mib": round(build_kib / 1024),
            "build_tree_peak_mib": round(build_tree_kib / 1024),
            "runs": runs,
            "check_peak_mib": round(check_kib / 1024),
            "search": engine,
            "search_bundle_kb": round(bundle / 1024),
            "paper_page_kb": round(weight["bytes"] / 1024),
            "paper_page_gzip_kb": round(weight["gzip_bytes"] / 1024),
            "paper_page_search_kb": round(weight["search_bytes"] / 1024),
            "paper_page_requests": weight["requests"],
            "site_mb": round(directory_bytes(site) / 2**20, 1),
            "site_kb_per_paper": round(directory_bytes(site) / 1024 / papers, 1),
            "largest_html_kb": round(html_bytes / 1024),
            "largest_html": html_path,
            "papers_index_kb": round(kinds["papers index"]["bytes"] / 1024),
            "filter_ms": filter_ms(site, mount),
            "page_kinds_kb": {kind: round(measured["bytes"] / 1024) for kind, measured in kinds.items()},
            "page_kinds_gzip_kb": {kind: round(measured["gzip_bytes"] / 1024) for kind, measured in kinds.items()},
            "load_1m": round(load, 2),
            "in_memory": SCRATCH is not None,
            "paper_page_resources": weight["resources"],
        }


def targets(rows: list[dict], reload: dict | None) -> list[tuple[bool | None, str]]:
    """(met, what was measured) for each target of the scale work; None where it was not measured."""
    by_size = {row["papers"]: row for row in rows}
    results: list[tuple[bool | None, str]] = []
    small, large = min(by_size), max(by_size)
    if 1000 in by_size and 10000 in by_size:
        small, large = 1000, 10000
    if large > small:
        growth, allowed = by_size[large]["build_s"] / by_size[small]["build_s"], 1.1 * large / small
        results.append((growth <= allowed, f"build time t({large:,})/t({small:,}) <= {allowed:.3g}: {growth:.2f}"))
    else:
        results.append((None, "build time t(10,000)/t(1,000) <= 11 (needs two sizes)"))
    worst = max(rows, key=lambda row: row["ratio"])
    results.append(
        (
            worst["ratio"] <= 1.2,
            f"atlas build <= 1.2 x plain MkDocs at every size: worst {worst['ratio']:.2f} at {worst['papers']:,} papers",
        )
    )
    if 10000 in by_size:
        ten = by_size[10000]
        results.append((ten["check_s"] < 3, f"atlas check at 10,000 papers < 3 s: {ten['check_s']:.2f} s"))
        peak = max(ten.get("build_tree_peak_mib", 0), ten["build_peak_mib"], ten["check_peak_mib"])
        results.append((peak < 1024, f"peak memory at 10,000 papers < 1 GiB (all the build's processes together): {peak:,} MiB"))
    else:
        results.append((None, "atlas check at 10,000 papers < 3 s (no 10,000-paper row)"))
        results.append((None, "peak memory at 10,000 papers < 1 GiB (no 10,000-paper row)"))
    heaviest = max(rows, key=lambda row: row["paper_page_kb"])
    results.append(
        (
            heaviest["paper_page_kb"] < 300,
            f"paper page < 300 KB loaded before the reader searches: {heaviest['paper_page_kb']:,} KB "
            f"({heaviest['paper_page_gzip_kb']:,} KB gzip) at {heaviest['papers']:,} papers",
        )
    )
    for size in (10000, 50000):
        row = by_size.get(size)
        if row is None or "largest_html_kb" not in row:
            results.append((None, f"no HTML page over 300 KB at {size:,} papers (no {size:,}-paper row)"))
            continue
        results.append(
            (
                row["largest_html_kb"] <= 300,
                f"no HTML page over 300 KB at {size:,} papers: largest {row['largest_html_kb']:,} KB ({row['largest_html']})",
            )
        )
        results.append(
            (
                row["papers_index_kb"] <= 600,
                f"papers index loads <= 600 KB before the reader acts, at {size:,} papers: {row['papers_index_kb']:,} KB",
            )
        )
    if "filter_ms" in by_size.get(10000, {}):
        results.append(
            (by_size[10000]["filter_ms"] < 100, f"filtering 10,000 rows by a challenge < 100 ms: median {by_size[10000]['filter_ms']} ms")
        )
    if 10000 in by_size and 50000 in by_size:
        growth = by_size[50000]["build_s"] / by_size[10000]["build_s"]
        results.append((growth <= 5.5, f"build time t(50,000)/t(10,000) <= 5.5: {growth:.2f}"))
        results.append(
            (by_size[50000]["build_peak_mib"] < 2048, f"largest process at 50,000 papers < 2 GiB: {by_size[50000]['build_peak_mib']:,} MiB")
        )
    else:
        results.append((None, "build time t(50,000)/t(10,000) <= 5.5 and its largest process < 2 GiB (run scale.py 10000 50000)"))
    if reload is None:
        results.append((None, "atlas serve reload after one record changes, at 1,000 papers < 2 s (run serve_reload.py)"))
    else:
        measured = f"median {reload['median_s']:.2f} s, max {reload['max_s']:.2f} s over {len(reload['runs_s'])} changes"
        met = reload["max_s"] < 2 if reload["papers"] == 1000 else None
        results.append(
            (met, f"atlas serve reload after one record changes, at 1,000 papers < 2 s: {measured} at {reload['papers']:,} papers")
        )
    return results


COLUMNS = (
    ("papers", "papers", "{:,}"),
    ("build_s", "atlas build (s)", "{:.2f}"),
    ("baseline_s", "plain MkDocs (s)", "{:.2f}"),
    ("ratio", "ratio", "{:.2f}"),
    ("check_s", "atlas check (s)", "{:.2f}"),
    ("build_peak_mib", "build peak, largest process (MiB)", "{:,}"),
    ("build_tree_peak_mib", "build peak, all processes (MiB)", "{:,}"),
    ("check_peak_mib", "check peak (MiB)", "{:,}"),
    ("search", "search", "{}"),
    ("search_bundle_kb", "search bundle (KB)", "{:,}"),
    ("paper_page_kb", "paper page (KB)", "{:,}"),
    ("paper_page_gzip_kb", "paper page gzip (KB)", "{:,}"),
    ("paper_page_search_kb", "of it search (KB)", "{:,}"),
    ("paper_page_requests", "requests", "{:,}"),
    ("site_mb", "site (MB)", "{:,}"),
    ("site_kb_per_paper", "site per paper (KB)", "{:,}"),
    ("largest_html_kb", "largest HTML page (KB)", "{:,}"),
    ("papers_index_kb", "papers index loaded (KB)", "{:,}"),
    ("filter_ms", "table filter (ms)", "{}"),
)


def markdown(rows: list[dict], description: dict, reload: dict | None) -> str:
    lines = [
        "# Scale benchmark",
        "",
        f"Machine: {describe(description)}. Written by `make bench` (benchmarks/scale.py).",
        "",
        "| " + " | ".join(title for _, title, _ in COLUMNS) + " |",
        "|" + " --- |" * len(COLUMNS),
    ]
    lines += ["| " + " | ".join(form.format(row[key]) for key, _, form in COLUMNS) + " |" for row in rows]
    lines += [
        "",
        "Build and check: best wall time of `runs` runs of `python -m atlas.cli build` and `check`; peak resident memory of",
        "the largest process (GNU time) and peak memory of all the build's processes together (PSS, sampled every 0.1 s:",
        "the workers and Pagefind included; in one more build of its own, since sampling slows a build). Plain MkDocs,",
        "best of as many runs, each run right after one of the atlas'",
        "(the two alternate, so that both meet the machine's drifting speed alike). Every build starts with no site; the atlas,",
        "both sites and the baseline's pages are "
        + ("in RAM (tmpfs under /dev/shm), alike for both arms" if all(row.get("in_memory") for row in rows) else "on disk (no tmpfs here)")
        + ". The baseline:",
        "`mkdocs build` of as many hand-written pages with the atlas' theme, Markdown extensions, navigation and plugins",
        "but `atlas`. Paper page: every response of papers/synthetic-00000/ in headless Chromium until the network is idle,",
        "before any interaction; gzip: the same bodies gzip-compressed; search: the part of it that is the search bundle.",
        "",
    ]
    if reload is not None:
        runs = ", ".join(f"{seconds:.2f}" for seconds in reload["runs_s"])
        rebuilt = ", ".join("?" if seconds is None else f"{seconds:.2f}" for seconds in reload.get("rebuilt_s", []))
        lines += [
            f"`atlas serve` at {reload['papers']:,} papers, one record retitled until the open page shows it: {runs} s"
            + (f" (of it, until the server had rebuilt: {rebuilt} s)." if rebuilt else "."),
            "",
        ]
    kinds = [row for row in rows if "page_kinds_kb" in row]
    if kinds:
        lines += [
            "What one page of each kind loads before the reader acts (KB, every response in headless Chromium; gzip in brackets):",
            "",
            "| papers | " + " | ".join(PAGE_KINDS) + " |",
            "|" + " --- |" * (len(PAGE_KINDS) + 1),
        ]
        lines += [
            f"| {row['papers']:,} | "
            + " | ".join(f"{row['page_kinds_kb'][kind]:,} ({row['page_kinds_gzip_kb'][kind]:,})" for kind in PAGE_KINDS)
            + " |"
            for row in kinds
        ]
        lines += [""]
    lines += ["## Targets", ""]
    lines += [f"- {'not measured' if met is None else 'met' if met else 'NOT met'}: {text}" for met, text in targets(rows, reload)]
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    papers = [row["papers"] for row in rows]
    figure, (times, checks) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    times.plot(papers, [row["build_s"] for row in rows], "o-", color="tab:blue", label="atlas build")
    times.plot(papers, [row["baseline_s"] for row in rows], "s-", color="tab:gray", label="plain MkDocs, same theme")
    times.plot(papers, [1.2 * row["baseline_s"] for row in rows], ":", color="tab:gray", label="target: 1.2 x plain MkDocs")
    if len(rows) > 1:
        first = rows[0]
        linear = [first["build_s"] * 1.1 * n / first["papers"] for n in papers]
        times.plot(papers, linear, "--", color="tab:blue", alpha=0.5, label=f"target: 1.1 x linear from {first['papers']:,}")
    times.set(title="Build time", xlabel="papers", ylabel="seconds")
    checks.plot(papers, [row["check_s"] for row in rows], "o-", color="tab:green", label="atlas check")
    checks.axhline(3, linestyle=":", color="tab:red", label="target at 10,000: 3 s")
    checks.set(title="Check time", xlabel="papers", ylabel="seconds")
    checks.set_ylim(bottom=0)
    times.set_ylim(bottom=0)
    for axes in (times, checks):
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        axes.set_xticks(papers)
        axes.grid(alpha=0.3)
        axes.legend(fontsize="small")
    figure.suptitle(f"GenAI Challenges Atlas at scale ({rows[-1]['papers']:,} papers max)")
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_results(rows: list[dict], description: dict, results: Path) -> str:
    results.mkdir(parents=True, exist_ok=True)
    reload_file = results / "serve-reload.json"
    reload = json.loads(reload_file.read_text()) if reload_file.exists() else None
    if reload is not None and "runs_s" not in reload:  # only the real atlas measured (serve_reload.py --atlas seed)
        reload = None
    summary = [{"met": met, "target": text} for met, text in targets(rows, reload)]
    document = {"machine": description, "rows": rows, "serve_reload": reload, "targets": summary}
    (results / "scale.json").write_text(json.dumps(document, indent=2) + "\n")
    text = markdown(rows, description, reload)
    (results / "scale.md").write_text(text)
    plot(rows, results / "scale.png")
    return text


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", nargs="*", type=int, default=[1000, 5000, 10000, 50000], help="sizes (default: 1000 5000 10000 50000)")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"where the results go (default: {RESULTS})")
    parser.add_argument(
        "--texts",
        choices=("variants", "shuffled"),
        default="variants",
        help="how the synthetic papers' texts are grown (tests/synthetic.py): variants of the real titles with the real abstracts"
        " (default), or random titles and shuffled abstracts in a committed git repository",
    )
    parser.add_argument(
        "--summary-only", action="store_true", help="measure nothing: rewrite scale.md, scale.png and the targets from scale.json"
    )
    options = parser.parse_args(arguments)
    if options.summary_only:
        measured = json.loads((options.results / "scale.json").read_text())
        print(write_results(measured["rows"], measured["machine"], options.results))
        return 0
    description, rows = machine(), []
    for papers in sorted(options.papers):
        started = time.perf_counter()
        rows.append(measure(papers, options.texts == "shuffled"))
        print(rows[-1], f"({time.perf_counter() - started:.0f} s)", flush=True)
        text = write_results(rows, description, options.results)  # after every size, so a long run keeps what it measured
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
