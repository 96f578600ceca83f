"""The parse workers' pickler: trees as builder calls, smaller, and read back equal."""

from __future__ import annotations

import pickle
from pathlib import Path

import libcst as cst
import pytest

from obolint import nodepickle
from obolint.findings import FileError
from obolint.parsing import parse_source
from obolint.treecache import TreeCache

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").rglob("*.py"))


def _nodes(tree: cst.CSTNode) -> list[cst.CSTNode]:
    found = [tree]
    for child in tree.children:
        found += _nodes(child)
    return found


@pytest.mark.parametrize("path", FIXTURES[::7], ids=lambda p: p.name)
def test_a_parse_result_reads_back_equal_from_fewer_bytes(path: Path):
    text = path.read_text(encoding="utf-8")
    result = parse_source(path, text, ROOT)
    assert result[0] is not None
    pickled = nodepickle.dumps(result)
    assert len(pickled) < len(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    loaded = pickle.loads(pickled)
    assert loaded[0].module.code == text
    assert loaded[0].module.deep_equals(result[0].module)
    assert loaded[0].imports == result[0].imports
    assert [type(node) for node in _nodes(loaded[0].module)] == [
        type(node) for node in _nodes(result[0].module)
    ]


def test_nodes_shared_in_a_tree_stay_shared():
    tree = cst.parse_module("a = 1\nb = 2\n")
    space = tree.body[0].body[0].targets[0].whitespace_before_equal
    same = tree.with_deep_changes(tree.body[1].body[0].targets[0], whitespace_before_equal=space)
    loaded = pickle.loads(nodepickle.dumps(same))
    assert (
        loaded.body[0].body[0].targets[0].whitespace_before_equal
        is loaded.body[1].body[0].targets[0].whitespace_before_equal
    )


def test_records_that_are_not_nodes_pickle_as_before():
    failure = (None, FileError("a.py", "syntax error at line 1, column 1: bad.", "syntax"))
    assert nodepickle.dumps(failure) == pickle.dumps(failure, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(nodepickle.dumps(failure)) == failure


@pytest.mark.parametrize("name", ["_build_Name", "_build_SimpleWhitespace"])
def test_builders_are_found_by_name(name: str):
    builder = getattr(nodepickle, name)
    assert builder.__module__ == nodepickle.__name__
    assert builder.__qualname__ == name


@pytest.mark.parametrize("name", ["_build_CSTNode", "_build_parse_module", "_build_", "dumps"])
def test_only_concrete_node_classes_have_builders(name: str):
    assert nodepickle.node_class(name) is None


def test_the_trees_cache_reads_builders_and_refuses_other_globals(tmp_path):
    path = FIXTURES[0]
    result = parse_source(path, path.read_text(encoding="utf-8"), ROOT)
    cache = TreeCache(tmp_path / "trees", b"k" * 32, type(result[0]))
    cache.store("tree", nodepickle.dumps(result))
    loaded = cache.load("tree")
    assert loaded is not None
    assert loaded[0].module.deep_equals(result[0].module)
    # One of this module's other functions is no node builder.
    cache.store("other", pickle.dumps((nodepickle.dumps, None)))
    assert cache.load("other") is None
