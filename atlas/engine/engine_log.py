"""Filters and counters for the engine's log: the messages about what the atlas does on purpose left
out, and the warnings of a build counted (a forked build that warned is built again where strict mode
counts them)."""

from __future__ import annotations

import logging


class WarningCount(logging.Handler):
    """Counts the warnings logged while it is attached."""

    count = 0  # the warnings seen

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


class QuietFilter(logging.Filter):
    """Leaves out the engine's messages that contain `fragment`: about what the atlas does on purpose."""

    def __init__(self, fragment: str) -> None:
        super().__init__()
        self.fragment = fragment

    def filter(self, record: logging.LogRecord) -> bool:
        return self.fragment not in record.getMessage()
