"""Page layout from the PDF worker's line records: furniture, tables, pictures, reading order.

The worker (``pdf_worker``) gives each page its text lines with a box, an em size and a font,
plus ruling lines and picture boxes. Here, for the whole document:

* **furniture** — running headers/footers are lines near the top/bottom edge (or in the outer
  margin) whose text, digits aside, comes back at the same place on other pages; page numbers
  are number-only lines at the top/bottom edge; margin line numbers are a column of small
  integers beside the text. None of it is text (``Document.furniture``).
* **tables** — ruling lines that meet form a grid; its cells take the lines inside them.
* **pictures** — lines inside a picture (chart, diagram, screenshot) are its ``image_text``.
* **reading order** — a page whose lines leave an empty vertical strip (a gutter) is read
  column by column inside each band between full-width lines; vertical writing is read from
  the right; lines on one baseline cut by the worker at a wide gap are joined again.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .kinds import is_caption
from .normalize import normalize_text

# worker line record fields
_TEXT, _X0, _TOP, _X1, _BOTTOM, _SIZE, _VERT, _STYLE = range(8)
FLAG_SPACED, FLAG_SEGMENT, FLAG_SUPERSCRIPT = 1, 2, 4

_PAGE_NUMBER_RE = re.compile(
    r"^[\s\u3000]*(?:[-－—‐–]\s*)?(?:p\.?\s*|page\s*|第)?[0-9０-９]{1,4}(?:\s*ページ|\s*頁)?"
    r"(?:\s*[/／]\s*[0-9０-９]{1,4})?(?:\s*[-－—‐–])?[\s\u3000]*$"
    r"|^[\s\u3000]*(?:[-－—‐–]\s*)?[ivxlcdmⅰ-ⅿⅠ-Ⅿ]{1,6}(?:\s*[-－—‐–])?[\s\u3000]*$"
    r"|^[\s\u3000]*[（(][0-9０-９]{1,4}[）)][\s\u3000]*$",
    re.IGNORECASE,
)
_DIGITS_RE = re.compile(r"[0-9０-９]+")
_INT_RE = re.compile(r"^[0-9０-９]{1,3}$")
_KANA_RE = re.compile(r"^[\u3040-\u30ff・ー]+$")
_KANJI_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆ヶ]+")
_SOURCE_RE = re.compile(r"^[\s\u3000]*(?:資料|出典|出所|※|（注）|\(注\)|注[：:])")


@dataclass(eq=False)
class Line:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    vert: bool
    font: str
    weight: int
    flags: int
    page: int
    order: int
    rec: list[Any]
    geometry: bool = True
    box: int = -1           # index of the frame (a drawn rectangle) the line sits in, -1: none
    ruby: list[tuple[str, str]] = field(default_factory=list)   # (base word, reading), in line order

    @property
    def bold(self) -> bool:
        return self.weight >= 600 or "bold" in self.font.lower() or "W6" in self.font or "W7" in self.font

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.top - self.bottom


@dataclass
class Table:
    bbox: tuple[float, float, float, float]     # x0, top, x1, bottom
    rows: tuple[tuple[str, ...], ...]
    lines: list[Line]


@dataclass
class Picture:
    bbox: tuple[float, float, float, float]
    lines: list[Line]


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line]                            # body lines, in reading order (after layout)
    furniture: dict[str, list[Line]] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)
    frames: list[list[float]] = field(default_factory=list)   # ruled boxes that are not tables
    ocr: bool = False
    columns: int = 1


def lines_of(page_no: int, record: dict[str, Any]) -> list[Line]:
    fonts = record.get("fonts") or []
    out: list[Line] = []
    for i, rec in enumerate(record.get("lines") or []):
        text = normalize_text(str(rec[_TEXT]), drop_cjk_spaces=False).strip()
        if not text:
            continue
        if rec[_X0] is None:
            out.append(Line(text, 0.0, 0.0, 0.0, 0.0, 10.0, False, "", 0, 0, page_no, i, rec, False))
            continue
        style = rec[_STYLE] if len(rec) > _STYLE and isinstance(rec[_STYLE], list) else None
        font = fonts[style[0]] if style and 0 <= style[0] < len(fonts) else ""
        x0, top, x1, bottom = float(rec[_X0]), float(rec[_TOP]), float(rec[_X1]), float(rec[_BOTTOM])
        if top < bottom:
            top, bottom = bottom, top
        if x1 < x0:
            x0, x1 = x1, x0
        size = float(rec[_SIZE] or 0.0) or max(1.0, top - bottom)
        out.append(Line(text, x0, top, x1, bottom, size, bool(rec[_VERT]), font,
                        int(style[1]) if style else 0, int(style[2]) if style else 0, page_no, i, rec))
    return out


# -- furniture ---------------------------------------------------------------------------------

def _furniture_key(text: str) -> str:
    return _DIGITS_RE.sub("#", re.sub(r"\s", "", text))


def _zone(line: Line, width: float, height: float) -> str:
    if not line.geometry or height <= 0:
        return ""
    if line.bottom >= height * 0.86:
        return "top"
    if line.top <= height * 0.11:
        return "bottom"
    if width > 0 and (line.x1 <= width * 0.1 or line.x0 >= width * 0.9) and not _INT_RE.match(line.text):
        return "margin"     # a chapter tab in the outer margin (numbers there are footnote or line numbers)
    return ""


def find_furniture(pages: list[Page]) -> None:
    """Move running headers/footers, page numbers and margin line numbers of every page
    from ``page.lines`` into ``page.furniture`` (kind → lines)."""
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    positions: dict[tuple[str, str], list[float]] = defaultdict(list)
    numbered: dict[int, list[Line]] = {}
    for page in pages:
        numbered[page.number] = _line_numbers(page.lines, page.height)
        if numbered[page.number]:
            page.lines = [ln for ln in page.lines if ln not in numbered[page.number]]
        for line in page.lines:
            zone = _zone(line, page.width, page.height)
            if zone and len(line.text) <= 80:
                key = (zone, _furniture_key(line.text))
                seen[key].add(page.number)
                positions[key].append(line.cy)
    n_pages = len(pages)
    need = 2 if n_pages <= 4 else 3
    repeated = {k for k, v in seen.items()
                if len(v) >= need and len(v) >= 0.3 * n_pages
                and (max(positions[k]) - min(positions[k]) <= 24 or k[0] == "margin")}
    for page in pages:
        furniture: dict[str, list[Line]] = defaultdict(list)
        keep: list[Line] = []
        edge = _edge_lines(page)
        for line in page.lines:
            zone = _zone(line, page.width, page.height)
            if line in edge and _PAGE_NUMBER_RE.match(line.text) and len(page.lines) > 1:
                furniture["page_number"].append(line)
            elif zone and (zone, _furniture_key(line.text)) in repeated:
                furniture["footer" if zone == "bottom" else "header"].append(line)
            else:
                keep.append(line)
        tabs = [ln for ln in furniture.get("header", ()) if _zone(ln, page.width, page.height) == "margin"]
        if tabs:
            # the digit of a chapter tab set one character a line (「第」「３」「章」 in the outer
            # margin): not counted as repeated text above (numbers there are footnote or line
            # numbers), it is the tab's when it sits in the tab's stack
            stacked = [ln for ln in keep if _INT_RE.match(ln.text) and any(_in_stack(ln, t) for t in tabs)]
            if stacked:
                keep = [ln for ln in keep if ln not in stacked]
                furniture["header"].extend(stacked)
        if numbered[page.number]:
            furniture["line_number"].extend(numbered[page.number])
        page.lines = keep
        page.furniture = dict(furniture)


def _in_stack(ln: Line, tab: Line) -> bool:
    """``ln`` is in the same column as ``tab`` (same edges and size) and touches it above or below."""
    tol = 0.3 * tab.size
    return (not ln.vert and abs(ln.x0 - tab.x0) <= tol and abs(ln.x1 - tab.x1) <= tol
            and abs(ln.size - tab.size) <= tol
            and min(abs(ln.bottom - tab.top), abs(tab.bottom - ln.top)) <= 0.5 * tab.size)


def _edge_lines(page: Page) -> set[Line]:
    """The top-most and bottom-most lines of a page (where a page number sits)."""
    geo = [ln for ln in page.lines if ln.geometry and not ln.vert]
    if len(geo) < 2:
        return set()
    top = max(geo, key=lambda ln: ln.top)
    bottom = min(geo, key=lambda ln: ln.bottom)
    out = set()
    for cand, zone in ((top, "top"), (bottom, "bottom")):
        if _zone(cand, page.width, page.height) == zone or not page.height:
            out.add(cand)
    # a page number beside a footer line on the same baseline
    for ln in geo:
        if (abs(ln.cy - bottom.cy) < 0.6 * ln.size or abs(ln.cy - top.cy) < 0.6 * ln.size) \
                and _zone(ln, page.width, page.height) in ("top", "bottom"):
            out.add(ln)
    return out


_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_LEADING_NUMBER_RE = re.compile(r"^([0-9０-９]{1,3})[ \u3000]+(?=\S)")


def _line_numbers(lines: list[Line], height: float = 0.0) -> list[Line]:
    """Margin line numbers (行番号): at least 5 lines holding only a small integer, one above
    the other at the same x, left or right of the text they number. Where pdfium put a
    number on the same line as the text beside it (「4 「AI 事業者…」), the number is cut off
    that line and counted with the others."""
    ints = [ln for ln in lines if ln.geometry and not ln.vert and _INT_RE.match(ln.text)]
    if len(ints) < 5:
        return []
    by_x: dict[int, list[Line]] = defaultdict(list)
    for ln in ints:
        by_x[round(ln.x1 / 6)].append(ln)
    best = max(by_x.values(), key=len)
    if len(best) < 5:
        return []
    # line numbers run down the whole page in order; footnote numbers fill a corner of it
    if height and max(ln.top for ln in best) - min(ln.bottom for ln in best) < 0.35 * height:
        return []
    values = [int(ln.text.translate(_WIDE_DIGITS)) for ln in sorted(best, key=lambda ln: -ln.top)]
    if any(b <= a for a, b in zip(values, values[1:])):
        return []
    x1 = statistics.median(ln.x1 for ln in best)
    x0 = statistics.median(ln.x0 for ln in best)
    others = [ln for ln in lines if ln not in best and ln.geometry and not ln.vert]
    glued = [ln for ln in others if ln.x0 < x1 - 1 and _LEADING_NUMBER_RE.match(ln.text)]
    rest = [ln for ln in others if ln not in glued]
    if not rest:
        return []
    left_of_text = sum(1 for ln in rest if ln.x0 >= x1 - 1) >= 0.8 * len(rest)
    right_of_text = sum(1 for ln in rest if ln.x1 <= x0 + 1) >= 0.8 * len(rest)
    if not (left_of_text or right_of_text):
        return []
    if left_of_text and glued:
        start = statistics.median(ln.x0 for ln in rest if ln.x0 >= x1 - 1)
        for ln in glued:
            m = _LEADING_NUMBER_RE.match(ln.text)
            assert m is not None
            number = Line(m.group(1), ln.x0, ln.top, x1, ln.bottom, ln.size, False, ln.font, ln.weight,
                          0, ln.page, ln.order, ln.rec, True)
            best.append(number)
            ln.text = ln.text[m.end():]
            ln.x0 = max(start, x1 + ln.size)
    return sorted(best, key=lambda ln: -ln.top)


# -- tables ------------------------------------------------------------------------------------

def _cluster(values: Iterable[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _merge_segments(segs: list[tuple[float, float, float]], tol: float = 1.5,
                    gap: float = 3.0) -> list[tuple[float, float, float]]:
    """Collinear segments (pos, start, end) joined where they overlap or nearly touch."""
    out: list[list[float]] = []
    for pos, a, b in sorted(segs, key=lambda s: (round(s[0] / tol), s[1])):
        for seg in reversed(out[-8:]):
            if abs(seg[0] - pos) <= tol and a <= seg[2] + gap and b >= seg[1] - gap:
                seg[1], seg[2] = min(seg[1], a), max(seg[2], b)
                break
        else:
            out.append([pos, a, b])
    return [(p, a, b) for p, a, b in out]


def find_tables(page: Page, rules: list[list[float]], pictures: list[list[float]] | None = None) -> None:
    """Ruled tables: grids of horizontal and vertical ruling lines with text in ≥ 2 rows and
    ≥ 2 columns. Their lines leave ``page.lines`` for ``page.tables``."""
    if len(rules) < 4 or not page.lines:
        return
    hs = _merge_segments([((r[1] + r[3]) / 2, r[0], r[2]) for r in rules if r[3] - r[1] <= 2.5 and r[2] - r[0] > 4])
    vs = _merge_segments([((r[0] + r[2]) / 2, r[1], r[3]) for r in rules if r[2] - r[0] <= 2.5 and r[3] - r[1] > 4])
    hs += _open_table_edges(vs, page.height)
    if len(hs) < 2 or len(vs) < 2:
        return
    # connected components of touching horizontal/vertical segments
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (y, hx0, hx1) in enumerate(hs):
        for j, (x, vy0, vy1) in enumerate(vs):
            if hx0 - 3 <= x <= hx1 + 3 and vy0 - 3 <= y <= vy1 + 3:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
    for i, h in enumerate(hs):
        groups[find(i)][0].append(h)
    for j, v in enumerate(vs):
        groups[find(len(hs) + j)][1].append(v)
    used: set[int] = set()
    for hgroup, vgroup in groups.values():
        table = _grid_table(page, hgroup, vgroup, used, pictures or [])
        if table is None and len(hgroup) >= 4:
            inner = _inner_grid(hgroup, vgroup)
            if inner is not None:
                table = _grid_table(page, inner[0], inner[1], used, pictures or [])
        if table is not None:
            page.tables.append(table)
            used.update(id(ln) for ln in table.lines)
        elif len(hgroup) >= 2 and len(vgroup) >= 2:
            x0, x1 = min(v[0] for v in vgroup), max(v[0] for v in vgroup)
            y0, y1 = min(h[0] for h in hgroup), max(h[0] for h in hgroup)
            if x1 - x0 > 40 and y1 - y0 > 12:
                page.frames.append([x0, y0, x1, y1])
    if used:
        page.lines = [ln for ln in page.lines if id(ln) not in used]


def _inner_grid(hs: list, vs: list) -> tuple[list, list] | None:
    """The grid inside a panel that also frames the table's title and source line (a 白書
    表 drawn on a shaded panel): the rules over the height of the column walls inside the
    panel's edges, the panel's own edges and bands left out."""
    x0, x1 = min(v[0] for v in vs), max(v[0] for v in vs)
    walls = [v for v in vs if x0 + 3 < v[0] < x1 - 3]
    if not walls:
        return None
    bottom, top = min(v[1] for v in walls), max(v[2] for v in walls)
    inner_h = [h for h in hs if bottom - 1.5 <= h[0] <= top + 1.5]
    inner_v = [(x, max(a, bottom), min(b, top)) for x, a, b in vs if a < top - 1 and b > bottom + 1]
    if len(inner_h) >= len(hs) or len(inner_h) < 2 or len(inner_v) < 2:
        return None
    return inner_h, inner_v


def _open_table_edges(vs: list[tuple[float, float, float]], height: float) -> list[tuple[float, float, float]]:
    """A table continued from or onto another page is often ruled by its column lines only
    (a 新旧対照表: 改正後 | 改正前): three or more long vertical rules over the same height
    get a top and a bottom edge, so that they form a grid of one row."""
    long = [v for v in vs if v[2] - v[1] >= max(150.0, 0.4 * height)]
    out: list[tuple[float, float, float]] = []
    used: set[int] = set()
    for i, (_x, y0, y1) in enumerate(long):
        if i in used:
            continue
        same = [j for j, (_, b0, b1) in enumerate(long) if abs(b0 - y0) <= 5 and abs(b1 - y1) <= 5]
        if len(same) >= 3:
            used.update(same)
            xs = [long[j][0] for j in same]
            out += [(y0, min(xs), max(xs)), (y1, min(xs), max(xs))]
    return out


def _grid_table(page: Page, hs: list, vs: list, used: set[int], pictures: list[list[float]]) -> Table | None:
    if len(hs) < 2 or len(vs) < 2:
        return None
    x0 = min(v[0] for v in vs)
    x1 = max(v[0] for v in vs)
    bottom = min(h[0] for h in hs)
    top = max(h[0] for h in hs)
    if x1 - x0 < 30 or top - bottom < 12:
        return None
    full_h = [h for h in hs if h[2] - h[1] >= 0.8 * (x1 - x0)]
    full_v = [v for v in vs if v[2] - v[1] >= 0.5 * (top - bottom)]
    if len(full_h) < 2 or len(full_v) < 2:
        return None     # bars of a chart, a frame with a single rule: not a grid
    inside = [ln for ln in page.lines if id(ln) not in used and ln.geometry
              and x0 - 1 <= ln.cx <= x1 + 1 and bottom - 1 <= ln.cy <= top + 1]
    if not inside:
        return None
    drawn = sum(max(0.0, min(p[2], x1) - max(p[0], x0)) * max(0.0, min(p[3], top) - max(p[1], bottom))
                for p in pictures)
    if drawn > 0.15 * (x1 - x0) * (top - bottom):
        return None     # a chart or diagram in a frame
    if any(is_caption(ln.text) for ln in inside):
        return None     # a figure's frame with its title inside: tables have captions outside
    ys = sorted(_cluster([h[0] for h in full_h], 2.5), reverse=True)
    xs = _cluster([v[0] for v in vs], 2.5)
    if len(ys) < 2 or len(xs) < 3 or (len(ys) < 3 and len(full_v) < 3):
        return None
    cells: dict[tuple[int, int], list[Line]] = defaultdict(list)
    for ln in inside:
        r = next((i for i in range(len(ys) - 1) if ys[i + 1] - 1 <= ln.cy <= ys[i] + 1), None)
        mid = ln.x0 + min(ln.size, ln.width) / 2
        c = next((i for i in range(len(xs) - 1) if xs[i] - 1 <= mid <= xs[i + 1] + 1), None)
        if c is not None and c + 2 < len(xs) and xs[c + 1] - xs[c] < 0.8 * ln.size and ln.x1 > xs[c + 1] + ln.size:
            c += 1  # a bracket hung before a cell's margin (「（※）…」) into the gap of a double rule
        if r is None or c is None:
            return None
        cells[(r, c)].append(ln)
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    # text never crosses a ruling that is drawn at its height: if it does, this is a frame
    # or a figure with lines, not a grid of cells
    for ln in inside:
        for x, vy0, vy1 in vs:
            # (an em's slack at either end: a bracket hung before the margin, a 、 after it)
            if ln.x0 + max(1.5, 0.75 * ln.size) < x < ln.x1 - max(1.5, 0.75 * ln.size) and vy0 - 1 <= ln.cy <= vy1 + 1:
                return None
    filled_rows = sum(1 for r in range(n_rows) if sum(1 for c in range(n_cols) if (r, c) in cells) >= 2)
    one_tall_row = (n_rows == 1 and filled_rows == 1
                    and all(len(v) >= 3 for (r, c), v in cells.items()))   # columns of running text
    if filled_rows < 2 and not one_tall_row:
        return None
    rows_used = sorted({r for r, _ in cells})
    cols_used = sorted({c for _, c in cells})
    grid: list[tuple[str, ...]] = []
    for r in rows_used:
        grid.append(tuple(cell_text(cells.get((r, c), [])) for c in cols_used))
    return Table((x0, top, x1, bottom), tuple(grid), inside)


def cell_text(lines: list[Line]) -> str:
    if not lines:
        return ""
    ordered = sorted(lines, key=lambda ln: (-round(ln.top), ln.x0))
    return normalize_text("\n".join(ln.text for ln in ordered), drop_cjk_spaces=False).strip()


# -- pictures ----------------------------------------------------------------------------------

def find_pictures(page: Page, boxes: list[list[float]], body_size: float,
                  frames: list[list[float]] | None = None) -> None:
    """Text inside a picture (chart labels, diagram boxes, screenshot text) becomes the
    picture's ``image_text``; a picture behind ordinary paragraphs (a page frame, a shaded
    box) is ignored."""
    boxes = list(boxes) + chart_frames(page, frames or [], body_size)
    if not boxes or not page.lines:
        return
    area = page.width * page.height or 1.0
    regions: list[list[float]] = []
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        x0, y0 = max(box[0], 0.0), max(box[1], 0.0)
        x1, y1 = min(box[2], page.width or box[2]), min(box[3], page.height or box[3])
        if x1 <= x0 or y1 <= y0 or (x1 - x0) * (y1 - y0) < 0.5 * (box[2] - box[0]) * (box[3] - box[1]):
            continue    # mostly off the page: bleed, crop marks, clipped decoration
        if (x1 - x0) * (y1 - y0) > 0.6 * area:
            continue
        for r in regions:
            if x0 <= r[2] + 4 and x1 >= r[0] - 4 and y0 <= r[3] + 4 and y1 >= r[1] - 4:
                r[0], r[1], r[2], r[3] = min(r[0], x0), min(r[1], y0), max(r[2], x1), max(r[3], y1)
                break
        else:
            regions.append([x0, y0, x1, y1])
    # merging can chain: repeat until stable
    changed = True
    while changed:
        changed = False
        for i in range(len(regions)):
            for j in range(i + 1, len(regions)):
                a, b = regions[i], regions[j]
                if a[0] <= b[2] + 4 and a[2] >= b[0] - 4 and a[1] <= b[3] + 4 and a[3] >= b[1] - 4:
                    a[0], a[1], a[2], a[3] = min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])
                    del regions[j]
                    changed = True
                    break
            if changed:
                break
    used: set[int] = set()
    for x0, y0, x1, y1 in regions:
        if (x1 - x0) < 40 or (y1 - y0) < 30 or (x1 - x0) * (y1 - y0) > 0.6 * area:
            continue
        # a figure drawn in a frame: its labels may lie outside the drawn shapes
        frame = min((f for f in frames or [] if f[0] - 3 <= x0 and f[1] - 3 <= y0 and f[2] + 3 >= x1
                     and f[3] + 3 >= y1 and (f[2] - f[0]) * (f[3] - f[1]) <= 0.6 * area),
                    key=lambda f: (f[2] - f[0]) * (f[3] - f[1]), default=None)
        if frame is not None:
            fx0, fy0, fx1, fy1 = frame
            framed = [ln for ln in page.lines if ln.geometry and id(ln) not in used
                      and fx0 - 2 <= ln.cx <= fx1 + 2 and fy0 - 2 <= ln.cy <= fy1 + 2
                      and not is_caption(ln.text) and not _SOURCE_RE.match(ln.text)]
            if framed and not any(_prose(ln, body_size) for ln in framed) and not running_text(framed) \
                    and not _runs_out(page.lines, frame):
                x0, y0, x1, y1 = (min(x0, fx0), min(y0, fy0), max(x1, fx1), max(y1, fy1))
        inside = [ln for ln in page.lines if ln.geometry and id(ln) not in used
                  and x0 - 2 <= ln.cx <= x1 + 2 and y0 - 2 <= ln.cy <= y1 + 2
                  and not is_caption(ln.text) and not _SOURCE_RE.match(ln.text)]
        if not inside:
            continue
        prose = [ln for ln in inside if _prose(ln, body_size)]
        if len(prose) * 3 > len(inside) or len(prose) >= 3 or running_text(inside):
            continue    # paragraphs on a shaded box, a frame or a decoration, not text in a picture
        page.pictures.append(Picture((x0, y1, x1, y0), inside))
        used.update(id(ln) for ln in inside)
    if used:
        page.lines = [ln for ln in page.lines if id(ln) not in used]


def assign_frames(page: Page, boxes: list[list[float]]) -> None:
    """Which drawn rectangle (a boxed note, a disclaimer, a panel) each line sits in: a box
    has its own margins, and a paragraph does not run from inside a box to outside it."""
    boxes = list(boxes) + page.frames
    if not boxes:
        return
    area = (page.width * page.height) or 1.0
    frames = [b for b in boxes if (b[2] - b[0]) > 40 and (b[3] - b[1]) > 12
              and (b[2] - b[0]) * (b[3] - b[1]) < 0.5 * area]
    if not frames:
        return
    holders: list[list[int]] = []
    held: Counter[int] = Counter()
    for ln in page.lines:
        around = [i for i, (x0, y0, x1, y1) in enumerate(frames)
                  if ln.geometry and x0 - 1 <= ln.x0 and ln.x1 <= x1 + 1 and y0 - 1 <= ln.bottom and ln.top <= y1 + 1]
        holders.append(around)
        held.update(around)
    crossing: dict[int, bool] = {}

    def crosses(i: int) -> bool:
        # a band behind the page's banner that text runs out of is no box of its own
        got = crossing.get(i)
        if got is None:
            got = crossing[i] = _runs_out(page.lines, frames[i])
        return got

    stacks: dict[int, bool] = {}

    def stacked(i: int) -> bool:
        # the outline of a stack of smaller rectangles (each line's own background band): its
        # edges are theirs, where a drawn box leaves a margin around the text in it
        got = stacks.get(i)
        if got is None:
            fx0, fy0, fx1, fy1 = frames[i]
            area_i = (fx1 - fx0) * (fy1 - fy0)
            inner = [f for f in boxes if fx0 - 1 <= f[0] and f[2] <= fx1 + 1 and fy0 - 1 <= f[1] and f[3] <= fy1 + 1
                     and (f[2] - f[0]) * (f[3] - f[1]) < 0.9 * area_i]
            got = stacks[i] = bool(inner) and (
                abs(min(f[0] for f in inner) - fx0) <= 3 and abs(min(f[1] for f in inner) - fy0) <= 3
                and abs(max(f[2] for f in inner) - fx1) <= 3 and abs(max(f[3] for f in inner) - fy1) <= 3)
        return got

    for ln, around in zip(page.lines, holders):
        # the smallest frame around the line that holds other lines too: a frame around one
        # line only (a shaded heading band, a ruled stripe of lined paper) is not a box of text
        best, best_area = -1, 0.0
        for i in around:
            x0, y0, x1, y1 = frames[i]
            a = (x1 - x0) * (y1 - y0)
            if held[i] >= 2 and (best < 0 or a < best_area) and not crosses(i) and not stacked(i):
                best, best_area = i, a
        if best >= 0:
            ln.box = best
    counts = Counter(ln.box for ln in page.lines if ln.box >= 0)
    cut: set[int] = set()
    for i in counts:
        x0, y0, x1, y1 = frames[i]
        inside = [ln for ln in page.lines if ln.box == i]
        starts = {round(ln.x0) for ln in inside}
        for ln in page.lines:
            if ln.box == i or not ln.geometry or round(ln.x0) not in starts:
                continue
            near = min(abs(ln.top - y0), abs(ln.bottom - y1))
            if near <= 2 * ln.size and any(abs(ln.size - o.size) <= 0.1 * ln.size for o in inside):
                cut.add(i)  # text runs on beyond the rectangle at the same margin: a drawing, not a box
                break
    for ln in page.lines:
        if ln.box >= 0 and (counts[ln.box] < 2 or ln.box in cut):
            ln.box = -1


def _prose(ln: Line, body_size: float) -> bool:
    """A line of running text (not a chart label): body size, a dozen characters or more."""
    return len(ln.text) >= 12 and abs(ln.size - body_size) <= 0.12 * body_size and not _NUMBERS_RE.match(ln.text)


def _runs_out(lines: list[Line], frame: list[float] | tuple) -> bool:
    """Some line at the height of ``frame`` starts inside it and runs more than an em beyond
    its left or right edge (or the other way round): the frame is a band or a background
    behind text that goes on outside it, not a figure."""
    x0, y0, x1, y1 = frame[0], frame[1], frame[2], frame[3]
    return any(y0 - 1 <= ln.cy <= y1 + 1 and ln.geometry and not ln.vert
               and ((x0 - 1 <= ln.x0 <= x1 and ln.x1 > x1 + ln.size)
                    or (x0 <= ln.x1 <= x1 + 1 and ln.x0 < x0 - ln.size)) for ln in lines)


def running_text(lines: list[Line]) -> bool:
    """Lines that read as prose in a size of their own (a boxed コラム set smaller than the
    body): at least four long lines of one size starting at one margin, with sentences ending
    among them. Chart labels and screenshot captions are short or do not line up so."""
    long = [ln for ln in lines if ln.geometry and not ln.vert and len(ln.text) >= 20]
    if len(long) < 4:
        return False
    size = Counter(round(ln.size, 1) for ln in long).most_common(1)[0][0]
    same = [ln for ln in long if abs(ln.size - size) <= 0.05 * size]
    if len(same) < 4:
        return False
    left = Counter(round(ln.x0 / size) for ln in same).most_common(1)[0][1]
    return left >= 3 and sum(ln.text.count("。") for ln in lines) >= 2


_NUMBERS_RE = re.compile(r"^[\d\s,.%()（）％年月/～~\-]+$")


def chart_frames(page: Page, boxes: list[list[float]], body_size: float) -> list[list[float]]:
    """Frames full of short labels and numbers (a bar chart drawn with rectangles, a diagram
    of boxes): picture regions although no curve or image is drawn there."""
    out: list[list[float]] = []
    area = (page.width * page.height) or 1.0
    for fx0, fy0, fx1, fy1 in boxes + page.frames:
        if (fx1 - fx0) < 80 or (fy1 - fy0) < 60 or (fx1 - fx0) * (fy1 - fy0) > 0.6 * area:
            continue
        inner = [b for b in boxes if fx0 - 1 <= b[0] and b[2] <= fx1 + 1 and fy0 - 1 <= b[1] and b[3] <= fy1 + 1
                 and (b[2] - b[0]) * (b[3] - b[1]) < 0.2 * (fx1 - fx0) * (fy1 - fy0)]
        lines = [ln for ln in page.lines if ln.geometry and fx0 - 1 <= ln.cx <= fx1 + 1 and fy0 - 1 <= ln.cy <= fy1 + 1
                 and not is_caption(ln.text) and not _SOURCE_RE.match(ln.text)]
        if _runs_out(page.lines, [fx0, fy0, fx1, fy1]):
            continue    # text runs out across the frame's edge: a band behind the text, not a chart
        if len(inner) >= 4 and len(lines) >= 4 and not any(_prose(ln, body_size) for ln in lines) \
                and not running_text(lines):
            out.append([fx0, fy0, fx1, fy1])
    return out


# -- ruby --------------------------------------------------------------------------------------

def drop_ruby(page: Page, body_size: float) -> None:
    """Furigana set above a word (「俯瞰図」 with ふかんず) are small kana lines right on top of
    a text line: not text of their own (the .docx reader drops ruby the same way), but kept on
    the line under them as (word, reading) so 校正 can see the word is glossed. pdfium cuts the
    line where the ruby was drawn (「…研究開発を牽引」「けんいん」「する」): the rest is put back."""
    small = [ln for ln in page.lines if ln.geometry and not ln.vert and ln.size < 0.62 * body_size
             and _KANA_RE.match(ln.text) and len(ln.text) <= 12]
    small += [ln for ln in page.lines if ln.geometry and not ln.vert and ln.size < 0.5 * body_size
              and _KANA_RE.match(ln.text) and len(ln.text) <= 12 and ln not in small]
    if not small:
        return
    drop = set()
    for ruby in sorted(small, key=lambda r: r.order):
        for ln in page.lines:
            if ln is ruby or ruby.size >= 0.62 * ln.size or ln.vert or id(ln) in drop:
                continue
            if ln.x0 - 2 <= ruby.cx <= ln.x1 + 2 and -0.2 * ln.size <= ruby.bottom - ln.top <= 0.6 * ln.size:
                drop.add(id(ruby))
                base = _ruby_base(ln, ruby)
                if base:
                    ln.ruby.append((base, ruby.text))
                cont = _cut_at_ruby(page.lines, ln, ruby)
                if cont is not None and id(cont) not in drop:
                    ln.text += cont.text
                    ln.x1 = cont.x1
                    ln.ruby.extend(cont.ruby)
                    ln.order = cont.order
                    ln.flags |= cont.flags & FLAG_SUPERSCRIPT
                    drop.add(id(cont))
                break
    page.lines = [ln for ln in page.lines if id(ln) not in drop]


def _ruby_base(ln: Line, ruby: Line) -> str:
    """The characters of ``ln`` under ``ruby``: positions estimated from the line's box (a
    full-width character one em, others half), the kanji among them (the word glossed)."""
    widths = [1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in ln.text]
    total = sum(widths)
    if total <= 0 or ln.width <= 0:
        return ""
    scale = ln.width / total
    lo, hi = ruby.x0 - 0.25 * ln.size, ruby.x1 + 0.25 * ln.size
    x = ln.x0
    under: list[int] = []
    for i, w in enumerate(widths):
        c = x + w * scale / 2
        if lo <= c <= hi:
            under.append(i)
        x += w * scale
    if not under:
        return ""
    chars = "".join(ln.text[i] for i in range(under[0], under[-1] + 1))
    kanji = _KANJI_RUN_RE.findall(chars)
    return max(kanji, key=len) if kanji else chars


def _cut_at_ruby(lines: list[Line], ln: Line, ruby: Line) -> Line | None:
    """The rest of ``ln`` that pdfium started as a new line after drawing ``ruby``: next in
    the content stream, on the same baseline, starting where ``ln`` ends."""
    for cand in lines:
        if (cand.order == ruby.order + 1 and cand.page == ln.page and cand.geometry and not cand.vert
                and abs(cand.size - ln.size) <= 0.05 * ln.size and abs(cand.bottom - ln.bottom) < 0.15 * ln.size
                and -1.0 <= cand.x0 - ln.x1 <= 0.5 * ln.size):
            return cand
    return None


# -- reading order -----------------------------------------------------------------------------

_MARK_RE = re.compile(r"^(?:[0-9０-９]{1,3}|[※＊*][0-9０-９]{0,2}|注[0-9０-９]{0,2}|[①-⑳]|[（(][0-9０-９]{1,2}[）)])$")


def attach_marks(page: Page) -> None:
    """A footnote number or mark drawn on its own (often in a colour, so in a separate text
    run) belongs to the line that starts right after it on the same baseline."""
    marks = [ln for ln in page.lines if ln.geometry and not ln.vert and _MARK_RE.match(ln.text)]
    if not marks:
        return
    gone: set[int] = set()
    for mark in marks:
        best = None
        for ln in page.lines:
            if ln is mark or ln.vert or not ln.geometry or id(ln) in gone:
                continue
            gap = ln.x0 - mark.x1
            if -0.5 <= gap <= 3 * mark.size and abs(ln.cy - mark.cy) < 0.35 * max(ln.size, mark.size) \
                    and abs(ln.size - mark.size) <= 0.25 * mark.size and not _MARK_RE.match(ln.text) \
                    and (best is None or gap < best[0]):
                best = (gap, ln)
        if best is None:
            continue
        ln = best[1]
        sep = "\u3000" if best[0] >= 0.5 * mark.size else ""
        ln.text = mark.text + sep + ln.text
        ln.x0 = mark.x0
        ln.top = max(ln.top, mark.top)
        gone.add(id(mark))
    if gone:
        page.lines = [ln for ln in page.lines if id(ln) not in gone]


def reading_order(page: Page) -> None:
    """Sort ``page.lines`` as a reader goes: columns within bands, right-to-left for vertical
    writing; rejoin lines of one baseline that the worker cut at a wide gap."""
    lines = page.lines
    geo = [ln for ln in lines if ln.geometry]
    if len(geo) != len(lines) or not lines:
        return          # no geometry: keep the content order
    vert = [ln for ln in lines if ln.vert]
    if len(vert) * 2 > len(lines):
        unit = statistics.median(ln.size for ln in vert) * 0.6
        page.lines = sorted(lines, key=lambda ln: (-round(ln.cx / unit), -ln.top))
        return
    gutter = _gutter(lines)
    if gutter is None:
        # one column: the order the producer wrote the text in is the reading order almost
        # always (text boxes, side panels); only the worker's cuts are undone
        page.lines = _rejoin(lines)
        return
    page.columns = 2
    ordered: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []
    lines, boxes = _box_regions(_rejoin(lines, gutter))     # a footnote number and its full-width text
    # footnotes in small print below both columns run across the page, also where a short
    # one stays left of the gutter and its URL line crosses it
    small = _small_print(lines)
    floor = min((ln.bottom for ln in lines if ln.size >= small and ln.x1 <= gutter + 2), default=0.0)
    below = {id(ln) for ln in lines if ln.size < small and ln.top <= floor}

    def flush(column: list[Line]) -> None:
        for ln in _rejoin(rows_in_order(column)):
            ordered.extend(boxes.get(id(ln), (ln,)))

    for ln in sorted(lines, key=lambda ln: -ln.top):
        if ln.x0 < gutter - 2 and (ln.x1 > gutter + 2 or id(ln) in below):
            flush(left)
            flush(right)
            left, right = [], []
            ordered.extend(boxes.get(id(ln), (ln,)))
        elif ln.cx < gutter:
            left.append(ln)
        else:
            right.append(ln)
    flush(left)
    flush(right)
    page.lines = ordered


def _box_regions(lines: list[Line]) -> tuple[list[Line], dict[int, list[Line]]]:
    """Text inside a drawn rectangle (a boxed コラム, a sidebar) is a region of its own: each
    box stands in the page's order as one placeholder line at its top, and its lines follow
    one another in the order they were written, not interleaved with the columns around it."""
    groups: dict[int, list[Line]] = defaultdict(list)
    for ln in lines:
        if ln.box >= 0:
            groups[ln.box].append(ln)
    if not groups:
        return lines, {}
    out = [ln for ln in lines if ln.box < 0]
    boxes: dict[int, list[Line]] = {}
    for members in groups.values():
        members.sort(key=lambda ln: ln.order)
        first = members[0]
        top = max(ln.top for ln in members)
        proxy = Line("", min(ln.x0 for ln in members), top, max(ln.x1 for ln in members), top - first.size,
                     first.size, False, first.font, first.weight, 0, first.page, first.order, first.rec)
        boxes[id(proxy)] = _rejoin(members)
        out.append(proxy)
    return out, boxes


def _small_print(lines: list[Line]) -> float:
    """Sizes below this are small print (footnotes): 0.8 × the size most of the text is set in."""
    sizes: Counter[float] = Counter()
    for ln in lines:
        sizes[round(ln.size)] += len(ln.text)
    return 0.8 * sizes.most_common(1)[0][0]


def _gutter(lines: list[Line]) -> float | None:
    """The x of an empty vertical strip between two columns of text, or None."""
    left_edge = min(ln.x0 for ln in lines)
    right_edge = max(ln.x1 for ln in lines)
    width = right_edge - left_edge
    if width <= 0:
        return None
    # footnotes in small print run across the gutter below the columns: they do not close it
    small = _small_print(lines)
    narrow = [ln for ln in lines if ln.width < 0.55 * width and len(ln.text) >= 6 and ln.size >= small]
    if len(narrow) < 10:
        return None
    spans = sorted((ln.x0, ln.x1) for ln in narrow)
    best: tuple[float, float] | None = None
    reach = spans[0][1]
    for a, b in spans[1:]:
        if a > reach:
            gap = (reach, a)
            mid = (gap[0] + gap[1]) / 2
            if (left_edge + 0.25 * width <= mid <= left_edge + 0.75 * width and gap[1] - gap[0] >= 4
                    and (best is None or gap[1] - gap[0] > best[1] - best[0])):
                best = gap
        reach = max(reach, b)
    if best is None:
        return None
    gx = (best[0] + best[1]) / 2
    lefts = [ln for ln in narrow if ln.x1 <= gx]
    rights = [ln for ln in narrow if ln.x0 >= gx]
    if min(len(lefts), len(rights)) < 5 or min(len(lefts), len(rights)) < 0.3 * len(narrow):
        return None
    for side in (lefts, rights):
        mode, count = Counter(round(ln.x0 / 3) for ln in side).most_common(1)[0]
        if count < 0.4 * len(side):
            return None     # not a column: text that merely leaves a gap (a form, a list of dates)
    return gx


def rows_of(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped by baseline (top to bottom), each row left to right."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: -ln.top):
        if rows and abs(rows[-1][0].cy - ln.cy) < 0.4 * max(ln.size, rows[-1][0].size):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [sorted(r, key=lambda ln: ln.x0) for r in rows]


def rows_in_order(lines: list[Line]) -> list[Line]:
    return [ln for row in rows_of(lines) for ln in row]


def _rejoin(lines: list[Line], gutter: float | None = None) -> list[Line]:
    """``lines`` with the pieces of one pdfium line that the worker cut at a wide gap (a
    heading number and its title, two table cells) joined again, when they stay adjacent
    and do not lie on the two sides of a column gutter."""
    out: list[Line] = []
    for ln in lines:
        cur = out[-1] if out else None
        if (cur is not None and cur.flags & FLAG_SEGMENT and ln.order == cur.order + 1
                and not (gutter is not None and cur.x1 < gutter < ln.x0)
                and ln.page == cur.page and abs(ln.cy - cur.cy) < 0.4 * cur.size and ln.x0 >= cur.x1 - 1):
            sep = "\u3000" if _cjk(cur.text[-1]) or _cjk(ln.text[0]) else " "
            out[-1] = Line(cur.text + sep + ln.text, cur.x0, max(cur.top, ln.top), ln.x1,
                           min(cur.bottom, ln.bottom), max(cur.size, ln.size), False, cur.font,
                           cur.weight, ln.flags | (cur.flags & FLAG_SUPERSCRIPT | cur.flags & FLAG_SPACED),
                           cur.page, ln.order, cur.rec,
                           box=ln.box if len(ln.text) >= len(cur.text) else cur.box)   # a bullet joins its text's box
        else:
            out.append(ln)
    return out


def _cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80
