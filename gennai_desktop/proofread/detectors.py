"""Rules that need more than one morpheme or a whole sentence: 送り仮名 from SudachiPy's
normalised form, ら抜き言葉, 二重否定, 概数, 長すぎる文, and the sentence-ending reader
that the 文体 rule (proofread.consistency) uses.

Why code here and not JSON: these look at conjugation types, sentence endings, number
sequences and paragraphs; their parameters, messages and sources still live in the rule data.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from ..nlp.morph import Token as Morpheme
from ..nlp.morph import tokenize
from .kana import has_kanji, kanji_only
from .ruleset import Ruleset
from .scope import Context


class Hit(NamedTuple):
    """A candidate finding before messages are rendered."""

    start: int
    end: int
    suggestion: str
    rule: str
    category: str
    source: str
    params: dict


_ICHIDAN = ("上一段", "下一段", "カ行変格")
# after a 連用形 these show a verb (「聞えにくい」「行なって」); anything else shows a noun (「買戻しの」)
_VERBAL_NEXT = frozenset({("助動詞", "*"), ("助詞", "接続助詞"), ("接尾辞", "形容詞的"), ("接尾辞", "動詞的"),
                          ("動詞", "非自立可能"), ("形容詞", "非自立可能")})


def verbal_next(nxt: Morpheme) -> bool:
    """Does this morpheme continue a verb (auxiliary, 接続助詞, the ない of なければ)? Then the
    連用形 before it is a verb, not the noun of the same spelling."""
    return nxt.pos[:2] in _VERBAL_NEXT or (nxt.pos[0] == "形容詞" and nxt.dictionary in ("無い", "ない"))


@lru_cache(maxsize=4096)
def _conjugation(word: str) -> str:
    """Conjugation type (活用型) of a dictionary-form verb, e.g. '上一段-マ行'."""
    ms = tokenize(word)
    return ms[0].pos[4] if len(ms) == 1 else ""


def okurigana(m: Morpheme, rs: Ruleset, nxt: Morpheme | None = None) -> Hit | None:
    """行なう→行う, 終る→終わる (通則1・2), 必らず→必ず, 辛じて→辛うじて (通則5): only the
    kana differ between the written lemma and the normalised (本則) form; nouns are never
    touched (公用文 omits okurigana in them), and a 連用形 used as a noun (「買戻しの特約」
    「差押え前」) counts as a noun."""
    cfg = rs.okurigana
    if m.pos[0] in ("動詞", "形容詞") and m.pos[5].startswith("連用形") and not (
            nxt is not None and nxt.pos[:2] in _VERBAL_NEXT):
        return None
    lemma = m.dictionary
    target = cfg["explicit"].get(lemma) or m.normalized
    if lemma == target or lemma in cfg["exceptions"] or not has_kanji(lemma):
        return None
    if kanji_only(lemma) != kanji_only(target) or lemma[0] != target[0] or lemma[-1] != target[-1]:
        return None
    # common prefix of surface and lemma = the part that does not inflect
    p = 0
    while p < min(len(m.surface), len(lemma)) and m.surface[p] == lemma[p]:
        p += 1
    if p == 0:
        return None
    # same conjugation type: 帰れる (potential, 下一段) is not a misspelt 帰る (五段)
    if m.pos[0] == "動詞" and _conjugation(target) != m.pos[4]:
        return None
    suggestion = target[: len(target) - (len(lemma) - p)] + m.surface[p:]
    if suggestion == m.surface:
        return None
    return Hit(m.start, m.end, suggestion, cfg["id"], cfg["category"], rs.cite(cfg["source"]), {})


def ranuki(m: Morpheme, rs: Ruleset) -> Hit | None:
    """見れる→見られる: a potential form built on an ichidan/kuru verb without ら."""
    lemma, norm = m.dictionary, m.normalized
    if not lemma.endswith("れる") or not norm.endswith("る") or lemma != norm[:-1] + "れる":
        return None
    stem = norm[:-1]
    if not m.surface.startswith(stem + "れ"):
        return None
    if not _conjugation(norm).startswith(_ICHIDAN):
        return None
    suggestion = stem + "られ" + m.surface[len(stem) + 1:]
    return Hit(m.start, m.end, suggestion, rs.ranuki["id"], "ら抜き言葉", rs.cite(rs.ranuki["source"]), {})


def double_negation(text: str, rs: Ruleset) -> Iterator[Hit]:
    cfg = rs.double_negation
    src = rs.cite(cfg["source"])
    for mo in cfg["compiled"].finditer(text):
        yield Hit(mo.start(), mo.end(), mo.group(0), cfg["id"], cfg["category"], src, {})


def long_sentences(ctx: Context, rs: Ruleset) -> Iterator[Hit]:
    """A readability hint on the longest sentence of a body paragraph when it is at least
    as long, with at least as many 読点, as one of the ``hint_when`` pairs (characters, 読点),
    spanning the whole sentence (that is what the advice is about; it may overlap
    replacements inside it).

    Why only a hint, at most one per paragraph, only in body text: the 2022 建議 gives
    50〜60字 as a 目安 for easy reading, not as a rule of correct 公用文; flagging every long
    sentence made 長文 the majority of all findings on real documents, and a paragraph
    with five long sentences needs one remark, not five. Titles, table cells, captions,
    notes and references are not running prose. See rules.json long_sentence.why."""
    cfg = rs.long_sentence
    when = [(int(n), int(c)) for n, c in cfg["hint_when"]]
    limit = min(n for n, _ in when)
    src = rs.cite(cfg["source"])
    text = ctx.text
    best: dict[int, tuple[int, int, int, int]] = {}
    for sent in ctx.sentences:
        if sent.level != "body" or not sent.terminated or sent.speech or sent.provision:
            continue              # a recorded remark is not split (that would change the record), nor
                                  # provision text an amendment enacts or a correction restates
        s, e = sent.start, sent.end
        if e - s < limit:
            continue
        # the writer's own words: the title of another text or a quoted sentence (a definition, a
        # provision: 「…。」) cannot be split by the writer, so its characters and 読点 are not
        # counted; a short phrase in 「」 (「データ保護」の観点) is the writer's own
        quoted = [(max(a, s), min(b, e)) for a, b in _quotes_in(ctx, s, e)
                  if ctx.titles.covers(a, b) or "。" in text[a:b - 1]]
        # an abbreviation's name in its own language (「MDM（Mobile Device Management）」) is a gloss
        # the reader skips, not words of the sentence to split
        quoted += [mo.span() for mo in _LATIN_GLOSS.finditer(text, s, e)
                   if not any(a < mo.end() and mo.start() < b for a, b in quoted)]
        length = (e - s) - sum(b - a for a, b in quoted)
        if length < limit:
            continue
        commas = text.count("、", s, e) + text.count("，", s, e)
        commas -= sum(text.count("、", a, b) + text.count("，", a, b) for a, b in quoted)
        if not any(length >= n and commas >= c for n, c in when):
            continue
        if sent.block not in best or length > best[sent.block][2]:
            best[sent.block] = (s, e, length, commas)
    for s, e, length, commas in sorted(best.values()):
        yield Hit(s, e, text[s:e], cfg["id"], "長文", src,
                  {"length": length, "commas": commas, "max_chars": limit, "guide": cfg.get("guide", "50〜60")})


# the full name after an abbreviation: MDM（Mobile Device Management）, ＧＰＡＩ(Global Partnership…)
_LATIN_GLOSS = re.compile(r"(?<=[A-ZＡ-Ｚ]{2})[ ]?[（(][ ]?[A-Za-z][A-Za-z0-9 .,&/'’\-]{6,80}[)）]")


def _quotes_in(ctx: Context, s: int, e: int) -> list[tuple[int, int]]:
    """The quotation spans overlapping [s, e)."""
    q = ctx.quotes
    i = bisect.bisect_right(q.starts, e - 1)
    out = []
    while i > 0 and q.ends[i - 1] > s:
        out.append((q.starts[i - 1], q.ends[i - 1]))
        i -= 1
    return out


_KANJI_DIGITS = dict(zip("123456789１２３４５６７８９", "一二三四五六七八九" * 2))


def approximate_numbers(ctx: Context, rs: Ruleset) -> Iterator[Hit]:
    """「2、3日」→「二、三日」: two consecutive one-digit numbers joined by 、 before a
    counter are an approximate number, written in kanji (2022 建議 Ⅰ-4 概数). Sequences
    that are not consecutive (「1、3号」) or follow 第 are enumerations and stay."""
    cfg = rs.approximate
    pat: re.Pattern[str] = cfg["compiled"]
    src = rs.cite(cfg["source"])
    text = ctx.text
    for sent in ctx.sentences:
        if sent.level not in ("body", "prose"):
            continue
        for mo in pat.finditer(text, sent.start, sent.end):
            a, b = mo.group("a"), mo.group("b")
            if unicodedata.digit(b) != unicodedata.digit(a) + 1:
                continue
            s, e = mo.start("a"), mo.end("b")
            if ctx.blocked.overlaps(s, e):
                continue
            yield Hit(s, e, _KANJI_DIGITS[a] + "、" + _KANJI_DIGITS[b], cfg["id"], cfg["category"], src,
                      {"_message": cfg["message"]} if cfg.get("message") else {})


_POLITE = frozenset({"です", "ます"})
_SKIP_TAIL = ("補助記号", "空白")


def ending(ms: Sequence[Morpheme]) -> tuple[str, int, int] | None:
    """(style, start, end) of a sentence's predicate ending, or None if it has none
    (headings, noun endings like 「…すること。」)."""
    j = len(ms) - 1
    while j >= 0 and (ms[j].pos[0] in _SKIP_TAIL or ms[j].pos[:2] == ("助詞", "終助詞")):
        j -= 1
    if j < 0:
        return None
    end = ms[j].end
    # walk back over the auxiliary chain
    k = j
    while k > 0 and ms[k].pos[0] == "助動詞":
        k -= 1
    chain = ms[k:j + 1]
    for m in chain:
        if m.pos[0] == "助動詞" and m.dictionary in _POLITE:
            return "polite", m.start, end
    last = ms[j]
    # である / であった / であろう
    for i in range(max(0, j - 3), j + 1):
        if (ms[i].surface == "で" and ms[i].pos[0] == "助動詞" and i + 1 <= j
                and ms[i + 1].dictionary in ("ある", "有る")):
            return "plain", ms[i].start, end
    if last.pos[0] == "助動詞" and last.dictionary == "だ" and last.pos[5].startswith("終止形"):
        return "plain", last.start, end
    if chain and chain[0].pos[0] in ("動詞", "形容詞") and last.pos[5].startswith("終止形"):
        if any(m.dictionary in ("ください", "くださる", "下さる") for m in chain):
            return None
        return "plain", chain[0].start if len(chain) == 1 else chain[0].start, end
    return None
