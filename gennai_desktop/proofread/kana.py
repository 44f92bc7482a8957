"""Small character helpers for the rule engine (kana conversion, script tests).

Why: suggestions are built from SudachiPy readings (katakana) and must be hiragana;
several rules only apply when a word is written with kanji.
"""
from __future__ import annotations

from ..nlp.script import is_kanji

_KATA_START, _KATA_END = 0x30A1, 0x30F6


def to_hiragana(text: str) -> str:
    """Katakana → hiragana (ァ..ヶ); other characters unchanged."""
    return "".join(chr(ord(c) - 0x60) if _KATA_START <= ord(c) <= _KATA_END else c for c in text)


def is_katakana_word(text: str) -> bool:
    return bool(text) and all(_KATA_START <= ord(c) <= 0x30FC for c in text)


def has_kanji(text: str) -> bool:
    return any(is_kanji(c) for c in text)


def kanji_only(text: str) -> str:
    return "".join(c for c in text if is_kanji(c))


def shown(text: str) -> str:
    """A visible rendering of ``text`` for messages (invisible characters as U+XXXX)."""
    out = []
    for c in text:
        if c.isprintable() and not c.isspace():
            out.append(c)
        else:
            out.append(f"U+{ord(c):04X}")
    return "".join(out)
