"""Which of the top passages the quote comes from, on every DEVELOPMENT set (not a test).

    python eval/qa/dev_quote.py [--sets calib,dev_real,dev2,law,heldout]

Why (docs/qa.md, round 8): the quote comes from the first citation, so answer-in-quote follows
hit@1 of the citations. This runs ``ask`` with ``answer.QUOTE_LEAD`` off and on, question by
question in one process, and prints per set: hit@1 / hit@3 of the citations, answer in the
quote (answered questions only, as blind/score.py), and the statuses — the two rows must be
compared together. The frozen sets are never read here.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval" / "qa"))

from dev_rank import LAW_SETS, REAL_SETS, _index, corpus_dir  # noqa: E402
from tests.support.events import run_to_result  # noqa: E402
from tests.support.scripts import load_script  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="calib,dev_real,dev2,law,heldout")
    ap.add_argument("--changed", action="store_true", help="name the questions whose first citation changed")
    ap.add_argument("--near", type=float, default=0.0, help="override answer.COVERAGE_NEAR")
    args = ap.parse_args()
    import doccache
    doccache.install()
    blind = load_script(REPO / "eval" / "qa" / "blind" / "score.py", "qa_blind_score")
    law = load_script(REPO / "eval" / "qa" / "score.py", "qa_law_score")
    from gennai_desktop.qa import answer as A
    from gennai_desktop.qa.index import FolderIndex
    from gennai_desktop.qa.store import MemoryStore

    ixs: dict[str, object] = {}
    print("set        variant   hit@1  hit@3  in quote  ans a/u/nf  unans a/u/nf")
    totals: dict[bool, list[int]] = {False: [0, 0, 0, 0], True: [0, 0, 0, 0]}
    for s in [x for x in args.sets.split(",") if x]:
        real = s in REAL_SETS
        path = REAL_SETS.get(s) or LAW_SETS[s]
        qs = blind.load_questions(path) if real else law.load_questions(path)
        key = "real" if real else "ja"
        if key not in ixs:
            ixs[key] = _index(corpus_dir(key), FolderIndex, MemoryStore)
        ix = ixs[key]

        def hit(q, c) -> bool:
            if real:
                return blind.passage_hit(q, c.file, [(c.passage_text or c.text, c.page)])
            return law.is_hit(q, c.file, c.passage_text or c.text)

        firsts: dict[bool, dict[str, str]] = {}
        for on in (False, True):
            A.QUOTE_LEAD = on
            if args.near:
                A.COVERAGE_NEAR = args.near
            h1 = h3 = inq = 0
            oa = {"answered": 0, "unsure": 0, "not_found": 0}
            ou = dict(oa)
            firsts[on] = {}
            for q in qs:
                res = run_to_result(A.ask(str(ix.root), q["question"], None, index=ix))
                (oa if q["answerable"] else ou)[res.status] += 1
                if not q["answerable"]:
                    continue
                hs = [hit(q, c) for c in res.citations]
                h1 += any(hs[:1])
                h3 += any(hs[:3])
                firsts[on][q["id"]] = f"{res.citations[0].file}:{res.citations[0].text[:20]}" if res.citations else ""
                if res.status == "answered":
                    inq += blind.norm(q["answer"]) in blind.norm("".join(t for t, _ in res.sentences))
            na = sum(q["answerable"] for q in qs)
            for i, v in enumerate((h1, h3, inq, na)):
                totals[on][i] += v
            print(f"{s:10} {'on' if on else 'off':8} {h1:>3}/{na:<3} {h3:>3}/{na:<3} {inq:>3}/{na:<3}  "
                  f"{oa['answered']}/{oa['unsure']}/{oa['not_found']}  {ou['answered']}/{ou['unsure']}/{ou['not_found']}",
                  flush=True)
        if args.changed:
            moved = [i for i in firsts[True] if firsts[True][i] != firsts[False][i]]
            print(f"    first citation changed: {' '.join(moved) or 'none'}")
    for on in (False, True):
        h1, h3, inq, na = totals[on]
        print(f"{'all':10} {'on' if on else 'off':8} {h1:>3}/{na:<3} {h3:>3}/{na:<3} {inq:>3}/{na:<3}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
