"""The ``github`` format: GitHub Actions workflow commands that become annotations."""

from __future__ import annotations

from obolint.findings import Notice, ScanResult

_LEVELS = {"error": "error", "warning": "warning", "note": "notice", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a command's message the way @actions/core does (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a command property value: as data, plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, properties: list[tuple[str, str | int]], message: str) -> str:
    """One ``::level key=value,...::message`` line."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{level} {props}::{escape_data(message)}"


def render_github(result: ScanResult) -> str:
    """One annotation per finding, per unreadable file and per notice (warnings)."""
    lines: list[str] = []
    for finding in sorted(result.findings, key=lambda f: f.sort_key()):
        loc = finding.location
        properties: list[tuple[str, str | int]] = [
            ("file", loc.path),
            ("line", loc.line),
            ("endLine", loc.end_line),
        ]
        # GitHub rejects column ranges on multi-line annotations.
        if loc.line == loc.end_line:
            properties += [("col", loc.column), ("endColumn", loc.end_column)]
        properties.append(("title", f"obolint ({finding.rule})"))
        level = _LEVELS.get(finding.severity, "warning")
        lines.append(_command(level, properties, finding.message))
    for error in sorted(result.errors, key=lambda e: (e.path, e.message)):
        lines.append(_command("error", [("file", error.path), ("title", "obolint")], error.message))
    for notice in sorted(result.notices, key=Notice.sort_key):
        where: list[tuple[str, str | int]] = [("file", notice.path)] if notice.path else []
        if notice.path and notice.line:
            where.append(("line", notice.line))
        lines.append(_command("warning", [*where, ("title", "obolint")], notice.message))
    return "".join(line + "\n" for line in lines)
