"""Optional real load test before a new pack is activated: open it in llama.cpp and generate a
few tokens — in a runner process (``llm.runner``), so a pack whose GGUF crashes llama.cpp
fails this test instead of taking the app down."""
from __future__ import annotations

from ..llm.base import GenerationParams, ModelSpec
from ..llm.runner import RunnerEngine


def engine_load_test(spec: ModelSpec) -> None:
    """Raises if the model cannot be loaded or produces no tokens."""
    engine = RunnerEngine(spec)
    try:
        gen = engine.generate("テスト", GenerationParams(max_tokens=4, temperature=0.0))
        for _ in gen:
            pass
        if gen.n_tokens <= 0 and gen.stop_reason not in ("eos", "stop"):
            raise RuntimeError("the model produced no tokens")
    finally:
        close = getattr(engine, "close", None)
        if callable(close):
            close()
