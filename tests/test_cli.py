"""The command line as users run it: exit codes, formats, selection, config and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from samples import CLEAN
from samples import FORWARDED_BEARER as LEAKY

from obolint import __version__
from obolint.cli import main


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A throwaway project with one leaky and one clean file; the CWD is its root."""
    (tmp_path / "app.py").write_text(LEAKY)
    (tmp_path / "util.py").write_text(CLEAN)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_findings_exit_1_and_clean_exit_0(project):
    leaky = run("check", "app.py", "--format", "concise")
    assert leaky.exit_code == 1
    assert leaky.output.startswith("app.py:9:")
    assert "OBO401" in leaky.output
    clean = run("check", "util.py")
    assert clean.exit_code == 0, clean.output
    assert "No findings" in clean.output


def test_exit_zero_turns_findings_into_success(project):
    assert run("check", "--exit-zero").exit_code == 0


def test_default_path_is_current_directory(project):
    result = run("check", "--format", "concise")
    assert result.exit_code == 1
    assert "app.py:9" in result.output


def test_json_report_shape(project):
    result = run("check", "--format", "json")
    doc = json.loads(result.output)
    assert set(doc) == {"version", "findings", "errors", "notices", "stats"}
    assert doc["version"] == __version__
    (finding,) = doc["findings"]
    assert set(finding) == {
        "rule",
        "name",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "trace",
        "fingerprint",
    }
    assert finding["rule"] == "OBO401"
    assert finding["name"] == "bearer-forwarding"
    assert finding["trace"][0]["line"] == 8
    assert finding["trace"][-1]["line"] == 9


def test_sarif_report_is_one_run_with_all_rules(project):
    result = run("check", "--format", "sarif", "--sarif-root", str(project))
    doc = json.loads(result.output)
    assert doc["version"] == "2.1.0"
    (sarif_run,) = doc["runs"]
    assert len(sarif_run["tool"]["driver"]["rules"]) == 12
    (res,) = sarif_run["results"]
    assert res["ruleId"] == "OBO401"
    loc = res["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 9


def test_output_file(project):
    result = run("check", "--format", "json", "-o", "report.json")
    assert result.exit_code == 1
    assert json.loads((project / "report.json").read_text())["findings"]


@pytest.mark.parametrize("selector", ["OBO401", "OBO4", "bearer-forwarding", "obo4"])
def test_select_by_code_prefix_or_name(project, selector):
    assert run("check", "--select", selector).exit_code == 1


@pytest.mark.parametrize("selector", ["OBO401", "OBO4", "bearer-forwarding", "OBO1,OBO4"])
def test_ignore_by_code_prefix_or_name(project, selector):
    assert run("check", "--ignore", selector).exit_code == 0


def test_unknown_selector_is_a_usage_error(project):
    result = run("check", "--select", "OBO999")
    assert result.exit_code == 2
    assert "matches no rule" in result.output


def test_config_select_and_bad_key(project):
    (project / "pyproject.toml").write_text('[tool.obolint]\nignore = ["OBO401"]\n')
    assert run("check").exit_code == 0
    (project / "pyproject.toml").write_text('[tool.obolint]\nselct = ["OBO401"]\n')
    result = run("check")
    assert result.exit_code == 2
    assert "selct" in result.output and "pyproject.toml" in result.output


def test_broken_file_is_reported_and_others_still_scanned(project):
    (project / "broken.py").write_text("def f(token:\n")
    (project / "latin1.py").write_bytes(b"x = '\xe9'\n")
    result = run("check", "--format", "json")
    doc = json.loads(result.output)
    assert {e["path"] for e in doc["errors"]} == {"broken.py", "latin1.py"}
    assert [f["rule"] for f in doc["findings"]] == ["OBO401"]
    assert result.exit_code == 1


def test_text_output_has_no_colour_when_not_a_tty(project):
    result = run("check")
    assert "\x1b[" not in result.output
    assert "OBO401" in result.output and "bearer-forwarding" in result.output


def test_rules_lists_all_twelve():
    result = run("rules")
    lines = result.output.strip().splitlines()
    assert len(lines) == 12
    assert lines[0].startswith("OBO101  credential-in-prompt")


def test_explain_prints_the_rule_page():
    result = run("explain", "OBO401")
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "References"):
        assert f"## {heading}" in result.output
    assert run("explain", "bearer-forwarding").output == result.output


def test_explain_unknown_rule_exits_2():
    result = run("explain", "OBO999")
    assert result.exit_code == 2
    assert "obolint rules" in result.output


def test_version():
    assert __version__ in run("--version").output


def test_real_subprocess_of_installed_script(project):
    env = {**os.environ, "NO_COLOR": "1"}
    script = Path(sys.executable).with_name("obolint")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "obolint"]

    def completed(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)

    proc = completed(*command, "check", "--format", "concise", "app.py")
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("app.py:9:")
    module = completed(sys.executable, "-m", "obolint", "check", "util.py")
    assert module.returncode == 0, module.stderr
    usage = completed(sys.executable, "-m", "obolint", "check", "--select", "NOPE999", ".")
    assert usage.returncode == 2
    assert "NOPE999" in usage.stderr


def test_statistics_prints_counts_per_rule_only(project):
    (project / "more.py").write_text(
        "import os\nprint(os.environ['GH_TOKEN'])\nprint(os.getenv('API_KEY'))\n"
    )
    result = run("check", "--statistics")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "    2  OBO501  credential-logged  [warning]",
        "    1  OBO401  bearer-forwarding  [error]",
        "    3  total",
    ]
