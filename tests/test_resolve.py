"""Paths resolved once per directory resolve as ``Path.resolve`` does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from obolint.resolve import (
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


def test_of_several_modules_a_suffix_names_those_below_a_package_are_left_out():
    """``backend/ee`` is a package, imported as ``ee``: ``app.db`` is ``backend/app/db.py``."""
    modules = {"backend.app.db": "community", "backend.ee.app.db": "enterprise"}
    assert suffix_index(modules)["app.db"] == ["community", "enterprise"]  # ambiguous
    index = suffix_index(modules, packages={"backend.ee"})
    assert index["app.db"] == ["community"]
    assert index["ee.app.db"] == ["enterprise"]


def test_a_package_alone_does_not_rule_a_suffix_out():
    """Projects put an ``__init__.py`` in the directory they import from too (``server.config``
    for ``enterprise/server/config.py`` next to ``enterprise/__init__.py``); and where every
    module a suffix names is below a package, the suffix stays ambiguous."""
    assert suffix_index({"enterprise.server.config": 1}, {"enterprise"})["server.config"] == [1]
    modules = {"a.pkg.mod": 1, "b.pkg.mod": 2}
    assert suffix_index(modules, {"a", "b"})["pkg.mod"] == [1, 2]


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


def test_no_suffix_starts_below_a_package_that_code_imports_it_through():
    """Code that imports ``saleor.graphql.x`` shows that ``saleor/`` is no import root:
    ``graphql`` is the library, not ``saleor/graphql/``. A directory named like the package it
    holds (``libs/agno/agno``) is not the package code imports as ``agno``."""
    modules = {"saleor.graphql": 1, "saleor.graphql.core": 2, "libs.agno.agno.tools.mcp": 3}
    imported = imported_packages(["from saleor.graphql.core import x\nimport agno.tools.mcp\n"])
    index = suffix_index(modules, imported=imported)
    assert "graphql" not in index and "graphql.core" not in index and "core" not in index
    assert index["agno.tools.mcp"] == [3]
    assert "tools.mcp" not in index and "mcp" not in index
    assert suffix_index(modules)["graphql"] == [1]  # without the imports, as code may mean it


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
        project.packages = frozenset({"backend.ee"})
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
        None,  # two modules end with `db`, neither below a package
        "backend.app.auth",
        "backend.app.auth",
        None,
        "tools.mcp",
        None,
    ]
    assert found(project_of(names, look_up_between=True)) == at_once
