"""Property: whatever Python program a file holds, a scan never raises and accounts for it.

Every generated file ends up analysed, skipped by the prefilter, or with a diagnostic, and no
diagnostic is an internal error (a bug in obolint). The programs come from a small grammar of
the code obolint cares about (credentials, requests, LLM clients, tools, routes) and, when
``hypothesmith`` is installed, from Python's whole grammar.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from obolint import runner
from obolint.packs import load_packs
from obolint.prefilter import Triggers

PACKS = load_packs()
ENABLED = [rule.id for rule in PACKS.rules]
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- a grammar of the code obolint reads ------------------------------------------------------

PRELUDE = """\
import json, logging, os
import requests
from flask import Flask, jsonify, request
from openai import OpenAI
from langchain_core.tools import tool

app = Flask(__name__)
client = OpenAI()
"""

NAMES = st.sampled_from(
    ["token", "api_key", "password", "user", "data", "headers", "resp", "msg", "x", "self"]
)
SOURCES = st.sampled_from(
    [
        'request.headers["Authorization"]',
        'request.headers.get("Authorization")',
        'os.environ["OPENAI_API_KEY"]',
        "get_access_token()",
        'event["headers"]["authorization"]',
    ]
)
LITERALS = st.sampled_from(['"sk-live-123"', '"Bearer "', "1", "None", "[]", "{}", "b'x'", "..."])
CALLEES = st.sampled_from(
    [
        "requests.get",
        "requests.post",
        "client.chat.completions.create",
        "str",
        "len",
        "dict",
        "json.dumps",
        "logging.info",
        "print",
        "jsonify",
        "handler",
        "helper",
        "os.environ.get",
        "session.headers.update",
    ]
)
KEYWORDS = st.sampled_from(["headers", "messages", "auth", "input", "content", "json", "params"])
ATTRIBUTES = st.sampled_from(["token", "headers", "text", "access_token", "content", "json()"])
# Attributes that can be assigned to (``x.json() = v`` is not Python).
TARGET_ATTRIBUTES = st.sampled_from(["token", "headers", "text", "access_token", "content"])
STRING_LITERALS = st.sampled_from(['"sk-live-123"', '"Bearer "', "', '"])


def _call(callee: str, args: list[str], kwargs: list[str]) -> str:
    return f"{callee}({', '.join([*args, *kwargs])})"


def _fstring(expression: str) -> str:
    """``f"Bearer {expression}"`` with quotes the expression does not use (nested f-strings
    may not reuse their quotes before Python 3.12)."""
    for quote in ("'", '"', "'''", '"""'):
        if quote[0] not in expression:
            # Spaces keep a dict display's braces from reading as ``{{`` / ``}}`` escapes.
            return f"f{quote}Bearer {{ {expression} }}{quote}"
    return f'"Bearer " + ({expression})'


def _extend_expression(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    # Operands are parenthesised where a literal would otherwise change the token
    # (``1.token`` is a malformed float, ``(1).token`` an attribute).
    return st.one_of(
        st.builds("({}).{}".format, inner, ATTRIBUTES),
        st.builds("{}[{}]".format, inner, st.one_of(LITERALS, NAMES)),
        st.builds(
            _call,
            CALLEES,
            st.lists(inner, max_size=3),
            st.lists(st.builds("{}={}".format, KEYWORDS, inner), max_size=2),
        ),
        st.builds("{} + {}".format, inner, inner),
        st.builds("{} % {}".format, LITERALS, inner),
        st.builds(_fstring, inner),
        st.builds(lambda k, v: f"{{{k}: {v}}}", st.one_of(LITERALS, KEYWORDS.map(repr)), inner),
        st.builds(lambda items: f"[{', '.join(items)}]", st.lists(inner, max_size=3)),
        st.builds("({} if {} else {})".format, inner, inner, inner),
        st.builds("[x for x in {}]".format, inner),
        st.builds("(lambda: {})".format, inner),
        st.builds("({} := {})".format, NAMES, inner),
        st.builds("await ({})".format, inner),
        st.builds("{}.join({})".format, STRING_LITERALS, inner),
    )


EXPRESSIONS = st.recursive(st.one_of(NAMES, SOURCES, LITERALS), _extend_expression, max_leaves=8)

DECORATORS = st.sampled_from(
    ["@app.get('/x')", "@app.route('/x')", "@tool", "@mcp.tool()", "@staticmethod", "@property"]
)
PARAMETERS = st.sampled_from(
    ["token", "api_key: str", "request", "self", "user_id: int", "x=token", "*args", "**kw"]
)
SIMPLE_STATEMENTS = st.one_of(
    st.builds("{} = {}".format, NAMES, EXPRESSIONS),
    st.builds("{} += {}".format, NAMES, EXPRESSIONS),
    st.builds("{}[{}] = {}".format, NAMES, LITERALS, EXPRESSIONS),
    st.builds("{}.{} = {}".format, NAMES, TARGET_ATTRIBUTES, EXPRESSIONS),
    EXPRESSIONS,
    st.builds("return {}".format, EXPRESSIONS),
    st.builds("yield {}".format, EXPRESSIONS),
    st.builds("raise ValueError({})".format, EXPRESSIONS),
    st.sampled_from(["pass", "import requests", "global token", "del token", "break", "continue"]),
).map(lambda line: [line])


def _indent(statements: list[list[str]]) -> list[str]:
    return ["    " + line for statement in statements for line in statement]


def _parameter_order(param: str) -> int:
    """Plain parameters, then defaults, then ``*args``, then ``**kw`` (Python's order)."""
    return 3 if param.startswith("**") else 2 if param.startswith("*") else int("=" in param)


def _function(decorators: list[str], name: str, params: list[str], body: list[str], asyn: bool):
    params = sorted(params, key=_parameter_order)
    return [*decorators, f"{'async ' if asyn else ''}def {name}({', '.join(params)}):", *body]


def _extend_statement(inner: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    block = st.lists(inner, min_size=1, max_size=4).map(_indent)
    return st.one_of(
        st.builds(lambda t, b, e: [f"if {t}:", *b, "else:", *e], EXPRESSIONS, block, block),
        st.builds(lambda n, i, b: [f"for {n} in {i}:", *b], NAMES, EXPRESSIONS, block),
        st.builds(lambda t, b: [f"while {t}:", *b], EXPRESSIONS, block),
        st.builds(lambda e, n, b: [f"with {e} as {n}:", *b], EXPRESSIONS, NAMES, block),
        st.builds(lambda b, h: ["try:", *b, "except Exception as exc:", *h], block, block),
        st.builds(
            _function,
            st.lists(DECORATORS, max_size=2),
            st.sampled_from(["handler", "helper", "search", "__init__"]),
            st.lists(PARAMETERS, max_size=3, unique=True),
            block,
            st.booleans(),
        ),
        st.builds(
            lambda name, base, b: [f"class {name}({base}):", *b],
            st.sampled_from(["Agent", "Settings"]),
            st.sampled_from(["", "BaseTool", "BaseModel"]),
            block,
        ),
        st.builds(
            lambda e, b: (
                [f"match {e}:", "    case {'token': t}:", *_indent([b]), "    case _:"]
                + ["        pass"]
            ),
            EXPRESSIONS,
            block,
        ),
    )


STATEMENTS = st.recursive(SIMPLE_STATEMENTS, _extend_statement, max_leaves=12)
PROGRAMS = st.lists(STATEMENTS, min_size=1, max_size=8).map(
    lambda statements: PRELUDE + "".join(line + "\n" for s in statements for line in s)
)


# --- the property ----------------------------------------------------------------------------


@pytest.fixture
def check_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Scan one file holding a program and check that it is accounted for, without a bug;
    with ``analysed=True``, that it was analysed (the program is valid Python)."""
    # Analyse every file, even those without a trigger word: the engine is under test.
    monkeypatch.setattr(runner, "triggers", lambda packs: Triggers([""]))
    path = tmp_path / "generated.py"

    def check(source: str, analysed: bool = False) -> None:
        path.write_bytes(source.encode("utf-8", "surrogatepass"))
        result = runner.scan([path], PACKS, ENABLED, root=tmp_path)
        internal = [e for e in result.errors if e.kind == "internal"]
        assert not internal, f"{internal}\n--- program:\n{source}"
        failed = {error.path for error in result.errors}
        assert len(failed) + result.stats["files_analyzed"] == 1, (result.errors, result.stats)
        if analysed:
            assert result.stats["files_analyzed"] == 1, f"{result.errors}\n--- program:\n{source}"

    return check


def test_programs_of_credential_code_never_break_a_scan(check_scan) -> None:
    @SETTINGS
    @given(PROGRAMS)
    def property_holds(source: str) -> None:
        # The grammar writes valid Python only, so the engine itself runs on every program.
        check_scan(source, analysed=True)

    property_holds()


# hypothesmith compiles what it generates; CPython's warnings about that code are noise here.
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_programs_from_the_python_grammar_never_break_a_scan(check_scan) -> None:
    hypothesmith = pytest.importorskip("hypothesmith")

    @settings(SETTINGS, max_examples=100, suppress_health_check=list(HealthCheck))
    @given(hypothesmith.from_grammar())
    def property_holds(source: str) -> None:
        check_scan(source)

    property_holds()


@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_programs_from_libcst_trees_never_break_a_scan(check_scan) -> None:
    hypothesmith = pytest.importorskip("hypothesmith")

    @settings(SETTINGS, max_examples=50, suppress_health_check=list(HealthCheck))
    @given(hypothesmith.from_node())
    def property_holds(source: str) -> None:
        check_scan(source)

    property_holds()
