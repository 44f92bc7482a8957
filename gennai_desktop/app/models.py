"""Model choice, in one place: what is available, which model is active, activation, and the
one ``open_engine`` the CLI and the UI both use.

Why a service above llm/ and packs/: choosing a model needs the ministry policy (what may be
used, the default pack, locked settings), the signed metadata (which packs still verify) and
the engine (llm/). ``ModelService`` reads policy and trust **once** and asks each model
source to register its specs (``packs.models.register_models``); llm/ never reaches out to
packs. Policy decides what may be activated; locked settings are forced back to the
policy's values. A pack that fails verification, was withdrawn or is forbidden is never
offered.
"""
from __future__ import annotations

from dataclasses import replace

from ..core.errors import ModelError
from ..core.settings import Settings, load_settings
from ..llm import manager
from ..llm.base import ModelSpec
from ..llm.bundled import ensure_bundled_model
from ..llm.registry import ModelRegistry
from ..llm.runner import RunnerEngine
from ..packs import models as pack_models
from ..packs.api import PackStatus, list_packs
from ..packs.errors import PackError
from ..packs.policy import READ_TRUST, Policy, ViewArg, apply_policy, current_policy
from ..packs.trust import TrustedView, trusted_view


class ModelService:
    """A snapshot of the models this run may use, with policy and trust read once.

    Make a new one after settings, packs or policy change (the UI does so when the pack
    manager or the settings dialog closes); it is cheap: no model is loaded until
    ``open_engine``."""

    def __init__(self, settings: Settings | None = None, *, view: ViewArg = READ_TRUST,
                 policy: Policy | None = None) -> None:
        """``view``/``policy``: what the run's ``AppContext`` already read and verified
        (by default they are read here, once)."""
        self.user_settings: Settings = settings if settings is not None else load_settings()
        self.view: TrustedView | None = trusted_view() if view is READ_TRUST else view
        self.policy: Policy = policy if policy is not None else current_policy(self.view)
        self.settings: Settings = apply_policy(self.user_settings, self.policy)   # locked values forced
        self.registry = ModelRegistry()
        pack_models.register_models(self.registry, self.policy, self.view)

    def available(self) -> list[ModelSpec]:
        """Models the user may choose now: the policy's default first, then the dev default, then packs."""
        specs = self.registry.specs()
        if self.policy.default_pack:
            specs.sort(key=lambda s: s.id != self.policy.default_pack)
        return specs

    def active(self) -> ModelSpec:
        """The model to use: the user's choice if allowed and verified, else the policy default,
        else the first available. Raises ModelError when policy leaves nothing usable."""
        specs = self.available()
        if not specs:
            raise ModelError("packs.error.no_usable_model")
        for wanted in (self.settings.active_model, self.policy.default_pack):
            spec = self.registry.get(wanted) if wanted else None
            if spec is not None:
                return spec
        return specs[0]

    def active_or_none(self) -> ModelSpec | None:
        try:
            return self.active()
        except ModelError:
            return None

    def activate(self, pack_id: str) -> Settings:
        """Settings with ``pack_id`` active; refuses forbidden, locked or unverified packs.
        The caller saves the returned settings."""
        if "active_model" in self.policy.locked_settings:
            raise PackError("packs.error.locked", setting="active_model")
        if not self.policy.allowed(pack_id):
            raise PackError("packs.error.not_allowed", pack=pack_id)
        if pack_id not in self.registry:
            raise PackError("packs.error.not_usable", pack=pack_id)
        return self.user_settings.model_copy(update={"active_model": pack_id})

    def pack_rows(self) -> list[PackStatus]:
        """The pack manager's rows (UI and ``gennai packs list``), the active one marked."""
        active = self.active_or_none()
        return list_packs(active_id=active.id if active else "", policy=self.policy,
                          view=self.view)

    def runnable(self, spec: ModelSpec) -> ModelSpec:
        """``spec`` with its model file in place — the one place a model path is resolved:
        the bundled default is assembled (offline) and verified here, so a missing model
        package is reported before any process starts; the runner loads exactly this path."""
        return replace(spec, path=ensure_bundled_model()) if spec.dev_default else spec

    def open_engine(self) -> RunnerEngine:
        """The active model's engine (the app's one engine, created or reused by
        ``llm.manager``); the model itself loads in the runner process on first use.
        Call it off the UI thread."""
        spec = self.runnable(self.active())
        s = self.settings
        return manager.get_engine(spec, n_gpu_layers=s.n_gpu_layers, n_threads=s.n_threads,
                                  n_ctx=s.n_ctx, batch_size=s.batch_size, wait_policy=s.thread_wait)
