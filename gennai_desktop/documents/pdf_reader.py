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
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from ..core import sandbox
from ..core.document import Block, Document
from ..core.errors import DocumentError
from ..core.i18n import tr
from ..ocr.pages import block_fields
from ..ocr.pdf import apply_ocr
from .limits import DEFAULT_LIMITS, Limits
from .normalize import normalize_text

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
    with sandbox.Child("pdf", request, caps, errors) as child:
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


def document_from_pages(path: Path, answer: dict[str, Any], fmt: str = "pdf") -> Document:
    """Blocks from page line records (text layer or OCR): paragraphs, headings, page numbers."""
    pages = answer["pages"]
    paragraphs = [(_split_paragraphs(drop_page_numbers(p["lines"]), p.get("w"), p.get("h")), i + 1)
                  for i, p in enumerate(pages)]
    _, heading_sizes = _font_sizes(paragraphs)
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    for paras, page_no in paragraphs:
        for para in paras:
            text = normalize_text("\n".join(line[_TEXT] for line in para),
                                  drop_cjk_spaces=False).strip()
            if not text.strip():
                continue
            size = para[0][_SIZE]
            level = heading_sizes.get(_size_key(size), 0) if size else 0
            if level and len(text) > 80:
                level = 0  # big print of a whole paragraph is emphasis, not a heading
            extra = _ocr_block_fields(para, text) if len(para[0]) > 8 else {}
            bid = f"b{len(blocks):04d}"
            path_now = tuple(t for _, t in stack)
            if level:
                while stack and stack[-1][0] >= level:
                    stack.pop()
                path_now = tuple(t for _, t in stack)
                stack.append((level, text))
                blocks.append(Block(id=bid, kind="heading", text=text, level=level, page=page_no,
                                    heading_path=path_now, **extra))
            else:
                blocks.append(Block(id=bid, kind="paragraph", text=text, page=page_no,
                                    heading_path=path_now, **extra))
    if not blocks:
        raise DocumentError("documents.error.no_text", path=str(path))
    title = next((b.text for b in blocks if b.kind == "heading"), "")
    doc = Document(path=path, format=fmt, blocks=blocks, title=title or path.stem,  # type: ignore[arg-type]
                   page_count=int(answer["page_count"]))
    if answer.get("failed_pages"):
        doc.warnings.append("documents.warning.pages_unreadable")
    empty = sum(1 for p in pages if not p.get("failed") and not any(ln[0].strip() for ln in p["lines"]))
    if empty and empty * 2 >= len(pages):
        doc.warnings.append("documents.warning.pages_without_text")
    return doc


def _ocr_block_fields(para: list[list[Any]], text: str) -> dict[str, Any]:
    return block_fields(para, text)


def _size_key(size: float) -> float:
    return round(size * 2) / 2


def _font_sizes(paragraphs: list[tuple[list[list[list[Any]]], int]]) -> tuple[float, dict[float, int]]:
    """Body size = the size most characters have; clearly larger sizes are heading levels."""
    weights: Counter[float] = Counter()
    for paras, _ in paragraphs:
        for para in paras:
            for line in para:
                if line[_SIZE]:
                    weights[_size_key(line[_SIZE])] += len(line[_TEXT])
    if not weights:
        return 0.0, {}
    body = weights.most_common(1)[0][0]
    bigger = sorted((s for s in weights if s >= body * 1.2), reverse=True)[:6]
    return body, {s: i + 1 for i, s in enumerate(bigger)}


_PAGE_NUMBER_RE = re.compile(
    r"^[\s\u3000]*(?:[-－—‐–]\s*)?(?:p\.?\s*|page\s*|第)?[0-9０-９]{1,4}(?:\s*ページ|\s*頁)?"
    r"(?:\s*[/／]\s*[0-9０-９]{1,4})?(?:\s*[-－—‐–])?[\s\u3000]*$",
    re.IGNORECASE,
)


def drop_page_numbers(lines: list[list[Any]]) -> list[list[Any]]:
    """Remove a page-number line ("- 3 -", "3/10", "３ページ") at the top or bottom of a page.

    They are print furniture, not text: left in, they split sentences that continue across
    pages and show up in summaries. A page whose only text is a number keeps it.
    """
    idx = [i for i, ln in enumerate(lines) if ln[_TEXT].strip()]
    if len(idx) < 2:
        return lines
    drop = {i for i in (idx[0], idx[-1]) if _PAGE_NUMBER_RE.match(lines[i][_TEXT])}
    if len(drop) == len(idx):
        return lines
    return [ln for i, ln in enumerate(lines) if i not in drop]


def _split_paragraphs(lines: list[list[Any]], width: float | None = None,
                      height: float | None = None) -> list[list[list[Any]]]:
    """Group one page's lines into paragraphs using line ends, gaps and font changes.

    The text block's far edge (right, or bottom for vertical writing) is where the longest
    line ends; it only counts as a wrapping margin if two lines reach it or it mirrors the
    opposite page margin — otherwise a page of short one-line paragraphs would be glued.
    """
    lines = [ln for ln in lines if ln[_TEXT].strip()]
    if not lines:
        return []
    geo = [ln for ln in lines if ln[_X0] is not None]
    horiz = [ln for ln in geo if not ln[_VERT]]
    vert = [ln for ln in geo if ln[_VERT]]
    right_edge = max((ln[_X1] for ln in horiz), default=0.0)
    bottom_edge = min((ln[_Y1] for ln in vert), default=0.0)
    if horiz:
        em = statistics.median(ln[_SIZE] or 10.0 for ln in horiz)
        at_edge = sum(1 for ln in horiz if ln[_X1] >= right_edge - 1.5 * em)
        mirror = (width - min(ln[_X0] for ln in horiz)) if width else None
        if at_edge < 2 and (mirror is None or abs(right_edge - mirror) > 2 * em):
            right_edge = float("inf")
    if vert:
        em = statistics.median(ln[_SIZE] or 10.0 for ln in vert)
        at_edge = sum(1 for ln in vert if ln[_Y1] <= bottom_edge + 1.5 * em)
        mirror = (height - max(ln[_Y0] for ln in vert)) if height else None
        if at_edge < 2 and (mirror is None or abs(bottom_edge - mirror) > 2 * em):
            bottom_edge = float("-inf")
    pitches_h = [a[_Y0] - b[_Y0] for a, b in zip(lines, lines[1:])
                 if a[_X0] is not None and b[_X0] is not None and not a[_VERT] and not b[_VERT]
                 and a[_Y0] - b[_Y0] > 0]
    pitches_v = [a[_X0] - b[_X0] for a, b in zip(lines, lines[1:])
                 if a[_X0] is not None and b[_X0] is not None and a[_VERT] and b[_VERT]
                 and a[_X0] - b[_X0] > 0]
    pitch_h = statistics.median(pitches_h) if pitches_h else 0.0
    pitch_v = statistics.median(pitches_v) if pitches_v else 0.0

    paras: list[list[list[Any]]] = [[lines[0]]]
    for prev, cur in zip(lines, lines[1:]):
        if _continues(prev, cur, right_edge, bottom_edge, pitch_h, pitch_v):
            paras[-1].append(cur)
        else:
            paras.append([cur])
    return paras


def _continues(prev: list[Any], cur: list[Any], right_edge: float, bottom_edge: float,
               pitch_h: float, pitch_v: float) -> bool:
    if prev[_X0] is None or cur[_X0] is None:
        return False
    if prev[_VERT] != cur[_VERT]:
        return False
    size = prev[_SIZE] or 10.0
    if cur[_SIZE] and abs(cur[_SIZE] - size) > 0.1 * size:
        return False
    tolerance = 1.5 * size
    if not prev[_VERT]:
        if prev[_X1] < right_edge - tolerance:
            return False            # previous line ended early: paragraph end
        step = prev[_Y0] - cur[_Y0]
        if step <= 0 or (pitch_h and step > pitch_h * 1.35):
            return False            # column/page jump or paragraph spacing
        return True
    if prev[_Y1] > bottom_edge + tolerance:
        return False
    step = prev[_X0] - cur[_X0]     # vertical writing: columns go right to left
    if step <= 0 or (pitch_v and step > pitch_v * 1.35):
        return False
    return True
