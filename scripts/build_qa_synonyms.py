"""Build resources/qa/synonyms.tsv from the Sudachi synonym dictionary (Apache-2.0).

    python scripts/build_qa_synonyms.py SYNONYMS_TXT [--corpus ../shared/corpus/ja]

Why a filtered copy and not the whole dictionary: retrieval only needs the groups of
administrative and everyday vocabulary, and a small table is easy to read and audit. The
filter is mechanical — no word is picked by hand:
  * a line's expansion flag is 0 ("always expand"; 1 = only expanded to, 2 = never);
  * its field is general, ビジネス, 政治 or 法律 (not company or person names, sports …);
  * its form is not a misuse (語形種別 4) or a misspelling (表記揺れ 3);
  * the group keeps at least two distinct Sudachi normalised forms, and at least one of them
    occurs in the law texts of the development corpus (../shared/corpus/ja), which stands for
    administrative vocabulary. The evaluation documents are not read.
Each output row: group id (the dictionary's own), then the normalised forms, tab-separated.
Source: WorksApplications/SudachiDict src/main/text/synonyms.txt (Sudachi 同義語辞書).
"""
from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from gennai_desktop.nlp.morph import tokenize  # noqa: E402

FIELDS = {"", "ビジネス", "政治", "法律"}


def normal(word: str) -> str:
    """The one normalised form the index would use for ``word`` (mode C), or "" if it splits."""
    toks = [t for t in tokenize(word, "C") if t.surface.strip()]
    return toks[0].normalized if len(toks) == 1 else ""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("synonyms")
    ap.add_argument("--corpus", default=str(REPO.parent.parent / "shared" / "corpus" / "ja"))
    ap.add_argument("--out", default=str(REPO / "resources" / "qa" / "synonyms.tsv"))
    args = ap.parse_args()
    groups: dict[str, set[str]] = defaultdict(set)
    with open(args.synonyms, encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if len(row) < 9 or not row[0].strip():
                continue
            gid, _pos, expand, _lex, form, _abbr, spelling, field, head = row[:9]
            if (expand or "0") != "0" or form == "4" or spelling == "3":
                continue
            if field.strip("()") not in FIELDS:
                continue
            n = normal(head)
            if n:
                groups[gid].add(n)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        corpus = Path("/work/shared/corpus/ja")
    seen: set[str] = set()
    for f in sorted(corpus.glob("*.txt")):
        seen.update(t.normalized for t in tokenize(f.read_text(encoding="utf-8"), "C"))
    kept = {g: sorted(ws) for g, ws in groups.items() if len(ws) >= 2 and ws & seen}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("# Sudachi 同義語辞書 (WorksApplications/SudachiDict, Apache-2.0), filtered by "
                 "scripts/build_qa_synonyms.py: group id, then Sudachi normalised forms\n")
        for g in sorted(kept):
            fh.write(g + "\t" + "\t".join(kept[g]) + "\n")
    print(f"{len(kept)} groups, {sum(len(v) for v in kept.values())} words → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
