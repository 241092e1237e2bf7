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
