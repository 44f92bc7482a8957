"""What packs contribute to the model registry (``llm.registry.ModelRegistry``).

llm/ knows nothing of packs: like a plugin's ``register_models`` hook, this module pushes
specs in — the bundled development default (described by its own pack manifest in
models/gemma3-270m-dev.manifest.json) and the installed packs that policy allows and that still
verify against the signed metadata. A pack that fails verification, was withdrawn or is
forbidden is never registered. The caller (``app.models``) reads policy and trust once and
passes them in.
"""
from __future__ import annotations

from functools import lru_cache

from ..core.paths import model_descriptions_dir
from ..llm.base import ModelSpec
from ..llm.bundled import bundled_model_spec
from ..llm.registry import ModelRegistry
from . import store
from .manifest import Manifest, load_manifest
from .policy import Policy
from .trust import TrustedView
from .verify import quick_status

DEV_MANIFEST = "gemma3-270m-dev.manifest.json"


@lru_cache(maxsize=1)
def _dev_manifest() -> Manifest:
    return load_manifest(model_descriptions_dir() / DEV_MANIFEST)


def dev_default_spec() -> ModelSpec:
    """The bundled Gemma 3 270M base model, as its pack manifest describes it."""
    return _dev_manifest().to_model_spec(bundled_model_spec().path, dev_default=True)


def register_models(registry: ModelRegistry, policy: Policy, view: TrustedView | None) -> None:
    """Register the models policy allows: the dev default, then verified installed packs."""
    dev = dev_default_spec()
    if policy.allowed(dev.id):
        registry.register(dev)
    if view is None:
        return                              # no trusted metadata: no pack verifies
    for pid in store.installed_ids():
        if not policy.allowed(pid):
            continue
        inst = store.active_installed(pid)
        if inst is not None and quick_status(inst, view).ok:
            registry.register(inst.manifest.to_model_spec(inst.gguf_path))
