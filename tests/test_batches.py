"""Analysis in batches while files are parsed: the same findings as analysing all at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from obolint import runner
from obolint.packs import load_packs
from obolint.resolve import imported_first, imported_modules
from obolint.runner import scan

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _scan(files: list[Path], root: Path) -> list[tuple]:
    packs = load_packs()
    result = scan(files, packs, [r.id for r in packs.rules], root=root, jobs=1)
    return [
        (f.rule, f.location, f.message, tuple((s.location, s.note) for s in f.trace))
        for f in result.findings
    ]


@pytest.fixture(scope="module")
def fixtures_at_once() -> list[tuple]:
    files = sorted(p for p in FIXTURES.rglob("*.py") if "configured" not in p.parts)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "MIN_FILES_FOR_BATCHES", 10**9)
        return _scan(files, FIXTURES)


@pytest.mark.parametrize("batches", [8, 97])
def test_fixtures_analysed_in_batches_give_the_same_findings(
    fixtures_at_once, monkeypatch, batches
):
    files = sorted(p for p in FIXTURES.rglob("*.py") if "configured" not in p.parts)
    assert len(files) >= runner.MIN_FILES_FOR_BATCHES
    monkeypatch.setattr(runner, "ANALYSIS_BATCHES", batches)
    assert _scan(files, FIXTURES) == fixtures_at_once
    assert len(fixtures_at_once) > 300


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def _import_cycle(root: Path) -> list[Path]:
    # `alpha` imports `omega` and `omega` imports `alpha`: `omega` is analysed first (it is
    # placed before the module that imports it), and its call finds `alpha` not yet added.
    return [
        _write(
            root,
            "app/alpha.py",
            """\
            import os

            from app import omega

            def bearer_token():
                return os.environ["SERVICE_BEARER_TOKEN"]

            def describe():
                return omega.NAME
            """,
        ),
        _write(
            root,
            "app/omega.py",
            """\
            import logging

            from app import alpha

            NAME = "omega"

            def report():
                value = alpha.bearer_token()
                logging.warning("calling with %s", value)
            """,
        ),
    ]


@pytest.mark.parametrize("batches", [1, 2])
def test_a_call_into_a_module_added_later_is_followed(tmp_path, monkeypatch, batches):
    files = _import_cycle(tmp_path)
    monkeypatch.setattr(runner, "MIN_FILES_FOR_BATCHES", 2)
    monkeypatch.setattr(runner, "ANALYSIS_BATCHES", batches)
    findings = _scan(files, tmp_path)
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
