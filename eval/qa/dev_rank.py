"""Ranking, quote and abstention on every DEVELOPMENT set at once (not a test; prints tables).

    python eval/qa/dev_rank.py [--sets calib,dev_real,dev2,law,heldout] [--ask] [--only NAME ...]

Why: a ranking change must be judged on all development sets together, so one set's gain is
not another's loss (docs/qa.md, round 6). The real-document sets (calib, dev_real, dev2) are
asked against ../shared/corpus/real and scored like the frozen set (blind/score.py's
``passage_hit``); the law sets (questions.tsv, heldout.tsv) against ../shared/corpus/ja and
scored like eval/qa/score.py (file prefix + answer substring). The frozen set is never read
here. Each variant is a ``SearchOptions``; ``--ask`` also runs the extractive ``ask`` path
(answer in the quoted sentences, answered / unsure / not found).
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "eval" / "qa"))

from tests.support.events import run_to_result  # noqa: E402
from tests.support.scripts import load_script  # noqa: E402

CORPUS = Path("/work/shared/corpus")
R5_ANSWER_AT = 0.3294      # round 5's answer threshold (Youden J on calib alone)
REAL_SETS = {"calib": REPO / "eval/qa/calib/questions.tsv", "dev_real": REPO / "eval/qa/dev_real.tsv",
             "dev2": REPO / "eval/qa/dev2/questions.tsv"}
LAW_SETS = {"law": REPO / "eval/qa/questions.tsv", "heldout": REPO / "eval/qa/heldout.tsv"}


def corpus_dir(name: str) -> Path:
    local = REPO.parent / "shared" / "corpus" / name
    return local if local.is_dir() else CORPUS / name


def _index(folder: Path, FolderIndex, MemoryStore, options=None):
    ix = FolderIndex(folder, MemoryStore(), options)
    run_to_result(ix.update())
    return ix


def variants():
    from gennai_desktop.qa.search import DEFAULT
    r5 = replace(DEFAULT, fuse=frozenset(), title_weight=0.0)
    out = {"round 5 (BM25 + slot/caption/own-text re-rank)": r5}
    for views in (("window",), ("window_slot",), ("heading",), ("dense",), ("window", "heading"),
                  ("window", "dense"), ("window_slot", "dense"), ("heading", "dense"), ("window", "heading", "dense")):
        out["RRF + " + " + ".join(views)] = replace(r5, fuse=frozenset(views))
    for w in (0.5, 1.0, 2.0, 3.0, 4.0):       # round 7: the document-level view (titles)
        out[f"title view, weight {w}"] = replace(r5, title_weight=w)
    out = {k + ("  <- default" if v == DEFAULT else ""): v for k, v in out.items()}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="calib,dev_real,dev2,law,heldout")
    ap.add_argument("--ask", action="store_true")
    ap.add_argument("--only", nargs="*", help="substrings of the variant names to run")
    ap.add_argument("--depth", type=int, default=0, help="override fuse_depth")
    ap.add_argument("--weight", type=float, default=0.0, help="override fuse_weight")
    ap.add_argument("--index-title-weight", type=int, default=-1,
                    help="IndexOptions.title_weight (the title's terms in every passage; default: the product's)")
    ap.add_argument("--misses", action="store_true", help="name the hit@3 misses and their rank")
    ap.add_argument("--dense-chars", type=int, default=0, help="override fusion.DENSE_CHARS")
    args = ap.parse_args()
    import doccache
    doccache.install()
    blind = load_script(REPO / "eval" / "qa" / "blind" / "score.py", "qa_blind_score")
    law = load_script(REPO / "eval" / "qa" / "score.py", "qa_law_score")
    from gennai_desktop.qa import answer as A
    from gennai_desktop.qa.index import FolderIndex
    from gennai_desktop.qa.search import rank
    from gennai_desktop.qa.store import MemoryStore

    sets = [s for s in args.sets.split(",") if s]
    ixs = {}
    qsets: dict[str, list[dict]] = {}
    for s in sets:
        path = REAL_SETS.get(s) or LAW_SETS[s]
        if not path.exists():
            print(f"({s}: {path} not there yet)")
            continue
        real = s in REAL_SETS
        qsets[s] = blind.load_questions(path) if real else law.load_questions(path)
        key = "real" if real else "ja"
        if key not in ixs:
            t0 = time.perf_counter()
            opts = None
            if args.index_title_weight >= 0:
                from gennai_desktop.qa.index import IndexOptions
                opts = IndexOptions(title_weight=args.index_title_weight)
            ixs[key] = ix = _index(corpus_dir(key), FolderIndex, MemoryStore, opts)
            print(f"index {key}: {len(ix.entries)} files, {ix.n_passages} passages, {time.perf_counter() - t0:.0f} s")

    def hit(s: str, q: dict, file: str, sentences) -> bool:
        if s in REAL_SETS:
            return blind.passage_hit(q, file, sentences)
        return law.is_hit(q, file, "".join(t for t, _ in sentences))

    if args.dense_chars:
        from gennai_desktop.qa import fusion
        fusion.DENSE_CHARS = args.dense_chars
    vs = variants()
    if args.only:
        vs = {k: v for k, v in vs.items() if any(o in k for o in args.only)}
    header = "variant".ljust(52) + "".join(f"{s:>16}" for s in qsets) + f"{'all':>16}"
    print("\nhit@1 / hit@3 (answerable), per set\n" + header)
    for name, opt in vs.items():
        if args.depth:
            opt = replace(opt, fuse_depth=args.depth)
        if args.weight:
            opt = replace(opt, fuse_weight=args.weight)
        cells, t1, t3, n = [], 0, 0, 0
        misses: list[str] = []
        t0 = time.perf_counter()
        for s, qs in qsets.items():
            ix = ixs["real" if s in REAL_SETS else "ja"]
            a1 = a3 = 0
            ans = [q for q in qs if q["answerable"]]
            for q in ans:
                hs = rank(ix, q["question"], 15 if args.misses else 3, options=opt)
                h = [hit(s, q, x.file, [(t.text, t.page) for t in x.passage.sentences]) for x in hs]
                a1 += any(h[:1])
                a3 += any(h[:3])
                if args.misses and not any(h[:3]):
                    misses.append(f"{s}/{q['id']}:{h.index(True) + 1 if any(h) else '-'}")
            cells.append(f"{a1:>3}/{a3:>3} of {len(ans):<3}")
            t1, t3, n = t1 + a1, t3 + a3, n + len(ans)
        ms = (time.perf_counter() - t0) * 1000 / max(1, n)
        print(name.ljust(52) + "".join(f"{c:>16}" for c in cells) + f"{t1:>5}/{t3:>3} of {n:<3}  {ms:.0f} ms/q")
        if misses:
            print("    hit@3 misses (set/id:rank of the first right passage in the top 15): " + " ".join(misses))
    if args.ask:
        print("\nask (default options): answer in quote; answerable answered/unsure/not found; "
              "unanswerable answered/unsure/not found")
        for s, qs in qsets.items():
            ix = ixs["real" if s in REAL_SETS else "ja"]
            inq = moved = moved_u = 0
            oa = {"answered": 0, "unsure": 0, "not_found": 0}
            ou = dict(oa)
            for q in qs:
                res = run_to_result(A.ask(str(ix.root), q["question"], None, index=ix))
                (oa if q["answerable"] else ou)[res.status] += 1
                if res.status == "unsure" and res.best_coverage >= R5_ANSWER_AT:      # round 5 answered it
                    if q["answerable"]:
                        moved += 1
                    else:
                        moved_u += 1
                if q["answerable"] and res.status == "answered":
                    quote = "".join(t for t, _ in res.sentences)
                    inq += blind.norm(q["answer"]) in blind.norm(quote)
            na = sum(q["answerable"] for q in qs)
            print(f"  {s:10} in quote {inq}/{na}  ans {oa['answered']}/{oa['unsure']}/{oa['not_found']}  "
                  f"unans {ou['answered']}/{ou['unsure']}/{ou['not_found']}  "
                  f"answered → unsure by the new answer threshold (vs round 5's {R5_ANSWER_AT}): "
                  f"{moved} answerable, {moved_u} unanswerable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
