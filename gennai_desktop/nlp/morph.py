"""Morphological analysis (SudachiPy + sudachidict-core). The only importer of sudachipy.

Why a wrapper: one lazily created tokenizer per thread (SudachiPy tokenizers are not
thread-safe), input split below SudachiPy's 49,149-byte per-call limit on sentence or
line boundaries, and offsets that always refer to the caller's original string.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

MAX_BYTES = 49_149 - 1024   # leave headroom below SudachiPy's hard limit
_local = threading.local()


@dataclass(frozen=True, slots=True)
class Morpheme:
    surface: str
    pos: tuple[str, ...]        # 6 fields: 品詞, 細分類1-3, 活用型, 活用形
    normalized: str
    dictionary: str
    reading: str
    start: int                  # offset into the caller's text
    end: int

    @property
    def pos0(self) -> str:
        return self.pos[0]


def _tokenizer():
    tok = getattr(_local, "tok", None)
    if tok is None:
        from sudachipy import dictionary  # noqa: PLC0415 - lazy: 70 ms + memory only when used
        tok = dictionary.Dictionary(dict="core").tokenizer()  # create() is deprecated in 0.7
        _local.tok = tok
    return tok


def _mode(mode: str):
    from sudachipy import tokenizer
    return {"A": tokenizer.Tokenizer.SplitMode.A, "B": tokenizer.Tokenizer.SplitMode.B,
            "C": tokenizer.Tokenizer.SplitMode.C}[mode]


def pieces(text: str, max_bytes: int = MAX_BYTES) -> Iterator[tuple[int, str]]:
    """Split ``text`` into (offset, piece) with each piece's UTF-8 size ≤ max_bytes,
    preferring to cut after 。 or a newline, and never inside a surrogate/char."""
    n = len(text)
    pos = 0
    while pos < n:
        # fast path: the rest fits. Only a window of max_bytes characters is ever copied or
        # encoded: slicing ``text[pos:]`` per piece made a 20 MB text quadratic.
        if (n - pos) <= max_bytes:
            rest = text[pos:]
            if len(rest) * 4 <= max_bytes or len(rest.encode("utf-8")) <= max_bytes:
                yield pos, rest
                return
        # find the largest prefix within budget (chars are ≤ 4 bytes, ≥ 1)
        lo = max_bytes // 4
        end = pos + lo
        size = len(text[pos:end].encode("utf-8"))
        while end < n:
            step = len(text[end].encode("utf-8"))
            if size + step > max_bytes:
                break
            size += step
            end += 1
        cut = max(text.rfind("。", pos, end), text.rfind("\n", pos, end))
        if cut >= pos + (end - pos) // 2:
            end = cut + 1
        yield pos, text[pos:end]
        pos = end


def tokenize(text: str, mode: Literal["A", "B", "C"] = "C") -> list[Morpheme]:
    """All morphemes of ``text`` with offsets into ``text`` (any length)."""
    tok = _tokenizer()
    m = _mode(mode)
    out: list[Morpheme] = []
    for base, piece in pieces(text):
        for mm in tok.tokenize(piece, m):
            out.append(Morpheme(mm.surface(), tuple(mm.part_of_speech()), mm.normalized_form(),
                                mm.dictionary_form(), mm.reading_form(),
                                base + mm.begin(), base + mm.end()))
    return out


def iter_morphemes(text: str, mode: Literal["A", "B", "C"] = "C") -> Iterator[tuple[str, list[str], str, int]]:
    """(surface, part_of_speech, normalized_form, start) per morpheme, produced lazily.

    For whole-document passes (TF-IDF): nothing is kept per morpheme, so memory does not grow
    with the text beyond what the caller keeps."""
    tok = _tokenizer()
    m = _mode(mode)
    for base, piece in pieces(text):
        for mm in tok.tokenize(piece, m):
            yield mm.surface(), mm.part_of_speech(), mm.normalized_form(), base + mm.begin()


class Token(NamedTuple):
    """Same fields as Morpheme, as a plain tuple: about a third cheaper to build, for
    hot loops over whole documents (the 公用文 rule engine)."""

    surface: str
    pos: tuple[str, ...]
    normalized: str
    dictionary: str
    reading: str
    start: int
    end: int

    @property
    def pos0(self) -> str:
        return self.pos[0]


def tokenize_fast(text: str, mode: Literal["A", "B", "C"] = "C") -> list[Token]:
    """Like ``tokenize`` but returns ``Token`` tuples (same values, same offsets)."""
    tok = _tokenizer()
    m = _mode(mode)
    out: list[Token] = []
    append = out.append
    new = Token.__new__
    for base, piece in pieces(text):
        for mm in tok.tokenize(piece, m):
            append(new(Token, mm.surface(), mm.part_of_speech(), mm.normalized_form(),
                       mm.dictionary_form(), mm.reading_form(), base + mm.begin(), base + mm.end()))
    return out


def index_terms(text: str, mode: Literal["A", "B", "C"] = "C") -> list[tuple[int, int, str, tuple[str, ...]]]:
    """(start, end, normalized form, part of speech) of every morpheme — only what a search
    index needs, so about half the per-morpheme calls of ``tokenize_fast`` (qa/ retrieval)."""
    tok = _tokenizer()
    m = _mode(mode)
    out: list[tuple[int, int, str, tuple[str, ...]]] = []
    append = out.append
    for base, piece in pieces(text):
        for mm in tok.tokenize(piece, m):
            append((base + mm.begin(), base + mm.end(), mm.normalized_form(), mm.part_of_speech()))
    return out
