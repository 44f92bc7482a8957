"""Read a PDF into blocks via the sandboxed child process (``pdf_worker``).

Engine choice (measured on the corpus PDFs, see bench/bench_extract.py): pypdfium2 is
~10x faster than pypdf (≈800–1,300 vs ≈70–120 pages/s) with the same characters in the
same order on our Japanese PDFs, and it keeps vertical lines intact where pypdf's layout
mode fails. pypdf is therefore not used here; it earned no place as a fallback (below).

The child returns lines with a little geometry; here we rebuild paragraphs (a line that
reaches the right margin continues in the next one unless the gap, font size or direction
changes), guess headings from font size, and apply ``normalize_text``.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..core import sandbox
from ..core.document import Block, DocFormat, Document, table_text
from ..core.errors import DocumentError
from ..core.i18n import tr
from ..ocr.pages import block_fields
from ..ocr.pdf import apply_ocr
from .limits import DEFAULT_LIMITS, Limits
from .pdf_blocks import (
    Para,
    anchor_of,
    captions_after_figures,
    doc_stats,
    heading_levels,
    join_breaks,
    mark_references,
    mark_titles,
    page_paragraphs,
)
from .pdf_layout import (
    Line,
    Page,
    assign_frames,
    attach_marks,
    drop_ruby,
    find_furniture,
    find_pictures,
    find_tables,
    lines_of,
    reading_order,
)

# Why no pypdf fallback: of the 14 malformed-corpus PDFs that pdfium refuses, pypdf raises
# on 12 and reads 0 characters from the other 2 (qpdf-15390, qpdf-70306). A second parser
# would add attack surface (pypdf has had many DoS advisories) without recovering any text.

# Line record fields from the worker.
_TEXT, _X0, _Y0, _X1, _Y1, _SIZE, _VERT = range(7)


def run_worker(path: Path, limits: Limits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Run the sandboxed extraction child and return its JSON answer (raises DocumentError
    on failure, Cancelled when the ambient cancel token is set)."""
    errors = sandbox.ChildErrors(DocumentError, limit="documents.error.resource_limit",
                                 crash="documents.error.resource_limit", timeout="documents.error.timeout",
                                 failed="documents.error.corrupt", params={"path": str(path)})
    request = {"path": str(path), "max_pages": limits.max_pdf_pages, "max_chars": limits.max_chars}
    caps = sandbox.Limits(memory_bytes=limits.pdf_memory_bytes, cpu_seconds=limits.pdf_cpu_seconds,
                          wall_seconds=limits.pdf_wall_seconds)
    with sandbox.Child("pdf", request, caps, errors, spare=True) as child:
        out = child.output()
        rc = child.wait()
        if rc != 0:
            raise child.error(rc)
    try:
        answer = json.loads(out.decode("utf-8", "surrogatepass"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise DocumentError("documents.error.corrupt", path=str(path),
                            reason="PDF reader returned no result") from exc
    if not answer.get("ok"):
        kind = answer.get("error")
        reason = str(answer.get("reason", ""))[:300]
        if kind == "encrypted":
            raise DocumentError("documents.error.encrypted", path=str(path))
        if kind in ("too_many_pages", "too_many_chars"):
            # Name the cap itself (the 50,000-page file used to be told "上限: 50000 pages").
            count = f"{int(answer.get('count', 0)):,}" + ("+" if kind == "too_many_chars" else "")
            raise DocumentError("documents.error." + kind, path=str(path),
                                limit=f"{int(answer.get('limit', 0)):,}", count=count)
        if kind == "too_large":
            raise DocumentError("documents.error.too_large", path=str(path), limit=reason)
        if kind == "limits":
            raise DocumentError("documents.error.resource_limit", path=str(path))
        raise DocumentError("documents.error.corrupt", path=str(path), reason=pdfium_reason(reason))
    return answer


# pypdfium2's error texts (FPDF_GetLastError) → message keys, so a broken PDF is explained in
# the user's language instead of "Failed to load document (PDFium: Data format error)."
_PDFIUM_REASONS = (("Data format error", "documents.pdfium.format"),
                   ("File access error", "documents.pdfium.file_access"),
                   ("Incorrect password", "documents.pdfium.password"),
                   ("Unsupported security scheme", "documents.pdfium.security"),
                   ("Page not found or content error", "documents.pdfium.page"))


def pdfium_reason(reason: str) -> str:
    for needle, key in _PDFIUM_REASONS:
        if needle in reason:
            return tr(key)
    return tr("documents.pdfium.unknown") if "PDFium" in reason or not reason else reason


def read_pdf(path: Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    answer = run_worker(path, limits)
    ocr_warnings = apply_ocr(path, answer)
    doc = document_from_pages(path, answer)
    doc.warnings.extend(ocr_warnings)
    return doc


def document_from_pages(path: Path, answer: dict[str, Any], fmt: DocFormat = "pdf") -> Document:
    """Blocks from page line records (text layer or OCR): furniture, tables, pictures,
    columns, paragraphs joined across breaks, kinds (``pdf_layout``, ``pdf_blocks``)."""
    records = answer["pages"]
    pages = [Page(i + 1, float(r.get("w") or 0.0), float(r.get("h") or 0.0), lines_of(i + 1, r),
                  ocr=bool(r.get("ocr"))) for i, r in enumerate(records)]
    for page, record in zip(pages, records):
        # tables first: a column of row numbers is not margin line numbering
        find_tables(page, record.get("rules") or [], record.get("pictures"))
    find_furniture(pages)
    stats = doc_stats(pages)
    paras: list[Para] = []
    for page, record in zip(pages, records):
        find_pictures(page, record.get("pictures") or [], stats.body_size, record.get("boxes"))
        drop_ruby(page, stats.body_size)
        attach_marks(page)
        assign_frames(page, record.get("boxes") or [])
        reading_order(page)
        paras.extend(page_paragraphs(page, stats, len(paras)))
    captions_after_figures(paras)
    mark_titles(paras, pages, stats)
    paras = join_breaks(paras)
    heading_levels(paras)
    paras = mark_references(paras)
    blocks = _blocks(paras)
    if not blocks:
        raise DocumentError("documents.error.no_text", path=str(path))
    title = next((b.text for b in blocks if b.kind == "title"), "") or next(
        (b.text for b in blocks if b.kind == "heading"), "")
    doc = Document(path=path, format=fmt, blocks=blocks, title=title or path.stem,
                   page_count=int(answer["page_count"]))
    doc.furniture = _furniture(pages)
    if answer.get("failed_pages"):
        doc.warnings.append("documents.warning.pages_unreadable")
    empty = sum(1 for r in records if not r.get("failed") and not any(str(ln[0]).strip() for ln in r["lines"]))
    if empty and empty * 2 >= len(records):
        doc.warnings.append("documents.warning.pages_without_text")
    return doc


def _bbox(lines: list[Line]) -> tuple[float, float, float, float] | None:
    page = next((ln.page for ln in lines if ln.geometry), None)
    if page is None:
        return None
    x0 = top = x1 = bottom = 0.0
    first = True
    for ln in lines:        # one pass: this runs once per block
        if not ln.geometry or ln.page != page:
            continue
        if first:
            x0, top, x1, bottom = ln.x0, ln.top, ln.x1, ln.bottom
            first = False
            continue
        x0 = min(x0, ln.x0)
        top = max(top, ln.top)
        x1 = max(x1, ln.x1)
        bottom = min(bottom, ln.bottom)
    return (round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2))


def _blocks(paras: list[Para]) -> list[Block]:
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    for p in paras:
        if p.kind == "table" and p.rows is not None:
            text = table_text(p.rows)
        else:
            text = p.text
        if not text.strip():
            continue
        index = len(blocks)
        bid = (f"t{index:04d}" if p.kind == "table" else f"b{index:04d}")
        if p.kind in ("heading", "title"):
            level = p.level if p.kind == "heading" else 0
            while stack and stack[-1][0] >= max(level, 1):
                stack.pop()
            path_now = tuple(t for _, t in stack)
            stack.append((max(level, 1) if p.kind == "heading" else 0, text))
        else:
            path_now = tuple(t for _, t in stack)
        lines = p.lines + p.joined
        extra = block_fields([ln.rec for ln in lines], text) if lines and all(len(ln.rec) > 8 for ln in lines) else {}
        label = p.label if p.label and text.startswith(p.label) else ""
        anchor = None
        if p.kind == "note":
            anchor = anchor_of(p, blocks, p.page)
        kwargs: dict[str, Any] = {"bbox": p.bbox or _bbox(p.lines), "label": label, "anchor": anchor,
                                  "continued": p.continued,
                                  "page_end": p.page_end if p.page_end and p.page_end != p.page else None}
        if "boxes" in extra and kwargs["bbox"] is None:
            kwargs.pop("bbox")
        if p.kind != "table" and any(ln.ruby for ln in lines):
            kwargs["ruby"] = _ruby_spans(lines, text)
        level = p.level if p.kind in ("heading", "list_item") else 0
        blocks.append(Block(id=bid, kind=p.kind, text=text, level=level,
                            page=p.page, heading_path=path_now, rows=p.rows, **kwargs, **extra))
    return blocks


def _ruby_spans(lines: list[Line], text: str) -> tuple[tuple[int, int, str], ...]:
    """Each line's ruby (word, reading) as (start, end, reading) in the block's ``text``: the
    word found in reading order (lines are joined, trimmed and marked before they become text,
    so offsets are looked up rather than carried)."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    for ln in lines:
        head = ln.text[:6]
        at = text.find(head, pos) if head else -1
        if at >= 0:
            pos = at            # the line's own text: a word the block had earlier is not it
        for base, reading in ln.ruby:
            k = text.find(base, pos)
            if k < 0:
                continue
            out.append((k, k + len(base), reading))
            pos = k + len(base)
    return tuple(out)


def _furniture(pages: list[Page]) -> list[Block]:
    out: list[Block] = []
    for page in pages:
        for kind in ("header", "footer", "page_number", "line_number"):
            lines = page.furniture.get(kind)
            if not lines:
                continue
            ordered = sorted(lines, key=lambda ln: (-ln.top, ln.x0)) if kind != "line_number" else lines
            text = "\n".join(ln.text for ln in ordered)
            out.append(Block(id=f"f{len(out):04d}", kind=kind, text=text, page=page.number,  # type: ignore[arg-type]  # a FurnitureKind: Document.furniture reuses Block, whose kind lists body kinds only
                             bbox=_bbox(lines)))
    return out
