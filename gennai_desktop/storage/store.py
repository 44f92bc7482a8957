"""The protected store: one SQLCipher 4 database for everything sensitive the app keeps.

Tables: ``results`` (history of summaries, translations, findings, drafts, answers, with the
source document's name, sha256 and size), ``sessions`` (crash-recovery state, one row per
running app, with an expiry), ``recent`` (recent-file paths) and ``blobs`` (a generic
namespace/key → bytes interface, e.g. for a future 質問 document index).

Hardening: the file and its journal are 0600 in a 0700 folder; temp tables/VACUUM stay in
memory (``temp_store=MEMORY``) so nothing spills into the system temp dir; deleted rows are
overwritten (``secure_delete=ON``) and explicit deletions VACUUM the file. Nothing here logs
content; exceptions carry message keys, not data.
"""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.paths import home_dir
from .keys import StoreKey, StoreUnavailable, forget_key, remember_check, resolve_key

DB_NAME = "gennai-store.db"
SCHEMA_VERSION = 1
INDEX_NAMESPACE = "qa-index"            # the 質問 folder index (qa/store.py)
# blob namespaces that hold document text: they follow the history's retention and deletion
DOCUMENT_TEXT_NAMESPACES = (INDEX_NAMESPACE,)


def _marks(values: tuple) -> str:
    return ",".join("?" * len(values))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    task TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    source_name TEXT NOT NULL DEFAULT '',
    source_sha256 TEXT NOT NULL DEFAULT '',
    source_size INTEGER,
    model_id TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL DEFAULT '',
    payload TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS results_created ON results(created);
CREATE TABLE IF NOT EXISTS sessions (
    pid INTEGER PRIMARY KEY,
    saved_at REAL NOT NULL,
    expires REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS recent (
    path TEXT PRIMARY KEY,
    used REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS blobs (
    ns TEXT NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (ns, key)
);
"""


@dataclass
class HistoryEntry:
    id: int
    created: float
    task: str
    title: str
    source_name: str
    source_sha256: str
    source_size: int | None
    model_id: str
    origin: str
    text: str
    payload: dict

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


_COLS = "id, created, task, title, source_name, source_sha256, source_size, model_id, origin, text, payload"


def _entry(row) -> HistoryEntry:
    d = dict(zip([c.strip() for c in _COLS.split(",")], row))
    try:
        d["payload"] = json.loads(d["payload"] or "{}")
    except ValueError:
        d["payload"] = {}
    return HistoryEntry(**d)


def store_dir() -> Path:
    d = home_dir() / "store"
    d.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(d, 0o700)
    except OSError:
        pass
    return d


def _touch_private(path: Path) -> None:
    """Create ``path`` as 0600 before SQLite does (SQLite gives its journal the same mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except FileExistsError:
        pass
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass


class ProtectedStore:
    def __init__(self, path: Path, key: StoreKey) -> None:
        import sqlcipher3
        self.path = Path(path)
        self.key_source = key.source
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _touch_private(self.path)
        self._db = sqlcipher3.connect(str(self.path), timeout=10, check_same_thread=False,
                                      isolation_level=None)
        self._errors = (sqlcipher3.DatabaseError,)
        try:
            self._db.execute(f"PRAGMA key = \"x'{key.raw.hex()}'\"")
            self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()   # wrong key fails here
            for pragma in ("secure_delete = ON", "temp_store = MEMORY", "foreign_keys = ON",
                           "journal_mode = DELETE", "busy_timeout = 10000"):
                self._db.execute(f"PRAGMA {pragma}").fetchall()
            self._db.executescript(_SCHEMA)
            if self._db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlcipher3.DatabaseError:
            self._db.close()
            # the key matched key.json's check value: then the file itself is damaged
            raise StoreUnavailable("storage.error.corrupt" if key.verified else "storage.error.wrong_key") from None

    # --- plumbing -----------------------------------------------------------------------------
    class _Tx:
        def __init__(self, store: ProtectedStore) -> None:
            self.store = store

        def __enter__(self):
            self.store._lock.acquire()
            self.store._db.execute("BEGIN IMMEDIATE")
            return self.store._db

        def __exit__(self, exc_type, exc, tb) -> None:
            try:
                self.store._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
            except self.store._errors:
                raise StoreUnavailable("storage.error.corrupt") from None
            finally:
                self.store._lock.release()
            if exc_type is not None and issubclass(exc_type, self.store._errors):
                raise StoreUnavailable("storage.error.corrupt") from exc

    def _tx(self) -> _Tx:
        return ProtectedStore._Tx(self)

    def _q(self, sql: str, params: tuple = ()) -> list:
        """A query; a damaged page (SQLCipher's HMAC check fails) is a clear StoreUnavailable,
        not an internal error."""
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except self._errors:
                raise StoreUnavailable("storage.error.corrupt") from None

    def pragma(self, name: str) -> Any:
        return self._q(f"PRAGMA {name}")[0][0]

    def close(self) -> None:
        with self._lock:
            try:
                self._db.close()
            except Exception:  # noqa: BLE001 - closing is best effort: the handle is dropped either way
                pass

    def compact(self) -> None:
        """Rebuild the file without free pages (after deletions: the file really shrinks)."""
        with self._lock:
            try:
                self._db.execute("VACUUM")
            except self._errors:
                raise StoreUnavailable("storage.error.corrupt") from None

    # --- result history -------------------------------------------------------------------------
    def add_result(self, task: str, text: str, *, title: str = "", source_name: str = "",
                   source_sha256: str = "", source_size: int | None = None, model_id: str = "",
                   origin: str = "", payload: dict | None = None, created: float | None = None) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO results (created, task, title, source_name, source_sha256, source_size, model_id,"
                " origin, text, payload) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (created or time.time(), task, title, source_name, source_sha256, source_size, model_id, origin,
                 text, json.dumps(payload or {}, ensure_ascii=False)))
            return int(cur.lastrowid)

    def list_results(self, limit: int = 200) -> list[HistoryEntry]:
        return [_entry(r) for r in self._q(f"SELECT {_COLS} FROM results ORDER BY created DESC, id DESC LIMIT ?",
                                           (limit,))]

    def get_result(self, result_id: int) -> HistoryEntry | None:
        rows = self._q(f"SELECT {_COLS} FROM results WHERE id = ?", (int(result_id),))
        return _entry(rows[0]) if rows else None

    def search_results(self, needle: str, limit: int = 200) -> list[HistoryEntry]:
        """Substring search (works for Japanese without a tokenizer) in text, title and source name."""
        n = needle.casefold()
        rows = self._q(f"SELECT {_COLS} FROM results WHERE instr(lower(text), ?) > 0 OR instr(lower(title), ?) > 0"
                       " OR instr(lower(source_name), ?) > 0 OR instr(text, ?) > 0"
                       " ORDER BY created DESC, id DESC LIMIT ?", (n, n, n, needle, limit))
        return [_entry(r) for r in rows]

    def delete_result(self, result_id: int, compact: bool = True) -> bool:
        with self._tx() as db:
            n = db.execute("DELETE FROM results WHERE id = ?", (int(result_id),)).rowcount
        if n and compact:
            self.compact()
        return bool(n)

    def delete_all_results(self) -> int:
        """``history delete --all``: every result and the document text kept beside them
        (the 質問 index, ``DOCUMENT_TEXT_NAMESPACES``). Returns the number of results."""
        with self._tx() as db:
            n = db.execute("DELETE FROM results").rowcount
            db.execute(f"DELETE FROM blobs WHERE ns IN ({_marks(DOCUMENT_TEXT_NAMESPACES)})",
                       DOCUMENT_TEXT_NAMESPACES)
        self.compact()
        return n

    def purge_results_older_than(self, days: int) -> int:
        """Retention: drop results — and indexed document text — older than ``days``;
        ``days == 0`` (history off) drops all. Returns the number of results dropped."""
        cutoff = time.time() - days * 86400 if days > 0 else float("inf")
        with self._tx() as db:
            n = db.execute("DELETE FROM results WHERE created < ?", (cutoff,)).rowcount
            m = db.execute(f"DELETE FROM blobs WHERE updated < ? AND ns IN ({_marks(DOCUMENT_TEXT_NAMESPACES)})",
                           (cutoff, *DOCUMENT_TEXT_NAMESPACES)).rowcount
        if n or m:
            self.compact()
        return n

    def count_results(self) -> int:
        return int(self._q("SELECT count(*) FROM results")[0][0])

    # --- crash recovery --------------------------------------------------------------------------
    def save_session(self, pid: int, data: dict, keep_days: float = 7) -> None:
        now = time.time()
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO sessions (pid, saved_at, expires, data) VALUES (?,?,?,?)",
                       (int(pid), now, now + keep_days * 86400, json.dumps(data, ensure_ascii=False)))

    def sessions(self) -> list[tuple[int, float, dict]]:
        """(pid, saved_at, data) of every unexpired session, newest first; expired ones are removed."""
        with self._tx() as db:
            db.execute("DELETE FROM sessions WHERE expires < ?", (time.time(),))
        out = []
        for pid, saved_at, data in self._q("SELECT pid, saved_at, data FROM sessions ORDER BY saved_at DESC"):
            try:
                out.append((int(pid), float(saved_at), json.loads(data)))
            except ValueError:
                continue
        return out

    def get_session(self, pid: int) -> dict | None:
        rows = self._q("SELECT data FROM sessions WHERE pid = ?", (int(pid),))
        try:
            return json.loads(rows[0][0]) if rows else None
        except ValueError:
            return None

    def has_session(self, pid: int) -> bool:
        return bool(self._q("SELECT 1 FROM sessions WHERE pid = ?", (int(pid),)))

    def delete_session(self, pid: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM sessions WHERE pid = ?", (int(pid),))

    # --- recent files ----------------------------------------------------------------------------
    def add_recent(self, path: str, keep: int = 10) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO recent (path, used) VALUES (?, ?)", (path, time.time()))
            db.execute("DELETE FROM recent WHERE path NOT IN (SELECT path FROM recent ORDER BY used DESC LIMIT ?)",
                       (keep,))

    def recent(self) -> list[str]:
        return [r[0] for r in self._q("SELECT path FROM recent ORDER BY used DESC")]

    # --- generic key/blob interface ----------------------------------------------------------
    def put_blob(self, ns: str, key: str, value: bytes) -> None:
        with self._tx() as db:
            db.execute("INSERT OR REPLACE INTO blobs (ns, key, value, updated) VALUES (?,?,?,?)",
                       (ns, key, bytes(value), time.time()))

    def get_blob(self, ns: str, key: str) -> bytes | None:
        rows = self._q("SELECT value FROM blobs WHERE ns = ? AND key = ?", (ns, key))
        return bytes(rows[0][0]) if rows else None

    def blob_keys(self, ns: str) -> list[str]:
        return [r[0] for r in self._q("SELECT key FROM blobs WHERE ns = ? ORDER BY key", (ns,))]

    def delete_blob(self, ns: str, key: str) -> bool:
        with self._tx() as db:
            return bool(db.execute("DELETE FROM blobs WHERE ns = ? AND key = ?", (ns, key)).rowcount)


def open_store(folder: Path | None = None, passphrase: str | None = None, create: bool = True) -> ProtectedStore:
    """Open (or create) the store under ``GENNAI_HOME/store``; raises StoreUnavailable."""
    folder = Path(folder) if folder else store_dir()
    path = folder / DB_NAME
    if not create and not path.exists():
        raise StoreUnavailable("storage.error.no_store")
    key = resolve_key(folder, passphrase=passphrase, create=create)
    try:
        if key.verified is not None and path.is_file() and path.stat().st_size == 0:
            # a store that was made (key.json names its key) cut to nothing: never a silent,
            # empty history
            raise StoreUnavailable("storage.error.corrupt")
    except OSError:
        pass
    try:
        store = ProtectedStore(path, key)
    except ImportError as exc:
        raise StoreUnavailable("storage.error.no_sqlcipher", reason=str(exc)) from None
    if key.verified is None:
        remember_check(folder, key)
    return store


def destroy_store(folder: Path | None = None) -> None:
    """Remove the database, its journal and its key (history reset when the key is lost)."""
    folder = Path(folder) if folder else store_dir()
    for name in (DB_NAME, DB_NAME + "-journal", DB_NAME + "-wal", DB_NAME + "-shm"):
        try:
            (folder / name).unlink()
        except FileNotFoundError:
            pass
    forget_key(folder)
