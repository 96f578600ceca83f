"""How much of an analysis repeats the scan before it, unit run by unit run.

The analysis's result depends on the order in which units (module bodies, functions) run, so
reusing a unit's result after an edit is exact only when the same units run in the same order
and each reads what it read before. This records, for each unit run of a cold scan of DIR, the
content hash of the unit's file and every summary, field, global and module lookup the run read
(each value compared whole: flows, traces and their resolved positions; a summary read also
carries its callee's file hash), then compares two such records:

    python bench/unit_reuse.py record DIR before.pkl
    (edit some files of DIR)
    python bench/unit_reuse.py record DIR after.pkl
    python bench/unit_reuse.py compare before.pkl after.pkl

It counts the runs of the second scan that read exactly what a run of the first read: an upper
bound of what a cache of unit results could skip, since the reads the worklist does not record
(a callee's parameters, class declarations, tool registrations) are not compared.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import gc
import hashlib
import pickle
import sys
import time
from pathlib import Path
from typing import Any

from obolint import cli
from obolint.taint import project as project_module
from obolint.taint.context import NodeLocation

# One unit run: (unit, its file's hash, its reads as (key, value) reprs, seconds to the next run).
Run = tuple[tuple[str, str], str, tuple[tuple[str, str], ...], float]


def _canonical(value: Any) -> Any:
    """``value`` with sets sorted and syntax-tree nodes replaced by their positions, so that
    two processes (with their own string hashes and addresses) give the same repr."""
    if isinstance(value, NodeLocation):
        loc = value.resolve()
        return ("at", loc.path, loc.line, loc.column, loc.end_line, loc.end_column)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value).__name__, *(_canonical(getattr(value, f.name)) for f in fields))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted((_canonical(v) for v in value), key=repr)))
    if isinstance(value, (tuple, list)):
        return tuple(_canonical(v) for v in value)
    if isinstance(value, dict):
        items = ((_canonical(k), _canonical(v)) for k, v in value.items())
        return ("dict", tuple(sorted(items, key=repr)))
    return value


def record(directory: Path, out: Path) -> int:
    """Scan ``directory`` cold, recording every unit run; returns how many ran."""
    runs: list[list[Any]] = []
    file_hashes: dict[str, str] = {}
    current: dict[tuple[str, str], list[Any]] = {}

    def file_hash(path: str) -> str:  # a display path: relative to the working directory
        if path not in file_hashes:
            data = Path(path).read_bytes() if Path(path).is_file() else b""
            file_hashes[path] = hashlib.sha256(data).hexdigest()
        return file_hashes[path]

    def value_read(project: project_module.Project, key: tuple) -> Any:
        kind = key[0]
        if kind == "fn":
            info = project.functions.get(key[1])
            return project.summaries.get(key[1]), info and file_hash(info.module.path)
        if kind == "field":
            return project.fields.get((key[1], key[2]), ())
        if kind == "global":
            module = project.modules.get(key[1])
            return module.globals.get(key[2]) if module else None
        if kind == "globals":
            module = project.modules.get(key[1])
            return sorted(module.globals) if module else None
        if kind == "module":  # not Project.module: it records a read, and counts awaited hits
            return project._lookup(key[1])[0] is not None
        return None

    start_unit = project_module.Project._start_unit
    uses = project_module.Project._uses

    def recording_start(self: project_module.Project, unit: tuple[str, str]) -> None:
        start_unit(self, unit)
        module = self.modules.get(unit[0])
        run = [unit, file_hash(module.path) if module else "", [], time.perf_counter()]
        current[unit] = run
        runs.append(run)

    def recording_uses(self: project_module.Project, key: tuple) -> None:
        unit = self._current
        if unit is not None and key not in self._deps.get(unit, {}) and unit in current:
            current[unit][2].append((repr(key), repr(_canonical(value_read(self, key)))))
        uses(self, key)

    project_module.Project._start_unit = recording_start  # type: ignore[method-assign]
    project_module.Project._uses = recording_uses  # type: ignore[method-assign]
    gc.disable()
    report = out.with_name(out.name + ".report.json")
    try:
        options = ["--no-cache", "--no-progress", "-f", "json", "-o", str(report)]
        cli.main(["check", *options, str(directory)])
    except SystemExit:
        pass  # its exit code says whether there were findings
    finally:
        project_module.Project._start_unit = start_unit  # type: ignore[method-assign]
        project_module.Project._uses = uses  # type: ignore[method-assign]
    ends = [run[3] for run in runs[1:]] + [time.perf_counter()]
    recorded: list[Run] = [
        (run[0], run[1], tuple(run[2]), end - run[3]) for run, end in zip(runs, ends, strict=True)
    ]
    out.write_bytes(pickle.dumps(recorded))
    return len(recorded)


def compare(before: Path, after: Path) -> str:
    """How many runs of ``after`` read what a run of ``before`` read, as one line."""
    first: list[Run] = pickle.loads(before.read_bytes())
    second: list[Run] = pickle.loads(after.read_bytes())
    unmatched = collections.Counter(run[:3] for run in first)
    old_hash = {run[0][0]: run[1] for run in first}
    same = same_time = in_edited = 0
    for run in second:
        if unmatched[run[:3]] > 0:
            unmatched[run[:3]] -= 1
            same += 1
            same_time += run[3]
        elif old_hash.get(run[0][0]) != run[1]:
            in_edited += 1
    total_time = sum(run[3] for run in second) or 1.0
    return (
        f"{same:,} of {len(second):,} unit runs read what they read before "
        f"({100 * same / max(len(second), 1):.1f}%; {100 * same_time / total_time:.1f}% of "
        f"the time in unit runs); of the others, {in_edited:,} are units of edited files"
    )


def main(argv: list[str] | None = None) -> None:
    """The command line: ``record DIR OUT`` or ``compare BEFORE AFTER``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record", help="scan DIR cold and record its unit runs in OUT")
    rec.add_argument("directory", type=Path)
    rec.add_argument("out", type=Path)
    cmp = sub.add_parser("compare", help="compare two records")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "record":
        print(f"{record(args.directory, args.out):,} unit runs recorded in {args.out}")
    else:
        print(compare(args.before, args.after))


if __name__ == "__main__":
    sys.exit(main())
