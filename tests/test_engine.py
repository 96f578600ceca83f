"""Engine policies that fixtures alone do not pin down: unknown calls, recursion, subsets."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from obolint.packs import load_packs
from obolint.runner import scan

PACKS = load_packs()
ALL = [r.id for r in PACKS.rules]
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

PREAMBLE = """\
import json, os
from openai import OpenAI
client = OpenAI()
key = os.environ["CRM_API_KEY"]
"""


def findings(tmp_path: Path, body: str) -> list[tuple[int, str]]:
    path = tmp_path / "mod.py"
    path.write_text(PREAMBLE + textwrap.dedent(body))
    result = scan([path], PACKS, ALL, root=tmp_path)
    assert not result.errors, result.errors
    return [(f.location.line - PREAMBLE.count("\n"), f.rule) for f in result.findings]


def send(expr: str) -> str:
    return f"client.chat.completions.create(model='m', messages=[{expr}])\n"


@pytest.mark.parametrize(
    ("code", "leaks"),
    [
        # Propagators the packs list: string building, containers, encoders.
        ("x = str(key)\n" + send("x"), True),
        ("x = json.dumps({'k': key})\n" + send("x"), True),
        ("x = ' '.join(['a', key])\n" + send("x"), True),
        ("x = '%s' % key\n" + send("x"), True),
        ("x = '{}'.format(key)\n" + send("x"), True),
        ("x = key[7:].strip()\n" + send("x"), True),
        ("x = [k for k in [key]]\n" + send("x"), True),
        ("x = BearerAuth(key)\n" + send("x"), True),  # a credential wrapper holds it
        ("x = UserMessage(key)\n" + send("x"), True),  # so does a message value
        ("x = ValueError(f'bad {key}')\n" + send("x"), True),  # and an exception message
        ("x = SearchClient(api_key=key)\n" + send("x"), False),  # a client does not
        # Unknown calls do not propagate (a documented, conservative choice).
        ("x = mystery(key)\n" + send("x"), False),
        ("x = key.some_unknown_method()\n" + send("x"), False),
        # Stoppers: sizes, booleans, comparisons, hashes, HTTP responses, decoded claims.
        ("x = len(key)\n" + send("x"), False),
        ("x = bool(key)\n" + send("x"), False),
        ("x = key == 'a'\n" + send("x"), False),
        ("import hashlib\nx = hashlib.sha256(key.encode()).hexdigest()\n" + send("x"), False),
        ("import requests\nx = requests.get('u', headers={'a': key}).text\n" + send("x"), False),
        ("import jwt\nx = jwt.decode(key, 's', algorithms=['HS256'])\n" + send("x"), False),
        ("x = key.startswith('sk-')\n" + send("x"), False),
        # Rebinding clears; a branch joins.
        ("x = key\nx = 'hello'\n" + send("x"), False),
        ("x = 'a'\nif len(key) > 3:\n    x = key\n" + send("x"), True),
    ],
)
def test_propagation_policy(tmp_path, code, leaks):
    result = findings(tmp_path, code)
    assert bool(result) is leaks, result


def test_recursion_and_cycles_terminate(tmp_path):
    result = findings(
        tmp_path,
        """\
        def ping(x, n):
            return pong(x, n - 1) if n else x

        def pong(x, n):
            return ping(x, n - 1)

        def loop(x):
            return loop(x)

        out = ping(key, 3)
        """
        + send("out"),
    )
    assert result == [(11, "OBO101")]


def test_one_finding_per_sink_even_with_many_paths(tmp_path):
    result = findings(
        tmp_path,
        """\
        a = key
        b = key + "x"
        c = a if len(b) else b
        """
        + send("c, a, b"),
    )
    assert result == [(4, "OBO101")]


def test_scanning_one_file_reads_its_imports_for_summaries(tmp_path):
    project = tmp_path / "fixtures"
    shutil.copytree(FIXTURES / "projects", project / "projects")
    routes = project / "projects" / "support_bot" / "api" / "routes.py"
    result = scan([routes], PACKS, ALL, root=project)
    located = sorted((Path(f.location.path).name, f.rule) for f in result.findings)
    assert located == [("crm.py", "OBO401"), ("prompts.py", "OBO101")]
    assert result.stats["context_files"] >= 4
    # Every reported flow passes through the scanned file.
    for finding in result.findings:
        assert any(step.location.path.endswith("routes.py") for step in finding.trace)


def test_context_modules_are_not_reported_on_their_own(tmp_path):
    project = tmp_path / "fixtures"
    shutil.copytree(FIXTURES / "projects", project / "projects")
    init = project / "projects" / "support_bot" / "__init__.py"
    result = scan([init], PACKS, ALL, root=project)
    assert result.findings == []
    # A context module that is read (its function's name mentions a credential) and leaks on
    # its own: the leak is in no scanned file and on no path through one.
    (tmp_path / "vault.py").write_text(
        "import logging\nimport os\n\ndef get_token():\n"
        "    value = os.environ['API_TOKEN']\n    logging.info(value)\n    return 'ok'\n"
    )
    app = tmp_path / "app.py"
    app.write_text("from vault import get_token\n\nstatus = get_token()\n")
    result = scan([app], PACKS, ALL, root=tmp_path)
    assert result.stats["context_files"] == 1
    assert result.findings == []
    alone = scan([tmp_path / "vault.py"], PACKS, ALL, root=tmp_path)
    assert [(f.rule, f.location.line) for f in alone.findings] == [("OBO501", 6)]


def test_prefilter_skips_files_without_trigger_words_but_keeps_them_for_context(tmp_path):
    (tmp_path / "textutil.py").write_text("def glue(a, b):\n    return a + ' ' + b\n")
    (tmp_path / "maths.py").write_text("def add(a, b):\n    return a + b\n")
    app = tmp_path / "app.py"
    app.write_text(
        "import os\nfrom openai import OpenAI\nfrom textutil import glue\n"
        "prompt = glue('hi', os.environ['CRM_TOKEN'])\n"
        "OpenAI().chat.completions.create(model='m', messages=[prompt])\n"
    )
    result = scan(sorted(tmp_path.glob("*.py")), PACKS, ALL, root=tmp_path)
    assert result.stats["files_skipped_prefilter"] == 2
    assert result.stats["context_files"] == 1  # textutil.py, read for glue()'s summary
    assert [(Path(f.location.path).name, f.location.line) for f in result.findings] == [
        ("app.py", 5)
    ]


@pytest.mark.parametrize(
    ("argument", "context_files", "sinks"),
    [
        # Only a parameter reaches the helpers: their modules are never parsed.
        ("value", 0, []),
        # A real credential reaches them: each module of the chain is parsed in turn.
        ("os.environ['API_TOKEN']", 2, [("emitter.py", "OBO501")]),
    ],
)
def test_helper_modules_are_parsed_once_a_credential_reaches_them(
    tmp_path, argument, context_files, sinks
):
    (tmp_path / "relay.py").write_text(
        "from emitter import emit\n\ndef forward(kind, value):\n    emit(f'{kind}: {value}')\n"
    )
    (tmp_path / "emitter.py").write_text(
        "import logging\n\ndef emit(message):\n    logging.info(message)\n"
    )
    app = tmp_path / "app.py"
    app.write_text(
        "# handles the session token\nimport os\nfrom relay import forward\n\n"
        f"def handler(value):\n    forward('sync', {argument})\n"
    )
    result = scan([app], PACKS, ALL, root=tmp_path)
    assert result.stats["context_files"] == context_files
    assert [(Path(f.location.path).name, f.rule) for f in result.findings] == sinks


def test_a_generic_name_alone_does_not_cross_files_but_a_specific_name_and_a_real_source_do(
    tmp_path,
):
    # `token` also names checkout ids and records: evidence only where it is written. A
    # specific name (`password`) and a real source are credentials in every module. One helper
    # each: a sink is reported once, for the first flow that reaches it.
    helpers = "".join(f"def log_{n}(value):\n    print(value)\n\n\n" for n in ("a", "b", "c"))
    (tmp_path / "lib.py").write_text(helpers)
    (tmp_path / "named.py").write_text(
        "from lib import log_a\n\ndef check(order):\n    token = order.token\n    log_a(token)\n"
    )
    (tmp_path / "specific.py").write_text(
        "from lib import log_b\n\ndef check(password):\n    log_b(password)\n"
    )
    (tmp_path / "real.py").write_text(
        "import os\nfrom lib import log_c\nlog_c(os.environ['GH_TOKEN'])\n"
    )
    result = scan(sorted(tmp_path.glob("*.py")), PACKS, ALL, root=tmp_path)
    found = sorted((f.location.line, Path(f.trace[0].location.path).name) for f in result.findings)
    assert found == [(6, "specific.py"), (10, "real.py")]
    assert {(Path(f.location.path).name, f.rule) for f in result.findings} == {("lib.py", "OBO501")}


def test_a_name_does_not_cross_files_from_a_test_nor_into_another_files_exception_message(
    tmp_path,
):
    # A test's `api_key = "sk-..."` passed into the code under test, and a helper of another
    # file that raises with what it was given (an id decoder), are no leaks by the name alone;
    # the same helper given a real source is.
    (tmp_path / "lib.py").write_text(
        "def log_it(value):\n    print(value)\n\n\n"
        "def decode(value):\n    raise ValueError(f'cannot decode {value}')\n\n\n"
        "def decode_env(value):\n    raise ValueError(f'cannot decode {value}')\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_lib.py").write_text(
        "from lib import log_it\n\ndef test_it():\n    api_key = 'sk-test-0123456789abcdef'\n"
        "    log_it(api_key)\n"
    )
    (tmp_path / "views.py").write_text(
        "import os\nfrom lib import decode, decode_env\n\n"
        "def view(profile):\n    decode(profile.api_key)\n"
        "\ndef other():\n    decode_env(os.environ['GH_TOKEN'])\n"
    )
    result = scan(
        [tmp_path / "lib.py", tmp_path / "tests" / "test_lib.py", tmp_path / "views.py"],
        PACKS,
        ALL,
        root=tmp_path,
    )
    found = [(f.location.line, f.trace[0].note) for f in result.findings]
    assert found == [(10, "secret read from the environment (`os.environ['GH_TOKEN']`)")]


def test_a_helper_waiting_for_a_module_another_caller_loaded_still_sees_it(tmp_path):
    (tmp_path / "relay1.py").write_text("from emitter import emit1\n\ndef f1(v):\n    emit1(v)\n")
    (tmp_path / "relay2.py").write_text("from emitter import emit2\n\ndef f2(v):\n    emit2(v)\n")
    (tmp_path / "emitter.py").write_text(
        "import logging\n\ndef emit1(m):\n    logging.info(m)\n\n"
        "def emit2(m):\n    logging.warning(m)\n"
    )
    app = tmp_path / "app.py"
    app.write_text(
        "import os\nfrom relay1 import f1\nfrom relay2 import f2\n\ndef h():\n"
        "    f1(os.environ['API_TOKEN'])\n    f2(os.environ['GH_TOKEN'])\n"
    )
    result = scan([app], PACKS, ALL, root=tmp_path)
    assert sorted((Path(f.location.path).name, f.location.line) for f in result.findings) == [
        ("emitter.py", 4),
        ("emitter.py", 7),
    ]


def _scan_sources(tmp_path: Path, sources: dict[str, str], scanned: tuple[str, ...] = ()):
    """Write ``sources`` (file name -> text) and scan those named in ``scanned`` (default:
    all of them); the scan has no file errors."""
    for name, text in sources.items():
        (tmp_path / name).write_text(text)
    paths = [tmp_path / name for name in (scanned or tuple(sources))]
    result = scan(paths, PACKS, ALL, root=tmp_path)
    assert not result.errors, result.errors
    return result


def _findings_of_app_using_a_helper_module(tmp_path: Path, globals_and_use: str) -> list:
    """Scan app.py, which imports bearer() from helpers.py (read on demand, so its summary is
    known only after the first round), with these module globals and functions."""
    app = "import logging\nimport os\nfrom helpers import bearer\n\n" + globals_and_use
    helpers = "def bearer(v):\n    return 'Bearer ' + v\n"
    result = _scan_sources(tmp_path, {"app.py": app, "helpers.py": helpers}, ("app.py",))
    return [(f.rule, f.location.line) for f in result.findings]


def test_functions_see_a_module_global_whose_per_key_value_changed(tmp_path):
    # CFG["header"] is tainted only once helpers.py is loaded (second round); the set of
    # flows on CFG as a whole does not change, only the value under one key.
    found = _findings_of_app_using_a_helper_module(
        tmp_path,
        "TOKEN = os.environ['API_TOKEN']\n"
        "CFG = {'token': TOKEN, 'header': bearer(TOKEN)}\n\n"
        "def use():\n    logging.info(CFG['header'])\n",
    )
    assert found == [("OBO501", 9)]


def test_a_function_sees_a_module_global_that_changes_in_a_later_round(tmp_path):
    # HEADER is tainted only once helpers.py is loaded (after the first round): use() read
    # it in the first round and must run again, though nothing else it reads changed.
    found = _findings_of_app_using_a_helper_module(
        tmp_path,
        "HEADER = bearer(os.environ['API_TOKEN'])\n\ndef use():\n    logging.info(HEADER)\n",
    )
    assert found == [("OBO501", 8)]


def _count_function_runs(monkeypatch) -> dict[str, int]:
    """How many times each function is interpreted during the scans that follow."""
    from obolint.taint.interpreter import FunctionInterpreter

    runs: dict[str, int] = {}
    original = FunctionInterpreter.run_function

    def counted(self):
        runs[self.info.name] = runs.get(self.info.name, 0) + 1
        return original(self)

    monkeypatch.setattr(FunctionInterpreter, "run_function", counted)
    return runs


def test_a_callee_is_interpreted_before_its_caller_reads_its_summary(tmp_path, monkeypatch):
    # In name order the callers come first; each still runs once, after its callee.
    runs = _count_function_runs(monkeypatch)
    chain = (
        "import logging\nimport os\n\n"
        "def a_entry():\n    b_middle(os.environ['API_TOKEN'])\n\n"
        "def b_middle(value):\n    c_leaf('Bearer ' + value)\n\n"
        "def c_leaf(header):\n    logging.info(header)\n"
    )
    result = _scan_sources(tmp_path, {"chain.py": chain})
    assert [(f.rule, f.location.line) for f in result.findings] == [("OBO501", 11)]
    assert runs == {"a_entry": 1, "b_middle": 1, "c_leaf": 1}


def _findings_beside_a_config_read_on_demand(tmp_path: Path, reader: str) -> list:
    """Scan a.py and b.py (``reader``): cfg.py, whose global HEADER holds a credential, is read
    on demand once a.py's go() passes it one. (rule, file name, line) of each finding."""
    sources = {
        "cfg.py": "import os\nHEADER = 'Bearer ' + os.environ['API_TOKEN']\n\n"
        "def make(v):\n    return v\n",
        "a.py": "import os\nfrom cfg import make\n\ndef go():\n    make(os.environ['API_TOKEN'])\n",
        "b.py": reader,
    }
    result = _scan_sources(tmp_path, sources, ("a.py", "b.py"))
    return [(f.rule, Path(f.location.path).name, f.location.line) for f in result.findings]


def test_a_module_loaded_on_demand_defines_its_globals_before_the_next_unit_runs(
    tmp_path, monkeypatch
):
    # cfg.py is read on demand while a.py's go() runs, and its body runs then: use() in b.py,
    # interpreted after go(), finds cfg.HEADER at once instead of running again once the
    # next round has run cfg.py's body.
    runs = _count_function_runs(monkeypatch)
    # A trigger word in use(): analysed from the first round, not left out (obolint.outline).
    reader = "import logging\nimport cfg\n\ndef use():\n"
    reader += "    logging.info('Authorization: %s', cfg.HEADER)\n"
    assert _findings_beside_a_config_read_on_demand(tmp_path, reader) == [("OBO501", "b.py", 5)]
    assert runs["use"] == 1


def test_a_module_body_run_at_load_runs_no_function_of_the_loading_module_ahead(
    tmp_path, monkeypatch
):
    # cfg.py, loaded while a.py's f() runs, calls a.g() in its body. g() must not run ahead
    # from inside cfg.py's body: an error in it is a.py's (its findings withheld), not cfg.py's.
    from obolint.taint.interpreter import FunctionInterpreter

    original = FunctionInterpreter.run_function

    def failing_g(self):
        if self.info.name == "g":
            raise ValueError("an error interpreting g")
        return original(self)

    monkeypatch.setattr(FunctionInterpreter, "run_function", failing_g)
    (tmp_path / "cfg.py").write_text("import a\nX = a.g()\n\ndef make(v):\n    return v\n")
    (tmp_path / "a.py").write_text(
        "import logging\nimport os\nfrom cfg import make\n\n"
        "def f():\n    make(os.environ['API_TOKEN'])\n\n"
        "def g():\n    return os.environ.get('API_TOKEN')\n\n"
        "def h():\n    logging.info('k %s', os.environ['API_TOKEN'])\n"
    )
    result = scan([tmp_path / "a.py"], PACKS, ALL, root=tmp_path)
    assert [Path(e.path).name for e in result.errors] == ["a.py"]
    assert result.findings == []


def test_a_call_chain_deeper_than_the_run_ahead_limit_is_still_followed(tmp_path):
    from obolint.taint.project import MAX_RUN_AHEAD

    depth = 3 * MAX_RUN_AHEAD
    # f00 calls f01 ... calls the last, which logs its parameter: callers first in name order.
    body = ["import logging", "import os", ""]
    for n in range(depth):
        call = f"f{n + 1:02}(value)" if n + 1 < depth else "logging.info(value)"
        body += [f"def f{n:02}(value):", f"    {call}", ""]
    body += ["def main():", "    f00(os.environ['API_TOKEN'])", ""]
    result = _scan_sources(tmp_path, {"deep.py": "\n".join(body)})
    assert [(f.rule, f.location.line) for f in result.findings] == [("OBO501", 3 * depth + 2)]


def test_a_module_global_that_appears_later_reaches_its_reader_in_another_module(tmp_path):
    # cfg.py is read on demand (a.py passes it a credential); b.py, with no trigger word but
    # in a comment, is analysed only once it is found to name cfg's HEADER (obolint.reach).
    reader = "# Logs the bearer header of the config module.\nimport logging\n"
    reader += "from cfg import HEADER\n\ndef use():\n    logging.info(HEADER)\n"
    assert _findings_beside_a_config_read_on_demand(tmp_path, reader) == [("OBO501", "b.py", 6)]
