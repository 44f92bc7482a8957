"""Is a model's output usable? Cheap checks shared by every task.

Why: small base models (the bundled Gemma 3 270M) often return nothing, loop, answer
in the wrong language or copy the prompt back. The engine already stops obvious loops
(``stop_reason`` degenerate_*); these checks catch the rest so a task can fall back
honestly instead of showing junk as if it were a result.
"""
from __future__ import annotations

import re
from typing import Literal

Weakness = Literal["degenerate", "empty", "wrong_language", "echo", "repetition"]

_JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff々〆ー]")
_LATIN = re.compile(r"[A-Za-z]")
_WORDISH = re.compile(r"[\w\u3040-\u30ff\u3400-\u9fff]")


def japanese_ratio(text: str) -> float:
    """Share of Japanese characters among letters (kana/kanji vs. everything word-like)."""
    letters = len(_WORDISH.findall(text))
    return len(_JA.findall(text)) / letters if letters else 0.0


def latin_ratio(text: str) -> float:
    letters = len(_WORDISH.findall(text))
    return len(_LATIN.findall(text)) / letters if letters else 0.0


def language_ok(text: str, lang: str | None) -> bool:
    """Loose test that ``text`` is mostly in ``lang`` ("ja" or "en")."""
    if lang == "ja":
        return japanese_ratio(text) >= 0.3
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
            digits = tok.translate(str.maketrans("０１２３４５６７８９", "0123456789")).replace(",", "").replace("，", "")
            if digits.isdigit():
                out.add(int(digits))
        elif kanji:
            n = _kanji_number(tok)
            if n is not None:
                out.add(n)
    return out


def invented_numbers(output: str, source: str, kanji_in_output: bool = True) -> set[int]:
    """Numbers in a translation that the source does not contain (a typical hallucination).

    Kanji in Japanese output are ignored with ``kanji_in_output=False`` (一般, 統一 are words).
    """
    return numbers_in(output, kanji_in_output) - numbers_in(source)
