"""Reading and writing documents: .docx / .pdf / .txt → core.document.Document, and back to .docx.

Public API (others depend on these names):
``load_document(path) -> Document`` (raises only DocumentError),
``write_docx(blocks, target, *, title=None)``, ``normalize_text(s)``.

The names are resolved on first use (PEP 562): the sandboxed PDF child imports
``documents.pdf_worker`` once per document, and importing the readers (lxml, python-docx,
charset-normalizer) on the way would add ~0.3 s to every PDF read.
"""
from __future__ import annotations

from typing import Any

__all__ = ["load_document", "normalize_text", "normalize_safe", "write_docx"]


def __getattr__(name: str) -> Any:
    if name == "load_document":
        from .loader import load_document  # lazy: see the module docstring
        return load_document
    if name in ("normalize_text", "normalize_safe"):
        from . import normalize  # lazy: see the module docstring
        return getattr(normalize, name)
    if name == "write_docx":
        from .docx_writer import write_docx  # lazy: see the module docstring
        return write_docx
    raise AttributeError(name)
