"""Run `obolint check --format json` in this process (importable: tests/ is on sys.path)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from obolint.cli import main


def run(*args: str) -> dict:
    """The JSON report of `obolint check --format json ARGS`, with what went to stderr."""
    result = CliRunner().invoke(main, ["check", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    report["stderr"] = result.stderr
    return report
