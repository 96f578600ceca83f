"""Rule packs: the built-in packs load, ship inside the wheel, and bad packs fail clearly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from obolint.packs import PackError, load_packs

ROOT = Path(__file__).resolve().parent.parent


def test_builtin_packs_define_all_twelve_rules():
    packs = load_packs()
    assert [r.id for r in packs.rules] == [
        "OBO101",
        "OBO102",
        "OBO201",
        "OBO202",
        "OBO203",
        "OBO301",
        "OBO302",
        "OBO303",
        "OBO304",
        "OBO401",
        "OBO402",
        "OBO501",
    ]
    assert packs.rule("OBO401").requires == frozenset({"inbound"})
    assert all(r.requires == frozenset({"credential"}) for r in packs.rules if r.id != "OBO401")
    assert packs.call_sinks and packs.tools and packs.exchanges


def test_engine_names_no_library():
    """Library facts belong in rules/*.toml; the engine stays generic."""
    engine = "\n".join(p.read_text() for p in (ROOT / "obolint" / "taint").glob("*.py"))
    pack_readers = [
        ROOT / "obolint" / name for name in ("packs.py", "patterns.py", "prefilter.py", "reach.py")
    ]
    code = "\n".join([engine, *(p.read_text() for p in pack_readers)])
    for library in (
        "openai",
        "langchain",
        "flask",
        "fastapi",
        "requests",
        "msal",
        "httpx",
        "tornado",
        "falcon",
        "litestar",
    ):
        assert library not in code.lower(), library
    for library in (
        "mcp",
        "adk",
        "pydantic",
        "secretstr",
        "llamaindex",
        "haystack",
        "autogen",
        "google",
    ):
        assert not re.search(rf"\b{library}\b", code, re.IGNORECASE), library
    # Nor any rule: which rule a sink or a tool breaks, and its message, are pack data.
    assert not re.search(r"OBO\d{3}\b", re.sub(r"#.*", "", engine))


RULE_ENTRY = """\
[[rule]]
id = "ACME901"
name = "acme-tool-secret"
severity = "error"
cwe = 522
requires = ["credential"]
summary = "s"
fix = "Use Acme's vault."
security-severity = "8.0"
precision = "high"
what = "w"
why = "y"
example = "e"
use-instead = "u"
references = []
"""


def write_pack(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[call-sink]]\nrule = 'OBO101'\ncalls = 'acme.ask'\n", "missing the key 'args'"),
        ("[[call-sink]]\nrule = 'OBO999'\ncalls = ['a']\nargs = ['0']\nnote = 'n'\n", "OBO999"),
        (
            "[[call-sink]]\nrule = 'OBO101'\ncalls = ['a']\nargs = ['0']\nnote = 'n'\nfoo = 1\n",
            "unknown key(s) ['foo']",
        ),
        ("[[call-source]]\ncalls = ['a']\nlabels = ['secretish']\nnote = 'n'\n", "unknown label"),
        (
            "[[call-source]]\ncalls = 5\nlabels = ['credential']\nnote = 'n'\n",
            "call-source[0].calls must be a list of strings",
        ),
        ("[[sinks]]\n", "unknown table 'sinks'"),
        (
            "[[read-source]]\ncontainers = ['x']\nkey-pattern = '('\nlabels = ['credential']\n"
            "note = 'n'\n",
            "not a valid regular expression",
        ),
        ("this is = = not toml", "invalid TOML"),
        (
            "[[tool]]\nframework = 'Acme'\nrule = 'OBO999'\ndecorators = ['acme.tool']\n"
            "fix = 'f'\n",
            "a sink or tool names rule 'OBO999'",
        ),
        (
            RULE_ENTRY + "message = 'Leak of {secret} at {sink}'\n",
            "rule[0].message must be a template using only {kind}, {source_line}",
        ),
        (RULE_ENTRY + "message = '{source_line:s} {sink}'\n", "rule[0].message must be"),
        (RULE_ENTRY + "message = '{kind.upper} {sink}'\n", "rule[0].message must be"),
        (
            "[[exchange]]\ncalls = ['acme.post']\nconstant-key = 'grant_type'\nnote = 'n'\n",
            "exchange[0].constant-key needs `requires-constant`",
        ),
        (
            "[[call-sink]]\nrule = 'OBO301'\ncalls = ['acme.send']\nargs = ['0']\nnote = 'n'\n"
            "markup-rule = 'OBO999'\nmarkup-note = 'page'\n",
            "a sink or tool names rule 'OBO999'",
        ),
    ],
)
def test_bad_user_pack_names_file_and_key(tmp_path, text, expected):
    pack = write_pack(tmp_path, text)
    with pytest.raises(PackError) as info:
        load_packs([pack])
    assert str(pack) in str(info.value) or "OBO999" in str(info.value)
    assert expected in str(info.value)


def acme_findings(tmp_path: Path, pack: Path, *calls: str) -> list[tuple[str, int]]:
    """(rule, line) of the OBO101 findings in a file that reads an API key (line 5), then
    makes ``calls`` on an Acme client (from line 6), scanned with ``pack``."""
    from obolint.runner import scan

    code = tmp_path / "svc.py"
    code.write_text(
        "import os\nimport acme_llm\n\n"
        "client = acme_llm.Client()\n"
        "key = os.environ['ACME_API_KEY']\n" + "".join(f"{call}\n" for call in calls)
    )
    result = scan([code], load_packs([pack]), ["OBO101"], root=tmp_path)
    return [(f.rule, f.location.line) for f in result.findings]


def test_user_pack_teaches_an_inhouse_sdk(tmp_path, monkeypatch):
    pack = write_pack(
        tmp_path,
        """\
        [[call-sink]]
        rule = "OBO101"
        calls = ["acme_llm.Client().ask"]
        args = ["0:prompt", "prompt"]
        note = "sent to the Acme model"
        """,
    )
    assert acme_findings(tmp_path, pack, "client.ask(prompt=f'use {key}')") == [("OBO101", 6)]
    assert load_packs().digest != load_packs([pack]).digest


def test_a_sink_with_both_a_key_pattern_and_excluded_keys_reads_the_keys_left(tmp_path):
    # Only `auth_*` entries count, and `auth_hint` does not.
    pack = write_pack(
        tmp_path,
        """\
        [[call-sink]]
        rule = "OBO101"
        calls = ["acme_llm.Client().ask"]
        args = ["payload"]
        key-pattern = "^auth_"
        exclude-keys = ["auth_hint"]
        note = "sent to the Acme model"
        """,
    )
    calls = (
        "client.ask(payload={'auth_key': key})",
        "client.ask(payload={'auth_hint': key, 'query': key})",
    )
    assert acme_findings(tmp_path, pack, *calls) == [("OBO101", 6)]


def test_a_user_pack_tool_breaks_its_own_rule_with_its_own_message(tmp_path):
    pack = write_pack(
        tmp_path,
        RULE_ENTRY
        + """\
message = "Acme tool `{tool}()`: {sink}. {fix}"

[[tool]]
framework = "Acme agents"
rule = "ACME901"
decorators = ["acme_agents.tool"]
fix = "Read it from acme_agents.Context."
""",
    )
    code = tmp_path / "tools.py"
    code.write_text(
        "import acme_agents\n\n\n@acme_agents.tool\ndef refund(order_id: str, api_key: str):\n"
        "    return order_id\n"
    )
    from obolint.runner import scan

    packs = load_packs([pack])
    result = scan([code], packs, ["ACME901", "OBO201"], root=tmp_path)
    assert [(f.rule, f.location.line, f.message) for f in result.findings] == [
        (
            "ACME901",
            5,
            "Acme tool `refund()`: parameter `api_key` of tool `refund()` is filled in by the "
            "model. Read it from acme_agents.Context.",
        )
    ]


def test_wheel_ships_the_packs_and_scans_from_an_empty_directory(tmp_path):
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheel_dir.glob("obolint-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "obolint/rules/web.toml" in names and "obolint/rules/rules.toml" in names
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "leak.py").write_text(
        "import os\nfrom openai import OpenAI\n"
        "OpenAI().chat.completions.create(model='m', messages=[os.environ['GH_TOKEN']])\n"
    )
    env = {
        "PYTHONPATH": str(target),
        "NO_COLOR": "1",
        "PATH": "/usr/bin:/bin",
        "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],  # the tests' own (see conftest)
    }
    proc = subprocess.run(
        [sys.executable, "-s", "-m", "obolint", "check", "--format", "concise", "leak.py"],
        cwd=empty,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("leak.py:3:")
    # The module came from the wheel, not from the source tree.
    where = subprocess.run(
        [sys.executable, "-s", "-c", "import obolint; print(obolint.__file__)"],
        cwd=empty,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert where.stdout.strip().startswith(str(target))
