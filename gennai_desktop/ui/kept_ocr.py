"""The OCR text of an open scan, kept with the autosave so recovery does not read it again.

Why: OCR takes about a minute a page; after a crash the recovery re-opened every scan and
read it again, silently, for minutes. The autosave (encrypted, like the results) now keeps
the blocks a scan was read as, with the sha256 of the file's bytes; recovery builds the
document from them when the file is unchanged, and only an edited file is read again.
No Qt here.
"""
from __future__ import annotations

from pathlib import Path

from ..core.document import Document
from ..core.safefiles import file_sha256
from .blocks_io import block_from_dict, block_to_dict


def has_ocr(doc: Document) -> bool:
    return any(b.ocr for b in doc.blocks)


def ocr_snapshot(doc: Document) -> dict | None:
    """What to keep for ``doc``: None unless some of it was read by OCR (the rest is
    quick to read again) or its file is gone."""
    if doc.path is None or not has_ocr(doc) or not Path(doc.path).is_file():
        return None
    return {"path": str(Path(doc.path).resolve()), "file_sha256": file_sha256(doc.path),
            "format": doc.format, "title": doc.title, "page_count": doc.page_count,
            "warnings": list(doc.warnings), "blocks": [block_to_dict(b) for b in doc.blocks],
            "furniture": [block_to_dict(b) for b in doc.furniture]}


def document_from_snapshot(snap: dict, path: str | Path) -> Document | None:
    """The kept document for ``path`` when its file is unchanged since; else None."""
    try:
        if str(Path(path).resolve()) != snap.get("path") or file_sha256(path) != snap.get("file_sha256"):
            return None
        return Document(path=Path(path), format=snap["format"], title=snap.get("title") or "",
                        blocks=[block_from_dict(b) for b in snap["blocks"]],
                        page_count=snap.get("page_count"), warnings=list(snap.get("warnings") or []),
                        furniture=[block_from_dict(b) for b in snap.get("furniture") or []])
    except (OSError, KeyError, TypeError, ValueError):
        return None           # a damaged snapshot: read the file again, as before
