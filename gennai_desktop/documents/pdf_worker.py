"""Child process that extracts text from one PDF under hard resource limits.

Why a separate process: PDF parsers have a long history of hangs and memory blow-ups on
hostile files (/Prev loops, content-stream cycles, decompression bombs). It runs as the
sandboxed child "pdf" (``core/sandbox.py``: RLIMIT_AS / RLIMIT_CPU and no network, set
*before* pdfium is imported; the parent adds a wall-clock timeout and the cancel token).
If anything goes wrong the child dies, not the app.

It imports only the standard library and the PDFium that pypdfium2 ships, bound with
ctypes to just the calls made here (``pdfium_lib``: pypdfium2's own bindings cost 25–40 ms
of CPU per start), so it starts fast (~one interpreter start per document, not per page).
Input: the request ``{"path", "max_pages", "max_chars"}`` over the pipe (never on the
command line). Output: one JSON object on stdout (see ``_extract``), always with "ok".

Layout: pdfium gives page text as lines separated by CR LF; we keep the lines and attach
just enough geometry (first/last character box, font size) for the parent to decide where
paragraphs start. Vertical writing (tategaki) is handled by measuring along the line axis.
"""
from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

# Defaults; the parent passes explicit values in the request.
DEFAULT_MAX_PAGES = 5000
DEFAULT_MAX_CHARS = 20_000_000


# -- text lines ---------------------------------------------------------------------------------
#
# A line record is [text, x0, top, x1, bottom, size, vert, style]:
#   the line's box in the coordinates of the page as shown (crop-box origin at the bottom left,
#   /Rotate applied, y up); ``size`` is its em (loose box height, or width for a vertical line:
#   PDF font sizes are often 1.0 with the scale in the text matrix); ``vert`` is 1 for a line
#   running top to bottom; ``style`` is [font, weight, flags]: an index into the page's
#   "fonts", the font weight (700 = bold), and FLAG_* bits.
# pdfium's own lines are kept where they are consistent; a "line" that runs across two
# columns or table cells (a wide gap) is cut into segments, and one that jumps between
# vertical columns is rebuilt character by character.

FLAG_SPACED = 1      # letter-spaced line (均等割付) joined: 「保 医 発 0 8 1 9」→「保医発0819」
FLAG_SEGMENT = 2     # the next record continues this baseline after a wide gap (columns, cells)
FLAG_SUPERSCRIPT = 4  # raised, smaller digits written as superscripts (footnote references)

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUPERSCRIPT_CHARS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_DIGIT_AFTER_RE = re.compile(r"[^\s0-9] ?[0-9]")
_WIDE_GAP = 2.0       # ems: a gap this wide inside a pdfium line separates columns or cells
_MAX_FONTS = 64


class _Page:
    """One page's text page plus the transform from PDF user space to the page as shown."""

    def __init__(self, page: int, textpage: int, raw: Any) -> None:
        import ctypes

        self.raw = raw
        self.page = page
        self.tp = textpage
        left, bottom, right, top = raw.page_cropbox(page)
        self.crop = (left, bottom, right, top)
        self.rotation = raw.page_rotation(page) % 360
        self._rect = raw.FS_RECTF()
        self._matrix = raw.FS_MATRIX()
        self._buf = ctypes.create_string_buffer(96)
        self._flags = ctypes.c_int()
        self.fonts: list[str] = []
        self._font_index: dict[str, int] = {}
        self._font_by_data: dict[bytes, int] = {}
        self.columns: list[tuple[float, float, float]] = []   # vertical rules (x, y0, y1): cell walls

    def to_display(self, left: float, b: float, r: float, t: float) -> tuple[float, float, float, float]:
        cl, cb, cr, ct = self.crop
        rot = self.rotation
        if rot == 0:
            return left - cl, b - cb, r - cl, t - cb
        if rot == 90:
            return b - cb, cr - r, t - cb, cr - left
        if rot == 180:
            return cr - r, ct - t, cr - left, ct - b
        return ct - t, left - cl, ct - b, r - cl   # 270

    def box(self, index: int) -> tuple[float, float, float, float]:
        """Loose box (x0, y0, x1, y1) of character ``index`` on the page as shown."""
        rect = self._rect
        self.raw.FPDFText_GetLooseCharBox(self.tp, index, rect)
        return self.to_display(rect.left, rect.bottom, rect.right, rect.top)

    def em(self, index: int) -> float:
        """The character's font size on the page: the font size times the scale of its text
        matrix (many producers write size 1 and scale the matrix; loose boxes follow the
        font's ascent, which differs between the kana and kanji subsets of one font)."""
        raw = self.raw
        m = self._matrix
        raw.FPDFText_GetMatrix(self.tp, index, m)
        scale = abs(m.a * m.d - m.b * m.c) ** 0.5
        size = float(raw.FPDFText_GetFontSize(self.tp, index)) * scale
        return size if 0.5 <= size <= 500 else 0.0

    def style(self, index: int, flags: int) -> list[int]:
        raw = self.raw
        n = raw.FPDFText_GetFontInfo(self.tp, index, self._buf, len(self._buf), self._flags)
        data = self._buf.value if 0 < n <= len(self._buf) else b""
        font = self._font_by_data.get(data)     # a page has a few fonts and many lines
        if font is None:
            name = _font_name(data) if data else ""
            name = name.split("+", 1)[1] if len(name) > 7 and name[6] == "+" else name
            font = self._font_index.get(name)
            if font is None:
                if len(self.fonts) >= _MAX_FONTS:
                    font = 0
                else:
                    font = self._font_index[name] = len(self.fonts)
                    self.fonts.append(name)
            self._font_by_data[data] = font
        weight = int(raw.FPDFText_GetFontWeight(self.tp, index))
        if not 0 < weight <= 1000:      # -1, or nonsense from a broken font descriptor
            weight = 700 if self._flags.value & (1 << 18) else 0   # ForceBold
        return [font, weight, flags]


def _font_name(data: bytes) -> str:
    """A font's base name; Japanese producers write some names in Shift_JIS (ＭＳ 明朝)."""
    for enc in ("utf-8", "cp932"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


def _page_lines(pg: _Page, text: str, char_count: int) -> list[list[Any]]:
    out: list[list[Any]] = []
    aligned = len(text) == char_count  # False with surrogate pairs: then no geometry, text only
    pos = 0
    for line in text.split("\r\n"):
        if line.strip():
            if aligned:
                for rec in _line(pg, line, pos):
                    if out and _same_line(out[-1], rec):
                        _append(out[-1], rec)
                    else:
                        out.append(rec)
            else:
                out.append([line.strip(), None, None, None, None, None, 0, None])
        pos += len(line) + 2
    return out


def _same_line(prev: list[Any], rec: list[Any]) -> bool:
    """pdfium starts a new line where the baseline moves for a raised footnote mark
    (「西村 毅¹、満塩 尚史¹、…」 comes out as six lines): pieces that continue one another on
    one line are put back together."""
    if prev[1] is None or rec[1] is None or prev[7][2] & FLAG_SEGMENT:
        return False
    size = max(prev[5], rec[5], 1.0)
    if prev[6] or rec[6]:
        # one vertical column cut where a 縦中横 group (「(1)」) sits inside it
        return (abs((prev[1] + prev[3]) - (rec[1] + rec[3])) <= 0.6 * size
                and -1.0 * size <= prev[4] - rec[2] <= 0.8 * size)
    return (abs(prev[5] - rec[5]) <= 0.2 * size and abs(prev[4] - rec[4]) <= 0.3 * size
            and abs(prev[2] - rec[2]) <= 0.5 * size and -1.0 <= rec[1] - prev[3] <= 0.6 * size)


def _append(prev: list[Any], rec: list[Any]) -> None:
    prev[0] = prev[0] + rec[0]
    prev[1] = min(prev[1], rec[1])
    prev[3] = max(prev[3], rec[3])
    prev[2] = max(prev[2], rec[2])
    prev[4] = min(prev[4], rec[4])
    prev[6] = 1 if (prev[6] or rec[6]) else 0
    prev[7][2] |= rec[7][2]


def _line(pg: _Page, line: str, pos: int) -> list[list[Any]]:
    f = len(line) - len(line.lstrip())
    last = len(line.rstrip()) - 1
    bf = pg.box(pos + f)
    if last == f:
        return [_record(pg, line[f], bf, bf, pos + f, 0, 0)]
    bl = pg.box(pos + last)
    hf, hl = bf[3] - bf[1], bl[3] - bl[1]
    wf, wl = bf[2] - bf[0], bl[2] - bl[0]
    h = max(hf, hl, 0.1)
    if abs((bf[1] + bf[3]) - (bl[1] + bl[3])) < 1.2 * h and bl[2] >= bf[0]:
        return _horizontal(pg, line, pos, f, last, bf, bl)
    w = max(wf, wl, 0.1)
    if abs((bf[0] + bf[2]) - (bl[0] + bl[2])) < 1.2 * w and bl[1] <= bf[3]:
        return [_vertical(pg, line[f:last + 1], bf, bl, pos + f)]
    return _by_character(pg, line, pos, f, last)


def _record(pg: _Page, text: str, first: tuple, last: tuple, index: int, vert: int,
            flags: int, em: float = 0.0) -> list[Any]:
    if vert:
        x0, x1 = min(first[0], last[0]), max(first[2], last[2])
    else:
        x0, x1 = first[0], max(first[2], last[2])
    top, bottom = max(first[3], last[3]), min(first[1], last[1])
    size = em or pg.em(index) or max(first[3] - first[1], last[3] - last[1], 1.0)
    # the font of the text, not of a margin line number or list number glued in front of it
    k = 0
    while k < min(len(text) - 1, 6) and (text[k] in "0123456789 "):
        k += 1
    return [text, round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2), round(size, 2), vert,
            pg.style(index + k, flags)]


def _vertical(pg: _Page, text: str, bf: tuple, bl: tuple, index: int) -> list[Any]:
    return _record(pg, text, bf, bl, index, 1, 0)


def _horizontal(pg: _Page, line: str, pos: int, f: int, last: int, bf: tuple,
                bl: tuple) -> list[list[Any]]:
    text = line[f:last + 1]
    em = pg.em(pos + f)
    size = em or max(bf[3] - bf[1], bl[3] - bl[1], 1.0)
    if " " not in text:
        if pg.columns:
            cy = (bf[1] + bf[3]) / 2
            walls = [x for x, y0, y1 in pg.columns if bf[2] - 0.5 < x < bl[0] + 0.5 and y0 <= cy <= y1]
            if walls:
                return _cut_at_walls(pg, text, pos + f, sorted(walls), em)
        return [_with_superscripts(pg, _record(pg, text, bf, bl, pos + f, 0, 0, em), pos + f)]
    # gaps at each run of spaces: (start, end) in ``text``, left box, right box
    gaps: list[tuple[int, int, tuple, tuple]] = []
    i = 0
    while i < len(text):
        if text[i] != " ":
            i += 1
            continue
        j = i
        while j < len(text) and text[j] == " ":
            j += 1
        gaps.append((i, j, pg.box(pos + f + i - 1), pg.box(pos + f + j)))
        i = j
    widths = [right[0] - left[2] for _, _, left, right in gaps]
    tokens = text.split(" ")
    tokens = [t for t in tokens if t]
    # Letter-spaced (均等割付): single characters at one even spacing (「保 医 発 0 8 1 9」,
    # 「（ 公 印 省 略 ）」 spread over a wide box); a much wider gap still separates (「… 長　　殿」).
    near = [False] * len(widths)
    spaced = False
    if len(widths) >= 3:
        g = sorted(widths)[len(widths) // 2]
        if 0 <= g <= 3 * size:
            near = [abs(w - g) <= 0.3 * g + 0.15 * size for w in widths]
            spaced = (sum(near) >= 0.6 * len(widths) and all(len(t) <= 3 for t in tokens)
                      and sum(1 for t in tokens if len(t) == 1) >= 0.6 * len(tokens)
                      and any(_is_cjk(ch) for ch in text))
    out: list[list[Any]] = []
    seg_start, seg_box = 0, bf
    chars = list(text)
    for (i, j, left, right), width, even in zip(gaps, widths, near):
        wall = any(left[2] - 0.5 <= x <= right[0] + 0.5 and y0 <= (left[1] + left[3]) / 2 <= y1
                   for x, y0, y1 in pg.columns) if pg.columns else False
        if (width >= _WIDE_GAP * size or wall) and not (spaced and even and not wall):
            seg = "".join(chars[seg_start:i])
            flags = FLAG_SEGMENT | (FLAG_SPACED if spaced else 0)
            rec = _record(pg, seg.replace(" ", "") if spaced else seg, seg_box, left,
                          pos + f + seg_start, 0, flags)
            out.append(_with_superscripts(pg, rec, None if spaced else pos + f + seg_start))
            seg_start, seg_box = j, right
        elif (j - i == 1 and ord(text[i - 1]) >= 0x2000 and ord(text[j]) >= 0x2000 and not spaced
              and 0.75 * size <= width <= 1.5 * size):
            chars[i] = "\u3000"   # a one-em gap between Japanese characters: the 全角スペース typed
    seg = "".join(chars[seg_start:])
    rec = _record(pg, seg.replace(" ", "") if spaced else seg, seg_box, bl, pos + f + seg_start, 0,
                  FLAG_SPACED if spaced else 0, em if seg_start == 0 else 0.0)
    out.append(_with_superscripts(pg, rec, None if spaced else pos + f + seg_start))
    return out


def _cut_at_walls(pg: _Page, text: str, index: int, walls: list[float], em: float) -> list[list[Any]]:
    """A line pdfium ran without a space across a table's cell wall (「機械学習人間の学習に…」:
    the term and its definition in two ruled cells) cut where the wall passes between two
    characters, the left pieces marked as segments like a cut at a wide gap."""
    boxes = [pg.box(index + k) for k in range(len(text))]
    cuts: list[int] = []
    for x in walls:
        # the wall passes through a gap of half an em or more between two characters, not
        # through or at the edge of a glyph (a box's edge drawn across a line of its text)
        k = next((k for k in range(1, len(text)) if boxes[k - 1][2] - 0.5 <= x <= boxes[k][0] + 0.5
                  and boxes[k][0] - boxes[k - 1][2] >= 0.5 * (boxes[k][3] - boxes[k][1])), 0)
        if k and (not cuts or k > cuts[-1]):
            cuts.append(k)
    if not cuts:
        return [_with_superscripts(pg, _record(pg, text, boxes[0], boxes[-1], index, 0, 0, em), index)]
    out: list[list[Any]] = []
    for a, b in zip([0] + cuts, cuts + [len(text)]):
        rec = _record(pg, text[a:b], boxes[a], boxes[b - 1], index + a, 0, FLAG_SEGMENT if b < len(text) else 0)
        out.append(_with_superscripts(pg, rec, index + a))
    return out


def _with_superscripts(pg: _Page, rec: list[Any], index: int | None) -> list[Any]:
    """Digits right after a character, smaller and raised above its baseline, are a footnote
    reference (「モーダル性1・」 with a small raised 1): written as superscripts 「性¹・」 so
    that tasks can tell them from text (nlp.notes)."""
    text = rec[0]
    if index is None or _DIGIT_AFTER_RE.search(text) is None:
        return rec
    out = list(text)
    changed = False
    i = 1
    while i < len(text):
        if not ("0" <= text[i] <= "9") or text[i - 1].isdigit():
            i += 1
            continue
        before = i - 1
        if text[before] == " " and before >= 1 and not text[before - 1].isspace():
            before -= 1         # 「西村 毅 1」: pdfium put a space before the raised 1
        elif text[before].isspace():
            i += 1
            continue
        j = i
        while j < len(text) and ("0" <= text[j] <= "9" or (text[j] == "," and j + 1 < len(text)
                                                         and "0" <= text[j + 1] <= "9")):
            j += 1
        prev, digit = pg.box(index + before), pg.box(index + i)
        hp, hd = prev[3] - prev[1], digit[3] - digit[1]
        if hp > 0 and hd < 0.95 * hp and digit[1] > prev[1] + 0.25 * hp:
            for k in range(i, j):
                out[k] = out[k].translate(_SUPERSCRIPT)
            if before < i - 1:
                out[i - 1] = ""
            changed = True
        elif _next_raised(pg, index, text, out, i):
            # 「採択されました¹、2、3。」: the raised list goes on after a small raised 、 (which
            # sits no lower than the digits, so the test above misses it): one mark 「¹,²,³」
            for k in range(i, j):
                out[k] = out[k].translate(_SUPERSCRIPT)
            out[i - 1] = ","
            changed = True
        i = j
    if changed:
        rec[0] = "".join(out)
        rec[7][2] |= FLAG_SUPERSCRIPT
    return rec


def _next_raised(pg: _Page, index: int, text: str, out: list[str], i: int) -> bool:
    """The digit at ``i`` continues a superscript list: a comma-like separator between it and a
    digit already raised, the digit as small and on the same raised baseline as that one."""
    if i < 2 or text[i - 1] not in "、，," or out[i - 2] not in _SUPERSCRIPT_CHARS:
        return False
    last, digit = pg.box(index + i - 2), pg.box(index + i)
    hl, hd = last[3] - last[1], digit[3] - digit[1]
    return hl > 0 and abs(hd - hl) <= 0.15 * hl and abs(digit[1] - last[1]) <= 0.25 * hl


def _by_character(pg: _Page, line: str, pos: int, f: int, last: int) -> list[list[Any]]:
    """Rebuild the lines of a pdfium "line" that jumps between columns (vertical writing
    set as one text run, or text in several places): a run continues while the next
    character sits right after the previous one, across (horizontal) or down (vertical)."""
    runs: list[list[Any]] = []      # [direction, text, first box, last box, first index]
    space = False
    for i in range(f, last + 1):
        ch = line[i]
        if ch.isspace():
            space = True
            continue
        b = pg.box(pos + i)
        run = runs[-1] if runs else None
        if run is not None:
            d, _, _, pb, _ = run
            h, w = max(pb[3] - pb[1], b[3] - b[1], 0.1), max(pb[2] - pb[0], b[2] - b[0], 0.1)
            across = (abs((b[1] + b[3]) - (pb[1] + pb[3])) < h and b[0] >= pb[0]
                      and b[0] - pb[2] < _WIDE_GAP * h)
            down = (abs((b[0] + b[2]) - (pb[0] + pb[2])) < w and b[3] <= pb[3]
                    and pb[1] - b[3] < _WIDE_GAP * w)
            if d in ("", "h") and across and not (d == "" and down and not space):
                run[0] = "h"
                run[1] += (" " if space and not (_is_cjk(ch) or _is_cjk(run[1][-1])) else "") + ch
                run[3] = b
                space = False
                continue
            if d == "h" and len(run[1]) <= 4 and b[3] <= run[2][1] + 0.2 * h \
                    and run[2][0] - 0.5 * w <= (b[0] + b[2]) / 2 <= pb[2] + 0.5 * w:
                d = run[0] = "v"   # 縦中横: a short horizontal group (「(14)」) heading a vertical column
                run[2] = (min(run[2][0], b[0]), run[2][1], max(pb[2], b[2]), run[2][3])
            if d in ("", "v") and down or (d == "v" and b[3] <= pb[1] + 0.2 * h
                                          and pb[0] - 0.5 * w <= (b[0] + b[2]) / 2 <= pb[2] + 0.5 * w):
                run[0] = "v"
                run[1] += ch
                run[3] = b
                space = False
                continue
        runs.append(["", ch, b, b, pos + i])
        space = False
    return [_record(pg, text, first, lastb, index, 1 if d == "v" else 0, 0)
            for d, text, first, lastb, index in runs]


# -- graphics: ruling lines, boxes, pictures -------------------------------------------------------

_MAX_OBJECTS = 6000   # graphics objects looked at per page (bounded time on drawing-heavy pages)


def _graphics(pg: _Page) -> dict[str, Any]:
    """Ruling lines (thin paths and the edges of rectangles: tables, boxes, bands), the
    rectangles themselves (frames) and the boxes of pictures (raster images, curves and complex
    paths: charts, diagrams, text drawn as glyph outlines), in the coordinates of the page as shown."""
    import ctypes

    raw = pg.raw
    left, b, r, t = (ctypes.c_float() for _ in range(4))
    matrix = raw.FS_MATRIX()
    point_x, point_y = ctypes.c_float(), ctypes.c_float()
    rules: list[list[float]] = []
    boxes: list[list[float]] = []
    pictures: list[list[float]] = []
    images = 0.0
    glyphs = 0
    seen = 0

    def transform(m: tuple | None, x: float, y: float) -> tuple[float, float]:
        if m is None:
            return x, y
        a, bb, c, d, e, f = m
        return a * x + c * y + e, bb * x + d * y + f

    def bounds(obj: Any, m: tuple | None, clipped: bool = False) -> tuple[float, float, float, float]:
        raw.FPDFPageObj_GetBounds(obj, left, b, r, t)
        bx0, by0, bx1, by1 = left.value, b.value, r.value, t.value
        if clipped:
            # what a clip path hides is not on the page: decorations bleeding out of a banner
            clip = raw.FPDFPageObj_GetClipPath(obj)
            if clip:
                xs: list[float] = []
                ys: list[float] = []
                for pi in range(min(raw.FPDFClipPath_CountPaths(clip), 4)):
                    for si in range(min(raw.FPDFClipPath_CountPathSegments(clip, pi), 16)):
                        seg = raw.FPDFClipPath_GetPathSegment(clip, pi, si)
                        raw.FPDFPathSegment_GetPoint(seg, point_x, point_y)
                        xs.append(point_x.value)
                        ys.append(point_y.value)
                if xs:
                    bx0, by0 = max(bx0, min(xs)), max(by0, min(ys))
                    bx1, by1 = min(bx1, max(xs)), min(by1, max(ys))
                    if bx1 <= bx0 or by1 <= by0:
                        return (0.0, 0.0, 0.0, 0.0)
        x0, y0 = transform(m, bx0, by0)
        x1, y1 = transform(m, bx1, by1)
        return pg.to_display(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    def visit(obj: Any, m: tuple | None, depth: int, window: tuple | None = None) -> None:
        nonlocal images, glyphs, seen
        seen += 1
        kind = raw.FPDFPageObj_GetType(obj)
        if kind == 1:          # text
            return
        if kind == 2:          # path
            x0, y0, x1, y1 = bounds(obj, m)
            w, h = x1 - x0, y1 - y0
            if min(w, h) <= 2.5:
                if max(w, h) >= 4:
                    rules.append([round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)])
                return
            n = raw.FPDFPath_CountSegments(obj)
            if n <= 6 and w * h >= 10000:
                # a large band: where a clip path cuts it (a banner's background drawn over half
                # the page and shown in its top strip), its edges are where it shows
                x0, y0, x1, y1 = bounds(obj, m, clipped=True)
                if x1 - x0 <= 2.5 or y1 - y0 <= 2.5:
                    return
            if n <= 6:          # a rectangle (cell, box, band): its edges are rulings
                boxes.append([round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)])
                rules.extend([[round(x0, 1), round(y0, 1), round(x1, 1), round(y0, 1)],
                              [round(x0, 1), round(y1, 1), round(x1, 1), round(y1, 1)],
                              [round(x0, 1), round(y0, 1), round(x0, 1), round(y1, 1)],
                              [round(x1, 1), round(y0, 1), round(x1, 1), round(y1, 1)]])
                return
            if n <= 400 and _straight_rules(raw, obj, m, pg, rules, matrix, point_x, point_y, transform):
                return
            if w * h < 400 and n >= 8:
                glyphs += 1     # a small curved shape: most often a glyph drawn as an outline
            x0, y0, x1, y1 = _inside(bounds(obj, m, clipped=True), window)
            if x1 > x0 and y1 > y0:
                pictures.append([round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)])
            return
        if kind == 3:          # image
            x0, y0, x1, y1 = _inside(bounds(obj, m, clipped=True), window)
            images += max(0.0, x1 - x0) * max(0.0, y1 - y0)
            pictures.append([round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)])
            return
        if kind == 5 and depth < 3:  # form XObject: its objects in the form's space
            window = _inside(bounds(obj, m, clipped=True), window)   # the form as clipped on the page
            raw.FPDFPageObj_GetMatrix(obj, matrix)
            own = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
            if m is not None:
                a, bb, c, d, e, f = m
                oa, ob, oc, od, oe, of = own
                own = (oa * a + ob * c, oa * bb + ob * d, oc * a + od * c, oc * bb + od * d,
                       oe * a + of * c + e, oe * bb + of * d + f)
            for k in range(raw.FPDFFormObj_CountObjects(obj)):
                if seen >= _MAX_OBJECTS:
                    return
                visit(raw.FPDFFormObj_GetObject(obj, k), own, depth + 1, window)

    for k in range(raw.FPDFPage_CountObjects(pg.page)):
        if seen >= _MAX_OBJECTS:
            break
        visit(raw.FPDFPage_GetObject(pg.page, k), None, 0)
    return {"rules": rules[:4000], "boxes": boxes[:1000], "pictures": pictures[:2000], "images": images,
            "glyphs": glyphs}


def _inside(box: tuple, window: tuple | None) -> tuple:
    """``box`` cut to ``window`` (both x0, y0, x1, y1); empty boxes come out with x1 <= x0."""
    if window is None:
        return box
    return (max(box[0], window[0]), max(box[1], window[1]), min(box[2], window[2]), min(box[3], window[3]))


def _straight_rules(raw: Any, obj: Any, m: tuple | None, pg: _Page, rules: list[list[float]],
                    matrix: Any, px: Any, py: Any, transform: Any) -> bool:
    """A path made only of horizontal and vertical straight segments (a table grid drawn as
    one path): its segments as rulings. False (nothing added) for anything else."""
    raw.FPDFPageObj_GetMatrix(obj, matrix)
    own = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
    found: list[list[float]] = []
    prev: tuple[float, float] | None = None
    start: tuple[float, float] | None = None
    for k in range(raw.FPDFPath_CountSegments(obj)):
        seg = raw.FPDFPath_GetPathSegment(obj, k)
        kind = raw.FPDFPathSegment_GetType(seg)
        raw.FPDFPathSegment_GetPoint(seg, px, py)
        x, y = transform(own, px.value, py.value)
        x, y = transform(m, x, y)
        if kind == 2:           # Bézier: a curve, not a grid
            return False
        if kind == 0 or prev is None:   # move
            prev = start = (x, y)
            continue
        if abs(x - prev[0]) > 0.5 and abs(y - prev[1]) > 0.5:
            return False        # a slanted line
        x0, y0, x1, y1 = pg.to_display(min(x, prev[0]), min(y, prev[1]), max(x, prev[0]), max(y, prev[1]))
        if max(x1 - x0, y1 - y0) >= 4:
            found.append([round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)])
        prev = (x, y)
        if raw.FPDFPathSegment_GetClose(seg) and start is not None and start != prev:
            x0, y0, x1, y1 = pg.to_display(min(start[0], x), min(start[1], y), max(start[0], x), max(start[1], y))
            if max(x1 - x0, y1 - y0) >= 4 and (x1 - x0 < 0.5 or y1 - y0 < 0.5):
                found.append([round(x0, 1), round(y0, 1), round(x1, 1), round(y1, 1)])
            prev = start
    if not found:
        return False
    rules.extend(found)
    return True


def _extract(path: str, max_pages: int, max_chars: int) -> dict[str, Any]:
    from . import pdfium_lib as raw  # lazy: it loads PDFium, which belongs inside the sandbox only

    try:
        pdf = raw.open_document(path)
    except raw.PdfiumError as exc:
        code = exc.err_code
        if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY):
            return {"ok": False, "error": "encrypted", "reason": str(exc)}
        return {"ok": False, "error": "corrupt", "reason": str(exc)}
    page_count = raw.FPDF_GetPageCount(pdf)
    if page_count > max_pages:
        return {"ok": False, "error": "too_many_pages", "limit": max_pages, "count": page_count}
    pages: list[dict[str, Any]] = []
    total = 0
    failed = 0
    for index in range(page_count):
        try:
            page = raw.load_page(pdf, index)
        except raw.PdfiumError:
            failed += 1  # one broken page must not cost the user the whole document
            pages.append({"w": 0, "h": 0, "lines": [], "failed": True})
            continue
        try:
            width, height = raw.page_size(page)
            textpage = raw.load_textpage(page)
            try:
                text = raw.page_text(textpage)
                total += len(text)
                if total > max_chars:
                    return {"ok": False, "error": "too_many_chars", "limit": max_chars, "count": total}
                pg = _Page(page, textpage, raw)
                graphics = _graphics(pg)
                pg.columns = [((r[0] + r[2]) / 2, r[1], r[3]) for r in graphics["rules"]
                              if r[2] - r[0] <= 2.5 and r[3] - r[1] >= 8][:200]
                lines = _page_lines(pg, text, raw.FPDFText_CountChars(textpage))
            finally:
                raw.FPDFText_ClosePage(textpage)
        finally:
            raw.FPDF_ClosePage(page)
        record: dict[str, Any] = {"w": round(width, 2), "h": round(height, 2), "lines": lines,
                                  "fonts": pg.fonts, "rules": graphics["rules"], "boxes": graphics["boxes"],
                                  "pictures": graphics["pictures"]}
        if len(text.strip()) < 200:
            # Little text: how much of the page is picture (the OCR decision)? Raster images
            # by area; a page of glyphs drawn as vector outlines counts as all picture.
            area = width * height
            cover = min(1.0, graphics["images"] / area) if area > 0 else 0.0
            if graphics["glyphs"] >= 150:
                cover = 1.0
            record["img"] = round(cover, 3)
        pages.append(record)
    raw.FPDF_CloseDocument(pdf)
    if page_count and failed == page_count:
        return {"ok": False, "error": "corrupt", "reason": "no page could be loaded"}
    return {"ok": True, "page_count": page_count, "pages": pages, "failed_pages": failed}


def main(request: dict[str, Any]) -> int:
    """The child's work, inside the sandbox (``entry._pdf``): extract ``request["path"]``."""
    try:
        result = _extract(str(request["path"]), int(request.get("max_pages") or DEFAULT_MAX_PAGES),
                          int(request.get("max_chars") or DEFAULT_MAX_CHARS))
    except MemoryError:
        result = {"ok": False, "error": "limits", "reason": "memory limit"}
    except Exception as exc:  # noqa: BLE001 - everything becomes a structured answer
        result = {"ok": False, "error": "corrupt", "reason": f"{type(exc).__name__}: {exc}"}
    data = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
    os._exit(0)  # skip interpreter teardown (pdfium finalisers): faster, and nothing left to flush
