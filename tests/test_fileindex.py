"""The file index: a warm scan takes unchanged files' hashes from their status, not their text."""

from __future__ import annotations

import json
import os
import time

import pytest
from clirun import run
from samples import PRINTED_ENV_TOKEN, SHOUT_CALLER, SHOUT_HELPER

from obolint import fileindex, runner

# The same length as PRINTED_ENV_TOKEN, and no finding.
QUIET = "import os\nprint(os.environ['GH_COLOR'])\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(PRINTED_ENV_TOKEN)
    (tmp_path / "notes.py").write_text("NOTES = 1\n")
    return tmp_path


def _same_findings(cached: dict, fresh: dict) -> bool:
    return cached["findings"] == fresh["findings"] and cached["errors"] == fresh["errors"]


def test_a_warm_scan_reads_no_unchanged_file(project, indexed, reads):
    cold = run(".")
    assert sorted(reads) == ["app.py", "notes.py"]
    reads.clear()
    warm = run(".")
    assert warm["stats"]["cache"] == "hit" and reads == []
    assert _same_findings(warm, cold)


def test_edits_between_indexed_scans_give_the_findings_of_a_scan_without_cache(project, indexed):
    # Each step changes one file's size (its status) and is checked against --no-cache.
    (project / "helper.py").write_text(SHOUT_HELPER)
    steps = [
        lambda: (project / "notes.py").write_text("NOTES = 22\n"),  # prefiltered
        lambda: (project / "app.py").write_text(PRINTED_ENV_TOKEN + "# more\n"),  # analysed
        lambda: (project / "caller.py").write_text(SHOUT_CALLER),  # a new file
        # read for context
        lambda: (project / "helper.py").write_text(SHOUT_HELPER + "\n\nLEVEL = 3\n"),
        lambda: (project / "app.py").unlink(),  # a deleted file
        lambda: (project / "notes.py").write_bytes(b"\xff\xfe bad\n"),  # unreadable now
    ]
    run(".")
    for step in steps:
        step()
        cached = run(".")  # a hit for the prefiltered file's edit (see test_cache.py)
        assert _same_findings(cached, run(".", "--no-cache"))
        assert _same_findings(run("."), cached)  # and then a hit with the same


def test_an_edit_that_keeps_size_and_modification_time_is_seen(project, indexed):
    app = project / "app.py"
    old = time.time_ns() - 60_000_000_000
    os.utime(app, ns=(old, old))
    assert [f["rule"] for f in run(".")["findings"]] == ["OBO501"]
    time.sleep(0.05)  # past the file system's timestamp resolution
    app.write_text(QUIET)
    os.utime(app, ns=(old, old))  # as `touch -d` or an archive extraction would leave it
    status = app.stat()
    assert (status.st_size, status.st_mtime_ns) == (len(PRINTED_ENV_TOKEN), old)
    second = run(".")
    assert second["stats"]["cache"] == "miss" and second["findings"] == []


def test_a_file_changed_moments_before_a_scan_is_read_again(project, monkeypatch, reads):
    # The default margin: files this test just wrote changed too recently to be trusted.
    monkeypatch.setattr(runner, "MIN_FILES_FOR_INDEX", 1)
    old = time.time_ns() - 60_000_000_000
    os.utime(project / "notes.py", ns=(old, old))  # changes its status-change time: now
    run(".")
    reads.clear()
    assert run(".")["stats"]["cache"] == "hit"
    assert sorted(reads) == ["app.py", "notes.py"]


def test_small_scans_neither_load_nor_store_the_index(project, monkeypatch):
    monkeypatch.setattr(fileindex, "RACY_MARGIN_NS", 0)
    run(".")
    assert not list((project / ".obolint_cache").glob("files-*.json"))


def test_a_forged_index_entry_is_not_used(project, indexed):
    run(".")
    (entry,) = (project / ".obolint_cache").glob("files-*.json")
    doc = json.loads(entry.read_text())
    files = json.loads(doc["entry"])["files"]
    app = next(path for path in files if path.endswith("app.py"))
    (project / "app.py").write_text(QUIET)  # no finding now, same size
    # A planted index claiming the new status still has the old (leaky) content's hash.
    files[app][:5] = list(fileindex.status_of(os.stat(app)))
    doc["entry"] = json.dumps({"files": files})
    entry.write_text(json.dumps(doc))
    assert run(".")["findings"] == []


def test_cache_clean_does_not_count_the_index(project, indexed):
    from click.testing import CliRunner

    from obolint.cli import main

    run(".")
    cache = project / ".obolint_cache"
    assert list(cache.glob("files-*.json"))
    auxiliary = ("files-", "prefilter-", "outline-")
    results = [p for p in cache.glob("*.json") if not p.name.startswith(auxiliary)]
    assert len(results) == 2  # under the exact key and the relevance key (see obolint.runner)
    output = CliRunner().invoke(main, ["cache", "clean"]).output
    assert "Removed 2 cached result(s)" in output


def test_a_symlink_switched_while_a_file_is_read_records_the_file_read(
    project, indexed, monkeypatch
):
    # A release switch (`current -> releases/vN`) landing between the index's look at a path
    # and the read must not pair one file's status with the other's content.
    store = project.parent / f"{project.name}-store"
    store.mkdir()
    (store / "v1.py").write_text(PRINTED_ENV_TOKEN)
    (store / "v2.py").write_text(QUIET)  # same size, no finding
    link = project / "app.py"
    link.unlink()
    try:
        link.symlink_to(store / "v1.py")
    except OSError:
        pytest.skip("no symbolic links here")
    real = runner.read_source_and_status

    def switching(path):
        if path.name == "app.py" and os.readlink(link).endswith("v1.py"):
            link.unlink()
            link.symlink_to(store / "v2.py")
        return real(path)

    monkeypatch.setattr(runner, "read_source_and_status", switching)
    assert run(".")["findings"] == []  # v2 was read
    monkeypatch.setattr(runner, "read_source_and_status", real)
    link.unlink()
    link.symlink_to(store / "v1.py")  # switched back
    assert [f["rule"] for f in run(".")["findings"]] == ["OBO501"]


def test_a_file_system_clock_behind_this_machine_widens_the_margin(
    project, indexed, reads, monkeypatch
):
    # A network file system whose server runs a minute behind stamps a file changed just now
    # a minute in the past: it is not trusted until it is older than that too.
    monkeypatch.setattr(runner, "clock_lag_ns", lambda directory: 60_000_000_000)
    run(".")
    reads.clear()
    assert run(".")["stats"]["cache"] == "hit"
    assert sorted(reads) == ["app.py", "notes.py"]


def test_the_clock_lag_of_a_local_directory_is_under_a_second(tmp_path):
    assert 0 <= fileindex.clock_lag_ns(tmp_path) < 1_000_000_000
    assert list(tmp_path.iterdir()) == []  # the file written to measure it is gone
