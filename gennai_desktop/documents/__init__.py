"""Reading and writing documents: .docx / .pdf / .txt → core.document.Document, and back to .docx.

Public API (others depend on these names):
``load_document(path) -> Document`` (raises only DocumentError),
``write_docx(blocks, target, *, title=None)``, ``normalize_text(s)``.
"""
from __future__ import annotations

from .docx_writer import write_docx as _write_docx
from .loader import load_document
from .normalize import normalize_safe, normalize_text

__all__ = ["load_document", "normalize_text", "normalize_safe", "write_docx"]


def write_docx(*args, **kwargs):  # type: ignore[no-untyped-def]
    """Lazy forwarder so importing the package does not import python-docx."""
    return _write_docx(*args, **kwargs)
