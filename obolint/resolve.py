"""Import and alias resolution: map the names a module binds to qualified dotted names."""

from __future__ import annotations

from pathlib import Path

import libcst as cst


def module_name_for(path: Path, root: Path) -> tuple[str, bool]:
    """The dotted module name of ``path`` under ``root``, and whether it is a package."""
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path.name)
    parts = list(rel.with_suffix("").parts)
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


def _walk_imports(module: cst.Module) -> list[cst.Import | cst.ImportFrom]:
    # An explicit stack, not recursion: modules can nest deeply.
    found: list[cst.Import | cst.ImportFrom] = []
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            found.append(node)
            continue
        if isinstance(node, cst.BaseExpression):
            continue  # imports are statements; skip expression subtrees for speed
        stack.extend(reversed(node.children))
    return found
