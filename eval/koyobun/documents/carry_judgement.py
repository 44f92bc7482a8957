"""Carry the blind judgement of one export over to a later export, and list what is new.

Why: after the rules change, most findings on the nine documents are the same findings; the
judge's verdict on them still holds. A finding is the same when its document, original text,
rule and sentence (the sentence with the span in 【】, whitespace removed — PDF line breaks and
spacing may shift) are the same. A matching finding now shown with another severity (a warning
that became a hint naming an allowance, with another message) is what the reader sees anew, so
its old verdict is not carried: it goes to the judge with the new rows and is counted apart.
Every other row of the new export is new and goes to the judge blind, with the same columns and
an empty judgement; the judged rows that no longer appear are listed by rule and verdict, so a
change is seen to remove wrong findings and not right ones.

Run:
  python eval/koyobun/documents/carry_judgement.py \\
      --judged judged.tsv --after findings_after.tsv \\
      --carried judged_after_carried.tsv --unjudged unjudged_after.tsv

``--carried`` gets every row of the new export, with the carried judgement and note where the
finding was judged (empty where it is new); once the new rows are judged, merge them into it
and score it with score_judged.py. Its column ``reread_of`` names, for a new row, a judged
finding at the same words that the reader now gives with a longer or shorter sentence around it
(the same span with the same words either side, as far as both sentences reach) and that
finding's verdict — for information only: such rows are judged again like every new row, and
the judged findings they stand for are not counted as gone.
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


def key(row: dict[str, str]) -> tuple[str, str, str, str]:
    """The same finding: document, original, rule, and the sentence with whitespace removed."""
    return row["document"], row["original"], row["rule"], _WS.sub("", row["sentence"])


def _sides(sentence: str) -> tuple[str, str, str] | None:
    """(before, span, after) of a sentence with its span in 【】, whitespace removed."""
    flat = _WS.sub("", sentence)
    a, b = flat.find("【"), flat.find("】")
    return (flat[:a], flat[a + 1:b], flat[b + 1:]) if 0 <= a < b else None


def reread(old: dict[str, str], new: dict[str, str], context: int = 10) -> int:
    """How surely ``new`` is the judged finding ``old`` at the same words, in a sentence the
    reader now cuts otherwise: the number of characters either side of the span that both
    sentences share (0: not the same — another document, original or rule, other words
    around it, or fewer than ``context`` characters to tell)."""
    if (old["document"], old["original"], old["rule"]) != (new["document"], new["original"], new["rule"]):
        return 0
    o, n = _sides(old["sentence"]), _sides(new["sentence"])
    if o is None or n is None or o[1] != n[1]:
        return 0
    lo, ln = o[0], n[0]
    ro, rn = o[2], n[2]
    left = min(len(lo), len(ln))
    right = min(len(ro), len(rn))
    same = lo[len(lo) - left:] == ln[len(ln) - left:] and ro[:right] == rn[:right]
    return left + right if same and left + right >= context else 0


def carry(judged: list[dict[str, str]], after: list[dict[str, str]]
          ) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    """(after rows with judgements carried, new rows, judged rows that disappeared, and the judged
    rows whose finding is still given with another severity — their new rows are among the new)."""
    pool: dict[tuple, list[dict[str, str]]] = defaultdict(list)
    for r in judged:
        pool[key(r)].append(r)
    carried, new, restated = [], [], []
    for r in after:
        out = dict(r)
        same = pool.get(key(r))
        j = same.pop(0) if same else None
        if j is not None and j["severity"] == r["severity"]:
            out["judgement"], out["note"] = j.get("judgement", ""), j.get("note", "")
            out["judged_as"] = j["id"]
        else:
            out["judgement"], out["note"], out["judged_as"] = "", "", ""
            new.append(out)
            if j is not None:
                restated.append(j)
        carried.append(out)
    gone = [r for rows in pool.values() for r in rows]
    # pair each new row with the judged finding it shares the most context with, best pairs first
    pairs = sorted(((reread(g, out), gi, ni) for gi, g in enumerate(gone) for ni, out in enumerate(new)),
                   reverse=True)
    used_g: set[int] = set()
    used_n: set[int] = set()
    for score, gi, ni in pairs:
        if score and gi not in used_g and ni not in used_n:
            used_g.add(gi)
            used_n.add(ni)
            new[ni]["reread_of"] = f"{gone[gi]['id']} {gone[gi].get('judgement', '')}".strip()
    for ni, out in enumerate(new):
        out.setdefault("reread_of", "")
    gone = [g for gi, g in enumerate(gone) if gi not in used_g]
    gone.sort(key=lambda r: r["id"])
    return carried, new, gone, restated


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
    carried, new, gone, restated = carry(judged, after)
    write(args.carried, head, cols + ["judged_as", "reread_of"], carried)
    write(args.unjudged, head, cols, new)
    print(f"{len(after)} findings now; {len(after) - len(new)} carry a judgement; {len(new)} to judge "
          f"({len(restated)} of them judged before with another severity) -> {args.unjudged}")
    for r in restated:
        print(f"  again: {r['id']}  {r['document'][:30]:30} {r['rule']:22} {r['severity']:8} "
              f"{r.get('judgement', ''):9}  {r['original'][:24]}")
    again = [r for r in new if r.get("reread_of")]
    print(f"{len(again)} of the rows to judge are judged findings at the same words in a sentence read otherwise:")
    for r in again:
        print(f"  {r['id']} = {r['reread_of']:16} {r['rule']:22} {r['original'][:24]}")
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
