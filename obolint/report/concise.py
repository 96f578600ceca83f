"""The ``concise`` format: one line per finding, one per file that could not be analysed."""

from __future__ import annotations

from obolint.findings import ScanResult


def render_concise(result: ScanResult) -> str:
    """``path:line:col: RULE message`` per finding, then ``path: error: message`` per error."""
    lines = [
        f"{f.location.path}:{f.location.line}:{f.location.column}: {f.rule} {_one_line(f.message)}"
        for f in sorted(result.findings, key=lambda f: f.sort_key())
    ]
    lines += [
        f"{e.path}: error: {_one_line(e.message)}"
        for e in sorted(result.errors, key=lambda e: (e.path, e.message))
    ]
    return "".join(line + "\n" for line in lines)


def _one_line(text: str) -> str:
    """Fold line breaks so every record stays on one line (grep- and editor-friendly)."""
    return " ".join(text.split()) if ("\n" in text or "\r" in text) else text
