"""Searchable PDF: the scanned page images with an invisible text layer from the OCR.

Written by hand (no PDF library needed for writing): each page draws its JPEG image full
size, then the OCR lines as invisible text (render mode 3) in a non-embedded standard
Japanese CID font (HeiseiMin-W3, UniJIS-UCS2-H: text is UCS-2, which pdfium, Acrobat and
poppler map back to Unicode without any embedded font), each line stretched (Tz) over its
box so a search hit or a selection lands on the right place of the image.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..core.cancel import CancelToken
from .formats import is_image
from .pages import OcrPage
from .runner import ProgressFn, run_ocr

_FONT = ("<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiMin-W3 /Encoding /UniJIS-UCS2-H "
         "/DescendantFonts [{cid} 0 R] >>")
_CIDFONT = ("<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiMin-W3 "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 2 >> "
            "/FontDescriptor {fd} 0 R /DW 1000 >>")
_FONTDESC = ("<< /Type /FontDescriptor /FontName /HeiseiMin-W3 /Flags 6 "
             "/FontBBox [-123 -257 1001 910] /ItalicAngle 0 /Ascent 880 /Descent -120 "
             "/CapHeight 700 /StemV 69 >>")


def _utf16(text: str) -> str:
    codes = [c for c in text if ord(c) <= 0xFFFF and c not in "\r\n"]
    return "<" + "".join(f"{ord(c):04X}" for c in codes) + ">"


def _page_content(page: OcrPage, w_pt: float, h_pt: float) -> bytes:
    k = 72.0 / page.dpi
    ops = [f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q", "BT 3 Tr"]
    for ln in page.lines:
        text, x0, y0, x1, y1, vert = ln.text, ln.x0, ln.y0, ln.x1, ln.y1, ln.vertical
        n = len([c for c in text if ord(c) <= 0xFFFF])
        if not n:
            continue
        if vert:   # a column: write it across the column's box (search/copy order is kept)
            size = max(1.0, (x1 - x0) * k * 0.9)
            width = (y1 - y0) * k
        else:
            size = max(1.0, (y1 - y0) * k * 0.8)
            width = (x1 - x0) * k
        scale = max(1.0, min(1000.0, 100.0 * width / (n * size)))
        base = h_pt - y1 * k + (y1 - y0) * k * 0.2
        ops.append(f"/F1 {size:.2f} Tf {scale:.1f} Tz 1 0 0 1 {x0 * k:.2f} {base:.2f} Tm {_utf16(text)} Tj")
    ops.append("ET")
    return "\n".join(ops).encode("ascii")


def write_searchable_pdf(target: Path, pages: Sequence[OcrPage], images: Sequence[Path]) -> None:
    """``pages``: OCR page events (ocr_worker), ``images``: the JPEG of each page as OCR'd
    (after rotation/deskew, so the boxes fit). Written atomically."""
    objs: list[bytes] = []

    def add(data: bytes) -> int:
        objs.append(data)
        return len(objs)

    catalog = add(b"")            # placeholders, filled below
    pages_obj = add(b"")
    fd = add(_FONTDESC.encode())
    cid = add(_CIDFONT.format(fd=fd).encode())
    font = add(_FONT.format(cid=cid).encode())
    kids = []
    for page, img_path in zip(pages, images):
        k = 72.0 / page.dpi
        w_pt, h_pt = page.w * k, page.h * k
        jpeg = Path(img_path).read_bytes()
        img = add(f"<< /Type /XObject /Subtype /Image /Width {page.w} /Height {page.h} "
                  f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode "
                  f"/Length {len(jpeg)} >>\nstream\n".encode() + jpeg + b"\nendstream")
        content = _page_content(page, w_pt, h_pt)
        cont = add(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
        kids.append(add(f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {w_pt:.2f} {h_pt:.2f}] "
                        f"/Resources << /Font << /F1 {font} 0 R >> /XObject << /Im0 {img} 0 R >> >> "
                        f"/Contents {cont} 0 R >>".encode()))
    objs[catalog - 1] = f"<< /Type /Catalog /Pages {pages_obj} 0 R >>".encode()
    objs[pages_obj - 1] = (f"<< /Type /Pages /Kids [{' '.join(f'{i} 0 R' for i in kids)}] "
                           f"/Count {len(kids)} >>").encode()
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, data in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + data + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root {catalog} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    target = Path(target)
    fd_, tmp = tempfile.mkstemp(dir=target.parent, prefix=".searchable-", suffix=".pdf")
    try:
        with os.fdopen(fd_, "wb") as fh:
            fh.write(out)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_searchable_pdf(source: Path, target: Path, *, progress: ProgressFn | None = None,
                        cancel: CancelToken | None = None) -> int:
    """OCR every page of ``source`` (an image file or a PDF; text-layer pages are OCR'd too)
    in the sandboxed child and write ``target``. Returns the number of pages written."""
    source = Path(source)
    with open(source, "rb") as fh:
        head = fh.read(16)
    kind = "image" if is_image(head, source.suffix.lower()) else "pdf"
    with tempfile.TemporaryDirectory(prefix="gennai-ocr-") as tmp:
        result = run_ocr(source, kind, progress=progress, cancel=cancel, save_pages=Path(tmp))
        pages = result.pages
        images = [Path(tmp) / f"page-{p.index:05d}.jpg" for p in pages]
        write_searchable_pdf(target, pages, images)
    return len(pages)
