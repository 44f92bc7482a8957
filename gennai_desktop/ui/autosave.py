"""Autosave of unsaved results and typed fields, and recovery after a crash or kill -9.

Each running app keeps one session row (keyed by its pid) in the encrypted store
(``storage.ProtectedStore.sessions``) and rewrites it whenever its state changed, at the
configured interval; every write is one SQLite transaction, so a kill -9 leaves either the
previous or the new state. A clean exit with nothing unsaved deletes the row. At start,
sessions of processes that are no longer alive are offered back; sessions expire after
``Settings.recovery_keep_days``.

Nothing is written in plaintext: without a usable store (no keyring, no passphrase) autosave
is off and the window says why. Plaintext ``session-<pid>.json`` files left by earlier
versions are moved into the store and then overwritten and deleted.
"""
from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

FORMAT_VERSION = 2


@dataclass
class Recoverable:
    pid: int
    data: dict

    def preview(self, limit: int = 400) -> str:
        """A short, human-readable excerpt of what would be restored."""
        parts: list[str] = []
        if self.data.get("document"):
            parts.append(Path(self.data["document"]).name)
        for st in (self.data.get("tabs") or {}).values():
            for vals in (st.get("values") or {}).values():
                parts.extend(v for v in vals.values() if v.strip())
            if st.get("stream", "").strip():
                parts.append(st["stream"].strip())
        text = "\n".join(parts)
        return text if len(text) <= limit else text[:limit] + "…"

    @property
    def saved_at(self) -> float:
        return float(self.data.get("saved_at", 0))


def _alive(pid: int) -> bool:
    if pid <= 0 or pid == os.getpid():
        return pid == os.getpid()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def shred(path: Path) -> None:
    """Overwrite a plaintext file with zeros, fsync, then delete it.

    Best effort: on SSDs and copy-on-write / journaling file systems old blocks may survive
    (full-disk encryption is what covers those); it still removes the easy copy."""
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
    with contextlib.suppress(OSError):
        path.unlink()


class AutosaveStore:
    """This process's crash-recovery state in the encrypted store (``store`` None: off)."""

    def __init__(self, store, pid: int | None = None, keep_days: float = 7,
                 legacy_folder: Path | None = None) -> None:
        self.store = store
        self.pid = pid or os.getpid()
        self.keep_days = keep_days
        if store is not None and legacy_folder is not None:
            self.migrate_legacy(Path(legacy_folder))

    @property
    def enabled(self) -> bool:
        return self.store is not None

    def save(self, state: dict) -> None:
        if self.store is None:
            return
        data = {"format": FORMAT_VERSION, "pid": self.pid, "saved_at": time.time(), **state}
        self.store.save_session(self.pid, data, keep_days=self.keep_days)

    def discard(self) -> None:
        if self.store is not None:
            self.store.delete_session(self.pid)

    def has_saved(self) -> bool:
        return self.store is not None and self.store.has_session(self.pid)

    def saved_state(self) -> dict | None:
        """This process's last saved state (tests and the crash driver read it)."""
        return self.store.get_session(self.pid) if self.store is not None else None

    def recoverable(self) -> list[Recoverable]:
        """Sessions left by processes that died (newest first); expired ones are dropped."""
        if self.store is None:
            return []
        out = [Recoverable(pid, data) for pid, _t, data in self.store.sessions()
               if pid != self.pid and not _alive(pid)]
        out.sort(key=lambda r: r.saved_at, reverse=True)
        return out

    def forget(self, rec: Recoverable) -> None:
        if self.store is not None:
            self.store.delete_session(rec.pid)

    def migrate_legacy(self, folder: Path) -> int:
        """Move plaintext ``session-<pid>.json`` files of earlier versions into the store."""
        moved = 0
        for p in sorted(folder.glob("session-*.json")) if folder.is_dir() else []:
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
                pid = int(data.get("pid", 0))
            except (OSError, ValueError, TypeError):
                shred(p)          # unreadable plaintext: nothing to recover, still not left lying around
                continue
            if pid != self.pid and _alive(pid):
                continue          # an older app version still running owns it
            if not self.store.has_session(pid):
                self.store.save_session(pid, data, keep_days=self.keep_days)
                moved += 1
            shred(p)
        return moved
