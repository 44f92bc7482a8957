"""Fixtures for the LLM engine tests: one tiny random-weight GGUF per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.tiny_gguf import make_tiny_gguf



@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory) -> Path:
    return make_tiny_gguf(tmp_path_factory.mktemp("tiny") / "tiny.gguf", context_length=256)


@pytest.fixture(scope="session")
def bundled_gguf(bundled_model_file) -> Path:
    """The assembled bundled model (never downloaded; see tests/conftest.py)."""
    return bundled_model_file
