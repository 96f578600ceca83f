"""The composite GitHub Action (action.yml): its shape, its script hygiene, and its scan step
run for real with bash, as the runner would run it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml", reason="PyYAML (in the test extra) is not installed")

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = ACTION["runs"]["steps"]
LEAKY = textwrap.dedent(
    """\
    import requests
    from flask import request

    def forward():
        token = request.headers["Authorization"]
        return requests.get("https://api.example.com", headers={"Authorization": token})
    """
)


def step(step_id: str) -> dict:
    return next(s for s in STEPS if s.get("id") == step_id)


def test_it_is_a_composite_action_with_the_documented_inputs():
    assert ACTION["runs"]["using"] == "composite"
    defaults = {name: spec.get("default") for name, spec in ACTION["inputs"].items()}
    assert defaults == {
        "paths": ".",
        "args": "",
        "sarif-file": "obolint.sarif",
        "upload-sarif": "true",
        "category": "obolint",
        "fail-on": "",
        "version": "",
    }
    assert all(spec.get("description") for spec in ACTION["inputs"].values())


def test_no_run_script_interpolates_an_expression():
    scripts = [s["run"] for s in STEPS if "run" in s]
    assert len(scripts) == 3
    for script in scripts:
        assert "${{" not in script
    for s in STEPS:
        if "run" in s:
            assert s["shell"] == "bash"


def test_every_input_reaches_the_scripts_through_env_or_with():
    used = set()
    for s in STEPS:
        for value in [*s.get("env", {}).values(), *s.get("with", {}).values(), s.get("if", "")]:
            used |= set(re.findall(r"inputs\.([\w-]+)", str(value)))
    assert used == set(ACTION["inputs"])


def test_install_uses_the_actions_own_checkout_unless_a_version_is_given():
    install = step("install")
    assert install["env"] == {"OBOLINT_VERSION": "${{ inputs.version }}"}
    assert (
        'pip install --quiet --disable-pip-version-check "${GITHUB_ACTION_PATH}"'
        in (install["run"])
    )
    assert '"obolint==${OBOLINT_VERSION}"' in install["run"]


def test_upload_always_runs_after_the_scan_and_the_step_fails_only_at_the_end():
    names = [s.get("id") or s.get("uses", s["name"]) for s in STEPS]
    upload = next(s for s in STEPS if "upload-sarif" in s.get("uses", ""))
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"
    assert upload["if"].startswith("always() && inputs.upload-sarif == 'true'")
    assert upload["with"] == {
        "sarif_file": "${{ steps.scan.outputs.sarif-file }}",
        "category": "${{ inputs.category }}",
    }
    assert names.index("scan") < STEPS.index(upload) == len(STEPS) - 2
    last = STEPS[-1]
    assert last["env"] == {"OBOLINT_EXIT_CODE": "${{ steps.scan.outputs.exit-code }}"}
    assert last["run"].strip() == 'exit "${OBOLINT_EXIT_CODE:-2}"'
    scan = step("scan")["run"]
    assert "set -e\n" not in scan and "set +e" in scan
    assert '--format sarif -o "$SARIF_FILE"' in scan


@pytest.mark.skipif(shutil.which("bash") is None or sys.platform == "win32", reason="needs bash")
@pytest.mark.parametrize(
    ("paths", "args", "fail_on", "code", "results"),
    [
        (".", "", "", 1, 1),
        ("clean.py", "", "", 0, 0),
        ("app.py\nclean.py", "--select OBO5", "", 0, 0),
        (".", "--ignore OBO401", "", 0, 0),
        (".", "", "error", 1, 1),
        (".", "--select NOPE", "", 2, None),
    ],
)
def test_the_scan_step_runs_as_the_runner_would_run_it(
    tmp_path, paths, args, fail_on, code, results
):
    (tmp_path / "app.py").write_text(LEAKY)
    (tmp_path / "clean.py").write_text("x = 1\n")
    (tmp_path / "obolint.sarif").write_text("stale")
    outputs = tmp_path / "github_output"
    outputs.write_text("")
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(outputs),
        "OBOLINT_BIN": str(Path(sys.executable).parent),
        "OBOLINT_PATHS": paths,
        "OBOLINT_ARGS": args,
        "OBOLINT_FAIL_ON": fail_on,
        "SARIF_FILE": "obolint.sarif",
    }
    done = subprocess.run(
        ["bash", "-c", step("scan")["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr  # the code waits for the last step
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert written["exit-code"] == str(code)
    if results is None:
        assert "sarif-file" not in written  # nothing to upload, not even the stale file
        assert "obolint: error:" in done.stderr
        return
    assert written["sarif-file"] == "obolint.sarif"
    sarif = json.loads((tmp_path / "obolint.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == results
    assert f"obolint: {results} finding(s); SARIF report in obolint.sarif" in done.stdout
    last = subprocess.run(
        ["bash", "-c", STEPS[-1]["run"]],
        env={**env, "OBOLINT_EXIT_CODE": written["exit-code"]},
        timeout=60,
    )
    assert last.returncode == code


def test_inputs_are_data_not_shell_code(tmp_path):
    """An input holding shell syntax is passed on as words, never run."""
    marker = tmp_path / "pwned"
    outputs = tmp_path / "github_output"
    outputs.write_text("")
    env = {
        **os.environ,
        "GITHUB_OUTPUT": str(outputs),
        "OBOLINT_BIN": str(Path(sys.executable).parent),
        "OBOLINT_PATHS": f"$(touch {marker}) ; touch {marker} `touch {marker}` *",
        "OBOLINT_ARGS": "",
        "OBOLINT_FAIL_ON": "",
        "SARIF_FILE": "obolint.sarif",
    }
    done = subprocess.run(
        ["bash", "-c", step("scan")["run"]],
        cwd=tmp_path,
        env=env,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert not marker.exists()
    # Each word reached obolint as it was written: no substitution, no glob expansion.
    said = done.stdout + done.stderr
    assert done.returncode == 0, said
    for word in ("$(touch", ";", "`touch", "*"):
        assert f"No such file or directory: {word}. Check the path." in said
    assert "github_output" not in said
    assert "exit-code=2" in outputs.read_text()
