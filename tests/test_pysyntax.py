"""CPython's parser as obolint calls it: never a crash, never a printed warning."""

from __future__ import annotations

import warnings

import pytest

from obolint import pysyntax
from obolint.stack import running_on_large_stack


def test_every_text_is_parsed_on_the_large_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    # Python 3.10 recursed without limit on the C stack building the tree of a long chain
    # (`a+a+...`, 150,000 links): on a main thread's stack that killed the process. And from
    # 3.11 its limit counts from the caller's depth, which differs between call sites.
    on_large_stack = []
    parse = pysyntax._parse

    def recording(text: str):
        on_large_stack.append(running_on_large_stack())
        return parse(text)

    monkeypatch.setattr(pysyntax, "_parse", recording)
    pysyntax.parse("x = 1\n")
    pysyntax.parse("x = 1\n" * 5000)
    assert on_large_stack == [True, True]


def test_warnings_are_neither_printed_nor_errors() -> None:
    text = 'x = "\\d"\n'
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("error")  # as under PYTHONWARNINGS=error
        tree = pysyntax.parse(text)
    assert caught == []
    assert len(tree.body) == 1


def test_a_syntax_error_is_raised() -> None:
    with pytest.raises(SyntaxError):
        pysyntax.parse("def f(:\n    pass\n")
