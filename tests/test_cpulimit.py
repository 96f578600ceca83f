"""The default number of jobs follows a container's CPU quota (cgroup v1 and v2)."""

from __future__ import annotations

import pytest

from obolint import parallel
from obolint.cpulimit import cgroup_cpu_limit


def _proc(tmp_path, cgroup: str, mountinfo: str):
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "cgroup").write_text(cgroup)
    (proc / "mountinfo").write_text(mountinfo)
    return proc


def _v2(tmp_path, group_path: str, limits: dict[str, str]):
    """A cgroup v2 hierarchy mounted at tmp/cg with ``cpu.max`` per group (relative path)."""
    mount = tmp_path / "cg"
    for relative, value in limits.items():
        directory = mount / relative if relative else mount
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "cpu.max").write_text(value + "\n")
    (mount / group_path.strip("/")).mkdir(parents=True, exist_ok=True)
    mountinfo = f"30 23 0:26 / {mount} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
    return _proc(tmp_path, f"0::{group_path}\n", mountinfo)


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ({"": "max 100000", "pod/app": "200000 100000"}, 2.0),  # docker --cpus=2
        ({"pod": "150000 100000", "pod/app": "max 100000"}, 1.5),  # set on a parent group
        ({"pod": "400000 100000", "pod/app": "100000 100000"}, 1.0),  # the smallest wins
        ({"pod/app": "max 100000"}, None),  # no quota
        ({"pod/app": "garbage"}, None),
    ],
)
def test_cgroup_v2_quota(tmp_path, limits, expected):
    assert cgroup_cpu_limit(_v2(tmp_path, "/pod/app", limits)) == expected


def test_cgroup_v2_in_a_namespace_reads_the_mount_point(tmp_path):
    # Inside a container with its own cgroup namespace the group is "/": its quota is on the
    # mount point itself.
    assert cgroup_cpu_limit(_v2(tmp_path, "/", {"": "50000 100000"})) == 0.5


def test_cgroup_v1_quota_beside_other_controllers(tmp_path):
    mount = tmp_path / "cpu cpuacct"  # a space: mountinfo escapes it
    group = mount / "docker" / "abc"
    group.mkdir(parents=True)
    (group / "cpu.cfs_quota_us").write_text("300000\n")
    (group / "cpu.cfs_period_us").write_text("100000\n")
    (mount / "cpu.cfs_quota_us").write_text("-1\n")
    (mount / "cpu.cfs_period_us").write_text("100000\n")
    escaped = str(mount).replace(" ", "\\040")
    mountinfo = (
        f"40 30 0:35 / {tmp_path}/memory rw - cgroup cgroup rw,memory\n"
        f"41 30 0:36 / {escaped} rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
    )
    proc = _proc(tmp_path, "5:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n", mountinfo)
    assert cgroup_cpu_limit(proc) == 3.0


def test_the_mount_holding_the_group_is_used(tmp_path):
    # Two mounts of the v2 hierarchy: one of another part of it (listed first), one of all of
    # it; and an empty mount source, which splitting on any whitespace would lose.
    whole, other = tmp_path / "cg", tmp_path / "other"
    (whole / "pod" / "app").mkdir(parents=True)
    (whole / "pod" / "app" / "cpu.max").write_text("300000 100000\n")
    (other / "cpu.max").parent.mkdir(parents=True)
    (other / "cpu.max").write_text("50000 100000\n")
    mountinfo = (
        f"29 23 0:26 /elsewhere {other} rw - cgroup2 cgroup2 rw\n"
        f"30 23 0:26 / {whole} rw shared:9 - cgroup2  rw,nsdelegate\n"
    )
    assert cgroup_cpu_limit(_proc(tmp_path, "0::/pod/app\n", mountinfo)) == 3.0


@pytest.mark.parametrize("cgroup", ["0::\n", "3:cpu,cpuacct:\n0\n", "garbage\n", ""])
def test_malformed_cgroup_files_mean_no_limit(tmp_path, cgroup):
    mountinfo = f"30 23 0:26 / {tmp_path} rw - cgroup2 cgroup2 rw\n"
    (tmp_path / "cpu.max").write_text("100000 100000\n")
    assert cgroup_cpu_limit(_proc(tmp_path, cgroup, mountinfo)) is None


def test_no_cgroup_files_means_no_limit(tmp_path):
    assert cgroup_cpu_limit(tmp_path / "missing") is None


@pytest.mark.parametrize(
    ("quota", "expected"), [(None, 8), (2.0, 2), (1.5, 2), (0.3, 1), (64.0, 8)]
)
def test_default_jobs_is_the_affinity_capped_by_the_quota(monkeypatch, quota, expected):
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    monkeypatch.setattr(parallel, "cgroup_cpu_limit", lambda: quota)
    assert parallel.default_jobs() == expected
