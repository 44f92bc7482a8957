"""Fetch and install signed packs through python-tuf's ngclient ``Updater``.

The HTTP mirror and a folder (USB stick, shared folder) are two ``Source``s for the same
``Updater`` and the same locally trusted metadata, so rollback and freeze protection
hold across both. Targets are streamed chunk by chunk into a temp file (``Progress``
events, ``CancelToken`` checked between chunks, never more than the signed length),
verified against the signed length and sha256, checked as GGUF against the manifest,
optionally load-tested, and only then moved into place and activated.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import netquiet  # noqa: F401  - before tuf.ngclient: no AF_INET6 probe socket

# isort: split
# (the split keeps netquiet above tuf/urllib3: import order matters here)
from tuf.api import exceptions as tufx
from tuf.api.metadata import Metadata, Root, TargetFile
from tuf.ngclient import Updater
from tuf.ngclient.fetcher import FetcherInterface

from ..core.atomicio import atomic_write_bytes
from ..core.cancel import NEVER, Cancelled, CancelToken
from ..core.events import Done, Notice, Progress, TaskEvent
from ..llm.base import ModelSpec
from . import store
from .asr import ARCHIVE_NAME as ASR_ARCHIVE
from .asr import KIND as ASR_KIND
from .asr import MODEL_SUBDIR as ASR_MODEL_SUBDIR
from .asr import AsrManifest, archive_target, parse_asr_manifest, unpack_archive
from .errors import PackError, from_tuf
from .fetchers import DirectoryFetcher, MirrorFetcher, folder_urls, origin
from .gguf_match import check_against_manifest
from .manifest import Manifest, parse_manifest, version_key
from .names import INDEX_TARGET, POLICY_TARGET, check_id, check_target_name, check_version, gguf_target, manifest_target
from .policy import Policy, current_policy, parse_policy, policy_path
from .trust import developer_mode, metadata_dir, save_state, trusted_root_bytes

MAX_SMALL = 2_000_000          # index, policy and manifests are small
LoadTest = Callable[[ModelSpec], None]


@dataclass(frozen=True)
class Source:
    """Where metadata and targets come from: an HTTP(S) mirror or a local folder."""

    metadata_url: str
    targets_url: str
    fetcher: FetcherInterface | None = None
    label: str = ""

    @classmethod
    def mirror(cls, url: str) -> Source:
        """An HTTPS mirror; plain http only where the signed policy names that http mirror
        (or in the reported developer mode)."""
        if not url.startswith(("http://", "https://")):
            raise PackError("packs.error.bad_mirror", url=url)
        if url.startswith("http://") and not http_allowed(url):
            raise PackError("hardening.mirror.http_not_allowed", url=url)
        base = url.rstrip("/")
        return cls(f"{base}/metadata/", f"{base}/targets/", MirrorFetcher(base), base)

    @classmethod
    def folder(cls, folder: Path | str) -> Source:
        folder = Path(folder)
        if not (folder / "metadata").is_dir():
            raise PackError("packs.error.bad_folder", path=str(folder))
        md, tg = folder_urls(folder)
        return cls(md, tg, DirectoryFetcher(folder), str(folder))


def http_allowed(url: str) -> bool:
    if developer_mode():
        return True
    policy = current_policy()
    return (policy.source in ("signed", "last_verified") and policy.mirror_url.startswith("http://")
            and origin(policy.mirror_url) == origin(url))


def http_fetcher() -> FetcherInterface:
    """python-tuf's urllib3 fetcher (proxy settings from the environment, 30 s gap timeout)."""
    from tuf.ngclient.urllib3_fetcher import Urllib3Fetcher
    return Urllib3Fetcher(app_user_agent="GENNAI-Desktop")


def open_updater(source: Source, md_dir: Path | None = None, *, bootstrap: bytes | None = None,
                 target_dir: Path | None = None) -> Updater:
    """An ngclient Updater bootstrapped from the shipped root (cached rotations apply)."""
    md_dir = md_dir or metadata_dir()
    md_dir.mkdir(parents=True, exist_ok=True)
    root = trusted_root_bytes() if bootstrap is None else bootstrap
    try:
        return Updater(str(md_dir), source.metadata_url, str(target_dir) if target_dir else None,
                       source.targets_url, fetcher=source.fetcher, bootstrap=root)
    except Exception as exc:  # noqa: BLE001 - python-tuf raises many types: mapped to a user message
        raise from_tuf(exc, what="root.json") from None


def refresh(updater: Updater) -> None:
    try:
        updater.refresh()
    except Exception as exc:  # noqa: BLE001 - mapped to a user message
        raise from_tuf(exc, what="metadata") from None


def targetinfo(updater: Updater, name: str) -> TargetFile:
    """The signed description of ``name``; a target nobody entitled to sign it listed is missing."""
    try:
        info = updater.get_targetinfo(name)
    except Exception as exc:  # noqa: BLE001 - python-tuf raises many types: mapped to a user message
        raise from_tuf(exc, what=name) from None
    if info is None:
        raise PackError("packs.error.target_not_found", name=name)
    return info


def _target_url(updater: Updater, source: Source, info: TargetFile, md_dir: Path) -> str:
    path = info.path
    try:
        consistent = Metadata[Root].from_file(str(md_dir / "root.json")).signed.consistent_snapshot
    except Exception:  # noqa: BLE001 - an unreadable root.json: plain target names
        consistent = False
    if consistent and updater.config.prefix_targets_with_hash:
        digest = next(iter(info.hashes.values()))
        dirname, sep, base = path.rpartition("/")
        path = f"{dirname}{sep}{digest}.{base}"
    return source.targets_url + path


def download(updater: Updater, source: Source, info: TargetFile, dest: Path, *, md_dir: Path | None = None,
             cancel: CancelToken = NEVER, stage: str = "packs.stage.download") -> Generator[Progress, None, Path]:
    """Stream ``info`` into ``dest`` (via a temp file beside it), yielding Progress.

    More bytes than signed → abort (DownloadLengthMismatchError); wrong length/hash → the
    temp file is removed and nothing appears at ``dest``.
    """
    md_dir = md_dir or metadata_dir()
    url = _target_url(updater, source, info, md_dir)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".dl-", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    total = info.length
    received = 0
    try:
        with os.fdopen(fd, "wb") as out:
            yield Progress(0, total, stage, info.path)
            chunks = (source.fetcher or http_fetcher()).fetch(url)
            with contextlib.ExitStack() as closing:
                if (close := getattr(chunks, "close", None)) is not None:
                    closing.callback(close)     # a generator or response: closed even when we stop early
                for chunk in chunks:
                    cancel.raise_if_cancelled()
                    received += len(chunk)
                    if received > total:
                        raise tufx.DownloadLengthMismatchError(
                            f"{info.path}: more than the signed {total} bytes")
                    out.write(chunk)
                    yield Progress(received, total, stage, info.path)
            cancel.raise_if_cancelled()
            out.flush()
            os.fsync(out.fileno())
        with open(tmp, "rb") as fh:
            info.verify_length_and_hashes(fh)
        os.replace(tmp, dest)
        return dest
    except Cancelled:
        tmp.unlink(missing_ok=True)
        raise
    except Exception as exc:  # noqa: BLE001 - any download failure: partial file removed, mapped to a message
        tmp.unlink(missing_ok=True)
        raise from_tuf(exc, what=info.path) from None


def fetch_small(updater: Updater, source: Source, name: str, *, cancel: CancelToken = NEVER) -> bytes:
    info = targetinfo(updater, check_target_name(name))
    if info.length > MAX_SMALL:
        raise PackError("packs.error.too_large", what=name, detail=str(info.length), status="")
    with tempfile.TemporaryDirectory(dir=store.staging_dir()) as tmpdir:
        path = Path(tmpdir) / "small"
        for _ in download(updater, source, info, path, cancel=cancel, stage="packs.stage.metadata"):
            pass
        return path.read_bytes()


@dataclass(frozen=True)
class IndexEntry:
    id: str
    version: str
    vendor: str
    manifest: str
    gguf: str                   # the GGUF target ("" for an asr pack)
    kind: str = "llm"           # "asr": a speech-model pack (packs/asr.py)
    archive: str = ""           # an asr pack's model.tar target


def parse_index(data: bytes) -> list[IndexEntry]:
    """The signed pack index; every name must be exactly where its vendor may sign."""
    try:
        raw = json.loads(data)
        entries = []
        for p in raw["packs"]:
            if p.get("kind", "llm") == ASR_KIND:
                e = IndexEntry(check_id(p["id"]), check_version(p["version"]), check_id(p["vendor"]),
                               check_target_name(p["manifest"]), "", ASR_KIND, check_target_name(p["archive"]))
                if e.archive != archive_target(e.vendor, e.id, e.version):
                    raise PackError("packs.error.bad_target_name", name=e.archive)
            elif p.get("kind", "llm") == "llm":
                e = IndexEntry(check_id(p["id"]), check_version(p["version"]), check_id(p["vendor"]),
                               check_target_name(p["manifest"]), check_target_name(p["gguf"]))
                if e.gguf != gguf_target(e.vendor, e.id, e.version):
                    raise PackError("packs.error.bad_target_name", name=e.gguf)
            else:
                raise PackError("packs.error.index_invalid", reason=f"unknown kind {str(p.get('kind'))[:40]!r}")
            if e.manifest != manifest_target(e.vendor, e.id, e.version):
                raise PackError("packs.error.bad_target_name", name=e.manifest)
            entries.append(e)
        return entries
    except PackError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise PackError("packs.error.index_invalid", reason=str(exc)[:200]) from None


def newest(entries: list[IndexEntry]) -> dict[str, IndexEntry]:
    out: dict[str, IndexEntry] = {}
    for e in entries:
        if e.id not in out or version_key(e.version) > version_key(out[e.id].version):
            out[e.id] = e
    return out


@dataclass
class UpdateReport:
    installed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    withdrawn: list[tuple[str, str]] = field(default_factory=list)
    available: list[IndexEntry] = field(default_factory=list)
    policy: Policy | None = None


def install_entry(updater: Updater, source: Source, entry: IndexEntry, *, cancel: CancelToken = NEVER,
                  load_test: LoadTest | None = None,
                  md_dir: Path | None = None) -> Generator[TaskEvent, None, Manifest | AsrManifest]:
    """Download, verify and install one pack version (a model or a speech-model pack); the
    previous one stays until the end."""
    if entry.kind == ASR_KIND:
        return (yield from install_asr_entry(updater, source, entry, cancel=cancel, md_dir=md_dir))
    m_bytes = fetch_small(updater, source, entry.manifest, cancel=cancel)
    manifest = parse_manifest(m_bytes, source=entry.manifest)
    if (manifest.id, manifest.version, manifest.vendor) != (entry.id, entry.version, entry.vendor):
        raise PackError("packs.error.manifest_invalid", path=entry.manifest,
                        reason="id/version/vendor differ from the index")
    g_info = targetinfo(updater, entry.gguf)
    if g_info.length != manifest.gguf.size or g_info.hashes.get("sha256") != manifest.gguf.sha256:
        raise PackError("packs.error.gguf_mismatch", pack=manifest.id, field="signed length/sha256",
                        expected=manifest.gguf.size, actual=g_info.length)
    stage = store.new_staging()
    try:
        (stage / "manifest.json").write_bytes(m_bytes)
        yield from download(updater, source, g_info, stage / store.GGUF_NAME, md_dir=md_dir, cancel=cancel)
        yield Progress(0, 1, "packs.stage.check", manifest.id)
        check_against_manifest(stage / store.GGUF_NAME, manifest, full_hash=False)  # hash: verified by TUF
        if load_test is not None:
            yield Progress(0, 1, "packs.stage.load_test", manifest.id)
            try:
                load_test(manifest.to_model_spec(stage / store.GGUF_NAME))
            except Exception as exc:  # noqa: BLE001 - any failure to load keeps the previous pack
                raise PackError("packs.error.load_failed", pack=manifest.id, version=manifest.version,
                                reason=str(exc)[:300]) from None
        cancel.raise_if_cancelled()
        record = {"manifest_target": entry.manifest, "gguf_target": entry.gguf, "source": source.label,
                  "manifest_sha256": hashlib.sha256(m_bytes).hexdigest(), "gguf_sha256": manifest.gguf.sha256,
                  "gguf_length": g_info.length}
        store.commit_install(stage, manifest, record)
        yield Progress(1, 1, "packs.stage.installed", manifest.id)
        return manifest
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def install_asr_entry(updater: Updater, source: Source, entry: IndexEntry, *, cancel: CancelToken = NEVER,
                      md_dir: Path | None = None) -> Generator[TaskEvent, None, AsrManifest]:
    """A speech-model pack: the manifest and model.tar through TUF (length and sha256 signed),
    the tar's size/sha256 equal to the manifest's, each file unpacked and hashed against it."""
    m_bytes = fetch_small(updater, source, entry.manifest, cancel=cancel)
    manifest = parse_asr_manifest(m_bytes, source=entry.manifest)
    if (manifest.id, manifest.version, manifest.vendor) != (entry.id, entry.version, entry.vendor):
        raise PackError("packs.error.manifest_invalid", path=entry.manifest,
                        reason="id/version/vendor differ from the index")
    a_info = targetinfo(updater, entry.archive)
    if a_info.length != manifest.archive.size or a_info.hashes.get("sha256") != manifest.archive.sha256:
        raise PackError("packs.error.asr_archive", pack=manifest.id,
                        reason="signed length/sha256 differ from the manifest")
    stage = store.new_staging()
    try:
        (stage / "manifest.json").write_bytes(m_bytes)
        tar = stage / ASR_ARCHIVE
        yield from download(updater, source, a_info, tar, md_dir=md_dir, cancel=cancel)
        yield Progress(0, 1, "packs.stage.check", manifest.id)
        unpack_archive(tar, stage / ASR_MODEL_SUBDIR, manifest)
        tar.unlink()
        cancel.raise_if_cancelled()
        record = {"kind": ASR_KIND, "manifest_target": entry.manifest, "archive_target": entry.archive,
                  "source": source.label, "manifest_sha256": hashlib.sha256(m_bytes).hexdigest(),
                  "archive_sha256": manifest.archive.sha256, "archive_length": a_info.length}
        store.commit_files(stage, manifest.id, manifest.version, record)
        yield Progress(1, 1, "packs.stage.installed", manifest.id)
        return manifest
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def run_update(source: Source, *, pack_ids: list[str] | None = None, cancel: CancelToken = NEVER,
               load_test: LoadTest | None = None) -> Iterator[TaskEvent]:
    """Refresh trusted metadata, store the signed policy, install required / requested /
    newer versions of installed packs. Ends with ``Done(UpdateReport)``; raises PackError."""
    store.clean_staging()
    yield Progress(0, 1, "packs.stage.refresh", source.label)
    updater = open_updater(source)
    refresh(updater)
    save_state({}, refreshed=True)       # the offline view reports the metadata's age from this
    yield Progress(1, 1, "packs.stage.refresh", source.label)
    report = UpdateReport()
    # policy first: it decides what may be installed
    try:
        has_policy = updater.get_targetinfo(POLICY_TARGET) is not None
    except Exception as exc:  # noqa: BLE001 - python-tuf raises many types: mapped to a user message
        raise from_tuf(exc, what=POLICY_TARGET) from None
    policy = current_policy()
    if has_policy:
        data = fetch_small(updater, source, POLICY_TARGET, cancel=cancel)
        policy = parse_policy(data).model_copy(update={"source": "signed"})
        atomic_write_bytes(policy_path(), data)
        current_policy()                 # re-checks it offline and records it as the last verified one
    report.policy = policy
    entries = parse_index(fetch_small(updater, source, INDEX_TARGET, cancel=cancel))
    report.available = entries
    latest = newest(entries)
    listed = {(e.id, e.version) for e in entries}
    wanted: list[str] = list(policy.required_packs)
    for pid in store.installed_ids():
        # Re-resolve every installed version so the vendor roles cached for offline checks are
        # current: a withdrawn version then no longer verifies anywhere.
        act = store.read_active(pid)
        for v in (act["version"], act["previous"]):
            if not v:
                continue
            try:
                inst = store.load_installed(pid, v)
                m = inst.manifest
                still_signed = updater.get_targetinfo(manifest_target(m.vendor, m.id, m.version)) is not None
            except PackError:
                still_signed = False
            except Exception as exc:  # noqa: BLE001 - python-tuf raises many types: mapped to a user message
                raise from_tuf(exc, what=pid) from None
            if v == act["version"] and (not still_signed or (pid, v) not in listed):
                report.withdrawn.append((pid, v))
                yield Notice("packs.notice.withdrawn", {"pack": pid, "version": v})
        if pid not in wanted:
            wanted.append(pid)
    for pid in store.installed_ids("asr"):       # speech-model packs: newer versions too
        if pid not in wanted:
            wanted.append(pid)
    for pid in pack_ids or []:
        check_id(pid)
        if pid not in latest:
            raise PackError("packs.error.target_not_found", name=pid)
        if not policy.allowed(pid):
            raise PackError("packs.error.not_allowed", pack=pid)
        if pid not in wanted:
            wanted.append(pid)
    for pid in wanted:
        entry = latest.get(pid)
        if entry is None or not policy.allowed(pid):
            continue
        current = store.read_active(pid)["version"]
        if current and version_key(current) >= version_key(entry.version):
            report.unchanged.append((pid, current))
            continue
        cancel.raise_if_cancelled()
        yield from install_entry(updater, source, entry, cancel=cancel, load_test=load_test)
        report.installed.append((entry.id, entry.version))
    yield Done(report)
