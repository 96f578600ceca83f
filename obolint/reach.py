"""Find the prefiltered files that take a credential out of the analysed code by name.

The prefilter skips files without a trigger word, but such a file can still send a credential
somewhere: it calls a function of an analysed module that returns one (`build_prompt()`), reads
a global that holds one, or registers as a model tool a function that takes one
(`Agent(tools=[search])`). After the analysis, each such function and global is a *handle*;
a prefiltered file that names a handle and its owner (module or class) is analysed too, and
the handles it adds are looked for in turn.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from obolint.packs import PackSet
from obolint.patterns import split_last_name
from obolint.prefilter import Triggers

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Up to this many handle names, a text is first searched for each as a substring (a few
# microseconds per name), and only one that holds one is split into identifiers (about 50
# microseconds per file). A round after the first looks for the few handles the files reached
# in the round before added (saleor: 2 names, agno: 4), over every other prefiltered file.
MAX_NAMES_SEARCHED_AS_TEXT = 16
# An import statement, also one in parentheses over several lines.
_IMPORT_STATEMENT = re.compile(r"^[ \t]*(?:from[ \t]+\S+[ \t]+)?import[ \t]+(?:\([^)]*\)|.*)", re.M)


@dataclass(frozen=True, order=True)
class Handle:
    """A name by which other code gets a credential from the analysed code."""

    name: str  # the function or global
    owner: str  # the last name of its module or class, which a user of it names as well
    # Only a registration as a model tool exposes it (a function with a credential parameter).
    as_tool: bool = False


@dataclass(frozen=True)
class Registrations:
    """How code registers a function as a model tool, by the packs: the last names of the
    registration calls (``Agent``, ``FunctionTool``; a class name may end in one) and the
    keyword arguments that take the function (``tools=``)."""

    callees: frozenset[str]
    keywords: frozenset[str]

    def appear_in(self, text: str, identifiers: AbstractSet[str]) -> bool:
        """Whether ``text`` (with these ``identifiers``) calls a registration."""
        if any(i.endswith(callee) for i in identifiers for callee in self.callees):
            return True
        return any(re.search(rf"\b{k}\s*=(?!=)", text) for k in self.keywords if k in identifiers)


def registrations(packs: PackSet) -> Registrations:
    """The tool registrations of ``packs`` (see Registrations)."""
    callees: set[str] = set()
    keywords: set[str] = set()
    for tool in packs.tools:
        for pattern in tool.registrations.patterns:
            # `sdk.*Agent` registers with any class whose name ends in `Agent`.
            last = split_last_name(pattern)[1]
            if last.isidentifier():
                callees.add(last)
        keywords.update(k for k in tool.registration_arg.keywords if k.isidentifier())
    return Registrations(frozenset(callees), frozenset(keywords))


class Reach:
    """The handles worth looking for in prefiltered files, and the test for one file."""

    def __init__(
        self,
        handles: Iterable[Handle],
        prefilter: Triggers,
        registration: Registrations,
        *,
        in_files: bool = True,
    ) -> None:
        # A file that names a handle or owner that passes the prefilter on its own is parsed
        # anyway (``in_files``: this looks in whole files; a part of one may name only the
        # handle, see obolint.outline); a dunder is called by the language, not by name.
        self.handles = tuple(
            sorted(
                h
                for h in handles
                if not (in_files and (prefilter.search(h.name) or prefilter.search(h.owner)))
                and not (h.name.startswith("__") and h.name.endswith("__"))
            )
        )
        self.prefilter = prefilter
        self.registration = registration
        names = {h.name for h in self.handles}
        self._names_as_text = (
            tuple(sorted(names)) if len(names) <= MAX_NAMES_SEARCHED_AS_TEXT else ()
        )

    def __bool__(self) -> bool:
        return bool(self.handles)

    def looking_for(self, handles: Iterable[Handle], *, in_files: bool = True) -> Reach:
        """A ``Reach`` with the same prefilter and registrations, for ``handles``."""
        return Reach(handles, self.prefilter, self.registration, in_files=in_files)

    def finds(
        self,
        text: str,
        owners_named: AbstractSet[str] = frozenset(),
        imported: AbstractSet[str] = frozenset(),
        identifiers: AbstractSet[str] | None = None,
    ) -> bool:
        """Whether ``text`` names a handle and its owner (and, for a tool, a registration).
        For a part of a file: ``owners_named``, the names the code around it holds, and
        ``imported``, the names its identifiers import (under an alias). ``identifiers``:
        those of ``text``, when known already."""
        if not self.handles:
            return False
        if identifiers is None:
            if (
                not imported
                and self._names_as_text
                and not any(name in text for name in self._names_as_text)
            ):
                return False  # no handle's name, not even as part of a longer one
            identifiers = set(IDENTIFIER.findall(text))
        return any(
            (h.name in identifiers or h.name in imported)
            and (h.owner in identifiers or h.owner in owners_named)
            and (not h.as_tool or self._registers(h.name, text, identifiers))
            for h in self.handles
        )

    def _registers(self, name: str, text: str, identifiers: AbstractSet[str]) -> bool:
        """Whether ``text`` may register function ``name`` as a tool: it calls a registration
        and passes ``name`` as an argument or element (``tools=[search]``, ``Tool(search)``),
        not only calls it, imports it or mentions it in prose."""
        if not self.registration.appear_in(text, identifiers):
            return False
        # Under its own name or an alias (`from tools import search as web_search`).
        aliases = re.findall(rf"\b{re.escape(name)}\s+as\s+([A-Za-z_][A-Za-z0-9_]*)", text)
        code = _IMPORT_STATEMENT.sub("", text)
        for used in {name, *aliases}:
            for match in re.finditer(rf"\b{re.escape(used)}\s*[,)\]}}]", code):
                line = code[code.rfind("\n", 0, match.start()) + 1 : match.start()].lstrip()
                if not line.startswith("#"):
                    return True
        return False

    @property
    def vocabulary(self) -> str:
        """Everything ``finds`` depends on besides the text, as one string."""
        return json.dumps(self.to_json(), sort_keys=True)

    def to_json(self) -> dict:
        """The handles and registration words, for a cache entry."""
        return {
            "handles": [[h.name, h.owner, h.as_tool] for h in self.handles],
            "callees": sorted(self.registration.callees),
            "keywords": sorted(self.registration.keywords),
        }

    @classmethod
    def from_json(cls, doc: dict, prefilter: Triggers) -> Reach:
        """The ``Reach`` of a cache entry (``to_json``)."""
        handles = [Handle(str(n), str(o), bool(t)) for n, o, t in doc["handles"]]
        registration = Registrations(
            frozenset(str(w) for w in doc["callees"]), frozenset(str(w) for w in doc["keywords"])
        )
        return cls(handles, prefilter, registration)
