"""The few PDFium calls the PDF worker makes, bound with ctypes to pypdfium2's own libpdfium.

Why not ``import pypdfium2``: the worker is a fresh process per document, and pypdfium2's
generated bindings (``pypdfium2_raw.bindings``) declare every one of PDFium's ~900 functions
when imported — 25–40 ms of CPU per document, a quarter of what a 15-page law costs to
read (bench/bench_extract.py). Binding the 38 functions used here costs ~1 ms. The library
itself is still the one pypdfium2 ships and keeps up to date (``pypdfium2_raw``); where it
cannot be found that way (an unusual layout), its bindings are imported after all. The
signatures below are those of the bindings pypdfium2 generates from PDFium's headers.

``open_document`` and ``page_text`` do what ``pypdfium2.PdfDocument(path)`` and
``PdfTextPage.get_text_range()`` do (same checks, same error texts), so the worker's output
and its error messages are unchanged. Import this module only inside the sandbox: it loads
PDFium on import.
"""
from __future__ import annotations

import codecs
import ctypes
import importlib.util
import sys
from ctypes import POINTER, c_char_p, c_double, c_float, c_int, c_uint, c_ulong, c_ushort, c_void_p
from pathlib import Path
from typing import Any

FPDF_ERR_PASSWORD = 4
FPDF_ERR_SECURITY = 5
_ERRORS = {0: "Success", 1: "Unknown error", 2: "File access error", 3: "Data format error",
           4: "Incorrect password error", 5: "Unsupported security scheme error",
           6: "Page not found or content error"}
_ROTATION = {0: 0, 1: 90, 2: 180, 3: 270}


class PdfiumError(RuntimeError):
    """A PDFium call failed (``err_code``: FPDF_GetLastError, for a document that did not open)."""

    def __init__(self, msg: str, err_code: int | None = None) -> None:
        super().__init__(msg)
        self.err_code = err_code


class FS_RECTF(ctypes.Structure):  # noqa: N801 - PDFium's name
    _fields_ = [("left", c_float), ("top", c_float), ("right", c_float), ("bottom", c_float)]


class FS_MATRIX(ctypes.Structure):  # noqa: N801 - PDFium's name
    _fields_ = [("a", c_float), ("b", c_float), ("c", c_float), ("d", c_float), ("e", c_float),
                ("f", c_float)]


class _LibraryConfig(ctypes.Structure):
    _fields_ = [("version", c_int), ("m_pUserFontPaths", POINTER(c_char_p)), ("m_pIsolate", c_void_p),
                ("m_v8EmbedderSlot", c_uint), ("m_pPlatform", c_void_p), ("m_RendererType", c_int)]


_F = POINTER(c_float)
_H = c_void_p          # every PDFium handle (document, page, text page, object, clip path, segment)


def _library_file() -> Path | None:
    """libpdfium as pypdfium2_raw ships it (found without importing that package)."""
    spec = importlib.util.find_spec("pypdfium2_raw")
    folders = list(spec.submodule_search_locations or []) if spec else []
    if sys.platform.startswith(("win32", "cygwin", "msys")):
        name = "pdfium.dll"
    elif sys.platform.startswith(("darwin", "ios")):
        name = "libpdfium.dylib"
    else:
        name = "libpdfium.so"
    for folder in folders:
        path = Path(folder) / name
        if path.is_file():
            return path
    return None


def _load() -> ctypes.CDLL:
    path = _library_file()
    if path is not None:
        return ctypes.CDLL(str(path))
    from pypdfium2_raw import bindings  # type: ignore[import-untyped]  # the slow way: an unusual layout
    return bindings._libs["pdfium"]


_lib = _load()


def _bind(name: str, args: tuple[Any, ...], result: Any) -> Any:
    fn = _lib[name]
    fn.argtypes = args
    fn.restype = result
    return fn


# the signatures of pypdfium2's generated bindings (PDFium's headers)
FPDF_InitLibraryWithConfig = _bind("FPDF_InitLibraryWithConfig", (POINTER(_LibraryConfig),), None)
FPDF_LoadDocument = _bind("FPDF_LoadDocument", (c_char_p, c_char_p), _H)
FPDF_GetLastError = _bind("FPDF_GetLastError", (), c_ulong)
FPDF_GetPageCount = _bind("FPDF_GetPageCount", (_H,), c_int)
FPDF_LoadPage = _bind("FPDF_LoadPage", (_H, c_int), _H)
FPDF_ClosePage = _bind("FPDF_ClosePage", (_H,), None)
FPDF_CloseDocument = _bind("FPDF_CloseDocument", (_H,), None)
FPDF_GetPageWidthF = _bind("FPDF_GetPageWidthF", (_H,), c_float)
FPDF_GetPageHeightF = _bind("FPDF_GetPageHeightF", (_H,), c_float)
FPDFPage_GetRotation = _bind("FPDFPage_GetRotation", (_H,), c_int)
FPDFPage_GetCropBox = _bind("FPDFPage_GetCropBox", (_H, _F, _F, _F, _F), c_int)
FPDFPage_GetMediaBox = _bind("FPDFPage_GetMediaBox", (_H, _F, _F, _F, _F), c_int)
FPDFText_LoadPage = _bind("FPDFText_LoadPage", (_H,), _H)
FPDFText_ClosePage = _bind("FPDFText_ClosePage", (_H,), None)
FPDFText_CountChars = _bind("FPDFText_CountChars", (_H,), c_int)
FPDFText_GetTextIndexFromCharIndex = _bind("FPDFText_GetTextIndexFromCharIndex", (_H, c_int), c_int)
FPDFText_GetText = _bind("FPDFText_GetText", (_H, c_int, c_int, POINTER(c_ushort)), c_int)
FPDFText_GetLooseCharBox = _bind("FPDFText_GetLooseCharBox", (_H, c_int, POINTER(FS_RECTF)), c_int)
FPDFText_GetMatrix = _bind("FPDFText_GetMatrix", (_H, c_int, POINTER(FS_MATRIX)), c_int)
FPDFText_GetFontSize = _bind("FPDFText_GetFontSize", (_H, c_int), c_double)
FPDFText_GetFontInfo = _bind("FPDFText_GetFontInfo", (_H, c_int, c_void_p, c_ulong, POINTER(c_int)), c_ulong)
FPDFText_GetFontWeight = _bind("FPDFText_GetFontWeight", (_H, c_int), c_int)
FPDFPage_CountObjects = _bind("FPDFPage_CountObjects", (_H,), c_int)
FPDFPage_GetObject = _bind("FPDFPage_GetObject", (_H, c_int), _H)
FPDFPageObj_GetType = _bind("FPDFPageObj_GetType", (_H,), c_int)
FPDFPageObj_GetBounds = _bind("FPDFPageObj_GetBounds", (_H, _F, _F, _F, _F), c_int)
FPDFPageObj_GetClipPath = _bind("FPDFPageObj_GetClipPath", (_H,), _H)
FPDFPageObj_GetMatrix = _bind("FPDFPageObj_GetMatrix", (_H, POINTER(FS_MATRIX)), c_int)
FPDFClipPath_CountPaths = _bind("FPDFClipPath_CountPaths", (_H,), c_int)
FPDFClipPath_CountPathSegments = _bind("FPDFClipPath_CountPathSegments", (_H, c_int), c_int)
FPDFClipPath_GetPathSegment = _bind("FPDFClipPath_GetPathSegment", (_H, c_int, c_int), _H)
FPDFPath_CountSegments = _bind("FPDFPath_CountSegments", (_H,), c_int)
FPDFPath_GetPathSegment = _bind("FPDFPath_GetPathSegment", (_H, c_int), _H)
FPDFPathSegment_GetPoint = _bind("FPDFPathSegment_GetPoint", (_H, _F, _F), c_int)
FPDFPathSegment_GetType = _bind("FPDFPathSegment_GetType", (_H,), c_int)
FPDFPathSegment_GetClose = _bind("FPDFPathSegment_GetClose", (_H,), c_int)
FPDFFormObj_CountObjects = _bind("FPDFFormObj_CountObjects", (_H,), c_int)
FPDFFormObj_GetObject = _bind("FPDFFormObj_GetObject", (_H, c_ulong), _H)

# as pypdfium2 does it (its _library_scope): config version 2, no font paths, no V8
FPDF_InitLibraryWithConfig(_LibraryConfig(version=2, m_pUserFontPaths=None, m_pIsolate=None,
                                          m_v8EmbedderSlot=0))


def open_document(path: str) -> int:
    """A document handle for ``path``, as ``pypdfium2.PdfDocument(path)`` opens it: a missing
    file raises FileNotFoundError, one PDFium cannot open PdfiumError with ``err_code``."""
    file = Path(path).expanduser().resolve()
    if not file.is_file():
        raise FileNotFoundError(file)
    errors = "strict" if sys.platform.startswith("win32") else "surrogateescape"
    doc = FPDF_LoadDocument((str(file) + "\x00").encode("utf-8", errors=errors), None)
    if FPDF_GetPageCount(doc) < 1:
        code = int(FPDF_GetLastError())
        if doc:
            FPDF_CloseDocument(doc)
        raise PdfiumError(f"Failed to load document (PDFium: {_ERRORS.get(code, f'Unhandled constant {code}')}).",
                          err_code=code)
    return int(doc)


def load_page(doc: int, index: int) -> int:
    page = FPDF_LoadPage(doc, index)
    if not page:
        raise PdfiumError("Failed to load page.")
    return int(page)


def load_textpage(page: int) -> int:
    textpage = FPDFText_LoadPage(page)
    if not textpage:
        raise PdfiumError("Failed to load text page.")
    return int(textpage)


def page_size(page: int) -> tuple[float, float]:
    return FPDF_GetPageWidthF(page), FPDF_GetPageHeightF(page)


def page_rotation(page: int) -> int:
    """Clockwise rotation in degrees (KeyError on a value PDFium should never give, as pypdfium2)."""
    raw = FPDFPage_GetRotation(page)
    if raw == -1:
        raise PdfiumError("Failed to get page rotation.")
    return _ROTATION[raw]


def page_cropbox(page: int) -> tuple[float, float, float, float]:
    """The CropBox, else the MediaBox, else US Letter (pypdfium2's get_cropbox fallbacks)."""
    box = (c_float(), c_float(), c_float(), c_float())
    if FPDFPage_GetCropBox(page, *box) or FPDFPage_GetMediaBox(page, *box):
        return box[0].value, box[1].value, box[2].value, box[3].value
    return (0, 0, 612, 792)


def count_chars(textpage: int) -> int:
    n = FPDFText_CountChars(textpage)
    if n == -1:
        raise PdfiumError("Failed to get character count.")
    return int(n)


def page_text(textpage: int) -> str:
    """All the text of a text page, as pypdfium2's ``get_text_range()``: leading and trailing
    characters that PDFium leaves out of the text are skipped first (pdfium bug 2079)."""
    index, count = 0, count_chars(textpage)
    c_start, c_end = index, index + count - 1
    left = right = 0
    while True:         # pypdfium2 does this recursively; the same walk, without the depth limit
        if c_start > c_end:
            return ""
        t_start = FPDFText_GetTextIndexFromCharIndex(textpage, c_start)
        if t_start == -1:
            c_start += 1
            left += 1
            continue
        t_end = FPDFText_GetTextIndexFromCharIndex(textpage, c_end)
        if t_end == -1:
            c_end -= 1
            right += 1
            continue
        break
    index += left
    count -= left + right
    in_count = t_end + 2 - t_start
    buffer = (c_ushort * in_count)()
    out_count = FPDFText_GetText(textpage, index, count, buffer)
    assert in_count >= out_count, f"Buffer too small: {in_count} vs {out_count}"
    return codecs.decode(memoryview(buffer)[:out_count - 1], "utf-16-le", errors="ignore")


__all__ = ["FS_MATRIX", "FS_RECTF", "PdfiumError", "count_chars", "load_page", "load_textpage",
           "open_document", "page_cropbox", "page_rotation", "page_size", "page_text"]
