"""Score the 公用文 rule engine against the hand-labelled set in sentences.tsv.

Why a scorer in the repo: precision/recall targets (P ≥ 0.95, R ≥ 0.90, no findings on
correct sentences) are asserted by tests/proofread/test_eval.py, so a rule change that
breaks them fails CI. Run: ``python eval/koyobun/score.py [-v] [--json] [--data heldout.tsv]``.

Matching: a finding matches an expected one when the spans overlap, the category is the
same and, for replacements, applying either to the overlapping window gives the same
text (so 「下さい→ください」 and 「下→くだ」 count as the same correction). Advice-only
expectations (長文, 文体, 二重否定) need overlap and category only.

Genre: a sentence of genre 法令 (laws, 政令, 規則, 規程, 条例, 告示, 要綱) is checked with the
法令 profile (「法令における漢字使用等について」) when the rule data has one, every other
sentence with the 公用文 profile — what the app does when it recognises a law.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

HERE = Path(__file__).resolve().parent
DATA = HERE / "sentences.tsv"
_ESC = re.compile(r"\\u\{([0-9A-Fa-f]{1,6})\}")
_ITEM = re.compile(r"^(?P<orig>.*?)(?:#(?P<occ>-?\d+))?(?:→(?P<sugg>.*?))?\[(?P<cat>[^\]]+)\]$")


def _unescape(s: str) -> str:
    return _ESC.sub(lambda m: chr(int(m.group(1), 16)), s)


@dataclass
class Expected:
    start: int
    end: int
    original: str
    suggestion: str
    category: str
    advice: bool


@dataclass
class Case:
    id: str
    genre: str
    text: str
    expected: list[Expected]


def _find(text: str, needle: str, occ: int) -> int:
    pos = [i for i in range(len(text)) if text.startswith(needle, i)]
    if not pos:
        raise ValueError(f"{needle!r} not in {text!r}")
    return pos[occ - 1] if occ > 0 else pos[occ]


def load_cases(path: Path = DATA) -> list[Case]:
    cases = []
    for ln, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 3:
            raise ValueError(f"line {ln}: expected id, genre, text[, findings]")
        cid, genre, text = parts[0], parts[1], _unescape(parts[2])
        exp: list[Expected] = []
        spec = parts[3].strip() if len(parts) > 3 else ""
        for item in filter(None, (x.strip() for x in spec.split(" ; "))):
            m = _ITEM.match(item)
            if not m:
                raise ValueError(f"line {ln}: cannot parse {item!r}")
            orig = _unescape(m.group("orig"))
            occ = int(m.group("occ") or 1)
            s = _find(text, orig, occ)
            advice = m.group("sugg") is None
            sugg = orig if advice else _unescape(m.group("sugg"))
            exp.append(Expected(s, s + len(orig), orig, sugg, m.group("cat"), advice))
        cases.append(Case(cid, genre, text, exp))
    return cases


def _apply(text: str, lo: int, hi: int, s: int, e: int, sugg: str) -> str:
    return text[lo:s] + sugg + text[e:hi]


def _matches(text: str, exp: Expected, f) -> bool:
    if f.category != exp.category or not (f.start < exp.end and exp.start < f.end):
        return False
    if exp.advice:
        return True
    lo, hi = min(f.start, exp.start), max(f.end, exp.end)
    return _apply(text, lo, hi, exp.start, exp.end, exp.suggestion) == _apply(text, lo, hi, f.start, f.end, f.suggestion)


@dataclass
class Report:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    per_cat_expected: Counter = field(default_factory=Counter)
    per_cat_found: Counter = field(default_factory=Counter)
    per_cat_fp: Counter = field(default_factory=Counter)
    sentences: int = 0
    correct_sentences: int = 0
    trap_findings: list[tuple[str, str, str, str]] = field(default_factory=list)
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    expected_items: list[tuple[Expected, bool]] = field(default_factory=list)   # (label, found)
    false_pos: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def per_category_recall(self) -> dict[str, float]:
        return {c: self.per_cat_found[c] / n for c, n in sorted(self.per_cat_expected.items())}

    def per_category(self) -> dict[str, tuple[int, int, int, float, float, float]]:
        """category → (TP, FP, FN, P, R, F1); a finding counts for its own category."""
        out = {}
        for c in sorted(set(self.per_cat_expected) | set(self.per_cat_fp)):
            tp, fp = self.per_cat_found[c], self.per_cat_fp[c]
            fn = self.per_cat_expected[c] - tp
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            out[c] = (tp, fp, fn, p, r, 2 * p * r / (p + r) if p + r else 0.0)
        return out

    def to_json(self) -> dict:
        return {"sentences": self.sentences, "correct_sentences": self.correct_sentences,
                "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "per_category_recall": {k: round(v, 4) for k, v in self.per_category_recall().items()},
                "per_category": {k: {"tp": v[0], "fp": v[1], "fn": v[2], "p": round(v[3], 4), "r": round(v[4], 4),
                                     "f1": round(v[5], 4)} for k, v in self.per_category().items()},
                "trap_findings": len(self.trap_findings)}


LAW_GENRES = frozenset({"法令"})


def genre_checker() -> Callable[[str, str], Sequence]:
    """check(text, genre): the 法令 profile for 法令 sentences where the rule data has one."""
    from gennai_desktop.proofread.rules import check_text
    from gennai_desktop.proofread.ruleset import RuleDataError, load_rules
    try:
        load_rules("horei")
        law = "horei"
    except RuleDataError:
        law = "koyobun"
    return lambda text, genre: check_text(text, profile=law if genre in LAW_GENRES else "koyobun")


def score(check: Callable[[str], Sequence] | None = None, path: Path = DATA) -> Report:
    """``check(text)`` or, when omitted, the engine with the profile the genre asks for."""
    by_genre = genre_checker() if check is None else (lambda text, genre: check(text))
    rep = Report()
    for case in load_cases(path):
        rep.sentences += 1
        found = list(by_genre(case.text, case.genre))
        if not case.expected:
            rep.correct_sentences += 1
            for f in found:
                rep.trap_findings.append((case.id, f.original, f.suggestion, f.category))
        used: set[int] = set()
        for exp in case.expected:
            rep.per_cat_expected[exp.category] += 1
            hit = next((i for i, f in enumerate(found) if i not in used and _matches(case.text, exp, f)), None)
            rep.expected_items.append((exp, hit is not None))
            if hit is None:
                rep.fn += 1
                rep.misses.append((case.id, f"{exp.original}→{exp.suggestion}", exp.category))
            else:
                used.add(hit)
                rep.tp += 1
                rep.per_cat_found[exp.category] += 1
        for i, f in enumerate(found):
            if i not in used:
                rep.fp += 1
                rep.per_cat_fp[f.category] += 1
                rep.false_pos.append((case.id, f.original, f.suggestion, f.category))
    return rep


def _pad(s: str, width: int) -> str:
    """Left-justify for a terminal where CJK characters take two columns."""
    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
    return s + " " * max(0, width - w)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-v", "--verbose", action="store_true", help="list misses and false positives")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--data", type=Path, default=DATA, help="TSV file (default: sentences.tsv; heldout.tsv is the held-out set)")
    args = ap.parse_args(argv)
    rep = score(path=args.data)
    if args.json:
        print(json.dumps(rep.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"sentences: {rep.sentences} (correct, with traps: {rep.correct_sentences})")
    print(f"expected findings: {rep.tp + rep.fn}  TP {rep.tp}  FP {rep.fp}  FN {rep.fn}")
    print(f"precision {rep.precision:.3f}  recall {rep.recall:.3f}  F1 {rep.f1:.3f}")
    print(f"findings on correct sentences: {len(rep.trap_findings)}")
    print("per category:            TP   FP   FN      P      R     F1")
    for cat, (tp, fp, fn, p, r, f1) in rep.per_category().items():
        print(f"  {_pad(cat, 14)} {tp:4d} {fp:4d} {fn:4d}  {p:.3f}  {r:.3f}  {f1:.3f}")
    if args.verbose:
        for m in rep.misses:
            print("MISS", *m)
        for f in rep.false_pos:
            print("FP  ", *f)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent.parent))
    raise SystemExit(main())
