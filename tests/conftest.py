"""Shared test fixtures. Sockets are disabled for every test (pytest-socket, see
pyproject addopts); a test that serves loopback on purpose marks itself with
``@pytest.mark.enable_socket`` and binds 127.0.0.1 only."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("GENNAI_CORPUS", REPO.parent / "shared" / "corpus"))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own GENNAI_HOME and GENNAI_MACHINE_DIR so settings/packs/autosave never leak."""
    home = tmp_path_factory.mktemp("gennai_home")
    monkeypatch.setenv("GENNAI_HOME", str(home))
    # the per-machine folder (trusted root, machine policy) is per test too, never /etc
    monkeypatch.setenv("GENNAI_MACHINE_DIR", str(tmp_path_factory.mktemp("gennai_machine")))
    monkeypatch.delenv("GENNAI_DEVELOPER_MODE", raising=False)
    # admin keys are always encrypted; tests use the automation variable instead of a prompt
    monkeypatch.setenv("GENNAI_ADMIN_KEY_PASSPHRASE", "test passphrase for gennai-admin")
    yield home


@pytest.fixture(scope="session")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture(scope="session")
def ja_corpus(corpus) -> Path:
    return corpus / "ja"


@pytest.fixture(scope="session")
def malformed_corpus(corpus) -> Path:
    return corpus / "malformed"
