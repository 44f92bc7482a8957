"""Signed offline installation bundle: build, verify, install and uninstall, with no network.

Ministry IT builds the bundle once on a connected machine (installer/build-offline-bundle.sh)
and carries it to air-gapped laptops. It reuses the pack repository's TUF keys instead of a
new scheme:

* ``bundle.json`` is TUF ``targets`` metadata (python-tuf ``Metadata[Targets]``) listing every
  file of the bundle with its length and sha256, signed by the keys that the ministry's
  ``root.json`` gives the ``targets`` role (securesystemslib signers, the same key files
  ``gennai-admin`` uses). A marker field (``x-gennai-offline-bundle``) tells it apart from a
  pack repository's targets.json, and it records executables and symlinks.
* ``root.json`` (the ministry's current root) and ``roots/N.root.json`` (every root version)
  travel in the bundle. Which root is trusted is decided WITHOUT the bundle's say-so:
  on an upgrade the root already installed in the machine folder, and the bundle's root must
  chain from it (each version signed by the previous one's threshold); on a first install
  the sha256 of ``root.json`` must match the fingerprint given with ``--root-sha256``
  (handed over out of band: key-ceremony record, a separate channel).

``verify_bundle`` checks the root, the signature, the marker, every path, length and sha256
before anything is written. ``install_bundle`` then copies into a staging folder inside the
prefix, hashing again while it copies (a USB stick that changes under us is caught), swaps
the folders in, writes the trusted root and machine policy into the machine folder, the
desktop entry, and ``install.json`` (read by the frozen app, ``core.frozen``). User data
(``home_dir()``) is never touched; ``uninstall`` removes exactly what ``install.json`` lists.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from securesystemslib.signer import Signer
from tuf.api import exceptions as tufx
from tuf.api.metadata import Metadata, Root, TargetFile, Targets
from tuf.api.serialization.json import JSONSerializer

from ..asr.model import BASE_DIR as ASR_DIR
from ..core.atomicio import atomic_write_bytes, atomic_write_text
from ..core.i18n import tr
from ..core.paths import machine_dir
from .errors import PackError
from .keys import has_private_key_material, scan_for_private_keys
from .names import POLICY_TARGET
from .policy import RECORD_KEY, RECORD_NAME
from .trust import STATE_NAME

MANIFEST = "bundle.json"
ROOT = "root.json"
ROOTS_DIR = "roots"
MARKER = "x-gennai-offline-bundle"
FORMAT = 1
INSTALL_RECORD = "install.json"
COMPONENTS = ("app", "models", "packs", "share")     # top-level folders that are installed
MACHINE_POLICY = "machine.json"
POLICY_RECORD = "policy-record.json"    # the ministry's signed policy (or none) as of the bundle: packs/policy.py
DESKTOP_ID = "gennai-desktop"
MIME_TYPES = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/pdf")
PROGRAMS = ("gennai-desktop", "gennai", "gennai-admin")
CHUNK = 1 << 20
DEFAULT_EXPIRY_DAYS = 365.0
MAX_ROOT_VERSIONS = 256


class OfflineBundleError(PackError):
    """The bundle is refused (signature, hash, truncation, root) or installing failed."""


def default_prefix() -> Path:
    if os.name == "nt":
        return Path(os.environ.get("ProgramFiles", r"C:\Program Files"))  # noqa: SIM112 - Windows spells it so (environ is case-blind there) / "GENNAI Desktop"
    return Path("/opt/gennai-desktop")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _check_rel(path: str) -> PurePosixPath:
    """A manifest path must stay inside the bundle: relative, '/'-separated, no '..'."""
    p = PurePosixPath(path)
    bad = (not path or path.startswith("/") or "\\" in path or ":" in path or "\x00" in path
           or any(part in ("", ".", "..") for part in path.split("/")))
    if bad:
        raise OfflineBundleError("offline.error.bad_path", path=path[:200])
    return p


# ---- build ---------------------------------------------------------------------------------------
def _walk(folder: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        base = Path(dirpath)
        for d in list(dirnames):
            if (base / d).is_symlink():
                yield base / d            # a link to a folder: recorded, not followed
                dirnames.remove(d)
        for name in sorted(filenames):
            yield base / name


def build_manifest(folder: Path, signers: list[Signer], *, version: int, app_version: str,
                   expires_days: float = DEFAULT_EXPIRY_DAYS, extra: dict | None = None) -> Metadata:
    """List every file under ``folder`` (except bundle.json) and write the signed bundle.json."""
    folder = Path(folder)
    if not (folder / ROOT).is_file():
        raise OfflineBundleError("offline.error.no_root", path=str(folder / ROOT))
    targets: dict[str, TargetFile] = {}
    executables: list[str] = []
    links: dict[str, str] = {}
    for path in _walk(folder):
        rel = path.relative_to(folder).as_posix()
        if rel == MANIFEST:
            continue
        _check_rel(rel)
        if path.is_symlink():
            dest = os.readlink(path)
            _check_link(folder, rel, dest)
            links[rel] = dest
            continue
        targets[rel] = TargetFile.from_file(rel, str(path), ["sha256"])
        if os.name != "nt" and os.stat(path).st_mode & 0o111:
            executables.append(rel)
    for rel, dest in links.items():
        _link_target(folder, rel, dest, targets, links)       # every link ends at a listed file
    root_bytes = (folder / ROOT).read_bytes()
    now = datetime.now(UTC).replace(microsecond=0)
    info = {"format": FORMAT, "app_version": app_version, "created": now.isoformat(),
            "root_sha256": hashlib.sha256(root_bytes).hexdigest(),
            "executables": sorted(executables), "symlinks": dict(sorted(links.items())), **(extra or {})}
    signed = Targets(version=version, expires=now + timedelta(days=expires_days), targets=targets,
                     unrecognized_fields={MARKER: info})
    md = Metadata(signed)
    for s in signers:
        md.sign(s, append=True)
    (folder / MANIFEST).write_bytes(md.to_bytes(JSONSerializer(compact=False)))
    return md


def _check_link(folder: Path, rel: str, dest: str) -> None:
    if os.path.isabs(dest) or "\\" in dest:
        raise OfflineBundleError("offline.error.bad_link", path=rel, target=dest[:200])
    resolved = os.path.normpath(os.path.join(os.path.dirname(rel), dest))
    if resolved.startswith("..") or os.path.isabs(resolved):
        raise OfflineBundleError("offline.error.bad_link", path=rel, target=dest[:200])


def _link_target(folder: Path, rel: str, dest: str, targets: dict, links: dict, depth: int = 0) -> str:
    """Path (relative to the bundle) of the listed file or folder a link finally points at."""
    _check_link(folder, rel, dest)
    resolved = PurePosixPath(os.path.normpath(os.path.join(os.path.dirname(rel), dest))).as_posix()
    if resolved in targets:
        return resolved
    if resolved in links and depth < 8:
        return _link_target(folder, resolved, links[resolved], targets, links, depth + 1)
    if any(t.startswith(resolved + "/") for t in targets):
        return resolved                     # a folder of listed files
    raise OfflineBundleError("offline.error.bad_link", path=rel, target=dest[:200])


# ---- verify --------------------------------------------------------------------------------------
@dataclass
class VerifiedBundle:
    folder: Path
    root: Root
    root_bytes: bytes
    root_sha256: str
    version: int
    info: dict
    files: dict[str, TargetFile]
    symlinks: dict[str, str]
    executables: set[str]
    unlisted: list[str] = field(default_factory=list)
    root_source: str = ""            # "pinned" | "installed" | "upgraded"

    @property
    def app_version(self) -> str:
        return str(self.info.get("app_version", "?"))

    @property
    def total_bytes(self) -> int:
        return sum(t.length for t in self.files.values())


def _read_root(data: bytes, where: str) -> Metadata:
    try:
        md = Metadata[Root].from_bytes(data)
        md.signed.verify_delegate(Root.type, md.signed_bytes, md.signatures)
    except Exception as exc:  # noqa: BLE001 - any parse/verify failure: the root is unusable
        raise OfflineBundleError("offline.error.bad_root", path=where, detail=str(exc)[:200]) from None
    return md


def _anchor_root(folder: Path, bundle_root: bytes, installed_root: bytes | None,
                 root_sha256: str | None) -> tuple[Metadata, str]:
    """The root to verify the manifest with, anchored outside the bundle (see module doc)."""
    new = _read_root(bundle_root, str(folder / ROOT))
    digest = hashlib.sha256(bundle_root).hexdigest()
    if root_sha256:
        if digest != root_sha256.strip().lower():
            raise OfflineBundleError("offline.error.root_fingerprint", expected=root_sha256.strip().lower(),
                                     actual=digest)
        if installed_root is None:
            return new, "pinned"
    if installed_root is None:
        raise OfflineBundleError("offline.error.root_unpinned", actual=digest)
    trusted = _read_root(installed_root, "machine root.json")
    if installed_root == bundle_root:
        return trusted, "installed"
    old_v, new_v = trusted.signed.version, new.signed.version
    if new_v <= old_v:
        raise OfflineBundleError("offline.error.root_rollback", installed=old_v, bundle=new_v)
    if new_v - old_v > MAX_ROOT_VERSIONS:
        raise OfflineBundleError("offline.error.root_chain", version=new_v, detail="too many versions")
    current = trusted
    for v in range(old_v + 1, new_v + 1):
        p = folder / ROOTS_DIR / f"{v}.root.json"
        data = bundle_root if v == new_v else (p.read_bytes() if p.is_file() else None)
        if data is None:
            raise OfflineBundleError("offline.error.root_chain", version=v, detail=f"{ROOTS_DIR}/{v}.root.json missing")
        try:
            step = Metadata[Root].from_bytes(data)
            current.signed.verify_delegate(Root.type, step.signed_bytes, step.signatures)
            step.signed.verify_delegate(Root.type, step.signed_bytes, step.signatures)
            if step.signed.version != v:
                raise tufx.BadVersionNumberError(f"version {step.signed.version} != {v}")
        except Exception as exc:  # noqa: BLE001 - any fault in a root step breaks the chain
            raise OfflineBundleError("offline.error.root_chain", version=v, detail=str(exc)[:200]) from None
        current = step
    return current, "upgraded"


def verify_bundle(folder: Path, *, installed_root: bytes | None = None, root_sha256: str | None = None,
                  allow_expired: bool = False, progress: Callable[[str], None] | None = None) -> VerifiedBundle:
    """Everything checked, nothing written. Raises OfflineBundleError naming what is wrong."""
    folder = Path(folder)
    if not folder.is_dir():
        raise OfflineBundleError("offline.error.not_a_bundle", path=str(folder))
    try:
        bundle_root = (folder / ROOT).read_bytes()
    except OSError:
        raise OfflineBundleError("offline.error.no_root", path=str(folder / ROOT)) from None
    root_md, source = _anchor_root(folder, bundle_root, installed_root, root_sha256)
    try:
        raw = (folder / MANIFEST).read_bytes()
    except OSError:
        raise OfflineBundleError("offline.error.no_manifest", path=str(folder / MANIFEST)) from None
    try:
        md = Metadata[Targets].from_bytes(raw)
    except Exception as exc:  # noqa: BLE001 - truncated / edited JSON
        raise OfflineBundleError("offline.error.bad_manifest", path=str(folder / MANIFEST),
                                 detail=str(exc)[:200]) from None
    try:
        root_md.signed.verify_delegate(Targets.type, md.signed_bytes, md.signatures)
    except tufx.UnsignedMetadataError as exc:
        raise OfflineBundleError("offline.error.bad_signature", path=str(folder / MANIFEST),
                                 detail=str(exc)[:200]) from None
    info = md.signed.unrecognized_fields.get(MARKER)
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise OfflineBundleError("offline.error.not_a_bundle", path=str(folder))
    if md.signed.is_expired() and not allow_expired:
        raise OfflineBundleError("offline.error.expired", expires=md.signed.expires.isoformat())
    files = dict(md.signed.targets)
    links = {str(k): str(v) for k, v in (info.get("symlinks") or {}).items()}
    for rel in [*files, *links]:
        _check_rel(rel)
    for rel, dest in links.items():
        _link_target(folder, rel, dest, files, links)
        p = folder / rel
        if not p.is_symlink() and not p.exists():
            raise OfflineBundleError("offline.error.missing", path=rel)
    if ROOT not in files or files[ROOT].hashes.get("sha256") != hashlib.sha256(bundle_root).hexdigest():
        raise OfflineBundleError("offline.error.hash_mismatch", path=ROOT)
    for rel, tf in files.items():
        path = folder / rel
        if path.is_symlink() or not path.is_file():
            raise OfflineBundleError("offline.error.missing", path=rel)
        size = path.stat().st_size
        if size != tf.length:
            key = "offline.error.truncated" if size < tf.length else "offline.error.size_mismatch"
            raise OfflineBundleError(key, path=rel, expected=tf.length, actual=size)
        if sha256_file(path) != tf.hashes.get("sha256"):
            raise OfflineBundleError("offline.error.hash_mismatch", path=rel)
        if progress is not None:
            progress(rel)
    known = set(files) | set(links) | {MANIFEST}
    unlisted = [p.relative_to(folder).as_posix() for p in _walk(folder)
                if p.relative_to(folder).as_posix() not in known
                and not any(p.relative_to(folder).as_posix().startswith(link + "/") for link in links)]
    return VerifiedBundle(folder=folder, root=root_md.signed, root_bytes=bundle_root,
                          root_sha256=hashlib.sha256(bundle_root).hexdigest(), version=md.signed.version,
                          info=info, files=files, symlinks=links,
                          executables=set(info.get("executables") or ()), unlisted=unlisted, root_source=source)


# ---- install -------------------------------------------------------------------------------------
def _copy_verified(src: Path, dest: Path, tf: TargetFile) -> None:
    """Copy while hashing; the copy must match the manifest (the source may change under us)."""
    h = hashlib.sha256()
    n = 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fin, open(dest, "wb") as fout:
        for block in iter(lambda: fin.read(CHUNK), b""):
            h.update(block)
            n += len(block)
            if n > tf.length:
                break
            fout.write(block)
        fout.flush()
        os.fsync(fout.fileno())
    if n != tf.length or h.hexdigest() != tf.hashes.get("sha256"):
        raise OfflineBundleError("offline.error.changed_while_copying", path=tf.path)


def _rmtree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _admin_only(path: Path) -> None:
    """The machine folder and its files: not writable by group/others (POSIX). On Windows the
    installer (MSI) sets the ACL of %ProgramData% subfolders; nothing to do here."""
    if os.name == "nt":
        return
    st = path.stat()
    if st.st_mode & 0o022:
        os.chmod(path, st.st_mode & ~0o022)
    if hasattr(os, "geteuid") and os.geteuid() == 0 and st.st_uid != 0:
        os.chown(path, 0, 0)


def desktop_entry(prefix: Path, icon: Path | None) -> str:
    exe = prefix / "app" / "gennai-desktop"
    lines = ["[Desktop Entry]", "Type=Application", "Version=1.0",
             "Name=源内デスクトップ", "Name[ja]=源内デスクトップ", "Name[en]=GENNAI Desktop",
             "GenericName[ja]=文書の要約・校正・翻訳・起案",
             "GenericName[en]=Document summary, proofreading, translation",
             "Comment[ja]=オフラインで動作します（文書を外部に送信しません）",
             "Comment[en]=Works offline (documents never leave this computer)",
             f'Exec="{exe}" %F', f"TryExec={exe}",
             f"Icon={icon}" if icon else "Icon=accessories-text-editor",
             "MimeType=" + ";".join(MIME_TYPES) + ";",
             "Categories=Office;WordProcessor;", "Terminal=false", "StartupNotify=true"]
    return "\n".join(lines) + "\n"


def _default_desktop_dir(prefix: Path) -> Path:
    if os.name != "nt" and prefix == default_prefix() and hasattr(os, "geteuid") and os.geteuid() == 0:
        return Path("/usr/share/applications")
    return prefix / "share" / "applications"


def install_bundle(folder: Path, *, prefix: Path | None = None, machine: Path | None = None,
                   desktop_dir: Path | None = None, root_sha256: str | None = None,
                   allow_expired: bool = False, allow_downgrade: bool = False,
                   log: Callable[[str], None] = lambda s: None) -> dict:
    """Verify ``folder`` completely, then install it; returns the install record."""
    t0 = time.perf_counter()
    prefix = Path(prefix or default_prefix()).absolute()
    machine = Path(machine or machine_dir()).absolute()
    try:
        installed_root = (machine / ROOT).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        installed_root = None                     # (a folder that cannot exist: the preflight says so)
    except OSError as exc:
        raise OfflineBundleError("offline.error.io", path=str(machine / ROOT),
                                 detail=exc.strerror or str(exc)) from None
    vb = verify_bundle(folder, installed_root=installed_root, root_sha256=root_sha256, allow_expired=allow_expired)
    log(tr("offline.verified", files=len(vb.files), mb=f"{vb.total_bytes / 1e6:,.1f}", version=vb.version,
           source=tr(f"offline.root_source.{vb.root_source}")))
    for rel in vb.unlisted:
        log(tr("offline.unlisted_ignored", path=rel))
    previous = check_downgrade(prefix, vb, allow_downgrade)
    ddir = Path(desktop_dir) if desktop_dir else _default_desktop_dir(prefix)
    preflight_writable([prefix, machine, *([ddir] if os.name != "nt" else [])])

    # --- nothing has been written before this line ---
    # the machine folder first: if it cannot be written, no program files are left behind
    machine_written = _install_machine_files(vb, machine, log)
    prefix.mkdir(parents=True, exist_ok=True)
    staging = prefix / f".staging-{os.getpid()}"
    _rmtree(staging)
    staging.mkdir()
    try:
        for rel, tf in sorted(vb.files.items()):
            if rel.split("/", 1)[0] not in COMPONENTS:
                continue
            dest = staging / rel
            _copy_verified(vb.folder / rel, dest, tf)
            os.chmod(dest, 0o755 if rel in vb.executables else 0o644)
        for rel, target in sorted(vb.symlinks.items()):
            if rel.split("/", 1)[0] not in COMPONENTS:
                continue
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if os.name == "nt":          # no symlinks without developer mode: copy what it points at
                src = staging / _link_target(vb.folder, rel, target, vb.files, vb.symlinks)
                (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest)
            else:
                os.symlink(target, dest)
        if os.name != "nt":
            for d in [staging, *[p for p in staging.rglob("*") if p.is_dir() and not p.is_symlink()]]:
                os.chmod(d, 0o755)
        _swap_in(staging, prefix)
    finally:
        _rmtree(staging)

    bins = _install_bin_links(prefix)
    icon_path = prefix / "share" / "icons" / f"{DESKTOP_ID}.svg"
    icon = icon_path if icon_path.is_file() else None
    desktop_file = None
    if os.name != "nt":
        ddir.mkdir(parents=True, exist_ok=True)
        desktop_file = ddir / f"{DESKTOP_ID}.desktop"
        atomic_write_text(desktop_file, desktop_entry(prefix, icon))
        os.chmod(desktop_file, 0o644)
    models = sorted((prefix / "models").glob("*.gguf"))
    asr_dir = prefix / "models" / ASR_DIR
    record = {"format": FORMAT, "bundle_version": vb.version, "app_version": vb.app_version,
              "installed_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "prefix": str(prefix), "machine_dir": str(machine),
              "root_sha256": vb.root_sha256, "bundle_created": vb.info.get("created"),
              "bundled_model": str(models[0]) if models else None,
              "asr_model": str(asr_dir) if asr_dir.is_dir() else None,
              "machine_files": sorted({str(p) for p in machine_written + list(_previous_machine_files(previous))}),
              "bin": [str(p) for p in bins],
              "desktop_file": str(desktop_file) if desktop_file else None,
              "seconds": round(time.perf_counter() - t0, 2)}
    atomic_write_text(prefix / INSTALL_RECORD, json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    os.chmod(prefix / INSTALL_RECORD, 0o644)
    log(tr("offline.installed", prefix=str(prefix), machine=str(machine), seconds=f"{record['seconds']:.1f}"))
    return record


def check_downgrade(prefix: Path, vb: VerifiedBundle, allow_downgrade: bool = False) -> dict | None:
    """The install record at ``prefix``; refuses a bundle older than the installed one.
    Run by the INSTALLED verifier too (install-offline.sh: ``offline-verify --prefix``), so
    an older bundle's own tool never decides whether it may replace a newer one."""
    previous = _read_record(Path(prefix).absolute())
    if previous and int(previous.get("bundle_version", 0)) > vb.version and not allow_downgrade:
        raise OfflineBundleError("offline.error.downgrade", installed=previous.get("bundle_version"), bundle=vb.version)
    return previous


def preflight_writable(folders: list[Path]) -> None:
    """Every destination can be written (a file created and removed in it, or — when it does
    not exist yet — in the nearest existing parent), checked before anything is written: a
    non-root run with --prefix but the default machine folder used to leave a half install
    that could not be uninstalled."""
    for folder in folders:
        probe_dir = Path(folder).absolute()
        while not probe_dir.exists() and probe_dir != probe_dir.parent:
            probe_dir = probe_dir.parent
        try:
            fd, name = tempfile.mkstemp(prefix=".gennai-preflight-", dir=probe_dir)
            os.close(fd)
            os.unlink(name)
        except OSError as exc:
            raise OfflineBundleError("offline.error.not_writable", path=str(folder),
                                     detail=exc.strerror or str(exc)) from None


def _previous_machine_files(previous: dict | None) -> list[Path]:
    return [Path(p) for p in (previous or {}).get("machine_files") or () if Path(p).exists()]


def _swap_in(staging: Path, prefix: Path) -> None:
    """Replace each installed component by its staged copy; put the old ones back on failure."""
    moved: list[tuple[Path, Path]] = []
    try:
        for comp in COMPONENTS:
            new = staging / comp
            cur = prefix / comp
            old = prefix / f".old-{comp}-{os.getpid()}"
            if cur.exists() or cur.is_symlink():
                os.replace(cur, old)
                moved.append((old, cur))
            if new.exists():
                os.replace(new, cur)
    except OSError as exc:
        for old, cur in reversed(moved):
            _rmtree(cur)
            os.replace(old, cur)
        raise OfflineBundleError("offline.error.io", path=str(prefix), detail=exc.strerror or str(exc)) from None
    for old, _cur in moved:
        _rmtree(old)


def _install_machine_files(vb: VerifiedBundle, machine: Path, log: Callable[[str], None]) -> list[Path]:
    written: list[Path] = []
    try:
        machine.mkdir(parents=True, exist_ok=True)
        _admin_only(machine)
        root_path = machine / ROOT
        if not root_path.is_file() or root_path.read_bytes() != vb.root_bytes:
            _atomic_bytes(root_path, vb.root_bytes)
        written.append(root_path)
        policy = vb.folder / MACHINE_POLICY
        target = machine / MACHINE_POLICY
        if MACHINE_POLICY in vb.files:
            if target.is_file():
                log(tr("offline.policy_kept", path=str(target)))
            else:
                _atomic_bytes(target, policy.read_bytes())
            written.append(target)
        if POLICY_RECORD in vb.files:
            written += _install_policy_record(vb, machine)
        for p in written:
            if os.name != "nt":
                os.chmod(p, 0o644)
            _admin_only(p)
    except OSError as exc:
        raise OfflineBundleError("offline.error.machine_dir", path=str(machine),
                                 detail=exc.strerror or str(exc)) from None
    return written


def _install_policy_record(vb: VerifiedBundle, machine: Path) -> list[Path]:
    """machine/state/policy-record.json and the highest versions seen (trust-state.json):
    the fail-closed record the app falls back to, and the floor below which the user's own
    metadata is refused. Never lowered by an older bundle."""
    data = (vb.folder / POLICY_RECORD).read_bytes()
    rec = json.loads(data)
    version = Metadata[Targets].from_bytes(rec["targets"].encode("utf-8")).signed.version
    state_dir = machine / "state"
    state_dir.mkdir(exist_ok=True)
    _admin_only(state_dir)
    state_file = state_dir / STATE_NAME
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = {}
    versions = state.get("versions") if isinstance(state.get("versions"), dict) else {}
    if version < int(versions.get(RECORD_KEY, 0)):
        return [state_dir / RECORD_NAME, state_file]     # a newer record is already installed
    versions[RECORD_KEY] = version
    versions["targets"] = max(version, int(versions.get("targets", 0)))
    _atomic_bytes(state_dir / RECORD_NAME, data)
    _atomic_bytes(state_file, (json.dumps({"versions": versions}, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return [state_dir / RECORD_NAME, state_file]


def _atomic_bytes(path: Path, data: bytes) -> None:
    atomic_write_bytes(path, data)


def _install_bin_links(prefix: Path) -> list[Path]:
    """prefix/bin/<program> → ../app/<program> (POSIX; on Windows the MSI adds shortcuts)."""
    if os.name == "nt":
        return []
    bindir = prefix / "bin"
    bindir.mkdir(exist_ok=True)
    out = []
    for name in PROGRAMS:
        if not (prefix / "app" / name).is_file():
            continue
        link = bindir / name
        if link.is_symlink() or link.exists():
            link.unlink()
        os.symlink(Path("..") / "app" / name, link)
        out.append(link)
    return out


def _read_record(prefix: Path) -> dict | None:
    try:
        data = json.loads((prefix / INSTALL_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _machine_is_ours(machine: Path | None, root_sha256: str | None) -> bool:
    """The machine folder holds the root this installation recorded (checked once, before
    anything is removed)."""
    if machine is None or not root_sha256:
        return False
    try:
        return hashlib.sha256((machine / ROOT).read_bytes()).hexdigest() == root_sha256
    except OSError:
        return False


def _ours(path: Path, prefix: Path, machine: Path | None, machine_ours: bool) -> bool:
    """Is ``path`` (listed in install.json) one this installer wrote? install.json is only as
    trustworthy as the prefix it sits in, so --uninstall removes nothing else: files inside
    the prefix; in the machine folder only root.json / machine.json / state/* and only when
    that folder's root.json is the one recorded; the desktop entry by its own name and
    content; bin links only when they point into prefix/app."""
    p = Path(path)
    try:
        real = p.parent.resolve() / p.name
    except (OSError, RuntimeError):
        return False
    if real.is_relative_to(prefix.resolve()) and p.name not in ("", "."):
        if p.is_symlink() and p.parent.name == "bin":
            return os.readlink(p) in {str(Path("..") / "app" / n) for n in PROGRAMS}
        return True
    if machine is not None and machine_ours and real.parent in (machine.resolve(), machine.resolve() / "state") \
            and (p.name in (ROOT, MACHINE_POLICY) or real.parent.name == "state"):
        return True
    if p.name == f"{DESKTOP_ID}.desktop" and p.is_file() and not p.is_symlink():
        try:
            return f'Exec="{prefix / "app" / "gennai-desktop"}"' in p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return False
    return False


def uninstall(prefix: Path | None = None, *, log: Callable[[str], None] = lambda s: None) -> dict:
    """Remove what install_bundle installed (listed in install.json, each path checked to be
    one this installer wrote: ``_ours``); user data stays."""
    prefix = Path(prefix or default_prefix()).absolute()
    rec = _read_record(prefix)
    if rec is None:
        raise OfflineBundleError("offline.error.not_installed", prefix=str(prefix))
    machine = Path(rec["machine_dir"]) if rec.get("machine_dir") else None
    machine_ours = _machine_is_ours(machine, rec.get("root_sha256"))
    removed: list[str] = []
    skipped: list[str] = []
    listed = [rec.get("desktop_file"), *(rec.get("bin") or ()), *(rec.get("machine_files") or ())]
    for p in [x for x in listed if isinstance(x, str) and x]:
        if not (Path(p).exists() or Path(p).is_symlink()):
            continue
        if not _ours(Path(p), prefix, machine, machine_ours):
            skipped.append(p)
            log(tr("offline.uninstall_skipped", path=p))
            continue
        if Path(p).is_dir() and not Path(p).is_symlink():
            skipped.append(p)
            continue
        Path(p).unlink()
        removed.append(p)
    if machine is not None and _ours(machine / "state" / "x", prefix, machine, machine_ours):
        state = machine / "state"                 # trust-state.json, the policy record
        if state.is_dir() and not state.is_symlink():
            _rmtree(state)
            removed.append(str(state))
    if machine is not None and (machine / ROOT).exists() and _ours(machine / ROOT, prefix, machine, machine_ours):
        (machine / ROOT).unlink()
        removed.append(str(machine / ROOT))
    if machine is not None:
        try:
            machine.rmdir()
        except OSError:
            pass                                  # not empty: files the administrator added stay
    for comp in (*COMPONENTS, "bin"):
        part = prefix / comp
        if part.exists() or part.is_symlink():
            _rmtree(part)
            removed.append(str(part))
    (prefix / INSTALL_RECORD).unlink()
    try:
        prefix.rmdir()
    except OSError:
        pass
    log(tr("offline.uninstalled", prefix=str(prefix)))
    return {"removed": removed, "skipped": skipped}


# ---- assemble (used by installer/build-offline-bundle.sh through gennai-admin) ---------------------
def policy_record(repo_dir: Path) -> dict | None:
    """The repository's signed targets metadata and the policy it lists (None: no policy
    target) in the format packs/policy.py records — installed into the machine folder so a
    user who deletes their packs folder still gets the ministry's policy, never none."""
    try:
        targets = (repo_dir / "metadata" / "targets.json").read_text(encoding="utf-8")
        listed = POLICY_TARGET in Metadata[Targets].from_bytes(targets.encode("utf-8")).signed.targets
    except (OSError, ValueError):
        return None
    policy = (repo_dir / "targets" / POLICY_TARGET).read_text(encoding="utf-8") if listed else None
    return {"policy": policy, "targets": targets}



def assemble_bundle(out: Path, *, app: Path, model: Path | None, repo_dir: Path, signers: list[Signer],
                    asr_model: Path | None = None, packs: Path | None = None, policy: dict | None = None,
                    icon: Path | None = None,
                    installer_script: Path | None = None, version: int | None = None,
                    app_version: str = "", expires_days: float = DEFAULT_EXPIRY_DAYS) -> Metadata:
    """Lay out the bundle folder and sign its manifest."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise OfflineBundleError("offline.error.out_not_empty", path=str(out))
    out.mkdir(parents=True, exist_ok=True)
    shutil.copytree(app, out / "app", symlinks=True)
    if model is not None:
        (out / "models").mkdir()
        shutil.copyfile(model, out / "models" / Path(model).name)
    if asr_model is not None:     # the speech model folder: every file signed like the GGUF
        shutil.copytree(asr_model, out / "models" / ASR_DIR, symlinks=False)
    if packs is not None:
        shutil.copytree(packs, out / "packs" / Path(packs).name, symlinks=False)
    md_dir = Path(repo_dir) / "metadata"
    shutil.copyfile(md_dir / ROOT, out / ROOT)
    (out / ROOTS_DIR).mkdir()
    for f in sorted(md_dir.glob("*.root.json")):
        shutil.copyfile(f, out / ROOTS_DIR / f.name)
    machine_policy = policy if policy is not None else {"allow_developer_mode": False}
    atomic_write_text(out / MACHINE_POLICY, json.dumps(machine_policy, ensure_ascii=False, indent=2) + "\n")
    record = policy_record(Path(repo_dir))
    if record is not None:
        atomic_write_text(out / POLICY_RECORD, json.dumps(record, ensure_ascii=False) + "\n")
    if icon is not None:
        (out / "share" / "icons").mkdir(parents=True)
        shutil.copyfile(icon, out / "share" / "icons" / f"{DESKTOP_ID}.svg")
    if installer_script is not None:
        shutil.copy2(installer_script, out / installer_script.name)

    def scan_for_private_keys_file(p: Path) -> bool:
        return has_private_key_material(p.read_bytes())
    # app/ is the PyInstaller output (libcrypto and friends carry PEM header strings); the
    # rest is what an administrator assembled by hand and could contain a key by mistake
    for child in sorted(out.iterdir()):
        if child.name == "app":
            continue
        if (scan_for_private_keys(child) if child.is_dir() else scan_for_private_keys_file(child)):
            raise OfflineBundleError("offline.error.private_key", path=str(out))
    return build_manifest(out, signers, version=version or int(time.time()), app_version=app_version,
                          expires_days=expires_days)
