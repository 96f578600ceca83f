"""Display paths: what reports show for a file, relative to the working directory; test paths."""

from __future__ import annotations

import ntpath
import os
import types
from pathlib import Path

import pytest

from obolint import sourcefiles
from obolint.sourcefiles import display_path, is_test_path


def _by_relpath(path: str) -> str:
    """The display path as computed before the shortcut for relative paths."""
    cwd = os.getcwd()
    rel = os.path.relpath(path, cwd)
    if rel.startswith(".."):
        return Path(os.path.join(cwd, path)).as_posix()
    return Path(rel).as_posix()


@pytest.mark.parametrize(
    "path",
    [
        "a/b.py",
        "./a/b.py",
        "a/./b.py",
        "a//b.py",
        "a/../b.py",
        "a/b/",
        ".",
        "x.py",
        "../x.py",
        "a/../../x.py",
        "..foo/x.py",
        "{cwd}/a/b.py",
        "{cwd}/../x.py",
        "/elsewhere/x.py",
    ],
)
def test_a_display_path_is_the_one_relpath_gives(path: str, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = path.format(cwd=os.getcwd())
    assert display_path(Path(path)) == sourcefiles._display_path(path, os.getcwd())
    assert sourcefiles._display_path(path, os.getcwd()) == _by_relpath(path)


def test_a_windows_path_with_a_drive_or_root_is_not_taken_as_relative(monkeypatch):
    monkeypatch.setattr(sourcefiles, "os", types.SimpleNamespace(path=ntpath, sep="\\", altsep="/"))
    assert sourcefiles._anchored("C:src\\x.py")
    assert sourcefiles._anchored("\\src\\x.py")
    assert sourcefiles._anchored("/src/x.py")
    assert not sourcefiles._anchored("src\\x.py")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_app.py", True),
        ("pkg/tests/helpers.py", True),
        ("test/integration/base.py", True),
        ("src/app/conftest.py", True),
        ("app/client_test.py", True),
        ("test_app.py", True),
        ("shop/tests.py", True),
        ("shop/tests_models.py", True),
        ("integration_tests/base.py", True),
        ("e2e/flows.py", True),
        ("app/testing_utils.py", False),
        ("app/attestation.py", False),
        ("contest/views.py", False),
        ("app/latest.py", False),
    ],
)
def test_test_paths_are_told_by_their_folder_or_name(path: str, expected: bool) -> None:
    # Paths relative to the project: the analysis asks with a module's name, not where the
    # scan was run from (a parent folder named `testing/` says nothing of the project).
    assert is_test_path(path) is expected
