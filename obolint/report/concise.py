"""The ``concise`` format: one line per finding, one per file that could not be analysed."""

from __future__ import annotations

from obolint.findings import Notice, ScanResult


def render_concise(result: ScanResult) -> str:
    """``path:line:col: RULE message`` per finding, ``path: error: message`` per error, then
    ``path:line: warning: message`` per notice."""
    lines = [
        f"{f.location.path}:{f.location.line}:{f.location.column}: {f.rule} {_one_line(f.message)}"
        for f in sorted(result.findings, key=lambda f: f.sort_key())
    ]
    lines += [
        f"{e.path}: error: {_one_line(e.message)}"
        for e in sorted(result.errors, key=lambda e: (e.path, e.message))
    ]
    lines += [notice_line(n) for n in sorted(result.notices, key=Notice.sort_key)]
    return "".join(line + "\n" for line in lines)


def _one_line(text: str) -> str:
    """Fold line breaks so every record stays on one line (grep- and editor-friendly)."""
    return " ".join(text.split()) if ("\n" in text or "\r" in text) else text


def notice_line(notice: Notice) -> str:
    """``path:line: warning: message`` on one line (``warning: message`` without a path)."""
    where = notice.path + (f":{notice.line}" if notice.line else "")
    return f"{where + ': ' if where else ''}warning: {_one_line(notice.message)}"
