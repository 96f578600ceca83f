"""The results cache: identical scans are answered from disk; any relevant change recomputes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from obolint.cli import main

LEAKY = "import os\nprint(os.environ['GH_TOKEN'])\n"
HELPER = "def shout(x):\n    print(x)\n"
CALLER = "import os\nfrom helper import shout\nshout(os.environ['GH_TOKEN'])\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(LEAKY)
    return tmp_path


def run(*args: str) -> dict:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def test_second_identical_scan_is_a_cache_hit_with_the_same_findings(project):
    cold = run(".")
    warm = run(".")
    assert cold["stats"]["cache"] == "miss" and warm["stats"]["cache"] == "hit"
    assert warm["findings"] == cold["findings"]
    assert (project / ".obolint_cache" / "CACHEDIR.TAG").read_text().startswith("Signature:")


def test_a_changed_file_is_a_miss(project):
    run(".")
    (project / "app.py").write_text(LEAKY + "print('more')\n")
    assert run(".")["stats"]["cache"] == "miss"


def test_selection_and_packs_are_part_of_the_key(project):
    run(".")
    assert run("--select", "OBO501", ".")["stats"]["cache"] == "miss"
    assert run("--select", "OBO501", ".")["stats"]["cache"] == "hit"


def test_a_changed_on_demand_module_invalidates_the_entry(project):
    # helper.py has no credential word: the prefilter skips it, the caller's flow loads it.
    (project / "app.py").write_text(CALLER)
    (project / "helper.py").write_text(HELPER)
    first = run("app.py")
    assert [f["path"] for f in first["findings"]] == ["helper.py"]
    assert first["stats"]["context_files"] == 1
    (project / "helper.py").write_text("def shout(x):\n    return len(x)\n")
    second = run("app.py")
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


def test_cache_clean(project):
    run(".")
    result = CliRunner().invoke(main, ["cache", "clean"])
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
    (project / "notes.py").write_text("def add(a, b):\n    return a + b\n")
    cold = run(".")
    (project / "notes.py").write_text("def add(a, b):\n    return b + a\n")
    warm = run(".")
    assert warm["stats"]["cache"] == "hit"
    assert warm["findings"] == cold["findings"]
    # The exact scan is remembered too: the third run needs no prefilter.
    assert run(".")["stats"]["cache"] == "hit"


def test_a_prefiltered_file_gaining_a_trigger_word_is_a_miss(project):
    (project / "notes.py").write_text("def add(a, b):\n    return a + b\n")
    run(".")
    (project / "notes.py").write_text("import os\nprint(os.environ['API_TOKEN'])\n")
    second = run(".")
    assert second["stats"]["cache"] == "miss"
    assert {f["path"] for f in second["findings"]} == {"app.py", "notes.py"}


def test_a_prefiltered_file_read_for_context_invalidates_a_whole_scan(project):
    (project / "app.py").write_text(CALLER)
    (project / "helper.py").write_text(HELPER)
    first = run(".")
    assert [f["path"] for f in first["findings"]] == ["helper.py"]
    (project / "helper.py").write_text("def shout(x):\n    return len(x)\n")
    second = run(".")
    assert second["stats"]["cache"] == "miss" and second["findings"] == []


def test_a_context_file_that_did_not_parse_is_checked_too(project):
    (project / "app.py").write_text(CALLER)
    (project / "helper.py").write_text("def shout(x):\n    print(x\n")
    assert run("app.py")["findings"] == []
    (project / "helper.py").write_text(HELPER)
    second = run("app.py")
    assert second["stats"]["cache"] == "miss"
    assert [f["path"] for f in second["findings"]] == ["helper.py"]
