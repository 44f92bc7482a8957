"""The physical limit of decoding: tokens/s ≤ memory bandwidth ÷ bytes read per token.

Decode is memory-bound (shared/design/PERFORMANCE.md): every generated token reads every
weight matrix once, plus the KV cache written so far. Bytes per token here are counted from
the GGUF's own tensor table (``llm.gguf_check``), not guessed from the file size:

- every weight tensor, except ``token_embd`` when the model has a separate ``output`` matrix
  (then only one embedding row per token is gathered) — a tied ``token_embd`` is the output
  projection and is read whole;
- the KV cache at the mean context of the measurement (f16 K and V: 2 × n_layer × n_head_kv
  × head_dim × 2 bytes per cached position).

The bandwidth is the datasheet figure PERFORMANCE.md uses for the GPU nvidia-smi names,
and — when the check measured one — the device-to-device copy rate (read + write), the
ceiling a real kernel reaches. The fraction is measured tokens/s ÷ that bound.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

# GB/s (10^9 bytes/s), as in shared/design/PERFORMANCE.md; the first name contained in the
# nvidia-smi name wins ("H100 PCIe" before "H100", which is the SXM part).
DATASHEET_GBS: tuple[tuple[str, float], ...] = (
    ("H200", 4800.0),
    ("H100 NVL", 3900.0),
    ("H100 PCIe", 2000.0),
    ("H100", 3350.0),
    ("RTX 4090", 1008.0),
    ("RTX A4000", 448.0),
    ("4060 Laptop", 256.0),
)


def datasheet_gbs(gpu_name: str | None) -> float | None:
    if not gpu_name:
        return None
    for key, gbs in DATASHEET_GBS:
        if key.lower() in gpu_name.lower():
            return gbs
    return None


def bytes_per_token(model: str | Path, mean_context: float) -> dict[str, Any]:
    """Weight and KV-cache bytes one decoded token reads, from the GGUF header."""
    from gennai_desktop.llm.gguf_check import check_gguf

    info = check_gguf(model)
    arch = info.architecture
    md = info.metadata
    by_name = {t.name: t.n_bytes for t in info.tensors}
    weights = sum(by_name.values())
    tied = "output.weight" not in by_name
    if not tied:
        weights -= by_name.get("token_embd.weight", 0)
    n_layer = int(info.block_count or 0)
    n_head = int(md.get(f"{arch}.attention.head_count") or 1)
    n_head_kv = int(md.get(f"{arch}.attention.head_count_kv") or n_head)
    head_dim = int(md.get(f"{arch}.attention.key_length") or (info.embedding_length or 0) // n_head)
    kv_per_pos = 2 * n_layer * n_head_kv * head_dim * 2
    kv = int(kv_per_pos * mean_context)
    return {"file_bytes": info.size, "weight_bytes": weights, "tied_embeddings": tied,
            "kv_bytes_per_position": kv_per_pos, "mean_context": mean_context, "kv_bytes": kv,
            "total": weights + kv, "n_parameters": info.n_parameters, "quantisation": info.quantisation}


def bound(tps: float | None, bandwidth_gbs: float | None, per_token: int) -> dict[str, Any] | None:
    """{bound tokens/s, fraction of it reached}; None when either figure is missing."""
    if not bandwidth_gbs or not per_token:
        return None
    limit = bandwidth_gbs * 1e9 / per_token
    return {"bandwidth_gbs": bandwidth_gbs, "bound_tps": round(limit, 1),
            "fraction": round(tps / limit, 3) if tps else None}


def copy_bandwidth_gbs(n_bytes: int = 2 << 30, reps: int = 20) -> dict[str, Any]:
    """Device-to-device copy rate through PyTorch (read + write counted), or why not."""
    try:
        import torch
    except ImportError:
        return {"error": "PyTorch is not installed"}
    if not torch.cuda.is_available():
        return {"error": "no CUDA device visible to PyTorch"}
    src = torch.empty(n_bytes, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    for _ in range(3):
        dst.copy_(src)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(reps):
        dst.copy_(src)
    end.record()
    torch.cuda.synchronize()
    seconds = start.elapsed_time(end) / 1000.0
    name = torch.cuda.get_device_name(0)
    del src, dst
    torch.cuda.empty_cache()
    return {"device": name, "bytes": n_bytes, "reps": reps, "seconds": round(seconds, 4),
            "copy_gbs": round(2 * n_bytes * reps / seconds / 1e9, 1)}


def main() -> int:
    t0 = time.perf_counter()
    out = copy_bandwidth_gbs()
    out["wall"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(out))
    return 0 if "copy_gbs" in out else 1


if __name__ == "__main__":
    sys.exit(main())
