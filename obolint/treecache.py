"""Parsed files kept between scans, so that a rerun parses only the files that changed.

Parsing is most of a cold scan; loading a pickled syntax tree costs an eighth of parsing it.
An entry is one file's parse result (its LibCST tree and imports; failures are not kept),
keyed by its content, path and analysis root and by the versions of obolint, LibCST and
Python. The analysis itself always runs in full, so results are those of a cold scan.

The directory sits in the repository, and a pickle can run code when loaded. So an entry is
signed like a results entry (obolint.cache.sign, with the user's key) and is unpickled only if
the signature verifies; the unpickler then builds nothing but LibCST nodes and obolint's own
parse records. The least recently used entries go once the directory passes a size cap.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import importlib.metadata
import io
import os
import pickle
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import libcst as cst

from obolint import __version__, nodepickle
from obolint.cache import (
    atomic_write,
    code_digest,
    own_file_names,
    prune_least_recently_used,
    sign,
)
from obolint.findings import FileError
from obolint.resolve import resolved_path

DIRECTORY_NAME = "trees"
MAX_BYTES = 256 * 1024 * 1024
_FORMAT = 4  # 4: nodes pickled as builder calls (obolint.nodepickle)
_SUFFIX = ".tree"
_OWN_FILE_NAMES = own_file_names("[0-9a-f]{64}", _SUFFIX)
_MAC_BYTES = 64  # hex digest


def _distribution_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "?"


# LibCST has no ``__version__``; the installed distribution says which parser made a tree.
_LIBCST_VERSION = _distribution_version("libcst")


@dataclass
class TreeCacheStats:
    """What one scan did with the tree cache."""

    hits: int = 0
    stored: int = 0


class TreeCache:
    """Signed, pickled parse results under ``directory``."""

    def __init__(self, directory: Path, key: bytes, parsed_type: type) -> None:
        self.directory = directory
        self.key = key
        self.opened_ns = time.time_ns()  # what this run wrote or read since is never pruned
        # The record parse_source returns (obolint.parsing.ParsedFile), the one class besides
        # LibCST's nodes and FileError that an entry may hold.
        self._allowed = {
            (parsed_type.__module__, parsed_type.__qualname__): parsed_type,
            (FileError.__module__, FileError.__qualname__): FileError,
        }
        self._parsed_type = parsed_type
        self.stats = TreeCacheStats()

    def entry_name(self, path: Path, display_path: str, root: Path, text_hash: str) -> str:
        """The name of a file's entry: everything its parse result depends on (the module
        name and imports come from the resolved path and the root, the report's path from
        the working directory)."""
        digest = hashlib.sha256()
        parts = (
            str(_FORMAT),
            __version__,
            code_digest(),
            _LIBCST_VERSION,
            sys.version,
            os.fspath(resolved_path(root)),
            os.fspath(resolved_path(path)),
            display_path,
            text_hash,
        )
        for part in parts:
            digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
        return digest.hexdigest()

    def has(self, name: str) -> bool:
        """Whether an entry exists (it may still fail to verify)."""
        return (self.directory / f"{name}{_SUFFIX}").is_file()

    def load(self, name: str) -> tuple[Any, FileError | None] | None:
        """The stored parse result, or None when missing, not signed by us or malformed."""
        path = self.directory / f"{name}{_SUFFIX}"
        try:
            data = path.read_bytes()
        except OSError:
            return None
        mac, payload = data[:_MAC_BYTES], data[_MAC_BYTES:]
        if not hmac.compare_digest(mac, sign(self.key, name, payload).encode("ascii")):
            return None
        try:
            result = _RestrictedUnpickler(payload, self._allowed).load()
        except Exception:  # noqa: BLE001 - any malformed entry is a miss, never a failure
            return None
        if not (
            isinstance(result, tuple)
            and len(result) == 2
            and isinstance(result[0], (self._parsed_type, type(None)))
            and isinstance(result[1], (FileError, type(None)))
        ):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        self.stats.hits += 1
        return result

    def store(self, name: str, payload: bytes) -> None:
        """Write a pickled parse result atomically; a failure to write is never an error."""
        data = sign(self.key, name, payload).encode("ascii") + payload
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            atomic_write(self.directory / f"{name}{_SUFFIX}", data)
        except OSError:
            return
        self.stats.stored += 1

    def prune(self, max_bytes: int = MAX_BYTES) -> None:
        """Remove the least recently used entries once the directory holds over ``max_bytes``,
        down to three quarters of it (not those this run stored or loaded)."""
        if self.directory.parent.is_symlink():  # the results directory: see the function
            return
        prune_least_recently_used(self.directory, _OWN_FILE_NAMES, max_bytes, None, self.opened_ns)


class _RestrictedUnpickler(pickle.Unpickler):
    """Builds LibCST nodes and the allowed obolint records; refuses every other global."""

    def __init__(self, payload: bytes, allowed: dict[tuple[str, str], type]) -> None:
        super().__init__(io.BytesIO(payload))
        self._allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        found = self._allowed.get((module, name))
        if found is not None:
            return found
        if module == nodepickle.__name__ and nodepickle.node_class(name) is not None:
            return getattr(nodepickle, name)
        if module == "libcst" or module.startswith("libcst."):
            # Only modules LibCST has already loaded: nothing is imported on an entry's say.
            candidate = getattr(sys.modules.get(module), name, None)
            if isinstance(candidate, type) and (
                issubclass(candidate, cst.CSTNode) or candidate is cst.MaybeSentinel
            ):
                return candidate
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a parsed file")
