"""Untrusted records stay harmless: invisible characters, look-alike duplicates, hostile BibTeX and
ids are refused at their line; output is inert; edits survive kills, races, read-only folders and full
disks. (Math payloads in pages: tests/test_hostile.py; through `atlas add`: here.)"""

from __future__ import annotations

import os
import random
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from atlas.pipeline import check
from atlas.records.mathtext import MAX_MATHML_CHARACTERS, title_html
from atlas.records.model import Problem
from atlas.records.yamlio import dump_record, load_yaml_file

from conftest import REPO, copy_atlas, snapshot
from localsite import served

PAPER = "calibrated-language-models"
LINK = ["--challenge", "efficiency/quantization", "--kind", "method", "--why", "Quantises weights to four bits."]


def atlas(root: Path, *args: str, **options) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "atlas.cli", "--root", str(root), *args], capture_output=True, text=True, timeout=300, **options
    )


def errors(root: Path) -> list[Problem]:
    return [p for p in check(root)[1] if p.severity == "error"]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def entry(key: str, title: str, extra: str = "") -> str:
    fields = f"  title = {{{title}}},\n  author = {{Doe, Jane}},\n  journal = {{Journal of Tests}},\n  year = {{2024}},{extra}"
    return f"@article{{{key},\n{fields}\n}}\n"


# Characters nobody can review

HIDDEN = {"NUL": "\x00", "escape": "\x1b", "C1": "\x85", "right-to-left override": "\u202e", "isolate": "\u2066"}


@pytest.mark.parametrize("name", HIDDEN)
def test_a_hidden_character_in_a_record_is_refused_at_its_line(atlas_copy: Path, name: str):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    edit(path, "Calibrated Language Models", "Calibrated " + HIDDEN[name] + "Language Models")
    problem = next(p for p in errors(atlas_copy) if p.path == f"papers/{PAPER}.yaml")
    assert problem.line == line_of(path, "Calibrated ") and "invisible character U+" in problem.message


def test_a_hidden_character_written_as_a_yaml_escape_is_refused_at_its_line(atlas_copy: Path):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    text = path.read_text()
    path.write_text(text.replace("venue:", 'keywords: ["a\\u202eb"]\nvenue:', 1))
    problem = next(p for p in errors(atlas_copy) if "invisible" in p.message)
    assert (problem.path, problem.line) == (f"papers/{PAPER}.yaml", line_of(path, "keywords:"))


@pytest.mark.parametrize("name", ["NUL", "right-to-left override"])
def test_a_hidden_character_in_citations_bib_is_refused_at_its_line(atlas_copy: Path, name: str):
    bib = atlas_copy / "citations.bib"
    edit(bib, "{{Calibrated Language Models Must Hallucinate}}", "{{Calibrated Language Models Must" + HIDDEN[name] + " Hallucinate}}")
    problem = next(p for p in errors(atlas_copy) if p.path == "citations.bib")
    assert problem.line == line_of(bib, "Calibrated Language Models Must") and "invisible character" in problem.message


@pytest.mark.parametrize("where", ["title", "authors"])
def test_a_zero_width_character_in_a_title_or_name_is_refused(atlas_copy: Path, where: str):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    old = "Calibrated Language Models" if where == "title" else "Santosh S. Vempala"
    edit(path, old, old[:8] + "\u200b" + old[8:])
    problem = next(p for p in errors(atlas_copy) if "zero-width" in p.message)
    assert problem.line == line_of(path, old[:8] + "\u200b") and f"'{where}'" in problem.message


def test_hidden_characters_in_added_bibtex_are_refused_and_nothing_is_written(atlas_copy: Path, tmp_path: Path):
    before = snapshot(atlas_copy)
    source = tmp_path / "new.bib"
    source.write_text(entry("a", "Quantised \u202eweights") + entry("b", "Zero\u200bwidth names"), encoding="utf-8")
    result = atlas(atlas_copy, "add", "--bibtex", str(source), "--same-for-all", *LINK)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{source}:2: holds the invisible character U+202E" in result.stderr and "zero-width character U+200B" in result.stderr
    assert snapshot(atlas_copy) == before


def test_output_is_inert_whatever_a_record_holds(atlas_copy: Path):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    edit(path, "kind: ", 'kind: "\\e[2J\\e[Hatlas check: ok" # ')
    result = atlas(atlas_copy, "check")
    assert result.returncode == 1 and "\x1b" not in result.stdout + result.stderr
    assert "\\u001b[2J" in result.stderr  # the escape is shown as an escape


# Look-alike duplicates


def set_title(path: Path, title: str) -> None:
    record, _ = load_yaml_file(path, "x")
    path.write_text(dump_record({**dict(record), "title": title}), encoding="utf-8")


def test_a_title_respelled_in_cyrillic_is_a_duplicate(atlas_copy: Path):
    original, _ = load_yaml_file(atlas_copy / "papers" / "consistency-trajectory-models.yaml", "x")
    respelled = original["title"].replace("o", "\u043e").replace("C", "\u0421")  # Cyrillic o and Es
    assert respelled != original["title"]
    set_title(atlas_copy / "papers" / "whole-song-hierarchical.yaml", respelled)
    problems = [p for p in errors(atlas_copy) if "looks the same" in p.message]
    assert [p.path for p in problems] == ["papers/whole-song-hierarchical.yaml"] and "consistency-trajectory-models" in problems[0].message


def test_the_arxiv_doi_of_another_records_arxiv_id_is_a_duplicate(atlas_copy: Path):
    path = atlas_copy / "papers" / "whole-song-hierarchical.yaml"
    edit(path, "links:\n", "links:\n  doi: https://doi.org/10.48550/arXiv.2310.02279\n")
    edit(path, "gives: [", "gives: [links.doi, ")
    problems = [p for p in errors(atlas_copy) if "same arXiv id" in p.message]
    assert problems and "consistency-trajectory-models" in problems[0].message


def test_not_duplicate_of_does_not_excuse_the_same_title(atlas_copy: Path):
    original, _ = load_yaml_file(atlas_copy / "papers" / "consistency-trajectory-models.yaml", "x")
    path = atlas_copy / "papers" / "whole-song-hierarchical.yaml"
    set_title(path, original["title"])
    edit(path, "challenges:\n", "not_duplicate_of: [consistency-trajectory-models]\nchallenges:\n")
    assert any("same title" in p.message and p.path == "papers/whole-song-hierarchical.yaml" for p in errors(atlas_copy))


# Hostile BibTeX and ids


def test_string_macros_that_double_are_refused_before_pybtex_expands_them(atlas_copy: Path, tmp_path: Path):
    bomb = '@string{m0 = "xxxxxxxx"}\n' + "".join(f"@string{{m{i} = m{i - 1} # m{i - 1}}}\n" for i in range(1, 31))
    source = tmp_path / "bomb.bib"
    source.write_text(bomb + entry("a", "A title that is never used"))
    result = atlas(atlas_copy, "add", "--bibtex", str(source), *LINK)
    assert result.returncode == 1 and "MemoryError" not in result.stderr and "Traceback" not in result.stderr
    assert f"{source}:11: the @string macro 'm10' expands to over 10,000 characters" in result.stderr
    bib = atlas_copy / "citations.bib"
    bib.write_text(bomb + bib.read_text())
    assert [(p.line, "expands to over" in p.message) for p in errors(atlas_copy)] == [(11, True)]


def test_a_ten_megabyte_field_is_refused_at_its_line(atlas_copy: Path):
    bib = atlas_copy / "citations.bib"
    bib.write_text(bib.read_text() + entry("huge-entry", "Huge", "\n  note = {" + "x" * 10_000_000 + "}"))
    line = line_of(bib, "@article{huge-entry")
    problems = errors(atlas_copy)
    assert any(p.path == "citations.bib" and p.line == line and "characters long" in p.message for p in problems)


@pytest.mark.parametrize("name", ["index"])
def test_an_id_that_is_a_site_page_is_refused(atlas_copy: Path, name: str):
    (atlas_copy / "papers" / f"{PAPER}.yaml").rename(atlas_copy / "papers" / f"{name}.yaml")
    assert any(p.path == f"papers/{name}.yaml" and "address of a site page" in p.message for p in errors(atlas_copy))


def test_a_long_id_is_refused_with_a_valid_shorter_suggestion(atlas_copy: Path):
    long_id = "-".join(["word"] * 48)[:239].strip("-")
    (atlas_copy / "papers" / f"{PAPER}.yaml").rename(atlas_copy / "papers" / f"{long_id}.yaml")
    problem = next(p for p in errors(atlas_copy) if p.path == f"papers/{long_id}.yaml" and "rename it" in p.message)
    suggestion = problem.message.split("(e.g. ")[1].split(".yaml")[0]
    assert len(suggestion) <= 64 and suggestion.startswith("word-word") and not suggestion.endswith("-")


@pytest.mark.parametrize("value", ["9" * 5000, "2024-02-30"])
def test_an_unreadable_value_is_reported_at_its_own_line(atlas_copy: Path, value: str):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    edit(path, "venue:", f"rating_note: {value}\nvenue:")
    problem = next(p for p in errors(atlas_copy) if "cannot read" in p.message)
    assert problem.line == line_of(path, "rating_note:") != 1


def test_macro_definitions_and_oversized_math_in_titles_are_refused(atlas_copy: Path):
    path = atlas_copy / "papers" / f"{PAPER}.yaml"
    edit(path, "Calibrated Language Models", "Calibrated $\\def\\a{xx}\\a$ Language Models")
    assert any("defines a macro" in p.message and p.line == line_of(path, "Calibrated $") for p in errors(atlas_copy))
    huge = "$" + "+".join(f"\\frac{{x_{i}}}{{y^{i}}}" for i in range(60)) + "$"
    assert len(str(title_html(huge))) < MAX_MATHML_CHARACTERS + 1000  # drawn as text, not as 10 KB of MathML
    edit(path, "$\\def\\a{xx}\\a$", huge)
    assert any("characters of MathML" in p.message for p in errors(atlas_copy))


def test_math_payloads_added_with_atlas_add_never_run(atlas_copy: Path, tmp_path: Path, browser: Browser):
    title = "Harmless $\\text{<script>alert(document.domain)</script>}$ and $\\mbox{<img src=x onerror=alert(2)>}$ quantisation"
    source = tmp_path / "math.bib"
    source.write_text(entry("payload", title))
    assert atlas(atlas_copy, "add", "--bibtex", str(source), *LINK).returncode == 0
    site = tmp_path / "site"
    assert atlas(atlas_copy, "build", "--site-dir", str(site)).returncode == 0
    with served(site) as url:
        dialogs: list[str] = []
        for address in ("papers/doe-2024-harmless/", "challenges/efficiency/", "papers/?text=harmless"):
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(url + address)
            page.wait_for_load_state("networkidle")
            assert dialogs == [] and page.locator("article script, article img[src='x']").count() == 0
            assert "<script>alert(document.domain)</script>" in page.locator("article").inner_text()
            page.close()


# Edits that survive


def _payload_bib(tmp_path: Path, key: str, title: str) -> Path:
    source = tmp_path / f"{key}.bib"
    source.write_text(entry(key, title))
    return source


def _state(root: Path) -> tuple[bool, bool]:
    """(a new record is there, its entry is there)."""
    records = {p.name for p in (root / "papers").glob("doe-2024-*.yaml")}
    return bool(records), "Doe, Jane" in (root / "citations.bib").read_text()


def test_a_kill_between_the_two_renames_leaves_both_or_neither(atlas_copy: Path, tmp_path: Path):
    source = _payload_bib(tmp_path, "k", "Killed between two renames")
    before = snapshot(atlas_copy)
    command = [sys.executable, "-m", "atlas.cli", "--root", str(atlas_copy), "add", "--bibtex", str(source), *LINK]
    # renames: 1 the journal, 2 the record, 3 citations.bib: kill at the third, after the record landed
    run = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=rename", "-e", "inject=rename:signal=KILL:when=3", *command], capture_output=True
    )
    assert run.returncode != 0
    assert _state(atlas_copy) == (True, False)  # killed mid-edit: the record without its entry, for now
    assert atlas(atlas_copy, "check").returncode == 0  # the next command puts the atlas back
    assert snapshot(atlas_copy) == before and _state(atlas_copy) == (False, False)
    assert not list((atlas_copy / ".atlas-edit").glob("*.tmp"))


def test_random_kills_leave_both_or_neither(atlas_copy: Path, tmp_path: Path):
    rng = random.Random(24)
    command = [sys.executable, "-m", "atlas.cli", "--root", str(atlas_copy), "add", "--bibtex"]
    for attempt in range(8):
        source = _payload_bib(tmp_path, f"r{attempt}", f"Random kill number {attempt} of the quantised weights")
        process = subprocess.Popen([*command, str(source), *LINK], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        atlas(atlas_copy, "check")  # any command recovers
        for record in (atlas_copy / "papers").glob("doe-2024-*.yaml"):
            assert record.stem in (atlas_copy / "citations.bib").read_text(), f"{record.name} without its entry"
        assert not [p for p in atlas_copy.rglob("*.tmp")], "a temporary file was left behind"
    assert errors(atlas_copy) == []


def test_two_adds_at_once_both_land(atlas_copy: Path, tmp_path: Path):
    command = [sys.executable, "-m", "atlas.cli", "--root", str(atlas_copy), "add", "--bibtex"]
    first = _payload_bib(tmp_path, "c1", "Concurrent addition one about quantised weights")
    second = _payload_bib(tmp_path, "c2", "Concurrent addition two about sampling speed")
    processes = [subprocess.Popen([*command, str(path), *LINK], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for path in (first, second)]
    assert [process.wait() for process in processes] == [0, 0]
    assert len(list((atlas_copy / "papers").glob("doe-2024-*.yaml"))) == 2
    assert (atlas_copy / "citations.bib").read_text().count("Doe, Jane") == 2
    assert errors(atlas_copy) == []


def test_a_second_edit_waits_then_gives_up_with_a_clear_line(atlas_copy: Path):
    from atlas.contribute.transaction import edit_lock

    code = (
        "import sys; from pathlib import Path; from atlas.contribute.transaction import edit_lock, EditBusy\n"
        f"try:\n    with edit_lock(Path({str(atlas_copy)!r}), wait=0.3): pass\nexcept EditBusy as e:\n    print(e); sys.exit(3)\n"
    )
    with edit_lock(atlas_copy):  # a first edit holds on
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 3 and "another atlas command is editing" in result.stdout
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0  # free again


def test_written_files_keep_the_permissions_a_user_expects(atlas_copy: Path, tmp_path: Path):
    source = _payload_bib(tmp_path, "m", "Permissions of the written files")
    assert atlas(atlas_copy, "add", "--bibtex", str(source), *LINK, preexec_fn=lambda: os.umask(0o022)).returncode == 0
    record = next((atlas_copy / "papers").glob("doe-2024-*.yaml"))
    assert stat.S_IMODE(record.stat().st_mode) == 0o644
    assert stat.S_IMODE((atlas_copy / "citations.bib").stat().st_mode) == 0o644


def test_a_read_only_file_system_gives_one_line_and_changes_nothing(tmp_path: Path):
    mount = tmp_path / "ro"
    mount.mkdir()
    copy_atlas(tmp_path / "src")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        root = copy_atlas(mount / "atlas")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        before = snapshot(root)
        result = atlas(root, "add", "--bibtex", str(_payload_bib(tmp_path, "ro", "Read only folder")), *LINK)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "Read-only file system" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert snapshot(root) == before
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_gives_one_line_and_leaves_nothing_half_written(tmp_path: Path):
    mount = tmp_path / "full"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    try:
        root = copy_atlas(mount / "atlas")
        before = snapshot(root)
        filler = mount / "filler"
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=1M", "count=64"], capture_output=True)
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        assert free < 200_000
        # leave room for the journal's first write but not for citations.bib and the record
        subprocess.run(["truncate", "-s", f"-{50_000}", str(filler)], check=True)
        result = atlas(root, "add", "--bibtex", str(_payload_bib(tmp_path, "full", "A full disk")), *LINK)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "No space left on device" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        filler.unlink()
        atlas(root, "check")
        assert snapshot(root) == before
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_busy_port_gives_one_line_naming_the_option(atlas_copy: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = atlas(atlas_copy, "serve", "--addr", f"127.0.0.1:{port}")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"127.0.0.1:{port} is in use" in result.stderr and "--addr" in result.stderr


def test_workflows_grant_write_permissions_only_to_the_deploy_job_and_pin_deploy_pages():
    import yaml

    for path in (REPO / ".github" / "workflows").glob("*.yml"):
        data = yaml.safe_load(path.read_text())
        assert not any(value == "write" for value in (data.get("permissions") or {}).values()), f"{path.name} grants write at the top"
        for name, job in data["jobs"].items():
            granted = {key for key, value in (job.get("permissions") or {}).items() if value == "write"}
            if "pages" in granted or "id-token" in granted:
                assert path.name == "deploy.yml" and name == "deploy", f"{path.name}:{name}"
            for step in job.get("steps", []):
                uses = step.get("uses", "")
                if uses.startswith("actions/checkout") and "contents" not in granted:
                    assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}:{name} keeps the token"
                if uses.startswith("actions/deploy-pages"):
                    assert uses == "actions/deploy-pages@d6db90164ac5ed86f2b6aed7e0febac5b3c0c03e"


def test_the_pull_request_summary_shows_contributor_markdown_as_text():
    import importlib.util

    import markdown

    spec = importlib.util.spec_from_file_location("pr_summary", REPO / "scripts" / "pr-summary.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    typed = '![x](https://example.org/x.png) a `kind` it\'s "quoted" <b>bold</b> **strong** | pipe \x1b[2J'
    html = markdown.markdown(module.cell(typed))
    assert "<img" not in html and "<code>" not in html and "<b>" not in html and "<strong>" not in html
    assert 'it\'s "quoted"' in html and "&#x27;" not in html and "\x1b" not in html
