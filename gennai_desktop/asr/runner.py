"""Run the ASR child and stream its events to the caller, with cancel and time limits.

The child's start and limits live in ``_spawn`` alone: when the shared sandbox helper for
child processes lands, only that function changes. A reader thread queues the child's JSON
lines so the parent checks the cancel token and the wall-clock deadline every 0.1 s and can
kill the child at once. Everything the child reported before a cancel or a crash has
already been handed to the caller (``iter_asr`` is a generator), so nothing is lost.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Iterator

from ..core import frozen
from ..core.cancel import NEVER, CancelToken, Cancelled
from ..core.errors import DocumentError, GennaiError, ModelError
from .formats import sniff_file
from .limits import DEFAULT_ASR_LIMITS, AsrLimits
from .model import AsrModel

WORKER = Path(__file__).resolve().parent / "asr_worker.py"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent


class AsrError(GennaiError):
    """The recogniser stopped: crash, limit or refusal. ``partial`` says whether the
    utterances reported before it are kept (they are, by the caller)."""

    exit_code = DocumentError.exit_code


def _spawn(cmd: list[str]) -> subprocess.Popen:
    """Start the child (the one place that knows how; see the module docstring)."""
    kwargs: dict[str, Any] = {}
    if os.name == "nt":
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}   # no proxy to reach
    env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_HUB_DISABLE_TELEMETRY": "1"})
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, **kwargs)


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


def iter_asr(path: Path, model: AsrModel, *, limits: AsrLimits | None = None, cancel: CancelToken = NEVER,
             initial_prompt: str | None = None, hotwords: str | None = None,
             max_new_tokens: int | None = None) -> Iterator[dict[str, Any]]:
    """The child's events (start, model, segment, progress, done) as dicts.

    Raises DocumentError for a refused input, ModelError when the model cannot load,
    AsrError when the child dies or runs out of time, Cancelled when ``cancel`` is set
    — always after killing the child. Segments yielded before that stay with the caller."""
    limits = limits or DEFAULT_ASR_LIMITS
    path = Path(path)
    check_input(path, limits)
    spec = {"path": str(path), "model_dir": str(model.path), "max_seconds": limits.max_seconds,
            "window_seconds": limits.window_seconds, "memory": limits.memory_bytes,
            "cpu": int(limits.cpu_seconds_base + limits.cpu_per_audio_second * limits.max_seconds),
            "cpu_base": limits.cpu_seconds_base, "cpu_per_second": limits.cpu_per_audio_second,
            "threads": limits.threads, "beam_size": limits.beam_size, "root": str(PACKAGE_ROOT),
            "initial_prompt": initial_prompt, "hotwords": hotwords, "max_new_tokens": max_new_tokens}
    cmd = [*frozen.worker_argv(frozen.ASR_WORKER_FLAG, WORKER), json.dumps(spec, ensure_ascii=False)]
    try:
        proc = _spawn(cmd)
    except OSError as exc:
        raise AsrError("asr.error.crashed", reason=f"cannot start: {exc}") from exc
    events: queue.Queue[bytes | None] = queue.Queue()
    tail: list[bytes] = []

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            events.put(raw)
        events.put(None)

    def drain_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:      # kept short: the last lines explain a crash in the log
            tail.append(line[-300:])
            del tail[:-5]

    threading.Thread(target=pump, daemon=True).start()
    threading.Thread(target=drain_stderr, daemon=True).start()
    deadline = time.monotonic() + limits.wall_seconds_base + limits.wall_per_audio_second * limits.max_seconds
    try:
        while True:
            if cancel.cancelled:
                raise Cancelled()
            if time.monotonic() > deadline:
                raise AsrError("asr.error.timeout")
            try:
                raw = events.get(timeout=0.1)
            except queue.Empty:
                continue
            if raw is None:
                break
            try:
                ev = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            kind = ev.get("event")
            if kind == "start":
                secs = ev.get("header_seconds") or limits.max_seconds
                deadline = time.monotonic() + limits.wall_seconds_base + limits.wall_per_audio_second * float(secs)
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
        rc = proc.wait()
        if rc < 0 and -rc in (getattr(signal, "SIGXCPU", -1), getattr(signal, "SIGKILL", -1)):
            raise AsrError("asr.error.limits", path=str(path), reason=f"signal {-rc}")
        raise AsrError("asr.error.crashed", reason=f"status {rc}")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
