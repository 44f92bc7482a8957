"""Where a folder index keeps its data: ONE small interface, ``IndexStore``.

The index holds the documents' text, so on disk it must be encrypted. The encrypted
store (gennai_desktop/storage/, SQLCipher) implements this same protocol — get/put/delete
of byte blobs under string keys, plus listing keys by prefix — and is passed to
``FolderIndex(store=...)``; nothing else in qa/ touches persistence. Until that store is
wired in, ``MemoryStore`` keeps the blobs in this process only: nothing of the documents
is written to disk in plaintext, and an index "survives a restart" of the FolderIndex
object (the UI tab, a second ``ask``) but not of the process.
"""
from __future__ import annotations

import threading
from typing import Iterator, Protocol


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


_PROCESS_STORE = MemoryStore()


def process_store() -> MemoryStore:
    """The store shared by every index of this process (CLI run or app session)."""
    return _PROCESS_STORE
