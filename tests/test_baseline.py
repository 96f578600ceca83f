"""Baselines: accept today's findings, then fail only on new ones, in every output format."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from obolint.baseline import BaselineError, load_baseline
from obolint.cli import main

SECRET = "sk-live-4f9a8b7c6d5e4f3a2b1c"
LEGACY = textwrap.dedent(
    f"""\
    import requests
    from flask import Flask, request

    app = Flask(__name__)
    FALLBACK = "{SECRET}"

    @app.get("/mirror")
    def mirror():
        token = request.headers["Authorization"]
        requests.get("https://a.example.com", headers={{"Authorization": token}})
        requests.get("https://a.example.com", headers={{"Authorization": token}})
        return "ok"
    """
)
SINK = '    requests.get("https://a.example.com", headers={"Authorization": token})\n'


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(LEGACY)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_baseline() -> dict:
    result = run("baseline", "write", "-o", ".obolint-baseline.json")
    assert result.exit_code == 0, result.output
    return json.loads(Path(".obolint-baseline.json").read_text())


def edit(old: str, new: str) -> None:
    path = Path("app.py")
    path.write_text(path.read_text().replace(old, new, 1))


def new_findings(*extra: str) -> tuple[int, list[int]]:
    result = run("check", "--baseline", ".obolint-baseline.json", "--format", "json", *extra)
    doc = json.loads(result.output)
    return result.exit_code, [f["line"] for f in doc["findings"]]


def test_the_baseline_counts_fingerprints_and_stores_no_code(project):
    document = write_baseline()
    assert document["tool"] == "obolint" and document["format"] == 1
    (entry,) = document["findings"]
    assert set(entry) == {"rule", "path", "fingerprint", "count"}
    assert (entry["rule"], entry["path"], entry["count"]) == ("OBO401", "app.py", 2)
    text = Path(".obolint-baseline.json").read_text()
    for leaked in (SECRET, "Authorization", "requests", "token", "mirror"):
        assert leaked not in text


def test_a_baselined_project_passes_the_gate(project):
    write_baseline()
    assert run("check").exit_code == 1
    result = run("check", "--baseline", ".obolint-baseline.json")
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("No findings in 1 file; 2 in the baseline.")
    doc = json.loads(run("check", "--baseline", ".obolint-baseline.json", "-f", "json").output)
    assert doc["stats"]["baselined"] == 2 and doc["stats"]["findings"] == 0


def test_line_moves_and_unrelated_edits_keep_findings_accepted(project):
    write_baseline()
    edit("app = Flask(__name__)\n", "import os\n\n\napp = Flask(__name__)\nDEBUG = False\n")
    edit('    return "ok"\n', '    audit("mirror called")\n    return "ok"\n')
    assert new_findings() == (0, [])


def test_a_third_copy_of_a_twice_accepted_leak_is_new(project):
    write_baseline()
    edit('    return "ok"\n', SINK + '    return "ok"\n')
    # The first two in file order are the accepted ones; the third is reported.
    assert new_findings() == (1, [12])


def test_a_new_leak_elsewhere_is_reported(project):
    write_baseline()
    edit('    return "ok"\n', SINK.replace("requests.get", "requests.post") + '    return "ok"\n')
    assert new_findings() == (1, [12])


def test_a_stale_entry_is_reported(project):
    write_baseline()
    edit(SINK, "")  # one of the two copies is fixed
    result = run("check", "--baseline", ".obolint-baseline.json", "--format", "concise")
    assert result.exit_code == 0
    assert result.output == (
        ".obolint-baseline.json: warning: stale baseline entry: OBO401 in app.py was accepted "
        "twice but found once; the finding was fixed or changed. Rewrite the baseline with "
        "`obolint baseline write` to stop accepting it.\n"
    )


def test_entries_for_files_not_scanned_are_not_stale(project):
    write_baseline()
    Path("other.py").write_text("x = 1\n")
    result = run("check", "other.py", "--baseline", ".obolint-baseline.json", "-f", "concise")
    assert (result.exit_code, result.output.strip()) == (0, "")


def test_the_baseline_works_with_sarif(project):
    write_baseline()
    edit('    return "ok"\n', SINK + '    return "ok"\n')
    out = run("check", "--baseline", ".obolint-baseline.json", "-f", "sarif", "--sarif-root", ".")
    (result,) = json.loads(out.output)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    assert out.exit_code == 1


def test_paths_are_relative_to_the_baseline_file_not_the_working_directory(project, monkeypatch):
    write_baseline()
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    result = run("check", "..", "--baseline", "../.obolint-baseline.json")
    assert result.exit_code == 0, result.output


def test_suppressed_findings_stay_out_of_the_baseline(project):
    edit(SINK, SINK.rstrip("\n") + "  # obolint: ignore[OBO401] -- reviewed\n")
    (entry,) = write_baseline()["findings"]
    assert entry["count"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "baseline .obolint-baseline.json does not exist. Write one with"),
        ("{", "is not valid JSON (line 1, column 2"),
        ("[]", 'is not an obolint baseline: expected a JSON object with "tool": "obolint"'),
        ('{"tool": "obolint", "format": 9, "findings": []}', '"format" is 9'),
        (
            '{"tool": "obolint", "format": 1, "findings": [{"rule": "OBO401"}]}',
            "entry 1 needs a string fingerprint, rule and path and a positive count",
        ),
    ],
)
def test_a_missing_or_invalid_baseline_is_a_usage_error(project, content, message):
    if content is not None:
        Path(".obolint-baseline.json").write_text(content)
    result = run("check", "--baseline", ".obolint-baseline.json")
    assert result.exit_code == 2
    assert result.output.startswith("obolint: error: baseline .obolint-baseline.json ")
    assert message in result.output
    with pytest.raises(BaselineError):
        load_baseline(Path(".obolint-baseline.json"))


def test_baseline_write_reports_files_it_could_not_analyse(project):
    Path("broken.py").write_text("def f(token:\n")
    result = run("baseline", "write")
    assert result.exit_code == 1
    assert "broken.py: error: syntax error" in result.output
    assert "could not be analysed, so the baseline does not cover them" in result.output
    assert json.loads(Path(".obolint-baseline.json").read_text())["findings"]
