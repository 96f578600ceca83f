"""The flow-sensitive, per-function taint interpreter over LibCST."""

from __future__ import annotations

import ast
import contextlib
import fnmatch
import functools
import re
import string
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import libcst as cst

from obolint import names
from obolint.findings import Location, TraceStep
from obolint.packs import ArgSpec, MarkupRule, Propagation
from obolint.resolve import dotted
from obolint.sourcefiles import is_test_path
from obolint.taint.context import FunctionInfo, ModuleContext, parameters_in_order
from obolint.taint.summaries import (
    CONTEXT_HOLDERS,
    DeferredCall,
    FunctionSummary,
    ParamField,
    ParamSink,
    ParamWrite,
    SinkHit,
    Unit,
    concrete,
    fields_kept,
    keys_left_out,
    param_index,
    passed_under,
    read_key,
    spread_over,
    stored_keys,
    under_key,
    without_keys,
)
from obolint.taint.values import (
    CLEAN,
    CREDENTIAL,
    ERROR_SHOWN,
    GENERIC_NAME,
    MINTED,
    NAMED_ELSEWHERE,
    PAIRS,
    PARAM_NAME,
    PARAM_PREFIX,
    RANDOM,
    SUNK_PREFIX,
    WHOLE_KEY_PREFIX,
    WHOLE_MAPPING,
    Flow,
    Value,
    common_elements,
    fields_cover,
    holds_whole_mapping,
    join,
    join_keyed,
    keys_hold_all,
    merge_flows,
    named,
    not_under_keys,
    whole_mapping_read,
    with_step,
)

# Loops are iterated until the environment stops changing, at most this many times.
MAX_LOOP_PASSES = 3
# Expressions nested deeper than this are not followed (a guard for generated code).
MAX_EXPR_DEPTH = 200
# Lambdas called inside lambdas' bodies: how deep calls are followed (a lambda may call itself).
MAX_LAMBDA_DEPTH = 4
# A loop over a list of functions runs its body once per function up to this many.
MAX_UNROLLED_FUNCTIONS = 8

_NON_SECRET_ANNOTATIONS = frozenset({"int", "float", "bool", "complex", "None"})
# The standard library's enumerations: their members are labels.
_ENUM_BASES = frozenset(
    {"enum.Enum", "enum.StrEnum", "enum.IntEnum", "enum.Flag", "enum.IntFlag", "enum.ReprEnum"}
)
# What an annotation may name besides a masked type and still hold nothing else.
_OPTIONAL_NAMES = frozenset({"None", "typing.Optional", "typing.Union"})
# Calls of the builtins whose results are never a credential, whatever the packs say.
_BUILTIN_STOPPERS = frozenset(
    {"len", "bool", "int", "float", "isinstance", "issubclass", "hash", "id", "type", "callable"}
)
# Decorators that make a method an attribute computed when read.
_PROPERTY_DECORATORS = frozenset({"property", "cached_property"})
# Methods of a string template that fill its `{name}` fields from their arguments.
_TEMPLATE_METHODS = frozenset({"format", "format_map"})
# Methods that take a key out of a dict (`d.pop("client_secret", None)`).
_KEY_REMOVERS = frozenset({"pop"})
_CONTAINER_MUTATORS = frozenset(
    {"append", "extend", "insert", "update", "setdefault", "add", "appendleft", "extendleft"}
)

Env = dict[str, Value]


class _SinkSpec(Protocol):
    """What every sink table of the packs has: the rule it reports, its note and fix text."""

    rule: str
    note: str
    fix: str | None


Reporter = Callable[[SinkHit, Flow], None]


class ExpressionTooDeep(Exception):
    """Raised when an expression nests beyond MAX_EXPR_DEPTH."""


class AnalysisBudgetExceeded(Exception):
    """Raised when one module's analysis takes more than MAX_STEPS_PER_MODULE steps."""


# A per-file budget of expression evaluations per round: steps, not seconds, so the outcome is
# the same on every machine and run. Real modules take a few thousand to a few hundred
# thousand steps; a pathological (generated) file becomes a diagnostic instead of a hang.
MAX_STEPS_PER_MODULE = 3_000_000
# Fewer random bytes than this (64 bits, the least a session identifier needs) are no secret.
MIN_SECRET_BYTES = 8


@dataclass
class Arg:
    """One evaluated call argument."""

    position: int | None  # index among positional arguments, None for keywords and stars
    keyword: str | None  # keyword name, "*" for *args, "**" for **kwargs
    value: Value
    node: cst.BaseExpression


class FunctionInterpreter:
    """Interprets one function body (or a module body) and records flows into sinks."""

    def __init__(
        self,
        ctx: ModuleContext,
        info: FunctionInfo | None,
        report: Reporter,
        enclosing_env: Env | None = None,
    ) -> None:
        self.ctx = ctx
        self.info = info
        self.report = report
        self.scope = info.qualname if info else f"{ctx.module_name}.<module>"
        self.enclosing_env = enclosing_env or {}
        self.returns: list[Value] = []
        self.param_sinks: list[ParamSink] = []
        self.param_fields: list[ParamField] = []
        # (parameter index, key) -> what this function stores into the caller's object.
        self.param_writes: dict[tuple[int, str | None], tuple[Flow, ...]] = {}
        self.deferred: set[DeferredCall] = set()
        self.depth = 0
        self.lambda_depth = 0
        # Loop variables that go over constant strings (`for field in PUBLIC_FIELDS`): a
        # subscript by one reads those keys (see _eval_subscript).
        self._constant_keys: dict[str, frozenset[str]] = {}
        self._unrolling = False  # in the body of a loop run once per function (see exec_stmt)
        # Variables that hold a dict keyed by written strings for sure (see builds_mapping, and
        # `**kwargs`): a loop over one goes over its keys (see _iterates_keys).
        self._mappings: set[str] = set()
        self._not_mappings: set[str] = set()
        # Loop variables and what their loop goes over (see _text_token_read).
        self._loop_sources: dict[str, cst.BaseExpression] = {}
        # Per enclosing `try` body: the environments of branches that left it by raise/return.
        self.try_exits: list[list[Env]] = []
        # Per enclosing `try`: what the errors its body may raise show (see _note_error_shows).
        self.try_errors: list[list[tuple[Flow, ...]]] = []
        # Per loop being run: the states of branches that ended a pass (`continue`, `break`).
        self.loop_exits: list[list[Env]] = []
        self.propagation = ctx.packs.propagation
        self.interesting = ctx.packs.interesting_constants
        # Loop variable -> the loop variable of its key and the items iterated (``for k, v in
        # m.items()``), for tests on the key (see _narrow).
        self._item_keys: dict[str, tuple[str, Value]] = {}
        # Variables bound to one key of a mapping variable (`token = reply.get("access_token")`):
        # the mapping's name and the key, for tests on the variable (see _failed_responses).
        self._key_reads: dict[str, tuple[str, str]] = {}
        # Local variables bound to a constant string (`header = HEADER_NAME.encode("ascii")`),
        # for tests that compare a key with them (see _constant_strings). These and _key_reads
        # hold only for variables bound once (not in a loop, nor again in another branch).
        self._local_strings: dict[str, str] = {}
        self._local_collections: dict[str, tuple[str, ...]] = {}
        # Local variables bound to a list or dict literal (`tools = [{...}]`): a tool schema
        # passed by such a name is that literal (see the tool schemas of _eval_call).
        self._local_literals: dict[str, cst.BaseExpression] = {}
        # What `.append(x)` / `.extend([...])` added to such a local list (see _listed).
        self._local_appends: dict[str, list[cst.BaseExpression]] = {}
        self._bound_once: set[str] = set()
        self._rebound: set[str] = set()

    # --- entry points ----------------------------------------------------------------

    def run_module(self) -> Env:
        """Interpret a module body; returns its final environment (the module globals)."""
        env: Env = {}
        self.exec_block(self.ctx.module.body, env)
        return env

    def run_function(self) -> FunctionSummary:
        """Interpret the function body from its parameters; returns its summary."""
        assert self.info is not None
        env: Env = {}
        for index, param in enumerate(self.info.params):
            env[param.name.value] = self.param_value(index, param)
            if param.star == "**" or (param.star != "*" and _declared_mapping(param.annotation)):
                # Its keys are the caller's keyword names, or those of the dict it is declared.
                self._mappings.add(param.name.value)
        # An indented block or a one-line suite: both hold their statements in `.body`.
        self.exec_block(self.info.node.body.body, env)
        # `return None` (or another value holding nothing) unpacks no caller's tuple: the
        # other returns give the elements.
        shaped = [r for r in self.returns if r.items is not None or r.tainted] or self.returns
        lengths = {len(r.items) if r.items is not None else -1 for r in shaped}
        items = None
        if len(lengths) == 1 and -1 not in lengths:
            items = tuple(
                join(*(r.items[i] for r in shaped))  # type: ignore[index]
                for i in range(lengths.pop())
            )
        fields = None
        if self.returns and all(keys_hold_all(r) for r in self.returns):
            # A key one return does not set holds nothing there.
            fields = tuple(sorted(join_keyed(*self.returns).fields, key=lambda kv: kv[0]))
        elif (
            len(self.returns) == 1
            and self.returns[0].fields
            and not holds_whole_mapping(self.returns[0])
        ):
            # One dict, its keys tracked beside what no key holds (`{"model": m, **kwargs}`
            # then `.update({"aws_secret_access_key": s})`): the caller's `**result` passes
            # each key to its keyword.
            fields = tuple(sorted(self.returns[0].fields, key=lambda kv: kv[0]))
        returned = Value(
            flows=join(*self.returns).flows if self.returns else (),
            items=items,
            fields=fields or (),
        )
        # A parameter named like a credential is one inside its function; what the function
        # returns of it is what each caller passes (`normalize(token)` of an empty string).
        minted = any(MINTED in f.markers for f in returned.flows)
        # What an error's message showed stays where the error was handled (see ERROR_SHOWN).
        returned = _with_flows(
            returned, lambda flows: tuple(f for f in flows if ERROR_SHOWN not in f.markers)
        )
        dropped = {PARAM_NAME}
        if names.is_identifier_name(self.info.name):
            # def new_request_id(): return secrets.token_hex(8): what it mints is an identifier.
            dropped.add(MINTED)
        returned = _with_flows(returned, lambda flows: _without_markers(flows, dropped))
        returns = self.info.node.returns
        if returns is not None and self._masked_annotation(returns.annotation):
            # Declared to return a masked type: what a name says is inside the mask
            # (`return self._token`).
            returned = _with_flows(
                returned, lambda flows: tuple(f for f in flows if f.source_kind != "name")
            )
        return FunctionSummary(
            return_items=None if returned.items is None else tuple(v.flows for v in returned.items),
            return_fields=tuple((key, v.flows) for key, v in returned.fields) or None,
            returns=returned.flows,
            param_sinks=_distinct(self.param_sinks),
            param_fields=_distinct_fields(self.param_fields),
            param_writes=tuple(
                ParamWrite(index, key, flows)
                for (index, key), flows in sorted(self.param_writes.items(), key=str)
            ),
            deferred=frozenset(self.deferred) if self.deferred else _NOTHING_DEFERRED,
            minted=minted,
        )

    # --- parameters --------------------------------------------------------------------

    def param_value(self, index: int, param: cst.Param) -> Value:
        """The initial value of a parameter: symbolic, plus any source the packs or names give."""
        assert self.info is not None
        name = param.name.value
        flows: list[Flow] = [
            self._new_flow(
                param,
                f"parameter `{name}` of `{self.info.name}()`",
                labels=frozenset({f"{PARAM_PREFIX}{index}"}),
                kind="param",
            )
        ]
        qname: str | None = name
        annotation = param.annotation.annotation if param.annotation else None
        if type(annotation) is cst.Name:
            # `token: BearerToken` with a module-level `BearerToken = Annotated[str, marker]`.
            annotation = self.ctx.project.type_aliases(self.ctx).get(annotation.value) or annotation
        if index == 0 and self.info.is_method and name in ("self", "cls"):
            qname = f"{self.info.class_qname}()" if name == "self" else self.info.class_qname
            return named(qname)
        type_arg: str | None = None
        if annotation is None:
            qname = self._conventional_type(name) or qname
        else:
            ann_q = self.annotation_qname(annotation)
            if ann_q and not (
                ann_q in _PLAIN_MAPPINGS and self.ctx.packs.matcher.read_sources(name)
            ):
                # A parameter `headers: dict` says no more than its name, which a source of the
                # packs names (`*.headers`); `request: Request` says what it is.
                qname = f"{ann_q}()"
            if isinstance(annotation, cst.Subscript) and isinstance(
                annotation.slice[0].slice, cst.Index
            ):
                type_arg = self.qname_of(annotation.slice[0].slice.value)
        for spec in self.ctx.packs.parameter_sources:
            if self._parameter_source_matches(spec, param, annotation):
                flows.append(
                    self._new_flow(param, f"{spec.note} (`{name}`)", spec.labels, spec.kind)
                )
        flows.extend(self._injected(param, annotation))
        if (
            names.is_credential_name(name)
            and not self._non_secret_annotation(annotation)
            and not (annotation is not None and self._masks_its_secrets(annotation))
            and not names.is_text_token_parameter(name, self.info.qualname.rsplit(".", 1)[-1])
        ):
            flows.append(
                self._new_flow(
                    param,
                    f"parameter `{name}` is named like a credential",
                    markers=frozenset({PARAM_NAME}),
                    by_name=name,
                )
            )
        if param.default is not None and not isinstance(param.default, cst.Call):
            default = self.eval(param.default, {})
            flows.extend(default.flows)
        return Value(flows=merge_flows(tuple(flows)), qname=qname, type_arg=type_arg)

    def _conventional_type(self, name: str) -> str | None:
        """The instance a framework passes for parameter ``name`` of the function interpreted
        by convention (the packs' ``parameter-type``), e.g. ``framework.Request()``."""
        assert self.info is not None
        for spec in self.ctx.packs.parameter_types:
            if not any(fnmatch.fnmatchcase(self.info.name, f) for f in spec.functions):
                continue
            declared = dict(spec.parameters).get(name)
            if declared is None:
                continue
            present = {p.name.value for p in self.info.params}
            if not all(p in present for p, _ in spec.parameters):
                continue
            if not spec.imports or any(
                imported.split(".", 1)[0] in spec.imports for imported in self.ctx.imports.values()
            ):
                return f"{declared}()"
        return None

    def _injected(self, param: cst.Param, annotation: cst.BaseExpression | None) -> list[Flow]:
        """What the project function given to an injector call of the packs' ``injectors``
        (``Inject(get_bearer)``, the parameter's default or in its annotation's metadata)
        returns, for the parameter."""
        calls = [param.default] if type(param.default) is cst.Call else []
        calls.extend(_annotated_calls(annotation) if annotation is not None else ())
        flows: list[Flow] = []
        for call in calls:
            if not call.args or not self.propagation.injectors.matches(self.qname_of(call.func)):
                continue
            # The injector's argument: a function, or an instance of a project class (its
            # `__call__`).
            dependency = self.ctx.project.function_for(self.qname_of(call.args[0].value))
            if dependency is None:
                continue
            step = TraceStep(
                self.ctx.location(param), f"returned by dependency `{dependency.name}()`"
            )
            returned = concrete(self.ctx.project.summary(dependency.qualname).returns)
            flows.extend(with_step(returned, step))
        return flows

    def _parameter_source_matches(self, spec, param: cst.Param, annotation) -> bool:
        markers: list[cst.Call] = []
        if isinstance(param.default, cst.Call):
            markers.append(param.default)
        if annotation is not None:
            markers.extend(_annotated_calls(annotation))
            if spec.annotations and any(
                spec.annotations.matches(q) for q in self.annotation_qnames(annotation)
            ):
                return not spec.name_is_credential or names.is_credential_name(param.name.value)
        if not spec.markers:
            return False
        for call in markers:
            if not spec.markers.matches(self.qname_of(call.func)):
                continue
            if spec.marker_arg_types:
                if not call.args:
                    continue
                arg_q = self.qname_of(call.args[0].value)
                if not spec.marker_arg_types.matches(arg_q):
                    continue
            if spec.name_is_credential and not names.is_credential_name(param.name.value):
                continue
            return True
        return False

    def _non_secret_annotation(self, annotation: cst.BaseExpression | None) -> bool:
        inner = without_optional(annotation) if annotation is not None else None
        return isinstance(inner, cst.Name) and inner.value in _NON_SECRET_ANNOTATIONS

    def _masks_its_secrets(self, annotation: cst.BaseExpression) -> bool:
        """``token: Masked`` (see _masked_annotation), or ``credentials: APIKeyCredentials``
        where that project model masks every secret it holds (see _masking_model): the
        parameter is no credential by its name."""
        ann_q = self.annotation_qname(annotation)
        if ann_q is not None and self._masking_model(ann_q):
            return True
        return self._masked_annotation(annotation)

    def _masked_annotation(self, annotation: cst.BaseExpression) -> bool:
        """``token: Masked`` or ``-> Masked | None``: a masked type of the packs (or
        None), which shows no secret when formatted; ``.get_secret_value()`` gives it."""
        if not self.propagation.masked_types:
            return False
        found = self.annotation_qnames(annotation)
        masked = [q for q in found if self.propagation.masked_types.matches(q)]
        return bool(masked) and all(q in masked or q in _OPTIONAL_NAMES for q in found)

    def _returns_masked(self, value: Value) -> bool:
        """``value`` is what a project function gives whose return annotation is a masked
        type (``async def get_access_token(self) -> Masked | None``)."""
        if not value.qname or not value.qname.endswith("()") or not self.propagation.masked_types:
            return False
        info = self.ctx.project.function_for(value.qname[:-2])
        if info is None or info.node.returns is None:
            return False
        return self._probe_in(info.module)._masked_annotation(info.node.returns.annotation)

    def annotation_qname(self, annotation: cst.BaseExpression) -> str | None:
        """The qualified name of a simple annotation (``Request``, ``RunContextWrapper[X]``,
        ``Request | None``, ``Optional[Request]``)."""
        node = annotation
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            others = [side for side in (node.left, node.right) if not _is_none(side)]
            if len(others) != 1:
                return None
            node = others[0]
        if (
            isinstance(node, cst.Subscript)
            and len(node.slice) == 1
            and isinstance(node.slice[0].slice, cst.Index)
            and self.qname_of(node.value) == "typing.Optional"
        ):
            node = node.slice[0].slice.value
        if isinstance(node, cst.Subscript):
            node = node.value
        if isinstance(node, (cst.Name, cst.Attribute)):
            return self.qname_of(node)
        return None

    def annotation_qnames(self, annotation: cst.BaseExpression) -> list[str]:
        """Qualified names of every name mentioned in an annotation (Annotated metadata too)."""
        cache = self.ctx.annotation_cache
        found = cache.get(id(annotation))
        if found is not None and found[0] is annotation:
            return found[1]
        out = self._annotation_qnames(annotation)
        cache[id(annotation)] = (annotation, out)
        return out

    def _annotation_qnames(self, annotation: cst.BaseExpression) -> list[str]:
        out: list[str] = []
        stack: list[cst.CSTNode] = [annotation]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Name, cst.Attribute)):
                q = self.qname_of(node)
                if q:
                    out.append(q)
                if isinstance(node, cst.Attribute):
                    continue
            if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
                text = string_literal(node) if isinstance(node, cst.SimpleString) else None
                if isinstance(text, str):
                    with contextlib.suppress(Exception):  # not Python: ignore it
                        stack.append(cst.parse_expression(text))
                continue
            stack.extend(node.children)
        return out

    def qname_of(self, node: cst.BaseExpression) -> str | None:
        """The dotted name an expression refers to, using imports and module globals."""
        value = (
            self.eval(node, {}) if not isinstance(node, cst.Name) else self._lookup_name(node, {})
        )
        return value.qname

    # --- statements --------------------------------------------------------------------

    def exec_block(self, stmts: Sequence[cst.CSTNode], env: Env) -> None:
        """Interpret statements in order, updating ``env``."""
        for stmt in stmts:
            self.exec_stmt(stmt, env)

    def exec_stmt(self, stmt: cst.CSTNode, env: Env) -> None:  # noqa: C901 - a dispatcher
        """Interpret one statement."""
        kind = type(stmt)  # an identity test each: isinstance on LibCST's classes is slow
        if kind is cst.SimpleStatementLine:
            for small in stmt.body:
                self.exec_small(small, env)
        elif kind is cst.If:
            self.eval(stmt.test, env)
            failed_if_true, failed_if_false = self._failed_responses(stmt.test)
            then_env = _without_flows(env, failed_if_true)
            self._narrow(stmt.test, then_env)
            pinned = self._pinned_to_constants(stmt.test, then_env)
            if pinned is not None:
                then_env[pinned] = CLEAN
            self.exec_suite(stmt.body, then_env)
            else_env = _without_flows(env, failed_if_false)
            self._narrow(stmt.test, else_env, negated=True)
            if stmt.orelse is not None:
                if isinstance(stmt.orelse, cst.If):
                    self.exec_stmt(stmt.orelse, else_env)
                else:
                    self.exec_suite(stmt.orelse.body, else_env)
            # A branch that returns or raises does not reach the code after the `if`.
            reaching = []
            for branch_env, suite in ((then_env, stmt.body), (else_env, stmt.orelse)):
                if _leaves_function(suite):
                    if self.try_exits:
                        # Inside a `try` body: an early exit reaches the handlers and `finally`.
                        self.try_exits[-1].append(branch_env)
                elif self.loop_exits and _ends_with(suite, (cst.Continue, cst.Break)):
                    # Nor does one that ends the loop's pass: the loop joins it (see _loop).
                    self.loop_exits[-1].append(branch_env)
                else:
                    reaching.append(branch_env)
            _join_into(env, *(reaching or [then_env, else_env]))
        elif kind is cst.For:
            iterable = self.eval(stmt.iter, env)
            element = CLEAN if self._iterates_keys(stmt.iter, env) else _element_of(iterable)
            targets = self._loop_targets(stmt.iter, stmt.target, _holds_pairs(iterable))
            self._note_item_pair(targets, iterable)
            # One loop deep: loops over lists of functions nested in each other multiply.
            functions = (
                self._functions_in(iterable)
                if isinstance(stmt.target, cst.Name) and not self._unrolling
                else ()
            )
            kept_keys = dict(self._constant_keys)
            self._note_constant_keys(stmt.target, stmt.iter, env)
            if isinstance(stmt.target, cst.Name):
                self._loop_sources[stmt.target.value] = stmt.iter

            def iteration(e: Env) -> None:
                if functions:
                    # for fn in make_tools(key): server.add(fn): each pass calls one function
                    # of a known list (a join would name none).
                    self._unrolling = True
                    try:
                        for function in functions:
                            self.assign(stmt.target, function, e, loop=True)
                            self.exec_suite(stmt.body, e)
                    finally:
                        self._unrolling = False
                    return
                for target, is_clean in targets:
                    self.assign(target, CLEAN if is_clean else element, e, loop=True)
                self.exec_suite(stmt.body, e)

            self._loop(env, iteration)
            self._constant_keys = kept_keys
            if stmt.orelse is not None:
                self.exec_suite(stmt.orelse.body, env)
        elif kind is cst.While:
            self._loop(env, lambda e: (self.eval(stmt.test, e), self.exec_suite(stmt.body, e)))
            if stmt.orelse is not None:
                self.exec_suite(stmt.orelse.body, env)
        elif kind is cst.Try or kind is cst.TryStar:
            self._exec_try(stmt, env)
        elif kind is cst.With:
            for item in stmt.items:
                value = self.eval(item.item, env)
                if item.asname is not None:
                    # `with vault.lease() as api_token`: named as a local assigned it would be.
                    self.assign(item.asname.name, value, env, value_node=item.item)
            self.exec_suite(stmt.body, env)
        elif kind is cst.Match:
            subject = self.eval(stmt.subject, env)
            branches = []
            for case in stmt.cases:
                c_env = dict(env)
                self._bind_pattern(case.pattern, subject, c_env)
                if case.guard is not None:
                    self.eval(case.guard, c_env)
                self.exec_suite(case.body, c_env)
                branches.append(c_env)
            branches.append(dict(env))
            _join_into(env, *branches)
        elif kind is cst.FunctionDef:
            # A nested function is analysed on its own (see project); it sees the variables
            # of this scope as they are where it is defined (a closure).
            prefix = self.info.qualname if self.info else self.ctx.module_name
            qual = f"{prefix}.{stmt.name.value}"
            if self.info is not None:
                self.ctx.project.capture(qual, {**self.enclosing_env, **env})
                self._register_decorated_tool(stmt, qual, env)
            env[stmt.name.value] = named(qual)
        elif kind is cst.ClassDef:
            prefix = self.info.qualname if self.info else self.ctx.module_name
            env[stmt.name.value] = named(f"{prefix}.{stmt.name.value}")

    def _bind_pattern(self, pattern: cst.MatchPattern, subject: Value, env: Env) -> None:
        """Bind the names a ``case`` pattern captures to what they take of ``subject``: a
        mapping pattern's keys are read as ``subject[key]`` is (so the packs' sources apply:
        ``case {"headers": {"authorization": auth}}`` of a Lambda event), a class pattern's
        keywords as attributes, a sequence pattern's elements by position."""
        kind = type(pattern)
        if kind is cst.MatchAs:
            if pattern.pattern is not None:
                self._bind_pattern(pattern.pattern, subject, env)
            if pattern.name is not None:
                self.assign(pattern.name, subject, env)
        elif kind is cst.MatchMapping:
            for element in pattern.elements:
                key = self._string_constant(element.key, env)
                if key is None:
                    item = Value(flows=subject.flows)
                else:
                    qname = f"{subject.qname}.{key}" if subject.qname else None
                    item = self._read(subject, key, element.key, qname, item=True)
                self._bind_pattern(element.pattern, item, env)
            if pattern.rest is not None:
                # `**rest`: the mapping but the keys the pattern names.
                named_keys = {
                    k for e in pattern.elements if (k := self._string_constant(e.key, env))
                }
                named_keys |= {k.lower() for k in named_keys}  # header names, any case
                self.assign(pattern.rest, _without_fields(subject, named_keys), env)
        elif kind is cst.MatchClass:
            for keyword in pattern.kwds:
                item = self._attribute_of(subject, keyword.key.value, keyword.key)
                self._bind_pattern(keyword.pattern, item, env)
            # `str(token)` binds the subject itself, as `Model(x)` binds a field it names by
            # position: both are taken as all of it.
            for element in pattern.patterns:
                self._bind_pattern(element.value, subject, env)
        elif kind in (cst.MatchList, cst.MatchTuple):
            elements = pattern.patterns
            items = subject.items
            known = items is not None and len(items) == len(elements)
            known = known and not any(isinstance(e, cst.MatchStar) for e in elements)
            # Not known by position: each is an element (a tuple of known items, if so).
            element = Value(flows=subject.flows, items=subject.element_items)
            for i, part in enumerate(elements):
                if isinstance(part, cst.MatchStar):
                    if part.name is not None:
                        self.assign(part.name, Value(flows=subject.flows), env)
                    continue
                item = items[i] if known else element  # type: ignore[index]
                self._bind_pattern(part.value, item, env)
        elif kind is cst.MatchOr:
            alternatives = []
            for alternative in pattern.patterns:
                alt_env = dict(env)
                self._bind_pattern(alternative.pattern, subject, alt_env)
                alternatives.append(alt_env)
            _join_into(env, *alternatives)

    def _note_constant_keys(
        self, target: cst.BaseExpression, iterable: cst.BaseExpression, env: Env
    ) -> None:
        """Remember a loop variable that goes over constant strings (a collection's, or the
        keys of a module-level dict: `for key, env_name in CONFIG_TO_ENV.items()`), or forget
        the name."""
        if (
            isinstance(target, (cst.Tuple, cst.List))
            and len(target.elements) == 2
            and isinstance(iterable, cst.Call)
            and isinstance(iterable.func, cst.Attribute)
            and iterable.func.attr.value in self.propagation.key_value_methods
            and not iterable.args
        ):
            target, iterable = target.elements[0].value, iterable.func.value
        if not isinstance(target, cst.Name):
            return
        self._constant_keys.pop(target.value, None)
        strings: tuple[str, ...] = self._constant_collection(iterable, env)
        if not strings and isinstance(iterable, cst.Name):
            if iterable.value in self._local_collections and iterable.value not in self._rebound:
                strings = self._local_collections[iterable.value]
            else:
                keys = [key for key, _ in self._module_dict(iterable, env)]
                strings = tuple(keys) if all(isinstance(k, str) for k in keys) else ()
        if strings:
            self._constant_keys[target.value] = frozenset(strings)

    def _iterates_keys(self, node: cst.BaseExpression, env: Env) -> bool:
        """Whether a loop over ``node`` goes over the keys of a dict, which hold none of its
        values: a variable or an object's attribute that holds a dict for sure (see
        Project.field_holds_mapping), or ``d.keys()``."""
        if (
            isinstance(node, cst.Call)
            and not node.args
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "keys"
        ):
            node = node.func.value
        if (
            isinstance(node, cst.BooleanOperation)
            and isinstance(node.operator, cst.Or)
            and isinstance(node.right, cst.Dict)
        ):
            node = node.left  # `extra or {}`
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            owner = self.eval(node.value, env)
            return self.ctx.project.field_holds_mapping(owner.qname, node.attr.value)
        return (
            isinstance(node, cst.Name)
            and node.value in self._mappings
            and node.value not in self._not_mappings
        )

    def _functions_in(self, iterable: Value) -> tuple[Value, ...]:
        """The items of a tuple of known length (a literal, or what a factory returns) whose
        every item is a project function (not more than a few), or nothing."""
        items = iterable.items
        if not items or len(items) > MAX_UNROLLED_FUNCTIONS:
            return ()
        project = self.ctx.project
        if all(item.qname and project.function_for(item.qname) is not None for item in items):
            return items
        return ()

    def _exec_try(self, stmt: cst.Try | cst.TryStar, env: Env) -> None:
        """``try`` / ``except`` / ``else`` / ``finally``: handlers see the state before and
        after the body; ``finally`` the join of every way out."""
        before = dict(env)
        self.try_exits.append([])
        self.try_errors.append([])
        try:
            self.exec_suite(stmt.body, env)
        finally:
            exits = self.try_exits.pop()  # branches of the body that raised or returned
            shown = self.try_errors.pop()  # what errors raised in the body show
        after_body = dict(env)
        branches = [after_body]
        for handler in stmt.handlers:
            h_env: Env = {}
            _join_into(h_env, before, after_body, *exits)
            if handler.name is not None and isinstance(handler.name.name, cst.Name):
                # `except HTTPError as error`: its message shows the failed request's URL.
                h_env[handler.name.name.value] = Value(flows=merge_flows(*shown))
            self.exec_suite(handler.body, h_env)
            branches.append(h_env)
        if stmt.orelse is not None:
            self.exec_suite(stmt.orelse.body, after_body)
        _join_into(env, *branches)
        if stmt.finalbody is not None:
            if exits:
                # What left the body early runs `finally` too, and then leaves the function.
                leaving: Env = {}
                _join_into(leaving, env, *exits)
                self.exec_suite(stmt.finalbody.body, leaving)
                exits = [leaving]
            self.exec_suite(stmt.finalbody.body, env)
        if self.try_exits:
            self.try_exits[-1].extend(exits)  # an enclosing try's handlers see them too

    def _failed_responses(self, test: cst.BaseExpression) -> tuple[frozenset[str], frozenset[str]]:
        """Variables that hold a failed response (an error reply, an HTTP error status) where
        ``test`` is true, and where it is false: ``"error" in reply``, ``resp.status_code !=
        200``, ``not resp.ok`` (the packs name the keys, status attributes and flags)."""
        none: frozenset[str] = frozenset()
        prop = self.propagation
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            when_true, when_false = self._failed_responses(test.expression)
            return when_false, when_true
        if isinstance(test, cst.BooleanOperation):
            left = self._failed_responses(test.left)
            right = self._failed_responses(test.right)
            if isinstance(test.operator, cst.And):  # both parts hold where it is true
                return left[0] | right[0], left[1] & right[1]
            return left[0] & right[0], left[1] | right[1]  # `or`: both fail where it is false
        if isinstance(test, cst.Attribute) and isinstance(test.value, cst.Name):
            name = frozenset({test.value.value})
            if test.attr.value in prop.failure_flags:
                return name, none
            if test.attr.value in prop.success_flags:
                return none, name
            return none, none
        if isinstance(test, cst.Name):
            # `if token:` is false where the variable is None or empty, so holds nothing; and
            # where `token = reply.get("access_token")` is, the reply lacks its token.
            return none, frozenset({test.value, *self._lacking_token(test.value)})
        if isinstance(test, cst.Call):  # reply.get("error"), reply.get("access_token")
            return _mapping_read_under(test, prop, prop.error_keys), _mapping_read_under(
                test, prop, prop.success_keys
            )
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return none, none
        left, op = test.left, test.comparisons[0].operator
        right = test.comparisons[0].comparator
        if isinstance(op, (cst.In, cst.NotIn)) and isinstance(right, cst.Name):
            key = string_value(left)
            found = frozenset({right.value})
            if key in prop.error_keys:  # "error" in reply
                held = found, none
            elif key in prop.success_keys:  # "access_token" in reply
                held = none, found
            else:
                return none, none
            return held if isinstance(op, cst.In) else (held[1], held[0])
        if isinstance(op, (cst.Is, cst.IsNot)) and _is_none(right):
            # `x is not None` is true where `x` would be, for what these tests tell.
            truth = self._failed_responses(left)
            return truth if isinstance(op, cst.IsNot) else (truth[1], truth[0])
        if not (
            isinstance(left, cst.Attribute)
            and isinstance(left.value, cst.Name)
            and left.attr.value in prop.status_attributes
        ):
            return none, none
        name = frozenset({left.value.value})
        fails = _status_test_fails(op, right)
        if fails is None:
            return none, none
        return (name, none) if fails else (none, name)

    def _note_key_read(
        self, target: cst.BaseExpression, value: cst.BaseExpression, env: Env
    ) -> None:
        """Remember (or forget) which mapping variable and key the variable ``target`` was read
        from: ``token = reply.get("access_token")``, ``token = reply["access_token"]``."""
        if not isinstance(target, cst.Name) or target.value in self._rebound:
            return
        name = target.value
        text = self._string_text(value, env)
        if text is not None:
            self._local_strings[name] = text
        elif isinstance(value, (cst.Tuple, cst.List, cst.Set)):
            collection = self._constant_collection(value, env)
            if collection:
                self._local_collections[name] = collection
        elif isinstance(value, cst.Dict):
            # A dict of constant keys: what a loop over its keys (or `.items()`) goes over.
            keys = [
                string_value(e.key) if isinstance(e, cst.DictElement) else None
                for e in value.elements
            ]
            if keys and None not in keys:
                self._local_collections[name] = tuple(keys)  # type: ignore[arg-type]
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            mapping_node, key = value.func.value, _read_key(value, self.propagation)
        elif isinstance(value, cst.Subscript) and (index := _single_index(value)):
            mapping_node, key = value.value, string_value(index)
        else:
            return
        if isinstance(mapping_node, cst.Name) and key is not None:
            self._key_reads[name] = (mapping_node.value, key)

    def _string_text(self, node: cst.BaseExpression, env: Env) -> str | None:
        """The constant string ``node`` is: a literal, a local bound to one, or a module-level
        constant no variable of this run (``env``) shadows; or one with a case or encoding
        method applied (``HEADER.encode("ascii")``, ``NAME.lower()``)."""
        node = _without_text_methods(node)
        if type(node) is cst.SimpleString:
            return self._string_constant(node)
        if type(node) is not cst.Name:
            return None
        name = node.value
        if name in env or name in self._local_strings:
            return self._local_strings.get(name) if name not in self._rebound else None
        # Not the function's local names (a visit of its whole body): asked of every
        # assignment, this must stay cheap.
        return self.ctx.project.string_constant(self.ctx, name)

    def _lacking_token(self, name: str) -> frozenset[str]:
        """The mapping variable that lacks its token where the variable ``name``, read from it
        under a key a success holds its token under, is empty."""
        mapping, key = self._key_reads.get(name, ("", ""))
        if key not in self.propagation.success_keys or {name, mapping} & self._rebound:
            return frozenset()
        return frozenset({mapping})

    def exec_suite(self, suite: cst.BaseSuite, env: Env) -> None:
        """Interpret an indented block or a one-line suite."""
        self.exec_block(suite.body, env)

    def _loop(self, env: Env, body: Callable[[Env], object]) -> None:
        for _ in range(MAX_LOOP_PASSES):
            loop_env = dict(env)
            self.loop_exits.append([])
            try:
                body(loop_env)
            finally:
                exits = self.loop_exits.pop()  # passes that ended in `continue` or `break`
            before = dict(env)
            _join_into(env, before, loop_env, *exits)
            # Compare only what the join replaced (identity first: most names are untouched).
            if all(
                env[k] is before.get(k) or _signature(env[k]) == _signature(before.get(k, CLEAN))
                for k in env
            ):
                break

    def exec_small(self, small: cst.BaseSmallStatement, env: Env) -> None:
        """Interpret one small statement (assignment, expression, return, ...)."""
        kind = type(small)  # an identity test each: isinstance on LibCST's classes is slow
        if kind is cst.Assign:
            value = self.eval(small.value, env)
            for target in small.targets:
                self.assign(target.target, value, env, value_node=small.value)
                self._note_key_read(target.target, small.value, env)
        elif kind is cst.AnnAssign:
            if small.value is not None:
                value = self.eval(small.value, env)
                self.assign(small.target, value, env, value_node=small.value)
        elif kind is cst.AugAssign:
            value = self.eval(small.value, env)
            current = self.eval(small.target, env)
            self.assign(small.target, join(current, value), env, augmented=True)
        elif kind is cst.Expr:
            self.eval(small.value, env)
        elif kind is cst.Return:
            if small.value is not None:
                value = self.eval(small.value, env)
                self.on_return(value, small.value)
        elif kind is cst.Raise:
            if small.exc is not None:
                value = self.eval(small.exc, env)
                self.on_raise(value, small.exc)
        elif kind is cst.Assert:
            self.eval(small.test, env)
        elif kind is cst.Del:
            targets = small.target.elements if isinstance(small.target, cst.Tuple) else ()
            for target in [e.value for e in targets] or [small.target]:
                if isinstance(target, cst.Name):
                    env.pop(target.value, None)
                elif isinstance(target, cst.Subscript) and (index := _single_index(target)):
                    self._remove_key(target.value, index, env)

    def on_return(self, value: Value, node: cst.BaseExpression) -> None:
        """Record a returned value and check return sinks (routes, tools)."""
        if value.tainted:
            step = TraceStep(self.ctx.location(node), "returned")
            # What a caller gets: not a tool object's function nor a generic's type argument.
            value = _with_flows(
                replace(value, wraps=None, type_arg=None), lambda flows: with_step(flows, step)
            )
        self.returns.append(value)
        if self.return_sinks:
            sent = self._serialised(value, node, shown=False)
            if _declares_page(node, self.propagation):
                # return script, 200, {"Content-Type": "application/javascript"}: a page.
                sent = replace(sent, constants=sent.constants | _MARKUP_CONSTANTS)
            content = self._tool_content(value, node)
            for spec, note in self.return_sinks:
                shown = content if spec.tools and content is not None else sent
                if spec.key_pattern is not None:
                    # {"messages": [...]} of a graph node: those keys alone, of a dict built here.
                    kept = [v for k, v in value.fields if spec.key_pattern.search(k)]
                    shown = join(*kept) if kept else CLEAN
                self._sink_at(
                    spec, node, shown, note, self.ctx.code(node), spec.exclude_markers, spec.markup
                )

    def _tool_content(self, value: Value, node: cst.BaseExpression) -> Value | None:
        """Of a tool declared to return ``(content, artifact)`` (its decorator passes the
        packs' ``content-first-when``), what reaches the model: the content, when ``value``
        is such a pair; else None."""
        assert self.info is not None
        tool = self.ctx.project.tool_specs.get(self.info.qualname)
        if tool is None or not tool.content_first_when or value.items is None:
            return None
        if len(value.items) != 2:
            return None
        for decorator in self.info.node.decorators:
            call = decorator.decorator
            if (
                isinstance(call, cst.Call)
                and tool.decorators.matches(self._decorator_qname(decorator))
                and self._passes_constants(call, tool.content_first_when, {})
            ):
                return self._serialised(value.items[0], node, shown=False)
        return None

    def _dumped(
        self,
        value: Value,
        node: cst.BaseExpression,
        args: list[Arg],
        env: Env,
        class_wide: bool = True,
    ) -> Value:
        """What dumping ``value`` whole shows (``vars(obj)``, ``asdict(obj)``,
        ``obj.model_dump(exclude={"token"})``): the fields it was built with, or, of an object
        built elsewhere, every field stored on its class's instances (as ``obj.attr`` reads
        one), unless not ``class_wide``; a settings object's fields declared like credentials;
        but those an ``include=`` leaves out or an ``exclude=`` names, and the masked and
        excluded ones (see _serialised)."""
        included: set[str] | None = None  # the fields an `include=` names (None: all)
        excluded: set[str] = set()
        prop = self.propagation
        for arg in args:
            including = arg.keyword in prop.dump_include_keywords
            if not including and arg.keyword not in prop.dump_exclude_keywords:
                continue
            if isinstance(arg.node, cst.Dict):  # exclude={"api_key": True}
                elements = arg.node.elements
                keys = [string_value(e.key) for e in elements if isinstance(e, cst.DictElement)]
                named = {k for k in keys if k is not None}
            else:
                named = self._constant_strings(arg.node, env)
            if named and including:
                included = named
            elif named:
                excluded = named

        def kept(name: str) -> bool:
            return (included is None or name in included) and name not in excluded

        if value.fields:
            held = replace(value, fields=tuple((n, v) for n, v in value.fields if kept(n)))
            if included is not None or excluded:
                gone = {f.key() for n, v in value.fields if not kept(n) for f in v.flows}
                held = replace(held, flows=tuple(f for f in held.flows if f.key() not in gone))
            return self._serialised(held, node, shown=False, flagged=not class_wide)
        class_qname = self._added_class_of(value)
        if class_qname is None:
            return value
        project = self.ctx.project
        # vars(obj) and asdict(obj) show every field; model_dump() leaves out the excluded.
        flags = {"excluding": not class_wide, "hiding": False}
        shown = [
            with_step(
                self._local_evidence(held, value.qname),
                TraceStep(self.ctx.location(node), f"dumped with its field `{name}`"),
            )
            for name, held in (project.stored_fields(value.qname) if class_wide else {}).items()
            if held
            and kept(name)
            and not self._masked_field(value.qname, name)
            and not project.field_excluded(class_qname, name, **flags)
        ]
        # A declared field named like a credential is one, as `obj.api_key` reads it (a
        # settings object loads it from the environment).
        short = class_qname.rpartition(".")[2]
        named_fields = [
            (
                self._new_flow(
                    node, f"field `{name}` of `{short}` is named like a credential", by_name=name
                ),
            )
            for name in (
                project.declared_fields(class_qname) if project.settings_class(class_qname) else ()
            )
            if kept(name)
            and names.is_credential_name(name)
            and not self._masked_field(value.qname, name)
            and not project.field_excluded(class_qname, name, **flags)
        ]
        return Value(flows=merge_flows(value.flows, *shown, *named_fields), qname=value.qname)

    def _reads_a_key(self, node: cst.BaseExpression) -> bool:
        """``m["k"]`` or ``m.get("k")``: a value read under a key."""
        if type(node) is cst.Subscript:
            return True
        return (
            type(node) is cst.Call
            and type(node.func) is cst.Attribute
            and node.func.attr.value in self.propagation.read_methods
        )

    def _added_class_of(self, value: Value) -> str | None:
        """The project class ``value`` is an instance of (``pkg.C()``), when that class was
        added already (asked of every object shown, this must not wait for modules)."""
        if not value.qname or not value.qname.endswith("()"):
            return None
        class_qname = value.qname[:-2]
        return class_qname if class_qname in self.ctx.project.class_modules else None

    def _text_parameter(self, node: cst.BaseExpression) -> bool:
        """Whether ``node`` is a parameter declared ``str`` (or optional), never rebound, of a
        function whose name says it masks (see _MASKING_WORDS)."""
        info = self.info
        if info is None or type(node) is not cst.Name:
            return False
        if not any(word in info.name.lower() for word in _MASKING_WORDS):
            return False  # `shorten(password)` keeps twelve characters, maybe all of it
        index = info.param_indices.get(node.value)
        if index is None or node.value in info.bound_names:
            return False
        annotation = info.params[index].annotation
        return annotation is not None and declares_text(annotation.annotation)

    def _settings_object(self, qname: str | None, attr: str) -> bool:
        """Whether ``qname`` names an instance of a project class derived from a settings
        class, whose field ``attr`` it loads from the environment: declared as text, or not
        declared (not an `int` or `bool` field; nor a settings object the packs list, which
        a module sets)."""
        class_qname = self._added_class_of(named(qname)) if qname else None
        if class_qname is None or not self.ctx.project.settings_class(class_qname):
            return False
        return self.ctx.project.settings_text_field(class_qname, attr)

    def _serialised(
        self, value: Value, node: cst.BaseExpression, shown: bool = True, flagged: bool = True
    ) -> Value:
        """What a route or tool sends when it returns ``value``, and (``shown``) what a string,
        a log line or another sink shows of it: for an instance of a project model (a dataclass
        or a model class) built here, the fields it was given too, except those of a masked
        type and those the packs' excluding and hiding flags leave out (unless not ``flagged``:
        ``vars(obj)``); shown, an instance of a project class with its own ``__str__`` or
        ``__repr__``, what that returns."""
        class_qname = self._added_class_of(value)
        if class_qname is None:
            return value
        project = self.ctx.project
        text = self._text_method(class_qname)
        if shown and text is not None:
            step = TraceStep(self.ctx.location(node), f"shown by `{text.name}()`")
            # Not what it holds as a credential wrapper (`ApiCredential(name, key)`): its text
            # shows what the method returns of it (`self.key[-4:]` is masked), no more; unless
            # it may show any attribute (`self.__dict__`, `self.describe()`).
            read = _self_attributes(text.node, whole=True)
            every = _ANY_ATTRIBUTE in read or "__dict__" in read
            wrapped = f"wrapped in `{class_qname.rpartition('.')[2]}(...)`"
            kept = (
                value.flows
                if every
                else tuple(f for f in value.flows if not any(s.note == wrapped for s in f.steps))
            )
            # What this object was built with, of the attributes the method shows whole (objects
            # of one class are not told apart in its fields: every command object logged would
            # show the one built with a key).
            shown_flows = [
                with_step(item.flows, step) for name, item in value.fields if every or name in read
            ]
            return Value(flows=merge_flows(kept, *shown_flows), qname=value.qname)
        if not value.fields:
            return value
        stored = [
            with_step(
                item.flows,
                TraceStep(self.ctx.location(node), f"serialised with its field `{name}`"),
            )
            for name, item in value.fields
            if not self._masked_field(value.qname, name)
            and not (flagged and project.field_excluded(class_qname, name))
        ]
        return Value(flows=merge_flows(value.flows, *stored), qname=value.qname)

    def _call_super(
        self, class_qname: str, method: str, args: list[Arg], node: cst.Call, env: Env
    ) -> Value:
        """``super().method(...)`` in a method of ``class_qname``: the first project base
        class's method; ``super().__init__(...)`` also stores what that ``__init__`` keeps."""
        project = self.ctx.project
        target = project.inherited(class_qname, method)
        if target is None:
            if method == "__init__":
                self._construct_library_base(class_qname, args, node, env)
            return CLEAN
        if method == "__init__" and target.class_qname is not None:
            project.construct_fields(target.class_qname, target, args)
            if self.info is not None:
                self._keep_constructed_parameters(target.class_qname, target, args)
        return self._apply_summary(target, args, node, f"{class_qname}().{method}")

    def _check_call_sinks(
        self, callee_q: str | None, args: list[Arg], node: cst.Call, env: Env
    ) -> tuple[bool, list[Arg]]:
        """Check the arguments of a call of ``callee_q`` against the packs' sinks for it:
        whether any matched, and the arguments as the rest of the call sees them."""
        matched = False
        page = _declares_page(node, self.propagation)
        for spec in self.ctx.packs.matcher.call_sinks(callee_q):
            matched = True
            if spec.error_shows is not None and self.try_errors:
                self._note_error_shows(spec.error_shows, args, node)
            if spec.safe_when and self._passes_constants(node, spec.safe_when, env):
                continue
            if spec.named_by is not None and self._named_other_than_credential(
                spec.named_by, args, env
            ):
                continue
            if page and spec.markup is not None:
                # Response(body, media_type="text/html"): the body is a page.
                args = [
                    replace(
                        a, value=replace(a.value, constants=a.value.constants | _MARKUP_CONSTANTS)
                    )
                    for a in args
                ]
            if spec.unsafe_when and not self._passes_constants(
                node, spec.unsafe_when, env, any_of=True
            ):
                continue
            for arg in args:
                self._check_sink_arg(spec, arg, node)
        return matched, args

    def _invoke(self, kind: str, args: list[Arg], node: cst.Call, env: Env) -> Value | None:
        """``asyncio.to_thread(f, token)``, ``loop.run_in_executor(None, f, token)``,
        ``map(f, tokens)``: ``f`` called with the rest of the arguments (a mapper's elements
        of them); what ``f`` returns. None when ``f`` is nothing followed."""
        first = 1 if kind == "executor-invoker" else 0
        function = next((a.value for a in args if a.position == first), None)
        if function is None or not function.qname:
            return None
        rest = [
            Arg(
                a.position - first - 1 if a.position is not None else None,
                a.keyword,
                _element_of(a.value) if kind == "mapper" and a.position is not None else a.value,
                a.node,
            )
            for a in args
            if a.position is None or a.position > first
        ]
        project = self.ctx.project
        site = project.lambdas.get(function.qname)
        if site is not None and site.module_name == self.ctx.module_name:
            scope = self.info.qualname if self.info is not None else ""
            return self._call_lambda(site.node, rest, env if site.scope == scope else {})
        owner, _, method = function.qname.rpartition(".")
        if self.ctx.packs.matcher.call_kind(function.qname) == "propagate" or (
            owner in ("str", "bytes") and method in self.propagation.methods
        ):
            # map(str, keys), map(str.strip, keys): each element converted.
            return join(*(a.value for a in rest))
        bound = (
            function
            if function.wraps and function.items is not None
            else Value(qname=function.qname, wraps=function.qname, items=())
        )
        return self._call_bound(bound, rest, node)

    def _named_other_than_credential(self, named_by, args: list[Arg], env: Env) -> bool:
        """Whether the argument that names what a call stores is a constant name of something
        about credentials that is none: `set_cookie("csrf_token", token)`, or an anti-forgery
        token whatever its words (`set_cookie("kd_csrf", token)`)."""
        return any(
            names.names_blocked_credential(name) or names.names_forgery_token(name)
            for a in args
            if named_by.selects(a.position, a.keyword)
            and (name := self._string_constant(a.node, env)) is not None
        )

    def _construct_library_base(
        self, class_qname: str, args: list[Arg], node: cst.Call, env: Env
    ) -> None:
        """A project class built with no ``__init__`` of its project lineage (one that derives
        from a library's response class): its library base's constructor takes the
        arguments, with the sinks and tool registrations the packs name for it
        (``super().__init__(tools=[self.search])`` of a toolkit)."""
        matcher = self.ctx.packs.matcher
        # Not library_bases: a base in a module not parsed yet would be parsed for every class
        # built, and one of the project's own deriving from a library response is rare.
        for base in self.ctx.project.non_project_bases(class_qname):
            registers = matcher.registrations(base)
            if registers:
                self._register_tools(base, args, node, env)
            if matcher.call_sinks(base):
                self._check_call_sinks(base, args, node, env)
                return
            if registers:
                return

    def _listed(self, node: cst.BaseExpression, depth: int = 0) -> list[cst.BaseExpression]:
        """The elements of a list or tuple written here, or of a local bound once to one
        (``tools = [self.search, self.fetch]`` then ``tools=tools``), those of a local list it
        spreads (``[*common_tools, lookup]``) included; a node that is no such literal stands
        for itself."""
        items: list[cst.BaseExpression] = []
        bound = self._bound_literal(node) if depth < 4 else None
        if bound is not None:
            # `tools.append(self.refund)` under a flag: a function it may hold.
            items.extend(self._local_appends.get(node.value, ()))  # type: ignore[attr-defined]
            node = bound
        if not isinstance(node, (cst.Tuple, cst.List)):
            return [node]
        for element in node.elements:
            if not isinstance(element, cst.StarredElement):
                items.append(element.value)
            elif depth < 4 and self._bound_literal(element.value) is not None:
                items.extend(self._listed(element.value, depth + 1))
        return items

    def _bound_literal(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """The list or dict literal a local named by ``node`` was bound to once, if any."""
        if type(node) is not cst.Name or node.value in self._rebound:
            return None
        return self._local_literals.get(node.value)

    def _register_tools(
        self, callee_q: str | None, args: list[Arg], node: cst.Call, env: Env
    ) -> str | None:
        """The functions a call of ``callee_q`` registers as tools (the packs' registrations:
        ``StructuredTool.from_function(f)``, ``Agent(tools=[search, lookup])``); the one
        passed alone, if any."""
        registered_q: str | None = None
        for tool in self.ctx.packs.matcher.registrations(callee_q):
            for arg in args:
                if not tool.registration_arg.selects(arg.position, arg.keyword):
                    continue
                # tools=[search, lookup] registers each function of the list.
                for item in self._listed(arg.node):
                    qname = arg.value.qname if item is arg.node else self.eval(item, env).qname
                    if qname:
                        self.ctx.project.register_tool(qname, tool, node)
                        if item is arg.node:
                            registered_q = qname
        return registered_q

    def _call_bound(self, bound: Value, args: list[Arg], node: cst.Call) -> Value | None:
        """A call of a binder's object (``partial(f, ...)``: the packs' ``binders``): ``f`` with
        the bound arguments first, then these."""
        if bound.items is None:
            return None
        target = self.ctx.project.function_for(bound.wraps)
        if target is None and not self.ctx.packs.matcher.call_sinks(bound.wraps):
            return None
        given = {a.keyword for a in args if a.keyword is not None}
        combined = [
            *(Arg(i, None, value, node) for i, value in enumerate(bound.items)),
            *(
                Arg(
                    a.position + len(bound.items) if a.position is not None else None,
                    a.keyword,
                    a.value,
                    a.node,
                )
                for a in args
            ),
            *(Arg(None, name, value, node) for name, value in bound.fields if name not in given),
        ]
        if target is None:
            # partial(http.post, timeout=5): a sink of the packs with these arguments.
            for spec in self.ctx.packs.matcher.call_sinks(bound.wraps):
                if spec.safe_when and self._passes_constants(node, spec.safe_when, {}):
                    continue
                for arg in combined:
                    self._check_sink_arg(spec, arg, node)
            return named(f"{bound.wraps}()")
        return self._apply_summary(target, combined, node, bound.wraps)

    def _wrappers(self, target: FunctionInfo) -> list[FunctionInfo]:
        """The wrappers that the project decorators of ``target`` return in its place."""
        if not target.node.decorators:
            return []
        probe = self._probe_in(target.module)
        project = self.ctx.project
        found = []
        for decorator in target.node.decorators:
            expression = decorator.decorator
            if isinstance(expression, cst.Call):  # @retry(3): the factory's decorator
                continue
            info = project.function_for(probe.qname_of(expression))
            wrapper = project.returned_function(info) if info is not None else None
            if wrapper is not None:
                found.append(wrapper)
        return found

    def _text_method(self, class_qname: str) -> FunctionInfo | None:
        """The project class's own ``__str__`` or ``__repr__`` (or a project base class's)."""
        project = self.ctx.project
        # Looked at before it is asked for (see _property): most classes have neither.
        found = project.defined_method(class_qname, "__str__") or project.defined_method(
            class_qname, "__repr__"
        )
        return project.function_for(found.qualname) if found is not None else None

    def on_raise(self, value: Value, node: cst.BaseExpression) -> None:
        """An exception message carrying a credential: returned to the model from a tool."""
        if not value.tainted:
            return
        in_tool = self.info is not None and self.info.qualname in self.ctx.project.tool_specs
        for spec in self.ctx.packs.raise_sinks:
            if spec.in_tools == in_tool:
                sink_text = f"raise {self.ctx.code(node)}"
                self._sink_at(
                    spec,
                    node,
                    value,
                    spec.note,
                    sink_text,
                    spec.exclude_markers,
                    kinds=spec.exclude_kinds,
                )

    @functools.cached_property
    def return_sinks(self) -> list[tuple]:
        """The return sinks of the function interpreted (its decorators, tool registration
        or parameters make its return value one), each with its note; computed on the first
        return, since most interpreters made are probes that never return."""
        if self.info is None:
            return []
        found = []
        decorators = [self._decorator_qname(d) for d in self.info.node.decorators]
        is_tool = self.info.qualname in self.ctx.project.tool_specs
        registered = self.ctx.project.return_sink_functions.get(self.info.qualname, [])
        leading = tuple(p.name.value for p in self.info.params)
        top_level = self.info.enclosing is None and self.info.class_qname is None
        by_method = any(self.info.name in spec.methods for spec in self.ctx.packs.return_sinks)
        bases = self._library_bases() if by_method else []
        for spec in self.ctx.packs.return_sinks:
            if (
                any(spec.decorators.matches(q) for q in decorators)
                or (spec.tools and is_tool)
                or spec in registered
                or (spec.parameters and top_level and leading == spec.parameters)
                or (
                    self.info.name in spec.methods
                    and any(spec.base_classes.matches(b) for b in bases)
                )
            ):
                found.append((spec, f"{spec.note} (`{self.info.name}()`)"))
        return found

    def _library_bases(self) -> list[str]:
        """The library bases of the class whose method is interpreted (see
        Project.library_bases)."""
        assert self.info is not None
        if self.info.class_qname is None:
            return []
        return self.ctx.project.library_bases(self.info.class_qname)

    def _register_decorated_tool(self, node: cst.FunctionDef, qual: str, env: Env) -> None:
        """``@server.tool`` on a function defined inside another, where ``server`` is a local
        of the enclosing function (a server built in a factory): that function is a tool."""
        for decorator in node.decorators:
            func = decorator.decorator
            if isinstance(func, cst.Call):
                func = func.func
            qname = self.eval(func, env).qname
            for tool in self.ctx.packs.tools:
                if tool.decorators.matches(qname):
                    self.ctx.project.register_tool(qual, tool, node)
                    return

    def _decorator_qname(self, decorator: cst.Decorator) -> str | None:
        node = decorator.decorator
        if isinstance(node, cst.Call):
            node = node.func
        return self.qname_of(node)

    # --- assignment --------------------------------------------------------------------

    def assign(
        self,
        target: cst.BaseExpression,
        value: Value,
        env: Env,
        *,
        value_node: cst.BaseExpression | None = None,
        loop: bool = False,
        augmented: bool = False,
    ) -> None:
        """Bind ``value`` to an assignment target, checking store sinks."""
        if isinstance(target, cst.Name):
            name = target.value
            if loop or augmented or name in self._bound_once:
                self._rebound.add(name)
            self._bound_once.add(name)
            if type(value_node) in (cst.List, cst.Dict) and not loop and not augmented:
                self._local_literals[name] = value_node  # type: ignore[assignment]
            if value_node is not None:
                value = _as_named(name, value)
                if _names_a_part(name, value_node):
                    value = CLEAN
                elif names.is_location_name(name):
                    # json_file_path = config.get("google_credentials"): the key's name said
                    # credential, the variable's says where one is; a real source still counts,
                    # but an environment variable read as it is into a file's location holds
                    # that (SECRETS_PATH = os.getenv("CLIENT_SECRETS") or "secrets.json"; not a
                    # path built with a secret in it, f"/webhook/{TOKEN}").
                    read = _before_default(value_node)
                    keyed = self._reads_a_key(value_node)
                    as_read = names.is_file_location_name(name)
                    value = _with_flows(
                        value,
                        lambda flows: tuple(
                            f
                            for f in flows
                            if not (f.source_kind == "name" and keyed)
                            and not (
                                as_read and f.source_kind == "env" and _located_at(f.source, read)
                            )
                        ),
                    )
            if value.tainted:
                step = TraceStep(self.ctx.location(target), f"assigned to `{name}`")
                value = _with_flows(value, lambda flows: with_step(flows, step))
            if not loop and not augmented and value_node is not None:
                named = self._name_source(name, target, value, value_node)
                # A credential by its name is all of it, whatever its elements held.
                value = named if named is value else replace(named, items=None, fields=())
            if not loop and self._constant_keys:
                self._constant_keys.pop(name, None)  # no longer the loop's constant
            if not loop and self._loop_sources:
                self._loop_sources.pop(name, None)
            if builds_mapping(value_node, self.propagation.key_value_methods) and not loop:
                self._mappings.add(name)
            else:
                # Once anything else: not a dict for sure, whatever a branch run later holds.
                self._not_mappings.add(name)
            env[name] = value
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = [e for e in target.elements]
            source_items = _literal_items(value_node)
            # `url, key = conn()` where every return of conn is a pair: element by element.
            known_items = (
                value.items
                if value.items is not None
                and len(value.items) == len(elements)
                and not any(isinstance(e.value, cst.StarredElement) for e in elements)
                else None
            )
            # `token, expires = refresh(...)`: each name tells what its element is, as for a
            # local assigned the call (not `a, b = dict(...)`, whose keys are unpacked).
            item_node = (
                value_node
                if type(value_node) in (cst.Call, cst.Await, cst.Subscript)
                and not builds_mapping(value_node, self.propagation.key_value_methods)
                else None
            )
            for i, element in enumerate(elements):
                item_value = value
                element_node = item_node
                if source_items is not None and len(source_items) == len(elements):
                    element_node = source_items[i]
                    item_value = self.eval(source_items[i], env)
                elif (
                    item_node is not None
                    and isinstance(element.value, cst.Name)
                    and not self._names_unpacked_credential(element.value.value, item_node)
                ):
                    element_node = None
                elif known_items is not None:
                    item_value = known_items[i]
                elif i == 0 and _splits_off_head(value_node):
                    # scheme, token = header.split(" ", 1); user, password = basic.split(":")
                    item_value = CLEAN
                inner = element.value
                if isinstance(inner, cst.StarredElement):
                    inner = inner.value
                self.assign(inner, item_value, env, loop=loop, value_node=element_node)
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, value, env, loop=loop)
        elif isinstance(target, cst.Attribute):
            if value_node is not None:
                value = _as_named(target.attr.value, value)
                if _names_a_part(target.attr.value, value_node):
                    value = CLEAN
                elif (
                    not loop
                    and not augmented
                    and not value.flows
                    and type(value_node) in (cst.Call, cst.Subscript, cst.Await)
                ):
                    # self.token = reply["Token"]["Id"], self.token = fetch(): what nothing
                    # else tells is a credential by the attribute's name, as a local would be.
                    value = self._name_source(target.attr.value, target.attr, value, value_node)
            base = self.eval(target.value, env)
            path = _access_path(target)
            if base.qname:
                self._store_sink(f"{base.qname}.{target.attr.value}", value, target)
                step = TraceStep(
                    self.ctx.location(target), f"stored in `{self.ctx.code(target, 40)}`"
                )
                self._store_in_field(target, value, step, env, base)
                if value.tainted and self.propagation.request_state.matches(base.qname):
                    step = TraceStep(
                        self.ctx.location(target),
                        f"kept in `{self.ctx.code(target, 40)}` for the rest of the request",
                    )
                    self.ctx.project.store_request_state(
                        target.attr.value, with_step(value.flows, step)
                    )
            if path is not None:
                if value.tainted:
                    step = TraceStep(self.ctx.location(target), f"stored in `{path}`")
                    value = replace(value, flows=with_step(value.flows, step))
                env[path] = value
        elif isinstance(target, cst.Subscript):
            base = self.eval(target.value, env)
            if base.qname:
                self._store_sink(base.qname, value, target, _key_text(target))
            path = _access_path(target.value)
            key = _const_key(target)
            if value.tainted:
                step = TraceStep(self.ctx.location(target), f"stored in `{path}`")
                self._note_param_write(path, key, with_step(value.flows, step))
                if type(target.value) is cst.Attribute:
                    # self.vault[name] = token: stored in the object's field.
                    added = Value(
                        flows=with_step(value.flows, step),
                        fields=((key, value),) if key is not None else (),
                    )
                    self._store_in_field(target.value, added, step, env)
            if path is not None and value.tainted:
                step = TraceStep(self.ctx.location(target), f"stored in `{path}`")
                current = env.get(path, base)
                kept = current.flows if key is None else _overwritten(current, key)
                env[path] = Value(
                    flows=merge_flows(kept, with_step(value.flows, step)),
                    qname=current.qname,
                    constants=current.constants | value.constants,
                    fields=_set_field(current.fields, key, value),
                )
            elif path is not None and key is not None:
                # safe["api_key"] = "***": what the key held is gone.
                current = env.get(path, base)
                env[path] = replace(
                    current,
                    flows=_overwritten(current, key),
                    fields=_set_field(current.fields, key, value),
                )

    def _names_unpacked_credential(self, name: str, call: cst.BaseExpression) -> bool:
        """Whether ``name``, bound by unpacking what ``call`` returns, names a credential: a
        specific name (``password``, ``access_token``) does; a generic one (``token``) only
        from a call about credentials, not about text (``new_token, jti = mint_token()``, not
        ``token, count = Counter(words).most_common(1)[0]`` nor ``lexer.next_token(text)``)."""
        if not names.names_generic_credential(name):
            return True
        while isinstance(call, (cst.Await, cst.Subscript)):
            call = call.expression if isinstance(call, cst.Await) else call.value
        if not isinstance(call, cst.Call):
            return False
        func = call.func
        # What is called, not what it is given (`Counter(tokens).most_common(1)`).
        called = func.attr.value if isinstance(func, cst.Attribute) else self.ctx.code(func, 80)
        owner = self.ctx.code(func.value, 80) if isinstance(func, cst.Attribute) else ""
        return names.mentions_credential(called) and not names.is_text_token_read(owner, "token")

    def _name_source(
        self, name: str, target: cst.Name, value: Value, value_node: cst.BaseExpression
    ) -> Value:
        """A value assigned to a credential-named variable is a credential (CodeQL's choice)."""
        if CREDENTIAL in value.labels() or not names.is_credential_name(name):
            return value
        built_here = isinstance(value_node, cst.Call) and value.qname == (
            f"{self.qname_of(value_node.func)}()"
        )
        if (
            built_here
            and value.qname
            and value.qname.endswith("()")
            and self.ctx.project.known_class(value.qname[:-2])
            and self._text_method(value.qname[:-2]) is not None
        ):
            # cred = ApiCredential(name, key) of a class with its own __str__ / __repr__: it
            # shows what that returns (see _serialised), whatever the variable is named.
            return value
        if (value.fields or built_here) and self._declared_field(value.qname, None):
            # cred = Credential(...) or load_credential(p) of a dataclass built from known
            # values: its fields say what it holds (one loaded from a database row, with no
            # fields known, does not).
            return value
        if names.names_generic_credential(name) and _reads_text_field(value_node):
            # token = chunk.choices[0].delta.content: a model's streamed text, by what it reads.
            return value
        if not self._may_hold_secret(value_node) or (
            _is_call(value_node) and (self._returns_masked(value) or self._tokenizes(value.qname))
        ):
            # A tokenizer's ids or text hold what it was given, and nothing by name.
            return value
        if (
            value.flows
            and self._renames_parameter(value_node)
            and all(param_index(f) is not None and read_key(f) is None for f in value.flows)
        ):
            # token = site_or_url.strip(): what the caller passes, under another name; the
            # callers' arguments say whether it is a credential. (Not what was read from it
            # under a key: `token = ctx.deps["slack_tokens"][name]`.)
            return value
        flow = self._new_flow(
            target,
            f"`{name}` is named like a credential",
            markers=self._minted_markers(value_node),
            by_name=name,
        )
        return replace(value, flows=merge_flows(value.flows, (flow,)))

    def _tokenizes(self, result_qname: str | None) -> bool:
        """Whether ``result_qname`` (``enc.encode()``) is what a text tokenizer returns."""
        callee = (result_qname or "").removesuffix("()")
        return bool(callee) and (
            self.propagation.tokenizer_calls.matches(callee) or names.calls_text_tokenizer(callee)
        )

    def _renames_parameter(self, node: cst.BaseExpression) -> bool:
        """Whether ``node`` is a parameter of this function, at most normalised (``x``,
        ``(x or "").strip().lower()``): not decoded, split or indexed, which may take a
        credential out of it (``api_key = unquote(raw)``, ``secret = line.split("=")[1]``)."""
        while True:
            if type(node) is cst.BooleanOperation:
                node = node.left  # `x or ""`
            elif (
                type(node) is cst.Call
                and type(node.func) is cst.Attribute
                and node.func.attr.value in _NORMALISING_METHODS
            ):
                node = node.func.value
            else:
                break
        info = self.info
        return type(node) is cst.Name and info is not None and node.value in info.param_indices

    def _may_hold_secret(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            text = string_literal(node) if isinstance(node, cst.SimpleString) else None
            return isinstance(text, str) and _looks_like_secret_literal(text)
        if isinstance(
            node,
            (
                cst.Integer,
                cst.Float,
                cst.Imaginary,
                cst.Comparison,
                cst.List,
                cst.Tuple,
                cst.Set,
                cst.Dict,
                cst.Lambda,
                cst.ListComp,
                cst.DictComp,
                cst.SetComp,
                cst.GeneratorExp,
                cst.UnaryOperation,
            ),
        ):
            return False
        if isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
            return False
        if isinstance(node, cst.FormattedString):
            # f"client-{int(time.time())}": text and values of which none may be a secret.
            return any(
                self._may_hold_secret(part.expression)
                if isinstance(part, cst.FormattedStringExpression)
                else _looks_like_secret_literal(part.value)
                for part in node.parts
            )
        if isinstance(node, cst.Call):
            if self._stops(node) or _names_other_than_credential(_read_key(node, self.propagation)):
                return False
            if self._sets_context(node):
                return False  # `reset_token = current_user.set(user)`: a handle to reset it
            if self.ctx.packs.matcher.call_kind(self.qname_of(node.func)) == "propagate":
                # str(740845635798344975): a conversion holds what its arguments hold.
                return any(self._may_hold_secret(arg.value) for arg in node.args)
            return True
        if isinstance(node, cst.Subscript) and _names_other_than_credential(_const_key(node)):
            # token = resp["nextPageToken"]: the key says what the value is, a page cursor.
            return False
        if isinstance(node, cst.BooleanOperation):
            return self._may_hold_secret(node.left) or self._may_hold_secret(node.right)
        if isinstance(node, cst.IfExp):
            return self._may_hold_secret(node.body) or self._may_hold_secret(node.orelse)
        if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Call):
            # sha256(key).hexdigest()[:16]: part of what the call gives
            return self._may_hold_secret(node.value)
        return True

    def _sets_context(self, call: cst.Call) -> bool:
        """Whether ``call`` sets a context variable of the packs (``var.set(value)``)."""
        func = call.func
        if not (
            isinstance(func, cst.Attribute) and func.attr.value in self.propagation.context_setters
        ):
            return False
        return self._is_context_variable(self.qname_of(func.value))

    def _is_context_variable(self, qname: str | None) -> bool:
        """Whether ``qname`` names an object of the packs' context variables (``ContextVar()``)."""
        return self.propagation.context_variables.matches((qname or "").removesuffix("()"))

    def _minted_markers(self, node: cst.BaseExpression) -> frozenset[str]:
        """{MINTED} when the expression is a minting call, or may be one
        (``mint() if refresh else None``, ``given or mint()``)."""
        if isinstance(node, cst.Await):
            node = node.expression
        if isinstance(node, cst.IfExp):
            return self._minted_markers(node.body) | self._minted_markers(node.orelse)
        if isinstance(node, cst.BooleanOperation):
            return self._minted_markers(node.left) | self._minted_markers(node.right)
        if isinstance(node, cst.Call):
            q = self.qname_of(node.func)
            if self.ctx.packs.matcher.call_kind(q) == "minting":
                return frozenset({MINTED})
            # token = send_reset_email(...) of a project function that returns what it minted.
            target = self.ctx.project.function_for(q)
            if target is not None and self.ctx.project.summary(target.qualname).minted:
                return frozenset({MINTED})
        return frozenset()

    def _stops(self, call: cst.Call) -> bool:
        q = self.qname_of(call.func)
        if q in _BUILTIN_STOPPERS or self.ctx.packs.matcher.call_kind(q) == "stop":
            return True
        func = call.func
        return isinstance(func, cst.Attribute) and func.attr.value in self.propagation.stop_methods

    def _store_sink(
        self, target_qname: str, value: Value, node: cst.CSTNode, key: str | None = None
    ) -> None:
        """``target = value`` (``key`` None) or ``target[key] = value`` (``key``: what is known
        of the key, see _key_text)."""
        for spec in self.ctx.packs.matcher.store_sinks(target_qname):
            if spec.key_pattern is not None and (key is None or not spec.key_pattern.search(key)):
                continue
            note = f"{spec.note} (`{self.ctx.code(node, 40)}`)"
            self._sink_at(spec, node, value, note, self.ctx.code(node), spec.exclude_markers)

    # --- sinks -------------------------------------------------------------------------

    def _sink_at(
        self,
        spec: _SinkSpec,
        node: cst.CSTNode,
        value: Value,
        note: str,
        sink_text: str,
        markers: frozenset[str] = frozenset(),
        markup: MarkupRule | None = None,
        kinds: frozenset[str] = frozenset(),
    ) -> None:
        """Check ``value`` at ``node``, a sink of a pack ``spec`` (its rule and fix; with
        ``markup``, another rule for a body that holds HTML markup)."""
        rule, fix = spec.rule, spec.fix
        if markup is not None and MARKUP in value.constants:
            # A body with an inline script or a whole page: sent to the client as a page.
            rule, fix = markup.rule, markup.fix or fix
            note = note.replace(spec.note, markup.note)
        hit = SinkHit(
            rule=rule,
            location=self.ctx.location(node),
            note=note,
            fix=fix,
            scope=self.scope,
            sink_text=sink_text,
            exclude_kinds=kinds,
            exclude_markers=markers,
        )
        self.sink(value, hit)

    def sink(self, value: Value, hit: SinkHit) -> None:
        """A value reaches a sink: report concrete flows, summarise parameter flows."""
        if not value.flows:
            return
        step = TraceStep(hit.location, hit.note)
        for flow in value.flows:
            if hit.excludes(flow):
                continue
            index = param_index(flow)
            if index is not None:
                self.param_sinks.append(
                    ParamSink(index, hit, flow.steps, read_key(flow), keys_left_out(flow))
                )
                continue
            self.report(hit, flow.with_step(step))

    # --- expressions -------------------------------------------------------------------

    def eval(self, node: cst.BaseExpression, env: Env) -> Value:
        """The abstract value of an expression."""
        self.depth += 1
        ctx = self.ctx
        ctx.steps += 1
        try:
            if self.depth > MAX_EXPR_DEPTH:
                raise ExpressionTooDeep()
            if ctx.steps > MAX_STEPS_PER_MODULE:
                raise AnalysisBudgetExceeded(ctx.steps)
            return self._eval(node, env)
        finally:
            self.depth -= 1

    def _eval(self, node: cst.BaseExpression, env: Env) -> Value:
        # One dictionary lookup by node type: isinstance against LibCST's classes (ABCs) was a
        # tenth of the analysis time.
        handler = _EXPRESSION_HANDLERS.get(type(node))
        if handler is None:
            handler = _handler_for_subclass(type(node))
        # By name, so that a subclass's override of a handler is the one that runs.
        return getattr(self, handler)(node, env)

    def _eval_await(self, node: cst.Await, env: Env) -> Value:
        return self.eval(node.expression, env)

    def _eval_simple_string(self, node: cst.SimpleString, env: Env) -> Value:
        return self._constant(string_literal(node))

    def _eval_concatenated_string(self, node: cst.ConcatenatedString, env: Env) -> Value:
        # "a" "b" "c" nests to the right, one level per part: walk it, do not recurse
        # (generated text such as pydoc's topics has hundreds of parts).
        parts = []
        last: cst.BaseExpression = node
        while isinstance(last, cst.ConcatenatedString):
            parts.append(self.eval(last.left, env))
            last = last.right
        return join(*parts, self.eval(last, env))

    def _eval_formatted_string(self, node: cst.FormattedString, env: Env) -> Value:
        parts = [
            self._serialised(self.eval(p.expression, env), p.expression)
            for p in node.parts
            if isinstance(p, cst.FormattedStringExpression)
        ]
        markup = any(
            isinstance(p, cst.FormattedStringText) and _is_markup(p.value) for p in node.parts
        )
        constants = _MARKUP_CONSTANTS if markup else frozenset()
        return Value(flows=join(*parts).flows if parts else (), constants=constants)

    def _eval_binary_operation(self, node: cst.BinaryOperation, env: Env) -> Value:
        # a + b + c nests to the left: walk it, evaluating each operand once (evaluating
        # the left operand twice made a chain of n terms cost 2**n evaluations).
        rights = []
        leftmost: cst.BaseExpression = node
        while isinstance(leftmost, cst.BinaryOperation):
            rights.append(leftmost.right)
            leftmost = leftmost.left
        first = self.eval(leftmost, env)
        operands = [first, *(self.eval(right, env) for right in reversed(rights))]
        if type(node.operator) is cst.Modulo:  # "... %s" % obj shows the object's fields
            operands = [self._serialised(operand, node) for operand in operands]
        qname = None
        if (
            first.qname
            and first.qname.endswith("()")
            and not isinstance(first_pipe_step(node), cst.BinaryOperation)
        ):
            # `prompt | model | parser`, a chain of steps: it takes its input as its first
            # step does, so `chain.invoke(x)` is the first object's `invoke(x)`.
            qname = first.qname
        return Value(flows=join(*operands).flows, constants=first.constants, qname=qname)

    def _eval_boolean_operation(self, node: cst.BooleanOperation, env: Env) -> Value:
        left, right = self.eval(node.left, env), self.eval(node.right, env)
        if _is_empty_display(node.right):
            # `headers or {}`: the mapping as it is, its keys kept apart.
            return left
        return join(left, right)

    def _eval_unary_operation(self, node: cst.UnaryOperation, env: Env) -> Value:
        inner = self.eval(node.expression, env)
        return CLEAN if isinstance(node.operator, cst.Not) else Value(flows=inner.flows)

    def _eval_comparison(self, node: cst.Comparison, env: Env) -> Value:
        self.eval(node.left, env)
        for target in node.comparisons:
            self.eval(target.comparator, env)
        return CLEAN

    def _eval_if_expression(self, node: cst.IfExp, env: Env) -> Value:
        self.eval(node.test, env)
        pinned = self._pinned_to_constants(node.test, env)
        if pinned is None and not self._item_keys:
            return join(self.eval(node.body, env), self.eval(node.orelse, env))
        # `scheme if scheme in KNOWN else "other"`, `"***" if k in SECRET else v`: each branch
        # sees what the test says there.
        then_env, else_env = dict(env), dict(env)
        self._narrow(node.test, then_env)
        self._narrow(node.test, else_env, negated=True)
        if pinned is not None:
            then_env[pinned] = CLEAN
        return join(self.eval(node.body, then_env), self.eval(node.orelse, else_env))

    def _pinned_to_constants(self, test: cst.BaseExpression, env: Env) -> str | None:
        """The variable that ``test``, where it holds, says is one of some constant strings
        (``x in ("bearer", "basic")``, ``x == "bearer"``, ``x in KNOWN_SCHEMES``), if any."""
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return None
        left, target = test.left, test.comparisons[0]
        if not isinstance(left, cst.Name) or not isinstance(target.operator, (cst.In, cst.Equal)):
            return None
        right = target.comparator
        if self._string_constant(right, env) is not None or self._constant_collection(right, env):
            return left.value
        return None

    def _eval_sequence(self, node: cst.List | cst.Tuple | cst.Set, env: Env) -> Value:
        values = [self.eval(e.value, env) for e in node.elements]
        if not values:
            return CLEAN
        joined = join(*values)
        # A list of tracked dicts ([{"type": "server", "authorization": t}]) is tracked per key
        # too, so a sink can tell which of their keys it reads.
        fields: tuple[tuple[str, Value], ...] = ()
        if (
            joined.flows
            and not isinstance(node, cst.Set)
            and all(
                v.fields and not isinstance(e, cst.StarredElement)
                for v, e in zip(values, node.elements, strict=True)
            )
        ):
            keys = dict.fromkeys(k for v in values for k, _ in v.fields)
            fields = tuple(
                (k, join(*(item for v in values for key, item in v.fields if key == k)))
                for k in keys
            )
        items = (
            tuple(values)
            if isinstance(node, cst.Tuple)
            and not any(isinstance(e, cst.StarredElement) for e in node.elements)
            else None
        )
        # [(url, token), ...]: what each position of its tuples holds (see _element_of).
        elements = common_elements(
            [v.items for v, e in zip(values, node.elements, strict=True) if v.flows]
            if not any(isinstance(e, cst.StarredElement) for e in node.elements)
            else [None]
        )
        return Value(
            flows=joined.flows,
            constants=joined.constants - _MARKUP_CONSTANTS,  # a list of pages is data
            fields=fields,
            items=items,
            element_items=elements,
        )

    def _eval_named_expression(self, node: cst.NamedExpr, env: Env) -> Value:
        value = self.eval(node.value, env)
        self.assign(node.target, value, env, value_node=node.value)
        return value

    def _eval_starred(self, node: cst.StarredElement, env: Env) -> Value:
        return self.eval(node.value, env)

    def _eval_yield(self, node: cst.Yield, env: Env) -> Value:
        if isinstance(node.value, cst.BaseExpression):
            value = self.eval(node.value, env)
            self.on_return(value, node.value)
        elif node.value is not None:  # yield from
            value = self.eval(node.value.item, env)
            self.on_return(value, node.value.item)
        return CLEAN

    def _eval_opaque(self, node: cst.BaseExpression, env: Env) -> Value:
        # Numbers, ellipsis...
        return CLEAN

    def _eval_lambda(self, node: cst.Lambda, env: Env) -> Value:
        # Its body runs where it is called (see _call_lambda): the value names the node. A
        # library may call it too (`pool.submit(lambda: client.get(url, headers=h))`): its
        # sinks are checked here, over what it closes over, with its parameters unknown.
        if self.lambda_depth < MAX_LAMBDA_DEPTH:
            unknown = dict.fromkeys((p.name.value for p in parameters_in_order(node.params)), CLEAN)
            self.lambda_depth += 1
            try:
                self.eval(node.body, {**env, **unknown})
            finally:
                self.lambda_depth -= 1
        scope = self.info.qualname if self.info is not None else ""
        return named(self.ctx.project.name_lambda(node, self.ctx.module_name, scope))

    def _call_lambda(self, function: cst.Lambda, args: list[Arg], env: Env) -> Value:
        """What calling a lambda gives: its body, evaluated with its parameters bound to the
        arguments over the variables seen at the call (a closure reads them when it runs)."""
        if self.lambda_depth >= MAX_LAMBDA_DEPTH:
            return join(*(a.value for a in args))  # too deep to follow: what it was given
        params = function.params
        body_env = dict(env)
        positional = [*params.posonly_params, *params.params]
        spread = [a.value for a in args if a.keyword in ("*", "**")]
        for index, param in enumerate(positional + list(params.kwonly_params)):
            name = param.name.value
            passed = [
                a.value
                for a in args
                if a.keyword == name or (a.position == index and index < len(positional))
            ]
            if param.default is not None and not passed:
                passed.append(self.eval(param.default, env))
            body_env[name] = _either(*passed, *spread)
        extra = [a.value for a in args if a.position is not None and a.position >= len(positional)]
        if isinstance(params.star_arg, cst.Param):
            body_env[params.star_arg.name.value] = _either(*extra, *spread)
        if params.star_kwarg is not None:
            named_params = {p.name.value for p in positional + list(params.kwonly_params)}
            extra_keywords = [
                a.value for a in args if a.keyword is not None and a.keyword not in named_params
            ]
            body_env[params.star_kwarg.name.value] = _either(*extra_keywords, *spread)
        self.lambda_depth += 1
        try:
            return self.eval(function.body, body_env)
        finally:
            self.lambda_depth -= 1

    def _constant(self, text: object) -> Value:
        if not isinstance(text, str):
            return CLEAN
        if text in self.interesting:
            return Value(constants=frozenset({text}))
        if _is_markup(text):
            return _MARKUP_VALUE
        return CLEAN

    def _lookup_name(self, node: cst.Name, env: Env) -> Value:
        name = node.value
        if name in env:
            return env[name]
        if name in self.enclosing_env:
            return self.enclosing_env[name]
        if name in self.ctx.globals:
            if self.info is not None:
                self.ctx.project.uses_own_global(self.ctx.module_name, name)
            return self.ctx.globals[name]
        if name in self.ctx.imports:
            imported = self.ctx.imports[name]
            found = self.ctx.project.global_value(imported)
            if found is not None:
                return found
            if names.mentions_credential(name):
                self.ctx.project.request_module(imported)
            return named(imported)
        qual = f"{self.ctx.module_name}.{name}"
        if qual in self.ctx.functions or qual in self.ctx.classes:
            return named(qual)
        return named(name)

    def _eval_attribute(self, node: cst.Attribute, env: Env) -> Value:
        path = _access_path(node)
        if path is not None and path in env:
            return env[path]
        return self._attribute_of(self.eval(node.value, env), node.attr.value, node)

    def _attribute_of(self, base: Value, attr: str, node: cst.CSTNode) -> Value:
        """Attribute ``attr`` of ``base`` (``base.attr``, ``getattr(base, "attr")``)."""
        if base.type_arg and base.qname:
            # ctx.context / ctx.deps of a RunContextWrapper[UserCtx]: a UserCtx.
            wrapper = base.qname.removesuffix("()")
            for spec in self.ctx.packs.context_types:
                if attr in spec.attributes and spec.types.matches(wrapper):
                    return Value(flows=base.flows, qname=f"{base.type_arg}()")
        qname = f"{base.qname}.{attr}" if base.qname else None
        if qname and not base.flows and base.qname.endswith("()"):  # type: ignore[union-attr]
            # self.request of a framework's handler class: the library's attribute.
            qname = self.ctx.project.library_member(base.qname, attr) or qname  # type: ignore[arg-type]
        getter = self._property(base.qname, attr)
        if getter is not None:
            # settings.dsn of a `@property`: what the getter returns of this object; named as
            # the attribute where the packs name it (a library's own `ctx.state`, scanned).
            got = self._apply_summary(getter, [Arg(None, None, base, node)], node, qname)
            matcher = self.ctx.packs.matcher
            if qname and (matcher.store_sinks(qname) or matcher.read_sources(qname)):
                got = replace(got, qname=qname)
            return got
        stored_object = self.ctx.project.field_object(base.qname, attr)
        if stored_object is not None:
            # self.jwt = TokenCodec(...): an object, whatever its name says; and its methods
            # are that class's (self.jwt.decode is TokenCodec().decode).
            value = named(stored_object)
        elif base.flows and (
            (base.fields and self._declared_field(base.qname, attr))
            or self._stored_by_init(base.qname, attr)
        ):
            # cred.model of a dataclass built from known values, one a key, or msg.content
            # that `Message.__init__` stores from its own argument: that field (what is stored
            # there, below), not what the object holds as a whole.
            value = self._read(replace(base, flows=()), attr, node, qname)
        else:
            value = self._read(base, attr, node, qname)
        value = self._with_held_credentials(value, qname, node)
        stored = self._local_evidence(self.ctx.project.field_flows(base.qname, attr), base.qname)
        if stored:
            keys = self.ctx.project.field_keys_of(base.qname, attr)
            if keys is not None and not value.flows and not value.fields:
                # self.params = {"host": host, "api_key": key}: self.params["host"] elsewhere
                # holds what "host" does.
                fields = tuple(
                    (name, Value(flows=self._local_evidence(flows, base.qname)))
                    for name, flows in sorted(keys.items())
                )
                value = replace(value, flows=stored, fields=fields)
            else:
                if any(f.source_kind != "name" and CREDENTIAL in f.labels for f in stored):
                    # self._token = os.environ.get("WORKER_TOKEN"): what is stored there says
                    # what it is; its name adds nothing (nor a flow the sinks would count apart).
                    value = _with_flows(
                        value,
                        lambda flows: tuple(
                            f
                            for f in flows
                            if not (f.source_kind == "name" and _located_at(f.source, node))
                        ),
                    )
                value = replace(value, flows=merge_flows(value.flows, stored))
        if not base.tainted and _is_module_name(base.qname, self.ctx):
            # `config.API_KEY` where `config` is a scanned module.
            found = self.ctx.project.global_value(qname)
            if found is not None:
                return found
        return value

    def _stored_by_init(self, base_qname: str | None, attr: str) -> bool:
        """Whether an ``__init__`` of the project class whose instance ``base_qname`` names
        stores one of its parameters' values in ``attr``."""
        if not base_qname or not base_qname.endswith("()"):
            return False
        project = self.ctx.project
        class_qname = project.class_for(base_qname[:-2])
        return class_qname is not None and any(
            attr in project.init_stores(owner) for owner in project.lineage(class_qname)
        )

    def _declared_field(self, base_qname: str | None, attr: str | None) -> bool:
        """Whether ``attr`` (with None, any field) is declared in the body of the project class
        whose instance ``base_qname`` names (``pkg.Cred()``: a dataclass, model or
        NamedTuple)."""
        if not base_qname or not base_qname.endswith("()"):
            return False
        class_qname = base_qname[:-2]
        project = self.ctx.project
        if not project.known_class(class_qname):
            return False
        declared = project.declared_fields(class_qname)
        return bool(declared) if attr is None else attr in declared

    def _with_held_credentials(self, value: Value, qname: str | None, node: cst.CSTNode) -> Value:
        """``value`` read as ``qname``, with what a container the packs name as a whole holds
        (see _held_credentials)."""
        held = self._held_credentials(qname, node)
        if not held:
            return value
        return replace(
            value,
            flows=merge_flows(value.flows, *(v.flows for _, v in held)),
            fields=(*held, *value.fields),
        )

    def _held_credentials(
        self, qname: str | None, node: cst.CSTNode
    ) -> tuple[tuple[str, Value], ...]:
        """The fields of a container the packs name as a whole (``request.headers``): each
        credential it holds, under its key."""
        return tuple(
            (
                spec.whole_key,
                Value(flows=(self._source_flow(spec, node, _whole_markers(spec.whole_key)),)),
            )
            for spec in self.ctx.packs.matcher.read_sources(qname)
            if spec.whole_key is not None
        )

    def _read(
        self, base: Value, key: str, node: cst.CSTNode, qname: str | None, item: bool = False
    ) -> Value:
        """Read ``key`` (an attribute, or with ``item`` a constant subscript key) of ``base``."""
        flows: tuple[Flow, ...] = ()
        field_value = base.field(key)
        if base.fields and holds_whole_mapping(base):
            # A copy of request headers (`dict(request.headers)["Authorization"]`, or another
            # credential header of it: `incoming.get("X-Api-Key")`).
            read = whole_mapping_read(base, key, names.is_credential_name(key))
            if read is not None:
                field_value = read
        if field_value is not None:
            flows = field_value.flows
        elif base.tainted and not self._clean_key(key) and not (item and keys_hold_all(base)):
            # Not what other keys hold (``request.headers["user-agent"]``, ``cfg["model"]``
            # after ``cfg["api_key"] = key``): the rest; of a parameter, what a caller passes
            # under this key (a key that a dict built in code does not have holds nothing).
            # An attribute may be one no key tracked (an object built from the dict, such as
            # a model's `config.env`): it keeps what the keys hold but as a mapping read whole.
            rest = not_under_keys(base).flows if item else _not_held_whole(base)
            flows = under_key(rest, key)
        keyed = [
            spec
            for spec in self.ctx.packs.matcher.read_sources(base.qname)
            if self._key_matches(spec, key)
        ]
        if keyed:
            flows = _without_whole(flows)
        for spec in keyed:
            flows = merge_flows(flows, (self._source_flow(spec, node),))
        if (
            not keyed
            and not names.is_credential_name(key)  # one is, by its name (below)
            and (source := self.ctx.project.settings_source(key)) is not None
            and self._settings_object(base.qname, key)
            and not self._masked_field(base.qname, key)
        ):
            # `settings.search_key` is loaded from the environment's SEARCH_KEY.
            flows = merge_flows(flows, (self._source_flow(source, node),))
        if (
            not any(CREDENTIAL in flow.labels for flow in flows)
            and names.is_credential_name(key)
            and (
                not self._reads_module(node, base.qname)
                or self.propagation.settings_objects.matches(base.qname or "")
            )
            and not self._masked_field(base.qname, key)
            and not self.enum_class(base.qname)
            and not self._text_token_read(node, key)
            and not self._class_constant(base.qname, key)
        ):
            note = f"`{self.ctx.code(node, 50)}` is named like a credential"
            flows = merge_flows(flows, (self._new_flow(node, note, by_name=key),))
        fields = field_value.fields if field_value is not None else ()
        return Value(flows=flows, qname=qname, fields=fields)

    def _reads_module(self, node: cst.CSTNode, base_qname: str | None) -> bool:
        """Whether ``node`` reads an attribute of an imported module (``config.API_KEY``, whose
        value is the module's to say), not of an object a library exports (``from auth_lib
        import current_user``, ``from web import g``), which is a value like any other."""
        if not _is_module_name(base_qname, self.ctx):
            return False
        assert base_qname is not None
        owner = getattr(node, "value", None)
        if not (isinstance(owner, cst.Name) and owner.value in self.ctx.names_imported_from):
            return True  # `import x`, `import x.y as z`: a module
        attr = getattr(node, "attr", None)
        if names.is_class_name(owner.value) or (
            isinstance(attr, cst.Name) and names.is_class_name(attr.value)
        ):
            # A class's constants and members (`AuthScheme.API_KEY`), a module's classes
            # (`credentials.Credentials`): names, not values.
            return True
        project = self.ctx.project
        return project.module(base_qname) is not None or (
            project.locator is not None and project.locator(base_qname)
        )

    def _text_token_read(self, node: cst.CSTNode, key: str) -> bool:
        """``token_logprob.token``: a token of text, by the name of the object read from, or
        of what a loop that binds it goes over (``async for ev in sentence_stream: ev.token``)."""
        owner = getattr(node, "value", None)
        if not isinstance(owner, cst.BaseExpression):
            return False
        if names.is_text_token_read(self.ctx.code(owner, 200), key):
            return True
        source = self._loop_sources.get(owner.value) if isinstance(owner, cst.Name) else None
        return source is not None and names.is_text_token_read(self.ctx.code(source, 200), key)

    def _masked_field(self, base_qname: str | None, attr: str) -> bool:
        """``settings.api_key`` declared with a masked type of the packs: the object masks
        the value."""
        if not base_qname or not self.propagation.masked_types:
            return False
        class_qname = base_qname.removesuffix("()")
        annotation = self.ctx.project.field_annotation(class_qname, attr)
        if annotation is None:
            return False
        project = self.ctx.project
        probe = self._probe_in(project.modules.get(project.class_modules[class_qname]))
        return any(
            self.propagation.masked_types.matches(q) for q in probe.annotation_qnames(annotation)
        )

    def _lineage(self, class_qname: str) -> Iterator[tuple[str, list[str]]]:
        """A project class and its project base classes (through re-exports: `from pkg import
        X`), each once, with the names of its bases as its own module resolves them."""
        project = self.ctx.project
        seen: set[str] = set()
        todo = [class_qname]
        while todo:
            current = project.class_for(todo.pop())
            if current is None or current in seen or len(seen) > 16:
                continue
            seen.add(current)
            owner = project.modules.get(project.class_modules[current])
            node = owner.classes.get(current) if owner is not None else None
            bases: list[str] = []
            if node is not None:
                probe = self._probe_in(owner)
                bases = [q for base in node.bases if (q := probe.qname_of(base.value))]
            yield current, bases
            todo.extend(bases)

    def _class_constant(self, qname: str | None, attr: str) -> bool:
        """``Messages.PASSWORD_TOO_SHORT`` or ``AuthType.API_KEY`` of a project class whose
        body binds that attribute once, to text or a number that cannot be a secret (a
        message, a label): what it holds, whatever its name says."""
        if not qname or "(" in qname:
            return False
        bound = self.ctx.project.class_bindings(qname, attr)
        if len(bound) != 1:
            return False
        literal = (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)
        return isinstance(bound[0], literal) and not self._may_hold_secret(bound[0])

    def enum_class(self, qname: str | None) -> bool:
        """A project class derived from an enumeration: ``AuthType.API_TOKEN`` is a member, a
        label, whatever its name says."""
        if not qname or "(" in qname:
            return False
        return any(base in _ENUM_BASES for _, bases in self._lineage(qname) for base in bases)

    def _masking_model(self, class_qname: str) -> bool:
        """A project class whose fields named like credentials, in it and its project base
        classes, are all declared with a masked type of the packs, and there is one at least (a
        model whose `api_key` is declared with one): formatted or logged whole, it shows none."""
        if not self.propagation.masked_types:
            return False
        secret_fields = 0
        for current, _ in self._lineage(class_qname):
            for attr in self.ctx.project.declared_fields(current):
                if names.is_credential_name(attr):
                    if not self._masked_field(current, attr):
                        return False
                    secret_fields += 1
        return secret_fields > 0

    def _loop_targets(
        self,
        iterable: cst.BaseExpression,
        target: cst.BaseAssignTargetExpression,
        pairs: bool = False,
    ) -> list[tuple[cst.BaseExpression, bool]]:
        """The targets a loop binds an element of ``iterable`` to, each with whether it is
        clean: in ``for i, x in enumerate(xs)`` the index, in ``for name, v in m.items()`` the
        key (the packs' ``key-value-methods``), and with ``pairs`` (a mapping held as pairs,
        ``for name, v in scope["headers"]``) the name."""
        if pairs and isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2:
            first, second = (e.value for e in target.elements)
            return [(first, True), (second, False)]
        if (
            isinstance(iterable, cst.Call)
            and isinstance(target, (cst.Tuple, cst.List))
            and len(target.elements) == 2
        ):
            first, second = (e.value for e in target.elements)
            if self.qname_of(iterable.func) == "enumerate" and iterable.args:
                # `for i, (name, value) in enumerate(m.items())`: the pair as without it.
                return [(first, True), *self._loop_targets(iterable.args[0].value, second)]
            if (
                isinstance(iterable.func, cst.Attribute)
                and iterable.func.attr.value in self.propagation.key_value_methods
                and not iterable.args
            ):
                return [(first, True), (second, False)]
        return [(target, False)]

    def _note_item_pair(
        self, targets: list[tuple[cst.BaseExpression, bool]], iterable: Value
    ) -> None:
        """Remember which loop variable holds the value of which key (``for k, v in
        m.items()``), and the items iterated, for conditions on the key (see _narrow)."""
        if 2 <= len(targets) <= 3 and all(clean for _, clean in targets[:-1]):
            (key, _), (value, _) = targets[-2:]  # after enumerate's index, if any
            if isinstance(key, cst.Name) and isinstance(value, cst.Name):
                self._item_keys[value.value] = (key.value, iterable)

    def _remove_key(
        self, mapping: cst.BaseExpression, key_node: cst.BaseExpression, env: Env
    ) -> None:
        """``d.pop("k")``, ``del d["k"]``: a dict built in code no longer holds what its key
        ``"k"`` held (and held nowhere else)."""
        path = _access_path(mapping)
        key = self._string_constant(key_node, env)
        current = env.get(path) if path is not None else None
        if key is None or current is None or not keys_hold_all(current):
            return
        kept = tuple((name, item) for name, item in current.fields if name != key)
        held = {f.key() for _, item in kept for f in item.flows}
        flows = tuple(f for f in current.flows if f.key() in held)
        env[path] = replace(current, flows=flows, fields=kept)  # type: ignore[index]

    def _narrow(self, test: cst.BaseExpression, env: Env, negated: bool = False) -> None:
        """Where ``test`` holds (``negated``: where it does not), leave out what a mapping
        holds under a key the test rules out: ``if k.lower() not in ("host",
        "authorization")`` or ``k != "authorization"`` in a loop over
        ``request.headers.items()`` leaves the Authorization header behind, and the code after
        ``if k == "api_key": continue`` in a loop over a dict built in code what its key
        ``"api_key"`` holds."""
        if not self._item_keys:
            return
        self._narrow_to_keys(test, env, negated)
        excluded = self._keys_ruled_out(test, env, negated)
        if not excluded:
            return
        whole_keys = self.ctx.packs.whole_keys
        for value_name, (key_name, items) in self._item_keys.items():
            current = env.get(value_name)
            keys = excluded.get(key_name)
            if not keys or current is None:
                continue
            contained = {k[1:] for k in keys if k.startswith("*")}
            if contained and not items.fields:
                # A mapping of unknown keys: what its keys named like no credential hold (a
                # redaction loop's `else: redacted[k] = v`). A caller's dict still passes.
                kept = tuple(f for f in current.flows if param_index(f) is not None)
                current = replace(current, flows=without_keys(kept, keys, keyed=True))
            elif (
                contained
                and _holds_whole_mapping(current)
                and any(w in whole for w in contained for whole in whole_keys)
            ):
                current = replace(current, flows=_without_whole(current.flows))
            if any(k[1:].lower() in whole_keys for k in keys) and _holds_whole_mapping(current):
                current = replace(current, flows=_without_whole(current.flows))
            elif not items.fields and any(param_index(f) is not None for f in current.flows):
                # A loop over a parameter's items: what a caller passes but under those keys.
                current = replace(current, flows=without_keys(current.flows, keys))
            elif keys_hold_all(items):
                kept = join_keyed(*(item for _, item in fields_kept(items, keys)))
                left = {f.key() for f in items.flows} - {f.key() for f in kept.flows}
                flows = tuple(f for f in current.flows if f.key() not in left)
                current = replace(current, flows=flows, fields=kept.fields)
            env[value_name] = current

    def _narrow_to_keys(self, test: cst.BaseExpression, env: Env, negated: bool) -> None:
        """Where ``test`` pins a loop's key to constants (``k == b"x-request-id"``, ``k in
        WANTED``; ``negated``: ``k != ...``), the value holds only what those keys hold: of
        request headers, no Authorization header unless one of them names it."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test, negated = test.expression, not negated
        if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
            return
        target = test.comparisons[0]
        pinning = (cst.NotIn, cst.NotEqual) if negated else (cst.In, cst.Equal)
        key, compared = test.left, target.comparator
        if isinstance(target.operator, (cst.Equal, cst.NotEqual)) and not isinstance(
            _without_text_methods(key), cst.Name
        ):
            key, compared = compared, key  # b"traceparent" == name
        key = _without_text_methods(key)  # k.lower(), name.decode("latin-1").lower()
        if not isinstance(target.operator, pinning) or not isinstance(key, cst.Name):
            return
        pinned = {k.lower() for k in self._constant_strings(compared, env)}
        if not pinned:
            return
        whole_keys = self.ctx.packs.whole_keys
        for value_name, (key_name, items) in self._item_keys.items():
            current = env.get(value_name)
            if key_name != key.value or current is None:
                continue
            if _holds_whole_mapping(current) and not pinned & whole_keys:
                env[value_name] = replace(current, flows=_without_whole(current.flows))
            elif keys_hold_all(items):
                kept = [item for name, item in items.fields if name.lower() in pinned]
                env[value_name] = join_keyed(*kept) if kept else CLEAN
            elif not items.fields and any(param_index(f) is not None for f in current.flows):
                # A loop over a parameter's items: what a caller passes under those keys alone
                # (a helper copying only trace headers of what it is given).
                only = frozenset("+" + k for k in pinned)
                env[value_name] = replace(current, flows=without_keys(current.flows, only))

    def _keys_ruled_out(
        self, test: cst.BaseExpression, env: Env, negated: bool = False
    ) -> dict[str, frozenset[str]]:
        """The key variables ``test`` proves (``negated``: disproves) to be none of some
        constant keys, each written as summaries.key_left_out reads it: ``=api_key`` compared
        as written, ``~api_key`` when the test compares the key transformed (``k.lower()``)."""
        if isinstance(test, cst.BooleanOperation) and isinstance(
            test.operator, cst.Or if negated else cst.And
        ):
            left = self._keys_ruled_out(test.left, env, negated)
            right = self._keys_ruled_out(test.right, env, negated)
            return {k: left.get(k, frozenset()) | right.get(k, frozenset()) for k in left | right}
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            return self._keys_ruled_out(test.expression, env, not negated)
        words = self._words_in_key(test, env)
        if words is not None:
            # `any(w in k.lower() for w in ("key", "token", ...))` false: k holds none of them.
            key_name, found = words
            return {key_name: self._keys_containing(key_name, found)} if negated else {}
        if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1):
            return {}
        target = test.comparisons[0]
        ruling_out = (cst.In, cst.Equal) if negated else (cst.NotIn, cst.NotEqual)
        if not isinstance(target.operator, ruling_out):
            return {}
        key = test.left
        mark = "="
        if (  # k.lower(), k.casefold(), k.strip()...
            isinstance(key, cst.Call) and not key.args and isinstance(key.func, cst.Attribute)
        ):
            key, mark = key.func.value, "~"
        if not isinstance(key, cst.Name) or not any(
            key.value == name for name, _ in self._item_keys.values()
        ):
            return {}
        keys = self._constant_strings(target.comparator, env)
        spelled = (mark + (k.lower() if mark == "~" else k) for k in keys)
        return {key.value: frozenset(spelled)} if keys else {}

    def _words_in_key(
        self, test: cst.BaseExpression, env: Env
    ) -> tuple[str, frozenset[str]] | None:
        """``any(w in k.lower() for w in WORDS)`` of a loop's key ``k`` and constant strings:
        the key's name and the words (lower case); else None."""
        if not (
            isinstance(test, cst.Call)
            and isinstance(test.func, cst.Name)
            and test.func.value == "any"
            and len(test.args) == 1
            and isinstance(test.args[0].value, cst.GeneratorExp)
        ):
            return None
        generator = test.args[0].value
        clause = generator.for_in
        element = generator.elt
        if (
            clause.inner_for_in is not None
            or clause.ifs
            or not isinstance(clause.target, cst.Name)
            or not isinstance(element, cst.Comparison)
            or len(element.comparisons) != 1
            or not isinstance(element.comparisons[0].operator, cst.In)
            or not isinstance(element.left, cst.Name)
            or element.left.value != clause.target.value
        ):
            return None
        key = element.comparisons[0].comparator
        if isinstance(key, cst.Call) and not key.args and isinstance(key.func, cst.Attribute):
            key = key.func.value  # k.lower()
        if not isinstance(key, cst.Name) or not any(
            key.value == name for name, _ in self._item_keys.values()
        ):
            return None
        words = self._constant_collection(clause.iter, env)
        return (key.value, frozenset(w.lower() for w in words)) if words else None

    def _keys_containing(self, key_name: str, words: frozenset[str]) -> frozenset[str]:
        """The keys of the loop over ``key_name`` that contain one of ``words``, as
        _keys_ruled_out spells them; and, when the words cover every kind of credential name
        (a key, a token, a secret, a password), ``*`` + each word: its unknown keys too."""
        found: set[str] = set()
        for loop_key, items in self._item_keys.values():
            if loop_key != key_name:
                continue
            found.update(
                "=" + field for field, _ in items.fields if any(w in field.lower() for w in words)
            )
        if names.covers_credential_kinds(words):
            found.update("*" + w for w in words)
        return frozenset(found)

    def _constant_strings(self, node: cst.BaseExpression, env: Env) -> set[str]:
        """The strings ``node`` is known to be or hold: a literal or a tuple, list or set of
        them, a module-level constant of those, or the constants its value carries."""
        text = self._string_constant(node, env)
        if text is None and (type(node) is cst.Name or type(node) is cst.Call):
            text = self._string_text(node, env)
        if text is not None:
            return {text}
        found: set[str] = set()
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            for element in node.elements:
                if isinstance(element, cst.Element):
                    found |= self._constant_strings(element.value, env)
        elif (name := self._module_level_name(node, env)) is not None:
            found |= set(self.ctx.project.string_collection(self.ctx, name))
        elif isinstance(node, cst.Name) and node.value not in self._rebound:
            found |= set(self._local_collections.get(node.value, ()))
        # Evaluated again (the test was): a name or a literal, as a rule.
        return found | (self.eval(node, env).constants - _MARKUP_CONSTANTS)

    def _probe_in(self, ctx: ModuleContext | None) -> FunctionInterpreter:
        """An interpreter that resolves names in module ``ctx`` (this one in its own module,
        or when the module is not known) and reports nothing."""
        if ctx is None or ctx is self.ctx:
            return self
        return FunctionInterpreter(ctx, None, lambda hit, flow: None)

    def _source_flow(self, spec, node: cst.CSTNode, markers: frozenset[str] = frozenset()) -> Flow:
        """A new flow from a pack source (call or keyed read) at ``node``."""
        note = f"{spec.note} (`{self.ctx.code(node, 50)}`)"
        return self._new_flow(node, note, spec.labels, spec.kind, spec.markers | markers)

    def _new_flow(
        self,
        node: cst.CSTNode,
        note: str,
        labels: frozenset[str] = frozenset({CREDENTIAL}),
        kind: str = "name",
        markers: frozenset[str] = frozenset(),
        by_name: str | None = None,
    ) -> Flow:
        """A flow that starts at ``node`` (by default: a credential named like one; ``by_name``:
        the name that makes it one)."""
        if by_name is not None and names.names_generic_credential(by_name):
            markers = markers | {GENERIC_NAME}
        return Flow(
            labels=labels,
            steps=(TraceStep(self.ctx.location(node), note),),
            source_kind=kind,
            markers=markers,
        )

    def _clean_key(self, key: str) -> bool:
        if key in self.propagation.clean_attributes or key.lower() in self.propagation.clean_keys:
            return True
        words = names.split_words(key)
        if not words or names.is_credential_name(key):
            return False
        # A look-alike such as "token_type" or "expires_in" is metadata about the credential.
        if any(
            w in ("token", "secret", "password", "key", "credential", "credentials") for w in words
        ):
            return True
        # `creds.service_account_email`, `token.user_name`, `key.private_key_id`,
        # `credentials["gong_base_url"]`: a name, id, date or address that ends in the words of
        # a clean attribute describes the holder or the secret, and is not it (a session's id
        # is the session itself).
        return "session" not in words and any(
            words[-len(clean) :] == clean
            for clean in _word_tails(self.propagation.clean_attributes)
        )

    @staticmethod
    def _key_matches(spec, key: str) -> bool:
        if spec.whole_key is not None:  # the container as a value, not its keys
            return False
        if spec.key_pattern is not None and not spec.key_pattern.search(key):
            return False
        return not spec.key_is_credential or names.is_credential_name(key)

    def _eval_subscript(self, node: cst.Subscript, env: Env) -> Value:
        path = _access_path(node)
        if path is not None and path in env:
            return env[path]
        base = self.eval(node.value, env)
        index = _single_index(node)
        key = self._string_constant(index, env) if index is not None else None
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                self.eval(element.slice.value, env)
        if key is not None:
            qname = f"{base.qname}.{key}" if base.qname else None
            # event["headers"] of a Lambda event: a mapping the packs name as a whole.
            return self._with_held_credentials(
                self._read(base, key, node, qname, item=True), qname, node
            )
        if isinstance(index, cst.Name) and index.value in self._constant_keys:
            # {f: CONFIG[f] for f in PUBLIC_FIELDS}: one of those keys.
            return join(
                *(
                    self._read(base, k, node, f"{base.qname}.{k}" if base.qname else None, True)
                    for k in sorted(self._constant_keys[index.value])
                )
            )
        template = _template_key(index)
        if template is not None:
            # os.environ[f"STRIPE_{mode}_SECRET_KEY"]: a source by the key's fixed text.
            sources = tuple(
                self._source_flow(spec, node)
                for spec in self.ctx.packs.matcher.read_sources(base.qname)
                if self._key_matches(spec, template)
            )
            if sources:
                return Value(flows=merge_flows(sources))
        if _is_zero(index) and _splits_off_head(node.value):
            # header.split(" ", 1)[0]: the scheme ("Bearer"), a Basic pair's user name, a key's
            # id before its dot; not the secret after it.
            return CLEAN
        sliced = _last_identifier(node.value)
        if _is_short_slice(node) and (
            names.is_maskable_credential_name(sliced)
            or (
                not names.is_credential_name(sliced)
                and (self._text_parameter(node.value) or _text_from_sources(sliced, base))
            )
        ):
            # token[:8], self.api_key[-4:]: a masked form, as people log and show credentials
            # (only of a value named like one, of a parameter declared `str`, as a helper
            # that masks whatever it is given, or of text read from the environment or a
            # request: history[-10:] keeps ten whole messages, and twelve characters of a
            # password may be all of it).
            return CLEAN
        if keys_hold_all(base):
            # PROVIDERS[name] of a dict built in code: one of its values, with their keys.
            return join_keyed(*(item for _, item in base.fields))
        # Agent[UserCtx] is still Agent; an element of a container has no name of its own.
        last = (base.qname or "").rsplit(".", 1)[-1]
        # `request.headers[HEADER_NAME]` is one header, not the mapping as a whole.
        flows = _without_whole(base.flows)
        return Value(flows=flows, qname=base.qname if last[:1].isupper() else None)

    def _eval_dict(self, node: cst.Dict, env: Env) -> Value:
        values: list[Value] = []
        fields: list[tuple[str, Value]] = []
        constants: frozenset[str] = frozenset()
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                inner = self.eval(element.value, env)
                values.append(inner)
                fields.extend(inner.fields)
                continue
            key_value = self.eval(element.key, env)
            value = self.eval(element.value, env)
            constants |= key_value.constants | value.constants
            key = string_value(element.key)
            if key is not None:
                fields.append((key, value))
            values.append(value)
            values.append(key_value)
        joined = join(*values) if values else CLEAN
        # A key given twice holds what its last occurrence does (`{**defaults, "headers": h}`).
        latest = dict(fields)
        return Value(
            flows=joined.flows,
            # A dict holding a page is data, not a page (see _is_markup).
            constants=(constants | joined.constants) - _MARKUP_CONSTANTS,
            fields=tuple((key, latest[key]) for key in dict.fromkeys(key for key, _ in fields)),
        )

    def _eval_comprehension(self, node, env: Env) -> Value:
        kept = dict(self._constant_keys)
        kept_sources = dict(self._loop_sources)
        try:
            return self._eval_comprehension_clauses(node, env)
        finally:
            self._constant_keys = kept
            self._loop_sources = kept_sources

    def _eval_comprehension_clauses(self, node, env: Env) -> Value:
        inner_env = dict(env)
        clause = node.for_in
        first: tuple[Value, list[tuple[cst.BaseExpression, bool]]] | None = None
        while clause is not None:
            self._note_constant_keys(clause.target, clause.iter, inner_env)
            if isinstance(clause.target, cst.Name):
                self._loop_sources[clause.target.value] = clause.iter
            iterable = self.eval(clause.iter, inner_env)
            element = (
                CLEAN if self._iterates_keys(clause.iter, inner_env) else _element_of(iterable)
            )
            targets = self._loop_targets(clause.iter, clause.target, _holds_pairs(iterable))
            first = first or (iterable, targets)
            self._note_item_pair(targets, iterable)
            for target, is_clean in targets:
                self.assign(target, CLEAN if is_clean else element, inner_env, loop=True)
            for condition in clause.ifs:
                self.eval(condition.test, inner_env)
                self._narrow(condition.test, inner_env)
            clause = clause.inner_for_in
        if isinstance(node, cst.DictComp):
            by_key = self._per_constant_key(node, inner_env)
            if by_key is not None:
                return by_key
            iterable, targets = first  # type: ignore[misc]
            # {k: v for k, v in (("labels", x), ("token", t))}: the pairs' constant keys.
            pairs = self._literal_pairs(node.for_in.iter, env)
            kept = self._filtered_items(
                node, pairs or iterable, targets, inner_env, pairs is not None
            )
            if kept is not None:
                return kept
            if (
                not node.for_in.ifs
                and _keys_from_keys(node, self.propagation.key_value_methods)
                and _values_kept(node)
                and any(WHOLE_MAPPING in f.markers for f in iterable.flows)
                # `_keys_from_keys`: the loop goes over `mapping.items()` (or the like).
                and _plain_read(mapping := node.for_in.iter.func.value)  # type: ignore[attr-defined]
            ):
                # {k.lower(): v for k, v in request.headers.items()}: the same mapping, its
                # names in another case (read in any case, as the packs' mapping is). Read
                # again for its keys, which `.items()` does not keep; a read has no effects.
                return self.eval(mapping, env)
            return join(self.eval(node.key, inner_env), self.eval(node.value, inner_env))
        element = self.eval(node.elt, inner_env)
        # [(s.id, token) for s in servers]: a collection of such tuples.
        elements = element.items if element.flows else None
        return Value(flows=element.flows, element_items=elements)

    def _per_constant_key(self, node: cst.DictComp, env: Env) -> Value | None:
        """``{k: kwargs[k] for k in ("base_url", "api_key") if k in kwargs}``: a dict built in
        code with those keys, each holding what its value is with ``k`` that key (the
        conditions only say which keys are there); None for another comprehension."""
        clause = node.for_in
        if (
            clause.inner_for_in is not None
            or type(clause.target) is not cst.Name
            or type(node.key) is not cst.Name
            or node.key.value != clause.target.value
        ):
            return None
        name = clause.target.value
        keys = self._constant_keys.get(name)
        if not keys or len(keys) > 32:
            return None
        fields = []
        try:
            for key in sorted(keys):
                self._constant_keys[name] = frozenset({key})
                fields.append((key, self.eval(node.value, env)))
        finally:
            self._constant_keys[name] = keys
        return Value(flows=merge_flows(*(v.flows for _, v in fields)), fields=tuple(fields))

    def _literal_pairs(self, node: cst.BaseExpression, env: Env) -> Value | None:
        """A tuple or list literal of ``(constant key, value)`` pairs, as a dict built in code
        with those keys; None for anything else."""
        if type(node) not in (cst.Tuple, cst.List):
            return None
        fields: list[tuple[str, Value]] = []
        for element in node.elements:  # type: ignore[attr-defined]
            pair = element.value
            if type(pair) is not cst.Tuple or len(pair.elements) != 2:
                return None
            key = self._string_constant(pair.elements[0].value, env)
            if key is None:
                return None
            fields.append((key, self.eval(pair.elements[1].value, env)))
        if not fields:
            return None
        return Value(flows=merge_flows(*(v.flows for _, v in fields)), fields=tuple(fields))

    def _filtered_items(
        self,
        node: cst.DictComp,
        items: Value,
        targets: list[tuple[cst.BaseExpression, bool]],
        env: Env,
        literal: bool = False,
    ) -> Value | None:
        """``{k: v for k, v in d.items() if ...}`` of a dict built in code (``items``, bound
        to ``targets``): the dict with its keys, but those the conditions rule out (see
        _keys_ruled_out); None for another comprehension."""
        clause = node.for_in
        if clause.inner_for_in is not None or not (
            isinstance(node.key, cst.Name) and isinstance(node.value, cst.Name)
        ):
            return None
        if literal and len(targets) == 1 and type(targets[0][0]) is cst.Tuple:
            pair = targets[0][0].elements  # type: ignore[attr-defined]
            targets = [(e.value, False) for e in pair]
        if len(targets) != 2 or not (targets[0][1] or literal):
            return None
        (key, _), (value, _) = targets
        if not (
            isinstance(key, cst.Name)
            and isinstance(value, cst.Name)
            and key.value == node.key.value
            and value.value == node.value.value
        ):
            return None
        if not keys_hold_all(items):
            return None
        left_out: frozenset[str] = frozenset()
        for condition in clause.ifs:
            left_out |= self._keys_ruled_out(condition.test, env).get(key.value, frozenset())
        fields = fields_kept(items, left_out)
        return Value(flows=merge_flows(*(v.flows for _, v in fields)), fields=fields)

    # --- calls -------------------------------------------------------------------------

    def _eval_call(self, node: cst.Call, env: Env) -> Value:  # noqa: C901 - the call policy
        func = node.func
        receiver: Value | None = None
        method: str | None = None
        if isinstance(func, cst.Attribute):
            receiver = self.eval(func.value, env)
            method = func.attr.value
            if (
                method in ("append", "extend")
                and len(node.args) == 1
                and self._bound_literal(func.value) is not None
            ):
                added = node.args[0].value
                listed = _literal_items(added) if method == "extend" else [added]
                self._local_appends.setdefault(func.value.value, []).extend(listed or ())  # type: ignore[attr-defined]
            callee_q = f"{receiver.qname}.{method}" if receiver.qname else None
            if callee_q and receiver.qname.endswith("()"):  # type: ignore[union-attr]
                # self.write(...) of a framework's handler class: the library's method.
                callee_q = (
                    self.ctx.project.library_member(receiver.qname, method)  # type: ignore[arg-type]
                    or callee_q
                )
            elif callee_q and receiver.qname in self.ctx.project.class_modules:
                # Triage.with_instructions(...) of a project class: a library's classmethod.
                callee_q = (
                    self.ctx.project.library_member(f"{receiver.qname}()", method) or callee_q
                )
            path = _access_path(func)
            if path is not None and path in env and env[path].qname:
                callee_q = env[path].qname
        else:
            callee = self.eval(func, env)
            callee_q = callee.qname
        args = self._eval_args(node, env)
        if callee_q in _KEY_LISTINGS and len(node.args) == 1 and not node.args[0].star:
            if self._iterates_keys(node.args[0].value, env):
                return CLEAN  # sorted(headers) of a dict built here: its keys
            if args and holds_whole_mapping(args[0].value):
                # list(request.headers): the header names, not the Authorization header.
                return Value(flows=_not_held_whole(args[0].value))
        site = self.ctx.project.lambdas.get(callee_q) if callee_q else None
        if site is not None and site.module_name == self.ctx.module_name:
            # Where it was written, it reads the variables at the call (a closure reads them
            # when it runs); elsewhere in its module, only the module's.
            scope = self.info.qualname if self.info is not None else ""
            return self._call_lambda(site.node, args, env if site.scope == scope else {})
        if receiver is None and callee.wraps and callee.items is not None:
            called = self._call_bound(callee, args, node)
            if called is not None:
                return called
        result_q = f"{callee_q}()" if callee_q else None
        packs = self.ctx.packs

        # Sinks: arguments the packs name for this callee.
        matcher = packs.matcher
        matched_sink, args = self._check_call_sinks(callee_q, args, node, env)

        # Tools declared as JSON schemas (`tools=[{... "properties": {...}}]`): their parameters.
        for schema_spec in matcher.tool_schemas(callee_q):
            for arg in args:
                if not schema_spec.args.selects(arg.position, arg.keyword):
                    continue
                schema: cst.BaseExpression | None = arg.node
                if isinstance(arg.node, cst.Name) and not self._module_level_name(arg.node, env):
                    # A local: the literal it was bound to once (`tools = [{...}]`), if any.
                    schema = self._bound_literal(arg.node)
                if schema is not None:
                    self.ctx.project.check_tool_schema(self.ctx, schema, schema_spec, self.scope)

        # Tool registrations: StructuredTool.from_function(f), FunctionTool.from_defaults(fn=f).
        registered_q = self._register_tools(callee_q, args, node, env)

        # server.tool(name="x")(fn), agent.tool_plain(fn): a tool decorator applied by a call.
        if args and args[0].position == 0 and args[0].value.qname:
            decorating = matcher.tool_decorators(callee_q)
            if type(func) is cst.Call:
                # The decorator's factory as evaluated (`self.server.tool(name="x")` of a
                # server kept on `self`), or else as written.
                built = callee_q or ""
                decorating = (
                    matcher.tool_decorators(built[:-2]) if built.endswith("()") else ()
                ) or matcher.tool_decorators(self.qname_of(func.func))
            if decorating:
                self.ctx.project.register_tool(args[0].value.qname, decorating[0], node)
                registered_q = args[0].value.qname

        # Agent(instructions=fn): what fn returns is a sink too.
        for spec in matcher.return_registrations(callee_q):
            for arg in args:
                if spec.registration_arg.selects(arg.position, arg.keyword) and arg.value.qname:
                    self.ctx.project.register_return_sink(arg.value.qname, spec)

        # search.invoke({...}) on a project tool: the arguments stand in for the model's.
        if method is not None and receiver is not None:
            for spec in packs.tool_call_sinks:
                if method in spec.methods:
                    self._check_tool_call(spec, receiver, args, node)

        # The tool object stands for its function (repos_tool.invoke(...) runs list_repos).
        wraps = registered_q if not matched_sink else None

        # partial(f, token=t) of the packs' binders: follow the bound arguments into f.
        kind = matcher.call_kind(callee_q)
        if kind in _INVOKER_KINDS and args:
            invoked = self._invoke(kind, args, node, env)
            if invoked is not None:
                return invoked
        if kind == "binder" and args and args[0].position == 0:
            bound = self.ctx.project.function_for(args[0].value.qname)
            if bound is not None or matcher.call_sinks(args[0].value.qname):
                rest = [
                    Arg(
                        a.position - 1 if a.position is not None else None,
                        a.keyword,
                        a.value,
                        a.node,
                    )
                    for a in args[1:]
                ]
                if bound is not None:
                    self._apply_summary(bound, rest, node, args[0].value.qname)
                if all(a.keyword not in ("*", "**") for a in rest):
                    # The object holds what it binds (its repr shows it), and calling it calls
                    # the function with those arguments first (see _call_bound).
                    return Value(
                        flows=join(*(a.value for a in rest)).flows if rest else (),
                        qname=result_q,
                        wraps=args[0].value.qname,  # as called: `client.post` is bound
                        items=tuple(a.value for a in rest if a.position is not None),
                        fields=tuple((a.keyword, a.value) for a in rest if a.keyword is not None),  # type: ignore[misc]
                    )
            return named(result_q)

        if (
            method is not None  # so `func` is an attribute
            and _is_super_call(func.value)  # type: ignore[attr-defined]
            and self.info is not None
            and self.info.class_qname is not None
        ):
            return self._call_super(self.info.class_qname, method, args, node, env)

        # Functions of the scanned project: apply their summaries.
        awaited_hits = self.ctx.project.awaited_hits
        target = self.ctx.project.function_for(callee_q)
        if target is not None:
            for wrapper in self._wrappers(target):
                # @traced: the call runs the decorator's wrapper with these arguments.
                self._apply_summary(wrapper, args, node, wrapper.qualname)
            applied = self._apply_summary(target, args, node, callee_q, env)
            if method is not None:
                applied = self._with_overrides(applied, func, method, args, node, env)
            # A project function the packs call clean (`redact_key`, `verify_token`) still
            # has its sinks, but what it returns holds no credential. (One they call minting
            # is judged by its body: `create_graph_token()` may fetch a token, not mint one.)
            return named(applied.qname) if kind == "stop" else applied
        cls = self.ctx.project.class_for(callee_q)
        if cls is not None:
            return self._construct(cls, args, node, env)
        if self.ctx.project.awaited_hits != awaited_hits:
            # Defined in a module this scan adds later: nothing is known of it yet (not even
            # that it is no library call), and this unit runs again once it is added.
            return named(result_q)
        if callee_q:
            # Maybe a function of a project module that was not parsed (pre-commit passes only
            # changed files; the prefilter skips files without a trigger word): parse it on
            # demand once a credential reaches it; its summary applies next round. Parameters
            # passed on wait in the summary until a caller passes a real credential.
            if any(concrete(a.value.flows) for a in args) or names.mentions_credential(
                callee_q.rsplit(".", 1)[-1]
            ):
                self.ctx.project.request_module(callee_q)
                if receiver is not None and receiver.qname:
                    # self.connect(url) inherited from a base class of another module.
                    self.ctx.project.parse_bases(receiver.qname)
            elif self.info is not None and any(a.value.tainted for a in args):
                self._defer(callee_q, args)

        # Exchanges (On-Behalf-Of, RFC 8693) produce a new, non-inbound credential.
        all_constants = (
            frozenset().union(*(a.value.constants for a in args)) if args else frozenset()
        )
        for spec in matcher.exchanges(callee_q):
            held = all_constants
            if spec.constant_key is not None:
                # {"grant_type": "refresh_token"}, not {"refresh_token": rt} of a logout.
                under = [a.value.field(spec.constant_key) for a in args]
                held = frozenset().union(*(v.constants for v in under if v is not None))
            if not spec.requires_constants or spec.requires_constants & held:
                note = f"{spec.note} (`{self.ctx.code(node.func, 50)}()`)"
                flow = self._new_flow(node, note, spec.labels, "exchange")
                return Value(flows=(flow,), qname=result_q)

        # Sources: calls whose result is a credential.
        for spec in matcher.call_sources(callee_q):
            if self._call_key_ok(spec, args):
                return Value(flows=(self._source_flow(spec, node),), qname=result_q)

        # Minting calls issue a new credential (a token endpoint doing its job), unless they
        # draw too few random bytes for one.
        if kind == "minting":
            if self._too_few_random_bytes(callee_q, args):
                return named(result_q)
            note = f"token minted by `{self.ctx.code(node.func, 40)}()`"
            markers = frozenset({MINTED})
            if self.propagation.random_byte_count_calls.matches(callee_q):
                markers |= {RANDOM}
            flow = self._new_flow(node, note, kind=MINTED, markers=markers)
            return Value(flows=(flow,), qname=result_q)
        if callee_q == "getattr" and 2 <= len(args) <= 3 and args[1].position == 1:
            # getattr(obj, "api_key"[, default]): the attribute, as `obj.api_key` is.
            attr = self._string_constant(args[1].node, env)
            if attr is not None and attr.isidentifier():
                read = self._attribute_of(args[0].value, attr, node)
                default = args[2].value if len(args) == 3 else CLEAN
                return replace(read, flows=merge_flows(read.flows, default.flows))
        if self.propagation.keyed_calls.matches(callee_q):
            copied = _keyed_mapping(args, result_q)
            if copied is not None:
                given = args[0].value if args and args[0].position == 0 else None
                if (
                    given is not None
                    and given.qname
                    and given.qname.endswith("()")
                    and self.ctx.project.known_class(given.qname[:-2])
                ):
                    # copy.copy(opts), replace(opts, timeout=5): still an object of its class,
                    # shown as one when logged or returned whole.
                    copied = replace(copied, qname=given.qname)
                return copied
        if kind == "propagate" and callee_q in self.propagation.dumping_calls:
            # vars(obj), asdict(obj): every field of the object.
            return Value(
                flows=join(*(self._dumped(a.value, a.node, args, env) for a in args)).flows,
                qname=result_q,
            )
        if kind == "propagate":
            return Value(
                flows=join(*(self._serialised(a.value, a.node) for a in args)).flows
                if args
                else (),
                qname=result_q,
                constants=frozenset().union(*(a.value.constants for a in args))
                if args
                else frozenset(),
            )
        # `session.get("refresh_token")` on a source the packs name (a session, headers) is a
        # keyed read, whatever stop-calls or sinks for HTTP sessions (`*session.get`) say.
        if (
            method in self.propagation.read_methods
            and receiver is not None
            and matcher.read_sources(receiver.qname)
            and args
            and _is_key_like(self._string_constant(args[0].node))
        ):
            # (A key, not a URL: `session.get("https://x/oauth/token")` is an HTTP request.)
            read = self._keyed_read(receiver, args, node, result_q)
            if read is not None:
                return read
        if callee_q in _BUILTIN_STOPPERS or kind == "stop":
            return named(result_q)
        if method is not None and method in packs.propagation.stop_methods:
            return named(result_q)
        if matched_sink:
            # What a sink builds still holds its input (HumanMessage(token) stored in a chat
            # history is a memory leak too); the marker keeps the same rule from reporting
            # the same flow again at the next sink (llm.invoke([HumanMessage(token)])).
            builders = [spec for spec in matcher.call_sinks(callee_q) if spec.propagates]
            if not builders:
                return named(result_q)
            markers = frozenset(SUNK_PREFIX + spec.rule for spec in builders)
            held = join(*(a.value for a in args)) if args else CLEAN
            flows = tuple(replace(f, markers=f.markers | markers) for f in held.flows)
            return Value(flows=flows, qname=result_q)
        receiver_is_value = receiver is not None and not _is_module_name(receiver.qname, self.ctx)

        if (
            method is not None
            and (
                method in self.propagation.context_setters
                or method in self.propagation.context_getters
            )
            and receiver is not None
            and self._is_context_variable(receiver.qname)
        ):
            held = self._context_variable(func.value, method, args, node, env)  # type: ignore[union-attr]
            if held is not None:
                return held

        # Keyed reads through .get(): request.headers.get("Authorization"), os.environ.get(k).
        if method in self.propagation.read_methods and receiver_is_value:
            assert receiver is not None
            read = self._keyed_read(receiver, args, node, result_q)
            if read is not None:
                if method in _KEY_REMOVERS and isinstance(func, cst.Attribute) and args:
                    self._remove_key(func.value, args[0].node, env)
                return read

        # histories.setdefault(key, ChatHistory()): the object stored, or one like the default.
        if (
            method == "setdefault"
            and receiver_is_value
            and len(args) == 2
            and (args[1].value.qname or "").endswith("()")
        ):
            assert receiver is not None
            default = args[1].value
            return Value(flows=merge_flows(receiver.flows, default.flows), qname=default.qname)

        # Container mutation taints the container: lst.append(token), d.update(h).
        if method in _CONTAINER_MUTATORS and isinstance(func, cst.Attribute):
            path = _access_path(func.value)
            incoming = join(*(a.value for a in args)) if args else CLEAN
            if path is not None and incoming.tainted:
                current = env.get(path, receiver or CLEAN)
                step = TraceStep(self.ctx.location(node), f"added to `{path}`")
                self._note_mutation_write(path, method, args, step)
                fields = current.fields
                if method == "update":
                    # Later keys replace earlier ones, as in the dict.
                    updated = dict(fields)
                    updated.update(f for a in args for f in a.value.fields)
                    fields = tuple(updated.items())
                env[path] = replace(
                    current,
                    flows=merge_flows(current.flows, with_step(incoming.flows, step)),
                    fields=fields,
                    element_items=_elements_after(current, method, args, step),
                )
                if type(func.value) is cst.Attribute:
                    # self.messages.append(message): stored in the object's field, as
                    # `self.messages = [..., message]` would be.
                    added = Value(flows=with_step(incoming.flows, step))
                    if method == "update":
                        added = replace(added, fields=fields)
                    self._store_in_field(func.value, added, step, env)
            return named(result_q)

        if (
            method in self.propagation.keyed_methods
            and receiver_is_value
            and not args
            and keys_hold_all(receiver)  # type: ignore[arg-type]
        ):
            assert receiver is not None
            return Value(flows=receiver.flows, qname=result_q, fields=receiver.fields)

        if method in _TEMPLATE_METHODS and isinstance(func, cst.Attribute):
            filled = self._filled_template(func.value, method, args, env, node)  # type: ignore[arg-type]
            if filled is not None:
                markup = _markup_of(receiver) if receiver is not None else frozenset()
                return Value(flows=filled.flows, qname=result_q, constants=markup)

        # Propagating methods: string building and conversions on a value.
        if method is not None and method in packs.propagation.methods and receiver_is_value:
            removed = method in packs.propagation.removing_methods
            if receiver is None:
                shown = CLEAN
            elif method in packs.propagation.dumping_methods:
                shown = self._dumped(receiver, node.func, args, env)
            elif method in packs.propagation.model_dumping_methods:
                shown = self._dumped(receiver, node.func, args, env, class_wide=False)
            else:
                shown = self._serialised(receiver, node.func)
            taken = next((a.value for a in args if a.position == 0), None) if removed else None
            if taken is not None and taken.flows:
                # url.replace(password, "***"): what the first argument holds is taken out.
                gone = {f.key() for f in taken.flows}
                shown = _with_flows(
                    shown, lambda flows: tuple(f for f in flows if f.key() not in gone)
                )
            parts = [
                shown,
                *(
                    self._serialised(a.value, a.node)
                    for a in args
                    if not removed or a.position != 0
                ),
            ]
            joined = join(*parts)
            return Value(flows=joined.flows, qname=result_q, constants=_markup_of(joined))

        # An object constructed from a credential holds it when it is a credential wrapper by
        # name (BearerAuth(token), Credentials(token=t), Auth.Token(t)); a client or model
        # built with its API key (Gemini(api_key=k)) is the correct use, and what flows out
        # of it (responses, events) is not the key.
        last = (callee_q or "").rsplit(".", 1)[-1]
        if last[:1].isupper() and args and self._holds_arguments(last):
            incoming = join(*(a.value for a in args))
            if incoming.tainted:
                step = TraceStep(self.ctx.location(node), f"wrapped in `{last}(...)`")
                return Value(flows=with_step(incoming.flows, step), qname=result_q, wraps=wraps)
        return named(result_q) if wraps is None else Value(qname=result_q, wraps=wraps)

    def _keyed_read(
        self, receiver: Value, args: list[Arg], node: cst.Call, result_q: str | None
    ) -> Value | None:
        """``x.get("key", default)`` with a constant key: the read, or None for another key."""
        key = self._string_constant(args[0].node) if args and args[0].position == 0 else None
        first = args[0].node if args else None
        if key is None and isinstance(first, cst.Name) and first.value in self._constant_keys:
            # config.get(conf_key) in a loop over constant keys: one of those keys.
            reads = [
                self._keyed_read(
                    receiver,
                    [replace(args[0], node=cst.SimpleString(repr(k))), *args[1:]],
                    node,
                    result_q,
                )
                for k in sorted(self._constant_keys[first.value])
                if '"' not in k and "\\" not in k
            ]
            found = [r for r in reads if r is not None]
            if found:
                return join(*found)
        if key is None:
            if not _holds_whole_mapping(receiver):
                return None
            # `request.headers.get(HEADER_NAME)`: one header, not the mapping as a whole.
            flows = _without_whole(receiver.flows)
            return Value(flows=merge_flows(flows, *(a.value.flows for a in args)), qname=result_q)
        # `x.get("k")` is `x["k"]`, also by name (`event.get("headers")` is `event.headers`).
        # (not of a call's result: `json.load(fh).get("headers")` is data, no request's)
        named_read = f"{receiver.qname}.{key}" if receiver.qname else None
        qname = (
            named_read
            if named_read
            and (
                not receiver.qname.endswith("()")  # type: ignore[union-attr]
                # an instance the packs name a whole mapping of: `scope.get("headers")`
                or any(s.whole_key for s in self.ctx.packs.matcher.read_sources(named_read))
            )
            else result_q
        )
        value = self._with_held_credentials(
            self._read(receiver, key, node, qname, item=True), qname, node
        )
        default = next((a.value for a in args if a.position == 1), CLEAN)
        if not default.flows:
            return value  # with its own keys, if it is a mapping
        return Value(flows=merge_flows(value.flows, default.flows), qname=value.qname)

    def _context_variable(
        self, holder: cst.BaseExpression, method: str, args: list[Arg], node: cst.Call, env: Env
    ) -> Value | None:
        """``current_token.set(token)`` / ``current_token.get()`` on a module-level context
        variable (see Project.store_context); None for a holder that is no module-level name."""
        name = dotted(holder)
        first = name.partition(".")[0] if name else None
        if (
            name is None
            or first in env
            or (self.info is not None and first in self.info.local_names)
        ):
            return None
        qualified = self.ctx.qualified(name)
        project = self.ctx.project
        if method in self.propagation.context_getters:
            default = args[0].value if args else CLEAN
            return Value(flows=merge_flows(project.context_value(qualified), default.flows))
        if args:
            code = self.ctx.code(holder, 40)
            step = TraceStep(
                self.ctx.location(node), f"kept in `{code}` for the rest of the context"
            )
            flows = with_step(args[0].value.flows, step)
            project.store_context(qualified, flows)
            # A function setting its parameter: each caller sets what it passes.
            self._keep_stored_parameters(
                CONTEXT_HOLDERS, project.holder_name(qualified), flows, step
            )
        return CLEAN

    def _filled_template(
        self,
        template_node: cst.BaseExpression,
        method: str,
        args: list[Arg],
        env: Env,
        node: cst.Call,
    ) -> Value | None:
        """``TEMPLATE.format(**ctx)``, ``"...{host}".format_map(cfg)`` of a constant template:
        what the fields it names take from the arguments (of a dict built in code, only those
        keys); None when the template is not a constant."""
        template = self._string_constant(template_node, env)
        named = _template_fields(template) if template is not None else None
        if named is None:
            return None
        parts: list[Value] = []
        for arg in args:
            mapping = arg.keyword == "**" or (method == "format_map" and arg.position == 0)
            if mapping and keys_hold_all(arg.value):
                parts.extend(v for k, v in arg.value.fields if k in named)
            elif mapping or arg.position is not None or arg.keyword == "*" or arg.keyword in named:
                parts.append(arg.value)
        return join(*(self._serialised(part, node) for part in parts))

    def _local_evidence(self, flows: tuple[Flow, ...], base_qname: str | None) -> tuple[Flow, ...]:
        """What the objects of a class hold, read here: but a value merely named like a
        credential in a file that is neither this one nor the class's (as for parameter sinks:
        a name is evidence where it is written; a test's value stored on a model in the test is
        no credential of the code reading the model, while the class's own parameters are)."""
        if not base_qname or not any(f.source_kind == "name" for f in flows):
            return flows
        project = self.ctx.project
        owner = project.class_modules.get(base_qname.removesuffix("()"))
        owner_ctx = project.modules.get(owner) if owner is not None else None
        if owner_ctx is None:
            return flows
        return tuple(
            f
            for f in flows
            if not (_named_elsewhere(f, self.ctx.path) and _named_elsewhere(f, owner_ctx.path))
        )

    def _property(self, base_qname: str | None, attr: str) -> FunctionInfo | None:
        """The getter of ``attr`` when ``base_qname`` is an instance of a project class (or
        of its project bases) that declares it ``@property`` or ``@cached_property``."""
        if not base_qname or not base_qname.endswith("()"):
            return None
        project = self.ctx.project
        name = base_qname[:-2]
        # A class of the project (also by a re-export); attributes of library objects are read
        # far more often and never have a getter here.
        class_qname = (
            name
            if name in project.class_modules
            else project.class_for(name)
            if project.in_project_module(name)
            else None
        )
        if class_qname is None:
            return None
        # Looked at before it is asked for (which runs it ahead and makes this unit depend on
        # it): most attributes read are fields or methods, not properties.
        found = project.defined_method(class_qname, attr)
        if found is None or not any(
            (dotted(d.decorator) or "").rsplit(".", 1)[-1] in _PROPERTY_DECORATORS
            for d in found.node.decorators
        ):
            return None
        return project.function_for(found.qualname)

    def _project_exception(self, class_qname: str) -> bool:
        """A project class derived (directly or through project classes) from a class the
        packs' holder suffixes name (`class MissingScope(PermissionError)`): its message."""
        project = self.ctx.project
        return any(
            self._holds_arguments(base.rsplit(".", 1)[-1])
            for owner in project.lineage(class_qname)
            for base in project.base_names(owner)
        )

    def _holds_arguments(self, class_name: str) -> bool:
        """Whether an object of this class carries what it was built from: a credential
        wrapper (``BearerAuth``), a message or content value (``HumanMessage``, ``Part``), or an
        exception (its message); a versioned name as its unversioned one
        (``SystemChatMessageV2``)."""
        return names.is_credential_wrapper(class_name) or _VERSION_SUFFIX.sub(
            "", class_name
        ).endswith(self.propagation.holder_suffixes)

    def _eval_args(self, node: cst.Call, env: Env) -> list[Arg]:
        args: list[Arg] = []
        position = 0
        for arg in node.args:
            value = self.eval(arg.value, env)
            if arg.keyword is not None:
                args.append(Arg(None, arg.keyword.value, value, arg.value))
            elif arg.star == "*":
                args.append(Arg(None, "*", value, arg.value))
            elif arg.star == "**":
                args.append(Arg(None, "**", value, arg.value))
            else:
                args.append(Arg(position, None, value, arg.value))
                position += 1
        return args

    def _check_tool_call(self, spec, receiver: Value, args: list[Arg], node: cst.Call) -> None:
        """Arguments of a tool invocation: the parameters the model would fill in."""
        visible = self.ctx.project.visible_tool_params(receiver.wraps or receiver.qname)
        if visible is None:
            return
        for arg in args:
            value = arg.value
            called = dict(value.fields)
            tool_args = called.get("args")
            if tool_args is not None and "type" in called and "name" in called:
                # A tool call ({"type": "tool_call", "name": ..., "args": {...}}): its `args`.
                value = tool_args
            if value.fields:
                # {"query": q, "token": t} with `token` injected (hidden): only visible keys.
                value = join(*(v for k, v in value.fields if k in visible))
            elif arg.keyword not in (None, "*", "**") and arg.keyword not in visible:
                continue
            if not value.tainted:
                continue
            short = self.ctx.code(node.func, 50)
            note = f"arguments of `{short}()`: {spec.note}"
            self._sink_at(spec, arg.node, value, note, f"{short}()")

    def _note_error_shows(self, shows: ArgSpec, args: list[Arg], node: cst.Call) -> None:
        """A call inside a ``try`` whose errors show some of its arguments: the handlers'
        exception holds what those carry."""
        step = TraceStep(
            self.ctx.location(node),
            f"shown by the error `{self.ctx.code(node.func, 40)}()` raises (its message holds "
            "the URL)",
        )
        marker = frozenset({ERROR_SHOWN})
        for arg in args:
            if shows.selects(arg.position, arg.keyword) and arg.value.tainted:
                flows = with_step(arg.value.flows, step)
                self.try_errors[-1].append(
                    tuple(replace(f, markers=f.markers | marker) for f in flows)
                )

    def _passes_constants(
        self,
        call: cst.Call,
        wanted: tuple[tuple[str, object], ...],
        env: Env,
        any_of: bool = False,
    ) -> bool:
        """Whether every keyword in ``wanted`` (``any_of``: one of them) is passed with that
        constant value: written there, a module-level constant (``secure=COOKIE_SECURE``), or
        a key of a module-level dict spread into the call (``**SECURE_COOKIE``)."""
        given: dict[str, object] = {}
        unknown_spread = False
        for arg in call.args:
            if arg.keyword is not None:
                given[arg.keyword.value] = self._literal(arg.value, env)
            elif arg.star == "**":
                spread = self._module_dict(arg.value, env)
                unknown_spread = unknown_spread or not spread
                for key, node in spread:
                    given[key] = self._literal(node, env)
        if any_of:
            # Passed so, or passed a value not known (`http_only=self.flag`, `**options`).
            return unknown_spread or any(
                key in given and given[key] in (value, _MISSING) for key, value in wanted
            )
        return all(given.get(key, _MISSING) == value for key, value in wanted)

    def _literal(self, node: cst.BaseExpression, env: Env) -> object:
        """The constant ``node`` is (a bool, string or int, written or a module-level
        constant); else _MISSING."""
        if (name := self._module_level_name(node, env)) is not None:
            if name in ("True", "False"):
                return name == "True"
            bound = self.ctx.project.module_binding(self.ctx, name)
            if (
                bound is None
                or isinstance(bound, cst.Name)
                and bound.value not in ("True", "False")
            ):
                return _MISSING
            node = bound
        if isinstance(node, cst.Name) and node.value in ("True", "False"):
            return node.value == "True"
        text = string_value(node)
        if text is not None:
            return text
        number = _constant_int(node)
        return _MISSING if number is None else number

    def _module_dict(
        self, node: cst.BaseExpression, env: Env
    ) -> list[tuple[str, cst.BaseExpression]]:
        """The constant keys and value expressions of a dict display or ``dict(k=v)``, written
        or bound to a module-level name."""
        if (name := self._module_level_name(node, env)) is not None:
            node = self.ctx.project.module_binding(self.ctx, name) or node
        if isinstance(node, cst.Dict):
            return [
                (key, element.value)
                for element in node.elements
                if isinstance(element, cst.DictElement)
                and (key := string_value(element.key)) is not None
            ]
        if isinstance(node, cst.Call) and dotted(node.func) == "dict":
            return [(a.keyword.value, a.value) for a in node.args if a.keyword is not None]
        return []

    def _module_level_name(self, node: cst.BaseExpression, env: Env | None) -> str | None:
        """The name ``node`` is when it names a module-level binding: no variable of this
        run (``env``) nor local name of the function shadows it."""
        if not isinstance(node, cst.Name):
            return None
        name = node.value
        if (env is not None and name in env) or (
            self.info is not None and name in self.info.local_names
        ):
            return None
        return name

    def _string_constant(self, node: cst.BaseExpression, env: Env | None = None) -> str | None:
        """The string ``node`` is: a literal, or the name of a module-level string constant
        (``os.getenv(KEY_ENV)``, ``session[SESSION_TOKEN_KEY]``) that no local variable
        shadows."""
        text = string_value(node)
        if text is None and type(node) is cst.SimpleString:
            # b"authorization": a key of ASGI's headers, which are bytes.
            text = bytes_text(node)
        if text is None and (name := self._module_level_name(node, env)) is not None:
            text = self.ctx.project.string_constant(self.ctx, name)
        return text

    def _constant_collection(self, node: cst.BaseExpression, env: Env) -> tuple[str, ...]:
        """The strings of a literal tuple, list or set of nothing but constant strings, or of
        a module-level constant collection of them (``SECRET_KEYS``); else none."""
        if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
            found = [
                self._string_constant(e.value, env) if isinstance(e, cst.Element) else None
                for e in node.elements
            ]
            return tuple(found) if found and None not in found else ()  # type: ignore[arg-type]
        name = self._module_level_name(node, env)
        return self.ctx.project.string_collection(self.ctx, name) if name is not None else ()

    def _too_few_random_bytes(self, callee_q: str | None, args: list[Arg]) -> bool:
        """A call of the packs' ``random-byte-count-calls`` that draws a constant number of
        random bytes, fewer than MIN_SECRET_BYTES (``f"client-{mint(2)}"``)."""
        if not self.propagation.random_byte_count_calls.matches(callee_q):
            return False
        for arg in args:
            if arg.position == 0 or arg.keyword in self.propagation.random_byte_count_keywords:
                count = _constant_int(arg.node)
                return count is not None and count < MIN_SECRET_BYTES
        return False

    def _call_key_ok(self, spec, args: list[Arg]) -> bool:
        if spec.key_arg is None:
            return True
        for arg in args:
            if spec.key_arg.selects(arg.position, arg.keyword):
                key = self._string_constant(arg.node) or _template_key(arg.node)
                if key is None:
                    return False
                if spec.key_pattern is not None:
                    return spec.key_pattern.search(key) is not None
                return names.is_credential_name(key)
        return False

    def _check_sink_arg(self, spec, arg: Arg, call: cst.Call) -> None:
        selected = spec.args.selects(arg.position, arg.keyword)
        value = self._serialised(arg.value, arg.node)
        if not selected and arg.keyword == "**":
            # f(**kwargs): only the selected keys of a tracked dict, else the whole mapping.
            picked = [v for k, v in value.fields if spec.args.selects(None, k)]
            # What no key holds may be under any keyword (`options.update(overrides)`).
            loose = not_under_keys(value) if value.fields else CLEAN
            if value.fields and not picked and not loose.flows:
                return
            if value.fields:
                value = join(*picked, loose)
            elif not spec.args.all_args:
                # A function's own `**kwargs`: what its callers pass under those keywords.
                value = Value(
                    flows=merge_flows(
                        *(under_key(value.flows, k) for k in sorted(spec.args.keywords))
                    )
                )
            selected = spec.args.all_args or bool(spec.args.keywords)
        if not selected and arg.keyword == "*":
            selected = bool(spec.args.positions)
        if not selected or not value.tainted:
            return
        # Per key only when the keys account for every flow (not after `lst.append(token)`, a
        # `**spread` or a computed key, whose flows no key holds).
        if (spec.key_pattern is not None or spec.exclude_keys) and fields_cover(value):
            value = join(
                *(
                    v
                    for k, v in value.fields
                    if (spec.key_pattern is None or spec.key_pattern.search(k))
                    and k not in spec.exclude_keys
                )
            )
        short = self.ctx.code(call.func, 50)
        if arg.keyword in ("*", "**"):
            what = f"`{arg.keyword}{self.ctx.code(arg.node, 40)}`"  # f(**kwargs): no position
        elif arg.keyword:
            what = f"`{arg.keyword}`"
        else:
            what = f"argument {(arg.position or 0) + 1}"
        note = f"{what} of `{short}()`: {spec.note}"
        sink_text = f"{short}({arg.keyword or arg.position})"
        self._sink_at(spec, arg.node, value, note, sink_text, spec.exclude_markers, spec.markup)

    def _construct(
        self, class_qname: str, args: list[Arg], node: cst.Call, env: Env | None = None
    ) -> Value:
        """``C(...)`` of a project class: run ``__init__``'s summary, or fill declared fields."""
        instance = f"{class_qname}()"
        # The object holds what it was built from (BearerAuth(token) is still the token).
        short = class_qname.rsplit(".", 1)[-1]
        # Fields are tracked one by one; the object as a whole holds the credential only when
        # it is a credential wrapper by name (a project `BearerAuth(token)`).
        incoming = join(*(a.value for a in args)) if args else CLEAN
        init = self.ctx.project.function_for(f"{class_qname}.__init__")
        # A dataclass or model holds its arguments in its declared fields, one by one (a
        # `ProviderCredential(api_key=k, model=m)`'s `.model` is no key), and shows them so.
        wraps = self._holds_arguments(short) and (
            init is not None or not self.ctx.project.declared_fields(class_qname)
        )
        held = (
            with_step(
                incoming.flows, TraceStep(self.ctx.location(node), f"wrapped in `{short}(...)`")
            )
            if wraps or self._project_exception(class_qname)
            else ()
        )
        if init is not None:
            self._apply_summary(init, args, node, f"{instance}.__init__")
            stored = self.ctx.project.construct_fields(class_qname, init, args)
            if self.info is not None:
                self._keep_constructed_parameters(class_qname, init, args)
            if stored and self._text_method(class_qname) is not None:
                # What this object shows of itself (see _serialised).
                fields = tuple((attr, Value(flows=flows)) for attr, flows in stored.items())
                return Value(flows=held, qname=instance, fields=fields)
            return Value(flows=held, qname=instance)
        self._construct_library_base(class_qname, args, node, env or {})
        # Dataclasses, model classes, NamedTuples: keyword or positional field values.
        declared = self.ctx.project.declared_fields(class_qname)
        given: list[tuple[str, Value]] = []  # this instance's fields, for serialising it
        for arg in _spread_keywords(args):
            name = arg.keyword
            if arg.position is not None and arg.position < len(declared):
                name = declared[arg.position]
            if name and name not in ("*", "**") and arg.value.tainted:
                step = TraceStep(self.ctx.location(arg.node), f"stored in field `{name}`")
                self.ctx.project.add_field(
                    class_qname, name, with_step(concrete(arg.value.flows), step)
                )
                self._keep_stored_parameters(class_qname, name, arg.value.flows, step)
                given.append((name, Value(flows=with_step(arg.value.flows, step))))
        return Value(flows=held, qname=instance, fields=tuple(given))

    def _keep_constructed_parameters(
        self, class_qname: str, init: FunctionInfo, args: list[Arg]
    ) -> None:
        """``C(token)`` with this function's parameter ``token``: the attributes ``__init__``
        stores it in are this function's parameter fields (see ParamField)."""
        class_qname = init.class_qname or class_qname  # __init__ may be a base class's
        stored = self.ctx.project.init_stores(class_qname)
        if not stored:
            return
        short = class_qname.rsplit(".", 1)[-1]
        bound: list[tuple[Arg, int | None, Value]] = []
        for arg in args:
            if not any(param_index(f) is not None for f in arg.value.flows):
                continue
            if arg.keyword == "**":
                # super().__init__(**kwargs): each parameter by its name.
                offset = 1 if init.is_method else 0
                bound.extend((arg, i, v) for i, v in spread_over(init.params, arg.value, offset))
            else:
                bound.append((arg, init.argument_index(arg.position, arg.keyword), arg.value))
        for arg, index, passed_value in bound:
            for attr, stores in stored.items():
                mine = [s for s in stores if s.index == index]
                if not mine:
                    continue
                step = TraceStep(self.ctx.location(arg.node), f"stored in `{short}.{attr}`")
                # What __init__ stores whole after reading it under a key; and what it stores
                # under a key of the dict or object it keeps there, only under that key.
                reads = {s.read for s in mine if s.under is None}
                if reads:
                    self._keep_stored_parameters(
                        class_qname, attr, passed_value.flows, step, sorted(reads, key=str)
                    )
                for s in sorted((s for s in mine if s.under is not None), key=str):
                    self._keep_stored_parameters(
                        class_qname, attr, passed_value.flows, step, [s.read], s.under
                    )

    def _apply_param_writes(
        self,
        summary: FunctionSummary,
        args: list[Arg],
        offset: int,
        params: Sequence[cst.Param],
        env: Env,
        passed: Callable[..., Value | None],
        call_loc: Location,
        name: str,
    ) -> None:
        """``inject_auth(params)`` whose function stores a credential into ``params``: the
        caller's ``params`` holds it after the call (under the key stored, when known)."""
        for write in summary.param_writes:
            arg = next(
                (
                    a
                    for a in args
                    if (a.position is not None and a.position + offset == write.index)
                    or (
                        a.keyword is not None
                        and write.index < len(params)
                        and params[write.index].name.value == a.keyword
                    )
                ),
                None,
            )
            path = _access_path(arg.node) if arg is not None else None
            if arg is None or path is None:
                continue
            step = TraceStep(call_loc, f"stored in `{path}` by `{name}()`")
            flows: list[Flow] = []
            for flow in write.flows:
                index = param_index(flow)
                if index is None:
                    flows.append(flow.with_step(step))
                elif (incoming := passed(index, read_key(flow), keys_left_out(flow))) is not None:
                    flows.extend(f.with_step(step) for f in incoming.flows)
            if not flows:
                continue
            added = merge_flows(tuple(flows))
            current = env.get(path, arg.value)
            fields = current.fields
            if write.key is not None:
                held = current.field(write.key)
                merged = merge_flows(held.flows if held is not None else (), added)
                fields = (
                    *((k, v) for k, v in fields if k != write.key),
                    (write.key, Value(flows=merged)),
                )
            env[path] = replace(
                current,
                flows=merge_flows(current.flows, added),
                fields=fields,
                element_items=None,  # what was added is no known element
            )
            self._note_param_write(path, write.key, added)

    def _note_mutation_write(
        self, path: str, method: str, args: list[Arg], step: TraceStep
    ) -> None:
        """``params.update(...)``, ``.setdefault(k, v)``, ``.append(v)`` on a parameter: a
        write into the caller's object (see _note_param_write), per key where known."""
        if method == "setdefault" and len(args) == 2:
            key = self._string_constant(args[0].node)
            self._note_param_write(path, key, with_step(args[1].value.flows, step))
            return
        for arg in args:
            value = arg.value
            if method == "update" and keys_hold_all(value):
                for key, item in value.fields:
                    self._note_param_write(path, key, with_step(item.flows, step))
            elif method == "update" and arg.keyword not in (None, "*", "**"):
                self._note_param_write(path, arg.keyword, with_step(value.flows, step))
            else:
                self._note_param_write(path, None, with_step(value.flows, step))

    def _note_param_write(self, path: str | None, key: str | None, flows: tuple[Flow, ...]) -> None:
        """``params[key] = value`` (or a mutation of ``params``) where ``params`` is one of
        this function's parameters, never rebound: its caller's object holds ``flows``."""
        info = self.info
        if info is None or path is None or not flows:
            return
        index = info.param_indices.get(path)
        # (the body's bound names last: collecting them visits the whole body)
        if index is None or (index == 0 and info.is_method) or path in info.bound_names:
            return
        # A parameter merely named like a credential is one only inside (see run_function).
        own = tuple(f for f in flows if param_index(f) != index and PARAM_NAME not in f.markers)
        if own:
            self.param_writes[(index, key)] = merge_flows(
                self.param_writes.get((index, key), ()), own
            )

    def _store_in_field(
        self,
        target: cst.Attribute,
        value: Value,
        step: TraceStep,
        env: Env,
        base: Value | None = None,
    ) -> None:
        """``value`` stored in attribute ``target`` of an object (``self.attr = value``, or
        added to the container there): kept as a field of its project class, and in a setter
        the parameters it holds are stored by each caller (``__init__``'s by constructors)."""
        if base is None:
            base = self.eval(target.value, env)
        if not base.qname:
            return
        attr = target.attr.value
        stored_on = self.ctx.project.store_field(base.qname, attr, value, self.info)
        if stored_on is not None and self.info is not None and self.info.name != "__init__":
            self._keep_stored_parameters(stored_on, attr, value.flows, step)

    def _keep_stored_parameters(
        self,
        class_qname: str,
        attr: str,
        flows: tuple[Flow, ...],
        step: TraceStep,
        keys: Sequence[str | None] = (None,),
        under: str | None = None,
    ) -> None:
        """This function's parameters among ``flows`` are stored on instances of
        ``class_qname`` as ``attr`` (with ``under``, under that key of it): what each caller
        passes for them is (see ParamField); under each of ``keys`` where the flow was read
        under none."""
        if self.info is None:
            return
        for flow in flows:
            index = param_index(flow)
            if index is not None:
                steps = flow.with_step(step).steps
                read = read_key(flow)
                for key in keys if read is None else (read,):
                    self.param_fields.append(
                        ParamField(index, class_qname, attr, steps, key, under)
                    )

    def _defer(self, callee_q: str, args: list[Arg]) -> None:
        """Note the parameters passed to ``callee_q`` if a project module may define it."""
        if not self.ctx.project.loadable(callee_q):
            return
        assert self.info is not None
        unit = (self.ctx.module_name, self.info.qualname)
        for arg in args:
            self._defer_parameters(arg.value.flows, callee_q, unit)

    def _follow_deferred(self, summary: FunctionSummary, by_index: dict[int, Value]) -> None:
        """A callee's parameters that wait for a module: load it once a credential arrives,
        or pass the wait on to this function's own parameters."""
        for call in summary.deferred:
            incoming = by_index.get(call.index)
            if incoming is None:
                continue
            if concrete(incoming.flows):
                self.ctx.project.request_module(call.callee, on_behalf_of=call.unit)
            if self.info is not None:
                self._defer_parameters(incoming.flows, call.callee, call.unit)

    def _defer_parameters(self, flows: tuple[Flow, ...], callee: str, unit: Unit) -> None:
        """This function's parameters among ``flows`` wait, in its summary, for ``callee``."""
        for flow in flows:
            index = param_index(flow)
            if index is not None:
                self.deferred.add(DeferredCall(index, callee, unit))

    def _with_overrides(
        self,
        applied: Value,
        func: cst.Attribute,
        method: str,
        args: list[Arg],
        node: cst.Call,
        env: Env,
    ) -> Value:
        """``applied`` (what ``self.method(...)`` gives in a method of a class) with what the
        overrides of ``method`` in the project's subclasses give: the object may be one of
        theirs (an abstract ``build_prompt`` a subclass fills in). Their sinks apply too."""
        info = self.info
        if (
            info is None
            or info.class_qname is None
            or type(func.value) is not cst.Name
            or info.is_static
            or not info.params
            or info.params[0].name.value != func.value.value
            or _is_classmethod(info)
        ):
            return applied
        project = self.ctx.project
        flows = [applied.flows]
        qnames = set()
        for override in project.overrides(info.class_qname, method):
            callee = project.function_for(override.qualname)
            if callee is None:
                continue
            bound_q = f"{callee.class_qname}().{method}"
            result = self._apply_summary(callee, args, node, bound_q, env)
            flows.append(result.flows)
            if result.qname is not None:
                qnames.add(result.qname)
        if len(flows) == 1:
            return applied
        qname = applied.qname or (qnames.pop() if len(qnames) == 1 else None)
        return replace(applied, flows=merge_flows(*flows), qname=qname)

    def _apply_summary(
        self,
        target: FunctionInfo,
        args: list[Arg],
        node: cst.Call,
        callee_q: str | None,
        env: Env | None = None,
    ) -> Value:
        """What calling project function ``target`` with ``args`` gives, its parameters'
        sinks and stores applied; with ``env``, the caller's objects it writes into updated
        there (see ParamWrite)."""
        summary = self.ctx.project.summary(target.qualname)
        # Called on an instance, the first parameter is bound; on the class (or a subclass)
        # it is the first argument, but a classmethod's `cls` is bound either way.
        offset = (
            1
            if target.is_method
            and callee_q
            and (
                _is_classmethod(target)
                or self.ctx.project.class_for(callee_q.rpartition(".")[0]) is None
            )
            else 0
        )
        params = target.params
        by_index: dict[int, Value] = {}
        # Keyword arguments no parameter names go into the `**kwargs` parameter, if any.
        spread = next((i for i, p in enumerate(params) if p.star == "**"), None)
        extra: list[tuple[str, Value]] = []
        varargs = next((i for i, p in enumerate(params) if p.star == "*"), None)
        for arg in args:
            if arg.position is not None:
                index = arg.position + offset
                if varargs is not None and index >= varargs:
                    # Positional arguments past the named ones go into `*args`.
                    current = by_index.get(varargs)
                    by_index[varargs] = arg.value if current is None else join(current, arg.value)
                elif index < len(params):
                    by_index[index] = arg.value
            elif arg.keyword not in (None, "*", "**"):
                for i, p in enumerate(params):
                    if p.name.value == arg.keyword and p.star not in ("*", "**"):
                        by_index[i] = arg.value
                        break
                else:
                    extra.append((arg.keyword, arg.value))  # type: ignore[arg-type]
            elif arg.keyword == "**" and arg.value.tainted:
                # f(**kwargs): per key when the dict is tracked, else every parameter.
                # A dict whose keys do not hold all its flows (a function's result, then one
                # key set: `c = parse(uri); c["driver"] = "x"; build(**c)`) may hold those
                # under any other key (not what its keys hold: `c.update(kwargs)` does not
                # put `c["api_key"]` under every other key).
                covered = fields_cover(arg.value)
                loose = not_under_keys(arg.value)
                for i, p in enumerate(params):
                    if i < offset:
                        continue
                    field_value = arg.value.field(p.name.value) if arg.value.fields else None
                    if field_value is not None:
                        by_index[i] = field_value
                    elif not covered and i not in by_index and p.star != "*":
                        # A named parameter gets what the caller's dict holds under its
                        # name (`super().__init__(**kwargs)` binds `name` to kwargs["name"]).
                        by_index[i] = (
                            loose
                            if p.star == "**"
                            else replace(loose, flows=under_key(loose.flows, p.name.value))
                        )
        if spread is not None and extra:
            flows = merge_flows(*(v.flows for _, v in extra))
            gathered = Value(flows=flows, fields=tuple(extra))
            current = by_index.get(spread)
            # (the keywords keep their keys beside what a `**kwargs` passed on holds)
            by_index[spread] = (
                gathered
                if current is None
                else Value(flows=merge_flows(current.flows, flows), fields=gathered.fields)
            )
        if summary.deferred:
            self._follow_deferred(summary, by_index)

        def passed(
            index: int, key: str | None, without: frozenset[str] = frozenset()
        ) -> Value | None:
            """What the call passes for parameter ``index``, under ``key`` if the function
            read it so, or but the keys it left out (see passed_under)."""
            incoming = by_index.get(index)
            return None if incoming is None else passed_under(incoming, key, without)

        call_loc = self.ctx.location(node)
        name = target.name
        if by_index:
            self.ctx.project.pass_to_closures(target, by_index, call_loc)

        def passed_on(flow: Flow, index: int, steps: tuple[TraceStep, ...]) -> Flow:
            """``flow``, passed for parameter ``index``, along ``steps`` inside the function."""
            pname = params[index].name.value if index < len(params) else "?"
            flow = flow.with_step(TraceStep(call_loc, f"passed to `{name}()` as `{pname}`"))
            for step in steps:
                flow = flow.with_step(step)
            return flow

        for ps in summary.param_sinks:
            pname = params[ps.index].name.value if ps.index < len(params) else ""
            incoming = passed(ps.index, ps.key, ps.without)
            if incoming is not None and incoming.fields and ps.key is None and not ps.without:
                # A dataclass built here, logged whole by the callee: its fields show.
                incoming = self._serialised(incoming, node)
            if incoming is None or not incoming.tainted:
                continue
            sink_step = TraceStep(ps.hit.location, ps.hit.note)
            for flow in incoming.flows:
                if ps.hit.excludes(flow):
                    continue
                combined = passed_on(flow, ps.index, ps.steps)
                caller_index = param_index(flow)
                if _named_elsewhere(flow, ps.hit.location.path) and (
                    GENERIC_NAME in flow.markers
                    or NAMED_ELSEWHERE in ps.hit.exclude_markers
                    or _named_in_test(flow)
                    or names.names_blocked_credential(pname)
                ):
                    # A value merely named like a credential is weak evidence for a sink in
                    # another file's helper when its word also names identifiers and records
                    # (`token`, `credentials`), when the sink takes no such value from elsewhere,
                    # or when a test names it (`api_key="sk-test"` passed into the code under
                    # test), or when the helper's own parameter says what it is
                    # (`get_secret(secret_name)` given the caller's `secret_key`, an id). A
                    # specific name (`github_token`, `api_key`) of the code itself crosses
                    # files as a real source does.
                    continue
                if caller_index is not None:
                    # This function's parameter passed on whole: what the callee reads of it
                    # (under a key, or but some keys) is what this function's callers pass.
                    own_key = read_key(flow)
                    key, without = own_key, keys_left_out(flow)
                    if own_key is None:
                        key, without = ps.key, without | ps.without
                    self.param_sinks.append(
                        ParamSink(caller_index, ps.hit, combined.steps, key, without)
                    )
                else:
                    self.report(ps.hit, combined.with_step(sink_step))
        for stored in summary.param_fields:
            incoming = passed(stored.index, stored.key)
            if incoming is None or not incoming.tainted:
                continue
            # As for parameter sinks: a value merely named like a credential does not cross
            # files into the objects of another (a test's `SECRET = "x"`).
            stored_in = stored.steps[-1].location.path
            real: list[Flow] = []
            for flow in incoming.flows:
                if _named_elsewhere(flow, stored_in):
                    continue
                combined = passed_on(flow, stored.index, stored.steps)
                caller_index = param_index(flow)
                if caller_index is None:
                    real.append(combined)
                elif self.info is not None:
                    self.param_fields.append(
                        ParamField(
                            caller_index,
                            stored.class_qname,
                            stored.attr,
                            combined.steps,
                            read_key(flow),
                            stored.under,
                        )
                    )
            # A dict passed for the parameter keeps its own keys there; stored under a key,
            # the parameter is that key's.
            keys = stored_keys(incoming)
            by_key = None
            if stored.under is not None:
                by_key = {stored.under: tuple(real)}
            elif keys is not None:
                by_key = {
                    name: tuple(
                        passed_on(f, stored.index, stored.steps)
                        for f in flows
                        if not _named_elsewhere(f, stored_in)
                    )
                    for name, flows in keys.items()
                }
            if real or by_key is not None:
                self.ctx.project.add_field(stored.class_qname, stored.attr, tuple(real), by_key)
        ret_step = TraceStep(call_loc, f"returned by `{name}()`")
        through = TraceStep(call_loc, f"passed through `{name}()`")

        def returned(summary_flows: tuple[Flow, ...]) -> tuple[Flow, ...]:
            """What the call gives for flows the function returns: its sources, and the
            arguments passed for its parameters."""
            flows: list[Flow] = []
            for flow in summary_flows:
                index = param_index(flow)
                if index is None:
                    flows.append(flow.with_step(ret_step))
                    continue
                incoming = passed(index, read_key(flow), keys_left_out(flow))
                if incoming is not None:
                    flows.extend(f.with_step(through) for f in incoming.flows)
            return merge_flows(tuple(flows))

        if env is not None and summary.param_writes:
            self._apply_param_writes(summary, args, offset, params, env, passed, call_loc, name)

        closure = self.ctx.project.returned_function(target)
        qname = (
            (closure.qualname if closure is not None else None)
            or self.ctx.project.returned_object(target)
            or self.ctx.project.declared_object(target)
            or (f"{callee_q}()" if callee_q else None)
        )
        items = (
            None
            if summary.return_items is None
            else tuple(Value(flows=returned(item)) for item in summary.return_items)
        )
        functions = self.ctx.project.returned_functions(target)
        if functions is not None:
            # return [search, fetch]: each item is the closure of its name.
            if items is not None and len(items) == len(functions):
                items = tuple(replace(v, qname=q) for q, v in zip(functions, items, strict=True))
            else:
                items = tuple(named(q) for q in functions)
        fields = tuple(
            (key, Value(flows=returned(flows))) for key, flows in summary.return_fields or ()
        )
        return Value(flows=returned(summary.returns), qname=qname, items=items, fields=fields)


# --- helpers -------------------------------------------------------------------------------


# The method that evaluates each kind of expression (see FunctionInterpreter._eval).
_EXPRESSION_HANDLERS: dict[type, str] = {
    cst.Name: "_lookup_name",
    cst.Attribute: "_eval_attribute",
    cst.Call: "_eval_call",
    cst.Subscript: "_eval_subscript",
    cst.Await: "_eval_await",
    cst.SimpleString: "_eval_simple_string",
    cst.ConcatenatedString: "_eval_concatenated_string",
    cst.FormattedString: "_eval_formatted_string",
    cst.BinaryOperation: "_eval_binary_operation",
    cst.BooleanOperation: "_eval_boolean_operation",
    cst.UnaryOperation: "_eval_unary_operation",
    cst.Comparison: "_eval_comparison",
    cst.IfExp: "_eval_if_expression",
    cst.List: "_eval_sequence",
    cst.Tuple: "_eval_sequence",
    cst.Set: "_eval_sequence",
    cst.Dict: "_eval_dict",
    cst.ListComp: "_eval_comprehension",
    cst.SetComp: "_eval_comprehension",
    cst.GeneratorExp: "_eval_comprehension",
    cst.DictComp: "_eval_comprehension",
    cst.NamedExpr: "_eval_named_expression",
    cst.StarredElement: "_eval_starred",
    cst.Yield: "_eval_yield",
    cst.Lambda: "_eval_lambda",
}


# The constant a string holding HTML markup carries (see _is_markup): a body with it is a page.
MARKUP = "<markup>"
_MARKUP_CONSTANTS = frozenset({MARKUP})
_MARKUP_VALUE = Value(constants=_MARKUP_CONSTANTS)


def _markup_of(value: Value) -> frozenset[str]:
    """The markup constant of ``value``, if it carries it (what string building keeps)."""
    return _MARKUP_CONSTANTS if MARKUP in value.constants else frozenset()


def _is_empty_display(node: cst.BaseExpression) -> bool:
    """``{}``, ``[]``, ``()``, ``""`` or ``None``: what ``x or {}`` falls back to."""
    if isinstance(node, (cst.Dict, cst.List, cst.Tuple)):
        return not node.elements
    return _is_none(node) or string_value(node) == ""


def _declares_page(node: cst.BaseExpression, propagation: Propagation) -> bool:
    """Whether a response written here declares a page's content type (the packs'
    ``page-content-types``): a returned ``(body, status, {"Content-Type": ...})`` or a call
    passing one of the packs' ``content-type-keywords`` so."""
    declared: cst.BaseExpression | None = None
    if isinstance(node, cst.Call):
        declared = next(
            (
                arg.value
                for arg in node.args
                if arg.keyword is not None
                and arg.keyword.value in propagation.content_type_keywords
            ),
            None,
        )
    elif isinstance(node, cst.Tuple) and len(node.elements) >= 2:
        headers = node.elements[-1].value
        if isinstance(headers, cst.Dict):
            declared = next(
                (
                    element.value
                    for element in headers.elements
                    if isinstance(element, cst.DictElement)
                    and (string_value(element.key) or "").lower() == "content-type"
                ),
                None,
            )
    text = string_value(declared)
    return text is not None and text.lower().startswith(propagation.page_content_types)


def _is_markup(text: str) -> bool:
    """Whether a string literal is (part of) an HTML page or an inline script."""
    if "<" not in text:  # most strings: one scan, no copy
        return False
    lowered = text.lower()
    return "<script" in lowered or "<html" in lowered or "<!doctype html" in lowered


# Builtins that list what iterating their argument gives (of a dict, its keys).
_KEY_LISTINGS = frozenset({"sorted", "list", "set", "tuple", "frozenset", "reversed", "iter"})


def builds_mapping(node: cst.BaseExpression | None, key_value_methods: frozenset[str]) -> bool:
    """A dict whose keys are all written as strings: a display (``{"model": m, "api_key": k}``,
    also merging others: ``{"Accept": a, **auth_headers}``) or ``dict(model=m, api_key=k)``;
    not one keyed by values (``{token: 1}``), whose keys may be credentials."""
    if isinstance(node, cst.Dict):
        return all(
            isinstance(e, cst.StarredDictElement)
            or (isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString))
            for e in node.elements
        )
    if isinstance(node, cst.DictComp):
        return _keys_from_keys(node, key_value_methods)
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Name)
        and node.func.value == "dict"
        and all(arg.keyword is not None for arg in node.args)
    )


def _keys_from_keys(node: cst.DictComp, key_value_methods: frozenset[str]) -> bool:
    """``{k.lower(): v for k, v in m.items()}`` (the packs' ``key_value_methods``): a dict
    keyed by another's keys (its key expression reads the loop's key alone), so its keys hold
    none of its values."""
    clause = node.for_in
    target = clause.target
    if clause.inner_for_in is not None or not isinstance(target, cst.Tuple):
        return False
    names = [e.value for e in target.elements]
    if len(names) != 2 or not all(isinstance(n, cst.Name) for n in names):
        return False
    iterable = clause.iter
    if not (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Attribute)
        and iterable.func.attr.value in key_value_methods
    ):
        return False
    key_name, value_name = (n.value for n in names)  # type: ignore[union-attr]
    used = {n.value for n in _names_in(node.key)}
    return key_name in used and value_name not in used


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    """The names an expression reads (not attribute names)."""
    found: list[cst.Name] = []

    class Names(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

    node.visit(Names())
    return found


def _either(*values: Value) -> Value:
    """The one value given as it is (its keys, items and name kept), or the join of several."""
    return values[0] if len(values) == 1 else join(*values)


def _handler_for_subclass(node_type: type) -> str:
    """The handler of the nearest LibCST class a node's type derives from (trees built by
    code rather than the parser may use subclasses); remembered for the next node."""
    for base in node_type.__mro__[1:]:
        handler = _EXPRESSION_HANDLERS.get(base)
        if handler is not None:
            break
    else:
        handler = "_eval_opaque"
    _EXPRESSION_HANDLERS[node_type] = handler
    return handler


@functools.lru_cache(maxsize=8)
def _word_tails(attributes: frozenset[str]) -> tuple[tuple[str, ...], ...]:
    """The words of each clean attribute of the packs (``base_url`` → ``("base", "url")``)."""
    return tuple(words for words in (names.split_words(a) for a in sorted(attributes)) if words)


def first_pipe_step(node: cst.BaseExpression) -> cst.BaseExpression:
    """The first step of a chain of steps joined by ``|`` (``prompt | model | parser``), or
    ``node`` itself."""
    while isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        node = node.left
    return node


def _distinct_fields(param_fields: list[ParamField]) -> tuple[ParamField, ...]:
    """One parameter field per parameter, class and attribute, the shortest path kept (as
    _distinct does for sinks)."""
    best: dict[tuple, ParamField] = {}
    for stored in param_fields:
        key = (stored.index, stored.class_qname, stored.attr, stored.key, stored.under)
        kept = best.get(key)
        if kept is None or len(stored.steps) < len(kept.steps):
            best[key] = stored
    return tuple(best.values())


def _distinct(param_sinks: list[ParamSink]) -> tuple[ParamSink, ...]:
    """One parameter sink per parameter, rule and sink location, the shortest path kept.

    Every call site re-derives its callee's sinks, once per incoming flow: without this, the
    summaries of functions that call each other multiply with every call and every round
    (pickle.py of the standard library took 40 seconds)."""
    best: dict[tuple, ParamSink] = {}
    for sink in param_sinks:
        key = (sink.index, sink.hit.rule, sink.hit.location, sink.key)
        kept = best.get(key)
        if kept is None or len(sink.steps) < len(kept.steps):
            best[key] = sink
    return tuple(best.values())


def _signature(value: Value) -> tuple:
    return (frozenset(f.key() for f in value.flows), value.qname)


def _is_key_like(text: str | None) -> bool:
    """A mapping key (``refresh_token``, ``oauth:token``), not a URL or a path."""
    return bool(text) and "://" not in text and not text.startswith("/") and " " not in text


# Annotations that name a plain mapping type, not what the mapping holds.
_PLAIN_MAPPINGS = frozenset(
    {
        "dict",
        "typing.Dict",
        "typing.Mapping",
        "typing.MutableMapping",
        "collections.abc.Mapping",
        "collections.abc.MutableMapping",
    }
)

# The most characters of a credential a constant slice may keep to count as masking it
# (`token[:8]`, `key[-4:]`): a fraction of a token's entropy, useless to whoever reads it.
MAX_MASKING_SLICE = 12


# String methods that normalise a value without taking anything out of it.
_NORMALISING_METHODS = frozenset(
    {"strip", "lstrip", "rstrip", "lower", "upper", "casefold", "title", "removeprefix"}
)

# Words in a function's name that say it masks what it is given (`fingerprint_token`,
# `preview_key`, `mask_secret`): a short slice of a `str` parameter there is a masked form.
_MASKING_WORDS = ("mask", "redact", "preview", "fingerprint", "obfuscat", "censor", "hide")


# Source kinds the packs read as text (an environment variable, a header, cookie or query
# value), not as a collection of credentials.
_TEXT_SOURCE_KINDS = frozenset({"env", "header", "cookie", "query"})


def _text_from_sources(name: str, value: Value) -> bool:
    """Whether ``value``, held under ``name``, is one credential's text as read from a source
    (``map_key = os.getenv("PLACES_API_KEY")``): credential flows all of kinds read as text,
    none a mapping held whole, each read here or assigned once since (not put into a list of
    messages on the way), and a name that is not a plural (``keys`` may be a list)."""
    credentials = [f for f in value.flows if CREDENTIAL in f.labels]
    return (
        bool(credentials)
        and not name.endswith("s")
        and all(
            f.source_kind in _TEXT_SOURCE_KINDS
            and WHOLE_MAPPING not in f.markers
            and len(f.steps) <= 2
            for f in credentials
        )
        and value.items is None
        and value.element_items is None
    )


def _is_short_slice(node: cst.Subscript) -> bool:
    """``x[:n]``, ``x[0:n]`` or ``x[-n:]`` with a constant ``n`` up to MAX_MASKING_SLICE."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Slice):
        return False
    part = node.slice[0].slice
    if part.step is not None:
        return False
    lower, upper = _constant_int(part.lower), _constant_int(part.upper)
    if part.lower is None or lower == 0:  # a prefix
        return upper is not None and 0 <= upper <= MAX_MASKING_SLICE
    return part.upper is None and lower is not None and -MAX_MASKING_SLICE <= lower < 0


def _last_identifier(node: cst.BaseExpression) -> str:
    """``token`` for ``token``, ``self.token`` and ``env["token"]``; else empty."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript):
        return _const_key(node) or ""
    return ""


def _constant_int(node: cst.BaseExpression | None) -> int | None:
    """The value of ``4`` or ``-4``."""
    if isinstance(node, cst.Integer):
        return int(node.evaluated_value)
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, cst.Integer)
    ):
        return -int(node.expression.evaluated_value)
    return None


def _leaves_function(suite: cst.BaseSuite | cst.If | cst.Else | None) -> bool:
    """Whether a branch ends in ``return`` or ``raise`` (an ``elif`` chain: every branch)."""
    return _ends_with(suite, (cst.Return, cst.Raise))


def _ends_with(suite: cst.BaseSuite | cst.If | cst.Else | None, kinds: tuple[type, ...]) -> bool:
    """Whether a branch ends in a statement of one of ``kinds`` (an ``elif`` chain: every
    branch)."""
    # Identity tests: isinstance on LibCST's classes is slow, and this runs for every branch.
    kind = type(suite)
    if suite is None:
        return False
    if kind is cst.If:
        return _ends_with(suite.body, kinds) and _ends_with(suite.orelse, kinds)  # type: ignore[union-attr]
    if kind is cst.Else:
        return _ends_with(suite.body, kinds)  # type: ignore[union-attr]
    body = suite.body  # type: ignore[union-attr]
    if not body:
        return False
    last = body[-1]
    if type(last) is cst.SimpleStatementLine:
        last = last.body[-1] if last.body else None
    return type(last) in kinds


def _without_whole(flows: tuple[Flow, ...]) -> tuple[Flow, ...]:
    """``flows`` without what a mapping read whole holds (see ``_held_credentials``)."""
    return _without_markers(flows, (WHOLE_MAPPING,))


# The version a class name ends with (`UserChatMessageV2`).
_VERSION_SUFFIX = re.compile(r"V[0-9]+$")


def _whole_markers(key: str) -> frozenset[str]:
    """The markers of a credential a mapping the packs name as a whole holds under ``key``."""
    return frozenset({WHOLE_MAPPING, WHOLE_KEY_PREFIX + key})


def _holds_whole_mapping(value: Value) -> bool:
    """Whether ``value`` carries a mapping the packs name as a whole (``request.headers``)."""
    return any(WHOLE_MAPPING in f.markers for f in value.flows)


def _elements_after(
    current: Value, method: str, args: list[Arg], step: TraceStep
) -> tuple[Value, ...] | None:
    """The ``element_items`` of ``current`` once ``current.method(*args)`` added to it: a
    tuple appended (``entries.append((url, token))``) or the elements of a list extended with."""
    if method in ("append", "add", "appendleft"):
        added = [a.value.items for a in args if a.position == 0 and a.value.flows]
    elif method == "insert":
        added = [a.value.items for a in args if a.position == 1 and a.value.flows]
    elif method in ("extend", "extendleft"):
        added = [a.value.element_items for a in args if a.position == 0 and a.value.flows]
    else:
        return None
    if any(a.keyword is not None for a in args):
        return None
    shapes = [current.element_items] if current.flows or current.element_items else []
    kept = common_elements(shapes + added)
    if kept is None:
        return None
    return tuple(_with_flows(item, lambda flows: with_step(flows, step)) for item in kept)


def _element_of(iterable: Value) -> Value:
    """What iterating ``iterable`` yields: a mapping the packs name as a whole yields its keys,
    which hold none of its credentials (``for name in request.headers``); ``.items()`` yields
    them with their values (see _loop_targets). A dict built in code yields its values with
    their own keys (``for cfg in servers.values()``). A collection of tuples of one length
    yields such a tuple (see Value.element_items)."""
    elements = iterable.element_items
    if elements is not None and {f.key() for f in iterable.flows} == {
        f.key() for item in elements for f in item.flows
    }:
        return Value(flows=iterable.flows, constants=iterable.constants, items=elements)
    if keys_hold_all(iterable):
        if not all(item.fields for _, item in iterable.fields):
            # A list of dicts ([{"url": u, "authorization": t}]) is kept as its elements' keys:
            # each element is such a dict (`server["url"]` is the URL).
            return Value(flows=iterable.flows, constants=iterable.constants, fields=iterable.fields)
        element = join_keyed(*(item for _, item in iterable.fields))
        return Value(flows=iterable.flows, constants=iterable.constants, fields=element.fields)
    return Value(flows=_not_held_whole(iterable), constants=iterable.constants)


def _spread_keywords(args: list[Arg]) -> list[Arg]:
    """``args`` with a ``**d`` of a dict whose constant keys hold all it holds given as one
    keyword argument per key (``Config(**settings)``)."""
    if not any(a.keyword == "**" for a in args):
        return args
    spread: list[Arg] = []
    for arg in args:
        if arg.keyword == "**" and keys_hold_all(arg.value):
            spread.extend(Arg(None, key, item, arg.node) for key, item in arg.value.fields)
        else:
            spread.append(arg)
    return spread


def _holds_pairs(value: Value) -> bool:
    """Whether ``value`` is a mapping the packs name as a whole held as (name, value) pairs."""
    return any(PAIRS in f.markers for f in value.flows)


def _values_kept(node: cst.DictComp) -> bool:
    """``{...: v for k, v in ...}``: each value as it was."""
    target = node.for_in.target
    return (
        type(target) is cst.Tuple
        and len(target.elements) == 2
        and type(node.value) is cst.Name
        and type(target.elements[1].value) is cst.Name
        and node.value.value == target.elements[1].value.value
    )


def _plain_read(node: cst.BaseExpression) -> bool:
    """A name, or attributes, constant subscripts and ``.get(constant)`` calls of one
    (``event.get("headers", {})``): evaluating it again has no effects."""
    while True:
        if type(node) is cst.Name:
            return True
        if type(node) is cst.Attribute:
            node = node.value
        elif type(node) is cst.Subscript and type(node.slice[0].slice) is cst.Index:
            if type(node.slice[0].slice.value) is not cst.SimpleString:
                return False
            node = node.value
        elif (
            type(node) is cst.Call
            and type(node.func) is cst.Attribute
            and node.func.attr.value == "get"
            and all(
                type(a.value) in (cst.SimpleString, cst.Name)
                or (type(a.value) is cst.Dict and not a.value.elements)
                for a in node.args
            )
        ):
            node = node.func.value
        else:
            return False


def _not_held_whole(value: Value) -> tuple[Flow, ...]:
    """The flows of ``value`` but those its keys hold as a mapping the packs name as a whole
    (``request.headers``). A dict built in code keeps them all: a key set later, or by a
    computed name, may hold them too."""
    if not value.fields:
        return value.flows
    held = {
        f.key()
        for _, item in value.fields
        for f in item.flows
        if WHOLE_MAPPING in f.markers and PAIRS not in f.markers
    }
    return tuple(f for f in value.flows if f.key() not in held)


def _named_elsewhere(flow: Flow, path: str) -> bool:
    """Whether ``flow`` is a value merely named like a credential in a file other than
    ``path``."""
    return flow.source_kind == "name" and flow.source.location.path != path


def _names_a_part(name: str, value_node: cst.BaseExpression) -> bool:
    """``tenant_id = parts[0]``, ``self.admin_email = credentials[ADMIN_KEY]``: an element of a
    value (a token's parts, a credentials mapping) named as an identifier is that identifier
    (``session_id`` is not one: the session is the secret)."""
    return type(value_node) is cst.Subscript and names.is_identifier_name(name)


def _is_classmethod(info: FunctionInfo) -> bool:
    """A method declared ``@classmethod``."""
    return any(dotted(d.decorator) == "classmethod" for d in info.node.decorators)


def _is_super_call(node: cst.BaseExpression) -> bool:
    """``super()`` (or ``super(C, self)``)."""
    # Identity tests: isinstance on LibCST's classes is slow, and this runs for every call.
    return type(node) is cst.Call and type(node.func) is cst.Name and node.func.value == "super"


# Annotations of a parameter that a loop goes over the keys of.
_MAPPING_TYPES = frozenset(
    f"{prefix}{name}"
    for prefix in ("", "typing.", "t.", "collections.abc.", "abc.")
    for name in ("dict", "Dict", "Mapping", "MutableMapping", "OrderedDict", "defaultdict")
)


def _declared_mapping(annotation: cst.Annotation | None) -> bool:
    """Whether a parameter is declared a dict (``dict[str, str]``, ``Mapping | None``)."""
    if annotation is None:
        return False
    declared = without_optional(annotation.annotation)
    if isinstance(declared, cst.Subscript):
        declared = declared.value
    return dotted(declared) in _MAPPING_TYPES


def declares_text(annotation: cst.BaseExpression) -> bool:
    """Whether an annotation declares text: ``str``, ``Optional[str]``, ``str | None``."""
    return dotted(without_optional(annotation)) == "str"


def without_optional(annotation: cst.BaseExpression) -> cst.BaseExpression:
    """``X`` of ``Optional[X]``, ``X | None`` or ``None | X``; else the annotation itself."""
    if isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        left, right = annotation.left, annotation.right
        if _is_none(right):
            return left
        if _is_none(left):
            return right
    if (
        isinstance(annotation, cst.Subscript)
        and dotted(annotation.value) in ("Optional", "typing.Optional")
        and (index := _single_index(annotation)) is not None
    ):
        return index
    return annotation


# What _self_attributes gives for a method that may read any attribute (`self.__dict__`).
_ANY_ATTRIBUTE = "*"


# Builtins whose result tells something about a value but shows none of it.
_MEASURING_BUILTINS = frozenset({"len", "bool", "hash", "id", "type", "isinstance"})


@functools.lru_cache(maxsize=1024)
def _self_attributes(method: cst.FunctionDef, whole: bool = False) -> frozenset[str]:
    """The attributes a method reads of its first parameter (``self.host``); ``whole``: but
    those it reads only masked (``self.api_key[-4:]``) or measured (``len(self._value)``)."""
    params = method.params.params
    if not params:
        return frozenset()
    owner = params[0].name.value
    found: set[str] = set()
    masked: list[cst.Attribute] = []

    class Reads(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if whole and type(func) is cst.Name and func.value in _MEASURING_BUILTINS:
                # len(self._value): how long it is, not what it holds.
                masked.extend(a.value for a in node.args if isinstance(a.value, cst.Attribute))
                return
            # vars(self), self.describe(), format(self): it may show any attribute.
            if whole and (
                any(isinstance(a.value, cst.Name) and a.value.value == owner for a in node.args)
                or (
                    isinstance(func, cst.Attribute)
                    and isinstance(func.value, cst.Name)
                    and func.value.value == owner
                )
            ):
                found.add(_ANY_ATTRIBUTE)

        def visit_IfExp(self, node: cst.IfExp) -> None:
            # `"***" if self.secret else None`: whether it is set, not what it holds.
            test = node.test
            if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
                test = test.expression
            if (
                type(test) is cst.Comparison
                and len(test.comparisons) == 1
                and type(test.comparisons[0].operator) in (cst.Is, cst.IsNot)
                and _is_none(test.comparisons[0].comparator)
            ):
                test = test.left
            if whole and isinstance(test, cst.Attribute):
                masked.append(test)

        def visit_Subscript(self, node: cst.Subscript) -> None:
            if (
                whole
                and isinstance(node.value, cst.Attribute)
                and _is_short_slice(node)
                and names.is_maskable_credential_name(node.value.attr.value)
            ):
                masked.append(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> None:
            if (
                isinstance(node.value, cst.Name)
                and node.value.value == owner
                and not any(node is m for m in masked)
            ):
                found.add(node.attr.value)

    method.body.visit(Reads())
    return frozenset(found)


def _template_fields(template: str) -> frozenset[str] | None:
    """The names of the keyword fields a ``str.format`` template has (``{host}``,
    ``{cfg.url}`` names ``cfg``); None if it is no valid template."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    names_: set[str] = set()
    for _, field_name, _, _ in parsed:
        if field_name:
            names_.add(re.split(r"[.\[]", field_name, maxsplit=1)[0])
    return frozenset(names_)


def _keyed_mapping(args: list[Arg], qname: str | None) -> Value | None:
    """``dict(d, host=h)``, ``copy.deepcopy(d)``: a mapping with the keys of ``d`` (a dict
    built in code) and of the keyword arguments; None when they do not hold what it holds."""
    positional = [a for a in args if a.position is not None]
    if len(positional) > 1 or any(a.keyword in ("*", "**") for a in args):
        return None
    given = positional[0].value if positional else CLEAN
    # A copy of a mapping the packs name as a whole (`dict(request.headers)`) is that mapping:
    # its other keys (`"x-session-id"`) hold no Authorization header.
    if given.flows and not (keys_hold_all(given) or holds_whole_mapping(given)):
        return None
    fields = dict(given.fields)
    fields.update((a.keyword, a.value) for a in args if a.keyword is not None)
    if not fields:
        return None
    flows = merge_flows(given.flows, *(a.value.flows for a in args if a.keyword is not None))
    return Value(flows=flows, qname=qname, fields=tuple(fields.items()))


def _is_call(node: cst.BaseExpression) -> bool:
    """A call, or an ``await`` of one."""
    return isinstance(node.expression if isinstance(node, cst.Await) else node, cst.Call)


def _with_flows(value: Value, change: Callable[[tuple[Flow, ...]], tuple[Flow, ...]]) -> Value:
    """``value`` with ``change`` applied to its flows and to those of its tuple elements and
    dict keys."""
    items = value.items
    if items is not None:
        items = tuple(replace(v, flows=change(v.flows)) for v in items)
    fields = tuple((key, replace(v, flows=change(v.flows))) for key, v in value.fields)
    return replace(value, flows=change(value.flows), items=items, fields=fields)


def _without_fields(value: Value, keys: Container[str]) -> Value:
    """``value`` without what its ``keys`` hold (and held nowhere else)."""
    if not value.fields:
        return value
    kept = tuple((name, item) for name, item in value.fields if name not in keys)
    gone = {f.key() for name, item in value.fields if name in keys for f in item.flows}
    held = {f.key() for _, item in kept for f in item.flows}
    flows = tuple(f for f in value.flows if f.key() not in gone or f.key() in held)
    return replace(value, flows=flows, fields=kept)


def _without_markers(flows: tuple[Flow, ...], markers: Container[str]) -> tuple[Flow, ...]:
    """``flows`` without those that carry one of ``markers``."""
    return tuple(f for f in flows if not any(m in markers for m in f.markers))


def _as_named(name: str, value: Value) -> Value:
    """``value`` as bound to ``name``: what this code mints (here or in a function it calls) is
    no credential once named as a token that is not one (``csrf_token``, a page cursor) or as
    an identifier (``txn_id``, ``tag_id``); a random draw is none unless named as a secret
    (``state = secrets.token_urlsafe()`` is an OAuth state), and stays one once it was
    (``pair = (cookie_name, code_verifier)``)."""
    if (
        names.mentions_credential(name) and not names.is_credential_name(name)
    ) or names.is_identifier_name(name):
        marker = MINTED
    elif not names.names_random_secret(name):
        marker = RANDOM
    elif any(RANDOM in f.markers for f in value.flows):
        return _with_flows(value, _as_secrets)
    else:
        return value
    if not any(marker in f.markers for f in value.flows):
        return value
    return _with_flows(value, lambda flows: _without_markers(flows, (marker,)))


def _as_secrets(flows: tuple[Flow, ...]) -> tuple[Flow, ...]:
    """``flows`` with their random draws marked as secrets (no longer ``RANDOM``)."""
    return tuple(
        Flow(f.labels, f.steps, f.source_kind, f.markers - {RANDOM}) if RANDOM in f.markers else f
        for f in flows
    )


def _without_flows(env: Env, names_: frozenset[str]) -> Env:
    """A copy of ``env`` in which the variables ``names_`` carry no flow."""
    branch = dict(env)
    for name in names_:
        value = branch.get(name)
        if value is not None and value.tainted:
            branch[name] = named(value.qname)
    return branch


def _mapping_read_under(call: cst.Call, prop: Propagation, keys: frozenset[str]) -> frozenset[str]:
    """``{"reply"}`` for ``reply.get("error")`` where ``keys`` hold ``"error"``."""
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and _read_key(call, prop) in keys
    ):
        return frozenset({func.value.value})
    return frozenset()


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _status_test_fails(op: cst.BaseCompOp, right: cst.BaseExpression) -> bool | None:
    """For ``resp.status <op> right``: True where the test holds only for a failed response
    (``!= 200``, ``>= 400``), False where it fails only for one (``== 200``, ``< 400``), None
    if it tells neither."""
    codes = _integer_set(right)
    if codes is None:
        return None
    # Only with 200 among the codes: a token endpoint answers 200 (RFC 6749 5.1), and the
    # else of `== 204` may be a 200 reply holding the token.
    if 200 in codes and all(200 <= c < 300 for c in codes):
        if isinstance(op, (cst.Equal, cst.In)):
            return False
        if isinstance(op, (cst.NotEqual, cst.NotIn)):
            return True
    if len(codes) != 1:
        return None
    (code,) = codes
    if (isinstance(op, cst.GreaterThanEqual) and code >= 400) or (
        isinstance(op, cst.GreaterThan) and code >= 399
    ):
        return True
    if (isinstance(op, cst.LessThan) and code == 400) or (
        isinstance(op, cst.LessThanEqual) and code == 399
    ):
        return False
    return None


def _integer_set(node: cst.BaseExpression) -> frozenset[int] | None:
    """The integers of ``200`` or ``(200, 201)`` / ``[200, 204]`` / ``{200}``."""
    if isinstance(node, cst.Integer):
        return frozenset({int(node.evaluated_value)})
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)) and node.elements:
        values = [e.value for e in node.elements]
        if all(isinstance(v, cst.Integer) for v in values):
            return frozenset(int(v.evaluated_value) for v in values)
    return None


def _join_into(env: Env, *branches: Env) -> None:
    """Set in ``env`` each variable of the branches: joined where they hold different values."""
    # Branches start as copies of one environment, so most variables hold the same object in
    # every branch: one identity test per variable finds the few that need a join.
    merged: Env = {}
    differing: set[str] = set()
    for branch in branches:
        for key, value in branch.items():
            if merged.setdefault(key, value) is not value:
                differing.add(key)
    env.update(merged)
    for key in differing:
        present = [b[key] for b in branches if key in b]
        value = join(*present)
        if all(p.fields == present[0].fields for p in present):
            value = replace(value, fields=present[0].fields)
        elif all(fields_cover(p) or not concrete(p.flows) for p in present) or all(
            p.fields for p in present
        ):
            # kwargs = {}; if token: kwargs["headers"] = {...}: still a dict tracked per key
            # (beside what no key holds: `kwargs.update(extra)` before the branch). A key may
            # hold what a branch holds under no key (`dict(request.headers)` in one branch, a
            # parameter's value where `if config is None: config = {...}` did not run). A
            # credential under no key known is not (its keys are any).
            keys = dict.fromkeys(k for p in present for k, _ in p.fields)
            loose = [not_under_keys(p) for p in present if p.flows and not fields_cover(p)]
            # (a parameter's value under a key is what the caller passes under that key)
            fields = tuple(
                (
                    k,
                    join(
                        *(v for p in present for key, v in p.fields if key == k),
                        *(Value(flows=under_key(v.flows, k)) for v in loose),
                    ),
                )
                for k in keys
            )
            value = replace(value, fields=fields)
        qnames = {p.qname for p in present}
        if len(qnames) == 1:
            value = replace(value, qname=present[0].qname)
        env[key] = value


_MISSING = object()
# Most functions defer nothing: one shared empty set instead of one each (20,000 in a large
# project).
_NOTHING_DEFERRED: frozenset = frozenset()


def _access_path(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` / ``a["k"]`` as an environment key, for names rooted in a local."""
    parts: list[str] = []
    while True:
        if type(node) is cst.Attribute:
            parts.append(node.attr.value)
            node = node.value
        elif type(node) is cst.Subscript:
            key = _const_key(node)
            if key is None:
                return None
            parts.append(f"[{key}]")
            node = node.value
        elif type(node) is cst.Name:
            parts.append(node.value)
            break
        else:
            return None
    return ".".join(reversed(parts))


def _key_text(node: cst.Subscript) -> str:
    """What is known of a subscript's key: a constant, the literal start of an f-string
    (``f"user:{u}:token"`` -> ``user:``), else nothing (an unknown key may be any key)."""
    key = _const_key(node)
    if key is not None:
        return key
    element = node.slice[0].slice if len(node.slice) == 1 else None
    if isinstance(element, cst.Index) and isinstance(element.value, cst.FormattedString):
        first = element.value.parts[0] if element.value.parts else None
        if isinstance(first, cst.FormattedStringText):
            return first.value
    return ""


def _read_key(call: cst.Call, propagation: Propagation) -> str | None:
    """The constant key of ``mapping.get("key", ...)`` (a read method of the packs), else None."""
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value in propagation.read_methods
        and call.args
        and call.args[0].keyword is None
    ):
        return string_value(call.args[0].value)
    return None


def _names_other_than_credential(key: str | None) -> bool:
    """Whether a key names something about credentials that is not one (`nextPageToken`,
    `token_type`, `csrf_token`); a bare `key` or `auth` says too little to tell."""
    return (
        key is not None
        and len(names.split_words(key)) > 1
        and names.mentions_credential(key)
        and not names.is_credential_name(key)
    )


def _const_key(node: cst.Subscript) -> str | None:
    return string_value(_single_index(node))


def _template_key(node: cst.BaseExpression | None) -> str | None:
    """The fixed text of an f-string key, its fields as ``_`` (``f"STRIPE_{mode}_KEY"`` →
    ``STRIPE___KEY``), whose words say what it names; None for anything else."""
    if not isinstance(node, cst.FormattedString):
        return None
    return "".join(
        part.value if isinstance(part, cst.FormattedStringText) else "_" for part in node.parts
    )


def _single_index(node: cst.Subscript) -> cst.BaseExpression | None:
    """``k`` of ``x[k]`` (not of a slice, nor of ``x[a, b]``)."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return node.slice[0].slice.value


def string_value(node: cst.BaseExpression | None) -> str | None:
    """The value of ``node`` when it is a ``str`` literal, else None."""
    if isinstance(node, cst.SimpleString):
        return string_literal(node)
    return None


# How the propagation tables name calls that call a function they are given (see _invoke).
_INVOKER_KINDS = frozenset({"invoker", "executor-invoker", "mapper"})

# Methods that give a string's text in another case or encoding: a header name compared so is
# still that name.
_SAME_TEXT_METHODS = frozenset({"encode", "decode", "lower", "upper", "casefold", "strip"})

# Separators a credential's head comes off at: "Bearer <token>", "<user>:<password>",
# "<key id>.<secret>"; `split()` splits at whitespace.
_HEAD_SEPARATORS = frozenset({" ", ":", "."})


def _without_text_methods(node: cst.BaseExpression) -> cst.BaseExpression:
    """``name`` of ``name.decode("latin-1").lower()``: the value a chain of case and encoding
    methods was applied to."""
    while (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in _SAME_TEXT_METHODS
    ):
        node = node.func.value
    return node


def _splits_off_head(node: cst.BaseExpression | None) -> bool:
    """``x.split(" ", 1)``, ``x.split()``, ``x.partition(":")``: whose first part is what comes
    before a credential (a scheme, a user name, a key id), not the credential."""
    if not (
        type(node) is cst.Call
        and type(node.func) is cst.Attribute
        and node.func.attr.value in ("split", "partition")
    ):
        return False
    if not node.args:
        return node.func.attr.value == "split"
    first = node.args[0]
    return first.keyword is None and string_value(first.value) in _HEAD_SEPARATORS


def _is_zero(node: cst.BaseExpression | None) -> bool:
    return type(node) is cst.Integer and node.value == "0"


def bytes_text(node: cst.SimpleString) -> str | None:
    """The text of a ``bytes`` literal of plain ASCII (``b"authorization"``), else None."""
    prefix = node.prefix.lower()
    if "b" not in prefix or "\\" in node.value:
        return None
    quote = node.quote
    text = node.value[len(node.prefix) + len(quote) : len(node.value) - len(quote)]
    return text if text.isascii() else None


def key_literal(node: cst.SimpleString) -> str | None:
    """The text of a ``str`` literal, or of a plain ASCII ``bytes`` one (a key of ASGI's
    headers)."""
    text = string_literal(node)
    return text if text is not None else bytes_text(node)


def string_literal(node: cst.SimpleString) -> str | None:
    """The value of a ``str`` literal (None for bytes); fast for plain literals."""
    return _literal_value(node.value)


@functools.lru_cache(maxsize=16384)
def _literal_value(text: str) -> str | None:
    # LibCST's evaluated_value runs ast.literal_eval (a compile) on every call; most literals
    # have no escapes, so strip the quotes directly and cache the rest.
    prefix_end = 0
    while prefix_end < len(text) and text[prefix_end] not in "'\"":
        prefix_end += 1
    prefix = text[:prefix_end].lower()
    if "b" in prefix:
        return None
    body = text[prefix_end:]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    inner = body[len(quote) : len(body) - len(quote)]
    if "\\" not in inner or "r" in prefix:
        return inner
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError):
        return None
    return value if isinstance(value, str) else None


def _literal_items(node: cst.BaseExpression | None) -> list[cst.BaseExpression] | None:
    if isinstance(node, (cst.Tuple, cst.List)):
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return None
        return [e.value for e in node.elements]
    return None


def _overwritten(value: Value, key: str) -> tuple[Flow, ...]:
    """The flows of ``value`` once its constant ``key`` is set anew: what only that key held
    goes, and a parameter's flow no longer holds what a caller passes under it."""
    flows = value.flows
    old = value.field(key)
    if old is not None and old.flows:
        elsewhere = {f.key() for name, item in value.fields if name != key for f in item.flows}
        elsewhere |= {f.key() for f in not_under_keys(value).flows}
        gone = {f.key() for f in old.flows} - elsewhere
        flows = tuple(f for f in flows if f.key() not in gone)
    # Only a flow under no key is a whole parameter (`safe = config.copy()`); the others are
    # what other keys hold, and stay as they are.
    held = {f.key() for _, item in value.fields for f in item.flows}
    marks = frozenset({"=" + key})
    return tuple(f if f.key() in held else without_keys((f,), marks)[0] for f in flows)


def _set_field(
    fields: tuple[tuple[str, Value], ...], key: str | None, value: Value
) -> tuple[tuple[str, Value], ...]:
    if key is None:
        return fields
    return tuple((k, v) for k, v in fields if k != key) + ((key, value),)


def _annotated_calls(annotation: cst.BaseExpression) -> list[cst.Call]:
    """Calls in ``Annotated[T, Marker(x), Other()]`` metadata."""
    if not isinstance(annotation, cst.Subscript):
        return []
    return [
        element.slice.value
        for element in annotation.slice[1:]
        if isinstance(element.slice, cst.Index) and isinstance(element.slice.value, cst.Call)
    ]


def _looks_like_secret_literal(text: str) -> bool:
    """A hard-coded value that could be a real secret, not a name, a placeholder or a URL."""
    if len(text) < 8 or any(c.isspace() for c in text):
        return False
    if any(c in text for c in "<>{}$/.:") or text.lower() in _PLACEHOLDERS:
        return False
    # An identifier in one case without digits is a name ("mcp_oauth_refresh_tokens",
    # "ACCESS_TOKEN", "x-api-key"), not a secret value.
    letters = text.replace("_", "").replace("-", "")
    return not (letters.isalpha() and (letters.islower() or letters.isupper()))


_PLACEHOLDERS = frozenset({"changeme", "password", "your-api-key", "your_api_key", "xxxxxxxx"})


# The last name of a read that gives a message's or a stream's text (`delta.content`).
_TEXT_FIELDS = frozenset({"content", "text", "delta"})


def _before_default(node: cst.BaseExpression) -> cst.BaseExpression:
    """``x`` of ``x or default`` (of ``x or y or default``); any other node itself."""
    while type(node) is cst.BooleanOperation:
        node = node.left
    return node


def _reads_text_field(node: cst.BaseExpression) -> bool:
    """Whether ``node`` (maybe with ``or ""``) reads a text field: ``chunk.delta.content``,
    ``event["delta"]``, ``message.text``."""
    node = _before_default(node)
    if type(node) is cst.Attribute:
        return node.attr.value in _TEXT_FIELDS
    if type(node) is cst.Subscript and len(node.slice) == 1:
        index = node.slice[0].slice
        key = getattr(index, "value", None)
        return type(key) is cst.SimpleString and string_literal(key) in _TEXT_FIELDS
    return False


def _named_in_test(flow: Flow) -> bool:
    """Whether ``flow`` starts at a value named like a credential in a test: told by the
    module's name, which is relative to the project, not by where the scan was run."""
    location = flow.source.location
    ctx = getattr(location, "ctx", None)
    if ctx is None:
        return is_test_path(location.path)
    return is_test_path(ctx.module_name.partition("@")[0].replace(".", "/") + ".py")


def _located_at(step: TraceStep, node: cst.CSTNode) -> bool:
    """Whether ``step`` is at ``node`` itself."""
    return getattr(step.location, "node", None) is node


def _is_module_name(qname: str | None, ctx: ModuleContext) -> bool:
    return qname is not None and qname in ctx.imports.values() and "(" not in qname
