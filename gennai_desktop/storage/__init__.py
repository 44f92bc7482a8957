"""Protected storage at rest (no Qt): the SQLCipher store, its key, result history, the audit log.

Everything sensitive the app keeps on the laptop goes through ``open_store()``; nothing
falls back to plaintext. See keys.py for how the key is held and store.py for the schema.
"""
from __future__ import annotations

from .keys import ENV_PASSPHRASE, StoreKey, StoreUnavailable, keyring_available, needs_passphrase, resolve_key
from .store import DB_NAME, HistoryEntry, ProtectedStore, destroy_store, open_store, store_dir

__all__ = ["DB_NAME", "ENV_PASSPHRASE", "HistoryEntry", "ProtectedStore", "StoreKey", "StoreUnavailable",
           "destroy_store", "keyring_available", "needs_passphrase", "open_store", "resolve_key", "store_dir"]
