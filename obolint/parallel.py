"""Run a per-item function over many items on several processes, in order, or in this one."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from obolint.libc import linux_function

Item = TypeVar("Item")
Out = TypeVar("Out")

# Forked workers start at once and share the parent's loaded modules. The locks they may take
# are renewed in a forked child (obolint.forksafe), which keeps fork safe even when the parent
# has threads. Where fork does not exist, the platform's default start method.
_START_METHOD = "fork" if sys.platform.startswith("linux") else None
# Windows allows at most 61 worker processes.
_MAX_WORKERS = 61


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def imap_in_order(
    function: Callable[[Item], Out],
    items: Sequence[Item],
    jobs: int,
    *,
    min_items: int,
    chunk_size: int,
) -> OrderedResults[Out]:
    """``function(item)`` for each item, in order, each returned as soon as it is ready.

    On ``jobs`` worker processes when there are at least ``min_items`` items, sent
    ``chunk_size`` at a time and all submitted at once (the workers start before the first
    result is asked for); if the pool cannot start or a worker dies (a crash in native code),
    the items not yet returned are computed in this process. Close the result (or exhaust it)
    to end the workers.
    """
    # A daemonic process (a multiprocessing.Pool worker calling obolint) may not have children.
    daemonic = multiprocessing.current_process().daemon
    results = OrderedResults(function, items)
    if jobs > 1 and len(items) >= min_items and not daemonic:
        results.start_pool(min(jobs, len(items) // chunk_size + 1, _MAX_WORKERS), chunk_size)
    return results


class OrderedResults(Iterator[Out]):
    """The results of ``imap_in_order``: from a worker pool while it works, then here."""

    def __init__(self, function: Callable[[Item], Out], items: Sequence[Item]) -> None:
        self._function = function
        self._items = items
        self._pool: ProcessPoolExecutor | None = None
        self._pending: Iterator[Out] | None = None
        self._done = 0
        self._closed = False

    def start_pool(self, workers: int, chunk_size: int) -> None:
        """Submit every item to ``workers`` processes; on failure, work here instead."""
        try:
            context = multiprocessing.get_context(_START_METHOD)
            # Forked workers are this process's children; under forkserver or spawn they are
            # the server's, and their parent id says nothing about this process.
            parent = os.getpid() if context.get_start_method() == "fork" else None
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                initializer=_start_worker,
                initargs=(parent,),
                mp_context=context,
            )
            self._pending = self._pool.map(self._function, self._items, chunksize=chunk_size)
        except (BrokenProcessPool, OSError, ValueError, NotImplementedError):
            self._shutdown()

    def __next__(self) -> Out:
        if self._closed:
            raise StopIteration
        if self._pending is not None:
            try:
                result = next(self._pending)
            except StopIteration:
                self.close()
                raise
            except (BrokenProcessPool, OSError):
                self._shutdown()  # the rest is computed here
            else:
                self._done += 1
                return result
        if self._done >= len(self._items):
            raise StopIteration
        result = self._function(self._items[self._done])
        self._done += 1
        return result

    def close(self) -> None:
        """End the workers; items not yet returned are dropped, not computed."""
        self._closed = True
        self._shutdown()

    def _shutdown(self) -> None:
        pool, self._pool, self._pending = self._pool, None, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent: int | None) -> None:
    """In a worker: end with the parent (killed by CI's timeout or the OOM killer, it cannot
    shut the pool down). Linux ties this to the thread that started the pool, which waits for
    the results until the pool is closed."""
    _die_with_parent()
    if parent is not None and os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (PR_SET_PDEATHSIG)."""
    prctl = linux_function("prctl", ["c_int", "c_ulong", "c_ulong", "c_ulong", "c_ulong"], "c_int")
    if prctl is not None:
        pr_set_pdeathsig = 1
        prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
