"""Skip files in which no credential flow can start: no credential word, no source name."""

from __future__ import annotations

import re
from collections.abc import Sequence

from obolint.packs import PackSet
from obolint.parallel import map_in_order

# Stems of credential names (see obolint/names.py). Every source the engine knows either has a
# credential-like name (`access_token`, `api_key`), reads a credential-named key (`Authorization`,
# `X-API-Key`, `GITHUB_TOKEN`), or is a call the packs list (added by `source_words`).
CREDENTIAL_STEMS = (
    "token",
    "secret",
    "passw",
    "passphrase",
    "passcode",
    "auth",
    "bearer",
    "credential",
    "creds",
    "apikey",
    "api_key",
    "api-key",
    "private_key",
    "privatekey",
    "signing_key",
    "subscription_key",
    "session_key",
    "sessionkey",
    "access_key",
    "accesskey",
)
# Short stems that are credential words only as a whole word part (`pat` is not `path`).
BOUNDED_STEMS = ("pat", "pwd", "jwt", "sas")
# Source-call names too common to tell anything.
_TOO_COMMON = frozenset({"get", "pop", "json", "read", "load", "config", "value", "call"})


def source_words(packs: PackSet) -> set[str]:
    """Last name segments of the packs' source calls that need no credential-named key."""
    patterns: list[str] = []
    for spec in packs.call_sources:
        if spec.key_arg is None:
            patterns.extend(spec.calls.patterns)
    for spec in packs.parameter_sources:
        if not spec.name_is_credential and not spec.marker_arg_types:
            patterns.extend(spec.markers.patterns + spec.annotations.patterns)
    words: set[str] = set()
    for pattern in patterns:
        last = re.split(r"[.()]+", pattern.rstrip("()"))[-1].strip("*")
        if len(last) >= 4 and last.isidentifier() and last.lower() not in _TOO_COMMON:
            words.add(last)
    return words


def trigger_pattern(packs: PackSet) -> re.Pattern[str]:
    """One case-insensitive regex that finds any trigger word in a file's text."""
    words = {w.lower() for w in set(CREDENTIAL_STEMS) | source_words(packs)}
    # A prefix tree, not a flat alternation of many words: at each position of the text the
    # regex engine then tries a handful of letters instead of every word, which is ~25x
    # faster on a file without any trigger (a 1 MB line took seconds).
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    bounded = "|".join(BOUNDED_STEMS)
    return re.compile(f"{_alternation(trie)}|(?<![a-z])(?:{bounded})(?![a-z])", re.IGNORECASE)


def _alternation(node: dict[str, dict]) -> str:
    if "" in node:  # a shorter word already matches: longer ones add nothing to a search
        return ""
    branches = [re.escape(char) + _alternation(child) for char, child in sorted(node.items())]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


_worker_pattern: re.Pattern[str] | None = None


def _set_pattern(source: str, flags: int) -> None:
    global _worker_pattern
    _worker_pattern = re.compile(source, flags)


def _matches(text: str | None) -> bool:
    assert _worker_pattern is not None
    return text is not None and _worker_pattern.search(text) is not None


def files_to_parse(texts: Sequence[str | None], pattern: re.Pattern[str], jobs: int) -> list[bool]:
    """For each text (None: unreadable), whether it contains a trigger word; on ``jobs``
    processes for large scans (the regex is most of the cost of a file nobody parses)."""
    return map_in_order(
        _matches, texts, jobs, initializer=_set_pattern, initargs=(pattern.pattern, pattern.flags)
    )
