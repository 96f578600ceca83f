"""The ``text`` format: findings for people, with code, trace and a summary (rich + pygments)."""

from __future__ import annotations

import io
import re
import textwrap
from collections import Counter
from collections.abc import Sequence

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from obolint.findings import FileError, Finding, Notice, ScanResult, SuppressedFinding
from obolint.report.redact import REDACTED, redacted_offset, secret_spans
from obolint.report.sources import SourceFiles

WIDTH = 100
TAB_SIZE = 4
MAX_SNIPPET_LINES = 5
_SEVERITY_STYLE = {"error": "bold red", "warning": "bold yellow"}
_SEVERITY_ORDER = {"error": 0, "warning": 1}
# Findings left out of the report on purpose, as the summary names them.
_HIDDEN_COUNTS = (
    ("suppressed", "{} suppressed"),
    ("baselined", "{} in the baseline"),
    ("outside_diff", "{} not on changed lines"),
)
# C0/C1 controls (ESC could drive the terminal), Unicode line separators and bidi
# overrides ("trojan source") in paths, messages or code; each becomes one "?" so
# columns stay put.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    """``text`` with control and bidi-override characters shown as ``?``."""
    return _UNPRINTABLE.sub("?", text)


def _plural(count: int, word: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _make_console(buffer: io.StringIO, color: bool) -> Console:
    """A console that renders into ``buffer``; colour only when asked, whatever the env says."""
    return Console(
        file=buffer,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        width=WIDTH,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )


def _header(finding: Finding) -> Text:
    """``path:line:col  OBO101 [error] credential-in-prompt``."""
    loc = finding.location
    return Text.assemble(
        (_printable(f"{loc.path}:{loc.line}:{loc.column}"), "bold"),
        "  ",
        (finding.rule, "bold cyan"),
        " ",
        (f"[{finding.severity}]", _SEVERITY_STYLE.get(finding.severity, "bold")),
        " ",
        finding.name,
    )


def _caret_range(line: str, number: int, finding: Finding) -> tuple[int, int]:
    """0-based ``[start, end)`` of ``line`` (line ``number``) that the finding covers."""
    loc = finding.location
    indent = len(line) - len(line.lstrip())
    start = loc.column - 1 if number == loc.line else indent
    end = loc.end_column - 1 if number == loc.end_line else len(line.rstrip())
    start = min(max(start, 0), len(line))
    end = min(max(end, start + 1), max(len(line), start + 1))
    return start, end


def _snippet(finding: Finding, sources: SourceFiles, color: bool) -> list[Text]:
    """The sink's source lines, secrets redacted, each followed by a ``^^^`` underline."""
    loc = finding.location
    end_line = max(loc.end_line, loc.line)
    if end_line > loc.line and loc.end_column <= 1:
        end_line -= 1  # the range stops at the very start of its last line
    last = min(end_line, loc.line + MAX_SNIPPET_LINES - 1)
    raw_lines = []
    for number in range(loc.line, last + 1):
        line = sources.line(loc.path, number)
        if line is None:
            break
        raw_lines.append((number, line))
    if not raw_lines:
        return []

    shown: list[tuple[int, str, int, int]] = []  # number, redacted line, caret start/end cells
    for number, line in raw_lines:
        if not line.strip():
            shown.append((number, "", 0, 0))  # nothing to underline on a blank line
            continue
        spans = secret_spans(line)
        redacted, pos = [], 0
        for s, e in spans:
            redacted += [line[pos:s], REDACTED]
            pos = e
        redacted.append(line[pos:])
        text = _printable("".join(redacted))
        start, end = (redacted_offset(o, spans) for o in _caret_range(line, number, finding))
        start_cells = cell_len(text[:start].expandtabs(TAB_SIZE))
        end_cells = max(cell_len(text[:end].expandtabs(TAB_SIZE)), start_cells + 1)
        shown.append((number, text.expandtabs(TAB_SIZE), start_cells, end_cells))

    code_lines: list[Text]
    if color:
        code = "\n".join(text for _, text, _, _ in shown)
        highlighted = Syntax(code, "python", theme="ansi_dark")
        code_lines = highlighted.highlight(code).split("\n", allow_blank=True)[: len(shown)]
    else:
        code_lines = [Text(text) for _, text, _, _ in shown]

    width = len(str(shown[-1][0]))
    out: list[Text] = []
    for (number, _, start, end), code_line in zip(shown, code_lines, strict=True):
        out.append(Text.assemble((f"  {number:>{width}} | ", "dim"), code_line))
        if end == start:
            continue
        out.append(
            Text.assemble(
                (f"  {'':>{width}} | ", "dim"),
                " " * start,
                ("^" * (end - start), _SEVERITY_STYLE.get(finding.severity, "bold")),
            )
        )
    if last < end_line:
        out.append(Text(f"  {'':>{width}} | ...", style="dim"))
    return out


def _trace(finding: Finding) -> list[Text]:
    """The trace as numbered steps: ``  1. path:line:col  note``."""
    return [
        Text.assemble(
            f"  {number}. ",
            (_printable(f"{s.location.path}:{s.location.line}:{s.location.column}"), "cyan"),
            "  ",
            _printable(s.note),
        )
        for number, s in enumerate(finding.trace, start=1)
    ]


def _summary_table(findings: Sequence[Finding]) -> Table:
    """Findings counted by rule."""
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("Rule")
    table.add_column("Name")
    table.add_column("Count", justify="right")
    counts = Counter((f.rule, f.name) for f in findings)
    for (rule, name), count in sorted(counts.items()):
        table.add_row(rule, name, str(count))
    return table


def summary_line(result: ScanResult) -> str:
    """``Found 3 findings (2 errors, 1 warning) in 2 files; 1 file could not be analysed.``"""
    files = result.stats.get("files")
    in_files = f" in {_plural(int(files), 'file')}" if files is not None else ""
    findings = result.findings
    if findings:
        by_severity = Counter(f.severity for f in findings)
        parts = ", ".join(
            _plural(count, severity)
            for severity, count in sorted(
                by_severity.items(), key=lambda item: (_SEVERITY_ORDER.get(item[0], 9), item[0])
            )
        )
        line = f"Found {_plural(len(findings), 'finding')} ({parts}){in_files}"
    else:
        line = f"No findings{in_files}"
    failed = len({error.path for error in result.errors})
    if failed:
        line += f"; {_plural(failed, 'file')} could not be analysed"
    hidden = [
        template.format(int(result.stats[key]))
        for key, template in _HIDDEN_COUNTS
        if result.stats.get(key)
    ]
    if hidden:
        line += "; " + ", ".join(hidden)
    return line + "."


def _notice_line(notice: Notice) -> Text:
    """``path:line: warning: message`` (the location left out when there is none)."""
    where = notice.path + (f":{notice.line}" if notice.line else "")
    prefix = (_printable(where), "bold") if where else ""
    return Text.assemble(
        prefix, ": " if where else "", ("warning", "bold yellow"), ": ", _printable(notice.message)
    )


def _suppressed_line(item: SuppressedFinding) -> Text:
    """``  path:line:col  OBO401 name  (ignore on line 9: reason)``."""
    loc = item.finding.location
    how = f"{item.directive} on line {item.line}" if item.line else item.directive
    reason = f": {' '.join(item.reason.split())}" if item.reason else ", no reason given"
    return Text.assemble(
        "  ",
        (_printable(f"{loc.path}:{loc.line}:{loc.column}"), "bold"),
        "  ",
        (item.finding.rule, "bold cyan"),
        " ",
        item.finding.name,
        ("  (" + _printable(how + reason) + ")", "dim"),
    )


def _error_line(error: FileError) -> Text:
    """``path: error: message``."""
    path, message = _printable(error.path), _printable(error.message)
    return Text.assemble((path, "bold"), ": ", ("error", "bold red"), ": ", message)


def render_text(result: ScanResult, *, color: bool = False) -> str:
    """Every finding with its code and trace, then file errors, a table by rule and a summary."""
    buffer = io.StringIO()
    console = _make_console(buffer, color)
    sources = SourceFiles()
    findings = sorted(result.findings, key=lambda f: f.sort_key())
    for finding in findings:
        console.print(_header(finding), soft_wrap=True)
        message = textwrap.fill(
            _printable(" ".join(finding.message.split())),
            width=WIDTH,
            initial_indent="  ",
            subsequent_indent="  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        console.print(Text(message), soft_wrap=True)
        snippet = _snippet(finding, sources, color)
        if snippet:
            console.print()
        for line in snippet:
            console.print(line, soft_wrap=True)
        if finding.trace:
            console.print()
        for step in _trace(finding):
            console.print(step, soft_wrap=True)
        console.print()
    for error in sorted(result.errors, key=lambda e: (e.path, e.message)):
        console.print(_error_line(error), soft_wrap=True)
    if result.errors:
        console.print()
    for notice in sorted(result.notices, key=Notice.sort_key):
        console.print(_notice_line(notice), soft_wrap=True)
    if result.notices:
        console.print()
    if result.suppressed:
        console.print(Text("Suppressed findings:", style="bold"))
        for item in sorted(result.suppressed, key=lambda s: s.finding.sort_key()):
            console.print(_suppressed_line(item), soft_wrap=True)
        console.print()
    if findings:
        console.print(_summary_table(findings))
        console.print()
    style = "bold green"
    if findings:
        style = "bold red" if any(f.severity == "error" for f in findings) else "bold yellow"
    console.print(Text(summary_line(result), style=style), soft_wrap=True)
    lines = buffer.getvalue().split("\n")[:-1]  # the console ends every line with "\n"
    return "".join(line.rstrip() + "\n" for line in lines)
