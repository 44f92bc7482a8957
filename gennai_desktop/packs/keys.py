"""Signing keys for ministry IT, kept in files the administrator chooses.

Each key is a pair of files in a folder: ``<name>.pem`` (PKCS#8 ed25519 private key,
mode 0600, encrypted when ``GENNAI_ADMIN_PASSPHRASE`` is set) and ``<name>.pub.json``
(the public key as TUF metadata stores it). Root keys are meant to live in a separate
folder on offline media; online keys (timestamp, snapshot) may stay on the publishing host.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from cryptography.hazmat.primitives.serialization import (BestAvailableEncryption, Encoding, NoEncryption,
                                                          PrivateFormat, load_pem_private_key)
from securesystemslib.signer import CryptoSigner, Key, SSlibKey

from ..core.atomicio import atomic_write_bytes, atomic_write_text
from .errors import PackError

PASSPHRASE_ENV = "GENNAI_ADMIN_PASSPHRASE"


def _passphrase() -> bytes | None:
    value = os.environ.get(PASSPHRASE_ENV)
    return value.encode("utf-8") if value else None


def generate_key(folder: Path, name: str) -> SSlibKey:
    """Create ``folder/name.pem`` + ``name.pub.json``; refuses to overwrite an existing key."""
    folder.mkdir(parents=True, exist_ok=True)
    priv_path = folder / f"{name}.pem"
    if priv_path.exists():
        raise PackError("packs.admin.key_exists", path=str(priv_path))
    signer = CryptoSigner.generate_ed25519()
    pw = _passphrase()
    enc = BestAvailableEncryption(pw) if pw else NoEncryption()
    pem = signer._private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, enc)  # noqa: SLF001
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
    try:
        private = load_pem_private_key(pem, _passphrase())
    except (TypeError, ValueError) as exc:
        raise PackError("packs.admin.key_unreadable", path=str(path), detail=str(exc)[:200]) from None
    return CryptoSigner(private, load_public(folder, name))


def has_private(folder: Path, name: str) -> bool:
    return (folder / f"{name}.pem").is_file()
