"""Test doubles for the ``TextEngine``/``Generation`` protocol (``gennai_desktop.llm.base``):
a deterministic engine that answers with canned text, streamed a few characters a piece.
Used by the tests, ``bench/bench_ui.py`` and ``scripts/screenshots.py``; not part of the app."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator, Sequence

from gennai_desktop.core.cancel import NEVER, CancelToken
from gennai_desktop.llm.base import BackendInfo, GenerationParams, Message, ModelSpec, StopReason


class SimpleGeneration:
    """A Generation over a precomputed list of pieces (used by FakeEngine)."""

    def __init__(self, pieces: Sequence[str], cancel: CancelToken, stop_reason: StopReason = "eos",
                 delay: float = 0.0) -> None:
        self._pieces = list(pieces)
        self._cancel = cancel
        self._final_reason = stop_reason
        self._delay = delay
        self.text = ""
        self.stop_reason: StopReason | None = None
        self.n_tokens = 0
        self.seconds = 0.0

    def __iter__(self) -> Iterator[str]:
        t0 = time.perf_counter()
        for p in self._pieces:
            self._cancel.raise_if_cancelled()
            if self._delay:
                time.sleep(self._delay)
            self.text += p
            self.n_tokens += 1
            yield p
        self.seconds = time.perf_counter() - t0
        self.stop_reason = self._final_reason


def instruct_spec(id: str = "fake") -> ModelSpec:
    """An instruction-tuned model with completion prompts: the tasks run their model passes on
    it (``tasks.model_passes``), while FakeEngine's default spec is a base model like the
    bundled one, whose passes are skipped."""
    return ModelSpec(id=id, path=Path("/dev/null"), name_ja="テスト用（指示調整済み）", name_en="Fake instruct",
                     prompt_style="completion", instruction_tuned=True)


class FakeEngine:
    """Deterministic engine for tests: answers with ``reply(prompt)`` split into pieces."""

    def __init__(self, reply=lambda prompt: "テスト出力です。", spec: ModelSpec | None = None,
                 ctx: int = 2048, delay: float = 0.0, stop_reason: StopReason = "eos") -> None:
        self.spec = spec or ModelSpec(id="fake", path=Path("/dev/null"), name_ja="テスト用", name_en="Fake",
                                      prompt_style="completion")
        self._reply = reply
        self._ctx = ctx
        self._delay = delay
        self._stop_reason = stop_reason
        self.prompts: list[str] = []

    def n_ctx(self) -> int:
        return self._ctx

    def count_tokens(self, text: str) -> int:
        return max(1, len(text) // 2)

    def render_chat(self, messages: Sequence[Message], cancel: CancelToken = NEVER) -> str:
        cancel.raise_if_cancelled()
        return "".join(f"<{m.role}>{m.content}</{m.role}>\n" for m in messages) + "<assistant>"

    def generate(self, prompt: str, params: GenerationParams, cancel: CancelToken = NEVER) -> SimpleGeneration:
        self.prompts.append(prompt)
        text = self._reply(prompt)
        pieces = [text[i:i + 3] for i in range(0, len(text), 3)]
        return SimpleGeneration(pieces, cancel, self._stop_reason, self._delay)

    def backend_info(self) -> BackendInfo:
        return BackendInfo(backend="CPU", n_gpu_layers=0, n_layers=0, n_threads=1)
