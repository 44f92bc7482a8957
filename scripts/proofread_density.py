"""Findings per 1,000 characters of the rule engine on a corpus folder (for tuning noise).

Usage: python scripts/proofread_density.py [/work/shared/corpus/ja] [--json]
Counts every finding and, separately, by severity and category; one line per file.
"""
from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

from gennai_desktop.documents import load_document
from gennai_desktop.proofread.rules import check_text


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv and not argv[0].startswith("--") else Path("/work/shared/corpus/ja")
    total_chars = 0
    by_sev: collections.Counter = collections.Counter()
    by_cat: collections.Counter = collections.Counter()
    n = 0
    rows = []
    for p in sorted(folder.iterdir()):
        if p.suffix.lower() not in (".txt", ".docx", ".pdf"):
            continue
        try:
            doc = load_document(p)
        except Exception as exc:  # noqa: BLE001
            print(f"skip {p.name}: {exc}", file=sys.stderr)
            continue
        fs = check_text(doc.text)
        total_chars += len(doc.text)
        n += len(fs)
        by_sev.update(f.severity for f in fs)
        by_cat.update(f.category for f in fs)
        rows.append((p.name, len(doc.text), len(fs), sum(f.category == "長文" for f in fs)))
    for name, chars, k, longs in rows:
        print(f"{name}\t{chars}\t{k}\t長文={longs}\t{1000 * k / max(1, chars):.2f}/1000")
    per_k = 1000 * n / max(1, total_chars)
    non_hint = sum(v for s, v in by_sev.items() if s != "hint")
    summary = {"files": len(rows), "chars": total_chars, "findings": n, "per_1000": round(per_k, 2),
               "per_1000_without_hints": round(1000 * non_hint / max(1, total_chars), 2),
               "by_severity": dict(by_sev), "by_category": dict(by_cat.most_common())}
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
