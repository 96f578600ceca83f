"""``[tool.obolint]`` settings from the nearest ``pyproject.toml``, validated with clear errors."""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from obolint.rulemeta import RuleMeta

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

PYPROJECT = "pyproject.toml"
SECTION = "[tool.obolint]"

# Ruff's default excludes (a good guide to what is never project code), plus build output,
# bytecode caches and obolint's own cache. Matched against every path component name.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".obolint_cache",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pycache__",
    "__pypackages__",
    "_build",
    "buck-out",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    "venv",
)

VALID_KEYS: tuple[str, ...] = (
    "select",
    "ignore",
    "exclude",
    "extend-exclude",
    "packs",
    "per-file-ignores",
    "severity",
    "fail-on",
    "missing-reason",
)
SEVERITIES: tuple[str, ...] = ("error", "warning")
FAIL_ON: tuple[str, ...] = ("warning", "error")  # the lowest severity that fails the run


@dataclass(frozen=True)
class Config:
    """Validated obolint settings and the directory their relative paths start from."""

    path: Path | None  # the pyproject.toml (or --config file) read, or None
    root: Path  # its directory (absolute), or the start directory when there is no file
    select: tuple[str, ...] = ()  # rule codes, prefixes ("OBO1") or names; empty = all
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE  # replaces the defaults when set
    extend_exclude: tuple[str, ...] = ()  # added to `exclude`
    packs: tuple[Path, ...] = ()  # user rule packs, absolute
    # (glob relative to the root, rule selectors) pairs, in the order written
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, str], ...] = ()  # (rule code or name, "error" | "warning")
    fail_on: str = "warning"
    # A suppression comment without `-- reason`: a "warning" notice, or an "error" that fails.
    missing_reason: str = "warning"

    @property
    def all_excludes(self) -> tuple[str, ...]:
        """Every exclude pattern in force: ``exclude`` followed by ``extend-exclude``."""
        return self.exclude + self.extend_exclude


class ConfigError(Exception):
    """A configuration problem; ``str()`` is a sentence naming the file, the key and the fix."""


def find_config(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` that has a ``[tool.obolint]`` table."""
    found = _find_config_document(start_directory(start))
    return found[0] if found else None


def load_config(start: Path, explicit: Path | None = None) -> Config:
    """Settings for a scan started at ``start``, or read from ``explicit`` (``--config FILE``)."""
    if explicit is not None:
        return _load_explicit(Path(os.path.abspath(explicit)))
    directory = start_directory(start)
    found = _find_config_document(directory)
    if found is None:
        return Config(path=None, root=directory)
    path, table = found
    return _build_config(path, table, SECTION)


def project_root(config: Config, start: Path) -> Path:
    """Where the scanned project's modules are named from and its cache is kept.

    The config file's directory when a scan started at ``start`` is inside it (always so for
    a config found by walking up). Else (no config file, or a shared ``--config`` kept
    elsewhere) the working directory when ``start`` is inside it: pre-commit runs from the
    repository's top with the changed files, and the first one's directory would name every
    other module by its bare file name, so that no import between them resolves. Else the
    start directory."""
    directory = start_directory(start)
    if config.path is not None and directory.is_relative_to(config.root):
        return config.root
    working = Path.cwd()
    return working if directory.is_relative_to(working) else directory


def start_directory(start: Path) -> Path:
    """The directory a path names, or the directory of the file it names (absolute)."""
    absolute = Path(os.path.abspath(start))
    return absolute if os.path.isdir(absolute) else absolute.parent


def _find_config_document(directory: Path) -> tuple[Path, dict[str, Any]] | None:
    # Like Ruff: a pyproject.toml without our table belongs to someone else; keep walking up.
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / PYPROJECT
        if not os.path.isfile(candidate):
            continue
        data = _read_bytes(candidate)
        if b"obolint" not in data:  # cheap: no need to parse (or fail on) unrelated files
            continue
        table = _obolint_table(_parse_toml(candidate, data), candidate)
        if table is not None:
            return candidate, table
    return None


def _load_explicit(path: Path) -> Config:
    shown = _display(path)
    if not os.path.exists(path):
        raise ConfigError(
            f"{shown}: the configuration file given with --config does not exist. Check the path."
        )
    if not os.path.isfile(path):
        raise ConfigError(f"{shown}: --config must name a TOML file, and this is not a file.")
    document = _parse_toml(path, _read_bytes(path))
    table = _obolint_table(document, path)
    if table is not None:
        return _build_config(path, table, SECTION)
    if path.name == PYPROJECT:
        # A pyproject.toml without the table means "all defaults", as in Ruff.
        return _build_config(path, {}, SECTION)
    # Any other file (e.g. obolint.toml) holds the keys at its top level.
    return _build_config(path, document, "the top level")


def _read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(
            f"{_display(path)}: could not be read ({reason}). Fix its permissions or pass "
            f"another file with --config."
        ) from error


def _parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{_display(path)}: is not valid UTF-8 (bad byte at offset {error.start}). "
            f"Save the file as UTF-8."
        ) from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        reason = str(error)
        if "end of document" in reason:  # the parser names no line here; the last one is it
            last_line = text.rstrip().count("\n") + 1
            reason += f" (line {last_line})"
        raise ConfigError(
            f"{_display(path)}: invalid TOML: {reason}. Fix the syntax at that position."
        ) from error


def _obolint_table(document: dict[str, Any], path: Path) -> dict[str, Any] | None:
    tool = document.get("tool")
    if not isinstance(tool, dict) or "obolint" not in tool:
        return None
    table = tool["obolint"]
    if not isinstance(table, dict):
        raise ConfigError(
            f"{_display(path)}: {SECTION} must be a table (got {_type_name(table)}). Write it as a "
            f"{SECTION} section with the keys {', '.join(VALID_KEYS)}."
        )
    return table


def _build_config(path: Path, table: dict[str, Any], section: str) -> Config:
    shown = _display(path)
    for key in table:
        if key not in VALID_KEYS:
            raise ConfigError(_unknown_key_message(shown, section, key))
    root = path.parent

    def strings(key: str) -> tuple[str, ...] | None:
        if key not in table:
            return None
        return _string_list(table[key], shown, section, key)

    select = strings("select") or ()
    ignore = strings("ignore") or ()
    exclude = strings("exclude")
    extend_exclude = strings("extend-exclude") or ()
    packs = tuple(_resolve_pack(raw, root, shown, section) for raw in strings("packs") or ())
    per_file_ignores = tuple(
        (pattern, _string_list(codes, shown, section, f"per-file-ignores.{json.dumps(pattern)}"))
        for pattern, codes in _table(table, "per-file-ignores", shown, section).items()
    )
    severity = tuple(
        (rule, _choice(level, SEVERITIES, shown, section, f"severity.{rule}"))
        for rule, level in _table(table, "severity", shown, section).items()
    )
    fail_on = "warning"
    if "fail-on" in table:
        fail_on = _choice(table["fail-on"], FAIL_ON, shown, section, "fail-on")
    missing_reason = "warning"
    if "missing-reason" in table:
        missing_reason = _choice(
            table["missing-reason"], SEVERITIES, shown, section, "missing-reason"
        )
    return Config(
        path=path,
        root=root,
        select=select,
        ignore=ignore,
        exclude=DEFAULT_EXCLUDE if exclude is None else exclude,
        extend_exclude=extend_exclude,
        packs=packs,
        per_file_ignores=per_file_ignores,
        severity=severity,
        fail_on=fail_on,
        missing_reason=missing_reason,
    )


def _table(table: dict[str, Any], key: str, shown: str, section: str) -> dict[str, Any]:
    """The sub-table ``key`` (empty when absent); anything else is an error with an example."""
    if key not in table:
        return {}
    value = table[key]
    where = f"{section} {key}" if section == SECTION else key
    if not isinstance(value, dict):
        example = '{"tests/**" = ["OBO5"]}' if key == "per-file-ignores" else '{OBO501 = "error"}'
        raise ConfigError(
            f"{shown}: {where} must be a table (got {_type_name(value)}). "
            f"Write it as {key} = {example}."
        )
    for name in value:
        if not name.strip():
            raise ConfigError(f"{shown}: {where} has an empty key. Remove it.")
    return value


def _choice(value: Any, allowed: tuple[str, ...], shown: str, section: str, key: str) -> str:
    where = f"{section} {key}" if section == SECTION else key
    options = " or ".join(json.dumps(option) for option in allowed)
    if not isinstance(value, str):
        raise ConfigError(
            f"{shown}: {where} must be a string (got {_type_name(value)}). Write {options}."
        )
    if value.strip().lower() not in allowed:
        raise ConfigError(f"{shown}: {where} is {json.dumps(value)}; write {options}.")
    return value.strip().lower()


def _unknown_key_message(shown: str, section: str, key: str) -> str:
    close = difflib.get_close_matches(key, VALID_KEYS, n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    where = f"{section} has" if section == SECTION else f"{section} of the file has"
    extra = ""
    if section != SECTION:
        extra = " (a pyproject.toml holds these keys under [tool.obolint]; other files at the top)"
    return (
        f"{shown}: {where} an unknown key {key!r}.{hint} "
        f"Valid keys are: {', '.join(VALID_KEYS)}{extra}."
    )


def _string_list(value: Any, shown: str, section: str, key: str) -> tuple[str, ...]:
    where = f"{section} {key}" if section == SECTION else f"{key}"
    if isinstance(value, str):
        raise ConfigError(
            f"{shown}: {where} must be a list of strings (got string). "
            f"Write {key} = [{json.dumps(value)}] to give a single value."
        )
    if not isinstance(value, list):
        raise ConfigError(
            f"{shown}: {where} must be a list of strings (got {_type_name(value)}). "
            f"Fix the value or remove the key."
        )
    items: list[str] = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, str):
            raise ConfigError(
                f"{shown}: {where} must be a list of strings (item {index} is "
                f"{_type_name(item)}). Quote the value or remove it."
            )
        if not item.strip():
            raise ConfigError(
                f"{shown}: {where} must not contain empty strings (item {index}). Remove it."
            )
        items.append(item.strip())
    return tuple(items)


def _resolve_pack(raw: str, root: Path, shown: str, section: str) -> Path:
    where = f"{section} packs" if section == SECTION else "packs"
    path = Path(os.path.normpath(root / os.path.expanduser(raw)))
    if not os.path.exists(path):
        raise ConfigError(
            f"{shown}: {where} names {raw!r}, which does not exist (looked for {path}). "
            f"Fix the path; relative paths start from {root}."
        )
    if not os.path.isfile(path):
        raise ConfigError(
            f"{shown}: {where} names {raw!r}, which is not a file. Name a rule-pack TOML file."
        )
    return path


def _type_name(value: Any) -> str:
    # TOML's own words, since that is what the user wrote.
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, (datetime, date, time)):
        return "date/time"
    return type(value).__name__


def _display(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return str(path)
    return relative


def severity_overrides(config: Config, rules: Sequence[RuleMeta]) -> dict[str, str]:
    """``severity`` as rule id -> level; a key that names no rule is an error."""
    overrides: dict[str, str] = {}
    for key, level in config.severity:
        matched = [r.id for r in rules if r.id == key.strip().upper() or r.name == key.lower()]
        if not matched:
            raise ConfigError(
                f"{_config_name(config)}: {SECTION} severity names {key!r}, which matches no "
                f"rule. Use a rule code (OBO501) or name (credential-logged); `obolint rules` "
                f"lists them."
            )
        overrides[matched[0]] = level
    return overrides


def per_file_ignore_rules(config: Config, rules: Sequence[RuleMeta]) -> list[tuple[str, set[str]]]:
    """``per-file-ignores`` as (glob, rule ids); a selector that names no rule is an error."""
    resolved = []
    for pattern, selectors in config.per_file_ignores:
        codes: set[str] = set()
        for selector in selectors:
            token = selector.strip()
            found = {
                r.id
                for r in rules
                if r.id.startswith(token.upper()) or r.name == token.lower() or token == "ALL"
            }
            if not found:
                raise ConfigError(
                    f"{_config_name(config)}: {SECTION} per-file-ignores for {pattern!r} names "
                    f"{selector!r}, which matches no rule. Use a code (OBO501), a prefix (OBO5) "
                    f"or a name (credential-logged)."
                )
            codes |= found
        resolved.append((pattern, codes))
    return resolved


def _config_name(config: Config) -> str:
    return _display(config.path) if config.path is not None else PYPROJECT
