"""Parsed files kept between scans: a rerun parses only changed files, and gets the same report."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from clirun import run

from obolint import analysis, parallel, parsing
from obolint.cache import CACHE_DIR_NAME, sign, signing_key
from obolint.parsing import ParsedFile
from obolint.treecache import DIRECTORY_NAME, TreeCache

LEAKY = "import logging, os\n\ntoken = os.environ['API_TOKEN_{n}']\nlogging.info(token)\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for n in range(6):
        (tmp_path / f"mod_{n}.py").write_text(LEAKY.format(n=n))
    return tmp_path


def trees_dir(project: Path) -> Path:
    return project / CACHE_DIR_NAME / DIRECTORY_NAME


def without_stats(report: dict) -> dict:
    return {key: value for key, value in report.items() if key != "stats"}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_rerun_parses_only_the_changed_file(project, jobs, monkeypatch):
    monkeypatch.setattr(parsing, "MIN_FILES_FOR_PARSE_POOL", 2)  # -j 2: parsed on workers
    first = run("-j", jobs, ".")
    assert first["stats"]["files_parsed_from_cache"] == 0
    assert len(list(trees_dir(project).glob("*.tree"))) == 6
    (project / "mod_3.py").write_text(LEAKY.format(n=3) + "logging.warning(token)\n")
    second = run("-j", jobs, ".")
    assert second["stats"]["cache"] == "miss"
    assert second["stats"]["files_parsed_from_cache"] == 5
    assert without_stats(second) == without_stats(run("--no-cache", "."))
    assert len(second["findings"]) == 7


def test_a_module_read_on_demand_comes_from_the_tree_cache(tmp_path, monkeypatch):
    # `helpers.py` has no trigger word: it is parsed only when the analysis needs its
    # summary, and after a change elsewhere its tree is loaded, not parsed again.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "helpers.py").write_text(
        "import logging\n\n\ndef note(value):\n    logging.info(value)\n"
    )
    (tmp_path / "app.py").write_text(
        "import os\nfrom helpers import note\n\nnote(os.environ['API_TOKEN'])\n"
    )
    (tmp_path / "other.py").write_text("access_token = None\n")
    first = run(".")
    assert first["stats"]["context_files"] == 1
    assert first["stats"]["files_parsed_from_cache"] == 0
    assert len(list(trees_dir(tmp_path).glob("*.tree"))) == 3
    (tmp_path / "other.py").write_text("access_token = ''\n")
    parse_calls = []
    real_parse = parsing.parse_source

    def counted_parse(*args):
        parse_calls.append(args[0].name)
        return real_parse(*args)

    # Wherever the analysis may call it from.
    monkeypatch.setattr(parsing, "parse_source", counted_parse)
    monkeypatch.setattr(analysis, "parse_source", counted_parse, raising=False)
    second = run(".")
    assert second["stats"]["cache"] == "miss"
    assert second["stats"]["files_parsed_from_cache"] == 2
    assert parse_calls == ["other.py"]
    assert without_stats(second) == without_stats(first)
    assert [f["rule"] for f in second["findings"]] == [first["findings"][0]["rule"]]


def test_a_tampered_tree_is_parsed_again(project):
    cold = run(".")
    for entry in trees_dir(project).glob("*.tree"):
        data = bytearray(entry.read_bytes())
        data[-5] ^= 0x01
        entry.write_bytes(bytes(data))
    (project / "extra.py").write_text("token = 1\n")  # a new file to parse: a cache miss
    again = run(".")
    assert again["stats"]["cache"] == "miss"
    assert again["stats"]["files_parsed_from_cache"] == 0
    assert again["findings"] == cold["findings"]
    (project / "extra.py").write_text("token = 2\n")
    assert run(".")["stats"]["files_parsed_from_cache"] == 6  # good entries replaced them


class _RunsCode:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_signed_entry_still_builds_only_syntax_trees(tmp_path):
    # Defence in depth: even an entry signed with the user's key cannot run code.
    key = signing_key()
    assert key is not None
    cache = TreeCache(tmp_path / "trees", key, ParsedFile)
    marker = tmp_path / "ran"
    payload = pickle.dumps((_RunsCode(str(marker)), None))
    cache.store("entry", payload)
    assert (tmp_path / "trees" / "entry.tree").read_bytes()[:64] == sign(
        key, "entry", payload
    ).encode()
    assert cache.load("entry") is None
    assert not marker.exists()
    assert cache.stats.hits == 0


def test_least_recently_used_trees_go_first(tmp_path):
    cache = TreeCache(tmp_path / "trees", b"k" * 32, ParsedFile)
    payload = pickle.dumps((None, None))
    # The last name is the oldest: pruning must go by age, not by name.
    names = [f"{n:064x}" for n in range(4)]
    for name, age in zip(names, (300, 200, 100, 400), strict=True):
        cache.store(name, payload + b"\0" * 1000)
        path = tmp_path / "trees" / f"{name}.tree"
        os.utime(path, (path.stat().st_atime - age, path.stat().st_mtime - age))
    (tmp_path / "trees" / "notes.tree").write_bytes(b"not ours")  # never removed
    size = (tmp_path / "trees" / f"{names[0]}.tree").stat().st_size
    cache.prune(max_bytes=size * 2)  # over the cap: down to 3/4 of it, oldest first
    left = sorted(p.name for p in (tmp_path / "trees").glob("*.tree"))
    assert left == [f"{names[2]}.tree", "notes.tree"]


def test_no_cache_stores_no_trees(project):
    run("--no-cache", ".")
    assert not (project / CACHE_DIR_NAME).exists()


def test_parse_errors_are_not_kept(project):
    (project / "broken.py").write_text("token = (\n")
    run(".")
    assert len(list(trees_dir(project).glob("*.tree"))) == 6


def test_same_text_and_display_path_in_another_package_is_parsed_again(tmp_path, monkeypatch):
    # a/pkg/views.py and b/pkg/views.py are the same text, shown as pkg/views.py from either
    # directory, but they are different modules (a.pkg.views, b.pkg.views).
    (tmp_path / "pyproject.toml").write_text("[tool.obolint]\n")
    for top in ("a", "b"):
        (tmp_path / top / "pkg").mkdir(parents=True)
        (tmp_path / top / "pkg" / "__init__.py").write_text("")
        (tmp_path / top / "pkg" / "views.py").write_text(
            "import os\nfrom .helpers import send\n\nsend(os.environ['API_TOKEN'])\n"
        )
    (tmp_path / "a" / "pkg" / "helpers.py").write_text("def send(value):\n    return len(value)\n")
    (tmp_path / "b" / "pkg" / "helpers.py").write_text(
        "import logging\n\ndef send(value):\n    logging.info(value)\n"
    )
    monkeypatch.chdir(tmp_path / "b")
    expected = without_stats(run("--no-cache", "."))
    assert len(expected["findings"]) == 1
    monkeypatch.chdir(tmp_path / "a")
    run(".")
    monkeypatch.chdir(tmp_path / "b")
    assert without_stats(run(".")) == expected


def test_the_libcst_version_is_part_of_the_key(tmp_path, monkeypatch):
    from obolint import treecache

    assert treecache._LIBCST_VERSION[0].isdigit()
    cache = TreeCache(tmp_path, b"k" * 32, ParsedFile)
    before = cache.entry_name(tmp_path / "a.py", "a.py", tmp_path, "0" * 32)
    monkeypatch.setattr(treecache, "_LIBCST_VERSION", "0.0.0")
    assert cache.entry_name(tmp_path / "a.py", "a.py", tmp_path, "0" * 32) != before


@pytest.mark.skipif(not parallel.workers_fork(), reason="only where workers fork")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_rerun_parses_the_edited_file_on_a_worker_while_it_loads_the_others(
    tmp_path, monkeypatch, jobs
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(parsing, "MIN_TREES_TO_OVERLAP", 8)
    for n in range(10):
        (tmp_path / f"mod_{n}.py").write_text(LEAKY.format(n=n))
    run("-j", jobs, ".")
    (tmp_path / "mod_4.py").write_text(LEAKY.format(n=4) + "logging.warning(token)\n")
    # A tampered entry (of a file not edited) is parsed again, here, whichever way the others
    # are loaded.
    trees = TreeCache(trees_dir(tmp_path), signing_key(), ParsedFile)
    entries = {trees.load(e.stem)[0].path: e for e in trees_dir(tmp_path).glob("*.tree")}
    entries["mod_0.py"].write_bytes(entries["mod_0.py"].read_bytes()[:-1] + b"\0")
    pools: list[int] = []
    real_start = parallel.OrderedResults.start_pool
    loads: list[str] = []
    real_load = TreeCache.load
    loaded_before_first_result: list[int] = []
    real_next = parallel.OrderedResults.__next__

    started: list[parallel.OrderedResults] = []

    def start_pool(self, workers, chunk_size):
        pools.append(len(self._items))
        started.append(self)
        return real_start(self, workers, chunk_size)

    def load(self, name):
        loads.append(name)
        return real_load(self, name)

    def first_result(self):
        if self in started and not loaded_before_first_result:
            loaded_before_first_result.append(len(loads))
        return real_next(self)

    monkeypatch.setattr(parallel.OrderedResults, "start_pool", start_pool)
    monkeypatch.setattr(TreeCache, "load", load)
    monkeypatch.setattr(parallel.OrderedResults, "__next__", first_result)
    rerun = run("-j", jobs, ".")
    assert rerun["stats"]["files_parsed_from_cache"] == 8
    # One file to parse is too few for a pool, unless nine trees are loaded meanwhile: then
    # they are, before the worker's result is taken.
    assert pools == ([1] if jobs == "2" else [])
    assert loaded_before_first_result == ([9] if jobs == "2" else [])
    assert without_stats(rerun) == without_stats(run("--no-cache", "."))
    assert len(rerun["findings"]) == 11
