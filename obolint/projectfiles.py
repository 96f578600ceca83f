"""The Python files of the whole project, for a scan of only some of them.

Pre-commit passes only the changed files, and a user may scan one folder; the modules those
files import are still read for their summaries (see obolint.analysis), wherever they are under
the project root: `backend/app/x.py` imported as `app.x`, `lib/core/src/core/auth.py` as
`core.auth`, as a scan of the whole root would name them. The files are listed once, on the
first import the usual places (the root and `src/`) do not hold.

A scan that listed them depends on the list: a module added anywhere could be the one an import
names. Its cache entry keeps a digest of the list, checked again before the entry is used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from obolint.cache import content_hash

# The key of the list's digest among a cache entry's context paths: no path is empty.
PROJECT_FILES_ENTRY = ""


class ProjectFiles:
    """The project's Python files as a scan of its root finds them, listed on first use."""

    def __init__(self, list_files: Callable[[], Sequence[Path]]) -> None:
        self._list_files = list_files
        self._files: list[Path] | None = None

    def files(self) -> list[Path]:
        """Every Python file of the project (listed once)."""
        if self._files is None:
            self._files = list(self._list_files())
        return self._files

    def digest(self) -> str:
        """What a result that looked modules up in the list depends on: the paths listed."""
        return content_hash("\n".join(sorted(str(path) for path in self.files())))
