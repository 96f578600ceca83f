"""Pickle LibCST trees in half the time, to the bytes ``pickle.dumps`` gives.

A LibCST node is a slotted dataclass that pickles through the ``__getstate__`` LibCST gives it,
which looks up ``dataclasses.fields`` for every node: half of the time a parse worker spends
pickling the trees it sends back. This pickler reduces each node to the same thing (its class
and a dict of its fields, rebuilt by ``copyreg.__newobj__`` and LibCST's ``__setstate__``) with
the field names looked up once per class, so the bytes, and unpickling them, do not change.
"""

from __future__ import annotations

import copyreg
import dataclasses
import io
import pickle

import libcst as cst

# Node class -> its field names, in the order of dataclasses.fields.
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_UNSET = object()


class _NodePickler(pickle.Pickler):
    def reducer_override(self, obj: object) -> object:
        cls = obj.__class__
        names = _FIELD_NAMES.get(cls)
        if names is None:
            if not isinstance(obj, cst.CSTNode):
                return NotImplemented
            names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
        state = {}
        for name in names:
            value = getattr(obj, name, _UNSET)
            if value is not _UNSET:
                state[name] = value
        return copyreg.__newobj__, (cls,), state


def dumps(obj: object) -> bytes:
    """``pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)``, faster for LibCST trees."""
    buffer = io.BytesIO()
    _NodePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buffer.getvalue()
