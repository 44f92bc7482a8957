"""``load_document``: one entry point for .docx / .pdf / .txt that only ever raises DocumentError.

The format is decided by the file's first bytes (``%PDF``, zip, OLE) and then by the
extension, so a renamed file is read correctly or refused with a clear reason. Anything
unexpected from a parser is wrapped into DocumentError("documents.error.corrupt") — the UI
shows a message, never a traceback.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..core.cancel import Cancelled
from ..core.document import Document
from ..core.errors import DocumentError, GennaiError
from ..ocr.formats import is_image
from .docx_reader import read_docx
from .html_reader import read_html
from .limits import DEFAULT_LIMITS, Limits
from .pdf_reader import read_pdf
from .txt_reader import EncodingUnknown, detect_encoding, read_txt
from .zipscan import check_ole, prescan_zip

PDF_MAGIC = b"%PDF"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_EMPTY_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUPPORTED_SUFFIXES = (".docx", ".pdf", ".txt", ".md", ".html", ".htm",
                      ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp")  # images: OCR
_HEAD_BYTES = 8192
_TEXT_SUFFIXES = (".txt", ".text", ".md", ".csv", ".tsv", ".log")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


def load_document(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read ``path`` into a Document or raise DocumentError (never another exception)."""
    p = Path(path)
    try:
        return _load(p, limits)
    except (DocumentError, Cancelled):  # Cancelled: the user stopped OCR; not a broken file
        raise
    except GennaiError as exc:  # another user-facing error from below: keep its message
        raise DocumentError("documents.error.corrupt", path=str(p), reason=str(exc)) from exc
    except MemoryError as exc:
        raise DocumentError("documents.error.resource_limit", path=str(p)) from exc
    except RecursionError as exc:
        raise DocumentError("documents.error.corrupt", path=str(p), reason="nesting too deep") from exc
    except Exception as exc:  # noqa: BLE001 - the contract is: DocumentError only
        reason = f"{type(exc).__name__}: {exc}"[:300]
        raise DocumentError("documents.error.corrupt", path=str(p), reason=reason) from exc


def detect_format(head: bytes, suffix: str) -> str:
    """'pdf' | 'zip' | 'ole' | 'text' | 'unknown' from the first bytes (suffix breaks ties)."""
    if head.startswith(PDF_MAGIC) or (PDF_MAGIC in head[:1024] and suffix == ".pdf"):
        return "pdf"
    if head.startswith(ZIP_MAGIC) or head.startswith(ZIP_EMPTY_MAGIC):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if _looks_like_text(head):
        return "text"
    return "unknown"


def _looks_like_text(head: bytes) -> bool:
    """Text in an encoding we read (see ``txt_reader.detect_encoding``: BOMs, UTF-8,
    BOM-less UTF-16/32, ISO-2022-JP, Shift_JIS/CP932, EUC-JP)."""
    try:
        detect_encoding(head, complete=len(head) < _HEAD_BYTES)
        return True
    except EncodingUnknown:
        return False


def _load(p: Path, limits: Limits) -> Document:
    try:
        st = p.stat()
    except FileNotFoundError as exc:
        raise DocumentError("documents.error.not_found", path=str(p)) from exc
    except PermissionError as exc:
        raise DocumentError("documents.error.permission", path=str(p)) from exc
    except OSError as exc:
        raise DocumentError("documents.error.read_failed", path=str(p), reason=exc.strerror or str(exc)) from exc
    if p.is_dir() or not p.is_file():
        raise DocumentError("documents.error.not_a_file", path=str(p))
    if st.st_size == 0:
        raise DocumentError("documents.error.empty", path=str(p))
    if st.st_size > limits.max_file_bytes:
        raise DocumentError("documents.error.too_large", path=str(p),
                            limit=f"{limits.max_file_bytes // 1024 ** 2} MB")
    suffix = p.suffix.lower()
    try:
        with open(p, "rb") as fh:
            head = fh.read(_HEAD_BYTES)
    except PermissionError as exc:
        raise DocumentError("documents.error.permission", path=str(p)) from exc
    except OSError as exc:
        raise DocumentError("documents.error.read_failed", path=str(p), reason=exc.strerror or str(exc)) from exc
    kind = detect_format(head, suffix)
    if is_image(head, suffix):
        from .image_reader import read_image  # lazy: OCR pulls in numpy; the sandboxed PDF worker imports this package
        return read_image(p)

    if kind == "pdf":
        return read_pdf(p, limits)
    if kind == "zip":
        if suffix in (".xlsx", ".xlsm", ".pptx", ".odt", ".ods", ".odp", ".zip", ".epub"):
            raise DocumentError("documents.error.unsupported", path=str(p), ext=suffix)
        prescan_zip(p, limits)
        return read_docx(p, limits)
    if kind == "ole":
        with open(p, "rb") as fh:
            probe = fh.read(min(st.st_size, 4 * 1024 ** 2))
        check_ole(p, head, probe)
    if kind == "text" and suffix in _HTML_SUFFIXES:
        return read_html(p, limits)
    if kind == "text" and (suffix in _TEXT_SUFFIXES or suffix == ""):
        if st.st_size > limits.max_txt_bytes:
            raise DocumentError("documents.error.too_large", path=str(p),
                                limit=f"{limits.max_txt_bytes // 1024 ** 2} MB")
        return read_txt(p, None, limits)   # decoded in steps, stops at the caps
    if suffix in (".docx", ".pdf"):
        # Right name, wrong content: a truncated/garbage file, or text renamed to .docx.
        raise DocumentError("documents.error.corrupt", path=str(p),
                            reason=f"not a {suffix[1:].upper()} file")
    raise DocumentError("documents.error.unsupported", path=str(p), ext=suffix or "?")
