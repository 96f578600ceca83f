"""Parse the files worth parsing and analyse them as one project: findings, errors, stats.

Imported only when a scan misses the results cache: LibCST and the analysis take a tenth of
a second to import, an eighth of a warm run.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path

from obolint.cache import REACH_ENTRY_PREFIX, ResultCache, content_hash, python_version
from obolint.findings import FileError, Finding, ScanResult
from obolint.outline import (
    Definition,
    FileContext,
    LeftOut,
    LeftOutDefinitions,
    Outlines,
    Wanted,
    fragment,
    left_out_of,
)
from obolint.packs import PackSet
from obolint.parallel import map_forked
from obolint.parsing import ParsedFile, files_not_in_cache, parse_in_order
from obolint.prefilter import Triggers
from obolint.projectfiles import PROJECT_FILES_ENTRY, ProjectFiles
from obolint.reach import Handle, Reach, registrations
from obolint.resolve import (
    enclosing_packages,
    forget_resolved_directories,
    imported_first,
    imported_modules,
    module_name_for,
    resolved_path,
    suffix_index,
)
from obolint.sourcefiles import display_path, read_source
from obolint.taint.context import ModuleContext
from obolint.taint.interpreter import (
    MAX_STEPS_PER_MODULE,
    AnalysisBudgetExceeded,
    ExpressionTooDeep,
)
from obolint.taint.project import Progress, Project, last_name
from obolint.treecache import DIRECTORY_NAME as TREES_DIRECTORY
from obolint.treecache import TreeCache

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
# Prefiltered files are searched for handles on forked worker processes (--jobs) from this
# many, in chunks of SEARCH_CHUNK_SIZE: the parse workers are done by then (saleor: 3,646
# files, 0.26 s on one process).
MIN_FILES_FOR_SEARCH_POOL = 1000
SEARCH_CHUNK_SIZE = 64
# Outlines (see obolint.outline.Outlines) are read from and kept in the cache by scans that
# parse at least this many files: a pre-commit run finds those of its few files sooner than it
# would load the entry.
MIN_FILES_FOR_OUTLINES = 200


def analyse(
    sources: list[tuple[Path, str | None, FileError | None]],
    digests: Sequence[str],
    wanted: Sequence[bool],
    packs: PackSet,
    enabled_rules: list[str],
    *,
    root: Path,
    cache: ResultCache | None,
    progress: Progress | None,
    jobs: int,
    retain: list[object] | None,
    found_by: Triggers,
    started: float,
    project_files: ProjectFiles | None = None,
) -> tuple[ScanResult, dict[str, str], Reach, dict[str, bool]]:
    """Parse the ``wanted`` files of ``sources`` (path, text, read error; the list is emptied
    once their texts are taken; ``digests``: their content hashes) and analyse them as one
    project. Returns the result, the
    hashes of the files read on demand or reached by name (and of paths where an absent module
    would be), every handle looked for in prefiltered files (see obolint.reach), and whether
    each prefiltered text searched names one, by content hash. ``project_files``: where the
    modules the scan needs are looked for when the scan holds only some of the project's files."""
    forget_resolved_directories()  # a symlink may have changed since the last scan
    file_count = len(sources)
    result = ScanResult()
    project = Project(packs, enabled_rules)
    if retain is not None:
        retain[:] = [project]
    to_parse: list[tuple[Path, str]] = []
    # No flow can start in a prefiltered file; if an analysed file calls into it with a
    # credential, it is still read for its summaries (see _module_loader). After the analysis
    # they are searched for handles (see obolint.reach), read again unless the cache knows the
    # answer for their content: the texts are not held meanwhile.
    skipped_paths: dict[Path, str] = {}  # -> content hash
    for (path, text, error), digest, is_wanted in zip(sources, digests, wanted, strict=True):
        if text is not None and error is None:
            if is_wanted:
                to_parse.append((path, text))
            else:
                skipped_paths[path] = digest
    skipped = len(skipped_paths)
    loaded: dict[str, str] = {}  # on-demand module path -> content hash ("" if unreadable)
    # The files this scan parses, never loaded on demand (see _module_loader).
    seen = {resolved_path(path) for path, _ in to_parse}
    # Other paths a cache entry checks again: files reached by name, and where absent modules
    # would be. Kept apart from `loaded` until the end: on-demand loading has its own budget.
    rechecked: dict[str, str] = {}
    trees = (
        TreeCache(cache.directory / TREES_DIRECTORY, cache.key, ParsedFile)
        if cache is not None
        else None
    )
    result.errors.extend(error for _, _, error in sources if error is not None)
    sources.clear()  # the texts of prefiltered files
    module_names = _module_names(to_parse, root)
    # Each file is parsed without its top-level definitions that no flow can reach (see
    # obolint.outline); those a file parsed later or a handle needs are put back.
    # Which definitions CPython's parser takes depends on its version (see obolint.outline).
    outline_vocabulary = f"{found_by.key}\0{python_version()}"
    outlines = None
    if cache is not None and len(to_parse) >= MIN_FILES_FOR_OUTLINES:
        outlines = Outlines(cache.load_outlines(outline_vocabulary))
    texts_to_parse, left_out = left_out_of(to_parse, module_names, found_by, jobs, outlines)
    if cache is not None and outlines is not None:
        cache.remember_outlines(outline_vocabulary, outlines.known, outlines.this_scan)
    full_texts = {path: text for path, text in to_parse}
    to_parse = [(path, text) for (path, _), text in zip(to_parse, texts_to_parse, strict=True)]
    put_back = _putting_back(project, root, left_out)
    project.loader, project.locator = _module_loader(
        project,
        packs,
        root,
        loaded,
        skipped_paths,
        seen,
        rechecked,
        trees,
        lambda text: put_back(left_out.named_in(text)),
        project_files,
    )
    batch_size = len(to_parse)
    # With the trees at hand (parse cache) there is no parsing to overlap.
    if jobs >= 2 and files_not_in_cache(to_parse, root, trees) >= MIN_FILES_FOR_BATCHES:
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
    batched = batch_size < len(to_parse)
    # Closed also on an error or Ctrl-C: that ends the parse workers.
    with contextlib.closing(
        parse_in_order(to_parse, root, jobs, trees, in_step=batched)
    ) as parse_results:
        for done, ((path, _), name) in enumerate(zip(to_parse, module_names, strict=True)):
            if progress is not None:
                progress("Parsing", done, len(to_parse))
            parsed_file, error = next(parse_results)
            full_text = full_texts.pop(path)
            entry = left_out.by_path.get(path)
            if entry is not None and error is not None:
                # The rest alone does not parse.
                left_out.remove(entry)
                parsed_file, error = _parse_whole(path, full_text, root, trees)
            if error is not None:
                result.errors.append(error)
                seen.discard(resolved_path(path))  # as if never parsed: it may be loaded on demand
                continue
            assert parsed_file is not None
            requested.add(parsed_file.path)
            batch.append(_add_parsed(project, parsed_file, packs, name).module_name)
            if entry is not None and entry.wanted:
                # Named by a file loaded meanwhile; the module runs with its batch.
                put_back({path: set(entry.wanted)})
            if len(batch) >= batch_size and done + 1 < len(to_parse):
                # Analysed while the workers parse the next batch.
                project.advance(added=batch)
                batch = []
    parsed = len(requested)
    project.stop_expecting()
    findings = project.analyze(progress, added=batch if batched else None)
    reach = Reach((), found_by, registrations(packs))
    reached: list[str] = []
    reach_verdicts: dict[str, bool] = {}
    if skipped_paths or left_out:
        findings, reach, reached, reach_verdicts = _analyze_reached(
            project,
            findings,
            skipped_paths,
            reach,
            root,
            jobs,
            cache,
            trees,
            seen,
            rechecked,
            left_out,
            put_back,
            progress,
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
        "files": file_count,
        "files_analyzed": parsed,
        "files_with_errors": len(result.errors),
        "context_files": context,
        "files_reached": len(reached),
        "files_skipped_prefilter": skipped,
        "definitions_skipped": len(left_out),
        "findings": len(result.findings),
        "duration_s": round(time.perf_counter() - started, 3),
    }
    if cache is not None:
        result.stats["cache"] = "miss"
        if trees is not None:
            result.stats["files_parsed_from_cache"] = trees.stats.hits
            if trees.stats.stored:
                trees.prune()
    return result, loaded, reach, reach_verdicts


def _search_for_handles(item: tuple[Reach, Path]) -> tuple[str | None, str | None]:
    """A file's content hash (None if it cannot be read) and its text if it names one of the
    handles looked for (else None)."""
    reach, path = item
    text = read_source(path)[0]
    if text is None:
        return None, None
    return content_hash(text), text if reach.finds(text) else None


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
    ctx = _context(project, parsed_file, packs, module_name)
    project.add_module(ctx)
    return ctx


def _context(
    project: Project, parsed_file: ParsedFile, packs: PackSet, module_name: str
) -> ModuleContext:
    """The context of a parsed file, analysed under ``module_name``."""
    return ModuleContext(
        path=parsed_file.path,
        module_name=module_name,
        module=parsed_file.module,
        positions=parsed_file.positions,
        imports=parsed_file.imports,
        packs=packs,
        project=project,
    )


def _parse_whole(
    path: Path, text: str, root: Path, trees: TreeCache | None
) -> tuple[ParsedFile | None, FileError | None]:
    """Parse one file here (or load it from ``trees``)."""
    with contextlib.closing(parse_in_order([(path, text)], root, 1, trees)) as results:
        return next(results)


def _putting_back(
    project: Project, root: Path, left_out: LeftOutDefinitions
) -> Callable[[Wanted], list[str]]:
    """A function that puts back definitions left out (and those they name, in turn): each
    file's are parsed on their own and added to its module, which replaces the one without
    them (the names of the modules replaced are returned); those of a file not yet added are
    put back once it is."""

    def put_back(wanted: Wanted) -> list[str]:
        replaced = []
        todo = {path: set(names) for path, names in wanted.items()}
        while todo:
            path, names = todo.popitem()
            entry = left_out.by_path.get(path)
            if entry is None:
                continue
            module = project.modules.get(entry.module_name)
            if module is None:
                names -= entry.wanted
                entry.wanted |= names
                taken = [(d, body) for d, body in entry.definitions if d.name in names]
            else:
                taken = left_out.take(path, names | entry.wanted)
            if not taken:
                continue
            # What they name may be left out elsewhere (`handler` calling `a.handler`).
            for more, more_names in left_out.named_in("\n".join(b for _, b in taken)).items():
                todo.setdefault(more, set()).update(more_names)
            if module is not None and _add_definitions(project, module, taken, left_out, root):
                replaced.append(module.module_name)
        return replaced

    return put_back


def _add_definitions(
    project: Project,
    module: ModuleContext,
    definitions: list[tuple[Definition, str]],
    left_out: LeftOutDefinitions,
    root: Path,
) -> bool:
    """Parse ``definitions`` of ``module``'s file and put the module with them in its place;
    if they do not parse on their own (a text split wrongly), the whole file, with the rest
    of its definitions left out. Whether the module was replaced."""
    path = Path(module.path)
    # Not from or into the parse cache: the entries would be per set of definitions put back.
    parsed, error = _parse_whole(path, fragment(definitions), root, None)
    if parsed is not None and error is None:
        parts = (*(module.parts or (module.module,)), parsed.module)
        tree = module.module.with_changes(body=[*module.module.body, *parsed.module.body])
    else:
        whole = read_source(path)[0]
        entry = left_out.by_path.get(path)
        if entry is not None:
            left_out.remove(entry)
        parsed, error = _parse_whole(path, whole, root, None) if whole else (None, None)
        if parsed is None or error is not None:
            return False  # gone or broken since it was read: as a file that does not parse
        parts, tree = (), parsed.module
    project.replace_module(
        dataclasses.replace(
            module,
            module=tree,
            positions=None,
            functions={},
            classes={},
            annotation_cache={},
            parts=parts,
        )
    )
    return True


def _module_loader(
    project: Project,
    packs: PackSet,
    root: Path,
    loaded: dict[str, str],
    skipped_paths: Collection[Path],
    seen: set[Path],
    rechecked: dict[str, str],
    trees: TreeCache | None,
    put_back_named_in: Callable[[str], list[str]],
    project_files: ProjectFiles | None = None,
) -> tuple[Callable[[str], ModuleContext | None], Callable[[str], bool]]:
    """Parse project modules on demand (or load them from ``trees``), when a call or read in
    an analysed module needs them; and tell, without parsing, whether a module name has a file
    to parse. ``seen``: the resolved paths of the files parsed already; ``rechecked`` gets the
    paths (with an empty hash) where a module that was asked for would be, and is not.

    Pre-commit passes only changed files, and the prefilter skips files without a credential
    word (``skipped_paths``); their helpers are read only when a credential flows into them.
    A module that is neither where its name says under ``root`` (or ``root/src``) nor among
    ``skipped_paths`` is looked for among the ``project_files`` not in the scan.
    """
    # The prefiltered files by module name: made on the first lookup, which comes after the
    # parse workers have started (saleor: 3,646 paths, 0.1 s of system calls that would
    # otherwise delay them).
    skipped = _FilesByModule()
    # The same for the project's other files, made on the first module not found otherwise.
    parsed_by_scan = set(seen)
    elsewhere = _FilesByModule()
    # Module name -> its file and that file's resolved path (memoised: both cost system calls).
    paths: dict[str, tuple[Path, Path] | None] = {}

    def project_file(module_name: str) -> Path | None:
        if project_files is None:
            return None
        if PROJECT_FILES_ENTRY not in rechecked:
            # The scan's own files are found as modules of the project (see Project.module).
            scanned = parsed_by_scan | {resolved_path(path) for path in skipped_paths}
            listed = [path for path in project_files.files if path not in scanned]
            elsewhere.fill(listed, root, resolved=True)
            rechecked[PROJECT_FILES_ENTRY] = project_files.digest
        return elsewhere.find(module_name)

    def path_for(module_name: str) -> tuple[Path, Path] | None:
        if module_name not in paths:
            if not skipped and skipped_paths:
                skipped.fill(skipped_paths, root)
            path = (
                _module_file(module_name, root)
                or skipped.find(module_name)
                or project_file(module_name)
            )
            paths[module_name] = (path, resolved_path(path)) if path is not None else None
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
        parsed_file, error = _parse_whole(path, text, root, trees)
        if parsed_file is None:
            return None
        put_back_named_in(text)  # before its units run: they may call those
        return _add_parsed(project, parsed_file, packs)

    return load, locate


def _analyze_reached(
    project: Project,
    findings: list[Finding],
    prefiltered: dict[Path, str],
    reach: Reach,
    root: Path,
    jobs: int,
    cache: ResultCache | None,
    trees: TreeCache | None,
    seen: set[Path],
    rechecked: dict[str, str],
    left_out: LeftOutDefinitions,
    put_back: Callable[[Wanted], list[str]],
    progress: Progress | None,
) -> tuple[list[Finding], Reach, list[str], dict[str, bool]]:
    """Analyse the ``prefiltered`` files that name a handle of the analysed code (see
    obolint.reach), then those that name a handle found in them, and so on; and put back the
    definitions ``left_out`` that name one (see obolint.outline) or that those files name.

    Returns the findings of the whole analysis (``findings`` before), every handle looked for
    (in a ``Reach`` like ``reach``), the display paths of the files analysed this way, and
    whether each text searched names one of those handles, by content hash. A text that the
    ``cache`` knows names none of a round's handles is not read in that round (a rerun after
    an edit looks for the handles it looked for before); ``prefiltered`` holds the content
    hash of each file as the scan read it.
    Each file found is listed in ``rechecked`` with its hash, even one that does not parse: a
    change to it changes the result of a scan that otherwise sees it as prefiltered.
    """
    reached: list[str] = []
    remaining = list(prefiltered)
    checked: set[Handle] = set()
    checked_in_parts: set[Handle] = set()  # every handle, for the definitions left out
    # Path -> (content hash, whether it names a handle) of each file searched.
    verdicts: dict[Path, tuple[str | None, bool]] = {}
    for _ in range(MAX_REACH_ROUNDS):
        handles = project.handles()
        new = reach.looking_for(handles - checked)
        checked.update(new.handles)
        # Definitions left out that name a handle are put back, as a file would be reached;
        # any handle counts, since a part of a file need not name the owner.
        in_parts = reach.looking_for(handles - checked_in_parts, in_files=False)
        checked_in_parts.update(handles)
        added = put_back(left_out.naming_a_handle(in_parts, lambda e: _file_context(project, e)))
        if not new and not added:
            break
        searched = _search_round(new, remaining if new else [], prefiltered, jobs, cache)
        found: list[tuple[Path, str]] = []
        for path, (digest, text) in searched.items():
            if text is not None:
                found.append((path, text))
                verdicts[path] = (digest, True)
            elif verdicts.setdefault(path, (digest, False)) != (digest, False):
                verdicts[path] = (None, False)  # changed since an earlier round searched it
        if not found and not added:
            break
        found_paths = {path for path, _ in found}
        remaining = [path for path in remaining if path not in found_paths]
        by_path = {m.path: name for name, m in project.modules.items()}
        to_parse: list[tuple[Path, str]] = []
        for path, text in found:
            shown = display_path(path)
            rechecked[shown] = content_hash(text)
            added.extend(put_back(left_out.named_in(text)))
            if shown in by_path:  # loaded on demand meanwhile
                added.append(by_path[shown])
                reached.append(shown)
            else:
                seen.add(resolved_path(path))
                to_parse.append((path, text))
        with contextlib.closing(parse_in_order(to_parse, root, jobs, trees, 2)) as results:
            for parsed_file, _error in results:
                # Unparsable like any prefiltered file: not reported (it has no trigger word).
                if parsed_file is not None:
                    added.append(_add_parsed(project, parsed_file, project.packs).module_name)
                    reached.append(parsed_file.path)
        findings = project.analyze(progress, added=added)
    # Every round searched (or knew the answer for) all the files not found before it, so a
    # file never found names none of the handles checked, the returned Reach's, in the text it
    # had in every round.
    by_content = {digest: names for digest, names in verdicts.values() if digest is not None}
    return findings, reach.looking_for(checked), reached, by_content


def _search_round(
    reach: Reach,
    searching: list[Path],
    prefiltered: dict[Path, str],
    jobs: int,
    cache: ResultCache | None,
) -> dict[Path, tuple[str | None, str | None]]:
    """Each of the ``searching`` files: its content hash (None if it cannot be read) and its
    text if it names a handle of ``reach`` (else None). Read again (the texts are not held in
    memory during the analysis), except those the ``cache`` knows, by the content the scan read
    (``prefiltered``), to name none; the answers are kept in the cache for the next scan."""
    known: dict[str, bool] = {}
    if cache is not None and searching:
        known = cache.load_verdicts(REACH_ENTRY_PREFIX, reach.vocabulary)
    to_read = [path for path in searching if known.get(prefiltered[path]) is not False]
    read = map_forked(
        _search_for_handles,
        [(reach, path) for path in to_read],
        jobs,
        min_items=MIN_FILES_FOR_SEARCH_POOL,
        chunk_size=SEARCH_CHUNK_SIZE,
    )
    searched = dict(zip(to_read, read, strict=True))
    found = {path: searched.get(path) or (prefiltered[path], None) for path in searching}
    if cache is not None:
        this_round = {d: text is not None for d, text in found.values() if d is not None}
        cache.remember_verdicts(REACH_ENTRY_PREFIX, reach.vocabulary, known, this_round)
    return found


def _file_context(project: Project, entry: LeftOut) -> FileContext:
    """What the code of ``entry``'s file outside its left-out definitions tells of names
    (see obolint.outline): its imports, and the names that may own a handle: its module's last
    name, its classes' and the names and module parts of its imports."""
    ctx = project.modules.get(entry.module_name)
    if ctx is None:
        return {}, set()
    names = {last_name(entry.module_name)}
    names.update(last_name(qname) for qname in ctx.classes)
    for local, target in ctx.imports.items():
        names.add(local)
        names.update(target.split("."))
    return ctx.imports, names


class _FilesByModule:
    """Files by the module name a scan of the root gives each, and by each dotted suffix of it
    that code could import it by (see suffix_index)."""

    def __init__(self) -> None:
        self.by_name: dict[str, Path] = {}
        self.by_suffix: dict[str, list[Path]] = {}

    def __bool__(self) -> bool:
        return bool(self.by_name)

    def fill(self, paths: Iterable[Path], root: Path, *, resolved: bool = False) -> None:
        """Add ``paths`` (``resolved``: absolute and resolved, see module_name_for)."""
        by_name = {module_name_for(path, root, resolved=resolved)[0]: path for path in paths}
        by_suffix = suffix_index(by_name)
        self.by_name.update(by_name)  # both or neither, should a path fail to resolve
        self.by_suffix.update(by_suffix)

    def find(self, module_name: str) -> Path | None:
        """The file named ``module_name``, or the one file named ``*.module_name``."""
        if module_name in self.by_name:
            return self.by_name[module_name]
        matches = self.by_suffix.get(module_name, [])
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
    # A root inside packages names its modules with theirs (see enclosing_packages).
    enclosing = list(enclosing_packages(resolved_path(root)))
    if enclosing and parts[: len(enclosing)] == enclosing and len(parts) > len(enclosing):
        stem = root.joinpath(*parts[len(enclosing) :])
        candidates += [stem.with_suffix(".py"), stem / "__init__.py"]
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
