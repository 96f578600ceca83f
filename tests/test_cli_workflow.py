"""Team settings from `[tool.obolint]` as a user meets them: per-file ignores, severities and
which severities fail the run."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from obolint.cli import main

LOGS = textwrap.dedent(
    """\
    import logging

    from flask import Flask, request

    app = Flask(__name__)
    logger = logging.getLogger(__name__)

    @app.get("/debug")
    def debug():
        auth = request.headers.get("Authorization")
        logger.info("incoming auth header: %s", auth)
        return {"ok": True}
    """
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """src/app.py and tests/test_app.py, both logging the inbound token (OBO501, a warning)."""
    for path in ("src/app.py", "tests/test_app.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(LOGS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def configure(text: str) -> None:
    Path("pyproject.toml").write_text("[tool.obolint]\n" + textwrap.dedent(text))


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def findings(*args: str) -> list[tuple[str, str, str]]:
    doc = json.loads(run("check", "--format", "json", *args).output)
    return [(f["path"], f["rule"], f["severity"]) for f in doc["findings"]]


def test_per_file_ignores_turn_rules_off_below_a_glob(project):
    assert findings() == [
        ("src/app.py", "OBO501", "warning"),
        ("tests/test_app.py", "OBO501", "warning"),
    ]
    configure('per-file-ignores = {"tests/**" = ["OBO5"]}\n')
    assert findings() == [("src/app.py", "OBO501", "warning")]
    # Relative to the config file, whichever directory obolint runs from.
    assert findings("src") == [("src/app.py", "OBO501", "warning")]


def test_per_file_ignores_accept_names_and_plain_file_globs(project):
    configure('per-file-ignores = {"test_*.py" = ["credential-logged"]}\n')
    assert findings() == [("src/app.py", "OBO501", "warning")]


def test_severity_overrides_reach_findings_and_sarif_rules(project):
    configure('severity = {OBO501 = "error"}\n')
    assert {severity for _, _, severity in findings()} == {"error"}
    doc = json.loads(run("check", "-f", "sarif", "--sarif-root", ".").output)
    sarif_run = doc["runs"][0]
    rule = next(r for r in sarif_run["tool"]["driver"]["rules"] if r["id"] == "OBO501")
    assert rule["defaultConfiguration"]["level"] == "error"
    assert {r["level"] for r in sarif_run["results"]} == {"error"}


def test_fail_on_error_lets_warnings_through(project):
    assert run("check").exit_code == 1  # default: any finding fails
    configure('fail-on = "error"\n')
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "Found 2 findings (2 warnings)" in result.output  # still reported
    assert run("check", "--fail-on", "warning").exit_code == 1  # the flag wins
    configure('fail-on = "error"\nseverity = {credential-logged = "error"}\n')
    assert run("check").exit_code == 1


def test_files_that_cannot_be_analysed_fail_whatever_fail_on_says(project):
    configure('fail-on = "error"\n')
    Path("src/broken.py").write_text("def f(token:\n")
    assert run("check").exit_code == 1


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('severity = {OBO999 = "error"}', "severity names 'OBO999', which matches no rule"),
        ('per-file-ignores = {"t/**" = ["nope"]}', "names 'nope', which matches no rule"),
        ('fail-on = "info"', 'fail-on is "info"; write "warning" or "error"'),
    ],
)
def test_bad_settings_exit_2_naming_the_file(project, setting, message):
    configure(setting + "\n")
    result = run("check")
    assert result.exit_code == 2
    assert result.output.startswith("obolint: error: pyproject.toml: [tool.obolint] ")
    assert message in result.output
