"""Command-line interface: flags and wiring only; the work happens in the modules it calls."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from obolint import __version__
from obolint.baseline import DEFAULT_FILE as DEFAULT_BASELINE
from obolint.baseline import (
    BaselineError,
    build_baseline,
    dump_baseline,
    filter_baseline,
    load_baseline,
)
from obolint.cache import CACHE_DIR_NAME, ResultCache, signing_key, user_cache_dir
from obolint.cache import clean as clean_cache
from obolint.config import (
    FAIL_ON,
    Config,
    ConfigError,
    load_config,
    per_file_ignore_rules,
    project_root,
    severity_overrides,
    start_directory,
)
from obolint.discovery import discover
from obolint.findings import FileError, Finding, Notice, ScanResult, SuppressedFinding
from obolint.gitdiff import ChangedLines, GitDiffError, changed_lines
from obolint.packs import PackError, load_packs
from obolint.progress import ScanProgress
from obolint.progress import wanted as wanted_progress
from obolint.projectfiles import ProjectFiles, listed_directory
from obolint.report import FORMATS, render
from obolint.report.statistics import render_statistics
from obolint.rulemeta import RuleMeta, SelectionError, select_rules
from obolint.runner import scan
from obolint.sourcefiles import display_path
from obolint.suppress import apply_suppressions, drop_per_file_ignores

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _use_color(output: str | None) -> bool:
    if output:
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def _fail(message: str) -> None:
    click.echo(f"obolint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="obolint")
def main() -> None:
    """obolint finds credentials leaking into AI agents, prompts, tools, browsers and services."""


# Set by `run` only: the last analysis, held until the process exits.
_retained: list[object] | None = None


def run() -> None:
    """The console entry point: ``main``, then exit without freeing the analysis.

    A scan leaves millions of syntax-tree objects behind, and freeing them one by one took
    2.7 s of a 27 s scan of saleor. The process is about to end, so once the report is
    written and flushed it exits at once (as mypy does); nothing else is left to clean up.
    The cyclic garbage collector stays off: with the analysis kept, each collection would
    walk all of it again.
    """
    global _retained
    _retained = []
    gc.disable()
    try:
        main()
        code: int | str | None = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        click.echo(code, err=True)
        code = EXIT_ERROR
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (obolint check | head)
            stream.flush()
    os._exit(code or 0)


def _scan_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options that decide what is scanned and how: shared by `check` and `baseline`."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option(
            "--select",
            multiple=True,
            help="Rules to run: codes, prefixes or names (comma-separated).",
        ),
        click.option("--ignore", multiple=True, help="Rules to skip: codes, prefixes or names."),
        click.option(
            "--config",
            "config_file",
            type=click.Path(path_type=Path),
            help="Read settings from this TOML file.",
        ),
        click.option(
            "--no-respect-gitignore",
            is_flag=True,
            help="Also scan files that .gitignore excludes.",
        ),
        click.option(
            "--force-exclude",
            is_flag=True,
            help="Apply excludes to paths named on the command line too.",
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            help="Processes that search and parse the files of large scans (default: one per "
            "CPU this process may use, within a container's CPU quota; the analysis runs in one "
            "process). Output is the same for any number.",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            help=f"Do not read or write the results cache ({CACHE_DIR_NAME}/ in the project).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@dataclass
class _Analysis:
    """A finished scan with configuration applied: what `check` and `baseline` start from."""

    config: Config
    rules: tuple[RuleMeta, ...]  # with the configured severities
    enabled: list[str]
    scanned: list[str]  # paths of the files scanned, as findings name them
    result: ScanResult  # findings minus per-file ignores and inline suppressions
    suppressed: list[SuppressedFinding]


def _covers(targets: list[Path], root: Path) -> bool:
    """Whether scanning ``targets`` scans every file under ``root``."""
    return any(root.is_relative_to(target.resolve()) for target in targets)


def _signing_key(project_root: Path) -> bytes | None:
    """The user's cache-signing key, unless it lives inside the scanned project (where the
    project's own files, say a pull request's, could supply it); says why when there is none."""
    key_dir = user_cache_dir().resolve()
    if key_dir.is_relative_to(project_root.resolve()):
        click.echo(
            f"warning: the cache is off: its signing key would be in {key_dir}, inside the "
            "scanned project. Point XDG_CACHE_HOME outside it, or pass --no-cache.",
            err=True,
        )
        return None
    key = signing_key(key_dir)
    if key is None:
        click.echo(
            f"warning: the cache is off: no usable signing key in {key_dir} (it must be "
            "yours and private, and the directory writable). Fix or remove it, or pass "
            "--no-cache.",
            err=True,
        )
    return key


def _analyse(
    paths: tuple[Path, ...],
    *,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: Path | None,
    no_respect_gitignore: bool,
    force_exclude: bool,
    no_cache: bool = False,
    jobs: int | None = None,
    report_unused_suppressions: bool = False,
    progress: ScanProgress | None = None,
) -> _Analysis:
    """Configuration, discovery, analysis, severities, per-file ignores and suppressions."""
    targets = list(paths) or [Path(".")]
    try:
        config = load_config(targets[0], config_file)
    except ConfigError as exc:
        _fail(str(exc))
    try:
        packs = load_packs(config.packs)
    except PackError as exc:
        _fail(f"{exc}")
    try:
        enabled = select_rules(
            packs.rules, _split(select) or list(config.select), _split(ignore) + list(config.ignore)
        )
        overrides = severity_overrides(config, packs.rules)
        per_file = per_file_ignore_rules(config, packs.rules)
    except (SelectionError, ConfigError) as exc:
        _fail(str(exc))
    found = discover(
        targets, config, respect_gitignore=not no_respect_gitignore, force_exclude=force_exclude
    )
    root = project_root(config, targets[0])
    project_files = None
    if not _covers(targets, root):
        listed = listed_directory(targets[0], root)
        project_files = ProjectFiles(
            lambda: discover([listed], config, respect_gitignore=not no_respect_gitignore).files
        )
    try:
        key = None if no_cache else _signing_key(root)
        # Without a key to sign entries with, none could be trusted: scan without a cache.
        cache = None if key is None else ResultCache(root / CACHE_DIR_NAME, key)
        result = scan(
            found.files,
            packs,
            enabled,
            root=root,
            cache=cache,
            progress=progress,
            jobs=jobs,
            retain=_retained,
            project_files=project_files,
        )
    except Exception as exc:  # noqa: BLE001 - last resort: say what happened, exit 2
        _fail(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug in obolint; "
            "please report it with the file that triggers it."
        )
    finally:
        # Also on Ctrl-C: the bar hides the cursor until it is stopped.
        if progress is not None:
            progress.close()
    result.errors = sorted([*found.errors, *result.errors], key=lambda e: e.path)
    result.stats["paths_excluded"] = found.excluded
    result.stats["files_with_errors"] = len(result.errors)
    rules = tuple(replace(r, severity=overrides.get(r.id, r.severity)) for r in packs.rules)
    findings = [
        replace(f, severity=overrides[f.rule]) if f.rule in overrides else f
        for f in result.findings
    ]
    findings = drop_per_file_ignores(findings, per_file, config.root)
    scanned = [display_path(path) for path in found.files]
    outcome = apply_suppressions(
        findings,
        (scanned if result.commented is None else result.commented)
        + [f.location.path for f in findings],
        rules,
        enabled=enabled,
        # On by default in CI (the CI variable that GitHub Actions and most CIs set).
        report_unused=report_unused_suppressions or _in_ci(),
    )
    result.findings = outcome.kept
    result.notices = outcome.notices
    result.stats["suppressed"] = len(outcome.suppressed)
    result.stats["findings"] = len(result.findings)
    return _Analysis(config, rules, enabled, scanned, result, outcome.suppressed)


@main.command()
@_scan_options
@click.option(
    "--format",
    "-f",
    "--output-format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write the report to FILE.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    help="Lowest severity that makes the exit code 1 (default: fail-on in the config, "
    "else warning).",
)
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(path_type=Path),
    help="Report only findings beyond those recorded by `obolint baseline write`.",
)
@click.option(
    "--diff-base",
    metavar="REF",
    help="Report only findings whose sink or source is on a line changed since "
    "`git merge-base REF HEAD` (the whole project is still analysed).",
)
@click.option(
    "--show-suppressed", is_flag=True, help="Also list suppressed findings (text and json)."
)
@click.option("--statistics", is_flag=True, help="Print only the number of findings per rule.")
@click.option(
    "--report-unused-suppressions",
    is_flag=True,
    help="Warn about suppression comments that silence nothing (on when CI=true).",
)
@click.option(
    "--sarif-root",
    type=click.Path(path_type=Path),
    help="Directory SARIF paths are relative to (default: git top level, else CWD).",
)
@click.option(
    "--sarif-category", help="SARIF automationDetails category (for several uploads per commit)."
)
@click.option(
    "--no-progress",
    is_flag=True,
    help="Never draw the progress bar (drawn on a terminal for text output after a second).",
)
def check(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    exit_zero: bool,
    fail_on: str | None,
    baseline_file: Path | None,
    diff_base: str | None,
    show_suppressed: bool,
    statistics: bool,
    report_unused_suppressions: bool,
    sarif_root: Path | None,
    sarif_category: str | None,
    no_progress: bool,
    **scan_options: Any,
) -> None:
    """Scan PATHS (default: the current directory) for credential leaks."""
    # Read the baseline and the diff before the analysis: a typo fails fast.
    baseline = None
    if baseline_file is not None:
        try:
            baseline = load_baseline(baseline_file)
        except BaselineError as exc:
            _fail(str(exc))
    changed = None
    if diff_base is not None:
        try:
            changed = changed_lines(diff_base, start_directory(paths[0] if paths else Path(".")))
        except GitDiffError as exc:
            _fail(str(exc))
    analysis = _analyse(
        paths,
        report_unused_suppressions=report_unused_suppressions,
        progress=ScanProgress() if wanted_progress(fmt, no_progress) else None,
        **scan_options,
    )
    result = analysis.result
    if baseline is not None:
        outcome = filter_baseline(
            result.findings, baseline, scanned=analysis.scanned, enabled=analysis.enabled
        )
        result.findings = outcome.new
        result.notices = sorted([*result.notices, *outcome.notices], key=Notice.sort_key)
        result.stats["baselined"] = outcome.accepted
    if changed is not None:
        in_diff = [f for f in result.findings if _touches(changed, f)]
        result.stats["outside_diff"] = len(result.findings) - len(in_diff)
        result.findings = in_diff
    result.stats["findings"] = len(result.findings)
    result.suppressed = analysis.suppressed if show_suppressed else None
    if statistics:
        text = render_statistics(result.findings, analysis.rules)
    else:
        text = render(
            fmt,
            result,
            analysis.rules,
            sarif_root=sarif_root or _default_sarif_root(),
            color=fmt == "text" and _use_color(str(output) if output else None),
            sarif_category=sarif_category,
            version=__version__,
        )
    _write(text, output)
    threshold = fail_on or analysis.config.fail_on
    code = _exit_code(result.findings, result.errors, exit_zero, threshold)
    if (
        code == EXIT_CLEAN
        and not exit_zero
        and analysis.config.missing_reason == "error"
        and any(n.kind == "missing-reason" for n in result.notices)
    ):
        # `missing-reason = "error"`: an unexplained suppression fails the run.
        code = EXIT_FINDINGS
    sys.exit(code)


def _in_ci() -> bool:
    """True on a CI runner (``CI=true``), where unused suppressions are reported."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _touches(changed: ChangedLines, finding: Finding) -> bool:
    """Whether the finding's sink, or the source its trace starts from, is on a changed line."""
    loc = finding.location
    if changed.touches(loc.path, loc.line, loc.end_line):
        return True
    if not finding.trace:
        return False
    source = finding.trace[0].location
    return changed.touches(source.path, source.line)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}. Check that the directory is writable.")


def _exit_code(
    findings: list[Finding], errors: list[FileError], exit_zero: bool, fail_on: str
) -> int:
    # A path that does not exist is a usage error, like an internal error: never hidden.
    if any(e.kind in ("internal", "not-found") for e in errors):
        return EXIT_ERROR
    failing = [f for f in findings if fail_on == "warning" or f.severity == "error"]
    if (failing or errors) and not exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


@main.group()
def baseline() -> None:
    """Accept today's findings, so that `check --baseline` fails only on new ones."""


@baseline.command("write")
@_scan_options
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    default=Path(DEFAULT_BASELINE),
    show_default=True,
    help="The baseline file to write.",
)
def baseline_write(paths: tuple[Path, ...], output: Path, **scan_options: Any) -> None:
    """Record the findings in PATHS (default: .) by fingerprint and count; no code, no secrets."""
    analysis = _analyse(paths, **scan_options)
    result = analysis.result
    directory = Path(os.path.abspath(output)).parent
    entries = build_baseline(result.findings, directory)
    _write(dump_baseline(entries), output)
    for notice in result.notices:
        click.echo(_notice_line(notice), err=True)
    for error in result.errors:
        click.echo(f"{error.path}: error: {error.message}", err=True)
    click.echo(
        f"Wrote {output}: {_plural(len(result.findings), 'finding')} "
        f"({_plural(len(entries), 'fingerprint')}).",
        err=True,
    )
    if result.errors:
        click.echo(
            f"obolint: {_plural(len({e.path for e in result.errors}), 'path')} could not be "
            "analysed, so the baseline does not cover them; fix them and write it again.",
            err=True,
        )
    sys.exit(_exit_code([], result.errors, False, "warning"))


def _notice_line(notice: Notice) -> str:
    where = notice.path + (f":{notice.line}" if notice.line else "")
    return f"{where}: warning: {notice.message}" if where else f"warning: {notice.message}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _default_sarif_root() -> Path:
    directory = Path.cwd()
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


@main.command("rules")
def list_rules() -> None:
    """List every rule: ID, name, severity and what it flags."""
    packs = _builtin_packs()
    width = max(len(r.name) for r in packs.rules)
    for rule in packs.rules:
        click.echo(f"{rule.id}  {rule.name:<{width}}  {rule.severity:<7}  {rule.summary}")


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Print the documentation page of RULE (a code such as OBO401 or a name)."""
    packs = _builtin_packs()
    for meta in packs.rules:
        if rule.upper() == meta.id or rule.lower() == meta.name:
            click.echo(meta.page_markdown())
            return
    _fail(f"no rule '{rule}'. Run `obolint rules` to list them.")


def _builtin_packs():
    try:
        return load_packs()
    except PackError as exc:
        _fail(str(exc))


@main.group()
def cache() -> None:
    """Manage the results cache (.obolint_cache/ in the project)."""


@cache.command("clean")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def cache_clean(path: Path | None) -> None:
    """Remove the results cache of the project at PATH (default: .)."""
    start = path or Path(".")
    try:
        config = load_config(start)
    except ConfigError as exc:
        _fail(str(exc))
    directory = project_root(config, start) / CACHE_DIR_NAME  # where a scan from here keeps it
    removed = clean_cache(directory)
    click.echo(f"Removed {removed} cached result(s) from {directory}.")
