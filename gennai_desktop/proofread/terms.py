"""表外漢字 inside the document's own technical terms: written as the document defines them,
so no finding.

Why: the 2010 訓令 (3 その他 (2)(3)) lets 専門用語 keep kanji outside the 常用漢字表, with a
reading where needed, and the 2022 建議 (Ⅰ-6) asks that names fixed elsewhere — a 告示's item
name, the title of another text — be quoted as written. A document shows which words are its
terms: it puts them in 「」, or names a 区分/項目 with them (「Ｊ１１８　介達牽引」), a heading or
a table cell. A 表外 word that is part of such a term (牽引 in 介達牽引) is this document's
technical vocabulary: turning it into kana (介達けん引) would rename an official item, and every
compound built on it (斜面牽引法, スピードトラック牽引) is the same vocabulary. A blind judgement
of whole documents found even a hint there wrong or needless. The same word standing alone
(車両を牽引する) is ordinary prose and keeps the warning.
"""
from __future__ import annotations

import re

from .detectors import Hit
from .ruleset import Ruleset
from .scope import Context

_WORD = re.compile(r"[一-鿿々〆ヶァ-ヺー]+")
_TERM_QUOTE = re.compile(r"「([一-鿿々〆ヶァ-ヺー・]{2,20})」")
# a 区分/項目 name line: 「Ｊ１１８　介達牽引」「区分01 調剤料」「Ｃ００２－２　施設入居時等医学総合管理料」
_ITEM_NAME = re.compile(r"^[ \t\u3000]*(?:区分(?:番号)?[ \t\u3000]*)?[A-ZＡ-Ｚ]?[0-9０-９]{2,4}(?:[－\-‐][0-9０-９]+)*"
                        r"[ \t\u3000]+([^。\n]{2,60})$", re.M)
NAME_MAX = 40     # a heading, cell or name line longer than this is a sentence, not a name


def _compound(text: str, s: int, e: int) -> tuple[int, int]:
    """The run of kanji/katakana around [s, e): the compound the word sits in."""
    a, b = s, e
    while a > 0 and _WORD.match(text[a - 1]):
        a -= 1
    while b < len(text) and _WORD.match(text[b]):
        b += 1
    return a, b


def defined_terms(ctx: Context) -> list[str]:
    """Compounds the document sets out as names: in 「」, in a 区分/項目 name line, or in a
    short heading, caption or table cell."""
    text = ctx.text
    terms: list[str] = []
    for r in ctx.regions:
        if r.level == "none" or r.start >= r.end:
            continue
        chunk = text[r.start:r.end]
        terms += [m.group(1) for m in _TERM_QUOTE.finditer(chunk)]
        for m in _ITEM_NAME.finditer(chunk):
            terms += _WORD.findall(m.group(1))
        if r.level == "label":
            for line in chunk.split("\n"):
                for cell in line.split("\t"):
                    if len(cell.strip()) <= NAME_MAX and "。" not in cell:
                        terms += _WORD.findall(cell)
    return [t for t in terms if len(t) >= 2]


def _is_term_word(text: str, h: Hit) -> bool:
    """A kanji word of two or more characters (牽引, 範疇): words like 毎/ごと, 先ず or 之 are
    grammar, never terms."""
    word = text[h.start:h.end]
    return len(word) >= 2 and all("一" <= c <= "鿿" for c in word)


def technical_term_hints(ctx: Context, hits: list[Hit], rs: Ruleset) -> list[Hit]:
    """``hits`` without the 常用漢字表外 hits inside one of the document's own terms."""
    cfg = rs.technical_terms
    cand = [h for h in hits if h.category == "常用漢字表外" and _is_term_word(ctx.text, h)]
    if not cfg or not cand:
        return hits
    text = ctx.text
    terms = defined_terms(ctx)
    if not terms:
        return hits
    vocab = {text[h.start:h.end] for h in cand
             if any(text[h.start:h.end] in t and len(t) > h.end - h.start for t in terms)}
    if not vocab:
        return hits
    out = []
    for h in hits:
        word = text[h.start:h.end]
        if h in cand and word in vocab:
            a, b = _compound(text, h.start, h.end)
            if b - a > len(word):        # used inside a compound, as a term
                continue
        out.append(h)
    return out
