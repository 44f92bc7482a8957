"""Signing keys for ministry IT, kept in files the administrator chooses.

Each key is a pair of files in a folder: ``<name>.pem`` (PKCS#8 ed25519 private key,
mode 0600, ALWAYS encrypted with a passphrase) and ``<name>.pub.json`` (the public key as
TUF metadata stores it). The passphrase is asked for with ``getpass`` (once per run); for
automation (cron ``publish``) it may be given in ``GENNAI_ADMIN_KEY_PASSPHRASE`` instead.

Key folders never live inside the signing repository (which is published as is): the
online keys default to ``~/.gennai-admin/keys``; root keys belong on offline removable
media (``--root-keys``). ``scan_for_private_keys`` finds private keys in a tree (PEM, OpenSSH
and DER: PKCS#8 plain or encrypted, PKCS#1, SEC1); the publish and export commands refuse
to finish when one is there.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    PrivateFormat,
    load_pem_private_key,
)
from securesystemslib.signer import CryptoSigner, Key, SSlibKey

from ..core.atomicio import atomic_write_bytes, atomic_write_text
from .errors import PackError

PASSPHRASE_ENV = "GENNAI_ADMIN_KEY_PASSPHRASE"
PRIVATE_MARKERS = (b"PRIVATE KEY-----", b"PRIVATE KEY BLOCK-----")
_cached: bytes | None = None


def default_keys_dir() -> Path:
    """Online keys by default: outside any repository, in the administrator's home."""
    return Path.home() / ".gennai-admin" / "keys"


def _passphrase(*, confirm: bool = False) -> bytes:
    """The key passphrase: the automation variable if set, else asked once with getpass."""
    global _cached
    value = os.environ.get(PASSPHRASE_ENV)
    if value:
        return value.encode("utf-8")
    if _cached is not None:
        return _cached
    import getpass
    import sys
    if not sys.stdin or not sys.stdin.isatty():
        raise PackError("hardening.admin.passphrase_needed", env=PASSPHRASE_ENV)
    try:
        first = getpass.getpass("鍵のパスフレーズ / key passphrase: ")
        if confirm and getpass.getpass("もう一度 / again: ") != first:
            raise PackError("hardening.admin.passphrase_mismatch")
    except (EOFError, KeyboardInterrupt):
        raise PackError("hardening.admin.passphrase_needed", env=PASSPHRASE_ENV) from None
    if len(first) < 8:
        raise PackError("hardening.admin.passphrase_short")
    _cached = first.encode("utf-8")
    return _cached


MAX_DER_KEY_BYTES = 64 * 1024      # a DER private key is a few KiB at most (RSA-16384 ≈ 10 KiB)
OPENSSH_MARKER = b"openssh-key-v1\x00"


def has_private_key_material(data: bytes) -> bool:
    """PEM private key headers anywhere, an OpenSSH private key, or a whole file that is a
    DER private key (PKCS#8 plain or encrypted, PKCS#1, SEC1: publish used to miss these)."""
    if any(m in data for m in PRIVATE_MARKERS) or OPENSSH_MARKER in data:
        return True
    return is_der_private_key(data)


def is_der_private_key(data: bytes) -> bool:
    if not data or len(data) > MAX_DER_KEY_BYTES or data[0] != 0x30:     # a DER SEQUENCE
        return False
    from cryptography.hazmat.primitives.serialization import load_der_private_key
    try:
        load_der_private_key(data, password=None)
        return True
    except TypeError:                 # "password was not given but private key is encrypted"
        return True
    except (ValueError, Exception):  # noqa: BLE001 - anything else: not a private key cryptography can read
        return _looks_like_encrypted_pkcs8(data)


def _looks_like_encrypted_pkcs8(data: bytes) -> bool:
    """EncryptedPrivateKeyInfo with a cipher cryptography does not read: PBES2/PBES1 OIDs."""
    return any(oid in data[:64] for oid in (bytes.fromhex("06092a864886f70d01050d"),      # PBES2
                                            bytes.fromhex("060a2a864886f70d010c01")))     # pkcs-12PbeIds


def scan_for_private_keys(folder: Path) -> list[Path]:
    """Every file under ``folder`` that contains a PEM private key header (streamed) or is
    a DER private key (``has_private_key_material``)."""
    found: list[Path] = []
    if not folder.is_dir():
        return found
    overlap = max(len(m) for m in (*PRIVATE_MARKERS, OPENSSH_MARKER))
    markers = (*PRIVATE_MARKERS, OPENSSH_MARKER)
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            if path.stat().st_size <= MAX_DER_KEY_BYTES:       # small: PEM, OpenSSH or DER
                if has_private_key_material(path.read_bytes()):
                    found.append(path)
                continue
            tail = b""
            with open(path, "rb") as fh:                       # large: the text markers, streamed
                while block := fh.read(1 << 20):
                    if any(m in tail + block for m in markers):
                        found.append(path)
                        break
                    tail = block[-overlap:]
        except OSError:
            found.append(path)       # cannot prove it is harmless
    return found


def generate_key(folder: Path, name: str) -> SSlibKey:
    """Create ``folder/name.pem`` + ``name.pub.json``; refuses to overwrite an existing key."""
    folder.mkdir(parents=True, exist_ok=True)
    priv_path = folder / f"{name}.pem"
    if priv_path.exists():
        raise PackError("packs.admin.key_exists", path=str(priv_path))
    signer = CryptoSigner.generate_ed25519()
    enc = BestAvailableEncryption(_passphrase(confirm=True))
    pem = signer._private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, enc)  # noqa: SLF001 - securesystemslib exposes no export of an encrypted key
    atomic_write_bytes(priv_path, pem)
    try:
        os.chmod(priv_path, 0o600)
    except OSError:
        pass
    pub = signer.public_key
    atomic_write_text(folder / f"{name}.pub.json",
                      json.dumps({"keyid": pub.keyid, "key": pub.to_dict()}, indent=2) + "\n")
    return pub


def load_public(folder: Path, name: str) -> SSlibKey:
    path = folder / f"{name}.pub.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = Key.from_dict(data["keyid"], dict(data["key"]))
    except (OSError, ValueError, KeyError) as exc:
        raise PackError("packs.admin.key_missing", path=str(path), detail=str(exc)[:200]) from None
    assert isinstance(key, SSlibKey)
    return key


def load_signer(folder: Path, name: str) -> CryptoSigner:
    path = folder / f"{name}.pem"
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise PackError("packs.admin.key_missing", path=str(path), detail=exc.strerror or str(exc)) from None
    encrypted = b"ENCRYPTED PRIVATE KEY" in pem
    try:
        # keys made by older versions may be unencrypted: they still load (re-create them!)
        private = load_pem_private_key(pem, _passphrase() if encrypted else None)
    except (TypeError, ValueError) as exc:
        raise PackError("packs.admin.key_unreadable", path=str(path), detail=str(exc)[:200]) from None
    return CryptoSigner(private, load_public(folder, name))
