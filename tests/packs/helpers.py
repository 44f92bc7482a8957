"""Shared helpers for pack tests (a rogue vendor, bundle tampering, state checks)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from tuf.api.metadata import TargetFile

from tests.support.events import run_to_result
from gennai_desktop.packs import store
from gennai_desktop.packs.api import update_from_folder
from gennai_desktop.packs.errors import PackError
from gennai_desktop.packs.gguf_match import sha256_file
from gennai_desktop.packs.manifest import load_manifest
from gennai_desktop.packs.names import INDEX_TARGET, gguf_target, manifest_target
from gennai_desktop.packs.repo import vendor_role
from gennai_desktop.packs.verify import verify_full


def update(folder: Path, **kw):
    return run_to_result(update_from_folder(folder, **kw))


def verify_for_load(spec) -> None:
    """A model spec's pack re-verified in full (GGUF hash) against the signed metadata, and
    the spec's file is that pack's; raises PackError otherwise. (The app never needs it on
    the load path: a pack is registered only when ``quick_status`` ties it to the signed
    metadata, and ``LlamaEngine.load`` hashes the GGUF against ``spec.sha256``.)"""
    if spec.dev_default:
        return
    inst = store.load_installed(spec.id, spec.version)
    verdict = verify_full(inst)
    if not verdict.ok or Path(spec.path) != inst.gguf_path:
        raise PackError("packs.error.verify_failed", pack=spec.id, reason=f"{verdict.status} {verdict.reason}")


def active(pack_id: str) -> str | None:
    return store.read_active(pack_id)["version"]


def assert_intact(pack_id: str, version: str) -> None:
    """The given version is active, passes full verification, and no temp files are left."""
    assert active(pack_id) == version
    inst = store.load_installed(pack_id, version)
    verdict = verify_full(inst)
    assert verdict.ok, verdict
    assert list(store.staging_dir().iterdir()) == []


def rogue_publish(world, *, signer_vendor: str, pack_vendor: str, pack_id: str, version: str,
                  gguf: Path, manifest_overrides: dict | None = None) -> None:
    """Sign a pack with ``signer_vendor``'s key under ``pack_vendor``'s path, bypassing the
    admin tool's checks (what a compromised or careless vendor could do), and list it in
    the ministry index so clients look for it."""
    repo = world.repo
    base = load_manifest(world.build("acme-tiny", "0.0.1") / "manifest.json")
    data = json.loads(base.to_json())
    data.update(id=pack_id, version=version, vendor=pack_vendor)
    data["gguf"].update(size=gguf.stat().st_size, sha256=sha256_file(gguf))
    data.update(manifest_overrides or {})
    m_bytes = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    m_name, g_name = manifest_target(pack_vendor, pack_id, version), gguf_target(pack_vendor, pack_id, version)
    (repo.targets_dir / g_name).parent.mkdir(parents=True, exist_ok=True)
    (repo.targets_dir / m_name).write_bytes(m_bytes)
    shutil.copyfile(gguf, repo.targets_dir / g_name)
    v_md = repo.load(vendor_role(signer_vendor))
    v_md.signed.targets[m_name] = TargetFile.from_data(m_name, m_bytes, ["sha256"])
    v_md.signed.targets[g_name] = TargetFile.from_file(g_name, str(repo.targets_dir / g_name), ["sha256"])
    repo._resign_vendor(signer_vendor, v_md)
    add_index_entry(world, {"id": pack_id, "version": version, "vendor": pack_vendor,
                            "manifest": m_name, "gguf": g_name})


def add_index_entry(world, entry: dict) -> None:
    repo = world.repo
    idx = repo.index()
    idx["packs"].append(entry)
    t_md = repo.load("targets")
    repo._put_json_target(t_md.signed, INDEX_TARGET, idx)
    repo._resign_targets(t_md)
    repo.publish()


def flip_byte(path: Path, offset: int = -5) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))
