"""Hardening round 3: the signed ministry policy cannot be escaped from the user's side.

* The fail-closed record lives in the machine folder (written by the offline installer),
  so deleting one's packs folder or starting with a fresh GENNAI_HOME gives the ministry's
  policy again — and on a managed machine without any record, the strictest rules, not none.
* GENNAI_MACHINE_DIR is honoured on a managed machine only in developer mode that its
  machine policy allows (a user folder with another root.json made a rogue pack install and
  show as an official domestic model)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from gennai_desktop.core import paths
from gennai_desktop.core.paths import home_dir, machine_dir
from gennai_desktop.packs import offline_bundle as ob
from gennai_desktop.packs import trust
from gennai_desktop.packs.policy import DEV_PACK_ID, current_policy

from .helpers import update
from .test_offline_bundle import _fake_app, _root_sha, _targets_signers

STRICT = {"allowed_packs": ["acme-tiny"], "default_pack": "acme-tiny", "allow_dev_default": False,
          "locked_settings": {"history_retention_days": 7}, "audit_required": True}


@pytest.fixture
def user_cannot_write_the_machine_folder(monkeypatch):
    """What a real laptop user sees: /etc/gennai-desktop is root's (tests run as root, so the
    permission is simulated where the app asks for it)."""
    real = os.access
    monkeypatch.setattr(trust.os, "access",
                        lambda p, mode, *a, **k: False if Path(p) == machine_dir() and mode & os.W_OK else real(p, mode))


def test_deleting_the_packs_folder_no_longer_drops_the_policy(world, user_cannot_write_the_machine_folder):
    world.publish("acme-tiny", "1.0")
    world.repo.set_policy(STRICT)
    update(world.bundle(), pack_ids=[])
    p = current_policy()
    assert p.source == "signed" and not p.allowed(DEV_PACK_ID) and p.audit_required
    shutil.rmtree(home_dir() / "packs")                  # the user deletes their own folder
    p = current_policy()
    assert p.source == "tampered" and p.problem == "trust.policy.no_machine_record"
    assert not p.allowed(DEV_PACK_ID) and not p.allowed("acme-tiny") and p.audit_required


def test_the_installers_record_gives_the_ministrys_policy_to_a_fresh_home(world, tmp_path, monkeypatch,
                                                                          user_cannot_write_the_machine_folder):
    world.publish("acme-tiny", "1.0")
    world.repo.set_policy(STRICT)
    model = tmp_path / "tiny.gguf"
    model.write_bytes(os.urandom(1000))
    bundle = tmp_path / "bundle"
    ob.assemble_bundle(bundle, app=_fake_app(tmp_path), model=model, repo_dir=world.repo.folder,
                       signers=_targets_signers(world), version=3, app_version="0.1.0")
    machine = tmp_path / "etc"
    ob.install_bundle(bundle, prefix=tmp_path / "opt", machine=machine, root_sha256=_root_sha(bundle))
    assert json.loads((machine / "state" / "policy-record.json").read_text())["policy"]
    monkeypatch.setattr(paths, "_PINNED_MACHINE_DIR", machine)      # what the frozen app does
    fresh = tmp_path / "fresh-home"
    monkeypatch.setenv("GENNAI_HOME", str(fresh))                     # a new, empty GENNAI_HOME
    p = current_policy()
    assert p.source == "last_verified" and p.default_pack == "acme-tiny"
    assert not p.allowed(DEV_PACK_ID) and p.audit_required and p.locked_values == {"history_retention_days": 7}


def test_a_bundle_from_a_repository_without_policy_records_none(world, tmp_path, monkeypatch):
    model = tmp_path / "tiny.gguf"
    model.write_bytes(os.urandom(1000))
    bundle = tmp_path / "bundle"
    ob.assemble_bundle(bundle, app=_fake_app(tmp_path), model=model, repo_dir=world.repo.folder,
                       signers=_targets_signers(world), version=3, app_version="0.1.0")
    machine = tmp_path / "etc"
    ob.install_bundle(bundle, prefix=tmp_path / "opt", machine=machine, root_sha256=_root_sha(bundle))
    monkeypatch.setattr(paths, "_PINNED_MACHINE_DIR", machine)
    monkeypatch.setenv("GENNAI_HOME", str(tmp_path / "fresh-home"))
    p = current_policy()                                  # verified: the ministry has no policy
    assert p.source == "last_verified" and p.allowed(DEV_PACK_ID) and p.problem == ""


def test_machine_dir_override_on_a_managed_machine(tmp_path, monkeypatch):
    default = tmp_path / "etc-gennai"
    monkeypatch.setattr(paths, "default_machine_dir", lambda: default)
    rogue = tmp_path / "user-folder"
    monkeypatch.setenv("GENNAI_MACHINE_DIR", str(rogue))
    monkeypatch.delenv("GENNAI_DEVELOPER_MODE", raising=False)
    assert paths.machine_dir() == rogue                   # unmanaged: nothing to protect (tests, checkouts)
    default.mkdir()
    (default / "root.json").write_text("{}")              # managed by IT
    assert paths.machine_dir() == default
    monkeypatch.setenv("GENNAI_DEVELOPER_MODE", "1")
    assert paths.machine_dir() == rogue                   # developer mode, not forbidden
    (default / "machine.json").write_text(json.dumps({"allow_developer_mode": False}))
    assert paths.machine_dir() == default                 # the machine policy forbids it
    (default / "machine.json").write_text("{broken")
    assert paths.machine_dir() == default                 # unreadable policy: forbidden


def test_a_rogue_root_in_a_user_folder_is_not_trusted_on_a_managed_machine(world, tmp_path, monkeypatch):
    """The finding, end to end: another root.json in a folder the user controls."""
    default = tmp_path / "etc-gennai"
    default.mkdir()
    shutil.copyfile(machine_dir() / "root.json", default / "root.json")       # the ministry's root
    (default / "machine.json").write_text(json.dumps({"allow_developer_mode": False}))
    monkeypatch.setattr(paths, "default_machine_dir", lambda: default)
    from gennai_desktop.packs.repo import KeyDirs, SigningRepo
    rogue_repo = SigningRepo(tmp_path / "rogue" / "repo", KeyDirs(online=tmp_path / "rogue" / "k",
                                                                    root=tmp_path / "rogue" / "rk"))
    rogue_repo.create(root_keys=1, root_threshold=1)
    rogue = tmp_path / "user-folder"
    rogue.mkdir()
    shutil.copyfile(rogue_repo.md_dir / "root.json", rogue / "root.json")
    monkeypatch.setenv("GENNAI_MACHINE_DIR", str(rogue))
    monkeypatch.setenv("GENNAI_DEVELOPER_MODE", "1")
    assert trust.trusted_root_bytes() == (default / "root.json").read_bytes()
    assert trust.trust_status().source == "machine"
