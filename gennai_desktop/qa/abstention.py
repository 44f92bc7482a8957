"""The answer / unsure / "not found" decision: which score it reads, and its two thresholds.

The thresholds are data, not tuning: ``calibration.py`` is written by
``eval/qa/calib/score.py --write`` from the calibration set eval/qa/calib/questions.tsv
(real documents, written apart from the frozen test set eval/qa/blind) by a rule stated in
docs/qa.md before the frozen set was scored:

* the score: the candidate below with the largest AUC on the calibration set;
* "not found" below the largest threshold that leaves ≤ 3% of the calibration answerables
  under it (and only when the best passage lacks the question's key terms, answer.py);
* "answer" at or above the threshold of the largest Youden J; "unsure" in between.

Candidate scores (all in [0, 1]):

* ``passage`` — round 1: the share of the question's idf weight the best passage carries,
  × ``TYPE_MISSING`` when the question asks for a date/count/amount/name and the passage
  holds none;
* ``slot`` — round 5: the best SENTENCE of the best passage: its share of the question's idf
  weight (its heading counts with it), × ``slots.MISSING`` when it does not fill the asked
  slot (a date for いつ, a number with the asked counter for 何人, a reason for なぜ …);
* ``mean`` — the mean of the two.
"""
from __future__ import annotations

from . import calibration
from .answer_type import answer_spans, question_type
from .retrieval import terms
from .search import Hit
from .slots import MISSING, sentence_score, slot_kind
from .synonyms import table as synonym_table

TYPE_MISSING = 0.7
SCORES = ("passage", "slot", "mean")


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
