"""Key-fact coverage of model-free (extractive) summaries on report-like documents.

eval/summary/docs/*.txt are sections of 情報通信白書 (総務省, CC BY 4.0, text via
github.com/yashikota/ict-white-paper): real reports with 概要 leads, numbered sections,
footnotes, URLs, 図表 captions and （出典） lines. eval/summary/facts.tsv lists, per
document, the 5 facts a reader must get; a fact is covered when every ``;``-separated
term group (alternatives split by ``|``) occurs in the summary text (NFKC, commas kept).
Also counted: points no person would quote (URL, footnote, caption, 出典, 関連データ).

    python eval/summary/score.py [--style bullets|report|three_lines] [-v]
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from gennai_desktop.documents import load_document   # noqa: E402
from gennai_desktop.tasks.summarize import summarize  # noqa: E402
from tests.support.events import run_to_result        # noqa: E402

_JUNK = re.compile(r"https?://|www\.|^図表|（出典）|^出典|【関連データ】|URL：|^\d+　|^（\d+）|[^。.…]$")   # URL, caption, source line, footnote, heading, fragment


def _n(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def covered(terms: str, text: str) -> bool:
    t = _n(text)
    return all(any(_n(alt) in t for alt in group.split("|")) for group in terms.split(";"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--style", default="bullets")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    facts = defaultdict(list)
    with open(HERE / "facts.tsv", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            facts[row["doc"]].append(row)
    total = hit = junk = npoints = 0
    for name, rows in sorted(facts.items()):
        doc = load_document(HERE / "docs" / f"{name}.txt")
        result = run_to_result(summarize(doc, None, style=args.style))
        text = "\n".join(p.text for p in result.points)
        got = [r for r in rows if covered(r["terms"], text)]
        bad = [p.text for p in result.points if _JUNK.search(p.text.strip())]
        total += len(rows)
        hit += len(got)
        junk += len(bad)
        npoints += len(result.points)
        print(f"{name}\t{len(got)}/{len(rows)}\tjunk {len(bad)}/{len(result.points)}")
        if args.v:
            for p in result.points:
                print("   ・", p.text[:100])
    print(f"TOTAL\tfacts {hit}/{total} ({hit / total:.0%})\tjunk points {junk}/{npoints}")


if __name__ == "__main__":
    main()
