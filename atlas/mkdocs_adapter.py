"""The only module that knows MkDocs: a plugin that adds the rendered pages, and build/serve calls.

Another engine would need just another adapter: the stages before this one produce plain pages.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import re
import signal
import sys
from pathlib import Path

import yaml
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from atlas.model import Atlas
from atlas.pipeline import AtlasInvalid, render_pages
from atlas.render import PAGE_ASSETS, TEMPLATE_CACHE, RenderMemo
from atlas.search_index import SearchIndexer, SearchIndexFailed
from atlas.theme_cache import FragmentCache, navigation_key

log = logging.getLogger("mkdocs.plugins.atlas")
DATA_PATHS = ("challenges", "papers", "citations.bib")
RECORD_POLLING_SECONDS = 0.1
_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.S)
_ANCHOR = re.compile(r'\sid="([^"]+)"')
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where built with it
_PREFORMATTED = re.compile(r"<(pre|script|textarea)\b.*?</\1>", re.S | re.I)
_INDENTATION = re.compile(r"\n\s+")
_HEADING = re.compile(r'<h([1-6]) id="([^"]+)">(.*?)<a class="headerlink"', re.S)


class GeneratedFile(File):
    """A file the atlas generates; in `atlas serve`, one identical to the previous build's is not rebuilt."""

    unchanged = False

    def is_modified(self) -> bool:
        return not self.unchanged and super().is_modified()


class GeneratedPage(Page):
    """A page the atlas rendered: its metadata and HTML body are known from the start, so MkDocs
    neither parses front matter nor runs Markdown (a Markdown converter built per page was most of
    the time MkDocs spent reading a page), and a dirty rebuild still knows every page's title."""

    def __init__(self, title: str | None, file: File, config, front_matter: str, body: str) -> None:
        super().__init__(title, file, config)
        match = _FRONT_MATTER.match(front_matter)
        meta = yaml.load(match.group(1), Loader=_YAML_LOADER) if match else None  # a safe loader
        self.markdown, self.meta = "", meta if isinstance(meta, dict) else {}
        self._body = body

    def read_source(self, config) -> None:
        """Known already: nothing to read."""

    def render(self, config, files) -> None:
        self.content, self._body = self._body, ""
        self.toc = get_toc(toc_tokens(self.content))  # type: ignore[arg-type]
        self.present_anchor_ids = set(_ANCHOR.findall(self.content))


def nav_titles(nav: object) -> dict[str, str | None]:
    """Each page `nav` (mkdocs.yml's) lists, with the title it gives the page (None: the page's own)."""
    titles: dict[str, str | None] = {}

    def walk(item: object, title: str | None = None) -> None:
        if isinstance(item, str):
            titles.setdefault(item, title)
        elif isinstance(item, list):
            for child in item:
                walk(child)
        elif isinstance(item, dict):
            for key, value in item.items():
                walk(value, key if isinstance(value, str) else None)

    walk(nav)
    return titles


class _QuietDirtyBuilds(logging.Filter):
    """`atlas serve` rebuilds only what changed, on purpose: MkDocs' warning about it would only alarm."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def split_page(text: str) -> tuple[str, str]:
    """A rendered page's front matter (for the engine's metadata) and its HTML body."""
    match = _FRONT_MATTER.match(text)
    return (match.group(0), text[match.end() :]) if match else ("", text)


def without_indentation(html: str) -> str:
    """The page without the theme's indentation (a sixth of its size), preformatted and script text untouched.

    Only the few preformatted parts are found one by one: the text between them is one substitution."""
    parts, done = [], 0
    for kept in _PREFORMATTED.finditer(html):
        parts += (_INDENTATION.sub("\n", html[done : kept.start()]), kept.group(0))
        done = kept.end()
    parts.append(_INDENTATION.sub("\n", html[done:]))
    return "".join(parts)


def toc_tokens(body: str) -> list[dict]:
    """The table of contents of an HTML body, nested by heading level, as Markdown's `toc` gives it."""
    root: list[dict] = []
    open_levels: list[dict] = []
    for level_text, anchor, name in _HEADING.findall(body):
        token = {"level": int(level_text), "id": anchor, "name": name, "children": []}
        while open_levels and open_levels[-1]["level"] >= token["level"]:
            open_levels.pop()
        (open_levels[-1]["children"] if open_levels else root).append(token)
        open_levels.append(token)
    return root


class AtlasConfig(Config):
    root = config_options.Optional(config_options.Dir(exists=True))


class AtlasPlugin(BasePlugin[AtlasConfig]):
    """Adds one generated page per record, the index pages and the atlas' assets to the build, and
    the search index. Generated pages are HTML already: their bodies bypass Markdown."""

    validated: Atlas | None = None  # set by build_site when the caller has validated the atlas already
    incremental = False  # `atlas serve`: rebuild only the files whose content changed since the last build

    def __init__(self) -> None:
        self._search = SearchIndexer()
        self._digests: dict[str, dict[str, bytes]] = {}  # by site folder: each generated file's content digest
        self._memo = RenderMemo()  # serve: pages and references the last rebuild made, reused when unchanged

    def on_startup(self, *, command, dirty) -> None:
        # Defining this hook keeps one plugin instance across `serve` rebuilds: what the last build wrote is known.
        self.incremental = command == "serve" and dirty

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

    def on_files(self, files: Files, /, *, config) -> Files:
        if self.incremental:
            # A rebuild makes few cycles (most pages are not rebuilt) but its objects would set off full
            # collections of the whole heap: paused until the rebuild is served (on_post_build).
            gc.disable()
        try:
            memo = self._memo if self.incremental else None
            rendered = render_pages(self._root(config), config.site_url, self.validated, parallel=not self.incremental, memo=memo)
        except AtlasInvalid as invalid:
            lines = "\n".join(str(problem) for problem in invalid.problems)
            raise PluginError(f"the atlas data has {len(invalid.problems)} problem(s); run `atlas check`:\n{lines}") from None
        if self.incremental:
            self._search.wait_quietly()  # the previous rebuild's indexing, if it still runs
        else:
            self._search.close()  # a fresh index: nothing of a build that stopped early
        digests = self._digests.setdefault(config.site_dir, {}) if self.incremental else {}

        def add(path: str, content: str | bytes, engine_content: str | bytes | None = None) -> GeneratedFile:
            file = GeneratedFile.generated(config, path, content=content if engine_content is None else engine_content)
            digest = hashlib.blake2b(content.encode() if isinstance(content, str) else content).digest()
            file.unchanged = digests.get(path) == digest
            digests[path] = digest
            files.append(file)
            return file

        self._search.expect(len(rendered.pages) + len(files.documentation_pages()))
        titles = nav_titles(config.nav)
        for path in list(rendered.pages):
            content = rendered.pages.pop(path)  # one copy of each page in memory, not two
            if files.get_file_from_path(path) is None:
                front_matter, body = split_page(content)
                GeneratedPage(titles.get(path), add(path, content, front_matter), config, front_matter, body)
        for name, content in rendered.assets.items():
            add(f"assets/atlas/{name}", content)
        for path, content in rendered.files.items():
            add(path, content)
        return files

    def on_page_content(self, html: str, /, *, page, config, files) -> str:
        if page.meta.get("search", {}).get("exclude") is not True:
            self._search.add(page.url, page.title or "", html)
        return html

    def on_post_page(self, output: str, /, *, page, config) -> str:
        page.content = None  # written out: a large atlas need not hold every page until the end
        return without_indentation(output)

    def on_env(self, env, /, *, config, files):
        env.add_extension(FragmentCache)
        env.bytecode_cache = TEMPLATE_CACHE  # the theme's templates too: compiled once, not on every build
        env.globals["atlas_navigation_key"] = navigation_key
        self._search.keep_only({file.url for file in files.documentation_pages()})
        if not self.incremental:
            self._search.start(Path(config.site_dir))  # every page's content is known: index beside the theme's rendering
        return env

    def on_post_build(self, *, config) -> None:
        if self.incremental:
            gc.enable()
            self._search.start(Path(config.site_dir))  # serve: after the pages, so as not to slow the rebuild
            return  # the page reloads at once; search catches up in the background
        try:
            self._search.wait()
        except SearchIndexFailed as failed:
            raise PluginError(str(failed)) from None
        finally:
            self._search.close()

    def on_build_error(self, *, error) -> None:
        gc.enable()
        if self.incremental:
            self._search.wait_quietly()  # serve keeps the documents for the next rebuild
        else:
            self._search.close()

    def on_shutdown(self) -> None:
        self._search.close()

    def on_serve(self, server, /, *, config, builder):
        # MkDocs polls for changes every 0.5 s; the records are polled every 0.1 s (a stat of each
        # file: about 5 ms for 1,000 papers), so an edit shows sooner.
        if isinstance(getattr(server.observer, "_timeout", None), float):
            server.observer._timeout = RECORD_POLLING_SECONDS
        root = self._root(config)
        for name in DATA_PATHS:
            if (root / name).exists():
                server.watch(str(root / name))
        return server


def _load(root: Path, strict: bool, site_dir: Path | None):
    from mkdocs.config import load_config

    overrides = {"strict": strict}
    if site_dir is not None:
        overrides["site_dir"] = str(site_dir)
    return load_config(str(root / "mkdocs.yml"), **overrides)


def build_site(root: Path, strict: bool = True, site_dir: Path | None = None, validated: Atlas | None = None) -> None:
    """Build the site (MkDocs strict mode by default); raises BuildFailed with MkDocs' reason.

    `validated` is the atlas as the caller has just loaded and validated it: not done twice."""
    from mkdocs.commands.build import build

    config = _load(root, strict, site_dir)
    plugin = config.plugins.get("atlas")
    if isinstance(plugin, AtlasPlugin):  # one instance serves every build of the process: say what this one is
        plugin.validated, plugin.incremental = validated, False
    try:
        build(config)
    except (Abort, PluginError) as error:
        raise BuildFailed(str(error)) from None


def serve_site(root: Path, address: str) -> None:
    from mkdocs.commands.serve import serve

    logging.getLogger("mkdocs.commands.build").addFilter(_QuietDirtyBuilds())
    # Stopped by a signal (a terminal closing, a test, a supervisor), serve cleans up as after Ctrl-C:
    # MkDocs' temporary site and the search documents (in RAM, under /dev/shm) are removed.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(0))
    try:
        # Dirty builds: after the first, only changed files are rebuilt. Not strict: a preview shows
        # MkDocs' warnings without stopping (`atlas check` and `atlas build` are the gates).
        serve(str(root / "mkdocs.yml"), dev_addr=address, livereload=True, build_type="dirty", strict=False)
    except (Abort, PluginError) as error:
        raise BuildFailed(str(error)) from None


class BuildFailed(Exception):
    """The engine stopped; the message is its reason."""
