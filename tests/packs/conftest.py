"""Fixtures for pack tests: a real signing repository made with the admin API, tiny GGUFs,
the trusted root installed where the laptop looks for it, and a loopback HTTP server."""
from __future__ import annotations

import http.server
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from gennai_desktop.core.paths import machine_dir
from gennai_desktop.packs.build import build_pack
from gennai_desktop.packs.manifest import Manifest
from gennai_desktop.packs.repo import KeyDirs, SigningRepo
from tests.support.tiny_gguf import make_tiny_gguf


@dataclass
class World:
    tmp: Path
    repo: SigningRepo
    seeds: dict = field(default_factory=dict)

    def build(self, pack_id: str = "acme-tiny", version: str = "1.0", vendor: str = "acme", *,
              gguf: Path | None = None, **fields) -> Path:
        """A pack folder (manifest.json + model.gguf) made by the admin tool's build_pack."""
        seed = self.seeds.setdefault((pack_id, version), len(self.seeds) + 1)
        src = gguf or make_tiny_gguf(self.tmp / f"src-{pack_id}-{version}.gguf", seed=seed)
        out = self.tmp / f"pack-{pack_id}-{version}"
        data = {"id": pack_id, "version": version, "vendor": vendor, "name_ja": f"{pack_id} 日本語",
                "name_en": pack_id, "licence": "Apache-2.0", "domestic": True, **fields}
        build_pack(src, out, data)
        return out

    def publish(self, pack_id: str = "acme-tiny", version: str = "1.0", vendor: str = "acme", **kw) -> Manifest:
        return self.repo.add_pack(self.build(pack_id, version, vendor, **kw))

    def bundle(self, name: str = "usb", days: float = 14) -> Path:
        out = self.tmp / name
        if out.exists():
            shutil.rmtree(out)
        return self.repo.export_bundle(out, expires_days=days)


def install_trust(repo: SigningRepo, version: int = 1) -> Path:
    """The ministry root where the installer puts it: the per-machine folder."""
    dest = machine_dir() / "root.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(repo.md_dir / f"{version}.root.json", dest)
    return dest


@pytest.fixture(autouse=True)
def _japanese_after_each_test():
    """CLI --lang switches the process language; never let it leak into other tests."""
    yield
    from gennai_desktop.core.i18n import set_language
    set_language("ja")


def make_world(tmp_path: Path, *, consistent_snapshot: bool = False) -> World:
    repo = SigningRepo(tmp_path / "repo", KeyDirs(online=tmp_path / "keys", root=tmp_path / "rootkeys"))
    repo.create(root_keys=3, root_threshold=2, consistent_snapshot=consistent_snapshot)
    repo.add_vendor("acme")
    repo.add_vendor("beta")
    install_trust(repo)
    return World(tmp=tmp_path, repo=repo)


@pytest.fixture
def world(tmp_path) -> World:
    return make_world(tmp_path)


@pytest.fixture
def cs_world(tmp_path) -> World:
    """A repository with consistent snapshots (versioned metadata, hash-prefixed targets)."""
    return make_world(tmp_path, consistent_snapshot=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:  # noqa: N802
        type(self).requests.append(self.path)
        super().do_GET()


@pytest.fixture
def http_serve():
    """Serve a folder on 127.0.0.1 (random port); returns (base_url, request_log)."""
    servers = []

    def start(folder: Path, handler_cls=None):
        log: list[str] = []
        cls = handler_cls or type("H", (_QuietHandler,), {"requests": log})
        if handler_cls is not None:
            cls.requests = log

        def factory(*a, **k):
            return cls(*a, directory=str(folder), **k)

        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), factory)
        srv.daemon_threads = True
        t = threading.Thread(target=srv.serve_forever, daemon=True)
        t.start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}", log

    yield start
    for srv in servers:
        srv.shutdown()
        srv.server_close()
