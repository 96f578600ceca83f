"""Skip files in which no credential flow can start.

Two steps on the text alone. The first lowers it and searches it for credential stems
(``token``, ``auth``) and for the names at which the packs start flows (``getpass``,
``acquire_token_for_client``): most files hold none and are done with at memory speed. But
``max_tokens``, ``tokenizer`` and ``author`` hold a stem too, so the second step looks at the
name, the dashed key and the quoted string around each stem, and passes the file only if one
of them is a credential for obolint.names (``access_token``, ``"X-API-Key"``, ``"Bearer "``)
or a key the packs read credentials under. Those are the ways a flow starts: a
credential-named variable, parameter, attribute or key; or a call, parameter or container
the packs list as a source, exchange or minting call, whose last name is searched as a whole
name (one whose module or class name holds a stem, such as ``Credentials().to_json``, only
where that module or class is named too). A file skipped here is still parsed when the
analysis needs it (see obolint.reach, and demand-driven loading in obolint.runner).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from obolint import names
from obolint.packs import PackSet
from obolint.parallel import map_forked
from obolint.patterns import NamePatterns, split_last_name

# Stems of credential names: every credential word and phrase of obolint/names.py holds one
# (`access_token`, `db_pass`, `AZURE_STORAGE_ACCOUNT_KEY`, `creds`, `serviceAccountJson`).
# Every source the engine knows either has a credential name, reads a credential-named key
# (`Authorization`, `X-API-Key`), or is a call the packs list (see `source_names`).
CREDENTIAL_STEMS = ("token", "secret", "pass", "auth", "bearer", "cred", "key", "account")
# Short stems that are credential words only as a whole word part (`pat` is not `path`).
BOUNDED_STEMS = ("pat", "pwd", "jwt", "sas")
# Source-call names too common to tell anything.
_TOO_COMMON = frozenset({"get", "pop", "json", "read", "load", "config", "value", "call"})
# How far around a stem a name, key or quoted string is read: enough for any real one, and a
# file of one long line (minified, generated) stays linear in the number of stems it holds.
MAX_NAME_CHARS = 256
# How far back a comment's `#` or a docstring's line start is looked for, and ahead for the
# end of a docstring's line: beyond it, a stem counts.
MAX_PROSE_LINE_CHARS = 1024
# Names and keys judged per vocabulary, kept for the files searched after; a bound on them
# keeps a scan of generated code from growing the table without end.
MAX_JUDGED_NAMES = 100_000
# Searched on worker processes (--jobs) from this many texts, in chunks of POOL_CHUNK_SIZE: the
# search comes before any parsing, with the other CPUs idle (saleor: 4,338 texts, 0.4 s on
# one process). Only where workers are forked: they read the texts from their copy of this
# process's memory, and starting one costs milliseconds.
MIN_TEXTS_FOR_POOL = 1000
POOL_CHUNK_SIZE = 64


@dataclass
class SourceNames:
    """The packs' names at which flows start, by how the prefilter looks for them."""

    whole: set[str] = field(default_factory=set)  # as whole names
    partial: set[str] = field(default_factory=set)  # anywhere (`sdk.*Agent`: `ChatAgent`)
    # Names of calls on a module or class with a stem in its name, with those names: they
    # count where one of them is written too (`Credentials().to_json`).
    confirming: dict[str, set[str]] = field(default_factory=dict)
    # Globs over whole names (`generate_*_token`), each holding a stem.
    globs: set[str] = field(default_factory=set)


def source_names(packs: PackSet) -> SourceNames:
    """The last names of the packs' calls and parameters at which flows start, and of the
    containers they read credentials from."""
    patterns: list[str] = []
    for spec in packs.call_sources:
        if spec.key_arg is None:
            patterns.extend(spec.calls.patterns)
    for spec in packs.parameter_sources:
        if spec.marker_arg_types:
            # `Depends(scheme)` names only `Depends`; the file builds `scheme` from the class
            # (`APIKeyHeader(name="X-Service")`), whose name is no credential name.
            patterns.extend(spec.marker_arg_types.patterns)
        elif not spec.name_is_credential:
            patterns.extend(spec.markers.patterns + spec.annotations.patterns)
    for exchange in packs.exchanges:
        # An exchange that needs a constant (the RFC 8693 grant type) is found by it, a
        # credential name; the call alone (`*.post`) would let in every file that posts.
        if not exchange.requires_constants:
            patterns.extend(exchange.calls.patterns)
    patterns.extend(packs.propagation.minting_calls.patterns)
    # The keys read from `st.user.tokens` (`"access"`) are no credential names: a container
    # whose name holds a credential stem tells (`headers` or `request` would tell nothing).
    for spec in packs.read_sources:
        if spec.key_pattern is not None and not spec.key_is_credential:
            patterns.extend(p for p in spec.containers.patterns if _has_stem(split_last_name(p)[1]))
    found = SourceNames()
    for spec in packs.read_sources:
        found.partial.update(word.lower() for word in spec.trigger_words)
    for pattern in patterns:
        head, last = split_last_name(pattern)
        segment = pattern.rstrip("()").rpartition(".")[2]
        if "*" in segment.strip("*"):
            # `*.generate_*_token` matches `generate_video_token`: a glob over whole names,
            # judged around the stem it holds; without one, its longest part is a word.
            glob = segment.strip("*")
            if _has_stem(glob):
                found.globs.add(glob)
            else:
                found.partial.add(max(glob.split("*"), key=len))
            continue
        if len(last) < 4 or not last.isidentifier() or last.lower() in _TOO_COMMON:
            continue
        if segment != last:
            found.partial.add(last)  # `sdk.*Agent` matches `ChatAgent`
            continue
        stemmed = [part for part in (p.strip("*()") for p in head.split(".")) if _has_stem(part)]
        if stemmed:
            # `sdk.credentials.Credentials().to_json`: a file that calls it names the module
            # or class (`credentials`); `to_json` alone would let in every file that
            # serialises anything.
            found.confirming.setdefault(last, set()).update(stemmed)
        else:
            found.whole.add(last)
    return found


def _has_stem(name: str) -> bool:
    """Whether ``name`` holds a credential stem (``external_account_authorized_user``)."""
    return _STEMS_ALONE.search(name)


def key_patterns(packs: PackSet) -> list[re.Pattern[str]]:
    """The patterns of the keys under which the packs read credentials (`Authorization`);
    not those that only narrow credential names (a key must be one there anyway), nor those of
    a source with trigger words of its own (`req.auth`: the key `auth` alone would pass every
    file that names an `auth` module)."""
    specs = [*packs.read_sources, *packs.call_sources]
    return [
        s.key_pattern
        for s in specs
        if s.key_pattern is not None
        and not getattr(s, "key_is_credential", False)
        and not getattr(s, "trigger_words", ())
    ]


class Triggers:
    """What makes a file worth parsing: a word anywhere in its text (in any case); a source
    name as a whole name, or a whole name that matches one of ``name_globs``; a credential stem
    in a name or key that is a credential (with ``confirm``; without, the stem alone); or a
    name of ``confirming_names`` as a whole name where one of the module or class names it
    maps to is written too."""

    def __init__(
        self,
        words: Iterable[str] = (),
        bounded: Iterable[str] = (),
        *,
        stems: Iterable[str] = (),
        whole_names: Iterable[str] = (),
        confirming_names: Mapping[str, Iterable[str]] | None = None,
        name_globs: Iterable[str] = (),
        keys: Iterable[re.Pattern[str]] = (),
        confirm: bool = True,
    ) -> None:
        self.words = _without_longer(words)
        self.stems = _without_longer(stems)
        self.bounded = tuple(sorted({w.lower() for w in bounded}))
        self.whole_names = tuple(sorted({w.lower() for w in whole_names}))
        self.confirming_names = {
            name.lower(): tuple(sorted({owner.lower() for owner in owners}))
            for name, owners in sorted((confirming_names or {}).items())
        }
        self.name_globs = tuple(sorted({g.lower() for g in name_globs}))
        self.keys = tuple(sorted(set(keys), key=lambda p: p.pattern))
        self.confirm = confirm
        # One regex per bounded word: a literal is searched for with a fast scan, and each
        # place it is found checked for the ends of a word part (`path` is not `pat`).
        self._bounded = [re.compile(re.escape(w)) for w in self.bounded]
        self._globs = NamePatterns(self.name_globs)
        self._judged: dict[str, bool] = {}
        # Every word, stem and name that passes a file on its own, for a first search that
        # most files fail.
        self._anywhere = _without_longer((*self.words, *self.stems, *self.whole_names))
        # Names looked for one by one: the others are credentials, found around their stem.
        self._names_apart = self._not_found_by_stem(self.whole_names)
        self._confirming_apart = self._not_found_by_stem(tuple(self.confirming_names))

    def _not_found_by_stem(self, found_names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(
            name
            for name in found_names
            if not (any(stem in name for stem in self.stems) and self._credential(name))
        )

    @property
    def key(self) -> str:
        """A text that identifies this vocabulary (the cache keeps verdicts per vocabulary)."""
        parts = (
            self.words,
            self.stems,
            self.bounded,
            self.whole_names,
            tuple(f"{name} {' '.join(owners)}" for name, owners in self.confirming_names.items()),
            self.name_globs,
            tuple(p.pattern for p in self.keys),
            ("confirm",) if self.confirm else (),
            # Verdicts kept from before stems in comments and docstrings stopped counting
            # would parse files for them still.
            ("prose apart",),
        )
        return "\n\n".join("\n".join(part) for part in parts)

    def search(self, text: str, whole_lowered: str | None = None) -> bool:
        """Whether ``text`` is worth parsing; ``whole_lowered``: the lowered file that
        ``text`` is part of, where the names that confirm a source name may be written."""
        # Substring tests on the lowered text run at memory speed: a search for 22 words over
        # saleor's 28 MB took 0.24 s, against 2.1 s for one case-insensitive regex of them all.
        lowered = text.lower()
        # Positions in the lowered text are positions in the text unless lowering changed the
        # length (`İ`): a stem found then passes the file as it is.
        aligned = len(lowered) == len(text)
        bounded = [
            match.span()
            for pattern in self._bounded
            for match in pattern.finditer(lowered)
            if _bounded_at(text if aligned else lowered, lowered, *match.span())
        ]
        if (
            not bounded
            and not any(word in lowered for word in self._anywhere)
            # Found by a name only where its owner is written elsewhere in the file.
            and (whole_lowered is None or not any(n in lowered for n in self._confirming_apart))
        ):
            return False
        if any(word in lowered for word in self.words):
            return True
        exact = self.confirm and aligned
        prose = _Prose(text)
        for stem in self.stems:
            start = lowered.find(stem)
            while start >= 0:
                end = start + len(stem)
                if not exact or (
                    self._names_credential(text, start, end) and not prose.holds(start)
                ):
                    return True
                start = lowered.find(stem, end)
        for start, end in bounded:
            if not exact or (self._names_credential(text, start, end) and not prose.holds(start)):
                return True
        if any(_names_whole(lowered, name) for name in self._names_apart):
            return True
        confirming_in = lowered if whole_lowered is None else whole_lowered
        return any(
            _names_whole(lowered, name)
            and any(owner in confirming_in for owner in self.confirming_names[name])
            for name in self._confirming_apart
        )

    def _names_credential(self, text: str, start: int, end: int) -> bool:
        """Whether the name, dashed key or quoted string around ``text[start:end]`` is a
        credential or a key the packs read one under."""
        candidates = [
            _around(text, start, end, _NAME_CHARS),
            _around(text, start, end, _KEY_CHARS),
        ]
        candidates.extend(_quoted_around(text, start, end))
        return any(self._credential(candidate) for candidate in candidates)

    def _credential(self, name: str) -> bool:
        judged = self._judged.get(name)
        if judged is None:
            judged = (
                names.credential_word(name) is not None
                or any(pattern.search(name) for pattern in self.keys)
                or self._globs.matches(name.lower())
            )
            if len(self._judged) < MAX_JUDGED_NAMES:
                self._judged[name] = judged
        return judged


class _Prose:
    """The comments and docstrings of a text, found on first need: no flow starts in them,
    and an agent framework documents every `api_key` parameter and counts tokens in prose
    (agno: 244 of the 1,157 files analysed had a credential name only there).

    Found on the text alone, erring towards code. A comment is a `#` with no quote before it
    on its line, outside any triple-quoted string. A docstring is a triple-quoted string,
    without an `f` or `b` prefix, alone on its lines, first in the file or after the header of
    a `def` or `class` (a line ending with `:` that starts so, or with `)`, or ends with `):`
    or holds `) ->`). Triple quotes are paired from the start of the file, skipping those in a
    comment or inside one-line quotes (`'\"\"\"'`); one in a string written otherwise can pair
    them wrongly, and each docstring is checked on both ends, so code is taken for one only if
    that also looks like one."""

    def __init__(self, text: str) -> None:
        self.text = text
        # All the triple-quoted strings, and the docstrings among them.
        self._spans: tuple[list[tuple[int, int]], list[tuple[int, int]]] | None = None

    def holds(self, position: int) -> bool:
        """Whether ``position`` is in a comment or a docstring."""
        if self._spans is None:
            self._spans = _triple_quoted(self.text)
        strings, docstrings = self._spans
        if _within(docstrings, position):
            return True
        return _in_comment(self.text, position) and not _within(strings, position)


def _within(spans: list[tuple[int, int]], position: int) -> bool:
    index = bisect.bisect_right(spans, (position, math.inf)) - 1
    return index >= 0 and position < spans[index][1]


def _in_comment(text: str, position: int) -> bool:
    """Whether a `#` with no quote before it precedes ``position`` on its line."""
    line_start = _line_start(text, position)
    if line_start is None:
        return False
    hash_at = text.find("#", line_start, position)
    if hash_at < 0:
        return False
    before = text[line_start:hash_at]
    return '"' not in before and "'" not in before


def _triple_quoted(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The spans of the triple-quoted strings of ``text``, and of its docstrings (see _Prose),
    in order."""
    strings: list[tuple[int, int]] = []
    docstrings: list[tuple[int, int]] = []
    # The next of each kind of quotes, each searched for again only once passed: searching
    # for both after every string would read a file without one kind to its end each time.
    upcoming = {'"""': text.find('"""'), "'''": text.find("'''")}
    position = 0
    while True:
        for quote, at in upcoming.items():
            while 0 <= at < position or (at >= 0 and not _opens_string(text, at)):
                at = text.find(quote, max(position, at + 3))
            upcoming[quote] = at
        waiting = [at for at in upcoming.values() if at >= 0]
        if not waiting:
            return strings, docstrings
        opening = min(waiting)
        quote = text[opening : opening + 3]
        closing = text.find(quote, opening + 3)
        if closing < 0:
            return strings, docstrings
        end = closing + 3
        strings.append((opening, end))
        if _opens_docstring(text, opening) and _ends_line(text, end):
            docstrings.append((opening, end))
        position = end


def _opens_string(text: str, at: int) -> bool:
    """Whether the triple quotes at ``at``, outside any triple-quoted string, open one: not in
    a comment, nor the content of one-line quotes of the other kind (`'\"\"\"'`)."""
    other = "'" if text[at] == '"' else '"'
    if at > 0 and text[at - 1] == other and text[at + 3 : at + 4] == other:
        return False
    return not _in_comment(text, at)


def _line_start(text: str, position: int) -> int | None:
    """Where the line of ``position`` starts (after `\\n` or `\\r`); None if that is over
    MAX_PROSE_LINE_CHARS before it (a file of one long line stays linear in the number of
    stems it holds)."""
    low = max(0, position - MAX_PROSE_LINE_CHARS)
    start = max(text.rfind("\n", low, position), text.rfind("\r", low, position)) + 1
    return start if start or low == 0 else None


def _opens_docstring(text: str, opening: int) -> bool:
    """Whether the quotes at ``opening`` start a line (after a prefix such as `r`) that comes
    first in the file (after comments) or after the header of a `def` or `class`."""
    line_start = _line_start(text, opening)
    if line_start is None:
        return False
    head = text[line_start:opening].strip()
    if head and not (len(head) <= 2 and all(c in "rRuU" for c in head)):
        return False
    before = line_start - 1
    while before > 0:
        previous_start = _line_start(text, before)
        if previous_start is None:
            return False
        line = text[previous_start:before].strip()
        if line and not line.startswith("#"):
            return line.endswith(":") and (
                line.startswith(("def ", "async def ", "class ", ")"))
                or line.endswith("):")
                or ") ->" in line
            )
        before = previous_start - 1
    return True


def _ends_line(text: str, end: int) -> bool:
    """Whether only blanks, or a comment, follow ``end`` on its line."""
    window = end + MAX_PROSE_LINE_CHARS
    ends = [at for at in (text.find("\n", end, window), text.find("\r", end, window)) if at >= 0]
    if not ends and window < len(text):
        return False
    rest = text[end : min(ends, default=len(text))].strip()
    return not rest or rest.startswith("#")


def _without_longer(words: Iterable[str]) -> tuple[str, ...]:
    """The lowered words, without those that contain another (they add nothing to a search
    for it)."""
    lowered = {w.lower() for w in words}
    return tuple(sorted(w for w in lowered if not any(o != w and o in w for o in lowered)))


def _bounded_at(text: str, lowered: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a word part of its own: between non-letters, or at a
    change of case (`dbPwd`, `sessionJwt`, `JWTClaims`)."""
    if end < len(text) and "a" <= lowered[end] <= "z":
        # Followed by a letter: only a capital that starts the next word part ends this one.
        if not text[end].isupper():
            return False
        if not (text[end - 1].islower() or (end + 1 < len(text) and text[end + 1].islower())):
            return False
    if start == 0 or not "a" <= lowered[start - 1] <= "z":
        return True
    return text[start].isupper() and text[start - 1].islower()


def _names_whole(lowered: str, name: str) -> bool:
    """Whether ``lowered`` holds ``name`` as a whole name (not part of a longer one)."""
    start = lowered.find(name)
    while start >= 0:
        end = start + len(name)
        if _around(lowered, start, end, _NAME_CHARS) == name:
            return True
        start = lowered.find(name, end)
    return False


# Runs of the characters of a name (`\w` is exactly `str.isalnum()` or `_`), and of a key
# written as a dotted or dashed name (`X-API-Key`).
_NAME_CHARS = re.compile(r"\w*")
_KEY_CHARS = re.compile(r"[\w.:/-]*")


def _around(text: str, start: int, end: int, chars: re.Pattern[str]) -> str:
    """``text[start:end]`` extended on both sides over the ``chars`` of a name (by
    MAX_NAME_CHARS at most)."""
    low = max(0, start - MAX_NAME_CHARS)
    high = min(len(text), end + MAX_NAME_CHARS)
    before = chars.match(text[low:start][::-1])
    after = chars.match(text, end, high)
    assert before is not None and after is not None  # both match the empty string
    return text[start - before.end() : after.end()]


def _quoted_around(text: str, start: int, end: int) -> list[str]:
    """The text between the nearest quotes of one kind on either side of ``text[start:end]``,
    on its line and within MAX_NAME_CHARS: the string a key is written in (`"Bearer token"`)."""
    line_start = text.rfind("\n", max(0, start - MAX_NAME_CHARS), start) + 1
    line_start = max(line_start, start - MAX_NAME_CHARS)
    line_end = text.find("\n", end, end + MAX_NAME_CHARS)
    if line_end < 0:
        line_end = min(len(text), end + MAX_NAME_CHARS)
    found = []
    for quote in "\"'":
        opening = text.rfind(quote, line_start, start)
        closing = text.find(quote, end, line_end)
        if opening >= 0 and closing >= 0:
            found.append(text[opening + 1 : closing])
    return found


# Credential stems found anywhere, confirmed or not.
_STEMS_ALONE = Triggers(stems=CREDENTIAL_STEMS, bounded=BOUNDED_STEMS, confirm=False)


def triggers(packs: PackSet) -> Triggers:
    """The triggers of ``packs``: credential stems, and the packs' source names and keys."""
    found = source_names(packs)
    return Triggers(
        found.partial,
        BOUNDED_STEMS,
        stems=CREDENTIAL_STEMS,
        whole_names=found.whole,
        confirming_names=found.confirming,
        name_globs=found.globs,
        keys=key_patterns(packs),
    )


def files_to_parse(texts: Sequence[str | None], found: Triggers, jobs: int = 1) -> list[bool]:
    """For each text (None: unreadable), whether it is worth parsing; on ``jobs`` processes
    when there are many."""
    items = [(found, text) for text in texts]
    return map_forked(
        _search_text, items, jobs, min_items=MIN_TEXTS_FOR_POOL, chunk_size=POOL_CHUNK_SIZE
    )


def _search_text(item: tuple[Triggers, str | None]) -> bool:
    found, text = item
    return text is not None and found.search(text)
