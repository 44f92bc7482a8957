"""Measure one model through the project's own runner, then raw llama-cpp-python, as JSON.

    python -m gpu_check.measure --model M.gguf --out M.measure.json [--reps 3] [--pp 512]
        [--tg 128] [--widths 1,4,8,16] [--n-ctx 4096] [--raw-timeout 120]

Phases, each written to ``--out`` as soon as it ends (a timeout leaves what ran):
1. doctor — ``llm.doctor.build_report`` on a ``RunnerEngine`` (the app's path: backend and
   CPU variant chosen by the runner, layers from free VRAM), plus the GPU memory the runner
   process holds (nvidia-smi);
2. single — one stream: a prompt of ``pp`` tokens, then ``tg`` generated tokens, greedy;
   prompt tokens/s as the runner measures its prefill, decode tokens/s from the first to the
   last token this process receives over the pipe; ``reps`` runs after one warm-up;
3. batched — ``llm.batch.generate_batch`` with N distinct short prompts, N = ``widths``, each
   generating ``tg`` tokens; aggregate decode tokens/s = generated tokens ÷ (wall − prompt
   time); two runs per N, the first includes making the batch context ("cold");
4. raw — ``raw_bench`` in its own process on the same file, runtime configuration and
   prompts (llama.cpp's C API from Python, no runner, no pipe): the denominator of the
   runner-vs-raw ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from .prompts import batch_prompts, letters

BATCH_PROMPT_LEN = 31     # + BOS = 32 prompt tokens per sequence


def nvidia_process_mib(pid: int | None) -> dict[str, Any]:
    """GPU memory used in all and by ``pid`` (MiB), from nvidia-smi; {} without one."""
    exe = shutil.which("nvidia-smi")
    if not exe:
        return {}
    out: dict[str, Any] = {}
    try:
        g = subprocess.run([exe, "--query-gpu=memory.used,memory.total", "--format=csv,noheader,nounits"],
                           capture_output=True, text=True, timeout=15).stdout.strip().splitlines()
        if g:
            used, total = (int(float(x)) for x in g[0].split(","))
            out.update(gpu_used_mib=used, gpu_total_mib=total)
        apps = subprocess.run([exe, "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits"],
                              capture_output=True, text=True, timeout=15).stdout
        for line in apps.strip().splitlines():
            parts = [p.strip() for p in line.split(",")]
            if len(parts) == 2 and pid is not None and parts[0] == str(pid):
                out["runner_mib"] = int(float(parts[1]))
    except (OSError, ValueError, subprocess.TimeoutExpired):
        pass
    return out


class Recorder:
    """The result document, rewritten atomically after every phase."""

    def __init__(self, path: Path, doc: dict[str, Any]) -> None:
        self.path, self.doc = path, doc
        self.save()

    def save(self) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.doc, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
        tmp.replace(self.path)

    def phase(self, name: str, fn) -> Any:
        t0 = time.perf_counter()
        try:
            value = fn()
            self.doc[name] = value
            self.doc.setdefault("phases", {})[name] = {"status": "ok", "seconds": round(time.perf_counter() - t0, 2)}
            return value
        except BaseException as exc:  # noqa: BLE001 - recorded, then the next phase still runs
            self.doc.setdefault("phases", {})[name] = {
                "status": "failed", "seconds": round(time.perf_counter() - t0, 2),
                "error": f"{type(exc).__name__}: {exc}"[:500], "trace": traceback.format_exc()[-1500:]}
            if isinstance(exc, KeyboardInterrupt):
                raise
            return None
        finally:
            self.save()


def _params(tg: int):
    from gennai_desktop.llm.base import GenerationParams
    return GenerationParams(max_tokens=tg, temperature=0.0, repeat_penalty=1.0, detect_degenerate=False)


def doctor_phase(eng, spec, n_ctx: int) -> dict[str, Any]:
    from gennai_desktop.llm import doctor
    report = doctor.build_report(spec, engine=eng, n_gpu_layers=-1, n_ctx=n_ctx)
    return {"report": report, "text": doctor.format_report(report), "exit_status": doctor.exit_status(report),
            "vram": nvidia_process_mib(eng.pid), "runtime_config": eng.config.key if eng.config else None,
            "load_seconds": eng.load_seconds,
            # the layers the app decided from free VRAM (RuntimeOptions), before llama.cpp applies them
            "auto_gpu_layers": eng.options.n_gpu_layers if getattr(eng, "options", None) else None}


def single_phase(eng, pp: int, tg: int, reps: int) -> dict[str, Any]:
    runs = []
    for rep in range(reps + 1):              # run 0 warms up (prefill slice size, caches)
        gen = eng.generate(letters(rep, pp - 1), _params(tg))
        first = last = None
        for _piece in gen:
            last = time.perf_counter()
            if first is None:
                first = last
        decode = (gen.n_tokens - 1) / (last - first) if first and last and last > first and gen.n_tokens > 1 else 0.0
        runs.append({"warmup": rep == 0, "n_prompt_tokens": gen.n_prompt_tokens, "n_tokens": gen.n_tokens,
                     "prompt_seconds": round(gen.prompt_seconds, 4), "seconds": round(gen.seconds, 4),
                     "pp_tps": round(gen.n_prompt_tokens / gen.prompt_seconds, 1) if gen.prompt_seconds else 0.0,
                     "tg_tps": round(decode, 2), "stop_reason": gen.stop_reason})
    timed = [r for r in runs if not r["warmup"]] or runs
    return {"runs": runs, "pp_tps": statistics.median(r["pp_tps"] for r in timed),
            "tg_tps": statistics.median(r["tg_tps"] for r in timed),
            "n_prompt_tokens": timed[0]["n_prompt_tokens"], "n_tokens": timed[0]["n_tokens"]}


def batched_phase(eng, widths: list[int], tg: int) -> list[dict[str, Any]]:
    from gennai_desktop.llm.batch import generate_batch
    out = []
    for n in widths:
        runs = []
        for rep in range(2):
            prompts = batch_prompts(n, BATCH_PROMPT_LEN, salt=10 * n + rep)
            t0 = time.perf_counter()
            run = generate_batch(eng, prompts, _params(tg), batch_size=n if n > 1 else None)
            for _k, _piece in run:
                pass
            wall = time.perf_counter() - t0
            results = [r for r in run.results if r is not None]
            tokens = sum(r.n_tokens for r in results)
            prompt_s = float(getattr(run, "prompt_seconds", 0.0) or 0.0)
            runs.append({"cold": rep == 0, "batch_size": run.batch_size, "n_tokens": tokens, "wall": round(wall, 4),
                         "prompt_seconds": round(prompt_s, 4),
                         "aggregate_tps": round(tokens / (wall - prompt_s), 1) if wall > prompt_s else 0.0,
                         "e2e_tps": round(tokens / wall, 1) if wall else 0.0,
                         "stop_reasons": sorted({str(r.stop_reason) for r in results})})
        out.append({"n": n, "runs": runs, **{k: runs[-1][k] for k in ("aggregate_tps", "e2e_tps", "batch_size")}})
    return out


def raw_phase(model: Path, config: str | None, args) -> dict[str, Any]:
    """``raw_bench`` in a fresh process with the runtime configuration the runner used."""
    env = dict(os.environ)
    variant, _, gpu = (config or "").partition("+")
    env.pop("GENNAI_CPU_VARIANT", None)
    env.pop("GENNAI_GPU_BACKEND", None)
    if variant and variant != "builtin":
        env["GENNAI_CPU_VARIANT"] = variant
    if gpu and gpu != "cpu":
        env["GENNAI_GPU_BACKEND"] = gpu
    cmd = [sys.executable, "-m", "gpu_check.raw_bench", "--model", str(model), "--pp", str(args.pp),
           "--tg", str(args.tg), "--reps", str(args.reps), "--n-ctx", str(args.n_ctx),
           "--widths", ",".join(map(str, args.widths)), "--threads", str(args.threads)]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=args.raw_timeout)
    if res.returncode != 0:
        raise RuntimeError(f"raw_bench exit {res.returncode}: {res.stderr[-800:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def ratios(doc: dict[str, Any]) -> dict[str, Any]:
    """Runner ÷ raw for every figure both sides measured."""
    single, raw, batched = doc.get("single") or {}, doc.get("raw") or {}, doc.get("batched") or []
    out: dict[str, Any] = {}
    for key in ("pp_tps", "tg_tps"):
        if single.get(key) and raw.get(key):
            out[key] = round(single[key] / raw[key], 3)
    raw_b = {b["n"]: b for b in raw.get("batched") or []}
    for b in batched:
        r = raw_b.get(b["n"])
        if r and r.get("aggregate_tps") and b.get("aggregate_tps"):
            out[f"batched_{b['n']}"] = round(b["aggregate_tps"] / r["aggregate_tps"], 3)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--pp", type=int, default=512)
    ap.add_argument("--tg", type=int, default=128)
    ap.add_argument("--widths", type=lambda s: [int(x) for x in s.split(",") if x], default=[1, 4, 8, 16])
    ap.add_argument("--n-ctx", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=0, help="0: the engine's default")
    ap.add_argument("--raw-timeout", type=float, default=120.0)
    ap.add_argument("--skip-raw", action="store_true")
    args = ap.parse_args(argv)

    from gennai_desktop.llm.base import ModelSpec
    from gennai_desktop.llm.runner import RunnerEngine
    spec = ModelSpec(id=f"gpu-check-{args.label or args.model.stem}", path=args.model.resolve(),
                     name_ja=args.model.stem, name_en=args.model.stem, context_length=args.n_ctx)
    rec = Recorder(args.out, {"model": str(args.model), "label": args.label, "pp": args.pp, "tg": args.tg,
                              "reps": args.reps, "widths": args.widths, "n_ctx": args.n_ctx})
    eng = RunnerEngine(spec, n_gpu_layers=-1, n_threads=args.threads, n_ctx=args.n_ctx)
    try:
        rec.phase("doctor", lambda: doctor_phase(eng, spec, args.n_ctx))
        rec.phase("single", lambda: single_phase(eng, args.pp, args.tg, args.reps))
        rec.phase("batched", lambda: batched_phase(eng, args.widths, args.tg))
        rec.doc["notices"] = list(eng.notices)
        config = eng.config.key if eng.config else None
    finally:
        eng.close()
    if not args.skip_raw:
        rec.phase("raw", lambda: raw_phase(args.model, config, args))
    rec.doc["ratios"] = ratios(rec.doc)
    rec.save()
    failed = [k for k, v in rec.doc.get("phases", {}).items() if v["status"] != "ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
