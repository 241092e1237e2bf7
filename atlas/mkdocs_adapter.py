"""The only module that knows MkDocs: a plugin that adds the rendered pages, and build/serve calls.

Another engine would need just another adapter: the stages before this one produce plain pages.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import Abort, PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from atlas.pipeline import AtlasInvalid, render_pages
from atlas.render import PAGE_ASSETS

log = logging.getLogger("mkdocs.plugins.atlas")
DATA_PATHS = ("challenges", "papers", "citations.bib")


class AtlasConfig(Config):
    root = config_options.Optional(config_options.Dir(exists=True))


class AtlasPlugin(BasePlugin[AtlasConfig]):
    """Adds one generated page per record, the index pages and the atlas' assets to the build."""

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
        try:
            rendered = render_pages(self._root(config), config.site_url)
        except AtlasInvalid as invalid:
            lines = "\n".join(str(problem) for problem in invalid.problems)
            raise PluginError(f"the atlas data has {len(invalid.problems)} problem(s); run `atlas check`:\n{lines}") from None
        for path, content in rendered.pages.items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=content))
        for name, content in rendered.assets.items():
            files.append(File.generated(config, f"assets/atlas/{name}", content=content))
        for path, content in rendered.files.items():
            files.append(File.generated(config, path, content=content))
        return files

    def on_serve(self, server, /, *, config, builder):
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


def build_site(root: Path, strict: bool = True, site_dir: Path | None = None) -> None:
    """Build the site (MkDocs strict mode by default); raises BuildFailed with MkDocs' reason."""
    from mkdocs.commands.build import build

    try:
        build(_load(root, strict, site_dir))
    except (Abort, PluginError) as error:
        raise BuildFailed(str(error)) from None


def serve_site(root: Path, address: str) -> None:
    from mkdocs.commands.serve import serve

    try:
        serve(str(root / "mkdocs.yml"), dev_addr=address, livereload=True)
    except (Abort, PluginError) as error:
        raise BuildFailed(str(error)) from None


class BuildFailed(Exception):
    """The engine stopped; the message is its reason."""
