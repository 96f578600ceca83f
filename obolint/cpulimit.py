"""The CPU quota of this process's control group (Linux): how many CPUs' worth of time a
container may use.

A container started with ``docker run --cpus=2`` or a Kubernetes CPU limit sees every CPU of
its host (``os.cpu_count()`` and the affinity mask say 64) but may use two CPUs' worth of time.
A pool of 64 workers there is throttled to that and holds 64 parse workers' memory: a CI pod
with a memory limit is killed. Rust's ``available_parallelism`` (which Ruff uses), the JVM
and Go read the quota the same way: ``cpu.max`` (cgroup v2) or ``cpu.cfs_quota_us`` and
``cpu.cfs_period_us`` (v1), in this process's group and every group above it up to the
mount point, the smallest quota winning.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from pathlib import Path

PROC_SELF = Path("/proc/self")


def cgroup_cpu_limit(proc_self: Path = PROC_SELF) -> float | None:
    """The CPUs' worth of time this process's control groups allow, or None when none sets a
    quota (or this is not Linux, or the files cannot be read)."""
    try:
        groups = (proc_self / "cgroup").read_text(encoding="utf-8")
        mounts = (proc_self / "mountinfo").read_text(encoding="utf-8")
        limits = [
            limit
            for directory, mount_point, version in _cpu_groups(groups, mounts)
            for limit in _quotas_up_to_mount(directory, mount_point, version)
        ]
    except (OSError, ValueError):  # unreadable, or not what the kernel writes
        return None
    return min(limits) if limits else None


def _cpu_groups(groups: str, mounts: str) -> list[tuple[Path, Path, int]]:
    """For the v2 group and the v1 ``cpu`` group of this process: the group's directory, the
    mount point of its hierarchy, and the cgroup version."""
    paths = _group_paths(groups)
    mounted = _hierarchy_mounts(mounts, paths.keys())
    found: list[tuple[Path, Path, int]] = []
    for version, path in paths.items():
        # The mount whose part of the hierarchy holds the group; else (a cgroup namespace, or
        # a group outside every mounted part) the first mount point, the nearest group this
        # process can read.
        for root, mount_point in mounted.get(version, []):
            relative = posixpath.relpath(path, root)
            if relative != ".." and not relative.startswith("../"):
                found.append((mount_point / relative, mount_point, version))
                break
        else:
            if version in mounted:
                mount_point = mounted[version][0][1]
                found.append((mount_point, mount_point, version))
    return found


def _group_paths(groups: str) -> dict[int, str]:
    """From ``/proc/self/cgroup``: cgroup version (2, or 1 for the ``cpu`` controller) -> the
    path of this process's group in that hierarchy."""
    paths: dict[int, str] = {}
    for line in groups.splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if not path.startswith("/"):
            continue  # not a group path (a malformed or emulated /proc)
        if hierarchy == "0" and controllers == "":
            paths[2] = path
        elif "cpu" in controllers.split(","):
            paths[1] = path
    return paths


def _hierarchy_mounts(mounts: str, versions: Iterable[int]) -> dict[int, list[tuple[str, Path]]]:
    """From ``/proc/self/mountinfo``: per cgroup version, the mounts of its hierarchy (the
    root within the hierarchy, the mount point)."""
    wanted = set(versions)
    mounted: dict[int, list[tuple[str, Path]]] = {}
    for line in mounts.splitlines():
        fields = line.split(" ")  # single spaces: a field may be empty
        if "-" not in fields[4:]:
            continue
        after = fields[fields.index("-", 4) + 1 :]
        if not after:
            continue
        options = after[2].split(",") if len(after) > 2 else []
        kind = after[0]
        version = 2 if kind == "cgroup2" else 1 if kind == "cgroup" and "cpu" in options else 0
        if version in wanted:
            mounted.setdefault(version, []).append(
                (_unescape(fields[3]), Path(_unescape(fields[4])))
            )
    return mounted


def _quotas_up_to_mount(directory: Path, mount_point: Path, version: int) -> list[float]:
    """The quotas (in CPUs) set on the group and each of its ancestors up to the mount point."""
    quotas: list[float] = []
    while True:
        quota = _quota(directory, version)
        if quota is not None:
            quotas.append(quota)
        if directory == mount_point or directory.parent == directory:
            return quotas
        directory = directory.parent


def _quota(directory: Path, version: int) -> float | None:
    """The quota one group sets, in CPUs, if any."""
    try:
        if version == 2:
            quota, _, period = (directory / "cpu.max").read_text(encoding="ascii").partition(" ")
        else:
            quota = (directory / "cpu.cfs_quota_us").read_text(encoding="ascii")
            period = (directory / "cpu.cfs_period_us").read_text(encoding="ascii")
        allowed, every = int(quota), int(period)
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
        return None  # "max" (v2) is no quota; so are a missing file and -1 (v1, below)
    return allowed / every if allowed > 0 and every > 0 else None


def _unescape(field: str) -> str:
    """A mountinfo path field: spaces, tabs, newlines and backslashes are octal escapes."""
    for escaped, plain in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(escaped, plain)
    return field
