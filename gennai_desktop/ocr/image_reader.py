"""Read a scanned image (.png / .jpg / .tif, multi-page FAX TIFFs) into a Document by OCR."""
from __future__ import annotations

from pathlib import Path

from ..core.document import Document
from ..core.errors import DocumentError
from .engine import available
from .limits import LOW_CONFIDENCE
from .pages import line_records
from .runner import run_ocr


def read_image(path: Path) -> Document:
    if not available():
        raise DocumentError("ocr.error.unavailable", path=str(path))
    result = run_ocr(path, "image")
    pages = []
    low = False
    for ev in result["pages"]:
        records, w_pt, h_pt = line_records(ev)
        pages.append({"w": w_pt, "h": h_pt, "lines": records})
        low = low or any(c < LOW_CONFIDENCE for r in records for c in r[8])
    from ..documents.pdf_reader import document_from_pages
    doc = document_from_pages(path, {"pages": pages, "page_count": len(pages)}, fmt="image")
    doc.warnings.append("ocr.warning.pages_ocr")
    if low:
        doc.warnings.append("ocr.warning.low_confidence")
    return doc
