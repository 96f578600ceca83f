"""Run a per-item function over many items on several processes, in order, or in this one."""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Item = TypeVar("Item")
Out = TypeVar("Out")

# Below this many items a pool costs more to start (~50 ms per worker) than it saves.
MIN_ITEMS_FOR_POOL = 200
# Forked workers start at once and share the parent's loaded modules. They run only pure
# functions of their items (no locks, no I/O but their pipe), which keeps fork safe even when
# the parent has threads. Where fork does not exist, the platform's default start method.
_START_METHOD = "fork" if sys.platform.startswith("linux") else None
# Windows allows at most 61 worker processes.
_MAX_WORKERS = 61
# Items per task sent to a worker: few enough round trips, small enough to balance the load.
CHUNK_SIZE = 64


def default_jobs() -> int:
    """The number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def map_in_order(
    function: Callable[[Item], Out],
    items: Sequence[Item],
    jobs: int,
    *,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple = (),
) -> list[Out]:
    """``[function(item) for item in items]``, on ``jobs`` worker processes when it pays.

    Results come back in the order of ``items`` whatever the number of workers, so output
    never depends on ``jobs``. Where processes cannot be started (a sandbox, a frozen
    interpreter) the work runs here instead.
    """
    return list(
        imap_in_order(
            function,
            items,
            jobs,
            min_items=MIN_ITEMS_FOR_POOL,
            chunk_size=CHUNK_SIZE,
            initializer=initializer,
            initargs=initargs,
        )
    )


def imap_in_order(
    function: Callable[[Item], Out],
    items: Sequence[Item],
    jobs: int,
    *,
    min_items: int,
    chunk_size: int,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple = (),
) -> Generator[Out, None, None]:
    """``function(item)`` for each item, in order, each yielded as soon as it is ready.

    On ``jobs`` worker processes when there are at least ``min_items`` items, sent
    ``chunk_size`` at a time and all submitted at once (the workers start before the first
    result is asked for); if the pool cannot start or a worker dies (a crash in native code),
    the items not yet yielded are computed in this process.
    """
    # A daemonic process (a multiprocessing.Pool worker calling obolint) may not have children.
    daemonic = multiprocessing.current_process().daemon
    if jobs > 1 and len(items) >= min_items and not daemonic:
        try:
            pool = ProcessPoolExecutor(
                max_workers=min(jobs, len(items) // chunk_size + 1, _MAX_WORKERS),
                initializer=initializer,
                initargs=initargs,
                mp_context=multiprocessing.get_context(_START_METHOD),
            )
        except (OSError, ValueError):
            pass
        else:
            try:
                pending = pool.map(function, items, chunksize=chunk_size)
            except (BrokenProcessPool, OSError):
                pool.shutdown(wait=True, cancel_futures=True)
            else:
                return _pooled(pool, pending, function, items, initializer, initargs)
    return _in_process(function, items, initializer, initargs)


def _pooled(
    pool: ProcessPoolExecutor,
    pending: Iterator[Out],
    function: Callable[[Item], Out],
    items: Sequence[Item],
    initializer: Callable[..., Any] | None,
    initargs: tuple,
) -> Generator[Out, None, None]:
    done = 0
    try:
        for result in pending:
            yield result
            done += 1
        return
    except (BrokenProcessPool, OSError):
        pass
    finally:
        # Also when the caller stops early: queued chunks are dropped, not computed.
        pool.shutdown(wait=True, cancel_futures=True)
    yield from _in_process(function, items[done:], initializer, initargs)


def _in_process(
    function: Callable[[Item], Out],
    items: Sequence[Item],
    initializer: Callable[..., Any] | None,
    initargs: tuple,
) -> Generator[Out, None, None]:
    if initializer is not None:
        initializer(*initargs)
    for item in items:
        yield function(item)
