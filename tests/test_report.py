"""Report formats other than SARIF: concise, json, github and text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from obolint.findings import FileError, Finding, Location, ScanResult, TraceStep
from obolint.report import FORMATS, render
from obolint.report.github import escape_data, escape_property
from obolint.report.text import summary_line

ANSI = re.compile(r"\x1b\[[0-9;]*m")
SECRET = "sk-abc123def456ghi789jkl"
APP = (
    "import os\n"
    "from openai import OpenAI\n"
    "\n"
    "def handler(request):\n"
    '    token = request.headers["Authorization"]\n'
    f'    client = OpenAI(api_key="{SECRET}")\n'
    '    client.chat.completions.create(messages=[{"role": "user", "content": token}])\n'
    f'    print(f"key={SECRET}", token)\n'
)
LINES = APP.splitlines()


def span(line: int, text: str, path: str = "app.py") -> Location:
    """The location of ``text`` on ``line`` of the sample file."""
    column = LINES[line - 1].index(text) + 1
    return Location(path, line, column, line, column + len(text))


def prompt_finding() -> Finding:
    """OBO101 at line 7 with a three-step trace."""
    return Finding(
        rule="OBO101",
        name="credential-in-prompt",
        severity="error",
        location=span(
            7, 'client.chat.completions.create(messages=[{"role": "user", "content": token}])'
        ),
        message="The inbound token `token` reaches the prompt of chat.completions.create. "
        "Exchange it On-Behalf-Of instead.",
        trace=(
            TraceStep(span(5, 'request.headers["Authorization"]'), "Authorization header"),
            TraceStep(span(5, "token"), "assigned to token"),
            TraceStep(span(7, "token"), "passed in messages"),
        ),
        scope="handler",
        sink_text="client.chat.completions.create(...)",
        source_kind="header",
    )


def logged_finding() -> Finding:
    """OBO501 (warning) at line 8, on the token after a secret literal on the same line."""
    return Finding(
        rule="OBO501",
        name="credential-logged",
        severity="warning",
        location=span(8, "token"),
        message="The token `token` is printed to stdout.",
        trace=(TraceStep(span(5, "token"), "assigned to token"),),
        scope="handler",
        sink_text="print(...)",
    )


def multiline_finding() -> Finding:
    """OBO501 spanning lines 6-7."""
    return Finding(
        rule="OBO501",
        name="credential-logged",
        severity="warning",
        location=Location("app.py", 6, 14, 7, 11),
        message="Spans two lines.",
        trace=(),
    )


@pytest.fixture
def result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ScanResult:
    """A result over app.py in a fresh CWD, given out of order."""
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    return ScanResult(
        findings=[logged_finding(), prompt_finding()],
        errors=[
            FileError("zz.py", "Cannot decode zz.py as UTF-8. Save it as UTF-8.", "encoding"),
            FileError("bad.py", "Cannot parse bad.py: invalid syntax on line 3.", "syntax"),
        ],
        stats={"files": 12, "seconds": 0.5},
    )


def draw(fmt: str, result: ScanResult, *, color: bool = False) -> str:
    """Render with the arguments the CLI would pass."""
    return render(fmt, result, [], sarif_root=Path.cwd(), color=color, version="9.9.9")


# --- dispatch ---------------------------------------------------------------------------


def test_formats_are_the_documented_five(result: ScanResult) -> None:
    assert FORMATS == ("text", "concise", "json", "sarif", "github")
    for fmt in FORMATS:
        assert draw(fmt, result).endswith("\n")


def test_unknown_format_is_a_clear_error(result: ScanResult) -> None:
    with pytest.raises(ValueError, match="Unknown output format 'xml'; choose one of: text,"):
        draw("xml", result)


def test_machine_formats_ignore_color(result: ScanResult) -> None:
    for fmt in ("concise", "json", "sarif", "github"):
        assert not ANSI.search(draw(fmt, result, color=True))


# --- concise ----------------------------------------------------------------------------


def test_concise_is_one_line_per_finding_then_per_error(result: ScanResult) -> None:
    col7 = LINES[6].index("client") + 1
    col8 = LINES[7].index("token") + 1
    assert draw("concise", result).splitlines() == [
        f"app.py:7:{col7}: OBO101 The inbound token `token` reaches the prompt of "
        "chat.completions.create. Exchange it On-Behalf-Of instead.",
        f"app.py:8:{col8}: OBO501 The token `token` is printed to stdout.",
        "bad.py: error: Cannot parse bad.py: invalid syntax on line 3.",
        "zz.py: error: Cannot decode zz.py as UTF-8. Save it as UTF-8.",
    ]


def test_concise_of_nothing_is_empty() -> None:
    assert draw("concise", ScanResult()) == ""


# --- json -------------------------------------------------------------------------------

FINDING_KEYS = [
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
]


def test_json_has_exactly_the_documented_keys(result: ScanResult) -> None:
    text = draw("json", result)
    assert text.startswith('{\n  "version": "9.9.9",\n') and text.endswith("}\n")
    doc = json.loads(text)
    assert list(doc) == ["version", "findings", "errors", "notices", "stats"]
    for finding in doc["findings"]:
        assert list(finding) == FINDING_KEYS
        for step in finding["trace"]:
            assert list(step) == ["path", "line", "column", "note"]
    assert [list(e) for e in doc["errors"]] == [["path", "message"]] * 2
    assert doc["stats"] == {"files": 12, "seconds": 0.5}


def test_json_values_and_order(result: ScanResult) -> None:
    doc = json.loads(draw("json", result))
    assert [f["rule"] for f in doc["findings"]] == ["OBO101", "OBO501"]
    assert [e["path"] for e in doc["errors"]] == ["bad.py", "zz.py"]
    first = doc["findings"][0]
    expected = prompt_finding()
    assert first["fingerprint"] == expected.fingerprint
    assert (first["line"], first["column"]) == (7, expected.location.column)
    assert (first["end_line"], first["end_column"]) == (7, expected.location.end_column)
    assert first["trace"][0] == {
        "path": "app.py",
        "line": 5,
        "column": LINES[4].index("request") + 1,
        "note": "Authorization header",
    }


def test_json_is_deterministic(result: ScanResult) -> None:
    reordered = ScanResult(
        findings=list(reversed(result.findings)),
        errors=list(reversed(result.errors)),
        stats={"seconds": 0.5, "files": 12},
    )
    assert draw("json", result) == draw("json", reordered)


# --- github -----------------------------------------------------------------------------


def test_github_annotations(result: ScanResult) -> None:
    sink = prompt_finding().location
    logged = logged_finding().location
    assert draw("github", result).splitlines() == [
        f"::error file=app.py,line=7,endLine=7,col={sink.column},endColumn={sink.end_column},"
        "title=obolint (OBO101)::The inbound token `token` reaches the prompt of "
        "chat.completions.create. Exchange it On-Behalf-Of instead.",
        f"::warning file=app.py,line=8,endLine=8,col={logged.column},"
        f"endColumn={logged.end_column},title=obolint (OBO501)::"
        "The token `token` is printed to stdout.",
        "::error file=bad.py,title=obolint::Cannot parse bad.py: invalid syntax on line 3.",
        "::error file=zz.py,title=obolint::Cannot decode zz.py as UTF-8. Save it as UTF-8.",
    ]


def test_github_omits_columns_on_multi_line_annotations() -> None:
    out = draw("github", ScanResult(findings=[multiline_finding()]))
    assert (
        out == "::warning file=app.py,line=6,endLine=7,title=obolint (OBO501)::Spans two lines.\n"
    )


def test_github_escapes_data_and_properties() -> None:
    assert escape_data("100% sure\r\nnext: a,b") == "100%25 sure%0D%0Anext: a,b"
    assert escape_property("dir,x:y/100%\n.py") == "dir%2Cx%3Ay/100%25%0A.py"
    finding = Finding(
        rule="OBO301",
        name="credential-in-response",
        severity="error",
        location=Location("we,ird:dir/app.py", 1, 1, 1, 2),
        message="50% of\nthe token: leaked, really",
        trace=(),
    )
    errors = [FileError("a,b.py", "line1\nline2 100%")]
    out = draw("github", ScanResult(findings=[finding], errors=errors))
    assert out.splitlines() == [
        "::error file=we%2Cird%3Adir/app.py,line=1,endLine=1,col=1,endColumn=2,"
        "title=obolint (OBO301)::50%25 of%0Athe token: leaked, really",
        "::error file=a%2Cb.py,title=obolint::line1%0Aline2 100%25",
    ]


# --- text -------------------------------------------------------------------------------


def test_text_without_color_has_no_ansi(result: ScanResult) -> None:
    assert not ANSI.search(draw("text", result))
    assert "\x1b" not in draw("text", result)


def test_text_with_color_has_ansi(result: ScanResult) -> None:
    out = draw("text", result, color=True)
    assert ANSI.search(out)
    assert ANSI.sub("", out) == draw("text", result)


def test_text_color_ignores_the_environment(
    result: ScanResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert not ANSI.search(draw("text", result))
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    assert ANSI.search(draw("text", result, color=True))


def test_text_shows_header_message_code_carets_and_trace(result: ScanResult) -> None:
    lines = draw("text", result).splitlines()
    sink = prompt_finding().location
    header = f"app.py:7:{sink.column}  OBO101 [error] credential-in-prompt"
    start = lines.index(header)
    block = lines[start : start + 10]
    assert block[1] == (
        "  The inbound token `token` reaches the prompt of chat.completions.create. Exchange it "
        "On-Behalf-Of"
    )
    assert block[2] == "  instead."
    assert block[4] == "  7 | " + LINES[6]
    assert block[5] == "    | " + " " * (sink.column - 1) + "^" * (sink.end_column - sink.column)
    step1 = LINES[4].index("request") + 1
    step2 = LINES[4].index("token") + 1
    step3 = LINES[6].index("token") + 1
    assert block[7:10] == [
        f"  1. app.py:5:{step1}  Authorization header",
        f"  2. app.py:5:{step2}  assigned to token",
        f"  3. app.py:7:{step3}  passed in messages",
    ]


def test_text_never_prints_the_secret_and_carets_follow_redaction(result: ScanResult) -> None:
    for color in (False, True):
        assert SECRET not in draw("text", result, color=color)
    lines = draw("text", result).splitlines()
    code = '  8 |     print(f"***", token)'
    assert code in lines
    caret = lines[lines.index(code) + 1]
    assert caret == "    | " + " " * code[6:].index("token") + "^^^^^"


def test_text_multi_line_sink_underlines_each_line(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "app.py").write_text(APP)
    monkeypatch.chdir(tmp_path)
    lines = draw("text", ScanResult(findings=[multiline_finding()])).splitlines()
    i = lines.index('  6 |     client = OpenAI(api_key="***")')
    assert lines[i + 1] == "    |              " + "^" * len('OpenAI(api_key="***")')
    assert lines[i + 2] == "  7 | " + LINES[6]
    assert lines[i + 3] == "    |     " + "^" * 6


def test_text_errors_table_and_summary(result: ScanResult) -> None:
    lines = draw("text", result).splitlines()
    assert "bad.py: error: Cannot parse bad.py: invalid syntax on line 3." in lines
    assert "zz.py: error: Cannot decode zz.py as UTF-8. Save it as UTF-8." in lines
    table = [line.split() for line in lines if line.startswith(("Rule", "OBO"))]
    assert table == [
        ["Rule", "Name", "Count"],
        ["OBO101", "credential-in-prompt", "1"],
        ["OBO501", "credential-logged", "1"],
    ]
    assert lines[-1] == (
        "Found 2 findings (1 error, 1 warning) in 12 files; 2 files could not be analysed."
    )
    assert lines.index("bad.py: error: Cannot parse bad.py: invalid syntax on line 3.") < (
        lines.index("Rule     Name                   Count")
    )


def test_summary_line_variants() -> None:
    assert draw("text", ScanResult(stats={"files": 12})) == "No findings in 12 files.\n"
    assert summary_line(ScanResult(stats={"files": 1})) == "No findings in 1 file."
    assert summary_line(ScanResult()) == "No findings."
    one = ScanResult(
        findings=[prompt_finding()],
        errors=[FileError("x.py", "boom", "internal")],
        stats={"files": 1},
    )
    assert summary_line(one) == "Found 1 finding (1 error) in 1 file; 1 file could not be analysed."
    warnings = ScanResult(findings=[logged_finding(), multiline_finding()], stats={"files": 3})
    assert summary_line(warnings) == "Found 2 findings (2 warnings) in 3 files."


def test_text_survives_missing_sources_and_hostile_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    finding = Finding(
        rule="OBO101",
        name="credential-in-prompt",
        severity="error",
        location=Location("gone.py", 3, 1, 3, 5),
        message="Token [bold]leaks[/bold] :smile: \x1b[31mred\u202e\u2028",
        trace=(TraceStep(Location("gone.py", 1, 1, 1, 2), "from \x1b]0;title\x07 here"),),
    )
    out = draw("text", ScanResult(findings=[finding], stats={"files": 1}))
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "  Token [bold]leaks[/bold] :smile: ?[31mred?" in out.split("\n")
    assert "\u2028" not in out
    assert "gone.py:3:1  OBO101 [error] credential-in-prompt" in out


def test_text_carets_line_up_after_tabs_and_wide_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "wide.py").write_text("def f():\n\tx = '日本語'; send(token)\n")
    monkeypatch.chdir(tmp_path)
    line = "\tx = '日本語'; send(token)"
    column = line.index("token") + 1
    finding = Finding(
        rule="OBO401",
        name="bearer-forwarding",
        severity="error",
        location=Location("wide.py", 2, column, 2, column + 5),
        message="Forwarded.",
        trace=(),
    )
    lines = draw("text", ScanResult(findings=[finding])).splitlines()
    code = lines.index("  2 |     x = '日本語'; send(token)")
    # The three CJK characters take two cells each.
    assert lines[code + 1] == "    | " + " " * (4 + len("x = '") + 6 + len("'; send(")) + "^" * 5


def test_text_has_no_trailing_whitespace(result: ScanResult) -> None:
    out = draw("text", result)
    assert out.endswith(".\n")
    assert all(line == line.rstrip() for line in out.split("\n"))
