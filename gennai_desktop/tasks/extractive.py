"""Extractive summaries: the document's own sentences, each with where it stands.

Why: quality that need not depend on the model must not. When the model is missing or
too weak, the user still gets an honest summary made of real sentences with real
page/heading citations. ``SentenceTable`` holds every sentence of a document (split inside
blocks, line wraps joined) with a similarity index; which sentences become points is
``keypoints``; whether a model's point is said by the document is ``support`` here.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core.document import BODY_KINDS, Document, Location
from ..nlp.morph import tokenize
from ..nlp.notes import strip_note_markers
from ..nlp.sentences import sentence_spans
from . import sentence_shape
from .quality import final_clause, numbers_in, numbers_in_context, polarity_agrees_ja
from .similarity import SentenceIndex, build_index, content_words

MIN_CHARS = 20          # shorter lines are headings, item numbers, table fragments
MAX_POINT_CHARS = 160   # a cited sentence longer than this is shown shortened with "…"
MIN_CLAUSE = 8          # a shorter sentence is whole only as a clause with its subject: 「会議は、公開しない。」
# a subject or topic (は/が) and, after it, a predicate ending the sentence
_CLAUSE = re.compile(r"^[^。]{2,}?[はが]、?[^。]{3,}。$")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


class SentenceTable:
    """All sentences of a document with a similarity index over them (built once)."""

    def __init__(self, doc: Document, method: str = "tfidf") -> None:
        self.doc = doc
        # split on a view of the text whose line wraps are spaces (same offsets): a sentence
        # wrapped over PDF lines is one sentence; it still never spans two blocks
        self.sentences = [Sentence(s, e, doc.text[s:e]) for s, e in sentence_spans(sentence_shape.split_view(doc))]
        self.starts = [s.start for s in self.sentences]
        self.ends = [s.end for s in self.sentences]
        self.index: SentenceIndex = build_index([s.text for s in self.sentences], method)
        self._marks: set[str] | None = None
        self._quotable_all: frozenset[int] | None = None
        self._rep: dict[str, int] | None = None
        self._block_starts = [b.start for b in doc.blocks]
        self._continued: dict[int, bool] = {}
        self._key_candidates: dict | None = None     # keypoints.candidates, computed once

    def block_index(self, i: int) -> int:
        """Position in ``doc.blocks`` of the block sentence ``i`` is in."""
        return max(0, bisect.bisect_right(self._block_starts, self.sentences[i].start) - 1)

    def whole(self, i: int) -> bool:
        """A whole sentence of the body: in a paragraph or list item, ending at 。 (or ！？),
        and starting where a sentence starts — not in a block that carries on the previous
        block's unfinished sentence (a PDF line or page break)."""
        s = self.sentences[i]
        bi = self.block_index(i)
        b = self.doc.blocks[bi]
        if b.kind not in BODY_KINDS or not sentence_shape.ends_sentence(s.text) \
                or sentence_shape.starts_mid_sentence(s.text):
            return False
        if self.doc.text[b.start:s.start].strip() and not sentence_shape.ITEM_LABEL.fullmatch(
                self.doc.text[b.start:s.start]):
            return True                  # after an earlier sentence of the same block
        if bi not in self._continued:
            self._continued[bi] = sentence_shape.continues_previous(self.doc, bi)
        return not self._continued[bi]

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
            if self.doc.block_at(s.start).kind == "heading":
                continue
            if len(s.text) < MIN_CHARS and not _short_clause(s.text):
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
_DISPLAY_NOISE = re.compile(r" [0-9]{1,2} (?=[。、）」\s]|$)|（図表[^）]*）|\(図表[^)]*\)"
                            # 「…ました6。」: a superscript footnote mark
                            r"|(?<=[ぁ-んァ-ヶー」』）])[0-9]{1,2}(?=[。」』])")
_ITEM_NO = re.compile(r"^(?:[0-9０-９]+|[①-⑳⑴-⒇]|[一二三四五六七八九十]+|[イロハニホヘトチリヌ])[　 ]")


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


def support(table: SentenceTable, point: str, within: Sequence[int] | None = None,
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
        allowed: frozenset[int] | set[int] = table._quotable_all
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


def shorten(text: str, limit: int | None = MAX_POINT_CHARS) -> str:
    """A sentence as a point: line wraps joined, paragraph/item number, footnote markers
    (「… 7 。」) and figure references (（図表4-1-2-1）) dropped; with a ``limit``, longer ones
    are cut with "…" (model points only: an extractive point is a whole sentence). A sentence
    that points back (「そのため、」) is kept whole and ranked lower instead (keypoints)."""
    text = _ITEM_NO.sub("", sentence_shape.joined_lines(text.strip()))
    text = strip_note_markers(_DISPLAY_NOISE.sub("", text))
    return text if limit is None or len(text) <= limit else text[:limit - 1] + "…"


def locations(table: SentenceTable, idx: Sequence[int]) -> tuple[Location, ...]:
    """Distinct locations of sentences ``idx`` (order kept); a sentence a PDF reader cut over
    or more blocks (``sentence_shape.joins_previous``: a page break, or a narrow column given
    line by line) cites every block it stands in, so each cited block holds its part."""
    seen: dict[tuple, Location] = {}
    doc = table.doc
    for i in idx:
        s = table.sentences[i]
        first = table.block_index(i)
        last = max(first, bisect.bisect_right(table._block_starts, max(s.start, s.end - 1)) - 1)
        for b in doc.blocks[first:last + 1]:
            loc = doc.locate(b.start)
            seen.setdefault((loc.block_id, loc.page, loc.heading), loc)
    return tuple(seen.values())


def key_sentences(table: SentenceTable, k: int, lo: int = 0, hi: int | None = None) -> list[int]:
    """``k`` key sentences of sentences[lo:hi] in reading order — the choice the 要約 makes
    (``keypoints.key_sentences``: whole body sentences, key facts, position, coverage), for the
    tasks that pick sentences the same way (議事録)."""
    from .keypoints import key_sentences as _key_sentences  # lazy: keypoints imports this module (shorten)
    return _key_sentences(table, k, lo, hi)


def _short_clause(text: str) -> bool:
    """A sentence under ``MIN_CHARS`` that is still a whole statement: a subject or topic
    with its predicate, ending in 。 (a law's 「第三条　会議は、公開しない。」「この条例は、公布の日から
    施行する。」), not a heading, an item number or a table fragment."""
    bare = sentence_shape.PROVISION_LABEL.sub("", text.strip(), count=1)
    return len(bare) >= MIN_CLAUSE and bool(_CLAUSE.match(bare))
