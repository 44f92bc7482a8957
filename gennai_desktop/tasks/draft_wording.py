"""Two 公用文 wording rules the 起案 layout applies to what the user typed.

1. 宛先 and its honorific: the templates write 「{宛先}　殿」. When the official already typed an
   honorific (「…課長　殿」「…様」「…御中」「各位」), theirs is kept and the template's is left
   out — 「殿　殿」 is never written.
2. The end of a 記 item. Rule followed (法制執務の号の書き方, which 「公用文作成の考え方」
   (文化審議会建議, 2022) points to for 箇条書き): an item that is a sentence — it ends in a
   predicate (動詞・形容詞・助動詞) or in 「こと」「とき」 — is closed with 「。」; an item that is a
   noun phrase (体言止め: 「回答期限　令和８年１月３０日」「出席者名簿」) gets none. A trailing
   parenthetical (「…提出する（様式１）」) is judged by what precedes it, and the 「。」 follows the
   「）」. An item the user closed already is left as typed.
"""
from __future__ import annotations

import re

from ..nlp.morph import tokenize

HONORIFICS = ("殿", "様", "御中", "各位")
_TEMPLATE_HONORIFIC = re.compile(r"^(?P<field>\{[^{}]+\})[ \u3000]*(?P<hon>殿|様|御中)$")
_SENTENCE_POS = {"動詞", "形容詞", "助動詞"}
_SENTENCE_NOUNS = {"こと", "とき"}        # 形式名詞 that end a 号 written as a sentence
_CLOSED = ("。", "．", "！", "？", "!", "?")
_TRAILING_PAREN = re.compile(r"[（(][^（）()]*[）)]$")


def has_honorific(value: str) -> bool:
    return value.rstrip(" \u3000").endswith(HONORIFICS)


def addressee_line(template_text: str, value: str) -> str | None:
    """The 宛先 line when ``value`` already carries an honorific (None: fill the template as usual)."""
    m = _TEMPLATE_HONORIFIC.match(template_text)
    if m is None or not has_honorific(value):
        return None
    return value.rstrip(" \u3000")


def is_sentence(item: str) -> bool:
    """Whether the item ends in a predicate or in 「こと」「とき」 (see module doc)."""
    core = item.rstrip(" \u3000")
    while _TRAILING_PAREN.search(core):
        core = _TRAILING_PAREN.sub("", core).rstrip(" \u3000")
    core = core.rstrip("」』")
    if not core:
        return False
    words = [m for m in tokenize(core) if m.pos0 not in ("補助記号", "空白")]
    if not words:
        return False
    last = words[-1]
    return last.pos0 in _SENTENCE_POS or last.surface in _SENTENCE_NOUNS


def close_item(item: str) -> str:
    """``item`` with 「。」 when it is a sentence not yet closed; noun phrases are left alone."""
    text = item.rstrip(" \u3000")
    if not text or text.endswith(_CLOSED) or not is_sentence(text):
        return item
    return text + "。"
