"""Drive ``gennai-tuf-client`` the way theupdateframework/tuf-conformance does: a subprocess
per command (init / refresh / download), exit code 0 or 1, metadata files without version
prefixes in METADATA_DIR, artifacts in TARGET_DIR, against a repository on loopback HTTP."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata

from .helpers import flip_byte

pytestmark = pytest.mark.enable_socket
REPO_ROOT = Path(__file__).resolve().parents[2]


class Client:
    def __init__(self, tmp: Path, metadata_url: str, targets_url: str) -> None:
        self.md = tmp / "client-metadata"
        self.tg = tmp / "client-targets"
        self.md.mkdir()
        self.tg.mkdir()
        self.metadata_url = metadata_url
        self.targets_url = targets_url

    def run(self, *args: str) -> int:
        cmd = [sys.executable, "-m", "gennai_desktop.cli.tuf_client", *args]
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        r = subprocess.run(cmd, env=env, cwd=REPO_ROOT, capture_output=True, timeout=120)
        self.last_stderr = r.stderr.decode(errors="replace")
        return r.returncode

    def init(self, root: Path) -> int:
        return self.run("--metadata-dir", str(self.md), "init", str(root))

    def refresh(self) -> int:
        return self.run("--metadata-url", self.metadata_url, "--metadata-dir", str(self.md), "refresh")

    def download(self, *names: str) -> int:
        args = ["--metadata-url", self.metadata_url, "--metadata-dir", str(self.md)]
        for n in names:
            args += ["--target-name", n]
        return self.run(*args, "--target-dir", str(self.tg), "--target-base-url", self.targets_url, "download")

    def version(self, role: str) -> int:
        return Metadata.from_file(str(self.md / f"{role}.json")).signed.version

    def artifacts(self) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in self.tg.iterdir() if p.is_file()}


@pytest.fixture
def served(world, http_serve, tmp_path):
    world.publish("acme-tiny", "1.0")
    # serve a "current" symlink so a test can swap the whole repository state (rollback)
    (tmp_path / "current").symlink_to(world.repo.folder)
    url, log = http_serve(tmp_path)
    client = Client(tmp_path, f"{url}/current/metadata", f"{url}/current/targets")
    assert client.init(world.repo.md_dir / "1.root.json") == 0
    return world, client, log


def test_init_refresh_download_and_cache(served):
    world, client, log = served
    assert client.refresh() == 0
    for role in ("root", "timestamp", "snapshot", "targets"):
        assert (client.md / f"{role}.json").is_file()
    assert not list(client.md.glob("[0-9]*.json"))           # no version-prefixed names
    assert client.version("timestamp") == world.repo.load("timestamp").signed.version
    name = "vendors/acme/acme-tiny/1.0/model.gguf"
    assert client.download(name, "packs/index.json") == 0, client.last_stderr
    got = client.artifacts()
    assert got["vendors%2Facme%2Facme-tiny%2F1.0%2Fmodel.gguf"] == (world.repo.targets_dir / name).read_bytes()
    fetched = sum(1 for p in log if p.endswith(name))
    assert client.download(name) == 0                           # cached: not fetched again
    assert sum(1 for p in log if p.endswith(name)) == fetched == 1


def test_tampered_target_fails_and_writes_nothing(served):
    world, client, _ = served
    flip_byte(world.repo.targets_dir / "vendors/acme/acme-tiny/1.0/model.gguf")
    assert client.download("vendors/acme/acme-tiny/1.0/model.gguf") == 1
    assert client.artifacts() == {}


def test_unknown_and_traversal_target_names_fail(served):
    world, client, _ = served
    for name in ("nothere.txt", "../../etc/passwd", "vendors/acme/../beta/x", ".."):
        assert client.download(name) == 1
    assert client.artifacts() == {}
    assert not (client.tg.parent.parent / "etc").exists()


def test_expired_timestamp_fails_refresh(served):
    world, client, _ = served
    world.repo.publish(timestamp_days=-1)
    assert client.refresh() == 1


def test_rollback_of_the_repository_fails_refresh(served, tmp_path):
    import shutil
    world, client, _ = served
    old = tmp_path / "old-repo"
    shutil.copytree(world.repo.folder, old)
    world.repo.publish()
    assert client.refresh() == 0
    newer = client.version("timestamp")
    (tmp_path / "current").unlink()
    (tmp_path / "current").symlink_to(old)
    assert client.refresh() == 1
    assert client.version("timestamp") == newer                   # trusted state unchanged


def test_root_rotation_is_followed(served, tmp_path):
    world, client, _ = served
    assert client.refresh() == 0
    world.repo.rotate("root", tmp_path / "newroot", new_keys=2, threshold=2)
    world.repo.rotate("snapshot")
    assert client.refresh() == 0
    assert client.version("root") == 3


def test_vendor_delegation_is_used_for_downloads(served):
    world, client, log = served
    assert client.download("vendors/acme/acme-tiny/1.0/manifest.json") == 0
    assert any(p.endswith("/vendor-acme.json") for p in log)
    assert not any(p.endswith("/vendor-beta.json") for p in log)  # terminating, path-restricted


def test_bad_command_lines_exit_1(served):
    _, client, _ = served
    assert client.run("--metadata-dir", str(client.md), "refresh") == 1       # no --metadata-url
    assert client.run("--metadata-dir", str(client.md), "frobnicate") == 1
    assert client.run("--metadata-dir", str(client.md), "--metadata-url", client.metadata_url, "download") == 1


def test_consistent_snapshot_repository(cs_world, http_serve, tmp_path):
    """The conformance suite mostly serves consistent snapshots: N.snapshot.json, N.targets.json
    and <sha256>.<name> targets. The client must request exactly those."""
    cs_world.publish("acme-tiny", "1.0")
    url, log = http_serve(cs_world.repo.folder)
    client = Client(tmp_path, f"{url}/metadata", f"{url}/targets")
    assert client.init(cs_world.repo.md_dir / "1.root.json") == 0
    name = "vendors/acme/acme-tiny/1.0/model.gguf"
    assert client.download(name) == 0, client.last_stderr
    snap_v = cs_world.repo.load("snapshot").signed.version
    assert f"/metadata/{snap_v}.snapshot.json" in log
    sha = next(iter(cs_world.repo.load("vendor-acme").signed.targets[name].hashes.values()))
    assert f"/targets/vendors/acme/acme-tiny/1.0/{sha}.model.gguf" in log
    assert list(client.artifacts().values()) == [(cs_world.repo.targets_dir / name).read_bytes()]


def test_consistent_snapshot_pack_update_from_folder(cs_world):
    from .helpers import assert_intact, update
    cs_world.publish("acme-tiny", "1.0")
    cs_world.publish("acme-tiny", "1.1")
    assert update(cs_world.bundle(), pack_ids=["acme-tiny"]).installed == [("acme-tiny", "1.1")]
    assert_intact("acme-tiny", "1.1")
    cs_world.repo.withdraw("acme-tiny", "1.0")
    assert not list((cs_world.repo.targets_dir / "vendors/acme/acme-tiny/1.0").glob("*model.gguf"))
