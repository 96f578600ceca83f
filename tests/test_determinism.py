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
