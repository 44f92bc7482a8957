"""Run the OCR child (``ocr_worker``) and collect its pages, with progress and cancellation.

The child (sandboxed: ``core/sandbox.py``, child "ocr") prints one JSON line per page; the
helper reads them on a thread so the parent can look at the cancel token every 0.1 s while a
page is being read (20–40 s on a slow laptop) and kill the child at once — cancellation
never waits for the page to finish, and no partial result is returned. Progress is reported
after every page.

Callers that cannot pass arguments through (``load_document`` is called from many places)
set progress/cancel for the current thread with ``ocr_context``.
"""
from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core import sandbox
from ..core.cancel import NEVER, CancelToken, ambient
from ..core.errors import DocumentError
from .engine import available
from .limits import DEFAULT_OCR_LIMITS, OcrLimits
from .pages import OcrPage

ProgressFn = Callable[[int, int], None]   # (pages done, pages to do)


@dataclass(frozen=True)
class _Ctx:
    progress: ProgressFn | None = None
    cancel: CancelToken | None = None          # None: the ambient token (core.cancel)
    limits: OcrLimits = DEFAULT_OCR_LIMITS
    enabled: bool = True


@dataclass(frozen=True)
class OcrResult:
    """What the OCR child read: the pages in the order it read them, and the ONNX Runtime
    provider that did it."""

    provider: str | None
    pages: list[OcrPage]


_NO_CONTEXT = _Ctx()      # immutable: every thread outside ``ocr_context`` shares it
_CTX: contextvars.ContextVar[_Ctx] = contextvars.ContextVar("gennai_ocr_ctx", default=_NO_CONTEXT)


@contextlib.contextmanager
def ocr_context(*, progress: ProgressFn | None = None, cancel: CancelToken | None = None,
                limits: OcrLimits | None = None, enabled: bool = True) -> Iterator[None]:
    """Progress callback, cancel token and limits for OCR done inside this block."""
    tok = _CTX.set(_Ctx(progress=progress, cancel=cancel,
                        limits=limits or DEFAULT_OCR_LIMITS, enabled=enabled))
    try:
        yield
    finally:
        _CTX.reset(tok)


def current() -> _Ctx:
    return _CTX.get()


def run_ocr(path: Path, kind: str, pages: Sequence[int] | None = None, *,
            limits: OcrLimits | None = None, progress: ProgressFn | None = None,
            cancel: CancelToken | None = None, save_pages: Path | None = None) -> OcrResult:
    """OCR ``pages`` (0-based; None = all) of a PDF (kind="pdf") or image file (kind="image").

    Returns the pages read (typed, ``pages.OcrPage``). Raises DocumentError on refusal
    or failure, Cancelled when ``cancel`` (else the context's, else the ambient token of the
    CLI run / UI worker) was set — the child is killed first.
    """
    ctx = current()
    limits = limits or ctx.limits
    progress = progress or ctx.progress
    cancel = cancel or ctx.cancel or ambient()
    n_guess = len(pages) if pages is not None else limits.max_pages
    n_guess = min(n_guess, limits.max_pages)
    known = pages is not None
    spec = {"kind": kind, "path": str(path), "pages": list(pages) if pages is not None else None,
            "dpi": limits.dpi, "max_pages": limits.max_pages, "max_pixels": limits.max_pixels,
            "max_frames": limits.max_frames, "memory": limits.memory_bytes,
            "cpu_base": limits.cpu_seconds_base, "cpu_per_page": limits.cpu_seconds_per_page,
            "threads": limits.threads, "save_pages": str(save_pages) if save_pages else None}
    # Until the child has counted the pages, its CPU allowance is the base (opening, counting
    # frames) plus one page; the ceiling (the most it may raise itself to) is the full budget.
    caps = sandbox.Limits(memory_bytes=limits.memory_bytes,
                          cpu_seconds=limits.cpu_seconds_base + limits.cpu_seconds_per_page * (n_guess if known else 1),
                          cpu_ceiling=limits.cpu_seconds_base + limits.cpu_seconds_per_page * max(1, n_guess),
                          wall_seconds=limits.wall_seconds_per_page * max(1, n_guess) + 60)
    errors = sandbox.ChildErrors(DocumentError, limit="documents.error.resource_limit",
                                 crash="documents.error.resource_limit", timeout="documents.error.timeout",
                                 failed="ocr.error.failed", params={"path": str(path)})
    out_pages: list[OcrPage] = []
    provider = None
    total = n_guess
    with sandbox.Child("ocr", spec, caps, errors, cancel=cancel) as child:
        for raw in child.lines():
            try:
                ev = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                continue
            kind_ev = ev.get("event")
            if kind_ev == "start":
                provider = ev.get("provider")
                total = int(ev.get("pages", total))
                child.extend_deadline(limits.wall_seconds_per_page * max(1, total) + 60)
                if progress:
                    progress(0, total)
            elif kind_ev == "page":
                out_pages.append(OcrPage.from_event(ev))
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
                return OcrResult(provider, out_pages)
        raise child.error(child.wait())


def provider_info() -> dict[str, Any]:
    """For ``gennai doctor``: ``engine.provider_info()`` asked inside the sandboxed OCR child,
    so the app process never loads ONNX Runtime (whose import starts its telemetry)."""
    info: dict[str, Any] = {"available": False, "provider": None, "providers": [],
                            "onnxruntime": None, "models": None}
    if not available():
        return info
    errors = sandbox.ChildErrors(DocumentError, limit="documents.error.resource_limit",
                                 crash="documents.error.resource_limit", timeout="documents.error.timeout",
                                 failed="ocr.error.failed", params={"path": "-"})
    limits = DEFAULT_OCR_LIMITS
    caps = sandbox.Limits(memory_bytes=limits.memory_bytes, cpu_seconds=limits.cpu_seconds_base, wall_seconds=60)
    try:
        with sandbox.Child("ocr", {"kind": "info"}, caps, errors, cancel=NEVER) as child:
            for raw in child.lines():
                ev = json.loads(raw.decode("utf-8"))
                if ev.get("event") == "info":
                    return {k: ev.get(k) for k in info}
    except (DocumentError, ValueError, UnicodeDecodeError) as exc:
        info["error"] = str(exc)
    return info
