"""Score a judged whole-document findings file: right / debatable / wrong per rule, per
category and per document, and false findings per 1,000 characters.

Why only the judged file: the evaluator's file (written by export_findings.py, each line
marked right / debatable / wrong) carries the documents' character counts in its ``#doc``
lines, so the figures can be recomputed by anyone from that one file, without the engine.

Targets (issue 21): ≥ 80 % of findings right, ≤ 3 % wrong; no 全角半角 / 文体 / 句読点 findings
judged wrong on documents that are consistent. "False" findings = wrong ones; the rate is
given with and without the debatable ones.

With ``--pending`` a row whose judgement is still empty (a new finding sent to the judge
after a carry) is counted as "to judge": it is a finding shown to the reader, so it stays in
the totals and the per-1,000-character rates, and the target check gives the bounds it allows
(right share if none of them is right, wrong share if all of them are wrong).

Run: python eval/koyobun/documents/score_judged.py JUDGED.tsv [--json] [--pending]
"""
from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

JUDGEMENTS = ("right", "debatable", "wrong")
PENDING = "to judge"
ALIASES = {"r": "right", "ok": "right", "correct": "right", "正": "right", "正しい": "right",
           "d": "debatable", "?": "debatable", "議論": "debatable", "どちらとも": "debatable",
           "w": "wrong", "ng": "wrong", "誤": "wrong", "誤り": "wrong"}
CONSISTENCY = ("全角半角", "文体", "句読点")


def _norm(j: str) -> str:
    j = j.strip().lower()
    return ALIASES.get(j, j)


def load(path: Path, pending: bool = False) -> tuple[dict[str, int], list[dict[str, str]]]:
    """(characters per document, judged rows); with ``pending`` an empty judgement is "to judge"."""
    chars: dict[str, int] = {}
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for ln, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#doc\t"):
            parts = line.split("\t")
            chars[parts[1]] = int(parts[4])
            continue
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if header is None:
            header = parts
            continue
        row = dict(zip(header, parts + [""] * (len(header) - len(parts))))
        j = _norm(row.get("judgement", ""))
        if pending and not j:
            j = PENDING
        elif j not in JUDGEMENTS:
            raise ValueError(f"line {ln}: judgement must be right / debatable / wrong, not {row.get('judgement')!r}")
        row["judgement"] = j
        rows.append(row)
    if header is None:
        raise ValueError("no header line")
    return chars, rows


def _share(c: Counter) -> str:
    n = sum(c.values())
    if not n:
        return "—"
    keys = JUDGEMENTS + ((PENDING,) if c[PENDING] else ())
    return "  ".join(f"{k} {c[k]:3d} ({100 * c[k] / n:5.1f}%)" for k in keys)


def summarise(chars: dict[str, int], rows: list[dict[str, str]]) -> dict:
    total = Counter(r["judgement"] for r in rows)
    n = len(rows)
    all_chars = sum(chars.values())
    by = {key: defaultdict(Counter) for key in ("rule", "category", "document", "severity")}
    for r in rows:
        for key in by:
            by[key][r[key]][r["judgement"]] += 1
    wrong_consistency = [r["id"] for r in rows if r["category"] in CONSISTENCY and r["judgement"] == "wrong"]
    return {
        "findings": n, "characters": all_chars, "documents": len(chars),
        "judgements": dict(total),
        "right_share": round(total["right"] / n, 4) if n else None,
        "wrong_share": round(total["wrong"] / n, 4) if n else None,
        "wrong_per_1000_chars": round(1000 * total["wrong"] / max(1, all_chars), 4),
        "wrong_or_debatable_per_1000_chars": round(1000 * (total["wrong"] + total["debatable"]) / max(1, all_chars), 4),
        "findings_per_1000_chars": round(1000 * n / max(1, all_chars), 4),
        "to_judge": total[PENDING],
        "wrong_share_if_all_to_judge_wrong": round((total["wrong"] + total[PENDING]) / n, 4) if n else None,
        "targets_met": bool(n) and total["right"] / n >= 0.80 and (total["wrong"] + total[PENDING]) / n <= 0.03,
        "targets_met_on_judged": bool(n - total[PENDING]) and total["right"] / (n - total[PENDING]) >= 0.80
        and total["wrong"] / (n - total[PENDING]) <= 0.03,
        "consistency_findings_judged_wrong": wrong_consistency,
        "by_rule": {k: dict(v) for k, v in sorted(by["rule"].items())},
        "by_category": {k: dict(v) for k, v in sorted(by["category"].items())},
        "by_document": {k: {**dict(v), "chars": chars.get(k, 0)} for k, v in sorted(by["document"].items())},
        "by_severity": {k: dict(v) for k, v in sorted(by["severity"].items())},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("judged", type=Path)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--pending", action="store_true", help='count rows without a judgement as "to judge"')
    args = ap.parse_args(argv)
    chars, rows = load(args.judged, args.pending)
    s = summarise(chars, rows)
    if args.json:
        print(json.dumps(s, ensure_ascii=False, indent=1))
        return 0
    total = Counter(s["judgements"])
    print(f"{s['findings']} findings on {s['documents']} documents, {s['characters']:,} characters "
          f"({s['findings_per_1000_chars']:.2f} findings per 1,000 characters)")
    print(f"all:        {_share(total)}")
    print(f"wrong per 1,000 characters: {s['wrong_per_1000_chars']:.3f}   "
          f"(wrong or debatable: {s['wrong_or_debatable_per_1000_chars']:.3f})")
    print(f"targets (≥80% right, ≤3% wrong): {'met' if s['targets_met'] else 'NOT met'}")
    if s["to_judge"]:
        print(f"  {s['to_judge']} to judge: counted as not right, and as wrong in the check above "
              f"(wrong share then {100 * s['wrong_share_if_all_to_judge_wrong']:.1f}%); on the judged rows alone "
              f"the targets are {'met' if s['targets_met_on_judged'] else 'NOT met'}")
    print(f"全角半角/文体/句読点 findings judged wrong: {len(s['consistency_findings_judged_wrong'])} "
          f"{' '.join(s['consistency_findings_judged_wrong'])}")
    for key in ("document", "category", "rule", "severity"):
        print(f"\nper {key}:")
        for name, c in s[f"by_{key}"].items():
            c = Counter({k: v for k, v in c.items() if k in JUDGEMENTS or k == PENDING})
            extra = f"  [{s['by_document'][name]['chars']:,} chars]" if key == "document" else ""
            print(f"  {name:<44} n={sum(c.values()):3d}  {_share(c)}{extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
