#!/usr/bin/env bash
# Prepare, on a machine with PyPI access, everything the GPU check carries to the GPU machine
# (which has no network and takes at most 64 MiB of the working tree):
#
#   bash installer/gpu-check/prepare.sh            # → installer/gpu-check/.carry/ (git-ignored)
#   bash installer/gpu-check/prepare.sh --record   # also (re)write trimmed-sdist.sha256
#
# 1. the llama-cpp-python 0.3.36 sdist, checked against its pinned sha256 (cached outside the
#    repository), trimmed by trim_sdist.py; the trimmed archive's sha256 must equal the one
#    recorded in trimmed-sdist.sha256 (the trimming is reproducible), and build_wheel.sh
#    checks it again on the GPU machine before building;
# 2. the pure-Python wheels its Python 3.12 lacks: gguf (the project's pin; writes the
#    test models) and diskcache (imported by llama_cpp);
# 3. a size check of what travels: tracked files + .carry ≤ 64 MiB.
# Then run on the GPU machine, from the repository root:  bash installer/gpu-check/run.sh
# taking the git-ignored installer/gpu-check/.carry along (docs/gpu-check.md).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PY="${PYTHON:-python3}"
CARRY="$HERE/.carry"
CACHE="${GENNAI_SDIST_CACHE:-$HOME/.cache/gennai-desktop/sdist}"
VERSION="0.3.36"
SHA="$(sed -n 's/^SDIST_SHA256 = "\([0-9a-f]*\)".*/\1/p' "$HERE/trim_sdist.py")"
GGUF_PIN="$(sed -n 's/.*"\(gguf==[0-9.]*\)".*/\1/p' "$ROOT/pyproject.toml")"
DISKCACHE_PIN="diskcache==5.6.3"
say() { printf '[prepare] %s\n' "$*" >&2; }

mkdir -p "$CACHE" "$CARRY/wheels"
sdist="$CACHE/llama_cpp_python-$VERSION.tar.gz"
if [ ! -f "$sdist" ] || [ "$(sha256sum "$sdist" | cut -d' ' -f1)" != "$SHA" ]; then
  say "downloading the llama-cpp-python $VERSION sdist (sha256 pinned)"
  printf 'llama-cpp-python==%s --hash=sha256:%s\n' "$VERSION" "$SHA" >"$CACHE/req.txt"
  "$PY" -m pip download -q --no-deps --no-binary :all: --require-hashes -r "$CACHE/req.txt" -d "$CACHE"
fi

trimmed="$CARRY/llama_cpp_python-$VERSION-trimmed.tar.gz"
"$PY" "$HERE/trim_sdist.py" "$sdist" "$trimmed" --json "$CARRY/trimmed-sdist.json" >/dev/null
got="$(sha256sum "$trimmed" | cut -d' ' -f1)"
if [ "${1:-}" = "--record" ]; then
  echo "$got  $(basename "$trimmed")" >"$HERE/trimmed-sdist.sha256"
  say "recorded $got in trimmed-sdist.sha256"
else
  want="$(cut -d' ' -f1 "$HERE/trimmed-sdist.sha256")"
  [ "$got" = "$want" ] || { say "trimmed sdist $got differs from the recorded $want (run with --record after review)"; exit 1; }
fi
say "trimmed sdist: $(du -h "$trimmed" | cut -f1), sha256 $got"

rm -f "$CARRY"/wheels/*.whl
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 --platform any \
  -d "$CARRY/wheels" "$GGUF_PIN" "$DISKCACHE_PIN"
say "wheels: $(cd "$CARRY/wheels" && ls | tr '\n' ' ')"

tracked=$(git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 stat -c %s 2>/dev/null) | awk '{s+=$1} END {print s+0}')
untracked=$(git -C "$ROOT" ls-files -z --others --exclude-standard | (cd "$ROOT" && xargs -0 -r stat -c %s 2>/dev/null) | awk '{s+=$1} END {print s+0}')
carried=$(du -sb "$CARRY" | cut -f1)
total=$((tracked + untracked + carried))
say "travels: tracked $((tracked >> 20)) MiB + untracked $((untracked >> 20)) MiB + .carry $((carried >> 20)) MiB = $((total >> 20)) MiB (limit 64)"
[ "$total" -le $((64 << 20)) ] || { say "over the 64 MiB limit"; exit 1; }
say "ready: run 'bash installer/gpu-check/run.sh' on the GPU machine, taking installer/gpu-check/.carry along"
