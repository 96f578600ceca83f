"""Parsing with shared token nodes: same code and positions, fewer objects, LibCST untouched."""

from __future__ import annotations

import sys
import textwrap

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from obolint import memory, sharedtokens
from obolint.taint import context

SOURCE = textwrap.dedent(
    """\
    import os  # a comment

    def send(token, *, retries=3):
        headers = {"Authorization": f"Bearer {token}"}   # trailing comment
        values = [1, 2, (3 + 4) * 5]
        if token and not retries:
            return call(headers, values[0:2], key=lambda x: x ** 2)
        return None
    """
)


def _walk(node: cst.CSTNode):
    yield node
    for child in node.children:
        yield from _walk(child)


def _name_positions(module: cst.Module) -> list[tuple]:
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return sorted(
        (node.value, rng.start.line, rng.start.column, rng.end.line, rng.end.column)
        for node, rng in positions.items()
        if isinstance(node, cst.Name)
    )


def test_the_tree_prints_back_to_the_same_source():
    assert sharedtokens.parse_module(SOURCE).code == SOURCE
    odd = "x  =\t(1 ,\n  2)\\\n  ;y=3\n\n\n# end\n"
    assert sharedtokens.parse_module(odd).code == odd


def test_equal_tokens_are_one_object_across_trees():
    first = sharedtokens.parse_module("a = f(1, 2)\n")
    second = sharedtokens.parse_module("b = g(3, 4)\n")
    first_comma = first.body[0].body[0].value.args[0].comma
    second_comma = second.body[0].body[0].value.args[0].comma
    assert isinstance(first_comma, cst.Comma)
    assert first_comma is second_comma


def test_fewer_distinct_nodes_than_a_plain_parse():
    shared = {id(node) for node in _walk(sharedtokens.parse_module(SOURCE))}
    plain = {id(node) for node in _walk(cst.parse_module(SOURCE))}
    assert len(shared) < 0.7 * len(plain)


def test_a_token_holding_a_comment_is_its_own_node():
    source = "a = 1  # one\nb = 2  # one\nc = 3\nd = 4\nfrom m import *\n"
    module = sharedtokens.parse_module(source)
    trailing = [line.trailing_whitespace for line in module.body]
    comments = [t.comment.value if t.comment else None for t in trailing[:4]]
    assert comments == ["# one", "# one", None, None]
    assert trailing[0] is not trailing[1]  # comments are never shared
    assert trailing[2] is trailing[3]
    # A token without fields: one instance too.
    star = sharedtokens.parse_module("from n import *\n").body[0].body[0].names
    assert module.body[4].body[0].names is star


def test_names_and_expressions_are_never_shared():
    module = sharedtokens.parse_module("x = x\nx = x\n")
    names = [node for node in _walk(module) if isinstance(node, cst.Name)]
    assert len(names) == 4
    assert len({id(name) for name in names}) == 4


def test_positions_are_those_of_a_plain_parse():
    assert _name_positions(sharedtokens.parse_module(SOURCE)) == _name_positions(
        cst.parse_module(SOURCE)
    )


def test_libcst_module_is_restored_after_success_and_failure():
    sharedtokens.parse_module("x = 1\n")
    assert sys.modules["libcst"] is cst
    with pytest.raises(cst.ParserSyntaxError):
        sharedtokens.parse_module("def broken(:\n")
    assert sys.modules["libcst"] is cst
    assert isinstance(cst.Comma, type)


def test_token_classes_are_whitespace_punctuation_and_operators_only():
    classes = set(sharedtokens.token_classes())
    assert {cst.Comma, cst.SimpleWhitespace, cst.Newline, cst.LeftParen, cst.Add} <= classes
    assert not {cst.Comment, cst.Name, cst.SimpleString, cst.Call} & classes


def test_a_full_table_builds_new_tokens_unshared(monkeypatch):
    monkeypatch.setattr(sharedtokens, "MAX_SHARED_PER_CLASS", 0)
    monkeypatch.setattr(sharedtokens, "_sharing_module", None)
    source = "a = f(1,  2)\n"  # monkeypatch restores the module and the cap afterwards
    first = sharedtokens.parse_module(source)
    second = sharedtokens.parse_module(source)
    assert first.code == second.code == source
    # ``,  `` (two spaces) was never seen before the cap: not shared
    assert first.body[0].body[0].value.args[0].comma is not (
        second.body[0].body[0].value.args[0].comma
    )


def test_freed_memory_is_released_once_per_threshold(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda pad: calls.append(pad) or 1)
    monkeypatch.setattr(memory, "_pending_chars", 0)
    memory.parsed(memory.TRIM_EVERY_CHARS // 2)
    assert calls == []
    memory.parsed(memory.TRIM_EVERY_CHARS // 2)
    assert calls == [0]
    memory.parsed(10)
    assert calls == [0]


def test_no_release_where_the_c_library_has_no_malloc_trim(monkeypatch):
    monkeypatch.setattr(memory, "_malloc_trim", None)
    monkeypatch.setattr(memory, "_pending_chars", 0)
    # Past the threshold: there is nothing to call (no TypeError) and nothing to count.
    memory.parsed(memory.TRIM_EVERY_CHARS * 3)
    assert memory._pending_chars == 0


def test_the_tree_equals_a_checked_parse_node_for_node():
    # Nodes built without LibCST's checks hold the same fields, defaults included.
    shared = sharedtokens.parse_module(SOURCE)
    assert shared.deep_equals(cst.parse_module(SOURCE))
    assert isinstance(shared.body[0], cst.SimpleStatementLine)
    assert type(shared.body[1].body.body[0].body[0].targets[0].target) is cst.Name


def test_checks_that_hold_language_rules_still_run():
    # The grammar accepts text and bytes literals side by side; ConcatenatedString's check
    # rejects them, as CPython does.
    with pytest.raises(cst.CSTValidationError):
        sharedtokens.parse_module("x = b'a' 'b'\n")


def test_only_checks_the_parser_guarantees_are_skipped():
    unchecked = set(sharedtokens.unchecked_classes())
    assert {cst.Name, cst.Attribute, cst.Expr, cst.Element, cst.Module} <= unchecked
    assert {cst.Integer, cst.Comment} <= unchecked
    # Their checks hold rules of the language: argument order, string prefixes, parameters.
    assert not {cst.Call, cst.SimpleString, cst.ConcatenatedString, cst.Param} & unchecked
    assert not set(sharedtokens.token_classes()) & unchecked


def test_an_unvalidated_constructor_fills_in_defaults():
    build = sharedtokens.unvalidated_constructor(cst.Name)
    node = build(value="token")
    assert node.deep_equals(cst.Name("token"))
    assert node.lpar == () and node.rpar == ()
    # It skips the check a direct construction would make.
    assert build(value="").value == ""
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")


@pytest.mark.parametrize("source", ["x = 1__0\n", "x = 0x_\n", "x = 0b2\n", "x = 09\n", "x = 1_\n"])
def test_the_tokenizer_rejects_what_the_integer_check_would(source: str):
    with pytest.raises(cst.ParserSyntaxError):
        sharedtokens.parse_module(source)


@pytest.mark.parametrize("source", ["x = 0o17_7  # a\x0c b\n", "x = 00\r# c\r\n", "#!\n"])
def test_numbers_and_comments_built_unchecked_pass_the_checks(source: str):
    tree = sharedtokens.parse_module(source)
    assert tree.code == source
    # Each node rebuilt with LibCST's checks: none fails.
    assert tree.deep_clone().deep_equals(tree)
    cst.parse_module(source)


def test_positions_are_those_libcst_resolves():
    module = sharedtokens.parse_module(SOURCE)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert dict(context.node_positions(module)) == dict(expected)
