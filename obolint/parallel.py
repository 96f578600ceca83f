"""Run a per-item function over many items on several processes, in order, or in this one."""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from obolint.cpulimit import cgroup_cpu_limit
from obolint.libc import linux_function

Item = TypeVar("Item")
Out = TypeVar("Out")

# Forked workers start at once and share the parent's loaded modules. The locks they may take
# are renewed in a forked child (obolint.forksafe), which keeps fork safe even when the parent
# has threads. Where fork does not exist, the platform's default start method.
_START_METHOD = "fork" if sys.platform.startswith("linux") else None
# Windows allows at most 61 worker processes.
_MAX_WORKERS = 61
# While workers run, this process's threads hand the interpreter lock over at least this often
# (seconds; Python's default is 0.005). The executor's threads that send work to the workers
# and read their results need it for a moment between system calls, and get it only when the
# main thread, busy with its own work, lets go: a worker's pickled tree (a few hundred KB)
# comes in pipe-sized pieces, each waiting up to one interval, while the worker that sent it
# waits too. Saleor, cold: 15.07 -> 13.81 s (median of 5, alternating).
POOL_SWITCH_INTERVAL = 0.0005


def workers_fork() -> bool:
    """Whether pool workers start as forks of this process (at once, with its memory)."""
    return _START_METHOD == "fork"


def default_jobs() -> int:
    """The number of CPUs this process may use: those it may run on, and no more than its
    control group's CPU quota allows, rounded up (see obolint.cpulimit)."""
    try:
        cpus = max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1
    quota = cgroup_cpu_limit()
    return cpus if quota is None else max(1, min(cpus, math.ceil(quota)))


def imap_in_order(
    function: Callable[[Item], Out],
    items: Sequence[Item],
    jobs: int,
    *,
    min_items: int,
    chunk_size: int,
    here: Callable[[Item], Out] | None = None,
    take_next: bool = False,
) -> OrderedResults[Out]:
    """``function(item)`` for each item, in order, each returned as soon as it is ready.

    With ``jobs`` processes when there are at least ``min_items`` items: ``jobs - 1`` workers,
    sent ``chunk_size`` items at a time and all submitted at once (the workers start before
    the first result is asked for), and this process, which claims the last chunks no worker
    has claimed whenever the next result is not ready yet (with ``take_next``, the first such
    chunks instead: for a caller that works on each result as it comes, so that the results
    come in order sooner and nothing is left to it once the workers are done). It computes
    those with ``here`` (default: ``function``): what it computes needs no pickling. If the
    pool cannot start or a worker dies (a crash in native code), the items not yet returned
    are computed here. Close the result (or exhaust it) to end the workers.
    """
    # A daemonic process (a multiprocessing.Pool worker calling obolint) may not have children.
    daemonic = multiprocessing.current_process().daemon
    results = OrderedResults(function, items, here or function, take_next)
    if jobs > 1 and len(items) >= min_items and not daemonic:
        results.start_pool(min(jobs - 1, _MAX_WORKERS), chunk_size)
    return results


def map_forked(
    function: Callable[[Item], Out],
    items: Sequence[Item],
    jobs: int,
    *,
    min_items: int,
    chunk_size: int,
) -> list[Out]:
    """``function(item)`` for each item, in order, as ``imap_in_order`` computes it, but on
    workers only where they are forked: for work too light to be worth starting a fresh
    interpreter, and items not worth pickling. The workers have ended when it returns, also
    on an error or Ctrl-C."""
    if not workers_fork():
        jobs = 1
    with contextlib.closing(
        imap_in_order(function, items, jobs, min_items=min_items, chunk_size=chunk_size)
    ) as results:
        return list(results)


# Who computes a chunk: claimed under the claims' lock by a worker when it starts the chunk,
# or by the calling process. Not Future.cancel(): on Python < 3.12 a worker that dies after
# futures were cancelled kills the executor's manager thread (CPython gh-107219), which then
# leaves the other workers running.
_UNCLAIMED, _CLAIMED_BY_WORKER, _CLAIMED_HERE = 0, 1, 2
# What OrderedResults._taken_result returns for an item whose chunk was not computed here.
_NOT_TAKEN = object()
_claims: Any = None  # in a worker: the pool's claims (see _start_worker)


def _claim(claims: Any, chunk: int, claimant: int) -> bool:
    """Claim ``chunk`` for ``claimant`` unless someone has; whether it is now claimant's."""
    with claims.get_lock():
        if claims[chunk] != _UNCLAIMED:
            return False
        claims[chunk] = claimant
        return True


# Items that forked workers read from their copy of this process's memory, by key: a chunk
# is then sent as the key and a range, not pickled (saleor: 12 MB of source text, half of it
# for chunks this process ends up computing itself).
_inherited: dict[int, Sequence[Any]] = {}


def _each(
    function: Callable[[Item], Out],
    chunk: int,
    span: tuple[int, int, int],
    items: Sequence[Item] | None,
) -> list[Out] | None:
    """In a worker: ``function`` of each item of one chunk, the ``items`` sent or, if None,
    those inherited under ``span`` (key, start, stop); None if the caller claimed the chunk."""
    if not _claim(_claims, chunk, _CLAIMED_BY_WORKER):
        return None
    if items is None:
        key, start, stop = span
        items = _inherited[key][start:stop]
    return [function(item) for item in items]


class OrderedResults(Iterator[Out]):
    """The results of ``imap_in_order``: from a worker pool while it works, then here."""

    def __init__(
        self,
        function: Callable[[Item], Out],
        items: Sequence[Item],
        here: Callable[[Item], Out],
        take_next: bool = False,
    ) -> None:
        self._function = function
        self._here = here
        self._items = items
        self._pool: ProcessPoolExecutor | None = None
        self._claims: Any = None
        self._chunk_size = 1
        # One future per chunk, in order; None once its results were all returned.
        self._chunks: list[Future[list[Out] | None] | None] = []
        # The chunks computed here, taken from the end (or the next, with take_next): index of
        # the first item -> results.
        self._taken: dict[int, list[Out]] = {}
        self._take_next = take_next
        # The process that shortened the switch interval for this pool (see _LockHandover).
        self._lock_handover_shortened_in: int | None = None
        # The last chunk that may still be unclaimed, and the first.
        self._last_unclaimed = -1
        self._first_unclaimed = 0
        self._taken_count = 0
        self._done = 0
        self._closed = False

    @property
    def chunks_taken_here(self) -> int:
        """How many chunks this process took from the workers."""
        return self._taken_count

    def start_pool(self, workers: int, chunk_size: int) -> None:
        """Submit every item to ``workers`` processes (at most one per chunk); on failure,
        work here instead."""
        try:
            context = multiprocessing.get_context(_START_METHOD)
            count = -(-len(self._items) // chunk_size)
            self._claims = context.Array("b", count)
            # Forked workers are this process's children; under forkserver or spawn they are
            # the server's, and their parent id says nothing about this process.
            parent = os.getpid() if context.get_start_method() == "fork" else None
            self._pool = ProcessPoolExecutor(
                max_workers=min(workers, count),
                initializer=_start_worker,
                initargs=(parent, self._claims),
                mp_context=context,
            )
            self._chunk_size = chunk_size
            inherited = context.get_start_method() == "fork"
            if inherited:  # before the first submit, which forks the workers
                _inherited[id(self)] = self._items
            self._chunks = [
                self._pool.submit(
                    _each,
                    self._function,
                    chunk,
                    (id(self), start, start + chunk_size),
                    None if inherited else self._items[start : start + chunk_size],
                )
                for chunk, start in enumerate(range(0, len(self._items), chunk_size))
            ]
            self._last_unclaimed = len(self._chunks) - 1
        except (BrokenProcessPool, OSError, ValueError, NotImplementedError):
            self._shutdown()
            return
        _lock_handover.shorten()
        self._lock_handover_shortened_in = os.getpid()

    def __next__(self) -> Out:
        if self._closed or self._done >= len(self._items):
            self.close()
            raise StopIteration
        index = self._done
        if self._pool is not None:
            try:
                result = self._from_pool(index)
            except (BrokenProcessPool, OSError):
                self._shutdown()  # the rest is computed here
            else:
                self._done += 1
                return result
        result = self._taken_result(index)
        if result is _NOT_TAKEN:
            result = self._here(self._items[index])
        self._done += 1
        return result  # type: ignore[return-value]

    def _from_pool(self, index: int) -> Out:
        """The result for ``index``: from its chunk's worker, or computed here while it waits."""
        chunk = index // self._chunk_size
        offset = index % self._chunk_size
        while True:
            taken = self._taken_result(index)
            if taken is not _NOT_TAKEN:
                return taken  # type: ignore[return-value]
            future = self._chunks[chunk]
            assert future is not None
            if future.done() or not self._take_unclaimed(chunk):
                results = future.result()
                if results is None:  # claimed here, but computing it failed: again
                    self._take(chunk)
                    continue
                if offset + 1 == len(results):
                    self._chunks[chunk] = None
                return results[offset]

    def _taken_result(self, index: int) -> Out | object:
        """The result for ``index`` if its chunk was computed here, else _NOT_TAKEN; the chunk
        is dropped once its last result is returned."""
        start = index - index % self._chunk_size
        taken = self._taken.get(start)
        if taken is None:
            return _NOT_TAKEN
        if index + 1 == start + len(taken):
            del self._taken[start]
        return taken[index - start]

    def _take_last_unclaimed(self, first: int) -> bool:
        """Compute here the last chunk (not before ``first``) that no worker has claimed;
        False when there is none."""
        while self._last_unclaimed >= first:
            position = self._last_unclaimed
            self._last_unclaimed -= 1
            if self._chunks[position] is not None and _claim(self._claims, position, _CLAIMED_HERE):
                self._take(position)
                return True
        return False

    def _take_unclaimed(self, first: int) -> bool:
        """Compute here a chunk (not before ``first``) that no worker has claimed: the last,
        or with take_next the first; False when there is none."""
        if self._take_next:
            return self._take_next_unclaimed(first)
        return self._take_last_unclaimed(first)

    def _take_next_unclaimed(self, first: int) -> bool:
        """Compute here the first chunk (not before ``first``) that no worker has claimed;
        False when there is none."""
        position = max(first, self._first_unclaimed)
        while position < len(self._chunks):
            if self._chunks[position] is not None and _claim(self._claims, position, _CLAIMED_HERE):
                self._first_unclaimed = position + 1
                self._take(position)
                return True
            position += 1
        self._first_unclaimed = position
        return False

    def _take(self, position: int) -> None:
        """Compute chunk ``position`` here (a worker skips it: it was claimed here)."""
        start = position * self._chunk_size
        chunk = self._items[start : start + self._chunk_size]
        # Computed before it is recorded: if computing it raises, it is computed again when
        # its results are asked for.
        results = [self._here(item) for item in chunk]
        self._taken[start] = results
        self._taken_count += 1

    def close(self) -> None:
        """End the workers; items not yet returned are dropped, not computed."""
        self._closed = True
        self._shutdown()

    def _shutdown(self) -> None:
        pool, self._pool, self._chunks = self._pool, None, []
        try:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        finally:  # also when interrupted (Ctrl-C) while waiting for the workers
            _inherited.pop(id(self), None)
            shortened_in, self._lock_handover_shortened_in = self._lock_handover_shortened_in, None
            if shortened_in == os.getpid():  # not in a forked copy of this object
                _lock_handover.restore()


class _LockHandover:
    """The switch interval while pools run (see POOL_SWITCH_INTERVAL): shortened when the first
    pool of this process starts, in any thread, and restored when the last one ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running = 0
        self._before = sys.getswitchinterval()
        if hasattr(os, "register_at_fork"):
            # Held across a fork, so that a child never sees a half-made change.
            os.register_at_fork(
                before=self._before_fork,
                after_in_parent=self._after_fork_in_parent,
                after_in_child=self._after_fork_in_child,
            )

    def shorten(self) -> None:
        """A pool starts."""
        with self._lock:
            if self._running == 0:
                self._before = sys.getswitchinterval()
                sys.setswitchinterval(min(self._before, POOL_SWITCH_INTERVAL))
            self._running += 1

    def restore(self) -> None:
        """A pool that ``shorten`` counted ended."""
        with self._lock:
            self._running -= 1
            if self._running == 0:
                sys.setswitchinterval(self._before)

    def _before_fork(self) -> None:
        self._lock.acquire()

    def _after_fork_in_parent(self) -> None:
        self._lock.release()

    def _after_fork_in_child(self) -> None:
        # A forked child runs none of its parent's pools (and never restores for them, see
        # OrderedResults._shutdown): it gets the interval there was before any.
        self._lock = threading.Lock()
        if self._running:
            self._running = 0
            sys.setswitchinterval(self._before)


_lock_handover = _LockHandover()


def _start_worker(parent: int | None, claims: Any) -> None:
    """In a worker: keep the claims, and end with the parent (killed by CI's timeout or the
    OOM killer, it cannot shut the pool down). Linux ties this to the thread that started the
    pool, which waits for the results until the pool is closed."""
    global _claims
    _claims = claims
    _die_with_parent()
    if parent is not None and os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (PR_SET_PDEATHSIG)."""
    prctl = linux_function("prctl", ["c_int", "c_ulong", "c_ulong", "c_ulong", "c_ulong"], "c_int")
    if prctl is not None:
        pr_set_pdeathsig = 1
        prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
