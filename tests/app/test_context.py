"""app.context: one AppContext per run reads and verifies the signed metadata once, and
app.recording records the run's typed result through it (no ContextVar)."""
from __future__ import annotations

import sys

import pytest

from gennai_desktop.app.context import AppContext
from gennai_desktop.app.models import ModelService
from gennai_desktop.app.recording import TaskRun, recording
from gennai_desktop.cli import main as gennai
from gennai_desktop.packs import trust
from gennai_desktop.storage import open_store
from tests.app.test_model_service import POLICY
from tests.packs.conftest import make_world
from tests.packs.helpers import update
from tests.support.fake_engine import FakeEngine


def _count_verifications(monkeypatch) -> list[int]:
    """Count every read-and-verify of the signed metadata, wherever a module imported it."""
    calls = [0]
    real = trust.trusted_view

    def counting():
        calls[0] += 1
        return real()

    for name, mod in list(sys.modules.items()):
        if name.startswith("gennai_desktop") and getattr(mod, "trusted_view", None) is real:
            monkeypatch.setattr(mod, "trusted_view", counting)
    return calls


@pytest.fixture
def governed_laptop(tmp_path):
    """Signed metadata with a policy and an installed pack: every verification is real."""
    world = make_world(tmp_path)
    world.publish("acme-tiny", "1.0")
    update(world.bundle(), pack_ids=["acme-tiny"])
    world.repo.set_policy(POLICY)
    update(world.bundle("usb2"), pack_ids=[])
    assert trust.trusted_view() is not None and trust.trusted_view().targets is not None
    return world


def test_one_summarize_run_verifies_the_metadata_once(governed_laptop, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(ModelService, "open_engine", lambda self: FakeEngine())
    src = tmp_path / "memo.txt"
    src.write_text("第一条　この規則は、文書の管理について定める。\n第二条　文書は、適正に管理する。\n", encoding="utf-8")
    reads = _count_verifications(monkeypatch)
    rc = gennai(["summarize", str(src)])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "acme-tiny" in err                             # the policy's default pack, chosen under that one view
    assert reads[0] == 1                                  # was 5: two model services, preflight, audit, retention
    entry = open_store().list_results()[0]
    assert (entry.task, entry.model_id, entry.source_name) == ("summarize", "acme-tiny", "memo.txt")


def test_a_command_that_needs_no_policy_verifies_nothing(governed_laptop, monkeypatch, capsys):
    reads = _count_verifications(monkeypatch)
    assert gennai(["draft", "--list"]) == 0
    assert reads[0] == 0


def test_the_result_is_kept_only_when_the_command_hands_it_over(monkeypatch):
    from gennai_desktop.tasks.results import SummaryResult
    ctx = AppContext()
    with recording(TaskRun(ctx, "summarize")):
        pass                                               # finished without a result: audited, nothing kept
    with recording(TaskRun(ctx, "summarize")) as run:
        run.result = SummaryResult(points=[], text="手渡された要約", style="bullets", method="extractive")
    texts = [e.text for e in open_store().list_results()]
    assert texts == ["手渡された要約"]
    lines = ctx.audit.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all('"outcome":"ok"' in x.replace(" ", "") for x in lines)
