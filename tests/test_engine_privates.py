"""What atlas/engine/mkdocs_adapter.py relies on inside MkDocs (its only module that touches MkDocs'
internals): a MkDocs release that changes any of it fails here, not in a reader's build."""

from __future__ import annotations

import inspect

import watchdog.observers.polling
from mkdocs.commands import build
from mkdocs.livereload import LiveReloadServer


def test_the_page_step_the_adapter_calls_takes_the_arguments_it_passes():
    parameters = list(inspect.signature(build._build_page).parameters)
    assert parameters[:5] == ["page", "config", "doc_files", "nav", "env"]


def test_the_log_messages_the_adapter_quiets_are_the_ones_mkdocs_writes():
    source = inspect.getsource(build)
    assert "Generated empty output." in source  # a page handed over to the atlas renders nothing here (BUILT_ELSEWHERE)
    assert "A 'dirty' build is being performed" in source  # `atlas serve` rebuilds only what changed, on purpose


def test_the_polling_interval_the_adapter_shortens_is_the_observers():
    assert "PollingObserver(timeout=polling_interval)" in inspect.getsource(LiveReloadServer.__init__)
    observer = watchdog.observers.polling.PollingObserver(timeout=0.5)
    assert isinstance(observer._timeout, float) and observer._timeout == 0.5


def test_a_generated_page_read_by_mkdocs_holds_its_body_compressed_only():
    """MkDocs reads every page before it builds the first: GeneratedPage gives its text while MkDocs
    works on it and keeps it compressed otherwise, unless a plugin changed it."""
    import zlib
    from pathlib import Path

    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    from atlas.engine.mkdocs_adapter import GeneratedFile, GeneratedPage
    from atlas.site.page import Page

    config = load_config(str(Path(__file__).resolve().parents[1] / "mkdocs.yml"))
    config.plugins._current_plugin = "atlas"  # as while the plugin's on_files runs
    heading = '<h2 id="one">One<a class="headerlink" href="#one" title="Permanent link">&para;</a></h2>'
    body = f"{heading}\n<p>Text — with a dash</p>\n"
    rendered = Page("papers/a-page.md", {"title": "A page"}, body, [{"level": 2, "id": "one", "name": "One", "children": []}])
    file = GeneratedFile.generated(config, "papers/a-page.md", content=b"")
    page = GeneratedPage(None, file, config, rendered, body)
    build._populate_page(page, config, Files([file]))
    assert page._lent is None and page._text is None and zlib.decompress(page._body).decode("utf-8") == body
    assert [item.id for item in page.toc] == ["one"] and page.title == "A page"
    assert page.content == body  # lent again while MkDocs builds the page
    page.content = page.content + "<p>added by a plugin</p>"
    assert page.content.endswith("added by a plugin</p>") and page._text is not None
    page.content = None  # written out (on_post_page)
    assert page.content is None and page._body == b""
    served = GeneratedPage(None, file, config, rendered, body, packed=False)  # atlas serve: kept as text
    build._populate_page(served, config, Files([file]))
    assert served.content == body and served._body == b""


def _theme_files(config, listing=None) -> list[tuple[str, str | None, str]]:
    """The theme's files as `listing` (MkDocs' own Files.add_files_from_theme by default) finds them."""
    from mkdocs.structure.files import Files

    files = Files([])
    (listing or Files.add_files_from_theme)(files, config.theme.get_env(), config)
    return [(file.src_uri, file.src_dir, file.dest_uri) for file in files]


def test_the_theme_files_listed_once_are_those_mkdocs_lists_and_a_new_theme_file_is_listed(tmp_path):
    """`atlas serve` lists the theme's 14,510 files once (_theme_listed_once), and again when a folder
    of the theme changed: always the files MkDocs' own listing finds."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import Files

    from atlas.engine.mkdocs_adapter import _theme_listed_once

    theme = tmp_path / "theme"
    (theme / "assets").mkdir(parents=True)
    (theme / "assets" / "one.css").write_text("a{}")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(f"site_name: t\ntheme:\n  name: material\n  custom_dir: {theme}\n")
    config = load_config(str(tmp_path / "mkdocs.yml"))
    plain = Files.add_files_from_theme
    assert ("assets/one.css", str(theme), "assets/one.css") in _theme_files(config)
    with _theme_listed_once() as listing:  # as `atlas serve` runs MkDocs
        assert _theme_files(config) == _theme_files(config, plain) and listing.listings == 1
        assert _theme_files(config) == _theme_files(config, plain) and listing.listings == 1  # nothing changed: not listed again
        (theme / "assets" / "fonts").mkdir()
        (theme / "assets" / "fonts" / "two.woff2").write_bytes(b"")
        assert _theme_files(config) == _theme_files(config, plain) and listing.listings == 2
        assert ("assets/fonts/two.woff2", str(theme), "assets/fonts/two.woff2") in _theme_files(config)
        (theme / "assets" / "one.css").unlink()
        assert _theme_files(config) == _theme_files(config, plain) and listing.listings == 3
    assert Files.add_files_from_theme is plain
