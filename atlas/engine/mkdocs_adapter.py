"""The only module that knows MkDocs: a plugin that adds the rendered pages, and build/serve calls.

Another engine would need just another adapter: the stages before this one produce plain pages.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import signal
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar, cast

import mkdocs
from mkdocs.commands import build as engine_build
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from atlas.background import Forked, dealt, hold_collector, release_collector, workers
from atlas.engine.engine_log import QuietFilter, WarningCount
from atlas.engine.job import SiteJob
from atlas.engine.linkcheck import BrokenLink, PageScans, broken_links
from atlas.engine.page_digests import PageDigests
from atlas.engine.pagetext import nav_titles, without_indentation
from atlas.engine.search_index import SearchIndexer, SearchIndexFailed
from atlas.engine.theme_cache import FragmentCache, navigation_key
from atlas.engine.theme_files import ListedOnce
from atlas.records.validate import AtlasInvalid
from atlas.site.page import Page as RenderedPage
from atlas.site.page import PageSource, Rendered, SiteSettings
from atlas.site.render import PAGE_ASSETS, problems_notice
from atlas.site.templating import TEMPLATE_CACHE

log = logging.getLogger("mkdocs.plugins.atlas")
_ENGINE_LOG = logging.getLogger(mkdocs.__name__)  # "mkdocs", or "properdocs" (atlas.engine)
_BUILD_LOG = engine_build.log
DATA_PATHS = ("challenges", "papers", "citations.bib")
RECORD_POLLING_SECONDS = 0.1
BUILT_ELSEWHERE = "atlas-built-elsewhere.html"  # a template that renders nothing: see GeneratedPage.hand_over


class GeneratedFile(File):
    """A file the atlas generates; in `atlas serve`, one identical to the previous build's is not rebuilt."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged and super().is_modified()


class GeneratedPage(Page):
    """A page the atlas rendered (atlas.site.page.Page): its metadata, HTML body and table of contents
    are known from the start, so MkDocs neither parses front matter nor runs Markdown, and a dirty
    rebuild still knows every page's title.

    The body waits compressed: MkDocs reads every page before it builds the first, and 50,000 paper
    bodies as text took 650 MB (most hold a character beyond Latin-1: two bytes each in a Python
    string), compressed a fifth of that. `content` gives the text while MkDocs works on the page
    (`_lent`) and keeps only a text a plugin changed (`_text`)."""

    _template: str | None = None  # its own template while another process builds it (hand_over)
    _body = b""  # the HTML body, UTF-8, compressed
    _lent: str | None = None  # the body's text, while MkDocs works on this page
    _text: str | None = None  # a content some plugin set in its place

    def __init__(self, title: str | None, file: File, config, rendered: RenderedPage, body: str, packed: bool = True) -> None:
        super().__init__(title, file, config)
        self.markdown, self.meta, self._toc_entries = "", dict(rendered.meta), rendered.toc
        if packed:
            self._body = zlib.compress(body.encode("utf-8"), 1)
        else:  # serve: few pages are rebuilt, and compressing the others each time would slow the rebuild
            self._text = body

    @property
    def content(self) -> str | None:
        if self._text is not None:
            return self._text
        if self._lent is None and self._body:
            self._lent = zlib.decompress(self._body).decode("utf-8")
        return self._lent

    @content.setter
    def content(self, value: str | None) -> None:
        if value is None:  # written out, or not yet rendered: nothing kept
            self._body, self._lent, self._text = b"", None, None
        elif value is self._lent:  # given back unchanged: the compressed body is all it takes
            self._lent = None
        else:
            self._text, self._lent = value, None

    def read_source(self, config) -> None:
        """Known already: nothing to read."""

    def hand_over(self) -> None:
        """Another process builds this page: MkDocs' own pass here renders nothing and writes nothing."""
        self._template = self.meta.get("template")
        self.meta["template"] = BUILT_ELSEWHERE

    def take_back(self) -> None:
        """This process builds the page after all (a no-op where it was never handed over)."""
        if self.meta.get("template") == BUILT_ELSEWHERE:
            self.meta.pop("template")
            if self._template is not None:
                self.meta["template"] = self._template

    def render(self, config, files) -> None:
        """Rendered already: its table of contents is the one the render stage recorded."""
        self.toc = get_toc(self._toc_entries)  # type: ignore[arg-type]


def _build_pages(pages: list[GeneratedPage], config, doc_files, nav, env, origin: int, scans: PageScans) -> dict[str, object]:
    """MkDocs' own build of each page (templates, plugins' page events, the written file): run in a
    forked process, or in process `origin` when that failed; returns the pages' link scans (which the
    plugin's on_post_page makes). A child in which MkDocs warned fails, so that the pages are built
    again where strict mode counts the warnings."""
    warnings = WarningCount(logging.WARNING)
    _ENGINE_LOG.addHandler(warnings)
    try:
        for page in pages:
            page.take_back()
            engine_build._build_page(page, config, doc_files, nav, env)  # MkDocs 1.6's page step, as its build loop calls it
    finally:
        _ENGINE_LOG.removeHandler(warnings)
    if warnings.count and os.getpid() != origin:
        raise RuntimeError(f"MkDocs warned {warnings.count} time(s) while building pages in a child process")
    return dict(scans.pages)


def _searchable(page: Page) -> bool:
    return page.meta.get("search", {}).get("exclude") is not True


_QUIET_HANDED_OVER = QuietFilter("Generated empty output")  # a page another process builds renders empty here


@contextlib.contextmanager
def _running(job: SiteJob) -> Iterator[SiteJob]:
    """`job` is what the atlas plugin works from while the engine runs (MkDocs makes the plugin itself)."""
    AtlasPlugin.job = job
    try:
        yield job
    finally:
        AtlasPlugin.job = None


class AtlasConfig(Config):
    root = config_options.Optional(config_options.Dir(exists=True))
    parallel = config_options.Type(bool, default=True)  # share building the pages with the other cores (atlas.background)
    fragment_cache = config_options.Type(bool, default=True)  # render shared theme fragments once (atlas/engine/theme_cache.py)


class AtlasPlugin(BasePlugin[AtlasConfig]):
    """Adds one generated page per record, the index pages and the atlas' assets to the build, and
    the search index. Generated pages are HTML already: their bodies bypass Markdown."""

    job: ClassVar[SiteJob | None] = None  # set by build_site and serve_site (_running) for as long as the engine runs
    incremental = False  # `atlas serve`: rebuild only the files whose content changed since the last build

    def __init__(self) -> None:
        self._scans = PageScans()  # the links and ids of the pages written, for that check
        self._written: set[str] = set()  # the paths of the files the build writes, for that check
        self._elsewhere: list[tuple[Forked[dict[str, object]], int]] = []  # forked processes building pages, and how many
        self._nav = None
        self._search = SearchIndexer()
        self._digests: dict[str, dict[str, bytes]] = {}  # by site folder: each generated file's content digest
        self._page_digests = PageDigests()  # serve: each page's digest, made once per rendered page
        self._last_valid: Rendered | None = None  # serve: the last rebuild whose records validated
        self._showing_problems = False  # serve: the pages show the problems notice

    def on_startup(self, *, command, dirty) -> None:
        # Defining this hook keeps one plugin instance across `serve` rebuilds: what the last build wrote is known.
        self.incremental = command == "serve" and dirty

    def _job(self) -> SiteJob:
        if self.job is None:
            raise PluginError("the atlas' pages are built by `atlas build` and `atlas serve`, which give MkDocs the rendered pages")
        return self.job

    def _root(self, config) -> Path:
        return Path(self.config.root or Path(config.config_file_path).parent).resolve()

    def on_config(self, config):
        theme_additions = str(Path(__file__).parent / "theme")
        if theme_additions not in config.theme.dirs:
            config.theme.dirs.insert(0, theme_additions)
        for name in PAGE_ASSETS:
            target = config.extra_css if name.endswith(".css") else config.extra_javascript
            path = f"assets/atlas/{name}"
            if path not in [str(item) for item in target]:
                target.append(path)
        return config

    def _rendered(self, config) -> tuple[Rendered, str]:
        """The pages the job's source renders, and the notice to put on top of each: none, or under
        `atlas serve` while the records do not validate, the problems (over the last valid pages)."""
        try:
            rendered = self._job().source(SiteSettings(config.site_url, config.repo_url, config.edit_uri))
        except AtlasInvalid as invalid:
            lines = "\n".join(str(problem) for problem in invalid.problems)
            if not (self.incremental and self._last_valid):
                raise PluginError(f"the atlas data has {len(invalid.problems)} problem(s); run `atlas check`:\n{lines}") from None
            log.warning(f"the atlas data has {len(invalid.problems)} problem(s); the pages show them:\n{lines}")
            self._showing_problems = True
            last = self._last_valid  # its pages, each under the notice (popped by on_files: a copy)
            return Rendered(dict(last.pages), last.assets, last.files), problems_notice(invalid.problems)
        if self.incremental:  # what the pages show while a later edit does not validate
            self._last_valid = Rendered(dict(rendered.pages), rendered.assets, rendered.files)
            if self._showing_problems:
                log.info("the atlas data is valid again; the pages show it")
                self._showing_problems = False
        return rendered, ""

    def on_files(self, files: Files, /, *, config) -> Files:
        rendered, notice = self._rendered(config)
        if self.incremental:
            self._search.abandon()  # the previous rebuild's indexing, if it still runs
        else:
            self._search.close()  # a fresh index: nothing of a build that stopped early
        digests = self._digests.setdefault(config.site_dir, {}) if self.incremental else {}

        def add(path: str, content: bytes, digest: bytes | None = None) -> GeneratedFile:
            """A generated file; a page's is empty (MkDocs never reads it), its `digest` stands for it."""
            file = cast(GeneratedFile, GeneratedFile.generated(config, path, content=content))  # File.generated makes a `cls`
            if self.incremental:  # a fresh build has no earlier file to be unchanged from
                digest = digest or hashlib.blake2b(content).digest()
                file.unchanged = digests.get(path) == digest
                digests[path] = digest
            files.append(file)
            return file

        # The Markdown pages' content is known only once MkDocs has read them: they are indexed last.
        markdown_pages = {file.url for file in files.documentation_pages()}
        self._search.expect(len(rendered.pages) + len(markdown_pages), late=markdown_pages)
        titles = nav_titles(config.nav)
        for path in list(rendered.pages):
            made = rendered.pages.pop(path)  # one copy of each page in memory, not two
            if files.get_file_from_path(path) is None:
                file = add(path, b"", self._page_digests.of(path, made, notice) if self.incremental else None)
                page = GeneratedPage(titles.get(path), file, config, made, notice + made.body, packed=not self.incremental)
                if not file.unchanged and _searchable(page):
                    self._search.add(page.url, page.title or "", made.body)
        for name, content in rendered.assets.items():
            add(f"assets/atlas/{name}", content)
        for path, content in rendered.files.items():
            add(path, content)
        if self.incremental:
            self._remove_stale(config, digests, {file.src_uri for file in files})
        if not self.incremental:  # Pagefind starts on the generated pages while MkDocs reads the others
            self._search.start(Path(config.site_dir))
        hold_collector(collect=not self.incremental)
        return files

    def _remove_stale(self, config, digests: dict[str, bytes], made: set[str]) -> None:
        """Serve: the files an earlier rebuild generated and this one does not (a deleted paper's page)
        are removed from the served site."""
        for path in [path for path in digests if path not in made]:
            del digests[path]
            self._page_digests.forget(path)
            target = Path(GeneratedFile.generated(config, path, content="").abs_dest_path)
            target.unlink(missing_ok=True)
            if target.name == "index.html" and target.parent != Path(config.site_dir):
                with contextlib.suppress(OSError):  # the page's own folder, when nothing else is in it
                    target.parent.rmdir()

    def on_page_content(self, html: str, /, *, page, config, files) -> str:
        if not isinstance(page, GeneratedPage) and _searchable(page):
            self._search.add(page.url, page.title or "", html)
        return html

    def on_post_page(self, output: str, /, *, page, config) -> str:
        page.content = None  # written out: a large atlas need not hold every page until the end
        output = without_indentation(output)
        if self.job is not None and self.job.link_base is not None and output:  # empty: a page built by the other process
            self._scans.add(page.file.dest_uri, output)
        return output

    def on_nav(self, nav, /, *, config, files):
        self._nav = nav
        return nav

    def on_env(self, env, /, *, config, files):
        env.add_extension(FragmentCache)
        env.atlas_fragments_cached = self.config.fragment_cache  # off: every fragment rendered (the test's reference)
        env.bytecode_cache = TEMPLATE_CACHE  # the theme's templates too: compiled once, not on every build
        env.auto_reload = False  # a build's templates do not change: no file checked on each of ~20 lookups a page
        env.globals["atlas_navigation_key"] = navigation_key
        self._search.keep_only({file.url for file in files.documentation_pages()})
        if not self.incremental:
            self._scans = PageScans()
            self._written = {file.dest_uri for file in files if file.inclusion.is_included()}
            self._search.all_added()  # every page's content is known: indexed beside the theme's rendering
            self._hand_over(env, config, files)
        return env

    def _hand_over(self, env, config, files: Files) -> None:
        """The generated pages are dealt among the machine's cores (atlas.background): forked processes
        build their shares while MkDocs builds the first here; on_post_build waits for them (and builds
        here the share of any that failed)."""
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)  # as MkDocs' build loop
        pages = [file.page for file in doc_files if isinstance(file.page, GeneratedPage)]
        for share in dealt(pages, workers(len(pages), self.config.parallel))[1:]:
            work = Forked(_build_pages, share, config, doc_files, self._nav, env, os.getpid(), self._scans)
            if work.child is not None:  # else no process to hand over to: MkDocs builds these pages here
                self._elsewhere.append((work, len(share)))
                for page in share:
                    page.hand_over()
        if self._elsewhere:
            _BUILD_LOG.addFilter(_QUIET_HANDED_OVER)

    def _take_back(self) -> None:
        """Wait for the pages built elsewhere; where that failed, they are built here (MkDocs' errors)."""
        elsewhere, self._elsewhere = self._elsewhere, []
        if elsewhere:
            _BUILD_LOG.removeFilter(_QUIET_HANDED_OVER)
        for work, handed in elsewhere:
            self._scans.pages.update(work.result())  # type: ignore[arg-type]
            where = "here, the other process having failed" if work.ran_here else "by another process"
            log.info(f"{handed} pages were built {where}")

    def on_post_build(self, *, config) -> None:
        if self.incremental:
            release_collector()
            self._search.start(Path(config.site_dir), polite=True)  # serve: after the pages, not to slow the rebuild
            self._search.all_added()
            return  # the page reloads at once; search catches up in the background
        try:
            self._take_back()
            job = self._job()
            if job.link_base is not None:  # every page is written: checked while Pagefind still indexes
                site = Path(config.site_dir)
                made = {*config.theme.static_templates, "sitemap.xml.gz"}  # written from templates, not from `files`
                written = self._written | {name for name in made if (site / name).is_file()}
                job.broken_links = broken_links(site, job.link_base, self._scans, written)
                self._scans = PageScans()
            self._search.wait()
        except SearchIndexFailed as failed:
            raise PluginError(str(failed)) from None
        finally:
            self._search.close()
            release_collector()  # only now, or the link check's collections would re-examine it all

    def on_build_error(self, *, error) -> None:
        release_collector()
        if self._elsewhere:
            _BUILD_LOG.removeFilter(_QUIET_HANDED_OVER)
        for work, _ in self._elsewhere:
            work.cancel()
        self._elsewhere = []
        if self.incremental:
            self._search.abandon()  # serve keeps the documents for the next rebuild
        else:
            self._search.close()

    def on_shutdown(self) -> None:
        self._search.close()

    def on_serve(self, server, /, *, config, builder):
        # The records polled every 0.1 s (MkDocs: 0.5 s; a stat of each file, 5 ms for 1,000 papers): an edit shows sooner.
        # A rebuild waits 2.5 polls with no change: a record and its citations.bib entry saved one after the other make
        # one rebuild, not one between them (with the problems notice on every page) and then another.
        if isinstance(getattr(server.observer, "_timeout", None), float):
            server.observer._timeout = RECORD_POLLING_SECONDS
        server.build_delay = max(server.build_delay, 2.5 * RECORD_POLLING_SECONDS)
        root = self._root(config)
        for name in DATA_PATHS:
            if (root / name).exists():
                server.watch(str(root / name))
        return server


@contextlib.contextmanager
def _theme_listed_once() -> Iterator[ListedOnce]:
    """Meanwhile MkDocs' `Files.add_files_from_theme` lists the theme's files once, again when a theme folder
    changed (`atlas serve` walked and filtered Material's 14,510 files on every rebuild, 0.14 s of each)."""
    plain, listing = Files.add_files_from_theme, ListedOnce[tuple[str, str | None]]()

    def add_files_from_theme(files: Files, env, config) -> None:
        def found() -> list[tuple[str, str | None]]:
            theme_files = Files([])
            plain(theme_files, env, config)
            return [(file.src_uri, file.src_dir) for file in theme_files]

        key = (tuple(config.theme.dirs), tuple(config.theme.static_templates), config.site_dir, config.use_directory_urls)
        for path, folder in listing.get(key, config.theme.dirs, found):
            if files.get_file_from_path(path) is None:  # as MkDocs: theme files do not override docs_dir files
                files.append(File(path, folder, config.site_dir, config.use_directory_urls))

    Files.add_files_from_theme = add_files_from_theme  # type: ignore[method-assign,assignment]
    try:
        yield listing
    finally:
        Files.add_files_from_theme = plain  # type: ignore[method-assign]


def _load(root: Path, strict: bool, site_dir: Path | None):
    from mkdocs.config import load_config

    return load_config(str(root / "mkdocs.yml"), strict=strict, site_dir=None if site_dir is None else str(site_dir))  # None: unset


def build_site(
    root: Path, source: PageSource, strict: bool = True, site_dir: Path | None = None, link_base: str | None = None
) -> list[BrokenLink]:
    """Build the site from the pages `source` renders (MkDocs strict mode by default); raises
    BuildFailed with MkDocs' reason. With `link_base` (the path of site_url), the site's internal
    links are checked as the build ends (while the search index is still being built); the broken
    ones are returned."""
    config = _load(root, strict, site_dir)
    plugin = config.plugins.get("atlas")
    if not isinstance(plugin, AtlasPlugin):
        raise BuildFailed("mkdocs.yml does not list the atlas plugin under `plugins`; add `- atlas`")
    plugin.incremental = False  # one instance serves every build of the process: say what this one is
    try:
        with _running(SiteJob(source, link_base)) as job:
            engine_build.build(config)
    except (Abort, PluginError) as error:
        raise BuildFailed(str(error)) from None
    return job.broken_links


def serve_site(root: Path, address: str, source: PageSource) -> None:
    """Serve the site on `address`, rebuilt from `source` (which renders anew) whenever a record changes."""
    from mkdocs.commands.serve import serve

    _BUILD_LOG.addFilter(QuietFilter("'dirty' build"))  # serve rebuilds only what changed: MkDocs' warning would only alarm
    # Stopped by a signal (a terminal closing, a test, a supervisor), serve cleans up as after Ctrl-C:
    # MkDocs' temporary site and the search documents (in RAM, under /dev/shm) are removed.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(0))
    try:
        # Dirty builds: after the first, only changed files are rebuilt. Not strict: a preview shows
        # MkDocs' warnings without stopping (`atlas check` and `atlas build` are the gates).
        with _running(SiteJob(source)), _theme_listed_once():
            serve(str(root / "mkdocs.yml"), dev_addr=address, livereload=True, build_type="dirty", strict=False)
    except (Abort, PluginError) as error:
        raise BuildFailed(str(error)) from None


class BuildFailed(Exception):
    """The engine stopped; the message is its reason."""
