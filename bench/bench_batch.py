"""Benchmark for batched generation (issue 16): aggregate decode speed and a 50-page summary.

Not a test: it prints ratios measured on this machine, one line per figure.

Part 1: N = 1, 2, 4, 8 prompts on the bundled Gemma 3 270M, greedy (temperature 0, the
model's repeat penalty), each forced to generate ``--tokens`` tokens (no stop strings, no
degenerate cut) from 要約 map prompts on short distinct excerpts (so they share the
instruction + example prefix, as real map prompts do). Sequential = ``engine.generate`` one
after another (prompt-prefix cache on, as the app runs); batched = ``engine.generate_batch``
with batch_size N. Aggregate decode tokens/s = generated tokens ÷ decode time (time spent evaluating prompts
left out on both sides: the sequential path reuses the previous prompt's KV cache, so its
prompt cost is near zero here), best of ``--repeats`` alternating runs; the ratio with
prompt evaluation included is printed too. Also: how many batched outputs are identical to
the sequential ones (greedy agreement; near-ties may differ between batch shapes).

Part 2: 要約 (bullets) of the first 50 pages of the longest PDF in the corpus, before
(every chunk one at a time, through ``llm.batch``'s sequential fallback) and after (batched).
The base model's map phase is forced (base_model_passes): the model path is what is measured.

Busy machine (issue 23): ``--busy N`` runs part 2 again while N CPU-bound competitors (started
here, as bench_threads.py does) run beside it, and prints both figures. ``--threads 0`` and
``--wait-policy`` give the app's own choice (core.cpu_budget); the policy is set before
llama.cpp loads.

    python bench/bench_batch.py [--threads 0] [--wait-policy passive] [--tokens 64] [--pages 50]
                                [--n-ctx 4096] [--skip-summary] [--busy 2] [--batched-only]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
CORPUS = Path(os.environ.get("GENNAI_CORPUS", REPO.parent / "shared" / "corpus")) / "ja"


def bundled_engine(threads: int, n_ctx: int):
    from gennai_desktop.llm.bundled import bundled_model_spec, ensure_bundled_model
    from gennai_desktop.llm.engine import LlamaEngine
    spec = replace(bundled_model_spec(), path=ensure_bundled_model())
    eng = LlamaEngine(spec, n_threads=threads, n_ctx=n_ctx)
    eng.load()
    return eng


def excerpts(n: int) -> list[str]:
    text = (CORPUS / "law_kojin-joho-hogo_415AC0000000057.txt").read_text(encoding="utf-8")
    sentences = [s.strip() + "。" for s in text.split("。") if 40 <= len(s.strip()) <= 160]
    step = max(1, len(sentences) // (n + 1))
    return [sentences[i * step] for i in range(n)]


def decode_benchmark(eng, tokens: int, repeats: int) -> None:
    from gennai_desktop.llm.base import GenerationParams
    from gennai_desktop.tasks import prompting
    g = eng.spec.generation
    params = GenerationParams(max_tokens=tokens, temperature=0.0, top_k=g.top_k, top_p=g.top_p,
                              repeat_penalty=g.repeat_penalty, stop=(), detect_degenerate=False)
    texts = excerpts(15)
    prompts_all = [prompting.build("summarize", "map", eng, text=t).text for t in texts]
    list(eng.generate(prompts_all[0], replace(params, max_tokens=4)))      # warm-up
    list(eng.generate_batch(prompts_all[:2], replace(params, max_tokens=4), batch_size=2))
    agree = total = 0
    kept = 0.0
    at = 0
    for n in (1, 2, 4, 8):
        prompts = prompts_all[at:at + n]
        at = (at + n) % 8
        best_seq = best_bat = (float("inf"), float("inf"))
        for _ in range(repeats):        # alternate, keep the best: other load on the machine only slows
            w0 = time.perf_counter()
            seq, dec = [], 0.0
            for p in prompts:
                gen = eng.generate(p, params)
                list(gen)
                seq.append((gen.text, gen.n_tokens))
                dec += gen.seconds - gen.prompt_seconds
            best_seq = min(best_seq, (dec, time.perf_counter() - w0))
            w0 = time.perf_counter()
            run = eng.generate_batch(prompts, params, batch_size=n)
            list(run)
            best_bat = min(best_bat, (run.seconds - run.prompt_seconds, time.perf_counter() - w0))
        n_seq = sum(t for _, t in seq)
        n_bat = sum(r.n_tokens for r in run.results)
        same = sum(r.text == s[0] for r, s in zip(run.results, seq))
        kept += sum(_common(r.text, s[0]) / max(1, len(s[0])) for r, s in zip(run.results, seq))
        agree += same
        total += n
        dec_ratio = (n_bat / best_bat[0]) / (n_seq / best_seq[0])
        wall_ratio = (n_bat / best_bat[1]) / (n_seq / best_seq[1])
        print(f"decode N={n}: sequential {n_seq / best_seq[0]:.1f} tok/s, batched {n_bat / best_bat[0]:.1f} tok/s, "
              f"batched/sequential {dec_ratio:.2f}x decode-only, {wall_ratio:.2f}x with prompt evaluation "
              f"(shared prefix {run.shared_prefix} tokens, greedy identical {same}/{n})", flush=True)
    print(f"greedy agreement, bundled model: {agree}/{total} sequences identical "
          f"({100 * agree / total:.0f}%); on average {100 * kept / total:.0f}% of each sequential "
          f"output is reproduced before the first difference", flush=True)


def _common(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


class SequentialOnly:
    """The engine without generate_batch: llm.batch falls back to one prompt at a time."""

    def __init__(self, eng) -> None:
        self._eng = eng
        self.spec = eng.spec

    def __getattr__(self, name):
        if name == "generate_batch":
            raise AttributeError(name)
        return getattr(self._eng, name)


def summary_benchmark(eng, pages: int, batched_only: bool = False, label: str = "") -> float:
    from gennai_desktop.core.document import Document
    from gennai_desktop.core.events import Done, Progress
    from gennai_desktop.documents import load_document
    from gennai_desktop.tasks.summarize import summarize
    pdf = max(CORPUS.glob("*.pdf"), key=lambda p: p.stat().st_size)
    full = load_document(pdf)
    blocks = [b for b in full.blocks if b.page is None or b.page <= pages]
    doc = Document.from_blocks(blocks, path=full.path, fmt=full.format, title=full.title, page_count=pages)
    print(f"summary input: {pdf.name}, first {pages} pages, {len(doc.text):,} characters, "
          f"{eng.count_tokens(doc.text):,} tokens, n_ctx {eng.n_ctx()}", flush=True)

    def run(engine):
        c0 = time.process_time()
        t0 = time.perf_counter()
        chunks, result = 0, None
        for ev in summarize(doc, engine, style="bullets", base_model_passes=True):  # the model path, measured even on the base model
            if isinstance(ev, Progress) and ev.stage == "summary.stage.map":
                chunks = ev.total
            elif isinstance(ev, Done):
                result = ev.result
        return time.perf_counter() - t0, chunks, result, time.process_time() - c0

    if batched_only:
        t_after, chunks, r_after, c_after = run(eng)
        print(f"summary {pages} pages{label} ({chunks} chunks, batched): {t_after:.1f} s wall, "
              f"{c_after:.1f} s CPU (method {r_after.method})", flush=True)
        return t_after
    t_before, chunks, r_before, c_before = run(SequentialOnly(eng))
    print(f"  before (one chunk at a time): {t_before:.1f} s wall, {c_before:.1f} s CPU", flush=True)
    t_after, _, r_after, c_after = run(eng)
    print(f"  after (batched): {t_after:.1f} s wall, {c_after:.1f} s CPU", flush=True)
    same = [p.text for p in r_before.points] == [p.text for p in r_after.points]
    print(f"summary {pages} pages{label} ({chunks} chunks): before {t_before:.1f} s, after {t_after:.1f} s, "
          f"before/after {t_before / t_after:.2f}x wall, {c_before / c_after:.2f}x CPU (method {r_before.method}/{r_after.method}, "
          f"same points: {same})", flush=True)
    return t_after


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=0, help="0: the app's default (core.cpu_budget)")
    ap.add_argument("--wait-policy", choices=("passive", "active", "system"), default="passive")
    ap.add_argument("--busy", type=int, default=0, help="also run the summary with N competing processes")
    ap.add_argument("--batched-only", action="store_true", help="summary: time the batched path only")
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--pages", type=int, default=50)
    ap.add_argument("--n-ctx", type=int, default=4096)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--skip-summary", action="store_true")
    ap.add_argument("--skip-decode", action="store_true")
    args = ap.parse_args()
    from gennai_desktop.core import cpu_budget
    cpu_budget.apply_openmp_environment(args.wait_policy)      # before llama.cpp loads
    threads = cpu_budget.choose_threads(args.threads)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, "
          f"{threads} threads, wait policy {args.wait_policy}", flush=True)
    eng = bundled_engine(threads, args.n_ctx)
    if not args.skip_decode:
        decode_benchmark(eng, args.tokens, args.repeats)
    if not args.skip_summary:
        quiet = summary_benchmark(eng, args.pages, args.batched_only)
        if args.busy:
            from bench.bench_threads import start_competitors, stop
            rivals = start_competitors(args.busy)
            try:
                busy = summary_benchmark(eng, args.pages, args.batched_only,
                                         f" with {args.busy} competing processes")
            finally:
                stop(rivals)
            print(f"busy machine: the summary took {busy / quiet:.2f}x as long with {args.busy} competitors "
                  f"({quiet:.1f} s → {busy:.1f} s)", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}", flush=True)
    eng.close()


if __name__ == "__main__":
    main()
