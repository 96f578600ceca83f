"""The parse workers' pickler: the bytes of pickle.dumps, for trees and parse records alike."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from obolint import nodepickle
from obolint.findings import FileError
from obolint.parsing import parse_source

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "fixtures").rglob("*.py"))


@pytest.mark.parametrize("path", FIXTURES[::7], ids=lambda p: p.name)
def test_a_parse_result_pickles_to_the_bytes_pickle_gives(path: Path):
    text = path.read_text(encoding="utf-8")
    result = parse_source(path, text, ROOT)
    assert result[0] is not None
    pickled = nodepickle.dumps(result)
    assert pickled == pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(pickled)[0].module.code == text


def test_records_that_are_not_nodes_pickle_as_before():
    failure = (None, FileError("a.py", "syntax error at line 1, column 1: bad.", "syntax"))
    assert nodepickle.dumps(failure) == pickle.dumps(failure, protocol=pickle.HIGHEST_PROTOCOL)
    assert pickle.loads(nodepickle.dumps(failure)) == failure
