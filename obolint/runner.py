"""Orchestration: read the files, answer from the results cache, or have them analysed."""

from __future__ import annotations

import contextlib
import gc
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from obolint.cache import ResultCache, content_hash, scan_key
from obolint.fileindex import MIN_FILES_FOR_INDEX, IndexedFiles, Known, absolute_path, status_of
from obolint.findings import FileError, ScanResult
from obolint.packs import PackSet
from obolint.parallel import default_jobs
from obolint.prefilter import Triggers, files_to_parse, triggers
from obolint.reach import Reach
from obolint.sourcefiles import display_path, read_source, read_source_and_status
from obolint.suppress import may_hold_suppressions

if TYPE_CHECKING:  # not imported at run time: it imports LibCST
    from obolint.taint.project import Progress

# A file's path and its text or why it cannot be read; both None for a file not read yet
# because the file index knows its hash (see _read_sources).
Source = tuple[Path, str | None, FileError | None]

# Prefilter verdicts (one per file content) the cache keeps even beyond this scan's files.
MIN_PREFILTER_VERDICTS_KEPT = 20_000


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
) -> ScanResult:
    """Analyse ``files`` as one project and return findings, per-file errors and stats.

    ``jobs`` processes (default: one per CPU) parse the files of large scans;
    the analysis runs in this process. The result is the same for any number of jobs. A
    caller about to exit passes ``retain`` to hold the analysis (its syntax trees) instead of
    freeing it.
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
) -> ScanResult:
    started = time.perf_counter()
    enabled_rules = list(enabled_rules)
    shown = [display_path(path) for path in files]
    sources, digests, commented_flags = _read_sources(files, cache)
    # The files the suppression step must read (see obolint.suppress), so that it does not
    # read every file again.
    commented = [path for path, flag in zip(shown, commented_flags, strict=True) if flag]
    exact_key = relevant_key = ""
    if cache is not None:
        exact_key = scan_key(zip(shown, digests, strict=True), packs.digest, enabled_rules, root)
        cached = _cached_result(cache, exact_key, started)
        if cached is not None:
            cached[0].commented = commented
            return cached[0]
        # A miss: the files known unchanged (not read) are needed now.
        sources, fresh, fresh_flags = _read_the_rest(sources, digests, commented_flags)
        if fresh != digests:  # a file changed since its status was read
            digests = fresh
            commented = [path for path, flag in zip(shown, fresh_flags, strict=True) if flag]
            exact_key = scan_key(
                zip(shown, digests, strict=True), packs.digest, enabled_rules, root
            )
    found_by = triggers(packs)
    wanted = _worth_parsing(sources, digests, found_by, cache, jobs)
    if cache is not None:
        # A prefiltered file matters only if the analysis reads it for context, and an entry
        # lists (and is checked against) every file read that way: so a change to files
        # without a trigger word, the usual change in a large project, still hits the cache.
        relevant = [
            digest if is_wanted or text is None else "prefiltered"
            for digest, is_wanted, (_, text, _) in zip(digests, wanted, sources, strict=True)
        ]
        relevant_key = scan_key(
            zip(shown, relevant, strict=True), packs.digest, enabled_rules, root
        )
        prefiltered = [
            (path, text)
            for path, (_, text, _), is_wanted in zip(shown, sources, wanted, strict=True)
            if not is_wanted and text is not None
        ]
        cached = _cached_result(cache, relevant_key, started, prefiltered, found_by)
        if cached is not None:
            # A copy, not a link: the entry under the relevance key is replaced when a scan
            # with another version of a prefiltered file (one that names a handle, or not)
            # recomputes it, and this exact scan's result must not change with it.
            cache.store(exact_key, *cached)
            cached[0].commented = commented
            return cached[0]
    # LibCST and the analysis are imported only now: a cache hit needs neither.
    from obolint.analysis import analyse

    result, loaded, reach = analyse(
        sources,
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
    )
    if cache is not None:
        # Under the key of what matters, and a copy under this scan's exact key (see above).
        for key in {relevant_key, exact_key}:
            cache.store(key, result, loaded, reach.to_json())
    result.commented = commented
    return result


def _digest(text: str | None, error: FileError | None) -> str:
    """What a file contributes to a cache key: its content hash, or why it was unreadable."""
    return content_hash(text) if text is not None else error.kind if error is not None else ""


def _read_sources(
    files: Sequence[Path], cache: ResultCache | None
) -> tuple[list[Source], list[str], list[bool]]:
    """Each file's (path, text, read error), content hash and whether it may hold suppression
    comments. A file the cache's file index knows unchanged is not read: its text and error
    are both None (see obolint.fileindex)."""
    index = None
    if cache is not None and len(files) >= MIN_FILES_FOR_INDEX:
        index = IndexedFiles(cache.load_file_index())
    cwd = os.getcwd()
    sources: list[Source] = []
    digests: list[str] = []
    commented: list[bool] = []
    absolutes = [absolute_path(path, cwd) for path in files] if index is not None else []
    for i, path in enumerate(files):
        known = index.lookup(absolutes[i]) if index is not None else None
        if known is not None:
            sources.append((path, None, None))
            digests.append(known.digest)
            commented.append(known.commented)
            continue
        read_at = time.time_ns()
        # The status of the file read, not of the path: a symlink switched between the two
        # would record one file's status with another's content.
        text, error, status = read_source_and_status(path)
        sources.append((path, text, error))
        digests.append(_digest(text, error))
        commented.append(text is not None and may_hold_suppressions(text))
        if index is not None and status is not None:
            known = Known(digests[-1], commented[-1])
            index.record(absolutes[i], status_of(status), read_at, known)
    if index is not None:
        updated = index.updated(absolutes)
        if updated is not None:
            cache.store_file_index(updated)
    return sources, digests, commented


def _read_the_rest(
    sources: list[Source], digests: list[str], commented: list[bool]
) -> tuple[list[Source], list[str], list[bool]]:
    """``_read_sources``'s results with the files it did not read read now."""
    sources, digests, commented = list(sources), list(digests), list(commented)
    for i, (path, text, error) in enumerate(sources):
        if text is None and error is None:
            text, error = read_source(path)
            sources[i] = (path, text, error)
            digests[i] = _digest(text, error)
            commented[i] = text is not None and may_hold_suppressions(text)
    return sources, digests, commented


def _worth_parsing(
    sources: Sequence[Source],
    digests: Sequence[str],
    found_by: Triggers,
    cache: ResultCache | None,
    jobs: int,
) -> list[bool]:
    """Whether each file contains a trigger word; verdicts on unchanged texts come from the
    cache, so a rerun after an edit searches only the edited files (on ``jobs`` processes
    when there are many)."""
    known = cache.load_prefilter(found_by.key) if cache is not None else {}
    readable = [i for i, (_, text, _) in enumerate(sources) if text is not None]
    # One search per distinct unknown text (digest -> text).
    unknown = {digests[i]: sources[i][1] for i in readable if digests[i] not in known}
    searched = files_to_parse(list(unknown.values()), found_by, jobs)
    found = dict(zip(unknown, searched, strict=True))
    verdicts = {**known, **found}
    wanted = [False] * len(sources)
    for i in readable:
        wanted[i] = verdicts[digests[i]]
    if cache is not None and found:
        current = {digests[i]: wanted[i] for i in readable}
        # Verdicts of files outside this scan are kept for scans of other subsets (pre-commit
        # passes a few files), until there are more than MIN_PREFILTER_VERDICTS_KEPT of them
        # and more than twice this scan's.
        kept = (
            current
            if len(verdicts) > max(2 * len(current), MIN_PREFILTER_VERDICTS_KEPT)
            else verdicts
        )
        cache.store_prefilter(found_by.key, kept)
    return wanted


def _cached_result(
    cache: ResultCache,
    key: str,
    started: float,
    prefiltered: Sequence[tuple[str, str]] = (),
    found_by: Triggers | None = None,
) -> tuple[ScanResult, dict[str, str], dict] | None:
    """The cache entry (result, context hashes, handles) of an equivalent scan whose
    on-demand modules are unchanged too, and in which none of the ``prefiltered`` files
    (display path, text) that scan did not analyse names one of its handles (see
    obolint.reach) now."""
    entry = cache.load(key)
    if entry is None:
        return None
    result, context, reach_doc = entry
    for path, expected in context.items():
        if not expected and not os.path.lexists(path):
            # Still absent (most entries: where a module a credential flowed into would be).
            continue
        text, _ = read_source(Path(path))
        if (content_hash(text) if text is not None else "") != expected:
            return None
    if prefiltered and reach_doc and found_by is not None:
        try:
            reach = Reach.from_json(reach_doc, found_by)
        except (KeyError, TypeError, ValueError):
            return None
        if any(path not in context and reach.finds(text) for path, text in prefiltered):
            return None
    result.stats["cache"] = "hit"
    result.stats["duration_s"] = round(time.perf_counter() - started, 3)
    return result, context, reach_doc
