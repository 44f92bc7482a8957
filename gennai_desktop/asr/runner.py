"""Run the ASR child and stream its events to the caller, with cancel and time limits.

The child is started like every other child of the app, through ``core/sandbox.py`` (child
"asr", entry in ``gennai_desktop/entry.py``): RLIMIT_AS / RLIMIT_CPU and no core dumps set
before FFmpeg or CTranslate2 load, a private network namespace and the seccomp filter (no
socket but AF_UNIX), an allow-listed environment (no proxies, no passphrase) plus the
Hugging Face offline switches, the request (audio path included) on its stdin, never on
the command line. ``sandbox.Child`` reads the child's JSON lines on a thread, so the parent
checks the cancel token and the wall-clock deadline every 0.1 s and kills the child at
once. Everything the child reported before a cancel or a crash has already been handed to
the caller (``iter_asr`` is a generator), so nothing is lost.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..core import sandbox
from ..core.cancel import CancelToken
from ..core.errors import DocumentError, GennaiError, ModelError
from .formats import sniff_file
from .limits import DEFAULT_ASR_LIMITS, AsrLimits
from .model import AsrModel

CHILD = "asr"
# faster-whisper reaches the Hugging Face hub only for a model *name*; we pass a checked local
# folder, and these make any slip an error instead of a download (the sandbox blocks it anyway).
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"}


class AsrError(GennaiError):
    """The recogniser stopped: crash, limit or refusal. ``partial`` says whether the
    utterances reported before it are kept (they are, by the caller)."""

    exit_code = DocumentError.exit_code


def check_input(path: Path, limits: AsrLimits) -> None:
    """Refusals that need no child: missing, empty, too big, not an audio container."""
    try:
        st = path.stat()
    except OSError:
        raise DocumentError("documents.error.not_found", path=str(path)) from None
    if not path.is_file():
        raise DocumentError("documents.error.not_found", path=str(path))
    if st.st_size == 0:
        raise DocumentError("asr.error.not_audio", path=str(path), reason="empty file")
    if st.st_size > limits.max_file_bytes:
        raise DocumentError("asr.error.too_big", path=str(path), mb=st.st_size // (1024 * 1024),
                            max_mb=limits.max_file_bytes // (1024 * 1024))
    try:
        fmt = sniff_file(path)
    except OSError as exc:
        raise DocumentError("documents.error.unreadable", path=str(path), reason=exc.strerror or str(exc)) from None
    if fmt is None:
        raise DocumentError("asr.error.not_audio", path=str(path), reason="unknown container")


_ERRORS = {"not_audio": "asr.error.not_audio", "no_audio": "asr.error.no_audio", "bad_header": "asr.error.bad_header",
           "too_long": "asr.error.too_long", "corrupt": "asr.error.corrupt", "limits": "asr.error.limits",
           "failed": "asr.error.failed"}


def _caps(limits: AsrLimits, seconds: float) -> sandbox.Limits:
    """The child's limits for a recording of ``seconds`` (the longest accepted until its
    header is read); the CPU ceiling is always that of the longest recording, so the child
    may tighten its own allowance once it knows the length but never raise it past this."""
    return sandbox.Limits(
        memory_bytes=limits.memory_bytes,
        cpu_seconds=int(limits.cpu_seconds_base + limits.cpu_per_audio_second * seconds),
        cpu_ceiling=int(limits.cpu_seconds_base + limits.cpu_per_audio_second * limits.max_seconds),
        wall_seconds=limits.wall_seconds_base + limits.wall_per_audio_second * seconds)


def iter_asr(path: Path, model: AsrModel, *, limits: AsrLimits | None = None, cancel: CancelToken | None = None,
             initial_prompt: str | None = None, hotwords: str | None = None,
             max_new_tokens: int | None = None) -> Iterator[dict[str, Any]]:
    """The child's events (start, model, segment, progress, done) as dicts.

    Raises DocumentError for a refused input, ModelError when the model cannot load,
    AsrError when the child dies or runs out of time, Cancelled when ``cancel`` (else the
    ambient token of the CLI run / UI worker) is set — always after killing the child.
    Segments yielded before that stay with the caller."""
    limits = limits or DEFAULT_ASR_LIMITS
    path = Path(path)
    check_input(path, limits)
    request = {"path": str(path), "model_dir": str(model.path), "max_seconds": limits.max_seconds,
               "window_seconds": limits.window_seconds, "memory": limits.memory_bytes,
               "cpu_base": limits.cpu_seconds_base, "cpu_per_second": limits.cpu_per_audio_second,
               "threads": limits.threads, "beam_size": limits.beam_size,
               "initial_prompt": initial_prompt, "hotwords": hotwords, "max_new_tokens": max_new_tokens}
    errors = sandbox.ChildErrors(AsrError, limit="asr.error.limit_reached", crash="asr.error.crashed",
                                 timeout="asr.error.timeout", failed="asr.error.crashed", params={"path": str(path)})
    with sandbox.Child(CHILD, request, _caps(limits, limits.max_seconds), errors, cancel=cancel,
                       env=OFFLINE_ENV) as child:
        for raw in child.lines():
            try:
                ev = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            kind = ev.get("event")
            if kind == "start":
                secs = ev.get("header_seconds") or limits.max_seconds
                child.extend_deadline(_caps(limits, min(float(secs), limits.max_seconds)).wall_seconds)
            elif kind == "error":
                err = str(ev.get("error", "failed"))
                reason = str(ev.get("reason", ""))[:300]
                if err == "model":
                    raise ModelError("asr.model.load_failed", path=str(model.path), reason=reason)
                if err == "too_long":
                    raise DocumentError("asr.error.too_long", path=str(path), max_minutes=int(limits.max_seconds // 60))
                if err in ("limits", "failed"):
                    raise AsrError(_ERRORS[err], path=str(path), reason=reason)
                raise DocumentError(_ERRORS.get(err, "asr.error.failed"), path=str(path), reason=reason)
            yield ev
            if kind == "done":
                return
        raise child.error(child.wait())
