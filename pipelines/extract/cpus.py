"""How many CPUs this process may really use: what pools and ``--jobs`` default to."""

from __future__ import annotations

import math
import os
from pathlib import Path


def usable_cpus(cgroup_root: str | Path = "/sys/fs/cgroup") -> int:
    """CPUs this process may run on: its affinity mask (which taskset and cpusets narrow), capped
    by a cgroup CPU quota (``docker --cpus``, Kubernetes limits), rounded up."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    quota = cgroup_cpu_quota(cgroup_root)
    return max(1, min(cpus, math.ceil(quota))) if quota else cpus


def cgroup_cpu_quota(root: str | Path = "/sys/fs/cgroup", own: str | None = None) -> float | None:
    """CPUs' worth of time the cgroup limits allow this process, None for no limit: the smallest of
    cgroup v2 ``cpu.max`` ("QUOTA PERIOD") in its own cgroup (``own``, read from /proc/self/cgroup)
    and those above it, and cgroup v1 ``cpu.cfs_quota_us``/``cpu.cfs_period_us``. Files that are
    missing or do not read as expected count as no limit."""
    root = Path(root)
    own = _own_cgroup() if own is None else own
    here = root / own.strip("/")
    limits = [_ratio(_read(d / "cpu.max")) for d in (here, *here.parents) if d.is_relative_to(root)]
    for v1 in ("cpu", "cpu,cpuacct"):
        quota, period = _read(root / v1 / "cpu.cfs_quota_us"), _read(root / v1 / "cpu.cfs_period_us")
        limits.append(_ratio(quota + period))
    return min((limit for limit in limits if limit), default=None)


def _own_cgroup() -> str:
    """This process's cgroup v2 path ("0::/path" in /proc/self/cgroup), "/" when unknown."""
    for line in _read(Path("/proc/self/cgroup"), lines=True):
        if line.startswith("0::"):
            return line[3:]
    return "/"


def _read(path: Path, lines: bool = False) -> list[str]:
    try:
        text = path.read_text()
    except OSError:
        return []
    return text.splitlines() if lines else text.split()


def _ratio(fields: list[str]) -> float | None:
    """QUOTA/PERIOD of a cgroup limit; None for "max", -1 (v1's no limit) or anything unreadable."""
    try:
        quota, period = (int(f) for f in fields)
    except ValueError:  # "max", or not two integers
        return None
    return quota / period if quota > 0 and period > 0 else None
