"""Top-level definitions that no flow can reach are left out of the parse, and put back when
something names them."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import libcst
import pytest
from clirun import run
from libcst.metadata import MetadataWrapper, PositionProvider

from obolint import analysis, outline
from obolint.cache import content_hash
from obolint.outline import (
    blanked,
    definitions_to_leave_out,
    fragment,
    left_out_of,
    top_level_definitions,
)
from obolint.packs import load_packs
from obolint.prefilter import triggers
from obolint.runner import scan

PACKS = load_packs()
PREFILTER = triggers(PACKS)


def _names(text: str) -> list[str]:
    return [d.name for d in top_level_definitions(textwrap.dedent(text))]


def test_definitions_start_at_the_margin_with_their_decorators():
    text = textwrap.dedent(
        """\
        import os

        @app.get(
            "/x",
        )
        @cached
        async def read(
            query: str,
        ) -> str:
            return query
        # a comment at the margin inside the body
            # more body
            return ""

        # a comment before the next statement is not the definition's
        class Store(
            Base,
        ):
            def get(self):
                return 1
        X = 1
        """
    )
    found = top_level_definitions(text)
    assert [d.name for d in found] == ["read", "Store"]
    read, store = found
    assert text[read.start :].startswith("@app.get(")
    assert text[read.start : read.end].endswith('    return ""\n')
    assert text[store.start : store.end].endswith("        return 1\n")


def test_a_definition_inside_a_triple_quoted_string_is_none():
    text = '''
PROMPT = """
def not_code():
    return 1
"""

def real():
    return PROMPT
'''
    assert _names(text) == ["real"]


def test_decorators_without_a_definition_and_other_statements_end_nothing_else():
    text = """
        @decorator
        x = 1

        def after():
            pass
        if True:
            def nested():
                pass
        """
    assert _names(text) == ["after"]


def test_a_definition_with_a_trigger_an_import_or_a_dunder_name_is_kept():
    text = textwrap.dedent(
        """\
        def uses_key(api_key):
            return api_key

        def imports_late():
            import json
            return json

        def __getattr__(name):
            return name

        def plain(rows):
            return len(rows)

        def prose(rows):
            \"\"\"Counts rows; the api_key is not needed here.\"\"\"
            return len(rows)
        """
    )
    assert [d.name for d in definitions_to_leave_out(text, PREFILTER)] == ["plain", "prose"]


def test_a_source_name_confirmed_elsewhere_in_the_file_keeps_the_definition():
    # `to_json` counts as a source only where the credentials class is named too: here in an
    # import, outside the definition.
    text = textwrap.dedent(
        """\
        from google.oauth2.credentials import Credentials

        def dump(result):
            log.info("%s", result.to_json())
        """
    )
    assert definitions_to_leave_out(text, PREFILTER) == []


def test_emptied_definitions_keep_every_line_end():
    text = "a = 1\r\ndef f():\r\n    return 2\r\n\r\nb = 3\n"
    (definition,) = top_level_definitions(text)
    result = blanked(text, [definition])
    assert result == "a = 1\r\n\r\n\r\n\r\nb = 3\n"
    assert result.splitlines()[4] == text.splitlines()[4]


def test_a_definition_named_in_another_file_or_outside_itself_is_kept(tmp_path: Path):
    first = textwrap.dedent(
        """\
        def uses_key(api_key):
            return helper(api_key)

        def helper(value):
            return value

        def alone():
            return alone_too()

        def alone_too():
            return 1
        """
    )
    second = "from first import lonely\n\ndef lonely():\n    return 2\n"
    files = [(tmp_path / "first.py", first), (tmp_path / "second.py", second)]
    texts, left_out = left_out_of(files, ["first", "second"], PREFILTER, 1)
    left = {e.path.name: [d.name for d, _ in e.definitions] for e in left_out.by_path.values()}
    # `helper` is called from a kept definition, `alone_too` from one left out: both are
    # named outside themselves. `lonely` is named by an import in its own file.
    assert left == {"first.py": ["alone"]}
    assert texts[1] == second
    assert texts[0].count("\n") == first.count("\n") and "def alone()" not in texts[0]


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def _findings(files: list[Path], root: Path, jobs: int = 1) -> list[tuple[str, str, int]]:
    result = scan(files, PACKS, [r.id for r in PACKS.rules], root=root, jobs=jobs)
    assert not result.errors, result.errors
    return sorted((f.rule, Path(f.location.path).name, f.location.line) for f in result.findings)


# `record` holds no trigger and no scanned file names it: it is left out of main.py's parse,
# until helper.py, read on demand for `forward` (a credential is passed to it), names it.
_MAIN = """\
    import logging

    from app import helper

    log = logging.getLogger(__name__)


    def entry(api_token: str) -> None:
        helper.forward(api_token)


    def record(value: str) -> None:
        log.info("value %s", value)
    """
_HELPER = """\
    from app.main import record


    def forward(value: str) -> None:
        record(value)
    """


def test_a_module_read_on_demand_puts_back_what_it_names(tmp_path: Path):
    main = _write(tmp_path, "app/main.py", _MAIN)
    _write(tmp_path, "app/__init__.py", "")
    _write(tmp_path, "app/helper.py", _HELPER)
    # Pre-commit passes only main.py: helper.py is read for its summaries.
    assert _findings([main], tmp_path) == [("OBO501", "main.py", 13)]


def test_a_file_named_before_it_is_added_gets_its_definitions_back_when_added(
    tmp_path: Path, monkeypatch
):
    # Analysed in two batches, `other.py` (which main.py does not import) first: its call
    # into helper.py reads helper.py, which names `record`, while main.py is still awaited.
    main = _write(tmp_path, "app/main.py", _MAIN)
    _write(tmp_path, "app/__init__.py", "")
    _write(tmp_path, "app/helper.py", _HELPER)
    other = _write(
        tmp_path,
        "app/aardvark.py",
        """\
        from app import helper


        def start(api_token: str) -> None:
            helper.forward(api_token)
        """,
    )
    monkeypatch.setattr(analysis, "MIN_FILES_FOR_BATCHES", 2)
    monkeypatch.setattr(analysis, "ANALYSIS_BATCHES", 2)
    batched = _findings([other, main], tmp_path, jobs=2)
    monkeypatch.setattr(analysis, "MIN_FILES_FOR_BATCHES", 10**9)
    assert batched == _findings([other, main], tmp_path, jobs=2)
    assert ("OBO501", "main.py", 13) in batched


@pytest.mark.parametrize("jobs", [1, 2])
def test_left_out_definitions_are_counted(tmp_path: Path, jobs: int):
    main = _write(tmp_path, "app/main.py", _MAIN.replace("helper.forward(api_token)", "pass"))
    result = scan([main], PACKS, [r.id for r in PACKS.rules], root=tmp_path, jobs=jobs)
    assert result.stats["definitions_skipped"] == 1
    assert result.findings == []


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_every_line_end_ends_a_line(line_end: str):
    text = line_end.join(["TOKEN = 1", "def first():", "    return 1", "print(TOKEN)", ""])
    (definition,) = top_level_definitions(text)
    assert (
        text[definition.start : definition.end] == f"def first():{line_end}    return 1{line_end}"
    )


def test_a_definition_named_since_the_last_scan_is_parsed_despite_the_parse_cache(
    tmp_path: Path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "app/__init__.py", "")
    _write(tmp_path, "app/main.py", _MAIN.replace("helper.forward(api_token)", "pass"))
    caller = "def go(api_token: str) -> None:\n    pass\n"
    _write(tmp_path, "app/caller.py", caller)
    first = run(".")
    assert first["findings"] == [] and first["stats"]["definitions_skipped"] == 1
    # main.py is unchanged, but its tree without `record` (in the parse cache) is no use now.
    names = "import os\n\nfrom app.main import record\n\n\n" + caller.replace(
        "pass", 'record(os.environ["SERVICE_API_KEY"])'
    )
    _write(tmp_path, "app/caller.py", names)
    second = run(".")
    assert second["stats"]["definitions_skipped"] == 0
    assert second["stats"]["files_parsed_from_cache"] == 0
    assert [(f["path"], f["line"]) for f in second["findings"]] == [("app/main.py", 13)]


def test_triple_quotes_inside_one_line_strings_open_no_string():
    # Paired as triple-quoted strings, the quotes in `fence` and `other` would make one
    # string of all between them, and `emit` part of `fence`.
    text = textwrap.dedent(
        """\
        def fence():
            return "x'''"


        def emit(value):
            log.info("v=%s", value)


        def other():
            return "y'''"
        """
    )
    assert [d.name for d in top_level_definitions(text)] == ["fence", "emit", "other"]


def test_a_string_continued_with_a_backslash_is_one_string():
    text = 'def f():\n    s = "abc\\\n" ; log.info(api_key) # "\n\nx = 1\n'
    (definition,) = top_level_definitions(text)
    assert text[definition.start : definition.end].endswith('# "\n')


def test_a_one_line_definition_after_a_comment_first_in_the_file():
    text = "# c\nimport os\nclass E(Exception): pass\nx = 1\n"
    (definition,) = top_level_definitions(text)
    assert text[definition.start : definition.end] == "class E(Exception): pass\n"


@pytest.mark.parametrize("before", ["x = 1\r", "x = 1\r\n", "x = 1\n"])
def test_emptying_never_joins_two_line_ends_into_one(before: str):
    text = before + "def unused():\n    return 1\r\ny = 2\n"
    (definition,) = top_level_definitions(text)
    result = blanked(text, [definition])
    assert len(result.splitlines()) == len(text.splitlines())
    assert result.splitlines()[-1] == "y = 2"


def test_a_definition_that_assigns_an_attribute_others_assign_is_kept():
    # Which object `self.out` holds is read from every `.out = ...` of the module: without
    # `configure`, the logger's calls would be sinks that the whole file does not have.
    text = textwrap.dedent(
        """\
        class Service:
            def __init__(self, api_key):
                self.out = logging.Logger("svc")

        def configure(thing):
            thing.out = None

        def unrelated(thing):
            thing.count += 1
        """
    )
    assert [d.name for d in definitions_to_leave_out(text, PREFILTER)] == ["unrelated"]


def test_a_definition_that_names_what_a_statement_with_a_trigger_binds_is_kept():
    text = textwrap.dedent(
        """\
        from app.security import bearer_auth as scheme
        from app.vault import Store as Plain
        gate: Header = APIKeyHeader(name="X-Service")

        def uses_scheme(value=Depends(scheme)):
            return value

        def uses_gate(value=Depends(gate)):
            return value

        def uses_plain():
            return Plain()
        """
    )
    assert [d.name for d in definitions_to_leave_out(text, PREFILTER)] == ["uses_plain"]


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_definitions_put_back_are_parsed_on_their_own_lines(line_end: str):
    lines = ["import os", "", "def first():", "    return 1", "X = 2", "class Second:", "    y = 3"]
    text = line_end.join(lines) + line_end
    files = [(Path("m.py"), text)]
    _, left_out = left_out_of(files, ["m"], PREFILTER, 1)
    (entry,) = left_out.by_path.values()
    module = libcst.parse_module(fragment(entry.definitions))
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    first, second = module.body
    assert (positions[first].start.line, positions[second].start.line) == (3, 6)
    assert positions[second.body.body[0]].start.line == 7


def test_definitions_that_do_not_parse_on_their_own_bring_the_whole_file_back(
    tmp_path: Path, monkeypatch
):
    # As if the text had been split wrongly: the file is parsed whole instead.
    main = _write(tmp_path, "app/main.py", _MAIN)
    _write(tmp_path, "app/__init__.py", "")
    _write(tmp_path, "app/helper.py", _HELPER)
    monkeypatch.setattr(analysis, "fragment", lambda definitions: "def (:\n")
    result = scan([main], PACKS, [r.id for r in PACKS.rules], root=tmp_path, jobs=1)
    assert [(f.rule, f.location.line) for f in result.findings] == [("OBO501", 13)]
    assert result.stats["definitions_skipped"] == 0 and not result.errors


def test_a_definition_python_does_not_parse_is_kept():
    # So that LibCST's parse of the whole file reports the syntax error, as for any file.
    text = (
        "import os\ntoken = os.environ['API_TOKEN']\n\n\n"
        "def render(items):\n    return [i for i in items if]\n\n\n"
        "def fine(items):\n    return items\n"
    )
    assert [d.name for d in definitions_to_leave_out(text, PREFILTER)] == ["fine"]


def test_a_definition_with_an_invalid_escape_is_left_out_and_nothing_is_printed():
    text = "token = 1\n\n\ndef pattern():\n    return '\\d+'\n"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")  # a warning is no syntax error
        names = [d.name for d in definitions_to_leave_out(text, PREFILTER)]
    assert names == ["pattern"]
    assert caught == []


_RELAY = """\
    import os

    from openai import OpenAI

    client = OpenAI()
    TOKEN = os.environ["API_TOKEN"]


    def relay(text):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": text}])
    """


def test_a_rerun_looks_for_definitions_only_in_the_edited_file(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(analysis, "MIN_FILES_FOR_OUTLINES", 1)
    _write(tmp_path, "relay.py", _RELAY)
    caller = _write(tmp_path, "caller.py", "import os\nkey = os.environ['API_KEY']\n")
    monkeypatch.chdir(tmp_path)
    assert run(".")["stats"]["definitions_skipped"] == 1  # relay
    searched = []
    outlined = outline._outline
    monkeypatch.setattr(
        outline, "_outline", lambda item: [searched.append(item[1])] and outlined(item)
    )
    # Now `caller.py` names `relay`: it is kept, though its file's outline comes from the cache.
    caller.write_text("import os\n\nfrom relay import relay\n\nrelay(os.environ['API_KEY'])\n")
    edited = run(".")
    assert searched == [caller.read_text()]
    assert edited["stats"]["definitions_skipped"] == 0
    assert [(f["rule"], f["path"]) for f in edited["findings"]] == [("OBO101", "relay.py")]
    assert edited["findings"] == run("--no-cache", ".")["findings"]


def test_a_stored_outline_that_does_not_fit_its_text_is_not_used():
    text = "token = 1\n\n\ndef helper():\n    return 1\n"
    (definition,) = definitions_to_leave_out(text, PREFILTER)
    item = ["helper", definition.start, definition.end, 1]
    good = {"vetted": False, "definitions": [item]}
    assert outline._from_stored(good, text) == (False, [(definition, 1)])
    for bad_definitions in (
        [["helper", definition.start + 1, definition.end, 1]],  # not where a definition starts
        [["helper", definition.start, len(text) + 1, 1]],
        [["helper", definition.start, definition.end, "1"]],
        [["helper", definition.start, definition.end]],
        ["helper"],
        [item, item],  # overlapping
        None,
    ):
        assert outline._from_stored({"vetted": False, "definitions": bad_definitions}, text) is None
    for bad in ([item], {"definitions": [item]}, {"vetted": 0, "definitions": [item]}, None):
        assert outline._from_stored(bad, text) is None
    files = [(Path("a.py"), text)]
    fresh = left_out_of(files, ["a"], PREFILTER, 1)
    stored = outline.Outlines(
        {content_hash(text): {"vetted": False, "definitions": [["helper", 0, 3, 1]]}}
    )
    assert left_out_of(files, ["a"], PREFILTER, 1, stored)[0] == fresh[0]
    assert stored.this_scan == {content_hash(text): good}


def test_outlines_are_not_cached_by_small_scans(tmp_path: Path, monkeypatch):
    # A pre-commit run finds its few files' outlines sooner than it would load the entry, and
    # must not replace the outlines of a whole scan with its own.
    _write(tmp_path, "relay.py", _RELAY)
    monkeypatch.chdir(tmp_path)
    run(".")
    assert not list((tmp_path / ".obolint_cache").glob("outline-*.json"))
    monkeypatch.setattr(analysis, "MIN_FILES_FOR_OUTLINES", 1)
    (tmp_path / "relay.py").write_text(textwrap.dedent(_RELAY) + "# edited\n")
    run(".")
    assert list((tmp_path / ".obolint_cache").glob("outline-*.json"))


def test_a_definition_nested_deeper_than_obolint_parses_is_kept():
    # The file's parse would report it ("nests too deeply"), though CPython takes it.
    text = "token = 1\n\n\ndef chain():\n    return " + " and ".join(["a"] * 1100) + "\n"
    assert definitions_to_leave_out(text, PREFILTER) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_deep_definitions_are_judged_as_the_parse_of_their_file_would_be(
    tmp_path: Path, monkeypatch, jobs: int
):
    # At the edge of CPython's limits, whether a definition parsed depended on the caller's
    # depth (from Python 3.11), so on --jobs and the cache; and a definition deeper than
    # obolint parses must not hide the file's "nests too deeply" as it did when left out.
    monkeypatch.setattr(outline, "MIN_FILES_FOR_POOL", 2)
    files = []
    for length in (990, 1010, 2904, 2916, 2925):
        text = f"token = 1\n\n\ndef minus_{length}():\n    return " + "-" * length + "a\n"
        files.append(_write(tmp_path, f"chain_{length}.py", text))
    result = scan(files, PACKS, [r.id for r in PACKS.rules], root=tmp_path, jobs=jobs)
    errors = sorted(Path(e.path).name for e in result.errors)
    assert errors == ["chain_1010.py", "chain_2904.py", "chain_2916.py", "chain_2925.py"]
    assert all("nests too deeply" in e.message for e in result.errors)
    assert result.stats["definitions_skipped"] == 1


def test_a_file_vetted_for_deep_nesting_keeps_what_its_vetting_would_reject(tmp_path: Path):
    # Whether a file is vetted (it may nest deeply: see obolint.parsing) depends on all of it,
    # not on one definition; a definition that needs the vetting is kept, and a file whose rest
    # would no longer be vetted is parsed whole.
    url = "token = 'https://example.com'\n\n\n"  # `//`: with the chain, over 1,000 operators
    spread = "".join(f"    v{i} = 1 + 1\n" for i in range(600))  # shallow, 600 operators
    files = {
        "and_chain.py": url + "def chain():\n    return " + " and ".join(["a"] * 1001) + "\n",
        "subscripts.py": 'token = 1\n"""' + "x" * 200_000 + '"""\n\n\n'
        "def chain():\n    return a" + "[0]" * 1100 + "\n",
        "rest_deep.py": "token = a" + "[0]" * 1100 + "\nz = " + "+".join(["1"] * 500) + "\n\n\n"
        "def spread():\n" + spread,
    }
    paths = [_write(tmp_path, name, text) for name, text in files.items()]
    result = scan(paths, PACKS, [r.id for r in PACKS.rules], root=tmp_path, jobs=1)
    messages = {Path(e.path).name: e.message for e in result.errors}
    assert sorted(messages) == sorted(files)
    assert all("nests too deeply to parse" in message for message in messages.values())
    assert result.stats["definitions_skipped"] == 0
