"""Where the development key facts are lost by the model-free 要約, fact by fact.

For each fact of a development fact list (same columns as blind/facts.tsv; NEVER the frozen
blind list — this prints the sentences) the document's sentences that hold every term are
looked up, and the fact is put under one cause:

* ``stated``      — a point (or the 文書情報 line, ``tasks.docinfo``) holds every term;
* ``no sentence`` — no one sentence of the sentence table holds every term (the reader split
  it, a table cell, or the fact spans two sentences);
* ``ineligible``  — the sentence exists but is no whole body sentence (reason given: the
  filter of ``keypoints.candidates`` that drops it);
* ``ranked``      — eligible, not chosen, ranked below the k-th place (rank given);
* ``coverage``    — eligible and ranked within the k best, dropped by the coverage rules
  (redundant with a chosen point, a section's share) or displaced by slot picks;
* ``shown``       — the sentence is a point but the point lacks a term (shortened, markers).

    python eval/summary/loss.py --facts eval/summary/dev_real_facts.tsv [--style bullets] [-v]
"""
from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "blind"))

from score import fact_score, ns, resolve  # noqa: E402

from gennai_desktop.documents import load_document  # noqa: E402
from gennai_desktop.tasks import docinfo, keypoints, meeting_turns, sentence_shape  # noqa: E402
from gennai_desktop.tasks.extractive import SentenceTable  # noqa: E402
from gennai_desktop.tasks.summarize import (  # noqa: E402
    REPORT_PARTS,
    _display,  # noqa: E402
    points_for,
)


def why_ineligible(table: SentenceTable, i: int) -> str:
    """The first filter of ``keypoints.candidates`` that drops sentence ``i`` ('' when none)."""
    s = table.sentences[i]
    doc = table.doc
    if i not in set(table.candidates(i, i + 1)):
        return "short/heading/bracketed"
    if len(s.text) > keypoints.MAX_CHARS:
        return "too long"
    if not table.quotable(i):
        return "not quotable"
    if not table.whole(i):
        b = doc.blocks[table.block_index(i)]
        if b.kind not in keypoints.BODY_KINDS:
            return f"kind {b.kind}"
        if not sentence_shape.ends_sentence(s.text):
            return "no sentence end"
        if sentence_shape.starts_mid_sentence(s.text):
            return "starts mid-sentence"
        return "block continues previous"
    text = sentence_shape.joined_lines(s.text)
    if sentence_shape.glued_heading(text):
        return "glued heading"
    if sentence_shape.item_of_announced_list(doc, table.block_index(i)):
        return "item of announced list"
    if "\n" in s.text and (sentence_shape.heading_line_first(s.text) or sentence_shape.interleaved(text)):
        return "header line / interleaved"
    garbled = sentence_shape.interleaved_blocks(doc) if doc.format in ("pdf", "image") else set()
    if table.block_index(i) in garbled:
        return "garbled block"
    _, minutes = meeting_turns.turns(doc)
    if minutes and meeting_turns.CEREMONY.search(text):
        return "ceremony"
    if sentence_shape.introduces_list(text):
        return "list intro without items"
    return "?"


def diagnose(name: str, rows: list[dict], style: str, length: str, verbose: bool) -> list[dict]:
    doc = load_document(resolve(name))
    table = SentenceTable(doc)
    k = points_for(style, length, len(doc.text))
    parts = None
    if style == "report":
        parts = dict(REPORT_PARTS[length])
        parts["overview"] += k - sum(parts.values())
    chosen = keypoints.pick(table, k, prefer_short=style == "three_lines", with_lists=style != "three_lines",
                            parts=parts)
    shown = {c.index: ns(_display(table, c.index) + "".join(sentence_shape.item_texts(doc, c.items)))
             for c in chosen}
    texts = list(shown.values()) if not any(c.item is not None for c in chosen) else \
        [ns(keypoints.item_display(c.item)) for c in chosen]
    info = docinfo.read(doc)                 # the 文書情報 line: its facts are stated too
    if info is not None:
        texts = texts + [ns(info.text)]
    cands = keypoints.candidates(table)
    ranked = sorted(cands.values(), key=lambda c: -c.score)
    rank_of = {c.index: r for r, c in enumerate(ranked, 1)}
    sent_ns = [ns(s.text) for s in table.sentences]
    out = []
    for row in rows:
        got = fact_score(row["terms"], texts)
        groups = [[ns(a) for a in g.split("|")] for g in row["terms"].split(";") if g.strip()]
        holders = [i for i, t in enumerate(sent_ns) if all(any(a in t for a in g) for g in groups)]
        holders.sort(key=lambda i: (i not in cands, rank_of.get(i, 10 ** 6)))
        detail = ""
        if got == 1:
            cause = "stated"
        elif not holders:
            cause = "no sentence"
        else:
            i = holders[0]
            if i in shown:
                cause = "shown"
            elif i not in cands:
                cause, detail = "ineligible", why_ineligible(table, i)
            elif rank_of[i] <= k:
                cause, detail = "coverage", f"rank {rank_of[i]}/{len(cands)}"
            else:
                cause, detail = "ranked", f"rank {rank_of[i]}/{len(cands)}"
        out.append({"doc": name, "fact": row["fact"], "got": got, "cause": cause, "detail": detail,
                    "k": k, "n": len(cands)})
        if verbose:
            sent = table.sentences[holders[0]].text.replace("\n", "")[:90] if holders else ""
            print(f"{name[:32]:32s} {row['fact']} {got:g} {cause:12s} {detail:22s} {sent}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", action="append", required=True)
    ap.add_argument("--style", default="bullets", choices=("bullets", "three_lines", "report"))
    ap.add_argument("--length", default="standard", choices=("short", "standard", "long"))
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    facts: dict[str, list[dict]] = defaultdict(list)
    for path in args.facts:
        if Path(path).resolve() == (HERE / "blind" / "facts.tsv").resolve():
            sys.exit("the frozen blind set is scored, never diagnosed")
        with open(path, encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                facts[row["doc"]].append(row)
    res = [r for name, rows in facts.items() for r in diagnose(name, rows, args.style, args.length, args.v)]
    causes = Counter(r["cause"] for r in res)
    got = sum(r["got"] for r in res)
    print(f"facts {len(res)}  stated {got:g}  ({got / max(1, len(facts)):.2f}/doc)")
    for cause, n in causes.most_common():
        partial = sum(1 for r in res if r["cause"] == cause and r["got"] == 0.5)
        print(f"  {cause:12s} {n:3d}" + (f"  (of which partial 0.5: {partial})" if cause != "stated" else ""))
    ranks = [r for r in res if r["cause"] == "ranked"]
    if ranks:
        print("  ranked: " + ", ".join(f"{r['detail'].split()[1]}(k={r['k']})" for r in ranks))
    inel = Counter(r["detail"] for r in res if r["cause"] == "ineligible")
    if inel:
        print("  ineligible: " + ", ".join(f"{d} {n}" for d, n in inel.most_common()))


if __name__ == "__main__":
    main()
