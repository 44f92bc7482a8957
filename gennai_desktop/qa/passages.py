"""Passages: the unit retrieval ranks, made of whole sentences of the document's paragraphs.

A document is read as an official reads it (docs/structure.md): headings and captions give
the context of what follows; body blocks (``BODY_KINDS``: paragraphs, list items) are
quoted; notes and figure captions are searched at a lower weight; table rows are searched
as rows, with the header row as context; references, URLs, code and text inside pictures
are never quoted.

A *paragraph* is one body block — or, for a PDF whose reader still gives lines, the run of
blocks on one page that continues a sentence left open (no 。 at the block's end), so a
sentence is never cut at a line wrap. Sentences are split inside one paragraph only.

A passage is a few consecutive sentences (at most ``MAX_SENTENCES`` / ``MAX_CHARS``) of one
section: it never crosses a page, a heading or a caption, never mixes kinds, and starts
afresh at an article (第N条). Each sentence keeps its paragraph number, block and page, so
an answer quotes whole sentences of ONE paragraph and cites each. ``context`` (the caption
or nearest heading, indexed with the passage) and ``doc_context`` (the title lines) are
searched — a question names a provision's topic or the law far more often than the passage
repeats them — but never shown as if they were the answer; ``path`` is the heading path
shown with it.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ..core.document import BODY_KINDS, HEADING_KINDS, Block, Document
from ..nlp.sentences import sentence_spans

MAX_SENTENCES = 3
MAX_CHARS = 320
SPLIT_PARAGRAPHS = False    # True: a numbered paragraph (２　… / ②…) starts a new passage (score.py: lower hit@3)
NEVER_QUOTED = frozenset({"reference", "url", "image_text", "code"})
PassageKind = Literal["body", "note", "table", "caption"]
_PARAGRAPH = re.compile(r"^[\s\u3000]*(?:[0-9０-９]+[\s\u3000]|[①-⑳])")
_ARTICLE = re.compile(r"^[\s\u3000]*第[一二三四五六七八九十百千〇0-9０-９]+条"
                      r"(?:の[一二三四五六七八九十0-9０-９]+)*[\s\u3000]")
_TOC = re.compile(r"（第[^（）]*条[^（）]*）[\s\u3000]*$")     # 目次: 第一節　総則（第一条―第五条）
_CAPTION = re.compile(r"^[\s\u3000]*[（(][^（）()]{1,40}[）)][\s\u3000]*$")
_CLOSED = frozenset("。．！？!?」』）)]］】")        # a block ending otherwise stops mid-sentence
_LATIN_END = re.compile(r"[A-Za-z0-9]$")
_LATIN_START = re.compile(r"^[A-Za-z0-9]")


@dataclass(frozen=True)
class PassageSentence:
    text: str
    block: str
    page: int | None
    para: int = 0            # paragraph number in the document: an answer quotes one paragraph


@dataclass(frozen=True)
class Passage:
    sentences: tuple[PassageSentence, ...]
    context: str = ""
    path: tuple[str, ...] = field(default=())     # heading path shown with the passage
    kind: PassageKind = "body"

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.sentences)

    @property
    def block(self) -> str:
        return self.sentences[0].block

    @property
    def page(self) -> int | None:
        return self.sentences[0].page

    def to_list(self) -> list[Any]:
        """A JSON-ready form for the index blob (``from_list`` reads it back)."""
        return [self.context, list(self.path), self.kind, [[s.text, s.block, s.page, s.para] for s in self.sentences]]

    @classmethod
    def from_list(cls, d: list[Any]) -> Passage:
        ctx, path, kind, sents = d
        return cls(tuple(PassageSentence(t, b, pg, pa) for t, b, pg, pa in sents), ctx, tuple(path), kind)


def doc_context(doc: Document) -> str:
    """The first short non-empty lines (a law's number and name, a report's title)."""
    lines = []
    for b in doc.blocks[:8]:
        t = b.text.strip()
        if t and len(t) <= 60:
            lines.append(t)
        if len(lines) == 2:
            break
    if doc.title and doc.title not in lines:
        lines.insert(0, doc.title)
    return " ".join(lines)


TITLE_MAX_CHARS = 200


def doc_title(doc: Document) -> str:
    """The document's title as a question names it (「法制審議会第198回会議」「焼津市オープン
    データ利用規約」): the reader's title, the first title or heading block and the cover lines
    (the first short lines) — never the file name, which a reader falls back to when it finds
    no title and which no question uses. Kept per file in the index (index.FileEntry.title) for
    the document-level view in search.py."""
    stem = doc.path.stem if doc.path is not None else None
    parts: list[str] = []

    def add(text: str) -> None:
        t = " ".join(text.split())
        if t and t != stem and len(t) <= 80 and not any(t in x for x in parts):
            parts.append(t)

    add(doc.title)
    add(next((b.text for b in doc.blocks[:30] if b.kind in HEADING_KINDS), ""))
    short = 0
    for t in [t for t in (b.text.strip() for b in doc.blocks[:60]) if t][:8]:   # a .txt starts with blank lines
        if len(t) <= 60 and not t.endswith("。"):       # a sentence is body text, not a cover line
            add(t)
            short += 1
            if short == 3:
                break
    return " ".join(parts)[:TITLE_MAX_CHARS]


@dataclass
class _Paragraph:
    kind: PassageKind
    page: int | None
    pieces: list[tuple[int, Block]]       # (offset in ``text``, block) for each joined block
    text: str


def _joins(prev: _Paragraph | None, b: Block, line_reader: bool) -> bool:
    """Does body block ``b`` continue the paragraph ``prev`` (a sentence left open)?"""
    if prev is None or prev.kind != "body" or b.kind != "paragraph":
        return False
    if b.continued:
        return True
    tail = prev.text[-8:].rstrip()
    return line_reader and prev.page == b.page and bool(tail) and tail[-1] not in _CLOSED


def _table_rows(b: Block) -> tuple[str, list[str]]:
    """(header row, the other rows) of a table block as text lines."""
    rows = [" ".join(c.strip() for c in r if c and c.strip()) for r in (b.rows or ())]
    rows = [r for r in rows if r]
    if not rows:
        rows = [ln.strip() for ln in b.text.splitlines() if ln.strip()]
    return (rows[0], rows[1:]) if len(rows) > 1 else ("", rows)


def make_passages(doc: Document, split_paragraphs: bool = SPLIT_PARAGRAPHS) -> list[Passage]:
    """Split ``doc`` into passages in reading order (headings and captions become context)."""
    line_reader = doc.format in ("pdf", "image")
    out: list[Passage] = []
    cur: list[PassageSentence] = []
    cur_ctx = ""
    cur_path: tuple[str, ...] = ()
    cur_kind: PassageKind = "body"
    caption = ""
    paras: list[_Paragraph] = []

    def flush() -> None:
        nonlocal cur
        if cur:
            out.append(Passage(tuple(cur), cur_ctx, cur_path, cur_kind))
            cur = []

    def add(text: str, b: Block, page: int | None, para: int, kind: PassageKind, new: bool) -> None:
        nonlocal cur_ctx, cur_path, cur_kind
        size = sum(len(x.text) for x in cur)
        if cur and (new or kind != cur_kind or len(cur) >= MAX_SENTENCES or size + len(text) > MAX_CHARS
                    or cur[-1].page != page):
            flush()
        if not cur:
            heading = b.heading_path[-1] if b.heading_path else ""
            cur_ctx = " ".join(x for x in (heading, caption) if x)
            cur_path = tuple(b.heading_path) + ((caption,) if caption and caption not in b.heading_path else ())
            cur_kind = kind
        cur.append(PassageSentence(text, b.id, page, para))

    def emit(p: _Paragraph, n: int) -> None:
        bounds = [off for off, _ in p.pieces]
        for s, e in sentence_spans(p.text):
            i = max(0, bisect.bisect_right(bounds, s) - 1)
            b = p.pieces[i][1]
            text = p.text[s:e]
            if _TOC.search(text) and len(text) < 80:
                continue          # a table-of-contents line names provisions; it answers nothing
            starts_article = s == bounds[i] and bool(_ARTICLE.match(text)
                                                     or split_paragraphs and _PARAGRAPH.match(text))
            add(text, b, b.page, n, p.kind, starts_article)

    def close_paragraph() -> None:
        if paras and paras[-1].text:
            emit(paras[-1], len(paras) - 1)
            paras[-1].text = ""          # emitted

    for b in doc.blocks:
        text = b.text.strip()
        if not text or b.kind in NEVER_QUOTED:
            continue
        if b.kind in HEADING_KINDS or (b.kind == "paragraph" and _CAPTION.match(text)):
            close_paragraph()
            flush()
            caption = text.strip(" \u3000")
            continue
        if b.kind == "table":
            close_paragraph()
            flush()
            header, rows = _table_rows(b)
            saved = caption
            caption = " ".join(x for x in (caption, header) if x)
            paras.append(_Paragraph("table", b.page, [(0, b)], ""))
            for row in rows:
                add(row, b, b.page, len(paras) - 1, "table", False)
            flush()
            caption = saved
            continue
        kind: PassageKind = "body" if b.kind in BODY_KINDS else ("note" if b.kind == "note" else "caption")
        prev = paras[-1] if paras and paras[-1].text else None
        if prev is not None and _joins(prev, b, line_reader):
            sep = " " if _LATIN_END.search(prev.text) and _LATIN_START.match(b.text) else ""
            prev.pieces.append((len(prev.text) + len(sep), b))
            prev.text += sep + b.text
            continue
        close_paragraph()
        paras.append(_Paragraph(kind, b.page, [(0, b)], b.text))
    close_paragraph()
    flush()
    return anchor_notes(out) if ANCHOR_NOTES else out


ANCHOR_NOTES = True       # a ※N note is searched with the row or sentence that carries ※N (docs/qa.md, round 5)
MAX_REFERRERS = 2         # a mark carried by more places is a general remark: nothing is added
_NOTE_MARK = re.compile(r"^[\s\u3000]*(※[\s\u3000]*[0-9０-９]{1,2}|[（(]?注[\s\u3000]*[0-9０-９]{1,2}[）)]?)")
_MARK_IN = re.compile(r"※[\s\u3000]*[0-9０-９]{1,2}|[（(]注[\s\u3000]*[0-9０-９]{1,2}[）)]")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９（）\u3000", "0123456789() ")


def _mark_key(mark: str) -> str:
    return "".join(mark.translate(_WIDE_DIGITS).split()).strip("()")


def anchor_notes(passages: list[Passage]) -> list[Passage]:
    """Give each passage that holds a note line (「※2　その他は、…」, 「（注3）…」) the text of
    the one or two rows or sentences ON ITS PAGE that carry the same mark as its context, so
    a question that names the row's words (「その他」の149人) finds the note that explains
    it. The note stays the quoted text; the row's words are only searched with it."""
    notes: dict[tuple[int | None, str], int] = {}
    for i, p in enumerate(passages):
        for s in p.sentences:
            m = _NOTE_MARK.match(s.text) if p.kind != "table" else None     # a row starting ※2 refers to a note
            if m:
                notes.setdefault((s.page, _mark_key(m.group(1))), i)
    if not notes:
        return passages
    refs: dict[tuple[int | None, str], list[str]] = {}
    for i, p in enumerate(passages):
        for s in p.sentences:
            lead = _NOTE_MARK.match(s.text) if p.kind != "table" else None
            for m in _MARK_IN.finditer(s.text):
                if lead and m.start() < lead.end() and notes.get((s.page, _mark_key(m.group()))) == i:
                    continue          # the note's own mark
                key = (s.page, _mark_key(m.group()))
                if key in notes and notes[key] != i:
                    refs.setdefault(key, []).append(s.text[:80])
    extra: dict[int, list[str]] = {}
    for key, texts in refs.items():
        if len(texts) <= MAX_REFERRERS:
            extra.setdefault(notes[key], []).extend(texts)
    out = list(passages)
    for i, texts in extra.items():
        p = out[i]
        out[i] = Passage(p.sentences, " ".join([p.context, *texts]).strip(), p.path, p.kind)
    return out
