"""Japanese sentence boundaries (rule-based: 。！？ and newlines, brackets respected).

Used to split long documents into chunks for map-reduce and to find sentences for
extractive summaries and long-sentence checks. Offsets refer to the input string.

Sentences never span two blocks: ``body_sentences`` splits each block of the wanted
kinds on its own (docs/structure.md), so a heading, a table cell or a reference entry never
becomes the start or the end of a body sentence.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..core.document import BODY_KINDS, Block, Document

_END = set("。！？!?")
_OPEN = "「『（(【〔［"
_CLOSE = "」』）)】〕］"
_TRAILING_MARK_RE = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of sentences, trimmed of surrounding whitespace; empty ones dropped.

    A terminator inside brackets (「…。」) does not end the sentence; a closing bracket
    right after a terminator stays with that sentence. A newline always ends one (block
    and line structure in official documents is meaningful).
    """
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth > 0:
            depth -= 1
        if ch == "\n":
            _add(spans, text, start, i)
            start = i + 1
            depth = 0
        elif ch in _END and depth == 0:
            j = i + 1
            while j < n and (text[j] in _END or text[j] in _CLOSE):
                j += 1
            m = _TRAILING_MARK_RE.match(text, j)   # 「…した。¹」: the marker belongs to this sentence
            if m:
                j = m.end()
            _add(spans, text, start, j)
            start = j
            i = j
            continue
        i += 1
    _add(spans, text, start, n)
    return spans


def _add(spans: list[tuple[int, int]], text: str, s: int, e: int) -> None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    if e > s:
        spans.append((s, e))


def chunk_spans(text: str, max_chars: int) -> Iterator[tuple[int, int]]:
    """Group consecutive sentences into chunks of at most ``max_chars`` characters
    (a single longer sentence is cut hard). Used to fit the model's context window."""
    cur_s: int | None = None
    cur_e = 0
    for s, e in sentence_spans(text):
        while e - s > max_chars:            # pathological sentence: hard cut
            if cur_s is not None:
                yield cur_s, cur_e
                cur_s = None
            yield s, s + max_chars
            s += max_chars
        if cur_s is None:
            cur_s, cur_e = s, e
        elif e - cur_s <= max_chars:
            cur_e = e
        else:
            yield cur_s, cur_e
            cur_s, cur_e = s, e
    if cur_s is not None:
        yield cur_s, cur_e


@dataclass(frozen=True)
class Sentence:
    """One sentence of one block: ``[start, end)`` are offsets in ``Document.text``."""

    start: int
    end: int
    text: str
    block: Block


def body_sentences(doc: Document, kinds: Iterable[str] = BODY_KINDS) -> Iterator[Sentence]:
    """The sentences of ``doc``'s blocks whose kind is in ``kinds`` (default: body prose,
    ``BODY_KINDS``; 校正 passes ``PROSE_KINDS``), in reading order, each inside one block.
    Tables are never split into sentences (a cell is not a sentence)."""
    wanted = frozenset(kinds) - {"table"}
    for block in doc.blocks:
        if block.kind not in wanted:
            continue
        for s, e in sentence_spans(block.text):
            yield Sentence(block.start + s, block.start + e, block.text[s:e], block)
