"""`check --diff-base REF`: the whole project is analysed, only changed lines are reported."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from obolint.cli import main
from obolint.gitdiff import parse_unified_diff

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

BASE = textwrap.dedent(
    """\
    import requests
    from flask import Flask, request

    app = Flask(__name__)

    def service_token():
        return "internal"

    @app.get("/old")
    def old():
        token = request.headers["Authorization"]
        return requests.get("https://old.example.com", headers={"Authorization": token}).json()

    @app.get("/mirror")
    def mirror():
        token = service_token()
        requests.get("https://a.example.com", headers={"Authorization": token})
        return "ok"
    """
)


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository with `main` holding BASE and a checked-out `feature` branch."""
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "app.py").write_text(BASE)
    git(tmp_path, "add", "app.py")
    git(tmp_path, "commit", "-q", "-m", "base")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def reported(*args: str) -> list[tuple[str, int]]:
    result = run("check", "--format", "json", *args)
    return [(f["path"], f["line"]) for f in json.loads(result.output)["findings"]]


def test_only_findings_on_changed_lines_are_reported(repo):
    text = BASE.replace('    return "internal"\n', '    return "internal"\n\n')
    text = text.replace("token = service_token()", 'token = request.headers["Authorization"]')
    text = text.replace(
        '    return "ok"\n',
        '    requests.post("https://b.example.com", headers={"Authorization": token})\n'
        '    return "ok"\n',
    )
    (repo / "app.py").write_text(text)
    git(repo, "commit", "-q", "-am", "feature")
    assert reported() == [("app.py", 13), ("app.py", 18), ("app.py", 19)]
    # Line 13 predates the branch. Line 18's sink is unchanged, but its source (line 17) is
    # new; line 19 is a new sink.
    assert reported("--diff-base", "main") == [("app.py", 18), ("app.py", 19)]
    stats = json.loads(run("check", "-f", "json", "--diff-base", "main").output)["stats"]
    assert stats["outside_diff"] == 1


def test_uncommitted_and_untracked_changes_count(repo):
    (repo / "new.py").write_text(
        "import requests\nfrom flask import request\n\ndef f():\n"
        '    auth = {"Authorization": request.headers["Authorization"]}\n'
        '    return requests.get("u", headers=auth)\n'
    )
    assert reported("--diff-base", "main") == [("new.py", 6)]
    result = run("check", "--diff-base", "main")
    assert result.exit_code == 1
    assert "1 not on changed lines" in result.output


def test_a_clean_diff_passes_even_with_old_findings(repo):
    (repo / "README").write_text("docs\n")
    git(repo, "add", "README")
    git(repo, "commit", "-q", "-m", "docs")
    result = run("check", "--diff-base", "main")
    assert result.exit_code == 0, result.output


def test_the_diff_is_taken_from_the_merge_base(repo):
    # main moves on after the branch: its new lines are not the branch's changes.
    git(repo, "checkout", "-q", "main")
    (repo / "app.py").write_text(BASE + "\n# a later change on main\n")
    git(repo, "commit", "-q", "-am", "main moves")
    git(repo, "checkout", "-q", "feature")
    assert reported("--diff-base", "main") == []


def test_an_unknown_ref_is_a_usage_error(repo):
    result = run("check", "--diff-base", "origin/nope")
    assert result.exit_code == 2
    assert "git does not know the ref 'origin/nope'" in result.output
    assert "fetch-depth: 0" in result.output


def test_outside_a_repository_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    (tmp_path / "app.py").write_text(BASE)
    result = run("check", "--diff-base", "main")
    assert result.exit_code == 2
    assert "is not inside a git work tree" in result.output


def test_missing_git_is_a_usage_error(repo, monkeypatch):
    monkeypatch.setenv("PATH", str(repo / "no-such-bin"))
    result = run("check", "--diff-base", "main")
    assert result.exit_code == 2
    assert "git is not installed or not on PATH" in result.output


def test_the_diff_parser_reads_hunks_and_ignores_content_that_looks_like_headers():
    diff = textwrap.dedent(
        """\
        diff --git a/app.py b/app.py
        --- a/app.py
        +++ b/app.py
        @@ -3 +3,2 @@ def f():
        -+++ b/not-a-file.py
        ++++ b/still-content.py
        +x = 1
        @@ -10,2 +11,0 @@
        -gone = 1
        -gone = 2
        @@ -20,0 +20 @@
        +added = 1
        diff --git a/old.py b/old.py
        --- a/old.py
        +++ /dev/null
        @@ -1 +0,0 @@
        -x = 1
        diff --git "a/t\\303\\251st.py" "b/t\\303\\251st.py"
        --- "a/t\\303\\251st.py"
        +++ "b/t\\303\\251st.py"
        @@ -0,0 +1,2 @@
        +a = 1
        +b = 2
        """
    )
    assert parse_unified_diff(diff) == {"app.py": {3, 4, 20}, "tést.py": {1, 2}}
