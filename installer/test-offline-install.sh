#!/usr/bin/env bash
# End-to-end proof of the offline installation (too slow for CI: ~10-20 min on 2 cores).
#
#   bash installer/test-offline-install.sh [--dist build/pyinstaller/dist/gennai-desktop] [--work DIR]
#
# Phase 1 (build machine, may use the network): a throwaway ministry signing repository
# (gennai-admin init, one pack, a USB pack bundle), then installer/build-offline-bundle.sh.
# Phase 2, as a NON-ROOT user (TEST_USER, created if this runs as root) inside
# `unshare -rn` (own network namespace: no interface but a down loopback), with a clean
# environment (no PYTHON*, PATH=/usr/bin:/bin):
#   tampered / truncated / unpinned bundles are refused and nothing is written;
#   install (timed); gennai doctor, summarize (model, runner child), proofread .docx and .pdf
#   (PDF worker child); the window under Xvfb (time to first window); a root.json in the
#   user's folder with developer mode asked for is ignored; gennai packs update --folder from
#   the signed USB bundle; re-install (upgrade) keeps user data; uninstall removes everything
#   it installed. Every app process runs under strace: the script fails if any of them opened
#   an AF_INET/AF_INET6 socket, executed a Python interpreter or read a Python outside the
#   install prefix.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$HERE/.." && pwd)"
PY="${PYTHON:-$REPO_ROOT/.venv/bin/python}"
WORK="${WORK:-/tmp/gennai-offline-test}"
TEST_USER="${TEST_USER:-gennai-test}"
CORPUS="${GENNAI_CORPUS:-$REPO_ROOT/../shared/corpus}/ja"
DIST=""
PHASE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) DIST="$(cd "$2" && pwd)"; shift 2;;
    --work) WORK="$2"; shift 2;;
    --phase2) PHASE=2; WORK="$2"; shift 2;;
    *) echo "unknown argument: $1" >&2; exit 2;;
  esac
done

if [ "$PHASE" = 1 ]; then
  [ -d "$CORPUS" ] || CORPUS=/work/shared/corpus/ja
  rm -rf "$WORK"; mkdir -p "$WORK/ministry" "$WORK/u"
  export GENNAI_ADMIN_KEY_PASSPHRASE="offline-test throwaway passphrase"
  export GENNAI_HOME="$WORK/ministry/home" GENNAI_MACHINE_DIR="$WORK/ministry/machine"
  ADMIN=("$PY" -m gennai_desktop.cli.admin)
  M="$WORK/ministry"
  cd "$REPO_ROOT"
  echo "== phase 1: ministry repository, pack, USB bundle =="
  "${ADMIN[@]}" init --repo "$M/repo" --keys "$M/keys" --root-keys "$M/rootkeys" --root-key-count 1 --root-threshold 1
  "${ADMIN[@]}" add-vendor --repo "$M/repo" --keys "$M/keys" --vendor acme
  "$PY" -c "import sys; from pathlib import Path; from tests.support.tiny_gguf import make_tiny_gguf; make_tiny_gguf(Path(sys.argv[1]), seed=7)" "$M/tiny.gguf"
  "${ADMIN[@]}" build-pack --gguf "$M/tiny.gguf" --out "$M/pack" --id acme-tiny --version 1.0 --vendor acme \
      --name-ja "試験用パック" --name-en "test pack" --licence Apache-2.0 --domestic
  "${ADMIN[@]}" add-pack --repo "$M/repo" --keys "$M/keys" --pack "$M/pack"
  echo '{"schema_version": 1, "required_packs": ["acme-tiny"]}' > "$M/policy.json"
  "${ADMIN[@]}" set-policy --repo "$M/repo" --keys "$M/keys" --policy "$M/policy.json"
  "${ADMIN[@]}" export-bundle --repo "$M/repo" --keys "$M/keys" --out "$M/usb" --expires-days 30
  # another root, to plant in the user's folder later (it must be ignored)
  "${ADMIN[@]}" init --repo "$M/evil-repo" --keys "$M/evil-keys" --root-keys "$M/evil-rootkeys" --root-key-count 1 --root-threshold 1 >/dev/null
  echo "== phase 1: build the offline bundle =="
  BARGS=(--out "$WORK/bundle" --repo "$M/repo" --keys "$M/keys" --packs "$M/usb")
  [ -n "$DIST" ] && BARGS+=(--dist "$DIST")
  bash "$HERE/build-offline-bundle.sh" "${BARGS[@]}" | tee "$WORK/build.log"
  sha256sum "$M/repo/metadata/root.json" | cut -d' ' -f1 > "$WORK/root-sha256"
  # damaged copies (hard links except the one changed file)
  cp -al "$WORK/bundle" "$WORK/bundle-tampered"
  f="$WORK/bundle-tampered/models/gemma-3-270m-q4_k_m.gguf"; cp --remove-destination "$WORK/bundle/models/gemma-3-270m-q4_k_m.gguf" "$f"
  printf '\x01' | dd of="$f" bs=1 seek=123456789 conv=notrunc status=none
  cp -al "$WORK/bundle" "$WORK/bundle-truncated"
  f="$WORK/bundle-truncated/app/_internal/llama_cpp/lib/libllama.so"; cp --remove-destination "$WORK/bundle/app/_internal/llama_cpp/lib/libllama.so" "$f"
  truncate -s -4096 "$f"
  cp "$M/evil-repo/metadata/root.json" "$WORK/evil-root.json"
  cp "$CORPUS/law_gyosei-kikan-kyujitsu_363AC0000000091.txt" "$CORPUS/law_denshi-shomei_412AC0000000102.docx" \
     "$CORPUS/law_denshi-shomei_412AC0000000102.pdf" "$WORK/"
  chmod -R a+rX "$WORK"; chmod a+rwx "$WORK/u"
  echo "== phase 2: non-root user, unshare -rn (no network) =="
  if [ "$(id -u)" = 0 ]; then
    id "$TEST_USER" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$TEST_USER"
    chmod a+rx "$HERE" "$HERE/test-offline-install.sh"
    cp "$HERE/test-offline-install.sh" "$WORK/test-offline-install.sh"; chmod a+rx "$WORK/test-offline-install.sh"
    exec runuser -u "$TEST_USER" -- env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
      unshare -rn bash "$WORK/test-offline-install.sh" --phase2 "$WORK"
  fi
  exec env -i PATH=/usr/bin:/bin LANG=C.UTF-8 unshare -rn bash "$0" --phase2 "$WORK"
fi

# ---------------------------------------------------------------- phase 2 (offline, non-root)
U="$WORK/u"
export HOME="$U/home" XDG_RUNTIME_DIR="$U/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"; chmod 700 "$XDG_RUNTIME_DIR"
export GENNAI_STORE_PASSPHRASE="offline test store passphrase"
PREFIX="$U/opt/gennai-desktop" MACHINE="$U/etc/gennai-desktop"
ROOT_SHA="$(cat "$WORK/root-sha256")"
TRACE="$U/strace"; mkdir -p "$TRACE"
FAILS=0; RESULTS=()
ok()   { RESULTS+=("PASS  $1"); echo "PASS  $1"; }
bad()  { RESULTS+=("FAIL  $1"); echo "FAIL  $1"; FAILS=$((FAILS+1)); }
check() { local name="$1"; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
traced() { local name="$1"; shift; strace -f -qq -o "$TRACE/$name" -e trace=socket,connect,execve,openat "$@"; }
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }

IFACES="$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\n' ' ')"   # this namespace's (sysfs is the host's)
echo "real uid: $(awk '{print $2}' /proc/self/uid_map) (mapped to $(id -u) in the namespace); interfaces: $IFACES"
check "no network interface except lo" test "$IFACES" = "lo "
INSTALL="$WORK/bundle/install-offline.sh"

for kind in tampered truncated; do
  out="$(bash "$WORK/bundle-$kind/install-offline.sh" "$WORK/bundle-$kind" --prefix "$PREFIX" --machine-dir "$MACHINE" \
         --desktop-dir "$U/applications" --root-sha256 "$ROOT_SHA" 2>&1)" && rc=0 || rc=$?
  echo "  [$kind] rc=$rc: $(echo "$out" | tail -1)"
  check "$kind bundle refused (rc=$rc), nothing written" bash -c "[ $rc -ne 0 ] && [ ! -e '$PREFIX' ] && [ ! -e '$MACHINE' ] && [ ! -e '$U/applications' ]"
done
out="$(bash "$INSTALL" "$WORK/bundle" --prefix "$PREFIX" --machine-dir "$MACHINE" 2>&1)" && rc=0 || rc=$?
echo "  [no fingerprint] rc=$rc: $(echo "$out" | tail -1)"
check "first install without --root-sha256 refused, nothing written" bash -c "[ $rc -ne 0 ] && [ ! -e '$PREFIX' ]"

t0=$(now)
bash "$INSTALL" "$WORK/bundle" --prefix "$PREFIX" --machine-dir "$MACHINE" --desktop-dir "$U/applications" \
     --root-sha256 "$ROOT_SHA" > "$U/install.json.out"
t1=$(now); INSTALL_S=$(secs "$t0" "$t1")
check "install (${INSTALL_S} s)" test -f "$PREFIX/install.json"
check "trusted root and policy in the machine dir" bash -c "cmp -s '$MACHINE/root.json' '$WORK/ministry/repo/metadata/root.json' && grep -q allow_developer_mode '$MACHINE/machine.json'"
check ".desktop entry with icon and .docx/.pdf types" bash -c "grep -q 'MimeType=.*wordprocessingml.document;application/pdf' '$U/applications/gennai-desktop.desktop' && grep -q 'Icon=$PREFIX/share/icons/gennai-desktop.svg' '$U/applications/gennai-desktop.desktop' && test -f '$PREFIX/share/icons/gennai-desktop.svg'"
BIN="$PREFIX/bin"

t0=$(now); traced doctor "$BIN/gennai" doctor > "$U/doctor.out" 2>&1 && rc=0 || rc=$?; t1=$(now)
check "gennai doctor (rc=$rc, $(secs "$t0" "$t1") s)" bash -c "grep -q 'CPU' '$U/doctor.out' && grep -q 'Gemma 3 270M' '$U/doctor.out'"
t0=$(now)
traced summarize timeout 900 "$BIN/gennai" summarize "$WORK/law_gyosei-kikan-kyujitsu_363AC0000000091.txt" > "$U/summary.out" 2>&1 && rc=0 || rc=$?
t1=$(now)
head -c 600 "$U/summary.out" | sed 's/^/    /'
check "gennai summarize on a corpus .txt, model in the frozen runner child (rc=$rc, $(secs "$t0" "$t1") s)" \
  bash -c "[ $rc -eq 0 ] && grep -q -- '--gennai-child.*runner' $TRACE/summarize && grep -q '第一条' '$U/summary.out'"
t0=$(now); traced proofread_docx "$BIN/gennai" proofread --no-model --json "$WORK/law_denshi-shomei_412AC0000000102.docx" > "$U/proof-docx.json" 2>"$U/proof-docx.err" && rc=0 || rc=$?; t1=$(now)
check "gennai proofread .docx (rc=$rc, $(secs "$t0" "$t1") s, $(grep -o '"rule' "$U/proof-docx.json" | wc -l) findings)" bash -c "[ $rc -eq 0 ] && test -s '$U/proof-docx.json'"
t0=$(now); traced proofread_pdf "$BIN/gennai" proofread --no-model --json "$WORK/law_denshi-shomei_412AC0000000102.pdf" > "$U/proof-pdf.json" 2>"$U/proof-pdf.err" && rc=0 || rc=$?; t1=$(now)
check "gennai proofread .pdf via the frozen PDF worker child (rc=$rc, $(secs "$t0" "$t1") s)" bash -c "[ $rc -eq 0 ] && test -s '$U/proof-pdf.json' && grep -q -- '--gennai-child.*pdf' $TRACE/proofread_pdf"

# a root.json in the user's folder, developer mode asked for, a user-chosen machine dir: all ignored
mkdir -p "$HOME/.local/share/gennai-desktop/trust" "$U/fake-machine"
cp "$WORK/evil-root.json" "$HOME/.local/share/gennai-desktop/trust/root.json"
GENNAI_DEVELOPER_MODE=1 GENNAI_MACHINE_DIR="$U/fake-machine" traced packs_update "$BIN/gennai" packs update --folder "$PREFIX/packs/usb" > "$U/packs.out" 2>&1 && rc=0 || rc=$?
sed 's/^/    /' "$U/packs.out" | head -8
check "gennai packs update --folder from the signed USB bundle, user-folder root ignored (rc=$rc)" \
  bash -c "[ $rc -eq 0 ] && grep -q 'acme-tiny 1.0' '$U/packs.out'"
GENNAI_DEVELOPER_MODE=1 GENNAI_MACHINE_DIR="$U/fake-machine" traced packs_list "$BIN/gennai" packs list > "$U/packs-list.out" 2>&1 || true
sed 's/^/    /' "$U/packs-list.out" | head -8
check "packs list: pack installed; says the user-folder root is ignored and developer mode forbidden" \
  bash -c "grep -q 'acme-tiny' '$U/packs-list.out' && grep -q '$HOME/.local/share/gennai-desktop/trust/root.json' '$U/packs-list.out'"

# the window under Xvfb
Xvfb :77 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 & XPID=$!
sleep 1
t0=$(now)
DISPLAY=:77 traced window "$BIN/gennai-desktop" > "$U/window.out" 2>&1 & APID=$!
WIN_S=""
for _ in $(seq 1 1200); do
  if DISPLAY=:77 xwininfo -root -tree 2>/dev/null | grep -q '源内'; then WIN_S=$(secs "$t0" "$(now)"); break; fi
  sleep 0.05
done
sleep 3
DISPLAY=:77 xwininfo -root -tree 2>/dev/null | grep '源内' | head -2 | sed 's/^/    /'
kill "$APID" 2>/dev/null || true; wait "$APID" 2>/dev/null || true
kill "$XPID" 2>/dev/null || true; wait "$XPID" 2>/dev/null || true
check "window under Xvfb (first window after ${WIN_S:-never} s)" test -n "$WIN_S"

# upgrade: same bundle again, anchored by the installed root (no fingerprint); user data stays
( cd "$HOME" && find . -type f | sort | xargs sha256sum ) > "$U/userdata.before"
t0=$(now)
bash "$INSTALL" "$WORK/bundle" --prefix "$PREFIX" --machine-dir "$MACHINE" --desktop-dir "$U/applications" > /dev/null 2>"$U/upgrade.err" && rc=0 || rc=$?
t1=$(now)
( cd "$HOME" && find . -type f | sort | xargs sha256sum ) > "$U/userdata.after"
check "re-install/upgrade via the installed verifier (rc=$rc, $(secs "$t0" "$t1") s), user data unchanged ($(wc -l < "$U/userdata.after") files)" \
  bash -c "[ $rc -eq 0 ] && cmp -s '$U/userdata.before' '$U/userdata.after'"

# no network sockets, no Python outside the prefix
INET=$(cat "$TRACE"/* | grep -c 'socket(AF_INET' || true)
UNIX=$(cat "$TRACE"/* | grep -c 'socket(AF_UNIX' || true)
PYEXEC=$(cat "$TRACE"/* | grep 'execve(' | grep -v -- "$PREFIX" | grep -c python || true)
PYOPEN=$(cat "$TRACE"/* | grep 'openat(' | grep -v ENOENT | grep -E '(site-packages|/lib/python3|\.venv)' | grep -vc -- "$PREFIX" || true)
EXECS=$(cat "$TRACE"/* | grep 'execve(' | grep -v ENOENT | sed -E 's/.*execve\("([^"]+)".*/\1/' | sort | uniq -c | tr '\n' ';')
echo "  strace: $(ls "$TRACE" | wc -l) logs; AF_INET/AF_INET6 sockets: $INET; AF_UNIX: $UNIX; executed: $EXECS"
check "zero AF_INET/AF_INET6 sockets in every app process" test "$INET" = 0
check "no Python interpreter executed, no Python read outside the prefix" bash -c "[ $PYEXEC = 0 ] && [ $PYOPEN = 0 ]"

bash "$INSTALL" --uninstall --prefix "$PREFIX" 2>"$U/uninstall.err" && rc=0 || rc=$?
check "uninstall removes prefix, machine dir and .desktop; user data kept (rc=$rc)" \
  bash -c "[ $rc -eq 0 ] && [ ! -e '$PREFIX' ] && [ ! -e '$MACHINE' ] && [ ! -e '$U/applications/gennai-desktop.desktop' ] && [ -d '$HOME/.local/share/gennai-desktop' ]"

echo
echo "== summary =="
grep -E '^(size|build time|bundle):' "$WORK/build.log" || true
echo "install: ${INSTALL_S} s; first window: ${WIN_S:-never} s"
printf '%s\n' "${RESULTS[@]}"
if [ "$FAILS" = 0 ]; then echo "ALL ${#RESULTS[@]} CHECKS PASSED"; else echo "$FAILS OF ${#RESULTS[@]} CHECKS FAILED"; exit 1; fi
