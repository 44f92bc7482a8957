#!/usr/bin/env bash
# The GPU check (issue 26), run on the GPU machine from the repository root in ONE call:
#
#   bash installer/gpu-check/run.sh [run_check options]      # carry: installer/gpu-check/.carry
#
# Prepared beforehand by installer/gpu-check/prepare.sh (trimmed sdist + wheels in .carry).
# It installs the carried wheels, builds llama-cpp-python for CUDA from the trimmed sdist,
# writes random-weight 0.3B/3B/8B Q4_K_M GGUFs, and measures each through the app's runner
# (bench/gpu_check/run_check.py). The report — gpu-check.json and gpu-check.txt — is
# rewritten in $OUT after every step, so even a run cut short leaves what it measured.
# Everything it makes stays in installer/gpu-check/.work (git-ignored): a second run on the
# same (still warm) machine reuses the wheel and the models and takes a few minutes less.
#
# Environment: OUT (report folder; default .work/out), PYTHON (default python3),
# GPUCHECK_DEADLINE (seconds for the whole run, default 560: inside a 600-second call),
# GPUCHECK_CPU_VARIANTS, GPUCHECK_CUDA_ARCHS, GPUCHECK_JOBS (see build_wheel.sh).
# CPU dry run (no GPU, tiny models; docs/gpu-check.md):
#   PYTHON=.venv/bin/python bash installer/gpu-check/run.sh --backend cpu --shapes tiny,tiny-tied \
#       --pp 64 --tg 16 --reps 1 --widths 1,4 --threads 1
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
WORK="${GPUCHECK_WORK:-$HERE/.work}"
OUT="${OUT:-$WORK/out}"
DEADLINE="${GPUCHECK_DEADLINE:-560}"
prev=""
for arg in "$@"; do    # a --deadline given to run_check also sets the outer safety timeout
  case "$prev" in --deadline) DEADLINE="${arg%.*}" ;; esac
  case "$arg" in --deadline=*) DEADLINE="${arg#--deadline=}"; DEADLINE="${DEADLINE%.*}" ;; esac
  prev="$arg"
done
mkdir -p "$WORK" "$OUT"
exec > >(tee "$OUT/run.log") 2>&1
say() { printf '[gpu-check] %s %s\n' "$(date -u +%H:%M:%S)" "$*"; }
say "start: $(uname -srm), $(nproc) cores, python $("$PY" -V 2>&1), deadline ${DEADLINE}s"

# 1. the carried pure-Python wheels (gguf, diskcache): nothing can be downloaded here
if ls "$HERE"/.carry/wheels/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target "$WORK/site-carry" "$HERE"/.carry/wheels/*.whl || say "WARNING: carried wheels did not install"
else
  say "no carried wheels in $HERE/.carry/wheels (prepare.sh): using what this Python has"
fi

# 2. CUDA: nvcc on PATH; the runtime libraries llama.cpp's CUDA backend links (cudart from the
#    toolkit, cuBLAS from the toolkit or NVIDIA's wheel in this Python) on the library path.
#    The library path the machine started with is kept: the check also records whether the
#    CUDA backend loads without this help, as an official's machine would run it.
export GPUCHECK_BASE_LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}"
for d in /usr/local/cuda/bin /usr/local/cuda-*/bin; do
  [ -x "$d/nvcc" ] && case ":$PATH:" in *":$d:"*) ;; *) PATH="$PATH:$d" ;; esac
done
export PATH
cuda_libs="$("$PY" - <<'PY'
from pathlib import Path
dirs = [d for d in ("/usr/local/cuda/lib64",) if Path(d).is_dir()]
try:
    import nvidia                      # NVIDIA's wheels: a namespace package
    roots = [Path(p) for p in nvidia.__path__]
except ImportError:
    roots = []
for root in roots:
    for pat in ("libcudart.so.*", "libcublas.so.*", "libcublasLt.so.*"):
        dirs += [str(p.parent) for p in sorted(root.rglob(pat))]
print(":".join(dict.fromkeys(dirs)))
PY
)"
export LD_LIBRARY_PATH="${cuda_libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
say "library path for CUDA: ${cuda_libs:-none found}"

export PYTHONPATH="$WORK/site-carry:$ROOT/bench:$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export GENNAI_HOME="$WORK/home-$(date +%s)"
export PYTHONUNBUFFERED=1

# 3. the check itself, under its own deadline (the outer timeout is only a safety net)
timeout -k 20 $((DEADLINE + 25)) "$PY" -m gpu_check.run_check --out "$OUT" --work "$WORK" --deadline "$DEADLINE" "$@"
rc=$?
say "run_check exit $rc"
(cd "$WORK" && tar -czf "$OUT/logs.tar.gz" --ignore-failed-read state.json build.log gguf_synth.log ./*.measure.log ./*.measure.json 2>/dev/null)
[ -f "$OUT/gpu-check.txt" ] && cat "$OUT/gpu-check.txt"
exit $rc
