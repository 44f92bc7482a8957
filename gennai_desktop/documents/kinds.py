"""What a line of text says about its block: numbering, bullets, captions, notes, URLs.

Why one module: the PDF reader, the .txt/.md reader and the .docx reader all decide "is this
a heading number, a list label, a figure caption, a note, a reference entry, a bare URL?"
from the characters alone (the PDF reader adds layout). Official Japanese documents use a
small, stable set of conventions for that (公用文: 第1章 / 第1節 / 1 / (1) / ア / (ア);
※ and 注 notes; 図1 / 表1-1 / 資料： captions); they live here once.

Heading numbering types are ranked from the outermost (部, 章) to the innermost (①, 【…】);
a document's heading levels are the ranks it actually uses, in that order
(``levels_of``), so 「１ はじめに」 is level 1 in a report without chapters.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import NamedTuple

from ..core.document import Block, BlockKind

_D = "0-9０-９"
_KANJI_NUM = "一二三四五六七八九十百千〇"
_N = f"[{_D}]+"
_KN = f"[{_D}{_KANJI_NUM}]+"
_SP = "[ \u3000]"
_DOT = "[.．、]"
_DASH = "[-－―‐‑–−ー]"
_CIRCLED = "①-⑳㉑-㉟㊱-㊿"
_PAREN_DIGITS = "⑴-⒇"
_KATAKANA_IROHA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
_HIRAGANA = "あいうえおかきくけこさしすせそたちつてとなにぬねの"


class Numbering(NamedTuple):
    rank: int      # outermost = 0 (部) … innermost
    label: str     # the number as written, e.g. "第1章", "1.1", "（1）", "ア"


# (rank, pattern) — the pattern matches the label at the start of a line.
_NUMBERING = [
    (0, re.compile(f"第{_KN}編")),
    (1, re.compile(f"第{_KN}部")),
    (2, re.compile(f"第{_KN}章")),
    (3, re.compile(f"第{_KN}節")),
    (4, re.compile(f"第{_KN}款")),
    (5, re.compile(f"第{_KN}条(?:の{_KN})*")),                  # 第三条 / 第十条の二 (法令の条)
    (5, re.compile(f"第{_KN}(?=[{_SP[1:-1]}])")),             # 第１　… (中間試案, 通知 記書き)
    (8, re.compile(f"{_N}(?:{_DOT}|{_DASH}){_N}(?:(?:{_DOT}|{_DASH}){_N})+{_DOT}?")),   # 1.1.1 / 1-1-2
    (7, re.compile(f"{_N}(?:{_DOT}|{_DASH}){_N}{_DOT}?(?=[{_SP[1:-1]}]|[^{_D}.．])")),  # 1.1 / １－１．
    (6, re.compile(f"[{_D}]{{1,2}}{_DOT}?(?={_SP})|[{_D}]{{1,2}}{_DOT}(?![{_D}])")),    # 1 / 1. / １．
    (9, re.compile(f"[（(]{_N}[）)]|[{_PAREN_DIGITS}]")),                             # （1） ⑴
    (10, re.compile(f"{_N}[）)]")),                                                    # 1)
    (11, re.compile(f"[{_KATAKANA_IROHA}](?={_SP})|[{_KATAKANA_IROHA}][.．、]")),      # ア
    (12, re.compile(f"[（(][{_KATAKANA_IROHA}][）)]")),                               # （ア）
    (13, re.compile(f"[{_CIRCLED}]")),                                                 # ①
    (14, re.compile("[a-zａ-ｚ][）).．]|[（(][a-zａ-ｚ][）)]")),                       # a) (a)
    (15, re.compile(f"[{_KANJI_NUM}]+(?={_SP})")),                                     # 一　(法令の号)
    (16, re.compile("【[^】]{1,20}】|≪[^≫]{1,20}≫|《[^》]{1,20}》|〈[^〉]{1,20}〉|＜[^＞]{1,20}＞")),
]
# the first seven begin with 「第」 and no other can (their first characters are digits, brackets,
# kana, circled numbers, Latin letters, kanji numerals): a label tries only its own group
_NUMBERING_DAI = _NUMBERING[:7]
_NUMBERING_REST = _NUMBERING[7:]
_BULLETS = "・･●○◎◦■□◆◇▪▫▶▷►➢➣➤✓✔✗☑☐★☆◯♦❖-–—＊*＋+"
_BULLET_RE = re.compile(f"[{re.escape(_BULLETS)}](?=.)")
_SPEAKER_RE = re.compile(f"○[^\\s{re.escape(_BULLETS)}]{{1,14}}(?={_SP})")   # 議事録: ○藤田部会長　…
_LABEL_TAIL_RE = re.compile(f"{_SP}*")

CAPTION_RE = re.compile(
    rf"^[■□◆◇●○▲△▼▽【\[]?\s*(?:"
    rf"第?{_N}(?:{_DASH}{_N})*{_DASH}?(?:{_N})?\s*[図表](?![）)、。，,をにのはがでと])"    # 第１-１-２図
    rf"|(?:図表|図|表|写真|グラフ|Fig(?:ure)?\.?|Table|Chart)\s*{_N}(?:{_DASH}{_N})*"    # 図1 表１-1
    r"(?![）)、。，,をにのはがでと])"
    rf"|(?:資料|出典|出所|備考|（?注）?)\s*[：:]"                          # 資料： 出典：
    rf"|(?:資料|出典)\s*[）)]"
    rf")"
)
NOTE_RE = re.compile(
    rf"^(?:※\s*(?:{_N})?|[＊*]\s*{_N}|[（(]注(?:{_N})?[）)]|注(?:{_N})?\s*[：:.．]?(?=\s|[^\s{_D}])(?!意|目|文|記|射|視|力|入|釈)"
    rf"|[⁰¹²³⁴⁵⁶⁷⁸⁹]+)"
)
URL_RE = re.compile(r"^(?:(?:URL|ＵＲＬ|Web|HP)\s*[：:]\s*)?<?(?:https?://|www\.)\S+>?$", re.IGNORECASE)
URL_ANY_RE = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
REFERENCE_HEADING_RE = re.compile(
    r"参考文献|引用文献|参考資料|参考情報|参考リンク|出典一覧|文献一覧|References?|Bibliography")
_REFERENCE_ENTRY_RE = re.compile(r"「[^」]{2,}」|『[^』]{2,}』|“[^”]{2,}”|\"[^\"]{2,}\"|https?://|\(\d{4}\)|（\d{4}）")
SENTENCE_END = tuple("。．！？!?")


_UNIT_RE = re.compile(" ?[年月日時分秒円人件％%歳回個名社倍割]")   # after 「　」 it is a label


_FIRST = set("第0123456789０１２３４５６７８９（(【≪《〈＜" + _KANJI_NUM + _KATAKANA_IROHA
             + "abcdefghijklmnopqrstuvwxyzａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
             + "".join(chr(c) for c in range(0x2460, 0x24A0)) + "".join(chr(c) for c in range(0x3251, 0x32C0)))


# a pure function of the text, asked two or three times per paragraph (pdf_blocks: the
# number, then the list label): a small cache of recent texts
@functools.lru_cache(maxsize=512)
def numbering(text: str) -> Numbering | None:
    """The heading/list number that begins ``text`` (after spaces), or None. A number
    followed by a unit (「2020 年」, 「3 月」) is a quantity, not a number label."""
    s = text.lstrip(" \u3000")
    if not s or s[0] not in _FIRST:
        return None
    for rank, pattern in (_NUMBERING_DAI if s[0] == "第" else _NUMBERING_REST):
        m = pattern.match(s)
        if m and (len(s) > m.end() or rank in (5, 16)):
            if rank in (6, 7, 10) and _UNIT_RE.match(s, m.end()):
                return None
            if rank <= 5 and s[m.end():m.end() + 1] not in ("", " ", "\u3000", "（", "("):
                return None     # 「第１章で見てきたように」: a reference in a sentence, not a label
            return Numbering(rank, m.group(0))
    return None


def list_label(text: str) -> str:
    """The bullet, number or speaker mark that begins a list item / turn ("" if none)."""
    s = text.lstrip(" \u3000")
    m = _SPEAKER_RE.match(s)
    if m:
        return m.group(0)
    m = _BULLET_RE.match(s)
    if m and not (s[0] in "-–—+＋" and len(s) > 1 and s[1].isdigit()) and s[1:2] != s[0]:
        return m.group(0)   # not −1 / +3 (numbers), not ** / -- (emphasis, rules)
    n = numbering(s)
    return n.label if n else ""


_BARE_IROHA_RE = re.compile(f"[{_KATAKANA_IROHA.replace('ノ', '')}](?=[\u4e00-\u9fff（(「])")
_BARE_KANJI_RE = re.compile(f"[{_KANJI_NUM}]+(?:の[{_KANJI_NUM}]+)?(?=[^{_KANJI_NUM}の])")


def bare_label(text: str, hanging: bool) -> str:
    """A label set without a space, as 告示 and vertical documents do: 「イ当該…」 (an iroha
    letter before a kanji), and — only with a hanging indent to prove it — 「一保険医療機関…」
    (a kanji numeral; 「一定」「一部」 begin ordinary words)."""
    s = text.lstrip(" \u3000")
    m = _BARE_IROHA_RE.match(s)
    if m:
        return m.group(0)
    if hanging:
        m = _BARE_KANJI_RE.match(s)
        if m:
            return m.group(0)
    return ""


def is_speaker(label: str) -> bool:
    return _SPEAKER_RE.match(label + "\u3000") is not None and len(label) >= 3


def is_bullet(label: str) -> bool:
    return len(label) == 1 and label in _BULLETS


def is_caption(text: str) -> bool:
    return CAPTION_RE.match(text.lstrip(" \u3000")) is not None


def note_label(text: str) -> str:
    """The marker that begins a note (「※1」, 「（注2）」, 「注：」, 「*3」), or ""."""
    m = NOTE_RE.match(text.lstrip(" \u3000"))
    return m.group(0).strip() if m else ""


def is_url_only(text: str) -> bool:
    return URL_RE.match(text.strip()) is not None


def looks_like_reference(text: str) -> bool:
    """A bibliography entry: a quoted title, a year in parentheses or a URL."""
    return _REFERENCE_ENTRY_RE.search(text) is not None


def ends_sentence(text: str) -> bool:
    t = text.rstrip(" \u3000")
    while t and t[-1] in "」』）)】〕］”’⁰¹²³⁴⁵⁶⁷⁸⁹":
        t = t[:-1]
    return t.endswith(SENTENCE_END)


def levels_of(ranks: Iterable[int]) -> dict[int, int]:
    """Heading levels 1–4 for the numbering ranks a document uses, outermost first."""
    used = sorted(set(ranks))
    return {rank: min(4, i + 1) for i, rank in enumerate(used)}


def reference_sections(blocks: list[Block]) -> list[Block]:
    """Entries under a 参考文献/参考資料/出典 heading are reference entries (until the next
    heading of the same or a higher level)."""
    out: list[Block] = []
    level: int | None = None
    for b in blocks:
        if b.kind in ("heading", "title"):
            if level is not None and (b.kind == "title" or b.level <= level):
                level = None
            if b.kind == "heading" and len(b.text) <= 30 and REFERENCE_HEADING_RE.search(b.text):
                level = b.level
        elif level is not None and b.kind in ("paragraph", "list_item", "url") and (
                b.kind != "paragraph" or b.label or looks_like_reference(b.text) or is_url_only(b.text)):
            b = replace(b, kind="reference", level=0)
        out.append(b)
    return out


def text_kind(text: str) -> tuple[BlockKind, str]:
    """(kind, label) of a line or paragraph judged from its characters alone (the .txt and
    .html readers): URL-only lines, 図/表 captions, ※/注 notes, numbered or bulleted items;
    else a paragraph. Speaker marks (○藤田部会長) label a paragraph."""
    if is_url_only(text):
        return "url", ""
    if len(text) <= 80 and CAPTION_RE.match(text.lstrip(" \u3000")):
        return "caption", ""
    note = note_label(text)
    if note:
        return "note", note
    label = list_label(text)
    if label and is_speaker(label):
        return "paragraph", label
    if label and label != "○":
        return "list_item", label
    return "paragraph", ""
