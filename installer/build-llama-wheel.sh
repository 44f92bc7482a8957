#!/usr/bin/env bash
# Build a PORTABLE llama-cpp-python wheel: one wheel that runs on every x86-64 machine.
#
#   bash installer/build-llama-wheel.sh OUT_DIR            # CPU build (default)
#   GENNAI_LLAMA_BACKEND=cuda   bash installer/build-llama-wheel.sh OUT_DIR
#   GENNAI_LLAMA_BACKEND=vulkan bash installer/build-llama-wheel.sh OUT_DIR
#
# Why: llama.cpp's default build targets the build machine's own CPU (GGML_NATIVE). A wheel built that way on ministry IT's
# build machine (or on a VM whose CPU advertises AMX that the hypervisor does not enable) dies
# with SIGILL on officials' laptops. Instead we build the way llama.cpp's own releases do:
# GGML_NATIVE=OFF, GGML_BACKEND_DL=ON and several CPU variants (x64 baseline … AVX2 … AVX-512 …
# AMX) as separate libggml-cpu-<variant>.so files; gennai_desktop.llm.cpu_variants picks, at run
# time, the best variant that the CPU *and the operating system* allow.
#
# llama-cpp-python 0.3.36's CMakeLists installs only a single `ggml-cpu` library, so the
# variant libraries are added to its install list here (a two-line append, checked below), and
# the variant list is trimmed to GENNAI_CPU_VARIANTS to keep the build inside CI's time.
# The sdist is verified by sha256 before anything is built.
set -euo pipefail

OUT="${1:?usage: build-llama-wheel.sh OUT_DIR}"
PY="${PYTHON:-python3}"
LLAMA_VERSION="0.3.36"
LLAMA_SDIST_SHA256="832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e"
BACKEND="${GENNAI_LLAMA_BACKEND:-cpu}"
# Variants built (names as in ggml/src/CMakeLists.txt): by default all 14 x86 ones, as in
# llama.cpp's releases. x64 is the baseline that runs anywhere; haswell covers AVX2 laptops;
# alderlake AVX-VNNI; skylakex…zen4 AVX-512; sapphirerapids AMX (used only where the OS enables
# AMX tiles). A shorter list (GENNAI_CPU_VARIANTS="x64 haswell …") builds faster.
ALL_X86="x64 sse42 sandybridge ivybridge piledriver haswell skylakex cannonlake cascadelake icelake cooperlake zen4 alderlake sapphirerapids"
VARIANTS="${GENNAI_CPU_VARIANTS:-$ALL_X86}"

say() { printf '[llama-wheel] %s\n' "$*" >&2; }

CMAKE_ARGS_COMMON="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DLLAVA_BUILD=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF -DGGML_OPENMP=ON"
case "$BACKEND" in
  cpu)    CMAKE_ARGS_BACKEND="" ;;
  cuda)   # Hopper (90), Ada (89), Ampere (80/86); see docs/runtime.md for cuBLAS paths.
          CMAKE_ARGS_BACKEND="-DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=${GENNAI_CUDA_ARCHS:-80;86;89;90} -DGGML_CUDA_NO_VMM=ON ${GENNAI_CUDA_CMAKE_EXTRA:-}" ;;
  vulkan) CMAKE_ARGS_BACKEND="-DGGML_VULKAN=ON" ;;
  *) say "unknown GENNAI_LLAMA_BACKEND=$BACKEND (cpu|cuda|vulkan)"; exit 2 ;;
esac
WORK="$(mktemp -d "${TMPDIR:-/tmp}/gennai-llama-build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
if [ "$BACKEND" = cuda ] && [ -z "${GENNAI_CUDA_CMAKE_EXTRA:-}" ]; then
  # The CUDA toolkit here ships nvcc without cuBLAS: take cuBLAS from NVIDIA's PyPI wheel.
  say "CUDA: fetching cuBLAS headers/libraries (nvidia-cublas wheel)"
  "$PY" -m pip install -q --target "$WORK/cublas" "nvidia-cublas${GENNAI_CUBLAS_SUFFIX:-}"
  CB=$(dirname "$(find "$WORK/cublas" -name 'cublas_v2.h' | head -n1)")
  LIB=$(dirname "$(find "$WORK/cublas" -name 'libcublas.so*' | head -n1)")
  ln -sf "$(ls "$LIB"/libcublas.so.* | head -n1)" "$LIB/libcublas.so"
  ln -sf "$(ls "$LIB"/libcublasLt.so.* | head -n1)" "$LIB/libcublasLt.so"
  CMAKE_ARGS_BACKEND="$CMAKE_ARGS_BACKEND -DCUDA_cublas_LIBRARY=$LIB/libcublas.so -DCUDA_cublasLt_LIBRARY=$LIB/libcublasLt.so -DCMAKE_CUDA_FLAGS=-I$CB -DCMAKE_CXX_FLAGS=-I$CB"
fi
mkdir -p "$OUT"

say "fetching llama-cpp-python $LLAMA_VERSION sdist (sha256 pinned)"
printf 'llama-cpp-python==%s --hash=sha256:%s\n' "$LLAMA_VERSION" "$LLAMA_SDIST_SHA256" >"$WORK/req.txt"
"$PY" -m pip download -q --no-deps --no-binary :all: --require-hashes -r "$WORK/req.txt" -d "$WORK/sdist"
tar -xzf "$WORK"/sdist/llama_cpp_python-"$LLAMA_VERSION".tar.gz -C "$WORK"
SRC="$WORK/llama_cpp_python-$LLAMA_VERSION"
GGML_SRC_CMAKE="$SRC/vendor/llama.cpp/ggml/src/CMakeLists.txt"

# 1. trim the x86 variant list to $VARIANTS (each variant is a full compile of ggml-cpu)
for v in $ALL_X86; do
  case " $VARIANTS " in *" $v "*) ;; *) sed -i -E "/ggml_add_cpu_backend_variant\($v( |\))/d" "$GGML_SRC_CMAKE" ;; esac
done
kept=$(grep -cE 'ggml_add_cpu_backend_variant\((x64|sse42|sandybridge|ivybridge|piledriver|haswell|skylakex|cannonlake|cascadelake|icelake|cooperlake|zen4|alderlake|sapphirerapids)( |\))' "$GGML_SRC_CMAKE")
[ "$kept" -eq "$(echo $VARIANTS | wc -w)" ] || { say "variant list did not patch cleanly ($kept kept)"; exit 1; }

# 2. install every variant library next to libllama.so (the package's list names only ggml-cpu)
{
  echo ''
  echo '# added by gennai-desktop installer/build-llama-wheel.sh: install the CPU variant backends'
  echo 'if (LLAMA_BUILD AND GGML_BACKEND_DL)'
  echo "  foreach(v $VARIANTS)"
  echo '    llama_cpp_python_install_target(ggml-cpu-${v})'
  echo '  endforeach()'
  echo 'endif()'
} >>"$SRC/CMakeLists.txt"

say "building ($BACKEND; CPU variants: $VARIANTS) — several minutes on 2 cores"
start=$(date +%s)
CMAKE_ARGS="$CMAKE_ARGS_COMMON $CMAKE_ARGS_BACKEND" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
  "$PY" -m pip wheel -q --no-deps --no-cache-dir "$SRC" -w "$WORK/wheel"
whl=$(ls "$WORK"/wheel/llama_cpp_python-*.whl)
# the wheel must carry one library per variant and no plain (native) libggml-cpu.so
"$PY" -m zipfile -l "$whl" >"$WORK/contents.txt"
for v in $VARIANTS; do
  grep -q "llama_cpp/lib/libggml-cpu-$v.so" "$WORK/contents.txt" || { say "wheel lacks libggml-cpu-$v.so"; exit 1; }
done
if grep -q "llama_cpp/lib/libggml-cpu.so " "$WORK/contents.txt"; then say "wheel has a non-variant libggml-cpu.so"; exit 1; fi
mv "$whl" "$OUT/"
say "built $(basename "$whl") in $(( $(date +%s) - start )) s"
