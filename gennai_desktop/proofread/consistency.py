"""Rules judged against the document's own majority: 全角/半角 digits and Latin letters,
「，」 vs 「、」, and です・ます vs である.

Why per document: the 2022 建議 does not prescribe full-width or half-width digits, and it
allows 「，」 as the 読点 in horizontal text; what it asks is that one document use one form
(Ⅰ-4, Ⅰ-5, Ⅲ-1). A ministry 仕様書 written consistently in full-width digits is correct,
and a report that mixes widths is not. So each family is counted over the document's body
sentences only — paragraphs and list items that end like a sentence, outside quotations,
titles, captions, tables, references and footnote markers — and only the minority forms
become findings, each saying which majority it was measured against.

A document's own convention is honoured when the counts show one: 1-digit numbers in
full-width and longer numbers in half-width (a common ministry house rule) is a convention,
recognised only with enough evidence (``split_min`` numbers of each kind), never from one
sentence.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator, Sequence

from ..nlp.morph import Token as Morpheme
from .detectors import Hit, ending
from .ruleset import Ruleset
from .scope import Context, Sentence, SpanSet

_FW_TABLE = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def to_fullwidth(s: str) -> str:
    return s.translate(_FW_TABLE)


def to_halfwidth(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


# --- widths -------------------------------------------------------------------------------
_DIGIT_RUN = re.compile(r"[0-9０-９]+(?:[.,．，][0-9０-９]+)*")
_LATIN_RUN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]+")
# identifiers (Ｋ０３９, Ｂ００５－１０, 表１-1, ISO27001, 5G): judged as a whole, on their own
_ALNUM = "0-9０-９A-Za-zＡ-Ｚａ-ｚ"
_IDENT = re.compile(rf"(?:[A-Za-zＡ-Ｚａ-ｚ]+\n?[0-9０-９]|[0-9０-９]+[A-Za-zＡ-Ｚａ-ｚ])"
                    rf"[{_ALNUM}]*(?:[\-－‐―][{_ALNUM}]+)*"
                    rf"|[0-9０-９]+(?:[\-－‐―][0-9０-９]+)+")
# English words and phrases (Artificial Intelligence, machine-based, DCAT 2.0, NIST SP 800-207):
# written as in English, digits included
_ENGLISH = re.compile(r"[A-Za-z][A-Za-z0-9.]*(?:[ \-/][A-Za-z0-9][A-Za-z0-9.]*)+|[A-Za-z]+\.[0-9][0-9.]*")


def _digit_width(run: str) -> str:
    """'h' (all half-width), 'f' (all full-width) or 'm' (mixed, separators included)."""
    full = sum(1 for c in run if c > "\u00ff")
    return "h" if full == 0 else "f" if full == len(run) else "m"


COUNT_MIN_CHARS = 15    # an unterminated body line this long is text (a PDF line), not a figure label


def _counted(ctx: Context, sent: Sentence, s: int, e: int) -> bool:
    """Does this occurrence count toward the document's majority? Body text only, outside
    quotations; a line without a sentence end counts if it is long enough to be prose."""
    if sent.level != "body" or ctx.quotes.overlaps(s, e):
        return False
    return sent.terminated or sent.end - sent.start >= COUNT_MIN_CHARS


def _runs(ctx: Context, pattern: re.Pattern[str]) -> Iterator[tuple[Sentence, int, int, str]]:
    """(sentence, start, end, run) of every run in body and note text; only runs in
    sentences that end like one are ever flagged (``_flaggable``). Text read by OCR is left
    out: which width a recognised glyph gets is the OCR engine's choice, not the writer's,
    so it neither counts toward a majority nor is told to change (2022 建議 Ⅰ-4 asks the
    writer to use one form; an OCR'd page does not show which form the writer used)."""
    text = ctx.text
    for sent in ctx.sentences:
        if sent.level not in ("body", "prose") or ctx.regions[sent.block].ocr:
            continue
        for mo in pattern.finditer(text, sent.start, sent.end):
            s, e = mo.span()
            if ctx.blocked.overlaps(s, e) or ctx.markers.overlaps(s, e) or ctx.labels.overlaps(s, e):
                continue
            # part of an identifier (ABC-123, v2.0, ISO/IEC 27001): judged as a whole elsewhere
            yield sent, s, e, mo.group()


def width(ctx: Context, rs: Ruleset) -> Iterator[Hit]:
    cfg = rs.consistency["width"]
    src = rs.cite(cfg["source"])
    yield from _width_digits(ctx, cfg, src)
    yield from _width_latin(ctx, cfg, src)


def _identifiers(ctx: Context) -> list[tuple[Sentence, int, int, str]]:
    return list(_runs(ctx, _IDENT))


def _english(ctx: Context) -> SpanSet:
    return SpanSet([(s, e) for _, s, e, _ in _runs(ctx, _ENGLISH)])


# item numbers: 「(1)」「（１）」「１．」「1　」 at the start of a line, and 「第２部」; in running text a
# parenthesised number or 第N部/章/節 refers to such an item
_REF_PAREN = re.compile(r"(?<=[(（])[0-9０-９]{1,3}(?=[)）])")
_REF_DAI = re.compile(r"(?<=第)[ \t\u3000]?[0-9０-９]{1,3}[ \t\u3000]?(?=[部章節編款])")
# 「第３～５部」「第1・2章」: both ends of a range of items refer to items
_REF_DAI_RANGE = re.compile(r"(?<=第)[ \t\u3000]?[0-9０-９]{1,3}[ \t\u3000]?"
                            r"[～〜~\-－・、から]{1,2}[ \t\u3000]?(?:第[ \t\u3000]?)?"
                            r"[0-9０-９]{1,3}[ \t\u3000]?(?=[部章節編款])")
# 「５章に記載する」「3節を参照」: a chapter or section named by its number alone refers to the
# heading numbered so (「5　サービスポータル」 or 「第5章」)
_REF_BARE = re.compile(r"(?<![第0-9０-９.．\-－])[0-9０-９]{1,3}(?=[ \t\u3000]?[章節](?![0-9０-９]))")
# 「４．（５）」「3.(2)」: a heading 「４．」 and its item 「（５）」 named together; the first number is
# numbered like the 「４．」 headings (the item part is a parenthesised reference already)
_REF_COMPOUND = re.compile(r"(?<![0-9０-９.．])[0-9０-９]{1,3}(?=[.．][ \u3000]?[(（][0-9０-９]{1,3}[)）])")


def _label_shape(text: str, s: int, e: int) -> tuple[str, str, bool] | None:
    """(shape, width, one digit?) of an item label or a reference to one: shape is 'paren'
    for (1)/（１）, 'dai部' for 第２部, 'numdot' for 1./１． and 'num' for 「1　」."""
    lab = text[s:e]
    m = _DIGIT_RUN.search(lab)
    if m is None:
        return None
    run = m.group()
    w = _digit_width(run)
    if w == "m":
        return None
    if "第" in lab:
        tail = lab[m.end():].strip(" \t\u3000")
        shape = "dai" + tail[:1]
    elif "(" in lab or "（" in lab:
        shape = "paren"
    elif lab[m.end():m.end() + 1] in (".", "．"):
        shape = "numdot"    # 「４．」: a heading number, not 「2 」 of a footnote or a line
    else:
        shape = "num"
    return shape, w, len(run) == 1


def _references(ctx: Context) -> list[tuple[Sentence, int, int, str]]:
    """Parenthesised numbers and 第N部/章/節 in running text: references to items."""
    out = []
    seen: set[int] = set()
    for pat in (_REF_PAREN, _REF_DAI, _REF_DAI_RANGE, _REF_BARE, _REF_COMPOUND):
        for sent, s, _e, run in _runs(ctx, pat):
            for m in _DIGIT_RUN.finditer(run):
                if s + m.start() not in seen:
                    seen.add(s + m.start())
                    out.append((sent, s + m.start(), s + m.end(), m.group()))
    return out


_RANGE_TAIL = re.compile(r"[ \t\u3000]?(?:[～〜~\-－・、]|から)?[ \t\u3000]?(?:第[ \t\u3000]?)?"
                         r"[0-9０-９]{0,3}[ \t\u3000]?([部章節編款])")


def _reference_label(text: str, s: int, e: int) -> str:
    """The label a reference at [s, e) names, in the shape of an item label: 「(1)」 for a
    parenthesised number, 「第３部」 for 第N部 (either end of 「第３～５部」 too)."""
    if text[s - 1:s] in "(（":
        return text[s - 1:e + 1]
    if text[e:e + 1] in (".", "．"):
        return text[s:e + 1]            # 「４．」 of 「４．（５）」
    mo = _RANGE_TAIL.match(text, e)
    return "第" + text[s:e] + (mo.group(1) if mo else text[e:e + 2])


def _label_styles(ctx: Context) -> dict[tuple, dict[str, int]]:
    """Widths of the item labels, by (part, shape, one digit?) and by (shape, one digit?)."""
    styles: dict[tuple, dict[str, int]] = {}
    for s, e, part in ctx.item_labels:
        got = _label_shape(ctx.text, s, e)
        if got is None:
            continue
        shape, w, single = got
        for key in ((part, shape, single), (shape, single)):
            d = styles.setdefault(key, {"h": 0, "f": 0})
            d[w] += 1
    return styles


def _label_numbers(ctx: Context) -> dict[tuple, set[int]]:
    """The numbers the item labels carry, by the same keys as ``_label_styles``."""
    nums: dict[tuple, set[int]] = {}
    for s, e, part in ctx.item_labels:
        got = _label_shape(ctx.text, s, e)
        m = _DIGIT_RUN.search(ctx.text, s, e)
        if got is None or m is None or not to_halfwidth(m.group()).isdigit():
            continue
        shape, _w, single = got
        for key in ((part, shape, single), (shape, single)):
            nums.setdefault(key, set()).add(int(to_halfwidth(m.group())))
    return nums


def _part_of(ctx: Context, pos: int) -> int:
    starts = [r.start for r in ctx.regions]
    i = bisect.bisect_right(starts, pos) - 1
    return ctx.regions[i].part if i >= 0 else 0


def _width_references(ctx: Context, refs: list, cfg: dict, src: str) -> Iterator[Hit]:
    """A reference to an item is numbered like the items: the labels (in its own attachment —
    a 様式 numbers its items its own way — or else in the document) and the references to them
    in that shape are ONE family of numbers, and only its minority width is a finding, toward
    its majority (2022 建議 Ⅰ-4: one form within a document). Where headings say 「第２部」 and
    the text says 「第2部では」 a dozen times, the text's references are the majority: advice
    one way for some references and the other way for others would contradict itself. Left
    alone where no item is numbered in that shape, and where no item carries the number it
    names (an item of another text, or 「(８９)」 read from a struck-out 8 and its correction 9)."""
    styles = _label_styles(ctx)
    numbers = _label_numbers(ctx)
    text = ctx.text
    shaped = []
    for sent, s, e, run in refs:
        label = _reference_label(text, s, e)
        got = _label_shape(label, 0, len(label))
        if got is None:
            continue
        shape, w, single = got
        bare = text[s - 1:s] not in "(（" and "第" not in text[max(0, s - 8):s]
        part = _part_of(ctx, s)
        key = None
        # 「５章」 names a chapter numbered 「第5章」 or, where headings carry the bare number, 「5　…」
        for sh in (shape, "num", "numdot") if bare else (shape,):
            key = next((k for k in ((part, sh, single), (sh, single)) if k in styles), None)
            if key:
                break
        if key is not None:
            shaped.append((sent, s, e, run, w, key))
    family: dict[tuple, dict[str, int]] = {k: dict(v) for k, v in styles.items()}
    for sent, s, e, _run, w, key in shaped:
        if sent.level == "body" and not ctx.quotes.overlaps(s, e):
            family[key][w] += 1
    for sent, s, e, run, w, key in shaped:
        if not sent.terminated or ctx.verbatim.overlaps(s, e):
            continue
        seen = family[key]
        if int(to_halfwidth(run)) not in numbers.get(key, set()):
            continue                    # names no item here (another text's, or digits struck out)
        if seen["h"] == seen["f"]:
            continue                    # no majority: either width is the document's
        want = "h" if seen["h"] > seen["f"] else "f"
        if w == want:
            continue
        sug = to_fullwidth(to_halfwidth(run)) if want == "f" else to_halfwidth(run)
        if sug == run:
            continue
        yield Hit(s, e, sug, cfg["id"], "全角半角", src,
                  {"_message": cfg["messages"]["label_" + ("half" if want == "h" else "full")],
                   "half": seen["h"], "full": seen["f"]})


# 「図 6」「表３」「図1-2」: the number of a figure or table, as its caption numbers it
_FIGURE = re.compile(r"(?<![一-鿿々])[図表][ \u3000]?([0-9０-９]{1,3})(?![0-9０-９.．,，])")


def _figures(ctx: Context) -> list[tuple[int, int, str]]:
    """Every figure and table number in the text, captions included (outside URLs and the like)."""
    out = []
    for mo in _FIGURE.finditer(ctx.text):
        s, e = mo.span(1)
        if not ctx.blocked.overlaps(s, e):
            out.append((s, e, mo.group(1)))
    return out


def _width_figures(ctx: Context, figs: list, runs: list, cfg: dict, src: str) -> Iterator[Hit]:
    """Figure and table numbers are one family with the captions they name (「図 6　共通的な…」
    and 「図 6」 in the text), like item numbers and their references: the body's digits are
    not their majority, and quoting a caption as numbered is right (2022 建議 Ⅰ-4: one form
    within the family). Only the family's minority in a body sentence is a finding."""
    seen = {"h": 0, "f": 0}
    for _s, _e, run in figs:
        w = _digit_width(run)
        if w in seen:
            seen[w] += 1
    if seen["h"] == seen["f"]:
        return
    want = "h" if seen["h"] > seen["f"] else "f"
    for sent, s, e, run in runs:
        if not sent.terminated or ctx.verbatim.overlaps(s, e) or _digit_width(run) == want:
            continue
        sug = to_fullwidth(to_halfwidth(run)) if want == "f" else to_halfwidth(run)
        yield Hit(s, e, sug, cfg["id"], "全角半角", src,
                  {"_message": cfg["messages"]["figure_" + ("half" if want == "h" else "full")], **seen})


_SPLIT_GAP = re.compile(r"[ \u3000]")


def _split_number(text: str, s: int, e: int) -> bool:
    """Digits with another run of digits one space away (「1 37点」): a number the PDF reader cut
    at a line or cell edge, or digits grouped by spaces. Its width cannot be judged part by part
    (「1」→「１」 would make 「１37」), so neither part is counted or flagged."""
    before = s >= 2 and _SPLIT_GAP.match(text[s - 1]) is not None and text[s - 2] in _DIGITS
    after = e + 1 < len(text) and _SPLIT_GAP.match(text[e]) is not None and text[e + 1] in _DIGITS
    return before or after


_DIGITS = "0123456789０１２３４５６７８９"
_HALF_LATIN = re.compile(r"[A-Za-z]")


def _width_digits(ctx: Context, cfg: dict, src: str) -> Iterator[Hit]:
    english = _english(ctx)
    idents = [i for i in _identifiers(ctx) if not english.overlaps(i[1], i[2])]
    in_ident = SpanSet([(s, e) for _, s, e, _ in idents])
    refs = [r for r in _references(ctx) if not in_ident.overlaps(r[1], r[2]) and not english.overlaps(r[1], r[2])]
    in_ref = SpanSet([(s, e) for _, s, e, _ in refs])
    figs = _figures(ctx)
    in_fig = SpanSet([(s, e) for s, e, _ in figs])
    runs = [r for r in _runs(ctx, _DIGIT_RUN) if not in_ident.overlaps(r[1], r[2]) and not english.overlaps(r[1], r[2])
            and not in_ref.overlaps(r[1], r[2]) and not _split_number(ctx.text, r[1], r[2])]
    yield from _width_references(ctx, refs, cfg, src)
    yield from _width_figures(ctx, figs, [r for r in runs if in_fig.covers(r[1], r[2])], cfg, src)
    runs = [r for r in runs if not in_fig.overlaps(r[1], r[2])]
    h1 = hn = f1 = fn = 0
    for sent, s, e, run in runs:
        if not _counted(ctx, sent, s, e):
            continue
        w = _digit_width(run)
        single = len(run) == 1
        if w == "h":
            h1 += single
            hn += not single
        elif w == "f":
            f1 += single
            fn += not single
    half, full = h1 + hn, f1 + fn
    # the house style 「one digit full-width, longer ones half-width」 shows in the writer's own
    # codes too (「第１-１-３図」 beside 「2016年３月」): their digit runs are evidence for it
    s_h1, s_hn, s_f1, s_fn = h1, hn, f1, fn
    for sent, s, e, ident in idents:
        # a name with half-width letters (W3C, 5G, D023) is written as its owner writes it:
        # its digits say nothing about the writer's house rule
        if not _counted(ctx, sent, s, e) or _HALF_LATIN.search(ident):
            continue
        for m in _DIGIT_RUN.finditer(ctx.text, s, e):
            w, single = _digit_width(m.group()), len(m.group()) == 1
            s_h1 += w == "h" and single
            s_hn += w == "h" and not single
            s_f1 += w == "f" and single
            s_fn += w == "f" and not single
    split_v = s_h1 + s_fn
    split_min = int(cfg.get("split_min", 3))
    # every full-width number one digit and every half-width number longer (「2020年４月」,
    # 「別添１」 beside 「0304」): nothing in the document contradicts the house rule, so a
    # 「majority」 of one kind is only how often short and long numbers happen to occur. Several
    # one-digit numbers are needed (never one sentence's 「令和５年（2023年）10月」)
    unbroken = split_v == 0 and s_f1 >= split_min and s_hn > 0
    if unbroken or (s_f1 + s_fn and s_h1 + s_hn and s_f1 >= split_min and s_hn >= split_min
                    and split_v < min(s_h1 + s_hn, s_f1 + s_fn)):
        conv = "split"
    else:
        conv = "h" if half >= full else "f"
    counts = {"half": half, "full": full, "single_full": s_f1, "multi_half": s_hn}
    for sent, s, e, run in runs:
        if not sent.terminated or ctx.verbatim.overlaps(s, e):
            continue
        w = _digit_width(run)
        if conv == "split":
            want = "f" if len(run) == 1 else "h"
        else:
            want = conv
        if w == want:
            continue
        sug = to_fullwidth(to_halfwidth(run)) if want == "f" else to_halfwidth(run)
        if sug == run:
            continue
        key = "digits_split" if conv == "split" else ("digits_half" if want == "h" else "digits_full")
        yield Hit(s, e, sug, cfg["id"], "全角半角", src, {"_message": cfg["messages"][key], **counts})
    yield from _mixed_identifiers(ctx, idents, "h" if conv == "split" else conv, cfg, src)


def _mixed_identifiers(ctx: Context, idents: list, doc_width: str, cfg: dict, src: str) -> Iterator[Hit]:
    """An identifier whose own digits mix widths (「Ｂ００５－10－２」): the minority part takes
    the width of the rest of the identifier (the document's on a tie)."""
    text = ctx.text
    for sent, s, e, ident in idents:
        if not sent.terminated:
            continue
        parts = [(m.start(), m.end(), _digit_width(m.group())) for m in _DIGIT_RUN.finditer(text, s, e)]
        h = sum(1 for *_, w in parts if w == "h")
        f = sum(1 for *_, w in parts if w == "f")
        if not (h and f) or ctx.verbatim.overlaps(s, e):
            continue
        want = "h" if h > f else "f" if f > h else doc_width
        for ps, pe, w in parts:
            if w == want:
                continue
            run = text[ps:pe]
            sug = to_fullwidth(to_halfwidth(run)) if want == "f" else to_halfwidth(run)
            key = "ident_half" if want == "h" else "ident_full"
            yield Hit(ps, pe, sug, cfg["id"], "全角半角", src, {"_message": cfg["messages"][key], "ident": ident})


_NAME_QUOTE = re.compile(r"[「『][ \u3000]?([A-Za-zＡ-Ｚａ-ｚ0-9０-９][A-Za-zＡ-Ｚａ-ｚ0-9０-９ .\-]{0,40})"
                         r"[ \u3000]?[」』]")


def _quoted_names(ctx: Context) -> frozenset[str]:
    """Latin words the document introduces as names in brackets (プログラム「ELIZA」, 『ChatGPT』):
    a name is written as its owner writes it (the 2010 訓令 3(1) leaves 固有名詞 out of its rules),
    so it and every later mention spelled the same way stay as written."""
    text = ctx.text
    out: set[str] = set()
    for s, e in zip(ctx.quotes.starts, ctx.quotes.ends):
        for m in _NAME_QUOTE.finditer(text, s, e):
            out.update(_LATIN_RUN.findall(m.group(1)))
    return frozenset(out)


def _width_latin(ctx: Context, cfg: dict, src: str) -> Iterator[Hit]:
    """Latin letters by the same majority, except that a half-width word with lower-case
    letters (DeepMind, Google, Excel) is a name or an English word and stays as written, and
    a single letter is a symbol."""
    english = _english(ctx)
    # one letter (Ａ案, ＡがＢに, 別表Ｘ) is a symbol, not a word
    names = _quoted_names(ctx)
    runs = [r for r in _runs(ctx, _LATIN_RUN)
            if len(r[3]) > 1 and not english.overlaps(r[1], r[2]) and not (r[3].isascii() and not r[3].isupper())]
    half = full = 0
    for sent, s, e, run in runs:
        if _counted(ctx, sent, s, e):
            w = _digit_width(run)
            half += w == "h"
            full += w == "f"
    conv = "h" if half >= full else "f"
    counts = {"half": half, "full": full}
    for sent, s, e, run in runs:
        if not sent.terminated or ctx.verbatim.overlaps(s, e) or run in names:
            continue
        w = _digit_width(run)
        if w == conv:
            continue
        sug = to_fullwidth(to_halfwidth(run)) if conv == "f" else to_halfwidth(run)
        if sug == run:
            continue
        key = "latin_half" if conv == "h" else "latin_full"
        yield Hit(s, e, sug, cfg["id"], "全角半角", src, {"_message": cfg["messages"][key], **counts})


# --- 読点 -------------------------------------------------------------------------------------
_COMMA = re.compile(r"[、，]|(?<=[ぁ-ゖァ-ヺ一-鿿々）」』]),(?![0-9])")


def comma(ctx: Context, rs: Ruleset) -> Iterator[Hit]:
    """「，」 and 「、」 are both allowed in horizontal text, one per document (2022 建議 Ⅰ-5);
    an ASCII comma after Japanese text is never right and takes the document's mark."""
    cfg = rs.consistency["comma"]
    src = rs.cite(cfg["source"])
    text = ctx.text
    marks: list[tuple[Sentence, int]] = []
    ten = maru = 0
    for sent in ctx.sentences:
        if sent.level not in ("body", "prose"):
            continue
        for mo in _COMMA.finditer(text, sent.start, sent.end):
            i = mo.start()
            ch = text[i]
            if ch == "，" and i > 0 and i + 1 < len(text) and _is_digit(text[i - 1]) and _is_digit(text[i + 1]):
                continue          # a thousands separator, judged by the width rule
            if ctx.blocked.overlaps(i, i + 1):
                continue
            marks.append((sent, i))
            if _counted(ctx, sent, i, i + 1):
                ten += ch == "、"
                maru += ch == "，"
    major = "，" if maru > ten else "、"
    counts = {"ten": ten, "comma": maru}
    for sent, i in marks:
        ch = text[i]
        if ch == major or not sent.terminated or ctx.verbatim.overlaps(i, i + 1):
            continue
        key = "ascii" if ch == "," else ("to_ten" if major == "、" else "to_comma")
        yield Hit(i, i + 1, major, cfg["id"], "句読点", src, {"_message": cfg["messages"][key], **counts})


def _is_digit(c: str) -> bool:
    return "0" <= c <= "9" or "０" <= c <= "９"


# --- です・ます vs である -------------------------------------------------------------------
def style(ctx: Context, ms: Sequence[Morpheme], rs: Ruleset) -> Iterator[Hit]:
    """The predicate ending of each body sentence (footnote markers stripped first). Where
    both styles occur, a minority ending is a mix when it stands among majority sentences —
    at most ``max_run`` minority sentences in a row; a longer run of the other style is a
    passage of its own (an abstract, a glossary, a quoted text), and it is left alone."""
    cfg = rs.style_mix
    src = rs.cite(cfg["source"])
    max_run = int(cfg.get("max_run", 2))
    text = ctx.text
    starts = [m.start for m in ms]
    endings: list[tuple[str, int, int]] = []
    for sent in ctx.sentences:
        if sent.level != "body" or not sent.terminated or sent.speech or sent.form or sent.provision:
            # a remark is recorded as said; a form's wording is the submitter's; provision text
            # an amendment or correction restates is the notice's である beside a cover letter's
            # です・ます (2022 建議 Ⅰ-1: 通知・依頼 in です・ます, 告示・通達 in である)
            continue
        last = sent.end - 1
        while last > sent.start and text[last] in "」』":
            last -= 1
        if ctx.quotes.overlaps(last, last + 1):
            continue              # the 。 belongs to a quotation
        i = bisect.bisect_left(starts, sent.start)
        j = bisect.bisect_left(starts, sent.end)
        cur = [m for m in ms[i:j] if not ctx.markers.overlaps(m.start, m.end)]
        e = ending(cur)
        if e is None or "\n" in text[max(sent.start, e[1] - 1):e[2]]:
            continue              # no predicate, or one cut by a line wrap (unreadable)
        endings.append(e)
    polite = sum(1 for e in endings if e[0] == "polite")
    plain = len(endings) - polite
    if not polite or not plain:
        return
    major = "polite" if polite > plain or (polite == plain and endings[0][0] == "polite") else "plain"
    params = {"style_key": major, "polite": polite, "plain": plain}
    k = 0
    n = len(endings)
    while k < n:
        if endings[k][0] == major:
            k += 1
            continue
        r = k
        while r < n and endings[r][0] != major:
            r += 1
        if r - k <= max_run:
            for _style, hs, he in endings[k:r]:
                yield Hit(hs, he, text[hs:he], cfg["id"], "文体", src, dict(params))
        k = r
