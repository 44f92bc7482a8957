"""Fixtures for the GPU check's CPU-side tests (bench/gpu_check, installer/gpu-check).

The check's helpers live outside the package (bench/ and installer/ are not installed), so
their folders are put on sys.path here, as the check's own run.sh does with PYTHONPATH."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
for folder in (REPO / "bench", REPO / "installer" / "gpu-check"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    """The two dry-run shapes, written once per session by the check's own generator."""
    from gpu_check.gguf_synth import write_model
    folder = tmp_path_factory.mktemp("gpu_check_models")
    return {name: Path(write_model(folder / f"{name}-Q4_K_M.gguf", name)["path"]) for name in ("tiny", "tiny-tied")}
