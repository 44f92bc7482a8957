"""Short background operations (open a document, export a result, pack work) off the UI thread.

Modelled on Anki's ``QueryOp`` and napari's ``create_worker``: ``run_in_background(fn,
on_success, on_failure, progress)`` runs ``fn`` on a small thread pool of its own —
separate from the one-thread model pool in :mod:`.worker`, so opening or saving a file
never queues behind a running summary — and delivers its result, its exception or its
progress reports through signals of a QObject that lives in the UI thread, so every
callback runs on the UI thread. ``fn`` never touches widgets.

``Op.wait()`` spins a local event loop until the operation has finished: callers that
must return its outcome (``MainWindow.open_path`` → bool) keep the UI live meanwhile —
timers tick, the window repaints — like a modal progress dialog would.
"""
from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from .qt import QEventLoop, QObject, QRunnable, QThreadPool, QTimer, Signal, emit

_POOL: QThreadPool | None = None
_RUNNING: set[Op] = set()          # keeps an operation alive until its callbacks ran
BACKGROUND_THREADS = 2


def background_pool() -> QThreadPool:
    """The pool for non-model work (I/O, parsing, exports, packs); never the model's pool."""
    global _POOL
    if _POOL is None:
        _POOL = QThreadPool()
        _POOL.setMaxThreadCount(BACKGROUND_THREADS)
    return _POOL


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object, str)      # exception, formatted traceback
    progress = Signal(object)
    finished = Signal()               # always last


class _Runnable(QRunnable):
    def __init__(self, op: Op) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.op = op

    def run(self) -> None:  # pool thread
        op = self.op
        sig = op.signals
        try:
            result = op.fn(op.report) if op.wants_progress else op.fn()
            emit(sig.succeeded, result)
        except BaseException as exc:  # noqa: BLE001 - delivered to the UI thread, never lost
            emit(sig.failed, exc, traceback.format_exc())
        finally:
            emit(sig.finished)


class Op:
    """One background operation; callbacks run on the UI thread."""

    def __init__(self, fn: Callable[..., Any], on_success: Callable[[Any], None] | None,
                 on_failure: Callable[[BaseException], None] | None,
                 progress: Callable[[Any], None] | None) -> None:
        self.fn = fn
        self.wants_progress = progress is not None
        self.signals = _Signals()
        self.done = False
        self.ok: bool | None = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.traceback = ""
        self._on_success = on_success
        self._on_failure = on_failure
        self.signals.succeeded.connect(self._succeeded)
        self.signals.failed.connect(self._failed)
        if progress is not None:
            self.signals.progress.connect(progress)
        self.signals.finished.connect(self._finished)
        self._runnable = _Runnable(self)

    def report(self, value: Any) -> None:
        """Called by ``fn`` in the pool thread; ``progress(value)`` runs on the UI thread."""
        emit(self.signals.progress, value)

    def _succeeded(self, result: Any) -> None:
        self.ok, self.result = True, result
        if self._on_success is not None:
            self._on_success(result)

    def _failed(self, exc: BaseException, tb: str) -> None:
        self.ok, self.error, self.traceback = False, exc, tb
        if self._on_failure is not None:
            self._on_failure(exc)

    def _finished(self) -> None:
        self.done = True
        _RUNNING.discard(self)

    def wait(self) -> bool:
        """Run the UI event loop until the operation finished (callbacks included); True on success."""
        if not self.done:
            loop = QEventLoop()
            self.signals.finished.connect(loop.quit)
            if not self.done:
                # the finished signal may already be queued: check again from inside the loop
                QTimer.singleShot(0, lambda: loop.quit() if self.done else None)
                loop.exec()
        return bool(self.ok)


class FinishedOp:
    """An operation that had nothing to do in the background (e.g. the document was already
    open): it is done, with ``ok``; ``wait()`` returns at once."""

    def __init__(self, ok: bool, result: Any = None) -> None:
        self.done, self.ok, self.result, self.error = True, ok, result, None

    def wait(self) -> bool:
        return self.ok


def run_in_background(fn: Callable[..., Any], on_success: Callable[[Any], None] | None = None,
                      on_failure: Callable[[BaseException], None] | None = None,
                      progress: Callable[[Any], None] | None = None,
                      pool: QThreadPool | None = None) -> Op:
    """Start ``fn()`` (``fn(report)`` when ``progress`` is given) on the background pool.

    ``on_success(result)`` / ``on_failure(exc)`` / ``progress(value)`` run on the UI thread.
    Returns the :class:`Op` (``.wait()`` to block with a live event loop)."""
    op = Op(fn, on_success, on_failure, progress)
    _RUNNING.add(op)
    (pool or background_pool()).start(op._runnable)
    return op
