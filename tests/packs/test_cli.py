"""The two command lines: ``gennai-admin`` (ministry IT) and ``gennai packs`` (the laptop),
run through their ``main`` functions exactly as the console scripts do."""
from __future__ import annotations

import json
import shutil

import pytest

from gennai_desktop.core.errors import EXIT_SECURITY
from gennai_desktop.core.i18n import set_language
from gennai_desktop.core.paths import home_dir, machine_dir
from gennai_desktop.cli import admin as admin_cli, packs as packs_cli
from gennai_desktop.packs import store
from gennai_desktop.packs.policy import current_policy
from tests.support.tiny_gguf import make_tiny_gguf


def admin(*args: str) -> int:
    return admin_cli.main(["--lang", "en", *args])


def test_admin_workflow_then_laptop_cli(tmp_path, capsys):
    repo, keys, rootkeys = str(tmp_path / "repo"), str(tmp_path / "keys"), str(tmp_path / "offline-root")
    common = ["--repo", repo, "--keys", keys]
    assert admin("init", *common, "--root-keys", rootkeys, "--root-key-count", "3", "--root-threshold", "2") == 0
    assert sorted(p.name for p in (tmp_path / "offline-root").glob("*.pem")) == ["root-1.pem", "root-2.pem", "root-3.pem"]
    assert not list((tmp_path / "keys").glob("root-*"))            # root keys only on the offline media
    assert admin("add-vendor", *common, "--vendor", "acme") == 0
    gguf = make_tiny_gguf(tmp_path / "m.gguf")
    assert admin("build-pack", "--gguf", str(gguf), "--out", str(tmp_path / "pack"), "--id", "acme-tiny",
                 "--version", "1.0", "--vendor", "acme", "--name-ja", "小さな試験モデル", "--name-en", "Tiny",
                 "--licence", "Apache-2.0", "--domestic") == 0
    assert admin("add-pack", *common, "--pack", str(tmp_path / "pack")) == 0
    assert admin("add-pack", *common, "--pack", str(tmp_path / "pack")) == EXIT_SECURITY   # same version twice
    assert "already published" in capsys.readouterr().err
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"allowed_packs": ["acme-tiny"], "required_packs": ["acme-tiny"],
                                  "default_pack": "acme-tiny", "mirror_url": "https://packs.example.go.jp/",
                                  "locked_settings": {"n_gpu_layers": 0}}))
    assert admin("set-policy", *common, "--policy", str(policy)) == 0
    assert admin("export-bundle", *common, "--out", str(tmp_path / "usb"), "--expires-days", "30") == 0
    capsys.readouterr()
    assert admin("status", *common) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["root"]["version"] == 1 and [p["id"] for p in status["packs"]] == ["acme-tiny"]
    assert status["vendor-acme"]["version"] >= 2
    # the laptop (another process, Japanese UI): trusted root from the installer, then the USB stick
    set_language("ja")
    machine_dir().mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "repo/metadata/1.root.json", machine_dir() / "root.json")
    assert packs_cli.main(["packs", "update", "--folder", str(tmp_path / "usb"), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "acme-tiny 1.0" in out                                 # required by policy: installed
    assert store.read_active("acme-tiny")["version"] == "1.0"
    pol = current_policy()
    assert pol.source == "signed" and pol.default_pack == "acme-tiny" and pol.locked_settings == {"n_gpu_layers"}
    assert not pol.allowed("someone-else")
    assert packs_cli.main(["packs", "list"]) == 0
    listing = capsys.readouterr().out
    assert "acme-tiny" in listing and "vendor-acme" in listing
    assert packs_cli.main(["packs", "verify", "--quiet"]) == 0
    assert packs_cli.main(["packs", "rollback", "acme-tiny", "--quiet"]) == EXIT_SECURITY   # nothing to go back to
    assert "以前の版がありません" in capsys.readouterr().err
    # withdraw, re-export, update: the pack is reported and no longer verifies
    assert admin("withdraw", *common, "--pack-id", "acme-tiny", "--version", "1.0") == 0
    shutil.rmtree(tmp_path / "usb")
    assert admin("export-bundle", *common, "--out", str(tmp_path / "usb"), "--expires-days", "30") == 0
    assert packs_cli.main(["packs", "update", "--folder", str(tmp_path / "usb"), "--quiet"]) == 0
    assert packs_cli.main(["packs", "verify", "--quiet"]) == EXIT_SECURITY


def test_admin_errors_are_messages_not_tracebacks(tmp_path, capsys):
    assert admin("add-vendor", "--repo", str(tmp_path / "none"), "--vendor", "x") == EXIT_SECURITY
    err = capsys.readouterr().err
    assert "No signing repository" in err and "Traceback" not in err
    assert admin("set-policy", "--repo", str(tmp_path / "none"), "--policy", str(tmp_path / "missing.json")) != 0
    assert "Traceback" not in capsys.readouterr().err


def test_admin_refuses_a_policy_the_client_would_reject(world, tmp_path):
    from gennai_desktop.packs.errors import PackError
    from pydantic import ValidationError
    with pytest.raises((PackError, ValidationError)):
        world.repo.set_policy({"locked_settings": {"no_such_setting": 1}})


def test_admin_refuses_a_pack_whose_gguf_does_not_match(world, tmp_path):
    from gennai_desktop.packs.errors import PackError
    folder = world.build()
    (folder / "model.gguf").write_bytes(make_tiny_gguf(tmp_path / "other.gguf", seed=42).read_bytes())
    with pytest.raises(PackError) as ei:
        world.repo.add_pack(folder)
    assert ei.value.key == "packs.error.gguf_mismatch"


def test_encrypted_keys_need_the_passphrase(tmp_path, monkeypatch):
    from gennai_desktop.packs.errors import PackError
    from gennai_desktop.packs.keys import PASSPHRASE_ENV, generate_key, load_signer
    monkeypatch.setenv(PASSPHRASE_ENV, "correct horse")
    generate_key(tmp_path, "root-1")
    assert b"ENCRYPTED" in (tmp_path / "root-1.pem").read_bytes()
    assert load_signer(tmp_path, "root-1").public_key.keytype == "ed25519"
    monkeypatch.setenv(PASSPHRASE_ENV, "wrong")
    with pytest.raises(PackError) as ei:
        load_signer(tmp_path, "root-1")
    assert ei.value.key == "packs.admin.key_unreadable"


def test_admin_rotation_and_pinned_template_through_the_cli(tmp_path):
    from gennai_desktop.packs.manifest import load_manifest, template_sha256
    repo, keys = str(tmp_path / "repo"), str(tmp_path / "keys")
    common = ["--repo", repo, "--keys", keys]
    assert admin("init", *common, "--root-keys", str(tmp_path / "root-a")) == 0
    assert admin("add-vendor", *common, "--vendor", "acme") == 0
    tpl = tmp_path / "reviewed.jinja"
    tpl.write_text("{% for m in messages %}{{ m.content }}{% endfor %}", encoding="utf-8")
    assert admin("build-pack", "--gguf", str(make_tiny_gguf(tmp_path / "m.gguf")), "--out", str(tmp_path / "p"),
                 "--id", "acme-chat", "--version", "2", "--vendor", "acme", "--name-ja", "対話", "--name-en", "Chat",
                 "--licence", "MIT", "--not-domestic", "--prompt-style", "chat", "--chat-template", str(tpl)) == 0
    m = load_manifest(tmp_path / "p/manifest.json")
    assert m.chat_template_sha256 == template_sha256(tpl.read_text(encoding="utf-8")) and not m.domestic
    assert admin("add-pack", *common, "--pack", str(tmp_path / "p")) == 0
    machine_dir().mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "repo/metadata/1.root.json", machine_dir() / "root.json")
    assert admin("export-bundle", *common, "--out", str(tmp_path / "usb1"), "--expires-days", "7") == 0
    assert packs_cli.main(["packs", "install", "acme-chat", "--folder", str(tmp_path / "usb1"), "--quiet"]) == 0
    # key ceremony #2: replace all root keys (old 2-of-3 sign together with the new 2-of-3)
    assert admin("rotate-keys", *common, "--root-keys", str(tmp_path / "root-a"), "--role", "root",
                 "--new-root-keys", str(tmp_path / "root-b"), "--count", "3", "--threshold", "2") == 0
    assert admin("rotate-keys", *common, "--root-keys", str(tmp_path / "root-b"), "--role", "timestamp") == 0
    assert admin("rotate-vendor-key", *common, "--vendor", "acme") == 0
    assert admin("export-bundle", *common, "--out", str(tmp_path / "usb2"), "--expires-days", "7") == 0
    assert packs_cli.main(["packs", "update", "--folder", str(tmp_path / "usb2"), "--quiet"]) == 0
    assert packs_cli.main(["packs", "verify", "--quiet"]) == 0
    assert (home_dir() / "packs/tuf/root_history/3.root.json").is_file()
    # the old root keys alone can no longer rotate anything
    assert admin("rotate-keys", *common, "--root-keys", str(tmp_path / "root-a"), "--role", "snapshot") == EXIT_SECURITY
