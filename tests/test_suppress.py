"""Inline suppressions: which comment silences which finding, and what deserves a warning."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from clirun import run as json_report

from obolint import suppress
from obolint.cli import main
from obolint.findings import Finding, Location
from obolint.packs import load_packs
from obolint.suppress import apply_suppressions

RULES = load_packs().rules
ALL = [rule.id for rule in RULES]
NAMES = {rule.id: rule.name for rule in RULES}


def finding(rule: str, line: int, path: str = "app.py") -> Finding:
    return Finding(
        rule=rule,
        name=NAMES[rule],
        severity="error",
        location=Location(path, line, 5, line, 10),
        message="a leak",
        trace=(),
    )


def verdict(
    source: str,
    findings: list[tuple[str, int]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    enabled: list[str] | None = None,
    report_unused: bool = False,
):
    """Write ``source`` as app.py and split ``findings`` (rule, line) by its comments."""
    monkeypatch.chdir(tmp_path)
    Path("app.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return apply_suppressions(
        [finding(rule, line) for rule, line in findings],
        ["app.py"],
        RULES,
        enabled=ALL if enabled is None else enabled,
        report_unused=report_unused,
    )


def kept_lines(outcome) -> list[int]:
    return [f.location.line for f in outcome.kept]


def messages(outcome) -> list[tuple[int, str]]:
    return [(notice.line, notice.message) for notice in outcome.notices]


# --- statement extents ------------------------------------------------------------------


def test_a_trailing_comment_covers_every_line_of_a_multi_line_call(tmp_path, monkeypatch):
    source = """\
        requests.get(
            url,
            headers={"Authorization": token},
        )  # obolint: ignore[OBO401] -- reviewed: the gateway strips it
        requests.get(url, headers={"Authorization": token})
    """
    outcome = verdict(source, [("OBO401", 3), ("OBO401", 5)], tmp_path, monkeypatch)
    assert kept_lines(outcome) == [5]
    (silenced,) = outcome.suppressed
    assert (silenced.finding.location.line, silenced.line) == (3, 4)
    assert silenced.reason == "reviewed: the gateway strips it"
    assert outcome.notices == []


def test_a_comment_on_a_middle_line_covers_the_whole_statement(tmp_path, monkeypatch):
    source = """\
        client = httpx.Client(
            base_url=url,  # obolint: ignore[OBO401] -- a test double
            headers={"Authorization": token},
        )
    """
    assert kept_lines(verdict(source, [("OBO401", 3)], tmp_path, monkeypatch)) == []


def test_a_comment_on_its_own_line_covers_the_next_statement_only(tmp_path, monkeypatch):
    source = """\
        # obolint: ignore[OBO401] -- reviewed
        requests.get(
            url, headers={"Authorization": token}
        )
        requests.get(url, headers={"Authorization": token})
    """
    outcome = verdict(source, [("OBO401", 3), ("OBO401", 5)], tmp_path, monkeypatch)
    assert kept_lines(outcome) == [5]


def test_an_own_line_comment_inside_a_call_belongs_to_that_call(tmp_path, monkeypatch):
    source = """\
        requests.get(
            url,
            # obolint: ignore[OBO401] -- reviewed
            headers={"Authorization": token},
        )
        requests.get(url, headers={"Authorization": token})
    """
    outcome = verdict(source, [("OBO401", 4), ("OBO401", 6)], tmp_path, monkeypatch)
    assert kept_lines(outcome) == [6]


def test_a_comment_inside_a_string_is_not_a_suppression(tmp_path, monkeypatch):
    source = '''\
        prompt = f"""
        # obolint: ignore[OBO101] -- this is text, not a comment
        {token}
        """
    '''
    assert kept_lines(verdict(source, [("OBO101", 1)], tmp_path, monkeypatch)) == [1]


def test_a_comment_above_a_decorated_tool_covers_its_decorators_and_signature(
    tmp_path, monkeypatch
):
    source = """\
        # obolint: ignore[OBO201] -- the model never sees this tool
        @tool
        def fetch(
            api_key: str,
        ) -> str:
            return call(api_key)
    """
    outcome = verdict(source, [("OBO201", 4), ("OBO201", 6)], tmp_path, monkeypatch)
    assert kept_lines(outcome) == [6]  # the body is not the header


def test_a_header_comment_covers_the_header_not_the_body(tmp_path, monkeypatch):
    source = """\
        if send(
            token,
        ):  # obolint: ignore[OBO401] -- reviewed
            send(token)
    """
    outcome = verdict(source, [("OBO401", 2), ("OBO401", 4)], tmp_path, monkeypatch)
    assert kept_lines(outcome) == [4]


def test_a_one_line_compound_statement_is_one_statement(tmp_path, monkeypatch):
    source = """\
        if token: send(token)  # obolint: ignore[OBO401] -- reviewed
        send(token)
    """
    outcome = verdict(source, [("OBO401", 1), ("OBO401", 2)], tmp_path, monkeypatch)
    assert kept_lines(outcome) == [2]


# --- what a comment names ---------------------------------------------------------------


def test_only_the_named_rules_are_silenced(tmp_path, monkeypatch):
    source = """\
        log_and_send(token)  # obolint: ignore[OBO401, credential-logged] -- reviewed
    """
    outcome = verdict(source, [("OBO401", 1), ("OBO501", 1), ("OBO101", 1)], tmp_path, monkeypatch)
    assert [f.rule for f in outcome.kept] == ["OBO101"]
    assert sorted(s.finding.rule for s in outcome.suppressed) == ["OBO401", "OBO501"]


@pytest.mark.parametrize("comment", ["# obolint: ignore", "# obolint: ignore[] -- why"])
def test_a_bare_ignore_is_refused_with_a_warning(tmp_path, monkeypatch, comment):
    outcome = verdict(f"send(token)  {comment}\n", [("OBO401", 1)], tmp_path, monkeypatch)
    assert kept_lines(outcome) == [1]
    ((line, message),) = messages(outcome)
    assert line == 1
    assert "without rule codes is not honoured" in message
    assert "# obolint: ignore[OBO401] -- " in message


def test_a_suppression_without_a_reason_works_but_is_warned_about(tmp_path, monkeypatch):
    outcome = verdict(
        "send(token)  # obolint: ignore[OBO401]\n", [("OBO401", 1)], tmp_path, monkeypatch
    )
    assert kept_lines(outcome) == []
    ((line, message),) = messages(outcome)
    assert line == 1 and "gives no reason; add one after `--`" in message


def test_an_unknown_rule_is_warned_about_and_silences_nothing(tmp_path, monkeypatch):
    outcome = verdict(
        "send(token)  # obolint: ignore[OBO999] -- why\n", [("OBO401", 1)], tmp_path, monkeypatch
    )
    assert kept_lines(outcome) == [1]
    assert "'OBO999', which matches no rule" in messages(outcome)[0][1]


def test_a_misspelt_directive_is_warned_about(tmp_path, monkeypatch):
    outcome = verdict(
        "send(token)  # obolint: ingore[OBO401] -- why\n", [("OBO401", 1)], tmp_path, monkeypatch
    )
    assert kept_lines(outcome) == [1]
    assert "unknown directive `# obolint: ingore`" in messages(outcome)[0][1]


def test_file_ignore_near_the_top_silences_a_rule_family_in_the_file(tmp_path, monkeypatch):
    source = """\
        # obolint: file-ignore[OBO3] -- test views echo fake tokens on purpose
        def view():
            return jsonify(token=token)
    """
    outcome = verdict(source, [("OBO301", 3), ("OBO401", 3)], tmp_path, monkeypatch)
    assert [f.rule for f in outcome.kept] == ["OBO401"]
    assert outcome.suppressed[0].directive == "file-ignore"


def test_file_ignore_below_line_20_is_not_honoured(tmp_path, monkeypatch):
    source = "\n" * 20 + "# obolint: file-ignore[OBO3] -- too late\nreturn_token()\n"
    outcome = verdict(source, [("OBO301", 22)], tmp_path, monkeypatch)
    assert kept_lines(outcome) == [22]
    assert messages(outcome)[0][0] == 21
    assert "only in the first 20 lines" in messages(outcome)[0][1]


def test_noqa_is_honoured_only_with_explicit_obolint_codes(tmp_path, monkeypatch):
    source = """\
        send(token)  # noqa: E501, OBO401 - reviewed
        send(token)  # noqa
        send(token)  # noqa: E501
        send(token)  # noqa: BLE001  # obolint: ignore[OBO401] -- both tools
    """
    lines = [("OBO401", n) for n in (1, 2, 3, 4)]
    outcome = verdict(source, lines, tmp_path, monkeypatch)
    assert kept_lines(outcome) == [2, 3]
    assert [s.directive for s in outcome.suppressed] == ["noqa", "ignore"]
    assert outcome.notices == []


# --- unused suppressions ----------------------------------------------------------------


def test_unused_suppressions_are_reported_only_when_asked(tmp_path, monkeypatch):
    source = "send(token)  # obolint: ignore[OBO401, OBO101] -- reviewed\n"
    quiet = verdict(source, [("OBO401", 1)], tmp_path, monkeypatch)
    assert quiet.notices == []
    loud = verdict(source, [("OBO401", 1)], tmp_path, monkeypatch, report_unused=True)
    ((line, message),) = messages(loud)
    assert line == 1
    assert message.startswith("unused suppression: no OBO101 finding here")


def test_a_rule_that_did_not_run_cannot_make_a_suppression_unused(tmp_path, monkeypatch):
    source = "send(token)  # obolint: ignore[OBO101] -- reviewed\n"
    outcome = verdict(source, [], tmp_path, monkeypatch, enabled=["OBO401"], report_unused=True)
    assert outcome.notices == []


# --- end to end -------------------------------------------------------------------------

LEAKY = textwrap.dedent(
    """\
    import requests
    from flask import Flask, request

    app = Flask(__name__)

    @app.get("/repos")
    def repos():
        token = request.headers["Authorization"]
        return requests.get(
            "https://api.example.com",
            headers={"Authorization": token},
        ).json()  # obolint: ignore[OBO401] -- reviewed: internal mock service
    """
)


@pytest.fixture
def suppressed_project(tmp_path, monkeypatch):
    (tmp_path / "app.py").write_text(LEAKY)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_suppressed_finding_passes_the_gate_and_is_counted(suppressed_project):
    text = run("check")
    assert text.exit_code == 0, text.output
    assert text.output.strip().endswith("No findings in 1 file; 1 suppressed.")
    doc = json.loads(run("check", "--format", "json").output)
    assert doc["findings"] == []
    assert doc["stats"]["suppressed"] == 1
    assert "suppressed" not in doc  # only with --show-suppressed


def test_show_suppressed_lists_them_in_text_and_json(suppressed_project):
    text = run("check", "--show-suppressed").output
    assert "Suppressed findings:" in text
    assert "app.py:11:" in text and "ignore on line 12: reviewed: internal mock service" in text
    doc = json.loads(run("check", "--format", "json", "--show-suppressed").output)
    (item,) = doc["suppressed"]
    assert item["rule"] == "OBO401"
    assert item["suppression"] == {
        "directive": "ignore",
        "line": 12,
        "reason": "reviewed: internal mock service",
    }


def test_suppressed_findings_are_never_sarif_results(suppressed_project):
    out = run("check", "--format", "sarif", "--show-suppressed", "--sarif-root", ".").output
    sarif_run = json.loads(out)["runs"][0]
    assert sarif_run["results"] == []
    # ... while there is a suppressed finding to leave out.
    assert json.loads(run("check", "--format", "json", "--show-suppressed").output)["suppressed"]


def test_warnings_reach_every_format(suppressed_project):
    Path("app.py").write_text(LEAKY.replace(" -- reviewed: internal mock service", ""))
    assert "app.py:12: warning: suppression of OBO401 gives no reason" in run("check").output
    concise = run("check", "--format", "concise").output
    assert concise.startswith("app.py:12: warning: suppression of OBO401 gives no reason")
    github = run("check", "--format", "github").output
    assert github.startswith("::warning file=app.py,line=12,title=obolint::suppression of")
    doc = json.loads(run("check", "--format", "json").output)
    assert [(n["path"], n["line"]) for n in doc["notices"]] == [("app.py", 12)]
    sarif = json.loads(run("check", "--format", "sarif", "--sarif-root", ".").output)
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    (note,) = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning"
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 12}
    assert run("check").exit_code == 0  # a warning is not a finding


def test_report_unused_suppressions_flag(suppressed_project, monkeypatch):
    monkeypatch.delenv("CI", raising=False)  # CI=true turns the report on by default
    Path("app.py").write_text(LEAKY + "x = 1  # obolint: ignore[OBO101] -- stale\n")
    assert "unused suppression" not in run("check").output
    output = run("check", "--report-unused-suppressions").output
    assert "app.py:13: warning: unused suppression: no OBO101 finding here" in output


def test_missing_reason_can_be_made_an_error(tmp_path, monkeypatch):
    """`missing-reason = "error"` turns an unexplained suppression into a failing run."""
    from click.testing import CliRunner

    from obolint.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(
        "import os\nprint(os.environ['GH_TOKEN'])  # obolint: ignore[OBO501]\n"
    )
    runner = CliRunner()
    warned = runner.invoke(main, ["check", "--format", "concise", "app.py"])
    assert warned.exit_code == 0
    assert "gives no reason" in warned.output
    (tmp_path / "pyproject.toml").write_text('[tool.obolint]\nmissing-reason = "error"\n')
    failed = runner.invoke(main, ["check", "--format", "concise", "app.py"])
    assert failed.exit_code == 1
    assert "gives no reason" in failed.output


def test_unused_suppressions_are_reported_in_ci(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from obolint.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("x = 1  # obolint: ignore[OBO501] -- old\n")
    monkeypatch.delenv("CI", raising=False)
    quiet = CliRunner().invoke(main, ["check", "--format", "concise", "app.py"])
    assert "unused" not in quiet.output.lower()
    monkeypatch.setenv("CI", "true")
    loud = CliRunner().invoke(main, ["check", "--format", "concise", "app.py"])
    assert "unused" in loud.output.lower() or "silences nothing" in loud.output.lower()
    assert loud.exit_code == 0


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cached", "no-cache"])
def test_only_files_that_may_hold_comments_or_findings_are_read_for_them(
    cache: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # The scan notes, while it has the texts, which files name obolint or carry a noqa with
    # an OBO code; the suppression step reads those and the files with findings, not all.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "leak.py").write_text("import logging, os\nlogging.info(os.environ['API_TOKEN'])\n")
    (tmp_path / "quiet.py").write_text(
        "import logging, os\n"
        "logging.info(os.environ['API_KEY'])  # obolint: ignore[OBO501] -- test data\n"
    )
    (tmp_path / "typo.py").write_text("x = 1  # obolint: ignroe[OBO501]\n")
    (tmp_path / "other_tool.py").write_text("import os  # noqa: F401\n")
    for n in range(5):
        (tmp_path / f"plain_{n}.py").write_text(f"VALUE_{n} = {n}\n")
    read: list[str] = []
    real_read = suppress.read_source
    monkeypatch.setattr(
        suppress, "read_source", lambda path: read.append(path.name) or real_read(path)
    )
    for _ in range(2):  # a miss, then (with the cache) a hit
        read.clear()
        report = json_report(*cache, ".")
        assert sorted(read) == ["leak.py", "quiet.py", "typo.py"]
        assert [(f["path"], f["rule"]) for f in report["findings"]] == [("leak.py", "OBO501")]
        assert report["stats"]["suppressed"] == 1
        assert [n["path"] for n in report["notices"]] == ["typo.py"]
