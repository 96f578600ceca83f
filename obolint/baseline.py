"""Baselines: accept today's findings so that a gate fails only on new ones.

A baseline records each finding by a fingerprint that survives line moves and unrelated
edits (rule, file, enclosing function, normalised sink text, source kind), with a count per
fingerprint, so that a third copy of a twice-accepted leak is still reported. It stores no
source text and no secret: only the fingerprint, the rule and the path, for people to read.
Paths (and the fingerprints built from them) are relative to the baseline file's directory,
so the gate gives the same answer from whichever directory obolint runs.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from obolint.findings import Finding, Notice

FORMAT = 1
DEFAULT_FILE = ".obolint-baseline.json"


class BaselineError(Exception):
    """A baseline file that cannot be used; ``str()`` says which file and what to do."""


@dataclass(frozen=True)
class BaselineEntry:
    """Accepted findings that share one fingerprint."""

    fingerprint: str
    rule: str
    path: str  # relative to the baseline file's directory, "/"-separated
    count: int


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline: its entries and the directory their paths start from."""

    path: Path
    directory: Path  # absolute
    entries: tuple[BaselineEntry, ...]


@dataclass
class BaselineOutcome:
    """Findings beyond the baseline, how many it accepted, and its stale entries."""

    new: list[Finding]
    accepted: int
    notices: list[Notice]


def relative_path(path: str, directory: Path) -> str:
    """``path`` (as a finding names it) relative to ``directory``, "/"-separated."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, directory)
    except ValueError:  # another drive on Windows
        return Path(absolute).as_posix()
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return Path(absolute).as_posix()
    return Path(relative).as_posix()


def baseline_fingerprint(finding: Finding, directory: Path) -> str:
    """``finding.fingerprint`` computed with its path relative to ``directory``."""
    location = replace(finding.location, path=relative_path(finding.location.path, directory))
    return replace(finding, location=location).fingerprint


def build_baseline(findings: Iterable[Finding], directory: Path) -> list[BaselineEntry]:
    """One entry per fingerprint, in path, rule, fingerprint order."""
    directory = Path(os.path.abspath(directory))
    counts: Counter[tuple[str, str, str]] = Counter()
    for finding in findings:
        path = relative_path(finding.location.path, directory)
        counts[(path, finding.rule, baseline_fingerprint(finding, directory))] += 1
    return [
        BaselineEntry(fingerprint, rule, path, count)
        for (path, rule, fingerprint), count in sorted(counts.items())
    ]


def dump_baseline(entries: Sequence[BaselineEntry]) -> str:
    """The baseline file's text: deterministic JSON, one entry per finding fingerprint."""
    document = {
        "tool": "obolint",
        "format": FORMAT,
        "findings": [
            {"rule": e.rule, "path": e.path, "fingerprint": e.fingerprint, "count": e.count}
            for e in entries
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def load_baseline(path: Path) -> Baseline:
    """Read and validate the baseline at ``path``."""
    hint = f"Write one with `obolint baseline write -o {path}`."
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"baseline {path} does not exist. {hint}") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise BaselineError(f"cannot read baseline {path} ({reason}). {hint}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"baseline {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}). Restore it from version control or rewrite it: {hint[0].lower()}"
            f"{hint[1:]}"
        ) from None
    return Baseline(path, Path(os.path.abspath(path)).parent, _entries(document, path, hint))


def _entries(document: Any, path: Path, hint: str) -> tuple[BaselineEntry, ...]:
    def invalid(what: str) -> BaselineError:
        return BaselineError(f"baseline {path} is not an obolint baseline: {what}. {hint}")

    if not isinstance(document, dict) or document.get("tool") != "obolint":
        raise invalid('expected a JSON object with "tool": "obolint"')
    if document.get("format") != FORMAT:
        raise invalid(f'"format" is {document.get("format")!r}; this obolint reads {FORMAT}')
    raw = document.get("findings")
    if not isinstance(raw, list):
        raise invalid('"findings" must be a list')
    entries = []
    for index, item in enumerate(raw, start=1):
        if not (
            isinstance(item, dict)
            and all(isinstance(item.get(key), str) for key in ("fingerprint", "rule", "path"))
            and isinstance(item.get("count"), int)
            and not isinstance(item.get("count"), bool)
            and item["count"] > 0
        ):
            raise invalid(
                f"entry {index} needs a string fingerprint, rule and path and a positive count"
            )
        entries.append(
            BaselineEntry(item["fingerprint"], item["rule"], item["path"], item["count"])
        )
    return tuple(entries)


def filter_baseline(
    findings: Iterable[Finding],
    baseline: Baseline,
    *,
    scanned: Iterable[str],
    enabled: Iterable[str],
) -> BaselineOutcome:
    """Findings beyond the baseline's counts; the first ones in report order are accepted."""
    allowance = Counter({e.fingerprint: e.count for e in baseline.entries})
    matched: Counter[str] = Counter()
    new: list[Finding] = []
    for finding in sorted(findings, key=Finding.sort_key):
        fingerprint = baseline_fingerprint(finding, baseline.directory)
        if matched[fingerprint] < allowance[fingerprint]:
            matched[fingerprint] += 1
        else:
            new.append(finding)
    # Stale entries, only where this run could have matched them: a pre-commit run sees a few
    # files, and --select may have left the rule out.
    seen_paths = {relative_path(path, baseline.directory) for path in scanned}
    enabled_rules = set(enabled)
    notices = [
        Notice(
            f"stale baseline entry: {entry.rule} in {entry.path} was accepted "
            f"{_times(entry.count)} but found {_times(matched[entry.fingerprint])}; the "
            "finding was fixed or changed. Rewrite the baseline with `obolint baseline write` "
            "to stop accepting it.",
            str(baseline.path),
        )
        for entry in baseline.entries
        if matched[entry.fingerprint] < entry.count
        and entry.path in seen_paths
        and entry.rule in enabled_rules
    ]
    return BaselineOutcome(new, sum(matched.values()), notices)


def _times(count: int) -> str:
    return {0: "0 times", 1: "once", 2: "twice"}.get(count, f"{count} times")
