"""One engine for the app; switching settings closes the old model; one generation at a time."""
from __future__ import annotations

import threading
import time

from gennai_desktop.llm import manager
from gennai_desktop.llm.base import GenerationParams, ModelSpec


def spec(path, id="tiny") -> ModelSpec:
    return ModelSpec(id=id, path=path, name_ja="テスト", name_en="tiny")


def test_same_spec_and_settings_reuse_the_engine(tiny_gguf):
    try:
        a = manager.get_engine(spec(tiny_gguf), n_threads=1, n_ctx=256)
        assert manager.get_engine(spec(tiny_gguf), n_threads=1, n_ctx=256) is a
        assert manager.current_engine() is a
        a.load()
        b = manager.get_engine(spec(tiny_gguf), n_threads=1, n_ctx=512)
        assert b is not a
        assert not a.loaded  # the old model was closed before the new one
        c = manager.get_engine(spec(tiny_gguf, id="other"), n_threads=1, n_ctx=512)
        assert c is not b
    finally:
        manager.unload()
    assert manager.current_engine() is None


def test_unload_frees_the_model(tiny_gguf):
    eng = manager.get_engine(spec(tiny_gguf), n_threads=1, n_ctx=256)
    eng.load()
    manager.unload()
    assert not eng.loaded and manager.current_engine() is None
    manager.unload()  # idempotent


def test_generation_lock_serialises_work(tiny_gguf):
    eng = manager.get_engine(spec(tiny_gguf), n_threads=1, n_ctx=256)
    order: list[str] = []
    inside = threading.Event()

    def first():
        with manager.generation_lock():
            inside.set()
            order.append("first-start")
            list(eng.generate("一", GenerationParams(max_tokens=5, detect_degenerate=False)))
            time.sleep(0.1)
            order.append("first-end")

    def second():
        inside.wait()
        assert manager.busy()
        with manager.generation_lock():
            order.append("second-start")
            list(eng.generate("二", GenerationParams(max_tokens=5, detect_degenerate=False)))
            order.append("second-end")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    manager.unload()
    assert order == ["first-start", "first-end", "second-start", "second-end"]
    assert not manager.busy()
