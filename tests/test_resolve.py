"""Paths resolved once per directory resolve as ``Path.resolve`` does; modules are found by
the suffixes of their names that code could import them by."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from obolint.resolve import forget_resolved_directories, resolved_path, suffix_index


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


def test_modules_added_one_by_one_are_found_as_if_indexed_at_once():
    """A project's suffix index grows with each module parsed on demand; it must name what an
    index made of all of them names."""
    import libcst as cst

    from obolint.packs import load_packs
    from obolint.taint.context import ModuleContext
    from obolint.taint.project import Project

    packs = load_packs()
    names = ["backend.app.db", "backend.ee.app.db", "shop.json.codec", "tools.mcp", "libs.mcp"]
    looked_up = ["app.db", "ee.app.db", "db", "json.codec", "codec", "mcp", "tools.mcp", "x"]

    def project_of(added: list[str], look_up_between: bool) -> Project:
        project = Project(packs, [])
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
        None,  # two modules end with `app.db`
        "backend.ee.app.db",
        None,
        None,  # `json` is the standard library's
        "shop.json.codec",
        None,
        "tools.mcp",
        None,
    ]
    assert found(project_of(names, look_up_between=True)) == at_once
