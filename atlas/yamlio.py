"""Reading and writing record files.

Reading is strict where PyYAML is lenient: duplicate keys, tags, anchors and aliases, deep nesting,
oversized and non-UTF-8 files are all reported as problems with a line number, never as tracebacks.
Writing produces the one canonical form that records are reviewed in.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from atlas.model import Problem

MAX_BYTES = 1_000_000
MAX_DEPTH = 20
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class LineMap(dict):
    """A mapping that remembers its own line and the line of each key."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that remembers its own line and the line of each item."""

    line: int = 1
    item_lines: list[int]


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_text(path: Path, shown: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or problems saying why it cannot be read as a record."""
    try:
        if path.is_symlink():
            return None, [Problem(shown, 1, "is a symbolic link; commit the file itself")]
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [Problem(shown, 1, f"is {size:,} bytes; a record is at most {MAX_BYTES:,}")]
        data = path.read_bytes()
    except OSError as error:
        return None, [Problem(shown, 1, f"cannot be read ({error.strerror}); check the path")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = _line_of_offset(data, error.start)
        return None, [Problem(shown, line, "is not UTF-8 text; save the file as UTF-8")]
    if text.startswith("\ufeff"):
        return None, [Problem(shown, 1, "starts with a byte-order mark (BOM); save it as UTF-8 without BOM")]
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        return None, [Problem(shown, line, "has Windows or old Mac line endings (CR); save it with LF line endings")]
    return text, []


def _scan_hazards(text: str, shown: str) -> list[Problem]:
    """Refuse anchors, aliases, explicit tags and deep nesting before building anything."""
    problems: list[Problem] = []
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            problems.append(Problem(shown, line, "uses an alias (*name); write the value out"))
            continue
        anchor = getattr(event, "anchor", None)
        if anchor:
            problems.append(Problem(shown, line, f"uses an anchor (&{anchor}); write the value out"))
        tag = getattr(event, "tag", None)
        implicit = getattr(event, "implicit", True)
        explicit = tag and not (implicit if isinstance(implicit, bool) else any(implicit))
        if explicit:
            problems.append(Problem(shown, line, f"uses the tag {tag}; remove it (records are plain YAML)"))
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                problems.append(Problem(shown, line, f"nests deeper than {MAX_DEPTH} levels"))
                break
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if len(problems) > 50:
            break
    return problems


class _Builder:
    """Turns a composed node tree into LineMap/LineList/scalars, reporting duplicate keys."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []
        self.constructor = yaml.constructor.SafeConstructor()

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            mapping = LineMap()
            mapping.line = node.start_mark.line + 1
            mapping.key_lines = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(Problem(self.shown, key_line, "has a key that is not text"))
                    continue
                key = key_node.value
                if key in mapping:
                    first = mapping.key_lines[key]
                    self.problems.append(Problem(self.shown, key_line, f"repeats the key '{key}' (first on line {first}); keep one"))
                    continue
                mapping[key] = self.build(value_node)
                mapping.key_lines[key] = key_line
            return mapping
        if isinstance(node, yaml.SequenceNode):
            items = LineList(self.build(item) for item in node.value)
            items.line = node.start_mark.line + 1
            items.item_lines = [item.start_mark.line + 1 for item in node.value]
            return items
        value = self.constructor.construct_object(node)
        return value


def parse_yaml(text: str, shown: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document; returns (value, problems), value None when unusable."""
    try:
        problems = _scan_hazards(text, shown)
        if problems:
            return None, problems
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        reason = error.problem or error.context or "is not valid YAML"
        return None, [Problem(shown, line, f"is not valid YAML: {reason}; fix the syntax")]
    except (yaml.YAMLError, RecursionError) as error:
        return None, [Problem(shown, 1, f"is not valid YAML ({type(error).__name__}); fix the syntax")]
    if not nodes:
        return None, [Problem(shown, 1, "is empty; a record is a YAML mapping of fields")]
    if len(nodes) > 1:
        line = nodes[1].start_mark.line + 1
        return None, [Problem(shown, line, "holds more than one YAML document; keep one record per file")]
    builder = _Builder(shown)
    try:
        value = builder.build(nodes[0])
    except (yaml.YAMLError, ValueError, TypeError) as error:
        return None, [Problem(shown, 1, f"has a value YAML cannot read ({error}); quote it")]
    return value, builder.problems


def load_yaml_file(path: Path, shown: str) -> tuple[Any, list[Problem]]:
    text, problems = read_text(path, shown)
    if text is None:
        return None, problems
    return parse_yaml(text, shown)


class _CanonicalDumper(_Dumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else (">" if len(value) > 90 else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CanonicalDumper.add_representer(str, _represent_str)
_CanonicalDumper.add_representer(LineMap, _Dumper.represent_dict)


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.Node:
    """Short lists of plain values on one line ([8, 6, 6]); everything else one item a line."""
    plain = all(isinstance(i, (int, float)) or (isinstance(i, str) and len(i) < 40 and "\n" not in i) for i in items)
    flow = bool(items) and plain and sum(len(str(i)) + 2 for i in items) <= 70
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


_CanonicalDumper.add_representer(list, _represent_list)
_CanonicalDumper.add_representer(LineList, _represent_list)


def dump_record(record: dict[str, Any]) -> str:
    """The canonical text of a record: keys in the given order, long text as block scalars."""
    return yaml.dump(
        record,
        Dumper=_CanonicalDumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
        indent=2,
    )


def in_field_order(record: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """The record with its known fields in their canonical order, any others after them."""
    known = {key: record[key] for key in fields if key in record}
    return known | {key: value for key, value in record.items() if key not in known}


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
