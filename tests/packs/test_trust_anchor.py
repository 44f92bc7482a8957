"""Hardening (issue 9): the trust anchor comes from the per-machine folder, the user folder
only in a reported developer mode; the offline view applies the online client's rules
(no rollback below the highest version seen, snapshot consistency, delegations verified
against the delegator that reaches them now) and says how old the metadata is."""
from __future__ import annotations

import json
import shutil

import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import DelegatedRole, Delegations, TargetFile

from gennai_desktop.core.paths import home_dir, machine_dir
from gennai_desktop.cli import packs as packs_cli
from gennai_desktop.packs import api, trust
from gennai_desktop.packs.errors import PackError
from gennai_desktop.packs.names import manifest_target
from gennai_desktop.packs.repo import KeyDirs, SigningRepo
from gennai_desktop.packs.verify import quick_status
from gennai_desktop.packs import store

from .conftest import World
from .helpers import active, update


def _attacker(tmp_path) -> World:
    """A self-made repository: its own root, its own vendor, a pack it signed."""
    repo = SigningRepo(tmp_path / "evil-repo", KeyDirs(online=tmp_path / "evil-keys", root=tmp_path / "evil-root"))
    repo.create(root_keys=1, root_threshold=1)
    repo.add_vendor("acme")
    w = World(tmp=tmp_path / "evil", repo=repo)
    w.tmp.mkdir()
    w.publish("acme-tiny", "6.6.6")
    return w


def _drop_user_root(w: World) -> None:
    dest = home_dir() / "trust" / "root.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(w.repo.md_dir / "1.root.json", dest)


def test_user_folder_root_is_ignored_when_the_machine_has_one(world, tmp_path):
    evil = _attacker(tmp_path)
    _drop_user_root(evil)
    with pytest.raises(PackError) as ei:
        update(evil.bundle(), pack_ids=["acme-tiny"])
    assert ei.value.key in ("packs.error.unsigned", "packs.error.repository")
    assert active("acme-tiny") is None
    st = trust.trust_status()
    assert st.source == "machine" and not st.developer_mode and st.ignored_user_root is not None


def test_user_folder_root_alone_is_not_a_trust_anchor(tmp_path):
    evil = _attacker(tmp_path)
    _drop_user_root(evil)
    with pytest.raises(PackError) as ei:
        update(evil.bundle(), pack_ids=["acme-tiny"])
    assert ei.value.key == "packs.error.no_trusted_root"
    assert [r.status for r in api.list_packs() if r.id == "acme-tiny"] == []


def test_developer_mode_uses_the_user_root_and_says_so(tmp_path, monkeypatch, capsys):
    evil = _attacker(tmp_path)
    _drop_user_root(evil)
    monkeypatch.setenv(trust.DEV_MODE_ENV, "1")
    update(evil.bundle(), pack_ids=["acme-tiny"])
    assert active("acme-tiny") == "6.6.6"
    st = trust.trust_status()
    assert st.source == "developer" and st.developer_mode
    assert packs_cli.main(["packs", "list"]) == 0
    err = capsys.readouterr().err
    assert "開発者モード" in err


def test_machine_policy_forbids_developer_mode(tmp_path, monkeypatch, capsys):
    evil = _attacker(tmp_path)
    _drop_user_root(evil)
    monkeypatch.setenv(trust.DEV_MODE_ENV, "1")
    machine_dir().mkdir(parents=True, exist_ok=True)
    (machine_dir() / "machine.json").write_text(json.dumps({"allow_developer_mode": False}))
    with pytest.raises(PackError) as ei:
        update(evil.bundle(), pack_ids=["acme-tiny"])
    assert ei.value.key == "packs.error.no_trusted_root"
    st = trust.trust_status()
    assert st.developer_mode_requested and st.developer_mode_forbidden and not st.developer_mode
    packs_cli.main(["packs", "list"])
    assert "禁止" in capsys.readouterr().err


def test_machine_dir_defaults(monkeypatch):
    from gennai_desktop.core import paths
    monkeypatch.delenv("GENNAI_MACHINE_DIR")
    import sys
    if sys.platform.startswith("linux"):
        assert str(paths.machine_dir()) == "/etc/gennai-desktop"
    monkeypatch.setenv("GENNAI_MACHINE_DIR", "/opt/gennai/etc")
    assert str(paths.machine_dir()) == "/opt/gennai/etc"


def _withdrawn_then_restored(world):
    world.publish("acme-tiny", "1.0")
    update(world.bundle("usb1"), pack_ids=["acme-tiny"])
    inst = store.active_installed("acme-tiny")
    assert quick_status(inst).ok
    md = home_dir() / "packs" / "tuf"
    saved = world.tmp / "old-cache"
    shutil.copytree(md, saved)
    world.repo.withdraw("acme-tiny", "1.0")      # e.g. a vulnerable version is withdrawn
    update(world.bundle("usb2"))
    assert quick_status(inst).status == "withdrawn"
    return inst, md, saved


def test_offline_view_refuses_metadata_rolled_back_below_the_highest_seen(world):
    inst, md, saved = _withdrawn_then_restored(world)
    shutil.rmtree(md)
    shutil.copytree(saved, md)                   # the user puts the old, validly signed cache back
    assert trust.trusted_view() is None
    assert quick_status(inst).status == "untrusted"


def test_highest_versions_go_to_the_machine_dir_on_a_writable_managed_install(world):
    world.publish("acme-tiny", "1.0")
    update(world.bundle("usb1"), pack_ids=["acme-tiny"])
    assert quick_status(store.active_installed("acme-tiny")).ok      # resolves vendor-acme too
    rec = json.loads((machine_dir() / "state" / trust.STATE_NAME).read_text())
    assert rec["versions"]["targets"] >= 2 and rec["versions"]["vendor-acme"] >= 2
    # deleting the user copy does not reset anything: the machine record still holds
    (home_dir() / "packs" / trust.STATE_NAME).unlink(missing_ok=True)
    assert trust.load_state()["versions"] == rec["versions"]


def test_targets_newer_than_the_snapshot_is_refused(world):
    world.publish("acme-tiny", "1.0")
    update(world.bundle("usb1"), pack_ids=["acme-tiny"])
    t_md = world.repo.load("targets")
    world.repo._resign_targets(t_md)             # signed, but listed by no snapshot
    shutil.copyfile(world.repo.md_dir / "targets.json", home_dir() / "packs/tuf/targets.json")
    assert trust.trusted_view() is None


def test_cached_role_is_verified_against_current_delegator(world):
    """vendor-beta delegates a sub-role that happens to share vendor-acme's name, to a key
    acme does not hold. acme's role must not count for beta's paths because it was already
    verified (under that name) through the ministry's delegation to acme."""
    world.publish("acme-tiny", "1.0")
    repo = world.repo
    stranger = CryptoSigner.generate_ed25519()
    beta = repo.load("vendor-beta")
    beta.signed.delegations = Delegations(keys={stranger.public_key.keyid: stranger.public_key}, roles={
        "vendor-acme": DelegatedRole(name="vendor-acme", keyids=[stranger.public_key.keyid], threshold=1,
                                     terminating=True, paths=["vendors/beta/*/*/*"])})
    repo._resign_vendor("beta", beta)
    evil_name = manifest_target("beta", "beta-model", "9.9")
    acme = repo.load("vendor-acme")
    acme.signed.targets[evil_name] = TargetFile.from_data(evil_name, b"{}", ["sha256"])
    repo._resign_vendor("acme", acme)
    repo.publish()
    cache = home_dir() / "packs" / "tuf"
    update(world.bundle("usb1"))                 # cache the top-level roles
    for role in ("timestamp", "snapshot", "targets", "vendor-acme", "vendor-beta"):
        shutil.copyfile(repo.md_dir / f"{role}.json", cache / f"{role}.json")
    view = trust.trusted_view()
    assert view is not None
    assert view.lookup(manifest_target("acme", "acme-tiny", "1.0"))[1] == "vendor-acme"
    try:
        found = view.lookup(evil_name)
    except Exception:  # noqa: BLE001 - refusing (unsigned by the delegated key) is the expected outcome
        found = None
    assert found is None, found
    assert quick_status(store.active_installed("acme-tiny")).ok if store.active_installed("acme-tiny") else True


def test_metadata_age_is_exposed(world):
    world.publish("acme-tiny", "1.0")
    update(world.bundle("usb1"), pack_ids=["acme-tiny"])
    view = trust.trusted_view()
    assert view.age is not None and 0 <= view.age.total_seconds() < 120
    assert view.expired is False and view.stale == []
