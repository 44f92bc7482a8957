"""Batched generation: N prompts in one llama.cpp batch, equal to one-at-a-time when greedy."""
from __future__ import annotations

import json

import pytest

from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.core.errors import ModelError
from gennai_desktop.llm import engine as engine_mod
from gennai_desktop.llm.base import GenerationParams, ModelSpec
from gennai_desktop.llm.batch import SequentialBatch, finished, generate_batch
from gennai_desktop.llm.engine import LlamaEngine
from gennai_desktop.llm.runner import RunnerEngine
from tests.support.fake_engine import FakeEngine

SHARED = "共通の指示です。次の文書を読みなさい。文書: "
PROMPTS = [SHARED + x for x in ["の は を", "a b c d", "です ます", "the of and", "12 34", "x", "。、", "true"]]


def spec_for(path) -> ModelSpec:
    return ModelSpec(id="tiny", path=path, name_ja="テスト", name_en="tiny")


def greedy(n: int = 24, **kw) -> GenerationParams:
    return GenerationParams(max_tokens=n, temperature=0.0, detect_degenerate=False, **kw)


def forced(text: str, **kw) -> GenerationParams:
    lit = json.dumps(text, ensure_ascii=False)
    return GenerationParams(grammar=f"root ::= {lit}", temperature=0.0, max_tokens=200, **kw)


@pytest.fixture(scope="module")
def engine(tiny_gguf):
    eng = LlamaEngine(spec_for(tiny_gguf), n_threads=1, n_ctx=256)
    yield eng
    eng.close()


def sequential(engine, prompts, params):
    out = []
    for p, q in zip(prompts, params if isinstance(params, list) else [params] * len(prompts)):
        g = engine.generate(p, q)
        list(g)
        out.append((g.text, g.stop_reason, g.n_tokens))
    return out


def batched(run):
    texts: dict[int, str] = {}
    ended = []
    for k, piece in run:
        if piece is None:
            ended.append(k)
        else:
            assert k not in ended, "a piece after its sequence ended"
            texts[k] = texts.get(k, "") + piece
    assert sorted(ended) == list(range(len(run.results)))
    for r in run.results:
        assert texts.get(r.index, "") == r.text     # the streamed pieces are the result
    return [(r.text, r.stop_reason, r.n_tokens) for r in run.results]


@pytest.mark.parametrize("unified", [True, False])
@pytest.mark.parametrize("n", [2, 3, 8])
def test_greedy_batch_equals_sequential_and_shares_the_prefix(engine, n, unified, monkeypatch):
    monkeypatch.setattr(engine_mod, "UNIFIED_MAX_CELLS", 10 ** 9 if unified else 0)
    params = [greedy(24 + 3 * i) for i in range(len(PROMPTS))]     # per-prompt max_tokens
    expected = sequential(engine, PROMPTS, params)
    run = engine.generate_batch(PROMPTS, params, batch_size=n)
    assert batched(run) == expected
    assert run.batch_size == n and run.unified == unified
    lens = [len(engine._tokenize(p)) for p in PROMPTS]
    assert run.shared_prefix >= len(engine._tokenize(SHARED)) - 2
    # the shared prefix is evaluated once, not once per prompt
    assert run.n_prompt_tokens == run.shared_prefix + sum(x - run.shared_prefix for x in lens)
    assert run.n_tokens == sum(t for _, _, t in expected)


def test_per_sequence_stop_strings_grammar_eos_and_degenerate(engine):
    loop = "学習モデルとして、" * 12
    params = [forced("abc。def", stop=("。",)), forced("の は を"), greedy(5),
              GenerationParams(grammar=f"root ::= {json.dumps(loop, ensure_ascii=False)}",
                               temperature=0.0, max_tokens=200, expect_language="ja")]
    prompts = PROMPTS[:4]
    expected = sequential(engine, prompts, params)
    got = batched(engine.generate_batch(prompts, params, batch_size=4))
    assert got == expected
    assert got[0][:2] == ("abc", "stop")
    assert got[1][:2] == ("の は を", "eos")
    assert got[2][1] == "length" and got[2][2] == 5
    assert got[3][1] == "degenerate_repetition" and len(got[3][0]) < len(loop)


def test_json_schema_is_enforced_per_sequence(engine):
    schema = {"type": "object", "properties": {"a": {"type": "boolean"}}, "required": ["a"]}
    params = GenerationParams(json_schema=schema, temperature=0.0, max_tokens=40, detect_degenerate=False)
    run = engine.generate_batch(PROMPTS[:3], params, batch_size=3)
    got = batched(run)
    for text, reason, _ in got:
        assert reason == "eos" and isinstance(json.loads(text)["a"], bool)
    assert got == sequential(engine, PROMPTS[:3], params)


def test_cancel_stops_the_batch_and_the_engine_stays_usable(engine):
    token = CancelToken()
    run = engine.generate_batch(PROMPTS, greedy(200), token, batch_size=4)
    seen = 0
    with pytest.raises(Cancelled):
        for _k, piece in run:
            if piece:
                seen += 1
                if seen == 5:
                    token.cancel()
    assert seen == 5
    assert all(r is not None and r.stop_reason == "cancelled" for r in run.results)
    assert batched(engine.generate_batch(PROMPTS[:2], greedy(8), batch_size=2)) == \
        sequential(engine, PROMPTS[:2], greedy(8))


def test_a_prompt_longer_than_the_context_is_refused(engine):
    run = engine.generate_batch(["a", "x" * 400], greedy(4))
    with pytest.raises(ModelError) as e:
        list(run)
    assert e.value.key == "llm.model.context_too_long"


def test_automatic_batch_size_follows_the_memory_budget(engine, monkeypatch):
    per = engine.kv_bytes_per_token()
    assert per > 0
    monkeypatch.setattr(engine_mod, "_available_memory", lambda: 10 ** 12)
    assert engine.auto_batch_size(20, 256) == engine_mod.MAX_BATCH
    assert engine.auto_batch_size(3, 256) == 3
    # room for exactly two sequences of 256 tokens
    monkeypatch.setattr(engine_mod, "_available_memory",
                        lambda: int(2 * 256 * per / engine_mod.KV_MEMORY_SHARE) + 1)
    assert engine.auto_batch_size(20, 256) == 2
    monkeypatch.setattr(engine_mod, "_available_memory", lambda: 1)
    assert engine.auto_batch_size(20, 256) == 1
    run = engine.generate_batch(PROMPTS[:3], greedy(6))     # still works, one at a time
    assert batched(run) == sequential(engine, PROMPTS[:3], greedy(6)) and run.batch_size == 1


def test_helper_falls_back_to_sequential_for_engines_without_batching():
    fake = FakeEngine(reply=lambda p: "答え" + p[-1])
    run = generate_batch(fake, ["問1", "問2", "問3"], GenerationParams())
    assert isinstance(run, SequentialBatch)
    events = list(run)
    assert [k for k, p in events if p is None] == [0, 1, 2]
    assert [r.text for r in run.results] == ["答え1", "答え2", "答え3"]
    assert fake.prompts == ["問1", "問2", "問3"]
    token = CancelToken()
    run = generate_batch(fake, ["a", "b"], GenerationParams(), token)
    with pytest.raises(Cancelled):
        for k, p in run:
            if p is None:
                token.cancel()
    assert run.results[0].text == "答えa" and run.results[1].stop_reason == "cancelled"


def test_runner_batch_streams_what_the_in_process_batch_does(tiny_gguf, engine):
    params = [greedy(10 + i) for i in range(5)]
    expected = batched(engine.generate_batch(PROMPTS[:5], params, batch_size=3))
    eng = RunnerEngine(spec_for(tiny_gguf), n_threads=1, n_ctx=256)
    try:
        run = generate_batch(eng, PROMPTS[:5], params, batch_size=3)
        assert batched(run) == expected
        assert run.batch_size == 3 and run.shared_prefix > 0
        token = CancelToken()
        run = eng.generate_batch(PROMPTS, greedy(200), token, batch_size=4)
        seen = 0
        with pytest.raises(Cancelled):
            for _k, piece in run:
                seen += 1
                if seen == 3:
                    token.cancel()
        pid = eng.pid
        assert batched(eng.generate_batch(PROMPTS[:2], greedy(6), batch_size=2)) == \
            sequential(engine, PROMPTS[:2], greedy(6))
        assert eng.pid == pid
    finally:
        eng.close()


def test_batch_size_setting_reaches_the_runner_engine(tiny_gguf, monkeypatch):
    from gennai_desktop.core.settings import Settings
    from gennai_desktop.llm import manager
    assert Settings().batch_size == 0                      # automatic by default
    eng = manager.get_engine(spec_for(tiny_gguf), n_threads=1, n_ctx=256, batch_size=1)
    try:
        assert isinstance(generate_batch(eng, ["a", "b"], greedy(2)), SequentialBatch)
        assert manager.get_engine(spec_for(tiny_gguf), n_threads=1, n_ctx=256, batch_size=3) is eng
        run = generate_batch(eng, PROMPTS[:4], greedy(3))
        list(run)
        assert run.batch_size == 3
    finally:
        manager.unload()


def test_a_big_batch_context_is_freed_after_use_a_small_one_kept(engine, monkeypatch):
    list(engine.generate_batch(PROMPTS[:2], greedy(3), batch_size=2))
    kept = engine._batch_ctx
    assert kept is not None
    list(engine.generate_batch(PROMPTS[2:4], greedy(3), batch_size=2))
    assert engine._batch_ctx is kept                      # reused, not rebuilt
    monkeypatch.setattr(engine_mod, "KEEP_CONTEXT_BYTES", 0)
    list(engine.generate_batch(PROMPTS[:2], greedy(3), batch_size=2))
    assert engine._batch_ctx is None


def test_a_finished_prompts_result_and_an_unfinished_one_said_in_words():
    fake = FakeEngine(reply=lambda p: "答え" + p[-1])
    run = generate_batch(fake, ["問1", "問2"], GenerationParams())
    with pytest.raises(RuntimeError, match="prompt 0 .* not ended"):
        finished(run, 0)                       # asked before its end event: a caller's bug, not an AttributeError
    ended = [k for k, piece in run if piece is None]
    assert [finished(run, k).text for k in ended] == ["答え1", "答え2"]
