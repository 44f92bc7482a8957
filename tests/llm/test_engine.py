"""LlamaEngine on the tiny random-weight GGUF: loading, streaming, cancel, grammar, safety."""
from __future__ import annotations

import json
import threading
import time

import pytest

from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.core.errors import ModelError, SecurityError
from gennai_desktop.llm.base import GenerationParams, Message, ModelSpec
from gennai_desktop.llm.engine import LlamaEngine
from gennai_desktop.llm.gguf_check import file_sha256
from tests.support.tiny_gguf import corrupt_tensor_offset, make_tiny_gguf


def spec_for(path, **kw) -> ModelSpec:
    return ModelSpec(id="tiny", path=path, name_ja="テスト", name_en="tiny", **kw)


@pytest.fixture(scope="module")
def engine(tiny_gguf):
    eng = LlamaEngine(spec_for(tiny_gguf), n_threads=1, n_ctx=256)
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def long_engine(tmp_path_factory):
    path = make_tiny_gguf(tmp_path_factory.mktemp("long") / "long.gguf", context_length=8192, seed=5)
    eng = LlamaEngine(spec_for(path), n_threads=1, n_ctx=8192)
    yield eng
    eng.close()


def forced(text: str, **kw) -> GenerationParams:
    """Params whose grammar forces exactly ``text`` (then end of generation)."""
    lit = json.dumps(text, ensure_ascii=False)
    return GenerationParams(grammar=f"root ::= {lit}", temperature=0.0, max_tokens=200, **kw)


def test_lazy_load_and_basic_facts(tiny_gguf):
    eng = LlamaEngine(spec_for(tiny_gguf), n_threads=1, n_ctx=128)
    assert not eng.loaded
    info = eng.backend_info()  # header only, no load
    assert not eng.loaded
    assert (info.backend, info.n_gpu_layers, info.n_layers) == ("CPU", 0, 2)
    assert 128 <= eng.n_ctx() <= 256 and eng.loaded  # llama.cpp pads n_ctx to a multiple of 256
    assert eng.load_seconds is not None
    eng.close()
    assert not eng.loaded
    assert eng.count_tokens("公用文") > 0 and eng.loaded  # reloads on demand
    eng.close()


def test_count_tokens_uses_model_tokenizer(engine):
    # 9 UTF-8 bytes, no multi-byte pieces in the tiny vocabulary except の/です/。
    assert engine.count_tokens("公用文") == 9
    assert engine.count_tokens("です。") == 2
    assert engine.count_tokens("") == 0


def test_n_ctx_is_capped_by_training_context(tiny_gguf):
    eng = LlamaEngine(spec_for(tiny_gguf), n_threads=1, n_ctx=100_000)
    assert eng.n_ctx() == 256
    eng.close()


def test_stream_pieces_join_to_text_and_stats(engine):
    gen = engine.generate("こんにちは", GenerationParams(max_tokens=20, temperature=0.8, detect_degenerate=False))
    pieces = list(gen)
    assert "".join(pieces) == gen.text
    assert gen.stop_reason in ("length", "eos")
    assert 0 < gen.n_tokens <= 20
    assert gen.seconds > 0 and gen.n_prompt_tokens > 0
    with pytest.raises(RuntimeError):
        list(gen)


def test_multibyte_characters_split_across_tokens_stream_intact(engine):
    text = "公用文の校正です。漢字とかな、English too."
    gen = engine.generate("x", forced(text))
    pieces = list(gen)
    assert gen.text == text
    assert gen.stop_reason == "eos"
    assert not any("\ufffd" in p for p in pieces)
    assert gen.n_tokens > len(pieces) - 1  # 公 alone is three byte tokens but one piece


def test_stop_string_is_cut_and_never_streamed(engine):
    gen = engine.generate("x", forced("前文です。###後ろ", stop=("###",)))
    pieces = list(gen)
    assert gen.text == "前文です。"
    assert "#" not in "".join(pieces)
    assert gen.stop_reason == "stop"


def test_same_prompt_twice_reuses_cache_and_is_deterministic(engine):
    p = GenerationParams(max_tokens=15, temperature=0.0, detect_degenerate=False)
    a = engine.generate("公用文の書き方", p)
    list(a)
    b = engine.generate("公用文の書き方", p)
    list(b)
    c = engine.generate("公用文の書き方について", p)  # shares a prefix
    list(c)
    d = engine.generate("公用文の書き方", p)
    list(d)
    assert a.text == b.text == d.text


def test_json_schema_constrains_output(engine):
    schema = {"type": "object", "properties": {"title": {"type": "string"}, "score": {"type": "integer"}},
              "required": ["title", "score"]}
    gen = engine.generate("JSON:", GenerationParams(json_schema=schema, max_tokens=120, temperature=0.7,
                                                    detect_degenerate=False))
    # strict=False: the random tiny model may put control characters inside JSON strings
    data = json.loads("".join(gen), strict=False)
    assert set(data) == {"title", "score"} and isinstance(data["score"], int)


def test_gbnf_grammar_constrains_output(engine):
    gen = engine.generate("答え:", GenerationParams(grammar='root ::= ("はい" | "いいえ") "。"', max_tokens=20,
                                                   temperature=1.0))
    assert "".join(gen) in ("はい。", "いいえ。")


def test_bad_grammar_is_a_model_error(engine):
    with pytest.raises(ModelError) as exc:
        list(engine.generate("x", GenerationParams(grammar="root ::= (((", max_tokens=5)))
    assert exc.value.key == "llm.model.bad_grammar"


def test_degenerate_loop_stops_early(engine):
    params = GenerationParams(grammar='root ::= "学習モデルとして、" root', max_tokens=240, temperature=0.0)
    gen = engine.generate("x", params)
    list(gen)
    assert gen.stop_reason == "degenerate_repetition"
    assert gen.n_tokens < 200
    off = engine.generate("x", GenerationParams(grammar=params.grammar, max_tokens=240, temperature=0.0,
                                                detect_degenerate=False))
    list(off)
    assert off.stop_reason == "length" and off.n_tokens == 240


def test_wrong_language_and_empty(engine):
    en = "The applicant shall submit the form to the office before the deadline and keep a copy of it."
    gen = engine.generate("x", forced(en, expect_language="ja"))
    list(gen)
    assert gen.stop_reason == "degenerate_language"
    gen = engine.generate("x", forced("。\n", expect_language="ja"))
    list(gen)
    assert gen.stop_reason == "empty"


def test_cancel_between_tokens(long_engine):
    token = CancelToken()
    gen = long_engine.generate("こんにちは", GenerationParams(max_tokens=5000, temperature=1.0,
                                                             detect_degenerate=False), token)
    seen = 0
    with pytest.raises(Cancelled):
        for _ in gen:
            seen += 1
            if seen == 3:
                token.cancel()
    assert gen.stop_reason == "cancelled"
    assert seen == 3


def test_cancel_from_another_thread_stops_within_a_second(long_engine):
    token = CancelToken()
    gen = long_engine.generate("こんにちは", GenerationParams(max_tokens=8000, temperature=1.0,
                                                             detect_degenerate=False), token)
    cancelled_at: list[float] = []

    def later():
        time.sleep(0.05)
        cancelled_at.append(time.perf_counter())
        token.cancel()

    threading.Thread(target=later).start()
    with pytest.raises(Cancelled):
        for _ in gen:
            pass
    assert time.perf_counter() - cancelled_at[0] < 1.0
    # the engine is usable afterwards
    after = long_engine.generate("次", GenerationParams(max_tokens=3, detect_degenerate=False))
    assert list(after) is not None and after.stop_reason in ("length", "eos")


def test_precancelled_token_stops_before_decoding(long_engine):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        list(long_engine.generate("長い文書" * 500, GenerationParams(max_tokens=5), token))


def test_prompt_longer_than_context(engine):
    with pytest.raises(ModelError) as exc:
        list(engine.generate("公" * 400, GenerationParams(max_tokens=5)))
    assert exc.value.key == "llm.model.context_too_long"


def test_malformed_file_never_reaches_llama(tiny_gguf, tmp_path):
    bad = corrupt_tensor_offset(tiny_gguf, tmp_path / "bad.gguf")
    eng = LlamaEngine(spec_for(bad), n_threads=1)
    with pytest.raises(SecurityError):
        eng.load()
    assert not eng.loaded
    with pytest.raises(SecurityError):
        eng.count_tokens("x")


def test_sha256_pin_is_enforced(tiny_gguf):
    good = LlamaEngine(spec_for(tiny_gguf, sha256=file_sha256(tiny_gguf)), n_threads=1, n_ctx=64)
    assert good.count_tokens("です") == 1 and good.loaded
    good.close()
    bad = LlamaEngine(spec_for(tiny_gguf, sha256="0" * 64), n_threads=1)
    with pytest.raises(SecurityError) as exc:
        bad.load()
    assert exc.value.key == "llm.model.hash_mismatch" and not bad.loaded


def test_missing_model_file(tmp_path):
    with pytest.raises(ModelError) as exc:
        LlamaEngine(spec_for(tmp_path / "none.gguf")).load()
    assert exc.value.key == "llm.model.not_found"


def test_render_chat_uses_reviewed_format_never_the_gguf_template(tmp_path):
    marker = tmp_path / "pwned"
    payload = ("{% for x in ().__class__.__base__.__subclasses__() %}{% if 'warning' in x.__name__ %}"
               "{{ x()._module.__builtins__['__import__']('os').system('touch " + str(marker) + "') }}"
               "{% endif %}{% endfor %}")
    path = make_tiny_gguf(tmp_path / "evil.gguf", chat_template=payload)
    eng = LlamaEngine(spec_for(path, chat_format="chatml"), n_threads=1, n_ctx=128)
    prompt = eng.render_chat([Message("user", "こんにちは")])
    assert prompt == "<|im_start|>user\nこんにちは<|im_end|>\n<|im_start|>assistant\n"
    list(eng.generate(prompt, GenerationParams(max_tokens=3, detect_degenerate=False)))
    eng.close()
    assert not marker.exists()
    # a spec without any reviewed or pinned format cannot render chat at all
    with pytest.raises(ModelError):
        LlamaEngine(spec_for(path)).render_chat([Message("user", "x")])
    # a pack-pinned template with a wrong hash is refused
    with pytest.raises(SecurityError):
        LlamaEngine(spec_for(path, chat_template="{{ messages[0].content }}",
                             chat_template_sha256="0" * 64)).render_chat([Message("user", "x")])


def test_llama_load_failure_is_a_clear_model_error(tmp_path):
    path = make_tiny_gguf(tmp_path / "incomplete.gguf", omit_tensors=("blk.1.ffn_down.weight",))
    eng = LlamaEngine(spec_for(path), n_threads=1, n_ctx=128)
    eng.gguf_info  # the header itself is fine
    with pytest.raises(ModelError) as exc:
        eng.load()
    assert exc.value.key == "llm.model.load_failed"
    assert "ffn_down" in exc.value.params["reason"]  # llama.cpp's own reason is kept for support
    assert "テスト" in exc.value.message("ja")
    assert not eng.loaded


def test_pinned_pack_template_gets_special_token_texts(tiny_gguf):
    import hashlib
    tpl = "{{ bos_token }}{% for m in messages %}<{{ m.role }}>{{ m.content }}{{ eos_token }}{% endfor %}"
    eng = LlamaEngine(spec_for(tiny_gguf, chat_template=tpl,
                               chat_template_sha256=hashlib.sha256(tpl.encode()).hexdigest()),
                      n_threads=1, n_ctx=128)
    # the tokenizer adds BOS itself, so the template's bos_token is empty; EOS is the model's
    assert eng.render_chat([Message("user", "です")]) == "<user>です</s>"
    eng.close()


def test_llama_cpp_logging_is_silent_unless_debug(tiny_gguf):
    import os
    import subprocess
    import sys
    code = ("from pathlib import Path\n"
            "from gennai_desktop.llm.engine import LlamaEngine\n"
            "from gennai_desktop.llm.base import ModelSpec, GenerationParams\n"
            f"e = LlamaEngine(ModelSpec(id='t', path=Path({str(tiny_gguf)!r}), name_ja='t', name_en='t'), n_threads=1)\n"
            "list(e.generate('x', GenerationParams(max_tokens=3, detect_degenerate=False)))\n"
            "e.close()\n")
    env = {k: v for k, v in os.environ.items() if k != "GENNAI_DEBUG"}
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == "" and quiet.stdout == ""
    loud = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**env, "GENNAI_DEBUG": "1"})
    assert loud.returncode == 0 and "llama" in loud.stderr


def test_empty_prompt_still_generates(engine):
    gen = engine.generate("", GenerationParams(max_tokens=4, detect_degenerate=False))
    list(gen)
    assert gen.n_prompt_tokens == 1 and gen.n_tokens > 0
