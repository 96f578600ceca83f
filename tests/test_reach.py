"""Prefiltered files that use a handle of the analysed code by name are analysed too."""

from __future__ import annotations

import os
import sys

import pytest
import workerpids
from clirun import run

from obolint import analysis
from obolint.packs import load_packs
from obolint.prefilter import triggers
from obolint.reach import Handle, Reach, registrations

PACKS = load_packs()
PREFILTER = triggers(PACKS)
REGISTRATION = registrations(PACKS)


def reach(*handles: Handle) -> Reach:
    return Reach(handles, PREFILTER, REGISTRATION)


def test_registrations_come_from_the_packs():
    assert {"Agent", "FunctionTool"} <= REGISTRATION.callees
    assert {"tools", "func"} <= REGISTRATION.keywords
    words = REGISTRATION.callees | REGISTRATION.keywords
    assert all(word.isidentifier() for word in words)


def test_a_file_must_name_the_handle_and_its_owner():
    found = reach(Handle("build_prompt", "prompts"))
    assert found.finds("from app.prompts import build_prompt\nsend(build_prompt())\n")
    assert found.finds("import app.prompts as prompts\nsend(prompts.build_prompt())\n")
    assert not found.finds("from app.other import build_prompt\n")
    assert not found.finds("import app.prompts\nsend(app.prompts.build_prompts())\n")


@pytest.mark.parametrize("others", [3, 40], ids=["names-searched-as-text", "many-names"])
def test_a_name_inside_a_longer_one_is_not_the_handle(others: int):
    # With few handle names a text is first searched for them as substrings; a name found
    # only inside a longer identifier is still no use of the handle, and any of the names
    # (not only the first) lets a file through to the identifier test.
    extra = [Handle(f"render_part_{n}", "layout") for n in range(others)]
    found = reach(Handle("build_prompt", "prompts"), *extra, Handle("zz_render", "layout"))
    assert found.finds("import app.prompts as prompts\nsend(prompts.build_prompt())\n")
    assert not found.finds("import app.prompts as prompts\nsend(prompts.build_prompts())\n")
    assert not found.finds("import app.prompts as prompts\nsend(prompts.rebuild_prompt())\n")
    assert not found.finds("import app.prompts as prompts\nsend(prompts.other())\n")
    assert found.finds("import app.layout as layout\nlayout.zz_render()\n")
    assert found.finds("import app.layout as layout\nlayout.render_part_2()\n")
    assert not found.finds("import app.layout as layout\nlayout.render_part_77()\n")


@pytest.mark.parametrize(
    "handle",
    [
        Handle("get_token", "helpers"),  # a file naming it passes the prefilter
        Handle("load", "token_store"),  # a file naming the owner does
        Handle("__str__", "Settings"),  # called by the language, not by name
    ],
)
def test_handles_the_prefilter_already_finds_are_not_looked_for(handle: Handle):
    assert not reach(handle)


def test_a_handle_with_a_stem_in_no_credential_name_is_looked_for():
    # A file that names `auth_config` and nothing else with a stem does not pass the prefilter.
    assert reach(Handle("load", "auth_config"))
    assert reach(Handle("max_tokens_for", "limits"))


def test_a_tool_handle_needs_a_registration_that_passes_the_function_as_a_value():
    found = reach(Handle("search", "tools", as_tool=True))
    imports = "from pydantic_ai import Agent\nfrom app.tools import search\n"
    assert found.finds(imports + "agent = Agent('m', tools=[search])\n")
    assert found.finds(imports + "agent = Agent('m', tools=[\n    search,\n])\n")
    assert found.finds(imports + "tool = FunctionTool(search)\nagent = Agent('m')\n")
    multiline = (
        "from pydantic_ai import Agent\nfrom app.tools import (\n    search,\n    other,\n)\n"
    )
    assert not found.finds(multiline + "agent = Agent('m')\nsearch('q', who)\n")
    assert found.finds(multiline + "agent = Agent('m', tools=[search])\n")
    aliased = "from pydantic_ai import Agent\nfrom app.tools import search as web_search\n"
    assert found.finds(aliased + "agent = Agent('m', tools=[web_search])\n")
    assert not found.finds(aliased + "agent = Agent('m')\nweb_search('q', who)\n")
    # Called with plain values, imported, or mentioned in prose: not a registration.
    assert not found.finds(imports + "hits = search('q', who)\n")
    assert not found.finds(imports + "agent = Agent('m')\n")
    assert not found.finds(imports + "# the Agent calls search, tools\nagent = Agent('m')\n")
    # Passed as a value, but nothing here registers tools (`tools` is only a module name).
    assert not found.finds("from app.tools import search\nrun(search, 'q')\n")
    assert found.finds("from app.tools import search\nmake(tools=[search])\n")
    assert found.finds("from app.tools import search\nagent = MailAgent(search)\n")


def test_the_handles_survive_a_cache_entry():
    original = reach(Handle("build_prompt", "prompts"), Handle("search", "tools", as_tool=True))
    copy = Reach.from_json(original.to_json(), PREFILTER)
    assert copy.handles == original.handles and copy.registration == original.registration


PROMPTS = (
    "import os\n\n\ndef support_prompt(question):\n"
    "    return f\"{question} {os.environ['OPENAI_API_KEY']}\"\n"
)
CHAT = (
    "from openai import OpenAI\n{IMPORT}\n\nclient = OpenAI()\n\n\n"
    "def ask(question):\n"
    "    return client.chat.completions.create(model='m', messages=[{QUESTION}])\n"
)
PLAIN = CHAT.replace("{IMPORT}", "").replace("{QUESTION}", "{'role': 'user', 'content': question}")
SENT = CHAT.replace("{IMPORT}", "from prompts import support_prompt").replace(
    "{QUESTION}", "{'role': 'user', 'content': support_prompt(question)}"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prompts.py").write_text(PROMPTS)
    (tmp_path / "chat.py").write_text(PLAIN)
    (tmp_path / "notes.py").write_text("def add(a, b):\n    return a + b\n")
    return tmp_path


def test_a_prefiltered_file_that_starts_using_a_handle_is_analysed_despite_the_cache(project):
    first = run(".")
    assert first["findings"] == [] and first["stats"]["files_reached"] == 0
    # chat.py still has no trigger word: only the handle it now uses makes it matter.
    (project / "chat.py").write_text(SENT)
    second = run(".")
    assert second["stats"]["cache"] == "miss" and second["stats"]["files_reached"] == 1
    assert [(f["path"], f["rule"]) for f in second["findings"]] == [("chat.py", "OBO101")]
    assert run(".")["stats"]["cache"] == "hit"
    # A reached file is checked like one read on demand: a new version of it is a miss.
    (project / "chat.py").write_text(PLAIN + "# asked by the help page\n")
    third = run(".")
    assert third["stats"]["cache"] == "miss" and third["findings"] == []


def test_going_back_to_a_version_that_uses_a_handle_finds_its_flow_again(project):
    # The entry under the relevance key is replaced by each of these scans; the exact scans'
    # entries are copies, so none of them answers with another version's result.
    expected = {PLAIN: [], SENT: [("chat.py", "OBO101")]}
    for text in (SENT, PLAIN, SENT, PLAIN):
        (project / "chat.py").write_text(text)
        report = run(".")
        assert [(f["path"], f["rule"]) for f in report["findings"]] == expected[text]


def test_a_change_elsewhere_in_a_file_that_uses_no_handle_is_still_a_hit(project):
    run(".")
    (project / "notes.py").write_text("def add(a, b):\n    return b + a\n")
    assert run(".")["stats"]["cache"] == "hit"


def _findings(project_files: dict[str, str], tmp_path, monkeypatch) -> list[tuple[str, int, str]]:
    """(path, line, rule) of a scan without cache of a project made of ``project_files``."""
    monkeypatch.chdir(tmp_path)
    for name, text in project_files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return [(f["path"], f["line"], f["rule"]) for f in run("--no-cache", ".")["findings"]]


def test_a_registration_at_module_level_of_a_reached_file_counts(tmp_path, monkeypatch):
    persona = "import os\n\n\ndef persona(ctx, agent):\n"
    persona += "    return 'Key: ' + os.environ['API_KEY']\n"
    desk = "from agents import Agent\nfrom persona import persona\n\n"
    desk += "desk = Agent(name='desk', instructions=persona)\n"
    found = _findings({"persona.py": persona, "desk.py": desk}, tmp_path, monkeypatch)
    assert found == [("persona.py", 5, "OBO101")]


SETTINGS = "import os\n\n\ndef current_key():\n    return os.environ['OPENAI_API_KEY']\n"
BANNER = "from settings import current_key\n\n\ndef banner():\n    return current_key()\n"
SEND = "client = OpenAI()\nclient.chat.completions.create(model='m', messages=[{CALL}])\n"


@pytest.mark.parametrize(
    ("layout", "call"),
    [
        # chat.py (analysed from the start) called banner() before banner.py was parsed.
        ({"banner.py": BANNER}, "from banner import banner|banner()"),
        # `import pkg.banner` is recorded as an import of `pkg`.
        ({"pkg/__init__.py": "", "pkg/banner.py": BANNER}, "import pkg.banner|pkg.banner.banner()"),
        # The package re-exports it: chat.py names `app`, the function lives in app/impl.py.
        (
            {"app/__init__.py": "from .impl import banner\n", "app/impl.py": BANNER + "# token\n"},
            "from app import banner|banner()",
        ),
    ],
)
def test_an_importer_of_a_reached_module_is_analysed_again(layout, call, tmp_path, monkeypatch):
    imports, expression = call.split("|")
    chat = "# token\nfrom openai import OpenAI\n" + imports + "\n\n"
    chat += SEND.replace("{CALL}", expression)
    files = {"settings.py": SETTINGS, "chat.py": chat, **layout}
    assert _findings(files, tmp_path, monkeypatch) == [("chat.py", 6, "OBO101")]


def test_a_package_re_export_is_a_handle_of_the_package(tmp_path, monkeypatch):
    # Neither app/__init__.py nor chat.py names `settings`, where the function lives.
    chat = "from openai import OpenAI\nfrom app import current_key\n\n"
    chat += SEND.replace("{CALL}", "current_key()")
    files = {
        "app/settings.py": SETTINGS,
        "app/__init__.py": "from .settings import current_key\n",
        "chat.py": chat,
    }
    assert _findings(files, tmp_path, monkeypatch) == [("chat.py", 5, "OBO101")]


SERVICE_SETTINGS = (
    "from pydantic_settings import BaseSettings\n\n\nclass Settings(BaseSettings):\n"
    "    tool_url: str = ''\n    tool_key: str = ''\n    sort_key: str = ''\n\n\n"
    "settings = Settings()\n"
)


@pytest.mark.parametrize(("field", "found"), [("tool_key", True), ("sort_key", False)])
def test_a_settings_field_loaded_as_a_service_key_is_a_handle(field, found, tmp_path, monkeypatch):
    # tools.py holds no trigger word: it is analysed because it names the field and `config`.
    tools = "import httpx\nfrom app.config import settings\n\n\ndef call(name):\n"
    tools += f"    return httpx.post(f'{{settings.tool_url}}/{{name}}?code={{settings.{field}}}')\n"
    files = {"app/config.py": SERVICE_SETTINGS, "app/tools.py": tools}
    assert _findings(files, tmp_path, monkeypatch) == (
        [("app/tools.py", 6, "OBO303")] if found else []
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers only")
def test_prefiltered_files_are_searched_on_worker_processes(tmp_path, monkeypatch):
    project = tmp_path / "project"
    project.mkdir()
    files = {"settings.py": SETTINGS}
    for number in range(24):
        # Every third file sends the handle's credential to a model; the others do not name it.
        body = (
            "x = 1\n"
            if number % 3
            else "from settings import current_key\n\n" + SEND.replace("{CALL}", "current_key()")
        )
        files[f"m{number:02}.py"] = body
    # Searched in this process: fewer files than MIN_FILES_FOR_SEARCH_POOL.
    searched_here = _findings(files, project, monkeypatch)
    assert searched_here == [(f"m{n:02}.py", 4, "OBO101") for n in range(0, 24, 3)]
    monkeypatch.setattr(analysis, "MIN_FILES_FOR_SEARCH_POOL", 8)
    monkeypatch.setattr(analysis, "SEARCH_CHUNK_SIZE", 2)
    notes = tmp_path / "pids"
    workerpids.start(notes, analysis._search_for_handles, wait_for_a_worker=True)
    monkeypatch.setattr(analysis, "_search_for_handles", workerpids.noting_pid)
    report = run("--no-cache", "--jobs", "2", ".")
    assert [(f["path"], f["line"], f["rule"]) for f in report["findings"]] == searched_here
    assert report["stats"]["files_reached"] == 8
    pids = workerpids.pids(notes)
    # The 24 prefiltered files, then the 16 not reached, for the handles of those reached.
    assert len(pids) == 24 + 16
    # This process and a worker (one pool per round).
    assert str(os.getpid()) in pids
    assert len(set(pids)) >= 2


def test_an_edit_to_a_prefiltered_file_reads_only_that_file(project, indexed, reads):
    # Whether a text names a handle is kept per content, from the analysis on: after an edit,
    # the unchanged prefiltered files are neither read nor searched again.
    assert run(".")["stats"]["cache"] == "miss"
    for version in (1, 2):
        (project / "notes.py").write_text(f"def add(a, b):\n    return a + b + {version}\n")
        reads.clear()
        assert run(".")["stats"]["cache"] == "hit"
        assert reads == ["notes.py"]
    # Kept verdicts never hide a file that starts using a handle.
    (project / "chat.py").write_text(SENT)
    report = run(".")
    assert report["stats"]["cache"] == "miss"
    assert [(f["path"], f["rule"]) for f in report["findings"]] == [("chat.py", "OBO101")]


def test_kept_verdicts_are_only_those_computed(project, monkeypatch):
    # A search that stops at the first file naming a handle has no verdict on the files after
    # it; pruning the kept verdicts to this scan's files must not invent one for them.
    from obolint import cache

    monkeypatch.setattr(cache, "MIN_VERDICTS_KEPT", 0)
    later = PLAIN + "# later\n"  # sorts after chat.py, names no handle
    (project / "zz.py").write_text(later)
    for n in range(10):
        (project / f"f{n}.py").write_text(f"F = {n}\n")
    run(".")
    (project / "notes.py").write_text("def add(a, b):\n    return b + a\n")
    assert run(".")["stats"]["cache"] == "hit"  # verdicts kept on 13 prefiltered files
    for n in range(10):
        (project / f"f{n}.py").unlink()
    run(".")
    # Both start using the handle: the search stops at chat.py; zz.py is not searched.
    (project / "chat.py").write_text(SENT)
    (project / "zz.py").write_text(SENT + "# later\n")
    run(".")
    (project / "chat.py").write_text(PLAIN)
    (project / "zz.py").write_text(later)
    (project / "notes.py").write_text("def add(a, b):\n    return a + b  # again\n")
    assert run(".")["stats"]["files_reached"] == 0  # an analysis: the entry reaches neither
    (project / "zz.py").write_text(SENT + "# later\n")
    cached, fresh = run("."), run(".", "--no-cache")
    assert [(f["path"], f["rule"]) for f in fresh["findings"]] == [("zz.py", "OBO101")]
    assert cached["findings"] == fresh["findings"]


def test_a_file_changed_between_search_rounds_gets_no_kept_verdict(project, monkeypatch):
    # Round one reaches greeting.py, round two looks for its handle in chat.py, which changed
    # in between to a version that names round one's handle. Round two's search does not say
    # whether that version names a handle of round one: no verdict is kept for it.
    (project / "greeting.py").write_text(
        "from prompts import support_prompt\n\n\ndef greeting(question):\n"
        "    return support_prompt(question)\n"
    )
    real = analysis.read_source
    chat_reads = []

    def chat_edited_after_round_one(path):
        if path.name == "chat.py":
            chat_reads.append(path)
            if len(chat_reads) > 1:
                return SENT, None
        return real(path)

    monkeypatch.setattr(analysis, "read_source", chat_edited_after_round_one)
    first = run(".")
    assert first["stats"]["files_reached"] == 1 and len(chat_reads) == 2
    monkeypatch.setattr(analysis, "read_source", real)
    (project / "chat.py").write_text(SENT)
    cached, fresh = run("."), run(".", "--no-cache")
    assert [(f["path"], f["rule"]) for f in fresh["findings"]] == [("chat.py", "OBO101")]
    assert cached["stats"]["cache"] == "miss"
    assert cached["findings"] == fresh["findings"]


@pytest.fixture
def searched(monkeypatch) -> list[str]:
    """The names of the prefiltered files the search for handles reads, in order."""
    names: list[str] = []
    real = analysis._search_for_handles

    def recording(item):
        names.append(item[1].name)
        return real(item)

    monkeypatch.setattr(analysis, "_search_for_handles", recording)
    return names


def test_a_rerun_after_an_edit_to_an_analysed_file_reads_no_prefiltered_file_again(
    project, searched
):
    # The analysis looks for the same handles as before; that chat.py and notes.py name none
    # of them is known per content, so neither is read again.
    assert run(".")["stats"]["cache"] == "miss"
    assert sorted(searched) == ["chat.py", "notes.py"]
    searched.clear()
    (project / "prompts.py").write_text(PROMPTS + "# edited\n")
    rerun = run(".")
    assert rerun["stats"]["cache"] == "miss"
    assert searched == []
    assert rerun["findings"] == run("--no-cache", ".")["findings"] == []
    # A prefiltered file that starts using a handle is read: its content is new.
    (project / "chat.py").write_text(SENT)
    (project / "prompts.py").write_text(PROMPTS + "# edited again\n")
    searched.clear()
    report = run(".")
    # Then notes.py, for the handles of chat.py: never looked for before.
    assert searched == ["chat.py", "notes.py"]
    assert [(f["path"], f["rule"]) for f in report["findings"]] == [("chat.py", "OBO101")]


def test_every_round_of_a_rerun_reads_only_the_files_it_reaches(project, searched):
    # Round one reaches greeting.py (it names support_prompt); round two looks for greeting's
    # own handle in chat.py and notes.py. After an edit to prompts.py both rounds look for
    # what they looked for before: only greeting.py, which they analyse, is read again.
    (project / "greeting.py").write_text(
        "from prompts import support_prompt\n\n\ndef greeting(question):\n"
        "    return support_prompt(question)\n"
    )
    first = run(".")
    assert first["stats"]["files_reached"] == 1
    assert sorted(searched) == ["chat.py", "chat.py", "greeting.py", "notes.py", "notes.py"]
    searched.clear()
    (project / "prompts.py").write_text(PROMPTS + "# edited\n")
    rerun = run(".")
    assert rerun["stats"]["cache"] == "miss" and rerun["stats"]["files_reached"] == 1
    assert searched == ["greeting.py"]
    fresh = run("--no-cache", ".")
    assert (rerun["findings"], rerun["errors"]) == (fresh["findings"], fresh["errors"])
