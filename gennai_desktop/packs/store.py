"""Installed packs on this laptop: one folder per pack id and version, an atomic pointer.

Layout under ``home_dir()/packs``::

    installed/<id>/<version>/manifest.json, model.gguf, install.json
    installed/<id>/<version>/manifest.json, model/…, install.json   (an asr pack: packs/asr.py)
    installed/<id>/active.json      {"version": ..., "previous": ...}  (written atomically)
    staging/                        downloads in progress (temp; cleaned on next start)

A new version is downloaded and checked in ``staging``, then the whole folder is renamed
into place, and only then is ``active.json`` replaced. A crash or kill -9 at any point
leaves the previous version active and intact. The previous version is kept for rollback.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ..core.atomicio import atomic_write_text, fsync_dir
from ..core.paths import home_dir
from .errors import PackError
from .manifest import Manifest, load_manifest, version_key
from .names import check_id, check_version, inside

GGUF_NAME = "model.gguf"


def packs_dir() -> Path:
    d = home_dir() / "packs"
    d.mkdir(parents=True, exist_ok=True)
    return d


def installed_dir() -> Path:
    d = packs_dir() / "installed"
    d.mkdir(parents=True, exist_ok=True)
    return d


def staging_dir() -> Path:
    d = packs_dir() / "staging"
    d.mkdir(parents=True, exist_ok=True)
    return d


def new_staging() -> Path:
    return Path(tempfile.mkdtemp(prefix="pack-", dir=staging_dir()))


def clean_staging() -> None:
    """Remove leftovers of interrupted downloads/installs (never touches installed packs)."""
    for child in staging_dir().iterdir():
        with contextlib.suppress(OSError):
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()


def pack_dir(pack_id: str) -> Path:
    return installed_dir() / check_id(pack_id)


def version_dir(pack_id: str, version: str) -> Path:
    return pack_dir(pack_id) / check_version(version)


@dataclass(frozen=True)
class Installed:
    """One installed pack version and what was verified when it was installed."""

    manifest: Manifest
    folder: Path
    record: dict

    @property
    def gguf_path(self) -> Path:
        return self.folder / GGUF_NAME


def read_active(pack_id: str) -> dict:
    p = pack_dir(pack_id) / "active.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        out = {"version": data.get("version"), "previous": data.get("previous")}
        for k in ("version", "previous"):
            if out[k] is not None:
                check_version(out[k])
        return out
    except (OSError, ValueError, PackError, AttributeError):
        return {"version": None, "previous": None}


def write_active(pack_id: str, version: str, previous: str | None) -> None:
    atomic_write_text(pack_dir(pack_id) / "active.json",
                      json.dumps({"version": check_version(version),
                                  "previous": check_version(previous) if previous else None}) + "\n")


def installed_ids(kind: str = "llm") -> list[str]:
    """Installed pack ids of one kind ("llm": GGUF packs, "asr": speech models; the kind is
    in the active version's install record); creates nothing (works on a read-only home)."""
    out: list[str] = []
    d = home_dir() / "packs" / "installed"
    if not d.is_dir():
        return out
    for child in sorted(d.iterdir()):
        if child.is_dir() and (child / "active.json").is_file() and _kind(child) == kind:
            out.append(child.name)
    return out


def _kind(folder: Path) -> str:
    try:
        version = json.loads((folder / "active.json").read_text(encoding="utf-8"))["version"]
        record = json.loads((folder / str(version) / "install.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return "llm"
    return "asr" if isinstance(record, dict) and record.get("kind") == "asr" else "llm"


def load_installed(pack_id: str, version: str) -> Installed:
    folder = version_dir(pack_id, version)
    if not inside(installed_dir(), folder) or not (folder / "install.json").is_file():
        raise PackError("packs.error.not_installed", pack=pack_id, version=version)
    manifest = load_manifest(folder / "manifest.json")
    try:
        record = json.loads((folder / "install.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackError("packs.error.verify_failed", pack=pack_id, reason=str(exc)[:200]) from None
    if manifest.id != pack_id or manifest.version != version:
        raise PackError("packs.error.verify_failed", pack=pack_id, reason="manifest id/version")
    return Installed(manifest=manifest, folder=folder, record=record)


def active_installed(pack_id: str) -> Installed | None:
    v = read_active(pack_id)["version"]
    if not v:
        return None
    try:
        return load_installed(pack_id, v)
    except PackError:
        return None


def commit_install(stage: Path, manifest: Manifest, record: dict, *, activate: bool = True) -> Installed:
    """Move a fully checked staging folder into place, then flip the active pointer."""
    commit_files(stage, manifest.id, manifest.version, record, activate=activate)
    return load_installed(manifest.id, manifest.version)


def commit_files(stage: Path, pack_id: str, version: str, record: dict, *, activate: bool = True) -> Path:
    """The move-into-place of any pack kind (GGUF or asr): fsync, rename, flip ``active.json``."""
    record = {**record, "installed_at": datetime.now(UTC).isoformat(timespec="seconds")}
    atomic_write_text(stage / "install.json", json.dumps(record, indent=2, sort_keys=True) + "\n")
    for f in sorted(p for p in stage.rglob("*") if p.is_file() and not p.is_symlink()):
        with open(f, "rb+") as fh:
            os.fsync(fh.fileno())
    for d in sorted({p.parent for p in stage.rglob("*")}):
        fsync_dir(d)
    dest = version_dir(pack_id, version)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        # Same version re-installed (e.g. after local damage): move the old copy aside first.
        trash = Path(tempfile.mkdtemp(prefix="old-", dir=staging_dir()))
        os.replace(dest, trash / "v")
    os.replace(stage, dest)
    fsync_dir(dest.parent)
    if activate:
        current = read_active(pack_id)
        previous = current["version"] if current["version"] != version else current["previous"]
        write_active(pack_id, version, previous)
        prune(pack_id)
    return dest


def discard(pack_id: str, version: str) -> None:
    """Remove an installed version that is not active (failed load test)."""
    act = read_active(pack_id)
    if version == act["version"]:
        return
    folder = version_dir(pack_id, version)
    if folder.is_dir():
        trash = Path(tempfile.mkdtemp(prefix="old-", dir=staging_dir()))
        os.replace(folder, trash / "v")
        shutil.rmtree(trash, ignore_errors=True)


def prune(pack_id: str) -> None:
    """Keep only the active and the previous version."""
    act = read_active(pack_id)
    keep = {act["version"], act["previous"]}
    for child in pack_dir(pack_id).iterdir():
        if child.is_dir() and child.name not in keep:
            trash = Path(tempfile.mkdtemp(prefix="old-", dir=staging_dir()))
            with contextlib.suppress(OSError):
                os.replace(child, trash / "v")
            shutil.rmtree(trash, ignore_errors=True)


def versions(pack_id: str) -> list[str]:
    d = pack_dir(pack_id)
    if not d.is_dir():
        return []
    vs = [c.name for c in d.iterdir() if c.is_dir() and (c / "install.json").is_file()]
    return sorted(vs, key=version_key)
