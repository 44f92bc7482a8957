#!/usr/bin/env bash
# FOR THE BENCHMARK ONLY (bench/bench_runtime.py): a ggml CPU backend compiled for THIS machine
# (-march=native, minus AMX tile instructions, which the OS may not enable), to measure how
# close the portable variant build comes to it. Never used by setup, CI or any shipped wheel.
#   bash bench/build_native_cpu.sh OUT_DIR   → OUT_DIR/libggml-cpu-native.so
set -euo pipefail
OUT="$(mkdir -p "${1:?usage: build_native_cpu.sh OUT_DIR}" && cd "$1" && pwd)"
PY="${PYTHON:-python3}"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
printf 'llama-cpp-python==0.3.36 --hash=sha256:832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e\n' >"$WORK/req.txt"
"$PY" -m pip download -q --no-deps --no-binary :all: --require-hashes -r "$WORK/req.txt" -d "$WORK"
tar -xzf "$WORK"/llama_cpp_python-0.3.36.tar.gz -C "$WORK"
SRC="$WORK/llama_cpp_python-0.3.36/vendor/llama.cpp"
# ggml refuses GGML_NATIVE with GGML_BACKEND_DL, so the host's instruction set comes from the
# compiler flags instead (ggml's kernels select on the compiler's __AVX2__/__AVX512F__… macros).
NOAMX="-march=native -mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
cmake -S "$SRC" -B "$WORK/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_BACKEND_DL=ON \
  -DGGML_NATIVE=OFF -DGGML_OPENMP=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DCMAKE_C_FLAGS="$NOAMX" -DCMAKE_CXX_FLAGS="$NOAMX" >/dev/null
cmake --build "$WORK/build" --target ggml-cpu -j"$(nproc)" >/dev/null
cp "$(find "$WORK/build" -name 'libggml-cpu.so' | head -n1)" "$OUT/libggml-cpu-native.so"
echo "$OUT/libggml-cpu-native.so"
