"""Time obolint, its peers and parsing floors on one directory and print a Markdown table.

    python bench/run.py ~/src/saleor --runs 3
    python bench/run.py ~/src/agno --runs 1 --limit 1000 --bandit /tmp/bv/bin/bandit \
        --semgrep /tmp/bv/bin/semgrep --out bench/results-agno.md

Every row is a separate child process, timed end to end (interpreter start-up and imports
included), with its peak RSS read from the ``os.wait4`` rusage of that child. The floors
(reading all files, the prefilter search, ``ast.parse``, ``libcst.parse_module``) run this
script again in a child with ``--floor``, so each has its own RSS.

``ru_maxrss`` of a child is never below the RSS of the process that spawned it (Linux carries
the spawner's high-water mark across ``exec``: after this script had read Bandit's JSON report
of 47,000 issues, every later row showed at least 145 MB). So a small ``--spawner`` process,
started first and doing nothing else, starts every timed command; the footnotes print its RSS,
the lower bound of the column.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gc
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SEMGREP_RULES = BENCH_DIR / "semgrep-credential-taint.yml"
FLOOR_KINDS = ("list", "read", "prefilter", "ast", "libcst", "libcst-matched", "libcst-outlined")
MISSING = "—"
# Semgrep otherwise checks for a newer version online (a minute of retries when offline).
SEMGREP_ENV = dict(os.environ, SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    """One timed run of one command."""

    seconds: float
    rss_mb: float | None
    exit_code: int
    cpu_s: float | None = None  # user + system time of the child and its waited-for children
    timed_out: bool = False
    stderr_tail: str = ""


@dataclass
class Row:
    """One line of the table: a tool, its runs, and what it reported."""

    tool: str
    samples: list[Sample] = field(default_factory=list)
    files: int | None = None  # files the tool says it scanned, for files/s
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None
    # Seconds the tool measured itself, one per run: the notes give their median, so that
    # they describe the same runs as the median wall time.
    in_process: list[float] = field(default_factory=list)


def measure_here(cmd: Sequence[str], timeout: float, env: dict[str, str] | None = None) -> Sample:
    """Run ``cmd`` once; wall seconds, peak RSS of the child (``os.wait4``) and exit code."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env,
            start_new_session=True,
        )
        killed = threading.Event()

        def kill() -> None:
            """Stop the child's whole process group after the timeout."""
            killed.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            if hasattr(os, "wait4"):
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
                # Linux reports kilobytes, macOS bytes.
                scale = 1024 * 1024 if sys.platform == "darwin" else 1024
                rss: float | None = usage.ru_maxrss / scale
                cpu: float | None = usage.ru_utime + usage.ru_stime
            else:  # pragma: no cover - no wait4 (Windows)
                proc.wait()
                rss = cpu = None
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    return Sample(seconds, rss, proc.returncode, cpu, killed.is_set(), tail)


class Spawner:
    """A small child process that starts every timed command (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), str(directory), "--spawner"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def measure(
        self, cmd: Sequence[str], timeout: float, env: dict[str, str] | None = None
    ) -> Sample:
        """Have the spawner run ``cmd`` once and report on it."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        request = {"cmd": list(cmd), "timeout": timeout, "env": env}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the spawner process exited")
        return Sample(**json.loads(line))

    def close(self) -> None:
        """Let the spawner finish."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def spawner_main() -> int:
    """The spawner's side: one JSON request a line in, one JSON sample a line out."""
    for line in sys.stdin:
        request = json.loads(line)
        sample = measure_here(request["cmd"], request["timeout"], request["env"])
        sys.stdout.write(json.dumps(asdict(sample)) + "\n")
        sys.stdout.flush()
    return 0


def run_row(
    row: Row, cmd: Sequence[str], args: argparse.Namespace, env: dict[str, str] | None = None
) -> Sample:
    """Time ``cmd`` once for ``row``, with a progress line on stderr."""
    print(f"  {row.tool} (run {len(row.samples) + 1}/{args.runs}) ...", file=sys.stderr, end="")
    sys.stderr.flush()
    sample = args.spawner.measure(cmd, args.timeout, env)
    row.samples.append(sample)
    print(f" {sample.seconds:.2f} s, exit {sample.exit_code}", file=sys.stderr)
    if sample.timed_out:
        row.notes.append(f"killed after the {args.timeout:g} s timeout")
    elif sample.exit_code not in (0, 1) and sample.stderr_tail.strip():
        row.notes.append("stderr: " + sample.stderr_tail.strip().splitlines()[-1][:200])
    return sample


def capture(cmd: Sequence[str], env: dict[str, str] | None = None) -> str | None:
    """The stripped stdout of a quick command, or None when it fails or cannot start."""
    try:
        done = subprocess.run(
            list(cmd), env=env, capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def read_json(path: Path) -> dict | None:
    """A JSON report written by a tool, or None when it is missing or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------- tools


def obolint_command(explicit: str | None) -> list[str]:
    """How to start obolint: --obolint, the script beside this Python, on PATH, or -m."""
    if explicit:
        return [explicit]
    beside = Path(sys.executable).parent / "obolint"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("obolint")
    return [found] if found else [sys.executable, "-m", "obolint"]


def peer_command(explicit: str | None, name: str) -> list[str] | None:
    """How to start bandit or semgrep: the given path, on PATH, or ``python -m``; else None."""
    if explicit:
        return [explicit] if Path(explicit).is_file() or shutil.which(explicit) else None
    found = shutil.which(name)
    if found:
        return [found]
    probe = capture(
        [
            sys.executable,
            "-c",
            f"import importlib.util as u; print(u.find_spec({name!r}) is not None)",
        ]
    )
    return [sys.executable, "-m", name] if probe == "True" else None


def supported_flags(obolint: list[str]) -> set[str]:
    """Which of ``--no-cache`` and ``--jobs`` ``obolint check --help`` mentions."""
    help_text = capture([*obolint, "check", "--help"]) or ""
    return {
        flag for flag in ("--no-cache", "--jobs") if re.search(rf"(?<![\w-]){flag}\b", help_text)
    }


# The "after a change" row adds this file and removes it after: it reads a credential (so the
# prefilter passes it and it is analysed) and sends it nowhere (no finding). A file the
# prefilter skips would miss the cache only for its new path, and hit in a cache kept from a
# run that added it before.
CHANGED_FILE_NAME = "obolint_bench_changed_file.py"
CHANGED_FILE_TEXT = (
    "# Written by bench/run.py of obolint, and removed after.\n"
    "import os\n\napi_token = os.environ.get('BENCH_TOKEN_{run}')\n"
)


def obolint_rows(
    directory: Path, obolint: list[str], tmp: Path, args: argparse.Namespace, cache_dir: Path
) -> list[Row]:
    """Cold, warm, after-a-change and single-process obolint runs; a results cache they create
    is removed, and so is the file the after-a-change run adds."""
    flags = supported_flags(obolint)
    has_cache = "--no-cache" in flags
    report = tmp / "obolint.json"
    base = [*obolint, "check", "--format", "json", "-o", str(report)]
    cold_cmd = [*base, *(["--no-cache"] if has_cache else []), str(directory)]
    warm_cmd = [*base, str(directory)]
    cold = Row("obolint cold")
    warm = Row("obolint warm" if has_cache else "obolint warm (no cache yet)")
    jobs = Row("obolint --jobs 1")
    changed = Row("obolint after a change (1 file)")
    cache_existed = cache_dir.exists()
    fills: list[float] = []
    if not has_cache:
        changed.skipped = "no `--no-cache` in `obolint check --help`: no cache to measure"
    for number in range(1, args.runs + 1):
        run_row(cold, cold_cmd, args)
        describe_obolint(cold, report)
        if has_cache:
            # Fill the cache (emptied first, unless it was there before the benchmark, so
            # every run fills it); the run after it is the warm one.
            if not cache_existed:
                shutil.rmtree(cache_dir, ignore_errors=True)
            fills.append(args.spawner.measure(warm_cmd, args.timeout).seconds)
        run_row(warm, warm_cmd if has_cache else cold_cmd, args)
        describe_obolint(warm, report)
        if has_cache:
            # A rerun after an edit to a file with a trigger word: a results-cache miss, so
            # what is left is what the per-file caches save.
            touched = directory / CHANGED_FILE_NAME
            # New content every run: a cache kept from before the benchmark must miss too.
            touched.write_text(CHANGED_FILE_TEXT.format(run=number))
            try:
                run_row(changed, warm_cmd, args)
                describe_obolint(changed, report)
            finally:
                touched.unlink(missing_ok=True)
    if fills:
        warm.notes.append(f"the run that filled the cache took {statistics.median(fills):.2f} s")
        if cache_existed:
            warm.notes.append(f"a cache was already in `{cache_dir}` (kept)")
    else:
        warm.notes.append("same command as cold, run right after it")
    if "--jobs" in flags:
        jobs_cmd = [*base, *(["--no-cache"] if has_cache else []), "--jobs", "1", str(directory)]
        for _ in range(args.runs):
            run_row(jobs, jobs_cmd, args)
            describe_obolint(jobs, report)
    else:
        jobs.skipped = "no `--jobs` in `obolint check --help`"
    if has_cache and not cache_existed and cache_dir.is_dir():
        shutil.rmtree(cache_dir, ignore_errors=True)  # leave the scanned tree as it was
    return [cold, warm, changed, jobs]


def precommit_row(
    directory: Path, obolint: list[str], py_files: list[str], tmp: Path, args: argparse.Namespace
) -> Row:
    """What a pre-commit hook does: ten changed files (evenly spaced in path order) named on
    the command line; ``--no-cache`` because a changed file is a cache miss anyway."""
    row = Row("obolint 10 files (pre-commit)")
    if len(py_files) < 10:
        row.skipped = "fewer than 10 files"
        return row
    stride = len(py_files) // 10
    chosen = [str(directory / f) for f in py_files[::stride][:10]]
    report = tmp / "obolint-10.json"
    cmd = [*obolint, "check", "--format", "json", "-o", str(report), "--no-cache", *chosen]
    for _ in range(args.runs):
        run_row(row, cmd, args)
        describe_obolint(row, report)
    return row


def describe_obolint(row: Row, report: Path) -> None:
    """Files and findings from obolint's JSON report (the last run's), and the median of
    the scan times it reported in this row's runs so far."""
    data = read_json(report)
    report.unlink(missing_ok=True)
    if data is None:
        return
    stats = data.get("stats", {})
    row.files = stats.get("files")

    def count(key: str) -> str:
        """A statistic with thousands separators, "?" when missing."""
        value = stats.get(key)
        return f"{value:,}" if isinstance(value, int) else "?"

    parts = [
        f"{count('files')} files",
        f"{count('files_analyzed')} analysed ({count('files_reached')} reached by name)",
        f"{count('files_skipped_prefilter')} prefiltered",
        f"{count('context_files')} context",
        f"{len(data.get('findings', [])):,} findings",
        f"{len(data.get('errors', [])):,} file errors",
    ]
    if "files_parsed_from_cache" in stats and stats.get("cache") == "miss":
        parts.append(f"{count('files_parsed_from_cache')} parsed files loaded from the cache")
    if isinstance(stats.get("duration_s"), (int, float)):
        row.in_process.append(stats["duration_s"])
        parts.append(f"scan {statistics.median(row.in_process):.1f} s in-process")
    row.notes = [", ".join(parts)]


def bandit_row(
    directory: Path, bandit: list[str] | None, tmp: Path, args: argparse.Namespace
) -> Row:
    """Bandit over the whole directory, all its default plugins."""
    row = Row("bandit -r -q")
    if bandit is None:
        row.skipped = "bandit not installed (pass --bandit PATH)"
        return row
    report = tmp / "bandit.json"
    for _ in range(args.runs):
        run_row(row, [*bandit, "-r", "-q", str(directory), "-f", "json", "-o", str(report)], args)
        data = read_json(report)
        report.unlink(missing_ok=True)
        if data is not None:
            metrics = data.get("metrics", {})
            row.files = len([k for k in metrics if k != "_totals"]) or None
            issues = len(data.get("results", []))
            errors = len(data.get("errors", []))
            row.notes = [f"{row.files or 0:,} files, {issues:,} issues, {errors} file errors"]
    return row


def semgrep_row(
    directory: Path, semgrep: list[str] | None, tmp: Path, args: argparse.Namespace
) -> Row:
    """Semgrep with bench/'s small credential taint rule set."""
    rules = _count_rules(SEMGREP_RULES)
    row = Row(f"semgrep ({rules} taint rules)")
    if semgrep is None:
        row.skipped = "semgrep not installed (pass --semgrep PATH)"
        return row
    report = tmp / "semgrep.json"
    cmd = [*semgrep, "--config", str(SEMGREP_RULES), "--json", "-o", str(report)]
    cmd += [str(directory), "--metrics", "off"]
    for _ in range(args.runs):
        run_row(row, cmd, args, SEMGREP_ENV)
        data = read_json(report)
        report.unlink(missing_ok=True)
        if data is not None:
            row.files = len(data.get("paths", {}).get("scanned", [])) or None
            findings = len(data.get("results", []))
            errors = len(data.get("errors", []))
            row.notes = [
                f"{row.files or 0:,} files (by default Semgrep skips `test/`, `tests/` and "
                f"git-ignored files), {findings} findings, {errors} errors"
            ]
    return row


def _count_rules(path: Path) -> int:
    """How many rules a Semgrep YAML file declares (counted by `- id:` lines)."""
    try:
        return len(re.findall(r"^\s*-\s+id:", path.read_text(encoding="utf-8"), re.MULTILINE))
    except OSError:
        return 0


def floor_rows(files: list[str], tmp: Path, args: argparse.Namespace, directory: Path) -> list[Row]:
    """Reading, prefiltering and parsing the same files, each in its own child process."""
    limited = files[: args.limit] if args.limit else files
    total_bytes = sum(_size(f) for f in files) or 1
    all_list = tmp / "files-all.txt"
    all_list.write_text("\n".join(files), encoding="utf-8")
    limited_list = tmp / "files-limited.txt"
    limited_list.write_text("\n".join(limited), encoding="utf-8")
    rows = []
    for kind, label, listing in (
        ("read", "floor: read all files", all_list),
        ("prefilter", "floor: prefilter only", all_list),
        ("ast", "floor: ast.parse", limited_list),
        ("libcst", "floor: libcst.parse_module", limited_list),
        ("libcst-matched", "floor: libcst.parse_module, files the prefilter passes", all_list),
        (
            "libcst-outlined",
            "floor: libcst.parse_module, those files without the definitions left out",
            all_list,
        ),
    ):
        row = Row(label)
        result = tmp / f"floor-{kind}.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), str(directory), "--floor", kind]
        cmd += ["--files", str(listing), "--result", str(result)]
        for _ in range(args.runs):
            run_row(row, cmd, args)
            data = read_json(result)
            result.unlink(missing_ok=True)
            if data is None:
                continue
            row.files = data["files"]
            row.in_process.append(data["seconds"])
            seconds = statistics.median(row.in_process)
            note = f"loop {seconds:.2f} s in-process"
            if kind == "prefilter":
                note = f"{data['matched']:,} of {data['files']:,} files match; " + note
            elif kind == "libcst-matched":
                row.files = data["matched"]
                note = (
                    f"the {data['matched']:,} files ({data['bytes'] / 1e6:.1f} MB) in which a "
                    "flow can start, all on one process; " + note
                )
            elif kind == "libcst-outlined":
                row.files = data["matched"]
                note = (
                    f"the same files, {data['bytes'] / 1e6:.1f} MB once the top-level definitions "
                    "no flow can reach are left out (before any is put back), all on one "
                    "process; " + note
                )
            if data.get("errors"):
                note += f"; {data['errors']} files failed"
            if listing is limited_list and len(limited) < len(files) and data["bytes"]:
                share = data["bytes"] / total_bytes
                estimate = seconds / share
                note += (
                    f"; first {len(limited):,} files only ({share:.0%} of the bytes), "
                    f"≈{estimate:.1f} s for all"
                )
            row.notes = [note]
        rows.append(row)
    return rows


def _size(path: str) -> int:
    """A file's size in bytes, 0 when it cannot be read."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


# --------------------------------------------------------------------------- floor child


def floor_main(kind: str, directory: Path, listing: Path | None, result: Path) -> int:
    """The child side of a floor row (or of the file listing): do the work, write JSON."""
    if kind == "list":
        return _list_files(directory, result)
    assert listing is not None
    # As in obolint, which pauses the cyclic garbage collector during a scan: with it running,
    # LibCST-parsing 150 saleor files took 9.5 s instead of 8.4 s.
    gc.disable()
    paths = [p for p in listing.read_text(encoding="utf-8").splitlines() if p]
    matched = errors = size = 0
    if kind in ("prefilter", "libcst-matched", "libcst-outlined"):
        from obolint.packs import load_packs
        from obolint.prefilter import triggers
        from obolint.sourcefiles import read_source

        found_by = triggers(load_packs())
    if kind.startswith("libcst"):
        import libcst
    outlined: dict[str, str] = {}
    if kind in ("libcst-matched", "libcst-outlined"):
        # The files obolint parses before any reached by name or read for context (readable
        # as obolint reads them, with a trigger word): the floor of a scan that parses only
        # what can matter. Chosen before the clock starts.
        texts = [read_source(Path(p))[0] for p in paths]
        wanted = [
            (Path(p), text)
            for p, text in zip(paths, texts, strict=True)
            if text and found_by.search(text)
        ]
        paths = [str(path) for path, _ in wanted]
        matched = len(paths)
        if kind == "libcst-outlined":
            from obolint.outline import left_out_of

            left = left_out_of(wanted, paths, found_by, 1)[0]
            outlined = dict(zip(paths, left, strict=True))
    started = time.perf_counter()
    for path in paths:
        try:
            if kind == "libcst-outlined":
                text = outlined[path]
                size += len(text.encode("utf-8", "replace"))
                libcst.parse_module(text)
                continue
            data = Path(path).read_bytes()
            size += len(data)
            if kind == "read":
                data.decode("utf-8", "replace")
            elif kind == "prefilter":
                if found_by.search(data.decode("utf-8", "replace")):
                    matched += 1
            elif kind == "ast":
                ast.parse(data, path)
            else:
                libcst.parse_module(data)
        except Exception:  # a file that does not parse is counted, like a tool's file error
            errors += 1
    seconds = time.perf_counter() - started
    summary = {
        "files": len(paths),
        "bytes": size,
        "seconds": seconds,
        "matched": matched,
        "errors": errors,
    }
    result.write_text(json.dumps(summary), encoding="utf-8")
    return 0


def _installed_version(name: str) -> str | None:
    """The version of an installed distribution, or None."""
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _installed_from(name: str) -> str | None:
    """Where pip installed a distribution from (PEP 610 ``direct_url.json``), or None."""
    from importlib import metadata

    try:
        text = metadata.distribution(name).read_text("direct_url.json")
        return json.loads(text)["url"] if text else None
    except (metadata.PackageNotFoundError, ValueError, KeyError):
        return None


def _list_files(directory: Path, result: Path) -> int:
    """The files obolint would scan (its own discovery), read once to warm the page cache."""
    import obolint
    from obolint.config import load_config
    from obolint.discovery import discover

    config = load_config(directory, None)
    found = discover([directory], config)
    files = [str(p) for p in found.files]
    for path in files:
        with contextlib.suppress(OSError):
            Path(path).read_bytes()
    summary = {
        "files": files,
        "excluded": found.excluded,
        "errors": len(found.errors),
        "obolint_file": obolint.__file__,
        "obolint_source": _installed_from("obolint"),
        "libcst": _installed_version("libcst"),
        "cache_dir": str(config.root / ".obolint_cache"),
    }
    result.write_text(json.dumps(summary), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------- report


def git_line(path: Path) -> str | None:
    """``<remote or name> @ <commit>`` when ``path`` is in a git checkout."""
    commit = capture(["git", "-C", str(path), "rev-parse", "HEAD"])
    if commit is None:
        return None
    origin = capture(["git", "-C", str(path), "config", "--get", "remote.origin.url"])
    top = capture(["git", "-C", str(path), "rev-parse", "--show-toplevel"])
    subject = capture(["git", "-C", str(path), "log", "-1", "--format=%cs %s"])
    name = origin or (Path(top).name if top else path.name)
    return f"{name} @ `{commit}`" + (f" ({subject})" if subject else "")


def obolint_checkout_commit(found: dict) -> str | None:
    """The commit of the git checkout obolint is imported from (an editable install), if any."""
    package = Path(found["obolint_file"]).parent
    return capture(["git", "-C", str(package), "rev-parse", "--short", "HEAD"])


def load_average() -> float | None:
    """The one-minute load average, where the system has one."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def first_line(text: str | None) -> str:
    """The first line of a version banner, or "?"."""
    return text.splitlines()[0].strip() if text else "?"


def fmt(value: float | None, digits: int) -> str:
    """A number with ``digits`` decimals, or a dash."""
    return MISSING if value is None else f"{value:,.{digits}f}"


def table(rows: list[Row]) -> list[str]:
    """The Markdown table, one line per row."""
    lines = [
        "| tool | median wall s | CPU s | files/s | peak RSS MB | exit | notes |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        if row.skipped or not row.samples:
            note = f"skipped: {row.skipped}" if row.skipped else "not run"
            dashes = " | ".join([MISSING] * 5)
            lines.append(f"| {row.tool} | {dashes} | {note} |")
            continue
        median = statistics.median(s.seconds for s in row.samples)
        cpu_values = [s.cpu_s for s in row.samples if s.cpu_s is not None]
        cpu = statistics.median(cpu_values) if cpu_values else None
        rates = row.files / median if row.files and median > 0 else None
        rss_values = [s.rss_mb for s in row.samples if s.rss_mb is not None]
        rss = max(rss_values) if rss_values else None
        codes = "/".join(str(c) for c in sorted({s.exit_code for s in row.samples}))
        notes = "; ".join(row.notes).replace("|", "\\|")
        lines.append(
            f"| {row.tool} | {median:,.2f} | {fmt(cpu, 2)} | {fmt(rates, 0)} | {fmt(rss, 0)} "
            f"| {codes} | {notes} |"
        )
    return lines


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        description="Benchmark obolint against Bandit, Semgrep and parsing floors on DIR."
    )
    parser.add_argument("directory", metavar="DIR", type=Path, help="the tree to scan")
    parser.add_argument("--runs", type=int, default=3, help="runs per row; the median is shown")
    parser.add_argument(
        "--limit", type=int, default=0, help="parse floors use only the first N files (sorted)"
    )
    parser.add_argument("--skip-floors", action="store_true", help="leave out the floor rows")
    parser.add_argument("--bandit", metavar="PATH", help="the bandit executable")
    parser.add_argument("--semgrep", metavar="PATH", help="the semgrep executable")
    parser.add_argument("--obolint", metavar="PATH", help="the obolint executable")
    parser.add_argument("--out", metavar="FILE", type=Path, help="also write the report here")
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds before a run is killed"
    )
    parser.add_argument("--floor", choices=FLOOR_KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--spawner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--files", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.limit < 0:
        parser.error("--limit must not be negative")
    if not args.directory.is_dir():
        parser.error(f"{args.directory} is not a directory")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run every row and print the report."""
    args = parse_args(argv)
    directory = args.directory.resolve()
    if args.floor:
        return floor_main(args.floor, directory, args.files, args.result)
    if args.spawner:
        return spawner_main()

    args.spawner = Spawner(directory)
    try:
        return run_all(args, directory)
    finally:
        args.spawner.close()


def run_all(args: argparse.Namespace, directory: Path) -> int:
    """Every row, then the report."""
    args.load_at_start = load_average()
    spawn_floor = args.spawner.measure(["true"], 60).rss_mb if shutil.which("true") else None
    obolint = obolint_command(args.obolint)
    bandit = peer_command(args.bandit, "bandit")
    semgrep = peer_command(args.semgrep, "semgrep")
    with tempfile.TemporaryDirectory(prefix="obolint-bench-") as tmp_name:
        tmp = Path(tmp_name)
        listing = tmp / "listing.json"
        print(f"listing files under {directory} ...", file=sys.stderr)
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), str(directory), "--floor", "list"]
            + ["--result", str(listing)],
            check=False,
        )
        if done.returncode != 0:
            print("bench: could not list files (is obolint importable?)", file=sys.stderr)
            return 2
        found = json.loads(listing.read_text(encoding="utf-8"))
        files: list[str] = found["files"]
        py_files = [f for f in files if f.endswith(".py")]
        args.obolint_commit_at_start = obolint_checkout_commit(found)

        rows = obolint_rows(directory, obolint, tmp, args, Path(found["cache_dir"]))
        rows.append(precommit_row(directory, obolint, py_files, tmp, args))
        rows.append(bandit_row(directory, bandit, tmp, args))
        rows.append(semgrep_row(directory, semgrep, tmp, args))
        if not args.skip_floors:
            rows.extend(floor_rows(py_files, tmp, args, directory))

    lines = header(directory, files, py_files, found, obolint, bandit, semgrep, args)
    lines += ["", *table(rows), ""]
    lines += footnotes(rows, py_files, spawn_floor, args)
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


def header(
    directory: Path,
    files: list[str],
    py_files: list[str],
    found: dict,
    obolint: list[str],
    bandit: list[str] | None,
    semgrep: list[str] | None,
    args: argparse.Namespace,
) -> list[str]:
    """What was measured, where, with what."""
    obolint_dir = Path(found["obolint_file"]).parent
    obolint_commit = obolint_checkout_commit(found)
    where = f" at commit `{obolint_commit}`" if obolint_commit else f" installed in `{obolint_dir}`"
    if not obolint_commit and found.get("obolint_source"):
        where += f" from `{found['obolint_source']}`"
    lines = [f"### obolint benchmark: `{directory.name}`", ""]
    lines.append(f"- directory: `{directory}`")
    repo = git_line(directory)
    if repo:
        lines.append(f"- repository: {repo}")
    extra = f" ({len(files) - len(py_files)} more `.pyi`)" if len(files) > len(py_files) else ""
    lines.append(
        f"- files: {len(py_files):,} `.py`{extra} as obolint discovers them "
        f"(paths excluded by config or .gitignore: {found['excluded']})"
    )
    lines.append(
        f"- Python {platform.python_version()} ({sys.executable}); "
        f"{first_line(capture([*obolint, '--version']))}{where}; "
        f"libcst {found.get('libcst') or '?'}"
    )
    if obolint_commit != args.obolint_commit_at_start:
        lines.append(
            f"- **warning**: obolint's checkout moved from `{args.obolint_commit_at_start}` to "
            f"`{obolint_commit}` during the benchmark, so rows may have measured different code "
            "(benchmark an installed snapshot instead, see the README)"
        )
    peers = []
    if bandit:
        peers.append(first_line(capture([*bandit, "--version"])))
    if semgrep:
        peers.append("semgrep " + first_line(capture([*semgrep, "--version"], SEMGREP_ENV)))
    if peers:
        lines.append("- peers: " + ", ".join(peers))
    lines.append(
        f"- machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{args.runs} run(s) per row, median shown"
    )
    return lines


def footnotes(
    rows: list[Row], py_files: list[str], spawn_floor: float | None, args: argparse.Namespace
) -> list[str]:
    """How to read the table."""
    load_start, load_end = args.load_at_start, load_average()
    load = (
        f" The one-minute load average was {load_start:.2f} before the first row and "
        f"{load_end:.2f} after the last ({os.cpu_count()} CPUs): other work on the machine "
        "lengthens wall times; CPU s (user + system time of the tool and its child processes) "
        "is less sensitive to it."
        if load_start is not None and load_end is not None
        else ""
    )
    notes = [
        "Wall time is the whole process (start-up and imports included)."
        + load
        + " files/s divides the "
        "files the tool reports it scanned (obolint `stats.files`, Bandit's metrics, Semgrep's "
        "`paths.scanned`; the floors' own counts) by that time. The OS page cache was warmed "
        '(every file read once) before the first row, so "cold" means no obolint cache, not a '
        "cold disk.",
        "Peak RSS is `ru_maxrss` from `os.wait4` on the tool's process: the largest single "
        "process of its tree (Semgrep's `semgrep-core` is a child of its Python wrapper), not a "
        "sum"
        + (
            f"; it cannot be below {spawn_floor:.0f} MB, the RSS of the small process that "
            "spawns every command (measured on `true`)."
            if spawn_floor is not None
            else "."
        ),
    ]
    if args.limit and args.limit < len(py_files):
        notes.append(
            f"`ast.parse` and `libcst.parse_module` ran over only the first {args.limit:,} of "
            f"{len(py_files):,} `.py` files in sorted path order (`--limit {args.limit}`); the "
            '"≈ for all" estimate scales their in-process loop time by bytes to every file.'
        )
    if any(r.tool.endswith("(no cache yet)") for r in rows):
        notes.append(
            "obolint has no cache yet (`obolint check --help` lists no `--no-cache`): the warm "
            "row is the cold command run again right after it."
        )
    notes.append(
        "obolint's exit code 1 means findings or files it could not analyse; Bandit's 1 means "
        "findings; Semgrep exits 0 with findings (no `--error`)."
    )
    return [f"{i}. {note}" for i, note in enumerate(notes, 1)]


if __name__ == "__main__":
    sys.exit(main())
