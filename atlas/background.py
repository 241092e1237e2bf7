"""The one worker policy: how work is shared with forked processes on the machine's other cores.

Two steps share their work this way, each where a measurement showed it pays (benchmarks/README.md):
the engine adapter's build of the pages through the theme, about half of a build's processor time,
and reading `citations.bib` (pybtex) while the records are read, about 30% of `atlas check`'s
processor time at 10,000 papers. Each asks `workers(units)` how many processes should share `units` pieces of work,
deals its items with `dealt` and runs all shares but the first in `Forked` children.
One process per core the atlas may use, and no child with less than MIN_SHARE units: below that a
fork (about 5 ms, plus the copy-on-write pages it touches) costs more than the child saves.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")
_Item = TypeVar("_Item")
CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
MIN_SHARE = 50  # units of work a child must get for its fork to pay


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused meanwhile (and back on after, if it was on): for work that
    makes many objects that all stay alive, which every collection would re-examine to free nothing.
    Reference counting still frees whatever is dropped meanwhile."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def hold_collector(collect: bool) -> None:
    """The one place a build tells Python's cycle collector about its objects: the atlas, the pages
    and the files live as long as the build, so they are frozen (no collection re-examines them, nor
    touches them in the forked processes' copy-on-write memory); with `collect`, what rendering left
    in cycles is freed first. `release_collector` ends it."""
    if collect:
        gc.collect()
    gc.freeze()
    return_freed_memory()  # a forked child's resident size counts its parent's free pages too


def release_collector() -> None:
    """Collectable again, for a process that goes on (serve, the tests)."""
    gc.unfreeze()


def can_fork() -> bool:
    """Forking copies only the calling thread: safe on Linux while no other thread runs."""
    return sys.platform == "linux" and threading.active_count() == 1


def workers(units: int, parallel: bool = True) -> int:
    """How many processes share `units` pieces of work: one per core, each child at least MIN_SHARE."""
    if not parallel or not can_fork():
        return 1
    return max(1, min(CORES, units // MIN_SHARE))


def dealt(items: Sequence[_Item], count: int) -> list[Sequence[_Item]]:
    """`items` dealt round-robin into `count` shares: neighbours (similar work) land in different shares."""
    return [items[start::count] for start in range(count)]


def undealt(shares: Sequence[Sequence[_T]]) -> list[_T]:
    """Results of `dealt` shares, back in the order of the items they came from."""
    count, total = len(shares), sum(map(len, shares))
    return [shares[position % count][position // count] for position in range(total)]


class Forked(Generic[_T]):
    """`function(*args)` computed in a forked child while this process goes on; `result()` waits.

    The child sends its result back pickled through a pipe. Where forking is unsafe or impossible
    (not Linux, other threads running), with `fork=False`, or where the child fails in any way, the
    function simply runs here, on the `result()` call, so the answer and any exception are exactly
    those of a plain call."""

    child: int | None = None
    ran_here = False  # whether result() computed it in this process after all
    args: tuple[Any, ...] | None  # None once the answer is known
    _answer: _T  # once known
    _answers: int | None = None  # the end of the pipe the child answers through

    def __init__(self, function: Callable[..., _T], *args: Any, fork: bool = True) -> None:
        self.function, self.args = function, args
        if not fork or not can_fork():
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
            # The child lives for one task: a collection would free little and copy the parent's pages it
            # touches. Without this, the children of a 5,000-paper build spent 0.3 s in collections.
            gc.disable()
            status = 1
            try:
                os.close(read_end)
                answer = function(*args)
                with os.fdopen(write_end, "wb") as stream:  # pickled frame by frame: no second copy of a large answer
                    pickle.dump(answer, stream, pickle.HIGHEST_PROTOCOL)
                status = 0
            finally:
                os._exit(status)  # no atexit handlers, no flushing the parent's buffers twice
        os.close(write_end)
        self.child, self._answers = child, read_end

    def result(self) -> _T:
        """The answer; computed once, then the arguments are let go of (they may be a whole atlas)."""
        if self.args is None:
            return self._answer
        self._answer, self.args = self._computed(), None
        return self._answer

    def _computed(self) -> _T:
        if self.child is not None:
            child, self.child = self.child, None
            answered = False
            try:
                # Read as it comes (no copy of the whole payload), while no collection re-examines what it makes.
                with collector_paused(), os.fdopen(self._answers, "rb") as stream:  # type: ignore[arg-type]
                    answer, answered = pickle.load(stream), True
            except Exception:  # the child failed before its answer was whole: computed here instead
                pass
            finally:
                status = _exit_status(child)
            if status == 0 and answered:
                return answer
        self.ran_here = True
        return self.function(*(self.args or ()))

    def cancel(self) -> None:
        """Stop the child: its answer is no longer wanted."""
        if self.child is not None:
            child, self.child = self.child, None
            os.close(self._answers)  # type: ignore[arg-type]
            os.kill(child, signal.SIGKILL)
            _exit_status(child)


def _exit_status(child: int) -> int:
    """Wait for the child; its exit status, or -1 when it cannot be known (SIGCHLD ignored)."""
    try:
        return os.waitpid(child, 0)[1]
    except ChildProcessError:
        return -1


def return_freed_memory() -> None:
    """Give the memory freed so far back to the system (glibc's malloc_trim; elsewhere nothing to
    do): a forked child's resident size counts every page of its parent's heap, free or not."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
