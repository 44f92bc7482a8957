"""Test helper: drain a task generator."""
from __future__ import annotations

from typing import Any

from gennai_desktop.core.events import Done


def run_to_result(events) -> Any:
    """Drain a task generator and return its result ."""
    result = None
    for ev in events:
        if isinstance(ev, Done):
            result = ev.result
    return result
