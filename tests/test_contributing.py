"""The pull-request flow: workflows run the README's commands, pinned; pre-commit and the PR summary work."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pybtex.database
import pytest
import yaml

from atlas.records.yamlio import load_yaml_file

from conftest import REPO, copy_atlas

WORKFLOWS = REPO / ".github" / "workflows"


def workflow(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(data: dict) -> list[dict]:
    return [step for job in data["jobs"].values() for step in job.get("steps", [])]


def readme_commands() -> list[str]:
    quick_start = (REPO / "README.md").read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick_start, re.S).group(1)
    return [line.split("#")[0].strip() for line in block.splitlines() if line.split("#")[0].strip()]


def test_readme_quick_start_is_make_site_then_make_test_and_ci_runs_the_same():
    assert readme_commands() == ["make site", "make test"]
    ci = [line.split("#")[0].strip() for line in (REPO / ".ci" / "run").read_text().splitlines() if line.startswith("make ")]
    assert [line for line in ci if line in readme_commands()] == readme_commands() and ci[-1] == "make test"


def test_the_readme_is_a_guide_of_at_most_200_lines_whose_paths_and_commands_exist():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200, "measurements go to benchmarks/README.md, module details to atlas/README.md"
    named = set(re.findall(r"`((?:[\w.-]+/)*[\w-]+\.(?:md|yml|py|cff|json|bib))`", readme))
    assert {"benchmarks/README.md", "atlas/README.md", "CONTRIBUTING.md", "docs/about.md"} <= named
    assert [path for path in named if "<" not in path and not (REPO / path).exists()] == []
    listed = set(re.findall(r"^\| `atlas ([a-z-]+)", readme, re.M))
    result = subprocess.run([sys.executable, "-m", "atlas.cli", "--help"], capture_output=True, text=True, check=True)
    assert listed == set(re.findall(r"^    ([a-z-]+)\s", result.stdout, re.M)), "the commands table names every command, and only those"


def test_check_workflow_answers_records_in_debian_bookworm_and_runs_the_suite_when_code_changes():
    data = workflow("check.yml")
    assert "pull_request" in data["on"] and data["on"]["push"]["branches"] == ["main"]
    records, tests = data["jobs"]["records"], data["jobs"]["tests"]
    for job in (records, tests):
        assert job["container"] == "python:3.11-bookworm", "Debian's chromium, as .ci/run has it (Ubuntu's is a snap)"
    record_runs = [step.get("run", "") for step in records["steps"]]
    assert "make site" in record_runs and not any("make test" in run for run in record_runs)
    assert any(run.startswith(".venv/bin/atlas check --base") for run in record_runs)
    assert any("pr-summary.py" in run and "GITHUB_STEP_SUMMARY" in run for run in record_runs)
    test_runs = [step.get("run", "") for step in tests["steps"]]
    assert [run for run in test_runs if run.startswith("make ")] == readme_commands()
    assert test_runs.index("scripts/system-packages.sh") < test_runs.index("make test")
    assert tests["needs"] == "changes" and tests["if"] == "needs.changes.outputs.code == 'true'"
    assert "scripts/changed-code.sh" in "\n".join(step.get("run", "") for step in data["jobs"]["changes"]["steps"])
    ci = (REPO / ".ci" / "run").read_text()
    assert "scripts/system-packages.sh" in ci and "scripts/system-packages.sh" in (REPO / "Makefile").read_text()


def _repository_with(tmp_path: Path, changed: str) -> Path:
    root = tmp_path / changed.replace("/", "-")
    (root / "papers").mkdir(parents=True)
    (root / "papers" / "a.yaml").write_text("title: A\n")
    (root / "atlas.py").write_text("x = 1\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    subprocess.run(["git", "checkout", "-qb", "feature"], cwd=root, check=True)
    (root / changed).parent.mkdir(parents=True, exist_ok=True)
    (root / changed).write_text("changed\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "change"], cwd=root, check=True)
    return root


DATA_ONLY = ["papers/a.yaml", "citations.bib", "scripts/papers/found.yaml"]


@pytest.mark.parametrize(("changed", "code"), [*((path, "false") for path in DATA_ONLY), ("atlas.py", "true"), ("pyproject.toml", "true")])
def test_a_data_only_change_skips_the_whole_suite_and_any_other_change_runs_it(tmp_path: Path, changed: str, code: str):
    root = _repository_with(tmp_path, changed)
    result = subprocess.run([str(REPO / "scripts" / "changed-code.sh"), "main"], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout == f"code={code}\n"


def test_the_workflows_follow_githubs_schema_and_zizmor_finds_nothing_above_low_severity():
    tools = Path(sys.executable).parent
    schema = subprocess.run(
        [str(tools / "check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *map(str, sorted(WORKFLOWS.glob("*.yml")))],
        capture_output=True,
        text=True,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr
    audit = subprocess.run(
        [str(tools / "zizmor"), "--offline", "--no-progress", "--min-severity", "medium", str(WORKFLOWS)], capture_output=True, text=True
    )
    assert audit.returncode == 0, audit.stdout + audit.stderr


def test_deploy_workflow_builds_with_the_readme_command_and_publishes_the_site_folder():
    data = workflow("deploy.yml")
    assert data["on"]["push"]["branches"] == ["main"]
    runs = [step.get("run", "") for step in steps(data)]
    assert "make site" in runs
    upload = next(step for step in steps(data) if step.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "site"
    checkout = next(step for step in steps(data) if step.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0, "the feeds date papers by git history: a shallow clone re-dates them all"


def test_refresh_workflow_runs_weekly_and_opens_a_pull_request_with_the_changes():
    data = workflow("refresh.yml")
    assert data["on"]["schedule"][0]["cron"]
    runs = [step.get("run", "") for step in steps(data)]
    assert ".venv/bin/atlas refresh" in runs and "make install" in runs
    uses = [step.get("uses", "") for step in steps(data)]
    opened = next(i for i, use in enumerate(uses) if use.startswith("peter-evans/create-pull-request@"))
    checked = next(i for i, run in enumerate(runs) if ".venv/bin/atlas check" in run and "make test" in run)
    assert checked < opened, "a pull request opened with GITHUB_TOKEN triggers no workflow: the refresh checks itself"


def test_release_workflow_checks_the_version_against_citation_cff_and_tags_it():
    data = workflow("release.yml")
    assert "version" in data["on"]["workflow_dispatch"]["inputs"]
    job = data["jobs"]["release"]
    assert job["env"]["VERSION"] == "${{ inputs.version }}"
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "CITATION.cff" in script and 'gh release create "v$VERSION"' in script and "make site" in script
    assert "${{ inputs" not in script, "inputs reach the shell only through the environment"


def test_every_action_is_pinned_to_a_commit_with_its_tag_in_a_comment():
    for path in WORKFLOWS.glob("*.yml"):
        for line in path.read_text().splitlines():
            if (used := re.match(r"^\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@(\S+)(.*)$", line)) is None:
                continue
            _, ref, comment = used.groups()
            assert re.fullmatch(r"[0-9a-f]{40}", ref) and re.fullmatch(r"\s+# v\d+\.\d+\.\d+", comment), (path.name, line)


def test_generated_output_is_ignored_never_committed():
    ignored = (REPO / ".gitignore").read_text().split()
    assert {"/site/", ".venv/"} <= set(ignored)  # the built site at the top; atlas/site/ is code
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split()
    assert not [path for path in tracked if path.startswith(("site/", ".venv/", "node_modules/"))]


def test_pre_commit_configuration_is_valid_and_its_atlas_check_hook_catches_a_bad_record(tmp_path: Path):
    tool = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert subprocess.run([tool, "validate-config", str(REPO / ".pre-commit-config.yaml")], capture_output=True).returncode == 0
    root = copy_atlas(tmp_path / "repo")
    shutil.copy2(REPO / ".pre-commit-config.yaml", root)
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "atlas").symlink_to(Path(sys.executable).parent / "atlas")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    good = subprocess.run([tool, "run", "atlas-check", "--all-files"], cwd=root, capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    (root / "papers" / "broken.yaml").write_text("title: x\ntitle: y\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    bad = subprocess.run([tool, "run", "atlas-check", "--all-files"], cwd=root, capture_output=True, text=True)
    assert bad.returncode == 1 and "papers/broken.yaml:2: repeats the key 'title'" in bad.stdout


def test_pr_summary_lists_the_papers_a_branch_adds_with_their_challenges(tmp_path: Path):
    root = copy_atlas(tmp_path / "repo")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    subprocess.run(["git", "checkout", "-qb", "feature"], cwd=root, check=True)
    bib = tmp_path / "new.bib"
    bib.write_text("@misc{x,\n  title = {A Brand New Study of Sampling Speed | Pipes},\n  year = {2025}\n}\n")
    why = "Measures how many network evaluations samplers need."
    add = [sys.executable, "-m", "atlas.cli", "--root", str(root), "add", "--bibtex", str(bib)]
    assert subprocess.run([*add, "--challenge", "efficiency/fast-sampling", "--kind", "analysis", "--why", why]).returncode == 0
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "add"], cwd=root, check=True)
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "pr-summary.py"), "--base", "main", "--root", str(root)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "## Atlas: 1 paper(s) added, 0 record(s) changed, 0 removed" in result.stdout
    assert (
        "| A Brand New Study of Sampling Speed \\| Pipes (brand\\-new\\-study) | efficiency/fast\\-sampling | analysis |"
        " Measures how many network evaluations samplers need\\. |" in result.stdout
    )
    assert "reports no problem" in result.stdout
    facts = result.stdout.split("### The facts of each paper added, with their sources", 1)[1]
    assert "**A Brand New Study of Sampling Speed \\| Pipes** (brand\\-new\\-study)" in facts
    assert "- published: 2025\n" in facts and "- authors: none given\n" in facts
    assert re.search(r"^- source contributor .+: gives title, year$", facts, re.M), facts


def test_external_links_are_checked_by_a_scheduled_workflow_only():
    data = workflow("links.yml")
    assert "schedule" in data["on"] and "pull_request" not in data["on"]
    assert ".venv/bin/atlas links --external" in [step.get("run", "") for step in steps(data)]
    for path in WORKFLOWS.glob("*.yml"):
        if path.name != "links.yml":
            assert "--external" not in path.read_text(), path.name


def test_the_external_link_checker_reports_what_does_not_answer(tmp_path: Path):
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from atlas.engine.linkcheck import broken_external_links

    served = tmp_path / "served"
    served.mkdir()
    (served / "ok.html").write_text("fine")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(f'<a href="{base}/ok.html">ok</a> <a href="{base}/gone.html">gone</a> <a href="#top">here</a>')
    try:
        broken = broken_external_links(site, timeout=5)
    finally:
        server.shutdown()
    assert [(b.target, b.reason.split(";")[0]) for b in broken] == [(f"{base}/gone.html", "HTTP 404")]


def _committed(root: Path) -> Path:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=root, check=True)
    return root


def _hand_written(root: Path) -> tuple[Path, str]:
    """A contributor's edit of a real record: the abstract typed as one long line, valid YAML all the same."""
    path = root / "papers" / "song-2023-consistency.yaml"
    data, _ = load_yaml_file(path, "x")
    lines = path.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("abstract:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("  "))
    lines[start:end] = ["abstract: " + json.dumps(data["abstract"]) + "\n"]
    path.write_text("".join(lines))
    return path, data["abstract"]


def atlas_cli(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "GITHUB_ACTIONS"} | env
    return subprocess.run([sys.executable, "-m", "atlas.cli", "--root", str(root), *args], capture_output=True, text=True, env=environment)


def test_check_tells_a_changed_record_out_of_canonical_form_to_run_fmt_and_fmt_rewrites_it(tmp_path: Path):
    root = _committed(copy_atlas(tmp_path / "repo"))
    path, abstract = _hand_written(root)
    assert load_yaml_file(path, "x")[0]["abstract"] == abstract  # the same record, laid out otherwise
    result = atlas_cli(root, "check")
    assert result.returncode == 1
    wanted = "papers/song-2023-consistency.yaml:5: is valid but not in the layout records are written in"
    assert wanted in result.stderr and "run `atlas fmt papers/song-2023-consistency.yaml`" in result.stderr
    assert result.stderr.count("not in the layout") == 1  # only the changed record is compared
    fixed = atlas_cli(root, "fmt", "papers/song-2023-consistency.yaml")
    assert fixed.returncode == 0 and "rewrote 1 of 1 record(s)" in fixed.stdout
    assert load_yaml_file(path, "x")[0]["abstract"] == abstract
    assert subprocess.run(["git", "diff", "--quiet"], cwd=root).returncode == 0  # back to the committed text
    assert atlas_cli(root, "check").returncode == 0
    assert "rewrote 0 of" in atlas_cli(root, "fmt").stdout  # every record already canonical


def test_fmt_leaves_a_record_it_cannot_read_as_it_is_and_says_where(tmp_path: Path):
    root = _committed(copy_atlas(tmp_path / "repo"))
    broken = root / "papers" / "broken.yaml"
    broken.write_text("title: x\ntitle: y\n")
    result = atlas_cli(root, "fmt")
    assert result.returncode == 1 and "papers/broken.yaml:2: repeats the key 'title'" in result.stderr
    assert broken.read_text() == "title: x\ntitle: y\n"


def test_under_github_actions_check_also_annotates_the_lines_of_the_pull_request(tmp_path: Path):
    root = _committed(copy_atlas(tmp_path / "repo"))
    path = root / "papers" / "song-2023-consistency.yaml"
    path.write_text(path.read_text().replace("kind: method", "kind: methods, 100% new", 1))
    plain = atlas_cli(root, "check")
    assert "::error" not in plain.stdout + plain.stderr
    result = atlas_cli(root, "check", GITHUB_ACTIONS="true")
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "kind: methods" in text)
    assert len(annotations) == 1 and annotations[0].startswith(
        f"::error file=papers/song-2023-consistency.yaml,line={line},title=atlas check::"
    )
    assert "100%25 new" in annotations[0] and "\n" not in annotations[0]  # escaped as workflow commands require
    assert f"papers/song-2023-consistency.yaml:{line}:" in result.stderr  # and still path:line for people


def _block(text: str, after: str, language: str) -> str:
    """The first fenced block of `language` after the heading `after`."""
    return text.split(after, 1)[1].split(f"```{language}\n", 1)[1].split("```\n", 1)[0]


def test_contributing_shows_a_real_record_its_bib_entry_and_the_summary_its_pull_request_gets(tmp_path: Path):
    guide = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
    record = REPO / "papers" / "song-2023-consistency.yaml"
    assert _block(guide, "## A complete record", "yaml") == record.read_text(encoding="utf-8")
    shown = pybtex.database.parse_string(_block(guide, "## A complete record", "bibtex"), "bibtex").entries
    committed = pybtex.database.parse_file(REPO / "citations.bib").entries["song-2023-consistency"]
    assert dict(shown["song-2023-consistency"].fields) == {
        name: value for name, value in committed.fields.items() if not name.startswith("survey")
    }
    # The summary, as the workflow writes it for a branch that adds this record to an atlas without it.
    root = copy_atlas(tmp_path / "repo")
    (root / "papers" / record.name).unlink()
    bib = (root / "citations.bib").read_text(encoding="utf-8")
    start = bib.index("@inproceedings{song-2023-consistency,")
    end = bib.index("\n}\n", start) + 3
    (root / "citations.bib").write_text(bib[:start] + bib[end:].lstrip("\n"), encoding="utf-8")
    _committed(root)
    (root / "papers" / record.name).write_text(record.read_text(encoding="utf-8"), encoding="utf-8")
    (root / "citations.bib").write_text(bib, encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "add the record"], cwd=root, check=True)
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "pr-summary.py"), "--base", "HEAD~1", "--root", str(root)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    quoted = guide.split("## What the pull request shows", 1)[1].split("\n\n> ", 1)[1]
    quoted = "> " + quoted.split("\n\n", 1)[0]
    assert [line.removeprefix(">").removeprefix(" ") for line in quoted.splitlines()] == result.stdout.rstrip("\n").splitlines()


SYSTEM_PACKAGES = REPO / "scripts" / "system-packages.sh"


def test_without_the_system_packages_a_non_root_user_is_told_the_exact_apt_line(tmp_path: Path):
    tools = tmp_path / "bin"  # a PATH with only what the script itself runs: no Chromium, dot, bibtex, java, npm
    tools.mkdir()
    for tool in ("bash", "id"):
        (tools / tool).symlink_to(shutil.which(tool))
    result = subprocess.run(
        [shutil.which("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups", str(tools / "bash"), str(SYSTEM_PACKAGES)],
        capture_output=True, text=True, env={"PATH": str(tools)},
    )  # fmt: skip
    assert result.returncode == 1
    apt = "sudo apt-get update && sudo apt-get install -y chromium graphviz texlive-latex-base default-jre-headless nodejs npm"
    assert result.stderr.splitlines()[-1].strip() == apt
