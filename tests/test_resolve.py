"""Paths resolved once per directory resolve as ``Path.resolve`` does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from obolint.resolve import forget_resolved_directories, resolved_path


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
