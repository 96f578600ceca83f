"""Note which processes of a pool ran a function (importable: tests/ is on sys.path).

Forked workers inherit the state set by ``start``, so this works only where workers fork.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

# Set by start() before the workers fork: the notes file, this process's id, the function.
_state: dict = {}
# How long the parent waits for a worker to take part before it goes on alone.
MAX_WAIT_S = 10.0


def start(notes: Path, function: Callable, *, wait_for_a_worker: bool) -> None:
    """Have ``noting_pid`` run ``function`` and note pids in ``notes``; with
    ``wait_for_a_worker``, this process waits until a worker has run once before it runs any
    item itself, so that both take part however the machine schedules them."""
    _state.update(notes=notes, parent=os.getpid(), function=function, wait=wait_for_a_worker)


def noting_pid(item):
    """``function(item)``, noting the id of the process that ran it."""
    notes: Path = _state["notes"]
    if _state["wait"] and os.getpid() == _state["parent"]:
        deadline = time.monotonic() + MAX_WAIT_S
        while time.monotonic() < deadline and not set(pids(notes)) - {str(os.getpid())}:
            time.sleep(0.005)
        _state["wait"] = False  # once: a worker has taken part, or none will
    with open(notes, "a") as file:
        file.write(f"{os.getpid()}\n")
    return _state["function"](item)


def pids(notes: Path) -> list[str]:
    """The process ids noted so far, one per item run."""
    return notes.read_text().split() if notes.exists() else []
