"""Test-wide settings."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _user_cache_dir(tmp_path_factory, monkeypatch):
    # obolint keeps the key that signs cache entries in the user's cache directory; tests use
    # one of their own instead of the real one.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
