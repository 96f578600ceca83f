"""Orchestration: read and parse files, analyse them as one project, collect results."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from obolint.findings import FileError, Finding, ScanResult
from obolint.packs import PackSet
from obolint.resolve import collect_imports, module_name_for
from obolint.taint.context import ModuleContext
from obolint.taint.interpreter import ExpressionTooDeep
from obolint.taint.project import Project

MAX_FILE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ParsedFile:
    """A file that parsed: its display path, module name and syntax tree with positions."""

    path: str
    module_name: str
    module: cst.Module
    positions: dict
    imports: dict[str, str]


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
        return None, FileError(
            shown,
            f"file is not valid UTF-8 (byte {exc.start}); it was skipped. "
            "Save it as UTF-8 to have it analysed.",
            "encoding",
        )
    return text, None


def parse_source(path: Path, text: str, root: Path) -> tuple[ParsedFile | None, FileError | None]:
    """Parse text with LibCST and compute positions and imports."""
    shown = display_path(path)
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        return None, FileError(
            shown,
            f"syntax error at line {exc.raw_line}, column {exc.raw_column + 1}: "
            f"{str(exc.message).strip()}. Fix the syntax to have the file analysed.",
            "syntax",
        )
    except RecursionError:
        return None, FileError(
            shown, "file nests too deeply to parse; it was skipped.", "recursion"
        )
    except Exception as exc:  # noqa: BLE001 - a parser failure on one file must not stop a scan
        return None, FileError(shown, f"could not parse file ({exc}).", "syntax")
    try:
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = dict(wrapper.resolve(PositionProvider))
    except RecursionError:
        return None, FileError(
            shown, "file nests too deeply to analyse; it was skipped.", "recursion"
        )
    name, is_package = module_name_for(path, root)
    imports = collect_imports(module, name, is_package)
    return ParsedFile(shown, name, module, positions, imports), None


def display_path(path: Path) -> str:
    """The path as reports show it: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path.as_posix()
    if rel.startswith(".."):
        return Path(path).absolute().as_posix()
    return Path(rel).as_posix()


def scan(
    files: Sequence[Path],
    packs: PackSet,
    enabled_rules: Iterable[str],
    *,
    root: Path,
) -> ScanResult:
    """Analyse ``files`` as one project and return findings, per-file errors and stats."""
    started = time.perf_counter()
    result = ScanResult()
    project = Project(packs, enabled_rules)
    parsed = 0
    for path in files:
        text, error = read_source(path)
        if error is not None:
            result.errors.append(error)
            continue
        assert text is not None
        parsed_file, error = parse_source(path, text, root)
        if error is not None:
            result.errors.append(error)
            continue
        assert parsed_file is not None
        parsed += 1
        module_name = parsed_file.module_name
        if module_name in project.modules:
            # Two files map to one module name (scripts in different folders): keep both.
            module_name = f"{module_name}@{parsed_file.path}"
        project.add_module(
            ModuleContext(
                path=parsed_file.path,
                module_name=module_name,
                module=parsed_file.module,
                positions=parsed_file.positions,
                imports=parsed_file.imports,
                packs=packs,
                project=project,
            )
        )
    findings: list[Finding] = []
    try:
        findings = project.analyze()
    except (RecursionError, ExpressionTooDeep):
        result.errors.extend(_analyse_one_by_one(project, packs, enabled_rules, findings))
    result.findings = sorted(findings, key=Finding.sort_key)
    result.errors.sort(key=lambda e: e.path)
    result.stats = {
        "files": len(files),
        "files_analyzed": parsed,
        "files_with_errors": len(result.errors),
        "findings": len(result.findings),
        "duration_s": round(time.perf_counter() - started, 3),
    }
    return result


def _analyse_one_by_one(
    project: Project, packs: PackSet, enabled_rules: Iterable[str], findings: list[Finding]
) -> list[FileError]:
    """Fallback when project analysis hit a pathological file: isolate it, keep the rest."""
    errors: list[FileError] = []
    enabled = list(enabled_rules)
    for name in sorted(project.modules):
        ctx = project.modules[name]
        single = Project(packs, enabled)
        ctx.project = single
        ctx.functions.clear()
        ctx.classes.clear()
        single.add_module(ctx)
        try:
            findings.extend(single.analyze())
        except (RecursionError, ExpressionTooDeep):
            errors.append(
                FileError(
                    ctx.path,
                    "file nests too deeply to analyse (expression depth limit); it was skipped.",
                    "recursion",
                )
            )
    return errors
