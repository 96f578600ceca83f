"""Command-line interface: flags and wiring only; the work happens in the modules it calls."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from obolint import __version__
from obolint.config import ConfigError, load_config
from obolint.discovery import discover
from obolint.findings import FileError
from obolint.packs import PackError, load_packs
from obolint.report import FORMATS, render
from obolint.rulemeta import SelectionError, select_rules
from obolint.runner import scan

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


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
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
@click.option(
    "--select", multiple=True, help="Rules to run: codes, prefixes or names (comma-separated)."
)
@click.option("--ignore", multiple=True, help="Rules to skip: codes, prefixes or names.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="Read settings from this TOML file.",
)
@click.option(
    "--no-respect-gitignore", is_flag=True, help="Also scan files that .gitignore excludes."
)
@click.option(
    "--force-exclude", is_flag=True, help="Apply excludes to paths named on the command line too."
)
@click.option(
    "--sarif-root",
    type=click.Path(path_type=Path),
    help="Directory SARIF paths are relative to (default: git top level, else CWD).",
)
@click.option(
    "--sarif-category", help="SARIF automationDetails category (for several uploads per commit)."
)
def check(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    exit_zero: bool,
    config_file: Path | None,
    no_respect_gitignore: bool,
    force_exclude: bool,
    sarif_root: Path | None,
    sarif_category: str | None,
) -> None:
    """Scan PATHS (default: the current directory) for credential leaks."""
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
    except SelectionError as exc:
        _fail(str(exc))
    found = discover(
        targets, config, respect_gitignore=not no_respect_gitignore, force_exclude=force_exclude
    )
    try:
        result = scan(found.files, packs, enabled, root=config.root)
    except Exception as exc:  # noqa: BLE001 - last resort: say what happened, exit 2
        _fail(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug in obolint; "
            "please report it with the file that triggers it."
        )
    result.errors = sorted([*found.errors, *result.errors], key=lambda e: e.path)
    result.stats["paths_excluded"] = found.excluded
    result.stats["files_with_errors"] = len(result.errors)
    text = render(
        fmt,
        result,
        packs.rules,
        sarif_root=sarif_root or _default_sarif_root(),
        color=fmt == "text" and _use_color(str(output) if output else None),
        sarif_category=sarif_category,
        version=__version__,
    )
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write {output}: {exc.strerror}. Check that the directory is writable.")
    else:
        click.echo(text, nl=not text.endswith("\n"))
    sys.exit(_exit_code(result.findings, result.errors, exit_zero))


def _exit_code(findings: list, errors: list[FileError], exit_zero: bool) -> int:
    # A path that does not exist is a usage error, like an internal error: never hidden.
    if any(e.kind in ("internal", "not-found") for e in errors):
        return EXIT_ERROR
    if (findings or errors) and not exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


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
