"""Word's automatic numbering (w:numPr) as the label a reader sees: 「１．」「（１）」「ア」「①」「・」.

Why: Word draws list numbers and bullets from numbering.xml; they are not in the paragraph's
runs, so a reader of the runs alone sees 「はじめに」 where the page says 「１　はじめに」, and
「（１）」「ア」 items lose the very marks that structure an official document. The labels are
computed once for the whole body, in document order, as Word counts them (a counter per
list and level; a level restarts after a higher level advances), and given to the shared
text walk (``ooxml.paragraph_pieces``) so the reader and the tracked-changes writer see the
same text.

Formats: decimal and its full-width, circled (①) and parenthesised (⑴) forms, Latin
letters, Roman numerals, アイウ / イロハ, 一二三 (漢数字), bullets (Symbol/Wingdings bullets
become the character shown, ``normalize.SYMBOL_FONT_CHARS``) and "none".
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .normalize import SYMBOL_FONT_CHARS
from .ooxml import W, body_elements, table_cells

_AIUEO = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
_KANJI = "〇一二三四五六七八九"
_PLACEHOLDER_RE = re.compile(r"%([1-9])")


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    suffix: str = "tab"
    restart: int | None = None      # w:lvlRestart: restart after this (1-based) level


@dataclass
class _Num:
    abstract: str
    starts: dict[int, int] = field(default_factory=dict)   # startOverride per level


def _val(el: Any) -> str | None:
    return el.get(W + "val") if el is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _kanji(n: int) -> str:
    if n <= 0:
        return str(n)
    if n < 10:
        return _KANJI[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _KANJI[tens]) + "十" + (_KANJI[ones] if ones else "")
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, sym in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                       (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out += sym
            n -= value
    return out


def _letters(n: int) -> str:
    n = max(n, 1)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One counter value in a w:numFmt."""
    if fmt in ("decimal", "decimalZero"):
        return f"{n:02d}" if fmt == "decimalZero" and n < 10 else str(n)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if fmt == "decimalHalfWidth":
        return str(n)
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt in ("aiueo", "aiueoFullWidth"):
        return _AIUEO[(n - 1) % len(_AIUEO)]
    if fmt in ("iroha", "irohaFullWidth"):
        return _IROHA[(n - 1) % len(_IROHA)]
    if fmt in ("japaneseCounting", "japaneseLegal", "japaneseDigitalTenThousand", "chineseCounting",
               "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting"):
        return _kanji(n)
    if fmt in ("ideographDigital", "chineseLegalSimplified"):
        return "".join(_KANJI[int(d)] for d in str(n))
    if fmt == "none":
        return ""
    return str(n)


class Numbering:
    """numbering.xml of one document, and the paragraph styles that carry a w:numPr."""

    def __init__(self, document: Any, style_numbering: dict[str, tuple[str | None, int | None]]) -> None:
        self.abstracts: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, _Num] = {}
        self.style_numbering = style_numbering
        try:
            root = document.part.numbering_part.element
        except Exception:  # noqa: BLE001 - no numbering part: nothing is numbered
            return
        for an in root.iterchildren(W + "abstractNum"):
            levels: dict[int, _Level] = {}
            for lvl in an.iterchildren(W + "lvl"):
                ilvl = _int(lvl.get(W + "ilvl"), 0)
                restart = lvl.find(W + "lvlRestart")
                levels[ilvl] = _Level(start=_int(_val(lvl.find(W + "start")), 1),
                                      fmt=_val(lvl.find(W + "numFmt")) or "decimal",
                                      text=_val(lvl.find(W + "lvlText")) or "",
                                      suffix=_val(lvl.find(W + "suff")) or "tab",
                                      restart=_int(_val(restart), 0) if restart is not None else None)
            aid = an.get(W + "abstractNumId")
            if aid is not None:
                self.abstracts[aid] = levels
        for num in root.iterchildren(W + "num"):
            nid = num.get(W + "numId")
            aid = _val(num.find(W + "abstractNumId"))
            if nid is None or aid is None:
                continue
            entry = _Num(aid)
            for ov in num.iterchildren(W + "lvlOverride"):
                so = ov.find(W + "startOverride")
                if so is not None:
                    entry.starts[_int(ov.get(W + "ilvl"), 0)] = _int(_val(so), 1)
            self.nums[nid] = entry

    def level_of(self, num_id: str, ilvl: int) -> _Level | None:
        num = self.nums.get(num_id)
        if num is None:
            return None
        return self.abstracts.get(num.abstract, {}).get(ilvl)

    def labels(self, body: Any, para_props: Any) -> dict[Any, tuple[str, str]]:
        """w:p element → (label, separator) for every numbered paragraph of ``body``, counted
        in document order. ``para_props(p)`` gives (style_id, num_id, ilvl) of a paragraph."""
        out: dict[Any, tuple[str, str]] = {}
        if not self.nums:
            return out
        counters: dict[str, list[int | None]] = {}
        started: set[str] = set()
        for p in _all_paragraphs(body):
            style_id, num_id, ilvl = para_props(p)
            if num_id is None and style_id in self.style_numbering:
                num_id, style_ilvl = self.style_numbering[style_id]
                ilvl = ilvl if ilvl is not None else style_ilvl
            if num_id is None or num_id == "0" or num_id not in self.nums:
                continue
            ilvl = min(max(ilvl or 0, 0), 8)
            num = self.nums[num_id]
            levels = self.abstracts.get(num.abstract, {})
            level = levels.get(ilvl)
            if level is None:
                continue
            key = num_id if num.starts else num.abstract
            state = counters.setdefault(key, [None] * 9)
            if num.starts and num_id not in started:
                started.add(num_id)
            current = state[ilvl]
            state[ilvl] = (current + 1) if current is not None else num.starts.get(ilvl, level.start)
            for deeper in range(ilvl + 1, 9):
                lv = levels.get(deeper)
                if lv is None or lv.restart is None or lv.restart == 0 or lv.restart > ilvl:
                    state[deeper] = None
            label = _render(level.text, state, levels, num)
            if level.fmt == "bullet":
                label = "".join(SYMBOL_FONT_CHARS.get(ch, ch) for ch in level.text)
            if not label.strip():
                continue
            if level.suffix == "nothing":
                sep = ""
            elif level.suffix == "space":
                sep = " "
            else:   # a tab: after a full-width label it reads as a 全角スペース
                sep = "\u3000" if _wide(label[-1]) else " "
            out[p] = (label, sep)
        return out


def _render(text: str, state: list[int | None], levels: dict[int, _Level], num: _Num) -> str:
    def value(m: re.Match[str]) -> str:
        k = int(m.group(1)) - 1
        lv = levels.get(k) or _Level()
        current = state[k]
        n = current if current is not None else num.starts.get(k, lv.start)
        return format_number(int(n), lv.fmt)
    return _PLACEHOLDER_RE.sub(value, text)


def _wide(ch: str) -> bool:
    return ord(ch) >= 0x2E80 or 0x2460 <= ord(ch) <= 0x24FF


def _all_paragraphs(parent: Any) -> Iterator[Any]:
    """Every w:p of a body in document order: body paragraphs, table cells, text boxes."""
    for el in body_elements(parent):
        if el.tag == W + "p":
            yield el
        elif el.tag == W + "tbl":
            for tr in el.iterchildren(W + "tr"):
                for tc in table_cells(tr):
                    yield from _all_paragraphs(tc)
