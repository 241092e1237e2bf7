"""The tree is the architecture: small modules and functions, stages by folder, data flowing one way."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
from radon.complexity import cc_visit
from radon.visitors import Class, Function

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
    "contribute": {"records", "relate", "contribute", "background", "pipeline", "terminal"},
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


def module_name(path: Path) -> str:
    """The dotted name of an atlas source file (a package by its folder)."""
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _run_time_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node of the tree but those under `if TYPE_CHECKING:`, whose imports only the type checker reads."""
    waiting = [tree]
    while waiting:
        node = waiting.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and ast.unparse(child.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
                waiting.extend(child.orelse)
            else:
                waiting.append(child)


def imported_modules(path: Path, modules: set[str]) -> dict[str, int]:
    """The atlas modules a source file imports when it runs, each with the line of its first import: at
    the top, in a function or by `importlib.import_module("atlas.x")` (not under TYPE_CHECKING).
    `from atlas.x import y` names the module atlas.x.y when y is one, else atlas.x."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in _run_time_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _from_module(node, package)
            names = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source for alias in node.names]
        elif isinstance(node, ast.Call) and ast.unparse(node.func) == "importlib.import_module" and isinstance(node.args[0], ast.Constant):
            names = [str(node.args[0].value)]
        for imported in names:
            if imported in modules and imported != name:
                found[imported] = min(found.get(imported, node.lineno), node.lineno)
    return found


def _from_module(node: ast.ImportFrom, package: str) -> str:
    """The module a `from ... import` reads, a relative one resolved against the file's package."""
    if not node.level:
        return node.module or ""
    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
    return ".".join([*parent, node.module] if node.module else parent)


def import_graph() -> nx.DiGraph:
    """Every atlas module and the atlas modules it imports, read from the source (nothing is imported)."""
    paths = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(paths)
    for name, path in paths.items():
        for imported, line in imported_modules(path, set(paths)).items():
            graph.add_edge(name, imported, where=f"{path.relative_to(REPO)}:{line}")
    return graph


def test_no_module_imports_itself_through_others():
    """A cycle makes the import order matter and the stages a tangle, even when each import sits in a function."""
    graph = import_graph()
    cycles = [
        ", ".join(
            f"{source} imports {target} ({graph.edges[source, target]['where']})"
            for source, target in zip(cycle, [*cycle[1:], cycle[0]], strict=True)
        )
        for cycle in nx.simple_cycles(graph)
    ]
    assert not cycles, "import cycles, each to be broken by moving what both sides need to a module of its own: " + "; ".join(cycles)


def test_the_import_graph_sees_imports_inside_functions():
    """The cycle test's own reading: cli.py imports the contribute commands only inside a function."""
    graph = import_graph()
    assert graph.has_edge("atlas.cli", "atlas.contribute.commands")
    assert graph.has_edge("atlas.cli", "atlas.engine")  # importlib.import_module("atlas.engine")


MOST_PATHS = 20  # radon's count: ruff's C901 (capped in pyproject.toml) counts neither `and`/`or` nor comprehensions


def _functions(blocks: list, outer: str = "") -> Iterator[tuple[str, Function]]:
    """Every function radon sees among `blocks`, by name: methods, methods of inner classes, closures at any depth
    (named `enclosing.closure`)."""
    for block in blocks:
        if isinstance(block, Class):
            yield from _functions(block.methods, outer)
            yield from _functions(block.inner_classes, outer)
        elif isinstance(block, Function):
            yield outer + block.fullname, block
            yield from _functions(block.closures, f"{outer}{block.fullname}.")


def complexities(source: str) -> dict[str, Function]:
    """radon's cyclomatic complexity of each function of `source`, by name (cc_visit lists a method in its class too)."""
    return dict(_functions([block for block in cc_visit(source) if not (isinstance(block, Function) and block.is_method)]))


def test_no_function_has_more_than_twenty_paths():
    """A function with more paths than a reader can hold is split into functions that each do one thing."""
    over = [
        f"{path.relative_to(REPO)}:{function.lineno}: {name} {function.complexity}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, function in complexities(path.read_text(encoding="utf-8")).items()
        if function.complexity > MOST_PATHS
    ]
    assert not over, f"cyclomatic complexity over {MOST_PATHS}, to split: " + "; ".join(over)


def test_the_complexity_reading_sees_methods_closures_and_boolean_operators():
    """The test above reads every function: a method, a closure inside it, each `and` and comprehension counted."""
    source = (
        "class Outer:\n"
        "    class Inner:\n"
        "        def method(self, a, b):\n"
        "            def closure():\n"
        "                return [x for x in a if x] if a and b or not a else None\n"
        "            return closure\n"
    )
    found = {name: function.complexity for name, function in complexities(source).items()}
    assert found == {"Inner.method": 1, "Inner.method.closure": 6}
