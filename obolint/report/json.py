"""The ``json`` format: every finding with its trace, file errors and counters."""

from __future__ import annotations

import json
from typing import Any

from obolint.findings import Finding, Notice, ScanResult


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the JSON report's object, keys in documented order."""
    loc = finding.location
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "path": loc.path,
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
        "message": finding.message,
        "trace": [
            {
                "path": step.location.path,
                "line": step.location.line,
                "column": step.location.column,
                "note": step.note,
            }
            for step in finding.trace
        ],
        "fingerprint": finding.fingerprint,
    }


def render_json(result: ScanResult, *, version: str) -> str:
    """The whole result as deterministic, indented JSON with a trailing newline."""
    document = {
        "version": version,
        "findings": [
            finding_to_dict(f) for f in sorted(result.findings, key=lambda f: f.sort_key())
        ],
        "errors": [
            {"path": e.path, "message": e.message}
            for e in sorted(result.errors, key=lambda e: (e.path, e.message))
        ],
        "notices": [
            {"path": n.path, "line": n.line, "message": n.message}
            for n in sorted(result.notices, key=Notice.sort_key)
        ],
        "stats": {key: result.stats[key] for key in sorted(result.stats)},
    }
    if result.suppressed is not None:
        document["suppressed"] = [
            {
                **finding_to_dict(item.finding),
                "suppression": {
                    "directive": item.directive,
                    "line": item.line,
                    "reason": item.reason,
                },
            }
            for item in sorted(result.suppressed, key=lambda s: s.finding.sort_key())
        ]
    return json.dumps(document, indent=2) + "\n"
