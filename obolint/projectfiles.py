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
from functools import cached_property
from pathlib import Path

from obolint.cache import content_hash

# The key of the list's digest among a cache entry's context paths: no path is empty.
PROJECT_FILES_ENTRY = ""
# What marks the top of a project or repository.
_PROJECT_MARKERS = (".git", "pyproject.toml", "setup.py", "setup.cfg")


def listed_directory(start: Path, root: Path) -> Path:
    """Where the project's files are listed from for a scan that starts at ``start``: the
    root, unless the root holds several projects (a folder of checkouts, none of them marked
    by a `.git`, `pyproject.toml`, `setup.py` or `setup.cfg` at the root itself): then the
    outermost marked folder between ``start`` and the root."""
    root = root.resolve()
    if any((root / marker).exists() for marker in _PROJECT_MARKERS):
        return root
    directory = start.resolve()
    if not directory.is_dir():
        directory = directory.parent
    outermost = None
    while directory != root and directory.is_relative_to(root):
        if any((directory / marker).exists() for marker in _PROJECT_MARKERS):
            outermost = directory
        directory = directory.parent
    return outermost or root


class ProjectFiles:
    """The project's Python files as a scan of its root finds them, listed on first use."""

    def __init__(self, list_files: Callable[[], Sequence[Path]]) -> None:
        self._list_files = list_files

    @cached_property
    def files(self) -> list[Path]:
        """Every Python file of the project, absolute and under the resolved directory listed."""
        return list(self._list_files())

    @cached_property
    def digest(self) -> str:
        """What a result that looked modules up in the list depends on: the paths listed."""
        return content_hash("\n".join(sorted(str(path) for path in self.files)))
