"""The 「文書情報」 line of a summary: what the document is, who issued it, when, its number.

Why: who decided something and when is often not said in any body sentence — it stands in
the letterhead of a 通知 (「保医発0316第1号令和4年3月16日」「厚生労働省保険局医療課長」), the
signature of a 告示 (「令和元年八月十九日　厚生労働大臣根本匠」) or the cover of a report
(「令和５年３月法務省民事局参事官室」「法制審議会第１９４回会議配布資料」). These lines are no
sentences, so they are never points; the summary states them once, labelled, before the
points, each piece cited to its block.

The cover is read from the document's structure (``core.document`` kinds), never from the
body: the short lines before the first body sentence (and, in a PDF, any short line of the
first page — a 告示 signs after its enacting sentence). A line is taken when it is

* the subject (件名) or title: a title block, or a line ending in 「について」「の件」 — never an
  addressee line (殿, 御中, 各位) or a date;
* a document number: 「…第N号」, 「事務連絡」;
* a date: 令和/平成/昭和 or a western year with 年 (a month at least);
* an issuer: a ministry/agency office or its head (「…省…課長」「…大臣…」「内閣官房…室」);
* a meeting or handout line: 「第N回…会議」「配布資料」.

Addressees (the lines up to one with 殿/御中/各位) are left out: they are whom a 通知 is sent
to, not who sent it. A subject the reader split over two blocks (a line that leaves a bracket
open or ends in 「の」) is joined and cites both; a line that opens with 別添/別紙/別記 (an
enclosure's title) or is the tail of a cut line (a closing bracket it never opened) is no piece
of this document's own cover.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.document import BODY_KINDS, Block, Document, Location

MAX_LINE = 100          # characters: a longer line is prose, not a cover line
MAX_PIECES = 5          # title, number, date, issuer, meeting: more is a page of prose
HEAD_BLOCKS = 20        # a cover is within the document's first blocks

_NUMBER = re.compile(r"第[0-9０-９一二三四五六七八九十百千]+号|事務連絡")
_DATE = re.compile(r"(?:令和|平成|昭和)\s*(?:元|[0-9０-９一二三四五六七八九十]+)\s*年"
                   r"\s*[0-9０-９一二三四五六七八九十]+\s*月|(?:19|20|１９|２０)[0-9０-９]{2}\s*年\s*[0-9０-９]{1,2}\s*月")
_ISSUER = re.compile(r"(?:省|庁|内閣官房|内閣府|委員会|審議会|本部)[^、。]{0,20}(?:長|官|室|局|課|部|大臣|本部|会議)"
                     r"|大臣|公印省略")
_MEETING = re.compile(r"第\s*[0-9０-９一二三四五六七八九十百]+\s*回[^、。]{0,20}(?:会議|部会|委員会|審議会)|配布資料")
_SUBJECT = re.compile(r"(?:について|の件|する件)\s*[）)]?$")
_ADDRESSEE = re.compile(r"殿|御中|各位")
_SENTENCE_END = re.compile(r"[。．]\s*$")
_LEAD_MARK = re.compile(r"^[○◯●・■◆]\s*")     # 「○厚生労働省告示第八十五号」: the mark is layout
_ATTACHMENT = re.compile(r"[（(]?(?:別添|別紙|別記|参考)")
_WORDS = re.compile(r"[ぁ-んァ-ヶ一-龥A-Za-zＡ-Ｚａ-ｚ]")


@dataclass(frozen=True)
class DocInfo:
    """The cover lines of a document, in reading order, each with where it stands."""

    pieces: tuple[str, ...]
    citations: tuple[Location, ...]

    @property
    def text(self) -> str:
        return "　".join(self.pieces)


def _kind_of(block: Block, text: str) -> str:
    """Which cover piece ``text`` is ('' when none)."""
    if _NUMBER.search(text):
        return "number"
    if _MEETING.search(text):
        return "meeting"
    if _ISSUER.search(text):
        return "issuer"
    if _DATE.search(text):
        return "date"
    if block.kind == "title" or _SUBJECT.search(text):
        return "title"
    return ""


def _cover(doc: Document) -> list[Block]:
    """The blocks a cover may stand in: the first blocks up to the first body sentence, and in
    a PDF also the rest of the first page (a 告示's date and signer follow its sentence)."""
    out: list[Block] = []
    first_page = doc.blocks[0].page if doc.blocks else None
    seen_body = False
    for b in doc.blocks[:HEAD_BLOCKS]:
        if b.kind in BODY_KINDS and _SENTENCE_END.search(b.text) and len(b.text) > 40:
            seen_body = True
        if seen_body and (first_page is None or b.page != first_page):
            break
        out.append(b)
    return out


def _open_brackets(text: str) -> int:
    return sum(text.count(c) for c in "「（(『") - sum(text.count(c) for c in "」）)』")


def _lines(blocks: list[Block]) -> list[tuple[list[Block], str]]:
    """The cover's lines, a subject set on two lines joined: a line that leaves a bracket open or
    ends in 「の」 goes on in the next block of its page (「「…留意事項について」の」 + 「一部改正について」;
    the reader splits a centred two-line subject)."""
    out: list[tuple[list[Block], str]] = []
    n = 0
    while n < len(blocks):
        line, text = [blocks[n]], blocks[n].text.strip()
        while ((_open_brackets(text) > 0 or text.endswith("の")) and n + 1 < len(blocks)
               and blocks[n + 1].page == line[0].page and len(text) <= MAX_LINE):
            n += 1
            line.append(blocks[n])
            text += blocks[n].text.strip()
        out.append((line, text))
        n += 1
    return out


def read(doc: Document) -> DocInfo | None:
    """The document's cover line (None when it has none: then the summary shows no 文書情報)."""
    lines = _lines(_cover(doc))
    addressed_to = max((n for n, (_, t) in enumerate(lines) if _ADDRESSEE.search(t)), default=-1)
    pieces: list[str] = []
    cites: list[Location] = []
    kinds: set[str] = set()
    for n, (line, raw) in enumerate(lines):
        b = line[0]
        text = _LEAD_MARK.sub("", re.sub(r"\s+", " ", raw).strip())
        if b.kind not in BODY_KINDS and b.kind != "title" or not text or len(text) > MAX_LINE:
            continue
        if _SENTENCE_END.search(text) or not _WORDS.search(text) or _ADDRESSEE.search(text):
            continue
        if _ATTACHMENT.match(text) or _open_brackets(text) < 0:
            continue    # 「別添　…」 titles an enclosure; 「…第１号）の…」 is the tail of a cut line
        kind = _kind_of(b, text)
        if not kind or (kind in ("issuer", "title") and n < addressed_to):
            continue          # before the 殿 line: whom it is sent to, not who sent it
        if kind == "title" and _DATE.fullmatch(text.replace(" ", "")):
            continue
        if kind == "title" and "title" in kinds:
            continue          # one subject
        if text in pieces:
            continue
        kinds.add(kind)
        pieces.append(text)
        cites.extend(doc.locate(x.start) for x in line)
        if len(pieces) >= MAX_PIECES:
            break
    if not pieces:
        return None
    return DocInfo(tuple(pieces), tuple(dict.fromkeys(cites)))
