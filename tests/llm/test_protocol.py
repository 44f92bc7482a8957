"""llm.protocol: every runner message survives the pipe as the same typed value."""
from __future__ import annotations

from pathlib import Path

import pytest

from gennai_desktop.core.errors import SecurityError
from gennai_desktop.llm import protocol as p
from gennai_desktop.llm.base import BackendInfo, GenerationParams, ModelSpec
from gennai_desktop.llm.options import RuntimeOptions

SPEC = ModelSpec(id="m", path=Path("/models/m.gguf"), name_ja="モデル", name_en="M", instruction_tuned=True,
                 generation=GenerationParams(stop=("。",), max_tokens=9))
OPTS = RuntimeOptions(model_path="/models/m.gguf", n_ctx=2048, n_threads=3, wait_policy="passive",
                      cpu_variant="haswell", gpu_backend="cuda", n_gpu_layers=12, warmup=False)
PARAMS = GenerationParams(max_tokens=5, stop=("\n", "。"), json_schema={"type": "object"}, expect_language="ja")

REQUESTS = [p.Load(SPEC, OPTS), p.CountTokens("公用文"), p.SpecialTokens("{{ bos_token }}"),
            p.Generate("プロンプト", PARAMS), p.GenerateBatch(["a", "b"], PARAMS, 2),
            p.GenerateBatch(["a", "b"], [PARAMS, GenerationParams()], None), p.Info(), p.Cancel(), p.Close()]
REPLIES = [p.Ready(42), p.Loaded(2048, 1.5, BackendInfo("CPU", 0, 18, 3, "zen4", "", "passive"), {"cpu": "zen4"}),
           p.TokenCount(7), p.SpecialTokenTexts({"bos_token": "<s>"}),
           p.RuntimeInfo({"cpu": "zen4"}, [{"name": "CPU", "free": 1}], "AVX2 = 1", {"OMP_WAIT_POLICY": "PASSIVE"}),
           p.Piece("漢字"), p.SeqPiece(3, "字"), p.SeqEnd(3, "eos", 4, 10, 0.5),
           p.Done("length", 5, 12, 1.0, 0.2, 0.1), p.Done("eos", 9, 30, 2.0, 0.5, None, 4, 16),
           p.Cancelled(), p.Failure("llm.model.decode_failed", {"reason": "x"}, "ModelError", True)]


@pytest.mark.parametrize("req", REQUESTS, ids=lambda r: type(r).__name__)
def test_every_request_round_trips(req):
    line = p.encode_request(req)
    assert line.endswith("\n") and line.count("\n") == 1
    assert p.decode_request(line) == req


@pytest.mark.parametrize("rep", REPLIES, ids=lambda r: type(r).__name__)
def test_every_reply_round_trips(rep):
    line = p.encode_reply(rep)
    assert line.endswith("\n") and line.count("\n") == 1
    assert p.decode_reply(line) == rep


def test_tokens_stay_small_on_the_wire():
    assert p.encode_reply(p.Piece("a")) == '{"p": "a"}\n'
    assert p.encode_reply(p.SeqPiece(1, "a")) == '{"i": 1, "p": "a"}\n'


@pytest.mark.parametrize("line", ['{"op": "explode"}', "[1, 2]", "not json", '{"op": "load", "spec": {}}',
                                  '{"op": "generate"}'])
def test_anything_else_is_a_protocol_error_for_the_child(line):
    with pytest.raises(p.ProtocolError):
        p.decode_request(line)


@pytest.mark.parametrize("line", ['{"r": "nonsense"}', '{"r": "count"}', "{}", "null"])
def test_anything_else_is_a_protocol_error_for_the_parent(line):
    with pytest.raises(p.ProtocolError):
        p.decode_reply(line)


def test_failure_carries_the_error_the_parent_raises():
    f = p.Failure.of(SecurityError("llm.gguf.malformed", path=Path("/x"), detail="bad"))
    assert f.cls == "SecurityError" and f.key == "llm.gguf.malformed" and f.params == {"path": "/x", "detail": "bad"}
    other = p.Failure.of(RuntimeError("boom"), fatal=True)
    assert other.cls == "ModelError" and "boom" in str(other.params["reason"]) and other.fatal


def test_options_from_an_unknown_wait_policy_fall_back_to_the_default():
    d = OPTS.to_json() | {"wait_policy": "spin-forever", "n_threads": 0}
    o = RuntimeOptions.from_json(d)
    assert o.wait_policy == "passive" and o.n_threads == 1
