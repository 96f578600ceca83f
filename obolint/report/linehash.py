"""GitHub's ``primaryLocationLineHash``, computed exactly as github/codeql-action does.

A port of ``hash()`` in ``src/fingerprints.ts``: a rolling polynomial hash (base 37,
64-bit wrap-around) over the next 100 characters from the start of each line, skipping
spaces and tabs, with CR and CRLF read as LF and the end of the file marked by 65535
followed by zeros. Characters are UTF-16 code units (JavaScript's ``charCodeAt``).
A ``:<n>`` suffix counts earlier lines of the same file with the same hash. Emitting the
same value the upload action would compute keeps alerts stable and avoids its
"inconsistent fingerprint" warnings; API uploads, which compute nothing, get it too.
"""

from __future__ import annotations

_TAB = 0x09
_SPACE = 0x20
_LF = 0x0A
_CR = 0x0D
_EOF = 65535
_BLOCK_SIZE = 100
_BASE = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_BASE, _BLOCK_SIZE, 1 << 64)


def _code_units(text: str) -> list[int]:
    """The text as UTF-16 code units, as JavaScript's ``charCodeAt`` sees it."""
    units: list[int] = []
    append = units.append
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            append(0xD800 | (code >> 10))
            append(0xDC00 | (code & 0x3FF))
        else:
            append(code)
    return units


def line_hashes(text: str) -> list[str]:
    """The ``primaryLocationLineHash`` of every line of ``text``; item ``i`` is line ``i + 1``."""
    # Normalise first: drop spaces, tabs and the LF of a CRLF pair, turn CR into LF.
    stream: list[int] = []
    append = stream.append
    prev_cr = False
    for unit in _code_units(text):
        if unit in (_SPACE, _TAB) or (prev_cr and unit == _LF):
            prev_cr = False
            continue
        if unit == _CR:
            unit = _LF
            prev_cr = True
        else:
            prev_cr = False
        append(unit)
    append(_EOF)

    # A line starts at the first kept character and after every LF (the EOF marker can
    # start the last line, as in the original).
    line_starts = [0]
    line_starts.extend(i + 1 for i, unit in enumerate(stream) if unit == _LF)
    stream.extend([0] * _BLOCK_SIZE)

    # Rolling hash: after feeding positions [p, p + 100) the value is the polynomial of
    # exactly those units, which is the original's hash for a line starting at p.
    hashes_at: dict[int, int] = {}
    wanted = iter(line_starts)
    next_start = next(wanted, None)
    value = 0
    for end, unit in enumerate(stream, start=1):
        begin = stream[end - 1 - _BLOCK_SIZE] if end > _BLOCK_SIZE else 0
        value = (value * _BASE + unit - _FIRST_MOD * begin) & _MASK
        start = end - _BLOCK_SIZE
        while next_start is not None and next_start == start:
            hashes_at[start] = value
            next_start = next(wanted, None)
        if next_start is None:
            break

    counts: dict[str, int] = {}
    result: list[str] = []
    for start in line_starts:
        digest = format(hashes_at[start], "x")
        counts[digest] = counts.get(digest, 0) + 1
        result.append(f"{digest}:{counts[digest]}")
    return result
