"""Parse with LibCST, one shared node for each distinct whitespace or punctuation token,
without re-checking what the parser guarantees.

LibCST's native parser builds every node by calling ``libcst.<ClassName>(**fields)`` on the
module it finds as ``sys.modules["libcst"]``. About two thirds of the nodes of a tree are
whitespace and punctuation (``SimpleWhitespace(" ")``, ``Comma``, ``Newline``): immutable,
equal to each other, and never told apart by the analysis, which locates expressions and
statements only. While this module parses, ``sys.modules["libcst"]`` is a copy of LibCST whose
token classes are factories returning one shared instance per distinct value, so a tree takes
about a third less memory (saleor: 434 KB to 293 KB per tree, same parse time, same code and
positions). Node classes whose checks only repeat what the parser guarantees (balanced
parentheses, a non-empty identifier) are constructors that skip those checks (see
``unvalidated_constructor``). The real ``libcst`` module object is never modified:
code that imported it before sees no difference, even on another thread. One limit, for
programs that use obolint as a library from several threads: an ``import libcst`` executed on
another thread while a parse runs gets the copy, in which the node classes are functions
(``isinstance(x, Name)`` fails there). Stand-in subclasses would avoid that, but they join
LibCST's ABC subclass registry and break its ``isinstance`` checks; the command line parses on
one thread while the others wait.
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import types
from collections.abc import Callable

import libcst as cst
from libcst._nodes import op as _op_nodes
from libcst._nodes import whitespace as _whitespace_nodes

from obolint.forksafe import ForkSafeLock

# Beyond this many distinct values of one token class, new ones are built unshared: a file of
# unusual spacing cannot grow the tables without bound.
MAX_SHARED_PER_CLASS = 4096
_BRACKETS = (
    "LeftParen",
    "RightParen",
    "LeftSquareBracket",
    "RightSquareBracket",
    "LeftCurlyBrace",
    "RightCurlyBrace",
)
# Field values that identify a token by value; node values identify it by shared identity.
_PLAIN_TYPES = (str, bool, type(None), cst.MaybeSentinel)
# The node classes whose checks define these ones only repeat what the parser guarantees: none
# at all, balanced parentheses, a non-empty identifier, a number or comment token (LibCST's
# tokenizer rejects ``1__0`` or ``0b2`` itself, and a comment runs to the end of the line as
# the check's pattern says). The others keep their checks: some hold language rules LibCST's
# grammar leaves to them (``b"a" "b"`` mixes bytes and text).
_GUARANTEED_CHECKS = ("CSTNode", "_BaseParenthesizedNode", "Name", "Integer", "Comment")

_lock = ForkSafeLock()
# id -> node for every shared node; a field holding one of them is keyed by its id, which is
# stable because the node is kept alive here.
_shared: dict[int, cst.CSTNode] = {}
_sharing_module: types.ModuleType | None = None
_NOT_SHARED = object()
# A field the parser did not pass: the class's default applies.
_MISSING = object()


def _exported_node_classes() -> list[type[cst.CSTNode]]:
    """LibCST's concrete node classes, as the ``libcst`` module exports them."""
    return [
        cls
        for name, cls in vars(cst).items()
        if inspect.isclass(cls)
        and issubclass(cls, cst.CSTNode)
        and not inspect.isabstract(cls)
        and cls.__name__ == name
    ]


def token_classes() -> list[type[cst.CSTNode]]:
    """LibCST's whitespace, operator and bracket node classes (comments excluded)."""
    sources = (_whitespace_nodes.__name__, _op_nodes.__name__)
    found = [
        cls
        for cls in _exported_node_classes()
        if cls.__module__ in sources and cls is not cst.Comment
    ]
    return found + [getattr(cst, name) for name in _BRACKETS]


def _all_shared(values: tuple | list) -> bool:
    """Whether every item of ``values`` is one of the shared token nodes."""
    return all(_shared.get(id(v), _NOT_SHARED) is v for v in values)


def _sharing_factory(cls: type[cst.CSTNode]) -> Callable[..., cst.CSTNode]:
    """``cls(**fields)``, returning the one shared instance for equal fields.

    Two nodes in three go through it, so it is generated for each class (like
    ``unvalidated_constructor``) with the key code inlined per field: a field's key is its
    value when plain, its id when a shared node, the ids of a sequence of shared nodes; a
    field holding anything else (a comment) makes a node of its own.
    """
    table: dict[object, cst.CSTNode] = {}

    def build(**fields: object) -> cst.CSTNode:
        return cls(**{name: value for name, value in fields.items() if value is not _MISSING})

    namespace: dict[str, object] = {
        "_build": build,
        "_table": table,
        "_get": table.get,
        "_shared": _shared,
        "_shared_get": _shared.get,
        "_all_shared": _all_shared,
        "_plain": frozenset(_PLAIN_TYPES),
        "_missing": _MISSING,
        "_max": MAX_SHARED_PER_CLASS,
        "_id": id,
        "_len": len,
        "_tuple": tuple,
        "_list": list,
        "_map": map,
    }
    names = [item.name for item in dataclasses.fields(cls)]
    if any(name.startswith("_") for name in names):
        # The generated locals start with an underscore, which no LibCST field name does;
        # should one ever, its nodes are simply not shared.
        return cls
    passed = ", ".join(f"{name}={name}" for name in names)
    lines: list[str] = []
    for index, name in enumerate(names):
        lines += [
            f"    if {name} is _missing or {name}.__class__ in _plain:",
            f"        _k{index} = {name}",
            f"    elif _shared_get(_id({name})) is {name}:",
            f"        _k{index} = _id({name})",
            f"    elif {name}.__class__ in (_tuple, _list) and _all_shared({name}):",
            f"        _k{index} = _tuple(_map(_id, {name}))",
            "    else:",
            f"        return _build({passed})",
        ]
    keys = [f"_k{index}" for index in range(len(names))]
    lines += [
        f"    _key = {keys[0] if len(keys) == 1 else '(' + ''.join(k + ', ' for k in keys) + ')'}",
        "    _node = _get(_key)",
        "    if _node is None:",
        f"        _node = _build({passed})",
        "        if _len(_table) < _max:",
        "            _table[_key] = _node",
        "            _shared[_id(_node)] = _node",
        "    return _node",
    ]
    signature = "*, " + ", ".join(f"{name}=_missing" for name in names) if names else ""
    source = f"def make({signature}):\n" + "\n".join(lines) + "\n"
    exec(source, namespace)  # noqa: S102 - built from the dataclass fields, like dataclasses
    return namespace["make"]  # type: ignore[return-value]


def unchecked_classes() -> list[type[cst.CSTNode]]:
    """LibCST's node classes whose checks (``_validate``) repeat only what the parser
    guarantees, as the ``libcst`` module exports them (token classes excluded)."""
    tokens = set(token_classes())
    found: list[type[cst.CSTNode]] = []
    for cls in _exported_node_classes():
        checker = next(k for k in cls.__mro__ if "_validate" in vars(k))
        if (
            cls not in tokens
            and checker.__name__ in _GUARANTEED_CHECKS
            and checker.__module__.startswith("libcst")
        ):
            found.append(cls)
    return found


def unvalidated_constructor(
    cls: type[cst.CSTNode], *, positional: bool = False
) -> Callable[..., cst.CSTNode]:
    """``cls(**fields)`` without LibCST's check of the fields (``_validate``).

    The parser only builds valid trees, and the checks took a tenth of its time; LibCST's own
    comment on ``CSTNode.__post_init__`` suggests skipping them for parsing. The function is
    the dataclass's ``__init__`` without that last call: each field set in turn, defaults
    filled in, the instance as light as one ``__init__`` builds. ``positional``: it takes
    every field, in the order of ``dataclasses.fields``, as a positional argument instead.
    """
    namespace: dict[str, object] = {
        "_new": object.__new__,
        "_set": object.__setattr__,
        "_cls": cls,
        "_MISSING": dataclasses.MISSING,
    }
    params: list[str] = []
    lines: list[str] = ["    node = _new(_cls)"]
    for index, item in enumerate(dataclasses.fields(cls)):
        name = item.name
        if positional:
            params.append(name)
        elif item.default is not dataclasses.MISSING:
            namespace[f"_default_{index}"] = item.default
            params.append(f"{name}=_default_{index}")
        elif item.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{index}"] = item.default_factory
            params.append(f"{name}=_MISSING")
            lines.append(f"    if {name} is _MISSING:\n        {name} = _factory_{index}()")
        else:
            params.append(name)
        lines.append(f"    _set(node, {name!r}, {name})")
    lines.append("    return node")
    signature = ", ".join(params)
    if params and not positional:
        signature = f"*, {signature}"
    source = f"def build({signature}):\n" + "\n".join(lines) + "\n"
    exec(source, namespace)  # noqa: S102 - built from the dataclass fields, like dataclasses
    return namespace["build"]  # type: ignore[return-value]


def _module_for_parsing() -> types.ModuleType:
    """A copy of the ``libcst`` module whose token classes share their instances and whose
    other classes build without checks where the parser guarantees what they check."""
    global _sharing_module
    if _sharing_module is None:
        module = types.ModuleType(cst.__name__, cst.__doc__)
        module.__dict__.update(vars(cst))
        for cls in unchecked_classes():
            setattr(module, cls.__name__, unvalidated_constructor(cls))
        for cls in token_classes():
            setattr(module, cls.__name__, _sharing_factory(cls))
        _sharing_module = module
    return _sharing_module


def parse_module(text: str) -> cst.Module:
    """``libcst.parse_module(text)``, with equal whitespace and punctuation nodes shared."""
    with _lock:
        sharing = _module_for_parsing()
        real = sys.modules.get(cst.__name__, cst)
        if real is sharing:  # left behind by a fork in the middle of a parse
            real = cst
        sys.modules[cst.__name__] = sharing
        try:
            return cst.parse_module(text)
        finally:
            sys.modules[cst.__name__] = real
