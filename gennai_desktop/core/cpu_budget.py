"""How many CPU threads this app's native work (llama.cpp, ONNX Runtime) should use, and how
its idle threads should wait.

Why: officials' machines are busy — a 2–4 core desktop or a VDI session running mail, Teams
and a browser. llama.cpp's worker threads meet at a barrier after every graph node; with
OpenMP's default wait policy a thread that arrives early *spins* for a while, burning the
core another program (or its own sibling thread) needs. Measured on a shared 2-core machine
(``bench/bench_threads.py``, docs/runtime.md "Threads on a busy machine"), the old default —
2 threads, OpenMP's spinning — took 7–15× as long as 1 thread, and 16–51× as long as 2
threads that sleep while they wait.

So the default is chosen from that measurement: idle threads sleep instead of spinning
("passive"), and then one thread per physical core this process may use is the fastest in
every contention case measured (a busy scheduler shares the CPU per thread, so a second
thread that does not spin doubles the work done), at most ``MAX_DEFAULT_THREADS``. "The
cores this process may use" is the smallest of the CPU affinity mask (``sched_getaffinity``:
taskset, VDI pinning), the cgroup CPU quota (containers, systemd ``CPUQuota=``) and the
physical cores among them (SMT siblings share one core's arithmetic units). Both stay
settings (``n_threads``, ``thread_wait``).

Stdlib only: the OCR child (ocr/) and the runner child use it before their native
libraries load.
"""
from __future__ import annotations

import math
import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Literal

WaitPolicy = Literal["passive", "active", "system"]
WAIT_POLICIES: tuple[WaitPolicy, ...] = ("passive", "active", "system")
DEFAULT_WAIT_POLICY: WaitPolicy = "passive"
MAX_DEFAULT_THREADS = 8       # decode is memory-bound: more threads than this only contend

_CGROUP_ROOT = Path("/sys/fs/cgroup")
_SYS_CPU = Path("/sys/devices/system/cpu")


def allowed_cpus() -> list[int]:
    """CPU numbers this process may run on (the affinity mask; all CPUs where there is none)."""
    getaffinity = getattr(os, "sched_getaffinity", None)
    if getaffinity is not None:
        try:
            cpus = sorted(getaffinity(0))
            if cpus:
                return cpus
        except OSError:
            pass
    return list(range(os.cpu_count() or 1))


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _v2_limit(text: str | None) -> float | None:
    """cgroup v2 ``cpu.max``: "QUOTA PERIOD" or "max PERIOD"."""
    if not text:
        return None
    parts = text.split()
    if len(parts) != 2 or parts[0] == "max":
        return None
    try:
        quota, period = int(parts[0]), int(parts[1])
    except ValueError:
        return None
    return quota / period if quota > 0 and period > 0 else None


def _v1_limit(folder: Path) -> float | None:
    """cgroup v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` (-1: no quota)."""
    quota, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
    try:
        q, p = int(quota or "-1"), int(period or "0")
    except ValueError:
        return None
    return q / p if q > 0 and p > 0 else None


def cgroup_cpu_limit(root: Path = _CGROUP_ROOT, proc_cgroup: Path = Path("/proc/self/cgroup")) -> float | None:
    """CPUs' worth of time the cgroup quota allows this process (e.g. 1.5), None if unlimited.

    The quota may be set on the process's own cgroup or any ancestor, so every level from
    the process's cgroup up to the root counts (the smallest wins). Inside a container the
    paths in /proc/self/cgroup may not exist under /sys/fs/cgroup; the root's own files are
    then the container's."""
    text = _read(proc_cgroup)
    if text is None:
        return None
    limits: list[float] = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _id, controllers, rel = parts
        if controllers == "":                       # cgroup v2 (unified)
            base, read = root, (lambda d: _v2_limit(_read(d / "cpu.max")))
        elif "cpu" in controllers.split(","):       # cgroup v1 cpu controller
            base = next((root / name for name in ("cpu,cpuacct", "cpu", "cpuacct,cpu")
                         if (root / name).is_dir()), root / "cpu")
            read = _v1_limit
        else:
            continue
        folder = base / rel.lstrip("/")
        while True:
            value = read(folder)
            if value is not None:
                limits.append(value)
            if folder == base or base not in folder.parents:
                break
            folder = folder.parent
    return min(limits) if limits else None


def physical_cores(cpus: list[int], sys_cpu: Path = _SYS_CPU) -> int:
    """Distinct physical cores among ``cpus`` (SMT siblings counted once); len(cpus) if unknown."""
    cores: set[tuple[str, str]] = set()
    for n in cpus:
        topo = sys_cpu / f"cpu{n}" / "topology"
        core, pkg = _read(topo / "core_id"), _read(topo / "physical_package_id")
        if core is None or pkg is None:
            return len(cpus)
        cores.add((pkg, core))
    return len(cores) or len(cpus)


def usable_cpus() -> int:
    """Logical CPUs this process may use at all: the affinity mask, capped by the cgroup
    quota (a 1.5-CPU quota lets one thread run flat out, not two)."""
    n = len(allowed_cpus())
    quota = cgroup_cpu_limit()
    if quota is not None:
        n = min(n, max(1, math.floor(quota + 1e-6)))
    return max(1, n)


def usable_cores() -> int:
    """Physical cores among those (SMT siblings share one core's arithmetic units, which
    llama.cpp's matrix work saturates), within the same quota."""
    return max(1, min(physical_cores(allowed_cpus()), usable_cpus()))


def default_threads(cores: int | None = None) -> int:
    """Threads for native work when the setting says automatic (0): one per usable physical
    core, at most 8 — measured fastest with the passive wait policy, busy machine or not
    (bench/bench_threads.py)."""
    n = usable_cores() if cores is None else cores
    return max(1, min(MAX_DEFAULT_THREADS, n))


def choose_threads(setting: int) -> int:
    """The thread count to use: a positive setting, but never more than the CPUs this
    process may use (more only contend); 0 = ``default_threads``."""
    if setting > 0:
        return max(1, min(setting, usable_cpus()))
    return default_threads()


def openmp_environment(policy: WaitPolicy) -> dict[str, str]:
    """Environment that makes OpenMP (libgomp, llama.cpp's CPU threads) wait as ``policy``
    says; it must be set before the library loads. "system": OpenMP's own default."""
    if policy == "passive":
        return {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "0"}
    if policy == "active":
        return {"OMP_WAIT_POLICY": "ACTIVE"}
    return {}


def apply_openmp_environment(policy: WaitPolicy, environ: MutableMapping[str, str] | None = None) -> None:
    """Set the OpenMP wait variables in ``environ`` (default os.environ) for ``policy``;
    "system" leaves whatever the environment already says (ministry IT may set it)."""
    if policy == "system":
        return
    env = os.environ if environ is None else environ
    for key in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT"):
        env.pop(key, None)
    env.update(openmp_environment(policy))
