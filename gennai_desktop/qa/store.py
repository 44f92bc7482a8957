"""Where a folder index keeps its data: ONE small interface, ``IndexStore``.

The index holds the documents' text, so on disk it must be encrypted: ``EncryptedStore``
keeps it in the app's protected store (gennai_desktop/storage/, SQLCipher, the same one the
result history uses — no second store), so the index survives restarts. ``default_store()``
picks it; where no key is available (no keyring and no passphrase) ``MemoryStore`` keeps the
blobs in this process only — nothing of the documents is ever written in plaintext — and the
caller is told why.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Protocol

from ..storage import StoreUnavailable, open_store
from ..storage.store import INDEX_NAMESPACE


class IndexStore(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def put(self, key: str, value: bytes) -> None: ...

    def delete(self, key: str) -> None: ...

    def keys(self, prefix: str = "") -> Iterator[str]: ...


class MemoryStore:
    """Thread-safe in-process IndexStore (the default; nothing reaches the disk)."""

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._data.get(key)

    def put(self, key: str, value: bytes) -> None:
        if not isinstance(value, (bytes, bytearray)):
            raise TypeError("IndexStore values are bytes")
        with self._lock:
            self._data[key] = bytes(value)

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    def keys(self, prefix: str = "") -> Iterator[str]:
        with self._lock:
            found = [k for k in self._data if k.startswith(prefix)]
        return iter(sorted(found))


class EncryptedStore:
    """IndexStore over ``storage.ProtectedStore`` blobs (namespace ``qa-index``)."""

    NS = INDEX_NAMESPACE      # follows the history's retention and `history delete --all`

    def __init__(self, protected) -> None:  # noqa: ANN001 - storage.ProtectedStore
        self._p = protected

    def get(self, key: str) -> bytes | None:
        return self._p.get_blob(self.NS, key)

    def put(self, key: str, value: bytes) -> None:
        if not isinstance(value, (bytes, bytearray)):
            raise TypeError("IndexStore values are bytes")
        self._p.put_blob(self.NS, key, bytes(value))

    def delete(self, key: str) -> None:
        self._p.delete_blob(self.NS, key)

    def keys(self, prefix: str = "") -> Iterator[str]:
        return iter([k for k in self._p.blob_keys(self.NS) if k.startswith(prefix)])


_PROCESS_STORE = MemoryStore()


def default_store() -> tuple[IndexStore, str]:
    """(the encrypted store, "") or (this process's memory store, the i18n message why)."""
    try:
        return EncryptedStore(open_store()), ""
    except StoreUnavailable as exc:
        return _PROCESS_STORE, exc.message()


def process_store() -> MemoryStore:
    """The store shared by every index of this process (CLI run or app session)."""
    return _PROCESS_STORE
