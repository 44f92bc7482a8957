"""One model in memory for the whole app.

A 270M model takes ~420 MiB and an 8B model several GiB; two loaded at once would exhaust a
government laptop. ``get_engine(spec, …)`` returns the cached engine when the spec and
settings are the same, otherwise closes the old one first and returns a new (lazily loading)
engine; ``unload`` closes it (before switching packs, on exit). ``app.models.ModelService.open_engine`` is
the one caller. One generation at a time is the engine's own rule: ``RunnerEngine`` holds a
lock around each request to its runner process, and the UI runs model work on a
one-thread pool.
"""
from __future__ import annotations

import threading

from ..core.cpu_budget import DEFAULT_WAIT_POLICY, WaitPolicy
from .base import ModelSpec
from .runner import RunnerEngine

_lock = threading.RLock()          # guards _engine/_key
_engine: RunnerEngine | None = None
_key: tuple | None = None


def _spec_key(spec: ModelSpec, n_gpu_layers: int, n_threads: int, n_ctx: int, wait_policy: str) -> tuple:
    return (spec.id, str(spec.path), spec.sha256, spec.chat_format, spec.chat_template_sha256,
            n_gpu_layers, n_threads, n_ctx, wait_policy)


def get_engine(spec: ModelSpec, *, n_gpu_layers: int = -1, n_threads: int = 0,
               n_ctx: int = 4096, batch_size: int = 0,
               wait_policy: WaitPolicy = DEFAULT_WAIT_POLICY) -> RunnerEngine:
    """The app's single engine for ``spec`` with these settings (created or reused).

    llama.cpp always runs in a runner process (``llm.runner``): a crash of native code ends
    that process, never the app."""
    global _engine, _key
    key = _spec_key(spec, n_gpu_layers, n_threads, n_ctx, wait_policy)
    with _lock:
        if _engine is not None and _key == key:
            _engine.batch_size = batch_size      # no reload needed for this one
            return _engine
        if _engine is not None:
            _engine.close()
            _engine, _key = None, None
        _engine = RunnerEngine(spec, n_gpu_layers=n_gpu_layers, n_threads=n_threads, n_ctx=n_ctx,
                               wait_policy=wait_policy, batch_size=batch_size)
        _key = key
        return _engine


def unload() -> None:
    """Close the model and free its memory (e.g. before switching packs or on exit)."""
    global _engine, _key
    with _lock:
        if _engine is not None:
            _engine.close()
        _engine, _key = None, None
