"""Specification of file discovery: what is scanned, what is skipped, and what never crashes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from obolint.config import Config, load_config
from obolint.discovery import Discovery, ExcludeMatcher, _git_check_ignore, discover

needs_symlinks = pytest.mark.skipif(
    sys.platform == "win32", reason="symlinks need privileges on Windows"
)
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no os.mkfifo")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def scanned(discovery: Discovery) -> list[str]:
    return [path.as_posix() for path in discovery.files]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def config(project: Path) -> Config:
    return Config(path=None, root=project)


@pytest.fixture
def git_repo(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    # Isolate from the user's global and system git configuration (e.g. core.excludesFile).
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    return project


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True)


def test_walk_finds_python_and_stub_files_sorted(project: Path, config: Config) -> None:
    touch(project, "b.py", "a/z.pyi", "a/y.py", "README.md", "a/data.json", "a/notpy.pyc")
    result = discover([Path(".")], config)
    assert scanned(result) == ["a/y.py", "a/z.pyi", "b.py"]
    assert result.errors == []


def test_default_excludes_skip_environments_and_caches(project: Path, config: Config) -> None:
    touch(
        project,
        "app.py",
        ".venv/lib/site.py",
        "venv/x.py",
        "node_modules/pkg/gyp.py",
        "pkg/__pycache__/mod.py",
        "pkg/mod.py",
        "build/lib/pkg/mod.py",
        ".git/hooks/hook.py",
    )
    result = discover([Path(".")], config)
    assert scanned(result) == ["app.py", "pkg/mod.py"]
    assert result.excluded == 6  # each skipped directory counts once


def test_exclude_from_config_replaces_the_defaults(project: Path) -> None:
    touch(project, ".venv/x.py", "gen/y.py", "app.py")
    (project / "pyproject.toml").write_text('[tool.obolint]\nexclude = ["gen"]\n')
    result = discover([Path(".")], load_config(project))
    assert scanned(result) == [".venv/x.py", "app.py"]


def test_extend_exclude_with_globs(project: Path) -> None:
    touch(
        project,
        "api_pb2.py",
        "api.py",
        "src/legacy/old.py",
        "tests/legacy/kept.py",
        "src/gen/deep/er/g.py",
        "other/gen/kept.py",
    )
    (project / "pyproject.toml").write_text(
        '[tool.obolint]\nextend-exclude = ["*_pb2.py", "src/legacy", "src/**/g.py", ".venv"]\n'
    )
    result = discover([Path(".")], load_config(project))
    assert scanned(result) == ["api.py", "other/gen/kept.py", "tests/legacy/kept.py"]


def test_path_patterns_are_relative_to_the_config_root(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(project, "src/legacy/old.py", "src/new.py")
    (project / "pyproject.toml").write_text('[tool.obolint]\nextend-exclude = ["src/legacy/"]\n')
    monkeypatch.chdir(project / "src")
    result = discover([Path(".")], load_config(Path(".")))
    assert scanned(result) == ["new.py"]


def test_exclude_matcher_semantics(tmp_path: Path) -> None:
    matcher = ExcludeMatcher(["build", "docs/", "/top", "a/**/z", "*.gen.py"], tmp_path)
    assert matcher.matches("build", "x/build", is_dir=True)
    assert matcher.matches("docs", "x/docs", is_dir=True)
    assert not matcher.matches("docs", "x/docs", is_dir=False)  # trailing "/": directories
    assert matcher.matches("top", "top", is_dir=True)
    assert not matcher.matches("top", "x/top", is_dir=True)  # leading "/": anchored
    assert matcher.matches("z", "a/z", is_dir=True)
    assert matcher.matches("z", "a/b/c/z", is_dir=True)
    assert not matcher.matches("z", "b/z", is_dir=True)
    assert matcher.matches("m.gen.py", "p/m.gen.py", is_dir=False)
    assert matcher.excludes_path(str(tmp_path / "build" / "lib" / "m.py"), is_dir=False)
    # Components above the root never count: a project may live in a folder named "build".
    assert not ExcludeMatcher(["build"], tmp_path / "build" / "proj").excludes_path(
        str(tmp_path / "build" / "proj" / "m.py"), is_dir=False
    )


def test_excludes_never_apply_above_the_scanned_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "build" / "proj"
    touch(project, "app.py")
    monkeypatch.chdir(project)
    assert scanned(discover([Path(".")], load_config(Path(".")))) == ["app.py"]


def test_file_named_explicitly_is_always_scanned(project: Path, config: Config) -> None:
    touch(project, ".venv/lib/x.py", "scripts/tool", "node_modules/a.py")
    result = discover([Path(".venv/lib/x.py"), Path("scripts/tool"), Path("node_modules")], config)
    assert scanned(result) == [".venv/lib/x.py", "node_modules/a.py", "scripts/tool"]


def test_force_exclude_applies_excludes_to_explicit_paths(project: Path, config: Config) -> None:
    touch(project, ".venv/lib/x.py", "app.py", "node_modules/a.py")
    result = discover(
        [Path(".venv/lib/x.py"), Path("app.py"), Path("node_modules")], config, force_exclude=True
    )
    assert scanned(result) == ["app.py"]
    assert result.excluded == 2


def test_paths_keep_the_form_they_were_given_in(project: Path, config: Config) -> None:
    touch(project, "pkg/a.py", "pkg/b.py")
    relative = discover([Path("pkg/../pkg"), Path("./pkg/a.py")], config)
    assert relative.files == [Path("pkg/a.py"), Path("pkg/b.py")]
    absolute = discover([project / "pkg"], config)
    assert absolute.files == [project / "pkg" / "a.py", project / "pkg" / "b.py"]
    (project / "sub").mkdir()
    os.chdir(project / "sub")
    assert scanned(discover([Path("../pkg")], config)) == ["../pkg/a.py", "../pkg/b.py"]


def test_overlapping_inputs_are_deduplicated(project: Path, config: Config) -> None:
    touch(project, "pkg/a.py", "pkg/sub/b.py")
    result = discover([Path("pkg/sub"), Path("."), Path("pkg/a.py"), Path("pkg")], config)
    assert scanned(result) == ["pkg/a.py", "pkg/sub/b.py"]


def test_nonexistent_path_is_an_error_entry(project: Path, config: Config) -> None:
    touch(project, "a.py")
    result = discover([Path("missing.py"), Path("a.py")], config)
    assert scanned(result) == ["a.py"]
    assert [(e.path, e.message) for e in result.errors] == [
        ("missing.py", "No such file or directory: missing.py. Check the path.")
    ]


def test_deep_trees_do_not_hit_the_recursion_limit(project: Path, config: Config) -> None:
    deep = "."
    for _ in range(sys.getrecursionlimit() + 100):
        deep = os.path.join(deep, "d")
        os.mkdir(deep)  # one level at a time: os.makedirs itself recurses
    Path(deep, "bottom.py").write_text("")
    try:
        assert scanned(discover([Path(".")], config)) == [f"{deep[2:]}/bottom.py"]
    finally:  # shutil.rmtree recurses too, so pytest could not clean this up
        os.remove(os.path.join(deep, "bottom.py"))
        while deep != ".":
            os.rmdir(deep)
            deep = os.path.dirname(deep)


@needs_symlinks
def test_symlink_loop_terminates_without_duplicates(project: Path, config: Config) -> None:
    touch(project, "pkg/a.py", "pkg/sub/b.py")
    os.symlink(project / "pkg", project / "pkg" / "sub" / "loop")  # points at its grandparent
    os.symlink(project / "pkg" / "sub", project / "pkg" / "sub" / "self")
    result = discover([Path(".")], config)
    assert scanned(result) == ["pkg/a.py", "pkg/sub/b.py"]
    assert result.errors == []


@needs_symlinks
def test_symlinked_directory_is_followed_once_and_real_path_wins(
    project: Path, config: Config
) -> None:
    touch(project, "shared/util.py")
    os.symlink(project / "shared", project / "alias")  # sorts before "shared"
    os.symlink(project / "shared", project / "zlink")
    assert scanned(discover([Path(".")], config)) == ["shared/util.py"]
    # Scanned on its own, the link is followed (once) and reported under its own name.
    touch(project, "app/main.py")
    os.symlink(project / "shared", project / "app" / "vendored")
    os.symlink(project / "shared", project / "app" / "vendored2")
    assert scanned(discover([Path("app")], config)) == ["app/main.py", "app/vendored/util.py"]


@needs_symlinks
def test_symlinks_never_lead_out_of_the_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    touch(tmp_path, "outside/secret.py", "project/app.py")
    os.symlink(tmp_path / "outside", project / "out")
    os.symlink(tmp_path / "nowhere", project / "broken.py")
    result = discover([project], Config(path=None, root=project))
    assert result.files == [project / "app.py"]
    assert result.errors == []


@needs_fifo
def test_fifo_is_never_opened(project: Path, config: Config) -> None:
    touch(project, "a.py")
    os.mkfifo(project / "pipe.py")
    walked = discover([Path(".")], config)
    assert scanned(walked) == ["a.py"]
    explicit = discover([Path("pipe.py")], config)
    assert explicit.files == []
    [error] = explicit.errors
    assert error.path == "pipe.py"
    assert "not a regular file" in error.message and "named pipe" in error.message


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root ignores permissions"
)
def test_unreadable_directory_is_an_error_not_a_crash(project: Path, config: Config) -> None:
    touch(project, "a.py", "locked/b.py")
    (project / "locked").chmod(0)
    try:
        result = discover([Path(".")], config)
    finally:
        (project / "locked").chmod(0o755)
    assert scanned(result) == ["a.py"]
    [error] = result.errors
    assert error.path == "locked" and error.message.startswith("Permission denied: locked.")


def test_gitignore_outside_a_repository_changes_nothing(project: Path, config: Config) -> None:
    touch(project, "a.py", "gen/b.py")
    (project / ".gitignore").write_text("gen/\n")
    assert scanned(discover([Path(".")], config)) == ["a.py", "gen/b.py"]


def test_gitignore_is_respected_in_a_git_repository(git_repo: Path, config: Config) -> None:
    touch(git_repo, "app.py", "generated/client.py", "scratch_notes.py", "src/pkg/mod.py")
    (git_repo / ".gitignore").write_text("generated/\nscratch_*.py\n")
    result = discover([Path(".")], config)
    assert scanned(result) == ["app.py", "src/pkg/mod.py"]
    assert result.excluded == 3  # generated/, scratch_notes.py and .git/
    everything = discover([Path(".")], config, respect_gitignore=False)
    assert scanned(everything) == [
        "app.py",
        "generated/client.py",
        "scratch_notes.py",
        "src/pkg/mod.py",
    ]
    # Named explicitly, an ignored file is scanned.
    assert scanned(discover([Path("scratch_notes.py")], config)) == ["scratch_notes.py"]


def test_gitignore_applies_when_scanning_a_subdirectory(git_repo: Path, config: Config) -> None:
    touch(git_repo, "src/a.py", "src/out/b.py")
    (git_repo / ".gitignore").write_text("out/\n")
    assert scanned(discover([Path("src")], config)) == ["src/a.py"]
    assert discover([git_repo / "src"], config).files == [git_repo / "src" / "a.py"]


def test_tracked_files_are_never_ignored(git_repo: Path, config: Config) -> None:
    touch(git_repo, "generated/kept.py", "generated/dropped.py")
    (git_repo / ".gitignore").write_text("generated/\n")
    git(git_repo, "add", "-f", "generated/kept.py")
    assert scanned(discover([Path(".")], config)) == ["generated/kept.py"]


def test_tracked_files_with_odd_names_deep_in_an_ignored_tree_are_kept(
    git_repo: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tracked files come from `git ls-files` (paths relative to the repository, unquoted)
    # and are matched with the absolute paths check-ignore reports, from any working directory.
    names = ["out/a b/kept é.py", "out/a b/dropped.py", "src/out/x.py", "src/y.py"]
    touch(git_repo, *names)
    (git_repo / ".gitignore").write_text("out/\n")
    git(git_repo, "add", "-f", "out/a b/kept é.py", "src/out/x.py")
    assert scanned(discover([Path(".")], config)) == [
        "out/a b/kept é.py",
        "src/out/x.py",
        "src/y.py",
    ]
    monkeypatch.chdir(git_repo / "src")
    found = discover([git_repo / "out", Path(".")], config).files
    assert found == sorted([git_repo / "out" / "a b" / "kept é.py", Path("out/x.py"), Path("y.py")])


def test_ignored_paths_are_those_git_check_ignore_reports_with_the_index(git_repo: Path) -> None:
    # obolint asks `check-ignore --no-index` and takes out tracked files and the directories
    # that hold one: the answer of `check-ignore` with the index, in a fraction of the time.
    touch(git_repo, "gen/keep.py", "gen/drop.py", "gen/sub/x.py", "logs/a.py", "src/tmp_1.py")
    touch(git_repo, "src/keep_tmp.py", "src/ok.py", "docs/.cache/c.py")
    (git_repo / ".gitignore").write_text(
        "gen/\nlogs\ntmp_*.py\n*keep_tmp.py\n.cache/\n!src/ok.py\n"
    )
    git(git_repo, "add", "-f", "gen/keep.py", "src/keep_tmp.py")
    root = os.path.realpath(git_repo)
    asked = sorted(
        os.path.join(directory, name)
        for directory, directories, files in os.walk(root)
        if ".git" not in directory.split(os.sep)
        for name in [*files, *directories]
        if name != ".git"
    )
    with_index = subprocess.run(
        ["git", "-C", root, "check-ignore", "--stdin", "-z"],
        input=b"".join(os.fsencode(path) + b"\0" for path in asked),
        capture_output=True,
        check=False,
    )
    expected = {os.fsdecode(path) for path in with_index.stdout.split(b"\0") if path}
    assert os.path.join(root, "gen", "drop.py") in expected
    assert os.path.join(root, "gen", "keep.py") not in expected
    assert _git_check_ignore(root, asked) == expected


def test_nested_repository_inside_an_ignored_directory(git_repo: Path, config: Config) -> None:
    touch(git_repo, "app.py", "third_party/lib/x.py", "vendor/lib/y.py")
    subprocess.run(["git", "init", "-q", str(git_repo / "third_party" / "lib")], check=True)
    subprocess.run(["git", "init", "-q", str(git_repo / "vendor" / "lib")], check=True)
    (git_repo / ".gitignore").write_text("third_party/\n")
    (git_repo / "vendor" / "lib" / ".gitignore").write_text("y.py\n")
    assert scanned(discover([Path(".")], config)) == ["app.py"]


def test_odd_file_names_do_not_break_the_git_batch(git_repo: Path, config: Config) -> None:
    touch(git_repo, ":(exclude)odd.py", "-n.py", "ignored.py")
    (git_repo / ".gitignore").write_text("ignored.py\n")
    assert scanned(discover([Path(".")], config)) == ["-n.py", ":(exclude)odd.py"]


def test_git_location_variables_from_a_hook_are_ignored(
    git_repo: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(git_repo, "a.py", "gen/b.py")
    (git_repo / ".gitignore").write_text("gen/\n")
    monkeypatch.setenv("GIT_DIR", str(git_repo / "nowhere"))
    monkeypatch.setenv("GIT_INDEX_FILE", "nowhere")
    assert scanned(discover([Path(".")], config)) == ["a.py"]


def test_missing_git_falls_back_to_no_filtering(
    git_repo: Path, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(git_repo, "a.py", "gen/b.py")
    (git_repo / ".gitignore").write_text("gen/\n")
    monkeypatch.setenv("PATH", str(git_repo / "no-bin-here"))
    result = discover([Path(".")], config)
    assert scanned(result) == ["a.py", "gen/b.py"]
    assert result.errors == []


@needs_git
@needs_symlinks
def test_gitignore_applies_through_a_symlinked_directory(git_repo: Path, config: Config) -> None:
    touch(git_repo, "real/a.py", "real/out/b.py", "app/main.py")
    (git_repo / ".gitignore").write_text("out/\n")
    os.symlink(git_repo / "real", git_repo / "app" / "lib")
    assert scanned(discover([Path("app")], config)) == ["app/lib/a.py", "app/main.py"]
