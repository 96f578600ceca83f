"""The same input gives byte-identical JSON and SARIF, whatever the hash seed of the process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# The run's wall-clock time: the one field of a report that may differ between runs.
_DURATION = re.compile(rb'"duration_s": [0-9.eE+-]+')


def test_reports_are_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    # A snapshot, so that both runs read the same files even while fixtures are being edited.
    shutil.copytree(FIXTURES, tmp_path / "fixtures", symlinks=True)
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "CI")}
    runs = {
        (seed, fmt): subprocess.Popen(
            # --no-cache: a run answered from another's cache entry would compare nothing.
            [sys.executable, "-m", "obolint", "check", "--no-cache", "--format", fmt, "fixtures"],
            cwd=tmp_path,
            env={**env, "PYTHONHASHSEED": seed},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for seed in ("1", "4242")
        for fmt in ("json", "sarif")
    }
    outputs = {}
    for key, process in runs.items():
        stdout, stderr = process.communicate(timeout=600)
        assert process.returncode == 1, (key, stderr.decode())
        assert b"Traceback" not in stderr
        outputs[key] = _DURATION.sub(b'"duration_s": 0', stdout)
    for fmt in ("json", "sarif"):
        first, second = outputs[("1", fmt)], outputs[("4242", fmt)]
        assert b'"findings"' in first or b'"results"' in first
        assert first == second, f"{fmt} differs between hash seeds"


def _findings_in_module_order(monkeypatch, order) -> list[tuple]:
    """Every finding of a scan of the fixtures whose rounds run modules in ``order``."""
    from obolint.packs import load_packs
    from obolint.runner import scan
    from obolint.taint.project import Project

    monkeypatch.setattr(Project, "_imported_first", lambda self, todo: order(todo))
    packs = load_packs()
    files = sorted(p for p in FIXTURES.rglob("*.py") if "configured" not in p.parts)
    result = scan(files, packs, [r.id for r in packs.rules], root=FIXTURES, jobs=1)
    return [
        (f.rule, f.location.path, f.location.line, [(s.location.line, s.note) for s in f.trace])
        for f in result.findings
    ]


def test_findings_do_not_depend_on_the_order_modules_run_in(monkeypatch) -> None:
    # A module that looked for another before it was parsed (on demand, later in the round)
    # runs again once it is: whichever ran first, the fixed point is the same.
    in_name_order = _findings_in_module_order(monkeypatch, list)
    in_reverse = _findings_in_module_order(monkeypatch, lambda todo: todo[::-1])
    assert in_name_order == in_reverse
    assert any(path.endswith("audit_trail/authz.py") for _, path, _, _ in in_name_order)
