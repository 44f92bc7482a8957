"""Which writing system a character or a text is in: the one definition of "Japanese",
"kanji", "kana" and "Latin" that language checks use.

Why: the model-output checks (tasks.quality), the streaming degenerate-output detector
(llm.degenerate), summarisation's choice of prompt language, the proofreading rules' kanji
tests and the OCR corrections each carried their own Unicode ranges, which differed at the
edges (half-width katakana, 〆, CJK extension A). One module, one answer.

Not here, on purpose: broader classes that answer other questions — which characters a
Japanese legacy encoding decodes to (``documents.txt_reader``, a mojibake test: Greek,
Cyrillic, box drawing included) and between which characters a space is dropped
(``documents.normalize.is_cjk``: CJK punctuation and full-width forms included).
nlp/ sits below documents/ in the layers (pyproject.toml), so documents/ and ocr/ may use it.
"""
from __future__ import annotations

import re
from typing import Literal

Language = Literal["ja", "en"]
Script = Literal["hira", "kata", "kanji", "other"]

# Character classes (regex bracket contents), the single source for the predicates and ratios.
KANJI_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006"   # ext. A, unified, compat., 々〆
HIRAGANA_CLASS = "\u3041-\u309f"
KATAKANA_CLASS = "\u30a1-\u30fa\u30fc"                                  # ァ..ヺ and ー
HALFWIDTH_KATAKANA_CLASS = "\uff66-\uff9f"
JAPANESE_CLASS = "\u3040-\u30ff" + HALFWIDTH_KATAKANA_CLASS + KANJI_CLASS   # kana, kanji, 々〆ー
LATIN_CLASS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\uff21-\uff3a\uff41-\uff5a"  # + accented, full-width

JA_SHARE = 0.3      # a text is Japanese when at least this share of its letters is Japanese

_KANJI_RE = re.compile(f"[{KANJI_CLASS}]")
_HIRAGANA_RE = re.compile(f"[{HIRAGANA_CLASS}]")
_KATAKANA_RE = re.compile(f"[{KATAKANA_CLASS}]")
_JA_RE = re.compile(f"[{JAPANESE_CLASS}]")
_LATIN_RE = re.compile(f"[{LATIN_CLASS}]")
_LETTER_RE = re.compile(r"[\w\u3040-\u30ff\u3400-\u9fff]")   # what counts as a letter in a ratio


def is_kanji(ch: str) -> bool:
    """One character: a kanji (CJK ideograph, compatibility ideograph, 々 or 〆)."""
    return _KANJI_RE.match(ch) is not None


def is_hiragana(ch: str) -> bool:
    return _HIRAGANA_RE.match(ch) is not None


def is_katakana(ch: str) -> bool:
    """One character: full-width katakana ァ..ヺ or the long-vowel mark ー."""
    return _KATAKANA_RE.match(ch) is not None


def is_japanese(ch: str) -> bool:
    """One character: kana (full- or half-width), kanji, 々, 〆 or ー."""
    return _JA_RE.match(ch) is not None


def is_latin(ch: str) -> bool:
    """One character: a Latin letter (ASCII, accented Latin-1/Extended, full-width)."""
    return _LATIN_RE.match(ch) is not None


def script_of(ch: str) -> Script:
    """The script of one character, as the OCR kana/lookalike corrections need it."""
    if is_hiragana(ch):
        return "hira"
    if is_katakana(ch):
        return "kata"
    if is_kanji(ch):
        return "kanji"
    return "other"


def in_japanese_charset(ch: str) -> bool:
    """One character that Japanese text can contain: what Shift_JIS (cp932: JIS X 0208 plus
    the NEC/IBM extensions) can encode. A simplified Chinese form (别, 对) cannot."""
    try:
        ch.encode("cp932")
    except UnicodeEncodeError:
        return False
    return True


def japanese_ratio(text: str) -> float:
    """Share of Japanese characters among letters (kana/kanji vs. everything word-like)."""
    letters = len(_LETTER_RE.findall(text))
    return len(_JA_RE.findall(text)) / letters if letters else 0.0


def latin_ratio(text: str) -> float:
    """Share of Latin letters among letters."""
    letters = len(_LETTER_RE.findall(text))
    return len(_LATIN_RE.findall(text)) / letters if letters else 0.0


def guess_language(text: str, ja_share: float = JA_SHARE) -> Language:
    """"ja" when at least ``ja_share`` of the letters are Japanese, else "en"."""
    return "ja" if japanese_ratio(text) >= ja_share else "en"
