"""Hardening (issue 9): gennai-admin keeps private keys outside the publishable repository,
encrypted at rest, and refuses to publish or export a tree that contains key material."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from gennai_desktop.core.errors import EXIT_OK, EXIT_SECURITY
from gennai_desktop.cli import admin as admin_cli
from gennai_desktop.packs import keys
from gennai_desktop.packs.errors import PackError
from tests.support.tiny_gguf import make_tiny_gguf


def admin(*args: str) -> int:
    return admin_cli.main(["--lang", "en", *args])


@pytest.fixture
def admin_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "admin-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def _publish_with_defaults(tmp_path) -> Path:
    """The documented workflow with no --keys: keys go to the default folder."""
    repo = tmp_path / "repo"
    common = ["--repo", str(repo)]
    assert admin("init", *common, "--root-keys", str(tmp_path / "usb-root"), "--root-key-count", "1",
                 "--root-threshold", "1") == EXIT_OK
    assert admin("add-vendor", *common, "--vendor", "acme") == EXIT_OK
    gguf = make_tiny_gguf(tmp_path / "m.gguf")
    assert admin("build-pack", "--gguf", str(gguf), "--out", str(tmp_path / "pack"), "--id", "acme-tiny",
                 "--version", "1.0", "--vendor", "acme", "--name-ja", "試験", "--name-en", "Tiny",
                 "--licence", "Apache-2.0", "--domestic") == EXIT_OK
    assert admin("add-pack", *common, "--pack", str(tmp_path / "pack")) == EXIT_OK
    assert admin("publish", *common) == EXIT_OK
    return repo


@pytest.mark.enable_socket
def test_published_folder_serves_no_private_key(tmp_path, admin_home, http_serve):
    repo = _publish_with_defaults(tmp_path)
    key_dir = admin_home / ".gennai-admin" / "keys"
    pems = sorted(p.name for p in key_dir.glob("*.pem"))
    assert {"targets.pem", "snapshot.pem", "timestamp.pem", "vendor-acme.pem"} <= set(pems)
    for p in key_dir.glob("*.pem"):
        assert p.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----"), p
    base, _log = http_serve(repo)
    for guess in ("/keys/targets.pem", "/keys/timestamp.pem", "/keys/vendor-acme.pem"):
        with pytest.raises(urllib.error.HTTPError) as ei:
            urllib.request.urlopen(base + guess, timeout=5)
        assert ei.value.code == 404
    served = [p for p in repo.rglob("*") if p.is_file()]
    assert served
    for p in served:
        body = urllib.request.urlopen(base + "/" + p.relative_to(repo).as_posix(), timeout=5).read()
        assert b"PRIVATE KEY" not in body, p


def test_keys_inside_the_repository_are_refused(tmp_path, admin_home, capsys):
    repo = tmp_path / "repo"
    assert admin("init", "--repo", str(repo), "--keys", str(repo / "keys"),
                 "--root-keys", str(tmp_path / "usb-root")) == EXIT_SECURITY
    assert "inside the repository" in capsys.readouterr().err
    assert not (repo / "keys").exists()


def test_publish_refuses_a_stray_private_key(tmp_path, admin_home, capsys):
    repo = _publish_with_defaults(tmp_path)
    stray = repo / "targets" / "backup.pem"
    stray.write_bytes((admin_home / ".gennai-admin" / "keys" / "targets.pem").read_bytes())
    capsys.readouterr()
    assert admin("publish", "--repo", str(repo)) == EXIT_SECURITY
    assert "private key" in capsys.readouterr().err


def test_export_bundle_never_ships_a_key(tmp_path, admin_home, capsys):
    repo = _publish_with_defaults(tmp_path)
    (repo / "metadata" / "notes.json").write_text(json.dumps(
        {"oops": "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI...\n-----END PRIVATE KEY-----"}))
    out = tmp_path / "usb"
    assert admin("export-bundle", "--repo", str(repo), "--out", str(out), "--expires-days", "7") == EXIT_SECURITY
    assert "private key" in capsys.readouterr().err
    assert keys.scan_for_private_keys(out) == []


def test_keys_are_encrypted_by_default_with_a_prompted_passphrase(tmp_path, monkeypatch):
    monkeypatch.delenv(keys.PASSPHRASE_ENV)
    monkeypatch.setattr(keys, "_cached", None)       # no passphrase remembered from another test
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    answers = iter(["kasumigaseki-2026", "kasumigaseki-2026"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    keys.generate_key(tmp_path, "targets")
    assert b"ENCRYPTED PRIVATE KEY" in (tmp_path / "targets.pem").read_bytes()
    assert keys.load_signer(tmp_path, "targets").public_key.keytype == "ed25519"   # cached, no 3rd prompt


def test_no_passphrase_and_no_terminal_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv(keys.PASSPHRASE_ENV)
    monkeypatch.setattr(keys, "_cached", None)       # no passphrase remembered from another test
    monkeypatch.setattr("sys.stdin.isatty", lambda: False, raising=False)
    with pytest.raises(PackError) as ei:
        keys.generate_key(tmp_path, "targets")
    assert ei.value.key == "hardening.admin.passphrase_needed"
    assert keys.PASSPHRASE_ENV in ei.value.message("ja")
    assert not (tmp_path / "targets.pem").exists()


@pytest.mark.parametrize("fmt", ["pkcs8-der", "pkcs8-der-encrypted", "pkcs1-der", "sec1-der", "openssh"])
def test_publish_refuses_a_der_or_openssh_private_key_in_the_repository(tmp_path, admin_home, capsys, fmt):
    """Hardening round 3: publish only looked for PEM headers, so a DER key went out."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from cryptography.hazmat.primitives.serialization import (BestAvailableEncryption, Encoding, NoEncryption,
                                                              PrivateFormat)
    key, enc, pf = {
        "pkcs8-der": (ed25519.Ed25519PrivateKey.generate(), Encoding.DER, PrivateFormat.PKCS8),
        "pkcs8-der-encrypted": (ed25519.Ed25519PrivateKey.generate(), Encoding.DER, PrivateFormat.PKCS8),
        "pkcs1-der": (rsa.generate_private_key(65537, 2048), Encoding.DER, PrivateFormat.TraditionalOpenSSL),
        "sec1-der": (ec.generate_private_key(ec.SECP256R1()), Encoding.DER, PrivateFormat.TraditionalOpenSSL),
        "openssh": (ed25519.Ed25519PrivateKey.generate(), Encoding.PEM, PrivateFormat.OpenSSH),
    }[fmt]
    crypt = BestAvailableEncryption(b"secret-pass") if fmt == "pkcs8-der-encrypted" else NoEncryption()
    data = key.private_bytes(enc, pf, crypt)
    if fmt == "openssh":          # the armour stripped: only the binary body is left
        import base64
        data = base64.b64decode(b"".join(data.splitlines()[1:-1]))
    repo = _publish_with_defaults(tmp_path)
    (repo / "targets" / "backup.key").write_bytes(data)
    assert keys.scan_for_private_keys(repo) == [repo / "targets" / "backup.key"]
    assert admin("publish", "--repo", str(repo)) == EXIT_SECURITY
    assert "private key" in capsys.readouterr().err


def test_ordinary_binary_files_are_not_taken_for_keys(tmp_path):
    (tmp_path / "model.gguf").write_bytes(b"GGUF" + os.urandom(5000))
    (tmp_path / "seq.der").write_bytes(bytes.fromhex("3003020101"))        # a DER SEQUENCE, not a key
    (tmp_path / "cert.json").write_text('{"x": 1}')
    assert keys.scan_for_private_keys(tmp_path) == []
