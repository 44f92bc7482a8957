"""Many independent prompts at once: ``generate_batch(engine, prompts, params, cancel)``.

Tasks call this helper, never an engine method directly: an engine that decodes sequences
together (``LlamaEngine`` in the runner, ``RunnerEngine`` over the pipe) gets one batched
run; any other ``TextEngine`` (a test double, a future backend) gets the same events from
one ``generate`` after another, so a task has one code path.

Events, in the order they happen: ``(index, piece)`` for text of prompt ``index`` and
``(index, None)`` when prompt ``index`` has ended — then ``run.results[index]`` (a
``SeqResult``) holds its text, stop reason and token counts. Pieces of different prompts
interleave; each prompt's pieces arrive in order.
"""
from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Protocol

from ..core.cancel import NEVER, Cancelled, CancelToken
from .base import GenerationParams, SeqResult, TextEngine, params_per_prompt


class BatchRun(Protocol):
    results: list[SeqResult | None]
    batch_size: int

    def __iter__(self) -> Iterator[tuple[int, str | None]]: ...


def finished(run: BatchRun, index: int) -> SeqResult:
    """Prompt ``index``'s result, once its ``(index, None)`` event came (the run was iterated
    to its end); asked earlier it is a bug in the caller, said in words."""
    result = run.results[index]
    if result is None:
        raise RuntimeError(f"prompt {index} of the batch has not ended yet")
    return result


def generate_batch(engine: TextEngine, prompts: Sequence[str],
                   params: GenerationParams | Sequence[GenerationParams],
                   cancel: CancelToken = NEVER, batch_size: int | None = None) -> BatchRun:
    """Generate for every prompt; batched where the engine can, one by one otherwise.

    ``params``: one ``GenerationParams`` for all prompts or one per prompt. ``batch_size``:
    sequences decoded together (None: the engine's setting or automatic choice; 1: sequential).
    """
    native = getattr(engine, "generate_batch", None)
    if batch_size is None and getattr(engine, "batch_size", 0) == 1:
        batch_size = 1               # the setting "1 = one at a time": the sequential path
    if native is not None and batch_size != 1:
        return native(prompts, params, cancel, batch_size=batch_size)
    return SequentialBatch(engine, prompts, params, cancel)


class SequentialBatch:
    """The fallback: ``engine.generate`` for each prompt in turn, as batch events."""

    def __init__(self, engine: TextEngine, prompts: Sequence[str],
                 params: GenerationParams | Sequence[GenerationParams], cancel: CancelToken = NEVER) -> None:
        self._engine = engine
        self._prompts = list(prompts)
        self._params = params_per_prompt(self._prompts, params)
        self._cancel = cancel
        self.results: list[SeqResult | None] = [None] * len(self._prompts)
        self.batch_size = 1
        self.shared_prefix = 0
        self.seconds = 0.0

    def __iter__(self) -> Iterator[tuple[int, str | None]]:
        t0 = time.perf_counter()
        k = 0
        try:
            for k, (prompt, params) in enumerate(zip(self._prompts, self._params)):
                self._cancel.raise_if_cancelled()
                gen = self._engine.generate(prompt, params, self._cancel)
                for piece in gen:
                    if piece:
                        yield k, piece
                self.results[k] = SeqResult(k, gen.text, gen.stop_reason, gen.n_tokens,
                                            int(getattr(gen, "n_prompt_tokens", 0) or 0),
                                            time.perf_counter() - t0)
                yield k, None
        except Cancelled:
            for j in range(k, len(self.results)):
                if self.results[j] is None:
                    self.results[j] = SeqResult(j, stop_reason="cancelled")
            raise
        finally:
            self.seconds = time.perf_counter() - t0
