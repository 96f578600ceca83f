"""Find the top-level definitions of a file that no flow can start in or pass through.

The prefilter skips a file without a credential name in its code; the same holds for one
top-level `def` or `class` of a file it passes: if the definition's own text has no trigger and
no other text of the scan names it, nothing can call it with a credential, and it cannot start a
flow. Such a definition is left out of the parse: its lines are emptied (line ends kept, so
every position in the rest of the file stays where it was). In a large repository most of the
text that passes is tests: saleor, 10.5 MB parsed, 3.4 MB of it such definitions.

What a file left out this way still reaches is checked as for a prefiltered file (see
obolint.reach): a definition that names a handle of the analysed code, or that a file parsed
later names, is parsed after all (see obolint.analysis).

Found on the text alone, erring towards keeping code: a definition starts at a line with no
indentation that begins with `def`, `async def`, `class` or a decorator `@`, outside any
triple-quoted string, and runs to the last indented line before the next unindented line of
code. A definition that holds an `import` is kept (imports at any depth name modules for the
whole file), and so is a dunder (`__getattr__` is called by the language).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from obolint.parallel import map_forked
from obolint.prefilter import Triggers, triple_quoted_strings
from obolint.reach import Reach

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEFINITION = re.compile(r"(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_][A-Za-z0-9_]*)")
# An import statement anywhere in a line (`import x`, `from . import y`, `...; import z`).
_IMPORT = re.compile(r"(?:^|[;:])[ \t]*(?:import[ \t]|from[ \t].*[ \t]import\b)", re.M)
# A line that starts at the margin with code or a comment (not a closing bracket).
_MARGIN_LINE = re.compile(r"^[^ \t\r\n)\]}][^\r\n]*", re.M)
# Files are searched on forked worker processes (--jobs) from this many, in chunks.
MIN_FILES_FOR_POOL = 64
POOL_CHUNK_SIZE = 16


@dataclass(frozen=True)
class Definition:
    """A top-level ``def`` or ``class`` (with its decorators): its name and character span."""

    name: str
    start: int
    end: int


def top_level_definitions(text: str) -> list[Definition]:
    """The top-level definitions of ``text``, in order."""
    strings = triple_quoted_strings(text)
    found: list[Definition] = []
    # The definition being read: its name (None while only decorators are read) and start.
    name: str | None = None
    start = -1
    # Only lines at the margin start or end a definition; the lines between are its own.
    # A lone `\r` ends a line too (the regex knows only `\n`); the length stays the same.
    lines = text.replace("\r", "\n") if "\r" in text else text
    for match in _MARGIN_LINE.finditer(lines):
        line_start = match.start()
        if _within(strings, line_start):
            continue
        line = match.group()
        if line.startswith("#"):
            continue  # a comment at the margin does not end a definition
        if start >= 0 and name is not None:
            found.append(Definition(name, start, _content_end(text, start, line_start)))
            start = -1
        if line.startswith("@"):
            if start < 0:
                start, name = line_start, None
            continue
        header = _DEFINITION.match(line)
        if header is not None:
            if start < 0:
                start = line_start
            name = header.group(1)
        else:
            start = -1  # other code: decorators not followed by a definition are kept
    if start >= 0 and name is not None:
        found.append(Definition(name, start, _content_end(text, start, len(text))))
    return found


def _within(spans: list[tuple[int, int]], position: int) -> bool:
    """Whether ``position`` is inside (not at the start of) one of ``spans``."""
    index = bisect.bisect_left(spans, (position, position)) - 1
    return index >= 0 and position < spans[index][1]


def _content_end(text: str, start: int, stop: int) -> int:
    """The end of the last line of ``text[start:stop]`` that is neither blank nor a comment
    at the margin, with its line end."""
    end = stop
    while end > start:
        line_start = max(text.rfind("\n", start, end - 1), text.rfind("\r", start, end - 1)) + 1
        line = text[line_start:end]
        if line.strip() and not line.startswith("#"):
            # The `\r` of a `\r\n` was taken for the line's end: the `\n` belongs to it.
            return end + 1 if text[end - 1] == "\r" and text[end : end + 1] == "\n" else end
        end = line_start
    return end


def definitions_to_leave_out(text: str, triggers: Triggers) -> list[Definition]:
    """The top-level definitions of ``text`` without a trigger (see module docstring); whether
    another text names them is not checked here."""
    left_out = []
    lowered = text.lower()
    for definition in top_level_definitions(text):
        name = definition.name
        if name.startswith("__") and name.endswith("__"):
            continue
        body = text[definition.start : definition.end]
        if ("import" in body and _IMPORT.search(body)) or triggers.search(body, lowered):
            continue
        left_out.append(definition)
    return left_out


@dataclass
class LeftOut:
    """The definitions a scan left out of one file, with what it needs to put them back."""

    path: Path
    module_name: str
    definitions: list[tuple[Definition, str]]  # each with its text
    # Named by a file loaded before this one was added: it is parsed whole.
    wanted: bool = False


class LeftOutDefinitions:
    """The definitions a scan left out, by file and by name, until they are put back."""

    def __init__(self, left_out: Iterable[LeftOut]) -> None:
        self.by_path = {entry.path: entry for entry in left_out}
        self._paths_by_name: dict[str, set[Path]] = {}
        for entry in self.by_path.values():
            for definition, _ in entry.definitions:
                self._paths_by_name.setdefault(definition.name, set()).add(entry.path)

    def __len__(self) -> int:
        return sum(len(entry.definitions) for entry in self.by_path.values())

    def named_in(self, text: str) -> list[LeftOut]:
        """The files with a left-out definition that ``text`` names."""
        paths = {
            p for name in names_any(text, self._paths_by_name) for p in self._paths_by_name[name]
        }
        return [self.by_path[path] for path in sorted(paths) if path in self.by_path]

    def naming_a_handle(
        self, reach: Reach, names_outside: Callable[[LeftOut], AbstractSet[str]]
    ) -> list[LeftOut]:
        """The files with a left-out definition that names a handle of ``reach`` and its
        owner, there or among the ``names_outside`` the definitions of its file."""
        found = []
        for entry in list(self.by_path.values()):
            named = [body for _, body in entry.definitions if reach.names_a_handle(body)]
            if named:
                owners = names_outside(entry)
                if any(reach.finds(body, owners) for body in named):
                    found.append(entry)
        return found

    def remove(self, entry: LeftOut) -> None:
        """``entry``'s definitions are parsed after all: no longer left out."""
        self.by_path.pop(entry.path, None)


def left_out_of(
    files: Sequence[tuple[Path, str]], module_names: Sequence[str], found: Triggers, jobs: int
) -> tuple[list[str], LeftOutDefinitions]:
    """The text to parse of each file (with the definitions left out emptied) and those
    definitions. On ``jobs`` processes where there are many files."""
    texts = [text for _, text in files]
    candidates = map_forked(
        _candidates,
        [(found, text) for text in texts],
        jobs,
        min_items=MIN_FILES_FOR_POOL,
        chunk_size=POOL_CHUNK_SIZE,
    )
    names = frozenset(d.name for per_file in candidates for d, _ in per_file)
    counted = map_forked(
        _count_names,
        [(names, text) for text in texts],
        jobs,
        min_items=MIN_FILES_FOR_POOL,
        chunk_size=POOL_CHUNK_SIZE,
    )
    total: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for counts, per_file in zip(counted, candidates, strict=True):
        total.update(counts)
        for definition, count in per_file:
            own[definition.name] += count
    to_parse: list[str] = []
    left_out: list[LeftOut] = []
    for (path, text), name, per_file in zip(files, module_names, candidates, strict=True):
        # Named nowhere but inside definitions of its name that are left out too.
        kept_out = [d for d, _ in per_file if total[d.name] == own[d.name]]
        to_parse.append(blanked(text, kept_out))
        if kept_out:
            left_out.append(LeftOut(path, name, [(d, text[d.start : d.end]) for d in kept_out]))
    return to_parse, LeftOutDefinitions(left_out)


def _candidates(item: tuple[Triggers, str]) -> list[tuple[Definition, int]]:
    """The definitions of the text that may be left out, each with how often its name occurs
    in it."""
    found, text = item
    return [
        (d, _IDENTIFIER.findall(text, d.start, d.end).count(d.name))
        for d in definitions_to_leave_out(text, found)
    ]


def _count_names(item: tuple[frozenset[str], str]) -> Counter[str]:
    """How often each of the names occurs in the text."""
    names, text = item
    return Counter(i for i in _IDENTIFIER.findall(text) if i in names)


def names_any(text: str, names: Container[str]) -> set[str]:
    """The identifiers of ``text`` that are among ``names``."""
    return {i for i in _IDENTIFIER.findall(text) if i in names}


def blanked(text: str, definitions: Sequence[Definition]) -> str:
    """``text`` with the characters of ``definitions`` removed, all line ends kept."""
    if not definitions:
        return text
    parts = []
    position = 0
    for definition in definitions:
        parts.append(text[position : definition.start])
        parts.append("".join(_LINE_ENDS.findall(text, definition.start, definition.end)))
        position = definition.end
    parts.append(text[position:])
    return "".join(parts)


_LINE_ENDS = re.compile(r"\r\n|\r|\n")
