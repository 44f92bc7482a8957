"""Is a sentence whole, does it only introduce a list, and which items follow it?

Why: a point an official forwards is a whole sentence of the body — it starts where the
author's sentence starts and ends at its 。. A PDF block that begins 「ています。」 continues
the sentence of the block before it; 「1　はじめに　本報告は…」 is a heading glued to a
sentence; 「以下を推奨する。」 says nothing without the list that follows. These checks read
only the block kinds (core.document) and the text, so they hold for any reader.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..core.document import BODY_KINDS, Block, Document

END = "。．！？!?"
CLOSE = "」』）)】〕］]"
# a line that is a list item by its own label (readers that do not yet mark list_item)
ITEM_LABEL = re.compile(r"^\s*(?:[・●○◦■□◆◇▪◎〇•\-－]|[0-9０-９]{1,2}[.．)）]"
                        r"|[（(][0-9０-９a-zA-Zａ-ｚア-ン一二三四五六七八九十]{1,3}[）)]"
                        r"|[①-⑳⑴-⒇]|[ア-ン][　 .．]|[一二三四五六七八九十]{1,2}[　 、.．])\s*")
# a law's article or paragraph number before its sentence: 「第一条　」「第十二条の二　」「２　」
_ARTICLE_NUMBER = r"第[〇一二三四五六七八九十百千万０-９0-9]+条(?:の[〇一二三四五六七八九十百千万０-９0-9]+)*"
ARTICLE = re.compile(r"^\s*" + _ARTICLE_NUMBER + r"\s")      # (also qa.retrieval's article lead)
PROVISION_LABEL = re.compile(r"^\s*(?:" + _ARTICLE_NUMBER + r"|[0-9０-９]{1,2})\s+")
# 「1　はじめに　本報告は…」: a numbered heading and its title before the first sentence
_GLUED = re.compile(r"^(?:第[0-9０-９一二三四五六七八九十]+[章節部]|[0-9０-９]{1,2}(?:[.．][0-9０-９]{1,2})*[.．]?"
                    r"|[（(][0-9０-９]{1,2}[）)])"
                    r"[ 　]*[^、。，,\s「」]{1,25}[ 　]+\S")
# a sentence that announces a list: 「次のとおりである。」「以下の3点を挙げる。」「次の各号に掲げる…」
# 「次のように改める。」 or one ending in ：  (not 「以下この項において」「以下「新法」という。」)
_INTRO = re.compile(r"(?:次|以下|下記)(?:に掲げる|の各号|のいずれか|のとおり|の通り|のよう|に示す|の[^。、「」]{0,15}"
                    r"(?:点|事項|項目|もの|取組|取り組み|措置|場合|要件|条件|観点|とおり|構成|構造|通り))[^。]{0,25}[。：:]$|[：:]$")
# how no sentence begins: a particle or ending (「を下記のとおり…」「ています。」) or a closing bracket —
# the rest of a sentence whose start a PDF reader put in another block
_MID_START = re.compile(r"^(?:[をがはのてへ]|に(?!もかかわらず)|で(?!は)|[）)」』】〕]"
                        r"|ます|です|ており|ている|った|れる|られ"
                        r"|[（(][^）)]{0,40}[）)](?:を|に|が|は|の|で|から|より|へ))")
_ASIDE = re.compile(r"^https?://|^www\.|^[0-9]{1,2}[ 　][^、。]*$|^[\x20-\x7e]+$")   # URL, footnote, English line
_LINE_WRAP = re.compile(r"(?<![。．！？!?」』）)])\n(?=\S)")


_CJK = "\u3000-\u30ff\u3400-\u9fff\uff01-\uff60"
_SPACED = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")


def joined_lines(text: str) -> str:
    """A block's text with its line wraps joined (Japanese: no space; Latin words: one) and
    the spaces of letter-spaced Japanese (「つ い て は 、」, justified PDF lines) taken out."""
    text = re.sub(r"(?<=[A-Za-z0-9,.])\n(?=[A-Za-z0-9])", " ", text).replace("\n", "")
    return _SPACED.sub("", text)


def split_view(doc: Document) -> str:
    """``doc.text`` with line wraps inside a body block (a newline not after a sentence end)
    turned into spaces, same length, so that a wrapped sentence is split as one sentence.
    The break between two blocks that a PDF reader cut inside one sentence
    (:func:`joins_previous`) is a space too: that sentence is one sentence over both blocks."""
    out = []
    for i, b in enumerate(doc.blocks):
        if i:
            out.append(" " if joins_previous(doc, i) else "\n")
        out.append(_LINE_WRAP.sub(" ", b.text) if b.kind in BODY_KINDS and "\n" in b.text else b.text)
    return "".join(out)


def joins_previous(doc: Document, index: int) -> bool:
    """Does body block ``index`` of a PDF or scan finish the sentence the block right before it
    began? The block before is body text that ends with no sentence end, and this one is
    marked as continued by the reader or begins the way no sentence begins
    (「（令和4年…）を下記のとおり…」 after 「標記について、「…について」」). Word and text
    paragraphs are the author's own and never join."""
    if doc.format not in ("pdf", "image") or index == 0:
        return False
    prev, block = doc.blocks[index - 1], doc.blocks[index]
    if prev.kind not in BODY_KINDS or block.kind not in BODY_KINDS or ends_sentence(prev.text):
        return False
    if block.kind == "list_item" or ITEM_LABEL.match(block.text) or _ASIDE.search(prev.text.strip()):
        return False
    if block.continued or starts_mid_sentence(block.text):
        return True
    before = doc.blocks[index - 2] if index >= 2 else None
    return wrapped_on(prev, before)


def _width(text: str) -> int:
    """Printed width of a line: full-width characters count two, ASCII one."""
    return sum(1 if ord(ch) < 0x80 else 2 for ch in text.strip())


def wrapped_on(prev: Block, before: Block | None) -> bool:
    """Does the unfinished body line ``prev`` run on into the block after it? Yes when it is
    prose (longer than a heading, or with a 、), or when it is one of a run of unfinished
    lines of one printed width — a narrow column (白書) that the PDF reader gives line by
    line (「年）８月、職員向けに「文章生成ＡＩ利活用ガ」「イドライン」を作成するとともに…」)."""
    if prev.kind not in BODY_KINDS or ends_sentence(prev.text):
        return False
    if not _stands_alone(prev.text):
        return True
    if before is None or before.kind not in BODY_KINDS or ends_sentence(before.text) or "\n" in prev.text:
        return False
    return abs(_width(before.text) - _width(prev.text)) <= 4


def ends_sentence(text: str) -> bool:
    t = text.rstrip().rstrip(CLOSE)
    return bool(t) and t[-1] in END


def _stands_alone(text: str) -> bool:
    """A short line that is not the start of a sentence running on: a heading typed as a
    paragraph (「要 旨」), a bracketed line （組織）, or 「項目：値」."""
    t = text.strip()
    if not t:
        return True
    if t[0] in "（(【［〔" and t[-1] in "）)】］〕" or "：" in t or ":" in t:
        return True
    return len(t) <= 30 and "、" not in t


def continues_previous(doc: Document, index: int) -> bool:
    """Does block ``index`` carry on a sentence the previous block started? Only for PDFs
    and scans, where a block may be one printed line; a Word paragraph or a line of a text
    file is the author's own."""
    if doc.format not in ("pdf", "image") or index == 0:
        return False
    if ARTICLE.match(doc.blocks[index].text):
        return False        # 「第二条　委員は、…」: a law's article starts its own sentence, whatever precedes it
    # footnotes and URLs a PDF reader put between the two halves of a sentence are skipped
    j = index - 1
    while j > 0 and index - j < 10 and _ASIDE.search(doc.blocks[j].text.strip()):
        j -= 1
    prev = doc.blocks[j]
    index = j + 1
    if prev.kind not in BODY_KINDS or ends_sentence(prev.text):
        return False
    if not _stands_alone(prev.text):
        return True
    # a run of unfinished lines of one length is a narrow column wrapped line by line
    if index >= 2:
        before = doc.blocks[index - 2]
        if before.kind in BODY_KINDS and not ends_sentence(before.text):
            return abs(len(before.text.strip()) - len(prev.text.strip())) <= 3
    return False


def starts_mid_sentence(text: str) -> bool:
    return bool(_MID_START.match(text.strip()))


_HEADING_LINE = re.compile(r"^(?:第[0-9０-９一二三四五六七八九十]+[章節部編]"
                           r"|[0-9０-９]{1,2}(?:[.．][0-9０-９]{1,2})*[.．、]?"
                           r"|[（(][0-9０-９]{1,2}[）)]|[①-⑳])[^、。，]{0,30}$")
_REPEAT = 10   # characters: a run this long said twice in one sentence is two columns read across


def heading_line_first(text: str) -> bool:
    """Is the first printed line of a sentence a numbered heading or running header
    (「第５章」 over a narrow column the reader gave line by line)?"""
    lines = text.strip().split("\n")
    if len(lines) < 2:
        return False
    first, second = lines[0].strip(), lines[1].strip()
    return bool(_HEADING_LINE.match(first)) and _width(first) < 0.7 * _width(second)


def interleaved(text: str) -> bool:
    """Does the sentence say a run of ``_REPEAT`` characters twice? The lines of a 新旧対照表 or
    another two-column page read across both columns (「…核酸検出了SARS-CoV-2核酸検出は、…」)
    repeat the same words in each column; an author's sentence hardly ever does."""
    return repeated_share(text) > 0


def repeated_share(text: str) -> float:
    """Share of the ``_REPEAT``-character runs of ``text`` (whitespace out) said before in it."""
    t = re.sub(r"\s+", "", text)
    seen: set[str] = set()
    again = 0
    for k in range(len(t) - _REPEAT + 1):
        run = t[k:k + _REPEAT]
        again += run in seen
        seen.add(run)
    return again / max(1, len(t) - _REPEAT + 1)


INTERLEAVED_SHARE = 0.06   # measured: a 新旧対照表 read across repeats 7–16 % of its 10-character runs, prose 0–3 %


def interleaved_blocks(doc: Document) -> set[int]:
    """Indices of body blocks in a run of three or more lines joined as one text
    (:func:`joins_previous`) whose text repeats itself as two columns read across do
    (「…カテゴリーBの感012」感染症…」「…HPV核酸検出…」 in a 新旧対照表): no sentence of
    theirs is the author's."""
    out: set[int] = set()
    start = 0
    n = len(doc.blocks)
    for i in range(1, n + 1):
        if i < n and joins_previous(doc, i):
            continue
        if i - start >= 3 and repeated_share("".join(b.text for b in doc.blocks[start:i])) > INTERLEAVED_SHARE:
            out.update(range(start, i))
        start = i
    return out


def glued_heading(text: str) -> bool:
    return bool(_GLUED.match(text.strip()))


def introduces_list(text: str) -> bool:
    return bool(_INTRO.search(text.strip()))


_ANNOUNCES = re.compile(r"(?:次|以下|下記)(?:に掲げる|の各号|のいずれか|のとおり|の通り|の)|[：:]$")


def is_item(block: Block) -> bool:
    return block.kind == "list_item" or block.kind == "paragraph" and bool(ITEM_LABEL.match(block.text))


def item_of_announced_list(doc: Document, block_index: int) -> bool:
    """Is block ``block_index`` an item of a list that a sentence before it announces
    (「次に掲げる場合には、…」「以下の取組が有効です。」)? Such an item is no point on its own."""
    if not is_item(doc.blocks[block_index]):
        return False
    j = block_index - 1
    while j >= 0 and is_item(doc.blocks[j]) and block_index - j < 40:
        j -= 1
    if j < 0 or doc.blocks[j].kind not in BODY_KINDS:
        return False
    text = doc.blocks[j].text.rstrip()
    last = text[max(text.rstrip("。").rfind("。") + 1, 0):]
    return bool(_ANNOUNCES.search(last))


def list_items(doc: Document, block_index: int, limit: int = 8) -> list[Block]:
    """The list items that follow block ``block_index``: blocks of kind list_item, or
    paragraphs that begin with a bullet/number label, up to the next other block."""
    out: list[Block] = []
    for b in doc.blocks[block_index + 1:]:
        if is_item(b) and len(b.text) < 400:
            out.append(b)
            if len(out) >= limit:
                break
            continue
        if not b.text.strip():
            continue
        break
    return out


def item_text(block: Block, limit: int = 60) -> str:
    """A list item shortened for display under its introducing sentence: label dropped,
    first sentence only, at most ``limit`` characters; "…" marks anything left out."""
    text = joined_lines(block.text).strip()
    if block.label and text.startswith(block.label):
        text = text[len(block.label):].lstrip()
    else:
        text = ITEM_LABEL.sub("", text, count=1).strip()
    first = text
    for i, ch in enumerate(text):
        if ch in "。．" and i + 1 < len(text):
            first = text[:i + 1]
            break
    if len(first) > limit:
        return first[:limit - 1] + "…"
    return first if first == text else first + "…"


def item_texts(doc: Document, blocks: Sequence[Block]) -> list[str]:
    """Items for display; one whose text runs on into the next block (a PDF line break)
    is marked cut with "…"."""
    out = []
    for b in blocks:
        text = item_text(b)
        i = doc.blocks.index(b)
        if not text.endswith("…") and i + 1 < len(doc.blocks) and continues_previous(doc, i + 1) \
                and not ITEM_LABEL.match(doc.blocks[i + 1].text):
            text += "…"
        out.append(text)
    return out
