"""Paragraphs and block kinds from laid-out PDF pages (``pdf_layout``).

Lines become paragraphs where the layout says so — a line that stops short of the margin
ends its paragraph; an indented first line, a wider gap, a size change or a bullet/number
starts one — and a paragraph that runs over a column or page break is joined again (the
previous part reached the margin without ending its sentence, the next part starts at the
margin without an indent). Japanese lines are joined without a space, Latin ones with one
(``normalize_text``). Each paragraph then gets its kind from its text and its place:
headings from size, weight, font and numbering; list items, notes, captions, reference
entries and URLs from their labels (``kinds``); titles from the first page; slide titles on
landscape decks.
"""
from __future__ import annotations

import bisect
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from ..core.document import Block, BlockKind
from . import kinds as K
from .normalize import join_wrapped_lines, normalize_text
from .pdf_layout import Line, Page, rows_in_order

_MONO = ("courier", "consolas", "mono", "menlo", "lucida console", "source code", "ocr-b")
_HEADING_MAX = 60


@dataclass(eq=False)
class Para:
    lines: list[Line]
    page: int
    stream: int
    kind: BlockKind = "paragraph"
    level: int = 0
    label: str = ""
    text: str = ""
    rows: tuple[tuple[str, ...], ...] | None = None
    bbox: tuple[float, float, float, float] | None = None
    first_of_stream: bool = False
    last_of_stream: bool = False
    indented: bool = False
    reaches_end: bool = False
    reaches_end_line: bool = False   # its only/first line runs to the margin (a wrapped item, not a heading)
    page_end: int | None = None
    margin: float = 0.0         # where the lines of its column start (for joining across breaks)
    rank: int | None = None     # heading numbering rank (kinds.numbering), if numbered
    continued: bool = False     # starts mid-sentence after a column/page break it could not be joined across
    joined: list[Line] = field(default_factory=list)   # lines of later parts (other pages/columns)

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def size(self) -> float:
        return self.lines[0].size


@dataclass
class DocStats:
    body_size: float
    body_font: str
    landscape: bool


def doc_stats(pages: list[Page]) -> DocStats:
    sizes: Counter[float] = Counter()
    fonts: Counter[str] = Counter()
    landscape = sum(1 for p in pages if p.width > p.height * 1.1)
    for page in pages:
        for ln in page.lines:
            if ln.geometry:
                sizes[round(ln.size * 2) / 2] += len(ln.text)
                fonts[ln.font] += len(ln.text)
    # the body is the largest size that carries a good share of the text: footnotes, chart
    # labels and tables in small print can outnumber it in a white paper full of figures
    total = sum(sizes.values())
    shares = [s for s, n in sizes.items() if n >= 0.25 * total]
    body = max(shares) if shares else (sizes.most_common(1)[0][0] if sizes else 10.5)
    return DocStats(body, fonts.most_common(1)[0][0] if fonts else "", landscape * 2 > len(pages))


# -- lines → paragraphs ------------------------------------------------------------------------

def _axes(ln: Line) -> tuple[float, float, float]:
    """(start, end, cross): along the reading direction of the line, and across lines."""
    if ln.vert:
        return -ln.top, -ln.bottom, -ln.cx
    return ln.x0, ln.x1, -ln.cy


def streams_of(page: Page) -> list[list[Line]]:
    """Runs of lines that belong to one column (a jump back up or sideways starts a new run)."""
    out: list[list[Line]] = []
    for ln in page.lines:
        if out:
            prev = out[-1][-1]
            if prev.vert == ln.vert and prev.geometry and ln.geometry:
                _, ps1, c0 = _axes(prev)
                s0, _, c1 = _axes(ln)
                if c1 - c0 > -0.3 * prev.size and not (s0 > ps1 + 2 * prev.size):
                    out[-1].append(ln)
                    continue
        out.append([ln])
    return out


def paragraphs_of(lines: list[Line], page_no: int, stream: int, body_size: float = 0.0,
                  page_right: float = 0.0) -> list[Para]:
    if not lines:
        return []
    if not lines[0].geometry:
        return [Para([ln], page_no, stream, first_of_stream=i == 0, last_of_stream=i == len(lines) - 1)
                for i, ln in enumerate(lines)]
    ax = [_axes(ln) for ln in lines]
    steps = [b[2] - a[2] for a, b, la, lb in zip(ax, ax[1:], lines, lines[1:])
             if abs(la.size - lb.size) <= 0.15 * la.size and b[2] - a[2] > 0.3 * la.size]
    pitch = statistics.median(steps) if len(steps) >= 3 else 0.0
    starts = [a[0] for a in ax]
    ends = [a[1] for a in ax]

    # where lines that start like line i stop when they wrap: lines of the same box whose
    # start is within 2.5 em; most stop at the margin, a few hang a 、。 beyond it (ぶら下げ)
    unit = 2.5 * (statistics.median(ln.size for ln in lines) or 10.0)
    buckets: dict[tuple[int, int], list[float]] = {}
    for ln, s0, e0 in zip(lines, starts, ends):
        buckets.setdefault((ln.box, int(s0 // unit)), []).append(e0)
    cache: dict[tuple[int, int], float] = {}
    by_end = sorted(ends, reverse=True)
    # the column's right edge (a 、 may hang beyond); on a one-column page, the page's text edge
    right = max(by_end[min(2, len(by_end) - 1)], page_right)
    left = min(starts)

    def margin_end(i: int) -> float:
        key = (lines[i].box, int(starts[i] // unit))
        got = cache.get(key)
        if got is None:
            near = sorted(buckets.get((key[0], key[1] - 1), []) + buckets[key]
                          + buckets.get((key[0], key[1] + 1), []), reverse=True)
            if len(near) < 2:
                got = near[0]
            else:
                full = [e for e in near if e >= near[0] - 3 * lines[i].size]
                got = full[len(full) // 2] if len(full) >= 3 else near[1]
            if key[0] < 0 and starts[i] <= left + 2 * lines[i].size and got < left + 0.7 * (right - left):
                got = right   # short lines at the margin (an address block) do not make a margin of their own
            cache[key] = got
        return got

    paras: list[Para] = [Para([lines[0]], page_no, stream)]
    cont_start: float | None = None
    for i in range(1, len(lines)):
        a, b = lines[i - 1], lines[i]
        (as0, as1, ac), (bs0, _, bc) = ax[i - 1], ax[i]
        size = a.size
        para = paras[-1]
        joined = False
        if a.vert == b.vert and a.box == b.box and abs(b.size - a.size) <= 0.2 * max(a.size, b.size):
            step = bc - ac
            limit = 1.35 * pitch if pitch else 2.2 * size
            if 0.3 * size < step <= max(limit, 1.1 * size) and (
                    _reaches(a, b, as1, margin_end(i - 1)) or url_continues(a.text, b.text)):
                label = _starts_item(a, b, para) and not url_continues(a.text, b.text)
                if len(para.lines) == 1:
                    lab = K.list_label(a.text) or K.note_label(a.text) or _footnote_number(a.text)
                    allowed = as0 + (len(lab) + 3.5) * size if lab else as0 + 0.5 * size
                    if not K.ends_sentence(a.text):
                        allowed = max(allowed, as0 + 3.5 * size)   # hanging indent of an item
                else:
                    allowed = (cont_start if cont_start is not None else as0) + 0.5 * size
                heading_font = (len(para.lines) == 1 and a.font != b.font and K.numbering(a.text) is not None
                                and (_is_heading_font_pair(a, b)))
                if bs0 <= allowed and not label and not heading_font:
                    joined = True
        if not joined and _note_continues(para, a, b, ac, bc, pitch):
            joined = True
        if not joined and body_size and _centred_title_continues(a, b, body_size):
            joined = True
        if joined:
            para.lines.append(b)
            if len(para.lines) == 2 or cont_start is None:
                cont_start = bs0
        else:
            paras.append(Para([b], page_no, stream))
            cont_start = None
    # layout facts used for joining across breaks
    # a line that opens with a bracket set to hang half an em into the margin (「（１） 以下の…」
    # at 320.6 beside body lines at 326.2) starts, for the column's margin, where its glyph shows
    shown = [s + 0.5 * ln.size if not ln.vert and ln.text[:1] in _OPENING_BRACKETS else s
             for s, ln in zip(starts, lines)]
    margin_start = min(shown)
    # sorted starts and line positions: a page of n lines in p paragraphs used to cost n × p
    by_start = sorted(shown)
    position: dict[int, int] = {}
    for i, ln in enumerate(lines):
        position.setdefault(id(ln), i)
    for p in paras:
        s0 = _axes(p.lines[0])[0]
        # the margin of the column this paragraph is in (a stream can run on into full-width
        # footnotes that start further left)
        p.margin = _nearest_start(by_start, s0, 3 * p.size, margin_start)
        i0 = position[id(p.lines[0])]
        i1 = position[id(p.lines[-1])]
        p.indented = starts[i0] > margin_start + 0.5 * p.size
        p.reaches_end = ends[i1] >= margin_end(i1) - 1.2 * p.lines[-1].size
        p.reaches_end_line = ends[i0] >= margin_end(i0) - 1.2 * p.lines[0].size and len(lines) > 2
    paras[0].first_of_stream = True
    paras[-1].last_of_stream = True
    return paras


_OPENING_BRACKETS = frozenset("（〔［｛〈《「『【")


def _nearest_start(by_start: list[float], s0: float, reach: float, default: float) -> float:
    """The smallest start with ``abs(start - s0) <= reach`` in the sorted ``by_start`` (else
    ``default``): bisect to just below the window, then test each start exactly as before."""
    for k in range(bisect.bisect_left(by_start, s0 - reach - 1e-6), len(by_start)):
        st = by_start[k]
        if abs(st - s0) <= reach:
            return st
        if st > s0 + reach + 1e-6:
            break
    return default


# characters that may not begin a line (行頭禁則): a line that ends early because they were
# pushed down with the character before them (追い出し) still reaches the margin
_NO_LINE_START = set("、。，．・：；？！ー－–―…‥）〕］｝〉》」』】ゝゞ々ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")


def _reaches(a: Line, b: Line, end: float, margin: float) -> bool:
    size = a.size
    if end >= margin - 1.2 * size:
        return True
    return (end >= margin - 4.5 * size and not K.ends_sentence(a.text)
            and any(ch in _NO_LINE_START for ch in b.text[:4]))


def _note_continues(para: Para, a: Line, b: Line, ac: float, bc: float, pitch: float) -> bool:
    """A footnote's next entry or line set at its hanging indent (「5　Diffusion Model」 +
    「Sohl-Dickstein, J., …」) belongs to that note even though the line above stopped short."""
    head = para.lines[0]
    if a.vert or b.vert or not head.geometry:
        return False
    label = K.note_label(head.text) or _footnote_number(head.text)
    if not label or K.list_label(b.text) or K.note_label(b.text) or _footnote_number(b.text):
        return False
    size = head.size
    step = bc - ac
    if not (0.3 * size < step <= (1.35 * pitch if pitch else 1.8 * size)) or abs(b.size - size) > 0.15 * size:
        return False
    return head.x0 + 0.8 * size <= b.x0 <= head.x0 + (len(label) + 4) * size


def _centred_title_continues(a: Line, b: Line, body_size: float) -> bool:
    """A title set in large type over two centred lines (「政府情報システムにおける」 /
    「ゼロトラスト適用に向けた考え方」) is one block although neither line reaches a margin."""
    if a.vert or b.vert or a.size < 1.25 * body_size or abs(a.size - b.size) > 0.05 * a.size:
        return False
    if a.font != b.font or K.ends_sentence(a.text) or K.numbering(b.text) is not None:
        return False
    step = a.cy - b.cy
    return 0.8 * a.size <= step <= 2.0 * a.size and abs(a.cx - b.cx) <= 1.5 * a.size


def _starts_item(a: Line, b: Line, para: Para) -> bool:
    """Does line ``b`` begin a new item although ``a`` ran to the margin? A bullet, a note or
    caption mark does; a number only when ``a`` finished its sentence (「…（第」 + 「１-１-４図）」
    is one sentence wrapped), and nothing does inside an open bracket."""
    if K.note_label(b.text) or K.is_caption(b.text):
        return True
    label = K.list_label(b.text) or _footnote_number(b.text)
    if not label:
        return False
    text = "".join(ln.text for ln in para.lines)
    if sum(text.count(c) for c in "（(「『") > sum(text.count(c) for c in "）)」』"):
        return False
    head = para.lines[0]
    head_label = K.list_label(head.text) or K.note_label(head.text) or _footnote_number(head.text)
    if head_label and _set_off(head.text, head_label) and _set_off(b.text, label) \
            and abs(b.x0 - head.x0) < 0.5 * head.size and not b.vert:
        return True     # hanging-indent items (notes, lists): the next item starts where this one did
    number = K.numbering(b.text)
    weak = ((number is not None and number.rank in _WEAK_RANKS) or label == _footnote_number(b.text)) \
        and not _set_off(b.text, label, ideographic=True)
    # 「…準用する。この場合において、」+「第十五条第三項中…」: one sentence wrapped
    return not (weak and not K.ends_sentence(a.text) and not a.text.endswith(("：", ":"))
                and not _TOC_ENTRY_RE.search(a.text))


# a table-of-contents line: dot leaders and a page number end the entry
_TOC_ENTRY_RE = re.compile(r"(?:[.．…・‥･]\s*){3,}\s*(?:[0-9０-９]+|[ivxIVX]+)\s*$")


def _set_off(text: str, label: str, ideographic: bool = False) -> bool:
    """Is ``label`` followed by a space (a 全角スペース only, with ``ideographic``)?"""
    after = text.lstrip(" \u3000")[len(label):len(label) + 1]
    return after == "\u3000" if ideographic else after in (" ", "\u3000")


# numbers that may begin a wrapped line inside a sentence (第三十三条の場合…, 2020 年…)
_WEAK_RANKS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 15)


# -- kinds -------------------------------------------------------------------------------------

_URL_TAIL_RE = re.compile(r"(?:https?://|www\.)[^\s　]*$")
_URL_MORE_RE = re.compile(r"^[A-Za-z0-9%#=&?/._~:+()!*',;@\-]+")


def url_continues(a: str, b: str) -> bool:
    """``a`` ends inside a URL that ``b`` carries on (a URL is wrapped anywhere, without a
    hyphen of its own): 「…/NIST.SP.800-」+「207-draft.pdf)」."""
    m = _URL_TAIL_RE.search(a)
    if not m or len(m.group(0)) <= 8 or a.endswith((")", "）", ">")):
        return False
    token = b.split(None, 1)[0] if b.strip() else ""
    more = _URL_MORE_RE.match(token)
    if more is None or more.end() < len(token) and token[more.end()] not in ")）":
        return False        # the next line starts with words, not the rest of an address
    if token[:more.end()].isdigit() and not a.endswith(("/", "-", "_", ".", "=", "?", "&", "%", "#")):
        return False        # 「…/1706.03762」 then 「3　Bidirectional」: a note number
    return a.endswith(("/", "-", "_", ".", "=", "?", "&", "%", "#", ":")) or any(c in token for c in "/.-_=?&%")


def _text(lines: list[Line]) -> str:
    parts: list[str] = []
    for ln in lines:
        if parts and url_continues(parts[-1], ln.text):
            parts[-1] += ln.text
        else:
            parts.append(ln.text)
    return normalize_text("\n".join(parts), drop_cjk_spaces=False).strip()


def _is_heading_font_pair(a: Line, b: Line) -> bool:
    """``a`` is set in a heading face (bold, or Gothic where ``b`` is Mincho), or in another
    face a little larger than ``b`` (「４．更なる利活用に向けた取組」 at 11 pt over 10.5-pt text)."""
    return _is_heading_font(a, DocStats(b.size, b.font, False)) or a.size >= 1.03 * b.size


def _is_heading_font(ln: Line, stats: DocStats) -> bool:
    if ln.bold:
        return True
    if not ln.font or not stats.body_font or ln.font == stats.body_font:
        return False
    f, body = ln.font.lower(), stats.body_font.lower()
    gothic = any(k in f for k in ("gothic", "ゴシック", "goth", "sans", "ｺﾞｼｯｸ", "meiryo", "メイリオ", "hei"))
    mincho = ("mincho" in body or "明朝" in body or "serif" in body or "times" in body or "century" in body)
    return gothic and mincho


def classify(paras: list[Para], page: Page, stats: DocStats) -> None:
    """Kind, label and (provisional) heading rank of each paragraph of one page."""
    body = stats.body_size
    # a page set in larger type than the document's body (a cover letter before tables)
    # measures its headings against its own body text
    sizes: Counter[float] = Counter()
    for p in paras:
        for ln in p.lines:
            if ln.geometry:
                sizes[round(ln.size * 2) / 2] += len(ln.text)
    total = sum(sizes.values())
    if sizes:
        local, count = sizes.most_common(1)[0]
        if local > body and count >= 0.4 * total:
            body = local
    body_paras = [p for p in paras if abs(p.size - body) <= 0.1 * body and len(p.text) > 30]
    lowest_body = min((p.lines[-1].bottom for p in body_paras if not p.first.vert), default=None)
    mono: dict[str, bool] = {}      # per font name: a typewriter face (code)
    for i, p in enumerate(paras):
        text = p.text
        first = p.first
        n_lines = len(p.lines)
        short = len(text) <= _HEADING_MAX and n_lines <= 2
        number = K.numbering(text)
        note = K.note_label(text)
        label = K.list_label(text) or K.bare_label(text, _hanging(p))
        is_mono = mono.get(first.font)
        if is_mono is None:
            is_mono = mono[first.font] = bool(first.font) and any(k in first.font.lower() for k in _MONO)
        if is_mono:
            p.kind = "code"
        elif K.is_url_only(text):
            p.kind = "url"
            p.label = text.split("http")[0].strip() if "http" in text else ""
        elif K.is_caption(text) and n_lines <= 3:
            p.kind = "caption"
            p.label = ""
        elif note:
            p.kind = "note"
            p.label = note
        elif (first.size < 0.93 * body and lowest_body is not None and first.top < lowest_body
              and _footnote_number(text)):
            p.kind = "note"
            p.label = _footnote_number(text)
        elif short and not K.ends_sentence(text) and first.size >= 1.15 * body and not K.is_speaker(label):
            p.kind = "heading"
            p.label = number.label if number else ""
            p.rank = number.rank if number else None
        elif (number and short and n_lines == 1 and not K.ends_sentence(text) and len(text) <= 40
              and not p.reaches_end_line and (
                  _is_heading_font(first, stats)
                  or (number.rank <= 8 and (number.rank <= 5 or _followed_by_body(paras, i)))
                  or (number.rank == 16 and len(text) <= 12))):
            # 第1章 / 1. / 1.1 headings; （１）ア ① only when set in a heading face; 【甲案】 alone
            p.kind = "heading"
            p.label = number.label
            p.rank = number.rank
        elif (short and n_lines == 1 and _is_heading_font(first, stats) and not K.ends_sentence(text)
              and len(text) <= 40 and not label and _followed_by_body(paras, i) and not p.reaches_end_line):
            p.kind = "heading"
        elif label and K.is_speaker(label):
            p.kind = "paragraph"
            p.label = label
        elif label:
            p.kind = "list_item"
            p.label = label
            p.level = 1
        else:
            p.kind = "paragraph"


def _hanging(p: Para) -> bool:
    """The first line starts before the others (a hanging indent: the label sticks out)."""
    if len(p.lines) < 2 or not p.first.geometry:
        return False
    return _axes(p.lines[1])[0] - _axes(p.first)[0] >= 0.7 * p.size


def _followed_by_body(paras: list[Para], i: int) -> bool:
    nxt = paras[i + 1] if i + 1 < len(paras) else None
    return nxt is not None and (len(nxt.text) > len(paras[i].text) or len(nxt.lines) > 1)


def _footnote_number(text: str) -> str:
    m = re.match(r"^([0-9]{1,3}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})(?=[ \u3000]|[^\x00-\x7f0-9．、，）年月日])", text)
    return m.group(1) if m else ""


# -- the document ------------------------------------------------------------------------------

def page_paragraphs(page: Page, stats: DocStats, stream_base: int) -> list[Para]:
    """Paragraphs, tables and pictures of one page in reading order, with kinds."""
    paras: list[Para] = []
    page_right = 0.0
    if page.columns == 1:
        ends = sorted((ln.x1 for ln in page.lines if ln.geometry and not ln.vert), reverse=True)
        page_right = ends[min(2, len(ends) - 1)] if ends else 0.0
    for k, stream in enumerate(streams_of(page)):
        paras.extend(paragraphs_of(stream, page.number, stream_base + k, stats.body_size, page_right))
    for p in paras:
        p.text = _text(p.lines)
    paras = [p for p in paras if p.text]
    classify(paras, page, stats)
    extra: list[Para] = []
    for t in page.tables:
        extra.append(Para(t.lines, page.number, -1, kind="table", text="", rows=t.rows, bbox=t.bbox))
    for pic in page.pictures:
        ordered = rows_in_order(pic.lines)
        text = "\n".join(ln.text for ln in ordered)
        extra.append(Para(ordered, page.number, -1, kind="image_text", text=text, bbox=pic.bbox))
    return _place(paras, extra)


def _place(paras: list[Para], extra: list[Para]) -> list[Para]:
    """Put tables and pictures among the paragraphs by their top edge (same column first)."""
    if not extra:
        return paras
    out = list(paras)
    for e in sorted(extra, key=lambda e: -(e.bbox[1] if e.bbox else 0)):
        top = e.bbox[1] if e.bbox else 0
        x0 = e.bbox[0] if e.bbox else 0
        idx = len(out)
        for i, p in enumerate(out):
            if p.kind in ("table", "image_text") or not p.lines or not p.first.geometry:
                continue
            if p.first.top < top - 1 and (p.first.x1 >= x0 or p.first.vert):
                idx = i
                break
        out.insert(idx, e)
    return out


_TSUCHI_TITLE_RE = re.compile(r"(?:について|に関する(?:件|規則|要綱|指針|方針))(?:[（(][^）)]{1,8}[）)])?$")
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_TO_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SKIP_OVER = ("note", "caption", "image_text", "table", "url")


def mark_titles(paras: list[Para], pages: list[Page], stats: DocStats) -> None:
    """The document title on the first page; slide titles on the other pages of a deck."""
    first = [p for p in paras[:12] if p.page == 1 and p.kind in ("heading", "paragraph") and p.lines
             and p.lines[0].geometry]
    big = [p for p in first if p.size >= 1.25 * stats.body_size and len(p.text) <= 80
           and not K.numbering(p.text)]
    title = max(big, key=lambda p: p.size, default=None)
    if title is None:
        page1 = pages[0] if pages else None
        for p in first:
            if (len(p.text) <= 90 and len(p.lines) <= 3 and _TSUCHI_TITLE_RE.search(p.text)
                    and page1 is not None and abs(p.first.cx - page1.width / 2) < 0.15 * page1.width):
                title = p
                break
    if title is not None:
        title.kind, title.level, title.label = "title", 0, ""
    if not stats.landscape:
        return
    heights = {pg.number: pg.height for pg in pages if pg.width > pg.height * 1.1}
    by_page: dict[int, list[Para]] = {}
    for p in paras:
        if p.page in heights and p.lines and p.first.geometry and not p.first.vert:
            by_page.setdefault(p.page, []).append(p)
    for number, on_page in by_page.items():
        if number == 1 and title is not None:
            continue
        _slide_title(on_page, heights[number], stats.body_size)
    paras[:] = [p for p in paras if p.lines]    # the second line of a title joined to the first


def _slide_title(on_page: list[Para], height: float, body: float) -> None:
    """A slide's title: the line(s) at the top of a landscape page of a deck set in the
    page's largest size (a band or a logo may come first in the content stream; a title
    wrapped over two lines may come out as two paragraphs, joined here)."""
    largest = max(p.size for p in on_page)
    if largest < 1.15 * body:
        return
    tops = [p for p in on_page if p.kind in ("heading", "paragraph") and p.size >= 0.95 * largest
            and p.first.top >= 0.7 * height and len(p.text) <= 80]
    if not tops:
        return
    tops.sort(key=lambda p: -p.first.top)
    head = tops[0]
    if any(p.first.bottom > head.first.top and p.size >= 0.95 * body and p.kind == "paragraph"
           and len(p.text) > 20 for p in on_page):
        return      # body text above it: a heading inside the slide, not its title
    for p in tops[1:]:
        prev = head.lines[-1]
        if (abs(p.size - head.size) <= 0.05 * head.size and 0 < prev.bottom - p.first.top <= 1.0 * head.size
                and len(head.text) + len(p.text) <= 80):
            head.lines.extend(p.lines)
            head.text = join_wrapped_lines(head.text + "\n" + p.text)
            p.lines, p.text = [], ""
    head.kind, head.level, head.label = "slide_title", 0, ""


def join_breaks(paras: list[Para]) -> list[Para]:
    """Join a paragraph cut by a column or page break: the first part reaches the margin
    without ending its sentence; the next body paragraph (notes, captions, figures and
    tables in between are passed over) starts a column or page without an indent."""
    # the first and last paragraph of a column that is not a note, a caption or a figure
    # (a figure title or footnotes may come after the text of a column)
    body_of: dict[int, list[int]] = {}
    for i, p in enumerate(paras):
        if p.kind not in _SKIP_OVER:
            body_of.setdefault(p.stream, []).append(i)
    for idx in body_of.values():
        paras[idx[0]].first_of_stream = True
        paras[idx[-1]].last_of_stream = True
    out: list[Para] = []
    skip: set[int] = set()
    for i, p in enumerate(paras):
        if i in skip:
            continue
        out.append(p)
        j = i + 1
        while (p.kind in ("paragraph", "list_item") and p.last_of_stream and p.reaches_end
               and not K.ends_sentence(p.text) and p.lines[0].geometry):
            while j < len(paras) and (paras[j].kind in _SKIP_OVER or j in skip):
                j += 1
            if j >= len(paras):
                break
            q = paras[j]
            last_page = p.page_end or p.page
            tail = (p.joined or p.lines)[-1]
            if not (q.first_of_stream and q.kind == "paragraph" and not q.label and _continues_at(p, q)
                    and q.page in (last_page, last_page + 1) and q.lines[0].geometry
                    and q.lines[0].vert == tail.vert and abs(q.size - tail.size) <= 0.15 * tail.size):
                if (q.first_of_stream and q.kind == "paragraph" and not q.label and q.page in (last_page, last_page + 1)
                        and abs(q.size - tail.size) <= 0.15 * tail.size and not K.numbering(q.text)):
                    q.continued = True      # the sentence goes on here, but the layout does not say it safely
                break
            p.text = (p.text + q.text) if url_continues(p.text, q.text) else join_wrapped_lines(p.text + "\n" + q.text)
            for ln in q.lines:
                ln._margin = q.margin  # type: ignore[attr-defined]  # a tag read later by the joiner; Line does not declare it
            p.joined.extend(q.lines + q.joined)
            if q.page != p.page:
                p.page_end = q.page_end or q.page
            p.last_of_stream, p.reaches_end = q.last_of_stream, q.reaches_end
            skip.add(j)
            j += 1
    return out


def _continues_at(p: Para, q: Para) -> bool:
    """Does ``q``'s first line start where ``p``'s lines would go on (its column's margin, or
    the hanging indent of a list item), rather than indented like a new paragraph?"""
    size = q.size
    q_off = _axes(q.first)[0] - q.margin
    lines = p.lines + p.joined
    if len(lines) >= 2:
        tail = lines[-1]
        margin = p.margin if tail in p.lines else _stream_margin_of(tail, p)
        return abs(q_off - (_axes(tail)[0] - margin)) <= 0.5 * size or q_off <= 0.5 * size
    label = p.label or K.list_label(p.text) or K.note_label(p.text)
    p_off = _axes(p.first)[0] - p.margin
    return q_off <= (p_off + (len(label) + 3.5) * size if label else 0.5 * size)


def _stream_margin_of(line: Line, p: Para) -> float:
    return getattr(line, "_margin", p.margin)


def mark_references(paras: list[Para]) -> list[Para]:
    """Entries under a 参考文献/参考資料/出典 heading are references (an entry's own URL line
    stays with it); numbered entries with a quoted title and a URL are references anywhere."""
    out: list[Para] = []
    in_refs: int | None = None
    for p in paras:
        if p.kind in ("heading", "title", "slide_title"):
            if in_refs is not None and (p.level <= in_refs or p.kind != "heading"):
                in_refs = None
            if p.kind == "heading" and K.REFERENCE_HEADING_RE.search(p.text) and len(p.text) <= 30:
                in_refs = p.level
            out.append(p)
            continue
        if in_refs is not None and p.kind in ("list_item", "paragraph", "url"):
            if p.kind != "paragraph" or p.label or K.looks_like_reference(p.text) or not K.ends_sentence(p.text):
                if p.kind == "url" and out and out[-1].kind == "reference" and out[-1].page == p.page:
                    _absorb(out[-1], p)
                    continue
                p.kind = "reference"
        elif (p.kind == "list_item" and p.label and not K.is_bullet(p.label)
              and K.URL_ANY_RE.search(p.text) and K.looks_like_reference(p.text)):
            p.kind = "reference"
        elif p.kind == "url" and out and out[-1].kind == "reference" and out[-1].page == p.page:
            _absorb(out[-1], p)
            continue
        out.append(p)
    return out


def _absorb(entry: Para, url: Para) -> None:
    entry.text = entry.text + " " + url.text
    entry.joined.extend(url.lines)


def captions_after_figures(paras: list[Para]) -> None:
    """※ and 資料 lines right under a figure or table describe it: captions, not notes."""
    for prev, p in zip(paras, paras[1:]):
        if (p.kind in ("note", "paragraph") and prev.kind in ("image_text", "table", "caption")
                and p.page == prev.page and p.text.lstrip().startswith(("※", "資料", "出典", "（注）", "(注)"))):
            p.kind = "caption"


def heading_levels(paras: list[Para]) -> None:
    """Levels 1–4: numbered headings by the numbering ranks the document uses (第1章 above
    第1節 above １ above （１）…); unnumbered ones by size (level 1 when as large as the
    top numbered headings, else 2)."""
    numbered = [p for p in paras if p.kind == "heading" and p.rank is not None]
    levels = K.levels_of(p.rank for p in numbered if p.rank is not None)
    top_size = max((p.size for p in numbered if p.rank is not None and levels[p.rank] == 1), default=0.0)
    for p in paras:
        if p.kind != "heading":
            continue
        if p.rank is not None:
            p.level = levels[p.rank]
        else:
            p.level = 1 if (not numbered or p.size >= top_size - 0.5) else 2


def anchor_of(note: Para, blocks: list[Block], note_page: int) -> str | None:
    """The block whose text carries the note's marker (「…した¹」 for note 1, 「※2」, 「（注3）」)."""
    label = note.label.strip()
    digits = label.translate(_SUPERSCRIPT_DIGITS)
    digits = "".join(ch for ch in digits if ch.isdigit())
    wide = digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    needles: list[str] = []
    if label.startswith("※"):
        needles = [label, "※" + wide] if digits else ["※"]
    elif "注" in label:
        needles = [f"注{digits}", f"注{wide}"] if digits else ["（注）", "(注)"]
    elif digits:
        needles = [digits.translate(_TO_SUPERSCRIPT)]
    if not needles:
        return None
    for b in reversed(blocks):
        if b.page is not None and b.page < note_page - 1:
            break
        if b.kind in ("note", "reference", "image_text") or b.page is None:
            continue
        text = b.text[len(b.label):] if b.label else b.text
        if any(n in text for n in needles if n):
            return b.id
    return None
