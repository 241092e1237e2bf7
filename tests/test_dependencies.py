"""Dependencies stay past their advisories, nothing can include files into pages, a wheel carries every file."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from conftest import REPO

# (package, first fixed version, advisory): a pin below the fixed version fails this test.
ADVISORIES = [
    ("mkdocs-material", "9.7.7", "GHSA-xvg9-69gf-fjrf / CVE-2026-73295: DOM XSS in search suggestions"),
    ("pymdown-extensions", "11.0.2", "path traversal in Snippets and ReDoS, fixed by 11.0.2"),
    ("pymdown-extensions", "13.1.2", "the fixes up to 13.1.2, the floor the maintainers set (issue 15)"),
    ("mkdocs-material", "9.8.2", "the last release of Material 9.8, the floor the maintainers set (issue 15)"),
]


def pinned(pyproject: str | None = None) -> dict[str, str]:
    """The project's pins (of its pyproject.toml, or of the text given): package -> version."""
    project = tomllib.loads(pyproject or (REPO / "pyproject.toml").read_text())["project"]
    pins = {}
    for requirement in project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]:
        name, _, pin = requirement.partition("==")
        assert pin, f"{requirement} is not pinned to one version"
        pins[name.lower()] = pin
    return pins


def known_vulnerable(versions: dict[str, str]) -> list[str]:
    return [
        f"{package}=={versions[package]} is affected by {advisory}"
        for package, fixed, advisory in ADVISORIES
        if package in versions and Version(versions[package]) < Version(fixed)
    ]


def test_every_dependency_is_pinned_to_one_version():
    assert pinned()


def test_no_pinned_or_installed_version_is_known_to_be_vulnerable():
    assert known_vulnerable(pinned()) == []
    assert known_vulnerable({package: version(package) for package, _, _ in ADVISORIES}) == []


def test_the_advisory_check_would_catch_a_vulnerable_pin_of_the_project():
    text = (REPO / "pyproject.toml").read_text()
    old = re.sub(r'"pymdown-extensions==[^"]+"', '"pymdown-extensions==13.1"', text)
    assert known_vulnerable(pinned(old)) == [
        "pymdown-extensions==13.1 is affected by the fixes up to 13.1.2, the floor the maintainers set (issue 15)"
    ]


def test_no_markdown_extension_or_plugin_can_include_files_or_embed_data():
    config = yaml.safe_load(re.sub(r"!!python/\S+", "", (REPO / "mkdocs.yml").read_text()))
    names = [next(iter(item)) if isinstance(item, dict) else item for item in config.get("markdown_extensions", [])]
    plugins = [next(iter(item)) if isinstance(item, dict) else item for item in config.get("plugins", [])]
    forbidden = ("snippets", "b64", "include", "macros")
    assert not [name for name in names + plugins if any(word in name for word in forbidden)]


def test_the_wheel_carries_every_file_of_the_package_and_building_it_warns_of_nothing(tmp_path: Path):
    """A file of atlas/ that the package configuration leaves out would be missing from an installed (not
    editable) atlas; setuptools says so with a warning, which a fresh clone's `make site` must not print."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Warning" not in built.stdout + built.stderr, built.stderr
    (wheel,) = tmp_path.glob("*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(["git", "ls-files", "atlas"], cwd=REPO, capture_output=True, text=True, check=True)
    missing = [name for name in tracked.stdout.split() if name not in shipped]
    assert not missing, f"the wheel lacks {missing}: list them in [tool.setuptools.package-data] of pyproject.toml"


def test_the_makefile_installs_the_atlas_without_a_setuptools_warning(tmp_path: Path):
    venv = tmp_path / "venv"
    installed = subprocess.run(
        ["make", "--no-print-directory", f"VENV={venv}", "PIP_FLAGS=--no-deps", "install"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    output = installed.stdout + installed.stderr
    assert "setuptools" not in output and "BuildBackendWarning" not in output, output
    assert (venv / "bin" / "atlas").exists()


# The Material templates that atlas/engine/theme/ copies and changes, each with the sha256 of the original it was
# copied from (a block of it, where only one block is copied): an upgrade that changes one fails here, so
# the copy is compared and brought up to date before the upgrade lands.
COPIED_FROM_MATERIAL = [
    ("partials/language.html", None, "3a44516f305006ac794f51a45ad7b532cf270916d8e92e8c42784e58b2eff0a3"),
    ("base.html", "site_nav", "08b0b8418133d46ea078a7737f096bed62048ed4be5f9c1ba790b3cd3f498cbc"),
    ("partials/toc.html", None, "fde48f583563364b0e0e6865a5ab1e7060ec1826161f69f5cbee653e621b0f84"),
]


@pytest.mark.parametrize(("template", "block", "digest"), COPIED_FROM_MATERIAL)
def test_the_copied_material_templates_match_the_installed_originals(template: str, block: str | None, digest: str):
    import material

    text = (Path(material.__file__).parent / "templates" / template).read_text(encoding="utf-8")
    if block:
        text = re.search(rf"\{{% block {block} %\}}.*?\{{% endblock %\}}", text, re.S).group(0)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == digest, f"Material's {template} changed: compare atlas/engine/theme's copy"
