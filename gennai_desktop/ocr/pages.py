"""Between the OCR child and the Document model: which PDF pages need OCR, OCR lines as the
PDF reader's line records, and per-block confidence / uncertain spans."""
from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .corrections import correct_line
from .limits import LOW_CONFIDENCE

# Line record fields (documents/pdf_reader.py) plus two OCR-only ones.
_TEXT, _X0, _Y0, _X1, _Y1, _SIZE, _VERT, _CONF, _CHARS = range(9)
MIN_REAL_CHARS = 20          # a page with fewer readable characters is treated as image-only


def _bad(c: str) -> bool:
    cat = unicodedata.category(c)
    return c == "\ufffd" or cat in ("Co", "Cn", "Cs") or (cat == "Cc" and c not in "\t\n\r")


def page_needs_ocr(lines: Sequence[Sequence[Any]], image_coverage: float | None = None) -> bool:
    """No text layer; a short one (under MIN_REAL_CHARS characters: a stamp, a header) on a
    page that is mostly image (``image_coverage`` ≥ 0.3, from the PDF worker); or a garbage
    one: more than a third private-use/unassigned/U+FFFD/control characters (fonts without a
    ToUnicode map extract like that), or "(cid:123)" strings."""
    text = "".join(str(ln[0]) for ln in lines)
    # each distinct character looked at once (a page of text repeats a few hundred of them)
    counts = Counter(text)
    n_chars = sum(n for c, n in counts.items() if not c.isspace())
    if not n_chars:
        return True
    if n_chars < MIN_REAL_CHARS and (image_coverage or 0.0) >= 0.3:
        return True
    bad = sum(n for c, n in counts.items() if not c.isspace() and _bad(c))
    if bad * 3 > n_chars:
        return True
    return text.count("(cid:") * 8 > n_chars / 2


@dataclass(frozen=True)
class OcrLine:
    """One recognised line as the OCR child reports it (image pixels, origin top-left)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    vertical: bool
    chars: tuple[float, ...]          # per-character confidence, 0..1

    @classmethod
    def from_event(cls, raw: Sequence[Any]) -> OcrLine:
        text, x0, y0, x1, y1, conf, vert, chars = raw
        return cls(str(text), float(x0), float(y0), float(x1), float(y1), float(conf), bool(vert),
                   tuple(float(c) for c in chars))


@dataclass(frozen=True)
class OcrPage:
    """One page the OCR child read: its image size and dpi, how it was turned, its lines."""

    index: int                        # 0-based page (PDF) or frame (image) number
    w: int                            # image size in pixels
    h: int
    dpi: float
    rotation: int
    lines: tuple[OcrLine, ...]

    @classmethod
    def from_event(cls, ev: dict[str, Any]) -> OcrPage:
        return cls(int(ev.get("index", 0)), int(ev["w"]), int(ev["h"]), float(ev.get("dpi") or 200.0),
                   int(ev.get("rotation", 0) or 0), tuple(OcrLine.from_event(ln) for ln in ev.get("lines", ())))


@dataclass(frozen=True)
class PageRecords:
    """An OCR page as the PDF reader's line records (``documents/pdf_reader.py``: text, box in
    points with the origin bottom-left, font size, vertical, then the OCR-only confidence and
    per-character confidences), with the page size in points."""

    lines: list[list[Any]]
    w_pt: float
    h_pt: float
    low_confidence: bool              # some character below LOW_CONFIDENCE


def line_records(page: OcrPage, width_pt: float | None = None, height_pt: float | None = None,
                 *, correct: bool = True) -> PageRecords:
    """``page``'s lines as line records in PDF points. ``width_pt``/``height_pt`` default to
    the image size at its dpi."""
    k = 72.0 / page.dpi
    w_pt = width_pt if width_pt else page.w * k
    h_pt = height_pt if height_pt else page.h * k
    sx = w_pt / max(1.0, page.w * k) * k
    sy = h_pt / max(1.0, page.h * k) * k
    out: list[list[Any]] = []
    low = False
    for ln in page.lines:
        text, chars = correct_line(ln.text, list(ln.chars)) if correct else (ln.text, list(ln.chars))
        vert = ln.vertical
        size = ((ln.x1 - ln.x0) if vert else (ln.y1 - ln.y0)) * (sx if vert else sy) * 0.75
        out.append([text, round(ln.x0 * sx, 2), round(h_pt - ln.y0 * sy, 2), round(ln.x1 * sx, 2),
                    round(h_pt - ln.y1 * sy, 2), round(size, 2), int(vert), ln.confidence, list(chars)])
        low = low or any(c < LOW_CONFIDENCE for c in chars)
    return PageRecords(out, w_pt, h_pt, low)


def block_fields(para: Sequence[Sequence[Any]], text: str) -> dict[str, Any]:
    """Block keyword arguments for a paragraph built from OCR line records (``{}`` otherwise).

    ``text`` is the paragraph after normalisation (joined lines, NFKC-ish fixes); character
    confidences are carried over to it through difflib's alignment of raw → normalised text.
    """
    if not para or len(para[0]) <= _CHARS:
        return {}
    raw_parts: list[str] = []
    confs: list[float] = []
    for ln in para:
        t, cc = str(ln[_TEXT]), list(ln[_CHARS])
        if len(cc) != len(t):
            cc = [float(ln[_CONF])] * len(t)
        if raw_parts:
            raw_parts.append("\n")
            confs.append(1.0)
        raw_parts.append(t)
        confs.extend(cc)
    raw = "".join(raw_parts)
    mapped = [1.0] * len(text)
    sm = difflib.SequenceMatcher(None, raw, text, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            mapped[j1:j2] = confs[i1:i2]
        elif tag == "replace":
            low = min(confs[i1:i2]) if i2 > i1 else 1.0
            mapped[j1:j2] = [low] * (j2 - j1)
    spans: list[tuple[int, int]] = []
    for j, c in enumerate(mapped):
        if c < LOW_CONFIDENCE and not text[j].isspace():
            if spans and spans[-1][1] == j:
                spans[-1] = (spans[-1][0], j + 1)
            else:
                spans.append((j, j + 1))
    real = [c for c, ch in zip(mapped, text) if not ch.isspace()]
    conf = round(sum(real) / len(real), 4) if real else 0.0
    boxes = tuple((float(ln[_X0]), float(ln[_Y0]), float(ln[_X1]), float(ln[_Y1])) for ln in para)
    return {"ocr": True, "confidence": conf, "uncertain": tuple(spans), "boxes": boxes}
