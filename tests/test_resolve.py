"""Paths resolved once per directory resolve as ``Path.resolve`` does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from obolint.resolve import (
    ImportEvidence,
    forget_resolved_directories,
    imported_packages,
    resolved_path,
    suffix_index,
)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_resolved_path_is_path_resolve(tmp_path, monkeypatch):
    (tmp_path / "real" / "pkg").mkdir(parents=True)
    (tmp_path / "real" / "pkg" / "mod.py").write_text("x = 1\n")
    (tmp_path / "other.py").write_text("y = 2\n")
    try:
        (tmp_path / "linked").symlink_to(tmp_path / "real", target_is_directory=True)
        (tmp_path / "real" / "pkg" / "alias.py").symlink_to(tmp_path / "other.py")
    except OSError:
        pytest.skip("symlinks not permitted here")
    monkeypatch.chdir(tmp_path)
    paths = [
        Path("real/pkg/mod.py"),
        Path("linked/pkg/mod.py"),  # in a linked directory
        Path("linked/pkg/alias.py"),  # a linked file in a linked directory
        Path("real/pkg/alias.py"),  # the same link, in a directory resolved already
        Path("linked/pkg/../pkg/mod.py"),  # `..` after a link: resolved physically
        Path("real/pkg/missing.py"),
        tmp_path / "linked" / "pkg" / "mod.py",
        Path("other.py"),
        Path("linked/.."),  # the parent of the link's target
        Path("real/pkg/.."),
        Path("."),
    ]
    forget_resolved_directories()
    assert [resolved_path(p) for p in paths] == [p.resolve() for p in paths]
    # Forgotten between scans: a directory linked elsewhere since resolves anew.
    (tmp_path / "linked").unlink()
    (tmp_path / "elsewhere" / "pkg").mkdir(parents=True)
    (tmp_path / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    forget_resolved_directories()
    assert resolved_path(Path("linked/pkg/mod.py")) == tmp_path / "elsewhere" / "pkg" / "mod.py"


def test_a_module_is_found_by_the_suffixes_code_could_import_it_by():
    """``app.x`` and ``x`` name ``backend.app.x``; one module per suffix."""
    index = suffix_index({"backend.app.x": 1, "backend.app.y": 2})
    assert index["app.x"] == [1] and index["x"] == [1] and index["y"] == [2]
    assert "backend.app.x" not in index  # the full name is looked up as such


def test_no_suffix_starts_with_a_standard_library_module():
    """``saleor/core/logging.py`` is not what ``import logging`` or ``logging.x`` gives."""
    index = suffix_index({"shop.core.logging": 1, "shop.json.encoders": 2})
    assert "logging" not in index and "json.encoders" not in index
    assert index["core.logging"] == [1] and index["encoders"] == [2]


def test_imported_packages_are_every_leading_part_of_an_absolute_import():
    """Relative imports name no package by which code imports; names after `import` in
    `from x import y` may be attributes, and are left out."""
    text = (
        "import os.path, json as j\n"
        "from saleor.graphql.core import types\n"
        "from . import sibling\n"
        "from .relative.mod import thing\n"
        "    from agno.tools import (\n        x,\n    )\n"
    )
    assert imported_packages([text]) == {
        "os",
        "os.path",
        "json",
        "saleor",
        "saleor.graphql",
        "saleor.graphql.core",
        "agno",
        "agno.tools",
    }


def evidence(text: str, modules: list[str]) -> ImportEvidence:
    """What ``text`` imports, in a scan of ``modules``."""
    return ImportEvidence(imported_packages([text]), modules)


def test_a_name_the_code_imports_as_another_package_is_no_suffix():
    """Code imports ``saleor.graphql.core`` (so ``saleor/`` is no import root) and
    ``graphql.language``, which ``saleor/graphql/`` lacks: ``graphql`` is the library."""
    modules = ["saleor.graphql", "saleor.graphql.core", "saleor.graphql.error"]
    text = "from saleor.graphql.core import x\nfrom graphql.language import ast\n"
    index = suffix_index(dict.fromkeys(modules), evidence(text, modules))
    assert "graphql" not in index and "graphql.core" not in index and "graphql.error" not in index
    # Without the import of a module it lacks, `graphql` may still be saleor/graphql/.
    text = "from saleor.graphql.core import x\nfrom graphql.error import E\n"
    assert "graphql" in suffix_index(dict.fromkeys(modules), evidence(text, modules))


def test_both_spellings_of_one_directory_stay():
    """``from backend.app.keys import K`` in one file and ``from app.keys import K`` in another
    (an import root at ``backend/`` too): ``app.keys`` is still ``backend/app/keys.py``."""
    modules = ["backend.app.keys", "backend.app.routes"]
    text = "from backend.app.keys import K\nfrom app.keys import K\n"
    assert suffix_index(dict.fromkeys(modules), evidence(text, modules))["app.keys"] == [None]


def test_a_directory_named_like_the_package_it_holds_is_no_evidence():
    """Code that imports ``agno.tools`` and a module ``libs/agno/agno`` lacks
    (``agno.old``) does not import ``libs/agno`` as ``agno``: ``agno.tools.mcp`` stays."""
    modules = ["libs.agno.agno.tools.mcp"]
    text = "import agno.tools\nfrom agno.old import x\n"
    assert suffix_index({modules[0]: 1}, evidence(text, modules))["agno.tools.mcp"] == [1]


def test_two_modules_a_suffix_names_without_evidence_stay_ambiguous():
    """``app.keys`` for ``backend/app/keys.py`` and ``worker/app/keys.py``: which one depends on
    the importer's search path, so neither."""
    modules = ["backend.app.keys", "worker.app.keys"]
    text = "from app.keys import K\n"
    index = suffix_index({m: m for m in modules}, evidence(text, modules))
    assert index["app.keys"] == modules


def test_modules_added_one_by_one_are_found_as_if_indexed_at_once():
    """A project's suffix index grows with each module parsed on demand; it must name what an
    index made of all of them names."""
    import libcst as cst

    from obolint.packs import load_packs
    from obolint.taint.context import ModuleContext
    from obolint.taint.project import Project

    packs = load_packs()
    names = ["backend.app.db", "backend.ee.app.db", "backend.app.auth", "tools.mcp", "libs.mcp"]
    looked_up = ["app.db", "ee.app.db", "db", "app.auth", "auth", "mcp", "tools.mcp", "x"]

    def project_of(added: list[str], look_up_between: bool) -> Project:
        project = Project(packs, [])
        # Code imports `ee.app.db` and `app.auth`, which backend/ee/app lacks.
        imports = "from ee.app.db import x\nfrom app.auth import y\n"
        project.imports = evidence(imports, names)
        for name in added:
            context = ModuleContext(
                f"{name}.py", name, cst.parse_module(""), None, {}, packs, project
            )
            project.add_module(context)
            if look_up_between:
                for suffix in looked_up:
                    project.module(suffix)
        return project

    def found(project: Project) -> list[str | None]:
        return [getattr(project.module(suffix), "module_name", None) for suffix in looked_up]

    at_once = found(project_of(names, look_up_between=False))
    assert at_once == [
        "backend.app.db",
        "backend.ee.app.db",
        None,  # two modules end with `db`
        "backend.app.auth",
        "backend.app.auth",
        None,
        "tools.mcp",
        None,
    ]
    assert found(project_of(names, look_up_between=True)) == at_once
