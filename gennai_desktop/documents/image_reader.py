"""Read a scanned image (.png / .jpg / .tif, multi-page FAX TIFFs) into a Document by OCR
(a document reader like the .pdf one; ``ocr/`` only recognises text)."""
from __future__ import annotations

from pathlib import Path

from ..core.document import Document
from ..core.errors import DocumentError
from ..ocr.engine import available
from ..ocr.pages import line_records
from ..ocr.runner import run_ocr
from .pdf_reader import document_from_pages


def read_image(path: Path) -> Document:
    if not available():
        raise DocumentError("ocr.error.unavailable", path=str(path))
    result = run_ocr(path, "image")
    pages = []
    low = False
    for ocr_page in result.pages:
        rec = line_records(ocr_page)
        pages.append({"w": rec.w_pt, "h": rec.h_pt, "lines": rec.lines})
        low = low or rec.low_confidence
    doc = document_from_pages(path, {"pages": pages, "page_count": len(pages)}, fmt="image")
    doc.warnings.append("ocr.warning.pages_ocr")
    if low:
        doc.warnings.append("ocr.warning.low_confidence")
    return doc
