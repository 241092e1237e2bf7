"""The `atlas` command as a contributor meets it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from atlas.pipeline import valid_atlas

from conftest import REPO

ATLAS = [sys.executable, "-m", "atlas.cli"]


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ATLAS, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_check_passes_on_the_real_atlas():
    result = run("check")
    assert result.returncode == 0, result.stderr
    model = valid_atlas(REPO)
    assert f"atlas check: ok: {len(model.challenges)} challenges, {len(model.papers)} papers" in result.stdout


def test_check_acts_on_root_from_anywhere(tmp_path: Path):
    result = run("--root", str(REPO), "check", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_check_reports_every_problem_with_path_and_line_and_no_traceback(atlas_copy: Path):
    (atlas_copy / "papers" / "not-yaml.yaml").write_text("title: [\n")
    (atlas_copy / "papers" / "empty.yaml").write_text("")
    (atlas_copy / "papers" / "list.yaml").write_text("- just\n- a list\n")
    result = run("--root", str(atlas_copy), "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "papers/not-yaml.yaml:2: is not valid YAML" in result.stderr
    assert "papers/empty.yaml:1: is empty; a record is a YAML mapping of fields" in result.stderr
    assert "papers/list.yaml:1: a paper record must be a mapping of fields (key: value)" in result.stderr
    assert "nothing was changed" in result.stderr


def test_build_refuses_bad_data_and_keeps_the_previous_site(atlas_copy: Path, tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("previous build")
    (atlas_copy / "papers" / "bad.yaml").write_text("title: x\ntitle: y\n")
    result = run("--root", str(atlas_copy), "build", "--site-dir", str(site))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "papers/bad.yaml:2: repeats the key 'title'" in result.stderr
    assert (site / "index.html").read_text() == "previous build"


def test_build_failure_in_the_engine_keeps_the_previous_site(atlas_copy: Path, tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("previous build")
    config = atlas_copy / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - About: about.md", "  - About: missing-page.md"))
    result = run("--root", str(atlas_copy), "build", "--site-dir", str(site))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "previous site is untouched" in result.stderr
    assert (site / "index.html").read_text() == "previous build"
    assert not any(p.name.startswith(".site.") for p in tmp_path.iterdir())


def test_import_of_a_missing_seed_is_a_clear_error(atlas_copy: Path):
    result = run("--root", str(atlas_copy), "import", "no-such-seed.txt")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no-such-seed.txt:1: not found" in result.stderr


def test_import_command_creates_records_from_the_real_seeds(tmp_path: Path):
    from conftest import seed

    (tmp_path / "papers").mkdir()
    result = run("--root", str(tmp_path), "import", str(seed("002")), str(seed("003")), str(seed("004")))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"{seed('002').name}: 62 new, 0 merged, 0 already there" in lines
    assert f"{seed('003').name}: 85 new, 0 merged, 0 already there, venue iclr-2024-submission" in lines
    assert f"{seed('004').name}: 52 new, 2 merged, 0 already there" in lines
    assert len(list((tmp_path / "papers").glob("*.yaml"))) == 199


def test_a_build_with_a_broken_internal_link_fails_naming_it_and_keeps_the_previous_site(atlas_copy: Path):
    site = atlas_copy / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous site")
    about = atlas_copy / "docs" / "about.md"
    about.write_text(about.read_text() + "\n\nSee [the missing page](/atlas/no-such-page/) and [a missing part](#no-such-part).\n")
    result = run("--root", str(atlas_copy), "build")
    assert result.returncode == 1, result.stdout
    assert "broken link: /about/index.html: /atlas/no-such-page/ (no such page or file)" in result.stderr
    assert "#no-such-part" in result.stderr and "Traceback" not in result.stderr
    assert "2 broken internal link(s); the previous site is untouched" in result.stderr
    assert (site / "index.html").read_text() == "the previous site"
    assert not [path.name for path in atlas_copy.iterdir() if path.name.startswith(".site.")]
