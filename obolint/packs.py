"""Load and validate rule packs (``rules/*.toml`` and user packs) into typed specs."""

from __future__ import annotations

import hashlib
import re
import string
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

from obolint.patterns import NamePatterns
from obolint.rulemeta import FLOW_MESSAGE, MESSAGE_EXAMPLE, MESSAGE_FIELDS, RuleMeta

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

LABELS = frozenset({"inbound", "credential"})
# The rule a [[tool]] entry's credential-named, model-visible parameters break, unless it says.
TOOL_PARAMETER_RULE = "OBO201"


class PackError(Exception):
    """A rule pack is malformed; the message names the file and key and what to do."""


@dataclass(frozen=True)
class ArgSpec:
    """Which arguments of a call a spec is about: positions and keywords."""

    positions: frozenset[int] = frozenset()
    keywords: frozenset[str] = frozenset()
    all_args: bool = False  # "*": every positional and keyword argument

    def selects(self, position: int | None, keyword: str | None) -> bool:
        """True when the argument at ``position`` or passed as ``keyword`` is selected."""
        if self.all_args:
            return True
        if keyword is not None:
            return keyword in self.keywords
        return position is not None and position in self.positions


@dataclass(frozen=True)
class CallSource:
    """The result of calling one of ``calls`` is a credential."""

    calls: NamePatterns
    labels: frozenset[str]
    note: str
    kind: str
    key_arg: ArgSpec | None = None  # when set, the key argument must name a credential
    key_pattern: re.Pattern[str] | None = None
    markers: frozenset[str] = frozenset()  # facts sinks may exclude (e.g. "from-env")


@dataclass(frozen=True)
class ReadSource:
    """Reading a credential-named key from one of ``containers`` (``x[k]``, ``x.get(k)``); or,
    with ``whole_key``, one of ``containers`` itself: a mapping that holds a credential under
    that key (``dict(request.headers)`` holds the Authorization header)."""

    containers: NamePatterns
    key_pattern: re.Pattern[str] | None
    key_is_credential: bool
    labels: frozenset[str]
    note: str
    kind: str
    markers: frozenset[str] = frozenset()
    whole_key: str | None = None
    # Text that marks a file where the source may be read, for the prefilter (a container
    # named in no credential's words, such as ``request.headers``).
    trigger_words: frozenset[str] = frozenset()
    # Containers that match ``containers`` but are none (an outgoing request's response).
    exclude: NamePatterns = field(default_factory=NamePatterns)


@dataclass(frozen=True)
class ParameterSource:
    """A parameter whose default or ``Annotated`` metadata calls a marker is a credential."""

    markers: NamePatterns
    marker_arg_types: NamePatterns  # when set, the marker's first argument must be one of these
    name_is_credential: bool
    labels: frozenset[str]
    note: str
    kind: str
    annotations: NamePatterns = field(default_factory=NamePatterns)


@dataclass(frozen=True)
class Exchange:
    """An On-Behalf-Of / token exchange: its result is a new credential, no longer inbound."""

    calls: NamePatterns
    # The string constants of which the call's arguments must hold one (a grant type), or none.
    requires_constants: frozenset[str]
    labels: frozenset[str]
    note: str
    # The dict key under which an argument must hold that constant (`grant_type`), if any.
    constant_key: str | None = None


@dataclass(frozen=True)
class CallSink:
    """Arguments of ``calls`` that must not receive a credential for ``rule``."""

    rule: str
    calls: NamePatterns
    args: ArgSpec
    exclude: NamePatterns
    note: str
    fix: str | None
    key_pattern: re.Pattern[str] | None = None  # only dict entries with such keys count
    # Dict entries with these keys do not count (a hosted tool's `authorization`, which the
    # provider uses to call the server and the model never sees).
    exclude_keys: frozenset[str] = frozenset()
    exclude_markers: frozenset[str] = frozenset()
    # The call is safe when all these keywords are passed with these constant values
    # (``set_cookie(..., httponly=True, secure=True)``).
    safe_when: tuple[tuple[str, object], ...] = ()
    # The call is a sink only when one of these keywords is passed with its constant value
    # (a framework's ``set_cookie(..., http_only=False)`` that is safe by default).
    unsafe_when: tuple[tuple[str, object], ...] = ()
    # The call's result holds its input (a message object, a memory record): it is passed on,
    # and the same rule does not report the same flow again at the next sink.
    propagates: bool = False
    # A body holding HTML markup (an inline `<script>`) is reported under this rule instead.
    markup: MarkupRule | None = None
    # Arguments that the exception the call raises shows in its message (an HTTP client's
    # error shows the request URL): an `except ... as error` around the call holds them.
    error_shows: ArgSpec | None = None
    # The argument that names what the call stores (a cookie's name): a constant name of
    # something about credentials that is none (`"csrf_token"`) makes the call no sink.
    named_by: ArgSpec | None = None


@dataclass(frozen=True)
class StoreSink:
    """Assigning a credential to ``targets`` (``x.headers[k] = v``, ``x.auth = v``)."""

    rule: str
    targets: NamePatterns
    note: str
    fix: str | None
    exclude_markers: frozenset[str] = frozenset()
    # Only `target[key] = v` with a constant key matching this counts (a `state["temp:k"]`
    # that is not persisted does not); None: every store counts.
    key_pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class ReturnSink:
    """Returning a credential from a function decorated with ``decorators`` breaks ``rule``."""

    rule: str
    decorators: NamePatterns
    note: str
    fix: str | None
    exclude_markers: frozenset[str] = frozenset()
    tools: bool = False  # also every function the tool packs declare as a tool
    # Agent(instructions=fn), gr.Interface(fn=...): the function passed is the sink's function.
    registrations: NamePatterns = field(default_factory=NamePatterns)
    registration_arg: ArgSpec = field(default_factory=ArgSpec)
    # Functions with exactly these leading parameter names (a Lambda `handler(event, context)`).
    parameters: tuple[str, ...] = ()
    # A returned body holding HTML markup is reported under this rule instead.
    markup: MarkupRule | None = None
    # Methods named ``methods`` of classes derived from ``base_classes`` (a resource class
    # ``Resource``'s ``get``).
    base_classes: NamePatterns = field(default_factory=NamePatterns)
    methods: frozenset[str] = frozenset()
    # Only what a returned dict built in code holds under keys matching this counts (a graph
    # node's state update: its `messages`); a return of unknown keys does not.
    key_pattern: re.Pattern[str] | None = None


@dataclass(frozen=True)
class MarkupRule:
    """How a sink reports a body that holds HTML markup (``<script``, ``<html``): as a page
    sent to the client (OBO302) rather than data (OBO301)."""

    rule: str
    note: str
    fix: str | None


@dataclass(frozen=True)
class ParameterType:
    """Parameters a framework passes by convention, without an annotation: in a function or
    method named like ``functions`` that has every parameter named in ``parameters`` (and, with
    ``imports``, of a module that imports one of them), each such parameter is an instance of
    its class (a responder's ``on_get(self, req, resp)``)."""

    functions: tuple[str, ...]  # name globs
    imports: frozenset[str]  # top-level module names; empty: any module
    parameters: tuple[tuple[str, object], ...]


@dataclass(frozen=True)
class ContextType:
    """A framework's run-context wrapper: ``ctx: RunContextWrapper[UserCtx]`` and ``ctx.context``
    is a ``UserCtx`` (so ``ctx.context.token`` is the field stored by ``UserCtx(token=...)``)."""

    types: NamePatterns
    attributes: frozenset[str]


@dataclass(frozen=True)
class ToolCallSink:
    """Calling a project tool through ``methods`` (``search.invoke({...})``) breaks ``rule``
    when a credential is among the arguments the model would normally supply."""

    rule: str
    methods: frozenset[str]
    note: str
    fix: str | None


@dataclass(frozen=True)
class ToolSpec:
    """How one framework declares model-facing tools and hides parameters from the model."""

    framework: str
    # The rule broken by a model-visible parameter named like a credential.
    rule: str
    decorators: NamePatterns
    registrations: NamePatterns  # calls that turn a function argument into a tool
    registration_arg: ArgSpec
    hidden_annotations: NamePatterns
    hidden_defaults: NamePatterns
    hidden_names: frozenset[str]
    fix: str
    # Class-based tools: these methods of classes deriving from ``base_classes``.
    base_classes: NamePatterns = field(default_factory=NamePatterns)
    methods: frozenset[str] = frozenset()
    # ``Annotated[T, {"include_in_function_choices": False}]``: metadata dict keys that hide.
    hidden_metadata_keys: frozenset[str] = frozenset()
    # Registration keywords whose dict literal names parameters bound outside the model
    # (``partial_params={"token": t}``, ``inputs_from_state={"k": "p"}``).
    hiding_args: frozenset[str] = frozenset()
    # Decorator keywords with which a tool returns ``(content, artifact)`` and only the content
    # reaches the model (``response_format="content_and_artifact"``).
    content_first_when: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class Propagation:
    """How taint moves through calls the packs know about."""

    calls: NamePatterns
    methods: frozenset[str]
    stop_calls: NamePatterns
    stop_methods: frozenset[str]
    clean_attributes: frozenset[str]
    clean_keys: frozenset[str]
    minting_calls: NamePatterns
    binders: NamePatterns = field(default_factory=NamePatterns)  # functools.partial-like
    # Calls that call the function they are given (first, or after an executor) with the rest
    # of their arguments, now or on another thread; mappers call it with each element.
    invokers: NamePatterns = field(default_factory=NamePatterns)
    executor_invokers: NamePatterns = field(default_factory=NamePatterns)
    mappers: NamePatterns = field(default_factory=NamePatterns)
    # Calls and methods that dump an object whole (``vars(obj)``, ``obj.model_dump()``): every
    # field stored on its class's instances, but those ``exclude=`` leaves out.
    dumping_calls: frozenset[str] = frozenset()
    dumping_methods: frozenset[str] = frozenset()
    # Model methods that dump the fields an object built here was given (not every field of
    # its class, as dumping-calls and dumping-methods do of an object built elsewhere).
    model_dumping_methods: frozenset[str] = frozenset()
    # Keywords of those dumps that name the fields shown (``include=``) or left out
    # (``exclude=``): a constant set, or a dict's keys.
    dump_include_keywords: frozenset[str] = frozenset()
    dump_exclude_keywords: frozenset[str] = frozenset()
    # Library base classes of settings objects, which load their declared fields from the
    # environment: dumped whole, a field declared named like a credential is one.
    settings_bases: NamePatterns = field(default_factory=NamePatterns)
    # Types whose instances mask their value (a secret-string type): a field declared with one
    # is not a credential by its name; unwrapping it (`get_secret_value()`) is.
    masked_types: NamePatterns = field(default_factory=NamePatterns)
    # Class-name endings of objects that carry their arguments (messages, content, errors).
    holder_suffixes: tuple[str, ...] = ()
    # Methods that read one key of a mapping: `headers.get("Authorization")`, `getlist(k)`.
    read_methods: frozenset[str] = frozenset()
    # What tells a failed response (an OAuth error reply, an HTTP error status), which holds no
    # credential: in `if "error" in reply:` / `if resp.status_code != 200:` it is clean.
    error_keys: frozenset[str] = frozenset()
    # Keys a successful reply holds its token under: where `"access_token" not in reply` or
    # `not reply.get("access_token")` holds, the reply failed.
    success_keys: frozenset[str] = frozenset()
    status_attributes: frozenset[str] = frozenset()
    success_flags: frozenset[str] = frozenset()
    failure_flags: frozenset[str] = frozenset()
    # Keywords that, set to True in a model field's declaration (`Field(exclude=True)`), leave
    # the field out when the model is serialised.
    excluding_field_flags: frozenset[str] = frozenset()
    hiding_field_flags: frozenset[str] = frozenset()
    # Minting calls whose first argument is how many random bytes they draw, and the keyword
    # that argument may be passed by.
    random_byte_count_calls: NamePatterns = field(default_factory=NamePatterns)
    random_byte_count_keywords: frozenset[str] = frozenset()
    # Propagating methods whose first argument is taken out of the receiver, not put in:
    # `text.replace(key, "***")` holds no key.
    removing_methods: frozenset[str] = frozenset()
    # Text tokenizers: what they give is token ids or text, never a credential by its name
    # (`token_data = enc.encode(text)`), though it holds what it was given.
    tokenizer_calls: NamePatterns = field(default_factory=NamePatterns)
    # Objects that carry attributes from one function to another for the rest of a request
    # (`request.state` of an ASGI app, `g`): what one function stores there, another reads back.
    request_state: NamePatterns = field(default_factory=NamePatterns)
    # Methods that give a mapping's (key, value) pairs: in `for name, v in m.items()` the key is
    # a name, not what the mapping holds.
    key_value_methods: frozenset[str] = frozenset()
    # Calls and methods whose result is a mapping with the keys of the one given (`dict(d)`,
    # `copy.deepcopy(d)`, `d.copy()`), or a view of them (`d.items()`, `d.values()`), and with
    # the keyword arguments as keys (`dict(d, host=h)`): what a key holds stays apart.
    keyed_calls: NamePatterns = field(default_factory=NamePatterns)
    # Constructors of per-context holders (`ContextVar`): what one function `.set()`s on a
    # module-level holder, another `.get()`s back.
    context_variables: NamePatterns = field(default_factory=NamePatterns)
    # Their methods that set the value and that read it back.
    context_setters: frozenset[str] = frozenset()
    context_getters: frozenset[str] = frozenset()
    # Calls that give a parameter what the function passed to them returns (a web framework's
    # dependency injection: `user: Annotated[str, Depends(get_bearer)]`).
    injectors: NamePatterns = field(default_factory=NamePatterns)
    keyed_methods: frozenset[str] = frozenset()
    # Imported objects that hold an application's settings as attributes (a web framework's
    # `settings`): not modules, so an attribute named like a credential is one by its name.
    settings_objects: NamePatterns = field(default_factory=NamePatterns)
    # Containers settings objects load their fields from, under upper-cased names (the
    # environment): a field reads as such a container's key would.
    settings_sources: tuple[str, ...] = ()
    # Keywords of response constructors that give the content type (`media_type=`), and the
    # content types (lower-case prefixes) of a page or script the browser runs.
    content_type_keywords: frozenset[str] = frozenset()
    page_content_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class ToolSchema:
    """Tools declared to a model as JSON schemas in an argument of ``calls`` (``tools=[...]``):
    a property named like a credential is a parameter the model fills in (``rule``)."""

    rule: str
    framework: str
    calls: NamePatterns
    args: ArgSpec
    fix: str | None


@dataclass(frozen=True)
class RaiseSink:
    """Raising an exception whose message holds a credential breaks ``rule``."""

    rule: str
    in_tools: bool  # True: only inside model-facing tools; False: everywhere else
    note: str
    fix: str | None
    # Source kinds that do not count here (e.g. "name": a parameter merely named `token`).
    exclude_kinds: frozenset[str] = frozenset()
    exclude_markers: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PackSet:
    """All packs merged: what the engine consults. It names no library itself."""

    rules: tuple[RuleMeta, ...]
    call_sources: tuple[CallSource, ...]
    read_sources: tuple[ReadSource, ...]
    parameter_sources: tuple[ParameterSource, ...]
    exchanges: tuple[Exchange, ...]
    call_sinks: tuple[CallSink, ...]
    store_sinks: tuple[StoreSink, ...]
    return_sinks: tuple[ReturnSink, ...]
    tools: tuple[ToolSpec, ...]
    propagation: Propagation
    digest: str
    raise_sinks: tuple[RaiseSink, ...] = ()
    tool_call_sinks: tuple[ToolCallSink, ...] = ()
    context_types: tuple[ContextType, ...] = ()
    tool_schemas: tuple[ToolSchema, ...] = ()
    parameter_types: tuple[ParameterType, ...] = ()

    @cached_property
    def matcher(self) -> SpecMatcher:
        """Memoised lookups of the specs that apply to a dotted name."""
        return SpecMatcher(self)

    @cached_property
    def instance_names(self) -> tuple[frozenset[str], NamePatterns]:
        """The names the packs write through a library object (the heads of their patterns up
        to each member after ``()``: ``web.Handler()``, ``web.Handler().request``, ...), and all
        their patterns: what tells whether a member a project class inherits from a library
        class is one the packs know (see Project.library_member)."""
        patterns: list[str] = []
        for spec_set in (getattr(self, f.name) for f in fields(self)):
            specs = spec_set if isinstance(spec_set, tuple) else (spec_set,)
            for spec in specs:
                if not is_dataclass(spec):
                    continue
                for value in (getattr(spec, f.name) for f in fields(spec)):
                    if isinstance(value, NamePatterns):
                        patterns.extend(value.patterns)
        heads: set[str] = set()
        for pattern in patterns:
            literal = pattern.split("*", 1)[0]
            start = 0
            while (found := literal.find("().", start)) != -1:
                member_end = literal.find(".", found + 3)
                heads.add(literal[: member_end if member_end != -1 else len(literal)])
                start = found + 3
        return frozenset(heads), NamePatterns(patterns)

    @cached_property
    def instance_members(self) -> frozenset[str]:
        """The member names written after a library object in the packs' patterns (``request``,
        ``write``; ``add`` of ``sdk*History().add``, a pattern that names no object in full)."""
        members: set[str] = set()
        for pattern in self.instance_names[1].patterns:
            for after in pattern.split("().")[1:]:
                member = re.split(r"[.*?\[(]", after, maxsplit=1)[0]
                if member:
                    members.add(member)
        return frozenset(members)

    @cached_property
    def interesting_constants(self) -> frozenset[str]:
        """String constants some spec looks for (the RFC 8693 grant type; the keys under which
        a mapping read whole holds a credential, as code writes them to leave one out)."""
        grant_types = {c for x in self.exchanges for c in x.requires_constants}
        header_spellings = {spelling for key in self.whole_keys for spelling in (key, key.title())}
        return frozenset(grant_types | header_spellings)

    @cached_property
    def whole_keys(self) -> frozenset[str]:
        """The keys (lower case) under which the containers read whole hold a credential."""
        return frozenset(s.whole_key.lower() for s in self.read_sources if s.whole_key)

    def rule(self, rule_id: str) -> RuleMeta:
        """The metadata of ``rule_id``."""
        for meta in self.rules:
            if meta.id == rule_id:
                return meta
        raise KeyError(rule_id)


class SpecMatcher:
    """Which specs match a callee or container name, computed once per distinct name.

    Real code calls the same few thousand names over and over; matching every call against
    every pattern of every pack was the interpreter's hottest loop.
    """

    def __init__(self, packs: PackSet) -> None:
        self.packs = packs
        # kind -> how to answer for a name not asked about before. Made once: the interpreter
        # asks up to seven questions per call it meets, nearly all answered from the memo.
        self._compute: dict[str, Callable[[str], Iterable]] = {
            "sink": _matching(packs.call_sinks, "calls", excluded_by="exclude"),
            "source": _matching(packs.call_sources, "calls"),
            "exchange": _matching(packs.exchanges, "calls"),
            "register": _matching(packs.tools, "registrations"),
            "decorate": _matching(packs.tools, "decorators"),
            "return-register": _matching(packs.return_sinks, "registrations"),
            "read": _matching(packs.read_sources, "containers", excluded_by="exclude"),
            "store": _matching(packs.store_sinks, "targets"),
            "tool-schema": _matching(packs.tool_schemas, "calls"),
            "kind": lambda n: [self._kind(n)],
        }
        # kind -> name -> answer: one table per kind, so no key tuple per name (89,000 names
        # in a large project).
        self._cache: dict[str, dict[str, tuple]] = {kind: {} for kind in self._compute}

    def _lookup(self, kind: str, name: str | None) -> tuple:
        """The answer of ``kind`` for ``name`` (memoised per name)."""
        if name is None:
            return ()
        table = self._cache[kind]
        found = table.get(name)
        if found is None:
            found = table[name] = tuple(self._compute[kind](name))
        return found

    def call_sinks(self, name: str | None) -> tuple[CallSink, ...]:
        """Call sinks whose calls match ``name`` and whose excludes do not."""
        return self._lookup("sink", name)

    def call_sources(self, name: str | None) -> tuple[CallSource, ...]:
        """Call sources matching ``name``."""
        return self._lookup("source", name)

    def exchanges(self, name: str | None) -> tuple[Exchange, ...]:
        """Exchanges matching ``name``."""
        return self._lookup("exchange", name)

    def registrations(self, name: str | None) -> tuple[ToolSpec, ...]:
        """Tool specs whose registration calls match ``name``."""
        return self._lookup("register", name)

    def tool_decorators(self, name: str | None) -> tuple[ToolSpec, ...]:
        """Tool specs whose decorators match ``name``."""
        return self._lookup("decorate", name)

    def return_registrations(self, name: str | None) -> tuple[ReturnSink, ...]:
        """Return sinks whose registration calls match ``name``."""
        return self._lookup("return-register", name)

    def read_sources(self, name: str | None) -> tuple[ReadSource, ...]:
        """Read sources whose containers match ``name``."""
        return self._lookup("read", name)

    def store_sinks(self, name: str | None) -> tuple[StoreSink, ...]:
        """Store sinks whose targets match ``name``."""
        return self._lookup("store", name)

    def tool_schemas(self, name: str | None) -> tuple[ToolSchema, ...]:
        """Tool-schema specs whose calls match ``name``."""
        return self._lookup("tool-schema", name)

    def call_kind(self, name: str | None) -> str:
        """How the propagation tables treat a call: minting, binder, propagate, stop or ""."""
        found = self._lookup("kind", name)
        return found[0] if found else ""

    def _kind(self, name: str) -> str:
        prop = self.packs.propagation
        kinds = (
            ("binder", prop.binders),
            ("invoker", prop.invokers),
            ("executor-invoker", prop.executor_invokers),
            ("mapper", prop.mappers),
            ("minting", prop.minting_calls),
            ("propagate", prop.calls),
            ("stop", prop.stop_calls),
        )
        return next((kind for kind, patterns in kinds if patterns.matches(name)), "")


def _matching(
    specs: Sequence[Any], field_name: str, excluded_by: str | None = None
) -> Callable[[str], list]:
    """The specs among ``specs`` whose ``field_name`` patterns match a name and whose
    ``excluded_by`` patterns, if given, do not."""
    # One match of all their patterns first: most names match none (saleor: 36,000 names
    # asked, 450,000 matches of one spec each before).
    any_spec = NamePatterns(p for s in specs for p in getattr(s, field_name).patterns)

    def answer(name: str) -> list:
        if not any_spec.matches(name):
            return []
        return [
            s
            for s in specs
            if getattr(s, field_name).matches(name)
            and not (excluded_by and getattr(s, excluded_by).matches(name))
        ]

    return answer


# --- loading -----------------------------------------------------------------------------


def builtin_pack_files() -> list[tuple[str, str]]:
    """(name, text) of every pack shipped inside obolint, sorted by name."""
    root = resources.files("obolint.rules")
    out = []
    for entry in root.iterdir():
        if entry.name.endswith(".toml"):
            out.append((entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def load_packs(user_packs: Sequence[Path] = ()) -> PackSet:
    """Load the built-in packs plus ``user_packs`` and merge them into one PackSet."""
    documents: list[tuple[str, dict[str, Any]]] = []
    digest = hashlib.sha256()
    sources = builtin_pack_files()
    for path in user_packs:
        try:
            sources.append((str(path), Path(path).read_text(encoding="utf-8")))
        except OSError as exc:
            raise PackError(f"{path}: cannot read rule pack ({exc.strerror}).") from exc
    for name, text in sources:
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
        try:
            documents.append((name, tomllib.loads(text)))
        except tomllib.TOMLDecodeError as exc:
            raise PackError(f"{name}: invalid TOML ({exc}). Fix the pack file.") from exc
    return _build(documents, digest.hexdigest()[:16])


def _call_source(e: _Entry) -> CallSource:
    return CallSource(
        calls=e.patterns("calls"),
        labels=e.labels(),
        note=e.text("note"),
        kind=e.text("kind", "call"),
        key_arg=e.args("key-arg") if "key-arg" in e.table else None,
        key_pattern=e.regex("key-pattern"),
        markers=e.words("markers"),
    )


def _read_source(e: _Entry) -> ReadSource:
    return ReadSource(
        containers=e.patterns("containers"),
        key_pattern=e.regex("key-pattern"),
        key_is_credential=e.flag("key-is-credential"),
        labels=e.labels(),
        note=e.text("note"),
        kind=e.text("kind", "read"),
        markers=e.words("markers"),
        whole_key=e.text("whole-key", None),
        trigger_words=e.words("trigger-words"),
        exclude=e.patterns("exclude", required=False),
    )


def _parameter_source(e: _Entry) -> ParameterSource:
    return ParameterSource(
        markers=e.patterns("markers", required=False),
        marker_arg_types=e.patterns("marker-arg-types", required=False),
        name_is_credential=e.flag("name-is-credential"),
        labels=e.labels(),
        note=e.text("note"),
        kind=e.text("kind", "parameter"),
        annotations=e.patterns("annotations", required=False),
    )


def _exchange(e: _Entry) -> Exchange:
    if e.text("constant-key", None) is not None and not e.words("requires-constant"):
        raise PackError(
            f"{e.file}: {e.where}.constant-key needs `requires-constant`, the constants to look "
            "for under that key. Add it or remove `constant-key`."
        )
    return Exchange(
        calls=e.patterns("calls"),
        requires_constants=e.words("requires-constant"),
        labels=e.labels(default=("credential",)),
        note=e.text("note"),
        constant_key=e.text("constant-key", None),
    )


def _tool_schema(e: _Entry) -> ToolSchema:
    return ToolSchema(
        rule=e.text("rule", TOOL_PARAMETER_RULE),
        framework=e.text("framework"),
        calls=e.patterns("calls"),
        args=e.args("args"),
        fix=e.text("fix", None),
    )


def _call_sink(e: _Entry) -> CallSink:
    return CallSink(
        rule=e.text("rule"),
        calls=e.patterns("calls"),
        args=e.args("args"),
        exclude=e.patterns("exclude", required=False),
        note=e.text("note"),
        fix=e.text("fix", None),
        key_pattern=e.regex("key-pattern"),
        exclude_markers=e.words("exclude-markers"),
        exclude_keys=e.words("exclude-keys"),
        safe_when=e.constants("safe-when"),
        unsafe_when=e.constants("unsafe-when"),
        error_shows=e.args("error-shows") if "error-shows" in e.table else None,
        named_by=e.args("named-by") if "named-by" in e.table else None,
        propagates=e.flag("propagates"),
        markup=_markup_rule(e),
    )


def _markup_rule(e: _Entry) -> MarkupRule | None:
    rule = e.text("markup-rule", None)
    if rule is None:
        return None
    return MarkupRule(rule=rule, note=e.text("markup-note"), fix=e.text("markup-fix", None))


def _store_sink(e: _Entry) -> StoreSink:
    return StoreSink(
        rule=e.text("rule"),
        targets=e.patterns("targets"),
        note=e.text("note"),
        fix=e.text("fix", None),
        exclude_markers=e.words("exclude-markers"),
        key_pattern=e.regex("key-pattern"),
    )


def _return_sink(e: _Entry) -> ReturnSink:
    return ReturnSink(
        rule=e.text("rule"),
        decorators=e.patterns("decorators", required=False),
        note=e.text("note"),
        fix=e.text("fix", None),
        exclude_markers=e.words("exclude-markers"),
        tools=e.flag("tools"),
        registrations=e.patterns("registrations", required=False),
        registration_arg=e.args("registration-arg", default=["0"]),
        parameters=tuple(e.strings("parameters", required=False)),
        markup=_markup_rule(e),
        base_classes=e.patterns("base-classes", required=False),
        methods=e.words("methods"),
        key_pattern=e.regex("key-pattern"),
    )


def _parameter_type(e: _Entry) -> ParameterType:
    parameters = e.constants("parameters")
    if not parameters or not all(isinstance(v, str) for _, v in parameters):
        raise e.fail(
            "parameters", 'a table of parameter = "class", e.g. {req = "framework.Request"}'
        )
    return ParameterType(
        functions=tuple(e.strings("functions")),
        imports=e.words("imports"),
        parameters=parameters,
    )


def _context_type(e: _Entry) -> ContextType:
    return ContextType(types=e.patterns("types"), attributes=frozenset(e.strings("attributes")))


def _tool_call_sink(e: _Entry) -> ToolCallSink:
    return ToolCallSink(
        rule=e.text("rule"),
        methods=frozenset(e.strings("methods")),
        note=e.text("note"),
        fix=e.text("fix", None),
    )


def _raise_sink(e: _Entry) -> RaiseSink:
    return RaiseSink(
        rule=e.text("rule"),
        in_tools=e.flag("in-tools"),
        note=e.text("note"),
        fix=e.text("fix", None),
        exclude_kinds=e.words("exclude-kinds"),
        exclude_markers=e.words("exclude-markers"),
    )


def _tool(e: _Entry) -> ToolSpec:
    return ToolSpec(
        framework=e.text("framework"),
        rule=e.text("rule", TOOL_PARAMETER_RULE),
        decorators=e.patterns("decorators", required=False),
        registrations=e.patterns("registrations", required=False),
        registration_arg=e.args("registration-arg", default=["0"]),
        hidden_annotations=e.patterns("hidden-annotations", required=False),
        hidden_defaults=e.patterns("hidden-defaults", required=False),
        hidden_names=e.words("hidden-names"),
        fix=e.text("fix"),
        base_classes=e.patterns("base-classes", required=False),
        methods=e.words("methods"),
        hidden_metadata_keys=e.words("hidden-metadata-keys"),
        hiding_args=e.words("hiding-args"),
        content_first_when=e.constants("content-first-when"),
    )


# Array tables of a pack: [[table]] name -> (PackSet field, builder of one entry).
_SPEC_TABLES: dict[str, tuple[str, Callable[[_Entry], Any]]] = {
    "rule": ("rules", lambda e: _rule(e)),  # defined below, with the rule checks
    "call-source": ("call_sources", _call_source),
    "read-source": ("read_sources", _read_source),
    "parameter-source": ("parameter_sources", _parameter_source),
    "exchange": ("exchanges", _exchange),
    "call-sink": ("call_sinks", _call_sink),
    "store-sink": ("store_sinks", _store_sink),
    "return-sink": ("return_sinks", _return_sink),
    "context-type": ("context_types", _context_type),
    "parameter-type": ("parameter_types", _parameter_type),
    "tool-call-sink": ("tool_call_sinks", _tool_call_sink),
    "raise-sink": ("raise_sinks", _raise_sink),
    "tool": ("tools", _tool),
    "tool-schema": ("tool_schemas", _tool_schema),
}
_PROPAGATION_KEYS = (
    "calls",
    "methods",
    "stop-calls",
    "stop-methods",
    "clean-attributes",
    "clean-keys",
    "minting-calls",
    "binders",
    "invokers",
    "dumping-calls",
    "dumping-methods",
    "model-dumping-methods",
    "dump-include-keywords",
    "dump-exclude-keywords",
    "settings-bases",
    "executor-invokers",
    "mappers",
    "masked-types",
    "holder-suffixes",
    "read-methods",
    "error-keys",
    "success-keys",
    "status-attributes",
    "success-flags",
    "failure-flags",
    "excluding-field-flags",
    "hiding-field-flags",
    "random-byte-count-calls",
    "random-byte-count-keywords",
    "removing-methods",
    "tokenizer-calls",
    "request-state",
    "key-value-methods",
    "keyed-calls",
    "context-variables",
    "context-setters",
    "context-getters",
    "injectors",
    "keyed-methods",
    "settings-objects",
    "settings-sources",
    "content-type-keywords",
    "page-content-types",
)
_TOP_KEYS = {"pack", "propagation", *_SPEC_TABLES}


def _build(documents: list[tuple[str, dict[str, Any]]], digest: str) -> PackSet:
    specs: dict[str, list[Any]] = {field_name: [] for field_name, _ in _SPEC_TABLES.values()}
    prop: dict[str, list[str]] = {key: [] for key in _PROPAGATION_KEYS}
    for name, doc in documents:
        for key in doc:
            if key not in _TOP_KEYS:
                raise PackError(
                    f"{name}: unknown table '{key}'. Valid tables: {', '.join(sorted(_TOP_KEYS))}."
                )
        for table, (field_name, build) in _SPEC_TABLES.items():
            for i, entry in enumerate(_tables(name, doc, table)):
                e = _Entry(name, f"{table}[{i}]", entry)
                specs[field_name].append(build(e))
                e.done()
        if "propagation" in doc:
            table = doc["propagation"]
            if not isinstance(table, dict):
                raise PackError(f"{name}: 'propagation' must be a table.")
            e = _Entry(name, "propagation", table)
            for key in _PROPAGATION_KEYS:
                prop[key].extend(e.strings(key, required=False))
            e.done()
    known_rules = {r.id for r in specs["rules"]}
    sinks = (
        "call_sinks",
        "store_sinks",
        "return_sinks",
        "raise_sinks",
        "tool_call_sinks",
        "tool_schemas",
    )
    for spec in (spec for field_name in (*sinks, "tools") for spec in specs[field_name]):
        markup = getattr(spec, "markup", None)  # call and return sinks have one
        for rule in {spec.rule, markup.rule if markup is not None else spec.rule}:
            if rule not in known_rules:
                raise PackError(
                    f"a sink or tool names rule '{rule}', which no pack defines. "
                    f"Use one of: {', '.join(sorted(known_rules))}."
                )
    propagation = Propagation(
        calls=NamePatterns(prop["calls"]),
        methods=frozenset(prop["methods"]),
        stop_calls=NamePatterns(prop["stop-calls"]),
        stop_methods=frozenset(prop["stop-methods"]),
        clean_attributes=frozenset(prop["clean-attributes"]),
        clean_keys=frozenset(k.lower() for k in prop["clean-keys"]),
        minting_calls=NamePatterns(prop["minting-calls"]),
        binders=NamePatterns(prop["binders"]),
        invokers=NamePatterns(prop["invokers"]),
        dumping_calls=frozenset(prop["dumping-calls"]),
        dumping_methods=frozenset(prop["dumping-methods"]),
        model_dumping_methods=frozenset(prop["model-dumping-methods"]),
        dump_include_keywords=frozenset(prop["dump-include-keywords"]),
        dump_exclude_keywords=frozenset(prop["dump-exclude-keywords"]),
        settings_bases=NamePatterns(prop["settings-bases"]),
        executor_invokers=NamePatterns(prop["executor-invokers"]),
        mappers=NamePatterns(prop["mappers"]),
        masked_types=NamePatterns(prop["masked-types"]),
        holder_suffixes=tuple(prop["holder-suffixes"]),
        read_methods=frozenset(prop["read-methods"]),
        error_keys=frozenset(prop["error-keys"]),
        success_keys=frozenset(prop["success-keys"]),
        status_attributes=frozenset(prop["status-attributes"]),
        success_flags=frozenset(prop["success-flags"]),
        failure_flags=frozenset(prop["failure-flags"]),
        excluding_field_flags=frozenset(prop["excluding-field-flags"]),
        hiding_field_flags=frozenset(prop["hiding-field-flags"]),
        random_byte_count_calls=NamePatterns(prop["random-byte-count-calls"]),
        random_byte_count_keywords=frozenset(prop["random-byte-count-keywords"]),
        removing_methods=frozenset(prop["removing-methods"]),
        tokenizer_calls=NamePatterns(prop["tokenizer-calls"]),
        request_state=NamePatterns(prop["request-state"]),
        key_value_methods=frozenset(prop["key-value-methods"]),
        keyed_calls=NamePatterns(prop["keyed-calls"]),
        context_variables=NamePatterns(prop["context-variables"]),
        context_setters=frozenset(prop["context-setters"]),
        context_getters=frozenset(prop["context-getters"]),
        injectors=NamePatterns(prop["injectors"]),
        keyed_methods=frozenset(prop["keyed-methods"]),
        settings_objects=NamePatterns(prop["settings-objects"]),
        settings_sources=tuple(prop["settings-sources"]),
        content_type_keywords=frozenset(prop["content-type-keywords"]),
        page_content_types=tuple(t.lower() for t in prop["page-content-types"]),
    )
    fields = {key: tuple(value) for key, value in specs.items()}
    fields["rules"] = tuple(sorted(specs["rules"], key=lambda r: r.id))
    return PackSet(propagation=propagation, digest=digest, **fields)


def _tables(name: str, doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = doc.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise PackError(f"{name}: '{key}' must be an array of tables ([[{key}]]).")
    return value


class _Entry:
    """One table of a pack being validated; errors name the file and the key."""

    def __init__(self, file: str, where: str, table: dict[str, Any]) -> None:
        self.file = file
        self.where = where
        self.table = table
        self.used: set[str] = set()

    def fail(self, key: str, expected: str) -> PackError:
        got = type(self.table.get(key)).__name__
        return PackError(
            f"{self.file}: {self.where}.{key} must be {expected} (got {got}). Fix the pack file."
        )

    def _get(self, key: str) -> Any:
        self.used.add(key)
        return self.table.get(key)

    def text(self, key: str, default: Any = ...) -> Any:
        value = self._get(key)
        if value is None:
            if default is ...:
                raise PackError(f"{self.file}: {self.where} is missing the key '{key}'.")
            return default
        if not isinstance(value, str):
            raise self.fail(key, "a string")
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(key, "true or false")
        return value

    def strings(self, key: str, required: bool = True) -> list[str]:
        value = self._get(key)
        if value is None:
            if required:
                raise PackError(f"{self.file}: {self.where} is missing the key '{key}'.")
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "a list of strings")
        return value

    def words(self, key: str) -> frozenset[str]:
        """An optional list of strings as a set."""
        return frozenset(self.strings(key, required=False))

    def patterns(self, key: str, required: bool = True) -> NamePatterns:
        return NamePatterns(self.strings(key, required))

    def regex(self, key: str) -> re.Pattern[str] | None:
        value = self.text(key, None)
        if value is None:
            return None
        try:
            return re.compile(value)
        except re.error as exc:
            raise PackError(
                f"{self.file}: {self.where}.{key} is not a valid regular expression ({exc})."
            ) from exc

    def constants(self, key: str) -> tuple[tuple[str, object], ...]:
        value = self._get(key)
        if value is None:
            return ()
        if not isinstance(value, dict) or not all(
            isinstance(v, (bool, int, str)) for v in value.values()
        ):
            raise self.fail(key, "a table of keyword = constant, e.g. {httponly = true}")
        return tuple(sorted(value.items()))

    def labels(self, default: Iterable[str] | None = None) -> frozenset[str]:
        if default is not None and "labels" not in self.table:
            return frozenset(default)
        labels = frozenset(self.strings("labels"))
        unknown = labels - LABELS
        if unknown:
            raise PackError(
                f"{self.file}: {self.where}.labels has unknown label(s) {sorted(unknown)}; "
                f"use {sorted(LABELS)}."
            )
        return labels

    def args(self, key: str, default: list[str] | None = None) -> ArgSpec:
        raw = self.strings(key, required=default is None) or (default or [])
        positions: set[int] = set()
        keywords: set[str] = set()
        all_args = False
        for item in raw:
            if item == "*":
                all_args = True
                continue
            head, _, tail = item.partition(":")
            if head.isdigit():
                positions.add(int(head))
                if tail:
                    keywords.add(tail)
            elif tail:
                raise self.fail(key, "a list like ['0:messages', 'system', '*']")
            else:
                keywords.add(head)
        return ArgSpec(frozenset(positions), frozenset(keywords), all_args)

    def done(self) -> None:
        unknown = set(self.table) - self.used
        if unknown:
            raise PackError(
                f"{self.file}: {self.where} has unknown key(s) {sorted(unknown)}. "
                "Check the spelling against the pack format in the README."
            )


def _rule(e: _Entry) -> RuleMeta:
    severity = e.text("severity")
    if severity not in ("error", "warning"):
        raise e.fail("severity", "'error' or 'warning'")
    cwe = e._get("cwe")
    if not isinstance(cwe, int):
        raise e.fail("cwe", "an integer")
    meta = RuleMeta(
        id=e.text("id"),
        name=e.text("name"),
        severity=severity,
        cwe=cwe,
        summary=e.text("summary"),
        what=e.text("what"),
        why=e.text("why"),
        example=e.text("example"),
        use_instead=e.text("use-instead"),
        references=tuple(e.strings("references")),
        owasp=tuple(e.strings("owasp", required=False)),
        requires=_requires(e),
        fix=e.text("fix"),
        security_severity=e.text("security-severity"),
        precision=e.text("precision"),
        message=_message_template(e),
    )
    return meta


def _message_template(e: _Entry) -> str:
    template = e.text("message", FLOW_MESSAGE)
    try:
        # Plain fields only (no ``{kind.attr}`` or ``{kind[0]}``), each of a finding's types.
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
        if not fields <= set(MESSAGE_FIELDS):
            raise ValueError(sorted(fields - set(MESSAGE_FIELDS)))
        template.format(**MESSAGE_EXAMPLE)
    except Exception:  # noqa: BLE001 - any template that cannot format is the pack's error
        raise e.fail(
            "message", "a template using only " + ", ".join(f"{{{n}}}" for n in MESSAGE_FIELDS)
        ) from None
    return template


def _requires(e: _Entry) -> frozenset[str]:
    labels = frozenset(e.strings("requires"))
    if not labels or labels - LABELS:
        raise e.fail("requires", f"a non-empty list of {sorted(LABELS)}")
    return labels
