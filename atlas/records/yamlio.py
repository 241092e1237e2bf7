"""Reading and writing record files.

Reading is strict where PyYAML is lenient: duplicate keys, tags, anchors and aliases, deep nesting,
oversized and non-UTF-8 files are all reported as problems with a line number, never as tracebacks.
Writing produces the one canonical form that records are reviewed in.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from atlas.records.characters import HIDDEN, describe, hidden_characters, hidden_message
from atlas.records.model import Problem

MAX_BYTES = 1_000_000
MAX_DEPTH = 20
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
if TYPE_CHECKING:  # libyaml's dumper, when installed, has the pure-Python one's interface
    _Dumper = yaml.SafeDumper
else:
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


def _read_bytes(path: Path, size: int) -> bytes:
    """The whole file, read without a Python file object (a third of the cost for small files)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(descriptor, size + 1):  # usually one read, then the end
            chunks.append(chunk)
    finally:
        os.close(descriptor)
    return b"".join(chunks)


def read_text(path: Path, shown: str) -> tuple[str | None, list[Problem]]:
    """The file's text, or problems saying why it cannot be read as a record."""
    try:
        status = os.lstat(path)  # one system call tells both "is it a link" and its size
        if stat.S_ISLNK(status.st_mode):
            return None, [Problem(shown, 1, "is a symbolic link; commit the file itself")]
        if status.st_size > MAX_BYTES:
            return None, [Problem(shown, 1, f"is {status.st_size:,} bytes; a record is at most {MAX_BYTES:,}")]
        data = _read_bytes(path, status.st_size)
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


def _hazards_of(event: Any, shown: str) -> list[Problem]:
    """The anchor and explicit tag of one event, if it has them."""
    problems = []
    line = event.start_mark.line + 1
    if anchor := event.anchor:
        problems.append(Problem(shown, line, f"uses an anchor (&{anchor}); write the value out"))
    tag, implicit = event.tag, event.implicit
    if tag and not (implicit if isinstance(implicit, bool) else any(implicit)):
        problems.append(Problem(shown, line, f"uses the tag {tag}; remove it (records are plain YAML)"))
    return problems


def _read_events(loader: Any, shown: str) -> tuple[list[Any], list[int], list[Problem]]:
    """Every event of the stream, where each document starts, and the hazards found.

    Anchors, aliases, explicit tags and deep nesting are refused here, before anything is built;
    the scan stops at the first level too deep or after 50 problems."""
    events: list[Any] = []
    documents: list[int] = []
    problems: list[Problem] = []
    next_event, keep = loader.get_event, events.append
    depth = 0
    while True:
        event = next_event()
        keep(event)
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                problems += _hazards_of(event, shown)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                problems += _hazards_of(event, shown)
            depth += 1
            if depth > MAX_DEPTH:
                problems.append(Problem(shown, event.start_mark.line + 1, f"nests deeper than {MAX_DEPTH} levels"))
                break
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            depth -= 1
        elif kind is AliasEvent:
            problems.append(Problem(shown, event.start_mark.line + 1, "uses an alias (*name); write the value out"))
            continue  # (the limit below is checked at the next event)
        elif kind is DocumentStartEvent:
            documents.append(len(events))  # the index of the document's root node
        elif kind is StreamEndEvent:
            break
        if len(problems) > 50:
            break
    return events, documents, problems


class _Builder:
    """Turns the events of one document into LineMap/LineList/scalars, reporting duplicate keys.

    Scalars are resolved and constructed exactly as PyYAML's safe loader does; plain text, by far
    the most common value, takes a shortcut around the constructor."""

    def __init__(self, loader: Any, events: list[Any], shown: str) -> None:
        self.loader = loader
        self.events = events
        self.shown = shown
        self.problems: list[Problem] = []
        # Plain scalars are typed by the resolvers registered for their first character ('' for
        # the empty scalar); resolvers for any character or by path need the resolver itself.
        self.resolvers = loader.yaml_implicit_resolvers
        self.always_resolve = bool(loader.yaml_path_resolvers) or None in self.resolvers

    def build(self, index: int) -> tuple[Any, int]:
        """The value of the node whose first event is at `index`, and the index after it."""
        event = self.events[index]
        kind = type(event)
        if kind is MappingStartEvent:
            return self._mapping(event, index + 1)
        if kind is SequenceStartEvent:
            return self._sequence(event, index + 1)
        return self.scalar(event), index + 1

    def _mapping(self, start: Any, index: int) -> tuple[LineMap, int]:
        events = self.events
        mapping = LineMap()
        mapping.line = start.start_mark.line + 1
        key_lines: dict[str, int] = {}
        mapping.key_lines = key_lines
        while True:
            key_event = events[index]
            kind = type(key_event)
            if kind is MappingEndEvent:
                return mapping, index + 1
            key_line = key_event.start_mark.line + 1
            if kind is not ScalarEvent:
                self.problems.append(Problem(self.shown, key_line, "has a key that is not text"))
                index = self._skip(self._skip(index))
                continue
            key = key_event.value
            if key in mapping:
                first = key_lines[key]
                self.problems.append(Problem(self.shown, key_line, f"repeats the key '{key}' (first on line {first}); keep one"))
                index = self._skip(index + 1)
                continue
            value_event = events[index + 1]
            if type(value_event) is ScalarEvent:
                mapping[key] = self.scalar(value_event)
                index += 2
            else:
                mapping[key], index = self.build(index + 1)
            key_lines[key] = key_line

    def _sequence(self, start: Any, index: int) -> tuple[LineList, int]:
        events = self.events
        items = LineList()
        items.line = start.start_mark.line + 1
        item_lines: list[int] = []
        items.item_lines = item_lines
        while True:
            event = events[index]
            kind = type(event)
            if kind is SequenceEndEvent:
                return items, index + 1
            item_lines.append(event.start_mark.line + 1)
            if kind is ScalarEvent:
                items.append(self.scalar(event))
                index += 1
            else:
                item, index = self.build(index)
                items.append(item)

    def _skip(self, index: int) -> int:
        """The index after the node that starts at `index` (a node that is not built)."""
        depth = 0
        while True:
            kind = type(self.events[index])
            index += 1
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                depth += 1
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                depth -= 1
            if depth == 0:
                return index

    def scalar(self, event: Any) -> Any:
        tag, value = event.tag, event.value
        if tag is None or tag == "!":
            implicit = event.implicit
            if self.always_resolve:
                tag = self.loader.resolve(yaml.ScalarNode, value, implicit)
            else:  # what resolve() does for a plain scalar, without its per-call overhead
                tag = _TEXT_TAG
                if implicit[0]:
                    for resolved, pattern in self.resolvers.get(value[:1], ()):
                        if pattern.match(value):
                            tag = resolved
                            break
        if event.style == '"' and (hidden := HIDDEN.search(value)):  # written as an escape (\\u202e), so not seen in the raw text
            what = describe(hidden.group())
            self.problems.append(Problem(self.shown, event.start_mark.line + 1, hidden_message(what)))
        if tag == _TEXT_TAG:
            return value
        node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
        try:
            return self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:  # a 5,000-digit number, 2024-02-30
            reason = str(error).split(":")[0][:80]
            self.problems.append(Problem(self.shown, event.start_mark.line + 1, f"has a value YAML cannot read ({reason}); quote it"))
            return None


_TEXT_TAG = "tag:yaml.org,2002:str"


UNCLOSED_QUOTE = "opens a quoted value that is not closed on its line; close the quote, or write long text after '>-'"
_QUOTED_START = re.compile(r"^\s*(?:- )?(?:[\w.-]+:\s+)?(['\"])(.*)$")


def unclosed_quote(text: str, error_line: int) -> int | None:
    """The line, at or before a syntax error's, whose quoted value opens and is never meant to go on: YAML
    reads on to some later quote and reports the error far below, where nothing is wrong. A line is
    blamed when closing its quote where the line ends makes the whole document valid."""
    lines = text.splitlines()
    for number, line in enumerate(lines[:error_line], start=1):
        if (quoted := _QUOTED_START.match(line)) is None or _closes(*quoted.groups()):
            continue
        patched = "\n".join([*lines[: number - 1], line + quoted.group(1), *lines[number:]])
        try:
            yaml.load(patched, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            continue
        return number
    return None


def _closes(quote: str, rest: str) -> bool:
    """Whether a quoted value that starts with `quote` and goes on with `rest` closes on its line."""
    if quote == "'":
        return "'" in rest.replace("''", "")
    return re.search(r'(?<!\\)"', rest.replace("\\\\", "")) is not None


def parse_yaml(text: str, shown: str) -> tuple[Any, list[Problem]]:
    """Parse one YAML document; returns (value, problems), value None when unusable.

    The text is parsed once: the events are checked for hazards, then built into the value."""
    if hidden := hidden_characters(text):
        return None, [Problem(shown, line, hidden_message(what)) for line, what in hidden]
    loader = None
    try:
        loader = _Loader(text)
        events, documents, problems = _read_events(loader, shown)
        if problems:
            return None, problems
        if not documents:
            return None, [Problem(shown, 1, "is empty; a record is a YAML mapping of fields")]
        if len(documents) > 1:
            line = events[documents[1]].start_mark.line + 1
            return None, [Problem(shown, line, "holds more than one YAML document; keep one record per file")]
        builder = _Builder(loader, events, shown)
        try:
            value, _ = builder.build(documents[0])
        except (yaml.YAMLError, ValueError, TypeError) as error:
            return None, [Problem(shown, 1, f"has a value YAML cannot read ({error}); quote it")]
        if value is None and not builder.problems:  # a document that is only `~` or `null`
            return None, [Problem(shown, 1, "holds only null; a record is a YAML mapping of fields")]
        return value, builder.problems
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        if opened := unclosed_quote(text, line):
            return None, [Problem(shown, opened, UNCLOSED_QUOTE)]
        reason = error.problem or error.context or "is not valid YAML"
        return None, [Problem(shown, line, f"is not valid YAML: {reason}; fix the syntax")]
    except (yaml.YAMLError, RecursionError) as error:
        return None, [Problem(shown, 1, f"is not valid YAML ({type(error).__name__}); fix the syntax")]
    finally:
        if loader is not None:
            loader.dispose()


def load_yaml_file(
    path: Path, shown: str, parse: Callable[[str, str], tuple[Any, list[Problem]]] | None = None
) -> tuple[Any, list[Problem]]:
    """The file's value and problems; `parse` (default parse_yaml) may be a remembering one (atlas.load.TextMemo)."""
    text, problems = read_text(path, shown)
    if text is None:
        return None, problems
    return (parse or parse_yaml)(text, shown)


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


def write_atomically(path: Path, text: str, temporary_folder: Path | None = None, durable: bool = False) -> None:
    """Write `text` to `path` so that readers see the old file or the new one, never half.

    The temporary file is made in `temporary_folder` (default: beside `path`; it must be on the same
    file system) and gets the old file's permissions, or those the umask gives a new file (0644 under
    022), not mkstemp's 0600. With `durable` it reaches the disk before it replaces the old file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = temporary_folder or path.parent
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, _mode_for(path))
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
