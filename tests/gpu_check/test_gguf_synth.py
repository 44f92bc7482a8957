"""bench/gpu_check/gguf_synth.py: random-weight GGUFs that pass the app's header check, load in
llama.cpp, tokenise ASCII one letter per token, never stop early, and have real Q4_K_M sizes."""
from __future__ import annotations

import json

import numpy as np
import pytest

from gpu_check import gguf_synth as G


def plan_bytes(shape: str, quant: str = "Q4_K_M") -> int:
    return sum(sh[0] * G.row_bytes(t, sh[1]) if t != "F32" else 4 * sh[0]
               for _n, sh, t in G.tensor_plan(G.SHAPES[shape], quant))


@pytest.mark.parametrize("shape,published_gb", [
    # sizes of the published Q4_K_M files of the models these shapes copy (Meta Llama 3.1 8B
    # Instruct: 4.92 GB, Llama 3.2 3B Instruct: 2.02 GB; each includes ≈ 8 MB of tokenizer data)
    ("8B", 4.92), ("3B", 2.02),
])
def test_q4_k_m_layout_gives_the_size_of_real_q4_k_m_files(shape, published_gb):
    assert abs(plan_bytes(shape) / 1e9 - published_gb) / published_gb < 0.01
    # the same shape all in Q4_K would be ≥ 5 % smaller: the Q6_K tensors are really there
    all_q4 = sum(sh[0] * G.row_bytes("Q4_K", sh[1]) if t != "F32" else 4 * sh[0]
                 for _n, sh, t in G.tensor_plan(G.SHAPES[shape], "Q4_K_M"))
    assert all_q4 < plan_bytes(shape) * 0.95


def test_q4_k_m_follows_llama_cpp_rules_for_which_tensors_get_q6_k():
    plan = {n: t for n, _s, t in G.tensor_plan(G.SHAPES["8B"], "Q4_K_M")}
    assert plan["output.weight"] == "Q6_K" and plan["token_embd.weight"] == "Q4_K"
    # 32 layers: the first and last four, then every third from layer 6 (llama-quant.cpp)
    more = [i for i in range(32) if plan[f"blk.{i}.attn_v.weight"] == "Q6_K"]
    assert more == [0, 1, 2, 3, 6, 9, 12, 15, 18, 21, 24, 27, 28, 29, 30, 31]
    assert [i for i in range(32) if plan[f"blk.{i}.ffn_down.weight"] == "Q6_K"] == more
    assert {plan[f"blk.5.{k}.weight"] for k in ("attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up")} == {"Q4_K"}
    tied = {n: t for n, _s, t in G.tensor_plan(G.SHAPES["3B"], "Q4_K_M")}
    assert "output.weight" not in tied and tied["token_embd.weight"] == "Q6_K"   # the output projection


def test_vocabulary_tokens_are_unique_at_128k():
    tokens, scores, types = G.vocab(128256)
    assert len(tokens) == len(set(tokens)) == len(scores) == len(types) == 128256
    assert tokens[G.EOS_ID] == "</s>" and tokens[3 + ord("a")] == "<0x61>"
    assert not any(ch.isascii() for t in tokens[3 + 256:] for ch in t)     # fillers never match ASCII text


@pytest.mark.parametrize("ggml_type", ["Q4_K", "Q6_K", "Q8_0", "F16"])
def test_random_blocks_dequantise_to_small_finite_zero_mean_weights(ggml_type):
    import gguf
    rng = np.random.default_rng(1)
    pool = G.block_pool(ggml_type, rng, 1 << 18)
    w = gguf.quants.dequantize(pool, gguf.GGMLQuantizationType[ggml_type]).astype(np.float64)
    assert np.isfinite(w).all()
    assert 0.5 * G.SIGMA < w.std() < 2.0 * G.SIGMA
    assert abs(w.mean()) < 0.1 * G.SIGMA


def test_written_file_passes_the_app_header_check_with_the_planned_tensors(tiny_models):
    from gennai_desktop.llm.gguf_check import check_gguf
    for name, path in tiny_models.items():
        info = check_gguf(path)
        plan = G.tensor_plan(G.SHAPES[name], "Q4_K_M")
        assert [(t.name, t.type_name) for t in info.tensors] == [(n, t) for n, _s, t in plan]
        assert info.quantisation == "Q4_K_M" and info.block_count == G.SHAPES[name].n_layer
        assert info.vocab_size == G.SHAPES[name].n_vocab
        facts = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert facts["file_bytes"] == path.stat().st_size and facts["n_params"] == info.n_parameters


def test_the_end_of_sequence_row_of_the_output_is_zero(tiny_models):
    import gguf
    for name, path in tiny_models.items():
        reader = gguf.GGUFReader(path)
        out = "token_embd.weight" if G.SHAPES[name].tied else "output.weight"
        t = next(t for t in reader.tensors if t.name == out)
        rows = gguf.quants.dequantize(np.asarray(t.data), t.tensor_type)
        assert not rows[G.EOS_ID].any()
        assert rows[G.EOS_ID + 1].any() and rows[-1].any()


def test_an_identical_earlier_file_is_reused_and_a_different_one_is_not(tiny_models):
    path = tiny_models["tiny"]
    assert G.existing(path, "tiny", "Q4_K_M", seed=0)["reused"] is True
    assert G.existing(path, "tiny", "Q4_K_M", seed=1) is None
    assert G.existing(path, "tiny", "Q8_0", seed=0) is None
    assert G.existing(path, "tiny-tied", "Q4_K_M", seed=0) is None


def test_other_quantisations_write_loadable_files(tmp_path):
    from gennai_desktop.llm.gguf_check import check_gguf
    for quant in ("Q8_0", "F16"):
        facts = G.write_model(tmp_path / f"tiny-{quant}.gguf", "tiny", quant)
        info = check_gguf(facts["path"])
        assert info.quantisation == quant
        assert {t.type_name for t in info.tensors} == {quant, "F32"}


def test_llama_cpp_loads_it_and_generates_every_token_asked_for(tiny_models):
    from gennai_desktop.llm.base import GenerationParams, ModelSpec
    from gennai_desktop.llm.engine import LlamaEngine
    from gpu_check.prompts import letters
    for name, path in tiny_models.items():
        eng = LlamaEngine(ModelSpec(id=name, path=path, name_ja=name, name_en=name), n_threads=1, n_ctx=512)
        try:
            assert eng.count_tokens(letters(3, 511)) == 511          # one byte token per letter
            assert len(eng._tokenize(letters(3, 511))) == 512        # + BOS: the pp512 prompt
            gen = eng.generate(letters(5, 40), GenerationParams(max_tokens=24, temperature=0.0, repeat_penalty=1.0,
                                                               detect_degenerate=False))
            text = "".join(gen)
            assert (gen.n_tokens, gen.stop_reason) == (24, "length")
            assert text
        finally:
            eng.close()
