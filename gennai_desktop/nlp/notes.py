"""Footnote markers at the end of a sentence: find them, strip them.

Why: a footnote or citation marker sits between the predicate and the 。 (「…した[43](#)。」,
「…した^[1,2]。」, 「…した※1。」, 「…である（注3）。」, 「…した²。」). A rule that reads the
sentence end — である/です・ます, 体言止め, 〜こと。 — sees the marker instead of the predicate.
Every task strips them the same way before it reads a sentence end (docs/structure.md).

Only explicit marker shapes are recognised; bare digits are never stripped (「平成2。」 is
text). The PDF reader turns raised, smaller footnote digits into superscript digits, so
they are recognisable here too.
"""
from __future__ import annotations

import re

__all__ = ["note_marker_spans", "strip_note_markers", "NOTE_MARKER"]

_NUM = "[0-9０-９]+"
_NUMS = f"{_NUM}(?:[ ,，、\\-‐–~〜・]+{_NUM})*"
_SUP = "[⁰¹²³⁴⁵⁶⁷⁸⁹]+(?:[,⁽⁾⁻][⁰¹²³⁴⁵⁶⁷⁸⁹]+)*"
# One marker; several may follow each other (「…[1][2]。」).
NOTE_MARKER = (
    f"(?:\\[{_NUMS}\\]\\(#[^)\\s]*\\)"          # [43](#) / [43](#fn43): Markdown footnote links
    f"|\\^\\[{_NUMS}\\]|\\^{_NUM}"              # ^[1,2] / ^3: Pandoc-style superscripts
    f"|\\[{_NUMS}\\]|［{_NUMS}］"                # [3] / ［3］: bracketed citation numbers
    f"|[（(]注(?:{_NUM})?[）)]|注{_NUM}"             # （注3）/ (注) / 注3
    f"|[（(][※＊*](?:{_NUM})?[）)]|[※＊]{_NUM}|※|\\*{_NUM}"  # ※1 / ※ / ＊2 / *1 / （※1）
    f"|{_SUP})"                                   # ¹ / ¹² / ¹,³: superscript digits
)
# Markers right before a sentence end: 。．！？.!? , a closing bracket, or the end of the text.
_AT_END_RE = re.compile(f"(?:{NOTE_MARKER})+(?=[。．！？.!?」』）)]|\\s*$)")


def note_marker_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of footnote markers that stand right before a sentence end in
    ``text`` (any number of sentences). Offsets refer to ``text``."""
    return [(m.start(), m.end()) for m in _AT_END_RE.finditer(text) if m.end() > m.start()]


def strip_note_markers(text: str) -> str:
    """``text`` without the footnote markers that stand before a sentence end:
    「…した[43](#)。」→「…した。」, 「…した^[1,2]。」→「…した。」, 「…した※1。」→「…した。」."""
    if not text:
        return text
    return _AT_END_RE.sub("", text)
