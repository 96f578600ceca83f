"""Inline suppressions: ``# obolint: ignore[...]``, ``# obolint: file-ignore[...]``, ``# noqa``.

A suppression silences named rules on the whole *statement* its comment belongs to, so a
comment on any line of a multi-line call (or on its own line just above it) covers every line
of that call. Comments are found with ``tokenize`` (a ``#`` inside a string is not a comment)
and statement extents with ``ast``; both are cheap next to the analysis itself.
"""

from __future__ import annotations

import ast
import bisect
import io
import os
import re
import tokenize
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from obolint import pysyntax
from obolint.discovery import ExcludeMatcher
from obolint.findings import Finding, Notice, SuppressedFinding
from obolint.rulemeta import RuleMeta
from obolint.sourcefiles import read_source

FILE_IGNORE_MAX_LINE = 20
EXAMPLE = "# obolint: ignore[OBO401] -- reviewed: why this is safe"

# One comment may hold several directives (`# noqa: BLE001  # obolint: ignore[OBO401] -- ok`):
# it is cut before each one.
_SEGMENT_START = re.compile(r"(?=#\s*(?:obolint\s*:|noqa\b))", re.IGNORECASE)
_OBOLINT = re.compile(
    r"#\s*obolint\s*:\s*(?P<verb>[\w-]*)\s*(?:\[(?P<codes>[^\]]*)\])?(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_NOQA = re.compile(
    r"#\s*noqa\s*:\s*(?P<codes>[a-z]+[0-9]+(?:\s*,\s*[a-z]+[0-9]+)*)(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
# A file holds a suppression only if it says "obolint" or has a noqa with an OBO code.
_NOQA_OBO = re.compile(r"noqa\s*:[^\n]*obo")
_REASON = re.compile(r"^\s*--\s*(?P<reason>.*)$", re.DOTALL)
_NOQA_REASON = re.compile(r"^\s*--?\s+(?P<reason>.*)$", re.DOTALL)
_COMPOUND = (
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Match,
    *((ast.TryStar,) if hasattr(ast, "TryStar") else ()),
)


@dataclass(frozen=True)
class Suppression:
    """One suppression comment: the rules it silences and the lines it covers."""

    path: str
    line: int  # the comment's line
    directive: str  # "ignore", "file-ignore" or "noqa"
    selectors: tuple[tuple[str, frozenset[str]], ...]  # as written -> rule ids it covers
    reason: str
    first: int  # first line covered
    last: int  # last line covered

    def covers(self, finding: Finding) -> str | None:
        """The selector that silences ``finding``, or None."""
        if not self.first <= finding.location.line <= self.last:
            return None
        for selector, codes in self.selectors:
            if finding.rule in codes:
                return selector
        return None


@dataclass
class FileSuppressions:
    """The suppressions of one file and the warnings its comments deserve."""

    suppressions: list[Suppression] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


@dataclass
class SuppressionOutcome:
    """Findings split into those still reported and those silenced, plus warnings."""

    kept: list[Finding]
    suppressed: list[SuppressedFinding]
    notices: list[Notice]


# --------------------------------------------------------------------------- statements


class StatementMap:
    """For each line, the extent of the statement (or compound-statement header) on it."""

    def __init__(self, text: str, tokens: Sequence[tokenize.TokenInfo]) -> None:
        self._by_line: dict[int, tuple[int, int]] = {}
        for first, last in _statement_units(text, tokens):
            for line in range(first, last + 1):
                known = self._by_line.get(line)
                # One-line compound statements (`if x: call(token)`) join their header
                # and body: a comment there covers both.
                self._by_line[line] = (
                    (first, last) if known is None else (min(known[0], first), max(known[1], last))
                )
        self._starts = sorted({first for first, _ in self._by_line.values()})

    def extent(self, line: int, own_line: bool) -> tuple[int, int] | None:
        """Lines covered by a comment on ``line``: its statement, else the next statement."""
        known = self._by_line.get(line)
        # A comment on its own line inside a multi-line statement (between arguments)
        # belongs to that statement; any other comment line precedes the next one.
        if known is not None and (not own_line or known[0] < line):
            return known
        index = bisect.bisect_right(self._starts, line)
        return self._by_line[self._starts[index]] if index < len(self._starts) else None


def _statement_units(text: str, tokens: Sequence[tokenize.TokenInfo]) -> list[tuple[int, int]]:
    """(first, last) lines of every simple statement and compound-statement header (with its
    decorators)."""
    try:
        tree = pysyntax.parse(text)
    except pysyntax.REJECTED:
        # Syntax newer than this Python's `ast` (LibCST read it): each code line stands alone.
        return [(line, line) for line in sorted(_code_lines(tokens))]
    starts = [token.start for token in tokens]
    units: list[tuple[int, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, _COMPOUND):
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            units.append((first, _header_end(tokens, starts, node.lineno, node.col_offset)))
        elif isinstance(node, ast.stmt):
            units.append((node.lineno, node.end_lineno or node.lineno))
        elif isinstance(node, ast.ExceptHandler):
            units.append((node.lineno, _header_end(tokens, starts, node.lineno, node.col_offset)))
        elif isinstance(node, ast.match_case):
            pattern = node.pattern
            end = _header_end(tokens, starts, pattern.lineno, pattern.col_offset)
            units.append((pattern.lineno, end))
    return units


def _code_lines(tokens: Sequence[tokenize.TokenInfo]) -> set[int]:
    """Lines that hold code, not only comments or blanks."""
    layout = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    lines: set[int] = set()
    for token in tokens:
        if token.type not in layout and token.type != tokenize.ENDMARKER:
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines


def _header_end(
    tokens: Sequence[tokenize.TokenInfo], starts: list[tuple[int, int]], line: int, column: int
) -> int:
    """The line of the ``:`` that ends the header starting at (line, column)."""
    depth = lambdas = 0
    for token in tokens[bisect.bisect_left(starts, (line, column)) :]:
        if token.type == tokenize.NAME and token.string == "lambda" and depth == 0:
            lambdas += 1  # its own `:` comes first
        elif token.type != tokenize.OP:
            continue
        elif token.string in "([{":
            depth += 1
        elif token.string in ")]}":
            depth -= 1
        elif token.string == ":" and depth == 0:
            if not lambdas:
                return token.start[0]
            lambdas -= 1
    return line


# --------------------------------------------------------------------------- parsing


def may_hold_suppressions(text: str) -> bool:
    """Whether ``text`` may hold a suppression comment (or a malformed one to warn about): it
    names obolint, or has a noqa comment with an OBO code. Files without one need no reading
    for suppressions."""
    # Substring tests on the lowered text: a case-insensitive regex over every file was a
    # third of a warm run.
    lowered = text.lower()
    return "obolint" in lowered or ("noqa" in lowered and _NOQA_OBO.search(lowered) is not None)


def parse_suppressions(path: str, text: str, rules: Sequence[RuleMeta]) -> FileSuppressions:
    """Every suppression comment of ``text`` (the file at ``path``), with warnings."""
    out = FileSuppressions()
    if not may_hold_suppressions(text):
        return out  # the common case (even with other tools' noqa codes): nothing to tokenize
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return out
    comments = [t for t in tokens if t.type == tokenize.COMMENT and _SEGMENT_START.search(t.string)]
    if not comments:
        return out
    statements = StatementMap(text, tokens)
    for comment in comments:
        own_line = not comment.line[: comment.start[1]].strip()
        for segment in _SEGMENT_START.split(comment.string):
            _parse_segment(path, comment.start[0], own_line, segment, statements, rules, out)
    return out


def _parse_segment(
    path: str,
    line: int,
    own_line: bool,
    segment: str,
    statements: StatementMap,
    rules: Sequence[RuleMeta],
    out: FileSuppressions,
) -> None:
    def warn(message: str, kind: str = "") -> None:
        out.notices.append(Notice(message, path, line, kind))

    obolint = _OBOLINT.match(segment)
    noqa = None if obolint else _NOQA.match(segment)
    if obolint is None and noqa is None:
        return  # a noqa comment without codes, or an unrelated comment
    if obolint is not None:
        directive = obolint["verb"].lower()
        raw_codes, rest = obolint["codes"], obolint["rest"]
        if directive not in ("ignore", "file-ignore"):
            warn(
                f"unknown directive `# obolint: {obolint['verb']}`; it is ignored. "
                f"Write `{EXAMPLE}` or `# obolint: file-ignore[OBO3] -- why`."
            )
            return
        if not raw_codes or not raw_codes.strip(" ,"):
            warn(
                f"`# obolint: {directive}` without rule codes is not honoured: name the rules "
                f"it silences, e.g. `{EXAMPLE}`."
            )
            return
        items = [item.strip() for item in raw_codes.split(",") if item.strip()]
        reason_match = _REASON.match(rest)
    else:
        assert noqa is not None
        directive, rest = "noqa", noqa["rest"]
        items = [c.strip() for c in noqa["codes"].split(",") if c.strip().upper().startswith("OBO")]
        if not items:
            return  # codes of other tools only
        reason_match = _NOQA_REASON.match(rest)
    if directive == "file-ignore" and line > FILE_IGNORE_MAX_LINE:
        warn(
            f"`# obolint: file-ignore` is honoured only in the first {FILE_IGNORE_MAX_LINE} "
            "lines of a file; move it up."
        )
        return
    selectors = []
    for item in items:
        codes = _resolve(item, rules, prefixes=directive == "file-ignore")
        if not codes:
            kinds = (
                "a code (OBO401), a prefix (OBO4)"
                if directive == "file-ignore"
                else "a code (OBO401)"
            )
            warn(
                f"suppression names {item!r}, which matches no rule; it is ignored. "
                f"Use {kinds} or a name (bearer-forwarding)."
            )
            continue
        selectors.append((item, codes))
    if not selectors:
        return
    reason = reason_match["reason"].strip() if reason_match else ""
    if not reason:
        written = ",".join(item for item, _ in selectors)
        written_as = (
            f"noqa: {written}" if directive == "noqa" else f"obolint: {directive}[{written}]"
        )
        warn(
            f"suppression of {written} gives no reason; add one after `--`, e.g. "
            f"`# {written_as} -- reviewed: why this is safe`.",
            "missing-reason",
        )
    if directive == "file-ignore":
        extent: tuple[int, int] | None = (1, 1 << 30)
    else:
        extent = statements.extent(line, own_line)
    first, last = extent if extent is not None else (line, line)
    out.suppressions.append(
        Suppression(path, line, directive, tuple(selectors), reason, first, last)
    )


def _resolve(item: str, rules: Sequence[RuleMeta], *, prefixes: bool) -> frozenset[str]:
    """Rule ids named by ``item``: an exact code or name (or a code prefix, if allowed)."""
    upper, lower = item.upper(), item.lower()
    return frozenset(
        rule.id
        for rule in rules
        if rule.id == upper or rule.name == lower or (prefixes and rule.id.startswith(upper))
    )


# --------------------------------------------------------------------------- applying


def apply_suppressions(
    findings: Iterable[Finding],
    paths: Iterable[str],
    rules: Sequence[RuleMeta],
    *,
    enabled: Iterable[str],
    report_unused: bool = False,
) -> SuppressionOutcome:
    """Split ``findings`` by the suppression comments in ``paths`` (the files scanned)."""
    enabled_rules = set(enabled)
    by_path: dict[str, FileSuppressions] = {}
    for path in sorted(set(paths)):
        text, _ = read_source(Path(path))
        if text is not None:
            by_path[path] = parse_suppressions(path, text, rules)
    kept: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    used: set[tuple[int, str]] = set()  # (id of suppression, selector)
    for finding in sorted(findings, key=Finding.sort_key):
        file = by_path.get(finding.location.path)
        silenced_by = None
        for suppression in file.suppressions if file else ():
            selector = suppression.covers(finding)
            if selector is None:
                continue
            used.add((id(suppression), selector))
            if silenced_by is None or silenced_by.directive == "file-ignore":
                silenced_by = suppression  # the nearest comment explains best
        if silenced_by is None:
            kept.append(finding)
        else:
            suppressed.append(
                SuppressedFinding(
                    finding, silenced_by.directive, silenced_by.line, silenced_by.reason
                )
            )
    notices = [notice for file in by_path.values() for notice in file.notices]
    if report_unused:
        notices += _unused(by_path.values(), used, enabled_rules)
    return SuppressionOutcome(kept, suppressed, sorted(notices, key=Notice.sort_key))


def _unused(
    files: Iterable[FileSuppressions], used: set[tuple[int, str]], enabled: set[str]
) -> list[Notice]:
    notices = []
    for file in files:
        for suppression in file.suppressions:
            for selector, codes in suppression.selectors:
                # A rule that did not run (--select, --ignore) cannot prove a comment unused.
                if (id(suppression), selector) in used or not codes & enabled:
                    continue
                where = "in this file" if suppression.directive == "file-ignore" else "here"
                notices.append(
                    Notice(
                        f"unused suppression: no {selector} finding {where}; remove "
                        f"{selector!r} from the comment.",
                        suppression.path,
                        suppression.line,
                    )
                )
    return notices


def drop_per_file_ignores(
    findings: Iterable[Finding], per_file: Sequence[tuple[str, set[str]]], root: Path
) -> list[Finding]:
    """``findings`` minus the rules ``per-file-ignores`` turns off for their files.

    Globs are matched like ``exclude``, relative to ``root`` (the config file's directory).
    """
    matchers = [(ExcludeMatcher([pattern], root), codes) for pattern, codes in per_file]
    ignored_by_path: dict[str, set[str]] = {}
    kept = []
    for finding in findings:
        path = finding.location.path
        if path not in ignored_by_path:
            absolute = os.path.abspath(path)
            ignored_by_path[path] = {
                code
                for matcher, codes in matchers
                if matcher.excludes_path(absolute, is_dir=False)
                for code in codes
            }
        if finding.rule not in ignored_by_path[path]:
            kept.append(finding)
    return kept
