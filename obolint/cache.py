"""A results cache in ``.obolint_cache/``: a scan of unchanged inputs is answered from disk.

The key covers everything a result depends on: obolint's version and code, the packs' digest, the
enabled rules, the analysis root, and the content of every scanned file; an entry also lists
the project modules the analysis read on demand, with their hashes, and is used only while
those are unchanged too. Entries are JSON, written atomically, so concurrent runs are safe
(parsed trees, which are pickles, are kept apart: see obolint.treecache).

Every entry is signed (HMAC-SHA256) with a key kept outside the repository, in the user's cache
directory: obolint gates pull requests, and an entry committed into the repository (say, an
empty result under the key of the pull request's own files) must not be able to hide a finding.
An entry that does not verify is a miss.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from obolint import __version__
from obolint.findings import FileError, Finding, Location, ScanResult, TraceStep

CACHE_DIR_NAME = ".obolint_cache"
# The results directory's own files (entries, verdicts, the file index) lose their least
# recently used once they pass this size: each scan of new content adds entries (saleor: two
# of 150 KB per analysis), and only the latest few are ever hit again. The parse cache has its
# own cap (obolint.treecache).
MAX_BYTES = 64 * 1024 * 1024
# And past this many files: a small project's entries are small, and each scan that stores one
# lists the directory (pre-commit runs store one per set of files passed).
MAX_FILES = 1_000
_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by obolint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_FORMAT = 4


def content_hash(text: str) -> str:
    """A short digest of a file's text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of obolint's own source files (size and mtime), so that an upgrade or an
    editable install that changed the engine never serves results of the old code."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path.relative_to(package)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def python_version() -> str:
    """``python3.11``: the Python whose parser and standard library a scan saw."""
    return f"python{sys.version_info[0]}.{sys.version_info[1]}"


def scan_key(
    files: Iterable[tuple[str, str]], packs_digest: str, enabled: Iterable[str], root: Path
) -> str:
    """The cache key of a scan: (path, content hash) of each file plus everything else."""
    digest = hashlib.sha256()
    # Which names are the standard library's depends on the Python version (see
    # resolve.module_suffixes), and one install may serve two interpreters.
    parts = (
        __version__,
        code_digest(),
        str(_FORMAT),
        packs_digest,
        ",".join(sorted(enabled)),
        python_version(),
    )
    for part in (*parts, str(root)):
        digest.update(part.encode() + b"\0")
    for path, text_hash in sorted(files):
        digest.update(path.encode("utf-8", "surrogatepass") + b"\0" + text_hash.encode() + b"\0")
    return digest.hexdigest()


PREFILTER_ENTRY_PREFIX = "prefilter-"
REACH_ENTRY_PREFIX = "reach-"
FILE_INDEX_ENTRY_PREFIX = "files-"
OUTLINE_ENTRY_PREFIX = "outline-"
# Entries that are not scan results (not counted by `obolint cache clean`).
_AUXILIARY_PREFIXES = (
    PREFILTER_ENTRY_PREFIX,
    REACH_ENTRY_PREFIX,
    FILE_INDEX_ENTRY_PREFIX,
    OUTLINE_ENTRY_PREFIX,
)
# atomic_write's temporary files start with this.
_TEMPORARY_PREFIX = ".tmp-"


def own_file_names(entry: str, suffix: str) -> re.Pattern[str]:
    """The names of the files obolint writes in a cache directory: entries (``entry``, an
    expression, then ``suffix``) and the temporary files of writes that a killed run left
    behind. Pruning removes nothing else."""
    temporary = re.escape(_TEMPORARY_PREFIX) + "[a-z0-9_]+"
    return re.compile(f"(?:{entry}|{temporary}){re.escape(suffix)}")


_OWN_FILE_NAMES = own_file_names(
    "(?:" + "|".join(map(re.escape, _AUXILIARY_PREFIXES)) + ")?[0-9a-f]{64}", ".json"
)


# Verdicts of one kind (prefilter or reach, one per file content), and outlines, that the cache
# keeps even beyond a scan's files (see ResultCache._remember_table).
MIN_VERDICTS_KEPT = 20_000
MIN_OUTLINES_KEPT = 20_000


def _auxiliary_key(prefix: str, vocabulary: str = "") -> str:
    """The name of an auxiliary entry: the prefilter verdicts for one trigger vocabulary (one
    set of packs), the reach verdicts for one set of handles, or the file index (see
    obolint.fileindex)."""
    digest = hashlib.sha256()
    for part in (prefix, __version__, code_digest(), str(_FORMAT)):
        digest.update(part.encode() + b"\0")
    digest.update(vocabulary.encode("utf-8", "surrogatepass"))
    return prefix + digest.hexdigest()


SIGNING_KEY_FILE = "cache-signing-key"


def user_cache_dir() -> Path:
    """Where obolint keeps per-user state: ``$XDG_CACHE_HOME/obolint`` (``~/.cache/obolint``),
    ``%LOCALAPPDATA%\\obolint`` on Windows."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "obolint"
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, empty or relative: ignored, as the XDG spec says
        base = os.path.join(Path.home(), ".cache")
    return Path(base) / "obolint"


KEY_BYTES = 32


def signing_key(directory: Path | None = None) -> bytes | None:
    """This user's key for signing cache entries, created on first use (readable by the user
    only), and created again if the file is not a valid private key of this user's; None when
    no such key can be read or made (then no cache is used)."""
    path = (directory or user_cache_dir()) / SIGNING_KEY_FILE
    key = _read_key(path)
    if key is not None:
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole to a private temporary file, then put in place: a concurrent run
        # never reads half a key. A valid key is never replaced (a link fails if the file
        # exists); an invalid one of ours (empty, short, readable by others) is.
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-key-")
        try:
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(KEY_BYTES) + "\n")
            try:
                os.link(temp, path)
            except FileExistsError:
                if _read_key(path) is None and _owned_by_user(path):
                    os.replace(temp, path)
            except OSError:  # no hard links on this file system (FAT, some network mounts)
                if not path.exists():
                    os.replace(temp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temp)
    except OSError:
        return None
    return _read_key(path)


def _owned_by_user(path: Path) -> bool:
    """Whether ``path`` exists and belongs to this user (on POSIX; elsewhere if it exists)."""
    if os.name != "posix":
        return path.exists()
    try:
        return path.stat().st_uid == os.getuid()
    except OSError:
        return False


def _read_key(path: Path) -> bytes | None:
    """The key in ``path`` if it is exactly KEY_BYTES long and, on POSIX, the user's own and
    private (a key others can read or write lets them forge entries)."""
    if not _owned_by_user(path):
        return None
    try:
        if os.name == "posix" and path.stat().st_mode & 0o077:
            return None
        key = bytes.fromhex(path.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None
    return key if len(key) == KEY_BYTES else None


def sign(key: bytes, name: str, payload: bytes) -> str:
    """The signature of ``payload`` stored under ``name`` (an entry cannot be moved)."""
    return hmac.new(key, name.encode() + b"\0" + payload, hashlib.sha256).hexdigest()


class ResultCache:
    """Scan results stored by key under ``directory``, signed with ``key``."""

    def __init__(self, directory: Path, key: bytes) -> None:
        self.directory = directory
        self.key = key
        self.opened_ns = time.time_ns()  # what this run wrote or read since is never pruned

    def load(self, key: str) -> tuple[ScanResult, dict[str, str], dict] | None:
        """The cached result, the hashes of the prefiltered files it read (on demand or by a
        handle) and the handles it looked for (``Reach.to_json``), or None on a miss."""
        try:
            doc = self._read(key)
            if doc is None:
                return None
            return _result_from(doc["result"]), dict(doc["context"]), dict(doc["reach"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, unreadable or from another version: recompute

    def _read(self, key: str) -> dict | None:
        """The entry stored under ``key`` if it is of this format and signed with our key."""
        try:
            raw = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
        except RecursionError:
            return None  # nested deeper than json can read: not ours (read before its check)
        if not isinstance(raw, dict) or raw.get("format") != _FORMAT:
            return None
        body = raw.get("entry")
        mac = raw.get("mac")
        if not isinstance(body, str) or not isinstance(mac, str):
            return None
        if not hmac.compare_digest(mac, sign(self.key, key, body.encode("utf-8"))):
            return None  # written by someone without our key: never trusted
        with contextlib.suppress(OSError):
            os.utime(self.directory / f"{key}.json")  # recently used: pruned last
        doc = json.loads(body)
        return doc if isinstance(doc, dict) else None

    def load_verdicts(self, prefix: str, vocabulary: str) -> dict[str, bool]:
        """Known verdicts of one kind (``PREFILTER_ENTRY_PREFIX``: whether a text contains a
        trigger word of the ``vocabulary``, ``Triggers.key``; ``REACH_ENTRY_PREFIX``: whether it
        names a handle of the ``vocabulary``, ``Reach.vocabulary``), by content hash."""
        found = self._auxiliary_table(prefix, vocabulary, "verdicts")
        return {k: v for k, v in found.items() if isinstance(v, bool)}

    def remember_verdicts(
        self, prefix: str, vocabulary: str, known: Mapping[str, bool], current: Mapping[str, bool]
    ) -> None:
        """Keep this scan's verdicts of one kind (``current``, see ``load_verdicts``) with
        those ``known`` before (see ``_remember_table``)."""
        key = _auxiliary_key(prefix, vocabulary)
        self._remember_table(key, "verdicts", known, current, MIN_VERDICTS_KEPT)

    def load_outlines(self, vocabulary: str) -> dict[str, dict]:
        """The definitions each text may leave out (see obolint.outline.left_out_of), by
        content hash, for one ``vocabulary`` (``Triggers.key`` and the Python version)."""
        found = self._auxiliary_table(OUTLINE_ENTRY_PREFIX, vocabulary, "outlines")
        return {k: v for k, v in found.items() if isinstance(v, dict)}

    def remember_outlines(
        self, vocabulary: str, known: Mapping[str, dict], current: Mapping[str, dict]
    ) -> None:
        """Keep this scan's outlines (``current``, see ``load_outlines``) with those ``known``
        before (see ``_remember_table``)."""
        key = _auxiliary_key(OUTLINE_ENTRY_PREFIX, vocabulary)
        self._remember_table(key, "outlines", known, current, MIN_OUTLINES_KEPT)

    def _remember_table(
        self, key: str, name: str, known: Mapping, current: Mapping, keep_at_least: int
    ) -> None:
        """Store table ``name`` (content hash -> value) under ``key``, unless every value of
        this scan (``current``) is ``known`` as it is. Those of texts outside the scan are kept
        for scans of other subsets (pre-commit passes a few files), until there are more than
        ``keep_at_least`` in all and more than twice this scan's; then only this scan's are."""
        if all(known.get(digest) == value for digest, value in current.items()):
            return
        kept = {**known, **current}
        if len(kept) > max(2 * len(current), keep_at_least):
            kept = dict(current)
        self._write(key, {name: kept})

    def _auxiliary_table(self, prefix: str, vocabulary: str, name: str) -> dict:
        """The table ``name`` (content hash -> value) of an auxiliary entry, or {} if there is
        none of ours."""
        try:
            doc = self._read(_auxiliary_key(prefix, vocabulary))
        except (OSError, ValueError):
            return {}
        found = doc.get(name) if doc is not None else None
        return found if isinstance(found, dict) else {}

    def load_file_index(self) -> dict[str, list]:
        """The file index (see obolint.fileindex): absolute path -> [size, modification time,
        status-change time, inode, device, content hash, may hold suppressions]."""
        try:
            doc = self._read(_auxiliary_key(FILE_INDEX_ENTRY_PREFIX))
        except (OSError, ValueError):
            return {}
        files = doc.get("files") if doc is not None else None
        if not isinstance(files, dict):
            return {}
        return {
            path: entry
            for path, entry in files.items()
            if isinstance(entry, list)
            and len(entry) == 7
            and all(type(part) is int for part in entry[:5])
            and isinstance(entry[5], str)
        }

    def store_file_index(self, files: dict[str, list]) -> None:
        """Replace the file index."""
        self._write(_auxiliary_key(FILE_INDEX_ENTRY_PREFIX), {"files": files})

    def store(self, key: str, result: ScanResult, context: dict[str, str], reach: dict) -> None:
        """Write an entry atomically; a failure to write is never an error for the scan."""
        self._write(key, {"result": _result_to(result), "context": context, "reach": reach})

    def prune(self) -> None:
        """Keep the directory's own files under MAX_BYTES and MAX_FILES, the least recently
        used going first."""
        prune_least_recently_used(
            self.directory, _OWN_FILE_NAMES, MAX_BYTES, MAX_FILES, self.opened_ns
        )

    def make_directory(self) -> None:
        """Create the cache directory, tagged (CACHEDIR.TAG) and ignored by git; raises
        OSError when it cannot be made."""
        self.directory.mkdir(parents=True, exist_ok=True)
        tag = self.directory / "CACHEDIR.TAG"
        if not tag.exists():
            atomic_write(tag, _TAG)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            atomic_write(ignore, "*\n")

    def _write(self, key: str, entry: dict) -> None:
        body = json.dumps(entry)
        mac = sign(self.key, key, body.encode("utf-8"))
        doc = {"format": _FORMAT, "entry": body, "mac": mac}
        try:
            self.make_directory()
            atomic_write(self.directory / f"{key}.json", json.dumps(doc))
        except OSError:
            pass


def clean(directory: Path) -> int:
    """Remove the cache directory; returns the number of entries removed."""
    if not directory.is_dir():
        return 0
    count = sum(
        1 for entry in directory.glob("*.json") if not entry.name.startswith(_AUXILIARY_PREFIXES)
    )
    shutil.rmtree(directory, ignore_errors=True)
    return count


def prune_least_recently_used(
    directory: Path,
    names: re.Pattern[str],
    max_bytes: int,
    max_files: int | None = None,
    kept_since_ns: int | None = None,
) -> None:
    """Remove the least recently used files in ``directory`` whose whole names match
    ``names`` (by modification time: a read of one touches it) once together they hold over
    ``max_bytes`` or number over ``max_files``, down to three quarters of each; never one
    changed since ``kept_since_ns`` (what this run stored or read). Nothing is removed from a
    directory that is a symbolic link: a repository could commit one to point elsewhere.

    Concurrent runs may prune together: a file another run removed counts as removed, and
    another run's file being written is the newest, so the last to go (should it go, that run
    only fails to store it)."""
    entries = []
    try:
        if directory.is_symlink():
            return
        with os.scandir(directory) as found:
            for entry in found:
                if not names.fullmatch(entry.name):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    status = entry.stat(follow_symlinks=False)
                except FileNotFoundError:  # removed or renamed by another run meanwhile
                    continue
                entries.append((status.st_mtime_ns, status.st_size, entry.path))
    except OSError:
        return
    total = sum(size for _, size, _ in entries)
    count = len(entries)
    if total <= max_bytes and (max_files is None or count <= max_files):
        return
    for modified, size, path in sorted(entries):
        if kept_since_ns is not None and modified >= kept_since_ns:
            break  # this one and all after it: this run's
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass  # another run removed it
        except OSError:
            continue
        total -= size
        count -= 1
        if total <= max_bytes * 3 // 4 and (max_files is None or count <= max_files * 3 // 4):
            break


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file, then a rename)."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=_TEMPORARY_PREFIX, suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _location_to(loc: Location) -> list:
    return [loc.path, loc.line, loc.column, loc.end_line, loc.end_column]


def _location_from(raw: list) -> Location:
    return Location(str(raw[0]), int(raw[1]), int(raw[2]), int(raw[3]), int(raw[4]))


def _result_to(result: ScanResult) -> dict:
    return {
        "findings": [
            {
                "rule": f.rule,
                "name": f.name,
                "severity": f.severity,
                "location": _location_to(f.location),
                "message": f.message,
                "trace": [[_location_to(s.location), s.note] for s in f.trace],
                "scope": f.scope,
                "sink_text": f.sink_text,
                "source_kind": f.source_kind,
            }
            for f in result.findings
        ],
        "errors": [[e.path, e.message, e.kind] for e in result.errors],
        "stats": result.stats,
    }


def _result_from(doc: dict) -> ScanResult:
    findings = [
        Finding(
            rule=f["rule"],
            name=f["name"],
            severity=f["severity"],
            location=_location_from(f["location"]),
            message=f["message"],
            trace=tuple(TraceStep(_location_from(loc), note) for loc, note in f["trace"]),
            scope=f["scope"],
            sink_text=f["sink_text"],
            source_kind=f["source_kind"],
        )
        for f in doc["findings"]
    ]
    errors = [FileError(path, message, kind) for path, message, kind in doc["errors"]]
    return ScanResult(findings=findings, errors=errors, stats=dict(doc["stats"]))
