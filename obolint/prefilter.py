"""Skip files in which no credential flow can start: no credential word, no source name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from obolint.packs import PackSet
from obolint.patterns import split_last_name

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
        head, last = split_last_name(pattern)
        # `sdk.credentials.Credentials().to_json`: a file that calls it imports its module or
        # class, whose name holds a credential word already; `to_json` alone would let in
        # every file that serialises anything.
        if any(stem in head.lower() for stem in CREDENTIAL_STEMS):
            continue
        if len(last) >= 4 and last.isidentifier() and last.lower() not in _TOO_COMMON:
            words.add(last)
    return words


class Triggers:
    """The words whose presence in a file's text (in any case) makes the file worth parsing."""

    def __init__(self, words: Iterable[str], bounded: Iterable[str] = ()) -> None:
        lowered = {w.lower() for w in words}
        # A word that contains another adds nothing to a search for either.
        self.words = tuple(
            sorted(w for w in lowered if not any(o != w and o in w for o in lowered))
        )
        self.bounded = tuple(sorted({w.lower() for w in bounded}))
        # One regex per bounded word: a pattern that starts with a literal is searched for
        # with a fast scan for that literal, unlike an alternation or a lookbehind.
        self._bounded_ends = [re.compile(re.escape(w) + "(?![a-z])") for w in self.bounded]

    @property
    def key(self) -> str:
        """A text that identifies this vocabulary (the cache keeps verdicts per vocabulary)."""
        return "\n".join(self.words) + "\n\n" + "\n".join(self.bounded)

    def search(self, text: str) -> bool:
        """Whether ``text`` contains a trigger word."""
        # Substring tests on the lowered text run at memory speed: a search for 22 words over
        # saleor's 28 MB took 0.24 s, against 2.1 s for one case-insensitive regex of them all.
        lowered = text.lower()
        if any(word in lowered for word in self.words):
            return True
        for end in self._bounded_ends:
            for match in end.finditer(lowered):
                start = match.start()
                if start == 0 or not "a" <= lowered[start - 1] <= "z":
                    return True
        return False


def triggers(packs: PackSet) -> Triggers:
    """The trigger words of ``packs``: credential stems and the packs' source-call names."""
    return Triggers(set(CREDENTIAL_STEMS) | source_words(packs), BOUNDED_STEMS)


def files_to_parse(texts: Sequence[str | None], found: Triggers) -> list[bool]:
    """For each text (None: unreadable), whether it contains a trigger word."""
    return [text is not None and found.search(text) for text in texts]
