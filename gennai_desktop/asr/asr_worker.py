"""Child process that decodes a recording and runs Whisper on it, under hard limits.

Started by asr/runner.py like the OCR child: ``python -I asr_worker.py SPEC`` (a frozen app:
``<exe> --gennai-asr-worker SPEC``). RLIMIT_AS / RLIMIT_CPU / no core dumps are set before
FFmpeg or CTranslate2 touch anything. The audio is decoded and recognised one window
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


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


def _set_limits(memory_bytes: int, cpu_seconds: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout still applies
        return
    for which, value in ((resource.RLIMIT_AS, memory_bytes), (resource.RLIMIT_CPU, cpu_seconds)):
        try:
            _soft, hard = resource.getrlimit(which)
            new_hard = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (min(value, new_hard), new_hard))
        except (ValueError, OSError):
            pass
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError):
        pass


def _windows(stream: Any, window_seconds: float, sr: int) -> Any:
    """(offset seconds, audio) windows of at most ``window_seconds``, cut at a quiet moment."""
    import numpy as np
    from gennai_desktop.asr.segment import quiet_cut  # lazy: the child sets sys.path to the package first
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
    from gennai_desktop.asr.decode import SAMPLE_RATE, AudioStream  # lazy: FFmpeg loads after the limits are set
    from gennai_desktop.asr.segment import speech_regions  # lazy: the child sets sys.path to the package first
    stream = AudioStream(spec["path"], float(spec["max_seconds"]))
    info = stream.info
    _emit({"event": "start", "format": info.format, "codec": info.codec, "rate": info.rate,
           "channels": info.channels, "header_seconds": info.header_seconds})
    if info.header_seconds:   # now that the length is known: tighten the CPU cap
        _set_limits(int(spec["memory"]), int(spec["cpu_base"] + spec["cpu_per_second"] * info.header_seconds))
    t0 = time.monotonic()
    from gennai_desktop.asr.engine import AsrEngine   # lazy: CTranslate2 loads only after the limits are set
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


def main(argv: list[str]) -> int:
    spec = json.loads(argv[1])
    _set_limits(int(spec["memory"]), int(spec["cpu"]))
    sys.path.insert(0, spec["root"])
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


if __name__ == "__main__":
    main(sys.argv)
