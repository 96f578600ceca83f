"""The results cache: identical scans are answered from disk; any relevant change recomputes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from clirun import run
from samples import CLEAN, PRINTED_ENV_TOKEN, SHOUT_CALLER, SHOUT_HELPER

from obolint.cli import main


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(PRINTED_ENV_TOKEN)
    return tmp_path


def test_second_identical_scan_is_a_cache_hit_with_the_same_findings(project):
    cold = run(".")
    warm = run(".")
    assert cold["stats"]["cache"] == "miss" and warm["stats"]["cache"] == "hit"
    assert warm["findings"] == cold["findings"]
    assert (project / ".obolint_cache" / "CACHEDIR.TAG").read_text().startswith("Signature:")


def test_a_cache_hit_imports_neither_libcst_nor_the_analysis(project, tmp_path_factory):
    # A fresh interpreter: this one imported LibCST for other tests. Importing it and the
    # analysis took an eighth of a warm run on saleor.
    script = (
        "import sys\n"
        "from obolint.cli import main\n"
        "for _ in range(2):\n"
        "    try:\n"
        "        main(['check', '--format', 'json', '-o', 'report.json', '.'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(sorted(m for m in ('libcst', 'obolint.analysis') if m in sys.modules))\n"
    )
    (project / "second_run.py").write_text(script)  # no trigger word: never parsed
    # The signing key lives outside the project (see obolint.cache).
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("xdg"))}
    done = subprocess.run(
        [sys.executable, "second_run.py"], capture_output=True, text=True, env=env, check=True
    )
    # The first run analyses (and imports both); in a process of its own the second does not.
    assert done.stdout.strip() == "['libcst', 'obolint.analysis']"
    (project / "second_run.py").write_text(script.replace("range(2)", "range(1)"))
    done = subprocess.run(
        [sys.executable, "second_run.py"], capture_output=True, text=True, env=env, check=True
    )
    assert json.loads((project / "report.json").read_text())["stats"]["cache"] == "hit"
    assert done.stdout.strip() == "[]"


def test_a_changed_file_is_a_miss(project):
    run(".")
    (project / "app.py").write_text(PRINTED_ENV_TOKEN + "print('more')\n")
    assert run(".")["stats"]["cache"] == "miss"


def test_selection_and_packs_are_part_of_the_key(project):
    run(".")
    assert run("--select", "OBO501", ".")["stats"]["cache"] == "miss"
    assert run("--select", "OBO501", ".")["stats"]["cache"] == "hit"


@pytest.mark.parametrize("target", ["app.py", "."])
def test_a_changed_on_demand_module_invalidates_the_entry(project, target):
    # helper.py has no credential word: the prefilter skips it, the caller's flow loads it
    # (in a partial scan and in a whole one).
    (project / "app.py").write_text(SHOUT_CALLER)
    (project / "helper.py").write_text(SHOUT_HELPER)
    first = run(target)
    assert [f["path"] for f in first["findings"]] == ["helper.py"]
    assert first["stats"]["context_files"] == 1
    (project / "helper.py").write_text("def shout(x):\n    return len(x)\n")
    second = run(target)
    assert second["stats"]["cache"] == "miss" and second["findings"] == []


def test_no_cache_neither_reads_nor_writes(project):
    stats = run("--no-cache", ".")["stats"]
    assert "cache" not in stats
    assert not (project / ".obolint_cache").exists()


def test_a_corrupt_entry_is_ignored(project):
    run(".")
    for entry in (project / ".obolint_cache").glob("*.json"):
        entry.write_text("{not json")
    assert run(".")["stats"]["cache"] == "miss"
    assert run(".")["stats"]["cache"] == "hit"


def test_an_entry_nested_deeper_than_json_reads_is_ignored(project, indexed, monkeypatch):
    # Read before its signature is checked: RecursionError ended every scan that missed.
    from obolint import analysis

    monkeypatch.setattr(analysis, "MIN_FILES_FOR_OUTLINES", 1)
    run(".")
    entries = list((project / ".obolint_cache").glob("*.json"))
    assert {entry.name.split("-")[0] for entry in entries} >= {"files", "outline", "prefilter"}
    for entry in entries:
        entry.write_text("[" * 100_000)
    (project / "app.py").write_text(PRINTED_ENV_TOKEN + "# edited\n")
    cached = run(".")
    assert cached["stats"]["cache"] == "miss"
    assert cached["findings"] == run("--no-cache", ".")["findings"] != []


def test_cache_clean(project):
    run(".")
    result = CliRunner().invoke(main, ["cache", "clean"])
    assert result.exit_code == 0 and "Removed 1 cached result" in result.output
    assert not (project / ".obolint_cache").exists()


def test_cache_clean_of_a_subdirectory_removes_the_cache_its_scans_use(project):
    # Without a settings file, a scan of files in sub/ run from the top keeps its cache at the
    # top (see config.project_root), and so does `cache clean sub` run from there.
    (project / "sub").mkdir()
    (project / "sub" / "chat.py").write_text((project / "app.py").read_text())
    run("sub/chat.py")
    assert (project / ".obolint_cache").is_dir()
    result = CliRunner().invoke(main, ["cache", "clean", "sub"])
    assert result.exit_code == 0 and "Removed 1 cached result" in result.output
    assert not (project / ".obolint_cache").exists()


def test_entries_hold_no_source_text(project):
    (project / "app.py").write_text("KEY = 'sk-live-0123456789abcdef'\nprint(KEY)\n")
    run(".")
    entries = list(Path(project / ".obolint_cache").glob("*.json"))
    assert entries
    for entry in entries:
        assert "sk-live-0123456789abcdef" not in entry.read_text()


def test_a_change_to_a_file_the_analysis_never_reads_is_still_a_hit(project):
    # notes.py has no trigger word and nothing calls into it: it cannot change the result.
    (project / "notes.py").write_text(CLEAN)
    cold = run(".")
    (project / "notes.py").write_text("def add(a, b):\n    return b + a\n")
    warm = run(".")
    assert warm["stats"]["cache"] == "hit"
    assert warm["findings"] == cold["findings"]
    # The exact scan is remembered too: the third run needs no prefilter.
    assert run(".")["stats"]["cache"] == "hit"


def test_a_prefiltered_file_gaining_a_trigger_word_is_a_miss(project):
    (project / "notes.py").write_text(CLEAN)
    run(".")
    (project / "notes.py").write_text("import os\nprint(os.environ['API_TOKEN'])\n")
    second = run(".")
    assert second["stats"]["cache"] == "miss"
    assert {f["path"] for f in second["findings"]} == {"app.py", "notes.py"}


def test_a_context_file_that_did_not_parse_is_checked_too(project):
    (project / "app.py").write_text(SHOUT_CALLER)
    (project / "helper.py").write_text("def shout(x):\n    print(x\n")
    assert run("app.py")["findings"] == []
    (project / "helper.py").write_text(SHOUT_HELPER)
    second = run("app.py")
    assert second["stats"]["cache"] == "miss"
    assert [f["path"] for f in second["findings"]] == ["helper.py"]


def test_an_entry_planted_in_the_repository_cannot_hide_a_finding(project):
    # A pull request may commit .obolint_cache/ with an empty result under its own key.
    cold = run(".")
    assert cold["findings"]
    for path in (project / ".obolint_cache").glob("*.json"):
        doc = json.loads(path.read_text())
        entry = json.loads(doc["entry"])
        if "result" in entry:
            entry["result"]["findings"] = []
            doc["entry"] = json.dumps(entry)  # the signature no longer matches
            path.write_text(json.dumps(doc))
    again = run(".")
    assert again["stats"]["cache"] == "miss"
    assert again["findings"] == cold["findings"]


def test_entries_signed_by_another_user_are_a_miss(project, tmp_path_factory, monkeypatch):
    run(".")
    assert run(".")["stats"]["cache"] == "hit"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("other-user")))
    assert run(".")["stats"]["cache"] == "miss"


def test_without_a_signing_key_the_scan_runs_without_a_cache(
    project, tmp_path_factory, monkeypatch
):
    not_a_directory = tmp_path_factory.mktemp("elsewhere") / "cache-home"
    not_a_directory.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_directory))
    report = run(".")
    assert "cache" not in report["stats"] and report["findings"]
    assert not (project / ".obolint_cache").exists()
    assert "warning: the cache is off: no usable signing key" in report["stderr"]


def test_the_signing_key_is_private_to_the_user(project, tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("key-home")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    run(".")
    key_file = home / "obolint" / "cache-signing-key"
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32
    if os.name == "posix":
        assert key_file.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("content", ["", "abcd", "zz" * 32])
def test_a_short_or_malformed_key_is_replaced(project, tmp_path_factory, monkeypatch, content):
    # An empty key (say, from a run that died while creating it) would let anyone sign
    # entries: it is never used, and a new key takes its place.
    home = tmp_path_factory.mktemp("bad-key")
    key_file = home / "obolint" / "cache-signing-key"
    key_file.parent.mkdir()
    key_file.write_text(content)
    key_file.chmod(0o600)
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    assert run(".")["stats"]["cache"] == "miss"
    assert len(bytes.fromhex(key_file.read_text().strip())) == 32
    assert run(".")["stats"]["cache"] == "hit"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_key_others_can_read_is_replaced(project, tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("shared-key")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    run(".")
    key_file = home / "obolint" / "cache-signing-key"
    exposed = key_file.read_text()
    key_file.chmod(0o644)
    # Entries signed with a key others could read are no longer trusted.
    assert run(".")["stats"]["cache"] == "miss"
    assert key_file.read_text() != exposed
    assert key_file.stat().st_mode & 0o077 == 0


def test_a_relative_cache_home_is_ignored(project, tmp_path_factory, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert run(".")["stats"]["cache"] == "miss"
    assert not (project / "relative").exists()


def test_a_key_inside_the_project_is_never_used(project, monkeypatch):
    # A checked-out repository could then supply the key and sign its own entries.
    monkeypatch.setenv("XDG_CACHE_HOME", str(project / ".cache"))
    report = run(".")
    assert "cache" not in report["stats"]
    assert "inside the scanned project" in report["stderr"]


@pytest.fixture
def searched(monkeypatch):
    """The texts the prefilter's search is run on, per scan."""
    from obolint import runner

    calls: list[list[str]] = []
    search = runner.files_to_parse

    def recording(texts, found_by, jobs):
        calls.append(list(texts))
        return search(texts, found_by, jobs)

    monkeypatch.setattr(runner, "files_to_parse", recording)
    return calls


def test_a_rerun_after_an_edit_searches_only_the_edited_file(project, searched):
    (project / "notes.py").write_text(CLEAN)
    run(".")
    assert sorted(searched[0]) == sorted([PRINTED_ENV_TOKEN, CLEAN])
    (project / "notes.py").write_text("import os\nprint(os.environ['API_TOKEN'])\n")
    second = run(".")
    assert searched[1] == ["import os\nprint(os.environ['API_TOKEN'])\n"]
    assert {f["path"] for f in second["findings"]} == {"app.py", "notes.py"}


def test_a_forged_prefilter_verdict_cannot_hide_a_file(project, searched):
    # A pull request may commit a verdict saying its leaky file has no trigger word.
    (project / "notes.py").write_text(CLEAN)
    cold = run(".")
    (entry,) = (project / ".obolint_cache").glob("prefilter-*.json")
    doc = json.loads(entry.read_text())
    verdicts = json.loads(doc["entry"])["verdicts"]
    assert sorted(verdicts.values()) == [False, True]
    doc["entry"] = json.dumps({"verdicts": {digest: False for digest in verdicts}})
    entry.write_text(json.dumps(doc))
    (project / "notes.py").write_text(CLEAN + "\n")  # a miss of the results entry
    again = run(".")
    assert len(searched[1]) == 2  # the forged entry is not used: every file is searched
    assert again["findings"] == cold["findings"]


@pytest.mark.parametrize(("kept_at_least", "expected"), [(5, 5), (4, 1)])
def test_verdicts_of_other_files_are_kept_until_they_outnumber_the_scan(
    project, searched, monkeypatch, kept_at_least, expected
):
    from obolint import cache

    monkeypatch.setattr(cache, "MIN_VERDICTS_KEPT", kept_at_least)
    for name in ("a", "b", "c"):
        (project / f"{name}.py").write_text(f"{name.upper()} = 1\n")
    run(".")
    (project / "app.py").write_text(PRINTED_ENV_TOKEN + "\n")
    run("app.py")  # as pre-commit does: one changed file
    assert searched[1] == [PRINTED_ENV_TOKEN + "\n"]
    # 4 verdicts of the first scan and 1 new; kept while 5 <= max(2 x 1, kept_at_least): the
    # two cases sit on either side of the cut-off.
    (entry,) = (project / ".obolint_cache").glob("prefilter-*.json")
    assert len(json.loads(json.loads(entry.read_text())["entry"])["verdicts"]) == expected


def test_a_module_created_after_a_partial_scan_is_a_miss(project):
    # The credential flows into `helpers.send_it`; helpers.py does not exist yet.
    (project / "chat.py").write_text(
        "import os\nfrom helpers import send_it\nsend_it(os.environ['OPENAI_API_KEY'])\n"
    )
    assert run("chat.py")["findings"] == []
    (project / "helpers.py").write_text(
        "from openai import OpenAI\n\n\ndef send_it(x):\n"
        "    OpenAI().chat.completions.create(model='m', messages=[x])\n"
    )
    second = run("chat.py")
    assert second["stats"]["cache"] == "miss"
    assert [(f["path"], f["rule"]) for f in second["findings"]] == [("helpers.py", "OBO101")]


def test_a_partial_scan_that_looked_among_the_project_files_misses_once_they_change(project):
    # `helpers` is not where its name says (the root or src/): it is looked for among the
    # project's files, so the result depends on which files there are.
    (project / "chat.py").write_text(
        "import os\nfrom helpers import send_it\nsend_it(os.environ['OPENAI_API_KEY'])\n"
    )
    (project / "lib").mkdir()
    (project / "lib" / "helpers.py").write_text(
        "from openai import OpenAI\n\n\ndef send_it(x):\n"
        "    OpenAI().chat.completions.create(model='m', messages=[x])\n"
    )
    first = run("chat.py")
    assert [(f["path"], f["rule"]) for f in first["findings"]] == [("lib/helpers.py", "OBO101")]
    assert run("chat.py")["stats"]["cache"] == "hit"
    # A second `helpers` module: which one the import names is no longer known.
    (project / "tools").mkdir()
    (project / "tools" / "helpers.py").write_text("def send_it(x):\n    return x\n")
    second = run("chat.py")
    assert second["stats"]["cache"] == "miss"
    assert second["findings"] == []
    (project / "tools" / "helpers.py").unlink()
    assert run("chat.py")["findings"] == first["findings"]


def test_the_least_recently_used_entries_go_once_the_directory_passes_its_cap(project, monkeypatch):
    from obolint import cache

    directory = project / ".obolint_cache"

    def scan(version: int) -> dict:
        (project / "app.py").write_text(PRINTED_ENV_TOKEN + f"# version {version}\n")
        return run(".")

    first = scan(0)
    entries = [p for p in directory.glob("*.json") if p.name[0] in "0123456789abcdef"]
    assert len(entries) == 1  # one file: its exact and relevance keys are one
    entry_size = entries[0].stat().st_size
    others = sum(p.stat().st_size for p in directory.glob("*.json")) - entry_size
    # Room for three entries and a half: the fourth makes it prune the two oldest.
    monkeypatch.setattr(cache, "MAX_BYTES", others + entry_size * 7 // 2)
    for version in (1, 2):
        assert scan(version)["stats"]["cache"] == "miss"
    assert scan(1)["stats"]["cache"] == "hit"  # read: now more recent than version 2
    for version in (3, 4):
        report = scan(version)
        assert report["stats"]["cache"] == "miss"
        assert report["findings"] == first["findings"]
        size = sum(p.stat().st_size for p in directory.glob("*.json"))
        assert size <= cache.MAX_BYTES
    assert [scan(version)["stats"]["cache"] for version in (4, 3, 1)] == ["hit"] * 3
    assert scan(2)["stats"]["cache"] == "miss"
    assert scan(0)["stats"]["cache"] == "miss"


def test_the_least_recently_used_entries_go_once_they_are_too_many(project, monkeypatch):
    from obolint import cache

    monkeypatch.setattr(cache, "MAX_FILES", 4)
    for version in range(8):
        (project / "app.py").write_text(PRINTED_ENV_TOKEN + f"# version {version}\n")
        run(".")
        assert len(list((project / ".obolint_cache").glob("*.json"))) <= 4
    assert run(".")["stats"]["cache"] == "hit"  # the newest entry is kept


OURS = re.compile(r"f[0-9]+\.json")


def _files_of_ages(directory: Path, sizes: list[int]) -> list[str]:
    """Files f0.json, f1.json, ... of these sizes, f0 the least recently used."""
    directory.mkdir()
    for n, size in enumerate(sizes):
        path = directory / f"f{n}.json"
        path.write_bytes(b"x" * size)
        os.utime(path, ns=(1_000_000_000 * (n + 1),) * 2)
    return [f"f{n}.json" for n in range(len(sizes))]


def _left(directory: Path) -> list[str]:
    return sorted((p.name for p in directory.iterdir()), key=lambda name: (len(name), name))


def test_pruning_by_size_removes_only_what_brings_it_under_three_quarters(tmp_path):
    from obolint.cache import prune_least_recently_used

    names = _files_of_ages(tmp_path / "c", [1000] + [100] * 7)  # 1,700 bytes, oldest largest
    prune_least_recently_used(tmp_path / "c", OURS, 1600)
    assert _left(tmp_path / "c") == names[1:]


def test_pruning_by_count_keeps_three_quarters_of_the_cap(tmp_path):
    from obolint.cache import prune_least_recently_used

    names = _files_of_ages(tmp_path / "c", [100] * 9)
    prune_least_recently_used(tmp_path / "c", OURS, 10_000, max_files=8)
    assert _left(tmp_path / "c") == names[3:]
    prune_least_recently_used(tmp_path / "c", re.compile(r"g.*"), 0)  # not its files: kept
    assert _left(tmp_path / "c") == names[3:]


def test_pruning_keeps_what_this_run_stored_or_read(tmp_path):
    from obolint.cache import prune_least_recently_used

    names = _files_of_ages(tmp_path / "c", [100] * 8)
    # f5 to f7 were touched after the run began: kept though the cap asks for fewer files.
    prune_least_recently_used(tmp_path / "c", OURS, 0, kept_since_ns=5_500_000_000)
    assert _left(tmp_path / "c") == names[5:]


def test_a_file_another_run_removed_counts_as_removed(tmp_path, monkeypatch):
    from obolint import cache

    names = _files_of_ages(tmp_path / "c", [100] * 12)
    real_unlink = os.unlink

    def removed_by_another_run_first(path):
        real_unlink(path)
        if path.endswith("f0.json"):
            raise FileNotFoundError(path)

    monkeypatch.setattr(cache.os, "unlink", removed_by_another_run_first)
    cache.prune_least_recently_used(tmp_path / "c", OURS, 10_000, max_files=8)
    assert _left(tmp_path / "c") == names[6:]  # six left, as without the other run


def test_a_cache_directory_that_is_a_symbolic_link_is_never_pruned(project, monkeypatch):
    from obolint import cache

    elsewhere = project.parent / "elsewhere"
    elsewhere.mkdir()
    planted = [elsewhere / f"{n:064x}.json" for n in range(6)]
    for path in planted:
        path.write_text("{}")
    (project / ".obolint_cache").symlink_to(elsewhere)
    monkeypatch.setattr(cache, "MAX_FILES", 2)
    for version in range(3):
        (project / "app.py").write_text(PRINTED_ENV_TOKEN + f"# version {version}\n")
        run(".")
    assert all(path.exists() for path in planted)


def test_files_obolint_did_not_write_are_never_pruned(project, monkeypatch):
    from obolint import cache

    directory = project / ".obolint_cache"
    directory.mkdir()
    foreign = [directory / name for name in ("notes.json", "a" * 63 + ".json", "x.tree")]
    for path in foreign:
        path.write_text("{}")
        os.utime(path, ns=(1_000_000_000,) * 2)  # older than anything obolint writes
    monkeypatch.setattr(cache, "MAX_FILES", 2)
    for version in range(4):
        (project / "app.py").write_text(PRINTED_ENV_TOKEN + f"# version {version}\n")
        run(".")
        assert len([p for p in directory.glob("*.json") if p not in foreign]) <= 2
    assert all(path.exists() for path in foreign)


def test_the_cache_key_names_the_python_version(monkeypatch):
    """Which names are the standard library's depends on it (see resolve.module_suffixes)."""
    import sys

    from obolint.cache import scan_key

    key = scan_key([("a.py", "0" * 64)], "packs", ["OBO101"], Path("."))
    monkeypatch.setattr(sys, "version_info", (3, 99, 0))
    assert scan_key([("a.py", "0" * 64)], "packs", ["OBO101"], Path(".")) != key
