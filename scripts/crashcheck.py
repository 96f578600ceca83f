"""Run obolint over every Python file under some directories and report what broke.

Each file is analysed on its own (read, parse, a one-module project), skipping the trigger-word
prefilter so that the whole engine sees every file. The report gives the throughput, the
per-file diagnostics by kind, the number of findings and, for every internal error (a bug in
obolint), the file and its traceback. The exit code is 1 when there was an internal error.

    python scripts/crashcheck.py                      # this interpreter's stdlib + site-packages
    python scripts/crashcheck.py ~/src/project -j 4   # any directories, four processes
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import os
import signal
import site
import sys
import sysconfig
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from obolint.findings import FileError
from obolint.packs import PackSet, load_packs
from obolint.parsing import parse_source
from obolint.sourcefiles import read_source
from obolint.taint.context import ModuleContext
from obolint.taint.interpreter import ExpressionTooDeep
from obolint.taint.project import Project


class FileTimeout(BaseException):
    """A file took longer than --timeout (a BaseException: no ``except Exception`` eats it)."""


# Directories never descended into: caches, VCS data, and installed packages nested in a
# directory being scanned (the stdlib of many layouts holds the base site-packages).
_SKIPPED_DIRECTORIES = frozenset(
    {"__pycache__", ".git", ".hg", ".tox", ".mypy_cache", "site-packages", "dist-packages"}
)


@dataclass
class FileOutcome:
    """What happened to one file."""

    path: str
    seconds: float
    findings: int = 0
    kind: str | None = None  # the diagnostic's kind; None when the file was analysed
    message: str = ""
    trace: str = ""  # the traceback of an internal error


@dataclass
class Totals:
    """Counters over all files."""

    files: int = 0
    findings: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    internal: list[FileOutcome] = field(default_factory=list)
    slowest: list[FileOutcome] = field(default_factory=list)

    def add(self, outcome: FileOutcome) -> None:
        self.files += 1
        self.findings += outcome.findings
        self.kinds[outcome.kind or "analysed"] += 1
        if outcome.kind == "internal":
            self.internal.append(outcome)
        self.slowest = sorted([*self.slowest, outcome], key=lambda o: -o.seconds)[:10]


def python_files(directories: list[Path]) -> Iterator[Path]:
    """Every ``.py`` file under ``directories``, in a stable order, without following links."""
    for directory in directories:
        if directory.is_file():
            yield directory
        for top, dirs, files in os.walk(directory):
            dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRECTORIES)
            for name in sorted(files):
                if name.endswith(".py"):
                    yield Path(top, name)


def check_file(
    path: Path, root: Path, packs: PackSet, enabled: list[str], timeout: float = 0
) -> FileOutcome:
    """Analyse one file the way the runner does and classify the result."""
    started = time.perf_counter()
    outcome = FileOutcome(str(path), 0.0)
    try:
        with _time_limit(timeout):
            error = _analyse(path, root, packs, enabled, outcome)
    except FileTimeout:
        error = FileError(str(path), f"took more than {timeout:g}s", "timeout")
    except Exception as exc:  # noqa: BLE001 - that is what this script looks for
        error = FileError(str(path), f"{type(exc).__name__}: {exc}", "internal")
        outcome.trace = "".join(traceback.format_exception(exc))
    if error is not None:
        outcome.kind, outcome.message = error.kind, error.message
    outcome.seconds = time.perf_counter() - started
    return outcome


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise FileTimeout in this thread after ``seconds`` (0: no limit; Unix only). Native
    code (LibCST's parser) is interrupted only when it returns to Python."""
    if not seconds or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise FileTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _analyse(
    path: Path, root: Path, packs: PackSet, enabled: list[str], outcome: FileOutcome
) -> FileError | None:
    text, error = read_source(path)
    if text is None:
        return error
    parsed, error = parse_source(path, text, root)
    if parsed is None:
        return error
    project = Project(packs, enabled)
    project.add_module(
        ModuleContext(
            path=parsed.path,
            module_name=parsed.module_name,
            module=parsed.module,
            positions=parsed.positions,
            imports=parsed.imports,
            packs=packs,
            project=project,
        )
    )
    outcome.findings = len(project.analyze())
    for exc in project.failures.values():
        if isinstance(exc, (RecursionError, ExpressionTooDeep)):
            return FileError(parsed.path, f"analysis too deep: {type(exc).__name__}", "recursion")
        outcome.trace = "".join(traceback.format_exception(exc))
        return FileError(parsed.path, f"{type(exc).__name__}: {exc}", "internal")
    return None


# --- parallel workers: packs are loaded once per process -------------------------------------

_WORKER: tuple[PackSet, list[str], float] | None = None


def _start_worker(timeout: float) -> None:
    global _WORKER
    faulthandler.enable()
    packs = load_packs()
    _WORKER = (packs, [rule.id for rule in packs.rules], timeout)


def _check_in_worker(job: tuple[Path, Path]) -> FileOutcome:
    assert _WORKER is not None
    path, root = job
    return check_file(path, root, *_WORKER)


def default_directories() -> list[Path]:
    """The running interpreter's stdlib and every site-packages directory it sees."""
    found = [Path(sysconfig.get_paths()["stdlib"])]
    for directory in [*site.getsitepackages(), site.getusersitepackages()]:
        if os.path.isdir(directory):
            found.append(Path(directory))
    # The stdlib contains no site-packages of its own on most layouts; never scan one twice.
    unique: list[Path] = []
    for directory in found:
        if not any(directory.resolve() == seen.resolve() for seen in unique):
            unique.append(directory)
    return unique


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "directories", nargs="*", type=Path, help="directories or files (default: stdlib, site)"
    )
    parser.add_argument("-j", "--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--limit", type=int, default=0, help="stop after this many files")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every diagnostic")
    parser.add_argument(
        "--timeout", type=float, default=60, help="seconds per file before giving up (0: none)"
    )
    args = parser.parse_args(argv)
    directories = args.directories or default_directories()
    faulthandler.enable()  # a crash in native code still says where it happened

    jobs: list[tuple[Path, Path]] = []
    for directory in directories:
        # Site-packages and the stdlib are import roots: module names are relative to them.
        root = directory.parent if directory.is_file() else directory
        jobs.extend((path, root) for path in python_files([directory]))
    if args.limit:
        jobs = jobs[: args.limit]
    print(f"crashcheck: {len(jobs)} files under {', '.join(map(str, directories))}", flush=True)

    totals = Totals()
    started = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(
            args.jobs, initializer=_start_worker, initargs=(args.timeout,)
        ) as pool:
            outcomes = pool.map(_check_in_worker, jobs, chunksize=16)
            _collect(outcomes, totals, args.verbose)
    else:
        packs = load_packs()
        enabled = [rule.id for rule in packs.rules]
        outcomes = (check_file(path, root, packs, enabled, args.timeout) for path, root in jobs)
        _collect(outcomes, totals, args.verbose)
    elapsed = time.perf_counter() - started

    print()
    rate = totals.files / elapsed if elapsed else 0.0
    print(f"files: {totals.files}  seconds: {elapsed:.1f}  files/s: {rate:.1f}")
    print(f"findings: {totals.findings}")
    print("outcomes: " + ", ".join(f"{k}={v}" for k, v in sorted(totals.kinds.items())))
    print("slowest files:")
    for outcome in totals.slowest:
        print(f"  {outcome.seconds:7.2f}s  {outcome.path}  {outcome.kind or ''}")
    print(f"internal errors: {len(totals.internal)}")
    for outcome in totals.internal:
        print(f"\n--- {outcome.path}\n{outcome.message}\n{outcome.trace}")
    return 1 if totals.internal else 0


def _collect(outcomes, totals: Totals, verbose: bool) -> None:
    for index, outcome in enumerate(outcomes, 1):
        totals.add(outcome)
        if outcome.kind in ("internal", "timeout") or (verbose and outcome.kind):
            print(f"{outcome.path}: {outcome.kind}: {outcome.message}", flush=True)
        if index % 500 == 0:
            print(f"  ... {index} files", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
