"""Functions of the Linux C library that the standard library does not wrap."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any


def linux_function(name: str, argtypes: Sequence[str], restype: str) -> Callable[..., Any] | None:
    """The C library's ``name`` on Linux with its argument and result types (ctypes names such
    as ``"c_size_t"``), or None: another system, a C library without it, or no ctypes."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        function = getattr(ctypes.CDLL(None), name)
        function.argtypes = [getattr(ctypes, t) for t in argtypes]
        function.restype = getattr(ctypes, restype)
    except (ImportError, OSError, AttributeError):
        return None
    return function
