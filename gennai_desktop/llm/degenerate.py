"""Cheap detection of degenerate model output while it streams.

Small models (the bundled Gemma 3 270M above all) fall into loops such as
「学習モデルとして、学習モデルとして、…」 or drift into the wrong language. Spotting that early
saves the user's time and lets a task fall back to a rule-based path instead of showing garbage.

The detector works on a normalised copy of the text (letters, digits and 、。 only — so
whitespace, table rules and ○/× marks do not count) and runs its checks only every few
characters, so ``feed`` costs a few microseconds per token. Thresholds are deliberately
conservative: legitimate enumerations (第1条, 第2条 …), tables and a handful of identical
placeholder headings (第○条 …) do not trip it.
"""
from __future__ import annotations

from typing import Literal

from ..nlp.script import is_japanese, is_latin

Reason = Literal["degenerate_repetition", "degenerate_language"]

CHECK_EVERY = 12            # normalised characters between checks
WINDOW = 600                # normalised characters examined for repetition
SHORT_UNIT_MAX = 40         # units up to this many characters need many repeats…
SHORT_MIN_REPEATS = 6
SHORT_MIN_CHARS = 48        # …and cover at least this much text
LONG_UNIT_MAX = 240         # longer units (a sentence or paragraph) repeated verbatim
LONG_MIN_REPEATS = 3
_KEY = 8                    # characters searched for to find candidate periods
NGRAM = 6
NGRAM_MIN_CHARS = 160       # unique-6-gram ratio is judged only on this much text
NGRAM_MIN_UNIQUE = 0.25
VARIETY_WINDOW = 320
LANG_MIN_LETTERS = 40
JA_MIN_SHARE = 0.3          # expecting Japanese: at least this share of letters must be Japanese
EN_MIN_SHARE = 0.5          # expecting English: at least this share must be Latin


def _keep(ch: str) -> bool:
    return ch.isalnum() or ch in "、。，．"


def normalise(text: str) -> str:
    """The characters the detector looks at (letters, digits, 、。)."""
    return "".join(ch for ch in text if _keep(ch))


def find_period(norm: str) -> int | None:
    """Length of a unit that the end of ``norm`` repeats verbatim often enough, else None.

    Candidate periods come from earlier occurrences of the last few characters (``rfind``),
    so the cost is a handful of C-level searches and comparisons, not a scan of every length.
    """
    n = len(norm)
    if n < SHORT_MIN_CHARS:
        return None
    key = norm[n - _KEY:]
    end = n - 1
    for _ in range(8):
        pos = norm.rfind(key, 0, end)
        if pos < 0:
            return None
        p = n - _KEY - pos
        if p > LONG_UNIT_MAX:
            return None
        span = max(SHORT_MIN_CHARS, SHORT_MIN_REPEATS * p) if p <= SHORT_UNIT_MAX else LONG_MIN_REPEATS * p
        # the last ``span`` chars have period p  <=>  they equal themselves shifted by p
        if span <= n and norm[n - span + p:] == norm[n - span:n - p]:
            return p
        end = pos + _KEY - 1
    return None


def low_variety(norm: str) -> bool:
    """True when the text is made of very few distinct 6-grams (a loop with small variations)."""
    norm = norm[-VARIETY_WINDOW:]
    if len(norm) < NGRAM_MIN_CHARS:
        return False
    total = len(norm) - NGRAM + 1
    unique = len({norm[i:i + NGRAM] for i in range(total)})
    return unique / total < NGRAM_MIN_UNIQUE


def is_empty_output(text: str) -> bool:
    """True when the output has no letter or digit at all (blank, or only punctuation)."""
    return not any(ch.isalnum() for ch in text)


class DegenerateDetector:
    """Feed streamed pieces; ``feed`` returns a stop reason as soon as the output degenerates."""

    __slots__ = ("expect_language", "_norm", "_since_check", "_checks", "_ja", "_latin", "_other", "reason")

    def __init__(self, expect_language: Literal["ja", "en"] | None = None) -> None:
        self.expect_language = expect_language
        self._norm: list[str] = []
        self._since_check = 0
        self._checks = 0
        self._ja = self._latin = self._other = 0   # letters seen, by script (incremental)
        self.reason: Reason | None = None

    def feed(self, piece: str) -> Reason | None:
        if self.reason is not None:
            return self.reason
        kept = piece if piece.isalnum() else "".join(ch for ch in piece if _keep(ch))
        if not kept:
            return None
        if self.expect_language:
            for ch in kept:
                if ch.isalpha():
                    if is_japanese(ch):
                        self._ja += 1
                    elif is_latin(ch):
                        self._latin += 1
                    else:
                        self._other += 1
        self._norm.append(kept)
        self._since_check += len(kept)
        if self._since_check < CHECK_EVERY:
            return None
        self._since_check = 0
        return self._check()

    def _check(self) -> Reason | None:
        norm = "".join(self._norm)
        if len(norm) > 2 * WINDOW:
            norm = norm[-WINDOW:]
        self._norm = [norm]
        tail = norm[-WINDOW:]
        self._checks += 1
        if find_period(tail) is not None or (self._checks % 4 == 0 and low_variety(tail)):
            self.reason = "degenerate_repetition"
            return self.reason
        if self.expect_language and self._language_is_wrong():
            self.reason = "degenerate_language"
            return self.reason
        return None

    def _language_is_wrong(self) -> bool:
        letters = self._ja + self._latin + self._other
        if letters < LANG_MIN_LETTERS:
            return False
        if self.expect_language == "ja":
            return self._ja / letters < JA_MIN_SHARE
        return self._latin / letters < EN_MIN_SHARE

    def finish(self) -> Reason | None:
        """Run every check once more on the whole output (call when the stream ends)."""
        if self.reason is None and self._norm:
            self._checks = 3  # the next check includes the 6-gram variety test
            return self._check()
        return self.reason
