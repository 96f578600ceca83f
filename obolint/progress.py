"""A progress bar for long scans on a terminal: shown on stderr, only once a scan takes a while."""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a bar is drawn: a quarter of the imports of a warm JSON scan
    from rich.console import Console
    from rich.progress import Progress

# Scans that finish sooner never show a bar: pre-commit runs on a few files stay quiet.
SHOW_AFTER_S = 1.0


class ScanProgress:
    """Receives ``(phase, done, total)`` from the runner and draws a transient bar."""

    def __init__(self, console: Console | None = None, show_after: float = SHOW_AFTER_S) -> None:
        self._console = console
        self._show_after = show_after
        self._started = time.monotonic()
        self._bar: Progress | None = None
        self._task = None
        self._phase: str | None = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` items of ``phase`` are finished."""
        if self._bar is None:
            if time.monotonic() - self._started < self._show_after:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console or Console(stderr=True),
                transient=True,
                refresh_per_second=8,
            )
            self._bar.start()
        if phase != self._phase:
            if self._task is not None:
                self._bar.remove_task(self._task)
            self._task = self._bar.add_task(phase, total=total)
            self._phase = phase
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        """Remove the bar (it is transient) before the report is printed."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def wanted(fmt: str, disabled: bool) -> bool:
    """Whether to draw progress: a human format, not turned off, and stderr is a terminal
    (a real one: FORCE_COLOR in a CI log does not count)."""
    if disabled or fmt not in ("text", "concise"):
        return False
    return sys.stderr.isatty()
