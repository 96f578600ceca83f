"""Skip files that cannot matter: no credential word and no name any pack mentions."""

from __future__ import annotations

import re

from obolint.packs import PackSet

# Stems of credential names (see obolint/names.py); a file without any of them and without
# any pack name has no source, so no flow can start in it.
CREDENTIAL_STEMS = (
    "token",
    "secret",
    "passw",
    "passwd",
    "pwd",
    "passphrase",
    "auth",
    "bearer",
    "credential",
    "creds",
    "jwt",
    "apikey",
    "api_key",
    "api-key",
    "private_key",
    "session",
    "cookie",
    "pat",
    "signing_key",
    "subscription_key",
    "getpass",
    "keyring",
)
# Pack name segments too common to tell anything (they would make every file match).
_TOO_COMMON = frozenset({"self", "get", "post", "put", "delete", "patch", "request", "send"})


def pack_words(packs: PackSet) -> set[str]:
    """Identifier segments named by the packs' sources, sinks, exchanges and tool markers."""
    patterns: list[str] = []
    for group in (
        packs.call_sources,
        packs.exchanges,
        packs.call_sinks,
    ):
        for spec in group:
            patterns.extend(spec.calls.patterns)
    for spec in packs.read_sources:
        patterns.extend(spec.containers.patterns)
    for spec in packs.parameter_sources:
        patterns.extend(spec.markers.patterns + spec.annotations.patterns)
    for spec in packs.store_sinks:
        patterns.extend(spec.targets.patterns)
    for spec in packs.return_sinks:
        patterns.extend(spec.decorators.patterns)
    for spec in packs.tools:
        patterns.extend(spec.decorators.patterns + spec.registrations.patterns)
    words: set[str] = set()
    for pattern in patterns:
        for segment in re.split(r"[.()*\s]+", pattern):
            if len(segment) >= 4 and segment.isidentifier() and segment not in _TOO_COMMON:
                words.add(segment)
    return words


def trigger_pattern(packs: PackSet) -> re.Pattern[str]:
    """One case-insensitive regex that finds any trigger word in a file's text."""
    words = {w.lower() for w in set(CREDENTIAL_STEMS) | pack_words(packs)}
    # A prefix tree, not a flat alternation of some 700 words: at each position of the text
    # the regex engine then tries a handful of letters instead of every word, which is ~25x
    # faster on a file without any trigger (a 1 MB line took seconds).
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return re.compile(_alternation(trie), re.IGNORECASE)


def _alternation(node: dict[str, dict]) -> str:
    if "" in node:  # a shorter word already matches: longer ones add nothing to a search
        return ""
    branches = [re.escape(char) + _alternation(child) for char, child in sorted(node.items())]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
