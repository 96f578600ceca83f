"""Hostile input never crashes obolint and never hides the other files' results.

Each case puts one nasty file next to a normal leaky one and runs the real CLI: the leak is
still reported, the exit code is 1, there is no traceback, and the nasty file is either
analysed or has exactly one diagnostic that says what happened.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from samples import FORWARDED_BEARER as LEAKY

from obolint import parsing, sourcefiles
from obolint.cli import main
from obolint.taint import context
from obolint.taint.interpreter import FunctionInterpreter

LEAK = ("app.py", 9, "OBO401")  # where LEAKY leaks, in any file it is written to
FORWARD = (
    "requests.get('https://api.example.com', "
    "headers={'Authorization': request.headers['Authorization']})"
)


@dataclass(frozen=True)
class Hostile:
    """A nasty entry written into the project, and what the report must say about it."""

    name: str
    build: Callable[[Path], None]
    # Per path: words its one diagnostic must contain. Paths not named have no diagnostic.
    diagnostics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Findings expected besides the leak of app.py: (path, line, rule).
    findings: frozenset[tuple[str, int, str]] = frozenset()


def write(name: str, content: str | bytes) -> Callable[[Path], None]:
    def build(project: Path) -> None:
        target = project / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", newline="")

    return build


def sparse(name: str, size: int) -> Callable[[Path], None]:
    """A file of ``size`` bytes that takes no time or disk to write (all zero bytes)."""

    def build(project: Path) -> None:
        with open(project / name, "wb") as handle:
            handle.truncate(size)

    return build


def symlink_loop(project: Path) -> None:
    os.symlink("b.py", project / "a.py")
    os.symlink("a.py", project / "b.py")


def fifo(project: Path) -> None:
    os.mkfifo(project / "pipe.py")


def nested_ifs(levels: int, body: str) -> str:
    lines = ["import requests", "from flask import request", "", "def handler(flag):"]
    lines += ["    " * level + "if flag:" for level in range(1, levels + 1)]
    lines.append("    " * (levels + 1) + body)
    return "\n".join(lines) + "\n"


def many_functions(size: int) -> str:
    """Generated code: small handlers, each reading a token, up to ``size`` characters."""
    parts: list[str] = []
    total = 0
    index = 0
    while total < size:
        part = (
            f"def handler_{index}(request):\n"
            f"    token = request.headers['X-Api-Key']\n"
            f"    return compute_{index}(token, {index})\n\n\n"
        )
        parts.append(part)
        total += len(part)
        index += 1
    return "".join(parts)


MIB = 1024 * 1024
HEAD = "import requests\nfrom flask import request\n\n"

CASES = [
    Hostile(
        "syntax-error",
        write("broken.py", "def handler(token:\n    return token\n"),
        {"broken.py": ("syntax error at line 1", "Fix the syntax")},
    ),
    Hostile(
        # The definition has no trigger word: it would be left out of the parse if it parsed.
        "syntax-error-in-a-definition-without-a-trigger",
        write(
            "broken_helper.py",
            "import os\ntoken = os.environ['API_TOKEN']\n\n\n"
            "def render(items):\n    return [i for i in items if]\n",
        ),
        {"broken_helper.py": ("syntax error at line 6", "Fix the syntax")},
    ),
    Hostile(
        "python-2",
        write("legacy.py", 'token = "x"\nprint "token", token\n'),
        {"legacy.py": ("syntax error at line 2", "print")},
    ),
    Hostile(
        # Valid Python (a parenthesized annotated target) that LibCST's grammar lacks.
        "beyond-libcst",
        write("annotated.py", "def handler():\n    (token): str\n    return 1\n"),
        {"annotated.py": ("cannot parse this file though Python accepts it", "extend-exclude")},
    ),
    Hostile(
        "invalid-utf-8",
        write("latin.py", b"token = '\xe9t\xe9'\n"),
        {"latin.py": ("not valid UTF-8", "byte 9")},
    ),
    Hostile(
        "nul-bytes",
        write("nul.py", b"token = 1\0\n"),
        {"nul.py": ("NUL bytes",)},
    ),
    Hostile("empty", write("empty.py", "")),
    Hostile(
        "utf-8-bom",
        write("bom.py", b"\xef\xbb\xbf" + LEAKY.encode()),
        findings=frozenset({("bom.py", 9, "OBO401")}),
    ),
    Hostile(
        "crlf",
        write("crlf.py", LEAKY.replace("\n", "\r\n")),
        findings=frozenset({("crlf.py", 9, "OBO401")}),
    ),
    Hostile(
        "lone-cr",
        write("cr.py", LEAKY.replace("\n", "\r")),
        findings=frozenset({("cr.py", 9, "OBO401")}),
    ),
    Hostile(
        "6-mb-file",
        write("generated.py", "token = 1\n" * (6 * MIB // 10)),
        {"generated.py": ("over the 5 MiB limit", "extend-exclude")},
    ),
    Hostile(
        "20-mb-file",
        sparse("huge.py", 20 * MIB),
        {"huge.py": ("20480 KiB", "over the 5 MiB limit")},
    ),
    Hostile(
        "1000-nested-brackets",
        write("brackets.py", "token = " + "[" * 1000 + "]" * 1000 + "\n"),
        {"brackets.py": ("nests too deeply", "too many nested parentheses")},
    ),
    Hostile(
        "1000-nested-binary-expressions",
        write("binop.py", "token = " + "a+(" * 1000 + "a" + ")" * 1000 + "\n"),
        {"binop.py": ("nests too deeply",)},
    ),
    Hostile(
        "1000-nested-calls",
        write("calls.py", "token = " + "f(" * 1000 + ")" * 1000 + "\n"),
        {"calls.py": ("nests too deeply",)},
    ),
    Hostile(
        "5000-term-expression",  # no brackets: CPython's parser gives up, or its tree is deep
        write("chain.py", "token = " + "+".join(["a"] * 5000) + "\n"),
        {"chain.py": ("nests too deeply",)},
    ),
    Hostile(
        # LibCST's parse time grows with the square of the chain (8,000 links took 13 s)
        "8000-link-attribute-chain",
        write("attrs.py", "token = a" + ".b" * 8000 + "\n"),
        {"attrs.py": ("nests too deeply to parse",)},
    ),
    Hostile(
        "150-link-attribute-chain-is-followed",
        write("attrs150.py", HEAD + "token = request" + ".x" * 150 + "\n" + FORWARD + "\n"),
        findings=frozenset({("attrs150.py", 5, "OBO401")}),
    ),
    Hostile(
        "50-nested-calls-are-followed",
        write(
            "deepcall.py",
            HEAD
            + "def handler():\n    return requests.get('https://api.example.com', headers="
            + "dict(" * 50
            + "{'Authorization': request.headers['Authorization']}"
            + ")" * 50
            + ")\n",
        ),
        findings=frozenset({("deepcall.py", 5, "OBO401")}),
    ),
    Hostile(
        "99-nested-ifs-are-followed",  # CPython allows 100 levels of indentation
        write("deepif.py", nested_ifs(98, FORWARD)),
        findings=frozenset({("deepif.py", 103, "OBO401")}),
    ),
    Hostile(
        "101-nested-ifs",
        write("deeperif.py", nested_ifs(100, FORWARD)),
        {"deeperif.py": ("nests too deeply", "indentation")},
    ),
    Hostile(
        "1-mb-line",
        write("longline.py", HEAD + "token = '" + "a" * MIB + "'\n" + FORWARD + "\n"),
        findings=frozenset({("longline.py", 5, "OBO401")}),
    ),
    Hostile("1-mb-line-without-trigger-words", write("data.py", "x = '" + "a" * MIB + "'\n")),
    Hostile(
        "directory-named-like-a-module",
        write("pkg.py/inner.py", LEAKY),
        findings=frozenset({("pkg.py/inner.py", 9, "OBO401")}),
    ),
]
if hasattr(os, "symlink"):
    CASES.append(
        Hostile(
            "symlink-loop",
            symlink_loop,
            {"a.py": ("symbolic link loop",), "b.py": ("symbolic link loop",)},
        )
    )
if hasattr(os, "mkfifo"):
    CASES.append(Hostile("fifo", fifo, {"pipe.py": ("not a regular file", "named pipe")}))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose one normal file leaks; the CWD is its root."""
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text(LEAKY)
    monkeypatch.chdir(root)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return root


def check(*args: str):
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def report_of(result) -> dict:
    assert "Traceback" not in result.output
    return json.loads(result.stdout)


def findings_of(report: dict) -> set[tuple[str, int, str]]:
    return {(f["path"], f["line"], f["rule"]) for f in report["findings"]}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_file_is_reported_and_the_rest_still_is(project: Path, case: Hostile) -> None:
    case.build(project)
    result = check("--format", "json")
    assert result.exit_code == 1, result.output
    report = report_of(result)
    assert findings_of(report) == {LEAK, *case.findings}
    messages: dict[str, list[str]] = {}
    for error in report["errors"]:
        messages.setdefault(error["path"], []).append(error["message"])
    assert set(messages) == set(case.diagnostics), messages
    for path, words in case.diagnostics.items():
        [message] = messages[path]
        for word in words:
            assert word in message, message


def test_every_format_reports_every_hostile_file_at_once(project: Path) -> None:
    for case in CASES:
        case.build(project)
    expected = {"app.py"} | {path for case in CASES for path in case.diagnostics}
    for fmt in ("text", "concise", "github", "json", "sarif"):
        result = check("--format", fmt)
        assert result.exit_code == 1, (fmt, result.output)
        assert "Traceback" not in result.output
        for path in expected:
            assert path in result.stdout, (fmt, path)
    sarif = json.loads(check("--format", "sarif").stdout)
    [run] = sarif["runs"]
    notified = {
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for n in run["invocations"][0]["toolExecutionNotifications"]
        if n.get("locations")
    }
    assert {path for case in CASES for path in case.diagnostics} <= notified
    assert run["invocations"][0]["executionSuccessful"] is True


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no os.mkfifo")
def test_fifo_named_on_the_command_line_is_one_diagnostic(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    result = check("--format", "json", ".", "pipe.py")
    assert result.exit_code == 1
    report = report_of(result)
    assert findings_of(report) == {LEAK}
    [error] = report["errors"]
    assert error["path"] == "pipe.py"
    assert "named pipe" in error["message"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="running as root: file permissions are not enforced, so chmod 000 reads fine",
)
def test_unreadable_file_is_one_diagnostic(project: Path) -> None:
    locked = project / "locked.py"
    locked.write_text(LEAKY)
    locked.chmod(0)
    try:
        result = check("--format", "json")
    finally:
        locked.chmod(0o644)
    assert result.exit_code == 1
    report = report_of(result)
    assert findings_of(report) == {LEAK}
    [error] = report["errors"]
    assert error["path"] == "locked.py"
    assert "cannot read file" in error["message"] and "permission" in error["message"].lower()


def test_unreadable_file_is_one_diagnostic_even_as_root(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "locked.py").write_text(LEAKY)
    real_open = open

    def denied(path, *args, **kwargs):
        if Path(path).name == "locked.py":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    # Where obolint opens source files (as root, chmod 000 would not stop the read).
    monkeypatch.setattr(sourcefiles, "open", denied, raising=False)
    result = check("--format", "json")
    assert result.exit_code == 1
    report = report_of(result)
    assert findings_of(report) == {LEAK}
    [error] = report["errors"]
    assert error == {
        "path": "locked.py",
        "message": "cannot read file (Permission denied). Check its permissions.",
    }


def test_nesting_that_crashed_the_parser_is_a_diagnostic_in_a_real_process(
    tmp_path: Path,
) -> None:
    # LibCST's native parser overflowed the C stack on these (a segfault, exit -11, that
    # ended the whole scan); run in a child process so that a regression cannot take the
    # test session down with it.
    (tmp_path / "app.py").write_text(LEAKY)
    (tmp_path / "parens.py").write_text("token = " + "(" * 5000 + "a" + ")" * 5000 + "\n")
    (tmp_path / "andchain.py").write_text("token = " + " and ".join(["a"] * 100_000) + "\n")
    (tmp_path / "elifs.py").write_text(
        "token = 1\nif token:\n    pass\n" + "elif token:\n    pass\n" * 10_000
    )
    # Chains without brackets, and brackets nested without many of them: LibCST's memory grows
    # with the square of the depth (10,000 unary minus signs: 5.5 GB in 70 s).
    deep_without_many_brackets = {
        "minus.py": "token = " + "-" * 3000 + "a\n",
        "nots.py": "token = " + "not " * 3000 + "a\n",
        "lambdas.py": "token = " + "lambda: " * 2000 + "a\n",
        "ternaries.py": "token = " + "a if b else " * 2000 + "c\n",
        "minus_lines.py": "token = (" + "\n".join(["-"] * 3000) + "a)\n",
        "keyword_calls.py": "token = " + "f(a=" * 300 + "1" + ")" * 300 + "\n",
        # Python 3.10's own parser overflowed the C stack on chains this long (150,000 links
        # did), in the check of a file that may nest deeply and of a definition left out.
        "plus_chain.py": "token = " + "+".join(["a"] * 1_000_000) + "\n",
        "call_chain.py": "token = a" + "()" * 200_000 + "\n",
        "chain_in_a_definition.py": "token = 1\n\n\ndef table():\n    return a"
        + "[0]" * 200_000
        + "\n",
    }
    for name, text in deep_without_many_brackets.items():
        (tmp_path / name).write_text(text)
    completed = subprocess.run(
        [sys.executable, "-m", "obolint", "check", "--format", "json", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    report = json.loads(completed.stdout)
    assert findings_of(report) == {LEAK}
    errors = {e["path"]: e["message"] for e in report["errors"]}
    assert set(errors) == {"parens.py", "andchain.py", "elifs.py", *deep_without_many_brackets}
    assert all("nests too deeply" in message for message in errors.values())


def test_only_files_that_may_nest_deeply_are_vetted_by_cpython_first() -> None:
    # Vetting costs a tenth of LibCST's parse: a long flat table is not worth it.
    table = "ROWS = [\n" + "    (1, 'a', {'k': [2]}),\n" * 2000 + "]\n"
    assert not parsing.may_be_pathological(table)
    assert parsing.may_be_pathological("x = " + "[" * 101 + "]" * 101 + "\n")
    assert not parsing.may_be_pathological("x = " + "[" * 100 + "]" * 100 + "\n")
    # Closing brackets in strings do not hide the nesting after them.
    assert parsing.may_be_pathological("s = ')))'\nx = " + "f(" * 101 + ")" * 101 + "\n")
    assert parsing.may_be_pathological("x = " + "not " * 1001 + "a\n")


# --- per-file isolation of errors inside obolint ------------------------------------------

HELPERS = textwrap.dedent(
    """\
    import requests

    def forward(token):
        return requests.get("https://api.example.com", headers={"Authorization": token})
    """
)
CALLER = textwrap.dedent(
    """\
    from flask import request

    from helpers import forward

    def proxy():
        return forward(request.headers["Authorization"])
    """
)


@pytest.fixture
def two_module_project(project: Path) -> Path:
    """app.py leaks on its own; caller.py leaks through helpers.py (a cross-module flow)."""
    (project / "helpers.py").write_text(HELPERS)
    (project / "caller.py").write_text(CALLER)
    (project / "victim.py").write_text(LEAKY)
    return project


def fail_on(monkeypatch: pytest.MonkeyPatch, path: str, exc: Exception) -> None:
    """Make the interpreter raise ``exc`` whenever it analyses a function of ``path``."""
    run_function = FunctionInterpreter.run_function

    def failing(self: FunctionInterpreter):
        if self.ctx.path == path:
            raise exc
        return run_function(self)

    monkeypatch.setattr(FunctionInterpreter, "run_function", failing)


CROSS_MODULE_LEAK = ("helpers.py", 4, "OBO401")


def test_a_bug_on_one_file_is_an_internal_error_for_that_file_only(
    two_module_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_on(monkeypatch, "victim.py", KeyError("simulated bug"))
    result = check("--format", "json")
    assert result.exit_code == 2, result.output
    report = report_of(result)
    assert findings_of(report) == {LEAK, CROSS_MODULE_LEAK}
    [error] = report["errors"]
    assert error["path"] == "victim.py"
    message = error["message"]
    assert "internal error" in message and "KeyError: 'simulated bug'" in message
    assert "bug in obolint" in message and "report it with this file" in message


def test_an_internal_error_is_shown_in_text_and_sarif_too(
    two_module_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_on(monkeypatch, "victim.py", KeyError("simulated bug"))
    text = check()
    assert text.exit_code == 2
    assert "victim.py: error: internal error" in text.stdout and "app.py:9:" in text.stdout
    sarif = check("--format", "sarif")
    assert sarif.exit_code == 2
    [run] = json.loads(sarif.stdout)["runs"]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert any(
        n["level"] == "error" and "internal error" in n["message"]["text"]
        for n in invocation["toolExecutionNotifications"]
    )
    assert {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    } == {"app.py", "helpers.py"}


def test_recursion_in_the_analysis_is_a_diagnostic_not_an_internal_error(
    two_module_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_on(monkeypatch, "victim.py", RecursionError("maximum recursion depth exceeded"))
    result = check("--format", "json")
    assert result.exit_code == 1
    report = report_of(result)
    assert findings_of(report) == {LEAK, CROSS_MODULE_LEAK}
    assert report["errors"] == [
        {"path": "victim.py", "message": "file nests too deeply to analyse; it was skipped."}
    ]


def test_recursion_while_computing_positions_is_a_diagnostic(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "victim.py").write_text(LEAKY + "# deep\n")

    real_positions = context.node_positions

    def positions(module):
        if "# deep" in module.code:
            raise RecursionError("maximum recursion depth exceeded")
        return real_positions(module)

    monkeypatch.setattr(context, "node_positions", positions)
    result = check("--format", "json")
    assert result.exit_code == 1
    report = report_of(result)
    assert findings_of(report) == {LEAK}
    assert report["errors"] == [
        {"path": "victim.py", "message": "file nests too deeply to analyse; it was skipped."}
    ]


# --- large generated code ---------------------------------------------------------------


@pytest.mark.skipif(
    not os.environ.get("OBOLINT_SLOW_TESTS"),
    reason="takes about a minute; set OBOLINT_SLOW_TESTS=1 to run it",
)
def test_four_megabytes_of_small_functions_are_analysed(project: Path) -> None:
    (project / "generated.py").write_text(many_functions(4 * MIB))
    result = check("--format", "json")
    assert result.exit_code == 1
    report = report_of(result)
    assert LEAK in findings_of(report)
    assert report["errors"] == []


def test_a_file_over_the_analysis_budget_becomes_a_diagnostic(tmp_path, monkeypatch):
    """A per-file step budget (deterministic, unlike a timeout) stops a pathological file."""
    import obolint.taint.interpreter as interpreter
    from obolint.packs import load_packs
    from obolint.runner import scan

    big = tmp_path / "generated.py"
    big.write_text(
        "import os\ntoken = os.environ['GH_TOKEN']\n"
        + "".join(f"v{i} = token + '{i}'\n" for i in range(400))
    )
    leaky = tmp_path / "app.py"
    leaky.write_text("import os\nprint(os.environ['GH_TOKEN'])\n")
    monkeypatch.setattr(interpreter, "MAX_STEPS_PER_MODULE", 300)
    packs = load_packs()
    result = scan([big, leaky], packs, [r.id for r in packs.rules], root=tmp_path)
    assert [(e.path.rsplit("/", 1)[-1], e.kind) for e in result.errors] == [
        ("generated.py", "budget")
    ]
    assert "budget" in result.errors[0].message and "extend-exclude" in result.errors[0].message
    assert [(f.location.path.rsplit("/", 1)[-1], f.rule) for f in result.findings] == [
        ("app.py", "OBO501")
    ]


def test_a_declared_legacy_encoding_is_honoured(tmp_path):
    """PEP 263: a Latin-1 file that says so is analysed, not refused as invalid UTF-8."""
    from obolint.packs import load_packs
    from obolint.runner import scan

    legacy = tmp_path / "legacy.py"
    legacy.write_bytes(
        b"# -*- coding: latin-1 -*-\nimport os\nprint('cl\xe9', os.environ['GH_TOKEN'])\n"
    )
    undeclared = tmp_path / "undeclared.py"
    undeclared.write_bytes(b"import os\nprint('cl\xe9', os.environ['GH_TOKEN'])\n")
    packs = load_packs()
    result = scan([legacy, undeclared], packs, [r.id for r in packs.rules], root=tmp_path)
    assert [(f.location.path.rsplit("/", 1)[-1], f.location.line) for f in result.findings] == [
        ("legacy.py", 3)
    ]
    assert [(e.path.rsplit("/", 1)[-1], e.kind) for e in result.errors] == [
        ("undeclared.py", "encoding")
    ]
