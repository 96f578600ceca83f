"""Specification of `[tool.obolint]` loading: where it is found and what it rejects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from obolint.config import (
    DEFAULT_EXCLUDE,
    Config,
    ConfigError,
    find_config,
    load_config,
    per_file_ignore_rules,
    severity_overrides,
)
from obolint.packs import load_packs


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_nearest_pyproject_is_found_from_a_subdirectory(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obolint]\nselect = ["OBO1"]\n')
    inner = write(project / "pkg" / "pyproject.toml", '[tool.obolint]\nignore = ["OBO102"]\n')
    start = project / "pkg" / "sub" / "deeper"
    start.mkdir(parents=True)

    assert find_config(start) == inner
    config = load_config(start)
    assert config.path == inner
    assert config.root == project / "pkg"
    assert config.ignore == ("OBO102",)
    assert config.select == ()


def test_start_may_be_a_file(project: Path) -> None:
    pyproject = write(project / "pyproject.toml", "[tool.obolint]\n")
    module = write(project / "src" / "app.py", "")
    assert find_config(module) == pyproject


def test_pyproject_without_the_table_is_skipped(project: Path) -> None:
    outer = write(project / "pyproject.toml", '[tool.obolint]\nselect = ["OBO1"]\n')
    write(project / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n\n[tool.ruff]\n')
    assert find_config(project / "pkg") == outer
    assert load_config(project / "pkg").select == ("OBO1",)


def test_unrelated_broken_pyproject_is_skipped_without_parsing(project: Path) -> None:
    outer = write(project / "pyproject.toml", "[tool.obolint]\n")
    write(project / "pkg" / "pyproject.toml", "[project\nname = \n")
    assert find_config(project / "pkg") == outer


def test_no_config_gives_defaults_rooted_at_the_start_directory(project: Path) -> None:
    config = load_config(project)
    assert config == Config(path=None, root=project)
    assert config.exclude == DEFAULT_EXCLUDE
    assert find_config(project) is None


def test_default_excludes_cover_tool_and_environment_directories() -> None:
    for name in (
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
        ".nox",
        "site-packages",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".obolint_cache",
        ".eggs",
    ):
        assert name in DEFAULT_EXCLUDE


def test_all_keys_are_read(project: Path) -> None:
    write(project / "security" / "our-sdk.toml", "")
    write(
        project / "pyproject.toml",
        """
[tool.obolint]
select = ["OBO1", "credential-in-prompt"]
ignore = [" OBO105 "]
exclude = ["generated"]
extend-exclude = ["*_pb2.py"]
packs = ["./security/our-sdk.toml"]
""",
    )
    config = load_config(project)
    assert config.select == ("OBO1", "credential-in-prompt")
    assert config.ignore == ("OBO105",)
    assert config.exclude == ("generated",)  # replaces the defaults
    assert config.extend_exclude == ("*_pb2.py",)
    assert config.all_excludes == ("generated", "*_pb2.py")
    assert config.packs == (project / "security" / "our-sdk.toml",)


def test_extend_exclude_keeps_the_defaults(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obolint]\nextend-exclude = ["legacy"]\n')
    config = load_config(project)
    assert config.exclude == DEFAULT_EXCLUDE
    assert config.all_excludes == (*DEFAULT_EXCLUDE, "legacy")


def test_packs_are_resolved_relative_to_the_config_file(project: Path) -> None:
    pack = write(project / "rules" / "sdk.toml", "")
    write(project / "pyproject.toml", '[tool.obolint]\npacks = ["rules/sdk.toml"]\n')
    elsewhere = project / "src" / "pkg"
    elsewhere.mkdir(parents=True)
    # Found from a subdirectory and with the cwd elsewhere: still relative to the file.
    config = load_config(elsewhere)
    assert config.packs == (pack,)
    assert config.packs[0].is_absolute()


def test_missing_pack_is_an_error(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obolint]\npacks = ["rules/missing.toml"]\n')
    with pytest.raises(ConfigError) as raised:
        load_config(project)
    message = str(raised.value)
    assert message.startswith("pyproject.toml: [tool.obolint] packs names 'rules/missing.toml'")
    assert "does not exist" in message


def test_unknown_key_names_the_file_and_key_and_suggests(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obolint]\nextend_exclude = ["x"]\n')
    with pytest.raises(ConfigError) as raised:
        load_config(project)
    message = str(raised.value)
    assert message.startswith("pyproject.toml: [tool.obolint] has an unknown key 'extend_exclude'")
    assert "Did you mean 'extend-exclude'?" in message
    assert (
        "select, ignore, exclude, extend-exclude, packs, per-file-ignores, severity, fail-on"
        in message
    )


def test_unknown_key_without_a_close_match_lists_valid_keys(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.obolint]\nfrobnicate = true\n")
    with pytest.raises(ConfigError, match="unknown key 'frobnicate'. Valid keys are: select"):
        load_config(project)


def test_wrong_type_is_an_error(project: Path) -> None:
    write(project / "pyproject.toml", "[tool.obolint]\nselect = 3\n")
    with pytest.raises(ConfigError) as raised:
        load_config(project)
    assert str(raised.value) == (
        "pyproject.toml: [tool.obolint] select must be a list of strings (got integer). "
        "Fix the value or remove the key."
    )


def test_a_string_instead_of_a_list_shows_the_fix(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obolint]\nignore = "OBO102"\n')
    with pytest.raises(ConfigError, match=r'Write ignore = \["OBO102"\]'):
        load_config(project)


def test_a_non_string_item_is_an_error(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obolint]\nexclude = ["ok", 1]\n')
    with pytest.raises(
        ConfigError, match=r"exclude must be a list of strings \(item 2 is integer\)"
    ):
        load_config(project)


def test_table_of_the_wrong_type_is_an_error(project: Path) -> None:
    write(project / "pyproject.toml", "[tool]\nobolint = 1\n")
    with pytest.raises(ConfigError, match=r"\[tool.obolint\] must be a table \(got integer\)"):
        load_config(project)


def test_toml_syntax_error_names_file_and_line(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obolint]\nselect = ["OBO1"\nignore = []\n')
    with pytest.raises(ConfigError) as raised:
        load_config(project)
    message = str(raised.value)
    assert message.startswith("pyproject.toml: invalid TOML:")
    assert "line 3" in message


def test_toml_error_at_the_end_of_the_file_names_the_last_line(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obolint]\nselect = ["OBO1"\n\n')
    with pytest.raises(ConfigError, match=r"Unclosed array .*\(line 2\)"):
        load_config(project)


def test_explicit_config_must_exist(project: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(project, explicit=Path("ci/obolint.toml"))
    message = str(raised.value)
    assert message.startswith("ci/obolint.toml:")
    assert "--config" in message and "does not exist" in message


def test_explicit_config_wins_over_the_nearest(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obolint]\nselect = ["OBO1"]\n')
    explicit = write(project / "ci" / "pyproject.toml", '[tool.obolint]\nselect = ["OBO2"]\n')
    config = load_config(project, explicit=Path("ci/pyproject.toml"))
    assert config.path == explicit
    assert config.root == project / "ci"
    assert config.select == ("OBO2",)


def test_explicit_pyproject_without_the_table_means_defaults(project: Path) -> None:
    explicit = write(project / "pyproject.toml", '[project]\nname = "x"\n')
    config = load_config(project, explicit=explicit)
    assert config == Config(path=explicit, root=project)


def test_explicit_standalone_file_holds_keys_at_the_top(project: Path) -> None:
    explicit = write(project / "obolint.toml", 'select = ["OBO1"]\n')
    assert load_config(project, explicit=explicit).select == ("OBO1",)
    write(explicit, 'selectt = ["OBO1"]\n')
    with pytest.raises(ConfigError, match="Did you mean 'select'"):
        load_config(project, explicit=explicit)


def test_explicit_directory_is_an_error(project: Path) -> None:
    with pytest.raises(ConfigError, match="not a file"):
        load_config(project, explicit=project)


def test_errors_name_files_outside_the_cwd_absolutely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    bad = write(tmp_path / "other" / "pyproject.toml", "[tool.obolint]\nselect = 1\n")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(bad))}: "):
        load_config(bad.parent)


# --- per-file-ignores, severity, fail-on --------------------------------------------------


def test_per_file_ignores_severity_and_fail_on_are_read(project: Path) -> None:
    write(
        project / "pyproject.toml",
        """
[tool.obolint]
per-file-ignores = {"tests/**" = ["OBO5", "credential-in-prompt"], "scripts/*.py" = ["OBO401"]}
severity = {OBO501 = "error", credential-in-url = "Warning"}
fail-on = "error"
""",
    )
    config = load_config(project)
    assert config.per_file_ignores == (
        ("tests/**", ("OBO5", "credential-in-prompt")),
        ("scripts/*.py", ("OBO401",)),
    )
    assert config.severity == (("OBO501", "error"), ("credential-in-url", "warning"))
    assert config.fail_on == "error"


def test_fail_on_defaults_to_warning(project: Path) -> None:
    assert load_config(project).fail_on == "warning"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'per-file-ignores = ["tests/**"]',
            "pyproject.toml: [tool.obolint] per-file-ignores must be a table (got list). "
            'Write it as per-file-ignores = {"tests/**" = ["OBO5"]}.',
        ),
        (
            'per-file-ignores = {"tests/**" = "OBO5"}',
            'pyproject.toml: [tool.obolint] per-file-ignores."tests/**" must be a list of '
            'strings (got string). Write per-file-ignores."tests/**" = ["OBO5"] to give a '
            "single value.",
        ),
        (
            'severity = {OBO501 = "fatal"}',
            'pyproject.toml: [tool.obolint] severity.OBO501 is "fatal"; write "error" or '
            '"warning".',
        ),
        (
            "severity = {OBO501 = 2}",
            "pyproject.toml: [tool.obolint] severity.OBO501 must be a string (got integer). "
            'Write "error" or "warning".',
        ),
        (
            'severity = "error"',
            "pyproject.toml: [tool.obolint] severity must be a table (got string). "
            'Write it as severity = {OBO501 = "error"}.',
        ),
        (
            'fail-on = "never"',
            'pyproject.toml: [tool.obolint] fail-on is "never"; write "warning" or "error".',
        ),
        (
            "fail-on = true",
            "pyproject.toml: [tool.obolint] fail-on must be a string (got boolean). "
            'Write "warning" or "error".',
        ),
    ],
)
def test_workflow_keys_reject_wrong_values(project: Path, line: str, message: str) -> None:
    write(project / "pyproject.toml", f"[tool.obolint]\n{line}\n")
    with pytest.raises(ConfigError) as raised:
        load_config(project)
    assert str(raised.value) == message


def test_a_misspelt_workflow_key_gets_a_suggestion(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.obolint]\nfail_on = "error"\n')
    with pytest.raises(ConfigError, match="Did you mean 'fail-on'?"):
        load_config(project)


def test_rule_names_in_severity_and_per_file_ignores_must_exist(project: Path) -> None:
    rules = load_packs().rules
    write(project / "pyproject.toml", '[tool.obolint]\nseverity = {credential-logged = "error"}\n')
    assert severity_overrides(load_config(project), rules) == {"OBO501": "error"}
    write(project / "pyproject.toml", '[tool.obolint]\nseverity = {OBO5 = "error"}\n')
    with pytest.raises(ConfigError, match="severity names 'OBO5', which matches no rule"):
        severity_overrides(load_config(project), rules)
    write(project / "pyproject.toml", '[tool.obolint]\nper-file-ignores = {"t/**" = ["OBO5"]}\n')
    assert per_file_ignore_rules(load_config(project), rules) == [("t/**", {"OBO501"})]
    write(project / "pyproject.toml", '[tool.obolint]\nper-file-ignores = {"t/**" = ["OBO9"]}\n')
    with pytest.raises(ConfigError, match="per-file-ignores for 't/\\*\\*' names 'OBO9'"):
        per_file_ignore_rules(load_config(project), rules)


SETTINGS = 'import os\n\n\ndef service_key():\n    return os.environ["SERVICE_API_KEY"]\n'
MAIN = "import logging\nfrom app.settings import service_key\n\n\ndef start():\n"
MAIN += '    logging.getLogger(__name__).info("key %s", service_key())\n'


def write_app_package(directory: Path) -> None:
    """``app/`` under ``directory``: ``app.main`` logs what ``app.settings`` reads from the
    environment (OBO501 at main.py:6)."""
    write(directory / "app/__init__.py", "")
    write(directory / "app/settings.py", SETTINGS)
    write(directory / "app/main.py", MAIN)


@pytest.mark.parametrize("config_at", ["shared/obolint.toml", "project/obolint.toml"])
def test_an_explicit_config_elsewhere_does_not_change_module_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config_at: str
) -> None:
    # A config shared by several repositories, kept outside this one: modules are still named
    # from where the scan starts (`app.settings`), so the flow across modules is found, and the
    # cache is kept in the project, not next to the shared file.
    from clirun import run

    write_app_package(tmp_path / "project")
    config = write(tmp_path / config_at, 'extend-exclude = ["build"]\n')
    monkeypatch.chdir(tmp_path / "project")
    report = run("--config", str(config), ".")
    assert [(f["path"], f["line"], f["rule"]) for f in report["findings"]] == [
        ("app/main.py", 6, "OBO501")
    ]
    assert (tmp_path / "project/.obolint_cache").is_dir()
    assert not (tmp_path / "shared/.obolint_cache").exists()


@pytest.mark.parametrize("paths", [["."], ["main.py", "settings.py"]])
def test_a_scan_started_inside_a_package_names_modules_as_its_code_imports_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paths: list[str]
) -> None:
    # `cd app && obolint check .`: `app` has an `__init__.py`, so its modules are `app.main`
    # and `app.settings`, as `from app.settings import ...` names them; and `app.text`, which
    # holds no trigger word (or is not among the files named), is found on demand in this
    # directory, not in `app/app/`.
    from clirun import run

    write(tmp_path / "project/app/__init__.py", "")
    write(tmp_path / "project/app/settings.py", SETTINGS)
    write(tmp_path / "project/app/text.py", "def line(value):\n    return 'using ' + value\n")
    main = "import logging\nfrom app.settings import service_key\nfrom app.text import line\n\n\n"
    main += "def start():\n    logging.getLogger(__name__).info(line(service_key()))\n"
    write(tmp_path / "project/app/main.py", main)
    monkeypatch.chdir(tmp_path / "project/app")
    report = run("--no-cache", *paths)
    found = [(f["path"], f["line"], f["rule"]) for f in report["findings"]]
    assert found == [("main.py", 7, "OBO501")]
    assert [s["path"] for s in report["findings"][0]["trace"]][:3] == [
        "settings.py",
        "settings.py",
        "main.py",
    ]
    assert report["stats"]["context_files"] == 1


@pytest.mark.parametrize("scanned", ["backend/app/main.py", "backend/app"])
def test_a_partial_scan_reads_modules_whose_import_root_is_below_the_project_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scanned: str
) -> None:
    # A monorepo: the code imports `app.settings`, which is `backend/app/settings.py`. A scan of
    # the whole root names it by that suffix; a scan of one file or folder (pre-commit) finds it
    # among the project's files as well, and no other module of the same name exists.
    from clirun import run

    write_app_package(tmp_path / "backend")
    write(tmp_path / "frontend/tools/settings.py", "x = 1\n")  # another `settings`, not `app.`
    monkeypatch.chdir(tmp_path)
    whole = run("--no-cache", ".")
    part = run("--no-cache", scanned)
    expected = [("backend/app/main.py", 6, "OBO501")]
    assert [(f["path"], f["line"], f["rule"]) for f in whole["findings"]] == expected
    assert [(f["path"], f["line"], f["rule"]) for f in part["findings"]] == expected
    assert part["findings"][0]["trace"][0]["path"] == "backend/app/settings.py"


def test_a_partial_scan_from_a_folder_of_checkouts_reads_only_its_own_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run from a folder holding two repositories: `app.settings` of the other one is not the
    # module the scanned file imports (a full scan of the scanned one would not see it).
    from clirun import run

    for checkout in ("one", "two"):
        (tmp_path / checkout / ".git").mkdir(parents=True)
    write(tmp_path / "one/main.py", MAIN)
    write(tmp_path / "two/app/__init__.py", "")
    write(tmp_path / "two/app/settings.py", SETTINGS)
    monkeypatch.chdir(tmp_path)
    assert run("--no-cache", "one/main.py")["findings"] == []
    (tmp_path / "two" / ".git").rmdir()
    (tmp_path / "one" / ".git").rmdir()
    # Unmarked, the folder is one project: as a scan of all of it finds the module.
    found = run("--no-cache", "one/main.py")["findings"]
    assert [(f["path"], f["rule"]) for f in found] == [("one/main.py", "OBO501")]


def test_named_files_without_a_settings_file_are_named_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As pre-commit runs it: from the repository's top, with the changed files, and no
    # `[tool.obolint]` anywhere. The helper module is loaded on demand as `app.settings`; named
    # from the first file's directory (`app/`), it was looked for in `app/app/` and not found.
    from clirun import run

    write_app_package(tmp_path)
    write(tmp_path / "lib/other.py", "x = 1\n")
    monkeypatch.chdir(tmp_path)
    report = run("app/main.py", "lib/other.py")
    assert [(f["path"], f["line"], f["rule"]) for f in report["findings"]] == [
        ("app/main.py", 6, "OBO501")
    ]
    assert report["stats"]["context_files"] == 1
    assert (tmp_path / ".obolint_cache").is_dir()
    assert not (tmp_path / "app/.obolint_cache").exists()
