"""llama.cpp in a runner process: streaming, cancel, crashes the app survives, and fallback."""
from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.llm.base import GenerationParams, ModelSpec
from gennai_desktop.llm.runner import RunnerCrashed, RunnerEngine, RuntimeChoices, RuntimeConfig

FAKE = [sys.executable, str(Path(__file__).resolve().parents[1] / "support" / "fake_runner.py")]


def spec(path: Path, id: str = "tiny") -> ModelSpec:
    return ModelSpec(id=id, path=path, name_ja="テスト", name_en="tiny")


@pytest.fixture
def fake_model(tmp_path, tiny_gguf) -> Path:
    """A model file the parent's header check accepts (the fake runner never reads it)."""
    p = tmp_path / "fake.gguf"
    p.write_bytes(tiny_gguf.read_bytes())
    return p


def greedy(n: int = 24) -> GenerationParams:
    return GenerationParams(max_tokens=n, temperature=0.0, detect_degenerate=False)


# --- the real runner (tiny random-weight GGUF) ---

def test_streams_the_same_text_as_in_process(tiny_gguf):
    from gennai_desktop.llm.engine import LlamaEngine
    inproc = LlamaEngine(spec(tiny_gguf), n_threads=1, n_ctx=256)
    expected = "".join(inproc.generate("hello", greedy()))
    inproc.close()
    eng = RunnerEngine(spec(tiny_gguf), n_threads=1, n_ctx=256)
    try:
        gen = eng.generate("hello", greedy())
        pieces = list(gen)
        assert "".join(pieces) == expected and len(pieces) > 1
        assert gen.stop_reason in ("length", "eos") and gen.n_tokens > 0
        assert eng.n_ctx() == 256 and eng.count_tokens("hello world") > 0
        info = eng.backend_info()
        assert info.backend == "CPU" and info.cpu_variant
        assert eng.pid != os.getpid()
    finally:
        eng.close()


def test_cancel_reaches_the_runner_between_tokens_and_it_stays_usable(tiny_gguf):
    eng = RunnerEngine(spec(tiny_gguf), n_threads=1, n_ctx=256)
    try:
        token = CancelToken()
        gen = eng.generate("hello", greedy(200), token)
        got = 0
        with pytest.raises(Cancelled):
            for _ in gen:
                got += 1
                if got == 3:
                    token.cancel()
        assert got == 3 and gen.stop_reason == "cancelled"
        pid = eng.pid
        assert "".join(eng.generate("hello", greedy(4)))  # same runner, next task works
        assert eng.pid == pid
    finally:
        eng.close()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGILL, signal.SIGSEGV])
def test_a_runner_killed_mid_stream_is_reported_and_the_next_task_works(tiny_gguf, sig):
    eng = RunnerEngine(spec(tiny_gguf), n_threads=1, n_ctx=256)
    try:
        list(eng.generate("hello", greedy(4)))     # proven configuration
        gen = eng.generate("hello", greedy(200))
        with pytest.raises(RunnerCrashed) as info:
            for i, _ in enumerate(gen):
                if i == 2:
                    os.kill(eng.pid, sig)
        msg = str(info.value)
        assert "異常終了" in msg and sig.name in msg and "もう一度実行" in msg
        assert "".join(eng.generate("hello", greedy(4)))   # a new runner takes over
    finally:
        eng.close()


def test_a_runner_that_died_while_idle_is_restarted_silently(tiny_gguf):
    eng = RunnerEngine(spec(tiny_gguf), n_threads=1, n_ctx=256)
    try:
        list(eng.generate("hello", greedy(4)))
        old = eng.pid
        os.kill(old, signal.SIGKILL)
        time.sleep(0.2)
        assert "".join(eng.generate("hello", greedy(4)))
        assert eng.pid != old
    finally:
        eng.close()


def test_a_broken_model_is_a_message_not_a_crash(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a gguf at all" * 10)
    eng = RunnerEngine(spec(bad), n_threads=1)
    with pytest.raises(Exception) as info:
        eng.load()
    assert not isinstance(info.value, RunnerCrashed)
    assert "GGUF" in str(info.value)
    eng.close()


# --- the fallback chain, with a fake backend that crashes on purpose ---

def fake_engine(model: Path, configs, monkeypatch, tmp_path, crash_load="", crash_gen="") -> RunnerEngine:
    settings = tmp_path / "fake-runner.json"
    settings.write_text(json.dumps({"crash_load": crash_load, "crash_gen": crash_gen,
                                    "log": str(tmp_path / "starts.log"),
                                    "options_log": str(tmp_path / "options.log")}), encoding="utf-8")
    return RunnerEngine(spec(model), configs=configs, child_argv=[*FAKE, str(settings)],
                        choices=RuntimeChoices(tmp_path / "choices.json"))


def starts(tmp_path) -> list[str]:
    return (tmp_path / "starts.log").read_text().split()


CPU_CHAIN = [RuntimeConfig("zen4", None), RuntimeConfig("icelake", None), RuntimeConfig("x64", None)]


def test_crash_at_load_falls_back_down_the_variants_and_remembers(fake_model, monkeypatch, tmp_path):
    eng = fake_engine(fake_model, CPU_CHAIN, monkeypatch, tmp_path, crash_load="zen4+cpu,icelake+cpu")
    assert "".join(eng.generate("x", greedy())) == "テスト出力です。"
    assert eng.config == RuntimeConfig("x64", None)
    assert len(eng.notices) == 2 and "SIGILL" in eng.notices[0] and "切り替えました" in eng.notices[0]
    assert eng.backend_info().cpu_variant == "x64"
    eng.close()
    assert starts(tmp_path) == ["zen4+cpu", "icelake+cpu", "x64+cpu"]
    # the next start goes straight to what worked
    again = fake_engine(fake_model, CPU_CHAIN, monkeypatch, tmp_path, crash_load="zen4+cpu,icelake+cpu")
    again.load()
    again.close()
    assert starts(tmp_path)[-1:] == ["x64+cpu"] and len(starts(tmp_path)) == 4
    assert not again.notices


def test_gpu_crash_falls_back_to_cpu(fake_model, monkeypatch, tmp_path):
    chain = [RuntimeConfig("zen4", "cuda"), RuntimeConfig("zen4", None)]
    eng = fake_engine(fake_model, chain, monkeypatch, tmp_path, crash_load="zen4+cuda")
    eng.load()
    info = eng.backend_info()
    assert info.backend == "CPU" and "CUDA" in eng.notices[0]
    eng.close()


def test_gpu_used_when_it_works(fake_model, monkeypatch, tmp_path):
    chain = [RuntimeConfig("zen4", "cuda"), RuntimeConfig("zen4", None)]
    eng = fake_engine(fake_model, chain, monkeypatch, tmp_path)
    eng.load()
    assert eng.backend_info().backend == "CUDA" and eng.backend_info().n_gpu_layers == 4
    eng.close()


def test_crash_on_first_use_falls_back_transparently(fake_model, monkeypatch, tmp_path):
    eng = fake_engine(fake_model, CPU_CHAIN, monkeypatch, tmp_path, crash_gen="zen4+cpu")
    assert "".join(eng.generate("x", greedy())) == "テスト出力です。"
    assert eng.config.cpu_variant == "icelake" and "SIGSEGV" in eng.notices[0]
    eng.close()


def test_every_configuration_crashing_is_one_clear_error(fake_model, monkeypatch, tmp_path):
    eng = fake_engine(fake_model, CPU_CHAIN, monkeypatch, tmp_path,
                      crash_load="zen4+cpu,icelake+cpu,x64+cpu")
    with pytest.raises(RunnerCrashed) as info:
        eng.load()
    assert "SIGILL" in str(info.value)
    eng.close()


def test_cancel_during_a_slow_load_reaches_the_runner(fake_model, tmp_path):
    """Ctrl-C (the CLI's ambient token) during a model load used to wait for the load."""
    import threading
    from gennai_desktop.core.cancel import cancel_scope
    settings = tmp_path / "slow.json"
    settings.write_text(json.dumps({"slow_load": 60}), encoding="utf-8")
    eng = RunnerEngine(spec(fake_model), configs=[RuntimeConfig("x64", None)], child_argv=[*FAKE, str(settings)],
                       choices=RuntimeChoices(tmp_path / "choices.json"))
    token = CancelToken()
    threading.Timer(1.0, token.cancel).start()
    t0 = time.monotonic()
    with cancel_scope(token), pytest.raises(Cancelled):
        eng.load()
    assert time.monotonic() - t0 < 30
    assert eng.pid is None or not Path(f"/proc/{eng.pid}").exists()
    eng.close()


# --- one-way boundary: the parent decides, the runner obeys ---

def test_the_runner_obeys_the_wait_policy_and_threads_it_is_given(tiny_gguf):
    eng = RunnerEngine(spec(tiny_gguf), n_threads=1, n_ctx=256, wait_policy="passive")
    try:
        info = eng.info()
        assert info.openmp == {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "0"}
        b = eng.backend_info()
        assert b.n_threads == 1 and b.wait_policy == "passive"
        assert eng.options.model_path == str(tiny_gguf) and eng.options.n_ctx == 256 == eng.n_ctx()
    finally:
        eng.close()
    active = RunnerEngine(spec(tiny_gguf), n_threads=1, n_ctx=128, wait_policy="active")
    try:
        assert active.info().openmp == {"OMP_WAIT_POLICY": "ACTIVE"} and active.options.n_ctx == 128
    finally:
        active.close()


def test_the_parent_decides_gpu_layers_from_free_vram(fake_model, monkeypatch, tmp_path):
    from gennai_desktop.llm import gpu_memory
    asked = []
    monkeypatch.setattr(gpu_memory, "free_vram", lambda backend: asked.append(backend) or 10 ** 12)
    chain = [RuntimeConfig("zen4", "cuda"), RuntimeConfig("zen4", None)]
    eng = fake_engine(fake_model, chain, monkeypatch, tmp_path, crash_load="zen4+cuda")
    eng.load()
    eng.close()
    sent = [json.loads(line) for line in (tmp_path / "options.log").read_text().splitlines()]
    assert asked == ["cuda"]
    assert [(o["gpu_backend"], o["n_gpu_layers"], o["cpu_variant"]) for o in sent] == \
        [("cuda", -1, "zen4"), (None, 0, "zen4")]
    assert all(o["model_path"] == str(fake_model) and o["n_threads"] >= 1 and o["wait_policy"] == "passive"
               for o in sent)


def test_a_malformed_model_is_refused_before_any_runner_starts(tmp_path, monkeypatch):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 60)
    settings = tmp_path / "fake-runner.json"
    settings.write_text(json.dumps({"log": str(tmp_path / "starts.log")}), encoding="utf-8")
    eng = RunnerEngine(spec(bad), configs=CPU_CHAIN, child_argv=[*FAKE, str(settings)],
                       choices=RuntimeChoices(tmp_path / "c.json"))
    with pytest.raises(Exception) as info:
        eng.load()
    assert "GGUF" in str(info.value) and eng.pid is None and not (tmp_path / "starts.log").exists()


def test_the_child_answers_a_line_that_is_no_request_and_a_request_before_load():
    from gennai_desktop.core import sandbox
    from gennai_desktop.llm import protocol
    proc = sandbox.start("runner", {}, sandbox.Limits(), text=True)     # the real runner child
    try:
        assert isinstance(protocol.decode_reply(proc.stdout.readline()), protocol.Ready)
        proc.stdin.write('{"op": "explode"}\n')
        proc.stdin.write(protocol.encode_request(protocol.CountTokens("x")))   # no model loaded yet
        proc.stdin.flush()
        bad, early = (protocol.decode_reply(proc.stdout.readline()) for _ in range(2))
        assert isinstance(bad, protocol.Failure) and "explode" in str(bad.params)
        assert isinstance(early, protocol.Failure) and "no model" in str(early.params)
        proc.stdin.write(protocol.encode_request(protocol.Close()))
        proc.stdin.flush()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
