"""A lock that a forked child process gets new, never in the state another thread left it."""

from __future__ import annotations

import os
import threading


class ForkSafeLock:
    """``threading.Lock`` for module-level state of code that worker processes fork from.

    ``fork()`` copies only the calling thread; a lock another thread held at that moment
    would stay held forever in the child. Each instance is replaced by a new lock in the child.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._renew)

    def _renew(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> ForkSafeLock:
        self._lock.acquire()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()
