"""Extractive summaries: the document's own key sentences, each with where it stands.

Why: quality that need not depend on the model must not. When the model is missing or
too weak, the user still gets an honest summary made of real sentences with real
page/heading citations. Sentences are scored by how central they are to the document
(TF-IDF cosine to the centroid), picked across the whole document (one per segment,
so a 1,000-article law is not summarised by its first chapter) without near-duplicates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..core.document import Document, Location
from ..nlp.morph import tokenize
from ..nlp.sentences import sentence_spans
from .quality import final_clause, numbers_in, numbers_in_context, polarity_agrees_ja
from .similarity import SentenceIndex, build_index, content_words

MIN_CHARS = 20          # shorter lines are headings, item numbers, table fragments
MAX_POINT_CHARS = 160   # a cited sentence longer than this is shown shortened with "…"


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


class SentenceTable:
    """All sentences of a document with a similarity index over them (built once)."""

    def __init__(self, doc: Document, method: str = "tfidf") -> None:
        self.doc = doc
        self.sentences = [Sentence(s, e, doc.text[s:e]) for s, e in sentence_spans(doc.text)]
        self.starts = [s.start for s in self.sentences]
        self.ends = [s.end for s in self.sentences]
        self.index: SentenceIndex = build_index([s.text for s in self.sentences], method)
        self._marks: set[str] | None = None
        self._quotable_all: frozenset[int] | None = None
        self._rep: dict[str, int] | None = None
        self._struct: tuple[dict[int, str], list[int], dict[int, str]] | None = None

    def weight(self, i: int) -> float:
        """Down-weight 附則 (supplementary provisions) and very long sentences."""
        s = self.sentences[i]
        b = self.doc.block_at(s.start)
        w = 0.3 if any("附則" in h for h in b.heading_path) or b.text.startswith("附　則") else 1.0
        return w * (0.6 if len(s.text) > 200 else 1.0)

    def location(self, i: int) -> Location:
        return self.doc.locate(self.sentences[i].start)

    def candidates(self, lo: int = 0, hi: int | None = None) -> list[int]:
        """Indices of sentences fit to quote (body text, not headings or fragments)."""
        hi = len(self.sentences) if hi is None else hi
        out = []
        for i in range(lo, hi):
            s = self.sentences[i]
            if len(s.text) < MIN_CHARS or self.doc.block_at(s.start).kind == "heading":
                continue
            if s.text.startswith(("（", "(")) and s.text.endswith(("）", ")")):
                continue
            out.append(i)
        return out

    # --- what a person would quote (reports, not only laws) --------------------------
    def quotable(self, i: int) -> bool:
        """Not a URL, 図表 caption, （出典） line, footnote, table-of-contents line, running
        header/footer, or fragment without a sentence end — lines no person quotes as a point."""
        s = self.sentences[i]
        t = s.text.strip()
        if _UNQUOTABLE.search(t) or _TOC.search(t) or not t.endswith(_SENTENCE_END):
            return False
        block = self.doc.block_at(s.start)
        m = _FOOTNOTE.match(block.text)
        if m and m.group(1) in self._footnote_marks():
            return False          # 「1　パソコン通信の利用者は…」 under a text with marker 「… 1 。」
        return self._repeats().get(t, 0) < 3 or len(t) >= 80

    def _footnote_marks(self) -> set[str]:
        if self._marks is None:
            self._marks = set(_MARK.findall(self.doc.text))
        return self._marks

    def _repeats(self) -> dict[str, int]:
        if self._rep is None:
            from collections import Counter
            self._rep = Counter(x.text.strip() for x in self.sentences)
        return self._rep

    def structure(self) -> tuple[dict[int, str], list[int], dict[int, str]]:
        """(heading each sentence falls under, first quotable sentence of each section,
        main section each sentence falls under).
        Headings are the document's own and, in plain text, the numbered title lines of
        reports (「1　現状と課題」「（2）　消費者の意識」: short, numbered, no 。)."""
        if self._struct is None:
            under: dict[int, str] = {}
            main: dict[int, str] = {}
            leads: list[int] = []
            current, top, need_lead = "", "", False
            for i, s in enumerate(self.sentences):
                b = self.doc.block_at(s.start)
                t = s.text.strip()
                if b.kind == "heading" or _PSEUDO_HEADING.match(t) and not t.endswith(_SENTENCE_END) and len(t) <= 60:
                    current, need_lead = t, True
                    if b.kind == "heading" and (b.level or 1) <= 2 or _TOP_HEADING.match(t):
                        top = t
                    continue
                under[i] = current or (b.heading_path[-1] if b.heading_path else "")
                main[i] = top or (b.heading_path[0] if b.heading_path else "")
                if need_lead and len(t) >= MIN_CHARS and self.quotable(i):
                    leads.append(i)
                    need_lead = False
            self._struct = (under, leads, main)
        return self._struct

    def match(self, text: str, within: Sequence[int] | None = None, min_score: float = 0.2,
              max_hits: int = 2) -> list[int]:
        """Sentences ``text`` most likely came from (best first; empty if none is close)."""
        scores = self.index.scores(text)
        if within is not None:
            mask = np.full(len(scores), -1.0, dtype=np.float32)
            idx = list(within)
            mask[idx] = scores[idx]
            scores = mask
        if not len(scores):
            return []
        order = np.argsort(-scores)[:max_hits]
        best = float(scores[order[0]])
        if best < min_score:
            return []
        return [int(i) for i in order if float(scores[i]) >= max(min_score, 0.8 * best)]


_UNQUOTABLE = re.compile(r"https?://|www\.|^(?:図表|図|表)\s*[0-9０-９][0-9０-９\-－‐.]*|^（出典）|^出典[：:]|^資料[：:]|"
                         r"^【関連データ】|^URL[：:]|^注[0-9０-９]*[：:）)]|^※")
_TOC = re.compile(r"(?:[…‥・.．]{3,}|\s{2,})\s*[0-9０-９]+\s*$")
_SENTENCE_END = ("。", "．", ".", "」", "』")
_FOOTNOTE = re.compile(r"^([0-9]{1,2})　")           # footnotes of reports (laws number paragraphs ２　 in full width)
_MARK = re.compile(r"(?<=\S) ([0-9]{1,2}) (?=\S)")   # footnote marker in body text: 「…使われていた 1 。」
_PSEUDO_HEADING = re.compile(r"^(?:[0-9０-９]{1,2}　|[（(][0-9０-９]{1,2}[）)]\s*|[ア-ン]　|第[0-9０-９一二三四五六七八九十]+[章節部]　)")
_TOP_HEADING = re.compile(r"^(?:[0-9０-９]{1,2}　|第[0-9０-９一二三四五六七八九十]+[章節部]　)")
_SUMMARY_HEADING = re.compile(r"概要|要旨|要約|まとめ|はじめに|ポイント|結論")
_DISPLAY_NOISE = re.compile(r" [0-9]{1,2} (?=[。、）」\s]|$)|（図表[^）]*）|\(図表[^)]*\)")
# a connective that points back to a sentence the summary does not carry (「そのため、」)
_LEADING_CONNECTIVE = re.compile(
    r"^(?:そのため|このため|したがって|従って|また|なお|さらに|更に|しかし|しかしながら|一方|"
    r"これにより|これによって|その上で|そのうえで|加えて|ただし|つまり|すなわち)[、，,]\s*")
_ITEM_NO = re.compile(r"^(?:[0-9０-９]+|[①-⑳]|[一二三四五六七八九十]+|[イロハニホヘトチリヌ])[　 ]")


def supported_by(point: str, sources: Sequence[str]) -> bool:
    """Does ``point`` say only what ``sources`` say, as far as cheap checks can tell?

    Every number (digits or kanji numerals: 条・号・日付・金額) must occur in the sources, and
    most of its content words too. Catches the typical small-model hallucination: a fluent
    sentence with invented article numbers or dates that merely resembles the source.
    """
    joined = "\n".join(sources)
    if numbers_in(point) - numbers_in(joined):
        return False
    words = set(content_words(point))
    if not words:
        return False
    have = set(content_words(joined))
    return len(words & have) / len(words) >= 0.6


WORD_RECALL = 0.8       # share of a point's content words its cited sentence(s) must contain
_ENTITY = re.compile(r"[ァ-ヴー]{2,}|[A-Za-zＡ-Ｚａ-ｚ][A-Za-z0-9Ａ-Ｚａ-ｚ０-９]+")


def _entities(text: str) -> set[str]:
    """Names a point must not invent: katakana words and Latin/alphanumeric tokens."""
    return {m.lower() for m in _ENTITY.findall(text)}


def grounded_in(point: str, source: str) -> bool:
    """Is ``point`` said by ``source`` (one sentence, or two joined)? Stricter than word overlap:
    every number and named entity of the point occurs in the source, at least 80 % of its
    content words do, and its polarity is the source's (「…できる」 is not supported by
    「…できない」). Point and source are compared whole, so a point stitched from words spread
    over a law (「抵当権の規定は、債務者の行為について準用する。」) finds no sentence."""
    point = _ITEM_NO.sub("", point.strip())
    if numbers_in_context(point) - numbers_in_context(source):   # Counter: missing or extra copies
        return False        # 三年以下 is not supported by 二年以下 and 二百万円 elsewhere
    if _entities(point) - _entities(source):
        return False
    words = set(content_words(point))
    if not words:
        return False
    have = set(content_words(source))
    if len(words & have) / len(words) < WORD_RECALL:
        return False
    p_head, p_rest = _split_topic(point)
    s_head, s_rest = _split_topic(source)
    topic = _topic_words(p_head)
    if topic and not topic <= (_topic_words(s_head) or have):
        return False        # who or what it is about: 「使用者は」 is not 「行政官庁は」
    head = _head_noun(p_head)
    if head and head not in _topic_heads(source):
        return False        # 「事業者は…承継する」 is not 「…法人は、その事業者の地位を承継する」
    if not set(content_words(final_clause(p_rest))) <= set(content_words(s_rest)):
        return False        # what is said of it: 「政令で定める」 is not 「厚生労働省令で定める」
    return polarity_agrees_ja(point, source)


def _split_topic(text: str) -> tuple[str, str]:
    """(topic, rest) at the first topic particle は (「年次休暇は一の年ごとに…」); ("", text)
    when the sentence has none."""
    pos = 0
    for m in tokenize(text):
        at = text.find(m.surface, pos)
        pos = at + len(m.surface) if at >= 0 else pos
        if m.surface == "は" and m.pos0 == "助詞" and m.pos[1] == "係助詞":
            return text[:pos - 1], text[pos:]
    return "", text


def _head_noun(phrase: str) -> str:
    """The last content word of a topic phrase (its head: 「前項の認定認証事業者」 → 認定認証事業者)."""
    words = content_words(phrase)
    return words[-1] if words else ""


def _topic_heads(text: str) -> set[str]:
    """Head nouns of every topic (…は) and subject (…が) in ``text``."""
    heads, last = set(), ""
    for m in tokenize(text):
        if m.pos0 == "助詞" and m.surface in ("は", "が", "も") and m.pos[1] in ("係助詞", "格助詞"):
            if last:
                heads.add(last)
        elif m.pos0 in ("名詞", "代名詞") and m.pos[1] not in ("数詞",):
            last = m.normalized
        elif m.pos0 not in ("補助記号", "接尾辞"):
            last = ""
    return heads


def _topic_words(head: str) -> set[str]:
    """Content words of a topic, pronouns included (われらは、)."""
    if not head:
        return set()
    return set(content_words(head)) | {m.normalized for m in tokenize(head) if m.pos0 == "代名詞"}


def support(table: "SentenceTable", point: str, within: Sequence[int] | None = None,
            min_score: float = 0.2, pool: int = 8) -> tuple[int, ...]:
    """The sentence(s) that actually say ``point`` — () when none does.

    The ``pool`` most similar quotable sentences (headings and （見出し） captions excluded:
    they cannot carry a statement) are checked one by one with :func:`grounded_in`; the
    first that passes is the citation. A point must rest on ONE sentence: a point stitched
    from the subject of one sentence and the predicate of another is exactly the fabrication
    to catch (measured: allowing pairs let such stitches through). The citation is always the sentence matched, never a
    look-alike neighbour."""
    scores = table.index.scores(point)
    if not len(scores):
        return ()
    if within is None:
        if table._quotable_all is None:      # once per document, not once per point
            table._quotable_all = frozenset(table.candidates())
        allowed = table._quotable_all
    elif within:
        allowed = set(table.candidates(min(within), max(within) + 1)) & set(within)
    else:
        return ()
    order = [int(i) for i in np.argsort(-scores) if int(i) in allowed][:pool]
    order = [i for i in order if float(scores[i]) >= min_score]
    quoted = point.strip()
    for i in order:           # a verbatim quote cites its own sentence, not a look-alike (２ vs ５)
        if table.sentences[i].text.strip() == quoted:
            return (i,)
    for i in order:
        if grounded_in(point, table.sentences[i].text):
            return (i,)
    return ()


def shorten(text: str, limit: int = MAX_POINT_CHARS) -> str:
    """A sentence as a point: paragraph/item number, footnote markers (「… 7 。」), figure
    references (（図表4-1-2-1）) and a leading 「そのため、」 dropped, long ones cut with "…"."""
    text = _ITEM_NO.sub("", text)
    text = _DISPLAY_NOISE.sub("", text)
    text = _LEADING_CONNECTIVE.sub("", text) or text
    return text if len(text) <= limit else text[:limit - 1] + "…"


LEAD_BONUS = 2.0        # the first sentence of a section states what the section is about
SUMMARY_BONUS = 1.6     # the document's own 概要/要旨/まとめ/はじめに
DUPLICATE = 0.7         # cosine above which two sentences say the same thing


def key_sentences(table: SentenceTable, k: int, lo: int = 0, hi: int | None = None) -> list[int]:
    """``k`` central, non-redundant sentences spread over sentences[lo:hi], in reading order.

    Only sentences a person would quote (:meth:`SentenceTable.quotable`) when there are
    enough of them. Section leads and the document's own summary sections score higher.
    A report with a few main sections gets one point from each of its largest sections
    first (coverage), then the best of the rest; a long law (hundreds of sections) is
    spread over ``k`` equal stretches as before."""
    cands = table.candidates(lo, hi)
    if not cands or k <= 0:
        return []
    good = [i for i in cands if table.quotable(i)]
    if len(good) >= min(k, len(cands)):
        cands = good
    salient = table.index.salience()
    under, leads, main = table.structure()
    lead_set = set(leads)
    n = len(table.sentences) or 1
    score = {}
    for i in cands:
        w = float(salient[i]) * table.weight(i)
        if i in lead_set:
            w *= LEAD_BONUS
        if _SUMMARY_HEADING.search(under.get(i, "")):
            w *= SUMMARY_BONUS
        score[i] = w + 0.05 * (1.0 - i / n)
    chosen: list[int] = []

    def take(pool) -> bool:
        for i in sorted(pool, key=lambda i: -score[i]):
            if i in chosen or (chosen and float(np.max(table.index.pairwise(i, chosen))) > DUPLICATE):
                continue
            chosen.append(i)
            return True
        return False

    groups: dict[str, list[int]] = {}
    for i in cands:
        groups.setdefault(main.get(i, ""), []).append(i)
    if 1 < len(groups) <= 3 * k:
        for key in sorted(groups, key=lambda g: -len(groups[g]))[:k]:
            take(groups[key])
        while len(chosen) < min(k, len(cands)) and take(cands):
            pass
    else:
        for seg in np.array_split(np.array(cands), min(k, len(cands))):
            take(seg.tolist())
    return sorted(chosen)


def locations(table: SentenceTable, idx: Sequence[int]) -> tuple[Location, ...]:
    """Distinct locations of sentences ``idx`` (order kept)."""
    seen: dict[tuple, Location] = {}
    for i in idx:
        loc = table.location(i)
        seen.setdefault((loc.block_id, loc.page, loc.heading), loc)
    return tuple(seen.values())
