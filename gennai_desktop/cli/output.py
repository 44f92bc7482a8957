"""How the CLI writes: results to stdout, progress and notices to stderr, never raw
control characters from a document to the terminal (shared by every ``gennai`` command)."""
from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from typing import Any

from ..core.events import Notice, Progress, TaskEvent
from ..core.events import drain as drain_events
from ..core.i18n import tr

# What must not reach a terminal raw: C0 controls but \t and \n (ESC starts CSI/OSC
# sequences: an OSC in a file name retitled the terminal), DEL, C1 controls (U+009B is an
# 8-bit CSI, U+009D an OSC) and the bidi overrides that reorder what is shown.
_UNSAFE_TERMINAL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _visible_escape(m: re.Match[str]) -> str:
    cp = ord(m.group(0))
    return f"\\x{cp:02x}" if cp < 0x100 else f"\\u{cp:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with control/escape characters shown as ``\\x1b``-style escapes, so names
    and texts from documents can be printed without driving the terminal."""
    return _UNSAFE_TERMINAL_RE.sub(_visible_escape, text)


def _err(text: str) -> None:
    print(terminal_safe(text), file=sys.stderr, flush=True)


# key → params of the notices the last ``drain`` saw (--json reports id, params and text)
LAST_NOTICE_PARAMS: dict[str, dict[str, Any]] = {}


def drain(events: Iterable[TaskEvent], quiet: bool = False) -> Any:
    """Run a task generator: progress and notices to stderr, return the Done result (the
    command hands it to its ``TaskRun`` to be recorded)."""
    last = None
    LAST_NOTICE_PARAMS.clear()

    def show(ev: TaskEvent) -> None:
        nonlocal last
        if isinstance(ev, Notice):
            LAST_NOTICE_PARAMS.setdefault(ev.key, dict(ev.params))
            _err(tr("cli.notice_prefix") + tr(ev.key, **ev.params))
        elif isinstance(ev, Progress) and not quiet:
            key = (ev.stage, ev.done, ev.total)
            if key != last and ev.stage:
                last = key
                _err(f"[{ev.done}/{ev.total}] {tr(ev.stage)}" + (f" {ev.detail}" if ev.detail else ""))

    return drain_events(events, show)


def emit(text: str) -> None:
    text = terminal_safe(text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def emit_json(data: Any) -> None:
    # json escapes C0 itself but leaves C1 and bidi controls raw: escape them as \uXXXX,
    # which keeps the JSON valid and the values exact.
    text = _UNSAFE_TERMINAL_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}",
                                   json.dumps(data, ensure_ascii=False, indent=2))
    emit(text)
