"""Question answering at folder scale: index build speed and query latency at 300 documents.

Run: ``python bench/bench_qa.py [--docs 300] [--corpus DIR] [--keep DIR]``. Generates a
folder of N documents in a temp dir by cutting and perturbing the shared corpus laws
(random contiguous sections, renamed lines, a unique heading each; a tenth of them are
the corpus .docx/.pdf copied as they are), then measures: first build (chars/s,
documents/s), a no-op update, an update after one file changed, a "restart" (a new
FolderIndex over the same store), and query latency over eval/qa/questions.tsv (p50,
p95, max). A script, not a test: numbers depend on the machine.
"""
from __future__ import annotations

import argparse
from dataclasses import replace
from functools import partial
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gennai_desktop.core.events import Done  # noqa: E402
from tests.support.events import run_to_result  # noqa: E402
from gennai_desktop.qa import answer as A  # noqa: E402
from gennai_desktop.qa.answer import ask  # noqa: E402
from gennai_desktop.qa.fusion import _Dense  # noqa: E402
from gennai_desktop.qa.search import DEFAULT, rank  # noqa: E402
from gennai_desktop.qa.index import FolderIndex  # noqa: E402
from gennai_desktop.qa.store import MemoryStore  # noqa: E402

VARIANTS = [("申込み", "申し込み"), ("行政機関", "国の行政機関"), ("使用者", "事業主"), ("労働者", "職員"),
            ("取消し", "取り消し"), ("手続", "手続き"), ("当該", "その")]


def generate(corpus: Path, out: Path, n: int, seed: int = 12) -> int:
    rng = random.Random(seed)
    texts = sorted(corpus.glob("*.txt"))
    binaries = sorted(list(corpus.glob("*.docx")) + list(corpus.glob("*.pdf")))
    total = 0
    for i in range(n):
        if i % 10 == 9 and binaries:
            src = binaries[(i // 10) % len(binaries)]
            dst = out / f"{i // 50:02d}" / f"doc{i:04d}{src.suffix}"
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dst)
            continue
        lines = texts[i % len(texts)].read_text(encoding="utf-8").splitlines()
        keep = max(20, int(len(lines) * rng.uniform(0.3, 1.0)))
        start = rng.randrange(0, max(1, len(lines) - keep))
        body = "\n".join(lines[start:start + keep])
        for a, b in rng.sample(VARIANTS, 2):
            body = body.replace(a, b)
        text = f"資料第{i}号\n{lines[1] if len(lines) > 1 else ''}（抜粋 {i}）\n\n{body}\n"
        dst = out / f"{i // 50:02d}" / f"doc{i:04d}.txt"
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(text, encoding="utf-8")
        total += len(text)
    return total


def questions() -> list[str]:
    rows = (REPO / "eval" / "qa" / "questions.tsv").read_text(encoding="utf-8").splitlines()
    return [r.split("\t")[1] for r in rows if r and not r.startswith(("#", "id\t"))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=300)
    ap.add_argument("--corpus", default=str(REPO.parent.parent / "shared" / "corpus" / "ja"))
    ap.add_argument("--keep", help="generate into this folder and keep it")
    args = ap.parse_args()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        corpus = Path("/work/shared/corpus/ja")
    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_qa_"))
    try:
        tmp.mkdir(parents=True, exist_ok=True)
        generate(corpus, tmp, args.docs)
        store = MemoryStore()
        ix = FolderIndex(tmp, store)
        t0 = time.perf_counter()
        rep = run_to_result(ix.update())
        build = time.perf_counter() - t0
        n_files = len(rep.added)
        print(f"documents: {n_files} indexed, {len(rep.skipped)} skipped; {rep.chars:,} characters; "
              f"{ix.n_passages:,} passages")
        print(f"first build: {build:.1f} s = {rep.chars / build:,.0f} chars/s, {n_files / build:.1f} documents/s")
        t0 = time.perf_counter()
        rep2 = run_to_result(ix.update())
        print(f"no-op update: {(time.perf_counter() - t0) * 1000:.0f} ms ({rep2.unchanged} unchanged)")
        victim = sorted(tmp.rglob("*.txt"))[3]
        victim.write_text(victim.read_text(encoding="utf-8") + "\n追加の一文である。\n", encoding="utf-8")
        t0 = time.perf_counter()
        rep3 = run_to_result(ix.update())
        print(f"update after one changed file: {(time.perf_counter() - t0) * 1000:.0f} ms ({len(rep3.changed)} re-read)")
        t0 = time.perf_counter()
        again = FolderIndex(tmp, store)
        print(f"restart (load {len(again.entries)} files from the store): {time.perf_counter() - t0:.2f} s; "
              f"store {sum(len(store.get(k) or b'') for k in store.keys()) / 1e6:.1f} MB compressed")
        t0 = time.perf_counter()
        ix.search("準備の問い", 5)
        print(f"first question of the process: "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms")
        lat = []
        # round 7: this ranking (the document-level title view) against round 6's (without it),
        # question by question in one run — only ratios inside one run compare on a shared machine
        without = "round 6 ranking (no title view, title_weight=0)"
        answers: dict[str, list[float]] = {without: [], "this ranking (default)": []}
        plain = partial(rank, options=replace(DEFAULT, title_weight=0.0))
        for q in questions():
            _Dense._cache.clear()          # a new question's passages are not encoded yet
            t0 = time.perf_counter()
            ix.search(q, 5)
            lat.append((time.perf_counter() - t0) * 1000)
        for q in questions():          # both rankings question by question: the same load on each
            for name, fn in ((without, plain), ("this ranking (default)", rank)):
                A.rank = fn
                _Dense._cache.clear()
                t0 = time.perf_counter()
                run_to_result(ask(tmp, q, None, index=ix))
                answers[name].append((time.perf_counter() - t0) * 1000)
        A.rank = rank
        lat.sort()
        p = lambda xs, f: xs[min(len(xs) - 1, int(f * len(xs)))]  # noqa: E731
        print(f"search latency over {len(lat)} questions: p50 {statistics.median(lat):.0f} ms, "
              f"p95 {p(lat, 0.95):.0f} ms, max {lat[-1]:.0f} ms")
        for name, xs in answers.items():
            xs.sort()
            print(f"ask (no-op update + search + extractive answer), {name}: p50 {statistics.median(xs):.0f} ms, "
                  f"p95 {p(xs, 0.95):.0f} ms")
        a, b = answers.values()
        print(f"ask p95 ratio this ranking / round 6: {p(b, 0.95) / p(a, 0.95):.2f}; "
              f"p50 ratio {statistics.median(b) / statistics.median(a):.2f}")
        print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
