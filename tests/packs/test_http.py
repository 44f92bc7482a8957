"""Updates from an HTTP mirror on loopback (http.server in a thread on 127.0.0.1), the same
client code as the folder path, plus the end-to-end checks that need a real model load:
the installed pack generates text through LlamaEngine, an embedded Jinja2 payload is never
rendered, and kill -9 in the middle of an install leaves the previous pack working."""
from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.events import run_to_result
from gennai_desktop.core.paths import home_dir
from gennai_desktop.core.settings import Settings
from gennai_desktop.app.models import ModelService
from gennai_desktop.llm.base import GenerationParams, Message
from gennai_desktop.packs import store
from gennai_desktop.packs.api import update_from_mirror
from gennai_desktop.packs.errors import PackError
from gennai_desktop.packs.manifest import template_sha256
from tests.support.tiny_gguf import make_tiny_gguf

from .helpers import assert_intact, flip_byte, verify_for_load

pytestmark = pytest.mark.enable_socket
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _plain_http_loopback_mirror(monkeypatch):
    """These mirrors are plain http on loopback: allowed only in the (reported) developer mode."""
    monkeypatch.setenv("GENNAI_DEVELOPER_MODE", "1")


def mirror_update(url: str, **kw):
    return run_to_result(update_from_mirror(url, **kw))


def test_mirror_happy_path_loads_and_generates(world, http_serve):
    from gennai_desktop.llm.engine import LlamaEngine
    from gennai_desktop.packs.loadtest import engine_load_test
    world.publish("acme-tiny", "1.0")
    url, log = http_serve(world.repo.folder)
    report = mirror_update(url, pack_ids=["acme-tiny"], load_test=engine_load_test)
    assert report.installed == [("acme-tiny", "1.0")]
    assert any(p.endswith("/1.root.json") is False and p.endswith("timestamp.json") for p in log)
    assert_intact("acme-tiny", "1.0")
    spec = ModelService(ModelService(Settings()).activate("acme-tiny")).active()
    verify_for_load(spec)
    engine = LlamaEngine(spec, n_ctx=256)
    try:
        gen = engine.generate("こんにちは", GenerationParams(max_tokens=8, temperature=0.0))
        text = "".join(gen)
        assert gen.n_tokens > 0 and text
    finally:
        engine.close()


def test_embedded_template_injection_is_never_rendered(world, http_serve, tmp_path):
    from gennai_desktop.llm.engine import LlamaEngine
    marker = tmp_path / "pwned"
    payload = ("{% for x in ().__class__.__base__.__subclasses__() %}{% endfor %}"
               f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}")
    evil = make_tiny_gguf(tmp_path / "evil.gguf", chat_template=payload)
    pinned = "{% for m in messages %}[{{ m.role }}] {{ m.content }}\n{% endfor %}[assistant] "
    world.publish("acme-chat", "1.0", gguf=evil, prompt_style="chat", chat_template=pinned,
                  chat_template_sha256=template_sha256(pinned))
    url, _ = http_serve(world.repo.folder)
    mirror_update(url, pack_ids=["acme-chat"])
    spec = ModelService(ModelService(Settings()).activate("acme-chat")).active()
    assert spec.chat_template == pinned
    engine = LlamaEngine(spec, n_ctx=256)
    try:
        assert engine.gguf_info.chat_template == payload          # the payload is in the file …
        prompt = engine.render_chat([Message("user", "要約してください")])
        assert prompt == "[user] 要約してください\n[assistant] "   # … but the pinned template is used
        gen = engine.generate(prompt, GenerationParams(max_tokens=4, temperature=0.0))
        "".join(gen)
    finally:
        engine.close()
    assert not marker.exists()


def test_http_changed_byte_and_oversize_are_rejected(world, http_serve):
    world.publish("acme-tiny", "1.0")
    url, _ = http_serve(world.repo.folder)
    mirror_update(url, pack_ids=["acme-tiny"])
    world.publish("acme-tiny", "1.1")
    target = world.repo.targets_dir / "vendors/acme/acme-tiny/1.1/model.gguf"
    original = target.read_bytes()
    flip_byte(target)
    with pytest.raises(PackError) as ei:
        mirror_update(url)
    assert ei.value.key == "packs.error.hash_mismatch"
    assert_intact("acme-tiny", "1.0")
    target.write_bytes(original + b"\0" * (1 << 20))
    with pytest.raises(PackError) as ei:
        mirror_update(url)
    assert ei.value.key == "packs.error.too_large"
    assert_intact("acme-tiny", "1.0")
    target.write_bytes(original)
    assert mirror_update(url).installed == [("acme-tiny", "1.1")]


def test_unreachable_mirror_is_a_clear_error(world):
    with pytest.raises(PackError) as ei:
        mirror_update("http://127.0.0.1:9/")        # discard port: nothing listens
    assert ei.value.key == "packs.error.unreachable"
    assert "packs.error" not in ei.value.message("en")


class StallingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files normally, but sends only the first part of ``stall_path`` and then
    waits (so a client is reliably in the middle of copying it)."""

    stall_suffix = ""
    release = threading.Event()
    requests: list[str] = []

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        type(self).requests.append(self.path)
        if not self.path.endswith(self.stall_suffix):
            return super().do_GET()
        data = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        self.release.wait(60)
        try:
            self.wfile.write(data[len(data) // 2:])
        except OSError:
            pass


def test_kill_9_during_install_keeps_the_previous_pack(world, http_serve, tmp_path):
    world.publish("acme-tiny", "1.0")
    url, _ = http_serve(world.repo.folder)
    mirror_update(url, pack_ids=["acme-tiny"])
    # v1.1 is ~1 MB so the client writes its first 400 kB chunk before the server stalls
    big = make_tiny_gguf(tmp_path / "big.gguf", seed=7, extra_kv={"general.description": "x" * 1_000_000})
    world.publish("acme-tiny", "1.1", gguf=big)
    handler = type("Stall", (StallingHandler,), {"stall_suffix": "1.1/model.gguf", "release": threading.Event(),
                                                 "requests": []})
    stall_url, _ = http_serve(world.repo.folder, handler)
    code = ("from gennai_desktop.packs.api import update_from_mirror\n"
            "from tests.support.events import run_to_result\n"
            f"run_to_result(update_from_mirror({stall_url!r}))\n")
    env = {**os.environ, "GENNAI_HOME": str(home_dir()), "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + 120
        partial = []
        while time.monotonic() < deadline and proc.poll() is None:
            partial = [p for p in store.staging_dir().rglob("*.part") if p.stat().st_size > 0]
            if partial:
                break
            time.sleep(0.05)
        assert partial, "the install never reached the copy"
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        handler.release.set()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    # Killed mid-copy: the previous pack is still the active one and verifies.
    assert store.read_active("acme-tiny") == {"version": "1.0", "previous": None}
    assert not store.version_dir("acme-tiny", "1.1").exists()
    assert "acme-tiny" in [s.id for s in ModelService(Settings()).available()]
    # The next update cleans the leftovers and completes.
    assert mirror_update(url).installed == [("acme-tiny", "1.1")]
    assert_intact("acme-tiny", "1.1")
