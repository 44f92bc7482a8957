"""Block kinds against the frozen blind labels (eval/structure/labels, 29 real PDF pages).

Run: ``python eval/structure/score.py [--before REF] [--no-before] [--misses]``. Reads the
labelled PDFs with the code at ``--before`` (default: main when issue 20 started) and with
the working tree, in one run, and prints per-kind precision and recall for both, the
heading-level agreement and a paragraph-integrity figure. The labels were written from page
images before any change to the reader (NOTES.md there); nothing here may be tuned on them.

Matching (per labelled page; all text compared after NFKC with whitespace removed):

* A labelled block is matched to the extracted block (``Document.blocks`` of that page, or
  ``Document.furniture`` of that page) that contains its ``start`` snippet, preferring the
  block where it occurs earliest (a ``label`` such as 「１」 or 「・」 may come first); each
  extracted block is matched at most once, labelled blocks in reading order. A labelled
  block with ``continues: true`` (the rest of a paragraph from the previous column or page)
  may also match the block that already holds its first part — that is a paragraph kept
  whole, which is what the reader is meant to do — and may match a block that begins on the
  page before.
* A matched labelled block is **right** when the kinds agree and the extracted block is
  whole: it contains the ``end`` snippet at or after the ``start``.
* **Recall** of kind K = right labelled blocks of kind K / labelled blocks of kind K.
  **Precision** of kind K = extracted blocks of kind K on the labelled pages that are the
  match of a right labelled block / all extracted blocks of kind K on those pages (an
  unmatched extracted block — a split-off piece, a stray line — counts against its kind).
  Labels of kind ``other`` (letter parts such as 文書番号, date, addressee: the schema has
  no such kind) are reported for recall of being found at all, and extracted blocks
  matched to them are left out of precision.
* **Paragraph integrity** = labelled ``paragraph`` blocks (a block and its ``continues``
  parts counted once) whose start and end lie in ONE extracted block that holds no other
  labelled block's start — neither cut nor glued — whatever kind it was given.
* **Heading level** = right headings whose ``level`` equals the label's.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from versions import BASE_REF, REPO, extract  # noqa: E402

LABELS = Path(__file__).resolve().parent / "labels"
CORPUS = REPO.parent / "shared" / "corpus" / "real"
_WS_RE = re.compile(r"\s+")


def norm(text: str | None) -> str:
    return _WS_RE.sub("", unicodedata.normalize("NFKC", text or ""))


@dataclass
class Tally:
    labelled: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    extracted: Counter = field(default_factory=Counter)
    true_pos: Counter = field(default_factory=Counter)
    paragraphs: int = 0
    whole_paragraphs: int = 0
    headings_right: int = 0
    headings_level: int = 0
    misses: list[str] = field(default_factory=list)


def page_blocks(doc: dict, page: int) -> list[dict]:
    return [b for b in doc["blocks"] if b["page"] == page]


def score_page(label: dict, doc: dict, tally: Tally) -> None:
    page = label["page"]
    here = page_blocks(doc, page)
    before = page_blocks(doc, page - 1)
    keys = {id(b): norm(b["text"]) for b in here + before}
    used: dict[int, int] = {}          # id(extracted) -> index of the labelled block it matched
    matches: list[dict | None] = []
    starts = [norm(lb["start"]) for lb in label["blocks"]]
    for i, lb in enumerate(label["blocks"]):
        start, end = starts[i], norm(lb["end"])
        pool = here + (before if lb.get("continues") else [])
        best = None
        for b in pool:
            if id(b) in used and not lb.get("continues"):
                continue
            at = keys[id(b)].find(start) if start else -1
            if at < 0:
                continue
            if best is None or at < best[0]:
                best = (at, b)
        if best is None:
            matches.append(None)
            continue
        at, b = best
        used.setdefault(id(b), i)
        matches.append({"block": b, "at": at, "whole": keys[id(b)].find(end, at) >= 0})
    by_index = {i: m for i, m in enumerate(matches)}
    for i, lb in enumerate(label["blocks"]):
        kind, m = lb["kind"], by_index[i]
        tally.labelled[kind] += 1
        if m is None:
            tally.misses.append(f"{label['file']} p{page} {kind}: not found «{lb['start'][:20]}»")
            continue
        tally.found[kind] += 1
        b = m["block"]
        right = m["whole"] and b["kind"] == kind
        if right:
            tally.right[kind] += 1
            if kind == "heading":
                tally.headings_right += 1
                tally.headings_level += int(b["level"] == lb["level"])
        else:
            why = "cut" if not m["whole"] else f"as {b['kind']}"
            tally.misses.append(f"{label['file']} p{page} {kind}: {why} «{lb['start'][:20]}»")
    # precision: every extracted block on this page
    for b in here:
        owner = used.get(id(b))
        if owner is not None and label["blocks"][owner]["kind"] == "other":
            continue
        tally.extracted[b["kind"]] += 1
        if owner is not None and by_index[owner] and by_index[owner]["block"] is b:
            lb = label["blocks"][owner]
            if by_index[owner]["whole"] and b["kind"] == lb["kind"]:
                tally.true_pos[b["kind"]] += 1
    # paragraph integrity
    for i, lb in enumerate(label["blocks"]):
        if lb["kind"] != "paragraph" or lb.get("continues"):
            continue
        parts = [i] + [j for j in range(i + 1, len(label["blocks"]))
                       if label["blocks"][j].get("continues") and label["blocks"][j]["kind"] == "paragraph"][:1]
        tally.paragraphs += 1
        last = label["blocks"][parts[-1]]
        m = by_index[i]
        if m is None:
            continue
        key = keys[id(m["block"])]
        if key.find(norm(last["end"]), m["at"]) < 0:
            continue
        if len(parts) > 1 and key.find(starts[parts[-1]]) < 0:
            continue
        others = [starts[j] for j in range(len(label["blocks"])) if j not in parts and starts[j]
                  and label["blocks"][j]["kind"] not in ("table",) and len(starts[j]) >= 4]
        if any(s in key for s in others):
            continue
        tally.whole_paragraphs += 1


def load_labels() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(LABELS.glob("*.json"))]


def score(ref: str | None, labels: list[dict]) -> Tally:
    files = sorted({CORPUS / lb["file"] for lb in labels})
    docs = {Path(d["path"]).name: d for d in extract(files, ref)}
    tally = Tally()
    for label in labels:
        doc = docs[label["file"]]
        if "error" in doc:
            tally.misses.append(f"{label['file']}: {doc['error']}")
            for lb in label["blocks"]:
                tally.labelled[lb["kind"]] += 1
            continue
        score_page(label, doc, tally)
    return tally


def _ratio(a: int, b: int) -> str:
    return f"{a / b:5.2f}" if b else "   - "


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", default=BASE_REF)
    ap.add_argument("--no-before", action="store_true")
    ap.add_argument("--misses", action="store_true", help="name every labelled block that is not right")
    args = ap.parse_args()
    labels = load_labels()
    versions = ([("before", args.before)] if not args.no_before else []) + [("after", None)]
    tallies = {name: score(ref, labels) for name, ref in versions}
    kinds = sorted(set().union(*(t.labelled.keys() | t.extracted.keys() for t in tallies.values())),
                   key=lambda k: (-max(t.labelled[k] for t in tallies.values()), k))
    head = " | ".join(f"{name:^27s}" for name, _ in versions)
    print(f"{'kind':12s} {'n':>4s} | {head}")
    print(f"{'':12s} {'':>4s} | " + " | ".join(f"{'recall':>6s} {'prec':>6s} {'extracted':>9s}   " for _ in versions))
    for k in kinds:
        n = max(t.labelled[k] for t in tallies.values())
        cells = []
        for name, _ in versions:
            t = tallies[name]
            rec = _ratio(t.right[k], t.labelled[k]) if k != "other" else _ratio(t.found[k], t.labelled[k]) + "*"
            cells.append(f"{rec:>6s} {_ratio(t.true_pos[k], t.extracted[k]):>6s} {t.extracted[k]:9d}   ")
        print(f"{k:12s} {n:4d} | " + " | ".join(cells))
    for name, _ in versions:
        t = tallies[name]
        total = sum(t.labelled.values()) - t.labelled["other"]
        right = sum(v for k, v in t.right.items() if k != "other")
        print(f"{name}: all kinds (without other) recall {_ratio(right, total)} ({right}/{total}); "
              f"precision {_ratio(sum(t.true_pos.values()), sum(t.extracted.values()))}; "
              f"paragraph integrity {_ratio(t.whole_paragraphs, t.paragraphs)} "
              f"({t.whole_paragraphs}/{t.paragraphs}); heading level {t.headings_level}/{t.headings_right}")
    print("* other: share found at all (the schema has no such kind)")
    if args.misses:
        for name, _ in versions:
            print(f"\n{name}: labelled blocks not right")
            for line in tallies[name].misses:
                print("  " + line)


if __name__ == "__main__":
    main()
