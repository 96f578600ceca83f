"""Orchestration: read the files, answer from the results cache, or have them analysed."""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from obolint.cache import (
    PREFILTER_ENTRY_PREFIX,
    REACH_ENTRY_PREFIX,
    ResultCache,
    content_hash,
    scan_key,
)
from obolint.fileindex import (
    MIN_FILES_FOR_INDEX,
    IndexedFiles,
    Known,
    absolute_path,
    clock_lag_ns,
    status_of,
)
from obolint.findings import FileError, ScanResult
from obolint.packs import PackSet
from obolint.parallel import default_jobs
from obolint.prefilter import Triggers, files_to_parse, triggers
from obolint.projectfiles import PROJECT_FILES_ENTRY, ProjectFiles
from obolint.reach import Reach
from obolint.sourcefiles import display_path, read_source, read_source_and_status
from obolint.suppress import may_hold_suppressions

if TYPE_CHECKING:  # not imported at run time: it imports LibCST
    from obolint.taint.project import Progress

# A file's path and its text or why it cannot be read; both None for a file not read yet
# because the file index knows its hash (see _read_sources).
Source = tuple[Path, str | None, FileError | None]


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a scan.

    A scan builds millions of long-lived syntax-tree objects; the collector re-walks them
    again and again and took 30% of a cold scan of saleor (44.0 s with it, 30.6 s without).
    The analysis makes almost no reference cycles (peak RSS 590 MB either way), and
    reference counting still frees everything else at once.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def scan(
    files: Sequence[Path],
    packs: PackSet,
    enabled_rules: Iterable[str],
    *,
    root: Path,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    retain: list[object] | None = None,
    project_files: ProjectFiles | None = None,
) -> ScanResult:
    """Analyse ``files`` as one project and return findings, per-file errors and stats.

    ``jobs`` processes (default: one per CPU) parse the files of large scans;
    the analysis runs in this process. The result is the same for any number of jobs. A
    caller about to exit passes ``retain`` to hold the analysis (its syntax trees) instead of
    freeing it. When ``files`` are only some of the project's, ``project_files`` lists all of
    them: the modules the scanned files import are read from there.
    """
    with _cyclic_gc_paused():
        return _scan(
            files,
            packs,
            enabled_rules,
            root=root,
            cache=cache,
            progress=progress,
            jobs=jobs or default_jobs(),
            retain=retain,
            project_files=project_files,
        )


def _scan(
    files: Sequence[Path],
    packs: PackSet,
    enabled_rules: Iterable[str],
    *,
    root: Path,
    cache: ResultCache | None,
    progress: Progress | None,
    jobs: int,
    retain: list[object] | None,
    project_files: ProjectFiles | None,
) -> ScanResult:
    started = time.perf_counter()
    enabled_rules = list(enabled_rules)
    shown = [display_path(path) for path in files]
    read = _read_sources(files, cache)
    exact_key = relevant_key = ""
    if cache is not None:
        exact_key = scan_key(
            zip(shown, read.digests, strict=True), packs.digest, enabled_rules, root
        )
        cached = _cached_result(cache, exact_key, started, project_files=project_files)
        if cached is not None:
            cached[0].commented = read.commented_paths(shown)
            return cached[0]
    found_by = triggers(packs)
    wanted = _worth_parsing(read, found_by, cache, jobs)
    if cache is not None:
        exact_key, relevant_key = _keys(shown, read, wanted, packs, enabled_rules, root)
        # A prefiltered file matters only if the analysis reads it for context, and an entry
        # lists (and is checked against) every file read that way: so a change to files
        # without a trigger word, the usual change in a large project, still hits the cache.
        prefiltered = [(shown[i], i) for i in read.readable() if not wanted[i]]
        cached = _cached_result(
            cache, relevant_key, started, prefiltered, read, found_by, project_files
        )
        if cached is not None and not read.changed:
            # A copy, not a link: the entry under the relevance key is replaced when a scan
            # with another version of a prefiltered file (one that names a handle, or not)
            # recomputes it, and this exact scan's result must not change with it.
            cache.store(exact_key, *cached)
            cache.prune()
            cached[0].commented = read.commented_paths(shown)
            return cached[0]
    # A miss: the files the index answered for are read now.
    read.read_all()
    if read.changed:  # a file changed since the index's look at it: decide on what was read
        read.changed = False
        wanted = _worth_parsing(read, found_by, cache, jobs)
        if cache is not None:
            exact_key, relevant_key = _keys(shown, read, wanted, packs, enabled_rules, root)
    commented = read.commented_paths(shown)
    sources = read.sources
    # LibCST and the analysis are imported only now: a cache hit needs neither.
    from obolint.analysis import analyse

    result, loaded, reach, reach_verdicts = analyse(
        sources,
        read.digests,
        wanted,
        packs,
        enabled_rules,
        root=root,
        cache=cache,
        progress=progress,
        jobs=jobs,
        retain=retain,
        found_by=found_by,
        started=started,
        project_files=project_files,
    )
    if cache is not None:
        # Under the key of what matters, and a copy under this scan's exact key (see above).
        for key in {relevant_key, exact_key}:
            cache.store(key, result, loaded, reach.to_json())
        if reach_verdicts:
            # So that a rerun after an edit to a prefiltered file searches only that file.
            vocabulary = reach.vocabulary
            # With one round of looking for handles, the analysis stored this table already.
            known = cache.load_verdicts(REACH_ENTRY_PREFIX, vocabulary)
            cache.remember_verdicts(REACH_ENTRY_PREFIX, vocabulary, known, reach_verdicts)
        cache.prune()
    result.commented = commented
    return result


def _digest(text: str | None, error: FileError | None) -> str:
    """What a file contributes to a cache key: its content hash, or why it was unreadable."""
    return content_hash(text) if text is not None else error.kind if error is not None else ""


@dataclass
class _ReadFiles:
    """The files of a scan as read so far: (path, text, read error), content hash and whether
    each may hold suppression comments. A file the cache's file index knows unchanged is read
    only when its text is needed (until then its text and error are both None)."""

    sources: list[Source]
    digests: list[str]
    commented: list[bool]
    # A file read later had another hash than the index said (it changed meanwhile).
    changed: bool = False

    def text(self, i: int) -> str | None:
        """File ``i``'s text, read now if not yet (None if it cannot be read)."""
        path, text, error = self.sources[i]
        if text is None and error is None:
            text, error = read_source(path)
            self.sources[i] = (path, text, error)
            digest = _digest(text, error)
            if digest != self.digests[i]:
                self.digests[i] = digest
                self.changed = True
            self.commented[i] = text is not None and may_hold_suppressions(text)
        return text

    def read_all(self) -> None:
        """Read every file not read yet."""
        for i in range(len(self.sources)):
            self.text(i)

    def readable(self) -> list[int]:
        """The files that could be read or are known from the index."""
        return [i for i, (_, _, error) in enumerate(self.sources) if error is None]

    def commented_paths(self, shown: Sequence[str]) -> list[str]:
        """The display paths of the files the suppression step must read (see
        obolint.suppress), so that it does not read every file again."""
        return [path for path, flag in zip(shown, self.commented, strict=True) if flag]


def _keys(
    shown: Sequence[str],
    read: _ReadFiles,
    wanted: Sequence[bool],
    packs: PackSet,
    enabled_rules: list[str],
    root: Path,
) -> tuple[str, str]:
    """The exact key (every file by content) and the relevance key (prefiltered files by path
    only) of a scan."""
    exact = scan_key(zip(shown, read.digests, strict=True), packs.digest, enabled_rules, root)
    relevant = [
        digest if is_wanted or error is not None else "prefiltered"
        for digest, is_wanted, (_, _, error) in zip(read.digests, wanted, read.sources, strict=True)
    ]
    return exact, scan_key(zip(shown, relevant, strict=True), packs.digest, enabled_rules, root)


def _read_sources(files: Sequence[Path], cache: ResultCache | None) -> _ReadFiles:
    """The scan's files: read, except those the cache's file index knows unchanged (see
    obolint.fileindex)."""
    index = None
    if cache is not None and len(files) >= MIN_FILES_FOR_INDEX:
        index = IndexedFiles(cache.load_file_index(), lag_ns=_clock_lag_ns(cache))
    cwd = os.getcwd()
    read = _ReadFiles([], [], [])
    absolutes = [absolute_path(path, cwd) for path in files] if index is not None else []
    for i, path in enumerate(files):
        known = index.lookup(absolutes[i]) if index is not None else None
        if known is not None:
            read.sources.append((path, None, None))
            read.digests.append(known.digest)
            read.commented.append(known.commented)
            continue
        read_at = time.time_ns()
        # The status of the file read, not of the path: a symlink switched between the two
        # would record one file's status with another's content.
        text, error, status = read_source_and_status(path)
        read.sources.append((path, text, error))
        read.digests.append(_digest(text, error))
        read.commented.append(text is not None and may_hold_suppressions(text))
        if index is not None and status is not None:
            known = Known(read.digests[-1], read.commented[-1])
            index.record(absolutes[i], status_of(status), read_at, known)
    if index is not None:
        updated = index.updated(absolutes)
        if updated is not None:
            cache.store_file_index(updated)
    return read


def _clock_lag_ns(cache: ResultCache) -> int:
    """How far the clock of the file system holding the cache runs behind (see
    obolint.fileindex.clock_lag_ns); the project's files are on it too, as a rule."""
    try:
        cache.make_directory()
    except OSError:
        return 0
    return clock_lag_ns(cache.directory)


def _worth_parsing(
    read: _ReadFiles, found_by: Triggers, cache: ResultCache | None, jobs: int
) -> list[bool]:
    """Whether each file contains a trigger word; verdicts on unchanged texts come from the
    cache, so a rerun after an edit searches (and reads) only the edited files (on ``jobs``
    processes when there are many)."""
    known = cache.load_verdicts(PREFILTER_ENTRY_PREFIX, found_by.key) if cache is not None else {}
    # One search per distinct unknown text (digest -> text).
    unknown: dict[str, str] = {}
    for i in read.readable():
        if read.digests[i] not in known:
            text = read.text(i)  # read now: its digest may change, or it may be gone
            if text is not None and read.digests[i] not in known:
                unknown[read.digests[i]] = text
    readable = read.readable()
    searched = files_to_parse(list(unknown.values()), found_by, jobs)
    found = dict(zip(unknown, searched, strict=True))
    verdicts = {**known, **found}
    wanted = [False] * len(read.sources)
    for i in readable:
        wanted[i] = verdicts[read.digests[i]]
    if cache is not None and found:
        current = {read.digests[i]: wanted[i] for i in readable}
        cache.remember_verdicts(PREFILTER_ENTRY_PREFIX, found_by.key, known, current)
    return wanted


def _cached_result(
    cache: ResultCache,
    key: str,
    started: float,
    prefiltered: Sequence[tuple[str, int]] = (),
    read: _ReadFiles | None = None,
    found_by: Triggers | None = None,
    project_files: ProjectFiles | None = None,
) -> tuple[ScanResult, dict[str, str], dict] | None:
    """The cache entry (result, context hashes, handles) of an equivalent scan whose
    on-demand modules are unchanged too, and in which none of the ``prefiltered`` files
    (display path, index in ``read``) that scan did not analyse names one of its handles (see
    obolint.reach) now. Whether a text names one is kept per content hash and set of handles,
    so only prefiltered files edited since are read and searched. An entry that looked modules
    up among the ``project_files`` holds only while they are the same files."""
    entry = cache.load(key)
    if entry is None:
        return None
    result, context, reach_doc = entry
    for path, expected in context.items():
        if path == PROJECT_FILES_ENTRY:
            if project_files is None or project_files.digest != expected:
                return None
            continue
        if not expected and not os.path.lexists(path):
            # Still absent (most entries: where a module a credential flowed into would be).
            continue
        text, _ = read_source(Path(path))
        if (content_hash(text) if text is not None else "") != expected:
            return None
    if prefiltered and reach_doc and read is not None and found_by is not None:
        try:
            reach = Reach.from_json(reach_doc, found_by)
        except (KeyError, TypeError, ValueError):
            return None
        if _names_a_handle(cache, reach, prefiltered, context, read):
            return None
    result.stats["cache"] = "hit"
    result.stats["duration_s"] = round(time.perf_counter() - started, 3)
    return result, context, reach_doc


def _names_a_handle(
    cache: ResultCache,
    reach: Reach,
    prefiltered: Sequence[tuple[str, int]],
    context: dict[str, str],
    read: _ReadFiles,
) -> bool:
    """Whether one of the ``prefiltered`` files outside ``context`` names a handle of
    ``reach`` now; verdicts on unchanged texts come from the cache, and new ones are kept."""
    if not reach:
        return False
    known = cache.load_verdicts(REACH_ENTRY_PREFIX, reach.vocabulary)
    found: dict[str, bool] = {}
    names_one = False
    for path, i in prefiltered:
        if path in context:
            continue
        verdict = known.get(read.digests[i])
        if verdict is None:
            text = read.text(i)
            verdict = found[read.digests[i]] = text is not None and reach.finds(text)
        if verdict:
            names_one = True
            break
    if found:
        verdicts = {**known, **found}
        # This scan's files with a verdict: the search may have stopped before the others.
        current = {
            read.digests[i]: verdicts[read.digests[i]]
            for _, i in prefiltered
            if read.digests[i] in verdicts
        }
        cache.remember_verdicts(REACH_ENTRY_PREFIX, reach.vocabulary, known, current)
    return names_one
