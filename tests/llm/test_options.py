"""RuntimeOptions: every load parameter decided in the parent, from settings and the GGUF header."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gennai_desktop.core import cpu_budget
from gennai_desktop.llm import options
from gennai_desktop.llm.base import ModelSpec
from gennai_desktop.llm.gguf_check import check_gguf

GiB = 1024 ** 3


def spec(path: Path, ctx: int = 4096) -> ModelSpec:
    return ModelSpec(id="t", path=path, name_ja="t", name_en="t", context_length=ctx)


def test_context_is_the_setting_capped_at_the_training_length(tiny_gguf):
    info = check_gguf(tiny_gguf)                  # trained for 256
    assert options.context_length(spec(tiny_gguf), info, 4096) == 256
    assert options.context_length(spec(tiny_gguf), info, 128) == 128
    assert options.context_length(spec(tiny_gguf, ctx=200), info, None) == 200


def test_gpu_layers_from_free_memory(tiny_gguf):
    info = replace(check_gguf(tiny_gguf), size=8 * GiB, block_count=32, embedding_length=4096)
    assert options.gpu_layers(info, 4096, None, -1) == -1          # unknown / shared memory: all
    assert options.gpu_layers(info, 4096, 80 * GiB, -1) == -1       # everything fits
    part = options.gpu_layers(info, 4096, 6 * GiB, -1)               # a 6 GB laptop GPU
    assert 0 < part < 32
    assert options.gpu_layers(info, 4096, 600 * 1024 ** 2, -1) == 0  # not even one layer after the reserve
    assert options.gpu_layers(info, 4096, 80 * GiB, 7) == 7          # an explicit setting wins


def test_decide_for_cpu_and_gpu_configurations(tiny_gguf, monkeypatch):
    info = check_gguf(tiny_gguf)
    monkeypatch.setattr(cpu_budget, "usable_cpus", lambda: 4)
    monkeypatch.setattr(cpu_budget, "usable_cores", lambda: 4)
    cpu = options.decide(spec(tiny_gguf), info, cpu_variant="haswell", gpu_backend=None, n_gpu_layers=-1,
                         n_threads=0, wait_policy="passive", n_ctx=4096)
    assert (cpu.model_path, cpu.n_ctx, cpu.n_gpu_layers, cpu.cpu_variant, cpu.gpu_backend) == \
        (str(tiny_gguf), 256, 0, "haswell", None)
    assert cpu.n_threads == cpu_budget.default_threads(4) == 4 and cpu.wait_policy == "passive"
    asked = []
    gpu = options.decide(spec(tiny_gguf), info, cpu_variant="haswell", gpu_backend="cuda", n_gpu_layers=-1,
                         n_threads=16, wait_policy="active", n_ctx=128,
                         free_vram=lambda backend: asked.append(backend) or 40 * GiB)
    assert asked == ["cuda"] and gpu.n_gpu_layers == -1 and gpu.n_ctx == 128
    assert gpu.n_threads == 4 and gpu.wait_policy == "active"     # 16 asked, 4 CPUs usable
    fixed = options.decide(spec(tiny_gguf), info, cpu_variant=None, gpu_backend="cuda", n_gpu_layers=3,
                           free_vram=lambda backend: asked.append(backend) or 0)
    assert fixed.n_gpu_layers == 3 and asked == ["cuda"]          # explicit: free memory not even read
