"""Offline installation bundle: manifest build/sign/verify, refusal before any write, install,
upgrade, uninstall, and the installed app's trust root (packs/offline_bundle.py, core/frozen.py)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner

from gennai_desktop.core import frozen, paths
from gennai_desktop.packs import offline_bundle as ob
from gennai_desktop.packs import trust

POSIX = os.name != "nt"


def _fake_app(folder: Path) -> Path:
    app = folder / "app-src"
    (app / "_internal" / "llama_cpp" / "lib").mkdir(parents=True)
    for name in ob.PROGRAMS:
        exe = app / name
        exe.write_bytes(b"#!/bin/sh\necho " + name.encode() + b"\n")
        exe.chmod(0o755)
    lib = app / "_internal" / "llama_cpp" / "lib" / "libggml.so.0.25.3"
    lib.write_bytes(os.urandom(4096))
    if POSIX:
        os.symlink("libggml.so.0.25.3", app / "_internal" / "llama_cpp" / "lib" / "libggml.so.0")
    return app


def _targets_signers(world) -> list:
    repo = world.repo
    return repo._signers_for(repo.load("root").signed, "targets")


@pytest.fixture
def bundle(world, tmp_path) -> Path:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(os.urandom(10_000))
    icon = tmp_path / "icon.svg"
    icon.write_text("<svg/>", encoding="utf-8")
    usb = world.bundle("usb")
    out = tmp_path / "bundle"
    ob.assemble_bundle(out, app=_fake_app(tmp_path), model=model, repo_dir=world.repo.folder,
                       signers=_targets_signers(world), packs=usb, icon=icon, version=5, app_version="0.1.0")
    return out


def _root_sha(bundle: Path) -> str:
    return hashlib.sha256((bundle / "root.json").read_bytes()).hexdigest()


def _empty_machine(tmp_path: Path) -> Path:
    m = tmp_path / "machine-fresh"
    return m


def test_manifest_lists_every_file_and_verifies(bundle):
    vb = ob.verify_bundle(bundle, root_sha256=_root_sha(bundle))
    on_disk = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*")
               if p.is_file() and not p.is_symlink()} - {ob.MANIFEST}
    assert set(vb.files) == on_disk
    assert vb.version == 5 and vb.app_version == "0.1.0" and vb.root_source == "pinned"
    assert "app/gennai" in vb.executables and "models/tiny.gguf" not in vb.executables
    if POSIX:
        assert vb.symlinks == {"app/_internal/llama_cpp/lib/libggml.so.0": "libggml.so.0.25.3"}
    assert vb.unlisted == []
    # the manifest is TUF targets metadata signed by the repository's targets key
    md = json.loads((bundle / ob.MANIFEST).read_text(encoding="utf-8"))
    assert md["signed"]["_type"] == "targets" and md["signed"][ob.MARKER]["format"] == ob.FORMAT
    assert md["signatures"]


def test_first_install_needs_the_root_fingerprint(bundle):
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.verify_bundle(bundle)
    assert exc.value.key == "offline.error.root_unpinned"
    assert _root_sha(bundle) in exc.value.message()
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.verify_bundle(bundle, root_sha256="0" * 64)
    assert exc.value.key == "offline.error.root_fingerprint"


def _assert_nothing_written(prefix: Path, machine: Path) -> None:
    assert not prefix.exists()
    assert not machine.exists()


@pytest.mark.parametrize("rel", ["models/tiny.gguf", "app/gennai", "machine.json",
                                 "app/_internal/llama_cpp/lib/libggml.so.0.25.3"])
def test_one_byte_change_is_refused_before_anything_is_written(bundle, tmp_path, rel):
    p = bundle / rel
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0x01
    p.write_bytes(bytes(data))
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    assert exc.value.key == "offline.error.hash_mismatch" and rel in exc.value.message()
    assert "何もインストールしていません" in exc.value.message()
    _assert_nothing_written(prefix, machine)


def test_truncated_file_is_refused(bundle, tmp_path):
    p = bundle / "models" / "tiny.gguf"
    p.write_bytes(p.read_bytes()[:5000])
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    assert exc.value.key == "offline.error.truncated"
    assert "5000" in exc.value.message() and "10000" in exc.value.message()
    _assert_nothing_written(prefix, machine)


def test_missing_file_and_truncated_manifest_are_refused(bundle, tmp_path):
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    raw = (bundle / ob.MANIFEST).read_bytes()
    (bundle / ob.MANIFEST).write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    assert exc.value.key == "offline.error.bad_manifest"
    (bundle / ob.MANIFEST).write_bytes(raw)
    (bundle / "app" / "gennai-admin").unlink()
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    assert exc.value.key == "offline.error.missing"
    _assert_nothing_written(prefix, machine)


def test_manifest_edited_or_signed_by_another_key_is_refused(bundle, tmp_path):
    sha = _root_sha(bundle)
    md = json.loads((bundle / ob.MANIFEST).read_text(encoding="utf-8"))
    # an attacker who adds a file and lists it, keeping the old signature
    (bundle / "app" / "evil").write_bytes(b"x")
    md["signed"]["targets"]["app/evil"] = {"length": 1, "hashes": {"sha256": hashlib.sha256(b"x").hexdigest()}}
    (bundle / ob.MANIFEST).write_text(json.dumps(md), encoding="utf-8")
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.verify_bundle(bundle, root_sha256=sha)
    assert exc.value.key == "offline.error.bad_signature"
    # re-signed with a key that is not the ministry's targets key
    ob.build_manifest(bundle, [CryptoSigner.generate_ed25519()], version=6, app_version="evil")
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.verify_bundle(bundle, root_sha256=sha)
    assert exc.value.key == "offline.error.bad_signature"


def test_a_pack_repository_targets_json_is_not_a_bundle(bundle, world):
    shutil.copyfile(world.repo.md_dir / "targets.json", bundle / ob.MANIFEST)
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.verify_bundle(bundle, root_sha256=_root_sha(bundle))
    assert exc.value.key == "offline.error.not_a_bundle"


def test_unlisted_files_are_reported_and_not_installed(bundle, tmp_path):
    (bundle / "app" / "dropped-on-usb.exe").write_bytes(b"MZ")
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    lines: list[str] = []
    ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle), log=lines.append)
    assert not (prefix / "app" / "dropped-on-usb.exe").exists()
    assert any("dropped-on-usb.exe" in line for line in lines)


def test_install_lays_out_prefix_machine_dir_and_desktop_entry(bundle, tmp_path):
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    rec = ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    assert (machine / "root.json").read_bytes() == (bundle / "root.json").read_bytes()
    assert json.loads((machine / "machine.json").read_text(encoding="utf-8")) == {"allow_developer_mode": False}
    assert (prefix / "models" / "tiny.gguf").is_file() and rec["bundled_model"] == str(prefix / "models" / "tiny.gguf")
    assert (prefix / "packs" / "usb" / "metadata" / "root.json").is_file()
    assert not list(prefix.glob(".staging-*")) and not list(prefix.glob(".old-*"))
    if POSIX:
        assert os.access(prefix / "app" / "gennai", os.X_OK)
        assert not os.access(prefix / "models" / "tiny.gguf", os.X_OK)
        assert (prefix / "app/_internal/llama_cpp/lib/libggml.so.0").resolve().name == "libggml.so.0.25.3"
        assert os.readlink(prefix / "bin" / "gennai") == os.path.join("..", "app", "gennai")
        for p in (machine, machine / "root.json", machine / "machine.json"):
            assert p.stat().st_mode & 0o022 == 0           # only the owner (root on a real install) writes
        desktop = Path(rec["desktop_file"]).read_text(encoding="utf-8")
        assert "application/pdf" in desktop and "wordprocessingml.document" in desktop
        assert f'Exec="{prefix / "app" / "gennai-desktop"}" %F' in desktop
        assert f"Icon={prefix / 'share' / 'icons' / 'gennai-desktop.svg'}" in desktop
    saved = json.loads((prefix / "install.json").read_text(encoding="utf-8"))
    assert saved["machine_dir"] == str(machine) and saved["bundle_version"] == 5


def test_upgrade_keeps_user_data_and_the_admins_policy_and_refuses_downgrade(world, bundle, tmp_path, monkeypatch):
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    user_home = tmp_path / "user-home"
    (user_home / "packs").mkdir(parents=True)
    (user_home / "packs" / "mine.txt").write_text("利用者のデータ", encoding="utf-8")
    (machine / "machine.json").write_text('{"allow_developer_mode": false, "edited": true}', encoding="utf-8")
    # version 7: the same root, so no fingerprint is needed: the installed root anchors it
    (bundle / "app" / "gennai").write_bytes(b"#!/bin/sh\necho v7\n")
    ob.build_manifest(bundle, _targets_signers(world), version=7, app_version="0.2.0")
    rec = ob.install_bundle(bundle, prefix=prefix, machine=machine)
    assert rec["bundle_version"] == 7 and (prefix / "app" / "gennai").read_bytes().endswith(b"v7\n")
    assert (user_home / "packs" / "mine.txt").read_text(encoding="utf-8") == "利用者のデータ"
    assert json.loads((machine / "machine.json").read_text(encoding="utf-8"))["edited"] is True
    ob.build_manifest(bundle, _targets_signers(world), version=6, app_version="0.1.5")
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.install_bundle(bundle, prefix=prefix, machine=machine)
    assert exc.value.key == "offline.error.downgrade"
    assert (prefix / "app" / "gennai").read_bytes().endswith(b"v7\n")


def test_upgrade_with_a_rotated_root_chains_from_the_installed_one(world, bundle, tmp_path):
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    world.repo.rotate("targets")                     # root v2, new targets key
    shutil.copyfile(world.repo.md_dir / "root.json", bundle / "root.json")
    for f in world.repo.md_dir.glob("*.root.json"):
        shutil.copyfile(f, bundle / "roots" / f.name)
    ob.build_manifest(bundle, _targets_signers(world), version=8, app_version="0.3.0")
    vb = ob.verify_bundle(bundle, installed_root=(machine / "root.json").read_bytes())
    assert vb.root_source == "upgraded" and vb.root.version == 2
    ob.install_bundle(bundle, prefix=prefix, machine=machine)
    assert (machine / "root.json").read_bytes() == (world.repo.md_dir / "root.json").read_bytes()
    # a bundle with a foreign root cannot replace the installed one, even with its own fingerprint pinned
    from gennai_desktop.packs.repo import KeyDirs, SigningRepo
    other = SigningRepo(tmp_path / "other", KeyDirs(online=tmp_path / "ok", root=tmp_path / "ork"))
    other.create(root_keys=1, root_threshold=1)
    other.rotate("targets")
    other.rotate("snapshot")                         # foreign root v3 > installed v2
    shutil.copyfile(other.md_dir / "root.json", bundle / "root.json")
    ob.build_manifest(bundle, other._signers_for(other.load("root").signed, "targets"), version=9, app_version="x")
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    assert exc.value.key == "offline.error.root_chain"
    assert (machine / "root.json").read_bytes() == (world.repo.md_dir / "root.json").read_bytes()


def test_uninstall_removes_what_was_installed_and_keeps_user_data(bundle, tmp_path):
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    rec = ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    (machine / "state").mkdir(exist_ok=True)            # the installer's policy record lives there
    (machine / "state" / "trust-state.json").write_text("{}", encoding="utf-8")
    home = Path(os.environ["GENNAI_HOME"])
    (home / "kept.txt").write_text("x", encoding="utf-8")
    ob.uninstall(prefix)
    assert not prefix.exists() and not machine.exists()
    if rec["desktop_file"]:
        assert not Path(rec["desktop_file"]).exists()
    assert (home / "kept.txt").is_file()
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.uninstall(prefix)
    assert exc.value.key == "offline.error.not_installed"


def test_installed_app_ignores_a_root_in_the_users_folder(world, bundle, tmp_path, monkeypatch):
    """What the frozen app does at start (core.frozen.apply_install_record) against a real
    installed prefix: the recorded machine folder wins over the user's GENNAI_MACHINE_DIR,
    and a root.json in the user's folder is not trusted even when developer mode is asked for
    (the installed machine policy forbids it)."""
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    user_machine = tmp_path / "user-controlled-machine-dir"
    user_machine.mkdir()
    monkeypatch.setenv("GENNAI_MACHINE_DIR", str(user_machine))
    monkeypatch.setenv("GENNAI_DEVELOPER_MODE", "1")
    # setenv first so monkeypatch restores the variable's absence after apply_install_record
    # sets it (delenv of an absent variable records nothing, and the model path leaked into
    # every later test)
    monkeypatch.setenv("GENNAI_BUNDLED_MODEL", "")
    monkeypatch.delenv("GENNAI_BUNDLED_MODEL")
    user_root = Path(os.environ["GENNAI_HOME"]) / "trust" / "root.json"
    user_root.parent.mkdir(parents=True)
    other = tmp_path / "other"
    from gennai_desktop.packs.repo import KeyDirs, SigningRepo
    SigningRepo(other / "repo", KeyDirs(online=other / "k", root=other / "rk")).create(root_keys=1, root_threshold=1)
    shutil.copyfile(other / "repo" / "metadata" / "root.json", user_root)
    monkeypatch.setattr(paths, "_PINNED_MACHINE_DIR", None)     # restored after the test
    rec = frozen.apply_install_record(prefix)
    assert rec is not None
    assert paths.machine_dir() == machine and os.environ["GENNAI_MACHINE_DIR"] == str(user_machine)
    assert os.environ["GENNAI_BUNDLED_MODEL"] == str(prefix / "models" / "tiny.gguf")
    status = trust.trust_status()
    assert status.source == "machine" and status.root_path == machine / "root.json"
    assert status.developer_mode_requested and status.developer_mode_forbidden and not status.developer_mode
    assert status.ignored_user_root == user_root
    assert trust.trusted_root_bytes() == (bundle / "root.json").read_bytes()


def test_frozen_child_entries_and_program_names(monkeypatch, tmp_path):
    import sys
    from gennai_desktop import entry
    from gennai_desktop.core import sandbox
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "app" / "gennai.exe"))
    for name in ("runner", "pdf", "ocr"):           # no paths on a child's command line
        assert sandbox.child_argv(name) == [sys.executable, sandbox.CHILD_FLAG, name]
        assert name in entry.CHILDREN
    assert entry.child_name(["gennai", sandbox.CHILD_FLAG, "ocr"]) == "ocr"
    assert entry.child_name(["gennai", "summarize"]) is None
    assert entry.program_for(sys.executable) is entry.PROGRAMS["gennai"]
    assert entry.program_for(str(tmp_path / "gennai-admin")) is entry.PROGRAMS["gennai-admin"]
    assert entry.program_for(str(tmp_path / "whatever")) is entry.PROGRAMS["gennai-desktop"]
    assert frozen.install_record() is None                        # no install.json beside app/
    monkeypatch.setattr(sys, "frozen", False)
    assert sandbox.child_argv("runner")[1:] == ["-I", "-m", "gennai_desktop", sandbox.CHILD_FLAG, "runner"]


def test_bad_manifest_paths_are_refused():
    for bad in ("../etc/passwd", "/abs", "a/../b", "a\\b", "C:x", "a//b", ""):
        with pytest.raises(ob.OfflineBundleError):
            ob._check_rel(bad)
    ob._check_rel("app/_internal/x.so")


def test_importing_the_tuf_client_opens_no_inet_socket():
    """urllib3 probes IPv6 at import by binding an AF_INET6 socket to ::1; the folder update
    of an air-gapped laptop must not open any AF_INET/AF_INET6 socket (packs/netquiet.py)."""
    import subprocess
    import sys
    code = (
        "import socket\n"
        "calls = []\n"
        "class Spy(socket.socket):\n"
        "    def __init__(self, family=-1, *a, **k):\n"
        "        calls.append(family)\n"
        "        super().__init__(family, *a, **k)\n"
        "socket.socket = Spy\n"
        "import gennai_desktop.packs.update, gennai_desktop.packs.fetchers\n"
        "import urllib3.util.connection as conn\n"
        "bad = [f for f in calls if f in (socket.AF_INET, socket.AF_INET6)]\n"
        "assert not bad, bad\n"
        "assert conn.HAS_IPV6 == socket.has_ipv6\n"
        "print('ok', len(calls))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=str(Path(__file__).resolve().parents[2]))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("ok")


def test_admin_cli_offline_commands(bundle, tmp_path, capsys):
    """gennai-admin offline-verify/-install/-uninstall (what install-offline.sh runs)."""
    from gennai_desktop.cli.admin import main
    prefix, machine, apps = tmp_path / "opt", tmp_path / "etc", tmp_path / "apps"
    common = ["--machine-dir", str(machine)]
    assert main(["offline-verify", str(bundle), *common]) == 7                 # no fingerprint, nothing installed
    assert "--root-sha256" in capsys.readouterr().err
    sha = _root_sha(bundle)
    assert main(["offline-verify", str(bundle), *common, "--root-sha256", sha]) == 0
    assert "SHA-256" in capsys.readouterr().out and not machine.exists()
    assert main(["offline-install", str(bundle), *common, "--root-sha256", sha, "--prefix", str(prefix),
                 "--desktop-dir", str(apps)]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["prefix"] == str(prefix) and (machine / "root.json").is_file()
    assert main(["offline-uninstall", "--prefix", str(prefix)]) == 0
    assert not prefix.exists() and not machine.exists() and not (apps / "gennai-desktop.desktop").exists()


# ---- hardening round 3 -----------------------------------------------------------------------------
def test_an_unwritable_machine_folder_is_found_before_anything_is_written(bundle, tmp_path):
    """A non-root run with --prefix but the default machine folder used to copy the program,
    then fail on the machine folder: a half install that could not be uninstalled."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    prefix = tmp_path / "opt"
    with pytest.raises(ob.OfflineBundleError) as exc:
        ob.install_bundle(bundle, prefix=prefix, machine=blocker / "etc", root_sha256=_root_sha(bundle))
    assert exc.value.key == "offline.error.not_writable"
    assert not prefix.exists()


def test_the_installed_verifier_refuses_an_older_bundle(world, bundle, tmp_path, capsys):
    from gennai_desktop.cli.admin import main as admin
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))   # version 5
    older = tmp_path / "older"
    model = tmp_path / "m.gguf"
    model.write_bytes(b"x" * 100)
    ob.assemble_bundle(older, app=_fake_app(tmp_path / "o"), model=model, repo_dir=world.repo.folder,
                       signers=_targets_signers(world), version=3, app_version="0.0.9")
    args = ["offline-verify", str(older), "--machine-dir", str(machine)]
    assert admin(args) == 0                                   # no prefix: signature and root only
    assert admin([*args, "--prefix", str(prefix)]) == 7      # EXIT_SECURITY
    assert "古い束" in capsys.readouterr().err
    assert admin([*args, "--prefix", str(prefix), "--allow-downgrade"]) == 0


@pytest.mark.skipif(not POSIX, reason="the shell installer")
def test_install_offline_sh_lets_the_installed_tool_decide_first(tmp_path):
    import subprocess
    prefix = tmp_path / "opt"
    calls = tmp_path / "calls.log"
    for where, verdict in ((prefix / "app", 1), (tmp_path / "bundle" / "app", 0)):
        where.mkdir(parents=True)
        tool = where / "gennai-admin"
        tool.write_text(f'#!/bin/sh\necho "{where.parent.name} $*" >> "{calls}"\nexit {verdict}\n')
        tool.chmod(0o755)
    script = Path(__file__).resolve().parents[2] / "installer" / "install-offline.sh"
    env = {k: v for k, v in os.environ.items() if k != "GENNAI_OFFLINE_ADMIN"}
    proc = subprocess.run(["bash", str(script), str(tmp_path / "bundle"), "--prefix", str(prefix)],
                          capture_output=True, text=True, env=env)
    assert proc.returncode != 0
    lines = calls.read_text().splitlines()
    assert lines == [f"opt offline-verify {tmp_path / 'bundle'} --prefix {prefix}"]   # the bundle's tool never ran


def test_uninstall_removes_only_what_this_installation_wrote(bundle, tmp_path):
    prefix, machine = tmp_path / "opt", tmp_path / "etc"
    ob.install_bundle(bundle, prefix=prefix, machine=machine, root_sha256=_root_sha(bundle))
    victims = [tmp_path / "victim.txt", tmp_path / "home" / ".bashrc"]
    for v in victims:
        v.parent.mkdir(parents=True, exist_ok=True)
        v.write_text("keep me")
    other_desktop = tmp_path / "apps" / "gennai-desktop.desktop"
    other_desktop.parent.mkdir()
    other_desktop.write_text("[Desktop Entry]\nExec=/usr/bin/something-else\n")
    rec_path = prefix / ob.INSTALL_RECORD
    rec = json.loads(rec_path.read_text())
    rec["machine_files"] += [str(v) for v in victims]
    rec["bin"] = [*rec.get("bin", []), str(tmp_path / "victim.txt")]
    rec["desktop_file"] = str(other_desktop)
    rec_path.write_text(json.dumps(rec))
    out = ob.uninstall(prefix)
    assert all(v.read_text() == "keep me" for v in victims) and other_desktop.exists()
    assert {str(v) for v in victims} <= set(out["skipped"])
    assert not prefix.exists() and not (machine / "root.json").exists()
