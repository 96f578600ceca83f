"""Reading source files, and the paths reports show for them."""

from __future__ import annotations

import functools
import io
import os
import tokenize
from pathlib import Path

from obolint.findings import FileError

MAX_FILE_BYTES = 5 * 1024 * 1024


def read_source(path: Path) -> tuple[str | None, FileError | None]:
    """The file's text, or a diagnostic saying why it cannot be analysed."""
    text, error, _ = read_source_and_status(path)
    return text, error


def read_source_and_status(
    path: Path,
) -> tuple[str | None, FileError | None, os.stat_result | None]:
    """``read_source``, and the status of the file read (taken from the open file before its
    content is read: the same file even if the path is switched meanwhile)."""
    try:
        with open(path, "rb") as handle:
            status = os.fstat(handle.fileno())
            if status.st_size > MAX_FILE_BYTES:
                return None, _too_large(path, status.st_size), None
            data = handle.read()
    except OSError as exc:
        message = f"cannot read file ({exc.strerror or exc}). Check its permissions."
        return None, FileError(display_path(path), message, "io"), None
    text, error = _decoded(path, data)
    return text, error, status if text is not None else None


def _too_large(path: Path, size: int) -> FileError:
    """The diagnostic for a file of ``size`` bytes, over MAX_FILE_BYTES."""
    return FileError(
        display_path(path),
        f"file is {size // 1024} KiB, over the {MAX_FILE_BYTES // 1024 // 1024} MiB limit; "
        "it was skipped. Exclude generated files with `extend-exclude`.",
        "too-large",
    )


def _decoded(path: Path, data: bytes) -> tuple[str | None, FileError | None]:
    """The text of a file's bytes, or why it is not Python source."""
    if b"\0" in data:
        return None, FileError(
            display_path(path),
            "file contains NUL bytes and is not Python source; it was skipped.",
            "encoding",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = _declared_encoding(data)
        if declared is not None:
            try:
                return data.decode(declared), None
            except (UnicodeDecodeError, LookupError):
                pass
        return None, FileError(
            display_path(path),
            f"file is not valid UTF-8 (byte {exc.start}) and declares no encoding that decodes "
            "it; it was skipped. Save it as UTF-8 to have it analysed.",
            "encoding",
        )
    return text, None


def _declared_encoding(data: bytes) -> str | None:
    """The PEP 263 ``# -*- coding: ... -*-`` declaration of a non-UTF-8 file, if any."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # an unknown or contradictory declaration
        return None
    return None if encoding in ("utf-8", "utf-8-sig") else encoding


def display_path(path: Path) -> str:
    """The path as reports show it: relative to the working directory when inside it."""
    return _display_path(os.fspath(path), os.getcwd())


@functools.lru_cache(maxsize=65536)
def _display_path(path: str, cwd: str) -> str:
    # Memoised: a scan asks for each file's display path several times (0.3 s on saleor).
    if path and not os.path.isabs(path) and not _anchored(path):
        # What relpath would give, without its two absolute paths (found by the walk of a
        # relative path, as in `obolint check .`: most files of most scans).
        rel = os.path.normpath(path)
        if not rel.startswith(".."):
            # Path(rel).as_posix() of a normalised path, without building a Path.
            return rel.replace(os.sep, "/")
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return Path(path).as_posix()
    if rel.startswith(".."):
        return Path(os.path.join(cwd, path)).as_posix()
    return Path(rel).as_posix()


def _anchored(path: str) -> bool:
    """Whether ``path`` has a drive or root though it is not absolute (``C:src`` or ``\\src``
    on Windows): relative to no working directory."""
    drive, rest = os.path.splitdrive(path)
    return bool(drive) or rest[:1] in {os.sep, os.altsep or os.sep}


_TEST_DIRECTORIES = frozenset({"test", "tests", "testing", "e2e"})


def is_test_path(path: str) -> bool:
    """Whether ``path`` (relative to the project, `/`-separated) is a test's: under a folder
    named `tests`, `test`, `testing`, `e2e` or `*_tests`, or a file named `test_*.py`,
    `*_test.py`, `tests.py`, `tests_*.py`, `test.py` or `conftest.py`."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    return (
        any(part in _TEST_DIRECTORIES or part.endswith("_tests") for part in parts[:-1])
        or name.startswith(("test_", "tests_"))
        or name.endswith("_test.py")
        or name in ("test.py", "tests.py", "conftest.py")
    )
