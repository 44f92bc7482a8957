"""Where the UI gets its one language model from, loaded lazily in the worker thread.

The window appears before any model is loaded; the first task pays the load time
(off the UI thread). All tabs share this provider, and through ``llm.manager`` the
app never holds two models in memory. Tests pass a factory returning a canned-text engine.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..core.settings import Settings
from ..llm.base import BackendInfo, ModelSpec


@dataclass(frozen=True)
class EngineReady:
    """UI-local event: the engine is loaded (status bar shows model and backend)."""

    spec: ModelSpec
    backend: BackendInfo


class EngineProvider:
    def __init__(self, settings: Settings, factory: Callable[[], Any] | None = None,
                 spec: ModelSpec | None = None) -> None:
        self.settings = settings
        self._factory = factory
        self._spec = spec

    def active_spec(self) -> ModelSpec | None:
        """The model that will be used (without loading it); None when none is configured."""
        if self._factory is not None:
            return self._spec
        try:
            from ..llm.registry import active_spec
            return active_spec(self.settings)
        except Exception:  # noqa: BLE001 - the registry reports problems when a task runs
            return None

    def get(self) -> Any:
        """Load (or reuse) the engine. Called in the worker thread, never the UI thread."""
        if self._factory is not None:
            return self._factory()
        from ..llm.manager import get_engine
        from ..llm.registry import active_spec
        s = self.settings
        return get_engine(active_spec(s), n_gpu_layers=s.n_gpu_layers, n_threads=s.n_threads,
                          n_ctx=s.n_ctx, batch_size=s.batch_size)
