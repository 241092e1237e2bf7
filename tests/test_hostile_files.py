"""Broken and hostile files are refused fast with their place and a fix; no input gives a traceback."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from atlas.pipeline import check
from atlas.records.bibliography import parse_bibliography
from atlas.records.yamlio import load_yaml_file, parse_yaml

from conftest import copy_atlas


def test_byte_order_mark_is_refused_with_the_fix(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: A\n")
    _, problems = load_yaml_file(path, "papers/x.yaml")
    assert str(problems[0]) == "papers/x.yaml:1: starts with a byte-order mark (BOM); save it as UTF-8 without BOM"


def test_crlf_line_endings_are_refused_with_the_line(tmp_path: Path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"title: A\nyear: 2020\r\nvenue: B\r\n")
    _, problems = load_yaml_file(path, "papers/x.yaml")
    assert str(problems[0]) == "papers/x.yaml:2: has Windows or old Mac line endings (CR); save it with LF line endings"


def test_a_billion_laughs_is_refused_in_bounded_time():
    levels = ["a: &a [" + ",".join(["lol"] * 10) + "]"]
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]" for i in range(9)]
    started = time.perf_counter()
    value, problems = parse_yaml("\n".join(levels) + "\n", "papers/x.yaml")
    assert value is None and problems
    assert time.perf_counter() - started < 5


def test_a_symlink_out_of_the_repository_is_refused(tmp_path: Path):
    root = copy_atlas(tmp_path / "atlas")
    secret = tmp_path / "secret.yaml"
    secret.write_text("title: secret\n")
    (root / "papers" / "leak.yaml").symlink_to(secret)
    problems = [str(p) for p in check(root)[1]]
    assert "papers/leak.yaml:1: is a symbolic link; commit the file itself" in problems


yaml_like = st.text(alphabet=st.sampled_from(list("abc:-[]{}&*!|>'\"#%@`?,\n \t0123456789\\\ufeff\x00é")), max_size=300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(yaml_like, st.text(max_size=300)))
def test_any_text_gives_a_value_or_problems_never_an_exception(text: str):
    value, problems = parse_yaml(text, "papers/x.yaml")
    assert value is not None or problems
    for problem in problems:
        assert problem.path == "papers/x.yaml" and problem.line >= 0 and problem.message


bib_like = st.text(alphabet=st.sampled_from(list("@misc{}(),=\"#%abc123 \n\\{}'~^")), max_size=300)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(bib_like, st.text(max_size=300)))
def test_any_text_in_citations_bib_gives_entries_or_problems_never_an_exception(text: str):
    entries, problems = parse_bibliography(text, "citations.bib")
    assert all(entry.key for entry in entries.values())
    for problem in problems:
        assert problem.path == "citations.bib" and problem.line >= 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400))
def test_any_bytes_in_a_record_file_are_reported_not_raised(tmp_path: Path, data: bytes):
    path = tmp_path / "x.yaml"
    path.write_bytes(data)
    value, problems = load_yaml_file(path, "papers/x.yaml")
    assert value is not None or problems
