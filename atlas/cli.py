"""`atlas`: one command for the atlas' jobs. Every subcommand acts on the atlas in --root (default: .)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from atlas.records.characters import inert
from atlas.records.model import CHALLENGE_KINDS, GRAPH_FORMATS, Atlas
from atlas.terminal import atlas_for, print_problems

if TYPE_CHECKING:
    from atlas.site.page import PageSource


def _check_command(root: Path, base: str | None = "HEAD") -> int:
    return 0 if _report_check(root, base) is not None else 1


def _report_check(root: Path, base: str | None = "HEAD") -> Atlas | None:
    """`atlas check`: prints every problem and a summary; the atlas when it has no error, else None."""
    from atlas.pipeline import check

    atlas, problems = check(root, base)
    print_problems(problems)
    errors = sum(problem.severity == "error" for problem in problems)
    warnings = len(problems) - errors
    if errors:
        print(f"atlas check: {errors} error(s), {warnings} warning(s); nothing was changed", file=sys.stderr)
        return None
    links = sum(len(paper.challenges) for paper in atlas.papers.values())
    print(
        f"atlas check: ok: {len(atlas.challenges)} challenges, {len(atlas.papers)} papers, "
        f"{links} challenge links, {len(atlas.bibliography)} bibliography entries" + (f", {warnings} warning(s)" if warnings else "")
    )
    return atlas


def _pin_build_date(root: Path) -> None:
    """Dates in the built site (the sitemap's) come from the last commit, not the clock, so that two
    builds of the same commit are byte-identical; MkDocs reads SOURCE_DATE_EPOCH for them."""
    import os
    import subprocess

    if "SOURCE_DATE_EPOCH" in os.environ:
        return
    try:
        stamp = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return
    if stamp.isdigit():
        os.environ["SOURCE_DATE_EPOCH"] = stamp


def _build(root: Path, site_dir: Path | None, strict: bool) -> int:
    """Build into a fresh folder and swap it in only on success: a failed build keeps the old site."""
    importlib.import_module("atlas.engine")  # ATLAS_ENGINE is checked before anything else is done
    from atlas.pipeline import build_source

    atlas = _report_check(root)
    if atlas is None:
        return 1
    handed = [atlas]  # build_site takes it: once the pages are rendered, nothing holds the atlas (700 MB at 50,000 papers)
    del atlas
    return _build_checked(root, build_source(root, handed), site_dir, strict)


def _build_checked(root: Path, source: PageSource, site_dir: Path | None, strict: bool) -> int:
    from atlas.engine.mkdocs_adapter import BuildFailed, build_site

    target = (site_dir or root / "site").resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    _pin_build_date(root)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        broken = build_site(root, source, strict=strict, site_dir=staging, link_base=_site_path(root))
    except BuildFailed as error:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"atlas build: failed, the previous site is untouched: {error}", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if broken:
        shutil.rmtree(staging, ignore_errors=True)
        for link in broken:
            print(f"broken link: {link}", file=sys.stderr)
        print(f"atlas build: {len(broken)} broken internal link(s); the previous site is untouched", file=sys.stderr)
        return 1
    retired = target.with_name(f".{target.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        target.rename(retired)
    staging.rename(target)
    shutil.rmtree(retired, ignore_errors=True)
    print(f"atlas build: site written to {target}")
    return 0


def _serve(root: Path, address: str) -> int:
    importlib.import_module("atlas.engine")  # ATLAS_ENGINE is checked before anything else is done

    if _check_command(root):
        return 1
    from atlas.engine.mkdocs_adapter import BuildFailed, serve_site
    from atlas.pipeline import serve_source

    try:
        serve_site(root, address, serve_source(root))
    except BuildFailed as error:
        print(f"atlas serve: {error}", file=sys.stderr)
        return 1
    return 0


def _graph(root: Path, format: str, output: Path | None) -> int:
    atlas = atlas_for(root, "graph")
    if atlas is None:
        return 1
    from atlas.graph.build import build_graph
    from atlas.graph.export import export

    text = export(build_graph(atlas), format)
    if output is None:
        sys.stdout.write(text)
        return 0
    from atlas.records.yamlio import write_atomically

    write_atomically(output, text)
    print(f"atlas graph: {format} written to {output}", file=sys.stderr)
    return 0


def _reading_list(root: Path, challenge_id: str, sub: str | None, limit: int | None, format: str) -> int:
    from atlas.site.reading_output import render_reading_list

    atlas = atlas_for(root, "reading-list")
    if atlas is None:
        return 1
    challenge = atlas.challenges.get(challenge_id)
    if challenge is None:
        print(f"atlas reading-list: no challenge '{challenge_id}'; use one of {', '.join(atlas.challenges)}", file=sys.stderr)
        return 1
    if sub and challenge.subchallenge(sub) is None:
        subs = ", ".join(s.id for s in challenge.subchallenges)
        print(f"atlas reading-list: '{challenge_id}' has no sub-challenge '{sub}'; use one of {subs}", file=sys.stderr)
        return 1
    sys.stdout.write(render_reading_list(root, atlas, challenge, sub, limit, format))
    return 0


def _site_path(root: Path) -> str:
    """The path part of mkdocs.yml's site_url, where absolute links of the built site start."""
    from urllib.parse import urlparse

    import yaml

    try:
        config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return "/"
    return urlparse(str(config.get("site_url") or "")).path or "/"


def _links(root: Path, site: Path, external: bool = False) -> int:
    from atlas.engine.linkcheck import broken_external_links, broken_links

    if not (site / "index.html").is_file():
        print(f"atlas links: {site} holds no built site; run `atlas build` first", file=sys.stderr)
        return 1
    if external:
        broken = broken_external_links(site)
        for link in broken:
            print(f"broken external link: {link}", file=sys.stderr)
        print(f"atlas links --external: {len(broken)} broken link(s) to other sites")
        return 1 if broken else 0
    broken = broken_links(site, _site_path(root))
    for link in broken:
        print(f"broken link: {link}", file=sys.stderr)
    print(f"atlas links: {len(broken)} broken internal link(s) in {site}")
    return 1 if broken else 0


class _InertStream:
    """Standard output or error that writes contributor text inert: control, bidirectional and
    zero-width characters as escapes, so no title or kind can clear the terminal or fake a line."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(inert(text))
        return len(text)

    def isatty(self) -> bool:
        return False  # nothing colours its output through this stream

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _InertStream(stdout), _InertStream(stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="atlas", description="The GenAI Challenges Atlas: check, build and extend it.")
    parser.add_argument("--root", type=Path, default=Path("."), help="the atlas' top folder (default: the current one)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    checker = commands.add_parser("check", help="validate every record and citations.bib")
    checker.add_argument("--base", default="HEAD", help="git revision whose published addresses must survive (default: HEAD)")
    build = commands.add_parser("build", help="validate, then build the site (MkDocs strict mode)")
    build.add_argument("--site-dir", type=Path, help="where to write the site (default: ROOT/site)")
    build.add_argument("--no-strict", action="store_true", help="do not stop on MkDocs warnings")
    serve = commands.add_parser("serve", help="serve the site with live reload")
    serve.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on (default: 127.0.0.1:8000)")
    add = commands.add_parser("add", help="add papers from a BibTeX file, with duplicate checks and challenge suggestions")
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--bibtex", type=Path, help="a .bib file with one or more entries")
    source.add_argument("--records", type=Path, help="YAML: a list of whole paper records (facts, sources, abstract, challenges)")
    source.add_argument("--arxiv", metavar="ID", help="an arXiv id (metadata from the arXiv API)")
    source.add_argument("--doi", metavar="DOI", help="a DOI (metadata from the Crossref API)")
    source.add_argument("--openreview", metavar="URL", help="an OpenReview link or id (metadata from the OpenReview API)")
    add.add_argument("--challenge", action="append", default=[], metavar="ID", help="challenge or challenge/sub-challenge (repeatable)")
    add.add_argument("--kind", action="append", default=[], choices=CHALLENGE_KINDS, help="one per --challenge")
    add.add_argument("--why", action="append", default=[], metavar="TEXT", help="one sentence per --challenge, in your own words")
    add.add_argument(
        "--questions", action="append", default=[], metavar="IDS", help="per --challenge: the open questions it takes up (comma-separated)"
    )
    add.add_argument("--dry-run", action="store_true", help="print the record, the entry and the suggestions; write nothing")
    add.add_argument("--skip-invalid", action="store_true", help="add the valid entries and list the others with their reasons")
    add.add_argument("--same-for-all", action="store_true", help="give every entry the one --challenge/--kind/--why (several entries)")
    add.add_argument("--links", type=Path, metavar="FILE", help="YAML: entry key -> its links ({challenge, kind, why} or a list)")
    add.add_argument("--source", metavar="URL", help="the public document the BibTeX entries were read in (recorded as their source)")
    add.add_argument("--via", metavar="TEXT", help="with --source: how the document was read (e.g. 'the entry in its references.bib')")
    add.add_argument("--contributor", help="without --source: who gives the facts (default: git's user.name)")
    add.add_argument("--suggestions", type=int, default=5, metavar="N", help="how many suggestions to print (default: 5)")
    add.add_argument("--semantic", action="store_true", help="suggest from sentence embeddings (needs the 'semantic' extra)")
    reading = commands.add_parser("reading-list", help="a reading list for a challenge (Markdown, BibTeX or HTML)")
    reading.add_argument("challenge", help="challenge id")
    reading.add_argument("--sub", help="only this sub-challenge")
    reading.add_argument("--limit", type=int, default=4, help="papers per sub-challenge (default: 4; 0 for all)")
    reading.add_argument("--format", choices=("md", "bib", "html"), default="md", help="output format (default: md)")
    refresh = commands.add_parser("refresh", help="record the published venue, year and DOI of preprints the APIs know")
    refresh.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    enrich = commands.add_parser("enrich", help="fill the fields records lack from a file of facts found in public sources")
    enrich_input = enrich.add_mutually_exclusive_group(required=True)
    enrich_input.add_argument(
        "facts", type=Path, nargs="?", help="found facts: YAML (each fact with its sources) or BibTeX (with --source)"
    )
    enrich_input.add_argument(
        "--code-from-abstracts", action="store_true", help="the code repositories the authors name in their abstracts"
    )
    enrich.add_argument("--source", metavar="URL", help="with a .bib file: the public document its entries came from")
    enrich.add_argument("--dry-run", action="store_true", help="print what would be added; write nothing")
    graph = commands.add_parser("graph", help="write the challenge-to-paper graph for Gephi, Cytoscape or Graphviz")
    graph.add_argument("--format", choices=GRAPH_FORMATS, default="json", help="output format (default: json)")
    graph.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    links = commands.add_parser("links", help="check every internal link and anchor of a built site")
    links.add_argument("--site-dir", type=Path, help="the built site (default: ROOT/site)")
    links.add_argument(
        "--external", action="store_true", help="check links to other sites instead (network; the scheduled workflow runs it)"
    )
    mend = commands.add_parser("mend-sources", help="rewrite sources to name the public documents their facts were read in")
    mend.add_argument("mendings", type=Path, help="YAML: each {paper, replaces, sources, unconfirmed}")
    fmt = commands.add_parser("fmt", help="rewrite records in the canonical form `atlas check` asks for")
    fmt.add_argument("paths", nargs="*", type=Path, help="records to rewrite (default: every paper and challenge record)")
    importer = commands.add_parser("import", help="create paper records from seed lists (daily lists, ratings digest)")
    importer.add_argument("seeds", nargs="+", type=Path, help="seed files to import")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        return _run_command(args, root)
    except OSError as error:  # a read-only folder, a full disk, a busy port: one line, never a traceback
        print(f"atlas {args.command}: {_os_problem(error, args)}; nothing was changed", file=sys.stderr)
        return 1


def _os_problem(error: OSError, args: argparse.Namespace) -> str:
    import errno

    if error.errno == errno.EADDRINUSE and args.command == "serve":
        return f"the address {args.addr} is in use by another program; choose another port with --addr 127.0.0.1:PORT"
    where = f" ({error.filename})" if error.filename else ""
    return f"{error.strerror or error}{where}"


def _run_command(args: argparse.Namespace, root: Path) -> int:
    from atlas.contribute import commands
    from atlas.contribute.transaction import EDIT_FOLDER, EditBusy, edit_lock, recover_unlocked

    if (root / EDIT_FOLDER / "journal.json").exists() and (restored := recover_unlocked(root)):
        print(f"atlas: put back {', '.join(restored)} as they were before an edit that was interrupted", file=sys.stderr)
    if args.command in EDITING_COMMANDS and not getattr(args, "dry_run", False) and (root / "papers").is_dir():
        try:
            with edit_lock(root):
                return _dispatch(args, root, commands)
        except EditBusy as busy:
            print(f"atlas {args.command}: {busy}; nothing was written", file=sys.stderr)
            return 1
    return _dispatch(args, root, commands)


EDITING_COMMANDS = ("add", "refresh", "enrich", "import", "mend-sources", "fmt")


def _dispatch(args: argparse.Namespace, root: Path, commands: Any) -> int:
    if args.command == "check":
        return _check_command(root, args.base)
    if args.command == "build":
        return _build(root, args.site_dir, strict=not args.no_strict)
    if args.command == "serve":
        return _serve(root, args.addr)
    if args.command == "add":
        return commands.add(root, args)
    if args.command == "reading-list":
        return _reading_list(root, args.challenge, args.sub, args.limit or None, args.format)
    if args.command == "refresh":
        return commands.refresh(root, args.dry_run)
    if args.command == "enrich":
        return commands.enrich(root, args.facts, args.source, args.dry_run)
    if args.command == "graph":
        return _graph(root, args.format, args.output)
    if args.command == "links":
        return _links(root, (args.site_dir or root / "site").resolve(), args.external)
    if args.command == "mend-sources":
        return commands.mend_sources(root, args.mendings)
    if args.command == "fmt":
        return commands.fmt(root, args.paths)
    return commands.import_seeds(root, args.seeds)


def run() -> None:
    """The `atlas` command: main(), then a quick exit. A build of 10,000 papers leaves a heap whose
    teardown (every object freed, a last collection) takes over a second; the system frees it at once."""
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
