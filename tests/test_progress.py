"""The progress bar: drawn only on a terminal, only for human formats, only for slow scans."""

from __future__ import annotations

import io
import sys

from click.testing import CliRunner
from rich.console import Console
from samples import CLEAN
from samples import LOGGED_ENV_TOKEN as LEAKY

from obolint.cli import main
from obolint.packs import load_packs
from obolint.progress import ScanProgress, wanted
from obolint.runner import scan


def _terminal() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=True, width=100), out


def test_bar_shows_each_phase_once_the_scan_is_slow():
    console, out = _terminal()
    progress = ScanProgress(console, show_after=0)
    progress("Parsing", 3, 10)
    progress("Analysing (pass 1)", 2, 5)
    progress.close()
    text = out.getvalue()
    assert "Parsing" in text
    assert "Analysing (pass 1)" in text
    assert "2/5" in text


def test_fast_scans_never_draw_a_bar():
    console, out = _terminal()
    progress = ScanProgress(console, show_after=3600)
    progress("Parsing", 3, 10)
    progress.close()
    assert out.getvalue() == ""


def test_wanted_only_for_human_formats_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert wanted("text", disabled=False)
    assert wanted("concise", disabled=False)
    assert not wanted("text", disabled=True)
    for machine in ("json", "sarif", "github"):
        assert not wanted(machine, disabled=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert not wanted("text", disabled=False)


def test_runner_reports_parsing_and_analysis_passes(tmp_path):
    (tmp_path / "app.py").write_text(LEAKY)
    (tmp_path / "util.py").write_text(CLEAN)
    calls: list[tuple[str, int, int]] = []
    result = scan(
        sorted(tmp_path.glob("*.py")),
        load_packs(),
        ["OBO501"],
        root=tmp_path,
        progress=lambda phase, done, total: calls.append((phase, done, total)),
    )
    assert [f.rule for f in result.findings] == ["OBO501"]
    phases = [phase for phase, _, _ in calls]
    assert phases.count("Parsing") == 1  # util.py has no trigger word: never parsed
    assert "Analysing (pass 1)" in phases
    assert all(0 <= done < total for _, done, total in calls)


def test_cli_draws_nothing_when_stderr_is_not_a_terminal(tmp_path, monkeypatch):
    # CliRunner's stderr is no terminal, and rich would draw nothing there anyway: what is
    # checked is that the CLI builds no bar at all.
    built: list[object] = []
    monkeypatch.setattr("obolint.cli.ScanProgress", lambda: built.append(1) or ScanProgress())
    (tmp_path / "app.py").write_text(LEAKY)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--no-cache", "."])
    assert not built
    assert result.exit_code == 1
    assert "Parsing" not in result.output
    assert "Analysing" not in result.output
