"""The models on offer to this run: a plain container that model sources push specs into.

Why so little: llm/ knows nothing of where models come from. Sources register their specs
(``packs.models.register_models`` for the bundled default and the verified installed packs,
a test for its tiny GGUF), the way simonw/llm's plugins push models in through their
``register_models`` hook; the core never reaches out. Choosing among them is
``app.models``' job.
"""
from __future__ import annotations

from collections.abc import Iterator

from .base import ModelSpec


class ModelRegistry:
    """Specs in the order they were registered; the first registration of an id wins."""

    def __init__(self) -> None:
        self._specs: dict[str, ModelSpec] = {}

    def register(self, spec: ModelSpec) -> None:
        self._specs.setdefault(spec.id, spec)

    def specs(self) -> list[ModelSpec]:
        return list(self._specs.values())

    def get(self, model_id: str) -> ModelSpec | None:
        return self._specs.get(model_id)

    def __contains__(self, model_id: object) -> bool:
        return model_id in self._specs

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self.specs())

    def __len__(self) -> int:
        return len(self._specs)
