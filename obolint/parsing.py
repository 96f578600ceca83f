"""Parsing with LibCST: one file, or many in order on worker processes and from the parse
cache; files too deep or too pathological for LibCST are refused with a diagnostic."""

from __future__ import annotations

import ast
import os
import pickle
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from obolint import memory, nodepickle, pysyntax, sharedtokens
from obolint.cache import content_hash
from obolint.findings import FileError
from obolint.parallel import OrderedResults, imap_in_order, workers_fork
from obolint.resolve import collect_imports, module_name_for
from obolint.sourcefiles import display_path
from obolint.stack import on_fresh_stack, running_on_large_stack
from obolint.treecache import TreeCache

# Parse on worker processes (--jobs) once a scan has this many files to parse: below it, a
# pool costs more to start than it saves. Files go to a worker a few at a time, so that a big
# file does not hold back the results behind it for long.
MIN_FILES_FOR_PARSE_POOL = 32
PARSE_CHUNK_SIZE = 4
# Where workers fork (they start at once), even one file to parse goes to a worker when this
# process has at least this many trees to load from the trees cache meanwhile: a rerun after an
# edit parses the edited files while it loads the others (saleor, ten files edited: their
# parse and pickling took 0.4 to 1.9 s, the loading of 699 trees about 2.3 s).
MIN_TREES_TO_OVERLAP = 32
# The recursion limit while a tree is pickled (on the 256 MB stack of obolint.stack).
PICKLE_RECURSION_LIMIT = 20_000
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


def parse_source(path: Path, text: str, root: Path) -> tuple[ParsedFile | None, FileError | None]:
    """Parse text with LibCST and collect its imports."""
    shown = display_path(path)
    checked = may_be_pathological(text)
    too_deep, cpython_error = cpython_verdict(text) if checked else (None, None)
    if too_deep is not None:
        return None, FileError(
            shown, f"file nests too deeply to parse ({too_deep}); it was skipped.", "recursion"
        )
    try:
        module = _parse_on_large_stack(text)
    except cst.ParserSyntaxError as exc:
        if not checked:
            too_deep, cpython_error = cpython_verdict(text)
        if too_deep is None and cpython_error is None:
            # Valid Python that LibCST's grammar lacks (`(x): int = 1`): not the user's error.
            return None, FileError(
                shown,
                "LibCST, the parser obolint uses, cannot parse this file though Python "
                f"accepts it (it stopped near line {exc.raw_line}, column {exc.raw_column + 1});"
                " the file was skipped. Write the statement there another way, or exclude the "
                "file with `extend-exclude`.",
                "parser-limit",
            )
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


def files_not_in_cache(
    files: Sequence[tuple[Path, str]], root: Path, trees: TreeCache | None
) -> int:
    """How many of ``files`` (path, text) ``parse_in_order`` would parse, not load from
    ``trees``."""
    if trees is None:
        return len(files)
    return sum(1 for path, text in files if not trees.has(_entry_name(trees, path, text, root)))


def _entry_name(trees: TreeCache, path: Path, text: str, root: Path) -> str:
    """The name of ``path``'s entry in ``trees`` for this ``text``."""
    return trees.entry_name(path, display_path(path), root, content_hash(text))


def parse_in_order(
    files: list[tuple[Path, str]],
    root: Path,
    jobs: int,
    trees: TreeCache | None,
    min_files_for_pool: int | None = None,
    *,
    in_step: bool = False,
) -> Iterator[tuple[ParsedFile | None, FileError | None]]:
    """``parse_source`` of each file, in order. A file unchanged since a scan that stored it
    in ``trees`` is loaded from there; the others are parsed by ``jobs`` processes when there
    are enough of them (this one and workers, which send each tree back pickled), else here,
    and stored in ``trees``. ``in_step``: the caller works on the results as they come (see
    obolint.analysis), so this process helps the workers with the next files, not the last."""
    names = None
    if trees is not None:
        names = [_entry_name(trees, path, text, root) for path, text in files]
    todo = [i for i in range(len(files)) if names is None or not trees.has(names[i])]
    if min_files_for_pool is None:
        min_files_for_pool = MIN_FILES_FOR_PARSE_POOL
    # A rerun after an edit: the few files to parse (too few for a pool) go to a worker while
    # this process loads the trees of the others, all of them first (see _parsed_in_order).
    overlap = (
        jobs >= 2
        and 0 < len(todo) < min_files_for_pool
        and len(files) - len(todo) >= MIN_TREES_TO_OVERLAP
        and workers_fork()
    )
    if overlap:
        min_files_for_pool = 1
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
            take_next=in_step,
        )
    to_parse = set(todo)
    try:
        yield from _parsed_in_order(
            files, root, trees, names, to_parse, pickled_results, load_first=overlap
        )
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
    *,
    load_first: bool = False,
) -> Iterator[tuple[ParsedFile | None, FileError | None]]:
    """The parse results of ``parse_in_order``: from ``trees`` unless in ``to_parse``.
    ``load_first``: every tree is loaded before the first result is returned, while the
    workers parse the rest (loading in order would wait for each parsed file in turn)."""
    loaded: dict[int, tuple | None] = {}
    if load_first and trees is not None and names is not None:
        loaded = {i: trees.load(names[i]) for i in range(len(files)) if i not in to_parse}
    for index, (path, text) in enumerate(files):
        name = names[index] if names is not None else ""
        if index not in to_parse:
            assert trees is not None
            cached = loaded.pop(index) if index in loaded else trees.load(name)
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


# Files whose brackets nest deeper than this are vetted. LibCST's time and memory grow with
# the square of the depth (calls nested 300 deep: 1.4 s and 220 MB; 600: 5.6 s and 820 MB);
# CPython refuses more than 200 levels of brackets, and real code nests fewer than 20.
MAX_BRACKET_DEPTH_UNVETTED = 100
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"()[]{}")
_OPENING_BRACKETS = frozenset(b"([{")
# Without brackets, an expression nests by operators and the keywords that take an expression
# (``- - a``, ``not not a``, ``lambda: lambda: a``, ``a if b else c if d else e``), as deep as
# the run is long, inside one bracket over many lines if need be: 2,000 nested ``lambda:``
# took LibCST 0.8 GB, 10,000 took 19 GB; 10,000 unary minus signs 5.5 GB in 70 s. Words are
# counted wherever they occur ("and" in "command" too), so that one alone on a line counts.
_OPERATOR_CHARACTERS = b"+-*/%@&|^~<>"
_EXPRESSION_WORDS = (b"not", b"lambda", b"else", b"elif", b"await", b"and", b"or ", b"or\n")
# Files with more of them than this together are vetted: fewer cost LibCST at most about
# 0.7 s and 200 MB whatever they are (1,000 nested ``lambda:``).
MAX_OPERATORS_UNVETTED = 1000


def may_be_pathological(text: str) -> bool:
    """Whether the file is big or may nest deeply enough that CPython should vet it first.

    Deep nesting takes deeply nested brackets, or many operators or expression keywords,
    indentation levels, attribute links or bytes; ordinary files skip the extra parse (about
    a tenth of LibCST's cost). The test takes 0.17 s for saleor's 12 MB that pass the
    prefilter, and vets 0.4 MB of them (agno: 4.9 of 18.9 MB). Before, more than 800 brackets
    or ``+``/``and``/``or``/``elif`` vetted 4.0 MB (agno: 6.2), yet let through calls nested
    600 deep (5.6 s, 820 MB) and chains of every other operator and keyword.
    """
    if len(text) > 200_000:
        return True
    data = text.encode("utf-8", "surrogatepass")
    operators = len(data) - len(data.translate(None, _OPERATOR_CHARACTERS))
    operators += sum(data.count(word) for word in _EXPRESSION_WORDS)
    deep_indent = "\n" + " " * 96 in text or "\n" + "\t" * 24 in text
    return (
        operators > MAX_OPERATORS_UNVETTED
        or deep_indent
        or _bracket_depth(data.translate(None, _NOT_BRACKETS)) > MAX_BRACKET_DEPTH_UNVETTED
        # LibCST's parse time grows with the square of an attribute chain's length (4,000
        # links: 3 s; 8,000: 13 s); chains need dots, not brackets.
        or (text.count(".") > 400 and _has_long_attribute_chain(text))
    )


def _bracket_depth(brackets: bytes) -> int:
    """How deep ``brackets`` (a file's brackets, in order) nest. Brackets inside strings and
    comments count too: an opening one only makes a file vetted that need not be."""
    depth = deepest = 0
    for bracket in brackets:
        if bracket in _OPENING_BRACKETS:
            depth += 1
            if depth > deepest:
                deepest = depth
        elif depth:
            depth -= 1
    return deepest


def cpython_verdict(text: str) -> tuple[str | None, SyntaxError | None]:
    """Ask CPython's parser (ten times faster than LibCST's) first: why the file nests too
    deeply to parse safely, if it does, and the syntax error it found, if any."""
    try:
        tree = pysyntax.parse(text)
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
