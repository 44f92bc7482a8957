"""Numbers as 公用文 writes them in 横書き: 算用数字, half-width, 3-digit commas, 万/億 kept.

Why: Whisper writes 「三百万円」 one time and 「300万円」 the next. 「公用文作成の考え方」
(2022) asks for Arabic numerals in horizontal text except in words where the numeral is
part of the word (一般, 一部, 十分, 一つ …). So only a kanji number directly before a
counter (円, 件, 人, 日 …) is converted, and a list of such words is left alone.
"""
from __future__ import annotations

import re

_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "億": 100_000_000, "兆": 1_000_000_000_000}

# counters after which a kanji number is a quantity (not part of a word)
_COUNTERS = ("年度", "年", "か月", "カ月", "ヶ月", "か所", "箇所", "か国", "月", "日", "時間", "時", "分", "秒",
             "人", "名", "回", "件", "個", "円", "歳", "点", "枚", "台", "号", "条", "項", "割", "倍", "階",
             "週", "期", "社", "校", "本", "冊", "%", "％", "パーセント", "キロ", "メートル", "グラム", "ページ")
# words whose numeral belongs to the word: never converted (checked on the text around)
_WORDS = ("十分", "一部", "一般", "一時", "一日", "一人", "一番", "一方", "一度", "一緒", "一層", "一体",
          "一定", "一斉", "一旦", "一応", "一切", "一致", "一覧", "一環", "一連", "一括", "一同", "一任",
          "統一", "唯一", "万一", "一本化", "一元", "一律", "一件落着", "三権", "四半期", "二人三脚", "一名",
          "千代田", "八百屋", "九州", "四国", "一月遅れ", "一時間後に")
_KANJI_NUM = re.compile(r"(?<![0-9.,])第?([〇一二三四五六七八九十百千][〇一二三四五六七八九十百千万億兆]*)"
                        r"(?=(" + "|".join(map(re.escape, _COUNTERS)) + "))")
_FULLWIDTH = str.maketrans("０１２３４５６７８９，．", "0123456789,.")
_ARABIC = re.compile(r"(?<![0-9,.])([0-9]{4,})(?![0-9])")


def kanji_to_int(s: str) -> int | None:
    """二十三 → 23, 三百万 → 3000000, 一〇三 → 103; None if ``s`` is not a well-formed number."""
    if not s:
        return None
    if all(c in _DIGIT for c in s):
        return int("".join(str(_DIGIT[c]) for c in s))
    total, section, digit = 0, 0, None
    for c in s:
        if c in _DIGIT:
            if digit is not None:
                return None             # 「三四百」: two digits in a row inside a positional number
            digit = _DIGIT[c]
        elif c in _SMALL:
            section += (1 if digit is None else digit) * _SMALL[c]
            digit = None
        elif c in _BIG:
            if section == 0 and digit is None:
                return None             # 「万」 alone is not a number
            total += (section + (digit or 0)) * _BIG[c]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _with_units(n: int) -> str:
    """3000000 → 「300万」, 250000000 → 「2億5,000万」, 1500 → 「1,500」 (公用文 style)."""
    if n < 10_000:
        return f"{n:,}"
    parts = []
    for unit, size in (("兆", 10 ** 12), ("億", 10 ** 8), ("万", 10 ** 4)):
        if n >= size:
            parts.append(f"{n // size:,}{unit}")
            n %= size
    if n:
        parts.append(f"{n:,}")
    return "".join(parts)


def _protected(text: str) -> list[tuple[int, int]]:
    spans = []
    for w in _WORDS:
        for m in re.finditer(re.escape(w), text):
            spans.append((m.start(), m.end()))
    return spans


def arabic_numerals(text: str) -> str:
    """Kanji quantities before a counter → Arabic numerals; full-width digits → half-width;
    4+ digit numbers get commas except years (2026年) and numbers already grouped."""
    text = text.translate(_FULLWIDTH)
    protected = _protected(text)
    out, pos = [], 0
    for m in _KANJI_NUM.finditer(text):
        s, e = m.span(1)
        if any(a < e and s < b for a, b in protected):
            continue
        n = kanji_to_int(m.group(1))
        if n is None:
            continue
        counter = m.group(2)
        rendered = str(n) if counter.startswith("年") or counter in ("月", "日", "時", "分", "秒") else _with_units(n)
        out.append(text[pos:s])
        out.append(rendered)
        pos = e
    out.append(text[pos:])
    text = "".join(out)

    def comma(m: re.Match[str]) -> str:
        after = text[m.end():m.end() + 1]
        before = text[max(0, m.start() - 1):m.start()]
        if after == "年" or before in ("第", "#") or m.group(1).startswith("0"):
            return m.group(1)
        return f"{int(m.group(1)):,}"
    return _ARABIC.sub(comma, text)
