"""Hardening (issue 9): the mirror transport has an overall deadline and a minimum
throughput, follows redirects only within the mirror's origin, uses plain http only where
the signed policy names that http mirror, and every pack command gives a clean message
when GENNAI_HOME is read-only or full. Loopback servers only, each bounded in time."""
from __future__ import annotations

import errno
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.events import run_to_result
from gennai_desktop.core.paths import home_dir
from gennai_desktop.cli import packs as packs_cli
from gennai_desktop.packs import fetchers
from gennai_desktop.packs.api import update_from_mirror
from gennai_desktop.packs.errors import PackError

from .conftest import _QuietHandler
from .helpers import active, update


def mirror_update(url, **kw):
    return run_to_result(update_from_mirror(url, **kw))


@pytest.fixture
def dev_http(monkeypatch):
    monkeypatch.setenv("GENNAI_DEVELOPER_MODE", "1")      # plain http on loopback


@pytest.fixture
def fast_limits(monkeypatch):
    monkeypatch.setattr(fetchers, "GRACE_S", 0.6)
    monkeypatch.setattr(fetchers, "MIN_RATE", 200)
    monkeypatch.setattr(fetchers, "POLL_S", 0.05)


class Trickle(_QuietHandler):
    """timestamp.json one byte every 0.2 s (for at most 6 s), everything else normally."""

    def do_GET(self):  # noqa: N802
        type(self).requests.append(self.path)
        if not self.path.endswith("timestamp.json"):
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Length", "5000")
        self.end_headers()
        t_end = time.monotonic() + 6
        try:
            while time.monotonic() < t_end:
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass


class TrickleHeaders(_QuietHandler):
    """The status line and headers themselves one byte every 0.2 s (at most 6 s)."""

    def do_GET(self):  # noqa: N802
        type(self).requests.append(self.path)
        t_end = time.monotonic() + 6
        try:
            for ch in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 1000:
                if time.monotonic() > t_end:
                    break
                self.wfile.write(bytes([ch]))
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass
        self.close_connection = True


class Delay(_QuietHandler):
    def do_GET(self):  # noqa: N802
        time.sleep(0.3)
        super().do_GET()


@pytest.mark.enable_socket
def test_trickling_mirror_is_cut_off(world, http_serve, dev_http, fast_limits):
    url, _ = http_serve(world.repo.folder, Trickle)
    t0 = time.monotonic()
    with pytest.raises(PackError) as ei:
        mirror_update(url)
    assert ei.value.key == "hardening.mirror.too_slow", ei.value.key
    assert time.monotonic() - t0 < 4
    assert "遅すぎる" in ei.value.message("ja")


@pytest.mark.enable_socket
def test_mirror_trickling_its_headers_is_cut_off(world, http_serve, dev_http, fast_limits):
    url, _ = http_serve(world.repo.folder, TrickleHeaders)
    t0 = time.monotonic()
    with pytest.raises(PackError) as ei:
        mirror_update(url)
    assert ei.value.key == "hardening.mirror.too_slow", ei.value.key
    assert time.monotonic() - t0 < 4


@pytest.mark.enable_socket
def test_update_has_an_overall_deadline(world, http_serve, dev_http, fast_limits, monkeypatch):
    world.publish("acme-tiny", "1.0")
    monkeypatch.setattr(fetchers, "MIN_RATE", 1)
    monkeypatch.setattr(fetchers, "UPDATE_DEADLINE_S", 0.8)
    url, _ = http_serve(world.repo.folder, Delay)
    t0 = time.monotonic()
    with pytest.raises(PackError) as ei:
        mirror_update(url, pack_ids=["acme-tiny"])
    assert ei.value.key == "hardening.mirror.deadline", ei.value.key
    assert time.monotonic() - t0 < 3
    assert active("acme-tiny") is None


@pytest.mark.enable_socket
def test_redirect_to_another_origin_is_not_followed(world, http_serve, dev_http):
    other_url, other_log = http_serve(world.repo.folder)

    class Redirect(_QuietHandler):
        def do_GET(self):  # noqa: N802
            type(self).requests.append(self.path)
            if self.path.endswith("timestamp.json"):
                self.send_response(302)
                self.send_header("Location", other_url + self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_GET()

    url, _ = http_serve(world.repo.folder, Redirect)
    with pytest.raises(PackError) as ei:
        mirror_update(url)
    assert ei.value.key == "hardening.mirror.redirect", ei.value.key
    assert other_log == []                              # the other port was never contacted


@pytest.mark.enable_socket
def test_redirect_within_the_mirror_is_followed(world, http_serve, dev_http):
    world.publish("acme-tiny", "1.0")

    class SameOrigin(_QuietHandler):
        def do_GET(self):  # noqa: N802
            type(self).requests.append(self.path)
            if self.path.endswith("timestamp.json"):
                self.send_response(301)
                self.send_header("Location", self.path + "?moved=1")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            super().do_GET()

    url, log = http_serve(world.repo.folder, SameOrigin)
    assert mirror_update(url, pack_ids=["acme-tiny"]).installed == [("acme-tiny", "1.0")]
    assert any("moved=1" in p for p in log)


def test_plain_http_mirror_is_refused_without_policy():
    with pytest.raises(PackError) as ei:
        mirror_update("http://127.0.0.1:9/")
    assert ei.value.key == "hardening.mirror.http_not_allowed"
    assert "http" in ei.value.message("ja")


@pytest.mark.enable_socket
def test_plain_http_mirror_named_by_the_signed_policy_is_used(world, http_serve):
    world.publish("acme-tiny", "1.0")
    url, log = http_serve(world.repo.folder)
    world.repo.set_policy({"mirror_url": url + "/", "required_packs": ["acme-tiny"]})
    update(world.bundle())                              # the policy arrives by USB first
    with pytest.raises(PackError) as ei:
        mirror_update(url.replace("127.0.0.1", "localhost"))   # another origin: still refused
    assert ei.value.key == "hardening.mirror.http_not_allowed"
    world.publish("acme-tiny", "1.1")
    assert mirror_update(None).installed == [("acme-tiny", "1.1")]
    assert log


# ---- read-only / full GENNAI_HOME -----------------------------------------------------------
def _read_only_home(monkeypatch):
    home = home_dir()
    real_mkdir = Path.mkdir

    def mkdir(self, mode=0o777, parents=False, exist_ok=False):
        p = Path(self)
        if str(p).startswith(str(home)) and not p.exists():
            raise PermissionError(errno.EACCES, "Permission denied", str(p))
        return real_mkdir(self, mode, parents, exist_ok)

    def mkstemp(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(k.get("dir") or home))

    def mkdtemp(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(k.get("dir") or home))
    monkeypatch.setattr(Path, "mkdir", mkdir)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)


def _full_home(monkeypatch):
    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device", str(k.get("dir") or home_dir()))
    monkeypatch.setattr(tempfile, "mkstemp", full)
    monkeypatch.setattr(tempfile, "mkdtemp", full)


COMMANDS = [["packs", "list"], ["packs", "update", "--folder", "BUNDLE", "--quiet"],
            ["packs", "install", "acme-tiny", "--folder", "BUNDLE", "--quiet"],
            ["packs", "rollback", "acme-tiny", "--quiet"], ["packs", "verify", "--quiet"]]


@pytest.mark.parametrize("fault", ["read-only", "full"])
@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[1])
def test_every_pack_command_gives_a_clean_message(world, monkeypatch, capsys, fault, argv):
    world.publish("acme-tiny", "1.0")
    bundle = world.bundle()
    update(bundle, pack_ids=["acme-tiny"])
    world.publish("acme-tiny", "1.1")
    bundle = world.bundle("usb2")
    (_read_only_home if fault == "read-only" else _full_home)(monkeypatch)
    argv = [str(bundle) if a == "BUNDLE" else a for a in argv]
    rc = packs_cli.main(argv)                           # must not raise
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal" not in err.lower()
    if argv[1] == "list":
        assert rc == 0, err                             # listing works on a read-only / full home
    elif argv[1] in ("update", "install"):
        assert rc != 0 and any(w in err for w in ("書き込め", "読み書き")), err
        assert active("acme-tiny") == "1.0"
    else:
        assert rc in (0, 7)


@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_list_on_a_fresh_unwritable_home(monkeypatch, capsys, fault):
    (_read_only_home if fault == "read-only" else _full_home)(monkeypatch)
    assert packs_cli.main(["packs", "list"]) == 0
    assert "gemma3-270m-dev" in capsys.readouterr().out
