"""Events yielded by task generators. The CLI prints them; the UI forwards them to its thread.

Every task is ``Iterator[TaskEvent]`` and ends with exactly one ``Done`` (unless it raised).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` steps (chunks, blocks, pages). ``stage`` is a message key."""

    done: int
    total: int
    stage: str = ""
    detail: str = ""


@dataclass(frozen=True)
class TextDelta:
    """Streamed model output. ``channel`` separates e.g. a chunk summary from the final text."""

    text: str
    channel: str = "main"


@dataclass(frozen=True)
class Notice:
    """Something the user must be told honestly (fallback used, output stopped as degenerate…).

    ``key`` is an i18n message key; ``params`` fill it.
    """

    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stats:
    """Generation statistics for the status bar (tokens/s, backend)."""

    tokens: int
    seconds: float

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class FindingsAdded:
    """校正 findings available now (rules at once, then each model chunk as it finishes).

    ``findings`` are already validated and de-duplicated against everything sent
    before, so a consumer can simply append them; ``origin`` is "rule" or "model".
    """

    findings: tuple
    origin: str = "rule"


@dataclass(frozen=True)
class Done:
    """Final event carrying the task's result object."""

    result: Any


TaskEvent = Progress | TextDelta | Notice | Stats | FindingsAdded | Done


def drain(events: Iterable[TaskEvent], on_event: Callable[[TaskEvent], None] | None = None) -> Any:
    """Run a task generator to its end and return the ``Done`` result (None without one).

    The one drain every consumer uses (the CLI's printers, the pack commands, the UI worker,
    tests): each event before ``Done`` goes to ``on_event``; an exception there (e.g.
    ``Cancelled``) stops the generator."""
    result = None
    for ev in events:
        if isinstance(ev, Done):
            result = ev.result
        elif on_event is not None:
            on_event(ev)
    return result
