"""Random-weight llama-architecture GGUFs of realistic shapes, written in seconds.

Why: speed on a GPU depends on tensor shapes and quantisation types, not on what the weights
say, and the GPU machine cannot download a real 8B model. Here the quantised blocks are
written directly — random bytes, with each block's scale fields set so that the dequantised
weights are finite, zero-mean and small (σ ≈ 0.02, like a freshly initialised model) —
because the ``gguf`` package can quantise to Q8_0 but not to the K-quants. The tensor types
follow llama.cpp's Q4_K_M recipe (llama-quant.cpp: Q6_K for ``output`` — or a tied
``token_embd`` — and for ``attn_v``/``ffn_down`` in the layers ``use_more_bits`` picks, Q4_K
elsewhere), so file size and bytes read per token match a real Q4_K_M file of that shape.

The vocabulary is SentencePiece-style: <unk>, <s>, </s>, the 256 byte tokens, then fillers
made of private-use characters. ASCII text therefore tokenises to exactly one byte token per
character — a prompt of 511 letters is 512 tokens with BOS — and the end-of-sequence row of
the output matrix is zero, so greedy decoding never stops early and every run generates the
tokens asked for.

    python -m gpu_check.gguf_synth --shape 8B --quant Q4_K_M --out DIR
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

GENERATOR_VERSION = 1
SIGMA = 0.02            # target standard deviation of the dequantised weights
EOS_ID = 2
N_SPECIAL = 3
N_BYTES = 256
PUA_FIRST, PUA_SIZE = 0xE000, 6400     # Unicode private-use area (BMP): filler token text


@dataclass(frozen=True)
class Shape:
    name: str
    n_vocab: int
    n_embd: int
    n_layer: int
    n_head: int
    n_head_kv: int
    n_ff: int
    tied: bool                  # output projection shares token_embd (no output.weight)
    context_length: int = 8192
    rope_freq_base: float = 500000.0

    @property
    def head_dim(self) -> int:
        return self.n_embd // self.n_head


SHAPES: dict[str, Shape] = {
    # ≈ 0.34B: a small llama (SmolLM / TinyLlama class), 32k vocabulary
    "0.3B": Shape("0.3B", 32000, 1024, 24, 16, 4, 2816, False),
    # ≈ 3.2B: Llama 3.2 3B (tied embeddings, 128k vocabulary)
    "3B": Shape("3B", 128256, 3072, 28, 24, 8, 8192, True),
    # ≈ 8.0B: Llama 3.1 8B
    "8B": Shape("8B", 128256, 4096, 32, 32, 8, 14336, False),
    # for the CPU dry run and tests: every code path, a few MB
    "tiny": Shape("tiny", 1024, 256, 4, 4, 2, 512, False, context_length=2048),
    "tiny-tied": Shape("tiny-tied", 2048, 256, 2, 4, 4, 768, True, context_length=2048),
}
QUANTS = ("Q4_K_M", "Q8_0", "F16")
FILE_TYPE = {"Q4_K_M": 15, "Q8_0": 7, "F16": 1}      # general.file_type (llama_ftype)


def use_more_bits(i_layer: int, n_layer: int) -> bool:
    """llama-quant.cpp: the layers whose attn_v / ffn_down get Q6_K in Q4_K_M."""
    return i_layer < n_layer // 8 or i_layer >= 7 * n_layer // 8 or (i_layer - n_layer // 8) % 3 == 2


def tensor_plan(shape: Shape, quant: str) -> list[tuple[str, tuple[int, ...], str]]:
    """(name, numpy shape = (rows, row length), ggml type) for every tensor, in file order."""
    if quant not in QUANTS:
        raise ValueError(f"quantisation {quant!r} not one of {QUANTS}")
    s = shape
    kv = s.n_head_kv * s.head_dim

    def w(kind: str, i: int | None = None) -> str:
        if quant != "Q4_K_M":
            return quant
        if kind in ("output", "token_embd_tied"):
            return "Q6_K"
        if kind in ("attn_v", "ffn_down") and i is not None and use_more_bits(i, s.n_layer):
            return "Q6_K"
        return "Q4_K"

    plan = [("token_embd.weight", (s.n_vocab, s.n_embd), w("token_embd_tied" if s.tied else "token_embd"))]
    for i in range(s.n_layer):
        b = f"blk.{i}."
        plan += [
            (b + "attn_norm.weight", (s.n_embd,), "F32"),
            (b + "attn_q.weight", (s.n_embd, s.n_embd), w("attn_q", i)),
            (b + "attn_k.weight", (kv, s.n_embd), w("attn_k", i)),
            (b + "attn_v.weight", (kv, s.n_embd), w("attn_v", i)),
            (b + "attn_output.weight", (s.n_embd, s.n_embd), w("attn_output", i)),
            (b + "ffn_norm.weight", (s.n_embd,), "F32"),
            (b + "ffn_gate.weight", (s.n_ff, s.n_embd), w("ffn_gate", i)),
            (b + "ffn_up.weight", (s.n_ff, s.n_embd), w("ffn_up", i)),
            (b + "ffn_down.weight", (s.n_embd, s.n_ff), w("ffn_down", i)),
        ]
    plan.append(("output_norm.weight", (s.n_embd,), "F32"))
    if not s.tied:
        plan.append(("output.weight", (s.n_vocab, s.n_embd), w("output")))
    return plan


# --- block pools: random blocks whose dequantised values are N(0, SIGMA)-like -----------------

BLOCK = {"Q4_K": (256, 144), "Q6_K": (256, 210), "Q8_0": (32, 34), "F16": (1, 2), "F32": (1, 4)}
POOL_BYTES = 1 << 22


def _f16(x: float) -> np.ndarray:
    return np.array([x], dtype=np.float16).view(np.uint8)


def block_pool(ggml_type: str, rng: np.random.Generator, n_bytes: int = POOL_BYTES) -> np.ndarray:
    """``n_bytes`` (rounded down to whole blocks) of random blocks of ``ggml_type``."""
    _per, size = BLOCK[ggml_type]
    n = max(1, n_bytes // size)
    if ggml_type == "F16":
        return (rng.standard_normal(n) * SIGMA).astype(np.float16).view(np.uint8)
    blocks = rng.integers(0, 256, size=(n, size), dtype=np.uint8)
    if ggml_type == "Q4_K":
        # w = d·sc·q − dmin·m with sc, m 6-bit and q 4-bit: dmin = 7.5·d centres it; σ ≈ 263·d
        d = SIGMA / 263.0
        blocks[:, 0:2] = _f16(d)
        blocks[:, 2:4] = _f16(7.5 * d)
    elif ggml_type == "Q6_K":
        # w = d·scale·(q − 32), q 6-bit; int8 scales kept in [-16, 16) so d stays a normal f16
        blocks[:, 192:208] = rng.integers(-16, 16, size=(n, 16), dtype=np.int8).view(np.uint8)
        d = SIGMA / (np.sqrt(np.mean(np.arange(-16, 16) ** 2)) * np.sqrt((64 ** 2 - 1) / 12))
        blocks[:, 208:210] = _f16(float(d))
    elif ggml_type == "Q8_0":
        d = SIGMA / np.sqrt(np.mean(np.arange(-128, 128) ** 2))
        blocks[:, 0:2] = _f16(float(d))
    else:
        raise ValueError(f"no random pool for {ggml_type}")
    return blocks.reshape(-1)


def row_bytes(ggml_type: str, n_cols: int) -> int:
    per, size = BLOCK[ggml_type]
    if n_cols % per:
        raise ValueError(f"row length {n_cols} is not a multiple of the {ggml_type} block ({per})")
    return n_cols // per * size


def tensor_bytes(np_shape: tuple[int, ...], ggml_type: str, pools: dict[str, np.ndarray],
                 rng: np.random.Generator, zero_row: int | None = None) -> np.ndarray:
    """The tensor's data as uint8 (rows × row bytes), cut from the type's pool at a random block."""
    rows, cols = np_shape
    rb = row_bytes(ggml_type, cols)
    pool = pools[ggml_type]
    size = BLOCK[ggml_type][1]
    start = int(rng.integers(0, len(pool) // size)) * size
    data = np.resize(np.roll(pool, -start), rows * rb).reshape(rows, rb)
    if zero_row is not None:
        data[zero_row] = 0      # every block type here dequantises all-zero bytes to 0.0
    return data


# --- the file ---------------------------------------------------------------------------------

def filler_token(i: int) -> str:
    """Unique text of filler token ``i``: one or two private-use characters."""
    hi, lo = divmod(i, PUA_SIZE)
    return (chr(PUA_FIRST + hi - 1) if hi else "") + chr(PUA_FIRST + lo)


def vocab(n_vocab: int) -> tuple[list[str], list[float], list[int]]:
    if n_vocab < N_SPECIAL + N_BYTES + 1:
        raise ValueError("vocabulary too small")
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(N_BYTES)]
    types = [2, 3, 3] + [6] * N_BYTES              # UNKNOWN, CONTROL, CONTROL, BYTE…
    n_fill = n_vocab - len(tokens)
    tokens += [filler_token(i) for i in range(n_fill)]
    types += [1] * n_fill                          # NORMAL
    scores = [0.0] * (N_SPECIAL + N_BYTES) + [-1.0 - i / n_fill for i in range(n_fill)]
    return tokens, scores, types


def write_model(path: str | Path, shape: Shape | str, quant: str = "Q4_K_M", seed: int = 0) -> dict:
    """Write the GGUF and a ``.json`` sidecar beside it; return the sidecar's facts."""
    import gguf

    shape = SHAPES[shape] if isinstance(shape, str) else shape
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    plan = tensor_plan(shape, quant)
    pools = {t: block_pool(t, rng) for t in sorted({t for _n, _s, t in plan if t != "F32"})}
    s = shape
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name(f"gennai-gpu-check-{s.name}-{quant}-random")
    w.add_description("random weights of a realistic shape, for speed measurements only")
    w.add_context_length(s.context_length)
    w.add_embedding_length(s.n_embd)
    w.add_block_count(s.n_layer)
    w.add_feed_forward_length(s.n_ff)
    w.add_head_count(s.n_head)
    w.add_head_count_kv(s.n_head_kv)
    w.add_rope_dimension_count(s.head_dim)
    w.add_rope_freq_base(s.rope_freq_base)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(s.n_vocab)
    w.add_file_type(FILE_TYPE[quant])
    w.add_quantization_version(gguf.GGML_QUANT_VERSION)
    tokens, scores, types = vocab(s.n_vocab)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(EOS_ID)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_add_space_prefix(False)
    out_name = "token_embd.weight" if s.tied else "output.weight"
    n_bytes = 0
    for name, np_shape, t in plan:
        if t == "F32":
            w.add_tensor_info(name, np_shape, np.dtype(np.float32), 4 * int(np.prod(np_shape)))
            n_bytes += 4 * int(np.prod(np_shape))
            continue
        nb = np_shape[0] * row_bytes(t, np_shape[1])
        w.add_tensor_info(name, (np_shape[0], row_bytes(t, np_shape[1])), np.dtype(np.uint8), nb,
                          raw_dtype=gguf.GGMLQuantizationType[t])
        n_bytes += nb
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    for name, np_shape, t in plan:
        if t == "F32":
            w.write_tensor_data(np.ones(np_shape, dtype=np.float32))    # RMS norm weights
        else:
            w.write_tensor_data(tensor_bytes(np_shape, t, pools, rng, EOS_ID if name == out_name else None))
    w.close()
    n_params = sum(int(np.prod(sh)) for _n, sh, _t in plan)
    facts = {"generator_version": GENERATOR_VERSION, "shape": asdict(s), "quant": quant, "seed": seed,
             "path": str(path), "file_bytes": path.stat().st_size, "tensor_bytes": n_bytes,
             "n_params": n_params, "seconds": round(time.perf_counter() - t0, 2)}
    path.with_suffix(".json").write_text(json.dumps(facts, indent=1) + "\n", encoding="utf-8")
    return facts


def existing(path: str | Path, shape: Shape | str, quant: str, seed: int = 0) -> dict | None:
    """The sidecar of an earlier identical write (a rerun on a warm machine skips it)."""
    shape = SHAPES[shape] if isinstance(shape, str) else shape
    path = Path(path)
    try:
        facts = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = (facts.get("generator_version") == GENERATOR_VERSION and facts.get("shape") == asdict(shape)
            and facts.get("quant") == quant and facts.get("seed") == seed)
    if same and path.is_file() and path.stat().st_size == facts.get("file_bytes"):
        return {**facts, "seconds": 0.0, "reused": True}
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="write random-weight llama GGUFs of realistic shapes")
    ap.add_argument("--shape", action="append", choices=sorted(SHAPES), required=True)
    ap.add_argument("--quant", default="Q4_K_M", choices=QUANTS)
    ap.add_argument("--out", type=Path, required=True, help="folder for <shape>-<quant>.gguf")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    for name in args.shape:
        path = args.out / f"{name}-{args.quant}.gguf"
        facts = existing(path, name, args.quant, args.seed) or write_model(path, name, args.quant, args.seed)
        print(json.dumps(facts), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
