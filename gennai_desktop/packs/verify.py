"""Is an installed pack still exactly what was signed? (quick and full checks, offline)

``quick_status`` runs at every start-up / listing: the manifest is re-hashed, the GGUF
size compared, and both are looked up in the cached, signature-checked metadata (a pack
that was withdrawn or whose vendor role no longer lists it is not usable). ``verify_full``
also re-hashes the whole GGUF and re-checks its header against the manifest; the CLI's
``packs verify`` and the engine's load path use it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from ..core.errors import GennaiError
from .gguf_match import check_against_manifest
from .names import gguf_target, manifest_target
from .store import Installed
from .trust import TrustedView, trusted_view

Status = Literal["verified", "withdrawn", "modified", "untrusted"]


@dataclass(frozen=True)
class Verdict:
    status: Status
    signed_by: str = ""
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "verified"


def quick_status(inst: Installed, view: TrustedView | None = None) -> Verdict:
    view = view if view is not None else trusted_view()
    if view is None:
        return Verdict("untrusted", reason="no trusted root or metadata")
    m = inst.manifest
    m_name = manifest_target(m.vendor, m.id, m.version)
    g_name = gguf_target(m.vendor, m.id, m.version)
    try:
        found_m = view.lookup(m_name)
        found_g = view.lookup(g_name)
    except Exception as exc:  # noqa: BLE001 - tampered cache: not usable
        return Verdict("untrusted", reason=str(exc)[:200])
    if found_m is None or found_g is None:
        return Verdict("withdrawn", reason=m_name)
    (m_info, role), (g_info, _) = found_m, found_g
    try:
        m_bytes = (inst.folder / "manifest.json").read_bytes()
        g_size = inst.gguf_path.stat().st_size
    except OSError as exc:
        return Verdict("modified", role, exc.strerror or str(exc))
    if len(m_bytes) != m_info.length or hashlib.sha256(m_bytes).hexdigest() != m_info.hashes.get("sha256"):
        return Verdict("modified", role, "manifest.json")
    if g_size != g_info.length or g_info.hashes.get("sha256") != m.gguf.sha256:
        return Verdict("modified", role, "model.gguf size")
    return Verdict("verified", role)


def verify_full(inst: Installed, view: TrustedView | None = None) -> Verdict:
    quick = quick_status(inst, view)
    if not quick.ok:
        return quick
    try:
        check_against_manifest(inst.gguf_path, inst.manifest, full_hash=True)
    except GennaiError as exc:
        return Verdict("modified", quick.signed_by, exc.message())
    return quick
