"""Run a task generator off the UI thread and hand its events back to the UI thread.

Like superqt's generator workers / Anki's taskman: a QRunnable on a one-thread pool
(one model in memory serves one request at a time) iterates the generator; every
event is emitted through a signal owned by a QObject living in the UI thread, so Qt
queues it there. Cancel sets the task's CancelToken; the generator raises
``Cancelled`` at its next token/chunk boundary and the worker reports ``cancelled``.
"""
from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from typing import Any

from ..core.cancel import Cancelled, CancelToken, cancel_scope
from ..core.events import drain
from .qt import QObject, QRunnable, QThreadPool, Signal, emit

TaskFactory = Callable[[CancelToken], Iterator[Any]]

_POOL: QThreadPool | None = None
_RUNNING: set[TaskWorker] = set()   # keeps a worker alive while a pool thread runs it


def task_pool() -> QThreadPool:
    """The single-thread pool for model work (tasks queue behind each other)."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(1)
        _POOL.setExpiryTimeout(-1)
    return _POOL


class WorkerSignals(QObject):
    event = Signal(object)          # Progress / TextDelta / Notice / Stats
    done = Signal(object)           # the Done event's result
    failed = Signal(object, str)    # exception, formatted traceback
    cancelled = Signal()
    finished = Signal()             # always last


class TaskWorker(QRunnable):
    """Iterates ``factory(cancel)`` in a pool thread; emits events; never touches widgets."""

    def __init__(self, factory: TaskFactory) -> None:
        super().__init__()
        self.setAutoDelete(False)   # the Python object owns it; Qt must not delete it
        self.factory = factory
        self.cancel_token = CancelToken()
        self.signals = WorkerSignals()
        self.running = False

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def start(self, pool: QThreadPool | None = None) -> None:
        self.running = True
        _RUNNING.add(self)
        # released on the UI thread, after the pool thread is done with the runnable
        self.signals.finished.connect(lambda: _RUNNING.discard(self))
        (pool or task_pool()).start(self)

    def run(self) -> None:  # pool thread
        sig = self.signals
        try:
            def forward(ev: Any) -> None:
                if self.cancel_token.cancelled:
                    raise Cancelled()
                emit(sig.event, ev)

            with cancel_scope(self.cancel_token):     # reaches the sandboxed children too
                result = drain(self.factory(self.cancel_token), forward)
            if self.cancel_token.cancelled:
                raise Cancelled()
            emit(sig.done, result)
        except Cancelled:
            emit(sig.cancelled)
        except BaseException as exc:  # noqa: BLE001 - reported to the UI, never lost
            emit(sig.failed, exc, traceback.format_exc())
        finally:
            self.running = False
            emit(sig.finished)
