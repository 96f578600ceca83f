"""Orchestration: read and parse files, analyse them as one project, collect results."""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import io
import os
import pickle
import re
import sys
import time
import tokenize
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from obolint import memory, nodepickle, sharedtokens
from obolint.cache import ResultCache, content_hash, scan_key
from obolint.findings import FileError, Finding, ScanResult
from obolint.packs import PackSet
from obolint.parallel import OrderedResults, default_jobs, imap_in_order
from obolint.prefilter import Triggers, files_to_parse, triggers
from obolint.reach import Handle, Reach, registrations
from obolint.resolve import (
    collect_imports,
    imported_first,
    imported_modules,
    module_name_for,
    suffix_index,
)
from obolint.stack import on_fresh_stack, running_on_large_stack
from obolint.taint.context import ModuleContext
from obolint.taint.interpreter import (
    MAX_STEPS_PER_MODULE,
    AnalysisBudgetExceeded,
    ExpressionTooDeep,
)
from obolint.taint.project import Progress, Project
from obolint.treecache import DIRECTORY_NAME as TREES_DIRECTORY
from obolint.treecache import TreeCache

# Parse on worker processes (--jobs) once a scan has this many files to parse: below it, a
# pool costs more to start than it saves. Files go to a worker a few at a time, so that a big
# file does not hold back the results behind it for long.
MIN_FILES_FOR_PARSE_POOL = 32
PARSE_CHUNK_SIZE = 4
# The recursion limit while a tree is pickled (on the 256 MB stack of obolint.stack).
PICKLE_RECURSION_LIMIT = 20_000
MAX_FILE_BYTES = 5 * 1024 * 1024
# Prefilter verdicts (one per file content) the cache keeps even beyond this scan's files.
MIN_PREFILTER_VERDICTS_KEPT = 20_000
# Scans on two or more processes that parse at least this many files (not counting those in
# the parse cache) analyse them in ANALYSIS_BATCHES batches, each as soon as it is parsed,
# while the parse workers go on with the next; other scans analyse all their files at once,
# with nothing to overlap. Batches never depend on timing, and give the findings of analysing
# all files at once (tests/test_batches.py).
MIN_FILES_FOR_BATCHES = 64
ANALYSIS_BATCHES = 8
# Imported project modules parsed for summaries when only some files are scanned.
MAX_CONTEXT_FILES = 500
# Rounds of looking for prefiltered files that name a handle found in the round before.
MAX_REACH_ROUNDS = 8
# Files that nest deeper than this (in CPython's syntax tree) are refused before LibCST sees
# them: its native parser takes quadratic time on such input and overflows the C stack (a
# segfault that would end the whole scan) a few thousand levels down, and the analysis stops
# at Python's recursion limit long before this depth anyway.
MAX_SYNTAX_DEPTH = 1000
# CPython's words for input nested beyond its own limits.
_NESTING_MESSAGES = (
    "too many nested parentheses",
    "too many levels of indentation",
    "too many statically nested blocks",
    "too complex",
)


@dataclass(frozen=True)
class ParsedFile:
    """A file that parsed: its display path, module name, syntax tree and imports."""

    path: str
    module_name: str
    module: cst.Module
    positions: dict | None
    imports: dict[str, str]


# A parse result, pickled too when it is to be stored (None if too deep to pickle).
_Parsed = tuple[tuple[ParsedFile | None, FileError | None], bytes | None]


def read_source(path: Path) -> tuple[str | None, FileError | None]:
    """The file's text, or a diagnostic saying why it cannot be analysed."""
    shown = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, FileError(
                shown,
                f"file is {size // 1024} KiB, over the {MAX_FILE_BYTES // 1024 // 1024} MiB limit; "
                "it was skipped. Exclude generated files with `extend-exclude`.",
                "too-large",
            )
        data = path.read_bytes()
    except OSError as exc:
        return None, FileError(
            shown, f"cannot read file ({exc.strerror or exc}). Check its permissions.", "io"
        )
    if b"\0" in data:
        return None, FileError(
            shown, "file contains NUL bytes and is not Python source; it was skipped.", "encoding"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = _declared_encoding(data)
        if declared is not None:
            try:
                return data.decode(declared), None
            except (UnicodeDecodeError, LookupError):
                pass
        return None, FileError(
            shown,
            f"file is not valid UTF-8 (byte {exc.start}) and declares no encoding that decodes "
            "it; it was skipped. Save it as UTF-8 to have it analysed.",
            "encoding",
        )
    return text, None


def _declared_encoding(data: bytes) -> str | None:
    """The PEP 263 ``# -*- coding: ... -*-`` declaration of a non-UTF-8 file, if any."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # an unknown or contradictory declaration
        return None
    return None if encoding in ("utf-8", "utf-8-sig") else encoding


def parse_source(path: Path, text: str, root: Path) -> tuple[ParsedFile | None, FileError | None]:
    """Parse text with LibCST and collect its imports."""
    shown = display_path(path)
    checked = _may_be_pathological(text)
    too_deep, cpython_error = _cpython_verdict(text) if checked else (None, None)
    if too_deep is not None:
        return None, FileError(
            shown, f"file nests too deeply to parse ({too_deep}); it was skipped.", "recursion"
        )
    try:
        module = _parse_on_large_stack(text)
    except cst.ParserSyntaxError as exc:
        if not checked:
            _, cpython_error = _cpython_verdict(text)
        if cpython_error is not None:
            # CPython's message is the clearer one ("'(' was never closed", "Missing
            # parentheses in call to 'print'") and its column is exact.
            where = f"line {cpython_error.lineno or 1}, column {cpython_error.offset or 1}"
            message = str(cpython_error.msg).strip()
        else:
            where = f"line {exc.raw_line}, column {exc.raw_column + 1}"
            message = str(exc.message).strip()
        if not message.endswith((".", "?", "!")):
            message += "."
        return None, FileError(
            shown,
            f"syntax error at {where}: {message} Fix the syntax to have the file analysed.",
            "syntax",
        )
    except (RecursionError, MemoryError):
        return None, FileError(
            shown, "file nests too deeply to parse; it was skipped.", "recursion"
        )
    except Exception as exc:  # noqa: BLE001 - a parser failure on one file must not stop a scan
        return None, FileError(shown, f"could not parse file ({exc}).", "syntax")
    name, is_package = module_name_for(path, root)
    imports = collect_imports(module, name, is_package)
    # Positions are computed on first use (ModuleContext.location), only for modules where a
    # credential is placed somewhere a report will show.
    return ParsedFile(shown, name, module, None, imports), None


def _parse_in_order(
    files: list[tuple[Path, str]],
    root: Path,
    jobs: int,
    trees: TreeCache | None,
    min_files_for_pool: int = MIN_FILES_FOR_PARSE_POOL,
) -> Iterator[tuple[ParsedFile | None, FileError | None]]:
    """``parse_source`` of each file, in order. A file unchanged since a scan that stored it
    in ``trees`` is loaded from there; the others are parsed by ``jobs`` processes when there
    are enough of them (this one and workers, which send each tree back pickled), else here,
    and stored in ``trees``."""
    names = (
        [
            trees.entry_name(path, display_path(path), root, content_hash(text))
            for path, text in files
        ]
        if trees is not None
        else None
    )
    todo = [i for i in range(len(files)) if names is None or not trees.has(names[i])]
    items = [(os.fspath(files[i][0]), files[i][1], os.fspath(root)) for i in todo]
    pickled_results: OrderedResults[bytes | _Parsed | None] | None = None
    if jobs >= 2 and len(todo) >= min_files_for_pool:

        def parse_here(item: tuple[str, str, str]) -> _Parsed:
            path, text = Path(item[0]), item[1]
            if trees is None:
                return parse_source(path, text, root), None
            return _parse_and_pickle(path, text, root)

        pickled_results = imap_in_order(
            _parse_for_parent,
            items,
            jobs,
            min_items=min_files_for_pool,
            chunk_size=PARSE_CHUNK_SIZE,
            here=parse_here,
        )
    to_parse = set(todo)
    try:
        yield from _parsed_in_order(files, root, trees, names, to_parse, pickled_results)
    finally:
        if pickled_results is not None:
            pickled_results.close()  # the workers end now, not when the analysis is done


def _parsed_in_order(
    files: list[tuple[Path, str]],
    root: Path,
    trees: TreeCache | None,
    names: list[str] | None,
    to_parse: set[int],
    pickled_results: Iterator[bytes | _Parsed | None] | None,
) -> Iterator[tuple[ParsedFile | None, FileError | None]]:
    """The parse results of ``_parse_in_order``: from ``trees`` unless in ``to_parse``."""
    for index, (path, text) in enumerate(files):
        name = names[index] if names is not None else ""
        if index not in to_parse:
            assert trees is not None
            cached = trees.load(name)
            if cached is not None:
                yield cached
                continue
            # Tampered or corrupt: parse it and store a good entry in its place.
            result, pickled = _parse_and_pickle(path, text, root)
        elif pickled_results is not None:
            outcome = next(pickled_results)
            if isinstance(outcome, tuple):  # parsed here while the workers were busy
                result, pickled = outcome
            elif outcome is None:  # too deep to pickle: parse it here
                yield parse_source(path, text, root)
                continue
            else:
                pickled = outcome
                memory.parsed(len(pickled))  # the buffers, once freed, fragment the heap too
                result = pickle.loads(pickled)
        elif trees is not None:
            result, pickled = _parse_and_pickle(path, text, root)
        else:
            yield parse_source(path, text, root)
            continue
        # Only trees: a parse error may be the passing kind (a MemoryError) and is cheap to redo.
        if trees is not None and pickled is not None and result[0] is not None:
            trees.store(name, pickled)
        yield result


def _parse_for_parent(item: tuple[str, str, str]) -> bytes | None:
    """In a worker process: ``parse_source`` of one file, pickled; None when the tree is too
    deep to pickle (the parent then parses that file itself)."""
    path, text, root = item
    return _parse_and_pickle(Path(path), text, Path(root))[1]


def _parse_and_pickle(path: Path, text: str, root: Path) -> _Parsed:
    """``parse_source`` of one file and its result pickled (None if too deep to pickle)."""
    result = parse_source(path, text, root)

    def pickled() -> bytes:
        # Pickling recurses once per tree level. On the large-stack thread the limit is raised,
        # only meanwhile, so that parsing decides exactly as in one process; on a normal stack
        # (a platform without it) a deep tree fails to pickle: a worker's is then parsed by
        # the parent, and the parent's own is not kept in the tree cache.
        limit = sys.getrecursionlimit()
        if running_on_large_stack():
            sys.setrecursionlimit(max(limit, PICKLE_RECURSION_LIMIT))
        try:
            return nodepickle.dumps(result)
        finally:
            sys.setrecursionlimit(limit)

    try:
        return result, on_fresh_stack(pickled)
    except (RecursionError, MemoryError, pickle.PicklingError):
        return result, None


# A run of ``.name`` links, whitespace allowed between them; matched runs never overlap, so
# one pass over the text finds them all.
_ATTRIBUTE_RUN = re.compile(r"(?:\.\s*[A-Za-z_]\w*\s*)+")
LONG_ATTRIBUTE_CHAIN = 400


def _has_long_attribute_chain(text: str) -> bool:
    return any(
        run.group().count(".") >= LONG_ATTRIBUTE_CHAIN for run in _ATTRIBUTE_RUN.finditer(text)
    )


def _may_be_pathological(text: str) -> bool:
    """Whether the file is big or bracket-heavy enough that CPython should vet it first.

    Nesting 1,000 levels deep, or chaining thousands of operators, takes that many brackets,
    operators or bytes; ordinary files skip the extra parse (about half of LibCST's cost).
    """
    if len(text) > 200_000:
        return True
    brackets = text.count("(") + text.count("[") + text.count("{")
    operators = text.count("+") + text.count(" and ") + text.count(" or ") + text.count("elif")
    deep_indent = "\n" + " " * 96 in text or "\n" + "\t" * 24 in text
    return (
        brackets > 800
        or operators > 800
        or deep_indent
        # LibCST's parse time grows with the square of an attribute chain's length (4,000
        # links: 3 s; 8,000: 13 s); chains need dots, not brackets.
        or (text.count(".") > 400 and _has_long_attribute_chain(text))
    )


def _cpython_verdict(text: str) -> tuple[str | None, SyntaxError | None]:
    """Ask CPython's parser (ten times faster than LibCST's) first: why the file nests too
    deeply to parse safely, if it does, and the syntax error it found, if any."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for "\d" and the like: not ours
            tree = ast.parse(text)
    except (RecursionError, MemoryError):
        return "it is too complex for Python's own parser", None
    except SyntaxError as exc:
        if any(words in str(exc.msg) for words in _NESTING_MESSAGES):
            return f"{exc.msg} at line {exc.lineno}", None
        # Maybe syntax newer than this interpreter: LibCST decides.
        return None, exc
    except ValueError:  # NUL bytes; read_source refuses them first
        return None, None
    if _syntax_depth(tree) > MAX_SYNTAX_DEPTH:
        return f"more than {MAX_SYNTAX_DEPTH} levels", None
    return None, None


def _syntax_depth(tree: ast.AST) -> int:
    """How deep LibCST's tree will be, up to just over MAX_SYNTAX_DEPTH: CPython's depth,
    counting ``a and b and c`` as LibCST nests it (one level per operator)."""
    # Written out rather than with ast.iter_child_nodes, and without pushing the Load/Store
    # leaf of every name: a third of the time on the big files that are checked.
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > MAX_SYNTAX_DEPTH:
                break
        child = depth + (len(node.values) - 1 if node.__class__ is ast.BoolOp else 1)
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                stack.extend((item, child) for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.expr_context):
                deepest = max(deepest, child)
            elif isinstance(value, ast.AST):
                stack.append((value, child))
    return deepest


def _parse_on_large_stack(text: str) -> cst.Module:
    """LibCST's tree of ``text``, with its whitespace and punctuation nodes shared (see
    obolint.sharedtokens), parsed on a thread with a large stack (see obolint.stack)."""
    try:
        module = on_fresh_stack(lambda: sharedtokens.parse_module(text))
        memory.parsed(len(text))
        return module
    except RuntimeError as exc:
        if isinstance(exc.__cause__, BaseException) and not isinstance(exc.__cause__, Exception):
            raise RuntimeError(f"LibCST's parser failed: {exc.__cause__}") from exc.__cause__
        raise


def display_path(path: Path) -> str:
    """The path as reports show it: relative to the working directory when inside it."""
    return _display_path(os.fspath(path), os.getcwd())


@functools.lru_cache(maxsize=65536)
def _display_path(path: str, cwd: str) -> str:
    # Memoised: a scan asks for each file's display path several times (0.3 s on saleor).
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return Path(path).as_posix()
    if rel.startswith(".."):
        return Path(os.path.join(cwd, path)).as_posix()
    return Path(rel).as_posix()


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the duration of a scan.

    A scan builds millions of long-lived syntax-tree objects; the collector re-walks them
    again and again and took 30% of a cold scan of saleor (44.0 s with it, 30.6 s without).
    The analysis makes almost no reference cycles (peak RSS 590 MB either way), and
    reference counting still frees everything else at once.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def scan(
    files: Sequence[Path],
    packs: PackSet,
    enabled_rules: Iterable[str],
    *,
    root: Path,
    cache: ResultCache | None = None,
    progress: Progress | None = None,
    jobs: int | None = None,
    retain: list[object] | None = None,
) -> ScanResult:
    """Analyse ``files`` as one project and return findings, per-file errors and stats.

    ``jobs`` processes (default: one per CPU) parse the files of large scans;
    the analysis runs in this process. The result is the same for any number of jobs. A
    caller about to exit passes ``retain`` to hold the analysis (its syntax trees) instead of
    freeing it.
    """
    with _cyclic_gc_paused():
        return _scan(
            files,
            packs,
            enabled_rules,
            root=root,
            cache=cache,
            progress=progress,
            jobs=jobs or default_jobs(),
            retain=retain,
        )


def _scan(
    files: Sequence[Path],
    packs: PackSet,
    enabled_rules: Iterable[str],
    *,
    root: Path,
    cache: ResultCache | None,
    progress: Progress | None,
    jobs: int,
    retain: list[object] | None,
) -> ScanResult:
    started = time.perf_counter()
    enabled_rules = list(enabled_rules)
    sources = [(path, *read_source(path)) for path in files]
    shown = [display_path(path) for path in files]
    # What each file contributes to a cache key: its content hash, or why it was unreadable.
    digests = [content_hash(text) if text is not None else error.kind for _, text, error in sources]
    exact_key = relevant_key = ""
    if cache is not None:
        exact_key = scan_key(zip(shown, digests, strict=True), packs.digest, enabled_rules, root)
        cached = _cached_result(cache, exact_key, started)
        if cached is not None:
            return cached[0]
    found_by = triggers(packs)
    wanted = _worth_parsing(sources, digests, found_by, cache)
    if cache is not None:
        # A prefiltered file matters only if the analysis reads it for context, and an entry
        # lists (and is checked against) every file read that way: so a change to files
        # without a trigger word, the usual change in a large project, still hits the cache.
        relevant = [
            digest if is_wanted or text is None else "prefiltered"
            for digest, is_wanted, (_, text, _) in zip(digests, wanted, sources, strict=True)
        ]
        relevant_key = scan_key(
            zip(shown, relevant, strict=True), packs.digest, enabled_rules, root
        )
        prefiltered = [
            (display_path(path), text)
            for (path, text, _), is_wanted in zip(sources, wanted, strict=True)
            if not is_wanted and text is not None
        ]
        cached = _cached_result(cache, relevant_key, started, prefiltered, found_by)
        if cached is not None:
            # A copy, not a link: the entry under the relevance key is replaced when a scan
            # with another version of a prefiltered file (one that names a handle, or not)
            # recomputes it, and this exact scan's result must not change with it.
            cache.store(exact_key, *cached)
            return cached[0]
    result = ScanResult()
    project = Project(packs, enabled_rules)
    if retain is not None:
        retain[:] = [project]
    to_parse = [
        (path, text)
        for (path, text, error), is_wanted in zip(sources, wanted, strict=True)
        if is_wanted and text is not None and error is None
    ]
    # No flow can start in a prefiltered file; if an analysed file calls into it with a
    # credential, it is still read for its summaries (see _module_loader). Their paths are
    # read again after the analysis (see obolint.reach): the texts are not held meanwhile.
    skipped_paths = [
        path
        for (path, text, error), is_wanted in zip(sources, wanted, strict=True)
        if not is_wanted and text is not None and error is None
    ]
    skipped = len(skipped_paths)
    skipped_modules = {module_name_for(path, root)[0]: path for path in skipped_paths}
    loaded: dict[str, str] = {}  # on-demand module path -> content hash ("" if unreadable)
    # The files this scan parses, never loaded on demand (see _module_loader).
    seen = {path.resolve() for path, _ in to_parse}
    # Other paths a cache entry checks again: files reached by name, and where absent modules
    # would be. Kept apart from `loaded` until the end: on-demand loading has its own budget.
    rechecked: dict[str, str] = {}
    project.loader, project.locator = _module_loader(
        project, packs, root, loaded, skipped_modules, seen, rechecked
    )
    result.errors.extend(error for _, _, error in sources if error is not None)
    del sources  # the texts of prefiltered files
    module_names = _module_names(to_parse, root)
    trees = (
        TreeCache(cache.directory / TREES_DIRECTORY, cache.key, ParsedFile)
        if cache is not None
        else None
    )
    batch_size = len(to_parse)
    if jobs >= 2 and _files_to_parse(to_parse, root, trees) >= MIN_FILES_FOR_BATCHES:
        # Each module after those it imports, so that most calls find their callee analysed.
        order = imported_first(
            module_names,
            [
                imported_modules(text, name, path.name == "__init__.py")
                for (path, text), name in zip(to_parse, module_names, strict=True)
            ],
        )
        to_parse = [to_parse[i] for i in order]
        module_names = [module_names[i] for i in order]
        batch_size = -(-len(to_parse) // ANALYSIS_BATCHES)
        project.expect_modules(name.partition("@")[0] for name in module_names)
    batch: list[str] = []
    requested: set[str] = set()
    # Closed also on an error or Ctrl-C: that ends the parse workers.
    with contextlib.closing(_parse_in_order(to_parse, root, jobs, trees)) as parse_results:
        for done, ((path, _), name) in enumerate(zip(to_parse, module_names, strict=True)):
            if progress is not None:
                progress("Parsing", done, len(to_parse))
            parsed_file, error = next(parse_results)
            if error is not None:
                result.errors.append(error)
                seen.discard(path.resolve())  # as if never parsed: it may be loaded on demand
                continue
            assert parsed_file is not None
            requested.add(parsed_file.path)
            batch.append(_add_parsed(project, parsed_file, packs, name).module_name)
            if len(batch) >= batch_size and done + 1 < len(to_parse):
                # Analysed while the workers parse the next batch.
                project.advance(added=batch)
                batch = []
    parsed = len(requested)
    project.stop_expecting()
    findings = project.analyze(progress, added=batch if len(batch) < len(requested) else None)
    reach = Reach((), found_by, registrations(packs))
    reached: list[str] = []
    if skipped_paths:
        findings, reach, reached = _analyze_reached(
            project, findings, skipped_paths, reach, root, jobs, trees, seen, rechecked, progress
        )
    loaded.update(rechecked)
    requested.update(reached)  # reported on like any analysed file
    parsed += len(reached)
    skipped -= len(reached)
    context = sum(
        1 for m in project.modules.values() if m.path in loaded and m.path not in requested
    )
    for name, exc in sorted(project.failures.items()):
        path = project.modules[name].path
        if path in requested:
            parsed -= 1
        if path in requested or not _is_analysis_limit(exc):
            # A context module too deep to follow is as silent as one that does not parse;
            # a bug in obolint is reported wherever it happens.
            result.errors.append(_analysis_error(path, exc))
    # Modules read only for context (imported by the scanned files) are not reported on,
    # except where a flow through a scanned file ends in them.
    findings = [
        f
        for f in findings
        if f.location.path in requested or any(s.location.path in requested for s in f.trace)
    ]
    result.findings = sorted(findings, key=Finding.sort_key)
    result.errors.sort(key=lambda e: e.path)
    result.stats = {
        "files": len(files),
        "files_analyzed": parsed,
        "files_with_errors": len(result.errors),
        "context_files": context,
        "files_reached": len(reached),
        "files_skipped_prefilter": skipped,
        "findings": len(result.findings),
        "duration_s": round(time.perf_counter() - started, 3),
    }
    if cache is not None:
        result.stats["cache"] = "miss"
        if trees is not None:
            result.stats["files_parsed_from_cache"] = trees.stats.hits
            if trees.stats.stored:
                trees.prune()
        # Under the key of what matters, and a copy under this scan's exact key (see above).
        for key in {relevant_key, exact_key}:
            cache.store(key, result, loaded, reach.to_json())
    return result


def _worth_parsing(
    sources: Sequence[tuple[Path, str | None, FileError | None]],
    digests: Sequence[str],
    found_by: Triggers,
    cache: ResultCache | None,
) -> list[bool]:
    """Whether each file contains a trigger word; verdicts on unchanged texts come from the
    cache, so a rerun after an edit searches only the edited files."""
    known = cache.load_prefilter(found_by.key) if cache is not None else {}
    readable = [i for i, (_, text, _) in enumerate(sources) if text is not None]
    # One search per distinct unknown text (digest -> text).
    unknown = {digests[i]: sources[i][1] for i in readable if digests[i] not in known}
    found = dict(zip(unknown, files_to_parse(list(unknown.values()), found_by), strict=True))
    verdicts = {**known, **found}
    wanted = [False] * len(sources)
    for i in readable:
        wanted[i] = verdicts[digests[i]]
    if cache is not None and found:
        current = {digests[i]: wanted[i] for i in readable}
        # Verdicts of files outside this scan are kept for scans of other subsets (pre-commit
        # passes a few files), until there are more than MIN_PREFILTER_VERDICTS_KEPT of them
        # and more than twice this scan's.
        kept = (
            current
            if len(verdicts) > max(2 * len(current), MIN_PREFILTER_VERDICTS_KEPT)
            else verdicts
        )
        cache.store_prefilter(found_by.key, kept)
    return wanted


def _cached_result(
    cache: ResultCache,
    key: str,
    started: float,
    prefiltered: Sequence[tuple[str, str]] = (),
    found_by: Triggers | None = None,
) -> tuple[ScanResult, dict[str, str], dict] | None:
    """The cache entry (result, context hashes, handles) of an equivalent scan whose
    on-demand modules are unchanged too, and in which none of the ``prefiltered`` files
    (display path, text) that scan did not analyse names one of its handles (see
    obolint.reach) now."""
    entry = cache.load(key)
    if entry is None:
        return None
    result, context, reach_doc = entry
    for path, expected in context.items():
        text, _ = read_source(Path(path))
        if (content_hash(text) if text is not None else "") != expected:
            return None
    if prefiltered and reach_doc and found_by is not None:
        try:
            reach = Reach.from_json(reach_doc, found_by)
        except (KeyError, TypeError, ValueError):
            return None
        if any(path not in context and reach.finds(text) for path, text in prefiltered):
            return None
    result.stats["cache"] = "hit"
    result.stats["duration_s"] = round(time.perf_counter() - started, 3)
    return result, context, reach_doc


def _files_to_parse(files: Sequence[tuple[Path, str]], root: Path, trees: TreeCache | None) -> int:
    """How many of ``files`` are not in the parse cache: with their trees at hand, the
    analysis has no parsing to overlap and runs on all of them at once."""
    if trees is None:
        return len(files)
    return sum(
        1
        for path, text in files
        if not trees.has(trees.entry_name(path, display_path(path), root, content_hash(text)))
    )


def _module_names(files: Sequence[tuple[Path, str]], root: Path) -> list[str]:
    """The module name each file is analysed under: where two files map to one name
    (scripts in different folders), the second is told apart by its path."""
    names: list[str] = []
    taken: set[str] = set()
    for path, _ in files:
        name = module_name_for(path, root)[0]
        if name in taken:
            name = f"{name}@{display_path(path)}"
        taken.add(name)
        names.append(name)
    return names


def _add_parsed(
    project: Project, parsed_file: ParsedFile, packs: PackSet, module_name: str | None = None
) -> ModuleContext:
    """Add a parsed file to the project, under ``module_name`` if given."""
    if module_name is None:
        module_name = parsed_file.module_name
        if module_name in project.modules:
            module_name = f"{module_name}@{parsed_file.path}"
    ctx = ModuleContext(
        path=parsed_file.path,
        module_name=module_name,
        module=parsed_file.module,
        positions=parsed_file.positions,
        imports=parsed_file.imports,
        packs=packs,
        project=project,
    )
    project.add_module(ctx)
    return ctx


def _module_loader(
    project: Project,
    packs: PackSet,
    root: Path,
    loaded: dict[str, str],
    skipped: dict[str, Path],
    seen: set[Path],
    rechecked: dict[str, str],
) -> tuple[Callable[[str], ModuleContext | None], Callable[[str], bool]]:
    """Parse project modules on demand, when a call or read in an analysed module needs them;
    and tell, without parsing, whether a module name has a file to parse. ``seen``: the
    resolved paths of the files parsed already; ``rechecked`` gets the paths (with an empty
    hash) where a module that was asked for would be, and is not.

    Pre-commit passes only changed files, and the prefilter skips files without a credential
    word; their helpers are read only when a credential flows into them.
    """
    skipped_by_suffix: dict[str, list[Path]] = {}
    # Module name -> its file and that file's resolved path (memoised: both cost system calls).
    paths: dict[str, tuple[Path, Path] | None] = {}

    def path_for(module_name: str) -> tuple[Path, Path] | None:
        if module_name not in paths:
            if not skipped_by_suffix and skipped:
                skipped_by_suffix.update(suffix_index(skipped))
            path = _module_file(module_name, root) or _skipped_file(
                module_name, skipped, skipped_by_suffix
            )
            paths[module_name] = (path, path.resolve()) if path is not None else None
        return paths[module_name]

    def locate(module_name: str) -> bool:
        found = path_for(module_name)
        return found is not None and found[1] not in seen and len(loaded) < MAX_CONTEXT_FILES

    def load(module_name: str) -> ModuleContext | None:
        if len(loaded) >= MAX_CONTEXT_FILES:
            return None
        found = path_for(module_name)
        if found is None:
            # A credential flows into it: once the file exists, the result changes.
            for candidate in _module_candidates(module_name, root):
                rechecked[display_path(candidate)] = ""
            return None
        if found[1] in seen:
            return None
        path, resolved = found
        seen.add(resolved)
        text, error = read_source(path)
        # Recorded even when it cannot be used: once fixed, it would change the result.
        loaded[display_path(path)] = content_hash(text) if text is not None else ""
        if text is None:
            return None
        parsed_file, error = parse_source(path, text, root)
        if parsed_file is None:
            return None
        return _add_parsed(project, parsed_file, packs)

    return load, locate


def _analyze_reached(
    project: Project,
    findings: list[Finding],
    prefiltered: list[Path],
    reach: Reach,
    root: Path,
    jobs: int,
    trees: TreeCache | None,
    seen: set[Path],
    rechecked: dict[str, str],
    progress: Progress | None,
) -> tuple[list[Finding], Reach, list[str]]:
    """Analyse the ``prefiltered`` files that name a handle of the analysed code (see
    obolint.reach), then those that name a handle found in them, and so on.

    Returns the findings of the whole analysis (``findings`` before), every handle looked for
    (in a ``Reach`` like ``reach``), and the display paths of the files analysed this way.
    Each file found is listed in ``rechecked`` with its hash, even one that does not parse: a
    change to it changes the result of a scan that otherwise sees it as prefiltered.
    """
    reached: list[str] = []
    remaining = prefiltered
    checked: set[Handle] = set()
    for _ in range(MAX_REACH_ROUNDS):
        new = reach.looking_for(project.handles() - checked)
        checked.update(new.handles)
        if not new:
            break
        # Read again in each round: the texts are not held in memory during the analysis.
        found = [
            (path, text)
            for path in remaining
            if (text := read_source(path)[0]) is not None and new.finds(text)
        ]
        if not found:
            break
        found_paths = {path for path, _ in found}
        remaining = [path for path in remaining if path not in found_paths]
        by_path = {m.path: name for name, m in project.modules.items()}
        added: list[str] = []
        to_parse: list[tuple[Path, str]] = []
        for path, text in found:
            shown = display_path(path)
            rechecked[shown] = content_hash(text)
            if shown in by_path:  # loaded on demand meanwhile
                added.append(by_path[shown])
                reached.append(shown)
            else:
                seen.add(path.resolve())
                to_parse.append((path, text))
        with contextlib.closing(_parse_in_order(to_parse, root, jobs, trees, 2)) as results:
            for parsed_file, _error in results:
                # Unparsable like any prefiltered file: not reported (it has no trigger word).
                if parsed_file is not None:
                    added.append(_add_parsed(project, parsed_file, project.packs).module_name)
                    reached.append(parsed_file.path)
        findings = project.analyze(progress, added=added)
    return findings, reach.looking_for(checked), reached


def _skipped_file(
    module_name: str, skipped: dict[str, Path], by_suffix: dict[str, list[Path]]
) -> Path | None:
    """A prefiltered file of this scan named ``module_name`` (or, uniquely, ``*.module_name``)."""
    if module_name in skipped:
        return skipped[module_name]
    matches = by_suffix.get(module_name, [])
    return matches[0] if len(matches) == 1 else None


def _module_file(module_name: str, root: Path) -> Path | None:
    """The file under ``root`` (or ``root/src``) that defines module ``module_name``."""
    return next((path for path in _module_candidates(module_name, root) if path.is_file()), None)


def _module_candidates(module_name: str, root: Path) -> list[Path]:
    """The files under ``root`` (or ``root/src``) that would define module ``module_name``,
    in the order they are looked for."""
    parts = [p for p in module_name.split(".") if p]
    if not parts or not all(p.isidentifier() for p in parts):
        return []
    candidates = []
    for base in (root, root / "src"):
        stem = base.joinpath(*parts)
        candidates += [stem.with_suffix(".py"), stem / "__init__.py"]
    return candidates


def _is_analysis_limit(exc: Exception) -> bool:
    """A limit of the analysis (nesting or the per-file budget), not a bug in obolint."""
    return isinstance(exc, (RecursionError, ExpressionTooDeep, AnalysisBudgetExceeded))


def _analysis_error(path: str, exc: Exception) -> FileError:
    """The diagnostic for a file whose analysis raised ``exc``."""
    if isinstance(exc, AnalysisBudgetExceeded):
        return FileError(
            path,
            f"analysis stopped after {MAX_STEPS_PER_MODULE:,} steps (the budget for one file); "
            "the file was skipped. If it is generated code, exclude it with `extend-exclude`.",
            "budget",
        )
    if _is_analysis_limit(exc):
        return FileError(path, "file nests too deeply to analyse; it was skipped.", "recursion")
    return FileError(
        path,
        f"internal error while analysing this file: {type(exc).__name__}: {exc}. "
        "This is a bug in obolint; please report it with this file.",
        "internal",
    )
