"""Find the top-level definitions of a file that no flow can start in or pass through.

The prefilter skips a file without a credential name in its code; the same holds for one
top-level `def` or `class` of a file it passes: if the definition's own text has no trigger and
no other text of the scan names it, nothing can call it with a credential, and it cannot start a
flow. Such a definition is left out of the parse: its characters are removed, its line ends kept,
so every position in the rest of the file stays where it was. In a large repository most of
the text that passes is tests: saleor, 3.7 of the 10.5 MB that pass.

What such a definition could still take in is checked as for a prefiltered file (see
obolint.reach): one that names a handle of the analysed code, or that a file parsed later
names, is put back (see obolint.analysis).

Found on the text alone, erring towards keeping code: a definition starts at a line with no
indentation that begins with `def`, `async def`, `class` or a decorator `@`, outside any string
(a lexer of comments and string literals finds the strings that span lines), and runs to its
last line before the next line of code at the margin. Kept besides: a definition that holds an
`import` (imports at any depth name modules for the whole file), a dunder (`__getattr__` is
called by the language), one that names a module-level name bound by a statement with a trigger
(`scheme = APIKeyHeader(...)`, then `Depends(scheme)`), one that assigns an attribute
(`x.out = None`) that other code of the file assigns too (the analysis reads which object an
attribute holds from every such assignment in the module), and one that the parse of the whole
file would not take: one CPython's parser rejects, or, in a file vetted because it may nest
deeply (see obolint.parsing), one nested deeper than obolint parses; so that the file's parse
reports it as for any file. Where the rest of a vetted file would no longer be vetted, it is
vetted here, and the file parsed whole if that fails.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from obolint import pysyntax
from obolint.cache import content_hash
from obolint.parallel import map_forked
from obolint.parsing import cpython_verdict, may_be_pathological
from obolint.prefilter import Triggers
from obolint.reach import IDENTIFIER, Reach
from obolint.stack import on_fresh_stack

_DEFINITION = re.compile(r"(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)")
_DEFINITION_STARTS = ("@", "def", "async", "class")
# An import statement anywhere in a line (`import x`, `from . import y`, `...; import z`).
_IMPORT = re.compile(r"(?:^|[;:])[ \t]*(?:import[ \t]|from[ \t].*[ \t]import\b)", re.M)
# A `global` statement: the definition rebinds a module-level name the analysis may read as a
# constant (`COOKIE_SECURE`).
_GLOBAL = re.compile(r"(?:^|[;:])[ \t]*global[ \t]", re.M)
# A line that starts at the margin with code or a comment (not a closing bracket).
_MARGIN_LINE = re.compile(r"^[^ \t\r\n)\]}][^\r\n]*", re.M)
# Comments and string literals, in the order a tokenizer meets them (a quote inside a comment
# or another string is neither). A one-line string ends at its line's end if unclosed.
_LEXEME = re.compile(
    r"#[^\r\n]*"
    r"|'''(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)"
    r'|"""(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)'
    r"|'(?:[^'\\\r\n]|\\(?:\r\n|.))*(?:'|(?=[\r\n])|\Z)"
    r'|"(?:[^"\\\r\n]|\\(?:\r\n|.))*(?:"|(?=[\r\n])|\Z)',
    re.S,
)
# `owner.attr =` (also annotated or augmented): the attribute assigned.
_ATTRIBUTE_STORE = re.compile(
    r"\.[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::[^=\r\n]*)?(?:[-+*/%&|^@]|//|\*\*|>>|<<)?=(?!=)"
)
# A character of a name (the one before `self` must not be one).
_NAME_CHAR = re.compile(r"[A-Za-z0-9_.]")
# The targets of a module-level assignment (`a = `, `a: T = `, `a, b = `).
_ASSIGNMENT_TARGETS = re.compile(r"([A-Za-z_][A-Za-z0-9_, \t]*?)[ \t]*(?::[^=\r\n]*)?=(?!=)")
_LINE_ENDS = re.compile(r"\r\n|\r|\n")
# Whether a text is vetted for deep nesting (see obolint.parsing), and its definitions that may
# be left out, each with how often its name occurs in it.
Outline = tuple[bool, list[tuple["Definition", int]]]
Given = TypeVar("Given")
Out = TypeVar("Out")
# Files are searched on forked worker processes (--jobs) from this many, in chunks.
MIN_FILES_FOR_POOL = 64
POOL_CHUNK_SIZE = 16


@dataclass(frozen=True)
class Definition:
    """A top-level ``def`` or ``class`` (with its decorators): its name and character span."""

    name: str
    start: int
    end: int
    line: int = 0  # how many lines come before it (counted for those left out)


def top_level_definitions(text: str) -> list[Definition]:
    """The top-level definitions of ``text``, in order."""
    return _top_level(text, _multiline_strings(text))[0]


def _top_level(
    text: str, strings: list[tuple[int, int]]
) -> tuple[list[Definition], list[tuple[int, int]]]:
    """The top-level definitions of ``text``, and the spans of its other top-level code;
    ``strings``: the spans of its strings that hold a line end."""
    definitions: list[Definition] = []
    statements: list[tuple[int, int]] = []
    # What is being read: a definition (its name; None while only decorators are read) or
    # other code, from ``start``.
    name: str | None = None
    start = -1
    in_definition = False
    # Only lines at the margin start or end a definition; the lines between are its own.
    # A lone `\r` ends a line too (the regex knows only `\n`); the length stays the same.
    lines = text.replace("\r", "\n") if "\r" in text else text
    for match in _MARGIN_LINE.finditer(lines):
        line_start = match.start()
        if _starts_inside(strings, line_start):
            continue
        line = match.group()
        if line.startswith("#"):
            continue  # a comment at the margin does not end a definition
        header = _DEFINITION.match(line)
        if start >= 0 and in_definition and name is None:  # decorators so far
            if header is not None:
                name = header.group(1)
                continue
            if line.startswith("@"):
                continue
        if start >= 0:
            end = _content_end(text, start, line_start)
            if not in_definition:
                statements.append((start, end))
            elif name is not None:
                definitions.append(Definition(name, start, end))
        start = line_start
        in_definition = header is not None or line.startswith("@")
        name = header.group(1) if header is not None else None
    if start >= 0:
        end = _content_end(text, start, len(text))
        if not in_definition:
            statements.append((start, end))
        elif name is not None:
            definitions.append(Definition(name, start, end))
    return definitions, statements


def _multiline_strings(text: str) -> list[tuple[int, int]]:
    """The spans of the string literals of ``text`` that hold a line end, in order."""
    if "'" not in text and '"' not in text:
        return []
    return [
        match.span()
        for match in _LEXEME.finditer(text)
        if match.group()[0] != "#" and ("\n" in match.group() or "\r" in match.group())
    ]


def _starts_inside(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` is inside one of ``spans``, not at its start: a line that starts
    with a string's opening quote is code."""
    index = bisect.bisect_left(spans, (position, position)) - 1
    return index >= 0 and position < spans[index][1]


def _content_end(text: str, start: int, stop: int) -> int:
    """The end of the last line of ``text[start:stop]`` that is neither blank nor a comment
    at the margin, with its line end."""
    end = stop
    while end > start:
        line_start = max(
            start, max(text.rfind("\n", start, end - 1), text.rfind("\r", start, end - 1)) + 1
        )
        line = text[line_start:end]
        if line.strip() and not line.startswith("#"):
            # The `\r` of a `\r\n` was taken for the line's end: the `\n` belongs to it.
            return end + 1 if text[end - 1] == "\r" and text[end : end + 1] == "\n" else end
        end = line_start
    return end


def definitions_to_leave_out(text: str, triggers: Triggers) -> list[Definition]:
    """The top-level definitions of ``text`` that may be left out (see the module docstring);
    whether another text names them is not checked here."""
    return _definitions_to_leave_out(text, triggers, may_be_pathological(text))


def _definitions_to_leave_out(text: str, triggers: Triggers, vetted: bool) -> list[Definition]:
    """``definitions_to_leave_out``, for a text ``vetted`` (or not) for deep nesting, as the
    parse of the whole file would be."""
    strings = _multiline_strings(text)
    definitions, statements = _top_level(text, strings)
    if not definitions:
        return []
    lowered = text.lower()
    bound = _names_bound_with_a_trigger(text, statements, strings, triggers, lowered)
    stores = _attribute_stores(text)
    on_receivers = Counter(attr for _, attr, on_receiver in stores if on_receiver)
    left_out = []
    for definition in definitions:
        name = definition.name
        if name.startswith("__") and name.endswith("__"):
            continue
        body = text[definition.start : definition.end]
        if "import" in body and _IMPORT.search(body):
            continue
        if "global" in body and _GLOBAL.search(body):
            continue
        if on_receivers:
            first = bisect.bisect_left(stores, (definition.start, "", False))
            last = bisect.bisect_left(stores, (definition.end, "", False))
            own = stores[first:last]
            mine = Counter(attr for _, attr, on_receiver in own if on_receiver)
            if any(on_receivers[attr] > mine[attr] for _, attr, _ in own):
                continue
        if bound and not bound.isdisjoint(IDENTIFIER.findall(body)):
            continue
        if triggers.search(body, lowered) or not _parses_as_in_its_file(body, vetted):
            continue
        left_out.append(definition)
    return left_out


def _parses_as_in_its_file(body: str, vetted: bool) -> bool:
    """Whether the parse of the whole file would take ``body``: CPython's parser does, and, in
    a file ``vetted`` because it may nest deeply (see obolint.parsing), no deeper than obolint
    parses. A definition that fails is kept, so that the file's parse reports it as for any
    file; one in syntax newer than this Python's is kept too, and LibCST decides. (About 0.18 s
    per MB of candidates, a thirteenth of LibCST's time: saleor, 4.9 MB, 0.9 s of CPU.)"""
    if vetted:
        return _passes_vetting(body)
    try:
        pysyntax.parse(body)
    except pysyntax.REJECTED:
        return False
    return True


def _attribute_stores(text: str) -> list[tuple[int, str, bool]]:
    """Each ``owner.attr =`` of ``text``: where, the attribute, and whether the owner is
    ``self`` or ``cls``."""
    stores = []
    for match in _ATTRIBUTE_STORE.finditer(text):
        owner = text[max(0, match.start() - 8) : match.start()].rstrip(" \t")
        on_receiver = owner.endswith(("self", "cls")) and not _NAME_CHAR.match(
            owner[-5:-4] if owner.endswith("self") else owner[-4:-3]
        )
        stores.append((match.start(), match.group(1), on_receiver))
    return stores


def _names_bound_with_a_trigger(
    text: str,
    statements: list[tuple[int, int]],
    strings: list[tuple[int, int]],
    triggers: Triggers,
    lowered: str,
) -> set[str]:
    """The names that module-level assignments and imports with a trigger bind. A trigger in
    a string over several lines (a GraphQL query with `$token`, a prompt) does not count: such
    a string is no key or scheme, and a global that holds a credential is a handle anyway."""
    bound: set[str] = set()
    for start, end in statements:
        statement = _without_strings(text, start, end, strings)
        if statement.startswith(("import", "from")):
            _, keyword, names = statement.partition("import")
            if keyword and triggers.search(statement, lowered):
                bound.update(IDENTIFIER.findall(names))
            continue
        targets = _ASSIGNMENT_TARGETS.match(statement)
        if targets is not None and triggers.search(statement, lowered):
            bound.update(IDENTIFIER.findall(targets.group(1)))
    bound.discard("as")
    return bound


def _without_strings(text: str, start: int, end: int, strings: list[tuple[int, int]]) -> str:
    """``text[start:end]`` without the ``strings`` inside it."""
    parts = []
    index = bisect.bisect_left(strings, (start, start))
    for opening, closing in strings[index:]:
        if opening >= end:
            break
        parts.append(text[start:opening])
        start = closing
    parts.append(text[start:end])
    return "".join(parts)


@dataclass
class LeftOut:
    """The definitions a scan left out of one file, with what it needs to put them back."""

    path: Path
    module_name: str
    definitions: list[tuple[Definition, str]]  # each with its text, in order
    # Names of those named by a file loaded before this one was added: put back once it is.
    wanted: set[str] = field(default_factory=set)


# Definitions to put back: their names, by file.
Wanted = dict[Path, set[str]]


# What the code of a file outside its left-out definitions tells about names: its imports
# (local name -> qualified name), and the names it holds that may own a handle.
FileContext = tuple[Mapping[str, str], AbstractSet[str]]


class LeftOutDefinitions:
    """The definitions a scan left out, by file and by name, until they are put back."""

    def __init__(self, left_out: Iterable[LeftOut]) -> None:
        self.by_path = {entry.path: entry for entry in left_out}
        self._paths_by_name: dict[str, set[Path]] = {}
        # (path, start) -> the identifiers of that definition's text, found in the first round
        # of naming_a_handle: each later round tests them against its handles alone.
        self._identifiers: dict[tuple[Path, int], frozenset[str]] = {}
        for entry in self.by_path.values():
            for definition, _ in entry.definitions:
                self._paths_by_name.setdefault(definition.name, set()).add(entry.path)

    def __len__(self) -> int:
        return sum(len(entry.definitions) for entry in self.by_path.values())

    def named_in(self, text: str) -> Wanted:
        """The left-out definitions that ``text`` names."""
        wanted: Wanted = {}
        for name in names_any(text, self._paths_by_name):
            for path in self._paths_by_name[name]:
                if path in self.by_path:
                    wanted.setdefault(path, set()).add(name)
        return wanted

    def naming_a_handle(self, reach: Reach, context_of: Callable[[LeftOut], FileContext]) -> Wanted:
        """The left-out definitions that name a handle of ``reach`` (also by an import alias)
        and its owner, there or elsewhere in their file."""
        wanted: Wanted = {}
        for entry in self.by_path.values():
            imports, owners = context_of(entry)
            for definition, body in entry.definitions:
                key = (entry.path, definition.start)
                identifiers = self._identifiers.get(key)
                if identifiers is None:
                    identifiers = self._identifiers[key] = frozenset(IDENTIFIER.findall(body))
                imported = _imported_names(identifiers, imports)
                if reach.finds(body, owners, imported, identifiers):
                    wanted.setdefault(entry.path, set()).add(definition.name)
        return wanted

    def take(self, path: Path, names: AbstractSet[str]) -> list[tuple[Definition, str]]:
        """The definitions of ``path`` with these names that are still left out: no longer."""
        entry = self.by_path.get(path)
        if entry is None:
            return []
        taken = [(d, body) for d, body in entry.definitions if d.name in names]
        entry.definitions = [(d, body) for d, body in entry.definitions if d.name not in names]
        if not entry.definitions:
            del self.by_path[path]
        return taken

    def remove(self, entry: LeftOut) -> None:
        """``entry``'s definitions are parsed after all: no longer left out."""
        self.by_path.pop(entry.path, None)


def fragment(definitions: Sequence[tuple[Definition, str]]) -> str:
    """A text of ``definitions`` (in order) on the lines they have in their file, the others
    empty: parsed, its nodes have the positions they have in the file."""
    parts = [""]
    line = 0
    for definition, body in definitions:
        if definition.line > line:
            # A space keeps a lone `\r` that ends the definition before and a `\n` apart.
            parts.append(" " * parts[-1].endswith("\r") + "\n" * (definition.line - line))
        parts.append(body)
        line = definition.line + len(_LINE_ENDS.findall(body))
    return "".join(parts)


def _imported_names(identifiers: AbstractSet[str], imports: Mapping[str, str]) -> set[str]:
    """The last names of what these identifiers import (``S`` for ``from conf import
    SERVICE as S``: ``SERVICE``)."""
    if not imports:
        return set()
    return {imports[name].rpartition(".")[2] for name in identifiers if name in imports}


@dataclass
class Outlines:
    """The outlines of texts, by content hash, as the results cache keeps them (whether the
    text is vetted for deep nesting; per definition that may be left out, its name, start, end,
    and how often the name occurs in it): ``known`` from earlier scans, ``this_scan`` those of
    this scan's texts. A rerun after an edit so looks for them in the edited files only
    (saleor: 3.3 s of CPU for all 664 files that pass)."""

    known: Mapping[str, dict] = field(default_factory=dict)
    this_scan: dict[str, dict] = field(default_factory=dict)


def left_out_of(
    files: Sequence[tuple[Path, str]],
    module_names: Sequence[str],
    triggers: Triggers,
    jobs: int,
    outlines: Outlines | None = None,
) -> tuple[list[str], LeftOutDefinitions]:
    """The text to parse of each file (with the definitions left out emptied) and those
    definitions. On ``jobs`` processes where there are many files; with ``outlines``, the
    candidates of the texts it knows are taken from it, and it is given those of all."""
    texts = [text for _, text in files]
    known: list[Outline | None] = [None] * len(texts)
    digests = [content_hash(text) for text in texts] if outlines is not None else []
    if outlines is not None:
        known = [_from_stored(outlines.known.get(digests[i]), t) for i, t in enumerate(texts)]
    todo = [i for i, found in enumerate(known) if found is None]
    computed = iter(_for_each_text(_outline, triggers, [texts[i] for i in todo], jobs))
    outlined = [found if found is not None else next(computed) for found in known]
    if outlines is not None:
        outlines.this_scan.update(zip(digests, map(_to_stored, outlined), strict=True))
    candidates = [per_file for _, per_file in outlined]
    names = frozenset(d.name for per_file in candidates for d, _ in per_file)
    counted = _for_each_text(_count_names, names, texts, jobs)
    total: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for counts, per_file in zip(counted, candidates, strict=True):
        total.update(counts)
        for definition, count in per_file:
            own[definition.name] += count
    to_parse: list[str] = []
    kept_out_of: list[list[Definition]] = []
    for (_, text), per_file in zip(files, candidates, strict=True):
        # Named nowhere but inside definitions of its name that are left out too (once one
        # of those is put back, what it names is put back as well).
        kept_out = _with_lines(text, [d for d, _ in per_file if total[d.name] == own[d.name]])
        kept_out_of.append(kept_out)
        to_parse.append(blanked(text, kept_out))
    # A file vetted because it may nest deeply whose rest would not be: the rest is vetted
    # here, as its parse would not, and the file is parsed whole if that fails.
    unvetted = [
        i
        for i, ((vetted, _), kept_out) in enumerate(zip(outlined, kept_out_of, strict=True))
        if kept_out and vetted and not may_be_pathological(to_parse[i])
    ]
    passed = map_forked(
        _passes_vetting, [to_parse[i] for i in unvetted], jobs, min_items=2, chunk_size=1
    )
    for i, ok in zip(unvetted, passed, strict=True):
        if not ok:
            kept_out_of[i], to_parse[i] = [], files[i][1]
    left_out = [
        LeftOut(path, name, [(d, text[d.start : d.end]) for d in kept_out])
        for (path, text), name, kept_out in zip(files, module_names, kept_out_of, strict=True)
        if kept_out
    ]
    return to_parse, LeftOutDefinitions(left_out)


def _passes_vetting(text: str) -> bool:
    """Whether CPython's parser takes ``text`` and it nests no deeper than obolint parses."""
    return cpython_verdict(text) == (None, None)


def _to_stored(outline: Outline) -> dict:
    """``outline`` as ``Outlines`` keeps it (read back by ``_from_stored``)."""
    vetted, candidates = outline
    return {"vetted": vetted, "definitions": [[d.name, d.start, d.end, n] for d, n in candidates]}


def _from_stored(stored: object, text: str) -> Outline | None:
    """The outline of ``text`` from an entry of ``Outlines``, or None if it is not one."""
    if not isinstance(stored, dict):
        return None
    vetted, definitions = stored.get("vetted"), stored.get("definitions")
    if not isinstance(vetted, bool) or not isinstance(definitions, list):
        return None
    candidates = []
    previous_end = 0
    for item in definitions:
        if not (
            isinstance(item, list)
            and len(item) == 4
            and isinstance(item[0], str)
            and all(type(number) is int for number in item[1:])
            and previous_end <= item[1] < item[2] <= len(text)
            and text.startswith(_DEFINITION_STARTS, item[1])
        ):
            return None
        name, start, end, count = item
        candidates.append((Definition(name, start, end), count))
        previous_end = end
    return vetted, candidates


def _with_lines(text: str, definitions: list[Definition]) -> list[Definition]:
    """``definitions`` (in order) with the number of lines before each."""
    counted = []
    line = position = 0
    for definition in definitions:
        line += len(_LINE_ENDS.findall(text, position, definition.start))
        position = definition.start
        counted.append(replace(definition, line=line))
    return counted


def _for_each_text(
    function: Callable[[tuple[Given, str]], Out], given: Given, texts: list[str], jobs: int
) -> list[Out]:
    """``function((given, text))`` for each text, on forked workers where there are many."""
    items = [(given, text) for text in texts]
    return map_forked(
        function, items, jobs, min_items=MIN_FILES_FOR_POOL, chunk_size=POOL_CHUNK_SIZE
    )


def _outline(item: tuple[Triggers, str]) -> Outline:
    """Whether the text is vetted for deep nesting, and the definitions of the text that may be
    left out, each with how often its name occurs in it. On the large-stack thread: once per
    text, not once per definition CPython parses there (see obolint.pysyntax)."""
    triggers, text = item

    def outline() -> Outline:
        vetted = may_be_pathological(text)
        return vetted, [
            (d, IDENTIFIER.findall(text, d.start, d.end).count(d.name))
            for d in _definitions_to_leave_out(text, triggers, vetted)
        ]

    return on_fresh_stack(outline)


def _count_names(item: tuple[frozenset[str], str]) -> Counter[str]:
    """How often each of the names occurs in the text."""
    names, text = item
    return Counter(i for i in IDENTIFIER.findall(text) if i in names)


def names_any(text: str, names: Container[str]) -> set[str]:
    """The identifiers of ``text`` that are among ``names``."""
    return {i for i in IDENTIFIER.findall(text) if i in names}


def blanked(text: str, definitions: Sequence[Definition]) -> str:
    """``text`` with the characters of ``definitions`` removed, all line ends kept (a blank
    keeps a lone `\\r` and a `\\n` after it two line ends)."""
    if not definitions:
        return text
    parts = []
    position = 0
    for definition in definitions:
        parts.append(text[position : definition.start])
        previous = text[definition.start - 1 : definition.start]
        for line_end in _LINE_ENDS.findall(text, definition.start, definition.end):
            if previous == "\r" and line_end[0] == "\n":
                parts.append(" ")
            parts.append(line_end)
            previous = line_end[-1]
        position = definition.end
    parts.append(text[position:])
    return "".join(parts)
