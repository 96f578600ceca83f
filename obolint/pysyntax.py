"""CPython's own parser, on any input: a syntax tree, or the exception that says why not."""

from __future__ import annotations

import ast
import warnings

from obolint.stack import on_fresh_stack

# Python 3.10 builds a syntax tree by recursing on the C stack with no limit: a chain of
# 150,000 `+` (or calls, or subscripts) overflowed the 8 MB stack of a main thread and killed
# the process (3.11 raises RecursionError instead). A level takes two characters at least, so
# a text this short nests at most 10,000 levels deep, safe on any stack; longer ones are parsed
# on the large-stack thread, whose 256 MB hold more than a 5 MiB file can nest.
MAX_CHARS_ON_ANY_STACK = 20_000


def parse(text: str) -> ast.Module:
    """``ast.parse(text)`` without printing warnings (`"\\d"`: a SyntaxWarning for the user's
    own compiler to give). Raises SyntaxError, ValueError (NUL bytes), RecursionError or
    MemoryError (nesting too deep for CPython), never crashes."""
    if len(text) <= MAX_CHARS_ON_ANY_STACK:
        return _parse(text)
    return on_fresh_stack(lambda: _parse(text))


def _parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)
