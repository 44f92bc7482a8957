"""Prompts are data: load them from resources/prompts/<task>.toml and render them for a model.

Why: the bundled base model (no chat template) only copes with few-shot *completion*
prompts, while instruction-tuned packs (Sarashina, llm-jp, Swallow, PLaMo) want *chat*
prompts rendered with their own reviewed template. Each prompt entry therefore carries
both forms; ``ModelSpec.prompt_style`` picks one and ``ModelSpec.prompts[task]`` may
override any key ("map.completion", "map.chat_user", …), so a new pack needs no code.
Placeholders are ``{name}`` and only the names passed in are replaced (JSON examples in
prompts keep their braces).
"""
from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..core.cancel import NEVER, CancelToken
from ..core.events import Stats, TextDelta
from ..core.paths import resources_dir
from ..llm.base import GenerationParams, Message, TextEngine


@dataclass(frozen=True)
class Prompt:
    """A rendered prompt ready for ``engine.generate`` plus its generation settings."""

    text: str
    style: str              # "chat" or "completion"
    max_tokens: int
    stop: tuple[str, ...]


@cache
def load_prompts(task: str) -> dict[str, dict[str, Any]]:
    """The prompt table for ``task`` (cached; files are small and shipped read-only)."""
    path = resources_dir() / "prompts" / f"{task}.toml"
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def fill(template: str, **values: str) -> str:
    """Replace ``{name}`` for the given names only (other braces stay as written)."""
    out = template
    for name, value in values.items():
        out = out.replace("{" + name + "}", value)
    return out


def entry(task: str, name: str, engine: TextEngine | None) -> dict[str, Any]:
    """Prompt entry ``name`` of ``task`` with the model's per-task overrides applied."""
    base = dict(load_prompts(task)[name])
    spec = getattr(engine, "spec", None)
    overrides = (getattr(spec, "prompts", None) or {}).get(task, {})
    prefix = name + "."
    for key, value in overrides.items():
        if key.startswith(prefix):
            base[key[len(prefix):]] = value
    return base


def uses_chat(engine: TextEngine) -> bool:
    """Chat prompts only for models that are instruction-tuned and declare the chat style."""
    spec = engine.spec
    return spec.prompt_style == "chat" and bool(spec.instruction_tuned)


def build(task: str, name: str, engine: TextEngine, *, cancel: CancelToken = NEVER, **values: str) -> Prompt:
    """Render prompt ``name`` of ``task`` in the form the engine's model needs (``cancel``
    interrupts a chat template that is still rendering)."""
    e = entry(task, name, engine)
    max_tokens = int(e.get("max_tokens", 256))
    if uses_chat(engine):
        messages = []
        if e.get("chat_system"):
            messages.append(Message("system", fill(e["chat_system"], **values)))
        messages.append(Message("user", fill(e["chat_user"], **values)))
        rendered = engine.render_chat(messages, cancel=cancel)   # every TextEngine takes cancel (mypy checks)
        return Prompt(rendered, "chat", max_tokens,
                      tuple(e.get("chat_stop", ())))
    return Prompt(fill(e["completion"], **values), "completion", max_tokens,
                  tuple(e.get("stop", ())))


def params_for(engine: TextEngine, prompt: Prompt, *, expect_language: str | None = None,
               json_schema: dict | None = None, max_tokens: int | None = None) -> GenerationParams:
    """The model's default sampling settings with this prompt's length/stop/constraints."""
    g = engine.spec.generation
    return GenerationParams(
        max_tokens=max_tokens or prompt.max_tokens, temperature=g.temperature, top_p=g.top_p,
        top_k=g.top_k, repeat_penalty=g.repeat_penalty, stop=prompt.stop or g.stop,
        json_schema=json_schema, seed=g.seed,
        expect_language=expect_language)  # type: ignore[arg-type]  # callers pass "ja"/"en" typed as str


@dataclass
class Output:
    """What one generation produced (filled in by ``stream``)."""

    text: str = ""
    stop_reason: str | None = None
    n_tokens: int = 0
    seconds: float = 0.0


def stream(engine: TextEngine, prompt: Prompt, params: GenerationParams, out: Output,
           cancel: CancelToken = NEVER, channel: str = "main") -> Iterator[TextDelta | Stats]:
    """Run one generation, yielding TextDelta pieces and a final Stats; fills ``out``.

    ``Cancelled`` propagates from the engine's iterator (checked between tokens).
    """
    cancel.raise_if_cancelled()
    gen = engine.generate(prompt.text, params, cancel)
    for piece in gen:
        if piece:
            yield TextDelta(piece, channel)
    cancel.raise_if_cancelled()
    out.text = gen.text
    out.stop_reason = gen.stop_reason
    out.n_tokens = gen.n_tokens
    out.seconds = gen.seconds
    yield Stats(tokens=gen.n_tokens, seconds=gen.seconds)


class InOrder:
    """Shows batched output (``llm.batch`` events) in document order as TextDelta.

    The earliest unfinished sequence streams live; later ones are held back and shown, whole,
    when their turn comes — the same reading order as one generation after another.
    """

    def __init__(self, n: int, channel: str) -> None:
        self._held: list[list[str]] = [[] for _ in range(n)]
        self._ended = [False] * n
        self._next = 0
        self._channel = channel

    def feed(self, k: int, piece: str | None) -> Iterator[TextDelta]:
        if piece is None:
            self._ended[k] = True
        elif k == self._next:
            yield TextDelta(piece, self._channel)
        else:
            self._held[k].append(piece)
        while self._next < len(self._ended) and self._ended[self._next]:
            yield TextDelta("\n", self._channel)
            self._next += 1
            if self._next < len(self._held) and self._held[self._next]:
                yield TextDelta("".join(self._held[self._next]), self._channel)
                self._held[self._next] = []
