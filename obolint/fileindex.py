"""What the results cache knows of unchanged files without reading them: a file whose status
(size, times, inode) is as recorded has the content hash recorded with it.

A warm scan of a large project otherwise reads, decodes and hashes every file to find its
cache key (saleor, 4,338 files: 0.25 s of a 0.7 s warm run). Git's index and Ruff's cache
trust file status the same way. A file is recorded only when its last change (modification
or status change, whichever is later) is RACY_MARGIN_NS older than the moment its status was
read: a file changed again within the file system's timestamp resolution after it was read
could otherwise keep the recorded status with other content. The status change time cannot be
set back (``touch -d`` sets only the modification time), so an edit that restores the old
modification time is still seen; on Windows ``st_ctime`` is the creation time, and such an
edit is not seen there (as with Ruff's cache, which compares modification times only).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Scans of fewer files do not use the index: loading it costs more than reading them (a
# pre-commit run on ten files of saleor would load 4,338 entries to skip ten small reads).
MIN_FILES_FOR_INDEX = 200
# Above this many entries, and more than twice a scan's files, entries of files outside that
# scan are dropped (see IndexedFiles.updated).
MAX_ENTRIES_KEPT = 20_000
# Well above every file system's timestamp resolution (FAT: 2 s) and the lag of the coarse
# clock the kernel stamps files with.
RACY_MARGIN_NS = 3_000_000_000

# What is compared: size, modification and status-change times (ns), inode, device.
Status = tuple[int, int, int, int, int]


def status_of(stat: os.stat_result) -> Status:
    """The parts of a file's status that any change to its content changes."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


@dataclass
class Known:
    """What was recorded of a file's content: its hash, and whether it may hold suppression
    comments (see obolint.suppress.may_hold_suppressions)."""

    digest: str
    commented: bool


@dataclass
class IndexedFiles:
    """The index as loaded (absolute path -> [status..., digest, commented]) and what this scan
    learned; written back only when it changed."""

    entries: dict[str, list]
    learned: dict[str, list] = field(default_factory=dict)
    # How far behind the file system's clock runs (see clock_lag_ns).
    lag_ns: int = 0

    def lookup(self, absolute: str) -> Known | None:
        """What the index knows of ``absolute`` if its status is unchanged, else None."""
        entry = self.entries.get(absolute)
        if entry is None:
            return None
        try:
            stat = os.stat(absolute)
        except OSError:
            return None
        if tuple(entry[:5]) != status_of(stat):
            return None
        return Known(entry[5], bool(entry[6]))

    def record(self, absolute: str, status: Status, read_at_ns: int, known: Known) -> None:
        """Remember ``known`` for the file whose ``status`` was read at ``read_at_ns`` (before
        its content), unless it changed too recently to be trusted."""
        last_change = max(status[1], status[2])
        if last_change >= read_at_ns - self.lag_ns - RACY_MARGIN_NS:
            return
        entry = [*status, known.digest, int(known.commented)]
        if self.entries.get(absolute) != entry:
            self.learned[absolute] = entry

    def updated(self, scanned: Sequence[str]) -> dict[str, list] | None:
        """The entries to store after a scan of the ``scanned`` absolute paths, or None if
        nothing changed."""
        if not self.learned:
            return None
        merged = {**self.entries, **self.learned}
        if len(merged) > max(2 * len(scanned), MAX_ENTRIES_KEPT):
            merged = {path: merged[path] for path in scanned if path in merged}
        return merged


def clock_lag_ns(directory: Path) -> int:
    """How far the clock that stamps files in ``directory`` (which exists) runs behind this
    machine's (ns; 0 when it does not, or cannot be told): a network file system stamps files
    with its server's clock, and a file changed there just now must not look older than the
    margin. Measured as git does, on a file written for the purpose."""
    try:
        before = time.time_ns()
        handle, name = tempfile.mkstemp(dir=directory, prefix=".tmp-clock-")
        try:
            stamped = os.fstat(handle).st_mtime_ns
        finally:
            os.close(handle)
            os.unlink(name)
    except OSError:
        return 0
    return max(0, before - stamped)


def absolute_path(path: Path, cwd: str) -> str:
    """``path`` as the index keys it: absolute, spelled as given (not resolved)."""
    return os.path.join(cwd, os.fspath(path))
