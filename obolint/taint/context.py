"""Per-module analysis context: positions, imports, functions, globals and the report sink."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from obolint.findings import Location
from obolint.resolve import names_imported_from
from obolint.stack import on_fresh_stack

if TYPE_CHECKING:
    from obolint.packs import PackSet
    from obolint.taint.project import Project
    from obolint.taint.values import Value

_SPACES = re.compile(r"\s+")
_EMPTY_MODULE = cst.Module(body=[])


def parameters_in_order(params: cst.Parameters) -> list[cst.Param]:
    """A function's or lambda's parameters in declaration order (positional-only, regular,
    ``*args``, keyword-only, ``**kwargs``)."""
    found = [*params.posonly_params, *params.params]
    if isinstance(params.star_arg, cst.Param):
        found.append(params.star_arg)
    found.extend(params.kwonly_params)
    if params.star_kwarg is not None:
        found.append(params.star_kwarg)
    return found


@dataclass
class FunctionInfo:
    """A function or method defined in a scanned module."""

    qualname: str  # "pkg.mod.Class.method"
    name: str
    node: cst.FunctionDef
    module: ModuleContext
    class_qname: str | None = None  # "pkg.mod.Class" for methods
    enclosing: FunctionInfo | None = None  # for nested functions (closures)
    is_static: bool = False

    @cached_property
    def params(self) -> list[cst.Param]:
        """Parameters in declaration order (positional-only, regular, *args, keyword-only, **kw)."""
        return parameters_in_order(self.node.params)

    @cached_property
    def param_indices(self) -> dict[str, int]:
        """Parameter name -> its index in ``params``."""
        indices: dict[str, int] = {}
        for index, param in enumerate(self.params):
            indices.setdefault(param.name.value, index)
        return indices

    @cached_property
    def bound_names(self) -> frozenset[str]:
        """The names the function body binds: assignment, loop, ``with`` and ``except``
        targets, imports and nested definitions (not those of nested scopes)."""
        collector = _LocalNames()
        # An indented block or a one-line suite: both hold their statements in `.body`.
        for stmt in self.node.body.body:
            stmt.visit(collector)
        return frozenset(collector.names)

    @cached_property
    def local_names(self) -> frozenset[str]:
        """The names the function binds itself: its parameters and ``bound_names``."""
        return self.bound_names | frozenset(self.param_indices)

    def argument_index(self, position: int | None, keyword: str | None) -> int | None:
        """The index in ``params`` of the parameter a call's argument binds (positional, or
        by keyword); a method's receiver is bound already (``C(token)`` → ``__init__``'s 1)."""
        if position is not None:
            return position + (1 if self.is_method else 0)
        return self.param_indices.get(keyword) if keyword else None

    @property
    def is_method(self) -> bool:
        """True for instance and class methods (their first parameter is bound)."""
        return self.class_qname is not None and not self.is_static


# Statements and expressions whose `.target` a name is bound to.
_BINDING_TARGETS = (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)


class _LocalNames(cst.CSTVisitor):
    """Collects the names bound in a function body (see FunctionInfo.local_names)."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.names.add(node.name.value)
            return False  # a scope of its own
        if isinstance(node, cst.Lambda):
            return False
        if isinstance(node, _BINDING_TARGETS):
            self.names.update(bound_names(node.target))
        elif isinstance(node, cst.AsName):  # `with ... as x`, `except E as x`, `import a as x`
            self.names.update(bound_names(node.name))
        elif isinstance(node, cst.ImportAlias) and node.asname is None:
            self.names.add(cst.helpers.get_full_name_for_node(node.name).split(".")[0])
        return True


def bound_names(target: cst.BaseExpression) -> Iterator[str]:
    """The plain names an assignment target binds (``a`` and ``b`` in ``a, (b, c.d) = ...``)."""
    if isinstance(target, cst.Name):
        yield target.value
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from bound_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from bound_names(target.value)


@dataclass
class ModuleContext:
    """Everything the interpreter needs to know about the module it is analysing."""

    path: str  # display path of the file
    module_name: str
    module: cst.Module
    # Computed on first use: LibCST positions cost about twice the parse, and most modules
    # never place a credential anywhere that needs a location.
    positions: Mapping[cst.CSTNode, CodeRange] | None
    imports: dict[str, str]
    packs: PackSet
    project: Project
    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    classes: dict[str, cst.ClassDef] = field(default_factory=dict)
    globals: dict[str, Value] = field(default_factory=dict)
    steps: int = 0  # expression evaluations in the current round (see MAX_STEPS_PER_MODULE)
    # id(annotation node) -> (node, qualified names): annotations are resolved many times.
    annotation_cache: dict[int, tuple] = field(default_factory=dict)
    # The trees whose nodes ``module`` holds, each parsed with the nodes on their lines in the
    # file (a file parsed without some definitions, then those; see obolint.outline); none:
    # ``module`` alone.
    parts: tuple[cst.Module, ...] = ()

    @cached_property
    def names_imported_from(self) -> frozenset[str]:
        """The local names bound by ``from ... import`` (see resolve.names_imported_from)."""
        return names_imported_from(self.parts or (self.module,))

    def qualified(self, name: str) -> str:
        """The full name of a dotted name written at the top level of this module: through
        its imports (``mod.x`` with ``import pkg.mod as mod``), else one of its own."""
        first, dot, rest = name.partition(".")
        if first in self.imports:
            return self.imports[first] + dot + rest
        return f"{self.module_name}.{name}"

    def location(self, node: cst.CSTNode) -> NodeLocation:
        """Where ``node`` is; its line and column are computed only if someone reads them."""
        return NodeLocation(self, node)

    def resolve(self, node: cst.CSTNode) -> Location:
        """The 1-based location of ``node`` (end column exclusive)."""
        if self.positions is None:
            # Asked for deep inside the interpreter: compute on a fresh stack.
            self.positions = on_fresh_stack(self._positions)
        rng = self.positions.get(node)
        if rng is None:
            return Location(self.path, 1, 1, 1, 1)
        return Location(
            self.path, rng.start.line, rng.start.column + 1, rng.end.line, rng.end.column + 1
        )

    def _positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        if not self.parts:
            return node_positions(self.module)
        positions: dict[cst.CSTNode, CodeRange] = {}
        for part in self.parts:
            positions.update(node_positions(part))
        return positions

    def code(self, node: cst.CSTNode, limit: int = 60) -> str:
        """Source text of ``node`` with whitespace folded, shortened to ``limit`` characters."""
        try:
            text = _EMPTY_MODULE.code_for_node(node)
        except Exception:  # noqa: BLE001 - display text only; never fail an analysis over it
            return "<expression>"
        text = _SPACES.sub(" ", text).strip()
        if len(text) > limit:
            text = text[: limit - 1] + "…"
        return text


def node_positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """LibCST's ``PositionProvider`` positions of every node of ``module``.

    ``MetadataWrapper.resolve`` also walks the whole tree once with the batchable providers
    asked for, even when there are none: the provider's own code generation alone takes under
    half the time (saleor's order/actions.py: 0.11 s instead of 0.29 s; positions are computed
    for each module that holds a finding or a step of one).
    """
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    generate = getattr(PositionProvider(), "_gen", None)
    if generate is None:  # a LibCST without it: the public way
        return wrapper.resolve(PositionProvider)
    return generate(wrapper)


class NodeLocation:
    """The location of a node, resolved to lines and columns on first use.

    Positions cost LibCST a full code generation of the module, and most modules never hold a
    credential anywhere a report will show; equality and hashing use the node's identity.
    """

    __slots__ = ("ctx", "node", "_resolved")

    def __init__(self, ctx: ModuleContext, node: cst.CSTNode) -> None:
        self.ctx = ctx
        self.node = node
        self._resolved: Location | None = None

    @property
    def path(self) -> str:
        """The file's display path (no position needed)."""
        return self.ctx.path

    def resolve(self) -> Location:
        """The concrete location (computes the module's positions once)."""
        if self._resolved is None:
            self._resolved = self.ctx.resolve(self.node)
        return self._resolved

    @property
    def line(self) -> int:
        """1-based start line."""
        return self.resolve().line

    @property
    def column(self) -> int:
        """1-based start column."""
        return self.resolve().column

    @property
    def end_line(self) -> int:
        """1-based end line."""
        return self.resolve().end_line

    @property
    def end_column(self) -> int:
        """1-based end column (exclusive)."""
        return self.resolve().end_column

    def __eq__(self, other: object) -> bool:
        if isinstance(other, NodeLocation):
            return self.node is other.node and self.ctx is other.ctx
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.ctx.path, id(self.node)))


def materialize(location: object) -> Location:
    """A plain Location for reports (resolves a NodeLocation)."""
    return location.resolve() if isinstance(location, NodeLocation) else location  # type: ignore[return-value]
