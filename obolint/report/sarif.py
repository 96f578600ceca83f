"""The ``sarif`` format: SARIF 2.1.0 shaped for GitHub code scanning, with exactly one run."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from obolint.findings import FileError, Finding, Location, Notice, ScanResult, TraceStep
from obolint.report.linehash import line_hashes
from obolint.report.sources import read_source
from obolint.rulemeta import RuleMeta

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/obolint/obolint"
SRCROOT = "%SRCROOT%"
# GitHub code scanning rejects a run with more results, and keeps only the first 1,000
# thread-flow locations of a result.
MAX_RESULTS = 25_000
MAX_THREAD_FLOW_LOCATIONS = 1_000
MAX_TAGS = 10
MAX_DESCRIPTION = 1024
SOURCE_LINK_TEXT_MAX = 60

_LEVELS = {"error": "error", "warning": "warning", "note": "note"}
_SEVERITY_RANK = {"error": 0, "warning": 1, "note": 2}


class _ArtifactUris:
    """Turns finding paths (relative to the CWD) into stable SARIF artifact locations."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._cache: dict[str, dict[str, str]] = {}

    def root_uri(self) -> str:
        """The root as a ``file://`` URI ending with ``/``, for ``originalUriBaseIds``."""
        uri = self.root.as_uri()
        return uri if uri.endswith("/") else uri + "/"

    def artifact(self, path: str) -> dict[str, str]:
        """``{"uri", "uriBaseId"}`` relative to the root, or an absolute ``file://`` URI."""
        if path not in self._cache:
            # realpath() follows symlinks (GitHub does not display symlinked paths) and, unlike
            # Path.resolve() before Python 3.13, does not raise on a symlink loop.
            resolved = Path(os.path.realpath(path))
            try:
                relative = resolved.relative_to(self.root)
            except ValueError:
                self._cache[path] = {"uri": resolved.as_uri()}
            else:
                uri = quote(relative.as_posix(), safe="/")
                self._cache[path] = {"uri": uri, "uriBaseId": SRCROOT}
        return dict(self._cache[path])


class _LineHashes:
    """``primaryLocationLineHash`` per file line, read from disk once per file."""

    def __init__(self) -> None:
        self._hashes: dict[str, list[str] | None] = {}

    def get(self, path: str, line: int) -> str | None:
        """The hash of ``line`` (1-based) of ``path``, or None when the file is unreadable."""
        if path not in self._hashes:
            text = read_source(path)
            self._hashes[path] = None if text is None else line_hashes(text)
        hashes = self._hashes[path]
        if hashes is None or not 1 <= line <= len(hashes):
            return None
        return hashes[line - 1]


def _plain_text(markdown: str, limit: int = MAX_DESCRIPTION) -> str:
    """Markdown reduced to one plain line of at most ``limit`` characters."""
    text = re.sub(r"^```.*$", "", markdown, flags=re.MULTILINE)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # [title](url) -> title
    text = re.sub(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+)", "", text, flags=re.MULTILINE)
    text = text.replace("`", "").replace("**", "")
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _tags(rule: RuleMeta) -> list[str]:
    """``security``, the CWE tag, then the OWASP ids; unique, at most ``MAX_TAGS``."""
    tags: list[str] = []
    for tag in ("security", f"external/cwe/cwe-{rule.cwe}", *rule.owasp):
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def _rule_descriptor(rule: RuleMeta) -> dict[str, Any]:
    """One ``reportingDescriptor``: identity, descriptions, help page and GitHub properties."""
    short = _plain_text(rule.summary) or rule.name or rule.id
    return {
        "id": rule.id,
        "name": rule.name[:255],
        "shortDescription": {"text": short},
        "fullDescription": {"text": _plain_text(rule.what) or short},
        "help": {"text": rule.page_text(), "markdown": rule.page_markdown()},
        "defaultConfiguration": {"level": _LEVELS.get(rule.severity, "warning")},
        "properties": {
            "tags": _tags(rule),
            "precision": rule.precision,
            "security-severity": str(rule.security_severity),
        },
    }


def _region(loc: Location) -> dict[str, int]:
    """A SARIF region (1-based, end column exclusive), clamped to what the schema accepts."""
    start_line = max(loc.line, 1)
    start_column = max(loc.column, 1)
    end_line = max(loc.end_line, start_line)
    end_column = max(loc.end_column, 1)
    if end_line == start_line:
        end_column = max(end_column, start_column)
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
    }


def _escape_link_text(text: str) -> str:
    """Escape literal brackets, as SARIF requires in messages that embed links."""
    return text.replace("[", "\\[").replace("]", "\\]")


def _source_link_text(finding: Finding) -> str:
    """A few words naming the source, for ``Source: [..](1)``."""
    text = " ".join(finding.trace[0].note.split()).rstrip(".") or finding.source_kind or "source"
    if len(text) > SOURCE_LINK_TEXT_MAX:
        text = text.split(" (")[0]  # "secret read from the environment (`os.getenv(...)`)"
    if len(text) > SOURCE_LINK_TEXT_MAX:
        text = text[: SOURCE_LINK_TEXT_MAX - 1].rstrip() + "…"
    return text


def _message(finding: Finding) -> str:
    """The finding message; with a trace, a trailing link to the source (relatedLocations 1).

    The link goes last so the first sentence, which GitHub shows when space is short,
    stays exactly the self-contained message.
    """
    text = finding.message.strip() or finding.name or finding.rule
    if len(finding.trace) < 2:
        return text
    text = _escape_link_text(text)
    if not text.endswith((".", "!", "?")):
        text += "."
    return f"{text} Source: [{_escape_link_text(_source_link_text(finding))}](1)."


def _notification(level: str, text: str, path: str | None, uris: _ArtifactUris) -> dict[str, Any]:
    """A ``toolExecutionNotification``, located at ``path`` when given."""
    notification: dict[str, Any] = {"level": level, "message": {"text": text}}
    if path is not None:
        artifact = uris.artifact(path)
        notification["locations"] = [{"physicalLocation": {"artifactLocation": artifact}}]
    return notification


class _SarifBuilder:
    """Builds the single run of a SARIF log; holds the per-report caches."""

    def __init__(self, rules: Sequence[RuleMeta], sarif_root: Path) -> None:
        self.rules = sorted(rules, key=lambda rule: rule.id)
        self.rule_index = {rule.id: index for index, rule in enumerate(self.rules)}
        self.uris = _ArtifactUris(sarif_root)
        self.hashes = _LineHashes()
        self.notifications: list[dict[str, Any]] = []

    def physical(self, loc: Location) -> dict[str, Any]:
        """A ``physicalLocation`` for ``loc``."""
        return {"artifactLocation": self.uris.artifact(loc.path), "region": _region(loc)}

    def step_location(self, step: TraceStep) -> dict[str, Any]:
        """A ``location`` for one trace step, its note as the message."""
        location: dict[str, Any] = {"physicalLocation": self.physical(step.location)}
        if step.note:
            location["message"] = {"text": step.note}
        return location

    def capped_trace(self, finding: Finding) -> tuple[TraceStep, ...]:
        """The trace, cut to GitHub's thread-flow limit (keeping the source and the sink)."""
        trace = finding.trace
        if len(trace) <= MAX_THREAD_FLOW_LOCATIONS:
            return trace
        loc = finding.location
        self.notifications.append(
            _notification(
                "warning",
                f"The trace of {finding.rule} at {loc.path}:{loc.line}:{loc.column} has "
                f"{len(trace)} steps; the SARIF file keeps the first "
                f"{MAX_THREAD_FLOW_LOCATIONS - 1} and the sink, as GitHub code scanning shows "
                f"at most {MAX_THREAD_FLOW_LOCATIONS:,}. Use --output-format json for all steps.",
                loc.path,
                self.uris,
            )
        )
        return trace[: MAX_THREAD_FLOW_LOCATIONS - 1] + trace[-1:]

    def result(self, finding: Finding) -> dict[str, Any]:
        """One SARIF ``result`` with locations, the trace as a code flow and fingerprints."""
        out: dict[str, Any] = {"ruleId": finding.rule}
        if finding.rule in self.rule_index:
            out["ruleIndex"] = self.rule_index[finding.rule]
        out["level"] = _LEVELS.get(finding.severity, "warning")
        out["message"] = {"text": _message(finding)}
        out["locations"] = [{"physicalLocation": self.physical(finding.location)}]
        steps = self.capped_trace(finding)
        if steps:
            out["relatedLocations"] = [
                {"id": number, **self.step_location(step)}
                for number, step in enumerate(steps, start=1)
            ]
            thread_flow = {"locations": [{"location": self.step_location(s)} for s in steps]}
            out["codeFlows"] = [{"threadFlows": [thread_flow]}]
        fingerprints: dict[str, str] = {}
        line_hash = self.hashes.get(finding.location.path, _region(finding.location)["startLine"])
        if line_hash is not None:
            fingerprints["primaryLocationLineHash"] = line_hash
        fingerprints["obolint/v1"] = finding.fingerprint
        out["partialFingerprints"] = fingerprints
        return out

    def capped_findings(self, findings: list[Finding]) -> list[Finding]:
        """Findings in report order, cut to GitHub's per-run limit (most severe kept)."""
        ordered = sorted(findings, key=lambda f: f.sort_key())
        if len(ordered) <= MAX_RESULTS:
            return ordered
        kept = sorted(ordered, key=lambda f: (_SEVERITY_RANK.get(f.severity, 3), f.sort_key()))
        kept = sorted(kept[:MAX_RESULTS], key=lambda f: f.sort_key())
        self.notifications.append(
            _notification(
                "warning",
                f"obolint found {len(ordered):,} findings but a SARIF run for GitHub code "
                f"scanning may hold at most {MAX_RESULTS:,}; the {len(ordered) - MAX_RESULTS:,} "
                "least severe were left out. Use --output-format json to see them all.",
                None,
                self.uris,
            )
        )
        return kept

    def error_notification(self, error: FileError) -> dict[str, Any]:
        """A file that could not be analysed, as a tool execution notification."""
        level = "error" if error.kind == "internal" else "warning"
        return _notification(level, error.message, error.path, self.uris)

    def notice_notification(self, notice: Notice) -> dict[str, Any]:
        """A notice (a suppression without a reason, a stale baseline entry) as a warning."""
        notification = _notification("warning", notice.message, notice.path or None, self.uris)
        if notice.path and notice.line:
            location = notification["locations"][0]["physicalLocation"]
            location["region"] = {"startLine": notice.line}
        return notification


def render_sarif(
    result: ScanResult,
    rules: Sequence[RuleMeta],
    *,
    sarif_root: Path,
    version: str,
    category: str | None = None,
) -> str:
    """A SARIF 2.1.0 log with one run: every rule, every finding, file errors and notices as
    notifications. Suppressed findings are never results."""
    builder = _SarifBuilder(rules, Path(sarif_root))
    errors = sorted(result.errors, key=lambda e: (e.path, e.message))
    notifications = [builder.error_notification(error) for error in errors]
    notifications += [
        builder.notice_notification(n) for n in sorted(result.notices, key=Notice.sort_key)
    ]
    results = [builder.result(f) for f in builder.capped_findings(result.findings)]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "obolint",
                "semanticVersion": version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_descriptor(rule) for rule in builder.rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not any(e.kind == "internal" for e in errors),
                "toolExecutionNotifications": notifications + builder.notifications,
            }
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": builder.uris.root_uri()}},
    }
    if category and category.strip("/"):
        # GitHub reads "category/run-id"; the trailing slash makes it all category.
        run["automationDetails"] = {"id": category.rstrip("/") + "/"}
    run["columnKind"] = "unicodeCodePoints"
    run["results"] = results
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2) + "\n"
