"""Which rule profile a document is checked with: 公用文 (the 2022 建議 and the 2010 訓令)
or 法令 (「法令における漢字使用等について」) for laws, 政令, 規則, 規程, 条例, 告示 and 要綱.

Why automatic: 及び/並びに, 者/物/もの, 場合/とき/時, 係る, 当該 and 漢数字 with 箇月 are right in
a law; checking a law against the 公用文 guidance "corrects" what its drafters wrote on
purpose. The choice is made from the title and the document's own structure (articles
「第一条」, 附則, a 告示 number), and the user can always override it (CLI --profile, the
校正 tab's profile box).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.document import Document

AUTO = "auto"
KOYOBUN = "koyobun"
HOREI = "horei"

_NUM = "〇一二三四五六七八九十百千0-9０-９"
_ARTICLE = re.compile(rf"^[\s\u3000]*第[{_NUM}]+条(?:の[{_NUM}]+)?[\s\u3000（(]", re.M)
_SUPPLEMENT = re.compile(r"^[\s\u3000]*附[\s\u3000]*則", re.M)
_KOKUJI_NO = re.compile(rf"(?:告示|訓令|規則|規程|条例|政令|省令|府令)第[{_NUM}]+号")
# titles that name the document as a law-like text on their own
_TITLE_ALONE = re.compile(r"(?:規則|規程|条例|要綱|要綱案|要綱（案）|要綱\(案\)|施行令|施行規則|政令|省令|府令|訓令)$")
# titles that need the text to look like a law as well ("方法" ends in 法, "命令" in 令)
_TITLE_WITH_BODY = re.compile(r"(?:法律|法|令|告示)(?:（[^）]*）)?$")


@dataclass(frozen=True)
class ProfileChoice:
    profile: str          # "koyobun" | "horei"
    reason: str           # i18n key of why (shown to the user)
    articles: int = 0


_PROMULGATION = re.compile(rf"^○?\S{{0,20}}(?:告示|訓令|政令|省令|府令|規則|条例)第[{_NUM}]+号$")


def _head_lines(doc: Document, n: int = 6) -> list[str]:
    """The first ``n`` non-trivial lines, spaces removed (「法 制 審 議 会 令」→「法制審議会令」)."""
    out: list[str] = []
    for b in doc.blocks[:40]:
        for line in b.text.split("\n"):
            t = re.sub(r"[\s\u3000]+", "", line)
            if len(t) >= 2 and not re.fullmatch(r"[（(][^）)]*[）)]|[0-9０-９]+", t):
                out.append(re.sub(r"[（(]案[)）]$", "", t))
                if len(out) >= n:
                    return out
    if doc.title:
        out.append(re.sub(r"[\s\u3000]+", "", doc.title))
    return out


def choose_profile(doc: Document) -> ProfileChoice:
    """法令 for laws and law-like texts, 公用文 otherwise."""
    head = doc.text[:200_000]
    articles = len(_ARTICLE.findall(head))
    supplement = bool(_SUPPLEMENT.search(head))
    lines = _head_lines(doc)
    if any(_PROMULGATION.match(t) for t in lines[:3]):
        return ProfileChoice(HOREI, "proofread.profile.reason.title", articles)
    for t in lines[:3]:
        if _TITLE_ALONE.search(t):
            return ProfileChoice(HOREI, "proofread.profile.reason.title", articles)
        if _TITLE_WITH_BODY.search(t) and (articles >= 1 or supplement or _KOKUJI_NO.search(head[:3000])):
            return ProfileChoice(HOREI, "proofread.profile.reason.title", articles)
    if articles >= 5 and supplement:
        return ProfileChoice(HOREI, "proofread.profile.reason.articles", articles)
    return ProfileChoice(KOYOBUN, "proofread.profile.reason.default", articles)
