"""The pre-commit hook, proven the way a user meets it: `pre-commit try-repo <this checkout>`
on a throwaway repository with a leaky file fails and names the rule; a reviewed suppression
makes it pass.

It runs offline: pip inside the hook's environment gets `PIP_NO_INDEX=1` and a wheelhouse
built here, holding setuptools (the build backend, from virtualenv's bundled wheels) and
obolint's runtime dependencies repacked from this environment. pre-commit itself builds
obolint from the checkout, as it would from GitHub. `try-repo` uses the checkout's HEAD plus
its tracked, uncommitted changes; untracked files are not seen.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.precommit
try:
    import pre_commit  # noqa: F401 - only its presence matters; it runs as a subprocess
    import virtualenv.seed.wheels.embed as virtualenv_wheels
    from packaging.requirements import Requirement
except ImportError as error:
    pytest.skip(
        f"pre-commit (in the test extra) is not importable: {error}", allow_module_level=True
    )

ROOT = Path(__file__).resolve().parents[1]
LEAKY = textwrap.dedent(
    """\
    import requests
    from flask import Flask, request

    app = Flask(__name__)


    @app.get("/repos")
    def repos():
        token = request.headers["Authorization"]
        return requests.get("https://api.example.com", headers={"Authorization": token}).json()
    """
)
SINK = 'return requests.get("https://api.example.com", headers={"Authorization": token})'
# Variables that would point git at another repository (set while running inside a hook).
GIT_LOCATION = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")


# --- an offline wheelhouse ------------------------------------------------------------------


def runtime_distributions() -> list[importlib.metadata.Distribution]:
    """obolint's runtime dependencies, transitively, as installed here (markers evaluated)."""
    found: dict[str, importlib.metadata.Distribution] = {}
    queue = list(importlib.metadata.distribution("obolint").requires or [])
    while queue:
        requirement = Requirement(queue.pop())
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        key = re.sub(r"[-_.]+", "-", requirement.name).lower()
        if key in found:
            continue
        found[key] = importlib.metadata.distribution(requirement.name)
        queue.extend(found[key].requires or [])
    return list(found.values())


def repack(dist: importlib.metadata.Distribution, wheelhouse: Path) -> Path:
    """Rebuild the wheel ``dist`` was installed from, out of its installed files (RECORD)."""
    files = dist.files or []
    metadata = next((f for f in files if f.name == "METADATA" and f.parent.suffix), None)
    if metadata is None:
        pytest.skip(f"cannot rebuild a wheel of {dist.metadata['Name']}: it has no RECORD")
    dist_info = str(metadata.parent)
    tag = re.search(r"^Tag: (\S+)$", dist.read_text("WHEEL") or "", re.MULTILINE)
    assert tag is not None, f"{dist_info}/WHEEL has no Tag"
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"])
    target = wheelhouse / f"{name}-{dist.version}-{tag[1]}.whl"
    record: list[str] = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as wheel:
        for file in files:
            relative = file.as_posix()
            skip_meta = file.parent.as_posix() == dist_info and file.name in (
                "RECORD",
                "INSTALLER",
                "REQUESTED",
                "direct_url.json",
            )
            # Scripts live outside site-packages and are regenerated from entry points.
            if relative.startswith("..") or "__pycache__" in file.parts or skip_meta:
                continue
            data = Path(file.locate()).read_bytes()
            wheel.writestr(relative, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{relative},sha256={digest.decode()},{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        wheel.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    return target


def build_wheelhouse(wheelhouse: Path) -> None:
    """setuptools (the build backend) plus obolint's dependencies, for `pip --no-index`."""
    wheelhouse.mkdir()
    bundled = sorted(Path(virtualenv_wheels.__file__).parent.glob("setuptools-*.whl"))
    if not bundled:
        pytest.skip("virtualenv bundles no setuptools wheel to build obolint offline")
    for wheel in bundled:
        shutil.copy(wheel, wheelhouse)
    for dist in runtime_distributions():
        repack(dist, wheelhouse)


# --- the session ----------------------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True)


def try_repo(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(ROOT),
        "obolint",
        "--all-files",
        "--color",
        "never",
    ]
    done = subprocess.run(
        command,
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    # `pytest -m precommit -s` shows the terminal session.
    shown = ["pre-commit", *command[3:]]
    shown[2] = "<project>"
    print(f"\n$ {' '.join(shown)}\n{done.stdout}{done.stderr}(exit {done.returncode})")
    return done


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_try_repo_fails_on_a_leak_and_passes_once_it_is_suppressed(tmp_path):
    inside = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--show-toplevel"], capture_output=True, text=True
    )
    if inside.returncode != 0 or Path(inside.stdout.strip()).resolve() != ROOT:
        pytest.skip("the project is not a git checkout (try-repo needs one)")

    wheelhouse = tmp_path / "wheelhouse"
    build_wheelhouse(wheelhouse)
    repo = tmp_path / "service"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "app.py").write_text(LEAKY)
    git(repo, "add", "app.py")

    env = {key: value for key, value in os.environ.items() if key not in GIT_LOCATION}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheelhouse),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
        NO_COLOR="1",
    )

    failed = try_repo(repo, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert re.search(r"^obolint\.+Failed$", failed.stdout, re.MULTILINE)
    assert "app.py:10:" in failed.stdout and "OBO401 [error] bearer-forwarding" in failed.stdout

    source = (repo / "app.py").read_text()
    (repo / "app.py").write_text(
        source.replace(SINK, SINK + "  # obolint: ignore[OBO401] -- reviewed")
    )
    git(repo, "add", "app.py")
    passed = try_repo(repo, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"^obolint\.+Passed$", passed.stdout, re.MULTILINE)
