"""Project-level analysis: modules, function summaries to a fixed point, and findings."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

import libcst as cst

from obolint import names
from obolint.findings import Finding, Location, TraceStep
from obolint.packs import PackSet, ReadSource, ReturnSink, ToolSchema, ToolSpec
from obolint.reach import Handle
from obolint.resolve import dotted, imports_first, module_suffixes
from obolint.taint.context import (
    FunctionInfo,
    ModuleContext,
    bound_names,
    materialize,
    parameters_in_order,
)
from obolint.taint.interpreter import (
    Arg,
    FunctionInterpreter,
    builds_mapping,
    declares_text,
    first_pipe_step,
    key_literal,
    string_value,
    without_optional,
)
from obolint.taint.summaries import (
    CONTEXT_HOLDERS,
    FunctionSummary,
    SinkHit,
    Unit,
    concrete,
    param_index,
    passed_under,
    read_key,
    spread_over,
    stored_keys,
)
from obolint.taint.values import CLEAN, INBOUND, Flow, Value, merge_flows

_EMPTY_SUMMARY = FunctionSummary()
# Summaries are recomputed until nothing changes; this bounds it for pathological call graphs.
MAX_ROUNDS = 25
# Calls deep that a function is interpreted ahead of its caller (see Project._run_ahead).
MAX_RUN_AHEAD = 8
_SOURCE_RANK = {"name": 2, "param": 3}
# Told (phase, done, total) as the analysis advances; see obolint.progress.
Progress = Callable[[str, int, int], None]
_TOOLS_UNIT: Unit = ("<tools>", "")
# The one owner of what any request state object of the packs (`request-state`) holds: a
# middleware and a route name the same object by different imports.
_REQUEST_STATE = "<request state>"


# Modules whose classes are bases for any kind of class: their members tell nothing.
_PLAIN_BASE_MODULES = (
    "typing.",
    "typing_extensions.",
    "abc.",
    "enum.",
    "collections.",
    "builtins.",
)


class InitStore(NamedTuple):
    """How ``__init__`` stores one of its parameters on an attribute (see _init_stores)."""

    index: int  # the parameter
    under: str | None  # the key of the stored dict it is under, None when stored whole
    read: str | None  # the key it was read under inside __init__ (see summaries.read_key)


# Per attribute name, each assignment to it in a module: (the class whose method stores it on
# its own receiver, or None; the constructed object stored, or None). See _attribute_stores.
AttributeStores = dict[str, list[tuple[str | None, str | None]]]


class LambdaSite(NamedTuple):
    """A lambda and where it is written: its module and enclosing function ("" at module
    level)."""

    node: cst.Lambda
    module_name: str
    scope: str


class Project:
    """All modules of one scan, analysed together so calls can cross functions and files."""

    def __init__(self, packs: PackSet, enabled_rules: Iterable[str]) -> None:
        self.packs = packs
        self.enabled = frozenset(enabled_rules)
        self.modules: dict[str, ModuleContext] = {}
        # Lambdas met by the interpreter, by the name their values carry (see name_lambda).
        self.lambdas: dict[str, LambdaSite] = {}
        # Module names of files this scan adds later (see expect_modules), one per file.
        self._awaited: Counter[str] = Counter()
        # Dotted suffix -> the full names of added and awaited modules it may name (see
        # resolve.module_suffixes); and the names that index holds.
        self._suffix_index: dict[str, list[str]] | None = None
        self._indexed: set[str] = set()
        # Module name looked up -> (the module, whether it is awaited); see _find_module.
        self._lookups: dict[str, tuple[ModuleContext | None, bool]] = {}
        self._prefix_awaited: dict[str, bool] = {}  # see _awaits_prefix
        # Bumped when a lookup may find something new (see _note_found_modules).
        self._modules_version = 0
        self._missing_checked_version = -1
        # How many lookups found nothing because their module is awaited (see awaited_hits).
        self.awaited_hits = 0
        # Modules whose tools were looked for while a module they looked up was awaited.
        self._tools_to_recheck: set[str] = set()
        self.class_modules: dict[str, str] = {}  # class qualname -> module name
        self._declared: dict[str, list[str]] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.summaries: dict[str, FunctionSummary] = {}
        self._findings: dict[tuple, tuple[tuple, Finding]] = {}
        # Findings by the unit whose interpretation reported them (kept across rounds for
        # units that are not re-run). A unit is a module body ``(module, "")`` or a function
        # ``(module, qualname)``.
        self._findings_by_unit: dict[Unit, dict[tuple, tuple[tuple, Finding]]] = {}
        # Parses a project module on demand (``pkg.mod`` → its context), set by the runner.
        self.loader: Callable[[str], ModuleContext | None] | None = None
        # Whether the loader would find a file for a module name (without parsing it).
        self.locator: Callable[[str], bool] | None = None
        self._requested: set[str] = set()
        # (unit, module) pairs: a deferred call's unit told that its module is loaded.
        self._served: set[tuple[Unit, str]] = set()
        # Per unit: the summaries ("fn", q), fields and globals its interpretation used, each
        # with the tick of its first use.
        self._deps: dict[Unit, dict[tuple, int]] = {}
        # The same, by key: the units that used it, each with the tick of its first use (so
        # that finding the units a change makes stale looks only at the changed keys).
        self._readers: dict[tuple, dict[Unit, int]] = {}
        # While a module runs: its functions still to run (see _run_module), those run, and
        # how many calls deep functions now run ahead of their callers (see _run_ahead).
        self._ahead: set[str] = set()
        self._ran: set[str] = set()
        self._ahead_depth = 0
        # ("global", module, name) keys, one tuple each (see _global_key).
        self._global_keys: dict[tuple[str, str, str], tuple[str, str, str]] = {}
        self._current: Unit | None = None
        self._requesters: set[Unit] = set()
        # Module names looked for in vain -> their dependency key (one tuple for all the units
        # that depend on it) and how many parts of the name did name a module then.
        self._missing: dict[str, tuple[tuple[str, str], int]] = {}
        # Module -> the project modules it imports from (cleared when a module is added).
        self._imports_from: dict[str, list[str]] = {}
        # A logical clock: it ticks when a unit starts and after a function ran ahead. A unit
        # that first read a key after the key's latest change already saw it.
        self._clock = 0
        self._started: dict[Unit, int] = {}
        self._changes: dict[tuple, int] = {}  # key -> tick of its latest change this round
        self._new_modules: set[str] = set()
        self._tool_modules: set[str] = set()
        self._pending_tools: list[tuple[FunctionInfo, ToolSpec]] = []
        self._decorated: list[tuple[FunctionInfo, ToolSpec]] = []
        # Per class and attribute: flows stored on instances (self.x = v, C(x=v)); objects
        # of one class are not told apart.
        self.fields: dict[tuple[str, str], tuple[Flow, ...]] = {}
        # The attributes stored on each class's instances (see stored_fields).
        self._class_attrs: dict[str, set[str]] = {}
        # Per class: attribute -> the one object its methods store there (self.jwt =
        # TokenCodec()), by its constructor's name, or None if anything else is stored too.
        self._field_objects: dict[str, dict[str, str | None]] = {}
        # Per module: the attribute assignments in it (see _attribute_stores).
        self._attribute_stores: dict[str, AttributeStores] = {}
        # Per module: the names it changes anywhere (see _changed_names).
        self._changed_names: dict[str, tuple[cst.Module, frozenset[str]]] = {}
        self._reading_stores = False  # see field_object
        # Per function: the one library object all its returns build (see returned_object).
        self._returned_objects: dict[str, str | None] = {}
        # Per function: the nested function(s) it returns (see _returned_nested).
        self._returned_functions: dict[str, str | tuple[str, ...] | None] = {}
        # Per function: the library object its return annotation names (see
        # declared_object).
        self._declared_returns: dict[str, str | None] = {}
        # Per module: its syntax tree and the type aliases its body defines (see type_aliases).
        self._type_aliases: dict[str, tuple[cst.Module, dict[str, cst.Subscript]]] = {}
        # Per module: its syntax tree and the string constants its body defines (see
        # string_constants).
        self._string_constants: dict[str, tuple[cst.Module, dict[str, str | tuple[str, ...]]]] = {}
        # Per module: the names its body binds once, and to what (see _bound).
        self._bound_once: dict[str, tuple[cst.Module, dict[str, cst.Assign | cst.AnnAssign]]] = {}
        # Per project class: the dotted names of its bases (see base_names).
        self._bases: dict[str, list[str]] = {}
        # Per method name: the project classes with bases that define it (see overrides).
        self._definers: dict[str, set[str]] = {}
        # Per class and attribute: the flows of each key, while every value stored there
        # with a flow is a dict with constant keys that hold all its flows (self.params =
        # {"host": host, "api_key": key}); None once one is not.
        self.field_keys: dict[tuple[str, str], dict[str, tuple[Flow, ...]] | None] = {}
        # Per class and attribute: how __init__ stores its parameters there.
        self._init_stores: dict[str, dict[str, frozenset[InitStore]]] = {}
        # Per nested function: the enclosing scope's variables where it is defined.
        self.closures: dict[str, dict[str, Value]] = {}
        # Per function with nested functions: the credentials its callers pass for each of its
        # parameters, which those functions see too (a factory's closures; see
        # pass_to_closures). And the names of the functions that have nested ones.
        self.closure_arguments: dict[str, dict[str, tuple[Flow, ...]]] = {}
        self._enclosing: set[str] = set()
        # Tools: the framework spec of each tool function, and parameters bound outside the
        # model by its registration (partial_params=...).
        self.tool_specs: dict[str, ToolSpec] = {}
        self.tool_hidden: dict[str, set[str]] = {}
        # Functions whose return value a registration made a sink (Agent(instructions=fn)).
        self.return_sink_functions: dict[str, list[ReturnSink]] = {}
        # Per module name: the exception that stopped its analysis (a bug in obolint, or
        # nesting beyond the interpreter's limits); the other modules are still analysed.
        self.failures: dict[str, Exception] = {}

    # --- building ------------------------------------------------------------------------

    def add_module(self, ctx: ModuleContext) -> None:
        """Register a parsed module and index its functions and classes."""
        raw_name = ctx.module_name.partition("@")[0]
        if self._awaited[raw_name] > 0:
            self._awaited[raw_name] -= 1
            if not self._awaited[raw_name]:
                del self._awaited[raw_name]
                if raw_name != ctx.module_name:
                    self._suffix_index = None  # no module is named so: indexed anew
        self._index_module(ctx)

    def _index_module(self, ctx: ModuleContext) -> None:
        self.modules[ctx.module_name] = ctx
        if ctx.module_name not in self._indexed and self._suffix_index is not None:
            # Added to the index, not made anew: modules parsed on demand come one by one.
            self._index_suffixes(ctx.module_name)
        self._modules_changed(reindex=False)
        self._imports_from = {}
        stack: list[tuple[cst.CSTNode, str, str | None, FunctionInfo | None]] = [
            (ctx.module, ctx.module_name, None, None)
        ]
        while stack:
            node, prefix, class_q, enclosing = stack.pop()
            body = _body_of(node)
            for stmt in body:
                if isinstance(stmt, cst.FunctionDef):
                    qual = f"{prefix}.{stmt.name.value}"
                    info = FunctionInfo(
                        qualname=qual,
                        name=stmt.name.value,
                        node=stmt,
                        module=ctx,
                        class_qname=class_q,
                        enclosing=enclosing,
                        is_static=any(
                            isinstance(d.decorator, cst.Name)
                            and d.decorator.value == "staticmethod"
                            for d in stmt.decorators
                        ),
                    )
                    ctx.functions[qual] = info
                    self.functions[qual] = info
                    if enclosing is not None:
                        self._enclosing.add(enclosing.qualname)
                    stack.append((stmt, qual, None, info))
                elif isinstance(stmt, cst.ClassDef):
                    qual = f"{prefix}.{stmt.name.value}"
                    ctx.classes[qual] = stmt
                    self.class_modules[qual] = ctx.module_name
                    if stmt.bases:
                        self._note_definer(qual, stmt)
                    stack.append((stmt, qual, qual, enclosing))
                elif isinstance(stmt, (cst.If, cst.Try, cst.TryStar, cst.With)) and class_q is None:
                    # Functions defined under `if TYPE_CHECKING:` / `try:` at the same level.
                    stack.append((stmt, prefix, class_q, enclosing))

    def replace_module(self, ctx: ModuleContext) -> None:
        """Put ``ctx`` in place of the module of its name, which lacked some of its file's
        definitions (see obolint.outline): it runs again in the next round. Its globals and
        the summaries of its functions (by name) stay until then, so what read them runs
        again only if that changes them."""
        old = self.modules.get(ctx.module_name)
        if old is not None:
            ctx.globals = old.globals
        self._attribute_stores.pop(ctx.module_name, None)
        self._bases.clear()
        self._index_module(ctx)
        self._new_modules.add(ctx.module_name)

    # --- queries used by the interpreter ---------------------------------------------------

    def module(self, name: str) -> ModuleContext | None:
        """The scanned module ``name``; also found by a unique dotted suffix, for projects whose
        import root is below the scan root (``backend/app/x.py`` imported as ``app.x``).

        A unit that looks for a module not (yet) parsed depends on its absence: once the
        module is parsed (on demand, or reached by name), the unit runs again.
        """
        found = self._find_module(name)
        if found is None and name and self._awaited and self._awaits_prefix(name):
            self.awaited_hits += 1
        if found is None and name and self._current is not None:
            missing = self._missing.get(name)
            if missing is None:
                missing = self._missing[name] = (("module", name), self._found_prefix(name))
            self._uses(missing[0])
        return found

    def in_project_module(self, qname: str) -> bool:
        """Whether a dotted name lies in a module of this project: one parsed, awaited, or
        with a file the loader would parse (nothing is loaded, no lookup is recorded)."""
        parts = qname.split(".")
        for end in range(len(parts) - 1, 0, -1):
            name = ".".join(parts[:end])
            if self._find_module(name) is not None or self._is_awaited(name):
                return True
            if self.locator is not None and self.locator(name):
                return True
        return False

    def string_constant(self, ctx: ModuleContext, name: str) -> str | None:
        """The string a module-level constant holds (``SESSION_KEY = "oidc_token"``), of
        module ``ctx`` or imported into it from a module parsed already."""
        value = self._module_constant(ctx, name)
        return value if isinstance(value, str) else None

    def string_collection(self, ctx: ModuleContext, name: str) -> tuple[str, ...]:
        """The strings a module-level constant holds: a string, or a tuple, list or set of
        them (``SECRET_KEYS = ("api_key", "password")``); empty if it is none of those."""
        value = self._module_constant(ctx, name)
        return (value,) if isinstance(value, str) else value or ()

    def module_binding(self, ctx: ModuleContext, name: str) -> cst.BaseExpression | None:
        """The expression module ``ctx`` binds ``name`` to once at module level and never
        changes (no ``global`` rebinding, item store or mutating call anywhere in it), or the
        module it imports it from does, when parsed already; else None."""
        module: ModuleContext | None = ctx
        if name not in self._bound(ctx) and name in ctx.imports:
            head, _, name = ctx.imports[name].rpartition(".")
            module = self.module(head) if head else None
        if module is None or name in self._changed(module):
            return None
        statement = self._bound(module).get(name)
        return statement.value if statement is not None else None

    def _changed(self, ctx: ModuleContext) -> frozenset[str]:
        """The names module ``ctx`` changes after binding them (see _changed_names)."""
        kept = self._changed_names.get(ctx.module_name)
        if kept is None or kept[0] is not ctx.module:
            kept = self._changed_names[ctx.module_name] = (ctx.module, _changed_names(ctx.module))
        return kept[1]

    def _module_constant(self, ctx: ModuleContext, name: str) -> str | tuple[str, ...] | None:
        value = self._module_strings(ctx).get(name)
        if value is not None or name not in ctx.imports:
            return value
        head, _, last = ctx.imports[name].rpartition(".")
        # Looked up as any module is: a unit that did not find it runs again once it is parsed.
        module = self.module(head) if head else None
        return self._module_strings(module).get(last) if module is not None else None

    def type_aliases(self, ctx: ModuleContext) -> dict[str, cst.Subscript]:
        """The names a module body assigns a subscripted type once (``BearerToken =
        Annotated[str, Marker(get_bearer)]``)."""
        kept = self._type_aliases.get(ctx.module_name)
        if kept is None or kept[0] is not ctx.module:
            aliases = {
                name: statement.value
                for name, statement in self._bound(ctx).items()
                if isinstance(statement, cst.Assign) and isinstance(statement.value, cst.Subscript)
            }
            kept = self._type_aliases[ctx.module_name] = (ctx.module, aliases)
        return kept[1]

    def _module_strings(self, ctx: ModuleContext) -> dict[str, str | tuple[str, ...]]:
        kept = self._string_constants.get(ctx.module_name)
        if kept is None or kept[0] is not ctx.module:
            strings = _string_constants(self._bound(ctx))
            kept = self._string_constants[ctx.module_name] = (ctx.module, strings)
        return kept[1]

    def _bound(self, ctx: ModuleContext) -> dict[str, cst.Assign | cst.AnnAssign]:
        """The names the module body binds once, and the assignment (see _assigned_once):
        read once per module, for its string constants, type aliases and tool schemas."""
        kept = self._bound_once.get(ctx.module_name)
        if kept is None or kept[0] is not ctx.module:
            kept = self._bound_once[ctx.module_name] = (ctx.module, _assigned_once(ctx))
        return kept[1]

    def expect_modules(self, module_names: Iterable[str]) -> None:
        """Module names of files that this scan adds later, while it analyses those added so
        far: until a module is added, a lookup that would find it finds nothing (and the unit
        that looked depends on its absence, so it runs again once the module is added), and a
        name that it would make ambiguous is ambiguous already. So the analysis of modules as
        they are parsed comes to what it would be with all of them added first."""
        self._awaited.update(module_names)
        self._modules_changed(reindex=True)

    def stop_expecting(self) -> None:
        """The files still awaited will not be added (they did not parse)."""
        if self._awaited:
            self._awaited.clear()
            self._modules_changed(reindex=True)

    def _modules_changed(self, reindex: bool) -> None:
        """A module was added or the awaited ones changed: lookups may find something new."""
        if reindex:
            self._suffix_index = None
        self._lookups = {}
        self._prefix_awaited = {}
        self._modules_version += 1

    def _find_module(self, name: str) -> ModuleContext | None:
        found = self._lookup(name)
        if found[1]:
            self.awaited_hits += 1
        return found[0]

    def _lookup(self, name: str) -> tuple[ModuleContext | None, bool]:
        """``_look_up_module``, memoised: the analysis looks up the same names millions of
        times."""
        found = self._lookups.get(name)
        if found is None:
            found = self._lookups[name] = self._look_up_module(name)
        return found

    def _look_up_module(self, name: str) -> tuple[ModuleContext | None, bool]:
        """The module ``name`` names (exactly or as a unique suffix), and whether it is awaited
        instead."""
        found = self.modules.get(name)
        if found is not None or not name:
            return found, False
        if self._awaited and name in self._awaited:
            return None, True
        if self._suffix_index is None:
            self._suffix_index, self._indexed = {}, set()
            for full in {*self.modules, *self._awaited}:
                self._index_suffixes(full)
        matches = self._suffix_index.get(name, ())
        if len(matches) != 1:
            return None, False
        found = self.modules.get(matches[0])
        return found, found is None

    def _index_suffixes(self, module_name: str) -> None:
        """File ``module_name`` under the suffixes it may be named by."""
        assert self._suffix_index is not None
        self._indexed.add(module_name)
        for suffix in module_suffixes(module_name):
            self._suffix_index.setdefault(suffix, []).append(module_name)

    def _is_awaited(self, name: str) -> bool:
        """Whether module ``name`` is not added yet but will be (see expect_modules)."""
        return bool(self._awaited) and self._lookup(name)[1]

    def _awaits_prefix(self, name: str) -> bool:
        """Whether ``pkg.mod.Client`` misses for want of ``pkg.mod``: that is awaited, and no
        longer part of the name is an added module."""
        awaits = self._prefix_awaited.get(name)
        if awaits is None:
            parts = name.split(".")
            awaits = False
            for end in range(len(parts) - 1, 0, -1):
                module, awaited = self._lookup(".".join(parts[:end]))
                if module is not None or awaited:
                    awaits = awaited
                    break
            self._prefix_awaited[name] = awaits
        return awaits

    def known_class(self, class_qname: str) -> bool:
        """Whether ``class_qname`` is a class of the added modules. While modules are awaited,
        the unit that asks depends on the class's module: it asks again once that is added."""
        if class_qname in self.class_modules:
            return True
        if self._awaited:
            self.module(class_qname.rpartition(".")[0])
        return False

    def _longest_module(self, parts: list[str]) -> tuple[int, ModuleContext | None]:
        """The parsed module named by the most leading ``parts``, and how many parts that is
        (0 and None if none)."""
        for end in range(len(parts), 0, -1):
            module = self._find_module(".".join(parts[:end]))
            if module is not None:
                return end, module
        return 0, None

    def _found_prefix(self, name: str) -> int:
        """How many leading parts of ``name`` (short of all) name a parsed module: the lookup
        of ``pkg.mod.Class.method`` misses for want of ``pkg.mod``, not of ``pkg``."""
        return self._longest_module(name.split(".")[:-1])[0]

    def _note_found_modules(self) -> None:
        """Note as changed every module looked for in vain that is now parsed (or a longer
        part of whose name is)."""
        if self._missing_checked_version == self._modules_version:
            return  # no module added since the last check
        self._missing_checked_version = self._modules_version
        for name, (key, prefix) in list(self._missing.items()):
            if self._find_module(name) is not None or self._found_prefix(name) > prefix:
                del self._missing[name]
                self._note_change(key)

    def _canonical(self, qname: str) -> str:
        """``app.agent.f`` → ``projects.x.app.agent.f`` when ``app.agent`` is such a suffix."""
        head, _, last = qname.rpartition(".")
        module = self.module(head) if head and head not in self.modules else None
        return f"{module.module_name}.{last}" if module is not None else qname

    def function_for(self, qname: str | None) -> FunctionInfo | None:
        """The project function a callee name refers to, following re-exports, and a method
        a project class inherits from its project base classes."""
        if not qname:
            return None
        if qname.endswith("()") and "(" not in qname[:-2]:
            # handler(...) of an instance of a project class: its `__call__`.
            class_qname = self.class_for(qname[:-2])
            found = self.defined_method(class_qname, "__call__") if class_qname else None
            return self.function_for(found.qualname) if found is not None else None
        for _ in range(8):
            candidate = self._canonical(qname.replace("().", "."))
            if candidate in self.functions:
                if candidate in self._ahead:
                    self._run_ahead(candidate)
                self._uses(("fn", candidate))
                return self.functions[candidate]
            head, _, last = candidate.rpartition(".")
            if head in self.class_modules:
                return self.inherited(head, last)
            module = self.module(head)
            if module is None or last not in module.imports:
                return None
            qname = module.imports[last]
        return None

    def defined_method(
        self, class_qname: str, name: str, bases_only: bool = False
    ) -> FunctionInfo | None:
        """Method ``name`` of a project class (``bases_only``: not the class itself) or of its
        first project base class defining it (depth first, left to right), without asking for
        it (see function_for: no unit depends on it for this)."""
        owners = self.lineage(class_qname)
        for owner in owners[1:] if bases_only else owners:
            found = self.functions.get(f"{owner}.{name}")
            if found is not None:
                return found
        return None

    def inherited(self, class_qname: str, name: str) -> FunctionInfo | None:
        """Method ``name`` that ``class_qname`` inherits from a project base class."""
        found = self.defined_method(class_qname, name, bases_only=True)
        return self.function_for(found.qualname) if found is not None else None

    def _note_definer(self, class_qname: str, node: cst.ClassDef) -> None:
        """Index the methods a class with bases defines: each may override a base's, and what
        called the base's through ``self`` runs again (see overrides)."""
        for stmt in _body_of(node):
            if isinstance(stmt, cst.FunctionDef):
                name = stmt.name.value
                self._definers.setdefault(name, set()).add(class_qname)
                self._note_change(("overrides", name))

    def overrides(self, class_qname: str, name: str) -> list[FunctionInfo]:
        """The methods ``name`` of the project subclasses of ``class_qname``, by name: what a
        call ``self.name()`` in a method of the class may run instead of its own (class
        hierarchy analysis). The unit asking runs again when a class defining one is added."""
        self._uses(("overrides", name))
        # Not memoised: lineage records the module lookups the answer depends on.
        return [
            info
            for owner in sorted(self._definers.get(name, ()))
            if owner != class_qname
            and class_qname in self.lineage(owner)[1:]
            and (info := self.functions.get(f"{owner}.{name}")) is not None
        ]

    def settings_class(self, class_qname: str) -> bool:
        """Whether a project class derives from a settings class of the packs."""
        bases = self.packs.propagation.settings_bases
        return any(bases.matches(b) for b in self.non_project_bases(class_qname))

    def settings_text_field(self, class_qname: str, attr: str) -> bool:
        """Whether field ``attr`` of a settings class may load a secret: declared as text, or
        not declared (not a number or a flag)."""
        annotation = self.field_annotation(class_qname, attr)
        return annotation is None or declares_text(annotation)

    def settings_source(self, attr: str) -> ReadSource | None:
        """The packs' source that a settings object's field ``attr`` is, as it is loaded from
        a container of ``settings-sources`` under its upper-cased name (``search_key`` from
        ``SEARCH_KEY``); None for none."""
        if not attr.isidentifier():
            return None
        key = attr.upper()
        for container in self.packs.propagation.settings_sources:
            for spec in self.packs.matcher.read_sources(container):
                if (
                    spec.whole_key is None
                    and (spec.key_pattern is None or spec.key_pattern.search(key))
                    and (not spec.key_is_credential or names.is_credential_name(key))
                ):
                    return spec
        return None

    def _project_class_name(self, qname: str) -> bool:
        """Whether a dotted name is a class-like name (CapWords) in a module of this project (by
        its files, not by the modules parsed so far)."""
        return "." in qname and last_name(qname)[:1].isupper() and self.in_project_module(qname)

    def lineage(self, class_qname: str) -> list[str]:
        """A project class and its project base classes, depth first, each once (bases are
        resolved as the class's module imports them; looked up as modules are, so a unit
        that did not find one runs again once its module is parsed)."""
        found: list[str] = []
        todo = [class_qname]
        while todo and len(found) < 16:
            current = todo.pop(0)
            if current in found or current not in self.class_modules:
                continue
            found.append(current)
            todo[:0] = [b for base in self.base_names(current) if (b := self.class_for(base))]
        return found

    def library_member(self, instance_qname: str, name: str) -> str | None:
        """``self.write`` of a project class that inherits ``write`` from a library class
        (``class Handler(web.RequestHandler)``): the library's name for it,
        ``web.RequestHandler().write``, so the packs know it. None when a class of its
        project lineage defines it, or no library base has it under a name the packs write
        (an ORM model's columns stay the model's)."""
        if name not in self.packs.instance_members:
            return None
        class_qname = instance_qname[:-2]
        if class_qname not in self.class_modules:
            return None
        owners = self.lineage(class_qname)
        if any(f"{owner}.{name}" in self.functions for owner in owners):
            return None
        heads, patterns = self.packs.instance_names
        for base in self.library_bases(class_qname):
            if "." not in base or base.startswith(_PLAIN_BASE_MODULES):
                continue
            member = f"{base}().{name}"
            if member in heads or patterns.matches(member):
                return member
        return None

    def library_bases(self, class_qname: str) -> list[str]:
        """The bases of a project class and of its project base classes that are no project
        classes (a framework's ``Resource``). A base in a project module not parsed yet is none
        of them: that module is parsed, and the unit asking runs again."""
        found = []
        for base in self.non_project_bases(class_qname):
            if self.in_project_module(base):
                self.request_module(base)
            else:
                found.append(base)
        return found

    def non_project_bases(self, class_qname: str) -> Iterator[str]:
        """The bases of a project class and of its project base classes that no parsed module
        defines: library classes, and project classes in modules not parsed yet (which
        library_bases has parsed)."""
        for owner in self.lineage(class_qname):
            for base in self.base_names(owner):
                if self.class_for(base) is None:
                    yield base

    def parse_bases(self, instance_qname: str) -> None:
        """Parse the project modules not parsed yet that define bases of the project class
        ``instance_qname`` instantiates (``pkg.Client()``): a method it inherits may be
        defined there (see library_bases)."""
        if instance_qname.endswith("()"):
            class_qname = self.class_for(instance_qname[:-2])
            if class_qname is not None:
                self.library_bases(class_qname)

    def base_names(self, class_qname: str) -> list[str]:
        """The dotted names of a class's bases, qualified by its module's imports."""
        names = self._bases.get(class_qname)
        if names is None:
            ctx = self.modules.get(self.class_modules[class_qname])
            node = ctx.classes.get(class_qname) if ctx is not None else None
            # `Base[T]` is `Base`.
            expressions = [
                base.value.value if isinstance(base.value, cst.Subscript) else base.value
                for base in (node.bases if node is not None else ())
            ]
            names = [
                ctx.qualified(name)  # type: ignore[union-attr]
                for expression in expressions
                if (name := dotted(expression)) is not None
            ]
            self._bases[class_qname] = names
        return names

    def class_for(self, qname: str | None) -> str | None:
        """The project class a constructor call refers to, following re-exports."""
        if not qname or "(" in qname:
            return None
        for _ in range(8):
            qname = self._canonical(qname)
            if qname in self.class_modules:
                return qname
            head, _, last = qname.rpartition(".")
            module = self.module(head)
            if module is None or last not in module.imports:
                return None
            qname = module.imports[last]
        return None

    def declared_fields(self, class_qname: str) -> list[str]:
        """Annotated class-body fields in order (dataclass, model, NamedTuple)."""
        cached = self._declared.get(class_qname)
        if cached is None:
            cached = [name for name, _ in self._annotated_fields(class_qname)]
            if class_qname in self.class_modules:
                self._declared[class_qname] = cached
        return cached

    def field_excluded(
        self, class_qname: str, attr: str, excluding: bool = True, hiding: bool = True
    ) -> bool:
        """``attr: T = F(exclude=True)``, ``field(repr=False)``: a model field left out when
        the object is serialised or shown (the keywords are the packs'
        ``excluding-field-flags`` and ``hiding-field-flags``; only those asked for count:
        ``vars(obj)`` and ``asdict(obj)`` leave out neither)."""
        if not excluding and not hiding:
            return False
        prop = self.packs.propagation
        declaration = self._field_declaration(class_qname, attr)
        if declaration is None or not isinstance(declaration.value, cst.Call):
            return False
        for arg in declaration.value.args:
            if arg.keyword is None or not isinstance(arg.value, cst.Name):
                continue
            flag, setting = arg.keyword.value, arg.value.value
            if (excluding and flag in prop.excluding_field_flags and setting == "True") or (
                hiding and flag in prop.hiding_field_flags and setting == "False"
            ):
                return True
        return False

    def field_annotation(self, class_qname: str, attr: str) -> cst.BaseExpression | None:
        """The annotation of ``attr`` in the body of project class ``class_qname``."""
        declaration = self._field_declaration(class_qname, attr)
        return declaration.annotation.annotation if declaration is not None else None

    def _field_declaration(self, class_qname: str, attr: str) -> cst.AnnAssign | None:
        """``attr: T [= value]`` in the body of project class ``class_qname``."""
        fields = self._annotated_fields(class_qname)
        return next((d for name, d in fields if name == attr), None)

    def _annotated_fields(self, class_qname: str) -> Iterator[tuple[str, cst.AnnAssign]]:
        """``name: annotation [= default]`` statements of a project class body, in order."""
        for small in self._class_body_statements(class_qname):
            if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                yield small.target.value, small

    def class_bindings(self, class_qname: str, attr: str) -> list[cst.BaseExpression | None]:
        """What the body of project class ``class_qname`` binds to ``attr`` (``attr = value``,
        ``attr: T = value``), each (None for a declaration without a value), in order."""
        found: list[cst.BaseExpression | None] = []
        for small in self._class_body_statements(class_qname):
            if isinstance(small, cst.Assign):
                targets = [t.target for t in small.targets]
            elif isinstance(small, cst.AnnAssign):
                targets = [small.target]
            else:
                continue
            if any(isinstance(t, cst.Name) and t.value == attr for t in targets):
                found.append(small.value)
        return found

    def _class_body_statements(self, class_qname: str) -> Iterator[cst.BaseSmallStatement]:
        """The simple statements of a project class body (not those of its methods), in order."""
        if not self.known_class(class_qname):
            return
        module = self.modules.get(self.class_modules[class_qname])
        node = module.classes.get(class_qname) if module is not None else None
        if node is None:
            return
        for stmt in node.body.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                yield from stmt.body

    def add_field(
        self,
        class_qname: str,
        attr: str,
        flows: tuple[Flow, ...],
        by_key: dict[str, tuple[Flow, ...]] | None = None,
    ) -> None:
        """Record flows stored on instances of a class; ``by_key``: the flows of each key of
        the dict stored, when its keys hold them all."""
        if not flows and by_key is None:
            return
        key = (class_qname, attr)
        changed = False
        if flows:
            old = self.fields.get(key, ())
            new = merge_flows(old, flows)
            self.fields[key] = new
            changed = {f.key() for f in new} != {f.key() for f in old}
        old_keys = self.field_keys.get(key, {})
        new_keys: dict[str, tuple[Flow, ...]] | None = None
        if old_keys is not None and by_key is not None:
            # Also a dict that holds nothing yet: its keys are clean where others are not.
            new_keys = dict(old_keys)
            for name, held in by_key.items():
                new_keys[name] = merge_flows(new_keys.get(name, ()), held)
        self.field_keys[key] = new_keys
        if changed or _keys_signature(old_keys) != _keys_signature(new_keys):
            self._note_change(("field", class_qname, attr))
        attrs = self._class_attrs.setdefault(class_qname, set())
        if attr not in attrs:
            attrs.add(attr)
            self._note_change(("class-fields", class_qname))

    def stored_fields(self, instance_qname: str) -> dict[str, tuple[Flow, ...]]:
        """Every attribute stored on instances of the project class ``instance_qname`` names
        (``C()``) or on those of its project bases, with what it holds: what dumping such an
        object whole (``vars(obj)``, ``asdict(obj)``) gives."""
        class_qname = instance_qname.removesuffix("()")
        if not self.known_class(class_qname):
            return {}
        found: dict[str, tuple[Flow, ...]] = {}
        for owner in self._field_owners(class_qname):
            self._uses(("class-fields", owner))
            for attr in sorted(self._class_attrs.get(owner, ())):
                self._uses(("field", owner, attr))
                held = self.fields.get((owner, attr), ())
                found[attr] = merge_flows(found.get(attr, ()), held) if attr in found else held
        return found

    def store_field(
        self, target_qname: str, attr: str, value: Value, info: FunctionInfo | None
    ) -> str | None:
        """``self.attr = value`` inside a method of a project class: the class, if it is
        one (else None: nothing is stored)."""
        if not target_qname.endswith("()"):
            return None
        class_qname = target_qname[:-2]
        if info is None or info.class_qname != class_qname:
            return None
        # A key that holds nothing is read as clean.
        self.add_field(class_qname, attr, concrete(value.flows), stored_keys(value))
        if info.name == "__init__":
            self._note_init_stores(class_qname, attr, value)
        return class_qname

    def _note_init_stores(self, class_qname: str, attr: str, value: Value) -> None:
        """``self.attr = value`` in ``__init__``: which of its parameters ``value`` holds, and
        how (see _init_stores)."""
        stores: set[InitStore] = set()
        keyed: set[int] = set()
        for name, item in value.fields:
            for flow in item.flows:
                if (index := param_index(flow)) is not None:
                    stores.add(InitStore(index, name, read_key(flow)))
                    keyed.add(index)
        for flow in value.flows:
            index = param_index(flow)
            if index is not None and index not in keyed:
                stores.add(InitStore(index, None, read_key(flow)))
        known = self._init_stores.setdefault(class_qname, {}).get(attr, frozenset())
        if stores <= known:
            return
        self._init_stores[class_qname][attr] = known | stores
        # Constructors elsewhere store what __init__ keeps (construct_fields).
        self._note_change(("fn", f"{class_qname}.__init__"))

    def init_stores(self, class_qname: str) -> dict[str, frozenset[InitStore]]:
        """Per attribute, how ``__init__`` of ``class_qname`` stores its parameters there."""
        return self._init_stores.get(class_qname, {})

    def construct_fields(
        self, class_qname: str, init: FunctionInfo, args: list[Arg]
    ) -> dict[str, tuple[Flow, ...]]:
        """``C(token=t)``: the arguments that ``__init__`` (of ``C`` or of a base class) stores
        on ``self``; returns what it stored per attribute."""
        class_qname = init.class_qname or class_qname
        kept: dict[str, tuple[Flow, ...]] = {}
        # Only arguments that carry a credential store one; most carry none, and a class
        # with a hundred fields and parameters is built in thousands of places.
        carried: list[tuple[int, Value]] = []
        for arg in args:
            if arg.keyword == "**" and concrete(arg.value.flows):
                # C(**options), super().__init__(**kwargs): each parameter by its name.
                offset = 1 if init.is_method else 0
                carried.extend(
                    (i, v)
                    for i, v in spread_over(init.params, arg.value, offset)
                    if concrete(v.flows)
                )
                continue
            index = init.argument_index(arg.position, arg.keyword)
            if index is not None and concrete(arg.value.flows):
                carried.append((index, arg.value))
        for attr, stores in list(self.init_stores(class_qname).items()):
            for index, value in carried:
                mine = [(s.under, s.read) for s in stores if s.index == index]
                if not mine:
                    continue
                if all(under is None for under, _ in mine):
                    # Stored whole: what the argument holds under each key read, with its own
                    # keys if it is a dict built in code.
                    for _, read in mine:
                        part = passed_under(value, read)
                        self.add_field(class_qname, attr, concrete(part.flows), stored_keys(part))
                        kept[attr] = merge_flows(kept.get(attr, ()), concrete(part.flows))
                    continue
                flows = merge_flows(*(concrete(passed_under(value, r).flows) for _, r in mine))
                by_key: dict[str, tuple[Flow, ...]] | None = None
                if all(under is not None for under, _ in mine):
                    # Only under keys of the dict __init__ stores (a parameter stored whole
                    # too is under every key).
                    by_key = {}
                    for under, read in mine:
                        held = concrete(passed_under(value, read).flows)
                        by_key[under] = merge_flows(by_key.get(under, ()), held)  # type: ignore[index]
                self.add_field(class_qname, attr, flows, by_key)
                kept[attr] = merge_flows(kept.get(attr, ()), flows)
        return kept

    def store_request_state(self, attr: str, flows: tuple[Flow, ...]) -> None:
        """``state.attr = value`` on a request state object of the packs: kept for the rest of
        the request's code."""
        self.add_field(_REQUEST_STATE, attr, concrete(flows))

    def store_context(self, holder: str, flows: tuple[Flow, ...]) -> None:
        """``holder.set(value)`` on a module-level context variable ``holder`` (its qualified
        name): kept for the code that ``.get()``s it."""
        self.add_field(CONTEXT_HOLDERS, self.holder_name(holder), concrete(flows))

    def context_value(self, holder: str) -> tuple[Flow, ...]:
        """What was ``.set()`` on context variable ``holder`` anywhere."""
        key = self.holder_name(holder)
        self._uses(("field", CONTEXT_HOLDERS, key))
        return self.fields.get((CONTEXT_HOLDERS, key), ())

    def holder_name(self, qname: str) -> str:
        """The name of a module-level variable where its module defines it (through
        re-exports: ``pkg.current_token`` is ``pkg.auth.current_token``)."""
        for _ in range(8):
            head, _, last = qname.rpartition(".")
            module = self.module(head) if head else None
            if module is None:
                return qname
            if last not in module.imports:
                return f"{module.module_name}.{last}"
            qname = module.imports[last]
        return qname

    def field_flows(self, base_qname: str | None, attr: str) -> tuple[Flow, ...]:
        """Flows stored on ``attr`` of class ``C`` or its instances (``C()``), or of the
        request's state (see store_request_state)."""
        if not base_qname:
            return ()
        if self.packs.propagation.request_state.matches(base_qname):
            self._uses(("field", _REQUEST_STATE, attr))
            return self.fields.get((_REQUEST_STATE, attr), ())
        class_qname = base_qname[:-2] if base_qname.endswith("()") else base_qname
        if not self.known_class(class_qname):
            return self.fields.get((class_qname, attr), ())
        # Stored by the class's methods or by those of a base class (its `__init__`).
        found: list[tuple[Flow, ...]] = []
        for owner in self._field_owners(class_qname):
            self._uses(("field", owner, attr))
            found.append(self.fields.get((owner, attr), ()))
        return found[0] if len(found) == 1 else merge_flows(*found)

    def _field_owners(self, class_qname: str) -> list[str]:
        """The classes whose stored fields an instance of ``class_qname`` has: it and its
        project base classes."""
        if class_qname not in self.class_modules:
            return [class_qname]
        return self.lineage(class_qname)

    def field_keys_of(
        self, base_qname: str | None, attr: str
    ) -> dict[str, tuple[Flow, ...]] | None:
        """The flows of each key of the dicts stored on ``attr`` of class ``C`` or its
        instances (see field_keys), if known; read after field_flows."""
        if not base_qname or self.packs.propagation.request_state.matches(base_qname):
            return None
        class_qname = base_qname[:-2] if base_qname.endswith("()") else base_qname
        stored = [o for o in self._field_owners(class_qname) if (o, attr) in self.fields]
        return self.field_keys.get((stored[0], attr)) if len(stored) == 1 else None

    def field_object(self, base_qname: str | None, attr: str) -> str | None:
        """The name of the one object methods store on ``attr`` of ``C()`` (``pkg.Codec()``).

        Read from the methods' syntax (``self.attr = Name(...)``) once per class, not from the
        fixed point: it then never changes and makes no unit run again.
        """
        stored = self._stored_on(base_qname).get(attr)
        return None if stored == _MAPPING else stored

    def field_holds_mapping(self, base_qname: str | None, attr: str) -> bool:
        """Whether every assignment to ``attr`` of ``C()`` stores a dict keyed by written
        strings (``self.headers = {}``), so that a loop over it goes over its keys; read as
        field_object is."""
        return self._stored_on(base_qname).get(attr) == _MAPPING

    def _stored_on(self, base_qname: str | None) -> dict[str, str | None]:
        """What the methods of class ``C`` store on each attribute, for ``C()`` (see
        _stored_objects)."""
        if not base_qname or not base_qname.endswith("()"):
            return {}
        class_qname = base_qname[:-2]
        objects = self._field_objects.get(class_qname)
        if objects is None:
            # While a module's stores are read, the callees named there are resolved without
            # field objects (``self.x = _instance.y.copy()`` would read them again, forever):
            # so the stores of a module never depend on which class asked first.
            if self._reading_stores or not self.known_class(class_qname):
                return {}
            module = self.modules.get(self.class_modules[class_qname])
            objects = {}
            if module is not None:
                stores = self._attribute_stores.get(module.module_name)
                if stores is None:
                    self._reading_stores = True
                    try:
                        stores = _attribute_stores(module)
                    finally:
                        self._reading_stores = False
                    self._attribute_stores[module.module_name] = stores
                objects = _stored_objects(stores, class_qname)
            self._field_objects[class_qname] = objects
        return objects

    def returned_object(self, info: FunctionInfo) -> str | None:
        """What a factory returns when every ``return`` builds the same library object
        (``return logging.getLogger(name)``, or a local assigned one): ``logging.getLogger()``.

        Read from the function's syntax once, not from the fixed point, so it never changes
        and makes no unit run again; a project object's class is followed by its summaries.
        """
        if info.qualname not in self._returned_objects:
            found = _returned_object(info)
            parts = (found or "").split(".")
            # Exact names only: a project module `x.logging` is not the standard `logging`.
            prefixes = [".".join(parts[:end]) for end in range(1, len(parts))]
            if found is not None and self._project_class_name(found[:-2]):
                pass  # an object of a project class: its methods and properties apply
            elif any(prefix in self.modules for prefix in prefixes):
                found = None
            elif any(prefix in self._awaited for prefix in prefixes):
                return None  # not kept: the module may yet fail to parse
            self._returned_objects[info.qualname] = found
        return self._returned_objects[info.qualname]

    def returned_function(self, info: FunctionInfo) -> FunctionInfo | None:
        """The function nested in ``info`` that every ``return`` of it returns (a factory's
        closure, a decorator's wrapper: ``def wrapper(...): ...; return wrapper``)."""
        found = self._returned_nested(info)
        return self.function_for(found) if isinstance(found, str) else None

    def returned_functions(self, info: FunctionInfo) -> tuple[str, ...] | None:
        """The functions nested in ``info`` that its one ``return`` gives as a list or tuple
        (``return [search, fetch]``: a factory of several tools), by qualified name."""
        found = self._returned_nested(info)
        return found if isinstance(found, tuple) else None

    def _returned_nested(self, info: FunctionInfo) -> str | tuple[str, ...] | None:
        """What ``returned_function`` and ``returned_functions`` read: one nested function's
        name, or a sequence of them, read from the syntax once per function."""
        if info.qualname not in self._returned_functions:
            nested = {
                stmt.name.value for stmt in info.node.body.body if isinstance(stmt, cst.FunctionDef)
            }
            returned = [
                small.value
                for small in _small_statements(info.node.body.body)
                if isinstance(small, cst.Return)
            ]
            found: str | tuple[str, ...] | None = None
            names_ = {node.value if isinstance(node, cst.Name) else None for node in returned}
            if len(names_) == 1 and (name := names_.pop()) in nested:
                found = f"{info.qualname}.{name}"
            elif len(returned) == 1 and isinstance(returned[0], (cst.List, cst.Tuple)):
                elements = [e.value for e in returned[0].elements]
                if elements and all(
                    isinstance(e, cst.Name) and e.value in nested for e in elements
                ):
                    found = tuple(f"{info.qualname}.{e.value}" for e in elements)  # type: ignore[attr-defined]
            self._returned_functions[info.qualname] = found
        return self._returned_functions[info.qualname]

    def declared_object(self, info: FunctionInfo) -> str | None:
        """``sdk.ChatHistory()`` for a function declared ``-> ChatHistory`` (or ``-> X | None``):
        calls on what it returns are the library's (``history_for(sid).add_user_message(...)``)
        or the project class's (its methods and properties). Not a masked type (see
        FunctionInterpreter._returns_masked), nor a builtin or typing name. Read from the syntax
        once per function: the same whichever modules are parsed yet."""
        if info.qualname in self._declared_returns:
            return self._declared_returns[info.qualname]
        found = None
        if info.node.returns is not None:
            probe = FunctionInterpreter(info.module, None, lambda hit, flow: None)
            mentioned = probe.annotation_qnames(info.node.returns.annotation)
            qnames = [q for q in mentioned if q != "None"]
            qname = qnames[0] if len(qnames) == 1 else None
            if (
                qname is not None
                and "." in qname
                and last_name(qname)[:1].isupper()
                and not qname.startswith(("typing.", "typing_extensions.", "collections."))
                and not self.packs.propagation.masked_types.matches(qname)
            ):
                found = f"{qname}()"
        self._declared_returns[info.qualname] = found
        return found

    def _class_attributes(self, ctx: ModuleContext) -> None:
        """Class-body assignments (``TOKEN = os.environ[...]``) are fields of the class."""
        for class_qname, node in ctx.classes.items():
            run = FunctionInterpreter(ctx, None, self._report)
            env: dict[str, Value] = {}
            for stmt in node.body.body:
                if isinstance(stmt, cst.SimpleStatementLine):
                    run.exec_stmt(stmt, env)
            # The members of an enumeration are labels, whatever their names say
            # (`PASSWORD_MISMATCH = ErrorCode(1007, "...")`).
            members = run.enum_class(class_qname)
            for name, value in env.items():
                flows = value.flows
                if members:
                    flows = tuple(f for f in flows if f.source_kind != "name")
                self.add_field(class_qname, name, flows)

    def capture(self, qualname: str, env: dict[str, Value]) -> None:
        """Remember the variables a nested function closes over (concrete flows only)."""
        captured = self.closures.setdefault(qualname, {})
        for name, value in env.items():
            flows = concrete(value.flows)
            old = captured.get(name)
            captured[name] = Value(
                flows=merge_flows(old.flows if old else (), flows),
                qname=value.qname,
                fields=value.fields,
            )

    def pass_to_closures(
        self, info: FunctionInfo, by_index: Mapping[int, Value], call: Location
    ) -> None:
        """What a call (at ``call``) passes for the parameters of a function with nested
        functions, which they see when they run (``make_tools(os.environ["KEY"])``: its
        tools' ``key``); concrete flows only."""
        if info.qualname not in self._enclosing:
            return
        passed = self.closure_arguments.setdefault(info.qualname, {})
        params = info.params
        changed = False
        for index, value in by_index.items():
            flows = concrete(value.flows)
            if not flows or index >= len(params):
                continue
            name = params[index].name.value
            old = passed.get(name, ())
            step = TraceStep(call, f"passed to `{info.name}()` as `{name}`")
            new = merge_flows(old, tuple(f.with_step(step) for f in flows))
            if [f.key() for f in new] != [f.key() for f in old]:
                passed[name] = new
                changed = True
        if changed:
            self._note_change(("closure-arguments", info.qualname))

    def summary(self, qualname: str) -> FunctionSummary:
        """The current summary of a project function (empty until it is analysed)."""
        return self.summaries.get(qualname, _EMPTY_SUMMARY)

    def name_lambda(self, node: cst.Lambda, module_name: str, scope: str) -> str:
        """The name a lambda's value carries, by which a call finds its body and where it was
        written (module, and the function whose variables it closes over, or ""): one per
        node, never shown (no module or function name holds a ``<``)."""
        name = f"<lambda {id(node)}>"
        self.lambdas.setdefault(name, LambdaSite(node, module_name, scope))
        return name

    def register_tool(self, qname: str, tool: ToolSpec, node: cst.CSTNode) -> None:
        """A registration call turned project function ``qname`` into a model-facing tool."""
        info = self.function_for(qname)
        if info is None:
            return
        if isinstance(node, cst.Call) and tool.hiding_args:
            hidden = self.tool_hidden.setdefault(info.qualname, set())
            hidden.update(_bound_names(node, tool.hiding_args))
        if info.qualname not in self.tool_specs:
            self.tool_specs[info.qualname] = tool
            self._tool_modules.add(info.module.module_name)
            self._pending_tools.append((info, tool))

    def register_return_sink(self, qname: str, spec: ReturnSink) -> None:
        """``Agent(instructions=fn)``: what ``fn`` returns goes where the spec says."""
        info = self.function_for(qname)
        if info is None:
            return
        specs = self.return_sink_functions.setdefault(info.qualname, [])
        if spec not in specs:
            specs.append(spec)
            self._tool_modules.add(info.module.module_name)

    def visible_tool_params(self, qname: str | None) -> set[str] | None:
        """Parameter names the model fills in for project tool ``qname``, or None if no tool."""
        info = self.function_for(qname)
        if info is None or info.qualname not in self.tool_specs:
            return None
        tool = self.tool_specs[info.qualname]
        probe = FunctionInterpreter(info.module, info, lambda hit, flow: None)
        return {
            param.name.value
            for index, param in enumerate(info.params)
            if not self._hidden_parameter(info, tool, index, param, probe)
        }

    def global_value(self, qname: str | None) -> Value | None:
        """The value of a module-level name of a scanned module (``pkg.config.API_KEY``)."""
        if not qname or "(" in qname:
            return None
        head, _, last = qname.rpartition(".")
        module = self.module(head)
        if module is None:
            return None
        self._uses(self._global_key(module.module_name, last))
        return module.globals.get(last)

    # --- analysis ------------------------------------------------------------------------

    def analyze(
        self, progress: Progress | None = None, added: Iterable[str] | None = None
    ) -> list[Finding]:
        """Run every function to a fixed point of summaries and return deduplicated findings.

        The first round runs every module; later rounds re-run only the units (module bodies
        and functions) that used a summary, a field or a global that changed in the round
        before: a worklist with the dependencies each unit's interpretation recorded. Called
        again with the names of the modules ``added`` since, it runs those and whatever their
        results change, and keeps the rest.
        """
        self.advance(progress, added)
        return self._findings_found()

    def advance(self, progress: Progress | None = None, added: Iterable[str] | None = None) -> None:
        """``analyze`` without collecting the findings: for modules added while others are
        still awaited (see expect_modules)."""
        first = sorted(self.modules) if added is None else sorted(added)
        self._tool_modules = set()
        decorated = self._decorated_tools(first)
        self._decorated.extend(decorated)
        for info, tool in decorated:
            self.tool_specs.setdefault(info.qualname, tool)
        if not self._awaited and self._tools_to_recheck:
            self._recheck_tools()
        # Every unit of these runs: with the modules the decorators had loaded, and those whose
        # functions their bodies registered (tools, instructions=fn). When resuming, the units
        # that looked for an added module in vain run in the next round.
        dirty_modules = set(first) | self._new_modules | self._tool_modules
        self._note_found_modules()
        dirty_units: set[Unit] = set()
        waiting: set[Unit] = set()
        for _round in range(MAX_ROUNDS):
            self._new_modules = set()
            self._tool_modules = set()
            self._requesters = set()
            partly_dirty = {module for module, _ in dirty_units}
            todo = [
                ctx
                for ctx in self._healthy_modules()
                if ctx.module_name in dirty_modules or ctx.module_name in partly_dirty
            ]
            todo = self._imported_first(todo)
            for done, ctx in enumerate(todo):
                if progress is not None:
                    progress(f"Analysing (pass {_round + 1})", done, len(todo))
                self._run_module(ctx, None if ctx.module_name in dirty_modules else dirty_units)
            self._note_found_modules()  # parsed on demand during this round
            changes, self._changes = self._changes, {}
            if not changes and not self._new_modules and not self._tool_modules and not waiting:
                break
            # A unit that asked for a module to be loaded runs again once that module has
            # summaries (two rounds later).
            dirty_units = self._stale_units(changes) | waiting | self._requesters
            dirty_modules = self._new_modules | self._tool_modules
            waiting = set(self._requesters)

    def _findings_found(self) -> list[Finding]:
        """The findings of the analysis so far, each once, with those of tool parameters."""
        self._findings = self._findings_by_unit.setdefault(_TOOLS_UNIT, {})
        self._findings.clear()
        for info, tool in [*self._decorated, *self._pending_tools]:
            if info.module.module_name not in self.failures:
                with self._isolated(info.module):
                    self._check_tool_parameters(info, tool)
        failed = {self.modules[name].path for name in self.failures}
        best: dict[tuple, tuple[tuple, Finding]] = {}
        for unit in sorted(self._findings_by_unit):
            for key, (rank, finding) in self._findings_by_unit[unit].items():
                kept = best.get(key)
                if kept is None or rank < kept[0]:
                    best[key] = (rank, finding)
        return [_materialized(f) for _, f in best.values() if f.location.path not in failed]

    def _imported_first(self, todo: list[ModuleContext]) -> list[ModuleContext]:
        """``todo`` (in name order) with each module after those it imports, except where
        imports form a cycle: callers then read their callees' summaries of this round, and
        fewer of them run again in the next (saleor: 915 partial module runs became 483)."""
        wanted = {ctx.module_name: ctx for ctx in todo}
        order = imports_first(wanted, lambda name: self._imported_modules(name, wanted))
        return [wanted[name] for name in order]

    def _imported_modules(self, module_name: str, among: Container[str]) -> list[str]:
        """The modules ``among`` those given from which module ``module_name`` imports, in
        name order."""
        found = self._imports_from.get(module_name)
        if found is None:
            names: set[str] = set()
            for target in self.modules[module_name].imports.values():
                _, module = self._longest_module(target.replace("()", "").split("."))
                if module is not None:
                    names.add(module.module_name)
            names.discard(module_name)
            found = self._imports_from[module_name] = sorted(names)
        return [name for name in found if name in among]

    def handles(self) -> set[Handle]:
        """The names by which code in other files can take a credential from the analysed
        modules: functions that return one, store one into an object their caller passes, or
        take one as a parameter, and module globals that hold one (see obolint.reach)."""
        by_function: dict[str, list[Handle]] = {}  # function -> its handles
        for qual, info in self.functions.items():
            if info.enclosing is not None or info.module.module_name in self.failures:
                continue
            owner = last_name(info.class_qname or info.module.module_name)
            summary = self.summaries.get(qual)
            if summary is not None and (
                concrete(summary.returns) or any(concrete(w.flows) for w in summary.param_writes)
            ):
                # It returns a credential, or stores one into what its caller passes.
                by_function.setdefault(qual, []).append(Handle(info.name, owner))
            # Tools are functions: a method would be registered from its own class's file.
            if info.class_qname is None and any(
                names.credential_word(p.name.value) for p in info.params
            ):
                by_function.setdefault(qual, []).append(Handle(info.name, owner, as_tool=True))
        found = {handle for handles in by_function.values() for handle in handles}
        for ctx in self._healthy_modules():
            owner = last_name(ctx.module_name)
            for name, value in ctx.globals.items():
                if concrete(value.flows) or any(v.tainted for _, v in value.fields):
                    found.add(Handle(name, owner))
            # A re-export (`from .prompts import build_prompt` in `app/__init__.py`) is a
            # handle of the package too: `from app import build_prompt` names `app` only.
            for alias, target in ctx.imports.items():
                for handle in by_function.get(self._canonical(target), ()):
                    found.add(Handle(alias, owner, handle.as_tool))
            found.update(self._settings_handles(ctx, owner))
        # Not attributes: they are joined per class (see fields), so one credential stored in
        # a field of a framework's class would make every file that uses the class a candidate.
        return found

    def _settings_handles(self, ctx: ModuleContext, owner: str) -> Iterator[Handle]:
        """The fields that a settings object of a global of ``ctx`` loads from a source
        (``tool_settings.tool_key`` from TOOL_KEY), but not named like credentials (those are
        trigger words): a credential for the code that reads them."""
        for value in ctx.globals.values():
            class_qname = value.qname[:-2] if value.qname and value.qname.endswith("()") else None
            if class_qname is None or class_qname not in self.class_modules:
                continue
            if not self.settings_class(class_qname):
                continue
            for name in self.declared_fields(class_qname):
                if (
                    not names.is_credential_name(name)
                    and self.settings_source(name) is not None
                    and self.settings_text_field(class_qname, name)
                ):
                    yield Handle(name, owner)

    def _stale_units(self, changes: dict[tuple, int]) -> set[Unit]:
        """Units that read something which changed after they first read it: they run again."""
        stale = set()
        for key, tick in changes.items():
            for unit, first_use in self._readers.get(key, {}).items():
                if tick >= first_use:
                    stale.add(unit)
        # A function reads its own module's globals by name; one that did not find a name may
        # find it now.
        for key, tick in changes.items():
            if key[0] == "globals" and key[1] in self.modules:
                for qual in self.modules[key[1]].functions:
                    if self._started.get((key[1], qual), 0) < tick:
                        stale.add((key[1], qual))
        return stale

    def _run_module(self, ctx: ModuleContext, units: set[Unit] | None) -> None:
        """Interpret a module's body and functions: all, or only ``units`` and the functions
        nested in them. Changes to summaries and globals are noted with their tick."""
        module_name = ctx.module_name
        ctx.steps = 0
        with self._isolated(ctx):
            if units is None or (module_name, "") in units:
                self._run_body(ctx)
            # Functions (not nested ones) this run interprets and has not yet: one that a
            # function calls is interpreted first, on demand (see _run_ahead), so that the
            # caller reads its summary of this run instead of running again for it later.
            self._ahead = {
                qual
                for qual, info in ctx.functions.items()
                if info.enclosing is None and (units is None or (module_name, qual) in units)
            }
            self._ran = set()
            try:
                for qual in sorted(ctx.functions):
                    info = ctx.functions[qual]
                    # A nested function runs again with its enclosing function: it sees the
                    # variables that function captured in its latest run.
                    if qual in self._ran or (
                        units is not None
                        and (module_name, qual) not in units
                        and (info.enclosing is None or info.enclosing.qualname not in self._ran)
                    ):
                        continue
                    self._run_function(ctx, info)
            finally:
                self._ahead = set()
        self._current = None

    def _run_body(self, ctx: ModuleContext) -> None:
        """Interpret a module's body; changes to its globals are noted with their tick."""
        module_name = ctx.module_name
        self._start_unit((module_name, ""))
        before = self._module_globals_signature(ctx)
        ctx.globals = FunctionInterpreter(ctx, None, self._report).run_module()
        after = self._module_globals_signature(ctx)
        # Per name: other modules read it by name, also while it did not exist yet.
        for name in before.keys() | after.keys():
            if before.get(name) != after.get(name):
                self._note_change(self._global_key(module_name, name))
        if before.keys() != after.keys():
            # A name appeared or went: the module's own functions record only the
            # globals they found, so every one of them may see it.
            self._note_change(("globals", module_name))
        self._class_attributes(ctx)

    def _run_loaded_body(self, ctx: ModuleContext) -> None:
        """Interpret the body of a module just loaded on demand, in the middle of the unit
        that needed it, so that the units after it in this round find its globals instead of
        running again once they appear (saleor: `User` of saleor/account/models.py, read by 344
        units before the next round ran its body). It runs again with the next round's."""
        if self._ahead_depth >= MAX_RUN_AHEAD:
            return
        # The running module's functions do not run ahead from inside this body: a failure
        # there would be recorded against this module, and theirs would go on.
        with self._nested(ahead=set()):
            ctx.steps = 0
            with self._isolated(ctx):
                self._run_body(ctx)

    def _run_function(self, ctx: ModuleContext, info: FunctionInfo) -> None:
        """Interpret one function of the module being run and store its summary."""
        qual = info.qualname
        self._ahead.discard(qual)
        self._ran.add(qual)
        self._start_unit((ctx.module_name, qual))
        enclosing_env = self.closures.get(qual, {})
        if info.enclosing is not None:
            outer = info.enclosing.qualname
            self._uses(("closure-arguments", outer))
            passed = self.closure_arguments.get(outer)
            if passed:
                enclosing_env = dict(enclosing_env)
                for name, flows in passed.items():
                    held = enclosing_env.get(name, CLEAN)
                    enclosing_env[name] = replace(held, flows=merge_flows(held.flows, flows))
        summary = FunctionInterpreter(ctx, info, self._report, enclosing_env).run_function()
        if info.class_qname is not None and concrete(summary.returns):
            # A method returning a credential may override one its base classes call on
            # `self` (see overrides): bases in modules the prefilter skipped are parsed.
            self.library_bases(info.class_qname)
        old = self.summaries.get(qual, _EMPTY_SUMMARY)
        if old.signature() != summary.signature():
            self._note_change(("fn", qual))
        self.summaries[qual] = summary

    def _run_ahead(self, qual: str) -> None:
        """Interpret ``qual`` now, in the middle of the function that calls it, and go on
        with that function; not more than MAX_RUN_AHEAD calls deep. (Functions only run
        ahead of functions: ``_ahead`` is filled once the module body has run.)"""
        if self._ahead_depth >= MAX_RUN_AHEAD:
            return
        info = self.functions[qual]
        with self._nested(self._ahead):
            self._run_function(info.module, info)

    @contextlib.contextmanager
    def _nested(self, ahead: set[str]) -> Iterator[None]:
        """Interpret another unit in the middle of the running one, which goes on afterwards
        with its unit, findings and ``_ahead`` as they were (``ahead``: the functions that
        may run ahead meanwhile); its reads from then on come after the change, so they are
        not stale."""
        current, findings, kept = self._current, self._findings, self._ahead
        self._ahead_depth += 1
        self._ahead = ahead
        try:
            yield
        finally:
            self._ahead_depth -= 1
            self._current, self._findings, self._ahead = current, findings, kept
        self._clock += 1

    def _note_change(self, key: tuple) -> None:
        """``key`` (a summary, field, global, or ``("globals", module)`` for a name that
        appeared or went) changed during the current tick."""
        self._changes[key] = self._clock

    def _start_unit(self, unit: Unit) -> None:
        """Begin interpreting ``unit``: its old findings and dependencies are replaced."""
        self._findings = self._findings_by_unit.setdefault(unit, {})
        self._findings.clear()
        self._current = unit
        # Created on the first use: most units read nothing from other units.
        for key in self._deps.pop(unit, ()):
            del self._readers[key][unit]
        self._clock += 1
        self._started[unit] = self._clock

    def uses_own_global(self, module_name: str, name: str) -> None:
        """The function being interpreted read global ``name`` of its own module."""
        self._uses(self._global_key(module_name, name))

    def _global_key(self, module_name: str, name: str) -> tuple[str, str, str]:
        """``("global", module_name, name)``: one tuple for all the units that read it."""
        key = ("global", module_name, name)
        return self._global_keys.setdefault(key, key)

    def _uses(self, key: tuple) -> None:
        """Record that the unit being interpreted used ``key`` (a summary, field, global),
        with the tick of its first use."""
        unit = self._current
        if unit is not None:
            deps = self._deps.setdefault(unit, {})
            if key not in deps:
                deps[key] = self._clock
                self._readers.setdefault(key, {})[unit] = self._clock

    @staticmethod
    def _module_globals_signature(ctx: ModuleContext) -> dict:
        return {name: _value_signature(v) for name, v in ctx.globals.items()}

    def request_module(self, qname: str, on_behalf_of: Unit | None = None) -> None:
        """A call or read needs ``qname`` from a project module not yet parsed: load it,
        following re-exports (``from .auth import current_token`` in ``pkg/__init__.py``).
        The unit that made the call (by default, the one running) runs again after it."""
        if self.loader is None:
            return
        for name, module in self._modules_defining(qname):
            if module is not None:
                if on_behalf_of is not None and (on_behalf_of, name) not in self._served:
                    # Loaded meanwhile for someone else: the unit that waited for it runs
                    # again (once) to see it.
                    self._served.add((on_behalf_of, name))
                    self._requesters.add(on_behalf_of)
                return
            self._requested.add(name)
            ctx = self.loader(name)
            if ctx is not None:
                self._new_modules.add(ctx.module_name)
                requester = on_behalf_of or self._current
                if requester is not None:
                    self._requesters.add(requester)
                if self._current is not None:
                    self._run_loaded_body(ctx)
                return

    def loadable(self, qname: str) -> bool:
        """Whether ``request_module(qname)`` would find a project module to parse."""
        if self.locator is None:
            return False
        return any(
            module is None and self.locator(name) for name, module in self._modules_defining(qname)
        )

    def _modules_defining(
        self, qname: str, depth: int = 0
    ) -> Iterator[tuple[str, ModuleContext | None]]:
        """The modules that may define ``qname``, longest name first: ``(name, None)`` for each
        not requested yet, and last ``(name, module)`` for a parsed one (after re-exports)."""
        if not qname or depth > 8:
            return
        parts = qname.replace("()", "").split(".")
        for end in range(len(parts), 0, -1):
            name = ".".join(parts[:end])
            module = self.module(name)
            if module is not None:
                target = _reexported(module, parts[end:])
                if target is not None:
                    yield from self._modules_defining(target, depth + 1)
                else:
                    yield module.module_name, module
                return
            if self._is_awaited(name):
                return  # parsed by this scan, and added later: not to be loaded on demand
            if name not in self._requested:
                yield name, None

    def _healthy_modules(self) -> Iterator[ModuleContext]:
        """Modules in name order, skipping those whose analysis failed."""
        for name in sorted(self.modules):
            if name not in self.failures:
                yield self.modules[name]

    @contextlib.contextmanager
    def _isolated(self, ctx: ModuleContext) -> Iterator[None]:
        """An exception while analysing ``ctx`` stops that module, never the whole project."""
        try:
            yield
        except Exception as exc:  # noqa: BLE001 - recorded in failures, reported per file
            self.failures.setdefault(ctx.module_name, exc)

    def _decorated_tools(self, module_names: Sequence[str]) -> list[tuple[FunctionInfo, ToolSpec]]:
        """The decorated and class-based tools of these modules (and of modules their
        decorators load)."""
        found: list[tuple[FunctionInfo, ToolSpec]] = []
        # Module globals first, so that `@agent.tool` resolves `agent` imported from another
        # module (`from app.agent import agent`) to what that module made of it; that module
        # is read even when it was not scanned.
        self._new_modules = set()
        wanted = set(module_names)
        for ctx in [c for c in self._healthy_modules() if c.module_name in wanted]:
            for info in ctx.functions.values():
                for decorator in info.node.decorators:
                    root = _root_name(decorator.decorator)
                    if root in ctx.imports:
                        self.request_module(ctx.imports[root])
        wanted |= self._new_modules
        targets = [c for c in self._healthy_modules() if c.module_name in wanted]
        for ctx in targets:
            with self._isolated(ctx):
                ctx.steps = 0
                ctx.globals = FunctionInterpreter(ctx, None, lambda hit, flow: None).run_module()
        for ctx in targets:
            hits = self.awaited_hits
            with self._isolated(ctx):
                found.extend(self._module_tools(ctx))
            if self.awaited_hits != hits:
                self._tools_to_recheck.add(ctx.module_name)
        return found

    def _recheck_tools(self) -> None:
        """Look again for the tools of the modules in which a lookup found an awaited module,
        now that none is: those whose tools differ run again."""
        for name in sorted(self._tools_to_recheck):
            ctx = self.modules.get(name)
            if ctx is None or name in self.failures:
                continue
            old = [(info, tool) for info, tool in self._decorated if info.module is ctx]
            globals_before = ctx.globals
            new: list[tuple[FunctionInfo, ToolSpec]] = []
            with self._isolated(ctx):
                new = self._module_tools(ctx)
            if [(i.qualname, t) for i, t in new] == [(i.qualname, t) for i, t in old]:
                ctx.globals = globals_before
                continue
            for info, tool in old:
                if self.tool_specs.get(info.qualname) is tool:
                    del self.tool_specs[info.qualname]
            kept = [entry for entry in self._decorated if entry[0].module is not ctx]
            self._decorated = kept + new
            for info, tool in new:
                self.tool_specs.setdefault(info.qualname, tool)
            self._tool_modules.add(name)
        self._tools_to_recheck = set()

    def _module_tools(self, ctx: ModuleContext) -> list[tuple[FunctionInfo, ToolSpec]]:
        found = []
        ctx.steps = 0
        ctx.globals = FunctionInterpreter(ctx, None, lambda hit, flow: None).run_module()
        for qual in sorted(ctx.functions):
            info = ctx.functions[qual]
            probe = FunctionInterpreter(ctx, info, lambda hit, flow: None)
            qnames = [probe._decorator_qname(d) for d in info.node.decorators]
            for tool in self.packs.tools:
                if any(tool.decorators.matches(q) for q in qnames):
                    found.append((info, tool))
                    break
        # Class-based tools: BaseTool subclasses and their _run / forward methods.
        for class_qname, node in sorted(ctx.classes.items()):
            probe = FunctionInterpreter(ctx, None, lambda hit, flow: None)
            bases = [probe.qname_of(b.value) for b in node.bases]
            for tool in self.packs.tools:
                if not tool.methods or not any(tool.base_classes.matches(b) for b in bases):
                    continue
                for method in sorted(tool.methods):
                    info = ctx.functions.get(f"{class_qname}.{method}")
                    if info is not None:
                        found.append((info, tool))
                break
        return found

    # --- tool parameters (OBO201 in the built-in packs) ---------------------------------

    def _hidden_parameter(
        self,
        info: FunctionInfo,
        tool: ToolSpec,
        index: int,
        param: cst.Param,
        probe: FunctionInterpreter,
    ) -> bool:
        """True when the framework keeps this parameter out of the model's tool schema."""
        name = param.name.value
        if index == 0 and info.is_method and name in ("self", "cls"):
            return True
        if param.star in ("*", "**"):  # *args / **kwargs are not in the tool's schema
            return True
        if name in tool.hidden_names or name in self.tool_hidden.get(info.qualname, ()):
            return True
        annotation = param.annotation.annotation if param.annotation else None
        if annotation is not None and any(
            tool.hidden_annotations.matches(q) for q in probe.annotation_qnames(annotation)
        ):
            return True
        if annotation is not None and _hidden_by_metadata(annotation, tool.hidden_metadata_keys):
            return True
        return isinstance(param.default, cst.Call) and tool.hidden_defaults.matches(
            probe.qname_of(param.default.func)
        )

    def _check_tool_parameters(self, info: FunctionInfo, tool: ToolSpec) -> None:
        ctx = info.module
        probe = FunctionInterpreter(ctx, info, lambda hit, flow: None)
        for index, param in enumerate(info.params):
            name = param.name.value
            if self._hidden_parameter(info, tool, index, param, probe):
                continue
            annotation = param.annotation.annotation if param.annotation else None
            if probe._non_secret_annotation(annotation):
                continue
            credential = names.credential_word(name)
            default_secret = False
            if credential is None and param.default is not None:
                default_secret = probe.eval(param.default, {}).tainted
            if credential is None and not default_secret:
                continue
            loc = ctx.location(param)
            why = (
                f"parameter `{name}` is named like a credential ({credential})"
                if credential
                else f"the default of `{name}` is a credential and appears in the tool schema"
            )
            hit = SinkHit(
                rule=tool.rule,
                location=loc,
                note=f"parameter `{name}` of tool `{info.name}()` is filled in by the model",
                fix=tool.fix,
                scope=info.qualname,
                sink_text=f"{info.name}({name})",
                tool=info.name,
            )
            flow = Flow(
                labels=frozenset({"credential"}),
                steps=(
                    TraceStep(
                        ctx.location(info.node.name), f"`{info.name}()` is a {tool.framework} tool"
                    ),
                    TraceStep(loc, why),
                ),
                source_kind="tool-parameter",
            )
            self._report(hit, flow)

    def check_tool_schema(
        self, ctx: ModuleContext, schema: cst.BaseExpression, spec: ToolSchema, scope: str
    ) -> None:
        """A finding of ``spec``'s rule for each property named like a credential in the tool
        schemas of a literal written in the code (`tools=[{..., "parameters": {"properties":
        {...}}}]`), or of a module-level name bound once to one."""
        bound = self._bound(ctx)

        def resolve(name: cst.Name) -> cst.BaseExpression | None:
            binding = bound.get(name.value)
            return binding.value if binding is not None else None

        for tool_name, key_node, name in _schema_properties(schema, resolve):
            credential = names.credential_word(name)
            if credential is None:
                continue
            loc = ctx.location(key_node)
            hit = SinkHit(
                rule=spec.rule,
                location=loc,
                note=f"property `{name}` of tool `{tool_name}` is filled in by the model",
                fix=spec.fix,
                scope=scope,
                sink_text=f"{tool_name}({name})",
                tool=tool_name,
            )
            step = (
                f"property `{name}` of a {spec.framework} tool schema is named like a "
                f"credential ({credential})"
            )
            flow = Flow(
                labels=frozenset({"credential"}),
                steps=(TraceStep(loc, step),),
                source_kind="tool-parameter",
            )
            self._report(hit, flow)

    # --- findings ------------------------------------------------------------------------

    def _report(self, hit: SinkHit, flow: Flow) -> None:
        if hit.rule not in self.enabled:
            return
        rule = self.packs.rule(hit.rule)
        if not rule.requires <= flow.labels or flow.source_kind in hit.exclude_kinds:
            return
        source = flow.steps[0]
        message = rule.message.format(
            kind="Inbound bearer token" if INBOUND in flow.labels else "Credential",
            source_line=source.location.line,
            source_note=source.note,
            sink=hit.note,
            tool=hit.tool or "",
            fix=hit.fix or rule.fix,
        )
        finding = Finding(
            rule=rule.id,
            name=rule.name,
            severity=rule.severity,
            location=hit.location,
            message=message,
            trace=flow.steps,
            scope=hit.scope,
            sink_text=hit.sink_text,
            source_kind=flow.source_kind,
        )
        key = (rule.id, hit.location)
        rank = (_SOURCE_RANK.get(flow.source_kind, 0), len(flow.steps))
        kept = self._findings.get(key)
        if (
            kept is None
            or rank < kept[0]
            # Equally good traces: the first by position, not the first met (request state
            # stored by two middlewares is read in whichever order the modules ran).
            or (rank == kept[0] and _trace_order(finding) < _trace_order(kept[1]))
        ):
            self._findings[key] = (rank, finding)


def _trace_order(finding: Finding) -> tuple:
    """A total order of traces by their steps' positions and notes."""
    return tuple(
        (step.location.path, step.location.line, step.location.column, step.note)
        for step in finding.trace
    )


def _attribute_stores(ctx: ModuleContext) -> AttributeStores:
    """Every ``owner.attr = value`` of a module (function, method, class and module bodies),
    per attribute: ``(class, object)`` where ``class`` is the class of the method whose own
    receiver is the owner (else None), and ``object`` the constructed object stored
    (``pkg.Codec()``, see _builds_plain_object), ``bool()`` for a truth value (see _is_flag)
    or None for anything else."""
    stores: AttributeStores = {}
    probe = FunctionInterpreter(ctx, None, lambda hit, flow: None)
    key_value_methods = ctx.packs.propagation.key_value_methods
    bodies: list[
        tuple[Sequence[cst.CSTNode], str | None, str | None, frozenset[str], FunctionInfo | None]
    ] = [(ctx.module.body, None, None, frozenset(), None)]
    bodies.extend((node.body.body, None, None, frozenset(), None) for node in ctx.classes.values())
    for info in ctx.functions.values():
        receiver = info.params[0].name.value if info.is_method and info.params else None
        flags = frozenset(p.name.value for p in info.params if _declared_flag(p.annotation))
        bodies.append((info.node.body.body, info.class_qname, receiver, flags, info))
    for body, class_qname, receiver, flags, info in bodies:
        typed = _typed_parameters(ctx, info) if receiver is not None else {}
        for small in _small_statements(body):
            for attr, owner, value in _attribute_assignments(small):
                built = None
                first = first_pipe_step(value) if value is not None else None
                if receiver is not None and owner == receiver and isinstance(first, cst.Call):
                    default = _default_object(first)
                    if default is not None:
                        # self.history = store.setdefault(sid, ChatHistory()): one like it.
                        first = default
                    callee = probe.qname_of(first.func)
                    factory = ctx.project.functions.get(callee) if callee else None
                    # A project class whatever its name (`_TTSOptions`, `ZZZ`).
                    known = callee is not None and callee in ctx.project.class_modules
                    if callee and _builds_plain_object(callee, first, known):
                        built = f"{callee}()"
                    elif factory is not None and factory.class_qname is None:
                        # self.history = history_for(user): the library object its declared
                        # return type names (see Project.declared_object).
                        built = ctx.project.declared_object(factory)
                elif (
                    receiver is not None
                    and owner == receiver
                    and first is not value
                    and isinstance(first, cst.Attribute)
                    and _is_name(first.value, receiver)
                ):
                    # self.chain = self.prompt | model: what the chain's first step is.
                    built = _SAME_AS + first.attr.value
                elif (
                    receiver is not None
                    and owner == receiver
                    and type(value) is cst.Name
                    and value.value in typed
                ):
                    # self.settings = settings, declared `settings: Settings`: that object.
                    built = None if _rebinds(info, value.value) else typed[value.value]  # type: ignore[arg-type]
                if (
                    built is None
                    and receiver is not None
                    and owner == receiver
                    and builds_mapping(value, key_value_methods)
                ):
                    # self.headers = {}: a dict, and a loop over it goes over its keys.
                    built = _MAPPING
                if (
                    built is None
                    and receiver is not None
                    and owner == receiver
                    and type(value) is cst.Name
                    and value.value == "None"
                ):
                    # self._session = None until a method opens one: what that one stores.
                    built = _NOTHING
                if (
                    built is None
                    and receiver is not None
                    and owner == receiver
                    and _is_flag(value, flags)
                ):
                    # `self.authorization = True`, or a parameter declared `bool`: a flag,
                    # whatever its name says.
                    built = "bool()"
                owner_class = class_qname if receiver is not None and owner == receiver else None
                stores.setdefault(attr, []).append((owner_class, built))
    return stores


def _default_object(call: cst.Call) -> cst.Call | None:
    """``Default()`` of ``mapping.setdefault(key, Default())`` or ``.get(key, Default())``:
    what the call returns is an object like it."""
    if (
        isinstance(call.func, cst.Attribute)
        and call.func.attr.value in ("setdefault", "get")
        and len(call.args) == 2
        and call.args[1].keyword is None
        and not call.args[1].star
        and isinstance(call.args[1].value, cst.Call)
    ):
        return call.args[1].value
    return None


def _typed_parameters(ctx: ModuleContext, info: FunctionInfo | None) -> dict[str, str]:
    """The parameters of a method declared as an object of a class (``settings: Settings``,
    ``client: Optional[Client]``): each with that object (``pkg.Settings()``); see _rebinds."""
    if info is None:
        return {}
    found: dict[str, str] = {}
    for param in info.params[1:]:
        if param.annotation is None or param.star:
            continue
        name = dotted(without_optional(param.annotation.annotation))
        if name is None or not last_name(name)[:1].isupper() or name in _GENERIC_TYPES:
            continue
        found[param.name.value] = f"{ctx.qualified(name)}()"
    return found


def _rebinds(info: FunctionInfo, name: str) -> bool:
    """Whether the body of ``info`` assigns ``name`` (a simple statement binding it; the
    full walk of ``bound_names`` costs a visit of the body, for every method with a typed
    parameter)."""
    for small in _small_statements(info.node.body.body):
        targets: list[cst.BaseExpression] = []
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
            targets = [small.target]
        if any(name in bound_names(t) for t in targets):
            return True
    return False


# Annotations that name no class of objects the packs or the project describe.
_GENERIC_TYPES = frozenset(
    {"Any", "typing.Any", "Callable", "typing.Callable", "Type", "typing.Type", "Self"}
)


def _declared_flag(annotation: cst.Annotation | None) -> bool:
    """An annotation of a truth value or a number (``bool``, ``int``, ``Optional[float]``,
    ``int | None``): what no secret is stored as (``session_key: int`` is an id)."""
    if annotation is None:
        return False
    inner = without_optional(annotation.annotation)
    return isinstance(inner, cst.Name) and inner.value in ("bool", "int", "float")


def _is_name(node: cst.BaseExpression, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


def _is_flag(value: cst.BaseExpression, flag_params: frozenset[str]) -> bool:
    """A value that is a truth value: ``True``/``False``, a comparison, ``not x``, ``bool(x)``,
    a parameter declared ``bool``, or ``and``/``or`` of those."""
    if isinstance(value, cst.Name):
        return value.value in ("True", "False") or value.value in flag_params
    if isinstance(value, cst.Comparison):
        return True
    if isinstance(value, cst.UnaryOperation):
        return isinstance(value.operator, cst.Not)
    if isinstance(value, cst.BooleanOperation):
        return _is_flag(value.left, flag_params) and _is_flag(value.right, flag_params)
    return isinstance(value, cst.Call) and _is_name(value.func, "bool")


def _string_constants(
    bound: dict[str, cst.Assign | cst.AnnAssign],
) -> dict[str, str | tuple[str, ...]]:
    """Of the names a module body binds once (``bound``), those it assigns a string literal, or
    a tuple, list or set of them."""
    found: dict[str, str | tuple[str, ...]] = {}
    for name, statement in bound.items():
        strings = _literal_strings(statement.value) if statement.value is not None else None
        if strings is not None:
            found[name] = strings
    return found


def _schema_properties(
    node: cst.BaseExpression, resolve: Callable[[cst.Name], cst.BaseExpression | None]
) -> Iterator[tuple[str, cst.BaseExpression, str]]:
    """``(tool, key node, property)`` for each property of the JSON schemas in a literal: the
    keys of every dict under a ``"properties"`` key, but those whose schema says a number or
    a truth value; the tool is the nearest enclosing ``"name"``. A name in it is read as what
    ``resolve`` gives (a module-level name bound once: `tools=[LOOKUP_SCHEMA]`)."""
    stack: list[tuple[cst.BaseExpression, str]] = [(node, "tool")]
    resolved: set[str] = set()
    while stack:
        current, tool = stack.pop()
        if isinstance(current, cst.Name):
            if current.value not in resolved:
                resolved.add(current.value)
                value = resolve(current)
                if value is not None:
                    stack.append((value, tool))
            continue
        if isinstance(current, (cst.List, cst.Tuple)):
            stack.extend((e.value, tool) for e in current.elements if isinstance(e, cst.Element))
            continue
        if not isinstance(current, cst.Dict):
            continue
        entries = [e for e in current.elements if isinstance(e, cst.DictElement)]
        named = next(
            (string_value(e.value) for e in entries if string_value(e.key) == "name"), None
        )
        tool = named or tool
        for entry in entries:
            if string_value(entry.key) == "properties" and isinstance(entry.value, cst.Dict):
                for prop in entry.value.elements:
                    if not isinstance(prop, cst.DictElement):
                        continue
                    name = string_value(prop.key)
                    if name is not None and not _scalar_schema(prop.value):
                        yield tool, prop.key, name
            stack.append((entry.value, tool))


def _scalar_schema(node: cst.BaseExpression) -> bool:
    """A property schema of a number or a truth value (``{"type": "integer"}``)."""
    if not isinstance(node, cst.Dict):
        return False
    for entry in node.elements:
        if isinstance(entry, cst.DictElement) and string_value(entry.key) == "type":
            return string_value(entry.value) in ("integer", "number", "boolean")
    return False


# Methods that change the dict or list they are called on.
_MUTATING_METHODS = frozenset(
    {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "append", "extend"}
)


def _changed_names(module: cst.Module) -> frozenset[str]:
    """The names a module changes anywhere, besides binding them: declared ``global``, stored
    into or deleted from by item or attribute, augmented, or called a mutating method on."""
    found: set[str] = set()

    class Changes(cst.CSTVisitor):
        def visit_Global(self, node: cst.Global) -> None:
            found.update(item.name.value for item in node.names)

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            if isinstance(node.target, (cst.Subscript, cst.Attribute)):
                root = node.target.value
                if isinstance(root, cst.Name):
                    found.add(root.value)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if isinstance(node.target, cst.Name):
                found.add(node.target.value)

        def visit_Del(self, node: cst.Del) -> None:
            target = node.target
            if isinstance(target, (cst.Subscript, cst.Attribute)) and isinstance(
                target.value, cst.Name
            ):
                found.add(target.value.value)

        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if (
                isinstance(func, cst.Attribute)
                and isinstance(func.value, cst.Name)
                and func.attr.value in _MUTATING_METHODS
            ):
                found.add(func.value.value)

    module.visit(Changes())
    return frozenset(found)


def _assigned_once(ctx: ModuleContext) -> dict[str, cst.Assign | cst.AnnAssign]:
    """The names a module body (outside its functions and classes; in its `if` and `try`
    blocks too) binds once, by a plain or annotated assignment to the name alone: that
    assignment."""
    found: dict[str, cst.Assign | cst.AnnAssign] = {}
    assigned: Counter[str] = Counter()
    for small in _small_statements(ctx.module.body):
        targets: list[cst.BaseExpression] = []
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
            targets = [small.target]
        for target in targets:
            for name in bound_names(target):
                assigned[name] += 1
                if isinstance(target, cst.Name) and isinstance(small, (cst.Assign, cst.AnnAssign)):
                    found[name] = small
    return {name: statement for name, statement in found.items() if assigned[name] == 1}


def _literal_strings(node: cst.BaseExpression) -> str | tuple[str, ...] | None:
    """A string literal's text, or the texts of a tuple, list, set or ``frozenset(...)`` of
    string literals; else None."""
    if isinstance(node, cst.SimpleString):
        return key_literal(node)
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value in ("frozenset", "set", "tuple")
        and len(node.args) == 1
    ):
        node = node.args[0].value
    if not isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        return None
    texts = []
    for element in node.elements:
        value = element.value if isinstance(element, cst.Element) else None
        text = key_literal(value) if isinstance(value, cst.SimpleString) else None
        if text is None:
            return None
        texts.append(text)
    return tuple(texts)


def _stored_objects(stores: AttributeStores, class_qname: str) -> dict[str, str | None]:
    """Per attribute of a class: the object (``pkg.Codec()``) when every assignment to that
    attribute name in the module stores the same one in the class's own methods, else None."""
    found: dict[str, str | None] = {}
    for attr, entries in stores.items():
        if not any(owner == class_qname for owner, _ in entries):
            continue
        # What another class's methods store on their own objects under that name is not
        # this class's (`self.history` of two classes of one module); a store from outside
        # any method (`obj.history = ...`) may be.
        objects = {
            built if owner == class_qname else None
            for owner, built in entries
            if owner is None or owner == class_qname
        }
        objects.discard(_NOTHING)  # set to None, then to an object: that object
        found[attr] = objects.pop() if len(objects) == 1 else None
    # Resolved from the attributes as stored, so the order in which they come does not matter.
    stored = dict(found)
    for attr, built in stored.items():
        if built is not None and built.startswith(_SAME_AS):
            same = stored.get(built[len(_SAME_AS) :])
            found[attr] = None if same is None or same.startswith(_SAME_AS) else same
    return found


# An attribute that stores what another attribute of the same object holds (see
# _stored_objects): this prefix, then that attribute's name.
_SAME_AS = "same-as:"
# An attribute that stores a dict keyed by written strings (see _attribute_stores).
_MAPPING = "{}"
# An attribute set to None (see _attribute_stores): no object, until a store of one.
_NOTHING = "None"


def _small_statements(body: Sequence[cst.CSTNode]) -> Iterator[cst.BaseSmallStatement]:
    """Every simple statement of a body, in nested blocks too, but not in nested functions
    or classes (they are units of their own)."""
    stack: list[cst.CSTNode] = list(body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, cst.SimpleStatementLine):
            yield from stmt.body
        elif isinstance(stmt, cst.BaseSmallStatement):
            yield stmt
        elif isinstance(stmt, cst.Match):
            for case in stmt.cases:
                stack.extend(case.body.body)
        elif isinstance(stmt, (cst.For, cst.While)):
            stack.extend(stmt.body.body)
            if stmt.orelse is not None:
                stack.extend(stmt.orelse.body.body)
        elif not isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            stack.extend(_body_of(stmt))


def _attribute_assignments(
    small: cst.BaseSmallStatement,
) -> Iterator[tuple[str, str | None, cst.BaseExpression | None]]:
    """``(attr, owner, value)`` for each ``owner.attr = value`` here; ``value`` is None when
    it is not the attribute's alone (``a.x, a.y = f()``, ``a.x += 1``), ``owner`` None when it
    is not a plain name."""
    targets: list[tuple[cst.BaseExpression, cst.BaseExpression | None]] = []
    if isinstance(small, cst.Assign):
        targets = [(t.target, small.value) for t in small.targets]
    elif isinstance(small, cst.AnnAssign):
        targets = [(small.target, small.value)]
    elif isinstance(small, cst.AugAssign):
        targets = [(small.target, None)]
    while targets:
        target, value = targets.pop()
        if isinstance(target, (cst.Tuple, cst.List)):
            targets.extend((element.value, None) for element in target.elements)
        elif isinstance(target, cst.StarredElement):
            targets.append((target.value, None))
        elif isinstance(target, cst.Attribute):
            owner = target.value.value if isinstance(target.value, cst.Name) else None
            yield target.attr.value, owner, value


def _returned_object(info: FunctionInfo) -> str | None:
    """``callee()`` when every ``return`` in ``info`` returns a call of ``callee`` (directly or
    through a local variable that only such calls are assigned to); a method called on a local
    bound once to a call counts as that call's (``builder = Graph(S)`` then ``return
    builder.compile()``: ``Graph().compile()``)."""
    probe = FunctionInterpreter(info.module, None, lambda hit, flow: None)
    returned: list[cst.BaseExpression | None] = []
    assigned: dict[str, list[cst.BaseExpression | None]] = {}
    for small in _small_statements(info.node.body.body):
        if isinstance(small, cst.Return):
            returned.append(small.value)
        elif isinstance(small, cst.Assign):
            for target in small.targets:
                for name in bound_names(target.target):
                    single = isinstance(target.target, cst.Name)
                    assigned.setdefault(name, []).append(small.value if single else None)
        elif isinstance(small, (cst.AnnAssign, cst.AugAssign)):
            for name in bound_names(small.target):
                value = small.value if isinstance(small, cst.AnnAssign) else None
                assigned.setdefault(name, []).append(value)
    calls: list[cst.BaseExpression | None] = []
    for value in returned:
        if isinstance(value, cst.Name) and value.value in assigned:
            calls.extend(assigned[value.value])
        else:
            calls.append(value)

    parameters = {p.name.value for p in parameters_in_order(info.node.params)}

    def callee_of(call: cst.BaseExpression | None) -> str | None:
        if not isinstance(call, cst.Call):
            return None
        func = call.func
        if _root_name(func) in parameters:
            # `self._histories.setdefault(key, ...)`: a method of what the caller passed, not a
            # name this module can look up.
            return None
        if (
            isinstance(func, cst.Attribute)
            and isinstance(func.value, cst.Name)
            and len(assigned.get(func.value.value, ())) == 1
        ):
            (bound,) = assigned[func.value.value]
            if isinstance(bound, cst.Call):
                receiver = probe.qname_of(bound.func)
                return f"{receiver}().{func.attr.value}" if receiver else None
        return probe.qname_of(func)

    callees = {callee_of(call) for call in calls}
    if len(callees) != 1:
        return None
    (callee,) = callees
    return f"{callee}()" if callee else None


def _reexported(module: ModuleContext, rest: list[str]) -> str | None:
    """What ``module.<rest>`` names when ``module`` imports it from elsewhere (a re-export:
    ``app.f`` → ``app.prompts.f``), else None."""
    if rest and rest[0] in module.imports:
        return ".".join([module.imports[rest[0]], *rest[1:]])
    return None


def last_name(qname: str) -> str:
    """``pkg.mod.Class`` → ``Class``; a module kept under ``name@path`` is ``name``."""
    return qname.partition("@")[0].rpartition(".")[2]


def _builds_plain_object(callee: str, call: cst.Call, is_class: bool = False) -> bool:
    """Whether ``callee(...)`` builds an object that holds no secret: a class, and if its name
    says it wraps a credential (``AccessToken(secret())``), one built from settings only
    (``TokenCodec([self.algorithm])``)."""
    owner, _, last = callee.rpartition(".")
    if is_class or names.is_class_name(callee):
        class_name = last
    elif last.startswith("from_") and names.is_class_name(owner):
        # ChatPromptTemplate.from_messages(...): an alternate constructor of the class.
        class_name = owner.rpartition(".")[2]
    else:
        return False
    if not names.is_credential_wrapper(class_name):
        return True
    return all(_is_setting(arg.value) for arg in call.args)


def _is_setting(node: cst.BaseExpression) -> bool:
    """A number, a short string, an attribute not named like a credential
    (``self.algorithm``), or a list of such: what configures an object, not a secret it would
    hold (a bare name may be anything: ``AccessToken(value)``)."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.SimpleString):
        return len(node.value) <= 24
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        return all(_is_setting(e.value) for e in node.elements)
    if isinstance(node, cst.Attribute):  # self.algorithm: the object's own configuration
        return not names.is_credential_name(node.attr.value)
    return isinstance(node, cst.Name) and node.value in ("None", "True", "False")


def _keys_signature(keys: dict[str, tuple[Flow, ...]] | None) -> dict | None:
    return None if keys is None else {name: {f.key() for f in fl} for name, fl in keys.items()}


def _value_signature(value: Value) -> tuple:
    """What a reader of ``value`` can see: its flows, its name and its per-key values."""
    return (
        frozenset(f.key() for f in value.flows),
        value.qname,
        tuple((key, _value_signature(item)) for key, item in value.fields),
    )


def _materialized(finding: Finding) -> Finding:
    """The finding with concrete locations (positions computed only for what is reported)."""
    return replace(
        finding,
        location=materialize(finding.location),
        trace=tuple(TraceStep(materialize(s.location), s.note) for s in finding.trace),
    )


def _root_name(node: cst.BaseExpression) -> str | None:
    """``agent`` for ``agent.tool``, ``agent.tool(...)`` and ``agent``."""
    while True:
        if isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Name):
            return node.value
        else:
            return None


def _bound_names(call: cst.Call, keywords: frozenset[str]) -> set[str]:
    """Parameter names in ``partial_params={"token": t}`` / ``inputs_from_state={"k": "p"}``."""
    names_found: set[str] = set()
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value not in keywords:
            continue
        if isinstance(arg.value, cst.Dict):
            for item in arg.value.elements:
                if isinstance(item, cst.DictElement):
                    for part in (item.key, item.value):
                        if isinstance(part, cst.SimpleString) and isinstance(
                            part.evaluated_value, str
                        ):
                            names_found.add(part.evaluated_value)
    return names_found


def _hidden_by_metadata(annotation: cst.BaseExpression, keys: frozenset[str]) -> bool:
    """``Annotated[str, {"include_in_function_choices": False}]`` hides the parameter."""
    if not keys or not isinstance(annotation, cst.Subscript):
        return False
    for element in annotation.slice[1:]:
        meta = element.slice.value if isinstance(element.slice, cst.Index) else None
        if isinstance(meta, cst.Dict):
            for item in meta.elements:
                if (
                    isinstance(item, cst.DictElement)
                    and isinstance(item.key, cst.SimpleString)
                    and item.key.evaluated_value in keys
                    and isinstance(item.value, cst.Name)
                    and item.value.value == "False"
                ):
                    return True
    return False


def _body_of(node: cst.CSTNode) -> list[cst.CSTNode]:
    if isinstance(node, cst.Module):
        return list(node.body)
    body = getattr(node, "body", None)
    out: list[cst.CSTNode] = []
    if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)):
        out.extend(body.body)
    if isinstance(node, cst.If) and node.orelse is not None:
        orelse = node.orelse
        if isinstance(orelse, cst.If):
            out.append(orelse)
        else:
            out.extend(orelse.body.body)
    if isinstance(node, (cst.Try, cst.TryStar)):
        for handler in node.handlers:
            out.extend(handler.body.body)
        for block in (node.orelse, node.finalbody):
            if block is not None:
                out.extend(block.body.body)
    return out
