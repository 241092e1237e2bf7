"""The tree is the architecture: small modules and functions, stages by folder, data flowing one way."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Iterator

import atlas

from conftest import REPO

PACKAGE = REPO / "atlas"
# What each stage may import of the atlas: itself, the stages before it, and atlas.background (the worker policy).
MAY_IMPORT = {
    "records": {"records", "background"},
    "graph": {"records", "graph", "background"},
    "relate": {"records", "relate", "background"},
    "site": {"records", "graph", "relate", "site", "background"},
    "engine": {"records", "graph", "relate", "site", "engine", "background"},
    "contribute": {"records", "relate", "contribute", "background", "pipeline", "cli"},
}


def test_every_module_imports():
    for module in pkgutil.walk_packages(atlas.__path__, "atlas."):
        importlib.import_module(module.name)


def test_the_top_holds_at_most_six_modules_and_no_module_or_function_is_long():
    assert len(list(PACKAGE.glob("*.py"))) <= 6
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 450, f"{path.relative_to(REPO)} has {len(text.splitlines())} lines; split it by job"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                assert length <= 80, f"{path.relative_to(REPO)}:{node.lineno}: {node.name} has {length} lines; one job a function"


def test_data_flows_one_way_between_the_stages():
    for stage, allowed in MAY_IMPORT.items():
        for path in (PACKAGE / stage).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("atlas."):
                    imported = node.module.split(".")[1]
                    assert imported in allowed, f"{path.relative_to(REPO)}:{node.lineno} imports atlas.{imported}"


BIBTEX_WRITER = PACKAGE / "records" / "bibtex_writer.py"
_VALUE = "\x00"  # what an f-string's {value} reads as below
# `@type{` or `@{kind}{` opens an entry; `name = {` or `{name} = {` writes a field
_BIBTEX_TEXT = re.compile(r"@(?:\w+|\x00)\{|(?:\w|\x00) = \{")


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every string the code holds, an f-string with each value it puts in as _VALUE."""
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(part.value if isinstance(part, ast.Constant) else _VALUE for part in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_one_module_writes_bibtex_entries():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        strings = list(_strings(ast.parse(path.read_text(encoding="utf-8"))))
        writes = sorted({f"{path.relative_to(REPO)}:{line}" for line, text in strings if _BIBTEX_TEXT.search(text)})
        if path == BIBTEX_WRITER:
            assert writes, "the pattern no longer finds the writer's own entry text"
        else:
            found += writes
    assert not found, f"only atlas/records/bibtex_writer.py writes BibTeX entry text; use it instead: {found}"
