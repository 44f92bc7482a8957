"""Carry the blind judgement of one export over to a later export, and list what is new.

Why: after the rules change, most findings on the nine documents are the same findings; the
judge's verdict on them still holds. A finding is the same when its document, original text,
rule and sentence (the sentence with the span in 【】, whitespace removed — PDF line breaks and
spacing may shift) are the same, and it is shown with the same severity (a warning that became
a hint with another message is another finding for the reader, so it is judged again). Every
other row of the new export is new and goes to the
judge blind, with the same columns and an empty judgement; the judged rows that no longer
appear are listed by rule and verdict, so a change is seen to remove wrong findings and not
right ones.

Run:
  python eval/koyobun/documents/carry_judgement.py \\
      --judged judged.tsv --after findings_after.tsv \\
      --carried judged_after_carried.tsv --unjudged unjudged_after.tsv

``--carried`` gets every row of the new export, with the carried judgement and note where the
finding was judged (empty where it is new); once the new rows are judged, merge them into it
and score it with score_judged.py.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
_WS = re.compile(r"\s+|⏎")


def read(path: Path) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """(comment and #doc lines, columns, rows) of an export or a judged file."""
    head: list[str] = []
    cols: list[str] = []
    rows: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            head.append(line)
            continue
        cells = line.split("\t")
        if not cols:
            cols = cells
            continue
        cells += [""] * (len(cols) - len(cells))
        rows.append(dict(zip(cols, cells)))
    return head, cols, rows


def key(row: dict[str, str]) -> tuple[str, str, str, str, str]:
    return row["document"], row["original"], row["rule"], _WS.sub("", row["sentence"]), row["severity"]


def carry(judged: list[dict[str, str]], after: list[dict[str, str]]) -> tuple[list[dict], list[dict], list[dict]]:
    """(after rows with judgements carried, new rows, judged rows that disappeared)."""
    pool: dict[tuple, list[dict[str, str]]] = defaultdict(list)
    for r in judged:
        pool[key(r)].append(r)
    carried, new = [], []
    for r in after:
        out = dict(r)
        same = pool.get(key(r))
        if same:
            j = same.pop(0)
            out["judgement"], out["note"] = j.get("judgement", ""), j.get("note", "")
            out["judged_as"] = j["id"]
        else:
            out["judgement"], out["note"], out["judged_as"] = "", "", ""
            new.append(out)
        carried.append(out)
    gone = [r for rows in pool.values() for r in rows]
    gone.sort(key=lambda r: r["id"])
    return carried, new, gone


def write(path: Path, head: list[str], cols: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for line in head:
            fh.write(line + "\n")
        fh.write("\t".join(cols) + "\n")
        for r in rows:
            fh.write("\t".join(r.get(c, "") for c in cols) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--judged", type=Path, default=HERE / "judged.tsv")
    ap.add_argument("--after", type=Path, default=HERE / "findings_after.tsv")
    ap.add_argument("--carried", type=Path, default=HERE / "judged_after_carried.tsv")
    ap.add_argument("--unjudged", type=Path, default=HERE / "unjudged_after.tsv")
    args = ap.parse_args(argv)
    _, _, judged = read(args.judged)
    head, cols, after = read(args.after)
    carried, new, gone = carry(judged, after)
    write(args.carried, head, cols + ["judged_as"], carried)
    write(args.unjudged, head, cols, new)
    print(f"{len(after)} findings now; {len(after) - len(new)} carry a judgement; {len(new)} new -> {args.unjudged}")
    print(f"{len(gone)} judged findings no longer given:")
    by = Counter((r["rule"], r.get("judgement", "")) for r in gone)
    for (rule, verdict), n in sorted(by.items()):
        print(f"  {rule:24} {verdict:10} {n}")
    for r in gone:
        print(f"  {r['id']}  {r['document'][:30]:30} {r['rule']:22} {r.get('judgement', ''):9}  {r['original'][:24]}")
    kept = Counter(r["judgement"] for r in carried if r["judgement"])
    print("carried verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(kept.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
