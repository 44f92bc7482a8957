"""Child process that extracts text from one PDF under hard resource limits.

Why a separate process: PDF parsers have a long history of hangs and memory blow-ups on
hostile files (/Prev loops, content-stream cycles, decompression bombs). It runs as the
sandboxed child "pdf" (``core/sandbox.py``: RLIMIT_AS / RLIMIT_CPU and no network, set
*before* pdfium is imported; the parent adds a wall-clock timeout and the cancel token).
If anything goes wrong the child dies, not the app.

It imports only the standard library and pypdfium2, so it starts fast (~one interpreter
start per document, not per page). Input: the request ``{"path", "max_pages",
"max_chars"}`` over the pipe (never on the command line). Output: one JSON object on
stdout (see ``_extract``), always with "ok".

Layout: pdfium gives page text as lines separated by CR LF; we keep the lines and attach
just enough geometry (first/last character box, font size) for the parent to decide where
paragraphs start. Vertical writing (tategaki) is handled by measuring along the line axis.
"""
from __future__ import annotations

import json
import os
import sys
from typing import Any

# Defaults; the parent passes explicit values in the request.
DEFAULT_MAX_PAGES = 5000
DEFAULT_MAX_CHARS = 20_000_000


def _restore_ideographic_spaces(textpage: Any, raw: Any, line: str, pos: int) -> str:
    """pdfium invents a " " where glyphs leave a gap; between Japanese characters a gap of
    about one em is a 全角スペース (U+3000) that the PDF producer did not draw as a glyph
    (「②　天皇は」). Restoring it keeps the text the author typed; wider gaps (table columns)
    stay ordinary spaces."""
    chars = list(line)
    for i in range(1, len(chars) - 1):
        if chars[i] != " " or ord(chars[i - 1]) < 0x2000 or ord(chars[i + 1]) < 0x2000:
            continue
        index = pos + i
        if not raw.FPDFText_IsGenerated(textpage.raw, index):
            continue
        size = float(raw.FPDFText_GetFontSize(textpage.raw, index - 1)) or 10.0
        left = textpage.get_charbox(index - 1, loose=True)
        right = textpage.get_charbox(index + 1, loose=True)
        gap = (right[0] - left[2]) if abs(right[1] - left[1]) < size else (left[1] - right[3])
        if 0.75 * size <= gap <= 1.5 * size:
            chars[i] = "\u3000"
    return "".join(chars)


def _line_records(textpage: Any, raw: Any, text: str) -> list[list[Any]]:
    """Split page text into lines with [text, x0, y0, x1, y1, font_size, vertical].

    (x0, y0) is the loose box corner of the first character (left, top), (x1, y1) of the last
    character (right, bottom). ``vertical`` is 1 when the line runs top-to-bottom.
    """
    out: list[list[Any]] = []
    n = textpage.count_chars()
    aligned = len(text) == n  # False with surrogate pairs: then no geometry, text only
    pos = 0
    for line in text.split("\r\n"):
        if aligned and " " in line:
            line = _restore_ideographic_spaces(textpage, raw, line, pos)
        stripped = line.strip()
        if stripped:
            if aligned:
                first = pos + (len(line) - len(line.lstrip()))
                last = pos + len(line.rstrip()) - 1
                fl, fb, fr, ft = textpage.get_charbox(first, loose=True)
                ll, lb, lr, lt = textpage.get_charbox(last, loose=True)
                size = float(raw.FPDFText_GetFontSize(textpage.raw, first))
                vertical = int(last > first and abs(lt - ft) > abs(lr - fl) * 2
                               and abs(fl - ll) < max(fr - fl, 1.0))
                out.append([line, round(fl, 2), round(ft, 2), round(lr, 2), round(lb, 2),
                            round(size, 2), vertical])
            else:
                out.append([line, None, None, None, None, None, 0])
        else:
            out.append(["", None, None, None, None, None, 0])
        pos += len(line) + 2
    return out


def _image_coverage(pdf: Any, index: int, area: float) -> float:
    """Share of the page covered by image objects (bounding boxes, capped at 1; for the OCR
    decision: a scanned page often carries a short text layer such as a stamp or a header)."""
    import pypdfium2.raw as raw
    try:
        page = pdf[index]
        try:
            total = 0.0
            for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2):
                left, bottom, right, top = obj.get_bounds()
                total += max(0.0, right - left) * max(0.0, top - bottom)
        finally:
            page.close()
    except Exception:  # noqa: BLE001 - a hint only
        return 0.0
    return round(min(1.0, total / area), 3) if area > 0 else 0.0


def _extract(path: str, max_pages: int, max_chars: int) -> dict[str, Any]:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == getattr(raw, "FPDF_ERR_PASSWORD", 4):
            return {"ok": False, "error": "encrypted", "reason": str(exc)}
        if code == getattr(raw, "FPDF_ERR_SECURITY", 6):
            return {"ok": False, "error": "encrypted", "reason": str(exc)}
        return {"ok": False, "error": "corrupt", "reason": str(exc)}
    page_count = len(pdf)
    if page_count > max_pages:
        return {"ok": False, "error": "too_many_pages", "limit": max_pages, "count": page_count}
    pages: list[dict[str, Any]] = []
    total = 0
    failed = 0
    for index in range(page_count):
        try:
            page = pdf[index]
        except pdfium.PdfiumError:
            failed += 1  # one broken page must not cost the user the whole document
            pages.append({"w": 0, "h": 0, "lines": [], "failed": True})
            continue
        try:
            width, height = page.get_size()
            textpage = page.get_textpage()
            try:
                text = textpage.get_text_range()
                total += len(text)
                if total > max_chars:
                    return {"ok": False, "error": "too_many_chars", "limit": max_chars, "count": total}
                lines = _line_records(textpage, raw, text)
            finally:
                textpage.close()
        finally:
            page.close()
        record = {"w": round(width, 2), "h": round(height, 2), "lines": lines}
        if len(text.strip()) < 200:  # little text: how much of the page is image (a scan)?
            record["img"] = _image_coverage(pdf, index, width * height)
        pages.append(record)
    pdf.close()
    if page_count and failed == page_count:
        return {"ok": False, "error": "corrupt", "reason": "no page could be loaded"}
    return {"ok": True, "page_count": page_count, "pages": pages, "failed_pages": failed}


def main(request: dict[str, Any]) -> int:
    """The child's work, inside the sandbox (``entry._pdf``): extract ``request["path"]``."""
    try:
        result = _extract(str(request["path"]), int(request.get("max_pages") or DEFAULT_MAX_PAGES),
                          int(request.get("max_chars") or DEFAULT_MAX_CHARS))
    except MemoryError:
        result = {"ok": False, "error": "limits", "reason": "memory limit"}
    except Exception as exc:  # noqa: BLE001 - everything becomes a structured answer
        result = {"ok": False, "error": "corrupt", "reason": f"{type(exc).__name__}: {exc}"}
    data = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    os._exit(0)  # skip interpreter teardown (pdfium finalisers): faster, and nothing left to flush
