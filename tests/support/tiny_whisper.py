"""A tiny random-weight Whisper model in CTranslate2 format (≈4 MB), for pack tests.

Built with CTranslate2's own model spec (1 encoder and 1 decoder layer, width 64) and the
real Whisper tokenizer/vocabulary taken from the bundled base model, so faster-whisper loads
and runs it offline; its output is noise, which is all a pack-route test needs."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np


def make_tiny_whisper(out: Path, base: Path, seed: int = 0) -> Path:
    import ctranslate2.specs as S
    d, ffn, mels, heads = 64, 128, 80, 2
    vocab = (base / "vocabulary.txt").read_text(encoding="utf-8").split("\n")
    if vocab and vocab[-1] == "":
        vocab.pop()
    rng = np.random.default_rng(seed)

    def r(*shape):
        return (rng.standard_normal(shape) * 0.05).astype(np.float32)

    def norm(x):
        x.gamma, x.beta = np.ones(d, np.float32), np.zeros(d, np.float32)

    def lin(x, n_out, n_in):
        x.weight, x.bias = r(n_out, n_in), np.zeros(n_out, np.float32)

    spec = S.WhisperSpec(1, heads, 1, heads)
    e, dec = spec.encoder, spec.decoder
    e.conv1.weight, e.conv1.bias = r(d, mels, 3), np.zeros(d, np.float32)
    e.conv2.weight, e.conv2.bias = r(d, d, 3), np.zeros(d, np.float32)
    e.position_encodings.encodings = r(1500, d)
    norm(e.layer_norm)
    for layer in e.layer:
        norm(layer.self_attention.layer_norm)
        lin(layer.self_attention.linear[0], 3 * d, d)
        lin(layer.self_attention.linear[1], d, d)
        norm(layer.ffn.layer_norm)
        lin(layer.ffn.linear_0, ffn, d)
        lin(layer.ffn.linear_1, d, ffn)
    dec.embeddings.weight = r(len(vocab), d)
    dec.position_encodings.encodings = r(448, d)
    norm(dec.layer_norm)
    dec.projection.weight = dec.embeddings.weight
    for layer in dec.layer:
        norm(layer.self_attention.layer_norm)
        lin(layer.self_attention.linear[0], 3 * d, d)
        lin(layer.self_attention.linear[1], d, d)
        norm(layer.attention.layer_norm)
        lin(layer.attention.linear[0], d, d)
        lin(layer.attention.linear[1], 2 * d, d)
        lin(layer.attention.linear[2], d, d)
        norm(layer.ffn.layer_norm)
        lin(layer.ffn.linear_0, ffn, d)
        lin(layer.ffn.linear_1, d, ffn)
    spec.register_vocabulary(vocab)
    for k, v in json.loads((base / "config.json").read_text(encoding="utf-8")).items():
        if hasattr(spec.config, k):
            setattr(spec.config, k, v)
    spec.config.alignment_heads = [[0, 0], [0, 1]]
    spec.validate()
    spec.optimize(quantization="int8")
    out.mkdir(parents=True, exist_ok=True)
    spec.save(str(out))
    shutil.copyfile(base / "tokenizer.json", out / "tokenizer.json")
    return out
