"""Run deep work (LibCST parsing, position computation) on a thread with a large stack."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from obolint.forksafe import ForkSafeLock

T = TypeVar("T")

# The native parser recurses on the C stack, and code generation for positions on the Python
# stack; the worker thread starts each job with an empty Python stack (so the interpreter's own
# depth does not count against the recursion limit) and has this much C stack.
STACK_BYTES = 256 * 1024 * 1024

_lock = ForkSafeLock()
_executor: ThreadPoolExecutor | None = None
_worker_ident: set[int] = set()


def _get_executor() -> ThreadPoolExecutor | None:
    """One long-lived worker thread (creating a thread with a big stack per job is slow)."""
    global _executor
    with _lock:
        if _executor is None:
            try:
                previous = threading.stack_size(STACK_BYTES)
            except (ValueError, RuntimeError):  # a platform that cannot size thread stacks
                return None
            try:
                executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="obolint-deep")
                # Start the thread now, while the stack size is set.
                executor.submit(lambda: _worker_ident.add(threading.get_ident())).result()
            except RuntimeError:  # no memory for the stack
                return None
            finally:
                threading.stack_size(previous)
            _executor = executor
        return _executor


def _forget_parent_thread() -> None:
    """In a forked child: the parent's worker thread does not exist here; start a new one
    on first use."""
    global _executor
    _executor = None
    _worker_ident.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parent_thread)


def running_on_large_stack() -> bool:
    """Whether this code runs on the large-stack worker thread."""
    return threading.get_ident() in _worker_ident


def on_fresh_stack(work: Callable[[], T]) -> T:
    """``work()`` on the large-stack worker thread; exceptions are re-raised here."""
    if running_on_large_stack():
        return work()  # already on the worker: avoid waiting on ourselves
    executor = _get_executor()
    if executor is None:
        return work()
    future = executor.submit(_guarded, work)
    result = future.result()
    if isinstance(result, _Failure):
        error = result.error
        if isinstance(error, Exception):
            raise error
        raise RuntimeError(f"{type(error).__name__}: {error}") from error
    return result


class _Failure:
    __slots__ = ("error",)

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _guarded(work: Callable[[], T]) -> T | _Failure:
    try:
        return work()
    except BaseException as exc:  # a panic in native code is not an Exception
        return _Failure(exc)
