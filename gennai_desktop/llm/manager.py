"""One model in memory for the whole app, and one generation at a time.

A 270M model takes ~420 MiB and an 8B model several GiB; two loaded at once would exhaust a
government laptop. llama.cpp contexts are also not safe to drive from two threads. So:

- ``get_engine(spec, …)`` returns the cached engine when the spec and settings are the same,
  otherwise closes the old one first and returns a new (lazily loading) engine.
- ``generation_lock()`` is held for the whole of one generation (prompt + streaming).

How the UI should use it (a worker thread, never the Qt main thread)::

    engine = manager.get_engine(spec, n_gpu_layers=s.n_gpu_layers, n_threads=s.n_threads, n_ctx=s.n_ctx)
    with manager.generation_lock():          # blocks while another task is generating
        for piece in engine.generate(prompt, params, cancel):
            emit(piece)                        # hand over to the UI thread via a signal

To stay responsive, the UI can call ``manager.busy()`` to grey out "run" buttons and cancel the
running task's CancelToken before starting another; cancellation is checked between tokens,
so the lock is released within a fraction of a second. ``get_engine`` and ``unload`` wait for
the running generation to finish before closing a model.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator


from .base import ModelSpec
from .runner import RunnerEngine

_lock = threading.RLock()          # guards _engine/_key and serialises generations
_engine: RunnerEngine | None = None
_key: tuple | None = None
_busy = threading.Event()


def _spec_key(spec: ModelSpec, n_gpu_layers: int, n_threads: int, n_ctx: int) -> tuple:
    return (spec.id, str(spec.path), spec.sha256, spec.chat_format, spec.chat_template_sha256,
            n_gpu_layers, n_threads, n_ctx)


def get_engine(spec: ModelSpec, *, n_gpu_layers: int = -1, n_threads: int = 0,
               n_ctx: int = 4096, batch_size: int = 0) -> RunnerEngine:
    """The app's single engine for ``spec`` with these settings (created or reused).

    llama.cpp always runs in a runner process (``llm.runner``): a crash of native code ends
    that process, never the app."""
    global _engine, _key
    key = _spec_key(spec, n_gpu_layers, n_threads, n_ctx)
    with _lock:
        if _engine is not None and _key == key:
            _engine.batch_size = batch_size      # no reload needed for this one
            return _engine
        if _engine is not None:
            _engine.close()
            _engine, _key = None, None
        _engine = RunnerEngine(spec, n_gpu_layers=n_gpu_layers, n_threads=n_threads, n_ctx=n_ctx,
                               batch_size=batch_size)
        _key = key
        return _engine


def current_engine() -> RunnerEngine | None:
    return _engine


@contextmanager
def generation_lock() -> Iterator[None]:
    """Hold while one generation runs; other callers wait their turn."""
    with _lock:
        _busy.set()
        try:
            yield
        finally:
            _busy.clear()


def busy() -> bool:
    """True while a generation holds the lock (for greying out buttons; not a guarantee)."""
    return _busy.is_set()


def unload() -> None:
    """Close the model and free its memory (e.g. before switching packs or on exit)."""
    global _engine, _key
    with _lock:
        if _engine is not None:
            _engine.close()
        _engine, _key = None, None
