"""Which sentences make the points of a model-free summary, and in which part of a 報告.

A sentence may be a point only when it is a whole body sentence (``sentence_shape``),
quotable (not a URL, caption, 出典 or footnote line) and of a length a reader takes in
at once; a sentence that only introduces a list is a point only together with its items.
Eligible sentences are scored by

* centrality — TF-IDF keyword salience and similarity to the whole, ranked 0–1;
* key facts — purpose/conclusion cues, decisions, dates, numbers with units, named
  bodies, requests and next steps (``keyfacts``);
* position — the lead of the document, of each top-level section and of the document's
  own 概要/要旨/まとめ;
* in minutes (``meeting_turns``), a decision or next step in the chair's turn;

and picked with each fact slot (``factslots``: purpose, decision, when, amount, next,
problem) given its best well-ranked sentence first, then best first, with coverage: no two
points on the same fact (similar words, or
the same dates/numbers/bodies), no section taking more than its share, and in a long
document (民法) one point from each stretch so the points span the whole text.
"""
from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ..core.document import BODY_KINDS, HEADING_KINDS, Block
from . import factslots, keyfacts, meeting_turns, sentence_shape
from .extractive import shorten

if TYPE_CHECKING:
    from .extractive import SentenceTable

MIN_CHARS = 20           # shorter lines are headings, item numbers, table fragments
MAX_CHARS = 320          # a longer sentence is no point a reader takes in at once
LONG_DOCUMENT = 50_000   # characters: beyond this, points are spread over equal stretches
DUPLICATE = 0.45         # cosine above which two sentences say the same thing
SAME_FACT = 0.25         # cosine above which two sentences with the same facts are one point
CENTRAL = 1.0            # weight of centrality (mean of the keyword-salience and centroid ranks, 0–1)
DOCUMENT_LEAD = (0.5, 0.3, 0.15)   # bonus of the document's first three eligible sentences
TOP_LEAD = 0.35          # the first sentence of a top-level section
SECTION_LEAD = 0.15      # the first sentence of any other section
SUMMARY_SECTION = 0.3    # a sentence of the document's own 概要/要旨/まとめ/目的
SLOTS_FIRST = True       # each fact slot (factslots) gets its best sentence before the rest by score
SLOT_RANK = 2            # a slot's sentence must rank among the SLOT_RANK × k best
SLOT_HEADING = 0.15      # a sentence under a 課題/問題点 heading fills the problem slot this much better
CHAIR_DECISION = 0.4     # 議事録: a decision or next step in the chair's turn (meeting_turns)
EARLY = 0.6              # the document's opening stretch (its 背景/はじめに): this much at its start, less on
EARLY_SPAN = 0.15        # … falling to nothing at this fraction of the eligible sentences
EARLY_MIN = 3            # … only where that stretch holds this many sentences
ARTICLE_LEAD = 0.8       # a provision's first sentence (「第三条　会議は、公開しない。」): the article's rule itself
COVERAGE = False         # the best point of each top-level section first (measured: no better on eval/summary)
_SUMMARY_HEADING = re.compile(r"概要|要旨|要約|まとめ|はじめに|結論|おわりに|総括|ポイント|趣旨|目的")
_NEXT_HEADING = re.compile(r"今後|予定|スケジュール|次のステップ|取組の方向|方向性|課題と対応|対応方針")
_BACKGROUND_HEADING = re.compile(r"経緯|経過|これまで|沿革|背景|現状")
# the section says what problem the document answers: its sentences state it without the cue words
_PROBLEM_HEADING = re.compile(r"課題|問題点|論点")
# a title has words: 「0 100 200 300 400 500」 (a chart's axis the reader gave as a line) is none
_WORDS = re.compile(r"[ぁ-んァ-ヶ一-龥A-Za-zＡ-Ｚａ-ｚ]")
_TOP_PSEUDO = re.compile(r"^(?:[0-9０-９]{1,2}[　 .．]|第[0-9０-９一二三四五六七八九十]+[章節部]|[IVXⅠ-Ⅹ]+[.．　 ])")


@dataclass
class Candidate:
    """One sentence that may be a point: its score, section and the list it introduces."""

    index: int
    score: float
    section: str
    items: list[Block] = field(default_factory=list)
    keys: frozenset[str] = frozenset()
    part: str = "overview"
    supplementary: bool = False     # in a law's 附則
    item: Block | None = None       # a deck with no prose: this whole list item is the point
    slots: dict[str, float] = field(default_factory=dict)   # factslots: slot → how well it fills it


def candidates(table: SentenceTable) -> dict[int, Candidate]:
    """Every eligible sentence of the document with its score (computed once per table)."""
    cached = getattr(table, "_key_candidates", None)
    if cached is not None:
        return cached
    doc = table.doc
    sents = table.sentences
    eligible: list[int] = []
    items_of: dict[int, list[Block]] = {}
    garbled = sentence_shape.interleaved_blocks(doc) if doc.format in ("pdf", "image") else set()
    chair, minutes = meeting_turns.turns(doc)
    for i in table.candidates():
        s = sents[i]
        if len(s.text) > MAX_CHARS or not table.quotable(i) or not table.whole(i):
            continue
        text = sentence_shape.joined_lines(s.text)
        if sentence_shape.glued_heading(text) or sentence_shape.item_of_announced_list(doc, table.block_index(i)):
            continue              # a heading glued to it, or an item that needs the sentence announcing it
        if "\n" in s.text and (sentence_shape.heading_line_first(s.text) or sentence_shape.interleaved(text)):
            continue              # over several PDF lines: a header line first, or two columns read across
        if table.block_index(i) in garbled:
            continue
        if minutes and meeting_turns.CEREMONY.search(text):
            continue              # 議事録: opening, closing, thanks — running the meeting, no fact of it
        if sentence_shape.introduces_list(text):
            bi = table.block_index(i)
            if s.end < doc.blocks[bi].end - 1:
                continue          # the list would follow the block, not this sentence
            found = sentence_shape.list_items(doc, bi)
            if len(found) < 2:
                continue          # 「以下を推奨する。」 without its list says nothing
            items_of[i] = found
        eligible.append(i)
    out: dict[int, Candidate] = {}
    if not eligible:
        table._key_candidates = out
        return out
    sal = table.index.salience()
    cent = table.index.centrality()
    r_sal = _ranks([float(sal[i]) for i in eligible])
    r_cent = _ranks([float(cent[i]) for i in eligible])
    sections, leads, top_leads, under = _positions(table, set(eligible))
    supplementary_from = _supplementary_start(table)
    enacting = _enacting(table, supplementary_from)
    # (minutes open with the roll call and the agenda, not the facts; in a short text the
    # opening stretch is its first sentence or two, which DOCUMENT_LEAD already weighs)
    early = not minutes and len(eligible) * EARLY_SPAN >= EARLY_MIN
    doc_lead = {i: bonus for i, bonus in zip(eligible[:3], DOCUMENT_LEAD)}
    for n, i in enumerate(eligible):
        shown = shorten(sents[i].text, None)         # as shown: footnote marks out
        text = sentence_shape.PROVISION_LABEL.sub("", shown, count=1)   # 「第一条　この法律は…」 speaks of itself
        sig = keyfacts.signals(text)
        score = CENTRAL * (r_sal[n] + r_cent[n]) / 2 + keyfacts.fact_bonus(sig)
        score += doc_lead.get(i, 0.0) if keyfacts.states_a_fact(sig) else 0.0   # a lead that states no fact is not key
        if early:
            score += EARLY * max(0.0, 1.0 - n / (EARLY_SPAN * len(eligible)))
        score += TOP_LEAD if i in top_leads else SECTION_LEAD if i in leads else 0.0
        heading = under.get(i, "")
        score += SUMMARY_SECTION if _SUMMARY_HEADING.search(heading) else 0.0
        score += keyfacts.WEIGHTS["problem"] * (not sig.problem) if _PROBLEM_HEADING.search(heading) else 0.0
        chair_says = table.block_index(i) in chair and bool(factslots.DECIDED.search(text) or sig.next_step)
        score += CHAIR_DECISION if chair_says else 0.0   # 議事録: the chair closing an item states the decision
        part = keyfacts.report_part(text, sig)
        if part == "overview" and _NEXT_HEADING.search(heading):
            part = "next"            # under 「今後の取組」「今後の予定」: what is to be done
            score += keyfacts.WEIGHTS["next_step"] * (not sig.next_step)
        elif part == "overview" and _BACKGROUND_HEADING.search(heading):
            part = "background"
        article_lead = bool(sentence_shape.ARTICLE.match(shown))
        score += ARTICLE_LEAD if article_lead else 0.0
        # (a short article is a whole rule — 「会議は、公開しない。」 — not a fragment: no cost for it)
        score += 0.0 if article_lead and len(shown) < 30 else _length_term(len(shown))
        score = score + ENACTING if i == enacting else score * table.weight(i)
        slots = {slot: factslots.strength(slot, text, sig) for slot in factslots.slots_of(text, sig)}
        if part == "next":
            slots.setdefault("next", 0.0)
        if chair_says:
            slots["decision"] = slots.get("decision", 0.0) + CHAIR_DECISION
        if _PROBLEM_HEADING.search(heading):     # the problem, stated under its own heading
            slots["problem"] = slots.get("problem", 0.0) + SLOT_HEADING
        out[i] = Candidate(i, score, sections.get(i, ""), items_of.get(i, []), keyfacts.fact_keys(text),
                           part, i >= supplementary_from and i != enacting, slots=slots)
    table._key_candidates = out
    return out


_SUPPLEMENTARY = re.compile(r"^\s*附\s*則")


def _supplementary_start(table: SentenceTable) -> int:
    """Index of the first sentence after a law's first 附則 line (len(sentences) if none).
    A 附則 line before the first article is the table of contents (目次), not the provisions:
    taken for them, it made the whole law 附則 and hid the enacting sentence."""
    first_article = False
    for b in table.doc.blocks:
        first_article = first_article or bool(sentence_shape.ARTICLE.match(b.text))
        if first_article and _SUPPLEMENTARY.match(b.text):
            return bisect.bisect_left(table.starts, b.end)
    return len(table.sentences)


_ENACTS = re.compile(r"施行する|施行し")
ENACTING = 0.5          # what the enacting sentence adds: when the law takes effect is what an official needs
ENACTING_WITHIN = 3      # sentences after the 附則 line that may state when the law takes effect


def _enacting(table: SentenceTable, supplementary_from: int) -> int:
    """The sentence of a law's first 附則 that says when it takes effect (「この法律は、平成十三年
    四月一日から施行する。」), or -1: of the supplementary provisions, this one is what an
    official needs — the effective date — so it competes like a main-text sentence."""
    for i in range(supplementary_from, min(len(table.sentences), supplementary_from + ENACTING_WITHIN)):
        if _ENACTS.search(table.sentences[i].text):
            return i
    return -1


def _ranks(values: Sequence[float]) -> list[float]:
    """Each value's rank among ``values`` scaled to 0–1 (ties share the lower rank)."""
    if len(values) == 1:
        return [1.0]
    order = np.argsort(np.asarray(values), kind="stable")
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.arange(len(values)) / (len(values) - 1)
    return ranks.tolist()


def _length_term(n: int) -> float:
    if n < 30:
        return -0.15
    if n > 220:
        return -0.35
    if n > 150:
        return -0.15
    return 0.0


def _positions(table: SentenceTable, eligible: set[int]):
    """(top-level section of each sentence, section leads, leads of top-level sections, the
    heading each sentence is under). A section starts at a heading block or, in text
    without heading kinds, at a numbered title line (「1　現状と課題」)."""
    sections: dict[int, str] = {}
    under_heading: dict[int, str] = {}
    leads: set[int] = set()
    top_leads: set[int] = set()
    heading, top, need, need_top = "", "", False, False
    doc = table.doc
    for i, s in enumerate(table.sentences):
        b = doc.blocks[table.block_index(i)]
        t = s.text.strip()
        if b.kind in HEADING_KINDS or (i not in eligible and b.kind in BODY_KINDS and len(t) <= 60
                                       and not sentence_shape.ends_sentence(t) and _TOP_PSEUDO.match(t)
                                       and _WORDS.search(t)):
            # (a numbered line of a note, caption or table — 「1　Stanford …」, a footnote — is no title)
            heading, need = t, True
            if b.kind == "title" or (b.kind in HEADING_KINDS and (b.level or 1) <= 1) or _TOP_PSEUDO.match(t):
                top, need_top = t, True
            continue
        if i not in eligible:
            continue
        sections[i] = top or (b.heading_path[0] if b.heading_path else "")
        if need:
            leads.add(i)
            need = False
        if need_top:
            top_leads.add(i)
            need_top = False
        under_heading[i] = heading or (b.heading_path[-1] if b.heading_path else "")
    return sections, leads, top_leads, under_heading


def _redundant(table: SentenceTable, c: Candidate, chosen: list[Candidate]) -> bool:
    if not chosen:
        return False
    sims = table.index.pairwise(c.index, [x.index for x in chosen])
    for x, sim in zip(chosen, sims):
        if sim > DUPLICATE:
            return True
        if sim > SAME_FACT and len(c.keys & x.keys) >= 2:
            return True
    return False


def key_sentences(table: SentenceTable, k: int, lo: int = 0, hi: int | None = None,
                  *, prefer_short: bool = False, with_lists: bool = True) -> list[int]:
    """``k`` key sentences of sentences[lo:hi] in reading order (see the module doc)."""
    return [c.index for c in pick(table, k, lo, hi, prefer_short=prefer_short, with_lists=with_lists)]


def pick(table: SentenceTable, k: int, lo: int = 0, hi: int | None = None, *, prefer_short: bool = False,
         with_lists: bool = True, parts: dict[str, int] | None = None) -> list[Candidate]:
    """The chosen candidates in reading order. ``parts`` (報告): how many points each part
    ('overview', 'background', 'next') may take; parts left short are filled by overview."""
    if k <= 0:
        return []
    hi = len(table.sentences) if hi is None else hi
    pool = [c for i, c in candidates(table).items() if lo <= i < hi and (with_lists or not c.items)]
    main_text = [c for c in pool if not c.supplementary]
    if len(main_text) >= k:
        pool = main_text          # a law's 附則 (transitional provisions) only when nothing else is left
    if not pool:
        return whole_items(table, k, lo, hi) or _fallback(table, k, lo, hi)

    def worth(c: Candidate) -> float:
        n = len(table.sentences[c.index].text)
        return c.score - (0.004 * max(0, n - 90) if prefer_short else 0.0)

    chosen: list[Candidate] = []
    span = table.sentences[min(c.index for c in pool)].start, table.sentences[max(c.index for c in pool)].end
    long_text = span[1] - span[0] > LONG_DOCUMENT
    sections = {c.section for c in pool}
    if long_text or len(sections) > 3 * k:
        ordered = sorted(pool, key=lambda c: c.index)
        for stretch in np.array_split(np.arange(len(ordered)), min(k, len(ordered))):
            best = sorted((ordered[j] for j in stretch.tolist()), key=lambda c: -worth(c))
            for c in best:
                if not _redundant(table, c, chosen):
                    chosen.append(c)
                    break
        return sorted(chosen, key=lambda c: c.index)
    cap = max(2, math.ceil(k / 2)) if len(sections) > 1 else k
    per_section: dict[str, int] = {}
    quota = dict(parts) if parts else None
    ranked = sorted(pool, key=lambda c: -worth(c))
    taken: set[int] = set()
    if COVERAGE and quota is None and len(sections) > 1:
        # coverage: the best point of each top-level section first, strongest sections
        # first, as long as it is worth at least the median eligible sentence
        median = float(np.median([worth(c) for c in pool]))
        best_of: dict[str, Candidate] = {}
        for c in ranked:
            best_of.setdefault(c.section, c)
        for c in sorted(best_of.values(), key=lambda c: -worth(c))[:k]:
            if worth(c) >= median and not _redundant(table, c, chosen):
                chosen.append(c)
                taken.add(c.index)
                per_section[c.section] = 1
    if SLOTS_FIRST and len(pool) > k:
        _fill_slots(table, pool, k, worth, chosen, taken, per_section, cap, quota)
    for pass_ in (0, 1):
        for c in ranked:
            if len(chosen) >= k:
                break
            if c.index in taken or per_section.get(c.section, 0) >= cap or _redundant(table, c, chosen):
                continue
            if quota is not None and pass_ == 0:
                if quota.get(c.part, 0) <= 0:
                    continue
                quota[c.part] -= 1
            elif quota is not None:
                c = replace(c, part="overview")     # a part with nothing left to say: more 概要
            chosen.append(c)
            taken.add(c.index)
            per_section[c.section] = per_section.get(c.section, 0) + 1
        if quota is None:
            break
    return sorted(chosen, key=lambda c: c.index)


def _fill_slots(table: SentenceTable, pool: list[Candidate], k: int, worth, chosen: list[Candidate],
                taken: set[int], per_section: dict[str, int], cap: int, quota: dict[str, int] | None) -> None:
    """Give each fact slot (``factslots.SLOTS``) its best sentence before the places are
    filled by score: a slot an earlier pick already fills is skipped, a sentence outside the
    ``SLOT_RANK * k`` best never takes a slot (a weak sentence with a date is no key fact),
    and the coverage rules hold (no two points on one fact, a section's share, a 報告
    part's quota)."""
    ranked = sorted((worth(c) for c in pool), reverse=True)
    floor = ranked[min(len(ranked), SLOT_RANK * k) - 1]
    for slot in factslots.SLOTS:
        if len(chosen) >= k:
            return
        if any(slot in c.slots for c in chosen):
            continue
        fits = sorted((c for c in pool if slot in c.slots and worth(c) >= floor),
                      key=lambda c: -(worth(c) + c.slots[slot]))
        for c in fits:
            if c.index in taken or per_section.get(c.section, 0) >= cap or _redundant(table, c, chosen):
                continue
            if quota is not None:
                if quota.get(c.part, 0) <= 0:
                    continue
                quota[c.part] -= 1
            chosen.append(c)
            taken.add(c.index)
            per_section[c.section] = per_section.get(c.section, 0) + 1
            break


def _fallback(table: SentenceTable, k: int, lo: int, hi: int) -> list[Candidate]:
    """No whole body sentence at all (slides, a form): the most central quotable sentences of
    the body (paragraphs and list items), so the user still sees where the document's words
    are. Never a title, heading, table cell, caption or screenshot text: a document with no
    body text (a table-only list) gets no points, and the caller says so."""
    body = [i for i in table.candidates(lo, hi) if table.doc.blocks[table.block_index(i)].kind in BODY_KINDS]
    idx = [i for i in body if table.quotable(i)] or body
    if not idx:
        return []
    cent = table.index.centrality()
    best = sorted(idx, key=lambda i: -float(cent[i]))[:k]
    return [Candidate(i, float(cent[i]), "") for i in sorted(best)]


ITEM_MIN, ITEM_MAX = 10, 160   # characters of a list item that can stand as a point


def whole_items(table: SentenceTable, k: int, lo: int = 0, hi: int | None = None) -> list[Candidate]:
    """No whole body sentence at all — a slide deck of bullet items: the ``k`` best WHOLE
    list items (a block that is an item by kind or label, not carried on from the line
    before nor into the line after), scored like sentences (centrality and key facts), at
    most two per slide page; each is shown whole and labelled as an item, never a fragment
    cut out of one."""
    doc = table.doc
    hi = len(table.sentences) if hi is None else hi
    by_block: dict[int, list[int]] = {}
    for i in range(lo, hi):
        by_block.setdefault(table.block_index(i), []).append(i)
    found: list[tuple[int, list[int]]] = []
    for bi, idx in by_block.items():
        b = doc.blocks[bi]
        if not sentence_shape.is_item(b):
            continue                      # (a labelled item starts itself, whatever the line before)
        if bi + 1 < len(doc.blocks) and sentence_shape.joins_previous(doc, bi + 1):
            continue                      # the item runs on into the next line: not whole here
        text = item_display(b)
        if not ITEM_MIN <= len(text) <= ITEM_MAX or not all(table.quotable(i) or not
                                                             sentence_shape.ends_sentence(table.sentences[i].text)
                                                             for i in idx):
            continue
        if _ITEM_NOISE.search(text):
            continue
        found.append((bi, idx))
    if not found:
        return []
    cent = table.index.centrality()
    r_cent = _ranks([max(float(cent[i]) for i in idx) for _, idx in found])
    scored = []
    for n, (bi, idx) in enumerate(found):
        text = item_display(doc.blocks[bi])
        sig = keyfacts.signals(text)
        score = CENTRAL * r_cent[n] + keyfacts.fact_bonus(sig) + _length_term(len(text))
        scored.append(Candidate(idx[0], score, str(doc.blocks[bi].page or ""), keys=keyfacts.fact_keys(text),
                                part=keyfacts.report_part(text, sig), item=doc.blocks[bi]))
    chosen: list[Candidate] = []
    per_page: dict[str, int] = {}
    for cap in (2, k):               # two per slide first, so the points cover the deck
        for c in sorted(scored, key=lambda c: -c.score):
            if len(chosen) >= k:
                break
            if c in chosen or per_page.get(c.section, 0) >= cap or _redundant(table, c, chosen):
                continue
            chosen.append(c)
            per_page[c.section] = per_page.get(c.section, 0) + 1
    return sorted(chosen, key=lambda c: c.index)


_ITEM_NOISE = re.compile(r"https?://|www\.|^(?:図|表)\s*[0-9０-９]|^（出典）|^出典[：:]|^※")


def item_display(block: Block) -> str:
    """A list item shown whole: line wraps joined, its bullet/number label dropped."""
    text = sentence_shape.joined_lines(block.text).strip()
    if block.label and text.startswith(block.label):
        text = text[len(block.label):].lstrip()
    return sentence_shape.ITEM_LABEL.sub("", text, count=1).strip() or text
