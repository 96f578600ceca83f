"""Dotted-name glob patterns from the packs (``sdk.Client().chat.completions.create``)."""

from __future__ import annotations

import re
from collections.abc import Iterable


class NamePatterns:
    """A set of glob patterns over dotted names, compiled to one regular expression."""

    __slots__ = ("patterns", "_source", "_regex")

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        self.patterns = tuple(dict.fromkeys(patterns))
        self._source: str | None = None
        # Compiled on first use: a scan answered from the cache matches none of the packs'
        # ~500 pattern sets, and compiling them took most of the time to load the packs.
        self._regex: re.Pattern[str] | None = None
        if self.patterns:
            # A leading "*." must match at a segment boundary or the whole name ("*.get" does
            # not match "forget", and "*.headers" matches "headers" too).
            parts = []
            for pattern in self.patterns:
                if pattern.startswith("*."):
                    parts.append(r"(?:.*\.)?" + _glob_to_regex(pattern[2:]))
                else:
                    parts.append(_glob_to_regex(pattern))
            self._source = "(?s:" + "|".join(f"(?:{p})" for p in parts) + r")\Z"

    def matches(self, name: str | None) -> bool:
        """True when ``name`` matches any pattern."""
        if name is None or self._source is None:
            return False
        regex = self._regex
        if regex is None:
            regex = self._regex = re.compile(self._source)
        return regex.match(name) is not None

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
