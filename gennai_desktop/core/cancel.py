"""Cooperative cancellation: a flag the UI/CLI sets and long work checks between steps."""
from __future__ import annotations

import threading


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
