"""Function summaries: what a function does with its parameters, for callers to apply."""

from __future__ import annotations

from dataclasses import dataclass, replace

from obolint.findings import Location, TraceStep
from obolint.names import is_credential_name
from obolint.taint.values import (
    CLEAN,
    KEY_PREFIX,
    NOKEY_PREFIX,
    PARAM_PREFIX,
    SUNK_PREFIX,
    Flow,
    Value,
    holds_whole_mapping,
    join,
    join_keyed,
    keys_hold_all,
    not_under_keys,
    whole_mapping_read,
)


@dataclass(frozen=True)
class SinkHit:
    """A sink reached inside a function, as reported to the rule layer."""

    rule: str
    location: Location  # the sink argument / returned expression
    note: str  # "`messages` of `client.chat.completions.create()`"
    fix: str | None
    scope: str  # enclosing function qualname
    sink_text: str  # normalised sink source text
    tool: str | None = None  # for tool rules: the tool's name
    exclude_kinds: frozenset[str] = frozenset()  # source kinds that do not count at this sink
    # Flow markers that do not count at this sink ("minted"); checked again where a caller
    # passes a credential into a parameter that reaches it.
    exclude_markers: frozenset[str] = frozenset()

    def excludes(self, flow: Flow) -> bool:
        """Whether ``flow`` does not count here by its markers: one the sink ignores, or this
        rule already reported it at a sink that passes the value on (``exclude_kinds`` is
        checked where findings are made)."""
        return bool(flow.markers & self.exclude_markers) or SUNK_PREFIX + self.rule in flow.markers


@dataclass(frozen=True)
class ParamSink:
    """Parameter ``index`` of a function reaches ``hit`` through ``steps`` (param → sink);
    ``key``: what the parameter holds under it does (see values.KEY_PREFIX), else the whole."""

    index: int
    hit: SinkHit
    steps: tuple[TraceStep, ...]
    key: str | None = None
    # The keys a loop over the parameter left out before the sink (see values.NOKEY_PREFIX).
    without: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ParamField:
    """Parameter ``index`` of a function is stored on instances of project class
    ``class_qname`` as ``attr`` (a setter, a factory building the object), through ``steps``:
    each caller stores what it passes there."""

    index: int
    class_qname: str
    attr: str
    steps: tuple[TraceStep, ...]
    key: str | None = None  # as for ParamSink
    # The key of the dict or field of the object stored on ``attr`` that holds the parameter
    # (``self.opts = Opts(api_key=key)``: "api_key"), None when stored whole.
    under: str | None = None


@dataclass(frozen=True)
class ParamWrite:
    """The function stores ``flows`` into the object its caller passes for parameter
    ``index`` (``params["accessToken"] = self.token``, ``headers.update(auth)``), under
    ``key`` (None: under no key known): the caller's object holds them after the call."""

    index: int
    key: str | None
    flows: tuple[Flow, ...]


# The owner (as a class is of its fields) of the values set on context variables, which are
# kept by the variables' qualified names (see Project.store_context).
CONTEXT_HOLDERS = "<context variables>"

# What the worklist re-runs: a module's body ``(module, "")`` or one function ``(module, qual)``.
Unit = tuple[str, str]


@dataclass(frozen=True)
class DeferredCall:
    """Parameter ``index`` is passed on to ``callee``, a function of a project module not yet
    parsed, at a call in ``unit`` (module, function): the module is parsed only once a real
    credential reaches that parameter."""

    index: int
    callee: str
    unit: Unit


@dataclass(frozen=True)
class FunctionSummary:
    """Which parameters and sources a function returns, which parameters reach sinks, and
    which parameters reach functions of modules not parsed yet."""

    returns: tuple[Flow, ...] = ()
    param_sinks: tuple[ParamSink, ...] = ()
    deferred: frozenset[DeferredCall] = frozenset()
    # When every return gives a tuple of the same length: the flows of each element.
    return_items: tuple[tuple[Flow, ...], ...] | None = None
    # When every return gives a dict whose constant keys hold all it holds: the flows of each
    # key any of them sets (a caller's `result["input"]` is not what `result["session_key"]`
    # holds).
    return_fields: tuple[tuple[str, tuple[Flow, ...]], ...] | None = None
    param_fields: tuple[ParamField, ...] = ()
    param_writes: tuple[ParamWrite, ...] = ()
    # What it returns was minted here (``send_reset_email()`` returning a token it generated),
    # also where that is an identifier rather than a credential.
    minted: bool = False

    def signature(self) -> tuple:
        """A comparable digest (sources, not traces) used to detect the fixed point."""
        ret = frozenset(f.key() for f in self.returns)
        sinks = frozenset(
            (p.index, p.hit.rule, p.hit.location, p.key, p.without) for p in self.param_sinks
        )
        items = (
            None
            if self.return_items is None
            else tuple(frozenset(f.key() for f in item) for item in self.return_items)
        )
        fields = (
            None
            if self.return_fields is None
            else tuple(
                (key, frozenset(f.key() for f in flows)) for key, flows in self.return_fields
            )
        )
        stored = frozenset(
            (p.index, p.class_qname, p.attr, p.key, p.under) for p in self.param_fields
        )
        writes = frozenset(
            (w.index, w.key, frozenset(f.key() for f in w.flows)) for w in self.param_writes
        )
        return (ret, sinks, self.deferred, items, fields, stored, writes, self.minted)


def param_index(flow: Flow) -> int | None:
    """The parameter index of a symbolic parameter flow, else None."""
    for label in flow.labels:
        if label.startswith(PARAM_PREFIX):
            return int(label[len(PARAM_PREFIX) :])
    return None


def concrete(flows: tuple[Flow, ...]) -> tuple[Flow, ...]:
    """Flows from real sources only (symbolic parameters do not survive their function)."""
    return tuple(f for f in flows if param_index(f) is None)


def read_key(flow: Flow) -> str | None:
    """The key a parameter's flow was read under inside its function (see KEY_PREFIX)."""
    for marker in flow.markers:
        if marker.startswith(KEY_PREFIX):
            return marker[len(KEY_PREFIX) :]
    return None


def key_left_out(name: str, keys: frozenset[str]) -> bool:
    """Whether dict key ``name`` is one of ``keys`` a test ruled out: ``=name`` as written,
    ``~name`` in lower case (the test compared ``k.lower()``), one holding a word ``*word``
    (``any(w in k.lower() for w in WORDS)`` was false), or, where a test pinned the key to
    some (``k.lower() in KEEP``: ``+keep`` each, in lower case), any other."""
    if "=" + name in keys or "~" + name.lower() in keys:
        return True
    lowered = name.lower()
    pinned = [k[1:] for k in keys if k[0] == "+"]
    if pinned and lowered not in pinned:
        return True
    return any(k[0] == "*" and k[1:] in lowered for k in keys)


def fields_kept(value: Value, left_out: frozenset[str]) -> tuple[tuple[str, Value], ...]:
    """The per-key values of ``value`` but those under keys a test ruled out (see
    key_left_out)."""
    return tuple((name, item) for name, item in value.fields if not key_left_out(name, left_out))


def keys_left_out(flow: Flow) -> frozenset[str]:
    """The keys a loop over a parameter left out of its flow (see NOKEY_PREFIX)."""
    return frozenset(m[len(NOKEY_PREFIX) :] for m in flow.markers if m.startswith(NOKEY_PREFIX))


def without_keys(
    flows: tuple[Flow, ...], keys: frozenset[str], keyed: bool = False
) -> tuple[Flow, ...]:
    """``flows`` with a parameter's flow (not read under a key; with ``keyed``, also one read
    under a key: then of what that key holds) marked as leaving ``keys`` out."""
    marks = frozenset(NOKEY_PREFIX + k for k in keys)
    return tuple(
        Flow(flow.labels, flow.steps, flow.source_kind, flow.markers | marks)
        if param_index(flow) is not None and (keyed or read_key(flow) is None)
        else flow
        for flow in flows
    )


def under_key(flows: tuple[Flow, ...], key: str) -> tuple[Flow, ...]:
    """``flows`` read under ``key``: a parameter's flow not read under one yet is marked."""
    return tuple(
        Flow(flow.labels, flow.steps, flow.source_kind, flow.markers | {KEY_PREFIX + key})
        if param_index(flow) is not None and read_key(flow) is None
        else flow
        for flow in flows
    )


def stored_keys(value: Value) -> dict[str, tuple[Flow, ...]] | None:
    """The real flows under each constant key of ``value``, when those keys hold all its real
    flows (a dict built in code, not a mapping the packs name as a whole): what a field that
    stores ``value`` holds per key. Else None."""
    if not value.fields or holds_whole_mapping(value):
        return None
    keyed = {name: concrete(item.flows) for name, item in value.fields}
    held = {f.key() for flows in keyed.values() for f in flows}
    if all(f.key() in held for f in concrete(value.flows)):
        return keyed
    return None


def passed_under(value: Value, key: str | None, without: frozenset[str] = frozenset()) -> Value:
    """What ``value``, passed for a parameter its function read under ``key`` (see read_key),
    gives there: of a dict or object that holds its keys apart, that key's value (nothing if
    it has no such key), or the values of its keys but ``without`` ones; else all of it."""
    if not value.fields:
        # A caller's own parameter passed on: what its callers pass under the key, or but
        # the keys left out (so a chain of helpers keeps the test the last one made).
        if key is not None:
            return replace(value, flows=under_key(value.flows, key))
        return replace(value, flows=without_keys(value.flows, without)) if without else value
    if holds_whole_mapping(value):
        return _whole_mapping_under(value, key, without)
    if key is None:
        if not without or not keys_hold_all(value):
            return value
        return join_keyed(*(item for _, item in fields_kept(value, without)))
    held = value.field(key)
    if held is not None:
        # Read under the key, then its own keys left out (a loop over `cfg["api"].items()`).
        return passed_under(held, None, without) if without else held
    if keys_hold_all(value):
        return CLEAN
    # Not what its other keys hold: what it holds under no key known (`{"api_key": k,
    # **kwargs}` passed on gives the caller's kwargs under "name", not the key).
    rest = not_under_keys(value)
    return replace(rest, flows=under_key(rest.flows, key))


def _whole_mapping_under(value: Value, key: str | None, without: frozenset[str]) -> Value:
    """``passed_under`` for a mapping the packs name as a whole (a copy of
    ``request.headers``), whose keys are names read in any case: under ``key``, what that
    key holds (no credential for another); ``without`` keys, the rest."""
    if key is not None:
        # As a read of it in the caller's own code gives (another credential header of the
        # copy, `X-Upstream-Token`, gives the mapping as a whole); no credential for another.
        read = whole_mapping_read(value, key, is_credential_name(key))
        return read if read is not None else not_under_keys(value)
    if not without:
        return value
    lowered = frozenset(k.lower() for k in without)  # header names are read in any case
    kept = [item for name, item in value.fields if not key_left_out(name.lower(), lowered)]
    return join(not_under_keys(value), *kept)


def spread_over(params: list, value: Value, offset: int) -> list[tuple[int, Value]]:
    """``f(**value)``: what each named parameter of ``params`` (from ``offset``, the bound
    receiver left out) gets of the dict passed, by its name (see passed_under)."""
    found = []
    for index, param in enumerate(params):
        if index < offset or param.star in ("*", "**"):
            continue
        name = param.name.value
        part = passed_under(value, name)
        if value.field(name) is None and not is_credential_name(name):
            # A real credential under a key not known (a dict built by a comprehension) is
            # not taken to be this parameter's (`Bot(platform, **extras)`'s `platform`);
            # what the caller's own caller passes is, under this name.
            part = replace(part, flows=tuple(f for f in part.flows if param_index(f) is not None))
        if part.flows:
            found.append((index, part))
    return found
