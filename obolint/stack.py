"""Run deep work (LibCST parsing, position computation) on a fresh thread with a large stack."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# The native parser recurses on the C stack, and code generation for positions on the Python
# stack; a fresh thread starts with an empty Python stack (so the interpreter's own depth does
# not count against the recursion limit) and this much C stack.
STACK_BYTES = 256 * 1024 * 1024


def on_fresh_stack(work: Callable[[], T]) -> T:
    """``work()`` on a new thread with STACK_BYTES of stack; exceptions are re-raised here."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # re-raised on the calling thread
            outcome.append(exc)

    try:
        previous = threading.stack_size(STACK_BYTES)
    except (ValueError, RuntimeError):  # a platform that cannot size thread stacks
        return work()
    worker = threading.Thread(target=run, name="obolint-deep", daemon=True)
    try:
        worker.start()
    except RuntimeError:  # no memory for the stack: run on this thread
        return work()
    finally:
        threading.stack_size(previous)
    worker.join()
    [result] = outcome
    if isinstance(result, Exception):
        raise result
    if isinstance(result, BaseException):  # e.g. a panic in native code
        raise RuntimeError(f"{type(result).__name__}: {result}") from result
    return result  # type: ignore[return-value]
