"""Work on the machine's other core: a function computed in a forked child while this process goes on."""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")
_In = TypeVar("_In")
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None  # in RAM where it can be


class _Child(Generic[_T]):
    """A forked child whose answer comes back pickled through a pipe (`_answers`), or, where there is no
    child or it failed in any way, the same computation here (`_compute_here`) on the `result()` call."""

    child: int | None = None
    ran_here = False  # whether result() computed it in this process after all
    _answers: int | None = None  # the end of the pipe the child answers through

    def _compute_here(self) -> _T:
        raise NotImplementedError

    def _open_ends(self) -> tuple[int | None, ...]:
        """The pipe ends this process still holds open to the child."""
        return (self._answers,)

    def result(self) -> _T:
        if self.child is not None:
            child, self.child = self.child, None
            try:
                with os.fdopen(self._answers, "rb") as stream:  # type: ignore[arg-type]
                    payload = stream.read()
            finally:
                status = _exit_status(child)
            if status == 0 and payload:
                return pickle.loads(payload)
        self.ran_here = True
        return self._compute_here()

    def cancel(self) -> None:
        """Stop the child: its answer is no longer wanted."""
        if self.child is not None:
            child, self.child = self.child, None
            for end in self._open_ends():
                if end is not None:
                    os.close(end)
            os.kill(child, signal.SIGKILL)
            _exit_status(child)


class Forked(_Child[_T]):
    """`function(*args)` computed in a forked child while this process goes on; `result()` waits.

    The child sends its result back pickled. Where forking is unsafe or impossible (not Linux,
    other threads running) or the child fails in any way, the function simply runs here, on the
    `result()` call, so the answer and any exception are exactly those of a plain call."""

    def __init__(self, function: Callable[..., _T], *args: Any, fork: bool = True) -> None:
        self.function, self.args = function, args
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
            gc.disable()  # short-lived: a collection would only copy the parent's memory pages it shares
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
        self.child, self._answers = child, read_end

    def _compute_here(self) -> _T:
        return self.function(*self.args)


class Prepared(_Child[_T], Generic[_In, _T]):
    """`function(argument)` computed in a child forked before `argument` exists, which meanwhile runs
    `prepare` (imports that take a second, say): `send` hands the argument over, `result()` waits.

    The argument travels as a pickle in a scratch file (a pipe would block the sender until the child
    has prepared). As with Forked, where forking is unsafe or impossible or the child fails in any
    way, `result()` computes `function(argument)` here."""

    def __init__(self, function: Callable[[_In], _T], prepare: Callable[[], None]) -> None:
        self.function = function
        self._argument: Any = None
        self._to_child: int | None = None
        if sys.platform != "linux" or threading.active_count() > 1:
            return
        try:
            to_child, from_parent = os.pipe()
            to_parent, from_child = os.pipe()
        except OSError:
            return
        try:
            child = os.fork()
        except OSError:
            for end in (to_child, from_parent, to_parent, from_child):
                os.close(end)
            return
        if child == 0:  # pragma: no cover (the child never returns: coverage cannot see it)
            gc.disable()
            status = 1
            try:
                os.close(from_parent)
                os.close(to_parent)
                prepare()
                with os.fdopen(to_child, "rb") as stream:
                    handed = Path(stream.read().decode())  # empty when the parent gave up
                with handed.open("rb") as scratch:
                    argument = pickle.load(scratch)
                handed.unlink()
                payload = pickle.dumps(function(argument), pickle.HIGHEST_PROTOCOL)
                with os.fdopen(from_child, "wb") as stream:
                    stream.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(to_child)
        os.close(from_child)
        self.child, self._to_child, self._answers = child, from_parent, to_parent

    def send(self, argument: _In) -> None:
        self._argument = argument
        if self.child is None:
            return
        with tempfile.NamedTemporaryFile("wb", prefix="atlas-handover-", dir=_SCRATCH, delete=False) as scratch:
            pickle.dump(argument, scratch, pickle.HIGHEST_PROTOCOL)
        try:
            os.write(self._to_child, scratch.name.encode())
        except OSError:  # the child is gone: result() computes here
            os.unlink(scratch.name)
        finally:
            os.close(self._to_child)
            self._to_child = None

    def _compute_here(self) -> _T:
        return self.function(self._argument)

    def _open_ends(self) -> tuple[int | None, ...]:
        return (self._to_child, self._answers)


def _exit_status(child: int) -> int:
    """Wait for the child; its exit status, or -1 when it cannot be known (SIGCHLD ignored)."""
    try:
        return os.waitpid(child, 0)[1]
    except ChildProcessError:
        return -1
