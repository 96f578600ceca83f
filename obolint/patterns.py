"""Dotted-name glob patterns from the packs (``sdk.Client().chat.completions.create``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_NOT_COMPILED: Any = object()


class NamePatterns:
    """A set of glob patterns over dotted names, compiled to regular expressions.

    A name is matched only against the patterns that end in its last segment and those whose
    last segment has a wildcard: most patterns end in a literal name (``*.completions.create``),
    and one expression of all ~500 patterns of a pack table, each tried from the start of the
    name, took most of the time to answer for the 36,000 names saleor calls.
    """

    __slots__ = ("patterns", "_by_last", "_wild", "_regexes")

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.patterns = tuple(dict.fromkeys(patterns))
        # Last segment -> the regexes of the patterns ending in it; the patterns whose last
        # segment has a wildcard, which any name may match.
        self._by_last: dict[str, list[str]] = {}
        self._wild: list[str] = []
        for pattern in self.patterns:
            # A leading "*." must match at a segment boundary or the whole name ("*.get" does
            # not match "forget", and "*.headers" matches "headers" too).
            if pattern.startswith("*."):
                regex = r"(?:.*\.)?" + _glob_to_regex(pattern[2:])
            else:
                regex = _glob_to_regex(pattern)
            last = pattern.rpartition(".")[2]
            if last and "*" not in last:
                self._by_last.setdefault(last, []).append(regex)
            else:
                self._wild.append(regex)
        # Last segment ("" for one no pattern ends in) -> the compiled expression, made on
        # first use: a scan answered from the cache matches none of the packs' pattern sets.
        self._regexes: dict[str, re.Pattern[str] | None] = {}

    def matches(self, name: str | None) -> bool:
        """True when ``name`` matches any pattern."""
        if name is None or not self.patterns:
            return False
        last = name.rpartition(".")[2]
        key = last if last in self._by_last else ""
        regex = self._regexes.get(key, _NOT_COMPILED)
        if regex is _NOT_COMPILED:
            parts = self._by_last.get(key, []) + self._wild
            regex = self._regexes[key] = (
                re.compile("(?s:" + "|".join(f"(?:{p})" for p in parts) + r")\Z") if parts else None
            )
        return regex is not None and regex.match(name) is not None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __or__(self, other: NamePatterns) -> NamePatterns:
        return NamePatterns(self.patterns + other.patterns)


def split_last_name(pattern: str) -> tuple[str, str]:
    """A pattern's path and last name, without call parentheses or the wildcards around it:
    ``sdk.Client().ask`` → ``("sdk.Client()", "ask")``, ``sdk.*Agent`` → ``("sdk", "Agent")``."""
    head, _, last = pattern.rstrip("()").rpartition(".")
    return head, last.strip("*()")


def _glob_to_regex(glob: str) -> str:
    """Translate a glob where only ``*`` is special (it may span dots) into a regex."""
    return ".*".join(re.escape(part) for part in glob.split("*"))
