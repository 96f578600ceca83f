"""Analysis in batches while files are parsed: the same findings as analysing all at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from obolint import analysis
from obolint.packs import load_packs
from obolint.resolve import imported_first, imported_modules
from obolint.runner import scan
from obolint.taint.project import Project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _scan(files: list[Path], root: Path, jobs: int = 2) -> list[tuple]:
    packs = load_packs()
    result = scan(files, packs, [r.id for r in packs.rules], root=root, jobs=jobs)
    return [
        (f.rule, f.location, f.message, tuple((s.location, s.note) for s in f.trace))
        for f in result.findings
    ]


@pytest.fixture(scope="module")
def fixtures_at_once() -> list[tuple]:
    files = sorted(p for p in FIXTURES.rglob("*.py") if "configured" not in p.parts)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(analysis, "MIN_FILES_FOR_BATCHES", 10**9)
        return _scan(files, FIXTURES, jobs=1)


@pytest.mark.parametrize("batches", [8, 97])
def test_fixtures_analysed_in_batches_give_the_same_findings(
    fixtures_at_once, monkeypatch, batches
):
    files = sorted(p for p in FIXTURES.rglob("*.py") if "configured" not in p.parts)
    assert len(files) >= analysis.MIN_FILES_FOR_BATCHES
    monkeypatch.setattr(analysis, "ANALYSIS_BATCHES", batches)
    advanced = _count_batches(monkeypatch)
    assert _scan(files, FIXTURES) == fixtures_at_once
    assert len(fixtures_at_once) > 300
    # Batches of ceil(files / batches), and the rest (maybe none) once all are parsed.
    assert len(advanced) > batches * 3 // 4 and None not in advanced


def _count_batches(monkeypatch) -> list[int | None]:
    """The size of each batch analysed, None for all modules at once."""
    sizes: list[int | None] = []
    advance = Project.advance

    def counting(self, progress=None, added=None):
        sizes.append(None if added is None else len(added))
        return advance(self, progress, added)

    monkeypatch.setattr(Project, "advance", counting)
    return sizes


def test_one_process_analyses_all_files_at_once(monkeypatch):
    files = sorted(p for p in FIXTURES.rglob("*.py") if "configured" not in p.parts)[:80]
    advanced = _count_batches(monkeypatch)
    _scan(files, FIXTURES, jobs=1)
    # Then definitions left out that name a handle are analysed (see obolint.outline).
    assert advanced[0] is None and None not in advanced[1:]


def _scan_two_files(files: list[Path], root: Path, monkeypatch, batches: int) -> list[tuple]:
    """Findings of two files analysed in ``batches`` batches (one file each, or both at once)."""
    monkeypatch.setattr(analysis, "MIN_FILES_FOR_BATCHES", 2)
    monkeypatch.setattr(analysis, "ANALYSIS_BATCHES", batches)
    advanced = _count_batches(monkeypatch)
    findings = _scan(files, root)
    assert advanced == ([1, 1] if batches == 2 else [None])
    return findings


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def _two_module_cycle(root: Path, alpha: str, omega: str) -> list[Path]:
    """``app/alpha.py`` and ``app/omega.py``, each importing the other, with the given code.
    ``omega`` is analysed first (it comes before ``alpha``, which imports it), so its calls
    into ``alpha`` find it not yet added."""
    return [
        _write(root, "app/alpha.py", "from app import omega\n" + alpha + "\nNAME = omega.NAME\n"),
        _write(root, "app/omega.py", "from app import alpha\n\nNAME = 'omega'\n" + omega),
    ]


def _import_cycle(root: Path) -> list[Path]:
    alpha = """
import os

def bearer_token():
    return os.environ["SERVICE_BEARER_TOKEN"]
"""
    omega = """
import logging

def report():
    value = alpha.bearer_token()
    logging.warning("calling with %s", value)
"""
    return _two_module_cycle(root, alpha, omega)


@pytest.mark.parametrize("batches", [1, 2])
def test_a_call_into_a_module_added_later_is_followed(tmp_path, monkeypatch, batches):
    findings = _scan_two_files(_import_cycle(tmp_path), tmp_path, monkeypatch, batches)
    assert [
        (rule, location.path.rsplit("/", 1)[-1], location.line) for rule, location, *_ in findings
    ] == [("OBO501", "omega.py", 9)]
    assert any("alpha.py" in str(step) for step in findings[0][3])


def test_imported_modules_reads_import_lines():
    text = textwrap.dedent(
        """\
        import os, app.util as u
        from . import sibling, other as o
        from ..core.models import (
            Model,
        )
        from pkg import mod  # comment
            from .nested import thing
        x = "import fake"
        """
    )
    found = imported_modules(text, "app.api.views", False)
    assert {"os", "app.util", "app.api.sibling", "app.api.other", "app.core.models"} <= found
    assert {"pkg", "pkg.mod", "app.api.nested", "app.api.nested.thing"} <= found
    assert "fake" not in found


def test_imported_first_places_imported_modules_first():
    names = ["app.views", "app.models", "app.util", "scripts.run"]
    imports = [{"app.models", "django.db"}, {"app.util.helpers"}, set(), {"views"}]
    order = [names[i] for i in imported_first(names, imports)]
    assert order == ["app.util", "app.models", "app.views", "scripts.run"]


def test_imported_first_keeps_the_given_order_within_a_cycle():
    names = ["a", "b", "c"]
    imports = [{"b"}, {"a"}, set()]
    assert imported_first(names, imports) == [1, 0, 2]


def _tool_on_an_agent_of_a_later_batch(root: Path) -> list[Path]:
    # `tools` is analysed first (`agent` imports it); its decorator names the agent made in
    # `agent`, which a lookup finds only once `agent` is added.
    return [
        _write(
            root,
            "app/agent.py",
            """\
            from pydantic_ai import Agent

            agent = Agent("openai:gpt-4o")
            deploy_token = None  # a trigger word in code: this file is parsed

            from app import tools  # registers the tools
            """,
        ),
        _write(
            root,
            "app/tools.py",
            """\
            from app.agent import agent

            @agent.tool_plain
            def open_ticket(title: str, api_token: str) -> str:
                return title
            """,
        ),
    ]


@pytest.mark.parametrize("batches", [1, 2])
def test_a_decorator_resolved_through_a_later_module_finds_the_tool(tmp_path, monkeypatch, batches):
    files = _tool_on_an_agent_of_a_later_batch(tmp_path)
    findings = _scan_two_files(files, tmp_path, monkeypatch, batches)
    assert [(rule, location.path.rsplit("/", 1)[-1]) for rule, location, *_ in findings] == [
        ("OBO201", "tools.py")
    ]


def _masking_helper_of_a_later_batch(root: Path) -> list[Path]:
    # `alpha.BearerAuth` masks the token. Taken for a library call while `alpha` was awaited,
    # it would wrap the token (a credential wrapper by its name), and the field it is stored
    # in would keep that flow for good.
    alpha = """
def BearerAuth(token):
    return "Bearer ***"
"""
    omega = """
import logging
import os

class Client:
    def __init__(self):
        self.auth = alpha.BearerAuth(os.environ["SERVICE_TOKEN"])

    def describe(self):
        logging.warning("authorization: %s", self.auth)
"""
    return _two_module_cycle(root, alpha, omega)


@pytest.mark.parametrize("batches", [1, 2])
def test_a_call_into_a_module_added_later_is_not_taken_for_a_library_call(
    tmp_path, monkeypatch, batches
):
    files = _masking_helper_of_a_later_batch(tmp_path)
    assert _scan_two_files(files, tmp_path, monkeypatch, batches) == []


def test_a_name_that_a_later_module_makes_ambiguous_is_ambiguous_from_the_start(
    tmp_path, monkeypatch
):
    # `app.x` names `backend/app/x.py` and `other/app/x.py` alike: with all files added, the
    # call in `main.py` resolves to neither. `main.py` comes between them, so while `other`
    # was awaited, `app.x` would otherwise have named `backend`'s module alone.
    helper = "import logging\n\ndef relay(api_token):\n    logging.warning(api_token)\n"
    files = [
        _write(tmp_path, "backend/app/x.py", helper),
        _write(
            tmp_path,
            "main.py",
            "import os\nfrom app.x import relay\n\nrelay(os.environ['SERVICE_TOKEN'])\n",
        ),
        _write(tmp_path, "other/app/x.py", helper),
    ]
    at_once = _scan(files, tmp_path, jobs=1)
    monkeypatch.setattr(analysis, "MIN_FILES_FOR_BATCHES", 3)
    monkeypatch.setattr(analysis, "ANALYSIS_BATCHES", 3)
    advanced = _count_batches(monkeypatch)
    assert _scan(files, tmp_path) == at_once
    assert advanced == [1, 1, 1]
    assert all("main.py" not in str(finding) for finding in at_once)


def _override_in_a_later_batch(root: Path, trigger: str = "api_token = None") -> list[Path]:
    # `base` is analysed first (`agents` imports it): its `run` calls `self.build_prompt()`
    # before the subclass that overrides it is added.
    return [
        _write(
            root,
            "app/base.py",
            f"""\
            from openai import OpenAI

            client = OpenAI()
            {trigger}

            class PromptAgent:
                def build_prompt(self, request):
                    raise NotImplementedError

                def run(self, request):
                    prompt = self.build_prompt(request)
                    return client.responses.create(model="gpt-4o", input=prompt)
            """,
        ),
        _write(
            root,
            "app/agents.py",
            """\
            from fastapi import Request

            from app.base import PromptAgent

            class TokenAgent(PromptAgent):
                def build_prompt(self, request: Request):
                    return f"act as {request.headers['Authorization']}"
            """,
        ),
    ]


@pytest.mark.parametrize("batches", [1, 2])
def test_an_override_in_a_later_module_reaches_the_base_class_sink(tmp_path, monkeypatch, batches):
    findings = _scan_two_files(_override_in_a_later_batch(tmp_path), tmp_path, monkeypatch, batches)
    assert [
        (rule, location.path.rsplit("/", 1)[-1], location.line) for rule, location, *_ in findings
    ] == [("OBO101", "base.py", 12)]


def test_a_base_class_the_prefilter_skipped_is_parsed_for_an_override_returning_a_credential(
    tmp_path,
):
    files = _override_in_a_later_batch(tmp_path, trigger="")
    findings = _scan(files, tmp_path, jobs=1)
    assert [
        (rule, location.path.rsplit("/", 1)[-1], location.line) for rule, location, *_ in findings
    ] == [("OBO101", "base.py", 12)]
