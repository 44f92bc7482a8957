"""What the rest of the app needs from a language model, independent of llama.cpp.

Tasks talk to ``TextEngine``; ``engine.LlamaEngine`` implements it on llama-cpp-python (the
test suite has its own canned-text double). A model is described by a
``ModelSpec`` — the same facts a model-pack manifest carries — so a domestic pack drops in
with no code change.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from ..core.cancel import NEVER, CancelToken

PromptStyle = Literal["chat", "completion"]
StopReason = Literal["eos", "stop", "length", "cancelled", "degenerate_repetition",
                     "degenerate_language", "empty"]


@dataclass(frozen=True)
class GenerationParams:
    max_tokens: int = 256
    temperature: float = 0.2
    top_p: float = 0.9
    top_k: int = 40
    repeat_penalty: float = 1.15
    stop: tuple[str, ...] = ()
    grammar: str | None = None          # GBNF text; constrained decoding
    json_schema: dict | None = None     # converted to GBNF by the engine
    seed: int = 42
    expect_language: Literal["ja", "en", None] = None  # for the wrong-language detector
    detect_degenerate: bool = True      # stop early on loops / wrong language (llm.degenerate)


@dataclass(frozen=True)
class ModelSpec:
    """Facts about one model (from a pack manifest, or built in for the dev default)."""

    id: str
    path: Path
    name_ja: str
    name_en: str
    vendor: str = ""
    domestic: bool = False
    dev_default: bool = False           # the bundled, non-domestic development default
    instruction_tuned: bool = False
    prompt_style: PromptStyle = "completion"
    chat_format: str | None = None      # reviewed built-in template name, e.g. "gemma"
    chat_template: str | None = None    # pinned Jinja2 text from a pack; rendered sandboxed
    chat_template_sha256: str | None = None
    context_length: int = 4096
    recommended_gpu_layers: int = -1
    generation: GenerationParams = field(default_factory=GenerationParams)
    license: str = ""
    sha256: str | None = None
    architecture: str = ""
    quantisation: str = ""
    version: str = ""
    prompts: dict[str, dict[str, str]] = field(default_factory=dict)  # per-task overrides

    def label(self, lang: str = "ja") -> str:
        name = self.name_ja if lang == "ja" else self.name_en
        if self.dev_default:
            return (f"{name}（開発用の既定モデル・国産ではありません）" if lang == "ja"
                    else f"{name} (development default, not domestic)")
        if not self.domestic:
            return f"{name}（国産ではありません）" if lang == "ja" else f"{name} (not domestic)"
        return name


@dataclass(frozen=True)
class BackendInfo:
    backend: str            # "CUDA", "Vulkan", "Metal", "CPU"
    n_gpu_layers: int       # layers actually offloaded
    n_layers: int           # layers in the model
    n_threads: int
    cpu_variant: str = ""   # llama.cpp CPU build in use (e.g. "zen4", "haswell", "x64")
    wait_policy: str = ""   # how idle CPU threads wait: "passive", "active", "system" (core.cpu_budget)
    note: str = ""          # why the GPU/fast variant is not used (e.g. fell back after a crash)


@dataclass(frozen=True)
class Message:
    role: Literal["system", "user", "assistant"]
    content: str


class Generation(Protocol):
    """An in-progress generation: iterate for text pieces; then read the outcome.

    Iteration raises ``Cancelled`` if the token is set (checked between tokens).
    ``stop_reason`` tells whether it ended normally or was cut as degenerate. The outcome is
    read-only to callers (properties here, so plain attributes and properties both qualify).
    """

    @property
    def text(self) -> str: ...

    @property
    def stop_reason(self) -> StopReason | None: ...

    @property
    def n_tokens(self) -> int: ...

    @property
    def seconds(self) -> float: ...

    def __iter__(self) -> Iterator[str]: ...


@dataclass
class SeqResult:
    """The outcome of one sequence of a batched generation (``llm.batch``)."""

    index: int
    text: str = ""
    stop_reason: StopReason | None = None
    n_tokens: int = 0
    n_prompt_tokens: int = 0
    seconds: float = 0.0        # from the start of the batch to the end of this sequence


def params_per_prompt(prompts: Sequence[str],
                      params: GenerationParams | Sequence[GenerationParams]) -> list[GenerationParams]:
    """One GenerationParams for every prompt, or exactly one per prompt (batched generation)."""
    out = [params] * len(prompts) if isinstance(params, GenerationParams) else list(params)
    if len(out) != len(prompts):
        raise ValueError("one GenerationParams, or one per prompt")
    return out


class StreamedGeneration:
    """The bookkeeping every real Generation shares (in-process and through the runner):
    iterate once for text pieces (``_run`` yields them); afterwards read the outcome fields."""

    def __init__(self, engine: object, prompt: str, params: GenerationParams, cancel: CancelToken) -> None:
        self._engine = engine
        self._prompt = prompt
        self._params = params
        self._cancel = cancel
        self._parts: list[str] = []
        self._started = False
        self.stop_reason: StopReason | None = None
        self.n_tokens = 0
        self.n_prompt_tokens = 0
        self.seconds = 0.0
        self.prompt_seconds = 0.0
        self.first_token_seconds: float | None = None

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def tokens_per_second(self) -> float:
        gen = self.seconds - self.prompt_seconds
        return self.n_tokens / gen if gen > 0 else 0.0

    def __iter__(self) -> Iterator[str]:
        if self._started:
            raise RuntimeError("a Generation can be iterated only once")
        self._started = True
        return self._run()

    def _run(self) -> Iterator[str]:  # pragma: no cover - subclasses stream
        raise NotImplementedError


class TextEngine(Protocol):
    spec: ModelSpec

    def n_ctx(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def render_chat(self, messages: Sequence[Message], cancel: CancelToken = NEVER) -> str:
        """The exact prompt string for ``messages`` with the model's reviewed template
        (rendering stops at once when ``cancel`` is set)."""
        ...

    def generate(self, prompt: str, params: GenerationParams,
                 cancel: CancelToken = NEVER) -> Generation: ...

    def backend_info(self) -> BackendInfo: ...
