"""Updating from a folder (USB stick / shared folder) through the real TUF client.

Every attack or fault must leave the current pack active and verified, remove temp files
and give a clear message (the i18n key is asserted, and that it renders as a sentence)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from tuf.api.exceptions import DownloadHTTPError

from gennai_desktop.core.cancel import CancelToken, Cancelled
from gennai_desktop.core.events import Done, Notice, Progress
from tests.support.events import run_to_result
from gennai_desktop.core.paths import home_dir, machine_dir
from gennai_desktop.core.settings import Settings
from gennai_desktop.app.models import ModelService
from gennai_desktop.packs import api, store
from gennai_desktop.packs.errors import PackError
from gennai_desktop.packs.fetchers import DirectoryFetcher, folder_urls
from gennai_desktop.packs.names import check_target_name
from gennai_desktop.packs.verify import quick_status, verify_full
from tests.support.tiny_gguf import all_malformed, make_tiny_gguf

from .helpers import active, add_index_entry, assert_intact, flip_byte, rogue_publish, update, verify_for_load


def _installed_v1(world) -> Path:
    world.publish("acme-tiny", "1.0")
    usb = world.bundle("usb1")
    report = update(usb, pack_ids=["acme-tiny"])
    assert report.installed == [("acme-tiny", "1.0")]
    assert_intact("acme-tiny", "1.0")
    return usb


def _error(exc_info, key: str) -> None:
    assert exc_info.value.key == key, (exc_info.value.key, exc_info.value.params)
    for lang in ("ja", "en"):
        msg = exc_info.value.message(lang)
        assert msg and not msg.startswith("packs."), msg


def test_happy_path_install_list_activate(world):
    _installed_v1(world)
    rows = {r.id: r for r in api.list_packs()}
    row = rows["acme-tiny"]
    assert (row.status, row.signed_by, row.domestic, row.vendor) == ("verified", "vendor-acme", True, "acme")
    assert rows["gemma3-270m-dev"].status == "bundled"
    assert "acme-tiny" in [s.id for s in ModelService(Settings()).available()]
    settings = ModelService(Settings()).activate("acme-tiny")
    spec = ModelService(settings).active()
    assert spec.id == "acme-tiny" and spec.path == store.version_dir("acme-tiny", "1.0") / "model.gguf"
    verify_for_load(spec)              # full hash against the signed metadata


def test_newer_version_replaces_and_previous_is_kept(world):
    _installed_v1(world)
    world.publish("acme-tiny", "1.1")
    report = update(world.bundle("usb2"))        # installed packs are updated without naming them
    assert report.installed == [("acme-tiny", "1.1")]
    assert store.read_active("acme-tiny") == {"version": "1.1", "previous": "1.0"}
    assert_intact("acme-tiny", "1.1")
    assert store.versions("acme-tiny") == ["1.0", "1.1"]


def test_changed_byte_in_gguf_is_rejected(world):
    _installed_v1(world)
    world.publish("acme-tiny", "1.1")
    usb = world.bundle("usb2")
    flip_byte(usb / "targets/vendors/acme/acme-tiny/1.1/model.gguf")
    with pytest.raises(PackError) as ei:
        update(usb)
    _error(ei, "packs.error.hash_mismatch")
    assert_intact("acme-tiny", "1.0")
    assert not store.version_dir("acme-tiny", "1.1").exists()


def test_older_bundle_is_refused_as_rollback(world):
    world.publish("acme-tiny", "1.0")
    old = world.bundle("old")
    world.publish("acme-tiny", "1.1")
    new = world.bundle("new")
    update(new, pack_ids=["acme-tiny"])
    assert_intact("acme-tiny", "1.1")
    with pytest.raises(PackError) as ei:
        update(old)
    _error(ei, "packs.error.rollback")
    assert_intact("acme-tiny", "1.1")


def test_expired_bundle_is_refused_as_freeze(world):
    _installed_v1(world)
    world.publish("acme-tiny", "1.1")
    stale = world.bundle("stale", days=-1)       # courier took longer than the bundle's validity
    with pytest.raises(PackError) as ei:
        update(stale)
    _error(ei, "packs.error.expired")
    assert_intact("acme-tiny", "1.0")


def test_vendor_key_cannot_sign_another_vendors_path(world, tmp_path):
    world.publish("beta-model", "1.0", vendor="beta")
    update(world.bundle("b1"), pack_ids=["beta-model"])
    evil = make_tiny_gguf(tmp_path / "evil.gguf", seed=99)
    rogue_publish(world, signer_vendor="acme", pack_vendor="beta", pack_id="beta-model", version="2.0", gguf=evil)
    with pytest.raises(PackError) as ei:
        update(world.bundle("b2"))
    _error(ei, "packs.error.target_not_found")
    assert_intact("beta-model", "1.0")


def test_target_larger_than_signed_is_aborted(world):
    _installed_v1(world)
    world.publish("acme-tiny", "1.1")
    usb = world.bundle("usb2")
    target = usb / "targets/vendors/acme/acme-tiny/1.1/model.gguf"
    with open(target, "ab") as fh:
        fh.write(os.urandom(4 * 1024 * 1024))    # endless-data attack: more than signed
    with pytest.raises(PackError) as ei:
        update(usb)
    _error(ei, "packs.error.too_large")
    assert_intact("acme-tiny", "1.0")


@pytest.mark.parametrize("name", [
    "../evil", "vendors/acme/../../evil", "%2e%2e/evil", "vendors/%2e%2e/x", "/etc/passwd",
    "C:\\Windows\\evil.gguf", "C:/evil", "\\\\server\\share\\x", "//server/share/x", "vendors\\..\\x",
    "vendors/acme/./x", "", "a//b", "vendors/acme/x\x00.gguf",
])
def test_unsafe_target_names_are_refused(name):
    with pytest.raises(PackError) as ei:
        check_target_name(name)
    _error(ei, "packs.error.bad_target_name")


@pytest.mark.parametrize("entry", [
    {"id": "acme-tiny", "version": "9.0", "vendor": "acme", "manifest": "../../../outside/manifest.json",
     "gguf": "vendors/acme/acme-tiny/9.0/model.gguf"},
    {"id": "../../outside", "version": "9.0", "vendor": "acme", "manifest": "vendors/acme/x/9.0/manifest.json",
     "gguf": "vendors/acme/x/9.0/model.gguf"},
    {"id": "acme-tiny", "version": "9.0", "vendor": "acme", "manifest": "vendors/acme/acme-tiny/9.0/%2e%2e%2fmanifest.json",
     "gguf": "vendors/acme/acme-tiny/9.0/model.gguf"},
    {"id": "acme-tiny", "version": "9.0", "vendor": "acme", "manifest": "C:\\packs\\manifest.json",
     "gguf": "\\\\server\\share\\model.gguf"},
])
def test_traversal_in_the_signed_index_writes_nothing(world, entry):
    _installed_v1(world)
    add_index_entry(world, entry)
    before = sorted(p for p in world.tmp.rglob("*"))
    with pytest.raises(PackError) as ei:
        update(world.bundle("trav"))
    _error(ei, "packs.error.bad_target_name")
    assert_intact("acme-tiny", "1.0")
    created = set(world.tmp.rglob("*")) - set(before)
    assert all(str(p).startswith(str(world.tmp / "trav")) for p in created)
    assert not (world.tmp.parent / "outside").exists()


def test_directory_fetcher_stays_inside_its_folder(world, tmp_path):
    usb = world.bundle("usb")
    (tmp_path / "secret.json").write_text("{}")
    fetcher = DirectoryFetcher(usb)
    md_url, _ = folder_urls(usb)
    for url in (md_url + "../../secret.json", md_url + "%2e%2e/%2e%2e/secret.json",
                md_url.replace("/metadata/", "/") + "..%2F..%2Fsecret.json", "file:///etc/passwd"):
        with pytest.raises(DownloadHTTPError) as ei:
            list(fetcher.fetch(url))
        assert ei.value.status_code in (403, 404), url
    with pytest.raises(DownloadHTTPError) as ei:
        list(fetcher.fetch(md_url + "99.root.json"))
    assert ei.value.status_code == 404              # ends the root-rotation loop


@pytest.mark.parametrize("variant", ["truncated", "huge_tensor_count", "huge_string", "offset_past_eof",
                                     "misaligned", "huge_block_count", "disallowed_arch"])
def test_malformed_gguf_signed_by_a_vendor_is_rejected(world, tmp_path, variant):
    _installed_v1(world)
    good = make_tiny_gguf(tmp_path / "good.gguf", seed=5)
    bad = all_malformed(good, tmp_path / "bad")[variant]
    overrides = {"architecture": "evilnet"} if variant == "disallowed_arch" else {}
    rogue_publish(world, signer_vendor="acme", pack_vendor="acme", pack_id="acme-tiny", version="2.0",
                  gguf=bad, manifest_overrides=overrides)
    with pytest.raises(PackError) as ei:
        update(world.bundle("bad"))
    assert ei.value.key in ("packs.error.gguf_rejected", "packs.error.gguf_mismatch")
    assert ei.value.message("ja") and ei.value.message("en")
    assert_intact("acme-tiny", "1.0")
    assert not store.version_dir("acme-tiny", "2.0").exists()


def test_cancel_during_download_leaves_nothing(world):
    _installed_v1(world)
    world.publish("acme-tiny", "1.1")
    usb = world.bundle("usb2")
    cancel = CancelToken()
    events = api.update_from_folder(usb, cancel=cancel)
    with pytest.raises(Cancelled):
        for ev in events:
            if isinstance(ev, Progress) and ev.stage == "packs.stage.download" and ev.done > 0:
                cancel.cancel()
    assert_intact("acme-tiny", "1.0")


def test_failed_load_test_keeps_the_previous_pack(world):
    _installed_v1(world)
    world.publish("acme-tiny", "1.1")
    seen = []

    def broken_loader(spec):
        seen.append(spec)
        raise RuntimeError("llama_model_load: failed")

    with pytest.raises(PackError) as ei:
        update(world.bundle("usb2"), load_test=broken_loader)
    _error(ei, "packs.error.load_failed")
    assert seen and seen[0].version == "1.1"
    assert_intact("acme-tiny", "1.0")
    assert not store.version_dir("acme-tiny", "1.1").exists()


def test_rollback_on_demand(world):
    _installed_v1(world)
    world.publish("acme-tiny", "1.1")
    update(world.bundle("usb2"))
    result = run_to_result(api.rollback("acme-tiny"))
    assert result == ("acme-tiny", "1.0")
    assert store.read_active("acme-tiny") == {"version": "1.0", "previous": "1.1"}
    assert_intact("acme-tiny", "1.0")


def test_rollback_refuses_a_damaged_previous_version(world):
    _installed_v1(world)
    world.publish("acme-tiny", "1.1")
    update(world.bundle("usb2"))
    flip_byte(store.version_dir("acme-tiny", "1.0") / "model.gguf")
    with pytest.raises(PackError) as ei:
        run_to_result(api.rollback("acme-tiny"))
    _error(ei, "packs.error.verify_failed")
    assert active("acme-tiny") == "1.1"


def test_rollback_without_previous(world):
    _installed_v1(world)
    with pytest.raises(PackError) as ei:
        run_to_result(api.rollback("acme-tiny"))
    _error(ei, "packs.error.no_previous")


def test_local_tampering_is_detected(world):
    _installed_v1(world)
    inst = store.active_installed("acme-tiny")
    flip_byte(inst.gguf_path)                       # same size: only the full hash sees it
    assert quick_status(inst).ok
    assert not verify_full(inst).ok
    spec = inst.manifest.to_model_spec(inst.gguf_path)
    with pytest.raises(PackError):
        verify_for_load(spec)
    with open(inst.gguf_path, "ab") as fh:          # different size: not even offered any more
        fh.write(b"x")
    assert quick_status(inst).status == "modified"
    assert "acme-tiny" not in [s.id for s in ModelService(Settings()).available()]


def test_withdrawn_pack_is_no_longer_offered(world):
    _installed_v1(world)
    world.repo.withdraw("acme-tiny", "1.0")
    events = list(api.update_from_folder(world.bundle("usb2")))
    assert any(isinstance(e, Notice) and e.key == "packs.notice.withdrawn" for e in events)
    assert isinstance(events[-1], Done) and events[-1].result.withdrawn == [("acme-tiny", "1.0")]
    assert "acme-tiny" not in [s.id for s in ModelService(Settings()).available()]
    assert {r.id: r.status for r in api.list_packs()}["acme-tiny"] == "withdrawn"
    with pytest.raises(PackError):
        ModelService(Settings()).activate("acme-tiny")


def test_root_and_timestamp_key_rotation_are_followed(world, tmp_path):
    _installed_v1(world)
    assert world.repo.rotate("root", tmp_path / "rootkeys2", new_keys=3, threshold=2) == 2
    assert world.repo.rotate("timestamp") == 3
    world.publish("acme-tiny", "1.1")
    update(world.bundle("usb2"))
    assert_intact("acme-tiny", "1.1")
    assert (home_dir() / "packs/tuf/root_history/3.root.json").is_file()


def test_root_signed_only_by_new_keys_is_refused(world, tmp_path):
    """A root version that the old threshold did not sign must not be trusted."""
    from tuf.api.metadata import Metadata
    _installed_v1(world)
    world.repo.rotate("root", tmp_path / "rootkeys2", new_keys=1, threshold=1)
    md = Metadata.from_file(str(world.repo.md_dir / "2.root.json"))
    new_keyid = md.signed.roles["root"].keyids[0]
    for keyid in list(md.signatures):
        if keyid != new_keyid:
            del md.signatures[keyid]                 # drop the old keys' signatures
    usb = world.bundle("usb2")
    (usb / "metadata/2.root.json").write_bytes(md.to_bytes())
    with pytest.raises(PackError) as ei:
        update(usb)
    _error(ei, "packs.error.unsigned")
    assert_intact("acme-tiny", "1.0")


def test_missing_trusted_root_is_a_clear_error(world):
    (machine_dir() / "root.json").unlink()
    with pytest.raises(PackError) as ei:
        update(world.bundle())
    _error(ei, "packs.error.no_trusted_root")


def test_vendor_key_rotation_revokes_the_old_key(world, tmp_path):
    """After a vendor key leak: re-delegate to a new key; the old key's signatures stop counting."""
    from gennai_desktop.packs.keys import load_signer
    _installed_v1(world)
    old_signer = load_signer(world.repo.keys.online, "vendor-acme")
    world.repo.rotate_vendor("acme")
    world.publish("acme-tiny", "1.1")                 # signed with the new key
    update(world.bundle("usb2"))
    assert_intact("acme-tiny", "1.1")
    # the thief, holding the old key, ships a 1.2 whose vendor metadata only the old key signed
    world.publish("acme-tiny", "1.2")
    md = world.repo.load("vendor-acme")
    md.signatures.clear()
    md.sign(old_signer)
    world.repo._write("vendor-acme", md)
    world.repo.publish()
    with pytest.raises(PackError) as ei:
        update(world.bundle("usb3"))
    _error(ei, "packs.error.unsigned")
    assert_intact("acme-tiny", "1.1")


def test_symlink_in_a_bundle_cannot_point_outside(world, tmp_path):
    _installed_v1(world)
    world.publish("acme-tiny", "1.1")
    usb = world.bundle("usb2")
    secret = tmp_path / "secret.gguf"
    secret.write_bytes(b"GGUF" + b"\0" * 100)
    target = usb / "targets/vendors/acme/acme-tiny/1.1/model.gguf"
    target.unlink()
    target.symlink_to(secret)                 # a crafted stick: the file really lives elsewhere
    with pytest.raises(PackError) as ei:
        update(usb)
    assert ei.value.key == "packs.error.download_http" and ei.value.params["status"] == 403
    assert_intact("acme-tiny", "1.0")
