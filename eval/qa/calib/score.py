"""Calibrate 質問's answer / unsure / "not found" decision on eval/qa/calib (not a test, prints tables).

    python eval/qa/calib/score.py [--corpus DIR] [--questions FILE] [--write] [--markdown]

The calibration set (questions.tsv here: 30 answerable, 30 unanswerable over real documents,
written blind, NOT the frozen test set eval/qa/blind) is asked against the whole folder
../shared/corpus/real. For each candidate score (gennai_desktop/qa/abstention.py: ``passage``,
``sentence``, ``mean``) it prints both distributions, a threshold sweep and the AUC, and
applies the rule fixed BEFORE the frozen set is scored:

* the score: the candidate with the largest AUC on this set (ties: the earlier in SCORES);
* "not found" below the largest threshold under which ≤ 3% of the answerables fall
  (with 30 answerables: none — the smallest answerable score, rounded down to 0.01);
* "answer" at or above the threshold with the largest Youden J = P(answerable ≥ t) −
  P(unanswerable ≥ t) over the observed scores (ties: the lower threshold, i.e. answer more).

``--write`` stores the choice in gennai_desktop/qa/calibration.py with its source, the rule,
the questions file's sha256 and the scores it was read from (tests/qa re-derive it from them).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval" / "qa"))

from gennai_desktop.qa.abstention import SCORES  # noqa: E402

QUESTIONS = Path(__file__).with_name("questions.tsv")
OUT = REPO / "gennai_desktop" / "qa" / "calibration.py"
MAX_FALSE_NOT_FOUND = 0.03
RULE = ("score: largest AUC on the calibration set; not found below the largest threshold (0.01 steps) "
        "that leaves <= 3% of its answerables under it; answer at the observed score with the largest "
        "Youden J (ties: the lower)")


def _blind_scorer():
    """eval/qa/blind/score.py as a module (its file name is this script's too)."""
    from tests.support.scripts import load_script
    return load_script(REPO / "eval" / "qa" / "blind" / "score.py", "qa_blind_score")


def auc(pos: list[float], neg: list[float]) -> float:
    """P(an answerable scores above an unanswerable), ties counted half (Mann–Whitney)."""
    if not pos or not neg:
        return float("nan")
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def not_found_threshold(pos: list[float], max_rate: float = MAX_FALSE_NOT_FOUND) -> float:
    """The largest t (0.01 steps) with at most ``max_rate`` of ``pos`` strictly below it."""
    allowed = math.floor(max_rate * len(pos) + 1e-9)
    s = sorted(pos)
    t = s[allowed] if allowed < len(s) else 1.0     # everything below s[allowed] is ≤ allowed values
    return math.floor(t * 100 + 1e-9) / 100


def youden_threshold(pos: list[float], neg: list[float]) -> tuple[float, float]:
    """(t, J): the observed score t maximising P(pos ≥ t) − P(neg ≥ t); ties → the lower t."""
    best = (float("inf"), -2.0)
    for t in sorted(set(pos) | set(neg)):
        j = sum(p >= t for p in pos) / len(pos) - sum(n >= t for n in neg) / len(neg)
        if j > best[1] + 1e-12:
            best = (t, j)
    return math.floor(best[0] * 10000) / 10000, best[1]      # rounded down: t itself still answers


def choose(scores: dict[str, tuple[list[float], list[float]]]) -> dict:
    """Apply the stated rule to {kind: (answerable scores, unanswerable scores)}."""
    kind = max(SCORES, key=lambda k: (auc(*scores[k]), -SCORES.index(k)))
    pos, neg = scores[kind]
    t_nf = not_found_threshold(pos)
    t_ans, j = youden_threshold(pos, neg)
    return {"score": kind, "not_found_below": t_nf, "answer_at": max(t_ans, t_nf), "youden_j": round(j, 4),
            "auc": {k: round(auc(*scores[k]), 4) for k in SCORES}}


def render(choice: dict, source: str, sha: str, scores: dict[str, tuple[list[float], list[float]]]) -> str:
    """The text of gennai_desktop/qa/calibration.py for ``choice``."""
    rec = {k: {"answerable": [round(x, 6) for x in scores[k][0]],
               "unanswerable": [round(x, 6) for x in scores[k][1]]} for k in SCORES}
    return ('"""The abstention calibration: written by eval/qa/calib/score.py --write, never by hand.\n\n'
            "The rule (RULE) applied to the scores recorded here (SCORES_SEEN, one per calibration\n"
            "question) gives SCORE and both thresholds; tests/qa/test_qa_abstention.py re-derives them.\n"
            '"""\n'
            f"SCORE = {choice['score']!r}\n"
            f"NOT_FOUND_BELOW = {choice['not_found_below']!r}\n"
            f"ANSWER_AT = {choice['answer_at']!r}\n"
            f"YOUDEN_J = {choice['youden_j']!r}\n"
            f"AUC = {json.dumps(choice['auc'])}\n"
            f"SOURCE = {source!r}\n"
            f"SOURCE_SHA256 = {sha!r}\n"
            "RULE = (" + "\n        ".join(repr(RULE[i:i + 90]) for i in range(0, len(RULE), 90)) + ")\n"
            f"SCORES_SEEN = {json.dumps(rec, indent=1)}\n")


def measure(corpus: Path, qs: list[dict]) -> tuple[dict[str, dict[str, float]], dict[str, bool]]:
    """Per question: every candidate score of its best passage, and whether the not-found key
    condition holds (no passage holds all the question's key terms)."""
    from gennai_desktop.qa import answer as A
    from gennai_desktop.qa.abstention import score
    from gennai_desktop.qa.index import FolderIndex
    from gennai_desktop.qa.retrieval import terms
    from gennai_desktop.qa.search import key_terms, rank
    from gennai_desktop.qa.store import MemoryStore
    from tests.support.events import run_to_result

    ix = FolderIndex(corpus, MemoryStore())
    run_to_result(ix.update())
    out: dict[str, dict[str, float]] = {}
    keyless: dict[str, bool] = {}
    for qd in qs:
        q = terms(qd["question"], ix.options.multi_granular)
        hits = rank(ix, qd["question"], max(5, A.MAX_PASSAGES), q)
        out[qd["id"]] = {k: (score(hits[0], qd["question"], q, ix.collection.idf, k) if hits else 0.0)
                         for k in SCORES}
        keyless[qd["id"]] = not hits or not set(key_terms(ix, q)) <= set(hits[0].matched)
    return out, keyless


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus" / "real"))
    ap.add_argument("--questions", default=str(QUESTIONS))
    ap.add_argument("--write", action="store_true", help="store the choice in gennai_desktop/qa/calibration.py")
    ap.add_argument("--no-cache", action="store_true")
    args = ap.parse_args()
    qfile = Path(args.questions)
    if "blind" in qfile.parts and args.write:
        raise SystemExit("the frozen test set never chooses a threshold")
    if not args.no_cache:
        import doccache
        doccache.install()
    load_questions = _blind_scorer().load_questions     # the same TSV reader as the frozen set's
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        corpus = Path("/work/shared/corpus/real")
    qs = load_questions(qfile)
    per, keyless = measure(corpus, qs)
    ans = [q["id"] for q in qs if q["answerable"]]
    una = [q["id"] for q in qs if not q["answerable"]]
    scores = {k: ([per[i][k] for i in ans], [per[i][k] for i in una]) for k in SCORES}
    print(f"{qfile}: {len(ans)} answerable, {len(una)} unanswerable; folder {corpus}\n")
    for k in SCORES:
        pos, neg = scores[k]
        print(f"## score {k}: AUC {auc(pos, neg):.3f}")
        print("  answerable:  ", " ".join(f"{c:.2f}" for c in sorted(pos)))
        print("  unanswerable:", " ".join(f"{c:.2f}" for c in sorted(neg)))
        print("  | t | answerable below | unanswerable below | J |")
        for t in [x / 20 for x in range(2, 20)]:
            a = sum(c < t for c in pos) / len(pos)
            u = sum(c < t for c in neg) / len(neg)
            print(f"  | {t:.2f} | {a:.3f} | {u:.3f} | {u - a:+.3f} |")
        print()
    choice = choose(scores)
    pos, neg = scores[choice["score"]]
    nf, at = choice["not_found_below"], choice["answer_at"]

    def outcome(i: str) -> str:
        s = per[i][choice["score"]]
        if s < nf and keyless[i]:
            return "not_found"
        return "unsure" if s < at else "answered"

    oa = [outcome(i) for i in ans]
    ou = [outcome(i) for i in una]
    print(f"rule: {RULE}")
    print(f"choice: {json.dumps(choice)}")
    print(f"on this set: answerable answered/unsure/not found {oa.count('answered')}/{oa.count('unsure')}/"
          f"{oa.count('not_found')}; unanswerable {ou.count('answered')}/{ou.count('unsure')}/"
          f"{ou.count('not_found')}; abstention {(len(ou) - ou.count('answered')) / len(ou):.3f}")
    if args.write:
        rel = qfile.resolve().relative_to(REPO) if qfile.resolve().is_relative_to(REPO) else qfile
        OUT.write_text(render(choice, str(rel), hashlib.sha256(qfile.read_bytes()).hexdigest(), scores),
                       encoding="utf-8")
        print(f"written {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
