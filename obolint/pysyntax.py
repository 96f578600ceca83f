"""CPython's own parser, on any input: a syntax tree, or the exception that says why not."""

from __future__ import annotations

import ast
import warnings

from obolint.stack import on_fresh_stack

# What ``parse`` raises for a text CPython's parser does not take.
REJECTED = (SyntaxError, ValueError, RecursionError, MemoryError)


def parse(text: str) -> ast.Module:
    """``ast.parse(text)`` on the large-stack thread, without printing warnings (`"\\d"`: a
    SyntaxWarning for the user's own compiler to give). Raises SyntaxError, ValueError (NUL
    bytes), RecursionError or MemoryError (nesting too deep for CPython); never crashes.

    Python 3.10 builds the tree by recursing on the C stack with no limit: a chain of 150,000
    `+` (or calls, or subscripts) overflowed a main thread's 8 MB and killed the process; the
    thread's 256 MB hold more than a 5 MiB file can nest. And from 3.11 the limit that raises
    RecursionError counts from the caller's own depth: a definition of 2,916 nested `-` parsed
    at one depth and not at another (a forked worker's), so whether it was left out depended
    on `--jobs` and the cache. Jobs of that thread start from its empty stack, and a call made
    from one (the outline's pass over a text) is always made from the same place in it.
    """
    return on_fresh_stack(lambda: _parse(text))


def _parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)
