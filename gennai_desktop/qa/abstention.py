"""The answer / unsure / "not found" decision: which score it reads, and its two thresholds.

The thresholds are data, not tuning: ``calibration.py`` is written by
``eval/qa/calib/score.py --write`` from the pool eval/qa/calib + eval/qa/dev2 (real
documents, written apart from the frozen test set eval/qa/blind) by a rule stated in
docs/qa.md before the frozen set was scored:

* the score: the candidate below with the largest leave-one-set-out AUC on the pool
  (calib + dev2: the AUC on one set, the combined model fitted on the other; round 7 — a
  model fitted on the pool would win the pool's own AUC by fit alone);
* "not found" below the largest threshold that leaves ≤ 3% of the pool's answerables
  under it (and only when the best passage lacks the question's key terms, answer.py);
* "answer" only at or above the smallest threshold under which ≥ 80% of the pool's
  unanswerables fall; "unsure" in between.

Candidate scores (all in [0, 1]):

* ``passage`` — round 1: the share of the question's idf weight the best passage carries,
  × ``TYPE_MISSING`` when the question asks for a date/count/amount/name and the passage
  holds none;
* ``slot`` — round 5: the best SENTENCE of the best passage: its share of the question's idf
  weight (its heading counts with it), × ``slots.MISSING`` when it does not fill the asked
  slot (a date for いつ, a number with the asked counter for 何人, a reason for なぜ …);
* ``mean`` — the mean of the two;
* ``combined`` — round 7: one logistic model over a few signals of the best passages
  (``FEATURES``: the slot score, the passage score, how much of the question the best
  passage's document title carries, the gap between the best and the next passage, whether
  the best passage holds the question's key terms), its coefficients fitted on the pool by
  eval/qa/calib/score.py and written to calibration.COEF.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import calibration
from .answer_type import answer_spans, question_type
from .retrieval import terms
from .search import Hit, key_terms, title_share
from .slots import MISSING, sentence_score, slot_kind
from .synonyms import table as synonym_table

if TYPE_CHECKING:
    from .index import FolderIndex

TYPE_MISSING = 0.7
SCORES = ("passage", "slot", "mean", "combined")
FEATURES = ("slot", "passage", "title", "gap", "keys")


def passage_score(hit: Hit, question: str) -> float:
    """Round 1's score: the passage's coverage, lowered when the asked type is absent."""
    want = question_type(question)
    if want and not answer_spans(hit.passage.text, want, question):
        return hit.coverage * TYPE_MISSING
    return hit.coverage


def slot_score(hit: Hit, question: str, q: list[str], idf) -> float:
    """The best sentence of ``hit`` that holds the question's terms AND fills its slot."""
    syn = synonym_table()
    expanded = {w: set(syn.get(w, ())) for w in q}
    ctx = set(terms(hit.passage.context)) if hit.passage.context else set()
    return sentence_score([s.text for s in hit.passage.sentences], ctx, q, idf, expanded, slot_kind(question),
                          question, terms, MISSING)


def score(hit: Hit, question: str, q: list[str], idf, kind: str | None = None) -> float:
    """The confidence the decision reads for the best passage ``hit`` (``kind``: one of
    ``SCORES``; the calibrated one by default)."""
    kind = kind or calibration.SCORE
    if kind == "passage":
        return passage_score(hit, question)
    if kind == "slot":
        return slot_score(hit, question, q, idf)
    if kind == "mean":
        return (passage_score(hit, question) + slot_score(hit, question, q, idf)) / 2
    raise ValueError(f"unknown abstention score {kind!r}")


def features(hits: list[Hit], question: str, q: list[str], ix: FolderIndex) -> dict[str, float]:
    """The signals ``combined`` reads, each in [0, 1], from the ranked passages ``hits``."""
    h = hits[0]
    idf = ix.collection.idf
    s2 = hits[1].score if len(hits) > 1 else 0.0
    return {"slot": slot_score(h, question, q, idf),
            "passage": passage_score(h, question),
            "title": min(1.0, title_share(ix, q, h.file)),
            "gap": max(0.0, (h.score - s2) / h.score) if h.score > 0 else 0.0,
            "keys": float(set(key_terms(ix, q)) <= set(h.matched))}


def combined(f: dict[str, float], coef: dict[str, float] | None = None) -> float:
    """The logistic model's probability that the question is answered here."""
    c = calibration.COEF if coef is None else coef
    z = c.get("bias", 0.0) + sum(c.get(k, 0.0) * f[k] for k in FEATURES)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def confidence(hits: list[Hit], question: str, q: list[str], ix: FolderIndex, kind: str | None = None) -> float:
    """The score the answer / unsure / not-found decision reads (``kind``: one of ``SCORES``;
    the calibrated one by default); 0 without passages."""
    if not hits:
        return 0.0
    kind = kind or calibration.SCORE
    if kind == "combined":
        return combined(features(hits, question, q, ix))
    return score(hits[0], question, q, ix.collection.idf, kind)
