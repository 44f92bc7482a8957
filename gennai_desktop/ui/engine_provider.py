"""Where the UI gets its one language model from, loaded lazily in the worker thread.

The window appears before any model is loaded; the first task pays the load time
(off the UI thread). All tabs share this provider, and through ``app.models`` and
``llm.manager`` the app never holds two models in memory. Tests pass a factory
returning a canned-text engine.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..app.context import AppContext
from ..app.models import ModelService
from ..core.settings import Settings
from ..llm.base import BackendInfo, ModelSpec


@dataclass(frozen=True)
class EngineReady:
    """UI-local event: the engine is loaded (status bar shows model and backend)."""

    spec: ModelSpec
    backend: BackendInfo


class EngineProvider:
    """The tabs' way to the one engine. Without a factory (tests pass one) it asks the
    session context's ``ModelService`` (``ctx.models``, the same service the CLI uses). The
    window gives the provider a new context when settings or packs change, so new settings,
    a pack update or a policy change apply at the next task; without a context (a provider
    used on its own) it makes a service from ``settings`` each time."""

    def __init__(self, settings: Settings, factory: Callable[[], Any] | None = None,
                 spec: ModelSpec | None = None, ctx: AppContext | None = None) -> None:
        self.settings = settings
        self._factory = factory
        self._spec = spec
        self.ctx = ctx

    def service(self) -> ModelService:
        return self.ctx.models if self.ctx is not None else ModelService(self.settings)

    def active_spec(self) -> ModelSpec | None:
        """The model that will be used (without loading it); None when none is configured."""
        if self._factory is not None:
            return self._spec
        try:
            return self.service().active()
        except Exception:  # noqa: BLE001 - the service reports problems when a task runs
            return None

    def get(self) -> Any:
        """Load (or reuse) the engine. Called in the worker thread, never the UI thread."""
        if self._factory is not None:
            return self._factory()
        return self.service().open_engine()
