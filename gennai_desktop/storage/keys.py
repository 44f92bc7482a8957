"""The protected store's key: 32 random bytes in the OS keyring, or a passphrase-derived key.

Order of choice for a NEW store (the choice is recorded in ``store/key.json``, which holds
no secret: only which source was used and, for a passphrase, the scrypt salt and cost):

1. ``GENNAI_STORE_PASSPHRASE`` (meant for IT automation and tests, not for people) or a
   passphrase the caller (the UI's prompt) supplies → key = scrypt(passphrase, salt).
2. A working OS keyring (Windows Credential Manager, macOS Keychain, Secret Service) →
   ``secrets.token_bytes(32)`` stored there, read back to prove it stuck.
3. Otherwise ``StoreUnavailable``: the caller runs with history and crash recovery off and
   tells the user why. There is never a plaintext fallback, and keyring backends that
   store secrets in a plain file (``keyrings.alt``) are refused.

An EXISTING store always uses the source it was created with; a wrong passphrase or a key
that vanished from the keyring is reported, never papered over with a new key. key.json also
holds a check value (HMAC of a fixed label under the key), so a wrong passphrase is told
apart from a damaged database, and an edited key.json is reported as such.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..core.atomicio import atomic_write_text
from ..core.errors import EXIT_SECURITY, GennaiError

ENV_PASSPHRASE = "GENNAI_STORE_PASSPHRASE"
KEYRING_SERVICE = "GennaiDesktop"
META_NAME = "key.json"
MIN_PASSPHRASE = 8
# scrypt cost: 2**15 × 8 × 128 B = 32 MiB of memory per derivation, ~0.1 s on a laptop.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1
_SCRYPT_MAXMEM = 64 * 1024 * 1024


class StoreUnavailable(GennaiError):
    """The encrypted store cannot be opened; ``key`` says why (a storage.* message)."""

    exit_code = EXIT_SECURITY


@dataclass(frozen=True)
class StoreKey:
    raw: bytes          # 32 bytes, handed to SQLCipher as a raw key (no second KDF)
    source: str         # "keyring" | "passphrase"
    verified: bool | None = None   # matched key.json's check value (None: an older store without one)

    def __repr__(self) -> str:          # never print the key (logs, tracebacks)
        return f"StoreKey(source={self.source!r})"


_derived: dict[tuple[str, str], bytes] = {}     # (salt, passphrase digest) → key, per process


def _account(folder: Path) -> str:
    """Keyring user name: one key per store folder (per GENNAI_HOME)."""
    return "store-key:" + hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:24]


def _read_meta(folder: Path) -> dict | None:
    try:
        return json.loads((folder / META_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise StoreUnavailable("storage.error.meta_broken", reason=type(exc).__name__) from None


def _write_meta(folder: Path, meta: dict) -> None:
    atomic_write_text(folder / META_NAME, json.dumps(meta, indent=1))
    os.chmod(folder / META_NAME, 0o600)


def derive_key(passphrase: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> bytes:
    cache_id = (salt.hex(), hashlib.sha256(passphrase.encode("utf-8")).hexdigest() + f":{n}:{r}:{p}")
    if cache_id not in _derived:
        _derived[cache_id] = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                                            maxmem=_SCRYPT_MAXMEM, dklen=32)
    return _derived[cache_id]


def _keyring():
    """The keyring module when a backend that really protects secrets is usable, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # noqa: BLE001 - not installed / broken install: treated as "no keyring"
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - a broken keyring backend: treated as "no keyring"
        return None
    mod = type(backend).__module__
    if isinstance(backend, fail.Keyring) or mod.startswith(("keyrings.alt", "keyring.backends.null")):
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def _keyring_get(folder: Path) -> str | None:
    kr = _keyring()
    if kr is None:
        raise StoreUnavailable("storage.error.keyring_gone")
    try:
        return kr.get_password(KEYRING_SERVICE, _account(folder))
    except Exception:  # noqa: BLE001 - locked / dbus down / NoKeyringError
        raise StoreUnavailable("storage.error.keyring_gone") from None


def _keyring_create(folder: Path) -> bytes | None:
    """A new random key stored in the keyring (None when no keyring works)."""
    kr = _keyring()
    if kr is None:
        return None
    raw = secrets.token_bytes(32)
    try:
        kr.set_password(KEYRING_SERVICE, _account(folder), raw.hex())
        back = kr.get_password(KEYRING_SERVICE, _account(folder))
    except Exception:  # noqa: BLE001 - any keyring failure: fall back to a passphrase
        return None
    return raw if back == raw.hex() else None


def forget_key(folder: Path) -> None:
    """Remove the key (keyring entry and key.json): used when the store itself is destroyed."""
    meta = _read_meta(folder) if (folder / META_NAME).exists() else None
    if meta and meta.get("source") == "keyring":
        kr = _keyring()
        if kr is not None:
            try:
                kr.delete_password(KEYRING_SERVICE, _account(folder))
            except Exception:  # noqa: BLE001 - already gone
                pass
    try:
        (folder / META_NAME).unlink()
    except FileNotFoundError:
        pass


def key_check(raw: bytes) -> str:
    """A value stored in key.json that tells a wrong key from a damaged database (it reveals
    nothing of the key: HMAC-SHA256 of a fixed label)."""
    return hmac.new(raw, b"gennai-store-key-check", hashlib.sha256).hexdigest()[:32]


def _checked(raw: bytes, source: str, meta: dict) -> StoreKey:
    check = meta.get("check")
    if check is None:
        return StoreKey(raw, source, None)
    if not hmac.compare_digest(str(check), key_check(raw)):
        raise StoreUnavailable("storage.error.wrong_key")
    return StoreKey(raw, source, True)


def remember_check(folder: Path, key: StoreKey) -> None:
    """Add the check value to an older store's key.json once its key has opened it."""
    try:
        meta = _read_meta(folder)
        if meta is not None and "check" not in meta:
            _write_meta(folder, {**meta, "check": key_check(key.raw)})
    except (OSError, GennaiError):
        pass


def resolve_key(folder: Path, passphrase: str | None = None, create: bool = True) -> StoreKey:
    """The key for the store in ``folder`` (see module doc); raises StoreUnavailable."""
    folder = Path(folder)
    passphrase = passphrase or os.environ.get(ENV_PASSPHRASE) or None
    meta = _read_meta(folder)
    if meta is not None and not isinstance(meta, dict):
        raise StoreUnavailable("storage.error.meta_broken", reason=type(meta).__name__)
    if meta is not None:
        source = meta.get("source")
        try:
            if source == "keyring":
                hexkey = _keyring_get(folder)
                if not hexkey:
                    raise StoreUnavailable("storage.error.key_lost")
                return _checked(bytes.fromhex(hexkey), "keyring", meta)
            if source == "passphrase":
                if not passphrase:
                    raise StoreUnavailable("storage.error.passphrase_needed")
                k = meta.get("kdf") or {}
                n, r, p = int(k["n"]), int(k["r"]), int(k["p"])
                in_range = 2 ** 14 <= n <= 2 ** 20 and 1 <= r <= 16 and p == 1
                if (n, r, p) != (SCRYPT_N, SCRYPT_R, SCRYPT_P) and not in_range:
                    raise ValueError("scrypt cost out of range")       # an edited key.json must not stall us
                salt = bytes.fromhex(k["salt"])
                if len(salt) < 16:
                    raise ValueError("salt too short")
                return _checked(derive_key(passphrase, salt, n, r, p), "passphrase", meta)
        except (KeyError, ValueError, TypeError, AttributeError) as exc:
            raise StoreUnavailable("storage.error.meta_broken", reason=type(exc).__name__) from None
        raise StoreUnavailable("storage.error.meta_broken", reason=str(source)[:40])
    if not create:
        raise StoreUnavailable("storage.error.no_store")
    folder.mkdir(parents=True, exist_ok=True)
    if passphrase:
        if len(passphrase) < MIN_PASSPHRASE:
            raise StoreUnavailable("storage.error.passphrase_short", n=MIN_PASSPHRASE)
        salt = secrets.token_bytes(16)
        raw = derive_key(passphrase, salt)
        _write_meta(folder, {"version": 1, "source": "passphrase",
                             "kdf": {"name": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
                                     "salt": salt.hex()}, "check": key_check(raw)})
        return StoreKey(raw, "passphrase", True)
    created = _keyring_create(folder)
    if created is None:
        raise StoreUnavailable("storage.error.no_keyring", env=ENV_PASSPHRASE)
    _write_meta(folder, {"version": 1, "source": "keyring", "service": KEYRING_SERVICE, "check": key_check(created)})
    return StoreKey(created, "keyring", True)


def needs_passphrase(folder: Path) -> bool:
    """True when opening the store needs a passphrase nobody has supplied yet (UI prompt)."""
    if os.environ.get(ENV_PASSPHRASE):
        return False
    try:
        meta = _read_meta(Path(folder))
    except StoreUnavailable:
        return False
    if meta is None:
        return not keyring_available()
    return meta.get("source") == "passphrase"
