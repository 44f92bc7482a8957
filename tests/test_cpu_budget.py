"""core.cpu_budget: the CPUs this process may use, and the thread default they give."""
from __future__ import annotations

from pathlib import Path

from gennai_desktop.core import cpu_budget as cb


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v2_quota_on_an_ancestor_counts(tmp_path):
    root = tmp_path / "cg"
    write(root / "user.slice" / "cpu.max", "150000 100000\n")          # 1.5 CPUs for the slice
    write(root / "user.slice" / "app.scope" / "cpu.max", "max 100000\n")
    write(tmp_path / "self", "0::/user.slice/app.scope\n")
    assert cb.cgroup_cpu_limit(root, tmp_path / "self") == 1.5


def test_cgroup_v2_container_root_and_no_limit(tmp_path):
    root = tmp_path / "cg"
    write(root / "cpu.max", "200000 100000\n")                          # the container's own files
    write(tmp_path / "self", "0::/\n")
    assert cb.cgroup_cpu_limit(root, tmp_path / "self") == 2.0
    write(root / "cpu.max", "max 100000\n")
    assert cb.cgroup_cpu_limit(root, tmp_path / "self") is None


def test_cgroup_v1_cfs_quota(tmp_path):
    root = tmp_path / "cg"
    write(root / "cpu,cpuacct" / "docker" / "abc" / "cpu.cfs_quota_us", "300000\n")
    write(root / "cpu,cpuacct" / "docker" / "abc" / "cpu.cfs_period_us", "100000\n")
    write(tmp_path / "self", "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n")
    assert cb.cgroup_cpu_limit(root, tmp_path / "self") == 3.0
    write(root / "cpu,cpuacct" / "docker" / "abc" / "cpu.cfs_quota_us", "-1\n")
    assert cb.cgroup_cpu_limit(root, tmp_path / "self") is None


def test_physical_cores_count_smt_siblings_once(tmp_path):
    for cpu, core in ((0, 0), (1, 1), (2, 0), (3, 1)):               # 2 cores, 2 threads each
        write(tmp_path / f"cpu{cpu}" / "topology" / "core_id", f"{core}\n")
        write(tmp_path / f"cpu{cpu}" / "topology" / "physical_package_id", "0\n")
    assert cb.physical_cores([0, 1, 2, 3], tmp_path) == 2
    assert cb.physical_cores([0, 2], tmp_path) == 1                     # pinned to one core's two threads
    assert cb.physical_cores([0, 9], tmp_path) == 2                     # unknown topology: count CPUs


def test_default_is_the_usable_cores_capped(monkeypatch):
    assert [cb.default_threads(n) for n in (1, 2, 3, 4, 16, 64)] == [1, 2, 3, 4, 8, 8]
    monkeypatch.setattr(cb, "allowed_cpus", lambda: [0, 1, 2, 3])
    monkeypatch.setattr(cb, "physical_cores", lambda cpus: 4)
    monkeypatch.setattr(cb, "cgroup_cpu_limit", lambda: 1.5)            # a 1.5-CPU container
    assert cb.usable_cpus() == 1 and cb.usable_cores() == 1
    assert cb.choose_threads(0) == 1 and cb.choose_threads(8) == 1
    monkeypatch.setattr(cb, "cgroup_cpu_limit", lambda: None)
    assert cb.choose_threads(0) == 4 and cb.choose_threads(2) == 2 and cb.choose_threads(32) == 4
    monkeypatch.setattr(cb, "physical_cores", lambda cpus: 2)            # 4 CPUs, SMT: 2 cores
    assert cb.choose_threads(0) == 2 and cb.choose_threads(4) == 4


def test_openmp_environment_per_policy():
    env = {"OMP_WAIT_POLICY": "ACTIVE", "GOMP_SPINCOUNT": "99", "PATH": "/bin"}
    cb.apply_openmp_environment("passive", env)
    assert env == {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "0", "PATH": "/bin"}
    cb.apply_openmp_environment("active", env)
    assert env == {"OMP_WAIT_POLICY": "ACTIVE", "PATH": "/bin"}
    cb.apply_openmp_environment("system", env)                           # what IT set stays
    assert env == {"OMP_WAIT_POLICY": "ACTIVE", "PATH": "/bin"}


def test_the_system_wait_policy_keeps_what_it_set_through_the_sandbox(monkeypatch):
    """'system' promises OpenMP's default or IT's variables; the children's allow-listed
    environment dropped GOMP_SPINCOUNT."""
    from gennai_desktop.core import sandbox
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    monkeypatch.setenv("GOMP_SPINCOUNT", "1000")
    env = sandbox.child_env()
    cb.apply_openmp_environment("system", env)
    assert env["OMP_WAIT_POLICY"] == "ACTIVE" and env["GOMP_SPINCOUNT"] == "1000"
