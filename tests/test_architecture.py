"""The tree is the architecture: small modules and functions, stages by folder, data flowing one way."""

from __future__ import annotations

import ast
import importlib
import pkgutil

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
