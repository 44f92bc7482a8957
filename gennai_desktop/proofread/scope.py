"""What each part of a document is checked for: block kinds → levels, and the spans inside
a block that no rule may read (URLs, footnote markers, quoted titles).

Why: officials stop reading a checker that flags reference entries, URLs, running headers or
a table cell as if they were the author's sentences. The kind sets in ``core.document`` say
what each kind gets (docs/structure.md); the readers do not yet emit every kind (.docx gives
headings, list items and tables; PDFs mostly paragraphs), so ``block_levels`` also recognises
from the text alone what a reader left as a plain paragraph: a line that is only a URL, a
page number or a running header repeated on many pages, a table-of-contents line, a
bibliography entry, a figure/table caption, Markdown code. When the readers emit those kinds
themselves, these guesses simply stop firing (a block of kind ``url`` is ``none`` already).

Levels:
  body  — paragraphs and list items: every rule; document majorities (width, comma, style)
          are counted here and 長文 hints are given only here.
  prose — notes (footnotes, ※, 注): every rule except majorities and 長文.
  label — titles, headings, captions, table cells: word-level rules only (no sentence-end,
          consistency, 長文 or running-text rules).
  none  — references, URLs, image text, code, page furniture: never checked.
"""
from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from ..core.document import (
    BODY_KINDS,
    LABEL_KINDS,
    UNCHECKED_KINDS,
    Block,
    Document,
    table_text,
)
from ..nlp.notes import note_marker_spans
from ..nlp.sentences import sentence_spans
from ..nlp.speaker_labels import speaker_of

Level = Literal["body", "prose", "label", "none"]
LEVEL_RANK = {"none": 0, "label": 1, "prose": 2, "body": 3}


@dataclass(frozen=True)
class Region:
    """A block's ``[start, end)`` slice of the checked text and what it is checked for."""

    start: int
    end: int
    level: Level
    block_id: str = ""
    wrapped: bool = False   # its newlines are layout line wraps (PDF), not sentence breaks
    speech: bool = False    # a recorded remark (議事録): word-level notation only, never rewritten
    form: bool = False      # inside a form (様式): its fixed wording is the submitter's
    part: int = 0           # which attachment (様式/別紙/別添/別表) it belongs to: items are numbered per part
    old: tuple[tuple[int, int], ...] = ()   # the 改正前 side of a comparison table: quoted as it stood
    provision: bool = False  # provision text enacted or restated by an amendment/correction notice
    ocr: bool = False        # read by OCR: the glyph widths are the OCR engine's choice, not the writer's


def kind_level(kind: str) -> Level:
    if kind in UNCHECKED_KINDS:
        return "none"
    if kind in LABEL_KINDS:
        return "label"
    if kind in BODY_KINDS:
        return "body"
    return "prose"          # note and any kind added later that is prose


# --- recognising from the text what a reader left as a plain paragraph -----------------------
_URL_ONLY = re.compile(r"^\s*[<(（]?(?:https?://|www\.)\S+[>)）]?\s*$")
_PAGE_NO = re.compile(r"^\s*(?:[-－–—‐]\s*)?(?:[0-9０-９]{1,4}|[ivxIVXⅰ-ⅹⅠ-Ⅹ]{1,5})(?:\s*[-－–—‐])?"
                      r"(?:\s*/\s*[0-9０-９]{1,4})?\s*$")
_TOC = re.compile(r"(?:\.{4,}|…{2,}|・{4,}|‥{2,}|\u2025{2,})\s*[0-9０-９ivx]+\s*$"
                  r"|^[^。\t]{1,80}\t\s*[0-9０-９ivxIVX]+\s*$")
_REF_HEADING = re.compile(r"参考文献|参考資料|参考情報|引用文献|出典一覧|参考URL|参考ＵＲＬ|関連リンク|リンク集|"
                          r"References|Bibliography|参考リンク")
_REF_ENTRY = re.compile(r"^\s*(?:[\[［(（]?[0-9０-９]{1,3}[\]］)）.．]?\s*)?"
                        r"(?:[A-Z][A-Za-z\-]+,\s|.*\bet al\.|.*\(\d{4}[a-z]?\)[,.]|.*https?://"
                        r"|.*[（(](?:19|20)[0-9]{2}[a-z]?[)）]\s*[『「])")
_CAPTION = re.compile(r"^\s*[■□◆◇●○▼▽【\[]?\s*(?:図表|図|表|写真|グラフ|コラム|参考)\s*"
                      r"[0-9０-９][0-9０-９\-－‐―ー．.・]*"
                      r"|^\s*(?:出典|資料|出所|備考)\s*[：:]")
_NOTE = re.compile(r"^\s*(?:（注[0-9０-９]*）|\(注[0-9０-９]*\)|注[0-9０-９]{0,2}[\s　：:]|※[0-9０-９]*[\s　])")
_FOOTNOTE_LINE = re.compile(r"^[0-9]{1,3}[ \u3000](?=\S)")   # a PDF page's footnote: "2 コラム…", "1 McCarthy…"
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")
_FENCE = re.compile(r"^\s*(?:```|~~~)")


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _side_by_side(text: str) -> bool:
    """Two columns of a comparison table (新旧対照表) read as one line: the line's opening
    words recur later in the same line (「（２）　結核病棟に…際 （２）　結核病棟に…」)."""
    flat = _norm(text)
    head = flat[:10]
    return len(head) >= 10 and flat.find(head, 10) > 0


def _furniture(blocks: Sequence[Block]) -> set[str]:
    """Texts repeated on at least three pages (running headers/footers the reader kept)."""
    pages: dict[str, set[int]] = defaultdict(set)
    for b in blocks:
        if b.page is not None and b.kind in BODY_KINDS and len(b.text) <= 80:
            pages[_norm(b.text)].add(b.page)
    n_pages = len({b.page for b in blocks if b.page is not None})
    need = max(3, n_pages // 3)
    return {t for t, ps in pages.items() if t and len(ps) >= need}


def block_levels(doc: Document) -> list[Level]:
    """The level of each block of ``doc`` (same order as ``doc.blocks``)."""
    blocks = doc.blocks
    furniture = _furniture(blocks) if doc.format == "pdf" else set()
    levels: list[Level] = []
    in_refs = False
    in_code = False
    for b in blocks:
        level = kind_level(b.kind)
        text = b.text
        if b.kind in BODY_KINDS and text.strip():
            stripped = text.strip()
            if doc.format == "txt" and _FENCE.match(stripped):
                in_code = not in_code
                level = "none"
            elif (in_code or _URL_ONLY.match(stripped) or _PAGE_NO.match(stripped) or _TOC.search(stripped)
                  or furniture and _norm(text) in furniture):
                level = "none"
            elif doc.format == "txt" and _MD_HEADING.match(text):
                level = "label"
                in_refs = bool(_REF_HEADING.search(text))
            elif (in_refs and not stripped.endswith(("。", "．"))
                  or _REF_ENTRY.match(stripped) and not stripped.endswith("。") and stripped.count("。") == 0):
                level = "none"
            elif _CAPTION.match(stripped) or (doc.format == "pdf" and _side_by_side(text)):
                level = "label"
            elif _NOTE.match(stripped) or (doc.format == "pdf" and _FOOTNOTE_LINE.match(stripped)):
                level = "prose"
        elif b.is_heading:
            in_refs = bool(_REF_HEADING.search(text))
        if len(_norm(text)) <= 2:
            level = "none"          # empty, or one or two characters: a figure label, a vertical table heading
        elif level == "body" and _continues_note(doc, b, levels):
            level = "prose"
        levels.append(level)
    return levels


_MID_SENTENCE = re.compile(r"[ぁ-ゖァ-ヺ一-鿿々ー、，]$")


def _continues_note(doc: Document, b: Block, levels: list[Level]) -> bool:
    """A PDF block right after a footnote that stops mid-sentence, in Japanese text (「…を立ち上げた。
    その」⏎「後、同年9月の…」), is the rest of that footnote, cut where the reader split the lines:
    a note too. Only a footnote itself (not a block taken for its rest, not a figure's labels)
    is continued, and only when the next block does not open a paragraph (an indent)."""
    i = len(levels)
    if doc.format != "pdf" or i == 0 or levels[i - 1] != "prose":
        return False
    prev = doc.blocks[i - 1]
    head = prev.text.strip()
    is_note = prev.kind == "note" or _NOTE.match(head) is not None or _FOOTNOTE_LINE.match(head) is not None
    return (is_note and prev.page == b.page and _MID_SENTENCE.search(prev.text.rstrip()) is not None
            and not b.text.startswith(("\u3000", " ")))


def regions(doc: Document) -> list[Region]:
    """One region per block, in offset order. A PDF block's newlines are where the page
    wrapped its lines, so a sentence runs across them."""
    wrapped = doc.format in ("pdf", "image")
    levels = block_levels(doc)
    speech = speech_blocks(doc.blocks, levels)
    parts, forms = attachment_parts(doc.blocks)
    old = old_sides(doc.blocks, doc.format)
    prov = provision_blocks(doc.blocks, parts)
    return [Region(b.start, b.end, lv, b.id, wrapped and b.kind != "table", sp, fm, pt, od, pv, b.ocr)
            for b, lv, sp, fm, pt, od, pv in zip(doc.blocks, levels, speech, forms, parts, old, prov)]


# --- provision text in an amendment or correction notice ------------------------------------------
# 「…Ａ１０２（２）を次のように改める。」 introduces the provision as amended; a notice whose own text
# says its attachments amend or correct another notice (「別添１から別添５までのとおり訂正します」)
# restates that notice's provisions in them
_AMEND = re.compile(r"次の(?:ように|とおり)(?:改める|加える|改正する|訂正する|定める)。\s*$")
# a short line that names the comparison table (not a sentence that mentions one)
_COMPARISON_TITLE = re.compile(r"^[^。\n]{0,20}新旧対照表[^。\n]{0,20}$")
_BY_ATTACHMENT = re.compile(r"(?:別添|別紙|別記)[^。]{0,20}のとおり[^。]{0,10}(?:改正|訂正|改め)")


def provision_blocks(blocks: Sequence[Block], parts: Sequence[int]) -> list[bool]:
    """Which blocks are provision text an amendment or correction notice enacts or restates.

    Why: that text is written by the 法令 standard (long sentences with 及び/並びに are its
    norm) and a notice that only changes its points or corrects a word does not rebuild its
    sentences; the 長文 hint (a readability 目安 of the 2022 建議 Ⅲ-3, off for laws) is not
    given there. Word-level notation is still checked: the issuer's text must follow it.
    Everything after a 新旧対照表 title (「（参考：新旧対照表）」) is that table: the provisions as
    amended and as they stood, quoted side by side."""
    restating = any(p == 0 and _BY_ATTACHMENT.search(b.text) for b, p in zip(blocks, parts))
    out: list[bool] = []
    inside = False
    table = False
    for b, p in zip(blocks, parts):
        if table or _COMPARISON_TITLE.search(b.text.strip()):
            table = True
            out.append(True)
            continue
        if _AMEND.search(b.text):
            inside = True
            out.append(False)
            continue
        if b.is_heading or (p == 0 and not inside):
            inside = False
        out.append(inside or (restating and p > 0))
    return out


# --- transcribed speech (議事録) ----------------------------------------------------------------
# A remark opens with its speaker: 「○藤田部会長　」「〇山田委員　」「○議長（田中太郎君）　」「◯佐藤君　」,
# 「発言者：」, 「【田中委員】」, 「田中委員：」 (nlp.speaker_labels, shared with the summariser's
# minutes reader). The role word is required, so a ○ bullet (「○ 基本方針」) is not a speaker.
SPEECH_MIN_TURNS = 2     # one ○ line is not a transcript; a 議事録 has many turns


def speech_blocks(blocks: Sequence[Block], levels: Sequence[Level]) -> list[bool]:
    """Which blocks are recorded remarks: from a speaker label to the next heading.

    Why: a 議事録 records what was said; splitting a long remark or changing its style
    would change the record (2022 建議 Ⅰ-1: the 記録 is of the speech). Only notation —
    kanji, kana, okurigana, numbers — is reviewed there."""
    turns = [speaker_of(b.text) is not None for b in blocks]
    if sum(turns) < SPEECH_MIN_TURNS:
        return [False] * len(blocks)
    out: list[bool] = []
    inside = False
    for b, lv, turn in zip(blocks, levels, turns):
        if turn:
            inside = True
        elif b.is_heading or lv == "label":
            inside = False
        out.append(inside and lv != "none")
    return out


# --- attachments and forms ----------------------------------------------------------------------
# 「様式 87 の３の２」「別紙様式１」「（別添２）」「別表第一」: an attachment numbers its own items,
# and a 様式's wording (「上記について報告します。」) is the form's, written for its submitter
_PART = re.compile(r"^[ \t\u3000]*[(（【]?[ \t\u3000]*(?:別紙|別添|別記|別表|参考)?[ \t\u3000]*"
                   r"(?:様[ \t\u3000]*式|別紙|別添|別記|別表)"
                   r"[ \t\u3000]*(?:第[ \t\u3000]*)?[0-9０-９一二三四五六七八九十]")
_FORM = re.compile(r"^[ \t\u3000]*[(（【]?[ \t\u3000]*(?:別紙|別添|別記)?[ \t\u3000]*様[ \t\u3000]*式")


def attachment_parts(blocks: Sequence[Block]) -> tuple[list[int], list[bool]]:
    """The attachment each block belongs to (0: the main text) and whether it is a form."""
    parts: list[int] = []
    forms: list[bool] = []
    part = 0
    form = False
    for b in blocks:
        head = b.text[:40]
        if len(_norm(b.text)) <= 40 and _PART.match(head):
            part += 1
            form = bool(_FORM.match(head))
        parts.append(part)
        forms.append(form)
    return parts, forms


# --- the 改正前 side of a comparison table (新旧対照表) ---------------------------------------------
_OLD_HEAD = re.compile(r"改[ \t\u3000]*正[ \t\u3000]*前|現[ \t\u3000]*行|^[ \t\u3000]*旧[ \t\u3000]*$")
_NEW_HEAD = re.compile(r"改[ \t\u3000]*正[ \t\u3000]*後|改[ \t\u3000]*正[ \t\u3000]*案|^[ \t\u3000]*新[ \t\u3000]*$")
_HEAD_PAIR = re.compile(r"(?:改[ \t\u3000]*正[ \t\u3000]*[前後案]|現[ \t\u3000]*行"
                        r"|(?<![^ \t\u3000\n])[新旧](?![^ \t\u3000\n]))")


def _old_first(text: str) -> bool | None:
    """From a column header line: is the 改正前 column the first (left) one? None: no header."""
    heads = [m.group() for m in _HEAD_PAIR.finditer(text)]
    kinds = ["old" if _OLD_HEAD.search(h) else "new" if _NEW_HEAD.search(h) else "" for h in heads]
    kinds = [k for k in kinds if k]
    if "old" in kinds and "new" in kinds and len(_norm(text)) <= 24:
        return kinds.index("old") < kinds.index("new")
    return None


def _halves(text: str) -> int | None:
    """Where the second column of a side-by-side line starts: the line's opening words
    recur after a space (「（５）　「注５」に…（96 （５）　「注５」に…」)."""
    flat = text.lstrip(" \u3000")
    lead = len(text) - len(flat)
    k = 0
    while k < len(flat) and not flat[k].isspace() and k < 12:
        k += 1
    if k < 2:
        return None
    head = flat[:k]
    best = None
    mid = len(text) / 2
    i = text.find(head, lead + k)
    while i > 0:
        if text[i - 1] in " \u3000\t\n" and (best is None or abs(i - mid) < abs(best - mid)):
            best = i
        i = text.find(head, i + 1)
    if best is None or not (0.25 <= best / len(text) <= 0.75):
        return None
    return best


def old_sides(blocks: Sequence[Block], fmt: str) -> list[tuple[tuple[int, int], ...]]:
    """Spans (offsets into the document) of the 改正前 side of each block of a comparison table.

    Why: a 新旧対照表 quotes the provision as it stood before the amendment; it cannot be
    corrected, only the 改正後 side is the issuer's text. A table whose header row names the
    columns gives the column; a PDF page read without its table grid (both columns on one
    line) gives the side after the column break, in the header's order."""
    out: list[tuple[tuple[int, int], ...]] = []
    order: bool | None = None          # old column first? (from the latest header)
    for b in blocks:
        spans: list[tuple[int, int]] = []
        if b.rows:
            col = None
            for row in b.rows:
                for c, cell in enumerate(row):
                    if _OLD_HEAD.search(cell) and len(_norm(cell)) <= 8 and any(_NEW_HEAD.search(x) for x in row):
                        col = c
            if b.text == table_text(b.rows) and (col is not None or order is not None):
                off = b.start
                for row in b.rows:
                    cols = {col} if col is not None else _mirrored_old(row, bool(order))
                    for c, cell in enumerate(row):
                        if c in cols:
                            spans.append((off, off + len(cell)))
                        off += len(cell) + 1          # the tab, or the newline after the last cell
            out.append(tuple(spans))
            continue
        head = _old_first(b.text)
        if head is not None:
            order = head
        elif order is not None and fmt in ("pdf", "image"):
            alternate = _alternating(b.text)
            if alternate is not None:
                side = 0 if order else 1
                spans += [(b.start + s, b.start + e) for k, (s, e) in enumerate(alternate) if k % 2 == side]
            elif (pairs := _interleaved(b.text)) is not None:
                spans += [(b.start + s, b.start + e) for s, e in (pairs[0] if order else pairs[1])]
            else:
                for line_start, line in _lines(b.text):
                    cut = _halves(line)
                    if cut is None:
                        continue
                    s = b.start + line_start
                    spans.append((s, s + cut) if order else (s + cut, s + len(line)))
        out.append(tuple(spans))
    return out


def _mirrored_old(row: Sequence[str], old_first: bool) -> set[int]:
    """The cells of the 改正前 side of a table row that holds both sides of a comparison table
    (the grid of the 改正後 table and that of the 改正前 table read as one row: 2n cells whose
    halves open alike), given the header's order. Not mirrored: none."""
    n = len(row) // 2
    if n < 1 or len(row) % 2:
        return set()
    left, right = row[:n], row[n:]
    firsts = [(i, _norm(c)[:3]) for i, c in enumerate(left) if _norm(c)]
    if not firsts or any(_norm(right[i])[:3] != head for i, head in firsts[:2]):
        return set()
    return set(range(n)) if old_first else set(range(n, 2 * n))


_SEP = " \u3000"


def _interleaved(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]] | None:
    """(first-column, second-column) spans of a paragraph whose printed lines were read across
    both columns and then joined: 「n1　o1n2　o2n3　o3」 — each line of the first column, a space,
    the same line of the second, and the next line run on without a break.

    Why: the two columns of a 新旧対照表 have the same width, so a full line holds as many
    characters on either side; the first line's length, found where the text's opening words
    recur after a space, gives every cut. A shorter line (a paragraph's last) ends at the next
    space, and its counterpart on the other side is taken to be as long."""
    flat = _norm(text[:8])
    width = None
    for i, ch in enumerate(text):
        if ch in _SEP and i >= 6 and _norm(text[i + 1:i + 9])[:6] == flat[:6] and len(flat) >= 6:
            width = i
            break
    if width is None:
        return None
    first: list[tuple[int, int]] = []
    second: list[tuple[int, int]] = []
    pos = 0
    while pos < len(text):
        while pos < len(text) and text[pos] in _SEP:
            pos += 1
        if pos >= len(text):
            break
        cut = pos + width
        if cut >= len(text) or text[cut] not in _SEP:
            cut = next((j for j in range(pos, len(text)) if text[j] in _SEP), len(text))
        first.append((pos, cut))
        if cut >= len(text):
            break
        start = cut + 1
        end = min(len(text), start + (cut - pos))
        second.append((start, end))
        pos = end
    return first, second


def _alternating(text: str) -> list[tuple[int, int]] | None:
    """The segments of a block read across both columns line by line (「L1 R1 L2 R2 …」, the
    reader joining each printed line of the left column with the same line of the right one
    by a space): an even number of space-separated segments whose first two open alike."""
    segs: list[tuple[int, int]] = []
    pos = 0
    for part in text.split(" "):
        if part.strip():
            segs.append((pos, pos + len(part)))
        pos += len(part) + 1
    if len(segs) < 2 or len(segs) % 2:
        return None
    a = _norm(text[segs[0][0]:segs[0][1]])[:3]
    b = _norm(text[segs[1][0]:segs[1][1]])[:3]
    return segs if len(a) == 3 and a == b else None


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


# --- spans no rule may read ----------------------------------------------------------------
_URLISH = re.compile(r"(?:https?://|www\.)[^\s\u3000「」『』（）()<>、。，]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
                     r"|\]\([^)\s]*\)|`[^`\n]+`")
# Footnote markers beyond the explicit shapes nlp.notes knows ([43](#), ^[1], ※1, （注3）,
# superscripts): digits the PDF reader flattened from superscripts, glued between a predicate's
# kana and 。/、 (「…した1。」「…ませんが2、」), or to a word and followed by a particle or a
# closing bracket with no counter (「戦略7が」「行動計画7」」「拡充2される」). Until the reader
# writes them as superscripts, these are recognised here.
_FLAT_MARKER = re.compile(r"(?<=[ぁ-ゖ」』）])[0-9]{1,3}(?:[,，、][0-9]{1,3})*(?=[。、．，])"
                          r"|(?<=[一-鿿ァ-ヺー）」』A-Za-zＡ-Ｚａ-ｚ])(?<![第約計全各同毎])[0-9]{1,2}(?:[,、][0-9]{1,2})*"
                          r"(?=[ぁ-ゔ」』）、。])(?!つ|か[月所国年条]|ヶ)")
_MID_MARKER = re.compile(r"\[[0-9]{1,3}\]\(#[^)]*\)|\^\[[^\]\n]{1,20}\]|※[0-9０-９]{1,2}|[⁰¹²³⁴-⁹]+")


def protected_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """URLs, e-mail addresses, link targets and inline code inside ``text[start:end]``."""
    return [(start + m.start(), start + m.end()) for m in _URLISH.finditer(text, start, end)] if start < end else []


def marker_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Footnote markers inside ``text[start:end]``: stripped before a sentence end is read
    (nlp.notes, the shapes every task strips), and never counted or flagged by the width
    rules (also the explicit ones in mid-sentence, and digits flattened from superscripts)."""
    chunk = text[start:end]
    spans = [(start + s, start + e) for s, e in note_marker_spans(chunk)]
    spans += [(start + m.start(), start + m.end()) for m in _MID_MARKER.finditer(chunk)]
    spans += [(start + m.start(), start + m.end()) for m in _FLAT_MARKER.finditer(chunk)]
    return spans


_QUOTE = re.compile(r"「[^「」]{1,300}」|『[^『』]{1,300}』")
# a 「…」 that names another document (quoted as written: 2022 建議 Ⅰ-6): it ends like a title,
# or a date/number citation follows it — 「…の取扱いについて」（令和２年３月５日保医発…）
_TITLE_END = re.compile(r"(?:について|に関する件|の件|する件|法|法律|令|規則|規程|要綱|要領|基準|"
                        r"指針|方針|計画|戦略|大綱|"
                        r"ガイドライン|ガイドブック|ハンドブック|マニュアル|報告書|報告|白書|通知|告示|決定|宣言|考え方|ビジョン|プラン|"
                        r"プログラム|ロードマップ|アクションプラン|綱領|憲章|条約|協定|規約|約款|手引き?|概要|資料|答申|建議|提言)」$")
# a line that is the title of another notice, with its date/number on the next line:
# 「…の届出に関する手続きの取扱いについて」⏎「（令和２年３月５日保医発0305第２号）」
_TITLE_LINE = re.compile(r"^[^\n。]{6,120}(?:について|に関する件|の件|する件)[ \u3000]*\n"
                         r"[ \u3000]*[（(](?:令和|平成|昭和)", re.M)
_CITATION_AFTER = re.compile(r"[（(][^）)\n]{0,40}"
                             r"(?:[0-9０-９一二三四五六七八九十元]年|第[0-9０-９一二三四五六七八九十百]+号|決定|閣議)")
# the same title not in 「」 with its date/number on the same line, the title perhaps wrapped from
# the line before: 「…に係る届出に関する⏎手続きの取扱いについて（令和２年３月５日保医発0305第13号）」
_TITLE_CITED = re.compile(r"^[^\n。「」]{2,120}?(?:について|に関する件|の件|する件)[ \u3000]*"
                          r"[（(](?:令和|平成|昭和)[^）)\n]{0,40}号[）)]", re.M)
TITLE_WRAP_MIN = 6     # a line before that long and not ending a sentence or a bracket is the title's start


QUOTE_RUN_ON = 120     # a quotation opened at the end of a block may close in the next (a wrapped caption)


def quote_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Quoted spans (「…」『…』, brackets included) that open inside ``text[start:end]``; one
    left open at the block's end may close just after it (a PDF line made a block of its own)."""
    return [m.span() for m in _QUOTE.finditer(text, start, min(len(text), end + QUOTE_RUN_ON)) if m.start() < end]


def title_quotes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Quotes that are titles of other texts (『…』, or 「…」 that ends like a title or is
    followed by a date/number citation): quoted as written, so word rules stay out."""
    out = []
    for s, e in quote_spans(text, start, end):
        if text[s] == "『" or _TITLE_END.search(text, s, e) or _CITATION_AFTER.match(text, e, min(len(text), e + 48)):
            out.append((s, e))
    if "\n" in text[start:end] or end < len(text):
        for m in _TITLE_LINE.finditer(text, start, min(len(text), end + 12)):
            if m.start() < end:
                out.append((m.start(), text.find("\n", m.start())))
        for m in _TITLE_CITED.finditer(text, start, min(len(text), end + 12)):
            if m.start() < end:
                out.append((_wrapped_from(text, m.start()), m.end()))
    return out


def _wrapped_from(text: str, line_start: int) -> int:
    """Where a title that goes on at ``line_start`` begins: the line before, when that line is
    long enough and ends with neither a sentence end nor a closing bracket (「（別添５）」)."""
    if line_start < 2 or text[line_start - 1] != "\n":
        return line_start
    prev = text.rfind("\n", 0, line_start - 1) + 1
    line = text[prev:line_start - 1].rstrip(" \u3000")
    if len(line) >= TITLE_WRAP_MIN and line[-1] not in "。．）)」』】":
        return prev
    return line_start


class SpanSet:
    """Sorted, merged spans with a fast overlap test."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect.bisect_right(self.starts, e - 1) - 1
        return i >= 0 and self.ends[i] > s

    def covers(self, s: int, e: int) -> bool:
        i = bisect.bisect_right(self.starts, s) - 1
        return i >= 0 and self.ends[i] >= e


# --- the context every sentence-level rule reads ------------------------------------------------
_LABEL = re.compile(r"^[ \t\u3000]*(?:[(（][0-9０-９]{1,3}[)）]|[0-9０-９]{1,3}(?:[.．\-－][0-9０-９]{1,3})*"
                    r"(?:[)）.．]|(?=[ \t\u3000]))"
                    r"|第[ \t\u3000]*[0-9０-９]{1,3}[ \t\u3000]*[部章節編款](?=[ \t\u3000]))", re.M)
_TERMINATORS = frozenset("。．！？!?")
_CLOSERS = "」』"
# 均等割付 lines (「事 務 連 絡」「保 医 発 0 8 1 9 第 1 0 号」) and text set one character per line
# (vertical labels in tables and figures): no word can be read there
_SPACED = re.compile(r"(?<![^ \t\u3000\n])\S(?:[ \t\u3000]+\S(?![^ \t\u3000\n])){1,}")


def _ascii_padding(spaced: str) -> bool:
    """「第 3 部」 at a line start: two characters around a half-width digit or letter are the
    spaces a PDF or Word puts around half-width text, not 均等割付 (「氏 名」「事 務 連 絡」)."""
    chars = spaced.split()
    return len(chars) == 2 and any(c.isascii() and c.isalnum() for c in chars)
# 漢字片仮名交じりの文語文 (「勅令ヲ以テ之ヲ定ム」: pre-war laws and promulgation formulas) is quoted
# history, not text a 2010/2022 rule applies to
_BUNGO = re.compile(r"^.*[一-鿿][ヲハニノヘトモテ][一-鿿].*[一-鿿][ヲハニノヘトモテ][一-鿿].*$", re.M)
_SHORT_LINES = re.compile(r"(?:^[ \t\u3000]*\S{1,2}[ \t\u3000]*(?:\n|$)){3,}", re.M)


def vertical_cells(table: str, run: int = 3) -> list[tuple[int, int]]:
    """Spans of the cells of a table (rows by newline, cells by tab) that hold a label set
    vertically, one or two characters to a row (「常／勤／従業／事／者」 down a form's side):
    the same column short in at least ``run`` rows in a row. No word can be read there."""
    rows: list[list[tuple[int, int]]] = []
    pos = 0
    for line in table.split("\n"):
        cells, c0 = [], pos
        for cell in line.split("\t"):
            cells.append((c0, c0 + len(cell)))
            c0 += len(cell) + 1
        rows.append(cells)
        pos += len(line) + 1
    out: list[tuple[int, int]] = []
    width = max((len(r) for r in rows), default=0)
    for col in range(width):
        streak: list[tuple[int, int]] = []
        for cells in rows + [[]]:
            span = cells[col] if col < len(cells) else None
            text = _norm(table[span[0]:span[1]]) if span else ""
            if span and 1 <= len(text) <= 2:
                streak.append(span)
                continue
            if len(streak) >= run:
                out += streak
            streak = []
    return out


@dataclass
class Sentence:
    start: int
    end: int
    level: Level          # the level of its block
    block: int            # index of its region
    terminated: bool      # ends with 。．！？ — a sentence, not a label or a figure's text
    speech: bool = False  # a recorded remark (議事録)
    form: bool = False    # inside a form (様式)
    provision: bool = False   # provision text of an amendment/correction notice


@dataclass
class Context:
    """What the document-level rules need, computed once per check."""

    text: str
    regions: Sequence[Region]
    sentences: list[Sentence]
    blocked: SpanSet        # URLs, e-mail, link targets, inline code: nothing is read there
    markers: SpanSet        # footnote markers
    verbatim: SpanSet       # quoted titles of other texts: consistency rules leave them as written
    quotes: SpanSet         # every quotation (left out of majority counts)
    labels: SpanSet         # leading item numbers of blocks ("(1)", "１．", "2)", "２　")
    titles: SpanSet         # quoted titles of other texts: word rules stay out
    item_labels: list[tuple[int, int, int]]   # (start, end, part) of every item label, headings and cells included


def build_context(text: str, regs: Sequence[Region]) -> Context:
    sentences: list[Sentence] = []
    blocked: list[tuple[int, int]] = []
    markers: list[tuple[int, int]] = []
    quotes: list[tuple[int, int]] = []
    verbatim: list[tuple[int, int]] = []
    labels: list[tuple[int, int]] = []
    titles: list[tuple[int, int]] = []
    item_labels: list[tuple[int, int, int]] = []
    for k, r in enumerate(regs):
        if r.level == "none" or r.start >= r.end:
            continue
        chunk = text[r.start:r.end]
        blocked += protected_spans(text, r.start, r.end)
        if "\n" in chunk or "\u3000" in chunk or " " in chunk:
            for m in _SHORT_LINES.finditer(chunk):
                blocked.append((r.start + m.start(), r.start + m.end()))
            for m in _SPACED.finditer(chunk):
                if not _ascii_padding(m.group()):
                    blocked.append((r.start + m.start(), r.start + m.end()))
        if "\t" in chunk:
            blocked += [(r.start + a, r.start + b) for a, b in vertical_cells(chunk)]
        if "ヲ" in chunk or "ハ" in chunk:
            for m in _BUNGO.finditer(chunk):
                if len(re.findall(r"[一-鿿][ヲハニノヘ][一-鿿]", m.group())) >= 3:
                    blocked.append((r.start + m.start(), r.start + m.end()))
        qs = quote_spans(text, r.start, r.end) + list(r.old)
        quotes += qs
        ts = title_quotes(text, r.start, r.end) + list(r.old)
        titles += ts
        verbatim += ts
        found = [(r.start + m.start(), r.start + m.end()) for m in _LABEL.finditer(chunk) if m.end() > m.start()]
        item_labels += [(s, e, r.part) for s, e in found]
        if r.level == "label":
            continue
        markers += marker_spans(text, r.start, r.end)
        labels += found
        view = chunk.replace("\n", " ") if r.wrapped else chunk
        for s, e in sentence_spans(view):
            t = e - 1
            while t > s and chunk[t] in _CLOSERS:
                t -= 1
            sentences.append(Sentence(r.start + s, r.start + e, r.level, k, chunk[t] in _TERMINATORS,
                                      r.speech, r.form, r.provision))
    return Context(text, regs, sentences, SpanSet(blocked), SpanSet(markers), SpanSet(verbatim),
                   SpanSet(quotes), SpanSet(labels), SpanSet(titles), item_labels)
