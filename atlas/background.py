"""Work on the machine's other core: a function computed in a forked child while this process goes on."""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")


class Forked(Generic[_T]):
    """`function(*args)` computed in a forked child while this process goes on; `result()` waits.

    The child sends its result back pickled. Where forking is unsafe or impossible (not Linux,
    other threads running) or the child fails in any way, the function simply runs here, on the
    `result()` call, so the answer and any exception are exactly those of a plain call."""

    def __init__(self, function: Callable[..., _T], *args: Any, fork: bool = True) -> None:
        self.function, self.args = function, args
        self.child: int | None = None
        if not fork or sys.platform != "linux" or threading.active_count() > 1:
            return
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return
        try:
            child = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if child == 0:  # pragma: no cover (the child never returns: coverage cannot see it)
            status = 1
            try:
                os.close(read_end)
                payload = pickle.dumps(function(*args), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as stream:
                    stream.write(payload)
                status = 0
            finally:
                os._exit(status)  # no atexit handlers, no flushing the parent's buffers twice
        os.close(write_end)
        self.child, self.read_end = child, read_end

    def result(self) -> _T:
        if self.child is not None:
            child, self.child = self.child, None
            try:
                with os.fdopen(self.read_end, "rb") as stream:
                    payload = stream.read()
            finally:
                status = _exit_status(child)
            if status == 0 and payload:
                return pickle.loads(payload)
        return self.function(*self.args)

    def cancel(self) -> None:
        if self.child is not None:
            child, self.child = self.child, None
            os.close(self.read_end)
            os.kill(child, signal.SIGKILL)
            _exit_status(child)


def _exit_status(child: int) -> int:
    """Wait for the child; its exit status, or -1 when it cannot be known (SIGCHLD ignored)."""
    try:
        return os.waitpid(child, 0)[1]
    except ChildProcessError:
        return -1
