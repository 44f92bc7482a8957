"""The GPU check, step by step under one deadline; the report is rewritten after every step.

    python -m gpu_check.run_check --out OUT --work WORK [--backend cuda|cpu] [--build auto|yes|no]
        [--shapes 0.3B,3B,8B] [--quant Q4_K_M] [--deadline 560] [--build-timeout 400] …

Steps: machine facts → GGUF generation (in the background, smallest model first, while the
build runs) → build llama-cpp-python from the trimmed sdist (``installer/gpu-check/
build_wheel.sh``; ``auto`` reuses a wheel an earlier run on this machine built from the same
archive) → import check of the built package → device copy bandwidth (PyTorch, if present)
→ per model ``gpu_check.measure`` (doctor, single stream, batched, raw) → final report.
Every step has a timeout cut to what is left of ``--deadline``, keeping ``--reserve`` seconds
for the report, so a slow build or a hung runner still leaves a report of what ran.
``installer/gpu-check/run.sh`` starts this on the GPU machine; docs/gpu-check.md has the CPU
dry run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from . import report

REPO = Path(__file__).resolve().parents[2]
TRIMMED = REPO / "installer" / "gpu-check" / ".carry" / "llama_cpp_python-0.3.36-trimmed.tar.gz"
BUILD_SCRIPT = REPO / "installer" / "gpu-check" / "build_wheel.sh"
RECORDED_SHA = REPO / "installer" / "gpu-check" / "trimmed-sdist.sha256"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _cmd_line(cmd: list[str], first: bool = False, timeout: float = 20) -> str | None:
    """One line of a tool's version output (the last, or the first), or None."""
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (res.stdout or res.stderr).strip().splitlines()
    return (text[0] if first else text[-1]).strip() if text else None


class StepFailed(Exception):
    """A step's own failure, with what to show in the report."""


class Check:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.t0 = time.monotonic()
        self.deadline = self.t0 + args.deadline
        self.work: Path = args.work
        self.out: Path = args.out
        self.env = dict(os.environ)
        self.env.setdefault("GENNAI_HOME", str(self.work / f"home-{int(time.time())}"))
        self.state: dict[str, Any] = {"started": _now(), "updated": _now(), "finished": None, "elapsed_s": 0.0,
                                      "options": {k: (str(v) if isinstance(v, Path) else v)
                                                  for k, v in vars(args).items()},
                                      "machine": {}, "steps": [], "sdist": None, "build": None,
                                      "bandwidth": None, "models": {}}
        self.gen_proc: subprocess.Popen | None = None
        self.children: list[subprocess.Popen] = []      # running process groups, killed on exit
        self.stopping = False                            # SIGTERM received (run.sh's outer timeout)

    # -- bookkeeping --

    def on_sigterm(self, signum: int, _frame: Any) -> None:
        """Stop every process group now; the main thread then unwinds at its next check.

        Raising from the handler could land between starting a process and recording it (its
        group would outlive the run); a flag checked after each start and wait cannot."""
        self.stopping = True
        for proc in [*self.children, *([self.gen_proc] if self.gen_proc else [])]:
            try:                  # no waiting here: the main thread may be inside proc.wait()
                os.killpg(proc.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass

    def check_stop(self) -> None:
        if self.stopping:
            raise KeyboardInterrupt("SIGTERM")

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def budget(self, cap: float) -> float:
        """Seconds a step may take: its cap, cut to the deadline minus the report's reserve."""
        return max(1.0, min(cap, self.remaining() - self.args.reserve))

    def save(self) -> None:
        self.state["updated"] = _now()
        self.state["elapsed_s"] = round(time.monotonic() - self.t0, 1)
        self.work.mkdir(parents=True, exist_ok=True)
        (self.work / "state.json").write_text(json.dumps(self.state, ensure_ascii=False, indent=1, default=str),
                                              encoding="utf-8")
        report.write(self.state, self.out)

    def step(self, name: str, fn: Callable[[], Any]) -> Any:
        self.check_stop()
        t0 = time.perf_counter()
        entry: dict[str, Any] = {"name": name, "status": "running", "seconds": None, "detail": None}
        self.state["steps"].append(entry)
        self.save()
        try:
            value = fn()
            entry["status"] = "ok"
            if isinstance(value, str):
                entry["detail"] = value
            return value
        except subprocess.TimeoutExpired as exc:
            entry.update(status="timeout", detail=f"after {exc.timeout:.0f} s")
        except StepFailed as exc:
            entry.update(status="failed", detail=str(exc)[-800:])
        except Exception as exc:  # noqa: BLE001 - recorded; later steps decide whether to go on
            entry.update(status="failed", detail=f"{type(exc).__name__}: {exc}"[-800:])
        except KeyboardInterrupt:
            entry.update(status="killed", detail="stopped from outside (SIGTERM)")
            raise
        finally:
            entry["seconds"] = round(time.perf_counter() - t0, 1)
            self.save()
        return None

    def skip(self, name: str, why: str) -> None:
        self.state["steps"].append({"name": name, "status": "skipped", "seconds": 0.0, "detail": why})
        self.save()

    def run(self, cmd: list[str], cap: float, log: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        """Run ``cmd`` in its own process group, for at most ``budget(cap)`` seconds.

        On timeout the whole group is killed — the compilers under pip, the runner under a
        measurement — so nothing keeps loading the CPUs or holding GPU memory afterwards."""
        timeout = self.budget(cap)
        fh = open(log, "w", encoding="utf-8") if log is not None else None  # noqa: SIM115 - closed below
        try:
            proc = subprocess.Popen(cmd, stdout=fh or subprocess.PIPE, stderr=subprocess.STDOUT if fh else subprocess.PIPE,
                                    text=True, env=env or self.env, start_new_session=True)
            self.children.append(proc)
            try:
                self.check_stop()         # a SIGTERM that came while the process was starting
                out, err = proc.communicate(timeout=timeout)
                self.check_stop()         # the handler stopped the group: this step was cut, not failed
            except BaseException:         # the timeout, or the stop
                _kill_group(proc)
                proc.communicate()
                raise
            finally:
                self.children.remove(proc)
            return subprocess.CompletedProcess(cmd, proc.returncode, out, err)
        finally:
            if fh is not None:
                fh.close()

    # -- steps --

    def machine(self) -> str:
        from gennai_desktop.llm.doctor import _cpu_name, nvidia_gpus
        nvcc = shutil.which("nvcc") or next((str(p) for p in Path("/usr/local").glob("cuda*/bin/nvcc")), None)
        m = {"gpus": nvidia_gpus(), "cpu": _cpu_name(), "cores": os.cpu_count(),
             "python": f"{platform.python_version()} ({sys.executable})", "platform": platform.platform(),
             "nvcc": _cmd_line([nvcc, "--version"]) if nvcc else None,
             "cmake": _cmd_line(["cmake", "--version"], first=True) if shutil.which("cmake") else None,
             "disk_free_gb": round(shutil.disk_usage(self.work).free / 1e9, 1)}
        self.state["machine"] = m
        return ", ".join(g["name"] for g in m["gpus"]) or "no NVIDIA GPU"

    def start_generation(self) -> str:
        models = self.work / "models"
        models.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "gpu_check.gguf_synth", "--quant", self.args.quant, "--out", str(models)]
        for s in self.args.shapes:
            cmd += ["--shape", s]
        log = open(self.work / "gguf_synth.log", "w", encoding="utf-8")  # noqa: SIM115 - lives with the process
        self.gen_proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                         start_new_session=True)
        self.check_stop()
        return f"pid {self.gen_proc.pid}: {', '.join(self.args.shapes)} ({self.args.quant})"

    def wait_model(self, shape: str) -> dict[str, Any]:
        from .gguf_synth import existing
        path = self.work / "models" / f"{shape}-{self.args.quant}.gguf"
        while True:
            facts = existing(path, shape, self.args.quant)
            if facts is not None:
                return facts
            if self.gen_proc is not None and self.gen_proc.poll() is not None:
                tail = (self.work / "gguf_synth.log").read_text(encoding="utf-8", errors="replace")[-600:]
                raise StepFailed(f"the generator ended (exit {self.gen_proc.returncode}) without {path.name}: {tail}")
            if self.remaining() < self.args.reserve:
                raise subprocess.TimeoutExpired(["gguf_synth", shape], self.args.deadline)
            self.check_stop()
            time.sleep(0.5)

    def sdist(self) -> str:
        trimmed = Path(self.args.trimmed)
        if not trimmed.is_file():
            raise StepFailed(f"{trimmed} is missing: run installer/gpu-check/prepare.sh and carry .carry")
        import hashlib
        h = hashlib.sha256(trimmed.read_bytes()).hexdigest()
        want = RECORDED_SHA.read_text(encoding="utf-8").split()[0] if RECORDED_SHA.is_file() else None
        self.state["sdist"] = {"path": str(trimmed), "bytes": trimmed.stat().st_size, "sha256": h,
                               "recorded_sha256": want, "matches": h == want}
        if h != want:
            raise StepFailed(f"trimmed sdist sha256 {h} is not the recorded {want}")
        return f"sha256 {h[:16]}… matches the record"

    def build(self) -> str:
        backend = self.args.backend
        variants = self.env.get("GPUCHECK_CPU_VARIANTS", "x64 haswell")
        wheel_dir = self.work / "wheel"
        recipe = {"trimmed_sha256": (self.state.get("sdist") or {}).get("sha256"), "backend": backend,
                  "variants": variants, "archs": self.env.get("GPUCHECK_CUDA_ARCHS", "90")}
        info = {"backend": backend, "trimmed_sha256": recipe["trimmed_sha256"], "variants": variants}
        self.state["build"] = info
        marker = wheel_dir / "recipe.json"
        wheels = sorted(wheel_dir.glob("llama_cpp_python-*.whl"))
        if self.args.build == "auto" and wheels and marker.is_file() and \
                json.loads(marker.read_text(encoding="utf-8")) == recipe:
            info.update(status="reused", wheel=wheels[-1].name, seconds=0.0)
        else:
            marker.unlink(missing_ok=True)
            env_extra = {"GPUCHECK_BACKEND": backend, "GPUCHECK_CPU_VARIANTS": variants, "PYTHON": sys.executable}
            self.env.update(env_extra)
            t0 = time.perf_counter()
            log = self.work / "build.log"
            try:
                # the build tree is kept in WORK: a rerun on this machine resumes a build cut short
                res = self.run(["bash", str(BUILD_SCRIPT), str(self.args.trimmed), str(wheel_dir),
                                str(self.work / "build-tree")], self.args.build_timeout, log=log)
            except subprocess.TimeoutExpired:
                info.update(status="timeout", seconds=round(time.perf_counter() - t0, 1), log_tail=_tail(log))
                raise
            info["seconds"] = round(time.perf_counter() - t0, 1)
            info["log_tail"] = _tail(log, 30)
            if res.returncode != 0:
                info["status"] = "failed"
                raise StepFailed(f"build_wheel.sh exit {res.returncode}: {_tail(log, 12)}")
            wheels = sorted(wheel_dir.glob("llama_cpp_python-*.whl"))
            marker.write_text(json.dumps(recipe), encoding="utf-8")
            info.update(status="built", wheel=wheels[-1].name)
        site = self.work / "site"
        shutil.rmtree(site, ignore_errors=True)
        res = self.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--no-compile",
                        "--target", str(site), str(wheels[-1])], 120)
        if res.returncode != 0:
            raise StepFailed(f"pip install of the wheel failed: {res.stderr[-500:]}")
        self.env["PYTHONPATH"] = os.pathsep.join([str(site)] + [p for p in self.env.get("PYTHONPATH", "").split(os.pathsep) if p])
        return f"{info['status']} {info['wheel']} in {info['seconds']} s"

    def import_check(self) -> str:
        code = ("import json, llama_cpp; from gennai_desktop.llm import cpu_variants as c; l = c.runtime_layout();"
                "print(json.dumps({'version': llama_cpp.__version__, 'file': llama_cpp.__file__,"
                "'cpu_variants': list(l.cpu_variants) if l else None, 'gpu_backends': list(l.gpu_backends) if l else None}))")
        res = self.run([sys.executable, "-c", code], 60)
        if res.returncode != 0:
            raise StepFailed(res.stderr[-600:])
        found = json.loads(res.stdout.strip().splitlines()[-1])
        if self.state.get("build") is None:
            self.state["build"] = {"backend": self.args.backend, "status": "not built (--build no)"}
        self.state["build"]["installed"] = found
        if self.args.backend == "cuda":
            if "cuda" not in (found.get("gpu_backends") or []):
                raise StepFailed(f"the installed llama_cpp has no CUDA backend: {found}")
            # does libggml-cuda.so load with the library path the machine started with (as on an
            # official's workstation), and with run.sh's (toolkit + NVIDIA wheels)?
            probe = "from gennai_desktop.llm import cpu_variants as c; print(c.load_backends(None, 'cuda').get('gpu'))"
            for key, ld in (("cuda_loads_as_shipped", self.env.get("GPUCHECK_BASE_LD_LIBRARY_PATH", "")),
                            ("cuda_loads_with_run_sh_path", self.env.get("LD_LIBRARY_PATH", ""))):
                r = self.run([sys.executable, "-c", probe], 60, env={**self.env, "LD_LIBRARY_PATH": ld})
                found[key] = r.stdout.strip().endswith("cuda")
            if not found["cuda_loads_with_run_sh_path"]:
                raise StepFailed(f"libggml-cuda.so does not load: {found}")
        return (f"llama_cpp {found['version']} at {found['file']}; GPU backends {found['gpu_backends']}"
                + (f"; CUDA loads without run.sh's library path: {found['cuda_loads_as_shipped']}"
                   if "cuda_loads_as_shipped" in found else ""))

    def bandwidth(self) -> str:
        # PyTorch brings its own CUDA libraries: the machine's own library path, not run.sh's
        env = {**self.env, "LD_LIBRARY_PATH": self.env.get("GPUCHECK_BASE_LD_LIBRARY_PATH", "")}
        res = self.run([sys.executable, "-m", "gpu_check.bound"], 90, env=env)
        data = json.loads(res.stdout.strip().splitlines()[-1]) if res.stdout.strip() else {"error": res.stderr[-300:]}
        self.state["bandwidth"] = data
        if "copy_gbs" not in data:
            raise StepFailed(str(data.get("error")))
        return f"{data['copy_gbs']} GB/s device-to-device copy ({data.get('device')})"

    def measure(self, shape: str, n_left: int) -> str:
        from .bound import bytes_per_token
        entry = self.state["models"].setdefault(shape, {})
        entry["gen"] = self.wait_model(shape)
        path = Path(entry["gen"]["path"])
        entry["per_token"] = bytes_per_token(path, self.args.pp + self.args.tg / 2)
        out = self.work / f"{shape}.measure.json"
        out.unlink(missing_ok=True)
        cap = max(30.0, self.remaining() - self.args.reserve - self.args.min_model_s * (n_left - 1))
        cmd = [sys.executable, "-m", "gpu_check.measure", "--model", str(path), "--out", str(out),
               "--label", shape, "--reps", str(self.args.reps), "--pp", str(self.args.pp), "--tg", str(self.args.tg),
               "--widths", ",".join(map(str, self.args.widths)), "--n-ctx", str(self.args.n_ctx),
               "--threads", str(self.args.threads),
               "--raw-timeout", str(max(20.0, cap / 2))]
        try:
            res = self.run(cmd, cap, log=self.work / f"{shape}.measure.log")
        finally:
            if out.is_file():
                entry["measure"] = json.loads(out.read_text(encoding="utf-8"))
        m = entry.get("measure") or {}
        if res.returncode != 0:
            bad = {k: v.get("error") for k, v in (m.get("phases") or {}).items() if v.get("status") != "ok"}
            raise StepFailed(f"exit {res.returncode}; failed phases {bad or '?'}; "
                             f"{_tail(self.work / f'{shape}.measure.log', 6)}")
        s = m.get("single") or {}
        return f"pp {s.get('pp_tps')} t/s, tg {s.get('tg_tps')} t/s"

    # -- the whole run --

    def main(self) -> int:
        self.work.mkdir(parents=True, exist_ok=True)
        # the outer `timeout` (run.sh) sends SIGTERM: stop the children, keep the report
        signal.signal(signal.SIGTERM, self.on_sigterm)
        try:
            return self._steps()
        except KeyboardInterrupt:
            self.state["steps"].append({"name": "run", "status": "killed", "seconds": None,
                                        "detail": "terminated from outside before the deadline"})
            return 2
        finally:
            for proc in [*self.children, *([self.gen_proc] if self.gen_proc else [])]:
                if proc.poll() is None:
                    _kill_group(proc)
            self.state["finished"] = self.state["finished"] or _now()
            self.save()

    def _steps(self) -> int:
        self.step("machine", self.machine)
        self.step("generate models", self.start_generation)
        ok = True
        if self.args.build == "no":
            self.skip("sdist", "--build no: the llama_cpp already installed is used")
            self.skip("build", "--build no")
        else:
            ok = self.step("sdist", self.sdist) is not None
            ok = ok and self.step("build", self.build) is not None
        ok = ok and self.step("import check", self.import_check) is not None
        if self.args.backend == "cuda":
            self.step("bandwidth", self.bandwidth)
        for i, shape in enumerate(self.args.shapes):
            if not ok:
                self.skip(f"measure {shape}", "no usable llama_cpp (see the steps above)")
                continue
            if self.remaining() < self.args.reserve + 10:
                self.skip(f"measure {shape}", "out of time")
                continue
            self.step(f"measure {shape}", lambda s=shape, n=len(self.args.shapes) - i: self.measure(s, n))
        self.state["finished"] = _now()
        bad = [s for s in self.state["steps"] if s["status"] not in ("ok", "skipped")]
        return 1 if bad else 0


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the process group ``proc`` leads, SIGKILL after 5 s."""
    for sig, wait in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(path: Path, n: int = 20) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="report folder ($OUT on the GPU machine)")
    ap.add_argument("--work", type=Path, required=True, help="models, wheel, logs (kept for a rerun)")
    ap.add_argument("--backend", choices=("cuda", "cpu"), default="cuda")
    ap.add_argument("--build", choices=("auto", "yes", "no"), default="auto")
    ap.add_argument("--trimmed", type=Path, default=TRIMMED)
    ap.add_argument("--shapes", type=lambda s: [x for x in s.split(",") if x], default=["0.3B", "3B", "8B"])
    ap.add_argument("--quant", default="Q4_K_M")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--pp", type=int, default=512)
    ap.add_argument("--tg", type=int, default=128)
    ap.add_argument("--widths", type=lambda s: [int(x) for x in s.split(",") if x], default=[1, 4, 8, 16])
    ap.add_argument("--n-ctx", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=0, help="llama.cpp threads (0: the app's default)")
    ap.add_argument("--deadline", type=float, default=560.0, help="seconds for the whole run")
    ap.add_argument("--build-timeout", type=float, default=400.0)
    ap.add_argument("--reserve", type=float, default=10.0, help="seconds kept for the final report")
    ap.add_argument("--min-model-s", type=float, default=35.0, help="time kept for each later model")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return Check(parse_args(argv)).main()


if __name__ == "__main__":
    sys.exit(main())
