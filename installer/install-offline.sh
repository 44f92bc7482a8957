#!/usr/bin/env bash
# Install GENNAI Desktop from a signed offline bundle on an air-gapped machine (no network,
# no Python needed: the bundle's frozen gennai-admin does the work).
#
#   sudo bash install-offline.sh BUNDLE [--root-sha256 HEX] [--prefix /opt/gennai-desktop]
#        [--machine-dir /etc/gennai-desktop] [--desktop-dir DIR] [--allow-expired] [--allow-downgrade]
#   sudo bash install-offline.sh --uninstall [--prefix /opt/gennai-desktop]
#
# Everything is checked before anything is written: the trust root (on a first install its
# sha256 must equal --root-sha256, the fingerprint handed over separately; on an upgrade it
# must chain from the root already installed), the signature of bundle.json, and the size
# and sha256 of every file. A tampered or truncated bundle is refused and nothing is
# installed. The logic is gennai_desktop/packs/offline_bundle.py; this script only picks
# which gennai-admin runs it: on an upgrade the INSTALLED (already trusted) one verifies the
# new bundle first. GENNAI_OFFLINE_ADMIN overrides (e.g. "python -m gennai_desktop.cli.admin").
set -euo pipefail
BUNDLE="" PREFIX="/opt/gennai-desktop" UNINSTALL=0 PASS=() VPASS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --uninstall) UNINSTALL=1; shift;;
    --prefix) PREFIX="$2"; shift 2;;
    --root-sha256|--machine-dir) PASS+=("$1" "$2"); VPASS+=("$1" "$2"); shift 2;;
    --desktop-dir) PASS+=("$1" "$2"); shift 2;;
    --allow-expired) PASS+=("$1"); VPASS+=("$1"); shift;;
    --allow-downgrade) PASS+=("$1"); VPASS+=("$1"); shift;;
    -h|--help) sed -n '2,17p' "$0"; exit 0;;
    -*) echo "不明な引数 / unknown argument: $1" >&2; exit 2;;
    *) BUNDLE="$1"; shift;;
  esac
done
if [ "$UNINSTALL" = 1 ]; then
  ADMIN="${GENNAI_OFFLINE_ADMIN:-$PREFIX/app/gennai-admin}"
  exec $ADMIN offline-uninstall --prefix "$PREFIX"
fi
[ -n "$BUNDLE" ] || { echo "使い方 / usage: $0 BUNDLE [--root-sha256 HEX] [--prefix DIR] | --uninstall" >&2; exit 2; }
BUNDLE="$(cd "$BUNDLE" && pwd)"
if [ "$(id -u)" != 0 ] && [ "$PREFIX" = /opt/gennai-desktop ]; then
  echo "注意: 端末全体へのインストールには管理者権限（sudo）が必要です / per-machine install needs root" >&2
fi
if [ -n "${GENNAI_OFFLINE_ADMIN:-}" ]; then
  exec $GENNAI_OFFLINE_ADMIN offline-install "$BUNDLE" --prefix "$PREFIX" ${PASS[@]+"${PASS[@]}"}
fi
if [ -x "$PREFIX/app/gennai-admin" ]; then
  # upgrade: the installed, already trusted verifier checks the new bundle — signature, root
  # chain AND that it is not older than what is installed — before the bundle's own (possibly
  # older) tool runs; it writes nothing
  "$PREFIX/app/gennai-admin" offline-verify "$BUNDLE" --prefix "$PREFIX" ${VPASS[@]+"${VPASS[@]}"} >&2
fi
exec "$BUNDLE/app/gennai-admin" offline-install "$BUNDLE" --prefix "$PREFIX" ${PASS[@]+"${PASS[@]}"}
