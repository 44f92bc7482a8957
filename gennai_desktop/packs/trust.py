"""The trust anchor and what the laptop already trusts, checked without any network.

Where the trusted ``root.json`` comes from (first found wins):

1. ``machine_dir()/root.json`` — the per-machine folder the installer / ministry IT writes
   (Linux ``/etc/gennai-desktop``, Windows ``%ProgramData%\\GENNAI Desktop``, macOS
   ``/Library/Application Support/GENNAI Desktop``; ``GENNAI_MACHINE_DIR`` overrides).
2. ``home_dir()/trust/root.json`` — ONLY in developer mode (``GENNAI_DEVELOPER_MODE=1``),
   which the machine policy (``machine_dir()/machine.json``: ``{"allow_developer_mode":
   false}``) can forbid, and which ``trust_status()`` reports so the UI/CLI can show it.
   The user folder is writable by the user, so a root there is never trusted otherwise.
3. ``resources/trust/root.json`` — inside the installer.

``TrustedView`` re-verifies the locally cached metadata offline with the online client's
rules except expiry: the root chain from the anchor; timestamp, snapshot and targets
signed by the root's keys; snapshot matching the timestamp and targets / delegated roles
not newer than the snapshot lists them (older: an update stopped half-way, reported in
``stale``); every delegated role verified against the delegator
that delegates it now (never a copy cached under its name); and no role's version lower
than the highest version this machine has seen (recorded in ``trust-state.json``: under
the machine folder when it is writable on a managed install, else the user folder).
Expiry is not checked on purpose (an offline laptop must keep working with its packs);
``TrustedView.age`` says how old the metadata is.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from tuf.api import exceptions as tufx
from tuf.api.metadata import Metadata, Root, Snapshot, TargetFile, Targets, Timestamp

from ..core.atomicio import atomic_write_text
from ..core.errors import GennaiError
from ..core.paths import home_dir, machine_dir, resources_dir
from .errors import PackError

MAX_ROOTS = 256
DEV_MODE_ENV = "GENNAI_DEVELOPER_MODE"
STATE_NAME = "trust-state.json"


# ---- where the anchor comes from ------------------------------------------------------------
def machine_config() -> dict:
    """``machine_dir()/machine.json`` (machine policy); {} when absent. An unreadable or
    malformed file forbids developer mode (fail closed)."""
    path = machine_dir() / "machine.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {"allow_developer_mode": False, "unreadable": True}
    return data if isinstance(data, dict) else {"allow_developer_mode": False, "unreadable": True}


def developer_mode_requested() -> bool:
    return os.environ.get(DEV_MODE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def developer_mode_forbidden() -> bool:
    return machine_config().get("allow_developer_mode", True) is not True


def developer_mode() -> bool:
    """User-folder trust roots are honoured: requested explicitly and not forbidden."""
    return developer_mode_requested() and not developer_mode_forbidden()


def managed_install() -> bool:
    """The machine folder holds a root or a machine policy (installed by IT)."""
    d = machine_dir()
    return (d / "root.json").is_file() or (d / "machine.json").is_file()


def trusted_root_candidates() -> list[Path]:
    out = [machine_dir() / "root.json"]
    if developer_mode():
        out.append(home_dir() / "trust" / "root.json")
    out.append(resources_dir() / "trust" / "root.json")
    return out


@dataclass(frozen=True)
class TrustStatus:
    """What the UI/CLI shows about the anchor."""

    root_path: Path | None
    source: str                       # machine / developer / installer / none
    developer_mode: bool              # user-folder roots are honoured now
    developer_mode_requested: bool
    developer_mode_forbidden: bool
    ignored_user_root: Path | None    # a user-folder root.json that is NOT trusted


def trust_status() -> TrustStatus:
    path = next((p for p in trusted_root_candidates() if p.is_file()), None)
    user_root = home_dir() / "trust" / "root.json"
    if path is None:
        source = "none"
    elif path == machine_dir() / "root.json":
        source = "machine"
    elif path == user_root:
        source = "developer"
    else:
        source = "installer"
    dev = developer_mode()
    return TrustStatus(path, source, dev, developer_mode_requested(), developer_mode_forbidden(),
                       user_root if user_root.is_file() and source != "developer" else None)


def trusted_root_path() -> Path:
    for p in trusted_root_candidates():
        if p.is_file():
            return p
    raise PackError("packs.error.no_trusted_root",
                    paths=", ".join(str(p) for p in trusted_root_candidates()))


def trusted_root_bytes() -> bytes:
    path = trusted_root_path()
    try:
        data = path.read_bytes()
        md = Metadata.from_bytes(data)
        if not isinstance(md.signed, Root):
            raise ValueError("not a root")
        md.signed.verify_delegate(Root.type, md.signed_bytes, md.signatures)
    except Exception as exc:  # noqa: BLE001 - any parse/verify failure means the anchor is unusable
        raise PackError("packs.error.bad_trusted_root", path=str(path), detail=str(exc)[:200]) from None
    return data


def metadata_dir() -> Path:
    d = home_dir() / "packs" / "tuf"
    d.mkdir(parents=True, exist_ok=True)
    return d


# ---- highest versions seen (rollback protection for the offline view) --------------------------
def state_path() -> Path:
    """Machine folder when this is a managed install and it is writable, else the user folder."""
    m = machine_dir()
    if managed_install() and os.access(m, os.W_OK):
        return m / "state" / STATE_NAME
    return home_dir() / "packs" / STATE_NAME


def _state_paths() -> list[Path]:
    return [machine_dir() / "state" / STATE_NAME, home_dir() / "packs" / STATE_NAME]


def load_state() -> dict:
    """Highest versions seen, merged over every place a record may be (max wins)."""
    merged: dict = {"versions": {}}
    for p in _state_paths():
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            vers = data.get("versions", {})
        except (OSError, ValueError, AttributeError):
            continue
        for k, v in vers.items() if isinstance(vers, dict) else ():
            if isinstance(v, int) and v > merged["versions"].get(k, 0):
                merged["versions"][k] = v
        if isinstance(data.get("refreshed_at"), str):
            merged["refreshed_at"] = max(merged.get("refreshed_at", ""), data["refreshed_at"])
    return merged


def save_state(versions: dict[str, int], *, refreshed: bool = False) -> None:
    """Raise the recorded highest versions (never lowers them); a read-only home is tolerated."""
    state = load_state()
    changed = refreshed
    for k, v in versions.items():
        if v > state["versions"].get(k, 0):
            state["versions"][k] = v
            changed = True
    if refreshed:
        state["refreshed_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    if not changed:
        return
    try:
        path = state_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, json.dumps(state, indent=2, sort_keys=True) + "\n")
    except (OSError, GennaiError):
        pass   # cannot record: the view still refuses anything below what was recorded before


def _check_version(kind: str, version: int, floor: dict[str, int]) -> None:
    if version < floor.get(kind, 0):
        raise tufx.BadVersionNumberError(f"{kind} version {version} < highest seen {floor[kind]}")


def _load(path: Path, cls):
    return Metadata[cls].from_bytes(path.read_bytes())


class TrustedView:
    """Offline view of the cached, signature-checked metadata (no expiry check)."""

    def __init__(self, root_bytes: bytes, md_dir: Path, seen: dict[str, int] | None = None,
                 refreshed_at: str | None = None) -> None:
        self.md_dir = md_dir
        floor = dict(seen or {})
        self.versions: dict[str, int] = {}
        root = Metadata[Root].from_bytes(root_bytes)
        hist = md_dir / "root_history"
        for v in range(root.signed.version + 1, root.signed.version + MAX_ROOTS):
            p = hist / f"{v}.root.json"
            if not p.is_file():
                break
            new = Metadata[Root].from_bytes(p.read_bytes())
            # signed by the old root's threshold
            root.signed.verify_delegate(Root.type, new.signed_bytes, new.signatures)
            new.signed.verify_delegate(Root.type, new.signed_bytes, new.signatures)    # and by its own
            if new.signed.version != v:
                raise tufx.BadVersionNumberError(f"root_history/{v}.root.json has version {new.signed.version}")
            root = new
        # the cached root.json the online client keeps must not be newer than what we verified
        cached = md_dir / "root.json"
        if cached.is_file():
            c = _load(cached, Root)
            if c.signed.version > root.signed.version:
                root.signed.verify_delegate(Root.type, c.signed_bytes, c.signatures)
                c.signed.verify_delegate(Root.type, c.signed_bytes, c.signatures)
                if c.signed.version != root.signed.version + 1:
                    raise tufx.BadVersionNumberError("cached root.json skips root versions")
                root = c
        _check_version("root", root.signed.version, floor)
        self.root = root.signed
        self.versions["root"] = self.root.version
        self.targets: Targets | None = None
        self.timestamp: Timestamp | None = None
        self.snapshot: Snapshot | None = None
        self._roles: dict[tuple[int, str], Targets] = {}
        self._floor = floor
        self.stale: list[str] = []
        self.refreshed_at = refreshed_at
        tpath = md_dir / "targets.json"
        if not tpath.is_file():
            return
        ts_md = _load(md_dir / "timestamp.json", Timestamp)   # missing → OSError → no view
        self.root.verify_delegate(Timestamp.type, ts_md.signed_bytes, ts_md.signatures)
        _check_version("timestamp", ts_md.signed.version, floor)
        snap_raw = (md_dir / "snapshot.json").read_bytes()
        snap_md = Metadata[Snapshot].from_bytes(snap_raw)
        self.root.verify_delegate(Snapshot.type, snap_md.signed_bytes, snap_md.signatures)
        meta = ts_md.signed.snapshot_meta
        if snap_md.signed.version > meta.version:
            raise tufx.BadVersionNumberError(
                f"snapshot version {snap_md.signed.version} > timestamp's {meta.version}")
        if snap_md.signed.version < meta.version:
            self.stale.append("snapshot")      # an update stopped half-way; the next one completes it
        elif meta.length is not None or meta.hashes:
            meta.verify_length_and_hashes(snap_raw)
        _check_version("snapshot", snap_md.signed.version, floor)
        md = _load(tpath, Targets)
        self.root.verify_delegate(Targets.type, md.signed_bytes, md.signatures)
        self._check_against_snapshot("targets", md.signed.version, snap_md.signed, floor)
        self.timestamp, self.snapshot, self.targets = ts_md.signed, snap_md.signed, md.signed
        self.versions.update(timestamp=ts_md.signed.version, snapshot=snap_md.signed.version,
                             targets=md.signed.version)

    def _check_against_snapshot(self, name: str, version: int, snap: Snapshot, floor: dict[str, int]) -> None:
        entry = snap.meta.get(f"{name}.json")
        if entry is None:
            raise tufx.RepositoryError(f"{name} is not listed in the snapshot")
        if version > entry.version:
            raise tufx.BadVersionNumberError(f"{name} version {version} > snapshot's {entry.version}")
        if version < entry.version:
            # An update that failed half-way (e.g. refused vendor metadata) leaves the previous,
            # still correctly signed role cached: usable offline, reported as stale.
            self.stale.append(name)
        _check_version(name, version, floor)

    @property
    def age(self) -> timedelta | None:
        """How long ago this metadata was last refreshed from a mirror/bundle (None: unknown)."""
        stamp = None
        if self.refreshed_at:
            try:
                stamp = datetime.fromisoformat(self.refreshed_at)
            except ValueError:
                stamp = None
        if stamp is None:
            try:
                stamp = datetime.fromtimestamp((self.md_dir / "timestamp.json").stat().st_mtime, UTC)
            except OSError:
                return None
        return datetime.now(UTC) - stamp

    @property
    def expired(self) -> bool:
        """The cached timestamp has expired (shown to the user; not a reason to stop working)."""
        return self.timestamp is not None and self.timestamp.is_expired()

    def _role(self, name: str, parent: Targets) -> Targets | None:
        # Cached per delegator object: the same role name reached through another delegator
        # is verified again against THAT delegator's keys and threshold.
        key = (id(parent), name)
        if key in self._roles:
            return self._roles[key]
        p = self.md_dir / f"{quote(name, '')}.json"
        if not p.is_file():
            return None
        md = Metadata[Targets].from_bytes(p.read_bytes())
        parent.verify_delegate(name, md.signed_bytes, md.signatures)
        assert self.snapshot is not None
        self._check_against_snapshot(name, md.signed.version, self.snapshot, self._floor)
        if md.signed.version > self.versions.get(name, 0):
            self.versions[name] = md.signed.version
            save_state({name: md.signed.version})
        self._roles[key] = md.signed
        return md.signed

    def lookup(self, target_path: str) -> tuple[TargetFile, str] | None:
        """(TargetFile, signing role) for ``target_path`` as the ngclient would resolve it."""
        if self.targets is None:
            return None
        stack: list[tuple[str, Targets]] = [("targets", self.targets)]
        seen: set[str] = set()
        while stack:
            name, role = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            tf = role.targets.get(target_path)
            if tf is not None:
                return tf, name
            if role.delegations is None:
                continue
            children: list[tuple[str, Targets]] = []
            for child, terminating in role.delegations.get_roles_for_target(target_path):
                sub = self._role(child, role)
                if sub is not None:
                    children.append((child, sub))
                if terminating:
                    stack = []
                    break
            stack.extend(reversed(children))
        return None

    def record(self) -> None:
        """Remember these versions as the highest seen (call after using the view)."""
        save_state(self.versions)


def trusted_view() -> TrustedView | None:
    """The offline view, or None if there is no anchor / nothing verifiable cached yet."""
    try:
        state = load_state()
        view = TrustedView(trusted_root_bytes(), metadata_dir(), state["versions"], state.get("refreshed_at"))
    except PackError:
        return None
    except (OSError, ValueError, tufx.RepositoryError, json.JSONDecodeError):
        return None
    except Exception:  # noqa: BLE001 - tampered cache files must not crash start-up
        return None
    view.record()
    return view
