"""文字起こし: a recording to a Transcript, with progress, remaining time and cancel.

Shared by ``gennai transcribe`` and the 議事録 tab. The recogniser runs in the ASR child
(asr/runner.py); this generator turns its events into Progress (audio seconds done of the
total, the remaining time estimated from the speed so far) and builds the sentences at the
end. Cancelled, or the child crashed or hit a limit, after some speech was recognised: the
result is the transcript so far, ``partial=True``, with a notice saying up to when.
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path

from ..asr.limits import AsrLimits
from ..asr.model import AsrModel
from ..asr.runner import AsrError, iter_asr
from ..asr.transcript import TURN_GAP, Transcript, short_clock
from ..asr.utterances import build_utterances
from ..core.cancel import Cancelled, CancelToken
from ..core.events import Done, Notice, Progress, TaskEvent
from ..core.i18n import tr

MAX_PROMPT_TERMS = 40      # glossary terms given to Whisper as context (its prompt is ≤ 224 tokens)


def glossary_prompt(terms: Iterable[str]) -> str | None:
    """An initial prompt that makes Whisper prefer the ministry's spellings of its terms."""
    seen: list[str] = []
    for t in terms:
        t = t.strip()
        if t and t not in seen and len(t) <= 30:
            seen.append(t)
        if len(seen) >= MAX_PROMPT_TERMS:
            break
    return "、".join(seen) + "。" if seen else None


def _file_date(path: Path) -> str:
    try:
        t = datetime.fromtimestamp(path.stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        return ""
    return f"{t.year}年{t.month}月{t.day}日 {t.hour}時{t.minute:02d}分"


def remaining_seconds(done: float, total: float, elapsed: float) -> float | None:
    """Remaining wall time from the speed so far (None until there is something to go on)."""
    if done <= 1.0 or total <= done or elapsed <= 0:
        return None
    return (total - done) * elapsed / done


def transcribe(path: str | Path, model: AsrModel, *, limits: AsrLimits | None = None,
               cancel: CancelToken | None = None, terms: Iterable[str] = (), turn_gap: float = TURN_GAP,
               ) -> Iterator[TaskEvent]:
    """Recognise ``path``; yields Progress/Notice and ends with Done(Transcript)."""
    path = Path(path)
    model.check()                         # every file present and unchanged before the child starts
    prompt = glossary_prompt(terms)
    segments: list[dict] = []
    total = 0.0
    decoded = 0.0
    truncated = False
    started = time.monotonic()
    stopped: tuple[str, dict] | None = None
    yield Progress(0, 1, "asr.stage.loading")
    try:
        for ev in iter_asr(path, model, limits=limits, cancel=cancel, initial_prompt=prompt):
            kind = ev.get("event")
            if kind == "start":
                total = float(ev.get("header_seconds") or 0.0)
            elif kind == "model":
                started = time.monotonic()
                yield Progress(0, max(1, int(total)), "asr.stage.recognising")
            elif kind == "segment":
                segments.append(ev)
            elif kind == "progress":
                done = float(ev.get("seconds", 0.0))
                decoded = max(decoded, done)
                left = remaining_seconds(done, total, time.monotonic() - started)
                detail = tr("asr.progress.remaining", time=short_clock(left)) if left is not None else ""
                yield Progress(int(done), max(int(total), int(done), 1), "asr.stage.recognising", detail)
            elif kind == "done":
                decoded = float(ev.get("seconds", decoded))
                truncated = bool(ev.get("truncated"))
    except Cancelled:
        if not segments:
            raise
        stopped = ("asr.notice.partial_cancel", {})
    except AsrError as exc:
        if not segments:
            raise
        stopped = ("asr.notice.partial_crash", {"reason": exc.message()})
    utterances = build_utterances(segments, turn_gap=turn_gap)
    heard = max((float(s["end"]) for s in segments), default=0.0)
    transcript = Transcript(utterances=utterances, duration=decoded or (total if stopped is None else heard),
                            model_id=model.id, source_name=path.name, recorded_at=_file_date(path))
    if stopped is not None:
        key, params = stopped
        transcript.partial = True
        transcript.stopped_at = heard
        transcript.notices.append(key)
        yield Notice(key, {"time": short_clock(heard), **params})
    if truncated:
        transcript.notices.append("asr.notice.truncated")
        yield Notice("asr.notice.truncated", {"time": short_clock(decoded)})
    if not utterances and stopped is None:
        transcript.notices.append("asr.notice.no_speech")
        yield Notice("asr.notice.no_speech", {})
    transcript.notices.append("asr.notice.pause_turns")
    yield Done(transcript)
