"""Stopping early without losing what was done: a cancel token with a time limit.

Why: a summary of a 1,000-article law on a weak CPU can take longer than the user will
wait. When the user cancels or the time limit passes after some chunks were summarised,
the task returns those points, marked partial, instead of nothing.
"""
from __future__ import annotations

import time

from ..core.cancel import CancelToken


class DeadlineToken(CancelToken):
    """Cancelled when ``parent`` is, or once ``seconds`` have passed (``timed_out`` tells which)."""

    def __init__(self, parent: CancelToken, seconds: float) -> None:
        super().__init__()
        self.parent = parent
        self.deadline = time.monotonic() + seconds

    @property
    def timed_out(self) -> bool:
        return time.monotonic() >= self.deadline

    @property
    def cancelled(self) -> bool:
        if self.parent.cancelled or self.timed_out:
            self.cancel()
        return super().cancelled

    def raise_if_cancelled(self) -> None:
        _ = self.cancelled
        super().raise_if_cancelled()
