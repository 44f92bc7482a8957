#!/usr/bin/env bash
# Build llama-cpp-python from the TRIMMED, hash-checked sdist (trim_sdist.py), offline.
#
#   bash installer/gpu-check/build_wheel.sh TRIMMED.tar.gz OUT_DIR [BUILD_ROOT]
#   GPUCHECK_BACKEND=cpu  bash installer/gpu-check/build_wheel.sh …   # the CPU dry run
#
# BUILD_ROOT (optional) keeps the unpacked source and CMake's build tree: a build cut short by
# the GPU check's deadline resumes where ninja stopped when the check runs again on the same
# machine. Without it, a temporary folder is used and removed.
#
# The same recipe as installer/build-llama-wheel.sh (GGML_NATIVE=OFF, GGML_BACKEND_DL=ON, CPU
# variants as separate libraries, GGML_CUDA_NO_VMM) so the runner's backend choice is tested
# as it ships, with three differences the GPU machine forces: the source is the trimmed copy
# carried in the working tree (no network there), CUDA is built for the one chip present
# (CMAKE_CUDA_ARCHITECTURES=90, Hopper), and cuBLAS is the machine's own — from the CUDA
# toolkit if it has one, else from the nvidia-cublas wheel installed in its Python.
# Environment: GPUCHECK_BACKEND (cuda|cpu, default cuda), GPUCHECK_CPU_VARIANTS (default
# "x64 haswell"), GPUCHECK_CUDA_ARCHS (default 90), GPUCHECK_JOBS (default: all cores),
# GPUCHECK_TRIMMED_SHA256 (default: the hash recorded in trimmed-sdist.sha256; "" skips).
set -euo pipefail

SRC_TGZ="${1:?usage: build_wheel.sh TRIMMED.tar.gz OUT_DIR}"
OUT="${2:?usage: build_wheel.sh TRIMMED.tar.gz OUT_DIR}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="${PYTHON:-python3}"
BACKEND="${GPUCHECK_BACKEND:-cuda}"
VARIANTS="${GPUCHECK_CPU_VARIANTS:-x64 haswell}"
JOBS="${GPUCHECK_JOBS:-$(nproc)}"
ALL_X86="x64 sse42 sandybridge ivybridge piledriver haswell skylakex cannonlake cascadelake icelake cooperlake zen4 alderlake sapphirerapids"
say() { printf '[build] %s\n' "$*" >&2; }

expected="${GPUCHECK_TRIMMED_SHA256-$(cut -d' ' -f1 "$HERE/trimmed-sdist.sha256" 2>/dev/null || true)}"
actual="$(sha256sum "$SRC_TGZ" | cut -d' ' -f1)"
if [ -n "$expected" ] && [ "$actual" != "$expected" ]; then
  say "trimmed sdist sha256 $actual is not the recorded $expected — refusing to build"; exit 3
fi
say "trimmed sdist sha256 $actual${expected:+ (matches the recorded hash)}"

mkdir -p "$OUT"
if [ -n "${3:-}" ]; then
  WORK="$3/$actual-$BACKEND-${VARIANTS// /_}"; mkdir -p "$WORK"; rm -rf "$WORK/wheel"
else
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/gpucheck-build.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
fi
patch_source() {  # CPU variants: keep $VARIANTS and install each (installer/build-llama-wheel.sh, steps 1–2)
  local src="$1" cmake="$1/vendor/llama.cpp/ggml/src/CMakeLists.txt" v kept
  for v in $ALL_X86; do
    case " $VARIANTS " in *" $v "*) ;; *) sed -i -E "/ggml_add_cpu_backend_variant\($v( |\))/d" "$cmake" ;; esac
  done
  kept=$(grep -cE 'ggml_add_cpu_backend_variant\(('"${ALL_X86// /|}"')( |\))' "$cmake")
  [ "$kept" -eq "$(echo $VARIANTS | wc -w)" ] || { say "variant list did not patch cleanly ($kept kept)"; return 1; }
  {
    echo ''
    echo '# added by gennai-desktop installer/gpu-check/build_wheel.sh: install the CPU variant backends'
    echo 'if (LLAMA_BUILD AND GGML_BACKEND_DL)'
    echo "  foreach(v $VARIANTS)"
    echo '    llama_cpp_python_install_target(ggml-cpu-${v})'
    echo '  endforeach()'
    echo 'endif()'
  } >>"$src/CMakeLists.txt"
}
if [ -f "$WORK/src.patched" ]; then
  say "resuming in $WORK (source unpacked and patched by an earlier run)"
else
  rm -rf "$WORK"/llama_cpp_python-* "$WORK/build"
  tar -xzf "$SRC_TGZ" -C "$WORK"
  patch_source "$(ls -d "$WORK"/llama_cpp_python-*)"
  touch "$WORK/src.patched"
fi
SRC="$(ls -d "$WORK"/llama_cpp_python-*)"

ARGS="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DLLAVA_BUILD=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF -DGGML_OPENMP=ON"
case "$BACKEND" in
  cpu) ;;
  cuda)
    for d in /usr/local/cuda/bin /usr/local/cuda-*/bin; do
      [ -x "$d/nvcc" ] && case ":$PATH:" in *":$d:"*) ;; *) PATH="$PATH:$d" ;; esac
    done
    command -v nvcc >/dev/null || { say "no nvcc found"; exit 4; }
    say "nvcc: $(nvcc --version | tail -n1)"
    ARGS="$ARGS -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=${GPUCHECK_CUDA_ARCHS:-90} -DGGML_CUDA_NO_VMM=ON"
    CUDA_HOME="${CUDA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")}"
    if ls "$CUDA_HOME"/lib64/libcublas.so* >/dev/null 2>&1 && [ -f "$CUDA_HOME/include/cublas_v2.h" ]; then
      say "cuBLAS: the CUDA toolkit's own ($CUDA_HOME)"
    else
      # the machine's Python carries NVIDIA's cuBLAS wheel (nvidia-cublas): headers and libraries
      # (``nvidia`` is a namespace package: every folder of it, wherever pip put it)
      roots="$("$PY" -c 'import nvidia; print(" ".join(nvidia.__path__))' 2>/dev/null || true)"
      hdr="$(find $roots -name cublas_v2.h 2>/dev/null | head -n1 || true)"
      lib="$(find $roots -name 'libcublas.so.*' 2>/dev/null | head -n1 || true)"
      [ -n "$hdr" ] && [ -n "$lib" ] || { say "no cuBLAS: neither in $CUDA_HOME nor in the nvidia wheels ($roots)"; exit 4; }
      links="$WORK/cublas-links"; mkdir -p "$links"
      ln -sf "$lib" "$links/libcublas.so"
      ln -sf "$(ls "$(dirname "$lib")"/libcublasLt.so.* | head -n1)" "$links/libcublasLt.so"
      inc="$(dirname "$hdr")"
      say "cuBLAS: nvidia-cublas wheel ($(dirname "$lib"))"
      ARGS="$ARGS -DCUDA_cublas_LIBRARY=$links/libcublas.so -DCUDA_cublasLt_LIBRARY=$links/libcublasLt.so -DCMAKE_CUDA_FLAGS=-I$inc -DCMAKE_CXX_FLAGS=-I$inc"
    fi
    ;;
  *) say "unknown GPUCHECK_BACKEND=$BACKEND (cuda|cpu)"; exit 2 ;;
esac

if [ "${GPUCHECK_CONFIGURE_ONLY:-}" = 1 ]; then   # tests: CMake's configure step alone, no compiling
  cmake -S "$SRC" -B "$WORK/configure" -G Ninja $ARGS
  say "configured in $WORK/configure"
  exit 0
fi

# offline: the GPU machine's Python has scikit-build-core, cmake and ninja; elsewhere pip
# may fetch them into an isolated build environment
ISOLATION="--no-build-isolation --no-index"     # --no-index: never wait on an unreachable index
"$PY" -c 'import scikit_build_core' 2>/dev/null || ISOLATION=""
say "building ($BACKEND; CPU variants: $VARIANTS; $JOBS jobs) ${ISOLATION:-with build isolation}"
start=$(date +%s)
# -v: ninja's [done/total] progress reaches the log, so a build cut short shows how far it got
CMAKE_ARGS="$ARGS" CMAKE_BUILD_PARALLEL_LEVEL="$JOBS" \
  "$PY" -m pip wheel -v --no-deps --no-cache-dir $ISOLATION --config-settings=build-dir="$WORK/build" \
  "$SRC" -w "$WORK/wheel"
whl="$(ls "$WORK"/wheel/llama_cpp_python-*.whl)"
"$PY" -m zipfile -l "$whl" >"$WORK/contents.txt"
for v in $VARIANTS; do
  grep -q "llama_cpp/lib/libggml-cpu-$v.so" "$WORK/contents.txt" || { say "wheel lacks libggml-cpu-$v.so"; exit 1; }
done
if [ "$BACKEND" = cuda ]; then
  grep -q "llama_cpp/lib/libggml-cuda.so" "$WORK/contents.txt" || { say "wheel lacks libggml-cuda.so"; exit 1; }
fi
rm -f "$OUT"/llama_cpp_python-*.whl
mv "$whl" "$OUT/"
say "built $(basename "$whl") in $(( $(date +%s) - start )) s"
