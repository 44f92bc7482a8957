"""The ministry's signing repository (python-tuf Metadata API), used by ``gennai-admin``.

Layout of a repository folder (serve it as-is over HTTP, or export it to a USB stick):
``metadata/`` (``N.root.json`` for every root version, ``root.json``, ``targets.json``,
``vendor-<name>.json``, ``snapshot.json``, ``timestamp.json``) and ``targets/``
(``packs/index.json``, ``policy/policy.json``, ``vendors/<vendor>/<id>/<version>/…``).
Consistent snapshots are off by default (file names stay stable on a USB stick or a plain
web server); ``create(consistent_snapshot=True)`` also writes ``N.<role>.json`` and
hash-prefixed target files, as large mirrors (and the tuf-conformance suite) use.

Roles: root (threshold of offline keys), targets (ministry; signs the pack index, the
policy and one TERMINATING delegation per vendor restricted to ``vendors/<vendor>/*/*/*``),
``vendor-<name>`` (signs only that vendor's packs), snapshot and timestamp (online keys).
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from securesystemslib.signer import Signer
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from ..core.atomicio import atomic_path, atomic_write_bytes
from .asr import ARCHIVE_NAME, AsrManifest, archive_target, manifest_kind, parse_asr_manifest, unpack_archive
from .asr import KIND as ASR_KIND
from .build import check_pack_template
from .errors import PackError
from .gguf_match import check_against_manifest, sha256_file
from .keys import generate_key, load_public, load_signer, scan_for_private_keys
from .manifest import load_manifest
from .names import INDEX_TARGET, POLICY_TARGET, check_id, gguf_target, manifest_target
from .policy import Policy

SPEC_VERSION = "1.0.31"
DEFAULT_EXPIRY_DAYS = {"root": 365, "targets": 180, "vendor": 180, "snapshot": 30, "timestamp": 7}
TOP = ("root", "targets", "snapshot", "timestamp")


def vendor_role(vendor: str) -> str:
    return f"vendor-{check_id(vendor)}"


def vendor_paths(vendor: str) -> list[str]:
    """``vendors/<vendor>/<pack id>/<version>/<file>`` — TUF globs match one segment per ``*``."""
    return [f"vendors/{check_id(vendor)}/*/*/*"]


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _expiry(days: float) -> datetime:
    return _utcnow() + timedelta(days=days)


@dataclass
class KeyDirs:
    """Where keys live: ``online`` (targets, snapshot, timestamp, vendors) and ``root`` (offline)."""

    online: Path
    root: Path
    vendor: Path | None = None

    def vendor_dir(self) -> Path:
        return self.vendor or self.online


def _inside(parent: Path, child: Path) -> bool:
    try:
        child.resolve().relative_to(parent.resolve())
        return True
    except ValueError:
        return False


def refuse_private_keys(folder: Path, *, remove: bool = False) -> None:
    """Raise if any file under ``folder`` holds a PEM private key (removing it first when
    ``folder`` is an output we just wrote, so it cannot be shipped by mistake)."""
    found = scan_for_private_keys(folder)
    if not found:
        return
    if remove:
        for f in found:
            f.unlink(missing_ok=True)
    raise PackError("hardening.admin.private_key_in_output", folder=str(folder),
                    files=", ".join(str(f) for f in found[:5]))


class SigningRepo:
    def __init__(self, folder: Path | str, keys: KeyDirs) -> None:
        self.folder = Path(folder)
        self.md_dir = self.folder / "metadata"
        self.targets_dir = self.folder / "targets"
        for d in (keys.online, keys.root, keys.vendor):
            if d is not None and _inside(self.folder, Path(d)):
                # the repository folder is published as is: keys there would be served
                raise PackError("hardening.admin.keys_in_repo", keys=str(d), repo=str(self.folder))
        self.keys = keys

    # ---- files -------------------------------------------------------------------------
    def _path(self, role: str) -> Path:
        return self.md_dir / f"{role}.json"

    def load(self, role: str) -> Metadata:
        path = self._path(role)
        if not path.is_file():
            raise PackError("packs.admin.no_repo", path=str(self.folder))
        return Metadata.from_file(str(path))

    @property
    def consistent(self) -> bool:
        """Consistent snapshots: versioned metadata names and hash-prefixed target files."""
        return bool(self.load("root").signed.consistent_snapshot)

    def _write(self, role: str, md: Metadata) -> None:
        data = md.to_bytes(JSONSerializer(compact=False))
        if role == "root" or (role != "timestamp" and self.consistent):
            atomic_write_bytes(self.md_dir / f"{md.signed.version}.{role}.json", data)
        atomic_write_bytes(self._path(role), data)

    def _store_target(self, name: str, data: bytes | None = None, src: Path | None = None) -> TargetFile:
        """Write a target file (and its hash-prefixed twin when snapshots are consistent)."""
        dest = self.targets_dir / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            atomic_write_bytes(dest, data)
        else:
            assert src is not None
            _copy_atomic(src, dest)
        info = TargetFile.from_file(name, str(dest), ["sha256"])
        if self.consistent:
            twin = dest.parent / f"{info.hashes['sha256']}.{dest.name}"
            if not twin.exists():
                _copy_atomic(dest, twin)
        return info

    def _sign(self, md: Metadata, signers: list[Signer]) -> None:
        md.signatures.clear()
        for s in signers:
            md.sign(s, append=True)

    # ---- keys ---------------------------------------------------------------------------
    def _signers_for(self, root: Root, role: str) -> list[Signer]:
        """Load as many private keys for ``role`` as exist in the key folders."""
        folder = self.keys.root if role == "root" else self.keys.online
        out: list[Signer] = []
        for keyid in root.roles[role].keyids:
            name = self._key_name(folder, keyid)
            if name:
                out.append(load_signer(folder, name))
        if len(out) < root.roles[role].threshold:
            raise PackError("packs.admin.not_enough_keys", role=role, have=len(out),
                            need=root.roles[role].threshold, folder=str(folder))
        return out

    @staticmethod
    def _key_name(folder: Path, keyid: str) -> str | None:
        for pub in sorted(folder.glob("*.pub.json")):
            try:
                if json.loads(pub.read_text(encoding="utf-8")).get("keyid") == keyid:
                    name = pub.name[: -len(".pub.json")]
                    if (folder / f"{name}.pem").is_file():
                        return name
            except (OSError, ValueError):
                continue
        return None

    # ---- create -------------------------------------------------------------------------
    def create(self, *, root_keys: int = 3, root_threshold: int = 2,
               expiry_days: dict[str, float] | None = None, consistent_snapshot: bool = False) -> None:
        """A new repository: fresh keys for every top-level role, empty pack index."""
        if self._path("root").exists():
            raise PackError("packs.admin.repo_exists", path=str(self.folder))
        if not 1 <= root_threshold <= root_keys:
            raise PackError("packs.admin.bad_threshold", threshold=root_threshold, keys=root_keys)
        days = {**DEFAULT_EXPIRY_DAYS, **(expiry_days or {})}
        self.md_dir.mkdir(parents=True, exist_ok=True)
        self.targets_dir.mkdir(parents=True, exist_ok=True)
        root = Root(version=1, spec_version=SPEC_VERSION, expires=_expiry(days["root"]),
                    consistent_snapshot=consistent_snapshot)
        root_pubs = [generate_key(self.keys.root, f"root-{i + 1}") for i in range(root_keys)]
        for pub in root_pubs:
            root.add_key(pub, "root")
        root.roles["root"].threshold = root_threshold
        for role in ("targets", "snapshot", "timestamp"):
            root.add_key(generate_key(self.keys.online, role), role)
        root_md = Metadata(root)
        self._sign(root_md, self._signers_for(root, "root"))
        self._write("root", root_md)
        targets = Targets(version=1, spec_version=SPEC_VERSION, expires=_expiry(days["targets"]),
                          delegations=Delegations(keys={}, roles={}))
        self._put_json_target(targets, INDEX_TARGET, {"schema_version": 1, "packs": []})
        t_md = Metadata(targets)
        self._sign(t_md, self._signers_for(root, "targets"))
        self._write("targets", t_md)
        self.publish(snapshot_days=days["snapshot"], timestamp_days=days["timestamp"], _first=True)

    # ---- targets helpers ------------------------------------------------------------------
    def _put_json_target(self, targets: Targets, name: str, obj: Any) -> None:
        data = (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
        targets.targets[name] = self._store_target(name, data=data)

    def _resign_targets(self, md: Metadata, days: float | None = None) -> None:
        root = self.load("root").signed
        md.signed.version += 1
        md.signed.expires = _expiry(days or DEFAULT_EXPIRY_DAYS["targets"])
        self._sign(md, self._signers_for(root, "targets"))
        self._write("targets", md)

    def _resign_vendor(self, vendor: str, md: Metadata, days: float | None = None, *, bump: bool = True) -> None:
        role = vendor_role(vendor)
        if bump:
            md.signed.version += 1
        md.signed.expires = _expiry(days or DEFAULT_EXPIRY_DAYS["vendor"])
        delegation = self.load("targets").signed.delegations.roles[role]
        folder = self.keys.vendor_dir()
        names = [n for n in (self._key_name(folder, k) for k in delegation.keyids) if n]
        if len(names) < delegation.threshold:
            raise PackError("packs.admin.not_enough_keys", role=role, have=len(names),
                            need=delegation.threshold, folder=str(folder))
        self._sign(md, [load_signer(folder, n) for n in names])
        self._write(role, md)

    def index(self) -> dict:
        return json.loads((self.targets_dir / INDEX_TARGET).read_text(encoding="utf-8"))

    # ---- vendors ------------------------------------------------------------------------
    def add_vendor(self, vendor: str) -> None:
        """Delegate ``vendors/<vendor>/…`` to a new vendor key (terminating: no fall-through)."""
        role = vendor_role(vendor)
        t_md = self.load("targets")
        delegations = t_md.signed.delegations
        assert delegations is not None and delegations.roles is not None
        if role in delegations.roles:
            raise PackError("packs.admin.vendor_exists", vendor=vendor)
        folder = self.keys.vendor_dir()
        pub = load_public(folder, role) if (folder / f"{role}.pub.json").is_file() else generate_key(folder, role)
        delegations.keys[pub.keyid] = pub
        delegations.roles[role] = DelegatedRole(name=role, keyids=[pub.keyid], threshold=1, terminating=True,
                                                paths=vendor_paths(vendor))
        self._resign_targets(t_md)
        v_md = Metadata(Targets(version=1, spec_version=SPEC_VERSION, expires=_expiry(DEFAULT_EXPIRY_DAYS["vendor"])))
        self._resign_vendor(vendor, v_md, bump=False)
        self.publish()

    def rotate_vendor(self, vendor: str) -> None:
        """Replace a vendor's key (e.g. after a leak): the ministry re-delegates
        ``vendors/<vendor>/…`` to a fresh key and the vendor role is re-signed with it."""
        role = vendor_role(vendor)
        t_md = self.load("targets")
        delegations = t_md.signed.delegations
        if role not in (delegations.roles or {}):
            raise PackError("packs.admin.unknown_vendor", vendor=vendor)
        stamp = _utcnow().strftime("%Y%m%d%H%M%S")
        pub = generate_key(self.keys.vendor_dir(), f"{role}-{stamp}")
        old = list(delegations.roles[role].keyids)
        for keyid in old:
            t_md.signed.revoke_key(keyid, role)
        t_md.signed.add_key(pub, role)
        self._resign_targets(t_md)
        self._resign_vendor(vendor, self.load(role))
        self.publish()

    # ---- packs --------------------------------------------------------------------------
    def add_pack(self, pack_dir: Path):
        """Add ``pack_dir`` (manifest.json + the GGUF it names, or an asr pack's model.tar),
        signed by its vendor's key."""
        if manifest_kind((pack_dir / "manifest.json").read_bytes()) == ASR_KIND:
            return self._add_asr_pack(pack_dir)
        manifest = load_manifest(pack_dir / "manifest.json")
        gguf = pack_dir / manifest.gguf.filename
        if not gguf.is_file():
            gguf = pack_dir / "model.gguf"
        check_against_manifest(gguf, manifest, full_hash=True)
        if manifest.chat_template is not None:
            check_pack_template(manifest.chat_template, str(pack_dir / "manifest.json"))
        role = vendor_role(manifest.vendor)
        t_md = self.load("targets")
        if role not in (t_md.signed.delegations.roles or {}):
            raise PackError("packs.admin.unknown_vendor", vendor=manifest.vendor)
        m_name = manifest_target(manifest.vendor, manifest.id, manifest.version)
        g_name = gguf_target(manifest.vendor, manifest.id, manifest.version)
        v_md = self.load(role)
        if m_name in v_md.signed.targets:
            raise PackError("packs.admin.pack_exists", pack=manifest.id, version=manifest.version)
        m_bytes = (pack_dir / "manifest.json").read_bytes()
        v_md.signed.targets[m_name] = self._store_target(m_name, data=m_bytes)
        v_md.signed.targets[g_name] = self._store_target(g_name, src=gguf)
        self._resign_vendor(manifest.vendor, v_md)
        idx = self.index()
        idx["packs"] = [p for p in idx["packs"] if not (p["id"] == manifest.id and p["version"] == manifest.version)]
        idx["packs"].append({"id": manifest.id, "version": manifest.version, "vendor": manifest.vendor,
                             "manifest": m_name, "gguf": g_name})
        idx["packs"].sort(key=lambda p: (p["id"], p["version"]))
        self._put_json_target(t_md.signed, INDEX_TARGET, idx)
        self._resign_targets(t_md)
        self.publish()
        return manifest

    def _add_asr_pack(self, pack_dir: Path) -> AsrManifest:
        """A speech-model pack: the tar is checked against the manifest (size, sha256, and
        every file inside by unpacking it to a scratch folder) before anything is signed."""
        m_bytes = (pack_dir / "manifest.json").read_bytes()
        manifest = parse_asr_manifest(m_bytes, source=str(pack_dir / "manifest.json"))
        archive = pack_dir / ARCHIVE_NAME
        if not archive.is_file() or archive.stat().st_size != manifest.archive.size \
                or sha256_file(archive) != manifest.archive.sha256:
            raise PackError("packs.error.asr_archive", pack=manifest.id, reason="model.tar differs from the manifest")
        with tempfile.TemporaryDirectory() as scratch:
            unpack_archive(archive, Path(scratch), manifest)
        role = vendor_role(manifest.vendor)
        t_md = self.load("targets")
        if role not in (t_md.signed.delegations.roles or {}):
            raise PackError("packs.admin.unknown_vendor", vendor=manifest.vendor)
        m_name = manifest_target(manifest.vendor, manifest.id, manifest.version)
        a_name = archive_target(manifest.vendor, manifest.id, manifest.version)
        v_md = self.load(role)
        if m_name in v_md.signed.targets:
            raise PackError("packs.admin.pack_exists", pack=manifest.id, version=manifest.version)
        v_md.signed.targets[m_name] = self._store_target(m_name, data=m_bytes)
        v_md.signed.targets[a_name] = self._store_target(a_name, src=archive)
        self._resign_vendor(manifest.vendor, v_md)
        idx = self.index()
        idx["packs"] = [p for p in idx["packs"] if not (p["id"] == manifest.id and p["version"] == manifest.version)]
        idx["packs"].append({"id": manifest.id, "version": manifest.version, "vendor": manifest.vendor,
                             "kind": ASR_KIND, "manifest": m_name, "archive": a_name})
        idx["packs"].sort(key=lambda p: (p["id"], p["version"]))
        self._put_json_target(t_md.signed, INDEX_TARGET, idx)
        self._resign_targets(t_md)
        self.publish()
        return manifest

    def withdraw(self, pack_id: str, version: str) -> None:
        """Remove a pack version from the index and from its vendor's signed targets."""
        idx = self.index()
        entry = next((p for p in idx["packs"] if p["id"] == pack_id and p["version"] == version), None)
        if entry is None:
            raise PackError("packs.admin.no_such_pack", pack=pack_id, version=version)
        v_md = self.load(vendor_role(entry["vendor"]))
        for name in (entry["manifest"], entry.get("gguf") or entry.get("archive")):
            v_md.signed.targets.pop(name, None)
        self._resign_vendor(entry["vendor"], v_md)
        idx["packs"].remove(entry)
        t_md = self.load("targets")
        self._put_json_target(t_md.signed, INDEX_TARGET, idx)
        self._resign_targets(t_md)
        self.publish()
        for name in (entry["manifest"], entry.get("gguf") or entry.get("archive")):
            for f in [self.targets_dir / name, *_hash_twins(self.targets_dir / name)]:
                f.unlink(missing_ok=True)

    def set_policy(self, policy: dict) -> None:
        Policy.model_validate(policy)   # refuse to sign a policy the client would reject
        t_md = self.load("targets")
        self._put_json_target(t_md.signed, POLICY_TARGET, policy)
        self._resign_targets(t_md)
        self.publish()

    # ---- snapshot / timestamp -----------------------------------------------------------
    def publish(self, *, snapshot_days: float | None = None, timestamp_days: float | None = None,
                _first: bool = False) -> None:
        """New snapshot (listing current targets/vendor versions) and timestamp, freshly signed."""
        root = self.load("root").signed
        meta: dict[str, MetaFile] = {"targets.json": MetaFile(version=self.load("targets").signed.version)}
        roles = self.load("targets").signed.delegations.roles or {}
        for role in roles:
            meta[f"{role}.json"] = MetaFile(version=self.load(role).signed.version)
        snap_version = 1 if _first else self.load("snapshot").signed.version + 1
        snap = Metadata(Snapshot(version=snap_version, spec_version=SPEC_VERSION,
                                 expires=_expiry(snapshot_days or DEFAULT_EXPIRY_DAYS["snapshot"]), meta=meta))
        self._sign(snap, self._signers_for(root, "snapshot"))
        self._write("snapshot", snap)
        snap_bytes = self._path("snapshot").read_bytes()
        ts_version = 1 if _first else self.load("timestamp").signed.version + 1
        ts = Metadata(Timestamp(version=ts_version, spec_version=SPEC_VERSION,
                                expires=_expiry(timestamp_days or DEFAULT_EXPIRY_DAYS["timestamp"]),
                                snapshot_meta=MetaFile(version=snap_version, length=len(snap_bytes),
                                                       hashes={"sha256": hashlib.sha256(snap_bytes).hexdigest()})))
        self._sign(ts, self._signers_for(root, "timestamp"))
        self._write("timestamp", ts)

    # ---- key rotation -------------------------------------------------------------------
    def rotate(self, role: str, new_root_key_dir: Path | None = None, *, new_keys: int = 1,
               threshold: int | None = None, expiry_days: float | None = None) -> int:
        """Replace ``role``'s keys with ``new_keys`` fresh keys; returns the new root version.

        Always writes root version N+1, signed by the old root threshold (keys in
        ``keys.root``). For a root rotation the new keys go to ``new_root_key_dir`` and
        also sign, so clients holding root N can verify N+1 with either set. New
        targets/snapshot/timestamp keys are created in the online key folder.
        """
        if role not in TOP:
            raise PackError("packs.admin.bad_role", role=role)
        key_dir = self.keys.online
        if role == "root":
            if new_root_key_dir is None:
                raise PackError("packs.admin.need_new_root_dir")
            key_dir = Path(new_root_key_dir)
        old_root = self.load("root").signed
        old_signers = self._signers_for(old_root, "root")
        new_root = Root.from_dict(json.loads(json.dumps(old_root.to_dict())))
        for keyid in list(new_root.roles[role].keyids):
            new_root.revoke_key(keyid, role)
        stamp = _utcnow().strftime("%Y%m%d%H%M%S")
        names = [f"{role}-{stamp}-{i + 1}" for i in range(new_keys)]
        want = threshold or (old_root.roles[role].threshold if role == "root" else 1)
        if not 1 <= want <= new_keys:
            raise PackError("packs.admin.bad_threshold", threshold=want, keys=new_keys)
        for n in names:
            new_root.add_key(generate_key(key_dir, n), role)
        new_root.roles[role].threshold = want
        new_root.version = old_root.version + 1
        new_root.expires = _expiry(expiry_days or DEFAULT_EXPIRY_DAYS["root"])
        md = Metadata(new_root)
        signers = list(old_signers)
        if role == "root":
            signers += [load_signer(key_dir, n) for n in names]
        self._sign(md, signers)
        old_root.verify_delegate(Root.type, md.signed_bytes, md.signatures)   # clients on version N accept it
        new_root.verify_delegate(Root.type, md.signed_bytes, md.signatures)   # and it is valid on its own
        self._write("root", md)
        if role == "root":
            self.keys = KeyDirs(online=self.keys.online, root=key_dir, vendor=self.keys.vendor)
        if role == "targets":
            self._resign_targets(self.load("targets"))
        self.publish()
        return new_root.version

    # ---- export -------------------------------------------------------------------------
    def export_bundle(self, out: Path, *, expires_days: float) -> Path:
        """A USB / shared-folder bundle: fresh snapshot + timestamp valid for ``expires_days``,
        all root versions, current metadata and every target still listed."""
        self.publish(snapshot_days=expires_days, timestamp_days=expires_days)
        out = Path(out)
        (out / "metadata").mkdir(parents=True, exist_ok=True)
        for f in sorted(self.md_dir.glob("*.json")):
            _copy_atomic(f, out / "metadata" / f.name)
        wanted = [INDEX_TARGET, POLICY_TARGET] + [n for p in self.index()["packs"]
                                                   for n in (p["manifest"], p.get("gguf") or p.get("archive"))]
        for name in wanted:
            src = self.targets_dir / name
            for f in [src, *_hash_twins(src)]:
                if f.is_file():
                    rel = f.relative_to(self.targets_dir)
                    _copy_atomic(f, out / "targets" / rel)
        refuse_private_keys(out, remove=True)
        return out

    def check_publishable(self) -> None:
        """The repository folder is served as is: refuse when a private key is anywhere in it."""
        refuse_private_keys(self.folder)

    def status(self) -> dict:
        out: dict[str, Any] = {}
        roles = list(TOP) + list(self.load("targets").signed.delegations.roles or {})
        for role in roles:
            s = self.load(role).signed
            out[role] = {"version": s.version, "expires": s.expires.isoformat()}
        out["packs"] = self.index()["packs"]
        return out


def _hash_twins(path: Path) -> list[Path]:
    """``<sha256>.<name>`` copies of ``path`` (consistent-snapshot target names)."""
    if not path.parent.is_dir():
        return []
    return [p for p in path.parent.glob(f"*.{path.name}")
            if len(p.name) == 65 + len(path.name) and all(c in "0123456789abcdef" for c in p.name[:64])]


def _copy_atomic(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)



__all__ = ["SigningRepo", "KeyDirs", "vendor_role", "vendor_paths"]
