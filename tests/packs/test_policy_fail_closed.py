"""Hardening (issue 9): the policy fails closed. On a machine that had a signed policy,
tampering with or deleting the policy or the targets metadata never yields a looser policy:
the last verified policy stays in force, or the strict built-in rules if that record does
not verify either; and the user is told in Japanese."""
from __future__ import annotations

import json

import pytest

from gennai_desktop.core.errors import ModelError
from gennai_desktop.core.i18n import tr
from gennai_desktop.core.paths import home_dir, machine_dir
from gennai_desktop.core.settings import Settings
from gennai_desktop.app.models import ModelService
from gennai_desktop.cli import packs as packs_cli
from gennai_desktop.packs.policy import DEV_PACK_ID, RECORD_NAME, apply_policy, current_policy, policy_path

from .helpers import update

STRICT = {"allowed_packs": ["acme-tiny"], "required_packs": ["acme-tiny"], "default_pack": "acme-tiny",
          "allow_dev_default": False,
          "locked_settings": {"active_model": "acme-tiny", "n_gpu_layers": 0}}


@pytest.fixture
def governed(world):
    world.publish("acme-tiny", "1.0")
    world.publish("beta-model", "1.0", vendor="beta")
    world.repo.set_policy(STRICT)
    update(world.bundle(), pack_ids=[])
    p = current_policy()
    assert p.source == "signed" and not p.allowed(DEV_PACK_ID)
    return world


def _assert_as_strict_as_the_signed_policy(p) -> None:
    assert p.source in ("last_verified", "tampered")
    assert not p.allowed(DEV_PACK_ID) and not p.allowed("beta-model") and not p.allowed("anything")
    s = apply_policy(Settings(active_model=DEV_PACK_ID, n_gpu_layers=99), p)
    if p.source == "last_verified":
        assert (s.active_model, s.n_gpu_layers) == ("acme-tiny", 0)
    assert s.active_model != DEV_PACK_ID
    assert p.problem and tr(p.problem, "ja") != p.problem and tr(p.problem, "en") != p.problem


def _tpath():
    return home_dir() / "packs" / "tuf" / "targets.json"


def test_one_byte_appended_to_policy(governed):
    with open(policy_path(), "ab") as fh:
        fh.write(b" ")
    p = current_policy()
    _assert_as_strict_as_the_signed_policy(p)
    assert p.source == "last_verified" and p.problem == "trust.policy.last_verified"


def test_policy_deleted(governed):
    policy_path().unlink()
    _assert_as_strict_as_the_signed_policy(current_policy())
    assert ModelService(Settings(active_model=DEV_PACK_ID)).active().id == "acme-tiny"


def test_policy_unreadable(governed, monkeypatch):
    from pathlib import Path
    real = Path.read_bytes

    def deny(self):
        if self == policy_path():
            raise PermissionError(13, "Permission denied")
        return real(self)
    monkeypatch.setattr(Path, "read_bytes", deny)
    _assert_as_strict_as_the_signed_policy(current_policy())


def test_targets_metadata_deleted(governed):
    _tpath().unlink()
    _assert_as_strict_as_the_signed_policy(current_policy())


def test_targets_metadata_tampered(governed):
    data = json.loads(_tpath().read_text())
    data["signed"]["targets"].pop("policy/policy.json")           # "unsigned" policy: signature now bad
    _tpath().write_text(json.dumps(data))
    _assert_as_strict_as_the_signed_policy(current_policy())


def test_record_tampered_too_gives_the_builtin_strict_rules(governed):
    policy_path().unlink()
    for rec in [home_dir() / "packs" / RECORD_NAME, machine_dir() / "state" / RECORD_NAME]:
        if rec.is_file():
            data = json.loads(rec.read_text())
            data["policy"] = data["policy"].replace('"acme-tiny"', '"beta-model"')
            rec.write_text(json.dumps(data))
    p = current_policy()
    _assert_as_strict_as_the_signed_policy(p)
    assert p.source == "tampered" and not p.allowed("acme-tiny")
    with pytest.raises(ModelError):
        ModelService(Settings(active_model=DEV_PACK_ID)).active()


def test_record_deleted_too_still_not_looser(governed):
    """The record is gone as well: the highest-versions record still says there was a policy."""
    _tpath().unlink()
    for rec in [home_dir() / "packs" / RECORD_NAME, machine_dir() / "state" / RECORD_NAME]:
        rec.unlink(missing_ok=True)
    p = current_policy()
    _assert_as_strict_as_the_signed_policy(p)
    assert p.source == "tampered"


def test_cli_says_the_policy_fell_back(governed, capsys):
    policy_path().unlink()
    packs_cli.main(["packs", "list"])
    assert tr("trust.policy.last_verified", "ja") in capsys.readouterr().err


def test_fresh_machine_without_any_policy_keeps_defaults():
    p = current_policy()
    assert p.source == "none" and p.allowed(DEV_PACK_ID)
