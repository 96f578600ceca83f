"""Import and alias resolution: map the names a module binds to qualified dotted names."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import libcst as cst

T = TypeVar("T")


def suffix_index(modules: Mapping[str, T]) -> dict[str, list[T]]:
    """Each module's value filed under the proper dotted suffixes of its name that code could
    import it by (``app.x`` and ``x`` for ``backend/app/x.py``), for projects whose import
    root is below the scan root (see module_suffixes)."""
    index: dict[str, list[T]] = {}
    for name, value in modules.items():
        for suffix in module_suffixes(name):
            index.setdefault(suffix, []).append(value)
    return index


def module_suffixes(module_name: str) -> Iterator[str]:
    """The proper dotted suffixes of ``module_name`` that code could import it by: none that
    starts with the name of a standard-library module (``saleor/core/logging.py`` is not what
    ``import logging`` gives)."""
    parts = module_name.split(".")
    for start in range(1, len(parts)):
        if parts[start] not in _STANDARD_LIBRARY:
            yield ".".join(parts[start:])


_STANDARD_LIBRARY = frozenset(sys.stdlib_module_names)


# Directories with their symlinks resolved: a scan resolves its root and the path of every
# file it reads (saleor: 4,300 files in 600 directories), and resolving each path whole took a
# system call per part of it (and resolving the root again each time, a third of those).
# Forgotten when an analysis starts: a symlink, or the working directory a relative path
# depends on, may change between the scans of a long-lived process.
_RESOLVED_DIRECTORIES: dict[Path, Path] = {}


def _resolved_directory(directory: Path) -> Path:
    found = _RESOLVED_DIRECTORIES.get(directory)
    if found is None:
        found = _RESOLVED_DIRECTORIES[directory] = directory.resolve()
    return found


def forget_resolved_directories() -> None:
    """Resolve directories (scan roots too) afresh from now on."""
    _RESOLVED_DIRECTORIES.clear()
    _ENCLOSING_PACKAGES.clear()


# Per resolved scan root: the packages it lies in (see enclosing_packages).
_ENCLOSING_PACKAGES: dict[Path, tuple[str, ...]] = {}
# Packages deeper than this are taken for a loop of symlinks or a mistake.
MAX_PACKAGE_DEPTH = 32


def enclosing_packages(root: Path) -> tuple[str, ...]:
    """The names of the packages a scan root lies in, outermost first: ``obolint check .``
    run in ``skyvern/skyvern`` (a directory with an ``__init__.py``, as is its parent's
    parent not) scans modules its code imports as ``skyvern.forge.x``."""
    found = _ENCLOSING_PACKAGES.get(root)
    if found is None:
        names: list[str] = []
        directory = root
        while (
            len(names) < MAX_PACKAGE_DEPTH
            and directory.name.isidentifier()
            and (directory / "__init__.py").is_file()
        ):
            names.append(directory.name)
            directory = directory.parent
        found = _ENCLOSING_PACKAGES[root] = tuple(reversed(names))
    return found


def resolved_path(path: Path) -> Path:
    """``path.resolve()``, with the directory ``path`` is in resolved once (see
    forget_resolved_directories)."""
    if path.name in ("", ".."):  # `a/..` names a's parent, not an entry of a
        return path.resolve()
    found = _resolved_directory(path.parent) / path.name
    # Only a link needs resolving: its directory is resolved already.
    return found.resolve() if found.is_symlink() else found


def module_name_for(path: Path, root: Path, *, resolved: bool = False) -> tuple[str, bool]:
    """The dotted module name of ``path`` under ``root``, and whether it is a package.
    ``resolved``: ``path`` is absolute and resolved already (a listing of the resolved root),
    which spares a system call per file."""
    resolved_root = _resolved_directory(root)
    try:
        rel = (path if resolved else resolved_path(path)).relative_to(resolved_root)
    except ValueError:
        rel = Path(path.name)
        resolved_root = None
    parts = list(rel.with_suffix("").parts)
    if resolved_root is not None:
        parts[:0] = enclosing_packages(resolved_root)
    is_package = bool(parts) and parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    # Source layouts ("src/pkg/mod.py") import as "pkg.mod".
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    return ".".join(p for p in parts if p) or rel.stem, is_package


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    """Absolute module for ``from <level dots><target> import ...`` written in ``module``."""
    base = module.split(".") if module else []
    if not is_package and base:
        base = base[:-1]
    if level > 1:
        base = base[: max(0, len(base) - (level - 1))]
    if target:
        base = base + target.split(".")
    return ".".join(base)


def collect_imports(module: cst.Module, module_name: str, is_package: bool) -> dict[str, str]:
    """Local name → qualified name for every import in the module (at any nesting)."""
    table: dict[str, str] = {}
    for node in _walk_imports(module):
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted(alias.name)
                if full is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    table[alias.asname.name.value] = full
                else:
                    top = full.split(".")[0]
                    table[top] = top
        elif isinstance(node, cst.ImportFrom):
            level = len(node.relative)
            target = dotted(node.module) if node.module is not None else None
            base = (
                resolve_relative(module_name, is_package, level, target)
                if level
                else (target or "")
            )
            if isinstance(node.names, cst.ImportStar):
                continue
            for alias in node.names:
                name = dotted(alias.name)
                if name is None:
                    continue
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                table[local] = f"{base}.{name}" if base else name
    return table


def names_imported_from(modules: Iterable[cst.Module]) -> frozenset[str]:
    """The local names that ``from ... import`` binds in ``modules``: objects or modules,
    where ``import`` binds modules only."""
    found: set[str] = set()
    for module in modules:
        for node in _walk_imports(module):
            if not isinstance(node, cst.ImportFrom) or isinstance(node.names, cst.ImportStar):
                continue
            for alias in node.names:
                asname = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(asname, cst.Name):
                    found.add(asname.value)
    return frozenset(found)


def _walk_imports(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    """Import statements at any statement nesting, in source order.

    Walks statement bodies only (LibCST's generic ``children`` is slow, and imports are never
    inside expressions), with an explicit stack: modules can nest deeply.
    """
    found: list[cst.Import | cst.ImportFrom] = []
    stack: list[cst.CSTNode] = list(reversed(module.body))
    while stack:
        node = stack.pop()
        if isinstance(node, cst.SimpleStatementLine):
            found.extend(s for s in node.body if isinstance(s, (cst.Import, cst.ImportFrom)))
            continue
        stack.extend(reversed(_statement_children(node)))
    return found


def _statement_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The statements directly inside a compound statement (bodies, branches, handlers)."""
    out: list[cst.CSTNode] = []
    for attr in ("body", "orelse", "finalbody"):
        part = getattr(node, attr, None)
        if part is None:
            continue
        if isinstance(part, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            out.extend(part.body)
        elif isinstance(part, (cst.Else, cst.Finally)):
            out.extend(part.body.body)
        elif isinstance(part, cst.If):  # elif
            out.append(part)
    for handler in getattr(node, "handlers", ()):
        out.extend(handler.body.body)
    for case in getattr(node, "cases", ()):
        out.extend(case.body.body)
    return out


# `from .a.b import c, d` / `import a.b as c, d` at the start of a line: enough to order files
# before they are parsed (see imported_first), where a miss costs time, never a finding.
_IMPORT_LINE = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t(]+([\w, \t]*)|import[ \t]+([\w., \t]+))",
    re.MULTILINE,
)


def imported_modules(text: str, module_name: str, is_package: bool) -> set[str]:
    """The dotted names a module's import lines may import modules by, read from its text."""
    found: set[str] = set()
    for dots, target, names, plain in _IMPORT_LINE.findall(text):
        if plain:
            found.update(part.split()[0] for part in plain.split(",") if part.strip())
            continue
        base = resolve_relative(module_name, is_package, len(dots), target) if dots else target
        if base:
            found.add(base)
        # `from pkg import mod` imports module `pkg.mod`, if there is one.
        for name in names.split(","):
            words = name.split()  # `other as o`
            if words:
                found.add(f"{base}.{words[0]}" if base else words[0])
    found.discard("")
    return found


def imported_first(module_names: Sequence[str], imports: Sequence[set[str]]) -> list[int]:
    """The indexes of ``module_names`` ordered so that each module comes after the modules it
    imports (``imports[i]``: the names module ``i`` imports by), except within import cycles;
    otherwise in the order given."""
    by_name = {name: index for index, name in enumerate(module_names)}
    by_suffix = suffix_index(by_name)

    def module_index(name: str) -> int | None:
        parts = name.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            if prefix in by_name:
                return by_name[prefix]
            matches = by_suffix.get(prefix, [])
            if len(matches) == 1:
                return matches[0]
        return None

    edges = [
        sorted({i for name in names if (i := module_index(name)) is not None} - {index})
        for index, names in enumerate(imports)
    ]
    return imports_first(range(len(module_names)), edges.__getitem__)


def imports_first(items: Iterable[T], imported: Callable[[T], Iterable[T]]) -> list[T]:
    """``items`` (in the order given) with each after the items it imports (``imported``:
    those among ``items``), except where imports form a cycle."""
    ordered: list[T] = []
    visited: set[T] = set()
    for first in items:
        if first in visited:
            continue
        visited.add(first)
        # Depth first, without recursion: an item is placed once all it imports are.
        stack = [(first, iter(imported(first)))]
        while stack:
            item, following = stack[-1]
            after = next(following, None)
            if after is None:
                stack.pop()
                ordered.append(item)
            elif after not in visited:
                visited.add(after)
                stack.append((after, iter(imported(after))))
    return ordered
