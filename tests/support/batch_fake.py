"""A FakeEngine with ``generate_batch`` whose sequences end last-first, as a real batch may."""
from __future__ import annotations

from gennai_desktop.llm.base import SeqResult
from tests.support.fake_engine import FakeEngine


class ReversedBatchEngine(FakeEngine):
    """A FakeEngine with generate_batch whose sequences end last-first (as a batch may)."""

    def __init__(self, *a, **kw) -> None:
        super().__init__(*a, **kw)
        self.batches: list[int] = []

    def generate_batch(self, prompts, params, cancel, batch_size=None):
        engine = self
        engine.batches.append(len(prompts))

        class Run:
            batch_size = len(prompts)
            results = [None] * len(prompts)

            def __iter__(self):
                for k in reversed(range(len(prompts))):
                    text = engine._reply(prompts[k])
                    engine.prompts.append(prompts[k])
                    yield k, text
                    self.results[k] = SeqResult(k, text, "eos", len(text))
                    yield k, None
        return Run()
