"""app.models: one service chooses the model for the CLI and the UI, reading policy and
trust once; packs push their specs into llm's registry (llm/ never reaches packs/)."""
from __future__ import annotations

import argparse

import pytest

from gennai_desktop.app import models
from gennai_desktop.app.models import ModelService
from gennai_desktop.cli import commands
from gennai_desktop.core.settings import Settings
from gennai_desktop.llm.base import ModelSpec
from gennai_desktop.llm.registry import ModelRegistry
from gennai_desktop.packs import api, policy as policy_mod, trust, verify
from gennai_desktop.packs.errors import PackError
from gennai_desktop.ui.engine_provider import EngineProvider
from tests.packs.conftest import make_world
from tests.packs.helpers import update

POLICY = {"allowed_packs": ["acme-tiny"], "default_pack": "acme-tiny", "locked_settings": {"n_ctx": 2048}}


@pytest.fixture
def governed(tmp_path):
    world = make_world(tmp_path)
    world.publish("acme-tiny", "1.0")
    world.publish("beta-model", "1.0", vendor="beta")
    report = update(world.bundle(), pack_ids=["acme-tiny", "beta-model"])   # before the policy came
    assert len(report.installed) == 2
    world.repo.set_policy(POLICY)
    update(world.bundle("usb2"), pack_ids=[])
    return world


def _count_trust_reads(monkeypatch) -> list[int]:
    """Count every read of the signed metadata, wherever the packs modules would do it."""
    calls = [0]
    real = trust.trusted_view

    def counting():
        calls[0] += 1
        return real()

    for mod in (trust, verify, policy_mod, api, models):
        if hasattr(mod, "trusted_view"):
            monkeypatch.setattr(mod, "trusted_view", counting)
    return calls


def test_policy_and_trust_are_read_once_per_service(governed, monkeypatch):
    reads = _count_trust_reads(monkeypatch)
    policies = [0]
    real_policy = policy_mod.current_policy

    def counting_policy(*a, **kw):
        policies[0] += 1
        return real_policy(*a, **kw)

    monkeypatch.setattr(models, "current_policy", counting_policy)
    service = ModelService(Settings())
    assert [s.id for s in service.available()] == ["acme-tiny", "gemma3-270m-dev"]   # policy default first
    assert service.active().id == "acme-tiny"
    rows = {r.id: r for r in service.pack_rows()}
    assert rows["acme-tiny"].active and rows["beta-model"].status == "verified" and not rows["beta-model"].allowed
    assert service.settings.n_ctx == 2048                    # the locked value is forced
    with pytest.raises(PackError):
        service.activate("beta-model")                       # installed and signed, but not allowed
    assert service.activate("gemma3-270m-dev").active_model == "gemma3-270m-dev"
    assert (reads[0], policies[0]) == (1, 1)


def test_activation_keeps_the_users_own_settings(governed):
    s = ModelService(Settings(n_ctx=8192)).activate("gemma3-270m-dev")
    assert (s.active_model, s.n_ctx) == ("gemma3-270m-dev", 8192)   # the lock is applied on use, not saved


def test_the_registry_holds_what_sources_register_first_wins():
    reg = ModelRegistry()
    a = ModelSpec(id="x", path="/a", name_ja="A", name_en="A")
    reg.register(a)
    reg.register(ModelSpec(id="x", path="/b", name_ja="B", name_en="B"))
    reg.register(ModelSpec(id="y", path="/c", name_ja="C", name_en="C"))
    assert [s.id for s in reg] == ["x", "y"] and reg.get("x") is a and "y" in reg and len(reg) == 2


def test_cli_and_ui_open_the_engine_through_the_same_service(monkeypatch):
    opened = []
    sentinel = object()

    def fake_open(self):
        opened.append(self.active().id)
        return sentinel

    monkeypatch.setattr(ModelService, "open_engine", fake_open)
    args = argparse.Namespace(no_model=False)
    assert commands.model_engine(args, ModelService()) is sentinel
    assert EngineProvider(Settings()).get() is sentinel
    assert opened == ["gemma3-270m-dev", "gemma3-270m-dev"]


def test_the_bundled_default_is_assembled_before_the_engine_is_made(monkeypatch, tmp_path):
    """The UI once handed the manager the spec's first-guess path; now both faces get the
    verified, assembled file (the CLI always did)."""
    made = []
    assembled = tmp_path / "assembled.gguf"
    monkeypatch.setattr(models, "ensure_bundled_model", lambda: assembled)
    monkeypatch.setattr(models.manager, "get_engine", lambda spec, **kw: made.append((spec.path, kw)) or "engine")
    assert ModelService(Settings(n_ctx=1024)).open_engine() == "engine"
    assert made[0][0] == assembled and made[0][1]["n_ctx"] == 1024
