"""Runtime benchmark: the two ratios the portable runtime must hold, printed in one run.

  1. portable ÷ native   decode tokens/s of the CPU variant our wheel picks here ÷ a ggml CPU
                          backend compiled with -march=native for this machine (minus AMX tiles)
                          — target ≥ 0.95. The native library comes from
                          bench/build_native_cpu.sh (built on demand into bench/out/).
  2. runner ÷ in-process  decode tokens/s through the runner process (tokens over a pipe) ÷
                          the same engine in this process — target ≥ 0.97.

Same model (the bundled Gemma 3 270M unless --model), same prompt, greedy, same thread count;
each measurement runs in a fresh process per variant, A and B alternate, medians reported.

    python bench/bench_runtime.py [--reps 5] [--tokens 128] [--threads 2] [--native LIB.so]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROMPT = ("次の文章を読んで、要点を箇条書きにしてください。\n"
          "文章：地方公共団体は、住民の福祉の増進を図ることを基本として、地域における行政を自主的かつ"
          "総合的に実施する役割を広く担うものとする。\n要点：\n・")

CHILD = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from gennai_desktop.llm.base import GenerationParams, ModelSpec
mode, model, tokens, threads, reps = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
spec = ModelSpec(id="bench", path=Path(model), name_ja="bench", name_en="bench")
import os
variant = os.environ.get("BENCH_CPU_VARIANT") or None
if mode == "runner":
    from gennai_desktop.llm.runner import RunnerEngine, RuntimeConfig
    eng = RunnerEngine(spec, n_threads=threads, n_ctx=1024, configs=[RuntimeConfig(variant, None)])
else:
    from gennai_desktop.llm import cpu_variants
    cpu_variants.load_backends(variant)      # before llama.cpp loads, as the runner does
    from gennai_desktop.llm.engine import LlamaEngine
    eng = LlamaEngine(spec, n_threads=threads, n_ctx=1024)
eng.load()
params = GenerationParams(max_tokens=tokens, temperature=0.0, repeat_penalty=1.0, detect_degenerate=False)
out = []
for _ in range(reps + 1):
    gen = eng.generate(sys.argv[7], params)
    t0 = time.perf_counter(); first = None; n = 0
    for _piece in gen:
        n += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    out.append({"decode_tps": (gen.n_tokens - 1) / (end - first) if first and end > first else 0.0,
                "n_tokens": gen.n_tokens, "text": gen.text})
eng.close()
print(json.dumps(out[1:]))  # the first run warms caches
"""


def measure(mode: str, variant: str, model: Path, tokens: int, threads: int, reps: int) -> list[dict]:
    env = dict(os.environ, BENCH_CPU_VARIANT=variant)
    res = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), mode, str(model), str(tokens), str(threads),
                          str(reps), PROMPT], capture_output=True, text=True, env=env, timeout=900)
    if res.returncode != 0:
        raise SystemExit(f"{mode}/{variant} failed ({res.returncode}): {res.stderr[-800:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def pair(a: tuple[str, str], b: tuple[str, str], model: Path, tokens: int, threads: int, reps: int,
         rounds: int) -> tuple[float, float, bool]:
    """Alternate A and B in fresh processes; return median tps of each and whether texts agree."""
    ta, tb, same = [], [], True
    for _ in range(rounds):
        ra = measure(a[0], a[1], model, tokens, threads, reps)
        rb = measure(b[0], b[1], model, tokens, threads, reps)
        ta += [r["decode_tps"] for r in ra]
        tb += [r["decode_tps"] for r in rb]
        same &= ra[0]["text"] == rb[0]["text"]
    return statistics.median(ta), statistics.median(tb), same


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", type=Path)
    ap.add_argument("--native", type=Path, help="a native libggml-cpu .so (default: build into bench/out/)")
    ap.add_argument("--only", choices=("native", "runner"), help="measure one of the two ratios")
    args = ap.parse_args()
    from gennai_desktop.llm import cpu_variants
    from gennai_desktop.llm.bundled import ensure_bundled_model
    model = args.model or ensure_bundled_model()
    layout = cpu_variants.runtime_layout()
    portable = cpu_variants.eligible_variants(layout)[0]
    native = args.native or ROOT / "bench" / "out" / "native-cpu" / "libggml-cpu-native.so"
    if args.only != "runner" and not native.is_file():
        print(f"building the native CPU backend for comparison → {native} …", file=sys.stderr)
        subprocess.run(["bash", str(ROOT / "bench" / "build_native_cpu.sh"), str(native.parent)], check=True,
                       stdout=subprocess.DEVNULL)
    print(f"model {model.name}, {args.tokens} tokens greedy, {args.threads} threads, "
          f"{args.rounds}×{args.reps} runs each, portable variant = {portable}")
    if args.only != "runner":
        p, n, same = pair(("inproc", portable), ("inproc", str(native)), model, args.tokens, args.threads,
                          args.reps, args.rounds)
        print(f"portable ({portable}) {p:.1f} tok/s, native {n:.1f} tok/s, ratio {p / n:.3f} (target ≥ 0.95)"
              f"{'' if same else ' [outputs differ]'}")
    if args.only == "native":
        return 0
    r, i, same = pair(("runner", portable), ("inproc", portable), model, args.tokens, args.threads,
                          args.reps, args.rounds)
    print(f"runner {r:.1f} tok/s, in-process {i:.1f} tok/s, ratio {r / i:.3f} (target ≥ 0.97)"
          f"{'' if same else ' [outputs differ]'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
