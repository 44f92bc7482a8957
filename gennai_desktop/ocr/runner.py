"""Run the OCR child (``ocr_worker``) and collect its pages, with progress and cancellation.

The child prints one JSON line per page; a reader thread queues them so the parent can look
at the cancel token every 0.1 s while a page is being read (20–40 s on a slow laptop) and
kill the child at once — cancellation never waits for the page to finish, and no partial
result is returned. Progress is reported after every page.

Callers that cannot pass arguments through (``load_document`` is called from many places)
set progress/cancel for the current thread with ``ocr_context``.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import os
import queue
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from ..core import frozen
from ..core.cancel import NEVER, CancelToken, Cancelled
from ..core.errors import DocumentError
from .limits import DEFAULT_OCR_LIMITS, OcrLimits

WORKER = Path(__file__).resolve().parent / "ocr_worker.py"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent

ProgressFn = Callable[[int, int], None]   # (pages done, pages to do)


@dataclass
class _Ctx:
    progress: ProgressFn | None = None
    cancel: CancelToken = NEVER
    limits: OcrLimits = DEFAULT_OCR_LIMITS
    enabled: bool = True


_CTX: contextvars.ContextVar[_Ctx] = contextvars.ContextVar("gennai_ocr_ctx", default=_Ctx())


@contextlib.contextmanager
def ocr_context(*, progress: ProgressFn | None = None, cancel: CancelToken | None = None,
                limits: OcrLimits | None = None, enabled: bool = True) -> Iterator[None]:
    """Progress callback, cancel token and limits for OCR done inside this block."""
    tok = _CTX.set(_Ctx(progress=progress, cancel=cancel or NEVER,
                        limits=limits or DEFAULT_OCR_LIMITS, enabled=enabled))
    try:
        yield
    finally:
        _CTX.reset(tok)


def current() -> _Ctx:
    return _CTX.get()


def run_ocr(path: Path, kind: str, pages: Sequence[int] | None = None, *,
            limits: OcrLimits | None = None, progress: ProgressFn | None = None,
            cancel: CancelToken | None = None, save_pages: Path | None = None) -> dict[str, Any]:
    """OCR ``pages`` (0-based; None = all) of a PDF (kind="pdf") or image file (kind="image").

    Returns {"provider": str, "pages": [page event dicts]}. Raises DocumentError on refusal
    or failure, Cancelled when ``cancel`` was set (the child is killed first).
    """
    ctx = current()
    limits = limits or ctx.limits
    progress = progress or ctx.progress
    cancel = cancel or ctx.cancel
    n_guess = len(pages) if pages is not None else limits.max_pages
    n_guess = min(n_guess, limits.max_pages)
    spec = {"kind": kind, "path": str(path), "pages": list(pages) if pages is not None else None,
            "dpi": limits.dpi, "max_pages": limits.max_pages, "max_pixels": limits.max_pixels,
            "max_frames": limits.max_frames, "memory": limits.memory_bytes,
            "cpu": limits.cpu_seconds_base + limits.cpu_seconds_per_page * max(1, n_guess),
            "cpu_base": limits.cpu_seconds_base, "cpu_per_page": limits.cpu_seconds_per_page,
            "threads": limits.threads, "root": str(PACKAGE_ROOT),
            "save_pages": str(save_pages) if save_pages else None}
    # the same sandboxed-child start as the PDF worker (a frozen app has no ``python -I``)
    cmd = [*frozen.worker_argv(frozen.OCR_WORKER_FLAG, WORKER), json.dumps(spec)]
    kwargs: dict[str, Any] = {}
    if os.name == "nt":
        kwargs["creationflags"] = getattr(subprocess, "CREATE_NO_WINDOW", 0)
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, **kwargs)
    except OSError as exc:
        raise DocumentError("ocr.error.failed", path=str(path), reason=f"cannot start OCR: {exc}") from exc
    events: queue.Queue[bytes | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            events.put(raw)
        events.put(None)

    def drain_stderr() -> None:
        assert proc.stderr is not None
        for _ in proc.stderr:   # keep the pipe from filling; content is not shown to users
            pass

    threading.Thread(target=pump, daemon=True).start()
    threading.Thread(target=drain_stderr, daemon=True).start()
    out_pages: list[dict[str, Any]] = []
    provider = None
    total = n_guess
    deadline = time.monotonic() + limits.wall_seconds_per_page * max(1, n_guess) + 60
    try:
        while True:
            if cancel.cancelled:
                raise Cancelled()
            if time.monotonic() > deadline:
                raise DocumentError("documents.error.timeout", path=str(path),
                                    seconds=int(limits.wall_seconds_per_page * max(1, n_guess)))
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
            kind_ev = ev.get("event")
            if kind_ev == "start":
                provider = ev.get("provider")
                total = int(ev.get("pages", total))
                deadline = time.monotonic() + limits.wall_seconds_per_page * max(1, total) + 60
                if progress:
                    progress(0, total)
            elif kind_ev == "page":
                out_pages.append(ev)
                if progress:
                    progress(len(out_pages), total)
            elif kind_ev == "error":
                err = ev.get("error")
                reason = str(ev.get("reason", ""))[:300]
                if err == "too_large":
                    raise DocumentError("ocr.error.image_too_large", path=str(path), reason=reason)
                if err == "limits":
                    raise DocumentError("documents.error.resource_limit", path=str(path))
                if err == "corrupt" and kind == "image":   # Pillow could not decode it
                    raise DocumentError("documents.error.corrupt", path=str(path), reason=reason)
                raise DocumentError("ocr.error.failed", path=str(path), reason=reason)
            elif kind_ev == "done":
                return {"provider": provider, "pages": out_pages}
        rc = proc.wait()
        if rc < 0 and -rc in (getattr(signal, "SIGXCPU", -1), getattr(signal, "SIGKILL", -1),
                              getattr(signal, "SIGSEGV", -1), getattr(signal, "SIGABRT", -1)):
            raise DocumentError("documents.error.resource_limit", path=str(path))
        raise DocumentError("ocr.error.failed", path=str(path), reason=f"OCR exited with status {rc}")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
