"""Honest progress for long work: what is done, how long it has run, what is being produced
now, and — once two units are done, not before — how long the rest should take.

Why: a summary on a slow CPU sat at 「0/4」 for half an hour and an OCR page took a minute
while the status line went blank after 8 seconds. The window asks a ``ProgressClock`` for
its line every second, so the elapsed time and the characters generated so far keep moving
even while no unit finishes. No Qt here: the clock is told the time (tests pass their own).
"""
from __future__ import annotations

import time
from collections.abc import Callable

from ..core.i18n import tr

ESTIMATE_AFTER = 2          # units finished before an estimate is shown


def duration(seconds: float) -> str:
    """「1時間5分」「3分12秒」「40秒」 (English: 1 h 5 min, 3 min 12 s, 40 s)."""
    s = max(0, int(round(seconds)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return tr("ui.clock.hm", h=h, m=m)
    if m:
        return tr("ui.clock.ms", m=m, s=sec)
    return tr("ui.clock.s", s=sec)


class ProgressClock:
    """Units done of a total, per stage; elapsed time; an estimate from finished units only."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self.started = now()
        self.stage = ""                 # i18n key of the stage (chunks, pages, blocks …)
        self.unit = "ui.clock.unit.step"
        self.done = 0
        self.total = 0
        self.chars = 0                  # characters the model produced in this stage
        self._stage_started = self.started
        self._done_at_start = 0

    def update(self, done: int, total: int, stage: str = "", unit: str | None = None) -> None:
        """A progress report; a new stage (or total) restarts the estimate."""
        if stage != self.stage or total != self.total or done < self.done:
            self.stage, self.total = stage, total
            self._stage_started = self._now()
            self._done_at_start = done
            self.chars = 0
        if unit:
            self.unit = unit
        self.done = done

    def add_text(self, n: int) -> None:
        self.chars += n

    def elapsed(self) -> float:
        return self._now() - self.started

    def remaining(self) -> float | None:
        """Seconds left, from the pace of units finished in this stage; None before two."""
        finished = self.done - self._done_at_start
        if finished < ESTIMATE_AFTER or self.total <= self.done:
            return None
        pace = (self._now() - self._stage_started) / finished
        return pace * (self.total - self.done)

    def text(self) -> str:
        """「要約中 チャンク 1/4 ・経過 3分12秒・生成 1,234字・残りの見込みは2つ終わると表示」"""
        parts = []
        head = tr(self.stage) if self.stage else ""
        if self.total > 1:              # 「1/1」 says nothing; one-step stages show only their name
            head = f"{head} {tr(self.unit)} {self.done}/{self.total}".strip()
        if head:
            parts.append(head)
        parts.append(tr("ui.clock.elapsed", t=duration(self.elapsed())))
        if self.chars:
            parts.append(tr("ui.clock.generated", n=f"{self.chars:,}"))
        if self.total > 1 and self.done < self.total:
            left = self.remaining()
            parts.append(tr("ui.clock.left", t=duration(left)) if left is not None
                         else tr("ui.clock.left_later", n=ESTIMATE_AFTER, unit=tr(self.unit)))
        return tr("ui.clock.sep").join(parts)
