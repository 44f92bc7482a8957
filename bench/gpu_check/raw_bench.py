"""Raw llama-cpp-python on one model: the baseline the runner is compared with.

No runner process, no pipe, no per-token Python beyond one C call to sample and one to
decode: a prompt of ``pp`` tokens in one ``llama_decode``, then ``tg`` greedy tokens one
``llama_decode`` each (llama-bench's pp/tg, with the same prompts as ``measure``); the same
with flash attention on (llama-cpp-python, and so the app, leaves it off); and N
sequences decoded together in one context (one token of each per ``llama_decode``).
The backends are registered before ``gennai_desktop.llm.engine`` is imported, with the runtime
configuration (CPU variant, GPU backend) the caller puts in the environment
(GENNAI_CPU_VARIANT, GENNAI_GPU_BACKEND) — the one the runner was given — so both sides run
the same libraries. Prints one JSON line.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from .measure import BATCH_PROMPT_LEN
from .prompts import batch_prompts, letters


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--pp", type=int, default=512)
    ap.add_argument("--tg", type=int, default=128)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--n-ctx", type=int, default=4096)
    ap.add_argument("--widths", type=lambda s: [int(x) for x in s.split(",") if x], default=[1, 4, 8, 16])
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args(argv)

    import os

    from gennai_desktop.core.cpu_budget import choose_threads
    from gennai_desktop.llm.cpu_variants import load_backends
    load_backends(os.environ.get("GENNAI_CPU_VARIANT") or None, os.environ.get("GENNAI_GPU_BACKEND") or None)
    from gennai_desktop.llm import engine as E   # finds the backends registered above
    ll = E.llama_cpp
    threads = choose_threads(args.threads)
    gpu = E.gpu_backend()
    E._clear_log()
    llm = ll.Llama(model_path=str(args.model), n_ctx=args.n_ctx, n_threads=threads, n_threads_batch=threads,
                   n_gpu_layers=-1 if gpu else 0, verbose=False, logits_all=False)
    offloaded = E._parse_offloaded(E._recent_log("offloaded"))
    ctx = llm._ctx.ctx
    vocab = llm._model.vocab
    add_bos = bool(ll.llama_vocab_get_add_bos(vocab))
    greedy = ll.llama_sampler_chain_init(ll.llama_sampler_chain_default_params())
    ll.llama_sampler_chain_add(greedy, ll.llama_sampler_init_greedy())
    batch = ll.llama_batch_init(max(args.pp, 512), 0, 1)

    def put(row: int, tok: int, pos: int, seq: int, logits: bool) -> None:
        batch.token[row] = tok
        batch.pos[row] = pos
        batch.n_seq_id[row] = 1
        batch.seq_id[row][0] = seq
        batch.logits[row] = 1 if logits else 0

    def decode(c, rows: int) -> None:
        batch.n_tokens = rows
        rc = ll.llama_decode(c, batch)
        if rc != 0:
            raise RuntimeError(f"llama_decode returned {rc}")

    def single(c) -> dict:
        """pp then tg on context ``c``: one warm-up, then ``reps`` timed runs."""
        runs = []
        for rep in range(args.reps + 1):
            ll.llama_memory_clear(ll.llama_get_memory(c), True)
            toks = llm.tokenize(letters(rep, args.pp - 1).encode(), add_bos=add_bos, special=True)
            t0 = time.perf_counter()
            for i in range(0, len(toks), int(llm.n_batch)):
                chunk = toks[i:i + int(llm.n_batch)]
                for j, tok in enumerate(chunk):
                    put(j, tok, i + j, 0, i + j == len(toks) - 1)
                decode(c, len(chunk))
            ll.llama_synchronize(c)
            pp_s = time.perf_counter() - t0
            pos = len(toks)
            stamps = []
            for _ in range(args.tg):
                tok = ll.llama_sampler_sample(greedy, c, -1)
                stamps.append(time.perf_counter())
                put(0, tok, pos, 0, True)
                pos += 1
                decode(c, 1)
            tg = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
            runs.append({"warmup": rep == 0, "n_prompt_tokens": len(toks), "prompt_seconds": round(pp_s, 4),
                         "pp_tps": round(len(toks) / pp_s, 1), "tg_tps": round(tg, 2)})
        timed = [r for r in runs if not r["warmup"]] or runs
        return {"runs": runs, "pp_tps": statistics.median(r["pp_tps"] for r in timed),
                "tg_tps": statistics.median(r["tg_tps"] for r in timed)}

    plain = single(ctx)
    # llama-cpp-python turns flash attention off unless asked (the app's engine does not ask);
    # llama.cpp's own default is "auto". The same model in a second context with it on shows
    # what that choice costs on this GPU.
    flash = None
    cp = type(llm.context_params).from_buffer_copy(llm.context_params)
    cp.flash_attn_type = ll.LLAMA_FLASH_ATTN_TYPE_ENABLED
    c_fa = ll.llama_init_from_model(llm._model.model, cp)
    if c_fa:
        flash = single(c_fa)
        ll.llama_free(c_fa)
    ll.llama_batch_free(batch)

    batched = []
    for n in args.widths:
        per_seq = BATCH_PROMPT_LEN + 1 + args.tg
        cp = type(llm.context_params).from_buffer_copy(llm.context_params)
        cp.n_ctx = -(-(n * per_seq) // 256) * 256
        cp.n_seq_max = n
        cp.kv_unified = True
        cp.n_batch = max(512, n * (BATCH_PROMPT_LEN + 1))
        cp.embeddings = False
        c2 = ll.llama_init_from_model(llm._model.model, cp)
        if not c2:
            batched.append({"n": n, "error": "llama_init_from_model failed"})
            continue
        batch = ll.llama_batch_init(int(cp.n_batch), 0, 1)
        chains = []
        for _ in range(n):
            ch = ll.llama_sampler_chain_init(ll.llama_sampler_chain_default_params())
            ll.llama_sampler_chain_add(ch, ll.llama_sampler_init_greedy())
            chains.append(ch)
        widths_runs = []
        for rep in range(2):
            ll.llama_memory_clear(ll.llama_get_memory(c2), True)
            prompts = [llm.tokenize(p.encode(), add_bos=add_bos, special=True)
                       for p in batch_prompts(n, BATCH_PROMPT_LEN, salt=10 * n + rep)]
            t0 = time.perf_counter()
            rows, last_row = 0, []
            for s, toks in enumerate(prompts):
                for j, tok in enumerate(toks):
                    put(rows, tok, j, s, j == len(toks) - 1)
                    rows += 1
                last_row.append(rows - 1)
            decode(c2, rows)
            ll.llama_synchronize(c2)
            t1 = time.perf_counter()
            pos = [len(t) for t in prompts]
            for step in range(args.tg):
                picked = [ll.llama_sampler_sample(chains[s], c2, last_row[s]) for s in range(n)]
                if step == args.tg - 1:
                    break
                for s, tok in enumerate(picked):
                    put(s, tok, pos[s], s, True)
                    pos[s] += 1
                    last_row[s] = s
                decode(c2, n)
            t2 = time.perf_counter()
            tokens = n * args.tg
            widths_runs.append({"cold": rep == 0, "n_tokens": tokens, "prompt_seconds": round(t1 - t0, 4),
                                "wall": round(t2 - t0, 4), "aggregate_tps": round(tokens / (t2 - t1), 1),
                                "e2e_tps": round(tokens / (t2 - t0), 1)})
        for ch in chains:
            ll.llama_sampler_free(ch)
        ll.llama_batch_free(batch)
        ll.llama_free(c2)
        batched.append({"n": n, "runs": widths_runs, "aggregate_tps": widths_runs[-1]["aggregate_tps"],
                        "e2e_tps": widths_runs[-1]["e2e_tps"]})
    ll.llama_sampler_free(greedy)
    out = {"backends": E.BACKENDS, "gpu_backend": gpu, "n_gpu_layers_offloaded": offloaded, "threads": threads,
           **plain, "flash_attn": flash, "batched": batched}
    llm.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
