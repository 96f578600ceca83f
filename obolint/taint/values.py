"""Abstract values: what the interpreter knows about an expression (taint flows and a name)."""

from __future__ import annotations

from dataclasses import dataclass, field

from obolint.findings import TraceStep

# Labels of RULES.md. Parameters of the function being analysed are tracked symbolically as
# "param:<index>" so that a function's summary can say which parameters reach what.
INBOUND = "inbound"
CREDENTIAL = "credential"
PARAM_PREFIX = "param:"
# The marker of a credential this program mints (a token endpoint's, a CSRF token): rules about
# handing credentials out may ignore it (`exclude-markers` in the packs).
MINTED = "minted"
# The marker of a value drawn at random (``secrets.token_urlsafe()``): a credential only once
# named as one; as an OAuth state, a nonce or a tag it is not.
RANDOM = "random"
# The marker of a parameter's value taken for a credential by the parameter's name: evidence
# inside its function; a caller knows what it passes (the symbolic "param:<index>" flow).
PARAM_NAME = "param-name"
# The marker of a credential held in a whole mapping (``request.headers`` as a value): a read
# of its key from that container is the keyed source instead, which says more.
WHOLE_MAPPING = "whole-mapping"
# The marker of what an exception's message shows of a call's arguments (an HTTP client's
# error shows the URL): reported where the error is logged, raised or sent, but not returned
# from its function (an error text kept as a reply would reach every sink of replies).
ERROR_SHOWN = "error-shown"
# The marker of a whole mapping held as (name, value) pairs (ASGI's `scope["headers"]`, the
# packs' `markers = ["pairs"]`): iterating it yields the pairs, not names alone.
PAIRS = "pairs"
# "whole-key:<key>" marks, beside WHOLE_MAPPING, the key such a mapping holds the credential
# under: a dict built in code that holds the mapping under another key is not the mapping.
WHOLE_KEY_PREFIX = "whole-key:"
# "sunk:<rule>" marks a value a sink of that rule already reported as it passed it on (a
# message built from a credential): the same rule does not report it again downstream.
SUNK_PREFIX = "sunk:"

# The marker of a credential known by a generic name alone (`token`, `checkout_token`,
# `credentials`; see names.names_generic_credential): such names also name identifiers and
# records, which sinks that quote identifiers (exception messages) leave out.
GENERIC_NAME = "generic-name"
# Not carried by flows: a sink that lists it among its `exclude-markers` takes no value merely
# named like a credential in another file.
NAMED_ELSEWHERE = "named-elsewhere"

# "key:<name>" marks a parameter's flow read under a constant key or attribute inside its
# function (`params["base_url"]`, `cfg.command`): a caller that passes a dict or an object
# holding each key apart passes what it holds under that key (see read_key).
KEY_PREFIX = "key:"
# "nokey:<name>" marks a parameter's flow through a loop over its items that left out the key
# `name` (`if name in SECRET_KEYS: continue`): a caller that passes a dict holding each key
# apart passes the values of its other keys (see summaries.passed_under).
NOKEY_PREFIX = "nokey:"

MAX_FLOWS_PER_VALUE = 6
MAX_TRACE_STEPS = 24


@dataclass(frozen=True)
class Flow:
    """One credential (or symbolic parameter) flowing into a value, with how it got there."""

    labels: frozenset[str]
    steps: tuple[TraceStep, ...]  # steps[0] is the source
    source_kind: str  # "header", "env", "name", "param", ... (for fingerprints and ranking)
    markers: frozenset[str] = frozenset()  # facts such as "minted" that rules may exclude

    @property
    def source(self) -> TraceStep:
        """The step where the credential entered the program."""
        return self.steps[0]

    def with_step(self, step: TraceStep) -> Flow:
        """This flow extended by one step (steps are capped, and never repeated back to back)."""
        if self.steps and self.steps[-1] == step:
            return self
        steps = self.steps + (step,)
        if len(steps) > MAX_TRACE_STEPS:
            steps = steps[:1] + steps[-(MAX_TRACE_STEPS - 1) :]
        # Not dataclasses.replace: this runs for every step of every flow, and replace is
        # three times slower than the constructor.
        return Flow(self.labels, steps, self.source_kind, self.markers)

    def key(self) -> tuple:
        """Identity of a flow for merging: same source and labels count once."""
        return (self.source.location, self.labels, self.markers)


@dataclass(frozen=True)
class Value:
    """The abstract value of an expression: its taint flows and, when known, its dotted name."""

    flows: tuple[Flow, ...] = ()
    qname: str | None = None  # e.g. "sdk.Client().chat.create", "request.headers"
    # Constant string facts carried with the value (e.g. the RFC 8693 grant type in a payload).
    constants: frozenset[str] = frozenset()
    # Per-key values of a dict literal with constant keys (field-sensitive where cheap).
    fields: tuple[tuple[str, Value], ...] = field(default=())
    # A tool object made from a project function (StructuredTool.from_function(f)): f's name.
    wraps: str | None = None
    # The type argument of a generic annotation (``RunContextWrapper[UserCtx]`` → UserCtx).
    type_arg: str | None = None
    # The elements of a tuple of known length (``return url, key``), for unpacking it
    # (``url, key = conn()``) element by element; ``flows`` holds them all.
    items: tuple[Value, ...] | None = None
    # Of a collection whose every element that holds a flow is a tuple of this many items: what
    # each position holds across them (``entries.append((url, token))``), for loops that
    # unpack its elements (``for url, _ in entries``).
    element_items: tuple[Value, ...] | None = None

    @property
    def tainted(self) -> bool:
        """True when any flow reaches this value."""
        return bool(self.flows)

    def labels(self) -> frozenset[str]:
        """All labels carried by any flow."""
        out: frozenset[str] = frozenset()
        for flow in self.flows:
            out |= flow.labels
        return out

    def field(self, key: str) -> Value | None:
        """The value stored under a constant key, when this is a tracked dict."""
        for name, value in self.fields:
            if name == key:
                return value
        return None


CLEAN = Value()


def named(qname: str | None) -> Value:
    """``Value(qname=qname)``, one per name: most values the interpreter makes are a name and
    nothing else (a rerun of saleor built 186,000 of them)."""
    found = _NAMED.get(qname)
    if found is None:
        if len(_NAMED) >= _MAX_NAMED:
            _NAMED.clear()
            _NAMED[None] = CLEAN
        found = _NAMED[qname] = Value(qname=qname)
    return found


_NAMED: dict[str | None, Value] = {None: CLEAN}
_MAX_NAMED = 100_000


def holds_whole_mapping(value: Value) -> bool:
    """Whether a per-key value of ``value`` is a credential the packs read from a mapping they
    name as a whole (``request.headers``): its keys are read in any case, not as written.
    ``{"headers": dict(request.headers)}`` holds one under its own key, and is not one."""
    return any(
        WHOLE_KEY_PREFIX + name in f.markers for name, item in value.fields for f in item.flows
    )


def whole_mapping_read(value: Value, key: str, credential_key: bool) -> Value | None:
    """What reading ``key`` of ``value``, a mapping the packs name as a whole (a copy of
    ``request.headers``, see holds_whole_mapping), gives: its names are read in any case; a
    key it does not hold that names a credential (``credential_key``: ``X-Api-Key``) gives
    what the mapping holds as a whole; None for another key."""
    lowered = key.lower()
    spellings = [item for name, item in value.fields if name.lower() == lowered]
    if spellings:
        return join_keyed(*spellings) if len(spellings) > 1 else spellings[0]
    if credential_key:
        return Value(flows=tuple(f for f in value.flows if WHOLE_MAPPING in f.markers))
    return None


def keys_hold_all(value: Value) -> bool:
    """Whether ``value`` is a dict built in code whose constant keys hold every flow it has: not
    a mapping the packs name as a whole (``request.headers``, whose keys are read in any
    case), nor one with flows under no key (``d.update(extra)``)."""
    if not value.fields or holds_whole_mapping(value):
        return False
    return fields_cover(value) or not value.flows


def not_under_keys(value: Value) -> Value:
    """``value`` with only the flows that none of its per-key values holds."""
    held = {f.key() for _, item in value.fields for f in item.flows}
    return Value(flows=tuple(f for f in value.flows if f.key() not in held))


def fields_cover(value: Value) -> bool:
    """Whether the per-key values of ``value`` hold every flow it has."""
    return bool(value.fields) and not not_under_keys(value).flows


def merge_flows(*groups: tuple[Flow, ...]) -> tuple[Flow, ...]:
    """Union of flows, one per source, preferring the shortest trace; capped in size."""
    best: dict[tuple, Flow] = {}
    for group in groups:
        for flow in group:
            key = flow.key()
            kept = best.get(key)
            if kept is None or len(flow.steps) < len(kept.steps):
                best[key] = flow
    flows = sorted(best.values(), key=_flow_rank)
    return tuple(flows[:MAX_FLOWS_PER_VALUE])


def _flow_rank(flow: Flow) -> tuple:
    # Real sources before name guesses before symbolic parameters, then by position, so that
    # the flows kept under the cap (and the one reported) are the most convincing ones.
    # Positions are not read here (they are computed lazily): the sort is stable, so flows that
    # tie keep the order in which the interpreter met them, which is deterministic.
    kind_rank = 2 if flow.source_kind == "param" else (1 if flow.source_kind == "name" else 0)
    return (kind_rank, flow.source.location.path, sorted(flow.labels), len(flow.steps))


def join(*values: Value) -> Value:
    """The value of an expression that may be any of these (branches, operands, elements)."""
    flows = merge_flows(*(v.flows for v in values))
    constants: frozenset[str] = frozenset()
    for v in values:
        constants |= v.constants
    qnames = {v.qname for v in values if v.qname is not None}
    qname = qnames.pop() if len(qnames) == 1 else None
    elements = common_elements(
        [v.element_items for v in values if v.flows or v.element_items is not None]
    )
    return Value(flows=flows, qname=qname, constants=constants, element_items=elements)


def common_elements(shapes: list[tuple[Value, ...] | None]) -> tuple[Value, ...] | None:
    """What each position holds across tuples of one length (``shapes``, of the values that
    hold flows; None for one whose elements are not known to be such tuples); None unless
    all are known and of one length."""
    if not shapes or any(shape is None for shape in shapes):
        return None
    length = len(shapes[0])  # type: ignore[arg-type]
    if any(len(shape) != length for shape in shapes):  # type: ignore[arg-type]
        return None
    if len(shapes) == 1:
        return shapes[0]
    return tuple(join(*(shape[i] for shape in shapes)) for i in range(length))  # type: ignore[index]


def join_keyed(*values: Value, depth: int = 3) -> Value:
    """``join`` of dicts built in code (the values of a mapping, iterated), keeping what each
    key holds apart while every one holds all its flows under its keys (a key one lacks holds
    nothing there), to ``depth`` levels of nesting (dicts that share nested dicts would
    otherwise cost 2 ** depth)."""
    joined = join(*values)
    if depth <= 0 or not values or not all(keys_hold_all(v) or not v.flows for v in values):
        return joined
    by_key: dict[str, list[Value]] = {}
    for value in values:
        for name, item in value.fields:
            by_key.setdefault(name, []).append(item)
    if not by_key:
        return joined
    fields = tuple((name, join_keyed(*items, depth=depth - 1)) for name, items in by_key.items())
    return Value(flows=joined.flows, qname=joined.qname, constants=joined.constants, fields=fields)


def derive(value: Value, step: TraceStep | None, qname: str | None = None) -> Value:
    """A new value computed from ``value`` (taint and constants kept), noting ``step``."""
    flows = value.flows if step is None else tuple(f.with_step(step) for f in value.flows)
    return Value(flows=flows, qname=qname, constants=value.constants)


def with_step(flows: tuple[Flow, ...], step: TraceStep) -> tuple[Flow, ...]:
    """Every flow extended by ``step``."""
    return tuple(f.with_step(step) for f in flows)
