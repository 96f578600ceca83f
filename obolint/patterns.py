"""Dotted-name glob patterns from the packs (``sdk.Client().chat.completions.create``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_NOT_COMPILED: Any = object()


class NamePatterns:
    """A set of glob patterns over dotted names.

    A name is matched only against the patterns that end in its last segment and those whose
    last segment has a wildcard: most patterns end in a literal name (``*.completions.create``),
    and one expression of all ~500 patterns of a pack table, each tried from the start of the
    name, took most of the time to answer for the 36,000 names saleor calls. A pattern whose
    only wildcard leads it is a comparison or a suffix test, not an expression: compiling
    expressions for all the packs' ~1,200 such patterns took a tenth of a pre-commit run.
    """

    __slots__ = ("patterns", "_by_last", "_wild", "_groups", "_wild_regex")

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.patterns = tuple(dict.fromkeys(patterns))
        # Last segment -> the patterns ending in it; the patterns whose last segment has a
        # wildcard, which any name may match.
        self._by_last: dict[str, list[str]] = {}
        self._wild: list[str] = []
        for pattern in self.patterns:
            last = pattern.rpartition(".")[2]
            if last and "*" not in last:
                self._by_last.setdefault(last, []).append(pattern)
            else:
                self._wild.append(pattern)
        # Both made on first use: a scan answered from the cache matches none of the packs'
        # pattern sets, and a run on a few files asks about few last segments.
        self._groups: dict[str, _Group] = {}
        self._wild_regex: re.Pattern[str] | None = _NOT_COMPILED

    def matches(self, name: str | None) -> bool:
        """True when ``name`` matches any pattern."""
        if name is None or not self.patterns:
            return False
        last = name.rpartition(".")[2]
        if last in self._by_last:
            group = self._groups.get(last)
            if group is None:
                group = self._groups[last] = _Group(self._by_last[last])
            if group.matches(name):
                return True
        if self._wild_regex is _NOT_COMPILED:
            self._wild_regex = _compiled(self._wild)
        return self._wild_regex is not None and self._wild_regex.match(name) is not None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def __or__(self, other: NamePatterns) -> NamePatterns:
        return NamePatterns(self.patterns + other.patterns)


class _Group:
    """Patterns that end in one literal segment: names they equal, suffixes a name may end in,
    and an expression of the others (with a wildcard before their last segment)."""

    __slots__ = ("names", "suffixes", "regex")

    def __init__(self, patterns: list[str]) -> None:
        names: set[str] = set()
        suffixes: list[str] = []
        others: list[str] = []
        for pattern in patterns:
            if "*" not in pattern:
                names.add(pattern)
            elif pattern.startswith("*.") and "*" not in pattern[2:]:
                # At a segment boundary or the whole name: "*.get" matches "get", not "forget".
                names.add(pattern[2:])
                suffixes.append(pattern[1:])
            elif pattern.startswith("*") and "*" not in pattern[1:]:
                suffixes.append(pattern[1:])
            else:
                others.append(pattern)
        self.names = frozenset(names)
        self.suffixes = tuple(suffixes)
        self.regex = _compiled(others)

    def matches(self, name: str) -> bool:
        """Whether ``name`` matches one of the group's patterns."""
        return (
            name in self.names
            or (bool(self.suffixes) and name.endswith(self.suffixes))
            or (self.regex is not None and self.regex.match(name) is not None)
        )


def _compiled(patterns: list[str]) -> re.Pattern[str] | None:
    """One expression matching the whole of a name any of ``patterns`` matches (None for no
    pattern)."""
    if not patterns:
        return None
    regexes = []
    for pattern in patterns:
        # A leading "*." must match at a segment boundary or the whole name ("*.get" does not
        # match "forget", and "*.headers" matches "headers" too).
        if pattern.startswith("*."):
            regexes.append(r"(?:.*\.)?" + _glob_to_regex(pattern[2:]))
        else:
            regexes.append(_glob_to_regex(pattern))
    return re.compile("(?s:" + "|".join(f"(?:{r})" for r in regexes) + r")\Z")


def split_last_name(pattern: str) -> tuple[str, str]:
    """A pattern's path and last name, without call parentheses or the wildcards around it:
    ``sdk.Client().ask`` → ``("sdk.Client()", "ask")``, ``sdk.*Agent`` → ``("sdk", "Agent")``."""
    head, _, last = pattern.rstrip("()").rpartition(".")
    return head, last.strip("*()")


def _glob_to_regex(glob: str) -> str:
    """Translate a glob where only ``*`` is special (it may span dots) into a regex."""
    return ".*".join(re.escape(part) for part in glob.split("*"))
