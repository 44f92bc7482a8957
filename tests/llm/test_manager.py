"""One engine for the app; switching settings closes the old model."""
from __future__ import annotations

from gennai_desktop.llm import manager
from gennai_desktop.llm.base import ModelSpec


def spec(path, id="tiny") -> ModelSpec:
    return ModelSpec(id=id, path=path, name_ja="テスト", name_en="tiny")


def test_same_spec_and_settings_reuse_the_engine(tiny_gguf):
    try:
        a = manager.get_engine(spec(tiny_gguf), n_threads=1, n_ctx=256)
        assert manager.get_engine(spec(tiny_gguf), n_threads=1, n_ctx=256) is a
        a.load()
        b = manager.get_engine(spec(tiny_gguf), n_threads=1, n_ctx=512)
        assert b is not a
        assert not a.loaded  # the old model was closed before the new one
        c = manager.get_engine(spec(tiny_gguf, id="other"), n_threads=1, n_ctx=512)
        assert c is not b
    finally:
        manager.unload()
    assert manager._engine is None


def test_unload_frees_the_model(tiny_gguf):
    eng = manager.get_engine(spec(tiny_gguf), n_threads=1, n_ctx=256)
    eng.load()
    manager.unload()
    assert not eng.loaded and manager._engine is None
    assert manager.get_engine(spec(tiny_gguf), n_threads=1, n_ctx=256) is not eng   # a fresh one after unload
    manager.unload()
    manager.unload()  # idempotent
