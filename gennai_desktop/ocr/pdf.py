"""OCR for the PDF reader: find image-only pages in the text-extraction answer, OCR them in
the sandboxed child and put their lines where the text layer's lines would be."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import DocumentError
from .pages import line_records, page_needs_ocr
from .runner import current, run_ocr


def apply_ocr(path: Path, answer: dict[str, Any]) -> list[str]:
    """Replace the lines of image-only / garbage-text pages in ``answer["pages"]`` by OCR
    line records (in place). Returns warning keys. No-op when OCR is disabled or missing."""
    ctx = current()
    pages = answer.get("pages") or []
    todo = [i for i, p in enumerate(pages) if not p.get("failed") and page_needs_ocr(p["lines"], p.get("img"))]
    if not todo or not ctx.enabled:
        return []
    try:   # numpy, Pillow, onnxruntime and the models: without them, PDFs read as before
        from .engine import available  # lazy: numpy/Pillow/onnxruntime are optional here
    except ImportError:
        return []
    if not available():
        return []
    warnings: list[str] = []
    if len(todo) > ctx.limits.max_pages:
        todo = todo[: ctx.limits.max_pages]
        warnings.append("ocr.warning.pages_skipped")
    try:
        result = run_ocr(path, "pdf", todo)
    except DocumentError:
        if len(todo) == len(pages):
            raise                      # nothing else to show: the OCR error is the answer
        return warnings + ["ocr.warning.failed"]   # keep the text-layer pages
    done = 0
    low = False
    for ocr_page in result.pages:
        rec = line_records(ocr_page)
        if not rec.lines:
            continue          # blank page, or nothing legible: keep whatever the layer had
        page = pages[ocr_page.index]
        page.update({"lines": rec.lines, "w": round(rec.w_pt, 2), "h": round(rec.h_pt, 2), "ocr": True,
                     "ocr_rotation": ocr_page.rotation})
        done += 1
        low = low or rec.low_confidence
    if done:
        warnings.append("ocr.warning.pages_ocr")
        answer["ocr_provider"] = result.provider
    if low:
        warnings.append("ocr.warning.low_confidence")
    return warnings
