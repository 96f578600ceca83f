"""The analysis result model: findings, trace steps, file diagnostics and scan results."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    """A source range; lines and columns are 1-based, end_column is exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class TraceStep:
    """One step of the path a credential took, from its source to the sink."""

    location: Location
    note: str


@dataclass(frozen=True)
class Finding:
    """A credential flow that breaks one rule, located at its sink."""

    rule: str
    name: str
    severity: str  # "error" | "warning"
    location: Location
    message: str
    trace: tuple[TraceStep, ...]
    # Enclosing function (dotted, "<module>" at top level) and the sink's source text with
    # whitespace folded: the parts of a fingerprint that survive line moves.
    scope: str = "<module>"
    sink_text: str = ""
    source_kind: str = ""

    @property
    def fingerprint(self) -> str:
        """A stable id for this finding that survives unrelated edits and line moves."""
        key = "\x1f".join(
            (self.rule, self.location.path, self.scope, self.sink_text, self.source_kind)
        )
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    def sort_key(self) -> tuple:
        """Deterministic report order: path, line, column, rule."""
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule, self.message)


@dataclass(frozen=True)
class FileError:
    """A file that could not be analysed, with a sentence saying why and what to do."""

    path: str
    message: str
    kind: str = "error"  # e.g. "syntax", "encoding", "too-large", "internal"


@dataclass(frozen=True)
class Notice:
    """A warning about the run rather than the code (a suppression without a reason, a stale
    baseline entry); shown in every report, never changes the exit code."""

    message: str
    path: str = ""  # "" when the notice is about the run as a whole
    line: int = 0  # 0 when it is about the whole file
    kind: str = ""  # e.g. "missing-reason", "unused", "stale"

    def sort_key(self) -> tuple:
        """Deterministic report order: path, line, message."""
        return (self.path, self.line, self.message)


@dataclass(frozen=True)
class SuppressedFinding:
    """A finding silenced by a comment in the code, and the comment that silenced it."""

    finding: Finding
    directive: str  # "ignore", "file-ignore" or "noqa"
    line: int  # the line of the comment
    reason: str  # "" when the comment gives none


@dataclass
class ScanResult:
    """Everything a report needs: findings, per-file errors and counters."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)
    stats: dict[str, int | float] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)
    # Findings silenced by comments; None unless the report should show them (--show-suppressed).
    suppressed: list[SuppressedFinding] | None = None
    # The scanned files whose text may hold suppression comments (display paths), found while
    # the scan had the texts; None if unknown (then every file is read for them). Not cached.
    commented: list[str] | None = None
