"""Is a model's output usable? Cheap checks shared by every task.

Why: small base models (the bundled Gemma 3 270M) often return nothing, loop, answer
in the wrong language or copy the prompt back. The engine already stops obvious loops
(``stop_reason`` degenerate_*); these checks catch the rest so a task can fall back
honestly instead of showing junk as if it were a result.
"""
from __future__ import annotations

import re
from collections import Counter
from typing import Literal

from ..nlp.morph import tokenize
from ..nlp.script import guess_language, japanese_ratio, latin_ratio

Weakness = Literal["degenerate", "empty", "wrong_language", "echo", "repetition"]

def language_ok(text: str, lang: str | None) -> bool:
    """Loose test that ``text`` is mostly in ``lang`` ("ja" or "en")."""
    if lang == "ja":
        return guess_language(text) == "ja"
    if lang == "en":
        return latin_ratio(text) >= 0.6 and japanese_ratio(text) < 0.25
    return True


def _ngrams(text: str, n: int) -> list[str]:
    t = re.sub(r"\s+", "", text)
    return [t[i:i + n] for i in range(max(0, len(t) - n + 1))]


def repetitive(text: str, n: int = 6, min_unique: float = 0.45) -> bool:
    """True when the text keeps repeating itself (few distinct character n-grams)."""
    grams = _ngrams(text, n)
    if len(grams) < 40:
        return False
    return len(set(grams)) / len(grams) < min_unique


def copied_from(text: str, reference: str, n: int = 8) -> float:
    """Share of ``text``'s character n-grams that also occur in ``reference``."""
    grams = _ngrams(text, n)
    if not grams:
        return 0.0
    ref = set(_ngrams(reference, n))
    return sum(1 for g in grams if g in ref) / len(grams)


def weakness(text: str, stop_reason: str | None, *, lang: str | None = None,
             scaffold: str = "", min_chars: int = 2) -> Weakness | None:
    """Why ``text`` is unusable, or None if it passes.

    ``scaffold`` is the prompt minus the user's document (instructions and few-shot
    examples): output copied from it is an echo, not an answer.
    """
    if stop_reason and stop_reason.startswith("degenerate"):
        return "degenerate"
    stripped = text.strip()
    if len(stripped) < min_chars:
        return "empty"
    if repetitive(stripped):
        return "repetition"
    if scaffold and copied_from(stripped, scaffold) > 0.5:
        return "echo"
    if not language_ok(stripped, lang):
        return "wrong_language"
    return None


_KANJI_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_KANJI_UNIT = {"十": 10, "百": 100, "千": 1000}
_NUM_TOKEN = re.compile(r"[0-9０-９][0-9０-９,，]*|[〇一二三四五六七八九十百千万]+")


def _kanji_number(s: str) -> int | None:
    """二十三 → 23, 百七十八 → 178, 一〇三 → 103, 三万二千 → 32000 (None if not a number)."""
    if all(c in _KANJI_DIGIT for c in s):
        return int("".join(str(_KANJI_DIGIT[c]) for c in s)) if len(s) > 1 or s in _KANJI_DIGIT else None
    total, section, digit = 0, 0, None
    for c in s:
        if c in _KANJI_DIGIT:
            digit = _KANJI_DIGIT[c]
        elif c in _KANJI_UNIT:
            section += (digit if digit is not None else 1) * _KANJI_UNIT[c]
            digit = None
        elif c == "万":
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
    return total + section + (digit or 0)


def numbers_in(text: str, kanji: bool = True) -> set[int]:
    """Numbers written in ``text`` as digits (full or half width) and, if ``kanji``, kanji numerals."""
    out: set[int] = set()
    for tok in _NUM_TOKEN.findall(text):
        if tok[0] in "0123456789０１２３４５６７８９":
            digits = tok.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
            digits = digits.replace(",", "").replace("，", "")
            if digits.isdigit():
                out.add(int(digits))
        elif kanji:
            n = _kanji_number(tok)
            if n is not None:
                out.add(n)
    return out


def numbers_in_context(text: str) -> Counter[tuple[int, str, bool]]:
    """Each number with what it counts: (value, the character after it, preceded by 第).

    「三年以下」 → (3, "年", False), 「第七十二条」 → (72, "条", True): a changed number is
    caught even when the new value occurs elsewhere in the source (二年 vs 二百万円). A
    multiset: 「第二項及び第二項」 is not 「第一項及び第二項」."""
    out: Counter[tuple[int, str, bool]] = Counter()
    for m in _NUM_TOKEN.finditer(text):
        tok = m.group()
        if tok[0] in "0123456789０１２３４５６７８９":
            digits = tok.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
            digits = digits.replace(",", "").replace("，", "")
            n = int(digits) if digits.isdigit() else None
        else:
            n = _kanji_number(tok)
        if n is None:
            continue
        nxt = text[m.end():m.end() + 1]
        out[(n, nxt, text[max(0, m.start() - 1):m.start()] == "第")] += 1
    return out


def invented_numbers(output: str, source: str, kanji_in_output: bool = True) -> set[int]:
    """Numbers in a translation that the source does not contain (a typical hallucination).

    Kanji in Japanese output are ignored with ``kanji_in_output=False`` (一般, 統一 are words).
    """
    return numbers_in(output, kanji_in_output) - numbers_in(source)


# --- polarity (negation) -------------------------------------------------------------
# Why: a summary point or translation that drops or adds one 「ない」 says the opposite of the
# source while sharing every content word with it; word overlap cannot see that.

_NEG_AUX = {"ない", "ず", "ぬ"}            # 助動詞 normalised forms (しない・せず・できません・行わぬ)
_NEG_WORDS = {"禁止", "不可", "無い"}       # 禁止する, 不可とする, 必要が無い (形容詞)
_EN_NEG = re.compile(r"\b(?:not|no|never|none|nor|neither|cannot|without|prohibit\w*|forbid\w*|"
                     r"may\s+not|must\s+not|shall\s+not)\b|n't\b", re.IGNORECASE)


def negations_ja(text: str) -> int:
    """Number of negation markers in Japanese ``text`` (助動詞 ない/ず/ぬ, 禁止, 不可, 無い)."""
    n = 0
    for m in tokenize(text):
        if (m.pos0 == "助動詞" and m.normalized in _NEG_AUX or m.normalized in _NEG_WORDS
                or m.surface in ("禁止", "不可")):
            n += 1
    return n


def negations_en(text: str) -> int:
    return len(_EN_NEG.findall(text))


def final_clause(text: str) -> str:
    body = text.rstrip("。．.　 \n")
    cut = max(body.rfind("、"), body.rfind("，"))
    return body[cut + 1:] if cut >= 0 else body


def polarity_ja(text: str) -> bool:
    """True when the main (final) predicate of a Japanese sentence is negative.

    Parity, because 「しなければならない」 (two markers) is an obligation, not a negation,
    while 「してはならない」 (one) is a prohibition."""
    return negations_ja(final_clause(text)) % 2 == 1


def polarity_agrees_ja(point: str, source: str) -> bool:
    """Does ``point`` keep ``source``'s polarity? Its main predicate has the same polarity,
    and it has no negation the source lacks."""
    return polarity_ja(point) == polarity_ja(source) and negations_ja(point) <= negations_ja(source)


# fixed expressions with a negation marker that say no negation (obligation, "only", "might")
_JA_NOT_NEG = re.compile(r"なければならな[いく]|なければならぬ|なくてはならな[いく]|なくてはいけな[いく]|"
                         r"ざるを得な[いく]|ざるをえな[いく]|に(?:過|す)ぎ(?:ず|な[いく])|かも(?:しれ|知れ)な[いく]|"
                         r"のみならず|に限らず|に(?:かか|関)わらず|にも(?:かか|関)わらず|ほかならな[いく]")
_EN_NOT_NEG = re.compile(r"\bnot only\b|\bno (?:later|more|less|sooner) than\b|\bnothing but\b", re.IGNORECASE)


def polarity_flipped(source: str, target: str, direction: str) -> bool:
    """A translated sentence whose negation was lost or added (for review, not proof).

    Counts the negations each side says — markers minus fixed expressions that carry one
    without negating (しなければならない, に過ぎず, not only) — and flags a difference:
    「…立ち入ってはならない」 → "… may enter without permission" has one negation fewer."""
    ja, en = (source, target) if direction == "ja-en" else (target, source)
    return negations_ja(_JA_NOT_NEG.sub("。", ja)) != negations_en(_EN_NOT_NEG.sub(" ", en))
