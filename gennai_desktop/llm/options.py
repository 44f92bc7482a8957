"""Every load parameter of a model, decided once in the app's process: ``RuntimeOptions``.

Why: the runner process (``llm.runner_child``) must only *obey*. Before, the model path was
resolved three times, the CPU variant was chosen in the parent and the GPU layer count in the
child, passed as environment variables and loose keyword arguments. Now the parent decides —
path, CPU build, GPU backend, layers from free VRAM, threads, thread wait policy, context —
into one typed, frozen object that crosses the pipe with the ``load`` request
(``llm.protocol``), as Ollama's scheduler hands its runner one set of options.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from ..core import cpu_budget
from ..core.cpu_budget import WaitPolicy
from . import gpu_memory
from .base import ModelSpec
from .gguf_check import GgufInfo

GPU_RESERVE_BYTES = 512 * 1024 ** 2     # compute buffers, CUDA/Vulkan context


@dataclass(frozen=True)
class RuntimeOptions:
    """What the runner loads and how; it never changes or second-guesses any of it."""

    model_path: str
    n_ctx: int                      # context length, already capped at the model's training length
    n_threads: int                  # CPU threads for decode and prompt evaluation (≥ 1)
    wait_policy: WaitPolicy         # how idle OpenMP threads wait (set before llama.cpp loads)
    cpu_variant: str | None = None  # llama.cpp CPU build to register (None: a monolithic build)
    gpu_backend: str | None = None  # "cuda", "vulkan", … to register; None: CPU only
    n_gpu_layers: int = 0           # layers to offload (-1 all); 0 without a GPU backend
    warmup: bool = True             # one real decode during load (a refused instruction crashes now)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RuntimeOptions:
        wait = d.get("wait_policy")
        return cls(model_path=str(d["model_path"]), n_ctx=int(d["n_ctx"]), n_threads=max(1, int(d["n_threads"])),
                   wait_policy=wait if wait in cpu_budget.WAIT_POLICIES else cpu_budget.DEFAULT_WAIT_POLICY,
                   cpu_variant=d.get("cpu_variant") or None, gpu_backend=d.get("gpu_backend") or None,
                   n_gpu_layers=int(d.get("n_gpu_layers") or 0), warmup=bool(d.get("warmup", True)))


def context_length(spec: ModelSpec, info: GgufInfo, wanted: int | None) -> int:
    """The setting (or the pack's own length), never beyond what the model was trained on."""
    train = info.context_length or spec.context_length or 4096
    return max(1, min(wanted or spec.context_length or 4096, train))


def gpu_layers(info: GgufInfo, n_ctx: int, free_bytes: int | None, setting: int) -> int:
    """Layers to offload: the setting when it is explicit (≥ 0); otherwise as many as the
    GPU's free memory holds after a reserve for the KV cache and compute buffers (-1 = all),
    so an 8B pack on a 6 GB laptop GPU runs partly offloaded instead of failing. Unknown free
    memory (an integrated GPU sharing system RAM): all."""
    if setting >= 0:
        return setting
    if free_bytes is None:
        return -1
    n_layers = max(1, info.block_count or 1)
    per_layer = info.size / (n_layers + 1)             # +1: output/embedding tensors
    kv = 2 * n_ctx * n_layers * (info.embedding_length or 4096) * 2 // 4   # f16 K+V, GQA ≈ 1/4
    fit = int((free_bytes - GPU_RESERVE_BYTES - kv) // per_layer)
    if fit >= n_layers + 1:
        return -1
    return max(0, fit)


def decide(spec: ModelSpec, info: GgufInfo, *, cpu_variant: str | None, gpu_backend: str | None,
           n_gpu_layers: int = -1, n_threads: int = 0, wait_policy: WaitPolicy = cpu_budget.DEFAULT_WAIT_POLICY,
           n_ctx: int | None = None, warmup: bool = True,
           free_vram: Callable[[str], int | None] | None = None) -> RuntimeOptions:
    """The options for one runtime configuration (a CPU variant, perhaps a GPU backend) from
    the settings: 0 threads = ``cpu_budget.choose_threads``' measured default; -1 GPU layers =
    what fits in free VRAM."""
    ctx = context_length(spec, info, n_ctx)
    layers = 0
    if gpu_backend:
        read = free_vram or gpu_memory.free_vram
        layers = gpu_layers(info, ctx, read(gpu_backend) if n_gpu_layers < 0 else None, n_gpu_layers)
    return RuntimeOptions(model_path=str(spec.path), n_ctx=ctx, n_threads=cpu_budget.choose_threads(n_threads),
                          wait_policy=wait_policy, cpu_variant=cpu_variant, gpu_backend=gpu_backend,
                          n_gpu_layers=layers, warmup=warmup)
