"""Sentence-aligned passages: the unit retrieval ranks and answers cite.

A passage is a few consecutive sentences (at most ``MAX_SENTENCES`` / ``MAX_CHARS``) that
never cross a page, and that start afresh at an article (第N条) or a caption line such as
（期限の特例）, so one passage does not mix two provisions. Each passage keeps its sentences'
block and page, so an answer can cite every sentence it quotes. ``context`` is the
current caption or heading (（年次有給休暇）, 第四章 …) and ``doc_context`` the document's
title line(s): both are indexed with the passage — a question names the provision's topic
or the law far more often than the passage text repeats them — but never shown as if
they were the answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.document import Document
from ..nlp.sentences import sentence_spans

MAX_SENTENCES = 3
MAX_CHARS = 320
SPLIT_PARAGRAPHS = False    # True: a numbered paragraph (２　… / ②…) starts a new passage (score.py: lower hit@3)
_PARAGRAPH = re.compile(r"^[\s\u3000]*(?:[0-9０-９]+[\s\u3000]|[①-⑳])")
_ARTICLE = re.compile(r"^[\s\u3000]*第[一二三四五六七八九十百千〇0-9０-９]+条(?:の[一二三四五六七八九十0-9０-９]+)*[\s\u3000]")
_TOC = re.compile(r"（第[^（）]*条[^（）]*）[\s\u3000]*$")     # 目次: 第一節　総則（第一条―第五条）
_CAPTION = re.compile(r"^[\s\u3000]*[（(][^（）()]{1,40}[）)][\s\u3000]*$")


@dataclass(frozen=True)
class PassageSentence:
    text: str
    block: str
    page: int | None


@dataclass(frozen=True)
class Passage:
    sentences: tuple[PassageSentence, ...]
    context: str = ""

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.sentences)

    @property
    def block(self) -> str:
        return self.sentences[0].block

    @property
    def page(self) -> int | None:
        return self.sentences[0].page


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


def make_passages(doc: Document, split_paragraphs: bool = SPLIT_PARAGRAPHS) -> list[Passage]:
    """Split ``doc`` into passages in reading order (headings and captions become context)."""
    out: list[Passage] = []
    cur: list[PassageSentence] = []
    caption = ""
    cur_ctx = ""

    def flush() -> None:
        nonlocal cur
        if cur:
            out.append(Passage(tuple(cur), cur_ctx))
            cur = []

    for s, e in sentence_spans(doc.text):
        text = doc.text[s:e]
        b = doc.block_at(s)
        if _TOC.search(text) and len(text) < 80:
            continue          # a table-of-contents line names provisions; it answers nothing
        if b.kind == "heading" or _CAPTION.match(text):
            flush()
            caption = text.strip(" \u3000")
            continue
        heading = b.heading_path[-1] if b.heading_path else ""
        starts_article = s == b.start and bool(_ARTICLE.match(text) or
                                               split_paragraphs and _PARAGRAPH.match(text))
        size = sum(len(x.text) for x in cur)
        if cur and (starts_article or len(cur) >= MAX_SENTENCES or size + len(text) > MAX_CHARS
                    or cur[-1].page != b.page):
            flush()
        if not cur:
            cur_ctx = " ".join(x for x in (heading, caption) if x)
        cur.append(PassageSentence(text, b.id, b.page))
    flush()
    return out
