"""Tamper-evident audit log: hash-chained JSON lines, never any document content.

Each line is one JSON object with ``seq``, ``time`` (UTC), ``user`` (OS account), ``action``,
``task``, ``doc_sha256``, ``doc_size``, ``model_id``, ``model_sha256``, ``outcome``, ``prev``
(the previous line's hash) and ``hash`` = sha256 of the canonical JSON of all other fields.
Appends take a lock, write one line with O_APPEND and fsync, so two processes (UI + CLI)
never interleave or fork the chain. When the file passes ``max_bytes`` it is renamed to
``audit-<UTC time>.jsonl`` and the new file's first line (action ``rotate``) carries the old
file's last hash, so the chain runs across files.

``verify(files)`` recomputes the chain and names the first line that was edited, removed or
reordered. A bare hash chain cannot prove that the LAST lines were not cut off or the file
deleted, so every append also keeps the last (seq, hash) in the encrypted store (the
*anchor*, ``read_anchor``): ``verify(files, anchor=…)`` (``gennai-admin audit verify
--anchor``) then names a truncated or deleted log, and the next append notices it too and
writes an ``audit.anchor_mismatch`` line that chains from the anchor (so the gap shows in
the file itself). A torn last line (a crash mid-write) no longer restarts the chain at 1.
What stays unprovable locally: someone who deletes the log *and* the store, or rewrites
both consistently — collect the logs centrally where that matters.

When the policy requires the audit (``Policy.audit_required``, and always under the strict
built-in policy) a task whose audit line cannot be written is refused before it starts
(``require_writable``) and reported as failed if the line fails afterwards.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import getpass
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.paths import home_dir
from ..core.safefiles import regular_size, sha256_regular
from ..documents.limits import DEFAULT_LIMITS
from ..packs import policy as packs_policy
from .keys import StoreUnavailable
from .store import open_store

GENESIS = "0" * 64
AUDIT_NAME = "audit.jsonl"
MAX_BYTES = 4 * 1024 * 1024
FIELDS = ("task", "doc_sha256", "doc_size", "model_id", "model_sha256", "outcome", "detail", "prev_file")


def _canonical(rec: dict) -> bytes:
    body = {k: v for k, v in rec.items() if k != "hash"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def line_hash(rec: dict) -> str:
    return hashlib.sha256(_canonical(rec)).hexdigest()


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in the environment (service accounts)
        return str(os.getuid()) if hasattr(os, "getuid") else "?"


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":     # (not os.name: the type checker knows msvcrt only under this test)
            import msvcrt
            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
        else:
            import fcntl
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        if sys.platform == "win32":
            import msvcrt
            with contextlib.suppress(OSError):
                os.lseek(fd, 0, 0)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        os.close(fd)


def _last_record(path: Path) -> dict | None:
    """The last complete record (a torn last line, from a crash mid-write, is passed over:
    the chain continues from the record before it and ``verify`` names the torn line)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - 65536))
            tail = fh.read().splitlines()
    except FileNotFoundError:
        return None
    for raw in reversed(tail):
        if raw.strip():
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            if isinstance(rec, dict) and isinstance(rec.get("seq"), int) and "hash" in rec:
                return rec
    return None


# --- the anchor: the last (seq, hash) kept in the encrypted store -------------------------------
ANCHOR_NS = "audit-anchor"


def _anchor_key(path: Path) -> str:
    return str(Path(path).absolute())


def read_anchor(path: Path) -> dict | None:
    """{"seq", "hash"} of the last line appended to ``path`` on this machine (None when the
    store is unavailable or holds none)."""
    try:
        store = open_store(create=False)
    except StoreUnavailable:
        return None
    try:
        raw = store.get_blob(ANCHOR_NS, _anchor_key(path))
    finally:
        store.close()
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("seq"), int) else None


def _write_anchor(path: Path, rec: dict) -> None:
    try:
        store = open_store(create=False)
    except StoreUnavailable:
        return                      # no store (no key yet): the chain alone, as before
    try:
        store.put_blob(ANCHOR_NS, _anchor_key(path),
                       json.dumps({"seq": rec["seq"], "hash": rec["hash"]}).encode("utf-8"))
    except Exception:  # noqa: BLE001 - a locked or broken store must not lose the audit line itself
        pass
    finally:
        store.close()


class AuditLog:
    def __init__(self, path: Path, max_bytes: int = MAX_BYTES, anchored: bool = True) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.anchored = anchored          # keep the last (seq, hash) in the encrypted store

    def append(self, action: str, **fields: Any) -> dict:
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise ValueError(f"audit fields not allowed: {sorted(unknown)}")   # no free-form content
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(self.path.with_name(self.path.name + ".lock")):
            last = _last_record(self.path)
            anchor = read_anchor(self.path) if self.anchored else None
            if anchor is not None and (
                    last is None or last.get("seq", 0) < anchor["seq"]
                    or (last.get("seq") == anchor["seq"] and last.get("hash") != anchor.get("hash"))):
                # lines after the anchor are gone (or the file): say so, chained from the anchor
                found = last.get("seq") if last else "no log"
                gap = self._record("audit.anchor_mismatch", {"seq": anchor["seq"], "hash": anchor.get("hash", "")},
                                   outcome="error:log_truncated", detail=f"expected seq {anchor['seq']}, found {found}")
                self._write(gap)
                last = gap
            if last is not None and self.path.stat().st_size >= self.max_bytes:
                rotated = self._rotate()
                self._write(self._record("rotate", last, prev_file=rotated.name))
                last = _last_record(self.path)
            rec = self._record(action, last, **fields)
            self._write(rec)
            if self.anchored:
                _write_anchor(self.path, rec)
            return rec

    def require_writable(self) -> None:
        """Raise OSError unless a line could be appended now (a task that policy says must
        be audited is refused before it starts)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.close(fd)

    def _record(self, action: str, last: dict | None, **fields: Any) -> dict:
        rec: dict[str, Any] = {
            "v": 1,
            "seq": int(last.get("seq", 0)) + 1 if last else 1,
            "time": _dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds"),
            "user": _os_user(),
            "action": action,
        }
        rec.update({k: v for k, v in fields.items() if v is not None})
        rec["prev"] = str(last.get("hash", "")) if last else GENESIS
        rec["hash"] = line_hash(rec)
        return rec

    def _rotate(self) -> Path:
        stamp = _dt.datetime.now(_dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.path.with_name(f"{self.path.stem}-{stamp}{self.path.suffix}")
        os.replace(self.path, target)
        return target

    def _write(self, rec: dict) -> None:
        line = json.dumps(rec, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass
class Problem:
    file: str
    line: int
    # "edited" | "chain" | "removed" | "reordered" | "unreadable" | "rotate" | "truncated" | "deleted"
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def verify(files: list[Path], anchor: dict | None = None) -> tuple[int, list[Problem]]:
    """Check one file or several in chronological order (rotated files first).

    Returns (lines checked, problems). The first line of the first file is trusted as the
    anchor when it is a ``rotate`` line whose predecessor file was not given. With
    ``anchor`` (``read_anchor`` of the current log), the chain must reach that line:
    otherwise the last file is reported ``truncated`` (or ``deleted``).
    """
    problems: list[Problem] = []
    if anchor is not None and files and not Path(files[-1]).exists():
        problems.append(Problem(str(files[-1]), 0, "deleted"))
    records: list[tuple[int, str, int, dict | None]] = []       # (file index, file, line, record)
    for fi, f in enumerate(files):
        try:
            lines = Path(f).read_bytes().splitlines()
        except OSError:
            if not any(p.reason == "deleted" and p.file == str(f) for p in problems):
                problems.append(Problem(str(f), 0, "unreadable"))
            continue
        for no, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
                rec = rec if isinstance(rec, dict) else None
            except ValueError:
                rec = None
            records.append((fi, str(f), no, rec))
    all_seqs = {r[3]["seq"] for r in records if r[3] is not None and isinstance(r[3].get("seq"), int)}
    prev: dict | None = None
    for i, (fi, fname, no, rec) in enumerate(records):
        if rec is None:
            problems.append(Problem(fname, no, "unreadable"))
            prev = None
            continue
        if rec.get("hash") != line_hash(rec):
            problems.append(Problem(fname, no, "edited"))
        seq = rec.get("seq")
        if i == 0:
            if rec.get("action") != "rotate" and (rec.get("prev") != GENESIS or seq != 1):
                problems.append(Problem(fname, no, "removed"))      # the log does not start at its start
        elif prev is not None:
            if fi != records[i - 1][0] and rec.get("action") != "rotate":
                problems.append(Problem(fname, no, "rotate"))
            if rec.get("prev") != prev.get("hash"):
                pseq = prev.get("seq")
                if isinstance(seq, int) and isinstance(pseq, int):
                    missing = set(range(pseq + 1, seq))
                    if seq <= pseq or missing & all_seqs:      # the "missing" lines are elsewhere
                        reason = "reordered"
                    elif missing:
                        reason = "removed"
                    else:
                        reason = "chain"
                else:
                    reason = "chain"
                problems.append(Problem(fname, no, reason))
        prev = rec
    if anchor is not None and files and Path(files[-1]).exists():
        at = [r for _fi, _f, _no, r in records if r is not None and r.get("seq") == anchor.get("seq")]
        if not any(r.get("hash") == anchor.get("hash") for r in at):
            problems.append(Problem(str(files[-1]), len(records), "truncated"))
    return len(records), problems


# --- where the log lives ---------------------------------------------------------------------
def audit_log(policy=None) -> AuditLog | None:
    """The log in force: ``GENNAI_HOME/audit/audit.jsonl`` unless the policy moves it or turns
    it off (``audit_enabled`` / ``audit_dir``); None when off."""
    if policy is None:
        try:
            policy = packs_policy.current_policy()   # looked up at call time (tests replace it)
        except Exception:  # noqa: BLE001 - no policy machinery: the default (log on)
            policy = None
    if policy is not None and not getattr(policy, "audit_enabled", True):
        return None
    audit_dir: str = getattr(policy, "audit_dir", "") or "" if policy is not None else ""
    folder = Path(audit_dir) if audit_dir else home_dir() / "audit"
    return AuditLog(folder / AUDIT_NAME)


def audit_folders() -> list[Path]:
    """The folder of the audit log in force (an output must never land there)."""
    try:
        log = audit_log()
    except Exception:  # noqa: BLE001 - no policy machinery: the default folder (inside GENNAI_HOME)
        return []
    return [log.path.parent] if log is not None else []


def audit_required(policy=None) -> bool:
    """Must every task be audited (a task whose line cannot be written is refused)?"""
    if policy is None:
        try:
            policy = packs_policy.current_policy()
        except Exception:  # noqa: BLE001 - no policy machinery: not required
            return False
    return bool(getattr(policy, "audit_enabled", True) and getattr(policy, "audit_required", False))


def sha256_and_size(path: str | os.PathLike[str]) -> tuple[str, int] | tuple[None, int | None]:
    """The audited document's sha256 and size: regular files only, at most the loader's size
    cap (a symlink to /dev/zero or a FIFO is never opened: it used to hang here forever)."""
    found = sha256_regular(path, DEFAULT_LIMITS.max_file_bytes)
    if found is not None:
        return found
    return None, regular_size(path)
