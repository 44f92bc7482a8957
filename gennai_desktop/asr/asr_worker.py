"""Child process that decodes a recording and runs Whisper on it, under hard limits.

Started by asr/runner.py as the sandboxed child "asr" (``core/sandbox.py``; entry in
``gennai_desktop/entry.py``): RLIMIT_AS / RLIMIT_CPU / no core dumps and no network are set
by ``sandbox.enter`` before this module, FFmpeg or CTranslate2 are imported; the request
(path, model folder, limits) arrives on stdin. Once the header says how long the recording
is, the CPU allowance is tightened to that length. The audio is decoded and recognised one window
(5 min) at a time, so memory does not grow with the recording; silent stretches never reach
the model (asr/segment.py). Output: JSON lines on stdout, flushed at once:

  {"event": "start", "format": f, "codec": c, "rate": r, "channels": n, "header_seconds": s|null}
  {"event": "model", "seconds": load time}
  {"event": "segment", "start": s, "end": e, "text": t, "words": [[w, s, e, p], ...],
   "avg_logprob": x, "no_speech_prob": y}
  {"event": "progress", "seconds": audio seconds done}
  {"event": "error", "error": "not_audio|no_audio|bad_header|too_long|corrupt|model|limits|failed", "reason": "..."}
  {"event": "done", "seconds": decoded audio seconds, "truncated": bool}
"""
from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from ..core.sandbox import set_limits


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


def _windows(stream: Any, window_seconds: float, sr: int) -> Any:
    """(offset seconds, audio) windows of at most ``window_seconds``, cut at a quiet moment."""
    import numpy as np

    from .segment import quiet_cut  # lazy: numpy loads inside the sandbox only
    buf: list[Any] = []
    n = 0
    offset = 0
    size = int(window_seconds * sr)
    for block in stream.blocks():
        buf.append(block)
        n += len(block)
        if n >= size:
            audio = np.concatenate(buf)
            cut = quiet_cut(audio, sr)
            yield offset / sr, audio[:cut]
            offset += cut
            rest = audio[cut:]
            buf, n = [rest], len(rest)
    if n:
        yield offset / sr, np.concatenate(buf)


def _run(spec: dict[str, Any]) -> None:
    from .decode import SAMPLE_RATE, AudioStream  # lazy: FFmpeg loads inside the sandbox only
    from .segment import speech_regions  # lazy: numpy loads inside the sandbox only
    stream = AudioStream(spec["path"], float(spec["max_seconds"]))
    info = stream.info
    _emit({"event": "start", "format": info.format, "codec": info.codec, "rate": info.rate,
           "channels": info.channels, "header_seconds": info.header_seconds})
    if info.header_seconds:   # now that the length is known: tighten the CPU cap
        set_limits(int(spec["memory"]), int(spec["cpu_base"] + spec["cpu_per_second"] * info.header_seconds))
    t0 = time.monotonic()
    from .engine import AsrEngine  # lazy: CTranslate2 loads inside the sandbox only
    try:
        engine = AsrEngine(spec["model_dir"], threads=int(spec.get("threads") or 0))
    except (FileNotFoundError, RuntimeError, ValueError) as exc:
        _emit({"event": "error", "error": "model", "reason": f"{type(exc).__name__}: {exc}"[:300]})
        return
    _emit({"event": "model", "seconds": round(time.monotonic() - t0, 2)})
    for offset, audio in _windows(stream, float(spec["window_seconds"]), SAMPLE_RATE):
        clips = speech_regions(audio, SAMPLE_RATE)
        if clips:
            for seg in engine.transcribe(audio, clips, beam_size=int(spec.get("beam_size") or 5),
                                         initial_prompt=spec.get("initial_prompt"), hotwords=spec.get("hotwords"),
                                         max_new_tokens=spec.get("max_new_tokens")):
                if seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0:
                    continue     # Whisper's own "nothing was said here"
                words = [[w.word, round(offset + w.start, 3), round(offset + w.end, 3), round(w.probability, 3)]
                         for w in (seg.words or [])]
                _emit({"event": "segment", "start": round(offset + seg.start, 3), "end": round(offset + seg.end, 3),
                       "text": seg.text, "words": words, "avg_logprob": round(seg.avg_logprob, 3),
                       "no_speech_prob": round(seg.no_speech_prob, 3)})
                _emit({"event": "progress", "seconds": round(offset + seg.end, 2)})
        _emit({"event": "progress", "seconds": round(offset + len(audio) / SAMPLE_RATE, 2)})
    _emit({"event": "done", "seconds": round(stream.decoded_seconds, 2), "truncated": stream.truncated})


def main(spec: dict[str, Any]) -> int:
    """The child's work for one request (``entry._asr``); always exits through ``os._exit``
    so CTranslate2's threads cannot hold the process open."""
    try:
        _run(spec)
    except MemoryError:
        _emit({"event": "error", "error": "limits", "reason": "memory limit"})
    except Exception as exc:  # noqa: BLE001 - everything becomes a structured answer
        kind = getattr(exc, "kind", None)
        text = f"{type(exc).__name__}: {exc}"
        if kind is None:
            kind = "limits" if ("bad_alloc" in text or "allocate" in text) else "failed"
        _emit({"event": "error", "error": kind, "reason": (getattr(exc, "reason", "") or text)[:300]})
    sys.stdout.buffer.flush()
    os._exit(0)
