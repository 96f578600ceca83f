"""SARIF output: schema-valid, GitHub-shaped, with GitHub's own line fingerprints."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from obolint.findings import FileError, Finding, Location, ScanResult, TraceStep
from obolint.report import render, sarif
from obolint.report.linehash import line_hashes
from obolint.rulemeta import RuleMeta

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

# github/codeql-action src/fingerprints.test.ts, test "hash": input -> hash per line.
CODEQL_ACTION_VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (
        " a\nb\n  \t\tc\n d",
        ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"],
    ),
    (
        " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
        [
            "8b7cf3e952e7aeb2:1",
            "b1ae1287ec4718d9:1",
            "bff680108adb0fcc:1",
            "c6805c5e1288b612:1",
            "b86d3392aea1be30:1",
            "e6ceba753e1a442:1",
        ],
    ),
    *[
        (
            text,
            [
                "e9496ae3ebfced30:1",
                "fb7c023a8b9ccb3f:1",
                "ce8ba1a563dcdaca:1",
                "e20e36e16fcb0cc8:1",
                "b3edc88f2938467e:1",
                "c8e28b0b4002a3a0:1",
                "c129715d7a2bc9a3:1",
            ],
        )
        for text in (
            " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
            " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
            " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
            " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n",
        )
    ],
    (
        "Lorem ipsum dolor sit amet.\n" * 10,
        [
            "a7f2ff13bc495cf2:1",
            "a7f2ff13bc495cf2:2",
            "a7f2ff13bc495cf2:3",
            "a7f2ff13bc495cf2:4",
            "a7f2ff13bc495cf2:5",
            "a7f2ff13bc495cf2:6",
            "a7f2ff1481e87703:1",
            "a9cf91f7bbf1862b:1",
            "55ec222b86bcae53:1",
            "cc97dc7b1d7d8f7b:1",
            "c129715d7a2bc9a3:1",
        ],
    ),
    (
        "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
        [
            "e54938cc54b302f1:1",
            "bb609acbe9138d60:1",
            "1131fd5871777f34:1",
            "5c482a0f8b35ea28:1",
            "54517377da7028d2:1",
            "2c644846cb18d53e:1",
            "f1b89f20de0d133:1",
            "c129715d7a2bc9a3:1",
        ],
    ),
]

LOREM = "Lorem ipsum dolor sit amet.\n" * 10
APP = "x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n"


def make_rule(
    rule_id: str, name: str, severity: str = "error", owasp: tuple[str, ...] = ("ASI03",)
) -> RuleMeta:
    """A minimal but complete rule."""
    return RuleMeta(
        id=rule_id,
        name=name,
        severity=severity,
        cwe=201,
        summary=f"The `{name}` rule.",
        what="Finds a **credential** in `messages` of an [LLM call](https://example.com/llm).",
        why="The model provider and its logs see the token.",
        example="client.chat(messages=[token])",
        use_instead="client.chat(messages=[summary])",
        references=("[OWASP LLM02](https://genai.owasp.org/llmrisk/llm02/)",),
        owasp=owasp,
        requires=frozenset({"credential"}),
        fix="Exchange it On-Behalf-Of.",
        security_severity="8.1",
        precision="high",
    )


RULES = [
    make_rule("OBO501", "credential-logged", "warning", ()),
    make_rule("OBO101", "credential-in-prompt", owasp=("ASI03", "LLM02", "NHI2")),
    make_rule("OBO401", "bearer-forwarding"),
]


def loc(path: str, line: int, column: int = 1, end_column: int = 6) -> Location:
    """A one-line location."""
    return Location(path, line, column, line, end_column)


def finding(
    rule: str = "OBO101",
    path: str = "app.py",
    line: int = 3,
    trace: tuple[TraceStep, ...] | None = None,
    severity: str = "error",
    message: str = "The token `token` reaches the prompt of chat.create. Exchange it.",
) -> Finding:
    """A finding with a two-step trace by default."""
    if trace is None:
        trace = (
            TraceStep(loc(path, 1, 1, 2), "token from the Authorization header"),
            TraceStep(loc(path, line, 1, 9), "sent as messages"),
        )
    return Finding(
        rule=rule,
        name={r.id: r.name for r in RULES}.get(rule, "unknown"),
        severity=severity,
        location=loc(path, line, 1, 9),
        message=message,
        trace=trace,
        scope="handler",
        sink_text=f"sink{line}",
    )


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project root as CWD with app.py and lorem.py."""
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / "lorem.py").write_text(LOREM)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def to_sarif(
    result: ScanResult,
    *,
    root: Path | None = None,
    category: str | None = None,
    rules: list[RuleMeta] = RULES,
) -> dict[str, Any]:
    """Render and parse, checking the document against the SARIF 2.1.0 schema."""
    text = render(
        "sarif",
        result,
        rules,
        sarif_root=root or Path.cwd(),
        sarif_category=category,
        version="1.2.3",
    )
    assert text.endswith("\n")
    doc = json.loads(text)
    schema = json.loads(SCHEMA_PATH.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []
    return doc


# --- primaryLocationLineHash ------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), CODEQL_ACTION_VECTORS)
def test_line_hashes_match_codeql_action_vectors(text: str, expected: list[str]) -> None:
    assert line_hashes(text) == expected


def test_line_hashes_count_utf16_code_units_like_javascript() -> None:
    assert line_hashes("x = '😀'\n") == line_hashes("x = '\ud83d\ude00'\n")
    assert line_hashes("x = '😀'\n") != line_hashes("x = '\uffff'\n")


def test_line_hash_of_a_duplicate_line_gets_a_counter(root: Path) -> None:
    doc = to_sarif(ScanResult(findings=[finding(path="lorem.py", line=2)]))
    fingerprints = doc["runs"][0]["results"][0]["partialFingerprints"]
    assert fingerprints["primaryLocationLineHash"] == "a7f2ff13bc495cf2:2"
    assert fingerprints["obolint/v1"] == finding(path="lorem.py", line=2).fingerprint


def test_line_hashes_come_from_the_file_on_disk(root: Path) -> None:
    findings = [finding(line=n) for n in (1, 3, 7)]
    doc = to_sarif(ScanResult(findings=findings))
    hashes = [
        r["partialFingerprints"]["primaryLocationLineHash"] for r in doc["runs"][0]["results"]
    ]
    assert hashes == ["e54938cc54b302f1:1", "1131fd5871777f34:1", "f1b89f20de0d133:1"]


def test_unreadable_file_has_no_line_hash(root: Path) -> None:
    doc = to_sarif(ScanResult(findings=[finding(path="missing.py")]))
    fingerprints = doc["runs"][0]["results"][0]["partialFingerprints"]
    assert fingerprints == {"obolint/v1": finding(path="missing.py").fingerprint}


# --- log, tool and rules ----------------------------------------------------------------


def test_log_has_one_run_and_the_tool(root: Path) -> None:
    doc = to_sarif(ScanResult(findings=[finding()]))
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "obolint"
    assert driver["semanticVersion"] == "1.2.3"
    assert driver["informationUri"] == "https://github.com/obolint/obolint"
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": root.resolve().as_uri() + "/"}}


def test_every_rule_passed_in_is_described(root: Path) -> None:
    rules = to_sarif(ScanResult())["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["OBO101", "OBO401", "OBO501"]
    by_id = {r.id: r for r in RULES}
    for descriptor in rules:
        meta = by_id[descriptor["id"]]
        assert descriptor["name"] == meta.name
        assert descriptor["shortDescription"]["text"] == f"The {meta.name} rule."
        full = descriptor["fullDescription"]["text"]
        assert full == "Finds a credential in messages of an LLM call."
        assert len(full) <= 1024
        assert descriptor["help"] == {"text": meta.page_text(), "markdown": meta.page_markdown()}
        assert descriptor["defaultConfiguration"]["level"] == meta.severity
        properties = descriptor["properties"]
        assert isinstance(properties["security-severity"], str)
        assert properties["security-severity"] == "8.1"
        assert properties["precision"] == "high"
        assert properties["tags"][:2] == ["security", "external/cwe/cwe-201"]
        assert properties["tags"][2:] == list(meta.owasp)


def test_tags_are_capped_and_descriptions_truncated(root: Path) -> None:
    owasp = tuple(f"T{i}" for i in range(12))
    long_rule = replace(make_rule("OBO999", "long"), owasp=owasp, what="w" * 3000)
    descriptor = to_sarif(ScanResult(), rules=[long_rule])["runs"][0]["tool"]["driver"]["rules"][0]
    assert len(descriptor["properties"]["tags"]) == 10
    assert len(descriptor["fullDescription"]["text"]) == 1024


# --- results ----------------------------------------------------------------------------


def test_result_points_at_its_rule_and_location(root: Path) -> None:
    findings = [finding("OBO501", line=5, severity="warning"), finding("OBO401", line=3)]
    doc = to_sarif(ScanResult(findings=findings))
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["ruleId"] for r in run["results"]] == ["OBO401", "OBO501"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    assert [r["level"] for r in run["results"]] == ["error", "warning"]
    physical = run["results"][0]["locations"][0]["physicalLocation"]
    assert physical == {
        "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 9},
    }


def test_trace_becomes_code_flow_and_related_locations(root: Path) -> None:
    trace = (
        TraceStep(loc("app.py", 1, 1, 2), "token from the Authorization header"),
        TraceStep(loc("app.py", 2, 1, 2), "copied into x"),
        TraceStep(loc("app.py", 3, 1, 9), "sent as messages"),
    )
    result = to_sarif(ScanResult(findings=[finding(trace=trace)]))["runs"][0]["results"][0]
    steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == [t.note for t in trace]
    assert [s["location"]["physicalLocation"]["region"]["startLine"] for s in steps] == [1, 2, 3]
    related = result["relatedLocations"]
    assert related[0]["id"] == 1
    assert related[0]["physicalLocation"]["region"]["startLine"] == 1
    assert related[0]["message"]["text"] == "token from the Authorization header"
    assert [r["id"] for r in related] == [1, 2, 3]


def test_message_links_the_source_after_a_self_contained_first_sentence(root: Path) -> None:
    message = "The token `headers[0]` reaches the prompt of chat.create. Exchange it"
    result = to_sarif(ScanResult(findings=[finding(message=message)]))["runs"][0]["results"][0]
    text = result["message"]["text"]
    assert text.startswith("The token `headers\\[0\\]` reaches the prompt of chat.create. ")
    assert text.endswith(" Exchange it. Source: [token from the Authorization header](1).")


def test_single_step_trace_has_no_link(root: Path) -> None:
    trace = (TraceStep(loc("app.py", 3, 1, 9), "sent as messages"),)
    result = to_sarif(ScanResult(findings=[finding(trace=trace, message="Leak [x].")]))
    first = result["runs"][0]["results"][0]
    assert first["message"]["text"] == "Leak [x]."
    assert first["relatedLocations"][0]["id"] == 1
    assert len(first["codeFlows"][0]["threadFlows"][0]["locations"]) == 1


def test_no_trace_means_no_code_flow(root: Path) -> None:
    result = to_sarif(ScanResult(findings=[finding(trace=())]))["runs"][0]["results"][0]
    assert "codeFlows" not in result and "relatedLocations" not in result


def test_unknown_rule_has_no_rule_index(root: Path) -> None:
    result = to_sarif(ScanResult(findings=[finding("OBO777")]))["runs"][0]["results"][0]
    assert result["ruleId"] == "OBO777" and "ruleIndex" not in result


# --- paths ------------------------------------------------------------------------------


def test_uris_are_relative_posix_and_encoded(root: Path) -> None:
    (root / "my dir").mkdir()
    (root / "my dir" / "app.py").write_text(APP)
    doc = to_sarif(ScanResult(findings=[finding(path=os.path.join("my dir", "app.py"))]))
    artifact = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "my%20dir/app.py", "uriBaseId": "%SRCROOT%"}


def test_symlinks_are_resolved(root: Path) -> None:
    (root / "src").mkdir()
    (root / "src" / "real.py").write_text(APP)
    try:
        (root / "link.py").symlink_to(root / "src" / "real.py")
    except OSError:
        pytest.skip("symlinks are not available here")
    doc = to_sarif(ScanResult(findings=[finding(path="link.py")]))
    result = doc["runs"][0]["results"][0]
    artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "src/real.py", "uriBaseId": "%SRCROOT%"}
    assert result["partialFingerprints"]["primaryLocationLineHash"] == "1131fd5871777f34:1"


def test_paths_outside_the_root_keep_an_absolute_file_uri(root: Path) -> None:
    (root / "project").mkdir()
    doc = to_sarif(ScanResult(findings=[finding()]), root=root / "project")
    artifact = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (root / "app.py").resolve().as_uri()}


# --- run metadata -----------------------------------------------------------------------


def test_automation_details_only_with_a_category(root: Path) -> None:
    assert "automationDetails" not in to_sarif(ScanResult())["runs"][0]
    for category in ("obolint", "obolint/"):
        run = to_sarif(ScanResult(), category=category)["runs"][0]
        assert run["automationDetails"] == {"id": "obolint/"}


def test_file_errors_become_notifications(root: Path) -> None:
    errors = [FileError("bad.py", "Cannot parse bad.py.", "syntax")]
    invocation = to_sarif(ScanResult(errors=errors))["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert invocation["toolExecutionNotifications"] == [
        {
            "level": "warning",
            "message": {"text": "Cannot parse bad.py."},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "bad.py", "uriBaseId": "%SRCROOT%"}
                    }
                }
            ],
        }
    ]
    errors.append(
        FileError("crash.py", "obolint crashed on crash.py; please report it.", "internal")
    )
    invocation = to_sarif(ScanResult(errors=errors))["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    levels = [n["level"] for n in invocation["toolExecutionNotifications"]]
    assert levels == ["warning", "error"]


def test_limits_are_githubs() -> None:
    assert sarif.MAX_RESULTS == 25_000
    assert sarif.MAX_THREAD_FLOW_LOCATIONS == 1_000


def test_results_are_capped_keeping_the_most_severe(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    findings = [
        finding("OBO501", line=1, severity="warning"),
        finding("OBO101", line=5),
        finding("OBO501", line=2, severity="warning"),
        finding("OBO401", line=7),
    ]
    run = to_sarif(ScanResult(findings=findings))["runs"][0]
    assert [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in run["results"]
    ] == [("OBO101", 5), ("OBO401", 7)]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and notes[0]["level"] == "warning"
    assert "4 findings" in notes[0]["message"]["text"]


def test_thread_flows_are_capped_keeping_source_and_sink(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sarif, "MAX_THREAD_FLOW_LOCATIONS", 3)
    trace = tuple(TraceStep(loc("app.py", n), f"step {n}") for n in range(1, 8))
    run = to_sarif(ScanResult(findings=[finding(line=7, trace=trace)]))["runs"][0]
    steps = run["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps] == ["step 1", "step 2", "step 7"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 1 and "7 steps" in notes[0]["message"]["text"]


def test_long_source_notes_give_short_link_text(root: Path) -> None:
    note = 'secret read from the environment (`os.getenv("STRIPE_API_KEY_FOR_BILLING")`)'
    trace = (TraceStep(loc("app.py", 1), note), TraceStep(loc("app.py", 3), "sent"))
    result = to_sarif(ScanResult(findings=[finding(trace=trace)]))["runs"][0]["results"][0]
    assert result["message"]["text"].endswith(" Source: [secret read from the environment](1).")
    assert result["relatedLocations"][0]["message"]["text"] == note


def test_sarif_of_the_whole_fixture_tree_is_valid_and_complete(monkeypatch):
    """Scan every fixture through the CLI; the SARIF must validate and carry GitHub's fields."""
    from click.testing import CliRunner

    from obolint.cli import main

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    monkeypatch.chdir(fixtures)
    result = CliRunner().invoke(
        main, ["check", "--no-cache", "--format", "sarif", "--sarif-root", str(fixtures), "."]
    )
    assert result.exit_code == 1, result.output[:2000]
    doc = json.loads(result.output)
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
    (sarif_run,) = doc["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert len(rules) == 12
    for rule in rules:
        assert rule["help"]["markdown"].startswith(f"# {rule['id']}")
        assert rule["help"]["text"]
        severity = rule["properties"]["security-severity"]
        assert isinstance(severity, str) and 0.0 < float(severity) <= 10.0
        assert "external/cwe/cwe-" in " ".join(rule["properties"]["tags"])
        assert len(rule["properties"]["tags"]) <= 10
    results = sarif_run["results"]
    assert len(results) >= 40
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]
        assert uri["uriBaseId"] == "%SRCROOT%" and not uri["uri"].startswith("/")
        assert res["partialFingerprints"]["primaryLocationLineHash"]
        assert res["partialFingerprints"]["obolint/v1"]
        steps = res["codeFlows"][0]["threadFlows"][0]["locations"]
        assert steps and all(step["location"]["message"]["text"] for step in steps)
        if len(steps) >= 2:
            assert "](1)" in res["message"]["text"]
            assert res["relatedLocations"][0]["id"] == 1
