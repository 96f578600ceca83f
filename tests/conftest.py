"""Test-wide settings."""

from __future__ import annotations

import pytest

from obolint import fileindex, runner


@pytest.fixture(autouse=True)
def _user_cache_dir(tmp_path_factory, monkeypatch):
    # obolint keeps the key that signs cache entries in the user's cache directory; tests use
    # one of their own instead of the real one.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))


# The file index (see obolint.fileindex), for tests of the results cache.
@pytest.fixture
def indexed(monkeypatch):
    """The index used for any scan, and files trusted however recently they changed."""
    monkeypatch.setattr(runner, "MIN_FILES_FOR_INDEX", 1)
    monkeypatch.setattr(fileindex, "RACY_MARGIN_NS", 0)


@pytest.fixture
def reads(monkeypatch):
    """The names of the files the runner reads, per scan."""
    names: list[str] = []
    for reader in ("read_source", "read_source_and_status"):
        real = getattr(runner, reader)
        monkeypatch.setattr(
            runner, reader, lambda path, real=real: names.append(path.name) or real(path)
        )
    return names
