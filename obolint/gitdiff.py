"""Lines changed since a git ref, for ``check --diff-base``: findings elsewhere are not shown.

The base is ``git merge-base REF HEAD`` (what a pull request adds, whatever landed on the
target branch since), compared with the work tree, so committed, staged and unstaged edits
count alike; untracked files count as wholly changed.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from obolint.discovery import _git_environment

_TIMEOUT_SECONDS = 120
_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_FETCH_HINT = (
    "In GitHub Actions, check out with `fetch-depth: 0` (or fetch the base branch) so that "
    "the ref and its history are present."
)


class GitDiffError(Exception):
    """git is missing, this is not a repository, or the ref is unknown; ``str()`` says which."""


@dataclass
class ChangedLines:
    """Changed lines per file (real paths); ``None`` means the whole file is new."""

    files: dict[str, set[int] | None] = field(default_factory=dict)

    def touches(self, path: str, first: int, last: int | None = None) -> bool:
        """Whether any of lines ``first``..``last`` of ``path`` changed."""
        key = os.path.realpath(path)
        if key not in self.files:
            return False
        lines = self.files[key]
        if lines is None:
            return True
        return any(line in lines for line in range(first, max(first, last or first) + 1))


def changed_lines(ref: str, directory: Path) -> ChangedLines:
    """Lines changed in the work tree at ``directory`` since ``git merge-base REF HEAD``."""
    top = _git(directory, "rev-parse", "--show-toplevel", failure=_not_a_repository(directory))
    top_dir = Path(top.strip())
    if ref.startswith("-"):
        raise GitDiffError(f"--diff-base {ref!r} is not a git ref. Name a branch or a commit.")
    _git(
        top_dir,
        "rev-parse",
        "--verify",
        "--quiet",
        f"{ref}^{{commit}}",
        failure=f"git does not know the ref {ref!r}. Check the name or fetch it first "
        f"(`git fetch origin main`). {_FETCH_HINT}",
    )
    base = _git(
        top_dir,
        "merge-base",
        ref,
        "HEAD",
        failure=f"{ref!r} and HEAD have no common ancestor here; the clone is probably "
        f"shallow. {_FETCH_HINT}",
    ).strip()
    diff = _git(
        top_dir,
        "-c",
        "core.quotePath=false",
        "diff",
        "--unified=0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        base,
        "--",
        failure=f"git diff against {ref!r} failed.",
    )
    changed = ChangedLines()
    for relative, lines in parse_unified_diff(diff).items():
        changed.files[os.path.realpath(top_dir / relative)] = lines
    untracked = _git(
        top_dir,
        "ls-files",
        "--others",
        "--exclude-standard",
        "-z",
        failure="git ls-files failed.",
    )
    for relative in untracked.split("\0"):
        if relative:
            changed.files[os.path.realpath(top_dir / relative)] = None
    return changed


def parse_unified_diff(text: str) -> dict[str, set[int]]:
    """New-side line numbers added or changed per file in ``git diff --unified=0`` output."""
    files: dict[str, set[int]] = {}
    current: set[int] | None = None
    old_left = new_left = 0
    for line in text.split("\n"):
        if old_left or new_left:  # inside a hunk: content lines, never headers
            if line.startswith("-"):
                old_left -= 1
            elif line.startswith("+"):
                new_left -= 1
            elif line.startswith(" "):
                old_left, new_left = old_left - 1, new_left - 1
            continue
        if line.startswith("+++ "):
            target = _unquote(line[4:].rstrip("\t"))
            current = None if target == "/dev/null" else files.setdefault(target[2:], set())
        elif line.startswith("@@ ") and current is not None:
            match = _HUNK.match(line)
            if match is None:
                continue
            old_count = int(match[1]) if match[1] is not None else 1
            start = int(match[2])
            new_count = int(match[3]) if match[3] is not None else 1
            current.update(range(start, start + new_count))
            old_left, new_left = old_count, new_count
    return files


def _unquote(path: str) -> str:
    """A path as git prints it: C-quoted (``"a\\tb"``) when it holds special characters."""
    if not (len(path) >= 2 and path.startswith('"') and path.endswith('"')):
        return path
    out = bytearray()
    body, index = path[1:-1], 0
    while index < len(body):
        char = body[index]
        if char != "\\" or index + 1 == len(body):
            out += char.encode("utf-8", "surrogateescape")
            index += 1
        elif body[index + 1 : index + 4].isdigit():  # an octal byte: \303
            out.append(int(body[index + 1 : index + 4], 8) & 0xFF)
            index += 4
        else:
            escaped = body[index + 1]
            out += _C_ESCAPES.get(escaped, escaped).encode("utf-8", "surrogateescape")
            index += 2
    return out.decode("utf-8", "surrogateescape")


def _not_a_repository(directory: Path) -> str:
    return (
        f"{directory} is not inside a git work tree; --diff-base compares with a git ref, so "
        "run it in a clone (or drop the option)."
    )


def _git(directory: Path, *args: str, failure: str) -> str:
    try:
        completed = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            env=_git_environment(),
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise GitDiffError(
            "git is not installed or not on PATH; --diff-base needs it. Install git or drop "
            "the option."
        ) from None
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitDiffError(f"could not run git ({exc}). {failure}") from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        suffix = f" (git said: {detail[-1]})" if detail else ""
        raise GitDiffError(f"{failure}{suffix}")
    return completed.stdout.decode("utf-8", "surrogateescape")
