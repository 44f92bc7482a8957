"""Cooperative cancellation: a flag the UI/CLI sets and long work checks between steps."""
from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Iterator


class Cancelled(Exception):
    """Raised inside a task when its CancelToken was set; callers treat it as a clean stop."""


class CancelToken:
    """Thread-safe flag. Generators call ``raise_if_cancelled()`` between tokens/chunks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


NEVER = CancelToken()  # a token nobody cancels; handy default for library calls


# The token of the task running in this thread/context (the CLI run, a UI worker), for work
# started deep below where no token is passed by hand — the sandboxed children above all.
_AMBIENT: contextvars.ContextVar[CancelToken] = contextvars.ContextVar("gennai_cancel", default=NEVER)


@contextlib.contextmanager
def cancel_scope(token: CancelToken) -> Iterator[CancelToken]:
    """Make ``token`` the ambient one inside this block (``ambient()``)."""
    reset = _AMBIENT.set(token)
    try:
        yield token
    finally:
        _AMBIENT.reset(reset)


def ambient() -> CancelToken:
    """The token set by the nearest ``cancel_scope`` (``NEVER`` outside one)."""
    return _AMBIENT.get()
