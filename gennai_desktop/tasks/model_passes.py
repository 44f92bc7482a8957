"""No model pass that cannot help: 校正's model check, 要約's map phase and 起案's body are
run only on instruction-tuned models.

Why: measured on the bundled Gemma 3 270M *base* model, the 校正 model pass took 169–304 s per
report and none of its findings survived the plausibility checks; its summaries and drafts are
replaced by the extractive / template result nearly every time (tasks.quality). A model pack
that does not declare ``instruction_tuned`` (manifest field, default false) is treated the
same. The task then gives the rule / extractive / template result at once, with one notice;
the setting ``base_model_passes`` forces the passes (for evaluating a new pack, say).

``engine_for`` lets the CLI and the UI skip even *opening* the engine (assembling and
verifying the bundled model takes over a second): the task receives a ``SpecOnly`` that
carries the model's description and nothing else.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..llm.base import ModelSpec

E = TypeVar("E")


class SpecOnly:
    """Stands in for a model that will not be asked: a task reads its ``spec`` (for the
    notice) and uses its model-free path."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec


def model_can_help(spec: ModelSpec, force: bool = False) -> bool:
    """True when a model pass is worth running: an instruction-tuned model (never the bundled
    base model), or ``force`` (the setting ``base_model_passes``)."""
    return force or (spec.instruction_tuned and not spec.dev_default)


def engine_for(spec: ModelSpec | None, load: Callable[[], E], force: bool = False) -> E | SpecOnly | None:
    """``load()`` only when the model can help; else a ``SpecOnly`` (None without a model)."""
    if spec is None:
        return None
    return load() if model_can_help(spec, force) else SpecOnly(spec)
