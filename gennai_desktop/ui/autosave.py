"""Autosave of unsaved results and typed fields, and recovery after a crash or kill -9.

Each running app writes one session file (``session-<pid>.json``) atomically under
``Settings.autosave_path()`` whenever its state changed, at the configured interval.
A clean exit with nothing unsaved deletes it. At start, session files of processes
that are no longer alive are offered back to the user.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ..core.atomicio import atomic_write_text

FORMAT_VERSION = 1


@dataclass
class Recoverable:
    path: Path
    data: dict

    def preview(self, limit: int = 400) -> str:
        """A short, human-readable excerpt of what would be restored."""
        parts: list[str] = []
        if self.data.get("document"):
            parts.append(Path(self.data["document"]).name)
        for name, st in (self.data.get("tabs") or {}).items():
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


class AutosaveStore:
    def __init__(self, folder: Path, pid: int | None = None) -> None:
        self.folder = Path(folder)
        self.pid = pid or os.getpid()
        self.path = self.folder / f"session-{self.pid}.json"

    def save(self, state: dict) -> None:
        data = {"format": FORMAT_VERSION, "pid": self.pid, "saved_at": time.time(), **state}
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(data, ensure_ascii=False, indent=1))

    def discard(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass

    def recoverable(self) -> list[Recoverable]:
        """Session files left by processes that died (newest first); unreadable ones skipped."""
        out: list[Recoverable] = []
        for p in sorted(self.folder.glob("session-*.json")):
            if p == self.path:
                continue
            try:
                data = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if _alive(int(data.get("pid", 0))):
                continue
            out.append(Recoverable(p, data))
        out.sort(key=lambda r: r.saved_at, reverse=True)
        return out

    @staticmethod
    def forget(rec: Recoverable) -> None:
        try:
            rec.path.unlink()
        except FileNotFoundError:
            pass
