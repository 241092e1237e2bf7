"""Reading records strictly and writing them in their one canonical form."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from atlas.records.yamlio import MAX_BYTES, dump_record, load_yaml_file, parse_yaml

REPO = Path(__file__).resolve().parents[1]


def only_problem(text: str) -> str:
    _value, problems = parse_yaml(text, "papers/x.yaml")
    assert len(problems) == 1, problems
    return str(problems[0])


def test_duplicate_key_is_reported_with_both_lines():
    message = only_problem("title: A\nyear: 2020\ntitle: B\n")
    assert message.startswith("papers/x.yaml:3: ")
    assert "repeats the key 'title' (first on line 1)" in message


def test_duplicate_key_in_a_nested_mapping_is_found():
    message = only_problem("title: A\nlinks:\n  url: https://a.org\n  url: https://b.org\n")
    assert message.startswith("papers/x.yaml:4: ")


def test_python_tags_are_refused_and_never_constructed():
    message = only_problem("title: !!python/object/apply:os.system ['echo hacked']\n")
    assert message.startswith("papers/x.yaml:1: ")
    assert "tag:yaml.org,2002:python/object/apply:os.system" in message


def test_anchors_and_aliases_are_refused_before_expansion():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)
    )
    value, problems = parse_yaml(bomb, "papers/x.yaml")
    assert value is None
    assert problems[0].line == 1 and "anchor" in problems[0].message
    assert any("alias" in p.message for p in problems)


def test_deep_nesting_is_refused():
    value, problems = parse_yaml("a: " + "[" * 200 + "]" * 200 + "\n", "papers/x.yaml")
    assert value is None
    assert "nests deeper than" in problems[0].message


def test_syntax_error_names_the_line():
    message = only_problem("title: A\nyear: [2020\nvenue: B\n")
    assert message.startswith("papers/x.yaml:")
    assert "is not valid YAML" in message and "fix the syntax" in message


def test_values_are_typed_as_the_safe_loader_types_them():
    text = (
        "count: 12\nhex: 0x1F\nratio: 6.5\nexp: 1.0e+3\ninfinite: .inf\nflag: yes\nnothing: ~\nempty:\n"
        "day: 2024-01-05\nquoted: '2020'\ndouble: \"true\"\nplain: text, with a comma\nblock: |\n  two\n  lines\n"
        "folded: >-\n  one\n  line\nscores: [8, 6.5, no, null, '7']\nnested: {a: [1, {b: 2024-01-05}]}\nsure: ! 5\n"
        "octal: 017\nsexagesimal: 190:20:30\nswitch: Off\nstamp: 2001-12-14 21:59:43.10 -5\nword: yesterday\nsign: -.inf\n"
    )
    value, problems = parse_yaml(text, "p")
    assert not problems
    assert value == yaml.safe_load(text)
    assert [type(value[key]) for key in ("count", "flag", "nothing", "quoted", "sure")] == [int, bool, type(None), str, int]


def test_a_value_yaml_cannot_construct_is_reported_not_raised():
    message = only_problem("title: A\nreviewed: 2024-13-45\n")
    assert "has a value YAML cannot read" in message and message.endswith("quote it")


def test_a_repeated_key_and_a_key_that_is_not_text_are_skipped_with_their_values():
    value, problems = parse_yaml("[a]: {x: 1, x: 2}\ntitle: A\ntitle: {b: 1, b: 2}\nyear: 2020\n", "p")
    assert [(p.line, p.message) for p in problems] == [
        (1, "has a key that is not text"),
        (3, "repeats the key 'title' (first on line 2); keep one"),
    ]
    assert value == {"title": "A", "year": 2020}
    assert value.line_of("year") == 4


def test_a_syntax_error_is_reported_alone_even_after_other_problems():
    message = only_problem("a: &x 1\nb: *x\nc: c\nc: [unclosed\n")
    assert message.startswith("papers/x.yaml:") and "is not valid YAML" in message


def test_empty_file_and_several_documents_are_reported():
    assert "is empty" in only_problem("")
    assert "is empty" in only_problem("# only a comment\n")
    message = only_problem("title: A\n---\ntitle: B\n")
    assert message.startswith("papers/x.yaml:3: ") and "more than one YAML document" in message


def test_non_utf8_file_names_the_line(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"title: A\nabstract: caf\xe9\n")
    value, problems = load_yaml_file(path, "papers/x.yaml")
    assert value is None and str(problems[0]) == "papers/x.yaml:2: is not UTF-8 text; save the file as UTF-8"


def test_oversized_file_is_refused_without_parsing(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_text("title: A\nabstract: " + "x" * (MAX_BYTES + 1) + "\n")
    value, problems = load_yaml_file(path, "papers/x.yaml")
    assert value is None and "a record is at most" in problems[0].message


def test_symlink_is_refused(tmp_path: Path):
    target = tmp_path / "secret.txt"
    target.write_text("title: A\n")
    link = tmp_path / "x.yaml"
    os.symlink(target, link)
    value, problems = load_yaml_file(link, "papers/x.yaml")
    assert value is None and "symbolic link" in problems[0].message


def test_lines_of_keys_and_items_are_remembered():
    value, problems = parse_yaml("title: A\nchallenges:\n- id: x\n  why: y\n- id: z\n", "p")
    assert not problems
    assert value.line_of("challenges") == 2
    assert value["challenges"].item_lines == [3, 5]
    assert value["challenges"][1].line_of("id") == 5


def test_canonical_form_keeps_order_and_writes_long_text_as_block_scalars():
    record = {
        "title": "Short title",
        "abstract": "First paragraph that is long enough to need more than one line of text in a reviewable file.\n\nSecond.",
        "ratings": {"average": 6.5, "scores": [8, 6, 6, 6]},
        "challenges": [{"id": "metrics", "kind": "analysis", "why": ("A reason " * 15).strip()}],
    }
    text = dump_record(record)
    assert text.splitlines()[0] == "title: Short title"
    assert "abstract: |-\n  First paragraph" in text
    assert "scores: [8, 6, 6, 6]" in text
    assert "  why: >-\n" in text
    assert yaml.safe_load(text) == record
    assert "\\n" not in text


def test_every_committed_record_is_in_canonical_form():
    for path in sorted((REPO / "papers").glob("*.yaml")) + sorted((REPO / "challenges").glob("*.yaml")):
        value, problems = load_yaml_file(path, path.name)
        assert not problems, problems
        assert dump_record(value) == path.read_text(encoding="utf-8"), f"{path.name} is not in canonical form"


@pytest.mark.parametrize("text", ["~", "null", "---\n~\n", "--- null\n"])
def test_a_document_that_is_only_null_is_a_problem_not_a_silent_none(text: str):
    value, problems = parse_yaml(text, "papers/x.yaml")
    assert value is None and [str(problem) for problem in problems] == [
        "papers/x.yaml:1: holds only null; a record is a YAML mapping of fields"
    ]


def test_an_unclosed_quote_is_reported_at_its_own_line_not_where_yaml_gives_up():
    text = "title: 'Calibrated models\nauthors: [Ada Lovelace]\nabstract: >-\n  The authors' own words.\nyear: 2024\n"
    _, problems = parse_yaml(text, "papers/x.yaml")
    assert [str(p) for p in problems] == [
        "papers/x.yaml:1: opens a quoted value that is not closed on its line; close the quote, or write long text after '>-'"
    ]


def test_a_quoted_value_that_rightly_goes_on_is_not_blamed_for_a_later_error():
    text = 'title: T\nabstract: "A long abstract\n  that YAML folds onto two lines."\nyear: 2024\nvenue: [\n'
    _, problems = parse_yaml(text, "papers/x.yaml")
    assert len(problems) == 1 and problems[0].line == 6 and "is not valid YAML" in problems[0].message
