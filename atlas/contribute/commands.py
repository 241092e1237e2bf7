"""The commands that change the data (`atlas add`, `enrich`, `refresh`, `import`): their arguments,
prompts and messages; the work itself is in the modules beside this one."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from atlas.records.model import Atlas, Problem
from atlas.terminal import atlas_for, print_problems

if TYPE_CHECKING:
    from atlas.contribute.add import Choice
    from atlas.contribute.enrich import Change, Found, TitleChange
    from atlas.relate.suggest import Suggestion


def contributor(root: Path) -> str:
    import subprocess

    try:
        name = subprocess.run(["git", "config", "user.name"], cwd=root, capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    return name or "a contributor"


def ask_choices(title: str, ranked: list[Suggestion], stream_in: TextIO | None = None, stream_out: TextIO | None = None) -> list[Choice]:
    """Ask at a terminal for the challenges of one paper: a number from the suggestions or an id."""
    from atlas.contribute.add import Choice
    from atlas.records.model import CHALLENGE_KINDS

    stream_in = stream_in or sys.stdin
    stream_out = stream_out or sys.stdout
    choices: list[Choice] = []
    while True:
        stream_out.write(f"Challenge for '{title}' (a number above or an id; empty to finish): ")
        stream_out.flush()
        answer = stream_in.readline().strip()
        if not answer:
            if choices:
                return choices
            stream_out.write("  a paper needs at least one challenge\n")
            continue
        target = ranked[int(answer) - 1].target if answer.isdigit() and 0 < int(answer) <= len(ranked) else answer
        stream_out.write(f"Kind ({', '.join(CHALLENGE_KINDS)}): ")
        stream_out.flush()
        kind = stream_in.readline().strip()
        stream_out.write("Why (one sentence in your own words): ")
        stream_out.flush()
        why = stream_in.readline().strip()
        choices.append(Choice(target, kind, why))


def origin(root: Path, args: argparse.Namespace) -> dict[str, str]:
    """Where the input's facts come from: the public document --source names (read as --via says), else
    the contributor (--contributor, or git's user name)."""
    if args.source:
        return {"url": args.source, "via": args.via or "the paper's BibTeX entry in that document"}
    return {"contributor": args.contributor or contributor(root)}


def _candidates(root: Path, args: argparse.Namespace) -> tuple[list, list[str]]:
    """The candidates of the input, and every problem that keeps an entry out (as `input:line: ...`)."""
    from atlas.contribute.candidate import read_bibtex_input
    from atlas.contribute.lookup import fetch

    if args.bibtex:
        given = read_bibtex_input(args.bibtex, origin(root, args))
        return given.candidates, [str(problem) for _, problem in given.problems]
    kind = "arxiv" if args.arxiv else "doi" if args.doi else "openreview"
    return [fetch(kind, args.arxiv or args.doi or args.openreview)], []


def _links_for(atlas: Atlas, planned: list, args: argparse.Namespace) -> list[list]:
    """Each new paper's challenge links: from --links FILE, from the command line, or asked at a terminal."""
    from atlas.contribute.add import AddRefused

    given = _links_given(atlas, args)
    per_entry = _links_from_file(atlas, args.links) if args.links else {}
    if given and len(planned) > 1 and not args.same_for_all:
        raise AddRefused(
            f"{len(planned)} entries would all get the same --challenge/--kind/--why; pass --same-for-all if they truly share it,"
            " or give each entry its own links with --links FILE (entry key -> challenge, kind, why)"
        )
    return [_links_of(atlas, item, per_entry.get(item.candidate.key) or given, len(planned), args) for item in planned]


def _links_given(atlas: Atlas, args: argparse.Namespace) -> list[Choice]:
    """The links of the command line (--challenge, --kind, --why, --questions), checked against the atlas."""
    from atlas.contribute.add import AddRefused, Choice, validate_choices

    if not (len(args.challenge) == len(args.kind) == len(args.why)):
        raise AddRefused("give --challenge, --kind and --why together, once for each link")
    if args.questions and len(args.questions) != len(args.challenge):
        raise AddRefused("give --questions once for each --challenge (an empty '' where a link takes up none)")
    questions = [tuple(q for q in ids.split(",") if q.strip()) for ids in args.questions] or [()] * len(args.challenge)
    given = [Choice(t, k, w, q) for t, k, w, q in zip(args.challenge, args.kind, args.why, questions, strict=True)]
    validate_choices(atlas, given)
    return given


def _links_from_file(atlas: Atlas, path: Path) -> dict[str, list[Choice]]:
    """The links of each entry key of --links FILE, checked against the atlas."""
    from atlas.contribute.add import AddRefused, read_links_file, validate_choices

    per_entry, problems = read_links_file(path)
    if problems:
        raise AddRefused("\n".join(problems))
    for choices in per_entry.values():
        validate_choices(atlas, choices)
    return per_entry


def _links_of(atlas: Atlas, item: Any, chosen: list[Choice], entries: int, args: argparse.Namespace) -> list[Choice]:
    """One new paper's links: `chosen`, or asked at a terminal after its suggested challenges (shown for at
    most 20 entries, or whenever the paper has no links yet)."""
    from atlas.contribute.add import AddRefused, validate_choices
    from atlas.relate.suggest import suggest

    candidate = item.candidate
    show = entries <= 20 or not chosen
    ranked = suggest(atlas, candidate.title, candidate.abstract, candidate.keywords, semantic=args.semantic) if show else []
    print(f"{candidate.where}: {candidate.title} -> papers/{item.id}.yaml")
    if ranked:
        print("  suggested challenges (score):")
    for number, suggestion in enumerate(ranked[: args.suggestions], 1):
        print(f"  {number:>3}. {suggestion.target:<45} {suggestion.score:.3f}")
    if chosen or args.dry_run:
        return chosen
    if not sys.stdin.isatty():
        raise AddRefused("no --challenge given and no terminal to ask at; pass --challenge ID --kind KIND --why TEXT or --links FILE")
    chosen = ask_choices(candidate.title, ranked)
    validate_choices(atlas, chosen)
    return chosen


def _edit_from_file(command: str, path: Path, edit: Callable[[], tuple[Any, list[str]]]) -> Any | None:
    """Run an edit read from `path`: its result, or None after printing why nothing was written (the
    file's problems, each at its line, or the edit's refusal)."""
    from atlas.contribute.transaction import EditRefused

    try:
        result, problems = edit()
    except EditRefused as refused:
        print(f"atlas {command}: {refused}", file=sys.stderr)
        return None
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"atlas {command}: {len(problems)} problem(s) in {path}; nothing was written", file=sys.stderr)
        return None
    return result


def _add_records(root: Path, atlas: Atlas, path: Path) -> int:
    from atlas.contribute.records_input import add_records

    added = _edit_from_file("add", path, lambda: add_records(root, atlas, path))
    if added is None:
        return 1
    print(f"atlas add: added {len(added)} record(s) from {path}")
    return 0


def add(root: Path, args: argparse.Namespace) -> int:
    from atlas.contribute.add import AddRefused, plan, record_for, write
    from atlas.contribute.lookup import LookupFailed
    from atlas.records.load import TextMemo
    from atlas.records.yamlio import dump_record
    from atlas.relate.suggest import SemanticUnavailable

    parsed = TextMemo()
    atlas = atlas_for(root, "add", parsed)
    if atlas is None:
        return 1
    if args.records:
        return _add_records(root, atlas, args.records)
    try:
        candidates, problems = _candidates(root, args)
        planned, duplicates = plan(atlas, candidates)
        problems += [f"{candidate.where}: {reason}" for candidate, reason in duplicates]
        if problems and not args.skip_invalid:
            print("\n".join(problems), file=sys.stderr)
            hint = "; --skip-invalid adds the valid entries and lists the others" if planned else ""
            print(f"atlas add: {len(problems)} problem(s); nothing was written{hint}", file=sys.stderr)
            return 1
        for problem in problems:
            print(f"skipped: {problem}")
        if not planned:
            print("atlas add: no entry can be added; nothing was written", file=sys.stderr)
            return 1
        choices_for = _links_for(atlas, planned, args)
        if args.dry_run:
            for item, choices in zip(planned, choices_for, strict=True):
                print(f"\n# papers/{item.id}.yaml (not written: --dry-run)")
                print(dump_record(record_for(item.candidate, choices)), end="")
                print("# citations.bib entry (not written)")
                print(item.candidate.bibtex(item.id), end="")
            return 0
        added, failed = write(root, planned, choices_for, args.skip_invalid, parsed)
        problems += failed
        for problem in failed:
            print(f"skipped: {problem}")
    except (LookupFailed, SemanticUnavailable) as error:
        print(f"atlas add: {error}; nothing was written", file=sys.stderr)
        return 1
    except AddRefused as error:
        print(f"atlas add: {error}", file=sys.stderr)
        return 1
    for paper_id in added:
        print(f"added papers/{paper_id}.yaml and its entry in citations.bib")
    if problems:
        print(f"atlas add: added {len(added)} paper(s); {len(problems)} problem(s) kept entries out (listed above as skipped)")
    return 0


def refresh(root: Path, dry_run: bool) -> int:
    from atlas.contribute.lookup import LookupFailed
    from atlas.contribute.refresh import apply_updates, propose_updates
    from atlas.contribute.transaction import EditRefused

    atlas = atlas_for(root, "refresh")
    if atlas is None:
        return 1
    try:
        updates, unknown = propose_updates(atlas)
        for note in unknown:
            print(note)
        for update in updates:
            print(update.describe())
        if updates and not dry_run:
            apply_updates(root, atlas, updates)
    except LookupFailed as error:
        print(f"atlas refresh: {error}; nothing was written", file=sys.stderr)
        return 1
    except EditRefused as refused:
        print(f"atlas refresh: {refused}", file=sys.stderr)
        return 1
    verb = "would refresh" if dry_run else "refreshed"
    print(f"atlas refresh: {verb} {len(updates)} record(s)" + ("; review them with `git diff`" if updates and not dry_run else ""))
    return 0


def enrich(root: Path, facts: Path | None, source: str | None, dry_run: bool) -> int:
    from atlas.contribute.enrich import apply, code_links_in_abstracts, plan, read_found_bibtex, read_found_yaml
    from atlas.contribute.transaction import EditRefused

    atlas = atlas_for(root, "enrich")
    if atlas is None:
        return 1
    found: list[Found]
    problems: list[Problem]
    if facts is None:
        found, problems = code_links_in_abstracts(atlas), []
    elif facts.suffix.lower() == ".bib":
        if not source:
            print(f"{facts}:1: BibTeX facts need --source URL, the public document the entries came from", file=sys.stderr)
            return 1
        found, problems = read_found_bibtex(facts, source)
    else:
        found, problems = read_found_yaml(facts)
    if problems:
        print_problems(problems)
        print(f"atlas enrich: {len(problems)} problem(s) in {facts}; nothing was written", file=sys.stderr)
        return 1
    planned = plan(atlas, found)
    for note in planned.unmatched:
        print(note)
    changes: list[TitleChange | Change] = [*planned.titles, *planned.records]
    for change in changes:
        print(change.describe())
    if (planned.records or planned.titles) and not dry_run:
        try:
            apply(root, atlas, planned)
        except EditRefused as refused:
            print(f"atlas enrich: {refused}", file=sys.stderr)
            return 1
    facts_added = sum(len(change.added) for change in planned.records)
    verb = "would add" if dry_run else "added"
    print(
        f"atlas enrich: {verb} {facts_added} fact(s) to {len(planned.records)} record(s) and {len(planned.titles)} published title(s);"
        f" {len(planned.unmatched)} item(s) matched nothing"
    )
    return 0


def import_seeds(root: Path, seeds: list[Path]) -> int:
    from atlas.contribute.importer import ImportFormatError, import_seed

    if not (root / "papers").is_dir():
        print(f"atlas import: {root / 'papers'} is missing; run it in the atlas' folder or pass --root", file=sys.stderr)
        return 1
    for seed in seeds:
        try:
            report = import_seed(root, seed)
        except FileNotFoundError:
            print(f"{seed}:1: not found; give the path of a seed list", file=sys.stderr)
            return 1
        except UnicodeDecodeError:
            print(f"{seed}:1: is not UTF-8 text", file=sys.stderr)
            return 1
        except ImportFormatError as error:
            print(f"{seed}:{error.line}: {error}; nothing was imported from it", file=sys.stderr)
            return 1
        print(
            f"{seed.name}: {len(report.created)} new, {len(report.merged)} merged, "
            f"{len(report.unchanged)} already there" + (f", venue {', '.join(report.venues)}" if report.venues else "")
        )
        for similar in report.similar:
            print(f"  check by hand: papers/{similar}; if they differ, say so with `not_duplicate_of:`")
        if report.created:
            print(
                "  new records need a 'challenges:' entry before `atlas check` passes: "
                + ", ".join(report.created[:5])
                + (" ..." if len(report.created) > 5 else "")
            )
    return 0


def mend_sources(root: Path, path: Path) -> int:
    from atlas.contribute.mend import mend, read_mendings

    atlas = atlas_for(root, "mend-sources")
    if atlas is None:
        return 1
    mendings, problems = read_mendings(path)
    count = _edit_from_file("mend-sources", path, lambda: (None, problems) if problems else mend(root, atlas, mendings, str(path)))
    if count is None:
        return 1
    print(f"atlas mend-sources: replaced {count} source(s); review them with `git diff`")
    return 0


def fmt(root: Path, paths: list[Path]) -> int:
    """Rewrite records in their canonical form: the given ones, or every paper and challenge record."""
    from atlas.contribute.transaction import journaled_edit
    from atlas.records.canonical import canonical_text, is_record_path, record_paths

    named = [_relative(root, path) for path in paths] if paths else record_paths(root)
    not_records = [path for path in named if not is_record_path(path)]
    problems = [f"{path}:1: not a paper or challenge record (papers/<id>.yaml or challenges/<id>.yaml)" for path in not_records]
    rewritten = []
    with journaled_edit(root) as edit:
        for path in (path for path in named if is_record_path(path)):
            text, canonical, unreadable = canonical_text(root, path)
            problems += [str(problem) for problem in unreadable]
            if canonical is not None and text != canonical:
                edit.write(root / path, canonical)
                rewritten.append(path)
    print(f"atlas fmt: rewrote {len(rewritten)} of {len(named)} record(s)" + "".join(f"\n  {path}" for path in rewritten))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"atlas fmt: {len(problems)} record(s) could not be read; fix them first (each is left as it was)", file=sys.stderr)
    return 1 if problems else 0


def _relative(root: Path, path: Path) -> str:
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
