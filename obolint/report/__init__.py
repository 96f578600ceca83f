"""Reports: pure functions from a scan result to text, one module per output format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from obolint.findings import ScanResult
from obolint.report.concise import render_concise
from obolint.report.github import render_github
from obolint.report.json import render_json
from obolint.report.sarif import render_sarif
from obolint.rulemeta import RuleMeta

FORMATS = ("text", "concise", "json", "sarif", "github")


def render(
    fmt: str,
    result: ScanResult,
    rules: Sequence[RuleMeta],
    *,
    sarif_root: Path,
    color: bool = False,
    sarif_category: str | None = None,
    version: str,
) -> str:
    """Render ``result`` as format ``fmt`` (one of ``FORMATS``); only ``text`` has colour."""
    if fmt == "text":
        # rich and pygments load only for people, not for CI formats.
        from obolint.report.text import render_text

        return render_text(result, color=color)
    if fmt == "concise":
        return render_concise(result)
    if fmt == "json":
        return render_json(result, version=version)
    if fmt == "sarif":
        return render_sarif(
            result, rules, sarif_root=sarif_root, version=version, category=sarif_category
        )
    if fmt == "github":
        return render_github(result)
    raise ValueError(f"Unknown output format {fmt!r}; choose one of: {', '.join(FORMATS)}.")
