"""Ministry policy is signed, checked offline at start-up, and enforced by the model service."""
from __future__ import annotations

import json

import pytest

from gennai_desktop.core.errors import ModelError
from gennai_desktop.core.settings import Settings
from gennai_desktop.app.models import ModelService
from gennai_desktop.packs.errors import PackError
from gennai_desktop.packs.policy import DEV_PACK_ID, Policy, apply_policy, current_policy, policy_path

from .helpers import update

POLICY = {"allowed_packs": ["acme-tiny"], "required_packs": ["acme-tiny"], "default_pack": "acme-tiny",
          "mirror_url": "https://packs.example.go.jp/", "locked_settings": {"n_gpu_layers": 0, "n_ctx": 2048}}


@pytest.fixture
def governed(world):
    world.publish("acme-tiny", "1.0")
    world.publish("beta-model", "1.0", vendor="beta")
    world.repo.set_policy(POLICY)
    report = update(world.bundle(), pack_ids=[])
    assert report.installed == [("acme-tiny", "1.0")]            # required: installed without asking
    return world


def test_no_policy_means_permissive_defaults():
    p = current_policy()
    assert p.source == "none" and p.allowed("anything") and p.locked_settings == frozenset()


def test_signed_policy_is_in_force(governed):
    p = current_policy()
    assert p.source == "signed"
    assert (p.default_pack, p.mirror_url) == ("acme-tiny", "https://packs.example.go.jp/")
    assert p.locked_settings == {"n_gpu_layers", "n_ctx"}
    assert p.allowed("acme-tiny") and not p.allowed("beta-model") and p.allowed(DEV_PACK_ID)


def test_policy_default_pack_is_active_when_the_user_chose_nothing(governed):
    assert ModelService(Settings()).active().id == "acme-tiny"


def test_forbidden_pack_cannot_be_installed_or_activated(governed):
    with pytest.raises(PackError) as ei:
        update(governed.bundle("usb2"), pack_ids=["beta-model"])
    assert ei.value.key == "packs.error.not_allowed"
    with pytest.raises(PackError) as ei:
        ModelService(Settings()).activate("beta-model")
    assert ei.value.key == "packs.error.not_allowed"
    # a hand-edited settings file does not get around it
    assert ModelService(Settings(active_model="beta-model")).active().id == "acme-tiny"


def test_apply_policy_resets_locked_settings(governed):
    s = apply_policy(Settings(n_gpu_layers=40, n_ctx=8192, n_threads=3))
    assert (s.n_gpu_layers, s.n_ctx, s.n_threads) == (0, 2048, 3)
    assert apply_policy(Settings(n_gpu_layers=5)).n_gpu_layers == 0


def test_hand_edited_policy_file_does_not_widen_anything(governed):
    path = policy_path()
    data = json.loads(path.read_text(encoding="utf-8"))
    data["allowed_packs"].append("beta-model")                   # a user widening their own policy
    path.write_text(json.dumps(data), encoding="utf-8")
    p = current_policy()
    # the last verified policy stays in force (not the edited one, not "no policy")
    assert p.source == "last_verified" and not p.allowed("beta-model") and p.allowed("acme-tiny")
    assert p.locked_values == POLICY["locked_settings"]
    assert ModelService(Settings()).active().id == "acme-tiny"
    path.unlink()
    assert current_policy().source == "last_verified"            # deleting it does not help either


def test_policy_can_forbid_the_dev_default(world):
    world.publish("acme-tiny", "1.0")
    world.repo.set_policy({"allow_dev_default": False, "allowed_packs": ["acme-tiny"]})
    update(world.bundle())
    with pytest.raises(ModelError) as ei:
        ModelService(Settings()).active()                         # nothing allowed is installed yet
    assert ei.value.key == "packs.error.no_usable_model"
    update(world.bundle("usb2"), pack_ids=["acme-tiny"])
    assert [s.id for s in ModelService(Settings()).available()] == ["acme-tiny"]


def test_locked_active_model_cannot_be_changed(world):
    world.publish("acme-tiny", "1.0")
    world.repo.set_policy({"locked_settings": {"active_model": "acme-tiny"}, "required_packs": ["acme-tiny"]})
    update(world.bundle())
    with pytest.raises(PackError) as ei:
        ModelService(Settings()).activate(DEV_PACK_ID)
    assert ei.value.key == "packs.error.locked"
    assert ModelService(Settings(active_model=DEV_PACK_ID)).active().id == "acme-tiny"


@pytest.mark.parametrize("bad", [{"locked_settings": {"version": 2}}, {"locked_settings": {"n_ctx": 1}},
                                 {"allowed_packs": ["../x"]}, {"surprise": True},
                                 {"mirror_url": "file:///etc/"}])
def test_invalid_policies_are_rejected(bad):
    from pydantic import ValidationError
    with pytest.raises(ValidationError):
        Policy.model_validate(bad)


def test_listing_and_choosing_a_model_never_load_the_network_stack(tmp_path):
    """urllib3 opens a socket at import (IPv6 probe); start-up paths must not import it."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    code = ("import sys\n"
            "from gennai_desktop.packs import api\n"
            "from gennai_desktop.app.models import ModelService\n"
            "from gennai_desktop.packs.policy import current_policy, apply_policy\n"
            "from gennai_desktop.core.settings import Settings\n"
            "api.list_packs(); ModelService(apply_policy(Settings())).active(); current_policy()\n"
            "list(api.verify())\n"
            "bad = [m for m in ('urllib3', 'tuf.ngclient') if m in sys.modules]\n"
            "sys.exit(1 if bad else 0)\n")
    repo_root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo_root)}
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=repo_root, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr.decode()
