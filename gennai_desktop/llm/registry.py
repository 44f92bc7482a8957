"""Which models exist on this machine, which one is active, and what policy allows.

Sources: the bundled development default (described by its own pack manifest in
resources/packs/gemma3-270m-dev/) and installed model packs that still verify against
the signed metadata (gennai_desktop.packs). Ministry policy decides what may be
activated; locked settings are forced back to the policy's values (``apply_policy``).
A pack that fails verification, was withdrawn or is forbidden is never offered.
"""
from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from ..core.errors import ModelError
from ..core.paths import resources_dir
from ..core.settings import Settings, load_settings
from .base import ModelSpec

DEV_MANIFEST = Path("packs") / "gemma3-270m-dev" / "manifest.json"


@lru_cache(maxsize=1)
def _dev_manifest():
    from ..packs.manifest import load_manifest
    return load_manifest(resources_dir() / DEV_MANIFEST)


def dev_default_spec() -> ModelSpec:
    """The bundled Gemma 3 270M base model, as its pack manifest describes it."""
    from .bundled import bundled_model_spec
    return _dev_manifest().to_model_spec(bundled_model_spec().path, dev_default=True)


def _pack_specs(policy) -> list[ModelSpec]:
    from ..packs import store
    from ..packs.trust import trusted_view
    from ..packs.verify import quick_status
    view = None
    out: list[ModelSpec] = []
    for pid in store.installed_ids():
        if not policy.allowed(pid):
            continue
        inst = store.active_installed(pid)
        if inst is None:
            continue
        view = view if view is not None else trusted_view()
        if quick_status(inst, view).ok:
            out.append(inst.manifest.to_model_spec(inst.gguf_path))
    return out


def available_specs(settings: Settings | None = None) -> list[ModelSpec]:
    """Models the user may choose now: the policy's default first, then the dev default, then packs."""
    from ..packs.policy import current_policy
    policy = current_policy()
    specs: list[ModelSpec] = []
    dev = dev_default_spec()
    if policy.allowed(dev.id):
        specs.append(dev)
    specs.extend(_pack_specs(policy))
    if policy.default_pack:
        specs.sort(key=lambda s: s.id != policy.default_pack)
    return specs


def apply_policy(settings: Settings) -> Settings:
    from ..packs.policy import apply_policy as _apply
    return _apply(settings)


def active_spec(settings: Settings | None = None) -> ModelSpec:
    """The model to use: the user's choice if allowed and verified, else the policy default,
    else the first available. Raises ModelError when policy leaves nothing usable."""
    from ..packs.policy import current_policy
    settings = apply_policy(settings if settings is not None else load_settings())
    specs = available_specs(settings)
    if not specs:
        raise ModelError("packs.error.no_usable_model")
    for wanted in (settings.active_model, current_policy().default_pack):
        for s in specs:
            if wanted and s.id == wanted:
                return s
    return specs[0]


def activate(pack_id: str, settings: Settings) -> Settings:
    """Settings with ``pack_id`` active; refuses forbidden, locked or unverified packs.
    The caller saves the returned settings."""
    from ..packs.errors import PackError
    from ..packs.policy import current_policy
    policy = current_policy()
    if "active_model" in policy.locked_settings:
        raise PackError("packs.error.locked", setting="active_model")
    if not policy.allowed(pack_id):
        raise PackError("packs.error.not_allowed", pack=pack_id)
    if pack_id not in {s.id for s in available_specs(settings)}:
        raise PackError("packs.error.not_usable", pack=pack_id)
    return settings.model_copy(update={"active_model": pack_id})


_verified_lock = threading.Lock()
_verified: set[tuple[str, int, int]] = set()


def verify_for_load(spec: ModelSpec) -> None:
    """On-demand full re-verification of a pack against the signed metadata (once per file
    state per process), for callers that want the whole check explicitly.

    It is not on the load path, and need not be: a pack is only offered when
    ``quick_status`` ties its manifest (and the GGUF sha256 it names) to the signed
    metadata, and ``LlamaEngine.load`` hashes the GGUF against ``spec.sha256`` before
    llama.cpp opens it. The bundled default is verified by ``ensure_bundled_model``."""
    if spec.dev_default:
        return
    from ..packs import store
    from ..packs.errors import PackError
    from ..packs.verify import verify_full
    st = Path(spec.path).stat()
    key = (str(spec.path), st.st_size, st.st_mtime_ns)
    with _verified_lock:
        if key in _verified:
            return
    inst = store.load_installed(spec.id, spec.version)
    verdict = verify_full(inst)
    if not verdict.ok or Path(spec.path) != inst.gguf_path:
        raise PackError("packs.error.verify_failed", pack=spec.id, reason=f"{verdict.status} {verdict.reason}")
    with _verified_lock:
        _verified.add(key)
