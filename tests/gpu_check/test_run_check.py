"""The whole GPU check on the CPU: installer/gpu-check/run.sh as the GPU machine runs it
(CPU backend, tiny models, the llama_cpp already installed), and the deadline: a build that
does not finish still leaves a report of what ran."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from gpu_check import run_check

REPO = Path(__file__).resolve().parents[2]
DRY_RUN = ["--backend", "cpu", "--build", "no", "--shapes", "tiny,tiny-tied", "--pp", "64", "--tg", "16",
           "--reps", "1", "--widths", "1,4", "--threads", "1"]


@pytest.mark.slow
def test_cpu_dry_run_of_run_sh_exercises_every_step_and_writes_the_report(tmp_path):
    out, work = tmp_path / "out", tmp_path / "work"
    env = {**os.environ, "PYTHON": sys.executable, "OUT": str(out), "GPUCHECK_WORK": str(work),
           "GPUCHECK_DEADLINE": "300"}
    res = subprocess.run(["bash", str(REPO / "installer" / "gpu-check" / "run.sh"), *DRY_RUN], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=400)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    rep = json.loads((out / "gpu-check.json").read_text(encoding="utf-8"))
    steps = {s["name"]: s["status"] for s in rep["steps"]}
    assert steps == {"machine": "ok", "generate models": "ok", "sdist": "skipped", "build": "skipped",
                     "import check": "ok", "measure tiny": "ok", "measure tiny-tied": "ok"}
    assert rep["finished"] and rep["build"]["installed"]["version"] == "0.3.36"
    rows = {r["model"]: r for r in rep["results"]}
    assert set(rows) == {"tiny", "tiny-tied"}
    for label, row in rows.items():
        measure = rep["models"][label]["measure"]
        assert {p: v["status"] for p, v in measure["phases"].items()} == dict.fromkeys(
            ("doctor", "single", "batched", "raw"), "ok")
        assert row["backend"] == "CPU" and row["layers"] == 0 and row["n_layers"] > 0
        assert row["pp_tps"] > 0 and row["tg_tps"] > 0 and row["raw_pp_tps"] > 0 and row["raw_tg_tps"] > 0
        assert set(row["batched"]) == {"1", "4"} and all(v > 0 for v in row["batched"].values())
        assert [b["batch_size"] for b in measure["batched"]] == [1, 4]
        assert measure["single"]["n_prompt_tokens"] == 64 and measure["single"]["n_tokens"] == 16
        assert {"pp_tps", "tg_tps", "batched_1", "batched_4"} <= set(row["ratios"])
        assert row["bytes_per_token"] > 0
        assert row["raw_fa_pp_tps"] > 0 and row["raw_fa_tg_tps"] > 0      # flash attention on, raw
        assert "実行方式: CPU" in measure["doctor"]["text"]
    text = (out / "gpu-check.txt").read_text(encoding="utf-8")
    assert "gennai doctor — tiny-tied" in text and "N=4" in text
    with tarfile.open(out / "logs.tar.gz") as tf:
        names = set(tf.getnames())
    assert {"state.json", "gguf_synth.log", "./tiny.measure.log", "./tiny.measure.json"} <= names
    assert (out / "run.log").is_file()
    assert len(list(out.iterdir())) <= 8          # what comes back from the GPU machine: 8 files at most


def test_a_build_that_does_not_finish_in_time_leaves_a_report_of_what_ran(tmp_path, monkeypatch):
    fake = tmp_path / "trimmed.tar.gz"
    fake.write_bytes(b"not really an sdist")
    recorded = tmp_path / "trimmed-sdist.sha256"
    recorded.write_text(f"{hashlib.sha256(fake.read_bytes()).hexdigest()}  trimmed.tar.gz\n", encoding="utf-8")
    slow = tmp_path / "slow_build.sh"          # a "compiler" it starts must not outlive the timeout
    pidfile = tmp_path / "compiler.pid"
    slow.write_text(f"echo compiling…\nsleep 60 &\necho $! > {pidfile}\nwait\n", encoding="utf-8")
    monkeypatch.setattr(run_check, "RECORDED_SHA", recorded)
    monkeypatch.setattr(run_check, "BUILD_SCRIPT", slow)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(REPO / "bench"), str(REPO)]))
    args = run_check.parse_args(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"), "--backend", "cpu",
                                 "--build", "yes", "--trimmed", str(fake), "--shapes", "tiny", "--build-timeout", "2",
                                 "--deadline", "120"])
    assert run_check.Check(args).main() == 1
    rep = json.loads((tmp_path / "out" / "gpu-check.json").read_text(encoding="utf-8"))
    steps = {s["name"]: s for s in rep["steps"]}
    assert steps["sdist"]["status"] == "ok" and steps["build"]["status"] == "timeout"
    assert steps["measure tiny"]["status"] == "skipped" and rep["finished"]
    assert rep["build"]["status"] == "timeout" and "compiling" in rep["build"]["log_tail"]
    assert any("step build: timeout" in p for p in rep["problems"])
    assert "build                  timeout" in (tmp_path / "out" / "gpu-check.txt").read_text(encoding="utf-8")
    assert not _alive(int(pidfile.read_text()))


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as ended)."""
    for _ in range(50):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                state = fh.read().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        if state == "Z":
            return False
        time.sleep(0.1)
    return True


def test_a_tampered_trimmed_sdist_is_not_built(tmp_path, monkeypatch):
    fake = tmp_path / "trimmed.tar.gz"
    fake.write_bytes(b"changed after prepare.sh recorded its hash")
    recorded = tmp_path / "trimmed-sdist.sha256"
    recorded.write_text("0" * 64 + "  trimmed.tar.gz\n", encoding="utf-8")
    monkeypatch.setattr(run_check, "RECORDED_SHA", recorded)
    monkeypatch.setattr(run_check, "BUILD_SCRIPT", tmp_path / "must-not-run.sh")
    args = run_check.parse_args(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"), "--backend", "cpu",
                                 "--build", "yes", "--trimmed", str(fake), "--shapes", "tiny", "--deadline", "60"])
    assert run_check.Check(args).main() == 1
    rep = json.loads((tmp_path / "out" / "gpu-check.json").read_text(encoding="utf-8"))
    steps = {s["name"]: s for s in rep["steps"]}
    assert steps["sdist"]["status"] == "failed" and "is not the recorded" in steps["sdist"]["detail"]
    assert "build" not in steps and steps["measure tiny"]["status"] == "skipped"
    assert rep["sdist"]["matches"] is False


def test_a_run_stopped_from_outside_stops_its_children_and_still_writes_the_report(tmp_path):
    fake = tmp_path / "trimmed.tar.gz"
    fake.write_bytes(b"stand-in")
    recorded = tmp_path / "trimmed-sdist.sha256"
    recorded.write_text(f"{hashlib.sha256(fake.read_bytes()).hexdigest()}  trimmed.tar.gz\n", encoding="utf-8")
    pidfile = tmp_path / "compiler.pid"
    slow = tmp_path / "slow_build.sh"
    slow.write_text(f"sleep 120 &\necho $! > {pidfile}\nwait\n", encoding="utf-8")
    code = (f"import sys; from pathlib import Path; import gpu_check.run_check as r; "
            f"r.BUILD_SCRIPT = Path({str(slow)!r}); r.RECORDED_SHA = Path({str(recorded)!r}); "
            f"sys.exit(r.main(sys.argv[1:]))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "bench"), str(REPO)])}
    proc = subprocess.Popen([sys.executable, "-c", code, "--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"),
                             "--backend", "cpu", "--build", "yes", "--trimmed", str(fake), "--shapes", "tiny"], env=env)
    try:
        for _ in range(300):                  # until the build step has started its "compiler"
            if pidfile.is_file() and pidfile.read_text().strip():
                break
            time.sleep(0.1)
        proc.send_signal(15)                  # what run.sh's outer `timeout` sends
        assert proc.wait(timeout=60) == 2
    finally:
        if proc.poll() is None:
            proc.kill()
    rep = json.loads((tmp_path / "out" / "gpu-check.json").read_text(encoding="utf-8"))
    assert rep["finished"] and rep["steps"][-1]["name"] == "run" and rep["steps"][-1]["status"] == "killed"
    assert {s["name"]: s["status"] for s in rep["steps"]}["build"] == "killed"
    assert not _alive(int(pidfile.read_text()))
