"""The tiny test model really loads in llama.cpp and round-trips Japanese and ASCII."""
from __future__ import annotations

import llama_cpp

from tests.support.tiny_gguf import make_tiny_gguf


def test_tiny_gguf_loads_tokenizes_and_generates(tmp_path):
    path = make_tiny_gguf(tmp_path / "m.gguf", seed=3)
    assert path.stat().st_size < 300_000
    llm = llama_cpp.Llama(str(path), n_ctx=128, n_threads=1, verbose=False)
    try:
        text = "公用文の校正 and proofreading 123"
        toks = llm.tokenize(text.encode("utf-8"), add_bos=False)
        assert llm.detokenize(toks).decode("utf-8") == text
        out = llm.create_completion("こんにちは", max_tokens=8, temperature=0.0)
        assert out["usage"]["completion_tokens"] > 0
    finally:
        llm.close()


def test_same_seed_same_bytes(tmp_path):
    a = make_tiny_gguf(tmp_path / "a.gguf", seed=7).read_bytes()
    b = make_tiny_gguf(tmp_path / "b.gguf", seed=7).read_bytes()
    c = make_tiny_gguf(tmp_path / "c.gguf", seed=8).read_bytes()
    assert a == b and a != c
